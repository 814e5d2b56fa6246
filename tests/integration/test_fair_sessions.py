"""Fair sessions: one key holder at its session limit gets 429 while others connect; idle sessions are reaped."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.kubelet import ProjectedConfigMap
from tests.support.security import bearer, mcp_client, new_api_key
from tests.support.servers import RunningGateway
from zscaler_mcp_gateway.security.options import SecurityOptions
from zscaler_mcp_gateway.sessions import SessionLimits

GatewayFactory = Callable[..., RunningGateway]
POLICY = "toolsets: [zpa_segment_groups]\n"
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "greedy", "version": "1"}},
}
PER_PRINCIPAL = 3


def _initialize(gw: RunningGateway, key: str) -> httpx.Response:
    return httpx.post(gw.mcp_url, json=INITIALIZE, headers={**HEADERS, **bearer(key)}, timeout=10)


def _ping(gw: RunningGateway, key: str, session_id: str) -> int:
    headers = {**HEADERS, **bearer(key), "Mcp-Session-Id": session_id, "Mcp-Protocol-Version": "2025-06-18"}
    ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
    return httpx.post(gw.mcp_url, json=ping, headers=headers, timeout=10).status_code


@pytest.fixture
def keys(tmp_path: Path) -> tuple[str, dict[str, str]]:
    keys = {"greedy": new_api_key(), "light": new_api_key()}
    return str(ProjectedConfigMap(tmp_path / "api-keys", keys).directory), keys


async def test_a_principal_at_its_limit_gets_429_others_connect_and_idle_sessions_are_reaped(
    gateway_with: GatewayFactory, keys: tuple[str, dict[str, str]]
) -> None:
    directory, key = keys
    limits = SessionLimits(idle_timeout_seconds=4, max_sessions=50, max_sessions_per_principal=PER_PRINCIPAL)
    gw = gateway_with(POLICY, security=SecurityOptions(api_keys_dir=directory), sessions=limits)
    opened = [_initialize(gw, key["greedy"]) for _ in range(PER_PRINCIPAL)]
    assert [r.status_code for r in opened] == [200] * PER_PRINCIPAL
    refused = _initialize(gw, key["greedy"])
    assert refused.status_code == 429
    message = refused.json()["error"]["message"]
    assert "Too many open sessions for principal 'greedy': the limit is 3" in message

    async with mcp_client(gw.mcp_url, bearer(key["light"]), mode="legacy") as client:  # another principal connects
        result = await client.call_tool("zpa_list_segment_groups", {})
    assert not result.is_error

    # Idle for the timeout, the greedy principal's sessions are closed: its whole allowance is back, the old ids gone.
    reopened, deadline = 0, time.monotonic() + 30
    while reopened < PER_PRINCIPAL:
        status = _initialize(gw, key["greedy"]).status_code
        assert status in (200, 429) and time.monotonic() < deadline, "idle sessions were never reaped"
        reopened += status == 200
        time.sleep(0 if status == 200 else 0.2)
    assert [_ping(gw, key["greedy"], r.headers["mcp-session-id"]) for r in opened] == [404] * PER_PRINCIPAL


def test_session_knobs_are_flags_with_bounds() -> None:
    assert SessionLimits().idle_timeout_seconds == 600  # ten minutes unless told
    flags = ["--session-idle-timeout", "0", "--max-sessions-per-principal", "-1", "--port", "0"]
    serve = subprocess.run(
        [sys.executable, "-m", "zscaler_mcp_gateway.cli", "serve", *flags], capture_output=True, text=True, timeout=60
    )
    errors = serve.stderr.splitlines()
    assert serve.returncode == 1
    assert any(e.startswith("config error: sessions.idleTimeoutSeconds: ") for e in errors)
    assert any(e.startswith("config error: sessions.maxSessionsPerPrincipal: ") for e in errors)


@pytest.mark.parametrize("fast_lane", [True, False])
def test_a_sessionless_gateway_serves_post_only_after_the_host_and_origin_checks(
    gateway_with: GatewayFactory, fast_lane: bool
) -> None:
    """A GET stream on a `--stateless` gateway could never carry anything (no session to route to) and would
    hold a transport and a task until the client hung up; a DELETE has no session to end. Every method but
    POST is refused (405, `Allow: POST`), as the transport spec allows, once Host and Origin passed."""
    gw = gateway_with(POLICY, stateless_http=True, fast_lane=fast_lane)
    stream = {"Accept": "text/event-stream", "Mcp-Protocol-Version": "2025-06-18"}
    for method in ("GET", "GET", "HEAD", "DELETE", "OPTIONS", "PUT"):
        answer = httpx.request(method, gw.mcp_url, headers=stream, timeout=10)
        assert (answer.status_code, answer.headers["allow"]) == (405, "POST"), method
        if method != "HEAD":
            assert "sessionless (--stateless)" in answer.json()["error"]["message"]
    assert httpx.get(gw.mcp_url, headers={**stream, "Host": "evil.example.com"}, timeout=10).status_code == 421
    assert httpx.get(gw.mcp_url, headers={**stream, "Origin": "http://evil.example.com"}, timeout=10).status_code == 403
    assert httpx.post(gw.mcp_url, json=INITIALIZE, headers=HEADERS, timeout=10).status_code == 200
