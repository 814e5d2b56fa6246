"""Tool calls: policy check against the call's generation, argument validation, execution.

Every path (unknown tool, denied, invalid arguments, upstream error, success) goes through
`Telemetry.tool_call`, so none escapes the audit trail.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import anyio
import mcp_types as types

from .arguments import validate_arguments
from .catalog import meta
from .catalog.contract import KWARGS_MESSAGE
from .catalog.model import META_TOOLSET, Action, Catalog, Tool
from .credentials import CredentialsError
from .fairness import FairSlots
from .generation import Generation, GenerationStore
from .outcomes import ConfirmationOutcome, Outcome
from .ratelimit import RateLimited, UpstreamLimiter
from .redaction import scrub
from .security.confirm import Confirmation, Confirmer, refuse_without_client
from .security.principals import PrincipalPolicy
from .session_toolsets import SessionToolsets
from .shaping import QueryError, shape
from .sharing import ReadCancelled, ReadSharing, read_key
from .telemetry import CallRecord, Telemetry
from .upstream.errors import ArgumentRejected, TokenRequestError, UpstreamError, UpstreamUnavailable
from .upstream.executor import ToolExecutor

log = logging.getLogger(__name__)
UNKNOWN = "unknown"


@dataclass(frozen=True)
class CallResult:
    payload: Any
    is_error: bool = False
    input_required: types.InputRequiredResult | None = None  # 2026-07-28: the client asks its user, then retries
    list_changed: bool = False  # the calling session's tool list changed (a toolset enabled for it)

    def text(self) -> str:
        """The result as the client and the audit see it: known secret values scrubbed (on every use, so a
        secret learned since an answer was shared or cached is scrubbed from it too)."""
        return scrub(self.serialized)

    @cached_property
    def serialized(self) -> str:
        """The payload as text, made once: every caller sharing one answer (coalesced or cached) reuses it."""
        if isinstance(self.payload, str):
            return self.payload
        return json.dumps(self.payload, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Caller:
    principal: str = "anonymous"
    client_request_id: str | None = None  # the caller's X-Request-Id: recorded apart, never the gateway's own id
    session_id: str | None = None  # the MCP session the call belongs to (handshake-era, stateful); None: sessionless
    confirm: Confirmer = refuse_without_client  # asks a human before a delete; the MCP layer sets it
    trace_context: Mapping[str, str] = field(default_factory=dict)  # W3C traceparent/tracestate the client sent


class ToolDispatcher:
    def __init__(
        self,
        catalog: Catalog,
        store: GenerationStore,
        upstream: ToolExecutor,
        telemetry: Telemetry,
        max_concurrent_upstream: int = 32,
        call_timeout_seconds: float = 60.0,
        principals: PrincipalPolicy | None = None,
        allow_unconfirmed_deletes: bool = False,
        session_toolsets: SessionToolsets | None = None,
        limiter: UpstreamLimiter | None = None,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.upstream = upstream
        self.telemetry = telemetry
        # Upstream calls run on a pool of their own (made on first use, threads on demand).
        self.max_concurrent_upstream = max_concurrent_upstream
        self._executor: ThreadPoolExecutor | None = None
        # The pool's slots, shared fairly among principals (`upstream.perPrincipalConcurrency` each).
        self.slots = FairSlots(max_concurrent_upstream)
        self.limiter = limiter  # a spent quota is waited out before a slot is taken
        self.sharing = ReadSharing()
        self.call_timeout_seconds = call_timeout_seconds
        self.principals = principals
        self.allow_unconfirmed_deletes = allow_unconfirmed_deletes
        self.session_toolsets = session_toolsets  # None: a stateless gateway, toolsets are the file's alone
        self.implicit_session_id: str | None = None  # stdio: the process serves one client, its one session

    async def call(self, name: str, arguments: Mapping[str, Any] | None, caller: Caller) -> CallResult:
        """Run one tool call: policy, arguments, execution; audited whatever happens."""
        generation = self.generation_for(caller)  # the call finishes under the generation it started with
        record = self._record(name, arguments, caller, generation)
        with self.telemetry.tool_call(record):
            result = await self._call(name, arguments, generation, record, caller)
            if result.is_error and record.outcome == Outcome.OK:
                record.outcome = Outcome.ERROR
            if result.is_error and record.error is None:
                record.error = result.text()[:500]
            return result

    def refuse(
        self, name: str, arguments: Mapping[str, Any] | None, caller: Caller, outcome: Outcome, reason: str
    ) -> None:
        """Audit a call refused before it reached `call` (authentication, Host/Origin, session, the SDK's checks)."""
        record = self._record(name, arguments, caller, self.store.current)
        with self.telemetry.tool_call(record):
            record.outcome, record.error = outcome, reason

    def _record(
        self, name: str, arguments: Mapping[str, Any] | None, caller: Caller, generation: Generation
    ) -> CallRecord:
        tool = self.catalog.tools.get(name)
        return CallRecord(
            tool=name if tool else UNKNOWN,
            toolset=tool.toolset if tool else UNKNOWN,
            service=tool.service if tool else UNKNOWN,
            access=tool.access if tool else "read",
            principal=caller.principal,
            request_id=os.urandom(16).hex(),  # 128 random bits, as uuid4().hex but a quarter of its cost
            client_request_id=caller.client_request_id,
            config_generation=generation.number,
            args=dict(arguments or {}),
            trace_context=caller.trace_context,
        )

    async def _call(
        self,
        name: str,
        arguments: Mapping[str, Any] | None,
        generation: Generation,
        record: CallRecord,
        caller: Caller,
    ) -> CallResult:
        tool = self.catalog.tools.get(name)
        if tool is None:
            record.outcome = Outcome.INVALID
            return CallResult(f"Unknown tool {name[:100]!r}. Use zscaler_list_toolsets to discover tools.", True)
        if name not in generation.tools:
            record.outcome = Outcome.DENIED
            reason = generation.view.exclusion_reason(tool) or "it is not served"
            return CallResult(
                f"Tool {name!r} is not allowed by the current policy (generation {generation.number}): {reason}.", True
            )
        refused = self.principals.refusal(caller.principal, tool) if self.principals is not None else None
        if refused is not None:
            record.outcome = Outcome.DENIED
            return CallResult(refused, True)
        clean, errors = validate_arguments(tool, arguments)
        if errors:
            record.outcome = Outcome.INVALID
            return CallResult(f"Invalid arguments for {name}: " + "; ".join(errors), True)
        if tool.action is Action.DELETE and clean.get("kwargs") is not None:
            record.outcome = Outcome.DENIED  # the official's self-confirmation token: a human confirms here
            return CallResult(KWARGS_MESSAGE.format(tool=name), True)
        if generation.view.needs_confirmation(tool, self.allow_unconfirmed_deletes):
            confirmation = await self._confirm(tool, clean, caller, record)
            if not confirmation.approved:
                record.outcome = Outcome.DENIED
                return CallResult(confirmation.message, True, confirmation.input_required)
        if tool.toolset == META_TOOLSET:
            return self._meta(name, clean, generation, self._session_of(caller))
        return await self._upstream(tool, clean, generation, caller, record)

    def needs_confirmation(self, name: str) -> bool:
        """Whether a call of `name` may ask its user under the current generation (the fast lane leaves those)."""
        tool = self.catalog.tools.get(name)
        return tool is not None and self.store.current.view.needs_confirmation(tool, self.allow_unconfirmed_deletes)

    async def _confirm(self, tool: Tool, clean: Mapping[str, Any], caller: Caller, record: CallRecord) -> Confirmation:
        """Ask for a person's approval; every step is counted, the verdict audited, a client's cancel too."""
        try:
            confirmation = await caller.confirm(tool, clean, caller.principal)
        except asyncio.CancelledError:
            record.cancelled, record.outcome = True, Outcome.DENIED
            record.error = "the client cancelled the call while its user was being asked; nothing ran"
            self._count_confirmation(tool, record, (ConfirmationOutcome.ASKED, ConfirmationOutcome.CANCELLED))
            raise
        self._count_confirmation(tool, record, confirmation.outcomes)
        return confirmation

    def _count_confirmation(self, tool: Tool, record: CallRecord, outcomes: tuple[ConfirmationOutcome, ...]) -> None:
        for outcome in outcomes:
            self.telemetry.metrics.confirmation(tool.action.value, outcome.value)
        if outcomes:
            record.confirmation = outcomes[-1].value

    async def _upstream(
        self, tool: Tool, clean: Mapping[str, Any], generation: Generation, caller: Caller, record: CallRecord
    ) -> CallResult:
        """The tool's upstream answer: in one of the caller's fair share of slots; an identical read already in
        flight (or cached) shared; a write clearing its service's shared reads. Reached only after the policy,
        principal and argument checks, so sharing never widens who gets an answer."""
        limits = generation.config.upstream

        async def execute() -> CallResult:
            if self.limiter is not None:
                try:
                    await self.limiter.wait_for_room(tool.service)
                except RateLimited as exc:
                    return self._failed(tool, UpstreamUnavailable(str(exc)))
            async with self.slots.slot(caller.principal, limits.per_principal_concurrency):
                return await self._execute(tool, clean, record)

        if tool.action.is_write:
            try:
                return await execute()
            finally:
                self.sharing.invalidate(tool.service)
        try:
            result, shared = await self.sharing.read(
                tool.service,
                read_key(tool.name, clean),
                execute,
                coalesce=limits.coalesce_reads,
                ttl_seconds=limits.cache_ttl_seconds,
                keep=lambda answer: not answer.is_error,
            )
        except ReadCancelled as cancelled:  # the client gave up; the read goes on (others may share it)
            record.cancelled = True
            with anyio.CancelScope(shield=True), anyio.move_on_after(self.call_timeout_seconds):
                await asyncio.wait([cancelled.upstream])
            done = cancelled.upstream.done() and cancelled.upstream.exception() is None
            upstream = cancelled.upstream.result() if done else self._timed_out(tool)
            record.outcome = Outcome.ERROR if upstream.is_error else Outcome.OK
            record.error = upstream.text()[:500] if upstream.is_error else None
            raise
        if shared is not None:
            record.shared = shared.value
            self.telemetry.metrics.shared_call(tool.service, shared.value)
        return result  # type: ignore[no-any-return]

    async def _execute(self, tool: Tool, clean: Mapping[str, Any], record: CallRecord) -> CallResult:
        """The upstream call. A client that cancels meanwhile cannot take back a request already sent: the
        gateway waits for its answer (bounded by the call timeout) and audits that, with `cancelled`."""
        future = self._submit(self.upstream.execute, tool, clean)
        try:
            async with asyncio.timeout(self.call_timeout_seconds):  # a timer handle: a third of anyio's fail_after
                payload = await asyncio.wrap_future(future)
        except TimeoutError:
            return self._timed_out(tool)
        except asyncio.CancelledError:
            record.cancelled = True
            if future.cancel():  # still queued: nothing reached Zscaler
                record.outcome, record.error = (
                    Outcome.ERROR,
                    "cancelled by the client before the upstream call was sent",
                )
                raise
            with anyio.CancelScope(shield=True), anyio.move_on_after(self.call_timeout_seconds):
                await asyncio.wait([asyncio.wrap_future(future)])
            upstream = self._settled(tool, future) if future.done() else self._timed_out(tool)
            record.outcome = Outcome.ERROR if upstream.is_error else Outcome.OK
            record.error = upstream.text()[:500] if upstream.is_error else None
            raise
        except ArgumentRejected as exc:  # found before any request: the argument's fault, named
            record.outcome = Outcome.INVALID
            return CallResult(f"Invalid arguments for {tool.name}: {exc}", True)
        except Exception as exc:  # every failure is an answer to the client, never JSON-RPC -32603
            return self._failed(tool, exc)
        try:
            return CallResult(shape(tool, clean, payload))
        except QueryError as exc:
            return CallResult(str(exc), True)

    def _settled(self, tool: Tool, future: Future[Any]) -> CallResult:
        exc = future.exception()
        return CallResult(future.result()) if exc is None else self._failed(tool, exc)

    def _timed_out(self, tool: Tool) -> CallResult:
        return CallResult(f"{tool.service.upper()} API did not answer within {self.call_timeout_seconds:g} s.", True)

    @staticmethod
    def _failed(tool: Tool, exc: BaseException) -> CallResult:
        if isinstance(exc, UpstreamUnavailable):
            return CallResult(f"{exc}.", True)
        if isinstance(exc, UpstreamError):
            status = f" {exc.status}" if exc.status else ""
            return CallResult(f"{tool.service.upper()} API error{status}: {exc}", True)
        if isinstance(exc, CredentialsError):
            return CallResult(f"Zscaler credentials unavailable: {exc}", True)
        if isinstance(exc, TokenRequestError):
            return CallResult(str(exc), True)
        # An SDK failure nobody foresaw is still an answer, never JSON-RPC -32603.
        log.error("%s failed unexpectedly in the SDK", tool.name, exc_info=exc)
        return CallResult(f"{tool.service.upper()} call failed in the Zscaler SDK: {type(exc).__name__}", True)

    def _submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        """`function(*args)` on the upstream pool, in a copy of the caller's context. The pool (its own:
        cheaper for the event loop than anyio's worker threads) bounds concurrent upstream calls."""
        executor = self._executor
        if executor is None:
            executor = self._executor = ThreadPoolExecutor(
                max_workers=self.max_concurrent_upstream, thread_name_prefix="upstream"
            )
        return executor.submit(contextvars.copy_context().run, function, *args)

    def close(self) -> None:
        """Release the upstream pool's idle threads (a later call makes a new pool); running calls finish on
        their own."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    # --- meta tools -------------------------------------------------------------------------

    def generation_for(self, caller: Caller) -> Generation:
        """What the caller is served: the current generation, plus its session's enabled toolsets."""
        if self.session_toolsets is None:
            return self.store.current
        return self.session_toolsets.generation_for(self._session_of(caller))

    def _session_of(self, caller: Caller) -> str | None:
        return caller.session_id or self.implicit_session_id

    def _meta(self, name: str, args: Mapping[str, Any], generation: Generation, session_id: str | None) -> CallResult:
        if name == meta.LIST_TOOLSETS:
            return CallResult(self._list_toolsets(generation, args.get("service")))
        if name == meta.GET_TOOLSET_TOOLS:
            return self._toolset_tools(generation, args["toolset"])
        return self._enable_toolset(args["toolset"], session_id)

    def _list_toolsets(self, generation: Generation, service: str | None) -> dict[str, Any]:
        rows = []
        for toolset in self.catalog.toolsets.values():
            if service and toolset.service != service:
                continue
            tools = self.catalog.toolset_tools(toolset.id)
            rows.append(
                {
                    "id": toolset.id,
                    "service": toolset.service,
                    "description": toolset.description,
                    "default": toolset.default,
                    "served_tools": sum(1 for t in tools if t.name in generation.tools),
                    "read_tools": sum(1 for t in tools if not t.action.is_write),
                    "write_tools": sum(1 for t in tools if t.action.is_write),
                }
            )
        return {"config_generation": generation.number, "toolsets": rows}

    def _toolset_tools(self, generation: Generation, toolset_id: str) -> CallResult:
        if toolset_id not in self.catalog.toolsets:
            return CallResult(f"Unknown toolset {toolset_id!r}. Use zscaler_list_toolsets.", True)
        tools = []
        for tool in self.catalog.toolset_tools(toolset_id):
            row: dict[str, Any] = {"name": tool.name, "action": tool.action.value, "description": tool.description}
            reason = generation.view.exclusion_reason(tool)
            row["served"] = reason is None
            if reason:
                row["reason"] = reason
            tools.append(row)
        return CallResult({"toolset": toolset_id, "tools": tools})

    def _enable_toolset(self, toolset_id: str, session_id: str | None) -> CallResult:
        if self.session_toolsets is None or session_id is None:
            reason = (
                "toolsets are set by the policy file here: this request belongs to no MCP session to enable them in "
                "(a stateless gateway, or a 2026-07-28 request); ask the operator to add the toolset to the policy"
            )
            return CallResult({"toolset": toolset_id, "can_enable": False, "reason": reason})
        before = self.session_toolsets.enabled(session_id)
        generation, refusal = self.session_toolsets.enable(session_id, toolset_id)
        if refusal is not None:
            return CallResult({"toolset": toolset_id, "can_enable": False, "reason": refusal})
        served = [t.name for t in self.catalog.toolset_tools(toolset_id) if t.name in generation.tools]
        return CallResult(
            {
                "toolset": toolset_id,
                "can_enable": True,
                "enabled": True,
                "tools": served,
                "config_generation": generation.number,
            },
            list_changed=self.session_toolsets.enabled(session_id) != before,
        )
