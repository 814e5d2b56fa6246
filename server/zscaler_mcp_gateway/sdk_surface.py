"""Every use of the `mcp` SDK's private surface, in one module; nothing else names a private `mcp` attribute.

mcp 2.3 has no public hook for five things the gateway does: offer a session's POST, or a sessionless
request (2026-07-28, or any to a `--stateless` gateway), to the fast lane before the SDK routes it
(`LaneTransport`, `LaneSessionManager`); make an idle session let go of its last answer and request
(`SessionTransport`) and count sessions; shape a result with the SDK's own per-version kernel
(`serialize_result`); reach a handshake-era session's connection to send `list_changed` on its
standalone stream (`session_connection`); and drop the SDK's per-message span (`OpenTelemetryMiddleware`).
`PRIVATE_SURFACE` lists each private name with the parameters relied on; tests/unit/test_sdk_surface.py
fails, naming the attribute, when an SDK upgrade moves one, and pyproject.toml pins `mcp` to the
versions that test has passed on.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import uuid4

import anyio
from mcp.server import ServerRequestContext
from mcp.server._otel import OpenTelemetryMiddleware
from mcp.server.auth.middleware.bearer_auth import AuthorizationContext
from mcp.server.connection import Connection
from mcp.server.runner import ServerRunner
from mcp.server.session import ServerSession
from mcp.server.streamable_http import StreamableHTTPServerTransport, check_accept_headers
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecurityMiddleware
from mcp.shared.inbound import MCP_PROTOCOL_VERSION_HEADER
from mcp.shared.message import SessionMessage
from mcp_types import INVALID_REQUEST, ErrorData, JSONRPCError, JSONRPCResponse
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from .sessions import PrincipalSessionLimit, SessionLimits, principal_of

log = logging.getLogger(__name__)

MAX_INITIALIZE_ANSWER = 64 * 1024  # an initialize result is a few KB (instructions included)


@dataclass(frozen=True)
class PrivateName:
    """A private name of the SDK the gateway relies on: `owner.name`, and the parameters it must take."""

    owner: type[Any]
    name: str
    parameters: tuple[str, ...] | None  # None: an attribute the class sets, not a method
    use: str


PRIVATE_SURFACE: tuple[PrivateName, ...] = (
    PrivateName(
        StreamableHTTPServerTransport,
        "_handle_post_request",
        ("self", "scope", "request", "receive", "send"),
        "overridden: a session's POST is offered to the lane first; once the SDK answered, its loops let go",
    ),
    PrivateName(
        StreamableHTTPServerTransport,
        "_check_content_type",
        ("self", "request"),
        "called: the lane takes only what the SDK would accept",
    ),
    PrivateName(
        StreamableHTTPSessionManager,
        "_handle_request",
        ("self", "scope", "receive", "send"),
        "overridden: a sessionless POST (2026-07-28, or any with --stateless) is offered to the lane first; "
        "with --stateless any other method is refused (405)",
    ),
    PrivateName(
        StreamableHTTPSessionManager,
        "_admit_session",
        ("self", "requestor"),
        "overridden: the transport the SDK built becomes a LaneTransport",
    ),
    PrivateName(
        StreamableHTTPSessionManager,
        "_serve_opening_request",
        ("self", "http_transport", "scope", "receive", "send"),
        "overridden: the lane opens once `initialize` succeeded",
    ),
    PrivateName(
        StreamableHTTPSessionManager,
        "_discard_session",
        ("self", "session_id", "transport"),
        "overridden: a closed or reaped session no longer counts against its principal",
    ),
    PrivateName(StreamableHTTPSessionManager, "_task_group", None, "read: the manager is running"),
    PrivateName(
        StreamableHTTPSessionManager, "_server_instances", None, "read: a session still open when discarded; the count"
    ),
    PrivateName(
        ServerRunner,
        "_serialize",
        ("self", "method", "version", "result"),
        "called: results shaped by the SDK's per-version kernel",
    ),
    PrivateName(ServerSession, "_connection", None, "read: a session's connection, for list_changed"),
    PrivateName(
        StreamableHTTPServerTransport,
        "_write_stream",
        None,
        "written: an empty message after each answer, so the message router lets go of the answer",
    ),
    PrivateName(
        StreamableHTTPServerTransport,
        "_read_stream_writer",
        None,
        "written: an empty message after each answer, so the dispatcher lets go of the request",
    ),
)
# The private module imported above, for its class: the SDK's per-message span, dropped from the server.
PRIVATE_MODULES = ("mcp.server._otel",)


class Lane(Protocol):
    """What answers a `tools/call` itself; None hands the request to the SDK unchanged."""

    async def answer_session_call(self, request: Request, session_id: str | None) -> Response | None: ...

    async def answer_modern_call(self, request: Request, security: TransportSecurityMiddleware) -> Response | None: ...

    async def answer_stateless_call(self, request: Request) -> Response | None: ...


def serialize_result(runner: ServerRunner[Any], method: str, version: str, result: Any) -> dict[str, Any]:
    """`result` as the SDK would send it at `version` (cache hints, per-version sieve, 2026-07-28 stamps)."""
    return runner._serialize(method, version, result)


def session_connection(ctx: ServerRequestContext[Any, Any]) -> Connection:
    """The connection of the session a handler runs in (no public accessor in mcp 2.3)."""
    return ctx.session._connection


def is_sdk_tracing(middleware: object) -> bool:
    """Whether a server middleware is the SDK's per-message OpenTelemetry span."""
    return isinstance(middleware, OpenTelemetryMiddleware)


