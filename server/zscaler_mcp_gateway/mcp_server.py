"""MCP protocol wiring: the lowlevel `Server` whose handlers read the current generation.

`tools/list` returns the generation's precomputed listing; `tools/call` goes to the dispatcher.
On every new generation, handshake-era sessions get `notifications/tools/list_changed` on their
standalone stream and 2026-07-28 clients get it through `subscriptions/listen`.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Mapping, MutableMapping
from dataclasses import replace
from typing import Any

import mcp_types as types
from mcp.server import CacheHint, NotificationOptions, Server, ServerRequestContext
from mcp.server.context import CallNext, HandlerResult
from mcp.server.models import InitializationOptions
from mcp.server.streamable_http import MCP_SESSION_ID_HEADER
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler, ToolsListChanged
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, PROTOCOL_VERSION_META_KEY
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

from . import __version__
from .dispatch import Caller, CallResult, ToolDispatcher
from .generation import Generation, GenerationStore
from .sdk_surface import is_sdk_tracing, session_connection
from .security.approvals import ApprovalTokens
from .security.auth import PRINCIPAL_SCOPE_KEY
from .security.confirm import DEFAULT_PROGRESS_INTERVAL_SECONDS, ElicitationConfirmer
from .tracing import trace_carrier

log = logging.getLogger(__name__)

DISPATCHED_SCOPE_KEY = "zscaler_mcp.dispatched"  # set when a tools/call reached the dispatcher (refusals.py)
# Short and private: the list changes on reload and may depend on the caller.
TOOLS_LIST_CACHE_HINT = CacheHint(ttl_ms=500, scope="private")


class GatewayServer(Server[Any]):
    """Advertises `tools.listChanged` to handshake-era clients when it can keep the promise.

    A stateful session has a standalone stream for `notifications/tools/list_changed`; a stateless
    server answers each request on its own and has none, so it does not advertise it there: such
    clients re-list instead of waiting for a push. (2026-07-28 clients learn of changes through
    `subscriptions/listen` either way; the SDK derives that era's flag from the listen handler.)
    """

    advertises_list_changed = True

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> InitializationOptions:
        options = notification_options or NotificationOptions(tools_changed=self.advertises_list_changed)
        return super().create_initialization_options(options, experimental_capabilities, extensions)


CLIENT_REQUEST_ID_MAX = 128


def client_request_id(headers: Mapping[str, str] | None) -> str | None:
    """The caller's `X-Request-Id`, capped and printable ASCII only: it reaches the audit log as given, apart."""
    value = headers.get("x-request-id") if headers is not None else None
    if not value:
        return None
    return "".join(c if c.isascii() and c.isprintable() else "?" for c in value[:CLIENT_REQUEST_ID_MAX])


def caller_of(scope: Mapping[str, Any], headers: Mapping[str, str] | None, meta: Mapping[str, Any] | None) -> Caller:
    """Who calls (the auth middleware's principal), in which session, the client's request id and trace context."""
    # A 2026-07-28 request (its version in `_meta`) is sessionless: a session header on it was never checked.
    modern = isinstance(meta, Mapping) and PROTOCOL_VERSION_META_KEY in meta
    return Caller(
        principal=scope.get(PRINCIPAL_SCOPE_KEY, "anonymous"),
        client_request_id=client_request_id(headers),
        session_id=None if modern or headers is None else headers.get(MCP_SESSION_ID_HEADER.lower()),
        trace_context=trace_carrier(headers, meta),  # HTTP headers first, then the request's _meta (stdio)
    )


def mark_dispatched(scope: MutableMapping[str, Any] | None) -> None:
    """The request's call reached the dispatcher, which audits it: not a refusal for `RefusalAudit`."""
    if scope is not None:
        scope[DISPATCHED_SCOPE_KEY] = True


def caller_of_context(ctx: ServerRequestContext[Any, Any]) -> Caller:
    """`caller_of` for an SDK handler: the HTTP request it carries (none on stdio) and the request's `_meta`."""
    request = ctx.request
    return caller_of(getattr(request, "scope", None) or {}, getattr(request, "headers", None), ctx.meta)


def wire_result(result: CallResult) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=result.text())], is_error=result.is_error)


class ToolListing:
    """Server middleware: a `tools/list` answer gets the caller's tools, each as the protocol version shapes it.

    The SDK's own outbound pass validates the whole result into that version's models on every listing:
    for every tool, 23 ms and a 1.4 MiB transient that the allocator keeps (docs/performance.md). The
    generation shapes each tool once per version with the same function (`Generation.wire_tools_at`), so
    a listing is the SDK's answer to an empty list with these tools put in, byte for byte what its pass
    would make of the whole list (tests/unit/test_generation.py checks every version). It must stay the
    last of `server.middleware` (the innermost): a middleware inside it would see the empty envelope.
    The tools are the generation's own objects, which the transport serialises; nothing may mutate them.
    """

    def __init__(self, dispatcher: ToolDispatcher) -> None:
        self.dispatcher = dispatcher

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if ctx.method != "tools/list" or not isinstance(result, dict):
            return result
        return {**result, "tools": self.tools(ctx)}

    def tools(self, ctx: ServerRequestContext[Any, Any]) -> list[dict[str, Any]]:
        caller = caller_of_context(ctx)
        try:
            shaped = self.dispatcher.generation_for(caller).wire_tools_at(ctx.protocol_version)  # + session toolsets
        except ValidationError:  # a tool its surface refuses: the server's fault, answered as the SDK's pass would
            log.exception("tools/list: a served tool does not fit the %s result surface", ctx.protocol_version)
            raise MCPError(code=INTERNAL_ERROR, message="Handler returned an invalid result") from None
        principals = self.dispatcher.principals
        if principals is None:
            return list(shaped.values())
        catalog = self.dispatcher.catalog.tools  # a principal lists only what its patterns let it call
        return [wire for name, wire in shaped.items() if principals.allows(caller.principal, catalog[name])]


