"""Every tool call is counted, traced and audited: real client, real server, real SDK, simulator upstream."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import httpx2
import mcp
import pytest
from mcp.client.streamable_http import streamable_http_client
from opentelemetry.trace import format_span_id, format_trace_id

from tests.support.kubelet import ProjectedConfigMap
from tests.support.servers import RunningGateway, run_gateway
from tests.support.telemetry import AuditLines, TracingTelemetry, capture_audit, counted, labels, samples, scrape
from zscaler_mcp_gateway import __version__
from zscaler_mcp_gateway.simulator import RunningSimulator, free_port

POLICY = "services: [zia, zpa]\ntoolsets: [zia_rule_labels, zpa_segment_groups]\n"
SECRET = "s3cr3t-VALUE-7f1e9a"
AUDIT_FIELDS = {
    "ts", "event", "tool", "toolset", "service", "access", "outcome", "duration_ms",
    "principal", "request_id", "trace_id", "config_generation", "args", "error",
}  # fmt: skip
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"


@pytest.fixture
def audit() -> Iterator[AuditLines]:
    with capture_audit() as lines:
        yield lines


@pytest.fixture
def tracing() -> TracingTelemetry:
    return TracingTelemetry()


@pytest.fixture
def traced_gateway(
    fresh_simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap], tracing: TracingTelemetry
) -> Iterator[RunningGateway]:
    """A gateway with /metrics on its own port and spans in memory, on a simulator of its own."""
    with run_gateway(
        fresh_simulator.url, str(configmap(POLICY).config_path), metrics_port=free_port(), telemetry=tracing.telemetry
    ) as running:
        yield running


def metrics_text(running: RunningGateway) -> str:
    assert running.gateway.metrics_server is not None
    return scrape(running.gateway.metrics_server.url)


def call_labels(tool: str, toolset: str, service: str, access: str, outcome: str) -> frozenset[tuple[str, str]]:
    return labels(tool=tool, toolset=toolset, zscaler_service=service, access=access, outcome=outcome)


async def test_every_outcome_is_counted_traced_and_audited_once(
    traced_gateway: RunningGateway, fresh_simulator: RunningSimulator, tracing: TracingTelemetry, audit: AuditLines
) -> None:
    # times -1: every attempt fails, whatever the upstream retry policy
    httpx.post(
        f"{fresh_simulator.url}/_sim/faults", json={"status": 500, "match": "segmentGroup", "times": -1}
    ).raise_for_status()
    async with mcp.Client(traced_gateway.mcp_url, mode="legacy") as client:
        ok = await client.call_tool("zia_list_rule_labels", {})
        error = await client.call_tool("zpa_list_segment_groups", {})
        denied = await client.call_tool("zia_create_rule_label", {"name": "probe", "client_secret": SECRET})
        invalid = await client.call_tool("zia_get_rule_label", {"label_id": "abc", "password": SECRET})
        unknown = await client.call_tool("zia_no_such_tool", {"api_token": SECRET})
    assert [r.is_error for r in (ok, error, denied, invalid, unknown)] == [False, True, True, True, True]

    text = metrics_text(traced_gateway)
    expected_calls = {
        call_labels("zia_list_rule_labels", "zia_rule_labels", "zia", "read", "ok"): 1.0,
        call_labels("zpa_list_segment_groups", "zpa_segment_groups", "zpa", "read", "error"): 1.0,
        call_labels("zia_create_rule_label", "zia_rule_labels", "zia", "write", "denied"): 1.0,
        call_labels("zia_get_rule_label", "zia_rule_labels", "zia", "read", "invalid"): 1.0,
        call_labels("unknown", "unknown", "unknown", "read", "invalid"): 1.0,
    }
    assert counted(text, "zscaler_mcp_tool_calls_total") == expected_calls
    assert samples(text, "zscaler_mcp_tool_call_duration_seconds_count") == expected_calls
    seen = fresh_simulator.state.requests
    zia_requests = sum(n for key, n in seen.items() if key.startswith("GET /zia/"))
    zpa_attempts = sum(n for key, n in seen.items() if key.startswith("GET /zpa/"))
    upstream = counted(text, "zscaler_mcp_upstream_requests_total")
    assert upstream.keys() == {labels(zscaler_service="zia", status="200"), labels(zscaler_service="zpa", status="500")}
    assert upstream[labels(zscaler_service="zia", status="200")] == zia_requests >= 1
    assert upstream[labels(zscaler_service="zpa", status="500")] == zpa_attempts  # every attempt, retries included
    assert samples(text, "zscaler_mcp_config_generation") == {labels(): 1.0}
    assert samples(text, "zscaler_mcp_config_reloads_total") == {
        labels(result="success"): 0.0,
        labels(result="failure"): 0.0,
    }

    spans = tracing.spans()
    assert [s.name for s in spans] == [
        "execute_tool zia_list_rule_labels",
        "execute_tool zpa_list_segment_groups",
        "execute_tool zia_create_rule_label",
        "execute_tool zia_get_rule_label",
        "execute_tool unknown",
    ]
    for span, (call, _) in zip(spans, expected_calls.items(), strict=True):
        pairs = dict(call)
        attributes = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": pairs["tool"],
            "zscaler.service": pairs["zscaler_service"],
            "zscaler.toolset": pairs["toolset"],
            "zscaler.access": pairs["access"],
            "zscaler.outcome": pairs["outcome"],
        }
        if pairs["outcome"] != "ok":
            attributes["error.type"] = pairs["outcome"]
        assert dict(span.attributes or {}) == attributes
        assert span.parent is None  # the client sent no traceparent

    events = audit.events()
    assert len(audit.lines) == 5
    assert all(set(event) == AUDIT_FIELDS and event["event"] == "tool_call" for event in events)
    assert [(e["tool"], e["outcome"]) for e in events] == [
        (dict(c)["tool"], dict(c)["outcome"]) for c in expected_calls
    ]
    assert [e["trace_id"] for e in events] == [format_trace_id(s.context.trace_id) for s in spans]
    assert len({e["request_id"] for e in events}) == 5
    assert {(e["principal"], e["config_generation"]) for e in events} == {("anonymous", 1)}
    assert events[0]["error"] is None and "500" in events[1]["error"]
    assert events[2]["args"] == {"name": "probe", "client_secret": "[REDACTED]"}
    assert events[3]["args"] == {"label_id": "abc", "password": "[REDACTED]"}
    assert events[4]["args"] == {"api_token": "[REDACTED]"}

    assert SECRET not in text
    assert not any(SECRET in span.to_json() for span in spans)
    assert not any(SECRET in line for line in audit.lines)


async def test_the_client_traceparent_and_request_id_are_carried(
    traced_gateway: RunningGateway, tracing: TracingTelemetry, audit: AuditLines
) -> None:
    headers = {"traceparent": TRACEPARENT, "x-request-id": "req-42"}
    async with (
        httpx2.AsyncClient(headers=headers) as http,
        mcp.Client(streamable_http_client(traced_gateway.mcp_url, http_client=http), mode="legacy") as client,
    ):
        await client.call_tool("zscaler_list_toolsets", {})
    [span] = tracing.spans()
    assert format_trace_id(span.context.trace_id) == TRACE_ID
    assert span.parent is not None and format_span_id(span.parent.span_id) == PARENT_SPAN_ID
    [event] = audit.events()
    assert (event["trace_id"], event["client_request_id"]) == (TRACE_ID, "req-42")
    assert event["request_id"] != "req-42"  # the gateway's own id stays its own


async def test_a_traceparent_in_the_request_meta_is_the_fallback(
    traced_gateway: RunningGateway, tracing: TracingTelemetry, audit: AuditLines
) -> None:
    async with mcp.Client(traced_gateway.mcp_url, mode="legacy") as client:
        await client.call_tool("zscaler_list_toolsets", {}, meta={"traceparent": TRACEPARENT})
    [span] = tracing.spans()
    assert format_trace_id(span.context.trace_id) == TRACE_ID
    assert audit.events()[0]["trace_id"] == TRACE_ID


async def test_without_a_tracer_no_span_is_made_and_the_audit_keeps_the_client_trace_id(
    gateway_with: Callable[..., RunningGateway], audit: AuditLines
) -> None:
    running = gateway_with(POLICY)
    assert running.gateway.telemetry.tracer is None  # no OTEL_* endpoint in the environment
    async with (
        httpx2.AsyncClient(headers={"traceparent": TRACEPARENT}) as http,
        mcp.Client(streamable_http_client(running.mcp_url, http_client=http), mode="legacy") as client,
    ):
        await client.call_tool("zscaler_list_toolsets", {})
    async with mcp.Client(running.mcp_url, mode="legacy") as client:
        await client.call_tool("zscaler_list_toolsets", {})
    assert [e["trace_id"] for e in audit.events()] == [TRACE_ID, None]
    assert running.gateway.metrics_server is None  # metrics_port 0: no /metrics server


def _wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def test_reloads_generation_and_tools_served_follow_the_policy_file(
    gateway_with: Callable[..., RunningGateway],
) -> None:
    running = gateway_with(POLICY, metrics_port=free_port())
    before = samples(metrics_text(running), "zscaler_mcp_tools_served")
    assert before == {
        labels(zscaler_service="zia", access="read"): 2.0,
        labels(zscaler_service="zpa", access="read"): 2.0,
        labels(zscaler_service="zscaler", access="read"): 3.0,
    }
    running.configmap.update(
        {"config.yaml": "services: [zia]\ntoolsets: [zia_rule_labels]\nwrite: {enabled: true, allowlist: ['zia_*']}\n"}
    )  # type: ignore[attr-defined]
    _wait_for(lambda: samples(metrics_text(running), "zscaler_mcp_config_generation") == {labels(): 2.0})
    after = metrics_text(running)
    assert samples(after, "zscaler_mcp_tools_served") == {
        labels(zscaler_service="zia", access="read"): 2.0,
        labels(zscaler_service="zia", access="write"): 3.0,
        labels(zscaler_service="zpa", access="read"): 0.0,  # a series that went away reads 0, not its last value
        labels(zscaler_service="zscaler", access="read"): 3.0,
    }
    running.configmap.update({"config.yaml": "toolsets: [no_such_toolset]\n"})  # type: ignore[attr-defined]
    _wait_for(
        lambda: samples(metrics_text(running), "zscaler_mcp_config_reloads_total")[labels(result="failure")] == 1.0
    )
    text = metrics_text(running)
    assert samples(text, "zscaler_mcp_config_reloads_total") == {
        labels(result="success"): 1.0,
        labels(result="failure"): 1.0,
    }
    assert samples(text, "zscaler_mcp_config_generation") == {labels(): 2.0}  # the last good generation serves on
    assert samples(text, "zscaler_mcp_config_last_reload_success") == {labels(): 0.0}
    assert samples(text, "zscaler_mcp_build_info").keys() == {labels(version=__version__)}


def test_the_series_alerts_and_panels_need_exist_at_zero_from_start(
    gateway_with: Callable[..., RunningGateway],
) -> None:
    """`increase()` cannot see the first event of a series born at 1: these are born at 0."""
    running = gateway_with(POLICY, metrics_port=free_port())
    calls = samples(metrics_text(running), "zscaler_mcp_tool_calls_total")
    catalog = running.gateway.catalog
    writes = {t for t in catalog.tools.values() if t.access == "write"}
    served = running.gateway.store.current.tools.values()
    expected = {call_labels(t.name, t.toolset, t.service, "write", "denied") for t in writes} | {
        call_labels(t.name, t.toolset, t.service, t.access, outcome) for t in served for outcome in ("ok", "error")
    }
    assert calls == dict.fromkeys(expected, 0.0)
    assert len(writes) > 100 and len(calls) == len(writes) + 2 * len(served)  # bounded by the catalog
    text = metrics_text(running)
    assert samples(text, "zscaler_mcp_auth_failures_total") == {
        labels(reason="missing_credential"): 0.0,
        labels(reason="invalid_credential"): 0.0,
    }
    assert samples(text, "zscaler_mcp_config_last_reload_success") == {labels(): 1.0}
    assert samples(text, "zscaler_mcp_tool_call_duration_seconds_count") == {}  # no histogram child until a call


def test_the_metrics_server_stops_with_the_gateway(
    simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap]
) -> None:
    port = free_port()
    with run_gateway(simulator.url, str(configmap(POLICY).config_path), metrics_port=port) as running:
        assert running.gateway.metrics_server is not None
        assert running.gateway.metrics_server.url == f"http://127.0.0.1:{port}/metrics"
        assert "zscaler_mcp_build_info" in scrape(running.gateway.metrics_server.url)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)


BURST_CLIENTS, BURST_CALLS = 8, 125


async def test_a_burst_of_1000_calls_loses_no_audit_line_and_no_count(
    traced_gateway: RunningGateway, audit: AuditLines
) -> None:
    async def one_client(index: int) -> list[bool]:
        async with mcp.Client(traced_gateway.mcp_url, mode="legacy") as client:
            return [
                (await client.call_tool("zscaler_list_toolsets", {"service": "zia"})).is_error
                for _ in range(BURST_CALLS)
            ]

    results = await asyncio.gather(*(one_client(i) for i in range(BURST_CLIENTS)))
    total = BURST_CLIENTS * BURST_CALLS
    assert sum(len(r) for r in results) == total and not any(any(r) for r in results)
    events: list[dict[str, Any]] = [json.loads(line) for line in audit.lines]
    assert len(events) == total
    assert len({e["request_id"] for e in events}) == total
    assert {(e["tool"], e["outcome"], json.dumps(e["args"])) for e in events} == {
        ("zscaler_list_toolsets", "ok", '{"service": "zia"}')
    }
    text = metrics_text(traced_gateway)
    meta = call_labels("zscaler_list_toolsets", "meta", "zscaler", "read", "ok")
    assert counted(text, "zscaler_mcp_tool_calls_total") == {meta: float(total)}
    assert samples(text, "zscaler_mcp_tool_call_duration_seconds_count") == {meta: float(total)}
