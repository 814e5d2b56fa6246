"""Session-wide secret scan (a pytest plugin loaded by tests/conftest.py).

Every log record of the run (audit lines included), every gateway's metric exposition and every
span its tracer provider finishes is checked for the secret values the tests use: credentials,
API keys, JWTs and signing-key material (tests register theirs with `register_secret`; subprocess
output comes in through `ingest`). Logging runs at production levels (INFO, the SDK at WARNING, as
`configure_logging` sets them). A leak fails the session at teardown, naming secret and source.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.support.servers import TEST_CREDENTIALS
from zscaler_mcp_gateway.cli import SIMULATOR_CREDENTIALS
from zscaler_mcp_gateway.credential_files import CLIENT_SECRET
from zscaler_mcp_gateway.telemetry import AUDIT_LOGGER, Telemetry

MIN_SECRET_LENGTH = 8  # shorter fragments would match by chance
_secrets: set[str] = {TEST_CREDENTIALS[CLIENT_SECRET], SIMULATOR_CREDENTIALS[CLIENT_SECRET]}
_leaks: list[str] = []


def register_secret(value: str) -> None:
    if len(value) < MIN_SECRET_LENGTH:
        raise ValueError("a registered secret must be long enough not to match by chance")
    _secrets.add(value)


def ingest(text: str, source: str) -> None:
    for secret in _secrets:
        if secret in text:
            _leaks.append(f"{source}: contains secret {secret[:4]}…")


class _ScanHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        ingest(self.format(record), f"log record of {record.name}")


@pytest.fixture(scope="session", autouse=True)
def secret_scan() -> Iterator[None]:
    handler = _ScanHandler()
    root, audit, sdk = logging.getLogger(), logging.getLogger(AUDIT_LOGGER), logging.getLogger("zscaler")
    saved = (root.level, audit.level, sdk.level)
    root.setLevel(logging.INFO)
    audit.setLevel(logging.INFO)
    sdk.setLevel(logging.WARNING)
    root.addHandler(handler)
    if not audit.propagate:
        audit.addHandler(handler)
    telemetries: list[Telemetry] = []
    exporter = InMemorySpanExporter()
    original_init = Telemetry.__init__

    def tracking_init(self: Telemetry, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        telemetries.append(self)
        if self.tracer_provider is not None:
            self.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))

    Telemetry.__init__ = tracking_init  # type: ignore[method-assign]
    try:
        yield
    finally:
        Telemetry.__init__ = original_init  # type: ignore[method-assign]
        root.removeHandler(handler)
        audit.removeHandler(handler)
        root.setLevel(saved[0])
        audit.setLevel(saved[1])
        sdk.setLevel(saved[2])
    for number, telemetry in enumerate(telemetries):
        ingest(telemetry.metrics.render(), f"metrics of gateway #{number}")
    span: ReadableSpan
    for span in exporter.get_finished_spans():
        ingest(span.to_json(), f"span {span.name}")
    assert not _leaks, "secret values leaked:\n" + "\n".join(sorted(set(_leaks)))
