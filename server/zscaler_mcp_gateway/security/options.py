"""Security settings of one gateway, and the rule that decides the authentication mode.

Authentication is on whenever the server is reachable beyond loopback: with no API keys and no
JWT settings it refuses to start, unless the operator says `--auth none` explicitly.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ..config import ConfigError
from .approvals import DEFAULT_WINDOW_SECONDS
from .confirm import DEFAULT_PROGRESS_INTERVAL_SECONDS

AUTH_NONE = "none"
AUTH_API_KEY = "api-key"
AUTH_JWT = "jwt"
AUTH_MODES = (AUTH_NONE, AUTH_API_KEY, AUTH_JWT)
DEFAULT_JWT_ALGORITHMS = ("RS256", "ES256")
LOOPBACK_NAMES = ("localhost",)


@dataclass(frozen=True)
class JwtOptions:
    """OAuth2 resource-server mode: tokens signed by a key of `jwks_url`, for `audience`, from `issuer`."""

    issuer: str
    audience: str
    jwks_url: str
    algorithms: tuple[str, ...] = DEFAULT_JWT_ALGORITHMS
    resource_url: str | None = None  # public URL of /mcp, for RFC 9728 metadata; default: audience when a URL


@dataclass(frozen=True)
class SecurityOptions:
    auth: str | None = None  # none | api-key | jwt; None = api-key with keys, jwt with JWT settings, none on loopback
    api_keys_dir: str | None = None
    jwt: JwtOptions | None = None
    principals_file: str | None = None  # optional per-principal tool patterns
    allowed_hosts: tuple[str, ...] = field(default_factory=tuple)  # Host header allowlist (DNS rebinding)
    allow_unconfirmed_deletes: bool = False  # deprecated: as `write.confirm` without delete
    approval_keys_dir: str | None = None  # `current` (+ `previous`) HMAC keys shared by every replica
    approval_window_seconds: float = DEFAULT_WINDOW_SECONDS  # how long a person may take; how long an approval lives
    confirm_progress_interval_seconds: float = DEFAULT_PROGRESS_INTERVAL_SECONDS


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_auth_mode(options: SecurityOptions, bind_host: str) -> str:
    """The mode to run; raises ConfigError for a missing or contradictory setting."""
    mode = options.auth
    if mode is None:
        if options.api_keys_dir and options.jwt:
            raise ConfigError(["auth: both API keys and JWT settings given; choose one with --auth api-key|jwt"])
        if options.api_keys_dir:
            mode = AUTH_API_KEY
        elif options.jwt:
            mode = AUTH_JWT
        elif is_loopback(bind_host):
            mode = AUTH_NONE
        else:
            raise ConfigError(
                [
                    f"auth: refusing to serve on {bind_host} without authentication: give --api-keys-dir DIR, "
                    "or --jwt-issuer/--jwt-audience/--jwks-url, or pass --auth none to run unauthenticated on purpose"
                ]
            )
    if mode not in AUTH_MODES:
        raise ConfigError([f"auth: unknown mode {mode!r}; expected one of {', '.join(AUTH_MODES)}"])
    if mode == AUTH_API_KEY and not options.api_keys_dir:
        raise ConfigError(["auth: --auth api-key needs --api-keys-dir"])
    if mode == AUTH_JWT and options.jwt is None:
        raise ConfigError(["auth: --auth jwt needs --jwt-issuer, --jwt-audience and --jwks-url"])
    return mode
