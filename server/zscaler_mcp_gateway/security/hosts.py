"""Host/Origin validation against DNS rebinding, enforced by the `mcp` SDK's transport security.

A browser tricked into resolving an attacker's name to the gateway still sends the attacker's
name as `Host`; refusing unknown `Host` values (421) and unknown `Origin` values (403) stops it.
The allowlist comes from `--allowed-hosts` / `ZSCALER_MCP_ALLOWED_HOSTS`: comma-separated
`host`, `host:port` or `host:*`. A bare `host` accepts it on any port. Origins are derived:
`http(s)://` + each allowed host. Health endpoints are not covered (kubelet probes use the pod IP).
"""

from __future__ import annotations

import re

from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import ConfigError
from .options import is_loopback

ENV_ALLOWED_HOSTS = "ZSCALER_MCP_ALLOWED_HOSTS"
LOOPBACK_BINDS = ("127.0.0.1", "localhost", "::1")
LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*")
_ENTRY = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:(\*|[0-9]{1,5}))?$")


def check_allowed_hosts(entries: tuple[str, ...]) -> None:
    bad = [e for e in entries if not _ENTRY.match(e)]
    if bad:
        raise ConfigError([f"allowed hosts: {e!r} is not host, host:port or host:* (no scheme, no path)" for e in bad])


def _expand(entry: str) -> tuple[str, ...]:
    match = _ENTRY.match(entry)
    assert match is not None
    return (entry,) if match.group(2) else (entry, f"{entry}:*")


def transport_security(allowed_hosts: tuple[str, ...], bind_host: str) -> TransportSecuritySettings | None:
    """The SDK setting for this server; with no allowlist, a loopback bind accepts only loopback names
    (the SDK's own default for these binds) and any other bind has no Host check (None)."""
    entries = allowed_hosts or (LOOPBACK_HOSTS if bind_host in LOOPBACK_BINDS else ())
    if not entries:
        return None
    hosts = [h.lower() for entry in entries for h in _expand(entry)]
    origins = [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


class CaseInsensitiveHost:
    """Host names are case-insensitive (RFC 9110 4.2.3): `Host` and `Origin` reach the check lower-cased."""

    HEADERS = (b"host", b"origin")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":  # in place: outer layers read marks that inner ones leave on this scope
            scope["headers"] = [(k, v.lower()) if k in self.HEADERS else (k, v) for k, v in scope["headers"]]
        await self.app(scope, receive, send)


def host_check_warning(allowed_hosts: tuple[str, ...], bind_host: str) -> str | None:
    if allowed_hosts or is_loopback(bind_host):
        return None
    return (
        f"serving on {bind_host} with no Host allowlist: DNS-rebinding protection is off "
        f"(set --allowed-hosts or {ENV_ALLOWED_HOSTS}; authentication still applies)"
    )