# An answer to a request nobody made: the transport's router and the session's dispatcher both find no
# request with its id and drop it. Random per process, so that no client's request id can be it.
LET_GO = SessionMessage(JSONRPCResponse(jsonrpc="2.0", id=f"zscaler-mcp-gateway/{uuid4().hex}", result={}))
LET_GO_WAIT_SECONDS = 0.5  # both loops are idle once an answer went out; never hold a request on them longer


class SessionTransport(StreamableHTTPServerTransport):
    """The SDK's session transport, less what an idle session need not hold.

    The SDK's two message loops of a session keep the last message they passed on (their loop variables)
    until the next one comes: the router its last answer, a whole `tools/list` (~0.8 MiB with every
    toolset), and the dispatcher the last request with its HTTP request and connection. An idle session
    would hold them until it is reaped, so after each POST the SDK answers, `LET_GO` passes both loops.
    """

    async def _handle_post_request(self, scope: Scope, request: Request, receive: Receive, send: Send) -> None:
        await super()._handle_post_request(scope, request, receive, send)
        if self.is_terminated:
            return
        with anyio.move_on_after(LET_GO_WAIT_SECONDS):
            for stream in (self._write_stream, self._read_stream_writer):  # to the router; to the dispatcher
                if stream is not None:
                    with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
                        await stream.send(LET_GO)


class LaneTransport(SessionTransport):
    """The SDK's session transport, its POSTs offered to the lane first once the session is initialized."""

    lane: Lane
    lane_open: bool  # set when `initialize` succeeded: before that the SDK refuses every other request

    async def _handle_post_request(self, scope: Scope, request: Request, receive: Receive, send: Send) -> None:
        has_json, has_sse = check_accept_headers(request)
        if (
            self.lane_open and has_json and has_sse and self._check_content_type(request)
        ):  # as the SDK requires of a POST
            response = await self.lane.answer_session_call(request, self.mcp_session_id)
            if response is not None:
                await response(scope, receive, send)
                return
        await super()._handle_post_request(scope, request, receive, send)


SESSIONLESS = (
    "Method Not Allowed: this gateway is sessionless (--stateless): it keeps no session to delete and no "
    "server-to-client stream; send requests with POST"
)


