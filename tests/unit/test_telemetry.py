"""Telemetry without a server: redaction, the OTEL_* switch, trace carriers, the instrumentation point."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.sdk.resources import SERVICE_NAME

from tests.support.telemetry import TracingTelemetry, capture_audit, labels, samples
from zscaler_mcp_gateway.cli import _parser, metrics_port
from zscaler_mcp_gateway.telemetry import (
    MAX_ARGS_CHARS,
    MAX_DEPTH,
    MAX_VALUE_CHARS,
    REDACTED,
    TRUNCATED,
    CallRecord,
    Telemetry,
    redact,
)
from zscaler_mcp_gateway.tracing import parent_context, trace_carrier, tracer_provider_from_env

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def record(**overrides: object) -> CallRecord:
    fields: dict[str, object] = dict(
        tool="zia_list_rule_labels", toolset="zia_rule_labels", service="zia", access="read",
        principal="alice", request_id="r1", config_generation=3,
    )  # fmt: skip
    fields.update(overrides)
    return CallRecord(**fields)  # type: ignore[arg-type]


def test_redact_replaces_secret_looking_keys_at_any_depth() -> None:
    args = {
        "name": "x",
        "Password": "p",
        "client_secret": "s",
        "preSharedKey": "k",
        "nested": {"api_token": "t", "list": [{"privateKey": "pk", "id": 1}]},
        "psk": 7,
    }
    assert redact(args) == {
        "name": "x",
        "Password": REDACTED,
        "client_secret": REDACTED,
        "preSharedKey": REDACTED,
        "nested": {"api_token": REDACTED, "list": [{"privateKey": REDACTED, "id": 1}]},
        "psk": REDACTED,
    }


def test_no_endpoint_means_no_tracer_provider() -> None:
    assert tracer_provider_from_env({}) is None
    assert Telemetry.from_environ({}).tracer is None
    disabled = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"}
    assert tracer_provider_from_env(disabled) is None


def test_an_otlp_endpoint_builds_an_owned_exporting_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")  # nothing is exported: no span is made
    telemetry = Telemetry.from_environ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"})
    assert telemetry.tracer is not None and telemetry.tracer_provider is not None
    assert telemetry.tracer_provider.resource.attributes[SERVICE_NAME] == "zscaler-mcp-gateway"
    telemetry.close()


def test_otel_service_name_wins_over_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "gw-prod")
    provider = tracer_provider_from_env({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:9/v1/traces"})
    assert provider is not None and provider.resource.attributes[SERVICE_NAME] == "gw-prod"
    provider.shutdown()


def test_trace_carrier_prefers_http_headers_then_meta() -> None:
    headers = {"traceparent": TRACEPARENT, "tracestate": "a=1", "x-other": "y"}
    assert trace_carrier(headers, {"traceparent": "ignored"}) == {"traceparent": TRACEPARENT, "tracestate": "a=1"}
    assert trace_carrier({}, {"traceparent": TRACEPARENT}) == {"traceparent": TRACEPARENT}
    assert trace_carrier(None, {"traceparent": 5}) == {}
    assert parent_context({"traceparent": "00-zz-yy-01"}) is None


def test_a_failing_call_is_still_audited_counted_and_traced() -> None:
    tracing = TracingTelemetry()
    with capture_audit() as audit, pytest.raises(RuntimeError):
        with tracing.telemetry.tool_call(record(trace_context={"traceparent": TRACEPARENT})):
            raise RuntimeError("boom")
    [event] = audit.events()
    assert (event["outcome"], event["error"], event["trace_id"]) == (
        "error",
        "internal error: RuntimeError",
        TRACEPARENT.split("-")[1],
    )
    [span] = tracing.spans()
    assert span.attributes is not None and span.attributes["zscaler.outcome"] == "error"
    text = tracing.telemetry.metrics.render()
    assert samples(text, "zscaler_mcp_tool_calls_total") == {
        labels(
            tool="zia_list_rule_labels",
            toolset="zia_rule_labels",
            zscaler_service="zia",
            access="read",
            outcome="error",
        ): 1.0
    }


def test_each_telemetry_has_its_own_registry() -> None:
    first, second = Telemetry(), Telemetry()
    with capture_audit(), first.tool_call(record()):
        pass
    assert samples(first.metrics.render(), "zscaler_mcp_tool_calls_total") != {}
    assert samples(second.metrics.render(), "zscaler_mcp_tool_calls_total") == {}


@pytest.mark.parametrize(
    ("argv", "port"),
    [
        ([], 9090),
        (["--metrics-port", "0"], 0),
        (["--transport", "stdio"], 0),  # one stdio gateway per desktop client: no shared default port
        (["--transport", "stdio", "--metrics-port", "9400"], 9400),
    ],
)
def test_metrics_port_of_the_command_line(argv: list[str], port: int) -> None:
    assert metrics_port(_parser().parse_args(["serve", *argv])) == port


# --- the audit line: strict JSON, bounded ------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=1100),
    lambda children: st.lists(children, max_size=110) | st.dictionaries(st.text(max_size=20), children, max_size=110),
    max_leaves=150,
)


def strict_loads(line: str) -> Any:
    """JSON as JavaScript's JSON.parse reads it: NaN and Infinity are not JSON."""

    def refuse(token: str) -> None:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(line, parse_constant=refuse)


@given(args=st.dictionaries(st.text(max_size=40), json_values, max_size=20))
@settings(max_examples=60, deadline=None)
def test_any_arguments_make_one_strict_and_bounded_audit_line(args: dict[str, Any]) -> None:
    line = record(args=args).audit_line()
    event = strict_loads(line)
    assert len(line) < MAX_ARGS_CHARS + 4 * MAX_VALUE_CHARS
    assert set(event["args"]) <= {str(k)[:MAX_VALUE_CHARS] for k in args}
    finite = "NaN" not in json.dumps(args) and "Infinity" not in json.dumps(args)
    if finite and not event.get("truncated"):
        assert event["args"] == redact(args)


def test_non_finite_numbers_are_written_as_strings() -> None:
    event = strict_loads(record(args={"a": math.nan, "b": [-math.inf, math.inf], "c": 1.5}).audit_line())
    assert event["args"] == {"a": "NaN", "b": ["-Infinity", "Infinity"], "c": 1.5}
    assert "truncated" not in event


def test_a_huge_argument_is_cut_and_marked() -> None:
    line = record(args={"name": "x" * 3_000_000, "id": 7}).audit_line()
    event = strict_loads(line)
    assert len(line) < 4000 and event["truncated"] is True
    assert event["args"]["name"] == "x" * MAX_VALUE_CHARS + TRUNCATED and event["args"]["id"] == 7


def test_many_values_over_the_line_budget_keep_their_keys_only() -> None:
    line = record(args={f"k{i}": "v" * 1000 for i in range(60)}).audit_line()
    event = strict_loads(line)
    assert len(line) < MAX_ARGS_CHARS and event["truncated"] is True
    assert event["args"] == {f"k{i}": TRUNCATED for i in range(60)}


def test_deep_nesting_is_cut_at_a_fixed_depth() -> None:
    nested: Any = "leaf"
    for _ in range(500):
        nested = [nested]
    event = strict_loads(record(args={"deep": nested}).audit_line())
    assert event["truncated"] is True and json.dumps(event["args"]).count("[") == MAX_DEPTH
