"""Assembles the security layer of one gateway from `SecurityOptions`: who may call, from which Host."""

from __future__ import annotations

import logging

from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.routes import build_resource_metadata_url, create_protected_resource_routes
from mcp.server.auth.settings import AuthSettings
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.routing import Route

from ..config import ConfigError
from ..metrics import GatewayMetrics
from .apikeys import ApiKeyVerifier
from .auth import AuthMiddleware
from .hosts import check_allowed_hosts, host_check_warning, transport_security
from .options import AUTH_API_KEY, AUTH_JWT, AUTH_NONE, SecurityOptions, is_loopback, resolve_auth_mode
from .principals import PrincipalPolicy

log = logging.getLogger(__name__)

REALM_NAME = "Zscaler MCP Gateway"


def _auth_settings(issuer: str, resource: str) -> AuthSettings:
    """The SDK's resource-server settings (it keeps an issuer's exact spelling, as RFC 8414 compares it)."""
    try:
        # The JWT verifier checks `aud` itself, hence no resource re-check by the SDK.
        return AuthSettings(issuer_url=issuer, resource_server_url=resource, validate_token_resource=False)  # type: ignore[arg-type]
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][0]) for e in exc.errors())
        raise ConfigError(
            [f"auth: not an http(s) URL: {fields} (--jwt-issuer / --resource-url or --jwt-audience)"]
        ) from None


class SecurityLayer:
    def __init__(self, options: SecurityOptions, bind_host: str) -> None:
        self.options = options
        self.bind_host = bind_host
        self.mode = resolve_auth_mode(options, bind_host)
        check_allowed_hosts(options.allowed_hosts)
        self.principals = PrincipalPolicy(options.principals_file) if options.principals_file else None
        self.verifier: TokenVerifier | None = None
        self.protected_resource_routes: list[Route] = []
        self.resource_metadata_url: str | None = None
        if self.mode == AUTH_API_KEY:
            assert options.api_keys_dir is not None
            self.verifier = ApiKeyVerifier(options.api_keys_dir)
        elif self.mode == AUTH_JWT:
            from .oauth import JwtVerifier  # JWT mode only: PyJWT and cryptography would add to start-up time

            assert options.jwt is not None
            self.verifier = JwtVerifier(options.jwt)
            resource = options.jwt.resource_url or options.jwt.audience
            if not resource.startswith(("https://", "http://")):
                raise ConfigError(
                    ["auth: JWT mode needs --resource-url (the public URL of /mcp) when the audience is not a URL"]
                )
            settings = _auth_settings(options.jwt.issuer, resource)
            assert settings.resource_server_url is not None
            self.resource_metadata_url = str(build_resource_metadata_url(settings.resource_server_url))
            self.protected_resource_routes = create_protected_resource_routes(
                resource_url=settings.resource_server_url,
                authorization_servers=[settings.issuer_url],
                resource_name=REALM_NAME,
            )
        elif not is_loopback(bind_host):
            log.warning(
                "AUTHENTICATION IS OFF (--auth none) on %s: anyone who can reach the port can call every served tool",
                bind_host,
            )
        if self.mode != AUTH_NONE:
            log.info("MCP endpoint authentication: %s", self.mode)
        warning = host_check_warning(options.allowed_hosts, bind_host)
        if warning:
            log.warning(warning)

    def transport_security(self) -> TransportSecuritySettings | None:
        return transport_security(self.options.allowed_hosts, self.bind_host)

    def install(self, app: Starlette, metrics: GatewayMetrics, mcp_path: str) -> None:
        """Put authentication in front of the MCP endpoint (health and resource metadata stay public)."""
        if self.verifier is None:
            return
        app.add_middleware(
            AuthMiddleware,
            verifier=self.verifier,
            metrics=metrics,
            protected_paths=[mcp_path],
            api_key_header=self.mode == AUTH_API_KEY,
            resource_metadata_url=self.resource_metadata_url,
        )