def refusal(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON-RPC error answer to a request refused before the SDK reads it."""
    body = JSONRPCError(jsonrpc="2.0", id=None, error=ErrorData(code=INVALID_REQUEST, message=message))
    return Response(
        body.model_dump_json(by_alias=True, exclude_unset=True),
        status_code=status,
        headers=headers,
        media_type="application/json",
    )


class FairSessionManager(StreamableHTTPSessionManager):
    """The SDK's session manager with a per-principal session limit (429) under its overall cap (503)."""

    def __init__(self, app: Any, *, limits: SessionLimits, **kwargs: Any) -> None:
        super().__init__(
            app, session_idle_timeout=limits.idle_timeout_seconds, max_sessions=limits.max_sessions, **kwargs
        )
        self.limits = limits
        # The Host/Origin (and a POST's Content-Type) checks the SDK's transports make, for requests answered
        # before one is built
        self.request_security = TransportSecurityMiddleware(self.security_settings)
        self.on_close: list[Callable[[str], object]] = []  # session_id -> (e.g. forget its enabled toolsets)
        self.open_by_principal: Counter[str] = Counter()
        self.principal_of_session: dict[str, str] = {}

    def open_sessions(self) -> int:
        """Sessions open now: admitted and neither closed nor reaped."""
        return len(self._server_instances)

    async def _handle_request(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.stateless and scope["method"] != "POST":
            # Without sessions only POST means anything. For a GET the SDK would hold a transport and a task
            # for a stream that nothing can ever reach (no session to route to) until the client hangs up;
            # the transport spec's answer is 405, after the Host/Origin checks every request gets.
            refused = await self.request_security.validate_request(Request(scope, receive), is_post=False)
            await (refused or refusal(405, SESSIONLESS, {"Allow": "POST"}))(scope, receive, send)
            return
        try:
            await super()._handle_request(scope, receive, send)
        except PrincipalSessionLimit as limit:  # raised by _admit_session, before anything was sent
            await refusal(429, str(limit))(scope, receive, send)

    def _admit_session(self, requestor: AuthorizationContext | None) -> StreamableHTTPServerTransport | None:
        principal = principal_of(requestor)
        if principal is not None and self.open_by_principal[principal] >= self.limits.max_sessions_per_principal:
            log.warning(
                "refusing a new session for principal %s: %d open (the limit)",
                principal,
                self.open_by_principal[principal],
            )
            raise PrincipalSessionLimit(
                principal, self.limits.max_sessions_per_principal, self.limits.idle_timeout_seconds
            )
        transport = super()._admit_session(requestor)
        if transport is not None:
            # The SDK builds and registers the transport (its limits, owner, idle timer); the subclass
            # changes only what it keeps, so it takes the instance as the SDK made it.
            transport.__class__ = SessionTransport
        if transport is not None and principal is not None and transport.mcp_session_id is not None:
            self.open_by_principal[principal] += 1
            self.principal_of_session[transport.mcp_session_id] = principal
        return transport

    async def _discard_session(self, session_id: str, transport: StreamableHTTPServerTransport) -> None:
        principal = self.principal_of_session.pop(session_id, None)  # once per session, however often discarded
        if principal is not None:
            self.open_by_principal[principal] -= 1
            if self.open_by_principal[principal] <= 0:
                del self.open_by_principal[principal]
        if session_id in self._server_instances:
            for callback in self.on_close:
                callback(session_id)
        await super()._discard_session(session_id, transport)


class LaneSessionManager(FairSessionManager):
    """The SDK's session manager whose requests are offered to the lane first."""

    def __init__(self, *args: Any, lane: Lane, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lane = lane
        # What the SDK would build for a stateless request, kept for its content-type check (it holds no streams)
        self.stateless_gate = StreamableHTTPServerTransport(
            mcp_session_id=None, security_settings=self.security_settings
        )

    async def _handle_request(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Sessionless POSTs are offered to the lane here, where the SDK routes them: 2026-07-28 requests, and
        a `--stateless` gateway's handshake-era ones (for which the SDK builds a transport, a dispatcher and a
        task per request)."""
        if self._task_group is not None and scope["method"] == "POST":
            version = Headers(scope=scope).get(MCP_PROTOCOL_VERSION_HEADER)
            modern = version in MODERN_PROTOCOL_VERSIONS
            if modern or (self.stateless and (version is None or version in HANDSHAKE_PROTOCOL_VERSIONS)):
                recorded = RecordedReceive(receive)
                request = Request(scope, recorded)
                response = await (
                    self.lane.answer_modern_call(request, self.request_security)
                    if modern
                    else self.offer_stateless_call(request)
                )
                if response is not None:
                    await response(scope, receive, send)
                    return
                receive = recorded.replay()
        await super()._handle_request(scope, receive, send)

    async def offer_stateless_call(self, request: Request) -> Response | None:
        """After the checks the SDK's per-request transport makes before it reads a POST (it answers any refusal)."""
        if await self.request_security.validate_request(request, is_post=True) is not None:
            return None
        has_json, has_sse = check_accept_headers(request)
        if not (has_json and has_sse and self.stateless_gate._check_content_type(request)):
            return None
        return await self.lane.answer_stateless_call(request)

    def _admit_session(self, requestor: AuthorizationContext | None) -> StreamableHTTPServerTransport | None:
        transport = super()._admit_session(requestor)
        if transport is not None:  # a SessionTransport: the lane adds only the POST shortcut
            transport.__class__ = LaneTransport
            assert isinstance(transport, LaneTransport)
            transport.lane, transport.lane_open = self.lane, False
        return transport

    async def _serve_opening_request(
        self, http_transport: StreamableHTTPServerTransport, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """The SDK serves the request that opens a session; the lane opens if it was a successful `initialize`."""
        answer = bytearray()

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.body" and len(answer) < MAX_INITIALIZE_ANSWER:
                answer.extend(message.get("body", b""))
            await send(message)

        await super()._serve_opening_request(http_transport, scope, receive, watch)
        if isinstance(http_transport, LaneTransport) and not http_transport.is_terminated:
            http_transport.lane_open = answers_initialize(bytes(answer))


def answers_initialize(body: bytes) -> bool:
    """Whether a response body (JSON or SSE) carries an `initialize` result, not an error."""
    lines = body.decode("utf-8", "replace").splitlines()
    texts = [line[5:] for line in lines if line.startswith("data:")] or [body.decode("utf-8", "replace")]
    for text in texts:
        try:
            message = json.loads(text)
        except ValueError:
            continue
        if (
            isinstance(message, dict)
            and isinstance(message.get("result"), dict)
            and "protocolVersion" in message["result"]
        ):
            return True
    return False


class RecordedReceive:
    """An ASGI `receive` that keeps what it received, so a request the lane declines reaches the SDK whole."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.messages: list[Message] = []

    async def __call__(self) -> Message:
        message = await self.receive()
        self.messages.append(message)
        return message

    def replay(self) -> Receive:
        pending = deque(self.messages)

        async def receive() -> Message:
            return pending.popleft() if pending else await self.receive()

        return receive
