"""`zscaler_mcp_tool_calls_total` as a scrape reads it: series at 0 for the tools they are for, each counted
call on its series, and each series' `_created` time from when it came to exist."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, generate_latest

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.metrics import GatewayMetrics, ToolCallCounts, call_labels

CATALOG = load_catalog()
READ = CATALOG.tools["zia_list_url_categories"]
WRITE = CATALOG.tools["zia_create_url_category"]
NAME = "zscaler_mcp_tool_calls"


def value(metrics: GatewayMetrics, labels: tuple[str, ...], suffix: str = "_total") -> float | None:
    names = ("tool", "toolset", "zscaler_service", "access", "outcome")
    return metrics.registry.get_sample_value(NAME + suffix, dict(zip(names, labels, strict=True)))


def test_zero_series_then_counts_keep_the_time_they_came_to_exist() -> None:
    metrics = GatewayMetrics()
    before = time.time()
    metrics.expect_denials([WRITE])
    metrics.tool_calls.expect_served([READ])
    after = time.time()
    denied, ok = call_labels(WRITE, "denied"), call_labels(READ, "ok")
    assert value(metrics, denied) == 0.0 and value(metrics, ok) == 0.0
    assert value(metrics, call_labels(READ, "error")) == 0.0
    created = value(metrics, ok, "_created")
    assert created is not None and before <= created <= after
    time.sleep(0.01)
    metrics.observe_call(*ok, seconds=0.1)
    metrics.observe_call(*ok, seconds=0.1)
    metrics.observe_call(*denied, seconds=0.0)
    assert value(metrics, ok) == 2.0 and value(metrics, denied) == 1.0
    assert value(metrics, ok, "_created") == created  # the series is the one that was at 0
    invalid = call_labels(READ, "invalid")  # never at 0: it comes to exist with its first call
    metrics.observe_call(*invalid, seconds=0.0)
    assert value(metrics, invalid) == 1.0 and value(metrics, invalid, "_created") > after  # type: ignore[operator]


def test_a_tool_no_longer_served_keeps_its_series_and_each_appears_once() -> None:
    metrics = GatewayMetrics()
    metrics.tool_calls.expect_served([READ])
    metrics.observe_call(*call_labels(READ, "ok"), seconds=0.1)
    metrics.tool_calls.expect_served([])  # a generation that serves nothing
    text = generate_latest(metrics.registry).decode()
    lines = [line for line in text.splitlines() if line.startswith(NAME + "_total{")]
    assert len(lines) == len(set(lines)) == 2  # ok (counted once) and error (at 0)
    assert value(metrics, call_labels(READ, "ok")) == 1.0 and value(metrics, call_labels(READ, "error")) == 0.0


def test_denial_series_added_later_keep_the_earlier_ones_and_their_times() -> None:
    metrics = GatewayMetrics()
    other = CATALOG.tools["zia_delete_url_category"]
    metrics.expect_denials([WRITE])
    created = value(metrics, call_labels(WRITE, "denied"), "_created")
    metrics.expect_denials([other])
    assert value(metrics, call_labels(WRITE, "denied"), "_created") == created
    assert value(metrics, call_labels(other, "denied")) == 0.0


def test_created_samples_follow_prometheus_disable_created_series() -> None:
    counts = ToolCallCounts(CollectorRegistry(), environ={"PROMETHEUS_DISABLE_CREATED_SERIES": "True"})
    counts.expect_served([READ])
    counts.inc(call_labels(READ, "ok"))
    (family,) = counts.collect()
    assert {sample.name for sample in family.samples} == {NAME + "_total"}


def test_label_values_are_written_as_strings_whatever_a_caller_passes() -> None:
    metrics = GatewayMetrics()
    metrics.observe_call(READ.name, READ.toolset, READ.service, READ.access, None, seconds=0.1)  # type: ignore[arg-type]
    assert value(metrics, call_labels(READ, "None")) == 1.0
    assert NAME + "_total" in generate_latest(metrics.registry).decode()  # the scrape still renders
