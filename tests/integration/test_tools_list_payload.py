"""tools/list is smaller than the official server's for the same selection, with every parameter described.

The official zscaler-mcp 0.15.4 answered tools/list with 266,021 bytes (SSE body) for its 254 default tools
(every toolset, read-only) and 389,184 bytes for all 402 (every toolset plus writes); 41 % of the first is
one JMESPath parameter description repeated 164 times, and no other parameter is described. Measured here
over real HTTP, as the body bytes a client receives, for the same two selections (plus our 3 meta tools).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.servers import RunningGateway

OFFICIAL_BYTES = {"read-only": 266_021, "with-writes": 389_184}
POLICIES = {
    "read-only": "toolsets: [all]\n",
    "with-writes": "toolsets: [all]\nwrite: {enabled: true, allowlist: ['*']}\n",
}
HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "MCP-Protocol-Version": "2025-06-18",
}


def _message(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC answer, whether the server framed it as JSON or as one SSE event."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
        return json.loads(data[-1])  # type: ignore[no-any-return]
    return response.json()  # type: ignore[no-any-return]


def _tools_list(url: str) -> tuple[int, list[dict[str, Any]]]:
    with httpx.Client(timeout=30) as http:
        init = http.post(
            url,
            headers=HEADERS,
            json={
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "payload-test", "version": "1"},
                },
            },
        )
        init.raise_for_status()
        session = {"Mcp-Session-Id": init.headers["mcp-session-id"]} if "mcp-session-id" in init.headers else {}
        http.post(
            url, headers={**HEADERS, **session}, json={"jsonrpc": "2.0", "method": "notifications/initialized"}
        ).raise_for_status()
        listed = http.post(
            url, headers={**HEADERS, **session}, json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
        )
        listed.raise_for_status()
        message = _message(listed)
        assert "nextCursor" not in message["result"], "one page holds the whole list"
        return len(listed.content), message["result"]["tools"]


@pytest.mark.parametrize("selection", sorted(POLICIES))
def test_every_toolset_with_described_parameters_fits_in_fewer_bytes_than_the_official_list(
    gateway_with: Callable[..., RunningGateway], record_property: Callable[[str, object], None], selection: str
) -> None:
    gw = gateway_with(POLICIES[selection])
    size, tools = _tools_list(gw.mcp_url)
    record_property("tools_list_bytes", size)
    print(f"tools/list: {len(tools)} tools in {size:,} bytes ({size / len(tools):.0f} B/tool)")
    assert len(tools) == len(gw.gateway.store.current.tools)
    parameters = [schema for tool in tools for schema in tool["inputSchema"].get("properties", {}).values()]
    assert parameters and all(p.get("type") and p.get("description", "").strip() for p in parameters)
    assert size < OFFICIAL_BYTES[selection], f"tools/list is {size:,} bytes for {len(tools)} tools"