class ListChangedBroadcaster:
    """Fans a generation change out to both protocol eras."""

    def __init__(self, bus: InMemorySubscriptionBus) -> None:
        self.bus = bus
        # Connections, not ServerSession objects: those are per-request proxies that die with the request.
        self.connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Future[None]] = set()

    def track(self, ctx: ServerRequestContext[Any, Any]) -> None:
        connection = session_connection(ctx)
        if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS and connection.has_standalone_channel:
            self.connections.add(connection)

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        """Server middleware: every message of a session passes here, `initialize` first, so each
        session that can receive `list_changed` is known from its handshake on (tool calls on the
        fast lane never reach the SDK's handlers, and a client may never list)."""
        self.track(ctx)
        return await call_next(ctx)

    async def tell(self, ctx: ServerRequestContext[Any, Any]) -> None:
        """`list_changed` to the one session of `ctx` (a toolset enabled for it alone)."""
        if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            await session_connection(ctx).send_tool_list_changed()

    async def broadcast(self) -> None:
        for connection in list(self.connections):
            await connection.send_tool_list_changed()  # best effort: never raises on a closed stream
        await self.bus.publish(ToolsListChanged())

    def on_generation(self, old: Generation, new: Generation) -> None:
        if self.loop is None or old.lists_as(new):
            return
        task: asyncio.Future[None]
        if _on_loop(self.loop):
            task = self.loop.create_task(self.broadcast())
        else:
            task = asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self.broadcast(), self.loop), loop=self.loop)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def build_mcp_server(
    store: GenerationStore,
    dispatcher: ToolDispatcher,
    approvals: ApprovalTokens,
    progress_interval_seconds: float = DEFAULT_PROGRESS_INTERVAL_SECONDS,
    stateless: bool = False,
) -> tuple[GatewayServer, ListChangedBroadcaster, ListenHandler]:
    bus = InMemorySubscriptionBus()
    broadcaster = ListChangedBroadcaster(bus)
    listen = ListenHandler(bus)

    async def list_envelope(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> dict[str, Any]:
        """`tools/list` without its tools: the SDK checks the request, fills ttlMs/cacheScope (the cache hint),
        shapes and stamps this per protocol version; `ToolListing` then puts the caller's tools in."""
        return {"tools": [], "resultType": "complete"}

    async def call_tool(
        ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult | types.InputRequiredResult:
        mark_dispatched(getattr(ctx.request, "scope", None))
        confirmer = ElicitationConfirmer(ctx, params, approvals, progress_interval_seconds)
        caller = replace(caller_of_context(ctx), confirm=confirmer)
        result = await dispatcher.call(params.name, params.arguments, caller)
        if result.input_required is not None:
            return result.input_required
        if result.list_changed:
            await broadcaster.tell(ctx)
        return wire_result(result)

    def input_schema(name: str) -> Mapping[str, Any] | None:
        """For the SDK's 2026-07-28 `Mcp-Param-*` header check: a lookup instead of a tools/list run per call."""
        tool = store.current.wire_tools.get(name)
        return tool["inputSchema"] if tool is not None else None  # not served: nothing to check, the call is refused

    server = GatewayServer(
        "zscaler-mcp-gateway",
        version=__version__,
        title="Zscaler MCP Gateway",
        description="Policy-controlled MCP access to the Zscaler Zero Trust Exchange",
        instructions=store.current.instructions,
        cache_hints={"tools/list": TOOLS_LIST_CACHE_HINT},
        get_tool_input_schema=input_schema,
        # The envelope, as a dict the SDK serialises as a ListToolsResult; ToolListing puts the tools in.
        on_list_tools=list_envelope,  # type: ignore[arg-type]
        on_call_tool=call_tool,
        on_subscriptions_listen=listen,
    )
    # Telemetry's `execute_tool {tool}` span is the one span per call; the SDK's per-message span
    # (process-global provider, trace context from `_meta` only) would duplicate it.
    server.middleware = [m for m in server.middleware if not is_sdk_tracing(m)]
    server.middleware.append(broadcaster)
    server.middleware.append(ToolListing(dispatcher))
    server.advertises_list_changed = not stateless

    def refresh_instructions(old: Generation, new: Generation) -> None:
        server.instructions = new.instructions

    store.subscribe(refresh_instructions)
    store.subscribe(broadcaster.on_generation)
    return server, broadcaster, listen
