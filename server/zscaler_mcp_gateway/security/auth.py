"""Authentication of the HTTP transport: an ASGI middleware in front of every non-public path.

It takes the credential from `Authorization: Bearer` (or `X-Api-Key` in API-key mode), asks the
`mcp` `TokenVerifier` (API keys or JWT), and on success puts the principal on the ASGI scope
(`zscaler_mcp.principal`, read by the MCP handlers for the audit line) together with the SDK's
`AuthenticatedUser`, so the SDK binds each MCP session to the principal that opened it.
On failure it answers 401 with `WWW-Authenticate` (RFC 6750; `resource_metadata` per RFC 9728 in
JWT mode) and writes an audit line with outcome `denied` through the dispatcher, naming the
requested tool when the body is a readable `tools/call`. Health and metadata paths stay public.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection

import anyio
from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken, TokenVerifier
from starlette.authentication import AuthCredentials
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from ..dispatch import Caller, ToolDispatcher
from ..mcp_server import PRINCIPAL_SCOPE_KEY

log = logging.getLogger(__name__)

REALM = "zscaler-mcp-gateway"
ANONYMOUS = "anonymous"
MAX_AUDITED_BODY = 64 * 1024  # a refused request's body is read only this far, only to name the tool
BODY_READ_SECONDS = 2.0


def principal_of(token: AccessToken) -> str:
    return token.subject or token.client_id


def presented_credential(headers: Headers, api_key_header: bool) -> str | None:
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if api_key_header and headers.get("x-api-key", "").strip():
        return headers["x-api-key"].strip()
    return None


async def requested_tool(scope: Scope, receive: Receive) -> str | None:
    """The tool a refused `tools/call` asked for, when the body says so cheaply; else None."""
    if scope.get("method") != "POST":
        return None
    body = b""
    with anyio.move_on_after(BODY_READ_SECONDS):
        while len(body) <= MAX_AUDITED_BODY:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
    try:
        data = json.loads(body) if len(body) <= MAX_AUDITED_BODY else None
    except ValueError:
        return None
    params = data.get("params") if isinstance(data, dict) and data.get("method") == "tools/call" else None
    name = params.get("name") if isinstance(params, dict) else None
    return name if isinstance(name, str) else None


class AuthMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        verifier: TokenVerifier,
        dispatcher: ToolDispatcher,
        public_paths: Collection[str],
        api_key_header: bool,
        resource_metadata_url: str | None = None,
    ) -> None:
        self.app = AuthContextMiddleware(app)  # the SDK's contextvar, for code that asks `get_access_token()`
        self.verifier = verifier
        self.dispatcher = dispatcher
        self.public_paths = frozenset(public_paths)
        self.api_key_header = api_key_header
        self.resource_metadata_url = resource_metadata_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.public_paths:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        credential = presented_credential(headers, self.api_key_header)
        token = await self.verifier.verify_token(credential) if credential else None
        if token is None:
            await self._refuse(scope, receive, send, headers, missing=credential is None)
            return
        scope[PRINCIPAL_SCOPE_KEY] = principal_of(token)
        scope["user"] = AuthenticatedUser(token)
        scope["auth"] = AuthCredentials(token.scopes)
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, headers: Headers, missing: bool) -> None:
        description = (
            "Authentication required"
            if missing
            else "The credential is not valid (unknown, expired or not for this server)"
        )
        tool = await requested_tool(scope, receive)
        caller = Caller(principal=ANONYMOUS, request_id=headers.get("x-request-id"))
        await self.dispatcher.call(tool or "", None, caller, refusal=f"authentication failed: {description.lower()}")
        challenge = [f'realm="{REALM}"']
        if not missing:
            challenge += ['error="invalid_token"', f'error_description="{description}"']
        if self.resource_metadata_url:
            challenge.append(f'resource_metadata="{self.resource_metadata_url}"')
        body = json.dumps(
            {"error": "invalid_token" if not missing else "unauthorized", "error_description": description}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", ("Bearer " + ", ".join(challenge)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
