"""The real gateway over streamable HTTP, driven by the real MCP client, on the real SDK + simulator."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import mcp_types as types
import pytest
from mcp import Client

from tests.support.kubelet import ProjectedConfigMap
from tests.support.servers import RunningGateway, run_gateway
from zscaler_mcp_gateway.simulator import RunningSimulator

GatewayFactory = Callable[..., RunningGateway]
SG_WRITES = {"zpa_create_segment_group", "zpa_update_segment_group", "zpa_delete_segment_group"}


async def tool_names(url: str, mode: str = "legacy") -> set[str]:
    async with Client(url, mode=mode) as client:
        return {t.name for t in (await client.list_tools()).tools}


def payload(result: types.CallToolResult) -> Any:
    return json.loads(result.content[0].text)  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_served_tools_follow_the_policy_in_both_protocol_eras(gateway_with: GatewayFactory, mode: str) -> None:
    gw = gateway_with("services: [zpa]\ntoolsets: [zpa_segment_groups, zia_rule_labels]\ndisabledTools: [zpa_get_*]\n")
    names = await tool_names(gw.mcp_url, mode)
    assert names == {
        "zpa_list_segment_groups",
        "zscaler_list_toolsets",
        "zscaler_get_toolset_tools",
        "zscaler_enable_toolset",
    }


async def test_write_tools_appear_only_with_the_switch_and_a_matching_pattern(gateway_with: GatewayFactory) -> None:
    off = gateway_with("toolsets: [zpa_segment_groups]\nwrite: {enabled: false, allowlist: ['*']}\n")
    assert not (await tool_names(off.mcp_url)) & SG_WRITES
    empty = gateway_with("toolsets: [zpa_segment_groups]\nwrite: {enabled: true, allowlist: []}\n")
    assert not (await tool_names(empty.mcp_url)) & SG_WRITES
    some = gateway_with(
        "toolsets: [zpa_segment_groups]\nwrite: {enabled: true, allowlist: [zpa_create_*, zpa_delete_*]}\n"
    )
    assert (await tool_names(some.mcp_url)) & SG_WRITES == {"zpa_create_segment_group", "zpa_delete_segment_group"}


async def test_tools_carry_annotations_and_described_parameters(gateway_with: GatewayFactory) -> None:
    gw = gateway_with("toolsets: [zpa_segment_groups]\nwrite: {enabled: true, allowlist: ['*']}\n")
    async with Client(gw.mcp_url, mode="legacy") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        instructions = client.instructions or ""
    assert tools["zpa_list_segment_groups"].annotations.read_only_hint is True
    assert tools["zpa_delete_segment_group"].annotations.destructive_hint is True
    assert tools["zpa_list_segment_groups"].input_schema["properties"]["page_size"]["maximum"] == 500
    assert "microtenant" in instructions and "zia_activate_configuration" not in instructions


async def test_read_tool_returns_simulator_records_verbatim_across_every_page(
    gateway_with: GatewayFactory, simulator: RunningSimulator
) -> None:
    gw = gateway_with("toolsets: [zpa_segment_groups]\n")
    async with Client(gw.mcp_url, mode="legacy") as client:
        result = await client.call_tool("zpa_list_segment_groups", {"page_size": 1})
    assert not result.is_error
    data = payload(result)
    # one record per page: the official server returned page one only
    assert data["count"] >= 3 and data["pages"] == data["count"] == len(data["items"])
    finance = next(r for r in data["items"] if r["name"] == "SG-Finance")
    assert finance["creationTime"] == "1718000000"  # the SDK model would have dropped it


def test_the_upstream_client_is_built_after_start_before_any_call(
    gateway_with: GatewayFactory, simulator: RunningSimulator
) -> None:
    """The SDK's import and client set-up happen in the background once serving, not in the first call."""

    def api_requests() -> dict[str, int]:
        return {
            k: n for k, n in httpx.get(f"{simulator.url}/_sim/requests", timeout=5).json().items() if "/_sim/" not in k
        }

    requests_before = api_requests()
    gw = gateway_with("toolsets: [zpa_segment_groups]\nentitlementFilter: false\n")
    deadline = time.monotonic() + 10
    while not gw.gateway.upstream.warm_client and time.monotonic() < deadline:
        time.sleep(0.02)
    assert gw.gateway.upstream.warm_client
    assert api_requests() == requests_before  # built, not called: no token fetched, no API request


