"""How the operator itself is configured: environment variables of its own Deployment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .builders import DEFAULT_IMAGE

IMAGE_ENV = "ZSCALER_MCP_GATEWAY_IMAGE"
RESYNC_ENV = "ZSCALER_MCP_OPERATOR_RESYNC_SECONDS"
DEFAULT_RESYNC_SECONDS = 30.0


@dataclass(frozen=True)
class OperatorOptions:
    default_image: str = DEFAULT_IMAGE
    resync_seconds: float = DEFAULT_RESYNC_SECONDS

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> OperatorOptions:
        resync = environ.get(RESYNC_ENV, "").strip()
        try:
            seconds = float(resync) if resync else DEFAULT_RESYNC_SECONDS
        except ValueError:
            raise ValueError(f"{RESYNC_ENV}: not a number of seconds: {resync!r}") from None
        if seconds <= 0:
            raise ValueError(f"{RESYNC_ENV}: must be > 0, got {resync!r}")
        return cls(default_image=environ.get(IMAGE_ENV, "").strip() or DEFAULT_IMAGE, resync_seconds=seconds)
