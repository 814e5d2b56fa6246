"""The snapshot's wire forms are what a real MCP client receives from tools/list, tool for tool."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from mcp import Client

from tests.support.servers import RunningGateway
from zscaler_mcp_gateway.docs_gen import SNAPSHOT

ROOT = Path(__file__).resolve().parents[2]
EVERY_TOOL = "toolsets: [all]\nwrite: {enabled: true, allowlist: ['*']}\n"


async def test_tools_list_over_http_matches_the_snapshot_for_every_tool(
    gateway_with: Callable[..., RunningGateway],
) -> None:
    snapshot = json.loads((ROOT / SNAPSHOT).read_text(encoding="utf-8"))
    running = gateway_with(EVERY_TOOL)
    async with Client(running.mcp_url) as client:
        listed = {
            tool.name: tool.model_dump(by_alias=True, mode="json", exclude_none=True)
            for tool in (await client.list_tools()).tools
        }
    assert sorted(listed) == sorted(snapshot)
    differing = [name for name, wire in listed.items() if wire != snapshot[name]["wire"]]
    assert differing == []
