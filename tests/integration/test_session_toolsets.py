"""`zscaler_enable_toolset` enables for the session that asked, within the file, and says what it is."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import mcp_types as types
from mcp import Client

from tests.support.servers import RunningGateway

GatewayFactory = Callable[..., RunningGateway]
POLICY = "services: [zia, zpa]\ntoolsets: [zpa_segment_groups]\n"
LABELS = {"zia_list_rule_labels", "zia_get_rule_label"}


def _payload(result: Any) -> Any:
    return json.loads(result.content[0].text)


async def _names(client: Client) -> set[str]:
    return {t.name for t in (await client.list_tools()).tools}


async def _until(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.02)


async def test_an_enable_is_the_asking_sessions_alone(gateway_with: GatewayFactory) -> None:
    gw = gateway_with(POLICY)
    async with Client(gw.mcp_url, mode="legacy") as asking, Client(gw.mcp_url, mode="legacy") as other:
        enabled = _payload(await asking.call_tool("zscaler_enable_toolset", {"toolset": "zia_rule_labels"}))
        assert enabled["can_enable"] is True and set(enabled["tools"]) == LABELS
        assert LABELS <= await _names(asking)
        assert not LABELS & await _names(other)
        refused = await other.call_tool("zia_list_rule_labels", {})
        allowed = await asking.call_tool("zia_list_rule_labels", {})
        assert refused.is_error and "not allowed by the current policy" in refused.content[0].text  # type: ignore[union-attr]
        assert not allowed.is_error
        assert gw.gateway.store.current.number == 1  # no process-wide generation was published
    await _until(lambda: len(gw.gateway.session_toolsets or ()) == 0, "the closed session's enables forgotten")


async def test_the_asking_session_alone_hears_list_changed(gateway_with: GatewayFactory) -> None:
    gw = gateway_with(POLICY)
    heard: dict[str, asyncio.Event] = {"asking": asyncio.Event(), "other": asyncio.Event()}

    def listener(name: str) -> Callable[[Any], Awaitable[None]]:
        async def on_message(message: Any) -> None:
            if isinstance(message, types.ToolListChangedNotification):
                heard[name].set()

        return on_message

    async with (
        Client(gw.mcp_url, mode="legacy", message_handler=listener("asking")) as asking,
        Client(gw.mcp_url, mode="legacy", message_handler=listener("other")) as other,
    ):
        await other.list_tools()
        await asking.call_tool("zscaler_enable_toolset", {"toolset": "zia_rule_labels"})
        await asyncio.wait_for(heard["asking"].wait(), 10.0)
        await other.call_tool("zscaler_list_toolsets", {})  # a round trip on the other session after the enable
    assert not heard["other"].is_set()


async def test_a_reload_that_forbids_an_enabled_toolset_ends_the_enable(gateway_with: GatewayFactory) -> None:
    gw = gateway_with(POLICY)
    async with Client(gw.mcp_url, mode="legacy") as client:
        await client.call_tool("zscaler_enable_toolset", {"toolset": "zia_rule_labels"})
        assert LABELS <= await _names(client)
        gw.configmap.update({"config.yaml": POLICY + "disabledToolsets: [zia_rule_labels]\n"})  # type: ignore[attr-defined]
        await _until(lambda: gw.gateway.store.current.number == 2, "the narrower file applied")
        assert not LABELS & await _names(client)
        refused = await client.call_tool("zia_list_rule_labels", {})
    assert refused.is_error


async def test_without_a_session_the_meta_tool_says_the_policy_decides(gateway_with: GatewayFactory) -> None:
    stateful, stateless = gateway_with(POLICY), gateway_with(POLICY, stateless_http=True)
    answers = []
    for gw, mode in ((stateful, "2026-07-28"), (stateless, "legacy")):
        async with Client(gw.mcp_url, mode=mode) as client:
            answers.append(_payload(await client.call_tool("zscaler_enable_toolset", {"toolset": "zia_rule_labels"})))
            assert not LABELS & await _names(client)
    for answer in answers:
        assert answer["can_enable"] is False and "set by the policy file" in answer["reason"]


async def test_enable_toolset_is_annotated_as_the_state_change_it_is(gateway_with: GatewayFactory) -> None:
    gw = gateway_with(POLICY)
    async with Client(gw.mcp_url, mode="legacy") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    hints = tools["zscaler_enable_toolset"].annotations
    assert hints is not None and hints.read_only_hint is False and hints.destructive_hint is False
    assert tools["zscaler_list_toolsets"].annotations.read_only_hint is True  # type: ignore[union-attr]
