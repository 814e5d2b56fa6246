"""The fast lane answers a tool call exactly as the SDK's path would, and takes nothing else: in a session, in the
2026-07-28 era, and on a `--stateless` gateway (handshake-era requests without a session)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from mcp import Client

from tests.support.servers import RunningGateway

PROTOCOL = "2025-06-18"
MODERN = "2026-07-28"
ACCEPT = "application/json, text/event-stream"
POLICY = "toolsets: [zpa_segment_groups]\nwrite: {enabled: true, allowlist: ['zpa_*']}\n"


class RawClient:
    """MCP spoken in raw HTTP, to see content types and exact bodies: a handshake-era session (none from a
    stateless gateway), or 2026-07-28."""

    def __init__(self, http: httpx.Client, url: str, era: str = PROTOCOL) -> None:
        self.http, self.url, self.era, self.next_id = http, url, era, 0
        self.headers = {"accept": ACCEPT, "content-type": "application/json", "mcp-protocol-version": era}
        if era == PROTOCOL:
            opened = self.post(
                {
                    "method": "initialize",
                    "params": {
                        "protocolVersion": PROTOCOL,
                        "capabilities": {},
                        "clientInfo": {"name": "raw", "version": "1"},
                    },
                }
            )
            if "mcp-session-id" in opened.headers:
                self.headers["mcp-session-id"] = opened.headers["mcp-session-id"]
            self.http.post(
                self.url, headers=self.headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"}
            ).raise_for_status()

    def post(self, message: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        self.next_id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.next_id, **message})
        return self.http.post(self.url, headers={**self.headers, **(headers or {})}, content=body)

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> httpx.Response:
        params: dict[str, Any] = {"name": name, "arguments": arguments or {}}
        if self.era == MODERN:  # the per-request envelope and routing headers of the 2026-07-28 era
            params["_meta"] = {
                "io.modelcontextprotocol/protocolVersion": MODERN,
                "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": {},
            }
            return self.post({"method": "tools/call", "params": params}, {"mcp-method": "tools/call", "mcp-name": name})
        return self.post({"method": "tools/call", "params": params})


def reply_of(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC reply, whether sent as JSON or as the SSE event that carries it."""
    if response.headers["content-type"].startswith("application/json"):
        return response.json()
    data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:") and line[5:].strip()]
    return json.loads(data[-1])


def without_generation(reply: dict[str, Any]) -> Any:
    """A reply with its generation number blanked: each gateway of the pair numbers its own generations
    (the entitlement check may publish one on either, at its own time)."""
    text = re.sub(r'(generation |\\"config_generation\\":)\d+', r"\1N", json.dumps(reply))
    return json.loads(text)


@pytest.fixture
def raw_clients(gateway_with: Callable[..., RunningGateway]) -> Iterator[Callable[..., RawClient]]:
    with httpx.Client(timeout=30) as http:
        gateways: dict[tuple[bool, bool], RunningGateway] = {}

        def open_client(era: str = PROTOCOL, fast_lane: bool = True, stateless: bool = False) -> RawClient:
            if (fast_lane, stateless) not in gateways:
                gateways[fast_lane, stateless] = gateway_with(POLICY, fast_lane=fast_lane, stateless_http=stateless)
            return RawClient(http, gateways[fast_lane, stateless].mcp_url, era)

        yield open_client


CALLS = [
    ("zpa_list_segment_groups", {}),  # records from the simulator, through the real SDK
    ("zpa_get_segment_group", {"group_id": "no-such-group"}),  # an upstream 404 as a tool error
    ("zpa_list_segment_groups", {"page_size": "many"}),  # invalid arguments, named
    ("zia_list_rule_labels", {}),  # not served by the policy: denied
    ("zscaler_list_toolsets", {"service": "zpa"}),  # a meta tool
    ("no_such_tool", {}),  # unknown
]


