"""The Grafana dashboard and the example alerts query only metrics a real gateway exposes."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx
import mcp
import pytest
import yaml

from tests.support.kubelet import ProjectedConfigMap
from tests.support.servers import RunningGateway, run_gateway
from tests.support.telemetry import promql_metric_names, sample_names, scrape
from zscaler_mcp_gateway.simulator import RunningSimulator, free_port

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "charts" / "zscaler-mcp-gateway" / "files" / "dashboard.json"  # the source
DASHBOARD_COPY = ROOT / "manifests" / "grafana-dashboard.json"
RULES = ROOT / "charts" / "zscaler-mcp-gateway" / "files" / "prometheus-rules.yaml"  # the one rule file
POLICY = "services: [zia, zpa]\ntoolsets: [zia_rule_labels, zpa_segment_groups]\n"
_LABEL_VALUES = re.compile(r"label_values\((.*),\s*\w+\)")


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def panel_exprs(board: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in board["panels"] for target in panel.get("targets", [])]


def variable_exprs(board: dict[str, Any]) -> list[str]:
    queries = [v["query"]["query"] for v in board["templating"]["list"] if v["type"] == "query"]
    return [match.group(1) for query in queries if (match := _LABEL_VALUES.fullmatch(query))]


def rule_exprs() -> list[str]:
    rule = yaml.safe_load(RULES.read_text())
    return [r["expr"] for group in rule["groups"] for r in group["rules"]]


@pytest.fixture(scope="module")
def exposition(simulator: RunningSimulator, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The /metrics text of a real gateway after real calls of every outcome."""
    config = ProjectedConfigMap(tmp_path_factory.mktemp("dashboard") / "config", {"config.yaml": POLICY})
    with run_gateway(simulator.url, str(config.config_path), metrics_port=free_port()) as running:
        asyncio.run(_calls(running, simulator))
        assert running.gateway.metrics_server is not None
        return scrape(running.gateway.metrics_server.url)


async def _calls(running: RunningGateway, simulator: RunningSimulator) -> None:
    httpx.post(
        f"{simulator.url}/_sim/faults", json={"status": 500, "match": "segmentGroup", "times": 1}
    ).raise_for_status()
    async with mcp.Client(running.mcp_url, mode="legacy") as client:
        await client.call_tool("zia_list_rule_labels", {})
        await client.call_tool("zpa_list_segment_groups", {})
        await client.call_tool("zia_create_rule_label", {"name": "probe"})
        await client.call_tool("zia_get_rule_label", {"label_id": "abc"})


def test_the_manifests_copy_is_the_chart_dashboard() -> None:
    assert DASHBOARD_COPY.read_bytes() == DASHBOARD.read_bytes(), (
        f"cp {DASHBOARD.relative_to(ROOT)} {DASHBOARD_COPY.relative_to(ROOT)}"
    )


def test_every_dashboard_metric_exists_in_a_real_exposition(exposition: str) -> None:
    board = dashboard()
    exprs = panel_exprs(board) + variable_exprs(board)
    assert len(variable_exprs(board)) == 2 and len(exprs) > 20
    exposed = sample_names(exposition)
    for expr in exprs:
        names = promql_metric_names(expr)
        assert names, f"no metric in {expr!r}"
        assert names <= exposed, f"{sorted(names - exposed)} in {expr!r} is not exposed"


def test_every_alert_metric_exists_in_a_real_exposition(exposition: str) -> None:
    exposed = sample_names(exposition)
    exprs = rule_exprs()
    assert len(exprs) == 4
    for expr in exprs:
        names = promql_metric_names(expr)
        assert names and names <= exposed, f"{sorted(names - exposed)} in {expr!r} is not exposed"


def test_the_dashboard_covers_what_a_security_team_watches() -> None:
    board = dashboard()
    titles = {panel["title"] for panel in board["panels"]}
    assert {
        "Calls by tool and outcome",
        "Denied writes by tool",
        "Error ratio by service",
        "p50 latency by tool",
        "p95 latency by tool",
        "Upstream requests by service and status",
        "Config reloads by result",
        "Tools served by service and access",
        "Config generation by replica",
    } <= titles
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        for target in panel.get("targets", []):
            assert 'namespace=~"$namespace", job=~"$job"' in target["expr"], panel["title"]
            assert target["datasource"]["uid"] == "${datasource}"


def test_the_alerts_cover_denied_writes_errors_and_reload_failures() -> None:
    rule = yaml.safe_load(RULES.read_text())
    alerts = {r["alert"]: r for group in rule["groups"] for r in group["rules"]}
    assert {"ZscalerMCPWriteDenied", "ZscalerMCPHighErrorRatio", "ZscalerMCPConfigReloadFailed"} <= set(alerts)
    assert all({"summary", "description"} <= set(r["annotations"]) and r["labels"]["severity"] for r in alerts.values())


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        (
            'histogram_quantile(0.95, sum by (le, tool) (rate(a_bucket{x=~"$v", y="by (z)"}[$__rate_interval])))',
            {"a_bucket"},
        ),
        (
            "sum(rate(a_total[5m])) by (tool) / on (tool) group_left sum(b) and c offset 5m > bool 0.5",
            {"a_total", "b", "c"},
        ),
        ('topk(10, max without (pod) (increase(x:rate5m{le="+Inf"}[$__range])))', {"x:rate5m"}),
    ],
)
def test_promql_metric_names(expr: str, names: set[str]) -> None:
    assert promql_metric_names(expr) == names


def test_bar_panels_count_each_event_once() -> None:
    """A bar is the increase over its own step: windows wider than the step would add an event up to 3 times."""
    board = dashboard()
    bars = [
        p
        for p in board["panels"]
        if p.get("fieldConfig", {}).get("defaults", {}).get("custom", {}).get("drawStyle") == "bars"
    ]
    assert {p["title"] for p in bars} == {"Denied writes by tool", "Config reloads by result"}
    for panel in bars:
        assert panel["interval"] == "1m", panel["title"]  # at least two scrapes per bar at the chart's 30 s
        for target in panel["targets"]:
            assert re.search(r"increase\([^\[]*\[\$__interval\]\)", target["expr"]), panel["title"]
    for panel in board["panels"]:
        if panel["type"] in ("stat", "table"):
            for target in panel.get("targets", []):
                assert "increase(" not in target["expr"] or "[$__range]" in target["expr"], panel["title"]
