"""What a session keeps: an idle session holds neither its last answer nor its last request, and a reaped
session leaves nothing behind in the gateway's per-session registries (the memory goes back for reuse)."""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from tests.support.kubelet import ProjectedConfigMap
from tests.support.security import bearer, new_api_key
from tests.support.servers import RunningGateway
from zscaler_mcp_gateway.sdk_surface import SessionTransport
from zscaler_mcp_gateway.security.options import SecurityOptions
from zscaler_mcp_gateway.sessions import SessionLimits

GatewayFactory = Callable[..., RunningGateway]
POLICY = "toolsets: [all]\nwrite:\n  enabled: false\n"  # the largest listing: every read tool
# A narrow file that lets a session enable more (zscaler_enable_toolset).
POLICY_ENABLING = "services: [zia, zpa]\ntoolsets: [zpa_segment_groups]\n"
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
VERSION = "2025-06-18"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "abandoning", "version": "1"}},
}


def _answer(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 200, response.text[:300]
    if response.headers["content-type"].startswith("text/event-stream"):
        data = [line[5:] for line in response.text.splitlines() if line.startswith("data:") and line[5:].strip()]
        return json.loads(data[-1])  # type: ignore[no-any-return]
    return response.json()  # type: ignore[no-any-return]


class Session:
    """A client that opens a session the way agents do, and may then abandon it (no DELETE)."""

    def __init__(self, http: httpx.Client, url: str, key: str | None = None) -> None:
        self.http, self.url = http, url
        self.auth = bearer(key) if key else {}
        opened = http.post(url, json=INITIALIZE, headers={**HEADERS, **self.auth})
        _answer(opened)
        self.id = opened.headers["mcp-session-id"]
        self.headers = {**HEADERS, **self.auth, "Mcp-Session-Id": self.id, "Mcp-Protocol-Version": VERSION}
        http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=self.headers)

    def request(self, method: str, params: dict[str, object]) -> dict[str, object]:
        body = {"jsonrpc": "2.0", "id": 2, "method": method, "params": params}
        return _answer(self.http.post(self.url, json=body, headers=self.headers))

    def tool_names(self) -> set[str]:
        listing = self.request("tools/list", {})["result"]
        return {tool["name"] for tool in listing["tools"]}  # type: ignore[index]

    def open_and_drop_get_stream(self) -> None:
        with self.http.stream("GET", self.url, headers=self.headers) as stream:
            assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")


def _listing_answers_alive(tools: int) -> int:
    """`tools/list` results (as the SDK shapes them) still reachable in this process."""
    gc.collect()
    return sum(
        1
        for o in gc.get_objects()
        if isinstance(o, dict) and isinstance(o.get("tools"), list) and len(o["tools"]) == tools
    )


def _requests_alive(session_ids: set[str]) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Request) and o.headers.get("mcp-session-id") in session_ids)


def _sessions_open(gw: RunningGateway) -> float:
    for line in gw.gateway.telemetry.metrics.render().splitlines():
        if line.startswith("zscaler_mcp_sessions_open "):
            return float(line.split()[1])
    raise AssertionError("no zscaler_mcp_sessions_open series")


def test_an_idle_session_holds_neither_its_last_answer_nor_its_last_request(gateway_with: GatewayFactory) -> None:
    gw = gateway_with(POLICY)
    with httpx.Client(timeout=30) as http:
        sessions = [Session(http, gw.mcp_url) for _ in range(3)]
        served = {len(s.tool_names()) for s in sessions}
        assert len(served) == 1
        listed = served.pop()
        assert listed > 200  # every read tool: a listing answer of some 800 KB in memory
        # Sessions open, idle, never deleted: what they answered and what they were asked is not kept.
        assert _sessions_open(gw) == 3
        assert _listing_answers_alive(listed) == 0
        assert _requests_alive({s.id for s in sessions}) == 0
        # ... and they still answer.
        assert all(len(s.tool_names()) == listed for s in sessions)


@pytest.fixture
def api_keys(tmp_path: Path) -> tuple[str, str]:
    key = new_api_key()
    return str(ProjectedConfigMap(tmp_path / "api-keys", {"abandoner": key}).directory), key


def test_a_reaped_session_leaves_nothing_behind(gateway_with: GatewayFactory, api_keys: tuple[str, str]) -> None:
    directory, key = api_keys
    limits = SessionLimits(idle_timeout_seconds=1, max_sessions=50, max_sessions_per_principal=10)
    gw = gateway_with(POLICY_ENABLING, security=SecurityOptions(api_keys_dir=directory), sessions=limits)
    manager, toolsets = gw.gateway.session_manager, gw.gateway.session_toolsets
    assert manager is not None and toolsets is not None
    with httpx.Client(timeout=30) as http:
        sessions = [Session(http, gw.mcp_url, key) for _ in range(3)]
        for session in sessions:
            session.tool_names()
        enable = {"name": "zscaler_enable_toolset", "arguments": {"toolset": "zia_rule_labels"}}
        assert not sessions[0].request("tools/call", enable)["result"].get("isError")  # type: ignore[attr-defined]
        assert "zia_list_rule_labels" in sessions[0].tool_names()
        sessions[1].open_and_drop_get_stream()
        sessions[2].request("tools/call", {"name": "zpa_list_segment_groups", "arguments": {}})
        ids = {s.id for s in sessions}
        assert _sessions_open(gw) == 3 and manager.open_by_principal == {"abandoner": 3} and len(toolsets) == 1

        deadline = time.monotonic() + 30
        while _sessions_open(gw) > 0:
            assert time.monotonic() < deadline, "idle sessions were never reaped"
            time.sleep(0.1)

        gc.collect()
        assert manager.open_by_principal == {} and manager.principal_of_session == {}
        assert len(toolsets) == 0  # the enable went with its session
        assert len(gw.gateway.broadcaster.connections) == 0  # no session left to tell list_changed
        alive = [o for o in gc.get_objects() if isinstance(o, SessionTransport) and o.mcp_session_id in ids]
        assert alive == []
        assert _requests_alive(ids) == 0
        # The principal's whole allowance is back and a new session works.
        assert "zpa_list_segment_groups" in Session(http, gw.mcp_url, key).tool_names()
