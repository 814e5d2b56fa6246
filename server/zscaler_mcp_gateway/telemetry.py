"""The single instrumentation point every tool call passes through, whatever its outcome.

`Telemetry.tool_call` wraps a call: the caller fills `outcome`/`error` on the yielded record, and
on exit one JSON audit line is written on logger `zscaler_mcp_gateway.audit`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

AUDIT_LOGGER = "zscaler_mcp_gateway.audit"
REDACTED = "[REDACTED]"
_SECRET_KEY = re.compile(r"(pass(word|phrase)?|secret|token|key|psk|private|credential|auth)", re.IGNORECASE)
OUTCOMES = ("ok", "error", "denied", "invalid")


def redact(value: Any, key: str = "") -> Any:
    """Replace values whose key looks secret, recursively; the one redaction used everywhere."""
    if key and _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, Mapping):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


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
    outcome: str = "ok"
    error: str | None = None
    trace_id: str | None = None
    duration_ms: float = 0.0

    def audit_line(self) -> str:
        return json.dumps(
            {
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
                "args": redact(dict(self.args)),
                "error": self.error,
            },
            separators=(",", ":"),
            default=str,
        )


class Telemetry:
    def __init__(self) -> None:
        self.audit = logging.getLogger(AUDIT_LOGGER)

    @contextmanager
    def tool_call(self, record: CallRecord) -> Iterator[CallRecord]:
        started = time.perf_counter()
        try:
            yield record
        except BaseException as exc:
            record.outcome = "error"
            record.error = record.error or f"internal error: {type(exc).__name__}"
            raise
        finally:
            record.duration_ms = (time.perf_counter() - started) * 1000
            self.audit.info(record.audit_line())
