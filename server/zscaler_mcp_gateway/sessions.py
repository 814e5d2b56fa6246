"""Fair MCP sessions: an overall cap, a per-principal limit, and an idle timeout that reaps.

A session costs memory (about 30 KiB, 43 KiB once it listed every tool: `bench/run.py --memory-only`)
until its client deletes it or it sits idle for the idle timeout. Without a per-principal limit one
key holder could open sessions up to the overall cap and leave every other principal with 503s until
they expire. The `mcp` SDK's session manager owns
sessions, their idle reaping and the overall cap; `sdk_surface.FairSessionManager` adds only the count per
principal around the SDK's admission and discard, and answers 429 with a clear message to a
principal at its limit while everyone else still connects.
"""

from __future__ import annotations

import logging

from mcp.server.auth.middleware.bearer_auth import AuthorizationContext
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from .config import ConfigError, validation_messages

log = logging.getLogger(__name__)

DEFAULT_IDLE_TIMEOUT_SECONDS = 600  # 10 minutes: an abandoned session is gone long before the SDK's 30
DEFAULT_MAX_SESSIONS = 4000  # ~150 MiB of sessions: with the process itself, inside the chart's 512 Mi limit
DEFAULT_MAX_SESSIONS_PER_PRINCIPAL = 200
MAX_IDLE_TIMEOUT_SECONDS = 24 * 3600
SESSION_CAP_LIMIT = 100_000


class SessionLimits(BaseModel):
    """MCP session limits of one gateway process (`serve --session-*`; the CR's and the chart's `sessions`).

    Stateful mode only: `--stateless` gateways keep no sessions.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    idle_timeout_seconds: StrictInt = Field(
        default=DEFAULT_IDLE_TIMEOUT_SECONDS,
        alias="idleTimeoutSeconds",
        ge=1,
        le=MAX_IDLE_TIMEOUT_SECONDS,
        description="A session with no request in flight for this long is closed and its memory freed "
        f"(default {DEFAULT_IDLE_TIMEOUT_SECONDS}, 10 minutes).",
    )
    max_sessions: StrictInt = Field(
        default=DEFAULT_MAX_SESSIONS,
        alias="maxSessions",
        ge=1,
        le=SESSION_CAP_LIMIT,
        description="Sessions open at once in one pod; beyond it a new session gets HTTP 503. Each costs about "
        f"40 KiB: the default {DEFAULT_MAX_SESSIONS} fits the chart's 512 Mi memory limit.",
    )
    max_sessions_per_principal: StrictInt = Field(
        default=DEFAULT_MAX_SESSIONS_PER_PRINCIPAL,
        alias="maxSessionsPerPrincipal",
        ge=1,
        le=SESSION_CAP_LIMIT,
        description="Sessions one authenticated principal may hold open at once in one pod; beyond it a new "
        "session of that principal gets HTTP 429 while other principals still connect "
        f"(default {DEFAULT_MAX_SESSIONS_PER_PRINCIPAL}).",
    )

    @classmethod
    def of(cls, **values: int) -> SessionLimits:
        """From command-line values; a value out of bounds is a ConfigError naming its key."""
        try:
            return cls.model_validate({cls.model_fields[k].alias: v for k, v in values.items() if v is not None})
        except ValidationError as exc:
            raise ConfigError(validation_messages(exc, "sessions.")) from None


def principal_of(requestor: AuthorizationContext | None) -> str | None:
    """The authenticated principal a session belongs to; None without authentication (only the cap applies)."""
    if requestor is None:
        return None
    return requestor.get("subject") or requestor["client_id"]


class PrincipalSessionLimit(Exception):
    def __init__(self, principal: str, limit: int, idle_timeout_seconds: int) -> None:
        super().__init__(
            f"Too many open sessions for principal {principal!r}: the limit is {limit}. Close sessions you no "
            f"longer use (HTTP DELETE with their Mcp-Session-Id) or wait for idle ones to expire "
            f"({idle_timeout_seconds} s without a request)."
        )
