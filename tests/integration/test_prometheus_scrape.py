"""The dashboard and the alerts, evaluated by a real Prometheus scraping a real gateway as a ServiceMonitor does.

The scrape carries the Prometheus Operator's target labels (namespace, service, pod, job, instance,
container, endpoint). Every panel query must return data grouped by the gateway's own labels, no series
may carry an `exported_*` label, one denied write must fire ZscalerMCPWriteDenied, and a rejected reload
must fire ZscalerMCPConfigReloadFailed until a good reload resolves it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import mcp
import pytest

from tests.support.kubelet import ProjectedConfigMap
from tests.support.prometheus import OPERATOR_TARGET_LABELS, RunningPrometheus, run_prometheus, tool
from tests.support.servers import RunningGateway, run_gateway
from zscaler_mcp_gateway.simulator import RunningSimulator, free_port

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "charts" / "zscaler-mcp-gateway" / "files" / "dashboard.json"
RULE_FILE = ROOT / "charts" / "zscaler-mcp-gateway" / "files" / "prometheus-rules.yaml"
POLICY = "services: [zia, zpa]\ntoolsets: [zia_rule_labels, zpa_segment_groups]\n"
GOOD_POLICY = "services: [zia, zpa]\ntoolsets: [zia_rule_labels, zpa_segment_groups, zpa_app_segments]\n"
# Grafana's variables as a dashboard user with "All" selected gets them; windows at least two scrapes wide.
VARIABLES = {
    "$namespace": OPERATOR_TARGET_LABELS["namespace"],
    "$job": OPERATOR_TARGET_LABELS["job"],
    "$__rate_interval": "1m",
    "$__interval": "1m",
    "$__range": "1h",
}
DENIED = 'zscaler_mcp_tool_calls_total{tool="zia_create_rule_label", outcome="denied"}'


def grafana_expr(expr: str) -> str:
    return re.sub(r"\$\w+", lambda m: VARIABLES[m.group(0)], expr)


def values(result: list[dict[str, Any]]) -> list[float]:
    return [float(r["value"][1]) for r in result]


def firing(prometheus: RunningPrometheus) -> dict[str, list[dict[str, str]]]:
    alerts: dict[str, list[dict[str, str]]] = {}
    for alert in prometheus.alerts():
        if alert["state"] == "firing":
            alerts.setdefault(alert["labels"]["alertname"], []).append(alert["labels"])
    return alerts


def wait_for_alerts(prometheus: RunningPrometheus, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    result: dict[str, Any] = {}

    def ready(_: object) -> bool:
        result.update(firing(prometheus))
        return check(firing(prometheus))

    prometheus.wait_for("vector(1)", ready)
    return firing(prometheus)


async def calls_of_every_outcome(running: RunningGateway, simulator: RunningSimulator) -> None:
    httpx.post(
        f"{simulator.url}/_sim/faults", json={"status": 500, "match": "segmentGroup", "times": -1}
    ).raise_for_status()
    async with mcp.Client(running.mcp_url, mode="legacy") as client:
        assert not (await client.call_tool("zia_list_rule_labels", {})).is_error
        assert (await client.call_tool("zpa_list_segment_groups", {})).is_error
        assert (await client.call_tool("zia_create_rule_label", {"name": "probe"})).is_error  # the one denied write
        assert (await client.call_tool("zia_get_rule_label", {"label_id": "abc"})).is_error  # invalid


def test_panels_and_alerts_under_a_real_prometheus_with_operator_target_labels(
    fresh_simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap], tmp_path: Path
) -> None:
    tool("prometheus")
    config = configmap(POLICY)
    metrics_port = free_port()
    with (
        run_gateway(fresh_simulator.url, str(config.config_path), metrics_port=metrics_port) as running,
        run_prometheus(f"127.0.0.1:{metrics_port}", RULE_FILE, tmp_path) as prometheus,
    ):
        # The denied-write series is scraped at 0 before any call: the first denied write is a rise.
        prometheus.wait_for(DENIED, lambda r: values(r) == [0.0])
        assert firing(prometheus) == {}
        asyncio.run(calls_of_every_outcome(running, fresh_simulator))
        config.update({"config.yaml": "toolsets: [no_such_toolset]\n"})
        prometheus.wait_for(DENIED, lambda r: values(r) == [1.0])
        prometheus.wait_for("zscaler_mcp_config_last_reload_success", lambda r: values(r) == [0.0])

        alerts = wait_for_alerts(
            prometheus, lambda a: {"ZscalerMCPWriteDenied", "ZscalerMCPConfigReloadFailed"} <= set(a)
        )
        [denied] = alerts["ZscalerMCPWriteDenied"]
        assert (denied["tool"], denied["namespace"]) == ("zia_create_rule_label", "zscaler-mcp")

        series = prometheus.series('{__name__=~"zscaler_mcp_.+"}')
        assert len(series) > 10
        assert [s for s in series if any(name.startswith("exported_") for name in s)] == []
        assert {s["service"] for s in series} == {OPERATOR_TARGET_LABELS["service"]}  # the operator's label kept
        assert {s["zscaler_service"] for s in series if "zscaler_service" in s} >= {"zia", "zpa"}

        board = json.loads(DASHBOARD.read_text())
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                # A rate needs two scrapes of a series: the histogram's first one may be the last so far.
                prometheus.wait_for(grafana_expr(target["expr"]), bool, timeout=10)
        ratio = prometheus.query(
            grafana_expr(
                next(p for p in board["panels"] if p["title"] == "Error ratio by service")["targets"][0]["expr"]
            )
        )
        assert {r["metric"]["zscaler_service"]: float(r["value"][1]) > 0 for r in ratio} == {
            "zia": False,
            "zpa": True,
            "zscaler": False,  # the meta tools: their series exist at 0 from start
        }
        upstream = prometheus.query("sum by (zscaler_service, status) (zscaler_mcp_upstream_requests_total)")
        assert {(r["metric"]["zscaler_service"], r["metric"]["status"]) for r in upstream} >= {
            ("zia", "200"),
            ("zpa", "500"),
        }
        for variable in ("namespace", "job"):
            [row] = prometheus.query(f"count by ({variable}) (zscaler_mcp_build_info)")
            assert row["metric"][variable] == OPERATOR_TARGET_LABELS[variable]

        config.update({"config.yaml": GOOD_POLICY})
        prometheus.wait_for("zscaler_mcp_config_last_reload_success", lambda r: values(r) == [1.0])
        wait_for_alerts(prometheus, lambda a: "ZscalerMCPConfigReloadFailed" not in a)


@pytest.mark.parametrize("expr", ["up", "zscaler_mcp_build_info"])
def test_grafana_expr_substitutes_every_variable(expr: str) -> None:
    assert "$" not in grafana_expr(f'sum(rate({expr}{{namespace=~"$namespace", job=~"$job"}}[$__rate_interval]))')
