"""Authentication of the HTTP transport: an ASGI middleware in front of the MCP endpoint.

It takes the credential from `Authorization: Bearer` (or `X-Api-Key` in API-key mode), asks the
`mcp` `TokenVerifier` (API keys or JWT), and on success puts the principal on the ASGI scope
(`zscaler_mcp.principal`, read by the MCP handlers for the audit line) together with the SDK's
`AuthenticatedUser`, so the SDK binds each MCP session to the principal that opened it.
On failure it answers 401 with a JSON-RPC error body (so MCP clients show the reason) and a
`WWW-Authenticate` that names what is expected: an API key, or a Bearer JWT with `resource_metadata`
(RFC 9728). A refused `tools/call` is left to `RefusalAudit` as one denied tool call; any other refused
request counts in `zscaler_mcp_auth_failures_total{reason}`. Only the MCP path is protected: other
paths are not resources of this server (OAuth discovery paths answer 404 unless JWT mode serves them).
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

from ..metrics import GatewayMetrics
from ..outcomes import Outcome
from ..requested_call import BODY_READ_SECONDS, MAX_SNIFFED_BODY, decode_message, request_id_of, sniff_tools_call

log = logging.getLogger(__name__)

PRINCIPAL_SCOPE_KEY = "zscaler_mcp.principal"  # the authenticated principal on the ASGI scope, for the MCP handlers
REFUSAL_SCOPE_KEY = "zscaler_mcp.refusal"  # (outcome, reason) of a refusal here, for the refusal audit

REALM = "zscaler-mcp-gateway"
ANONYMOUS = "anonymous"
AUTH_ERROR_CODE = -32001  # JSON-RPC server-defined range: the request was not authenticated
MISSING, INVALID = "missing_credential", "invalid_credential"


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


async def read_body(receive: Receive) -> tuple[bytes, bool]:
    """A refused request's body, read only as far as the sniffing bound and a short wait: (body, complete)."""
    body, complete = b"", False
    with anyio.move_on_after(BODY_READ_SECONDS):
        while len(body) <= MAX_SNIFFED_BODY:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                complete = True
                break
    return body, complete


class AuthMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        verifier: TokenVerifier,
        metrics: GatewayMetrics,
        protected_paths: Collection[str],
        api_key_header: bool,
        resource_metadata_url: str | None = None,
    ) -> None:
        self.app = AuthContextMiddleware(app)  # the SDK's contextvar, for code that asks `get_access_token()`
        self.verifier = verifier
        self.metrics = metrics
        self.protected_paths = frozenset(protected_paths)
        self.api_key_header = api_key_header
        self.resource_metadata_url = resource_metadata_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.protected_paths:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        credential = presented_credential(headers, self.api_key_header)
        token = await self.verifier.verify_token(credential) if credential else None
        if token is None:
            await self._refuse(scope, receive, send, missing=credential is None)
            return
        scope[PRINCIPAL_SCOPE_KEY] = principal_of(token)
        scope["user"] = AuthenticatedUser(token)
        scope["auth"] = AuthCredentials(token.scopes)
        await self.app(scope, receive, send)

    def expected(self) -> str:
        if self.api_key_header:
            return "an API key (Authorization: Bearer <key>, or X-Api-Key: <key>)"
        return f"an OAuth 2.0 Bearer access token (JWT); see {self.resource_metadata_url}"

    def challenges(self, missing: bool, description: str) -> list[str]:
        """`WWW-Authenticate` values: RFC 6750 Bearer (keys are accepted as Bearer tokens too), and in
        API-key mode an `ApiKey` challenge naming the header, so no client mistakes it for OAuth."""
        bearer = [f'realm="{REALM}"']
        if not missing:
            bearer += ['error="invalid_token"', f'error_description="{description}"']
        if self.resource_metadata_url:
            bearer.append(f'resource_metadata="{self.resource_metadata_url}"')
        values = ["Bearer " + ", ".join(bearer)]
        if self.api_key_header:
            values.append(f'ApiKey realm="{REALM}", header="X-Api-Key"')
        return values

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, missing: bool) -> None:
        description = (
            "Authentication required"
            if missing
            else "The credential is not valid (unknown, expired or not for this server)"
        )
        body, complete = await read_body(receive) if scope["method"] == "POST" else (b"", True)
        if sniff_tools_call(body, complete) is not None:
            scope[REFUSAL_SCOPE_KEY] = (Outcome.DENIED, f"authentication failed: {description.lower()}")
        else:
            self.metrics.auth_failure(MISSING if missing else INVALID)
        message = decode_message(body) if complete and len(body) <= MAX_SNIFFED_BODY else None
        answer = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": request_id_of(message),
                "error": {
                    "code": AUTH_ERROR_CODE,
                    "message": f"{description}: this server expects {self.expected()}",
                    "data": {
                        "error": "invalid_token" if not missing else "unauthorized",
                        "error_description": description,
                    },
                },
            },
            separators=(",", ":"),
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(answer)).encode()),
                    *((b"www-authenticate", value.encode()) for value in self.challenges(missing, description)),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})
