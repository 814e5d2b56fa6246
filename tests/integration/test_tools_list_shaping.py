"""A tools/list answer is what the SDK's own outbound pass makes of the whole list, in each protocol era.

(The unit test in tests/unit/test_generation.py checks the key order of every version's forms; here a
real client in each era, and the raw bytes of a handshake-era answer.)

The gateway shapes each tool once per protocol version and puts the shaped tools into the SDK's answer
to an empty list (mcp_server.ToolListing), instead of letting the SDK validate every tool of every
listing. A real MCP client in each era must see exactly what that pass would have sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR
from mcp_types.methods import serialize_server_result

from tests.support.servers import RunningGateway
from zscaler_mcp_gateway.generation import DUMP, Generation, mcp_tool

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
    expected = sdk_pass(
        version, [mcp_tool(tool).model_dump(**DUMP) for tool in running.gateway.store.current.tools.values()]
    )
    assert len(listed) > 300
    assert listed == expected
    assert await listing(running.mcp_url, mode) == (version, listed)  # a second client: the kept forms again


HANDSHAKE = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def raw_listing_tools(url: str, version: str) -> str:
    """The `tools` of a raw tools/list answer, re-serialised in the order the bytes had it."""
    with httpx.Client(timeout=30, headers={**HANDSHAKE, "MCP-Protocol-Version": version}) as http:
        params = {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}
        init = http.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
        session = {"Mcp-Session-Id": init.headers["mcp-session-id"]}
        http.post(url, headers=session, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
        answer = http.post(url, headers=session, json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    body = answer.text
    if answer.headers["content-type"].startswith("text/event-stream"):
        body = [line[5:].strip() for line in body.splitlines() if line.startswith("data:")][-1]
    return json.dumps(json.loads(body)["result"]["tools"])


def test_a_handshake_era_answer_has_the_sdks_bytes_key_order_included(
    gateway_with: Callable[..., RunningGateway],
) -> None:
    running = gateway_with(EVERY_TOOL)
    dumps = [mcp_tool(tool).model_dump(**DUMP) for tool in running.gateway.store.current.tools.values()]
    assert raw_listing_tools(running.mcp_url, "2025-06-18") == json.dumps(sdk_pass("2025-06-18", dumps))


async def test_a_tool_its_surface_refuses_is_a_logged_internal_error_not_the_clients_fault(
    gateway_with: Callable[..., RunningGateway], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    running = gateway_with("toolsets: [zpa_segment_groups]\n")

    def refused(self: Generation, version: str) -> Any:
        return serialize_server_result("tools/list", version, {"tools": [{"name": 1}]})  # raises ValidationError

    monkeypatch.setattr(Generation, "wire_tools_at", refused)
    async with Client(running.mcp_url) as client:
        with pytest.raises(MCPError) as refusal:
            await client.list_tools()
    assert refusal.value.error.code == INTERNAL_ERROR
    assert "does not fit the" in caplog.text
