"""`notifications/tools/list_changed` reaches every session that can receive it, and only those are promised it.

Through the real `mcp` client in both eras: a handshake-era session hears it from `initialize` on, whether
or not it listed or called (on the fast lane or off it); a stateless gateway does not advertise
`tools.listChanged` to handshake-era clients (it has no stream to keep the promise on), while 2026-07-28
clients keep hearing changes through `subscriptions/listen`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import mcp_types as types
import pytest
from mcp import Client

from tests.support.servers import RunningGateway

GatewayFactory = Callable[..., RunningGateway]
BEFORE = "toolsets: [zpa_segment_groups]\n"
AFTER = "toolsets: [zpa_segment_groups, zia_rule_labels]\n"


def listener() -> tuple[asyncio.Event, Callable[[Any], Any]]:
    heard = asyncio.Event()

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            heard.set()

    return heard, on_message


@pytest.mark.parametrize("fast_lane", [True, False], ids=["fast-lane", "sdk-path"])
@pytest.mark.parametrize("activity", ["initialize-only", "calls-only"])
async def test_every_legacy_session_hears_list_changed_from_initialize_on(
    gateway_with: GatewayFactory, fast_lane: bool, activity: str
) -> None:
    gw = gateway_with(BEFORE, fast_lane=fast_lane)
    heard, on_message = listener()
    async with Client(gw.mcp_url, mode="legacy", message_handler=on_message) as client:
        assert client.server_capabilities.tools is not None and client.server_capabilities.tools.list_changed
        if activity == "calls-only":  # never lists: the fast lane answers its calls without the SDK
            assert not (await client.call_tool("zpa_list_segment_groups", {})).is_error
        await asyncio.sleep(0.2)  # the client's standalone GET stream is open
        gw.configmap.update({"config.yaml": AFTER})  # type: ignore[attr-defined]
        await asyncio.wait_for(heard.wait(), 5.0)
        assert "zia_list_rule_labels" in {t.name for t in (await client.list_tools()).tools}


async def test_stateless_gateway_promises_legacy_clients_no_push_and_they_re_list(gateway_with: GatewayFactory) -> None:
    gw = gateway_with(BEFORE, stateless_http=True)
    async with Client(gw.mcp_url, mode="legacy") as client:
        tools = client.server_capabilities.tools
        assert tools is not None and not tools.list_changed
        gw.configmap.update({"config.yaml": AFTER})  # type: ignore[attr-defined]
        for _ in range(100):  # what a client told "no listChanged" does: list again
            if "zia_list_rule_labels" in {t.name for t in (await client.list_tools()).tools}:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the reload never showed in a listing")


async def test_stateless_gateway_keeps_subscriptions_listen_for_2026_clients(gateway_with: GatewayFactory) -> None:
    gw = gateway_with(BEFORE, stateless_http=True)
    async with Client(gw.mcp_url, mode="2026-07-28") as client:
        assert client.protocol_version == "2026-07-28"
        async with client.listen(tools_list_changed=True) as subscription:
            gw.configmap.update({"config.yaml": AFTER})  # type: ignore[attr-defined]
            event = await asyncio.wait_for(subscription.__anext__(), 5.0)
        assert type(event).__name__ == "ToolsListChanged"