@pytest.mark.parametrize(("era", "stateless"), [(PROTOCOL, False), (MODERN, False), (PROTOCOL, True)])
@pytest.mark.parametrize(("name", "arguments"), CALLS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CALLS)])
def test_a_call_is_answered_as_json_with_the_reply_of_the_sdks_own_path(
    raw_clients: Callable[..., RawClient], era: str, stateless: bool, name: str, arguments: dict[str, Any]
) -> None:
    lane_client, sdk_client = raw_clients(era, stateless=stateless), raw_clients(era, False, stateless)
    sdk_client.next_id = lane_client.next_id  # the same JSON-RPC id on both
    lane, sdk = lane_client.call(name, arguments), sdk_client.call(name, arguments)
    assert lane.status_code == sdk.status_code == 200
    assert lane.headers["content-type"] == "application/json"
    assert lane.headers.get("mcp-session-id") == lane_client.headers.get("mcp-session-id")  # none in 2026-07-28
    assert without_generation(reply_of(lane)) == without_generation(reply_of(sdk))
    assert reply_of(lane)["id"] == lane_client.next_id
    if era == PROTOCOL:
        assert sdk.headers["content-type"].startswith("text/event-stream")  # so the lane did answer the other


def test_a_delete_still_goes_through_the_sdk_so_it_can_ask_its_user(raw_clients: Callable[..., RawClient]) -> None:
    session = raw_clients()
    created = reply_of(session.call("zpa_create_segment_group", {"name": "lane-delete"}))
    group_id = json.loads(created["result"]["content"][0]["text"])["id"]
    deleted = session.call("zpa_delete_segment_group", {"group_id": group_id})
    assert deleted.headers["content-type"].startswith("text/event-stream")
    refused = reply_of(deleted)["result"]  # this raw client declared no elicitation: refused, nothing deleted
    assert refused["isError"] and "cannot ask its user" in refused["content"][0]["text"]
    assert not reply_of(session.call("zpa_get_segment_group", {"group_id": group_id}))["result"]["isError"]


def test_unlisted_shapes_and_unknown_sessions_get_the_sdks_answers(raw_clients: Callable[..., RawClient]) -> None:
    session = raw_clients()
    no_name = session.post({"method": "tools/call", "params": {"arguments": {}}})
    assert reply_of(no_name)["error"]["code"] == -32602  # the SDK's INVALID_PARAMS for a malformed request
    listed = session.post({"method": "tools/list"})
    assert listed.headers["content-type"].startswith("text/event-stream")
    assert [t["name"] for t in reply_of(listed)["result"]["tools"]]
    session.headers["mcp-session-id"] = "not-a-session"
    assert session.call("zpa_list_segment_groups").status_code == 404
    del session.headers["mcp-session-id"]
    assert session.call("zpa_list_segment_groups").status_code in (400, 404)  # no session: never served by the lane


def test_a_session_whose_initialize_failed_is_never_served_by_the_lane(raw_clients: Callable[..., RawClient]) -> None:
    session = raw_clients()
    del session.headers["mcp-session-id"]
    opened = session.post(
        {"method": "initialize", "params": {"protocolVersion": PROTOCOL}}
    )  # no capabilities, no clientInfo
    assert reply_of(opened)["error"]["code"] == -32602
    session.headers["mcp-session-id"] = opened.headers["mcp-session-id"]  # the SDK keeps the session, uninitialized
    refused = session.call("zpa_list_segment_groups")
    assert refused.headers["content-type"].startswith("text/event-stream")  # the SDK's answer, not the lane's
    assert reply_of(refused)["error"]["code"] == -32602


MALFORMED_MODERN = {
    "mismatched Mcp-Name": ({}, {"mcp-name": "zpa_get_segment_group"}),
    "no envelope": ({"_meta": {}}, {}),
    "an unknown parameter": ({"cursor": "x"}, {}),
    "an Mcp-Param header": ({}, {"mcp-param-group": "x"}),
}