async def test_create_get_delete_round_trip_persists_upstream(
    gateway_with: GatewayFactory, simulator: RunningSimulator
) -> None:
    gw = gateway_with("toolsets: [zpa_segment_groups]\nwrite: {enabled: true, allowlist: ['zpa_*_segment_group']}\n")

    async def approve(context: object, params: types.ElicitRequestParams) -> types.ElicitResult:
        return types.ElicitResult(action="accept", content={"confirm": True})  # deletes need a human

    async with Client(gw.mcp_url, mode="auto", elicitation_callback=approve) as client:
        created = payload(await client.call_tool("zpa_create_segment_group", {"name": "SG-RoundTrip", "enabled": True}))
        group_id = created["id"]
        fetched = await client.call_tool("zpa_get_segment_group", {"group_id": group_id})
        assert payload(fetched)["name"] == "SG-RoundTrip"
        deleted = await client.call_tool("zpa_delete_segment_group", {"group_id": group_id})
        assert not deleted.is_error
        gone = await client.call_tool("zpa_get_segment_group", {"group_id": group_id})
    assert gone.is_error
    assert "404" in gone.content[0].text and "not found" in gone.content[0].text  # type: ignore[union-attr]


async def test_bad_arguments_and_unknown_tools_are_clear_errors(gateway_with: GatewayFactory) -> None:
    gw = gateway_with("toolsets: [zpa_segment_groups]\n")
    async with Client(gw.mcp_url, mode="legacy") as client:
        wrong = await client.call_tool("zpa_list_segment_groups", {"page_size": "ten"})
        unknown = await client.call_tool("zpa_no_such_tool", {})
        denied = await client.call_tool("zpa_delete_segment_group", {"group_id": "1"})
        still_fine = await client.call_tool("zpa_list_segment_groups", {})
    assert wrong.is_error and "argument 'page_size': expected integer, got string" in wrong.content[0].text  # type: ignore[union-attr]
    assert unknown.is_error and "Unknown tool 'zpa_no_such_tool'" in unknown.content[0].text  # type: ignore[union-attr]
    assert denied.is_error and "write.enabled is false" in denied.content[0].text  # type: ignore[union-attr]
    assert not still_fine.is_error


async def _wait_for(predicate: Callable[[], Any], timeout: float = 1.0) -> float:
    start = time.monotonic()
    while not await predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def test_kubelet_swap_adds_a_toolset_live_and_notifies_legacy_sessions(gateway_with: GatewayFactory) -> None:
    gw = gateway_with("toolsets: [zpa_segment_groups]\n")
    notified = asyncio.Event()

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            notified.set()

    async with Client(gw.mcp_url, mode="legacy", message_handler=on_message) as client:
        assert "zia_list_rule_labels" not in {t.name for t in (await client.list_tools()).tools}
        gw.configmap.update({"config.yaml": "toolsets: [zpa_segment_groups, zia_rule_labels]\n"})  # type: ignore[attr-defined]

        async def listed() -> bool:
            return "zia_list_rule_labels" in {t.name for t in (await client.list_tools()).tools}

        assert await _wait_for(listed, 1.0) < 1.0
        await asyncio.wait_for(notified.wait(), 2.0)
    assert gw.gateway.store.current.number == 2


async def test_modern_clients_hear_list_changed_through_subscriptions_listen(gateway_with: GatewayFactory) -> None:
    gw = gateway_with("toolsets: [zpa_segment_groups]\n")
    async with Client(gw.mcp_url, mode="auto") as client:
        assert client.protocol_version == "2026-07-28"
        async with client.listen(tools_list_changed=True) as subscription:
            gw.configmap.update({"config.yaml": "toolsets: [zia_rule_labels]\n"})  # type: ignore[attr-defined]
            event = await asyncio.wait_for(subscription.__anext__(), 2.0)
        assert type(event).__name__ == "ToolsListChanged"
        names = {t.name for t in (await client.list_tools(cache_mode="refresh")).tools}
    assert "zia_list_rule_labels" in names and "zpa_list_segment_groups" not in names


async def test_invalid_swap_keeps_the_last_good_generation_and_is_reported(gateway_with: GatewayFactory) -> None:
    gw = gateway_with("toolsets: [zpa_segment_groups]\n")
    gw.configmap.update({"config.yaml": "toolsets: [zpa_segment_groups, zia_bogus]\nwrite: {enabled: yes please}\n"})  # type: ignore[attr-defined]
    store = gw.gateway.store

    async def failed() -> bool:
        return store.reload_status.failures == 1

    await _wait_for(failed, 2.0)
    assert store.current.number == 1
    assert "zpa_list_segment_groups" in await tool_names(gw.mcp_url)
    async with httpx.AsyncClient() as http:
        ready = (await http.get(gw.url + "/readyz")).json()
    assert ready["ready"] is True
    errors = ready["config"]["lastReloadError"]
    assert any("zia_bogus" in e for e in errors) and any(e.startswith("write.enabled") for e in errors)


