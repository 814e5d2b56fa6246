"""The fast lane answers a session's tool calls exactly as the SDK's path would, and takes nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.servers import RunningGateway

PROTOCOL = "2025-06-18"
ACCEPT = "application/json, text/event-stream"
POLICY = "toolsets: [zpa_segment_groups]\nwrite: {enabled: true, allowlist: ['zpa_*']}\n"


class RawSession:
    """A handshake-era session spoken in raw HTTP, to see content types and exact bodies."""

    def __init__(self, http: httpx.Client, url: str, stateful: bool = True) -> None:
        self.http, self.url, self.next_id = http, url, 0
        self.headers = {"accept": ACCEPT, "content-type": "application/json", "mcp-protocol-version": PROTOCOL}
        if stateful:
            opened = self.post({"method": "initialize", "params": {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
            self.headers["mcp-session-id"] = opened.headers["mcp-session-id"]
            self.http.post(self.url, headers=self.headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"}).raise_for_status()

    def post(self, message: dict[str, Any]) -> httpx.Response:
        self.next_id += 1
        return self.http.post(self.url, headers=self.headers, content=json.dumps({"jsonrpc": "2.0", "id": self.next_id, **message}))

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> httpx.Response:
        return self.post({"method": "tools/call", "params": {"name": name, "arguments": arguments or {}}})


def reply_of(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC reply, whether sent as JSON or as the SSE event that carries it."""
    if response.headers["content-type"].startswith("application/json"):
        return response.json()
    data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:") and line[5:].strip()]
    return json.loads(data[-1])


@pytest.fixture
def raw_sessions(gateway_with: Callable[..., RunningGateway]) -> Iterator[Callable[..., RawSession]]:
    with httpx.Client(timeout=30) as http:

        def open_session(**gateway_options: object) -> RawSession:
            running = gateway_with(POLICY, **gateway_options)
            return RawSession(http, running.mcp_url, stateful=not gateway_options.get("stateless_http"))

        yield open_session


CALLS = [
    ("zpa_list_segment_groups", {}),  # records from the simulator, through the real SDK
    ("zpa_get_segment_group", {"group_id": "no-such-group"}),  # an upstream 404 as a tool error
    ("zpa_list_segment_groups", {"page_size": "many"}),  # invalid arguments, named
    ("zia_list_rule_labels", {}),  # not served by the policy: denied
    ("zscaler_list_toolsets", {"service": "zpa"}),  # a meta tool
    ("no_such_tool", {}),  # unknown
]


@pytest.mark.parametrize(("name", "arguments"), CALLS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CALLS)])
def test_a_session_call_is_answered_as_json_with_the_result_the_sdk_path_gives(
    raw_sessions: Callable[..., RawSession], name: str, arguments: dict[str, Any]
) -> None:
    session, sessionless = raw_sessions(), raw_sessions(stateless_http=True)  # sessionless: the SDK's own path
    sessionless.next_id = session.next_id  # the same JSON-RPC id on both
    lane, sdk = session.call(name, arguments), sessionless.call(name, arguments)
    assert lane.status_code == sdk.status_code == 200
    assert lane.headers["content-type"] == "application/json"
    assert lane.headers["mcp-session-id"] == session.headers["mcp-session-id"]
    assert sdk.headers["content-type"].startswith("text/event-stream")
    assert reply_of(lane) == reply_of(sdk)
    assert reply_of(lane)["id"] == session.next_id


def test_a_delete_still_goes_through_the_sdk_so_it_can_ask_its_user(raw_sessions: Callable[..., RawSession]) -> None:
    session = raw_sessions()
    created = reply_of(session.call("zpa_create_segment_group", {"name": "lane-delete"}))
    group_id = json.loads(created["result"]["content"][0]["text"])["id"]
    deleted = session.call("zpa_delete_segment_group", {"group_id": group_id})
    assert deleted.headers["content-type"].startswith("text/event-stream")
    refused = reply_of(deleted)["result"]  # this raw client declared no elicitation: refused, nothing deleted
    assert refused["isError"] and "cannot ask its user" in refused["content"][0]["text"]
    assert not reply_of(session.call("zpa_get_segment_group", {"group_id": group_id}))["result"]["isError"]


def test_unlisted_shapes_and_unknown_sessions_get_the_sdks_answers(raw_sessions: Callable[..., RawSession]) -> None:
    session = raw_sessions()
    no_name = session.post({"method": "tools/call", "params": {"arguments": {}}})
    assert reply_of(no_name)["error"]["code"] == -32602  # the SDK's INVALID_PARAMS for a malformed request
    listed = session.post({"method": "tools/list"})
    assert listed.headers["content-type"].startswith("text/event-stream")
    assert [t["name"] for t in reply_of(listed)["result"]["tools"]]
    session.headers["mcp-session-id"] = "not-a-session"
    assert session.call("zpa_list_segment_groups").status_code == 404
    del session.headers["mcp-session-id"]
    assert session.call("zpa_list_segment_groups").status_code in (400, 404)  # no session: never served by the lane


def test_a_session_whose_initialize_failed_is_never_served_by_the_lane(raw_sessions: Callable[..., RawSession]) -> None:
    session = raw_sessions()
    del session.headers["mcp-session-id"]
    opened = session.post({"method": "initialize", "params": {"protocolVersion": PROTOCOL}})  # no capabilities, no clientInfo
    assert reply_of(opened)["error"]["code"] == -32602
    session.headers["mcp-session-id"] = opened.headers["mcp-session-id"]  # the SDK keeps the session, uninitialized
    refused = session.call("zpa_list_segment_groups")
    assert refused.headers["content-type"].startswith("text/event-stream")  # the SDK's answer, not the lane's
    assert reply_of(refused)["error"]["code"] == -32602
