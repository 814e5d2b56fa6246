"""Upstream protection through the real server and client: shared reads, the cache, and the rate limiter."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from mcp import Client

from tests.support.kubelet import ProjectedConfigMap
from tests.support.servers import RunningGateway, run_gateway
from tests.support.telemetry import capture_audit, samples
from zscaler_mcp_gateway.simulator import RunningSimulator

GatewayFactory = Callable[[str], RunningGateway]
LIST = "zpa_list_segment_groups"
SEGMENT_GROUPS = "segmentGroup"


@pytest.fixture
def gateway(
    fresh_simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap]
) -> Iterator[GatewayFactory]:
    with contextlib.ExitStack() as stack:

        def start(policy: str) -> RunningGateway:
            cm = configmap(policy)
            running = stack.enter_context(run_gateway(fresh_simulator.url, str(cm.config_path)))
            running.configmap = cm  # type: ignore[attr-defined]
            return running

        yield start


def upstream_requests(sim: RunningSimulator, method: str = "GET") -> int:
    counts = httpx.get(f"{sim.url}/_sim/requests", timeout=5).json()
    return sum(n for key, n in counts.items() if SEGMENT_GROUPS in key and key.startswith(method + " "))


def hold_next_request(sim: RunningSimulator, seconds: float) -> None:
    """The next segment-group request hangs `seconds` before it is answered: calls pile up behind it."""
    spec = {"match": SEGMENT_GROUPS, "status": 0, "delaySeconds": seconds, "times": 1}
    httpx.post(f"{sim.url}/_sim/faults", json=spec, timeout=5).raise_for_status()


def payload(result: Any) -> Any:
    assert not result.is_error, result.content[0].text
    return json.loads(result.content[0].text)


async def test_identical_concurrent_reads_share_one_upstream_request(
    gateway: GatewayFactory, fresh_simulator: RunningSimulator
) -> None:
    gw = gateway("toolsets: [zpa_segment_groups]\n")
    async with Client(gw.mcp_url, mode="2026-07-28") as client:
        await client.list_tools()
        before = upstream_requests(fresh_simulator)
        hold_next_request(fresh_simulator, 3.0)  # long enough for all 32 calls to arrive, even on a busy machine
        with capture_audit() as audit:
            results = await asyncio.gather(*(client.call_tool(LIST, {}) for _ in range(32)))
    answers = [payload(r) for r in results]
    assert all(answer == answers[0] for answer in answers) and answers[0]["count"] > 0
    assert upstream_requests(fresh_simulator) - before <= 2
    shared = [e.get("shared") for e in audit.events() if e["tool"] == LIST]
    assert len(shared) == 32 and shared.count("coalesced") >= 30 and all(e["outcome"] == "ok" for e in audit.events())
    metrics = samples(gw.gateway.telemetry.metrics.render(), "zscaler_mcp_upstream_shared_calls_total")
    assert sum(metrics.values()) == shared.count("coalesced")


async def test_cached_reads_until_a_write_of_the_service_clears_them(
    gateway: GatewayFactory, fresh_simulator: RunningSimulator
) -> None:
    gw = gateway(
        "toolsets: [zpa_segment_groups]\nupstream: {cacheTtlSeconds: 300}\n"
        "write: {enabled: true, allowlist: ['zpa_create_segment_group']}\n"
    )
    async with Client(gw.mcp_url, mode="2026-07-28") as client:
        first = payload(await client.call_tool(LIST, {}))
        before = upstream_requests(fresh_simulator)
        with capture_audit() as audit:
            assert payload(await client.call_tool(LIST, {})) == first
        assert upstream_requests(fresh_simulator) == before
        assert audit.events()[0]["shared"] == "cached"
        payload(await client.call_tool("zpa_create_segment_group", {"name": "after-the-cache"}))
        after = payload(await client.call_tool(LIST, {}))
    assert after["count"] == first["count"] + 1
    assert any(item.get("name") == "after-the-cache" for item in after["items"])


async def test_the_policy_is_checked_before_any_cached_answer(
    gateway: GatewayFactory, fresh_simulator: RunningSimulator
) -> None:
    gw = gateway("toolsets: [zpa_segment_groups]\nupstream: {cacheTtlSeconds: 300}\n")
    async with Client(gw.mcp_url, mode="2026-07-28") as client:
        payload(await client.call_tool(LIST, {}))
        served = gw.gateway.store.current.number
        narrowed = f"toolsets: [zpa_segment_groups]\ndisabledTools: [{LIST}]\nupstream: {{cacheTtlSeconds: 300}}\n"
        gw.configmap.update({"config.yaml": narrowed})  # type: ignore[attr-defined]
        for _ in range(100):
            if gw.gateway.store.current.number != served:
                break
            await asyncio.sleep(0.05)
        result = await client.call_tool(LIST, {})
    assert result.is_error and "not allowed by the current policy" in result.content[0].text


async def test_the_limiter_follows_the_apis_headers_so_no_429_reaches_a_client(
    gateway: GatewayFactory, fresh_simulator: RunningSimulator
) -> None:
    httpx.post(f"{fresh_simulator.url}/_sim/ratelimit", json={"limit": 5}, timeout=5).raise_for_status()
    gw = gateway("toolsets: [zpa_segment_groups]\nupstream: {coalesceReads: false}\n")
    async with Client(gw.mcp_url, mode="2026-07-28") as client:
        await client.list_tools()
        results = await asyncio.gather(*(client.call_tool(LIST, {}) for _ in range(15)))
    texts = [r.content[0].text for r in results]
    assert all(not r.is_error for r in results), texts
    rejected = httpx.get(f"{fresh_simulator.url}/_sim/ratelimit", timeout=5).json()["rejected"]
    assert rejected == 0  # paced by the API's windows and headers: nothing sent that the API would refuse
    waits = samples(gw.gateway.telemetry.metrics.render(), "zscaler_mcp_upstream_limiter_wait_seconds_count")
    assert sum(waits.values()) > 0


async def test_replicas_share_the_tenants_quota_so_together_they_draw_no_429(
    fresh_simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap]
) -> None:
    httpx.post(f"{fresh_simulator.url}/_sim/ratelimit", json={"limit": 6}, timeout=5).raise_for_status()
    policy = configmap("toolsets: [zpa_segment_groups]\nupstream: {coalesceReads: false}\n")
    with contextlib.ExitStack() as stack:
        replicas = [
            stack.enter_context(run_gateway(fresh_simulator.url, str(policy.config_path), replicas=2)) for _ in range(2)
        ]

        async def calls(gw: RunningGateway) -> list[Any]:
            async with Client(gw.mcp_url, mode="2026-07-28") as client:
                return await asyncio.gather(*(client.call_tool(LIST, {"search": f"s{i}"}) for i in range(12)))

        answered = await asyncio.gather(*(calls(gw) for gw in replicas))
    results = [r for each in answered for r in each]
    assert all(not r.is_error for r in results), [r.content[0].text for r in results if r.is_error]
    assert httpx.get(f"{fresh_simulator.url}/_sim/ratelimit", timeout=5).json()["rejected"] == 0


async def test_a_spent_quota_is_a_clear_result_naming_when_to_retry(
    gateway: GatewayFactory, fresh_simulator: RunningSimulator
) -> None:
    gw = gateway("toolsets: [zpa_segment_groups, zia_rule_labels]\n")
    spec = {"match": SEGMENT_GROUPS, "status": 429, "retryAfter": 90, "times": 1}
    httpx.post(f"{fresh_simulator.url}/_sim/faults", json=spec, timeout=5).raise_for_status()
    async with Client(gw.mcp_url, mode="2026-07-28") as client:
        await client.call_tool(LIST, {})  # the API's own 429: reported, not slept through
        before = upstream_requests(fresh_simulator)
        refused = await client.call_tool(LIST, {})
        other = await client.call_tool("zia_list_rule_labels", {})
    text = refused.content[0].text
    assert refused.is_error and "ZPA API rate limited by Zscaler" in text and "retry after" in text
    assert "429" not in text and upstream_requests(fresh_simulator) == before
    assert not other.is_error


async def test_calls_waiting_out_a_spent_quota_hold_no_slot_another_service_needs(
    gateway: GatewayFactory, fresh_simulator: RunningSimulator
) -> None:
    gw = gateway(
        "toolsets: [zpa_segment_groups, zia_rule_labels]\n"
        "upstream: {perPrincipalConcurrency: 2, coalesceReads: false}\n"
    )
    # longer than the retry budget (the 429 is reported, not slept through), shorter than a call may wait for room
    spec = {"match": SEGMENT_GROUPS, "status": 429, "retryAfter": 9, "times": 1}
    httpx.post(f"{fresh_simulator.url}/_sim/faults", json=spec, timeout=5).raise_for_status()
    finished: list[str] = []
    async with Client(gw.mcp_url, mode="2026-07-28") as client:
        await client.call_tool(LIST, {})  # the API's 429: ZPA is held for 9 s

        async def call(tool: str, arguments: dict[str, Any]) -> Any:
            result = await client.call_tool(tool, arguments)
            finished.append(tool)
            return result

        zpa = [asyncio.create_task(call(LIST, {"search": f"s{i}"})) for i in range(4)]
        await asyncio.sleep(0.5)  # the ZPA calls are waiting for their quota, more than the principal's 2 slots
        zia = await call("zia_list_rule_labels", {})
        results = await asyncio.gather(*zpa)
    assert not zia.is_error and finished[0] == "zia_list_rule_labels"
    assert all(not r.is_error for r in results), [r.content[0].text for r in results]