async def test_a_tool_removed_by_reload_is_refused_even_from_a_cached_list(gateway_with: GatewayFactory) -> None:
    gw = gateway_with("toolsets: [zpa_segment_groups, zia_rule_labels]\n")
    async with Client(gw.mcp_url, mode="legacy") as client:
        assert "zia_list_rule_labels" in {t.name for t in (await client.list_tools()).tools}
        gw.configmap.update({"config.yaml": "toolsets: [zpa_segment_groups]\n"})  # type: ignore[attr-defined]

        async def removed() -> bool:
            return gw.gateway.store.current.number == 2

        await _wait_for(removed, 2.0)
        result = await client.call_tool("zia_list_rule_labels", {})
    assert result.is_error
    assert "not allowed by the current policy (generation 2)" in result.content[0].text  # type: ignore[union-attr]


async def test_a_call_in_flight_finishes_under_the_generation_it_started_with(
    configmap: Callable[[str], ProjectedConfigMap], fresh_simulator: RunningSimulator
) -> None:
    cm = configmap("toolsets: [zia_rule_labels]\n")
    with run_gateway(fresh_simulator.url, str(cm.config_path)) as running:
        httpx.post(fresh_simulator.url + "/_sim/faults", json={"status": 0, "delaySeconds": 1.0, "match": "ruleLabels"})
        async with Client(running.mcp_url, mode="legacy") as client:
            call = asyncio.create_task(client.call_tool("zia_list_rule_labels", {}))
            await asyncio.sleep(0.3)
            cm.update({"config.yaml": "toolsets: [zpa_segment_groups]\n"})  # removes the tool mid-call
            result = await asyncio.wait_for(call, 5.0)
            assert running.gateway.store.current.number == 2
            assert not result.is_error and payload(result)["count"] == 3
            refused = await client.call_tool("zia_list_rule_labels", {})
        assert refused.is_error


async def test_meta_tools_discover_and_enable_toolsets_within_the_policy(gateway_with: GatewayFactory) -> None:
    gw = gateway_with("services: [zia, zpa]\ntoolsets: [zpa_segment_groups]\ndisabledToolsets: [zia_url_filtering]\n")
    async with Client(gw.mcp_url, mode="legacy") as client:
        listed = payload(await client.call_tool("zscaler_list_toolsets", {"service": "zpa"}))
        rows = {row["id"]: row for row in listed["toolsets"]}
        assert rows["zpa_segment_groups"]["served_tools"] == 2 and rows["zpa_server_groups"]["served_tools"] == 0
        detail = payload(await client.call_tool("zscaler_get_toolset_tools", {"toolset": "zpa_segment_groups"}))
        reasons = {t["name"]: t.get("reason") for t in detail["tools"]}
        assert reasons["zpa_list_segment_groups"] is None
        assert "write.enabled is false" in reasons["zpa_delete_segment_group"]

        refused = payload(await client.call_tool("zscaler_enable_toolset", {"toolset": "zia_url_filtering"}))
        assert refused == {
            "toolset": "zia_url_filtering",
            "can_enable": False,
            "reason": "toolset 'zia_url_filtering' is in disabledToolsets",
        }
        other_service = payload(await client.call_tool("zscaler_enable_toolset", {"toolset": "zdx_alerts"}))
        assert other_service["can_enable"] is False and "service 'zdx'" in other_service["reason"]

        enabled = payload(await client.call_tool("zscaler_enable_toolset", {"toolset": "zia_rule_labels"}))
        assert enabled["can_enable"] is True and set(enabled["tools"]) == {"zia_list_rule_labels", "zia_get_rule_label"}
        assert "zia_list_rule_labels" in {t.name for t in (await client.list_tools()).tools}
        # a reload that takes a toolset out of the file's selection ends the run-time enables too
        gw.configmap.update({"config.yaml": "services: [zia, zpa]\ntoolsets: [zpa_server_groups]\n"})  # type: ignore[attr-defined]

        async def reloaded() -> bool:
            return gw.gateway.store.current.config.toolsets == ("zpa_server_groups",)

        await _wait_for(reloaded, 2.0)
        names = {t.name for t in (await client.list_tools()).tools}
    assert "zpa_list_server_groups" in names and not {"zia_list_rule_labels", "zpa_list_segment_groups"} & names
