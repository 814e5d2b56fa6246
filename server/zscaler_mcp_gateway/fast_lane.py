"""The fast lane: a session's `tools/call` answered in its own request task, as one JSON body.

Inside a handshake-era session the mcp SDK passes every POST through memory streams to the
session's task, a JSON-RPC dispatcher task and the handler, and answers on an SSE stream with a
task group of its own: most of the gateway's event-loop time per call (docs/performance.md). A tool
call that makes no server-to-client request (anything but a delete, which may ask its user to
confirm on that stream) needs none of it. The lane checks such a call with the SDK's own
per-version request surface, runs the same `ToolDispatcher` (policy, arguments, audit line,
metrics, span), shapes the result with the SDK's per-version result sieve and answers
`application/json`, which streamable HTTP lets a server choose per request. Everything else
(initialize, listings, notifications, deletes, the 2026-07-28 era, anything malformed or unusual)
goes to the SDK unchanged, so its answers and errors stay the SDK's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import mcp_types as types
from mcp.server.auth.middleware.bearer_auth import AuthorizationContext
from mcp.server.streamable_http import (
    MCP_PROTOCOL_VERSION_HEADER,
    MCP_SESSION_ID_HEADER,
    StreamableHTTPServerTransport,
    check_accept_headers,
)
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp_types import INTERNAL_ERROR, PROTOCOL_VERSION_META_KEY
from mcp_types.methods import serialize_server_result, validate_client_request
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from .catalog.model import Action
from .dispatch import ToolDispatcher
from .mcp_server import caller_of, wire_result

log = logging.getLogger(__name__)

METHOD = "tools/call"
ENVELOPE_KEYS = frozenset({"jsonrpc", "id", "method", "params"})
MAX_INITIALIZE_ANSWER = 64 * 1024  # an initialize result is a few KB (instructions included)
LANE_PARAMS = frozenset({"name", "arguments", "_meta"})  # `task`, `inputResponses`, `requestState`: the SDK's path


class FastLane:
    def __init__(self, dispatcher: ToolDispatcher) -> None:
        self.dispatcher = dispatcher

    def takes_tool(self, name: str) -> bool:
        """Not a delete that may ask its user to confirm (over the request's SSE stream)."""
        tool = self.dispatcher.catalog.tools.get(name)
        return tool is None or tool.action is not Action.DELETE or self.dispatcher.allow_unconfirmed_deletes

    def call_of(self, body: bytes, version: str) -> tuple[int | str, types.CallToolRequestParams, Mapping[str, Any] | None] | None:
        """(JSON-RPC id, params, `_meta`) of a well-formed `tools/call` this lane takes; None for anything else."""
        try:
            message = json.loads(body)
        except ValueError:
            return None
        if not isinstance(message, dict) or not message.keys() <= ENVELOPE_KEYS:
            return None
        if message.get("jsonrpc") != "2.0" or message.get("method") != METHOD:
            return None
        request_id, params = message.get("id"), message.get("params")
        if isinstance(request_id, bool) or not isinstance(request_id, (int, str)):
            return None
        if not isinstance(params, dict) or not params.keys() <= LANE_PARAMS:
            return None
        try:
            validate_client_request(METHOD, version, params)
            typed = types.CallToolRequestParams.model_validate(params, by_name=False)
        except ValidationError:
            return None
        if not self.takes_tool(typed.name):
            return None
        meta = params.get("_meta")
        if isinstance(meta, dict) and PROTOCOL_VERSION_META_KEY in meta:  # a 2026 envelope: the SDK refuses it here
            return None
        return request_id, typed, meta if isinstance(meta, dict) else None

    async def answer(self, request: Request, session_id: str | None) -> Response | None:
        """The JSON response to a call the lane takes, after running it; None hands the request to the SDK."""
        version = request.headers.get(MCP_PROTOCOL_VERSION_HEADER)
        if version not in HANDSHAKE_PROTOCOL_VERSIONS:
            return None
        try:
            body = await request.body()
        except Exception:  # a client gone mid-body: the SDK's path answers it as it always does
            return None
        call = self.call_of(body, version)
        if call is None:
            return None
        request_id, params, meta = call
        headers = {MCP_SESSION_ID_HEADER: session_id} if session_id else None
        try:
            result = await self.dispatcher.call(params.name, params.arguments, caller_of(request.scope, request.headers, meta))
            wire = serialize_server_result(METHOD, version, wire_result(result).model_dump(by_alias=True, mode="json", exclude_none=True))
            reply: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "result": wire}
        except Exception:  # the dispatcher answers every failure as a tool error; this is a gateway bug
            log.exception("tools/call %s failed in the fast lane", params.name)
            reply = {"jsonrpc": "2.0", "id": request_id, "error": {"code": INTERNAL_ERROR, "message": "Internal error"}}
        return Response(json.dumps(reply, separators=(",", ":")), media_type="application/json", headers=headers)


def answers_initialize(body: bytes) -> bool:
    """Whether a response body (JSON or SSE) carries an `initialize` result, not an error."""
    lines = body.decode("utf-8", "replace").splitlines()
    texts = [line[5:] for line in lines if line.startswith("data:")] or [body.decode("utf-8", "replace")]
    for text in texts:
        try:
            message = json.loads(text)
        except ValueError:
            continue
        if isinstance(message, dict) and isinstance(message.get("result"), dict) and "protocolVersion" in message["result"]:
            return True
    return False


class FastLaneTransport(StreamableHTTPServerTransport):
    """The SDK's session transport, its POSTs offered to the lane first once the session is initialized."""

    lane: FastLane
    lane_open: bool  # set when `initialize` succeeded: before that the SDK refuses every other request

    async def _handle_post_request(self, scope: Scope, request: Request, receive: Receive, send: Send) -> None:
        has_json, has_sse = check_accept_headers(request)
        if self.lane_open and has_json and has_sse and self._check_content_type(request):  # as the SDK requires of a POST
            response = await self.lane.answer(request, self.mcp_session_id)
            if response is not None:
                await response(scope, receive, send)
                return
        await super()._handle_post_request(scope, request, receive, send)


class FastLaneSessionManager(StreamableHTTPSessionManager):
    """The SDK's session manager whose sessions offer their POSTs to the lane."""

    def __init__(self, *args: Any, lane: FastLane, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lane = lane

    def _admit_session(self, requestor: AuthorizationContext | None) -> StreamableHTTPServerTransport | None:
        transport = super()._admit_session(requestor)
        if transport is not None:
            # The SDK builds and registers the transport (its limits, owner, idle timer); the
            # subclass adds only the POST shortcut, so it takes the instance as the SDK made it.
            transport.__class__ = FastLaneTransport
            transport.lane, transport.lane_open = self.lane, False
        return transport

    async def _serve_opening_request(self, http_transport: StreamableHTTPServerTransport, scope: Scope, receive: Receive, send: Send) -> None:
        """The SDK serves the request that opens a session; the lane opens if it was a successful `initialize`."""
        answer = bytearray()

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.body" and len(answer) < MAX_INITIALIZE_ANSWER:
                answer.extend(message.get("body", b""))
            await send(message)

        await super()._serve_opening_request(http_transport, scope, receive, watch)
        if isinstance(http_transport, FastLaneTransport) and not http_transport.is_terminated:
            http_transport.lane_open = answers_initialize(bytes(answer))
