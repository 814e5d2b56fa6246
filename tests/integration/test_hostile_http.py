"""Hostile HTTP: half-sent requests are cut off, request ids cannot be reused or spoofed, Host case does not matter."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import httpx
import pytest

from tests.support.security import mcp_client
from tests.support.servers import RunningGateway
from tests.support.telemetry import capture_audit

GatewayFactory = Callable[..., RunningGateway]
POLICY = "toolsets: [zpa_segment_groups]\n"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
SOCKET_WAIT = 20.0  # far beyond the deadlines under test: a bound on the test, not a timing assert


def _held_open(gw: RunningGateway, first_bytes: bytes) -> bytes:
    """Send `first_bytes` and nothing more; what the server answers before it closes (b"" if it only closes)."""
    host, port = gw.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=SOCKET_WAIT) as sock:
        sock.sendall(first_bytes)
        received = b""
        while chunk := sock.recv(4096):  # raises socket.timeout if the server holds the connection
            received += chunk
        return received


@pytest.mark.parametrize(
    "first_bytes",
    [
        b"",  # connects, sends nothing
        b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n",  # headers never end
        b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b'Accept: application/json, text/event-stream\r\nContent-Length: 500\r\n\r\n{"jsonrpc": ',  # body never ends
    ],
    ids=["silent", "half-sent-headers", "half-sent-body"],
)
def test_a_half_sent_request_is_answered_408_and_closed(gateway_with: GatewayFactory, first_bytes: bytes) -> None:
    gw = gateway_with(POLICY, header_timeout_seconds=0.5, body_timeout_seconds=0.5)
    answer = _held_open(gw, first_bytes)
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_a_slow_but_complete_request_and_a_long_call_are_not_cut(gateway_with: GatewayFactory) -> None:
    gw = gateway_with(POLICY, header_timeout_seconds=5, body_timeout_seconds=5)
    async with mcp_client(gw.mcp_url, None, mode="legacy") as client:  # handshake, list, call, a held GET stream
        listed = await client.list_tools()
        result = await client.call_tool("zpa_list_segment_groups", {})
    assert {t.name for t in listed.tools} >= {"zpa_list_segment_groups"} and not result.is_error


async def test_the_callers_request_id_is_kept_apart_and_the_gateways_is_always_unique(
    gateway_with: GatewayFactory,
) -> None:
    gw = gateway_with(POLICY)
    hostile = "spoofed-id\r\nX-Injected: 1" + "z" * 500
    with capture_audit() as audit:
        for request_id in ("reused-id", "reused-id", hostile):
            async with mcp_client(gw.mcp_url, {"X-Request-Id": request_id.replace("\r\n", " ")}, mode="legacy") as c:
                await c.call_tool("zpa_list_segment_groups", {})
    lines = [json.loads(line) for line in audit.lines if '"tool":"zpa_list_segment_groups"' in line]
    assert len(lines) == 3
    assert len({line["request_id"] for line in lines}) == 3  # the gateway's own, never the caller's
    assert all(line["request_id"] not in ("reused-id",) and len(line["request_id"]) == 32 for line in lines)
    assert [line["client_request_id"] for line in lines[:2]] == ["reused-id", "reused-id"]
    assert len(lines[2]["client_request_id"]) <= 128 and lines[2]["client_request_id"].startswith("spoofed-id")


@pytest.mark.parametrize("host", ["LOCALHOST", "LocalHost", "127.0.0.1"])
def test_host_matching_ignores_case(gateway_with: GatewayFactory, host: str) -> None:
    gw = gateway_with(POLICY)
    port = gw.url.rsplit(":", 1)[1]
    headers = {
        "Host": f"{host}:{port}",
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
    }
    answer = httpx.post(gw.mcp_url, json=INITIALIZE, headers=headers, timeout=10)
    assert answer.status_code == 200
    wrong = httpx.post(gw.mcp_url, json=INITIALIZE, headers={**headers, "Host": f"EVIL.example:{port}"}, timeout=10)
    assert wrong.status_code == 421
