"""`zscaler_mcp_upstream_requests_total` counts HTTP requests: every attempt once, retries and POSTs included.

The simulator counts what reached it; the gateway's counter must say the same, per service and status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import httpx
import mcp

from tests.support.kubelet import ProjectedConfigMap
from tests.support.servers import RunningGateway, run_gateway
from tests.support.telemetry import counted, labels, scrape
from zscaler_mcp_gateway.simulator import RunningSimulator, free_port

POLICY = "services: [zia, zpa]\ntoolsets: [zia_url_categories, zia_rule_labels, zpa_segment_groups]\n"


def upstream_counts(running: RunningGateway) -> dict[frozenset[tuple[str, str]], float]:
    assert running.gateway.metrics_server is not None
    return counted(scrape(running.gateway.metrics_server.url), "zscaler_mcp_upstream_requests_total")


def arrived(simulator: RunningSimulator, service: str) -> int:
    """API requests of one service that reached the simulator (token requests are not API requests)."""
    return sum(n for key, n in simulator.state.requests.items() if key.split(" ", 1)[1].startswith(f"/{service}/"))


def fault(simulator: RunningSimulator, **spec: object) -> None:
    httpx.post(f"{simulator.url}/_sim/faults", json=spec, timeout=5).raise_for_status()


async def test_retried_attempts_and_posts_are_each_counted_once(
    fresh_simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap]
) -> None:
    fault(fresh_simulator, status=503, match="segmentGroup", times=2)  # two 503s, then the retry succeeds
    with run_gateway(fresh_simulator.url, str(configmap(POLICY).config_path), metrics_port=free_port()) as running:
        async with mcp.Client(running.mcp_url, mode="legacy") as client:
            assert not (await client.call_tool("zpa_list_segment_groups", {})).is_error
            assert not (await client.call_tool("zia_url_lookup", {"urls": ["example.com"]})).is_error
            assert not (await client.call_tool("zia_list_rule_labels", {})).is_error
        counts = upstream_counts(running)
    posts = sum(n for key, n in fresh_simulator.state.requests.items() if key.startswith("POST /zia/"))
    assert posts >= 1  # the URL lookup is a POST
    assert counts[labels(zscaler_service="zpa", status="503")] == 2
    assert counts[labels(zscaler_service="zpa", status="200")] == arrived(fresh_simulator, "zpa") - 2
    assert counts[labels(zscaler_service="zia", status="200")] == arrived(fresh_simulator, "zia")
    per_service: Counter[str] = Counter()
    for key, value in counts.items():
        per_service[dict(key)["zscaler_service"]] += int(value)
    assert per_service == {service: arrived(fresh_simulator, service) for service in ("zia", "zpa")}


async def test_an_attempt_with_no_answer_is_counted_as_none(
    fresh_simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap]
) -> None:
    fault(fresh_simulator, status=0, match="ruleLabels", times=-1, delaySeconds=2.0)
    with run_gateway(
        fresh_simulator.url,
        str(configmap(POLICY).config_path),
        metrics_port=free_port(),
        upstream_timeout_seconds=0.3,
    ) as running:
        async with mcp.Client(running.mcp_url, mode="legacy") as client:
            assert (await client.call_tool("zia_list_rule_labels", {})).is_error
        counts = upstream_counts(running)
    assert counts == {labels(zscaler_service="zia", status="none"): arrived(fresh_simulator, "zia")}
