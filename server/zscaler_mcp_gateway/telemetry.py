"""The single instrumentation point every tool call passes through, whatever its outcome.

`Telemetry.tool_call` wraps a call: the caller fills `outcome`/`error` on the yielded record, and
on exit the call is recorded three ways: one JSON audit line on logger `zscaler_mcp_gateway.audit`,
the Prometheus call counter and latency histogram, and (when tracing is configured) one
`execute_tool {tool}` span whose trace id the audit line carries. Argument values reach only the
audit line, through `redact()`; metric labels and span attributes never carry them.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import Span, SpanKind, StatusCode, format_trace_id

from . import __version__
from .metrics import GatewayMetrics
from .outcomes import Outcome
from .tracing import parent_context, trace_id_of, tracer_provider_from_env

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import (
        TracerProvider,
    )  # annotations only: the SDK loads in tracer_provider_from_env (start-up time)

AUDIT_LOGGER = "zscaler_mcp_gateway.audit"
REDACTED = "[REDACTED]"
_SECRET_KEY = re.compile(r"(pass(word|phrase)?|secret|token|key|psk|private|credential|auth)", re.IGNORECASE)
# Audit line bounds: a client chooses the arguments, so their size in the log is the gateway's choice.
MAX_VALUE_CHARS = 1024  # per string value
MAX_ITEMS = 100  # per list or object
MAX_DEPTH = 10
MAX_ARGS_CHARS = 16 * 1024  # the whole `args` object, as JSON
TRUNCATED = "[truncated]"


def redact(value: Any, key: str = "") -> Any:
    """Replace values whose key looks secret, recursively; the one redaction used everywhere."""
    if key and _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, Mapping):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def bounded(value: Any, depth: int = 0) -> tuple[Any, bool]:
    """`value` as strict JSON data within the audit bounds, and whether anything was cut.

    Non-finite numbers become strings ("NaN", "Infinity", "-Infinity": bare, they are not JSON).
    """
    if isinstance(value, float) and not math.isfinite(value):
        return str(value).replace("inf", "Infinity").replace("nan", "NaN"), False
    if isinstance(value, str):
        if len(value) > MAX_VALUE_CHARS:
            return f"{value[:MAX_VALUE_CHARS]}{TRUNCATED}", True
        return value, False
    if isinstance(value, (bool, int, float)) or value is None:
        return value, False
    if depth >= MAX_DEPTH:
        return TRUNCATED, True
    cut = False
    if isinstance(value, Mapping):
        items = list(value.items())
        out: dict[str, Any] = {}
        for key, item in items[:MAX_ITEMS]:
            out[str(key)[:MAX_VALUE_CHARS]], item_cut = bounded(item, depth + 1)
            cut = cut or item_cut
        return out, cut or len(items) > MAX_ITEMS
    if isinstance(value, (list, tuple)):
        kept = []
        for item in list(value)[:MAX_ITEMS]:
            item, item_cut = bounded(item, depth + 1)
            kept.append(item)
            cut = cut or item_cut
        return kept, cut or len(value) > MAX_ITEMS
    return bounded(str(value), depth)


def audit_args(args: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """Redacted, bounded arguments; over the per-line budget, each value is replaced by the marker."""
    if not args:  # the common list call: nothing to bound, redact or measure
        return {}, False
    out, cut = bounded(dict(args))  # bounded first: redact() recurses, and the client chooses the depth
    out = redact(out)
    if len(json.dumps(out, separators=(",", ":"))) > MAX_ARGS_CHARS:
        return {key: TRUNCATED for key in list(out)[:MAX_ITEMS]}, True
    return out, cut


@dataclass
class CallRecord:
    tool: str
    toolset: str
    service: str
    access: str
    principal: str
    request_id: str
    config_generation: int
    args: Mapping[str, Any] = field(default_factory=dict)
    outcome: Outcome = Outcome.OK
    error: str | None = None
    trace_id: str | None = None
    duration_ms: float = 0.0
    trace_context: Mapping[str, str] = field(default_factory=dict, repr=False)  # the client's W3C headers
    confirmation: str | None = None  # the verdict of a human confirmation, when the call needed one
    cancelled: bool = False  # the client gave up; `outcome` is still what happened upstream
    shared: str | None = None  # "coalesced" or "cached": answered without an upstream request of its own
    client_request_id: str | None = None  # the caller's X-Request-Id, when it sent one

    def audit_line(self) -> str:
        """One strict-JSON line (no NaN/Infinity tokens), bounded whatever the client sent."""
        args, truncated = audit_args(self.args)
        line: dict[str, Any] = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "event": "tool_call",
            "tool": self.tool,
            "toolset": self.toolset,
            "service": self.service,
            "access": self.access,
            "outcome": self.outcome,
            "duration_ms": round(self.duration_ms, 3),
            "principal": self.principal,
            "request_id": self.request_id,
            "trace_id": self.trace_id,
            "config_generation": self.config_generation,
            "args": args,
            "error": self.error[:MAX_VALUE_CHARS] if self.error is not None else None,
        }
        if self.shared:
            line["shared"] = self.shared
        if self.client_request_id is not None:
            line["client_request_id"] = self.client_request_id
        if truncated:
            line["truncated"] = True
        if self.confirmation is not None:
            line["confirmation"] = self.confirmation
        if self.cancelled:
            line["cancelled"] = True
        return json.dumps(line, separators=(",", ":"), allow_nan=False)


class Telemetry:
    """Audit log, metrics and tracing of one gateway.

    `tracer_provider` is the gateway's own (tests inject one with an in-memory exporter); None means
    no spans at all. A provider built by `from_environ` is owned, and flushed by `close()`.
    """

    def __init__(
        self,
        metrics: GatewayMetrics | None = None,
        tracer_provider: TracerProvider | None = None,
        owns_provider: bool = False,
    ) -> None:
        self.audit = logging.getLogger(AUDIT_LOGGER)
        self.metrics = metrics or GatewayMetrics()
        self.tracer_provider = tracer_provider
        self.tracer = tracer_provider.get_tracer("zscaler_mcp_gateway", __version__) if tracer_provider else None
        self._owns_provider = owns_provider

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Telemetry:
        provider = tracer_provider_from_env(environ)
        return cls(tracer_provider=provider, owns_provider=provider is not None)

    def close(self) -> None:
        if self._owns_provider and self.tracer_provider is not None:
            self.tracer_provider.shutdown()  # exports what the batch processor still holds

    @contextmanager
    def tool_call(self, record: CallRecord) -> Iterator[CallRecord]:
        span = self._start_span(record)
        record.trace_id = (
            format_trace_id(span.get_span_context().trace_id)
            if span
            else trace_id_of(parent_context(record.trace_context))
        )
        started = time.perf_counter()
        try:
            yield record
        except BaseException as exc:
            if not record.cancelled:  # a cancelled call's record already says what happened upstream
                record.outcome = Outcome.ERROR
                record.error = record.error or f"internal error: {type(exc).__name__}"
            raise
        finally:
            seconds = time.perf_counter() - started
            record.duration_ms = seconds * 1000
            self.audit.info(record.audit_line())
            self.metrics.observe_call(
                record.tool, record.toolset, record.service, record.access, record.outcome, seconds
            )
            if span is not None:
                _end_span(span, record.outcome)

    def _start_span(self, record: CallRecord) -> Span | None:
        if self.tracer is None:
            return None
        return self.tracer.start_span(
            f"execute_tool {record.tool}",
            context=parent_context(record.trace_context),
            kind=SpanKind.INTERNAL,
            attributes={
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": record.tool,
                "zscaler.service": record.service,
                "zscaler.toolset": record.toolset,
                "zscaler.access": record.access,
            },
        )


def _end_span(span: Span, outcome: Outcome) -> None:
    span.set_attribute("zscaler.outcome", str(outcome))
    if outcome != Outcome.OK:
        span.set_attribute("error.type", str(outcome))
        span.set_status(StatusCode.ERROR, str(outcome))
    span.end()
