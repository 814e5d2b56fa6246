"""The fast lane: a `tools/call` answered in its own request task, as one JSON body.

Inside a handshake-era session the mcp SDK passes every POST through memory streams to the
session's task, a JSON-RPC dispatcher task and the handler, and answers on an SSE stream with a
task group of its own; a 2026-07-28 request gets a handler task, a disconnect watcher and a
per-request connection. That is most of the gateway's event-loop time per call
(docs/performance.md). A tool call that makes no server-to-client request (anything but a call
that may ask its user to confirm) needs none of it. The lane checks such a call with the SDK's own
functions (transport security, Accept, the 2026 routing-header and envelope ladder, `Mcp-Param`
headers, the per-version request surface), runs the same `ToolDispatcher` (policy, arguments, audit
line, metrics, span), shapes the result with the SDK's own result kernel and answers
`application/json`, which streamable HTTP lets a server choose per request. Everything else
(initialize, listings, notifications, deletes, anything malformed or unusual) goes to the SDK
unchanged, so its answers and errors stay the SDK's; `serve --no-fast-lane` sends everything there.
The hooks in the SDK's transport that offer requests to the lane are in sdk_surface.py, with the rest
of the SDK's private surface the gateway relies on.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Coroutine, Mapping
from typing import Any

import mcp_types as types
from mcp.server.connection import Connection
from mcp.server.lowlevel import Server
from mcp.server.runner import ServerRunner
from mcp.server.streamable_http import (
    MCP_SESSION_ID_HEADER,
    check_accept_headers,
)
from mcp.server.transport_security import TransportSecurityMiddleware
from mcp.shared.inbound import (
    MCP_PARAM_HEADER_PREFIX,
    MCP_PROTOCOL_VERSION_HEADER,
    InboundLadderRejection,
    classify_inbound_request,
    find_duplicated_routing_header,
    validate_mcp_param_headers,
)
from mcp_types import DEFAULT_NEGOTIATED_VERSION, INTERNAL_ERROR, PROTOCOL_VERSION_META_KEY
from mcp_types.methods import validate_client_request
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from .catalog import meta
from .dispatch import CallResult, ToolDispatcher
from .mcp_server import caller_of, mark_dispatched, wire_result
from .sdk_surface import serialize_result

log = logging.getLogger(__name__)

METHOD = "tools/call"
CANCELLED = "notifications/cancelled"
ENVELOPE_KEYS = frozenset({"jsonrpc", "id", "method", "params"})
LANE_PARAMS = frozenset({"name", "arguments", "_meta"})  # `task`, `inputResponses`, `requestState`: the SDK's path
PARAM_HEADER_PREFIX = MCP_PARAM_HEADER_PREFIX.lower()
CLIENT_CLOSED_REQUEST = 499  # no one reads it: the connection is gone  # ASGI header names are lowercase


Call = tuple[int | str, types.CallToolRequestParams, Mapping[str, Any] | None]  # JSON-RPC id, params, `_meta`


class FastLane:
    def __init__(self, server: Server[Any], dispatcher: ToolDispatcher) -> None:
        self.server = server
        self.dispatcher = dispatcher
        # The SDK shapes results in its per-connection kernel (cache hints, per-version sieve, 2026-07-28
        # `resultType` and `serverInfo` stamp); that step reads only the server, so one kernel serves all.
        self._running: dict[tuple[str | None, int | str], asyncio.Future[CallResult]] = {}  # (session, JSON-RPC id)
        self._results = ServerRunner(server, Connection.from_envelope(MODERN_PROTOCOL_VERSIONS[-1], None, None), None)

    def takes_tool(self, name: str) -> bool:
        """Not a call that may ask its user to confirm (an SSE question or a 2026 input request)."""
        if name == meta.ENABLE_TOOLSET:  # it tells its session list_changed, which the SDK's path can
            return False
        return not self.dispatcher.needs_confirmation(name)

    def call_of(self, message: Any, version: str) -> Call | None:
        """The call in a decoded `tools/call` body this lane takes at `version`; None for anything else."""
        if not isinstance(message, dict) or not message.keys() <= ENVELOPE_KEYS:
            return None
        if message.get("jsonrpc") != "2.0" or message.get("method") != METHOD:
            return None
        request_id, params = message.get("id"), message.get("params")
        if isinstance(request_id, bool) or not isinstance(request_id, (int, str)):
            return None
        if not isinstance(params, dict) or not params.keys() <= LANE_PARAMS:
            return None
        meta = params.get("_meta")
        enveloped = isinstance(meta, dict) and PROTOCOL_VERSION_META_KEY in meta
        if enveloped != (version in MODERN_PROTOCOL_VERSIONS):  # the SDK refuses an envelope in the other era
            return None
        try:
            validate_client_request(METHOD, version, params)
            typed = types.CallToolRequestParams.model_validate(params, by_name=False)
        except ValidationError:
            return None
        if not self.takes_tool(typed.name):
            return None
        return request_id, typed, meta if isinstance(meta, dict) else None

    async def run(self, request: Request, call: Call, version: str, session_id: str | None = None) -> Response:
        """Run the call through the dispatcher and answer it as the SDK would, in one JSON body."""
        request_id, params, meta = call
        mark_dispatched(request.scope)
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
        try:
            caller = caller_of(request.scope, request.headers, meta)
            result = await self._unless_cancelled(
                request, self.dispatcher.call(params.name, params.arguments, caller), (session_id, request_id)
            )
            if result is None:  # nobody to answer; the dispatcher audited what happened upstream, `cancelled`
                return Response(status_code=CLIENT_CLOSED_REQUEST)
            reply["result"] = serialize_result(self._results, METHOD, version, wire_result(result))
        except Exception:  # the dispatcher answers every failure as a tool error; this is a gateway bug
            log.exception("tools/call %s failed in the fast lane", params.name)
            reply["error"] = {"code": INTERNAL_ERROR, "message": "Internal error"}
        return Response(
            json.dumps(reply, separators=(",", ":")),
            media_type="application/json",
            headers=_session_headers(session_id),
        )

    async def answer_session_call(self, request: Request, session_id: str | None) -> Response | None:
        """A handshake-era session's call (the transport checked what it checks first); None: the SDK's."""
        # The SDK validates against the version negotiated at initialize; every handshake-era version
        # shares one tools/call surface, so the header's (which the spec has clients repeat) is equivalent.
        version = request.headers.get(MCP_PROTOCOL_VERSION_HEADER)
        if version not in HANDSHAKE_PROTOCOL_VERSIONS:
            return None
        message = await _decoded_body(request)
        if self.cancel_session_call(message, session_id):
            return Response(status_code=202, headers=_session_headers(session_id))
        call = self.call_of(message, version)
        if call is None:
            return None
        return await self.run(request, call, version, session_id)

    async def answer_stateless_call(self, request: Request) -> Response | None:
        """A handshake-era request to a `--stateless` gateway (the manager checked what the SDK's transport checks
        first); None: the SDK's. Without a version header the SDK serves it at its default version, and so here."""
        version = request.headers.get(MCP_PROTOCOL_VERSION_HEADER, DEFAULT_NEGOTIATED_VERSION)
        call = self.call_of(await _decoded_body(request), version)
        return None if call is None else await self.run(request, call, version)

    async def answer_modern_call(self, request: Request, security: TransportSecurityMiddleware) -> Response | None:
        """A 2026-07-28 request, after the SDK's own gates for that era; None: the SDK's."""
        if await security.validate_request(request, is_post=True) is not None:
            return None
        has_json, has_sse = check_accept_headers(request)
        if not (has_json and has_sse):
            return None
        decoded = await _decoded_body(request)
        if not isinstance(decoded, dict) or find_duplicated_routing_header(request.headers.items()) is not None:
            return None
        verdict = classify_inbound_request(decoded, headers=dict(request.headers))
        if isinstance(verdict, InboundLadderRejection):
            return None
        call = self.call_of(decoded, verdict.protocol_version)
        if call is None or not self.param_headers_ok(request, call[1]):
            return None
        return await self.run(request, call, verdict.protocol_version)

    async def _unless_cancelled(
        self, request: Request, call: Coroutine[Any, Any, CallResult], key: tuple[str | None, int | str]
    ) -> CallResult | None:
        """The call's result; None when the client cancelled first: it disconnected, or (in a session) sent
        `notifications/cancelled` for it. The call is then cancelled, as the SDK's path cancels a handler."""
        running = asyncio.ensure_future(call)
        # The body is read: the next ASGI message can only be `http.disconnect`.
        leaving = asyncio.ensure_future(request.receive())
        self._running[key] = running
        try:
            await asyncio.wait((running, leaving), return_when=asyncio.FIRST_COMPLETED)
        finally:
            leaving.cancel()
            self._running.pop(key, None)
        if not running.done():
            running.cancel()
        try:
            return await running
        except asyncio.CancelledError:
            if running.cancelled() and not _current_task_cancelling():
                return None  # the call's own cancellation, now audited
            raise

    def cancel_session_call(self, message: Any, session_id: str | None) -> bool:
        """Whether `message` is a `notifications/cancelled` for a call the lane runs in `session_id` (now cancelled)."""
        if not isinstance(message, dict) or message.get("method") != CANCELLED or session_id is None:
            return False
        params = message.get("params")
        request_id = params.get("requestId") if isinstance(params, dict) else None
        if isinstance(request_id, bool) or not isinstance(request_id, (int, str)):
            return False
        running = self._running.get((session_id, request_id))
        if running is None:
            return False
        running.cancel()
        return True

    def param_headers_ok(self, request: Request, params: types.CallToolRequestParams) -> bool:
        """`Mcp-Param-*` headers agree with the arguments, as the SDK checks them against the tool's schema."""
        if any(name.startswith(PARAM_HEADER_PREFIX) for name in request.headers):
            return False  # rare: left to the SDK
        lookup = self.server.get_tool_input_schema
        schema = lookup(params.name) if lookup is not None and params.arguments else None
        return schema is None or validate_mcp_param_headers(schema, params.arguments or {}, request.headers) is None


def _session_headers(session_id: str | None) -> dict[str, str] | None:
    return {MCP_SESSION_ID_HEADER: session_id} if session_id else None


def _current_task_cancelling() -> bool:
    """Whether this request's own task is being cancelled (server shutdown): that must propagate."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _decoded_body(request: Request) -> Any:
    """The JSON body; None when it is not JSON or the client left mid-body (the SDK's path answers both)."""
    try:
        return json.loads(await request.body())
    except Exception:  # not JSON, too deep, a client gone: never the lane's to answer
        return None
