"""A tools/list answer is what the SDK's own outbound pass makes of the whole list, in each protocol era.

The gateway shapes each tool once per protocol version and puts the shaped tools into the SDK's answer
to an empty list (mcp_server.ToolListing), instead of letting the SDK validate every tool of every
listing. A real MCP client in each era must see exactly what that pass would have sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client
from mcp_types.methods import serialize_server_result

from tests.support.servers import RunningGateway

EVERY_TOOL = "toolsets: [all]\nwrite: {enabled: true, allowlist: ['*']}\n"


def sdk_pass(version: str, wire_tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    whole = {"tools": wire_tools, "resultType": "complete", "ttlMs": 500, "cacheScope": "private"}
    shaped: list[dict[str, Any]] = serialize_server_result("tools/list", version, whole)["tools"]
    return shaped


async def listing(url: str, mode: str) -> tuple[str, list[dict[str, Any]]]:
    async with Client(url, mode=mode) as client:
        tools = (await client.list_tools()).tools
        return client.protocol_version, [
            tool.model_dump(by_alias=True, mode="json", exclude_none=True) for tool in tools
        ]


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_every_listed_tool_is_the_sdks_shaping_of_it(
    gateway_with: Callable[..., RunningGateway], mode: str
) -> None:
    running = gateway_with(EVERY_TOOL)
    version, listed = await listing(running.mcp_url, mode)
    expected = sdk_pass(version, list(running.gateway.store.current.wire_tools.values()))
    assert len(listed) > 300
    assert listed == expected
    assert await listing(running.mcp_url, mode) == (version, listed)  # a second client: the kept forms again