@pytest.mark.parametrize("case", list(MALFORMED_MODERN))
def test_a_2026_request_the_lane_declines_reaches_the_sdk_whole(
    raw_clients: Callable[..., RawClient], case: str
) -> None:
    extra_params, extra_headers = MALFORMED_MODERN[case]
    answers = []
    for fast_lane in (True, False):
        client = raw_clients(MODERN, fast_lane=fast_lane)
        meta = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}
        params = {"name": "zpa_list_segment_groups", "arguments": {}, "_meta": meta, **extra_params}
        headers = {"mcp-method": "tools/call", "mcp-name": "zpa_list_segment_groups", **extra_headers}
        response = client.post({"method": "tools/call", "params": params}, headers)
        answers.append((response.status_code, reply_of(response)))
    assert answers[0] == answers[1]  # the body the lane read was replayed: same status, same reply


def test_a_stateless_call_without_a_version_header_is_served_at_the_sdks_default_version(
    raw_clients: Callable[..., RawClient],
) -> None:
    answers = []
    for fast_lane in (True, False):
        client = raw_clients(PROTOCOL, fast_lane, stateless=True)
        del client.headers["mcp-protocol-version"]
        client.next_id = 7
        response = client.call("zpa_list_segment_groups")
        answers.append((response.status_code, without_generation(reply_of(response))))
    assert answers[0] == answers[1] and not answers[0][1]["result"]["isError"]


STATELESS_DECLINED = {
    "no tool name": ({"method": "tools/call", "params": {"arguments": {}}}, {}),
    "a listing": ({"method": "tools/list"}, {}),
    "a delete (it would ask its user)": (
        {"method": "tools/call", "params": {"name": "zpa_delete_segment_group", "arguments": {"group_id": "1"}}},
        {},
    ),
    "no SSE in Accept": (
        {"method": "tools/call", "params": {"name": "zpa_list_segment_groups", "arguments": {}}},
        {"accept": "application/json"},
    ),
    "not JSON content": (
        {"method": "tools/call", "params": {"name": "zpa_list_segment_groups", "arguments": {}}},
        {"content-type": "text/plain"},
    ),
    "a foreign Host": (
        {"method": "tools/call", "params": {"name": "zpa_list_segment_groups", "arguments": {}}},
        {"host": "evil.example:80"},
    ),
    "a notification": ({"method": "notifications/cancelled", "params": {"requestId": 1}}, {}),
}


@pytest.mark.parametrize("case", list(STATELESS_DECLINED))
def test_a_stateless_request_the_lane_declines_reaches_the_sdk_whole(
    raw_clients: Callable[..., RawClient], case: str
) -> None:
    message, headers = STATELESS_DECLINED[case]
    answers = []
    for fast_lane in (True, False):
        client = raw_clients(PROTOCOL, fast_lane, stateless=True)
        client.next_id = 7
        response = client.post(message, headers)
        kind = response.headers.get("content-type", "")
        body = (
            without_generation(reply_of(response))
            if kind.startswith(("application/json", "text/event-stream"))
            else response.text
        )
        answers.append((response.status_code, kind, body))
    assert answers[0] == answers[1]  # the body the lane read was replayed: same status, same answer


async def test_the_sdks_own_client_calls_a_stateless_gateway_on_the_lane(
    gateway_with: Callable[..., RunningGateway],
) -> None:
    gw = gateway_with(POLICY, stateless_http=True)
    async with Client(gw.mcp_url, mode="legacy") as client:
        listed = await client.call_tool("zpa_list_segment_groups", {})
        invalid = await client.call_tool("zpa_list_segment_groups", {"page_size": "many"})
    assert not listed.is_error and "SG-" in listed.content[0].text  # type: ignore[union-attr]
    assert invalid.is_error and "page_size" in invalid.content[0].text  # type: ignore[union-attr]
