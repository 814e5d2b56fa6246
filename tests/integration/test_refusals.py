"""Every refused `tools/call` is one audit event at whatever layer refused it; nothing else is a tool call.

Real server on loopback, real MCP clients (both protocol eras) and raw HTTP for what clients never send.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import mcp
import pytest
from mcp.shared.exceptions import MCPError

from tests.support.kubelet import ProjectedConfigMap
from tests.support.security import JwksServer, SigningKey, bearer, mcp_client, new_api_key, tools_call_body
from tests.support.servers import RunningGateway
from tests.support.telemetry import AuditLines, capture_audit, counted, labels, samples, scrape
from zscaler_mcp_gateway.security.options import JwtOptions, SecurityOptions
from zscaler_mcp_gateway.simulator import free_port

GatewayFactory = Callable[..., RunningGateway]
POLICY = "services: [zia, zpa]\ntoolsets: [zia_rule_labels, zpa_segment_groups]\n"
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}},
}
ERAS = ["legacy", "2026-07-28"]


@pytest.fixture
def keys(tmp_path: Path) -> tuple[ProjectedConfigMap, dict[str, str]]:
    values = {"alice": new_api_key(), "bob": new_api_key()}
    return ProjectedConfigMap(tmp_path / "api-keys", values), values


@pytest.fixture
def keyed(gateway_with: GatewayFactory, keys: tuple[ProjectedConfigMap, dict[str, str]]) -> RunningGateway:
    secret_dir, _ = keys
    return gateway_with(
        POLICY,
        metrics_port=free_port(),
        security=SecurityOptions(
            api_keys_dir=str(secret_dir.directory), allowed_hosts=("mcp.example.com", "127.0.0.1:*")
        ),
    )


def metrics(gw: RunningGateway) -> str:
    assert gw.gateway.metrics_server is not None
    return scrape(gw.gateway.metrics_server.url)


def post(gw: RunningGateway, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(gw.mcp_url, content=content, headers={**MCP_HEADERS, **(headers or {})}, timeout=10)


def mcp_error_in(exc: BaseException) -> MCPError:
    """The MCPError a client raised, through the task-group exception groups around it."""
    if isinstance(exc, MCPError):
        return exc
    for inner in getattr(exc, "exceptions", ()):
        with contextlib.suppress(LookupError):
            return mcp_error_in(inner)
    raise LookupError(f"no MCPError in {exc!r}")


def only_event(audit: AuditLines) -> dict[str, Any]:
    [event] = audit.events()
    return event


def test_requests_that_are_not_tool_calls_are_never_tool_call_events(keyed: RunningGateway) -> None:
    wrong = bearer("wrong-" + "k" * 30)
    with capture_audit() as audit:
        answers = [
            post(keyed, INITIALIZE),  # no credential
            post(keyed, INITIALIZE, wrong),
            post(keyed, {"jsonrpc": "2.0", "method": "notifications/initialized"}),
            post(keyed, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, wrong),
            httpx.get(keyed.mcp_url, headers={"Accept": "text/event-stream"}, timeout=5),
            httpx.delete(keyed.mcp_url, headers={"Mcp-Session-Id": "abc"}, timeout=5),
        ]
        not_found = [httpx.get(keyed.url + path, timeout=5) for path in ("/favicon.ico", "/register")]
    assert [a.status_code for a in answers] == [401] * 6
    assert [a.status_code for a in not_found] == [404, 404]
    assert audit.lines == []
    text = metrics(keyed)
    assert samples(text, "zscaler_mcp_auth_failures_total") == {
        labels(reason="missing_credential"): 4.0,
        labels(reason="invalid_credential"): 2.0,
    }
    assert counted(text, "zscaler_mcp_tool_calls_total") == {}


@pytest.mark.parametrize(
    "path",
    ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-authorization-server", "/register"],
)
def test_oauth_discovery_answers_404_when_the_gateway_is_not_an_oauth_resource_server(
    keyed: RunningGateway, path: str
) -> None:
    """An API-key gateway must not look like an OAuth login to clients that probe discovery first."""
    assert httpx.get(keyed.url + path, timeout=5).status_code == 404
    assert httpx.post(keyed.url + path, json={}, timeout=5).status_code in (404, 405)


def test_jwt_mode_serves_only_its_resource_metadata(gateway_with: GatewayFactory) -> None:
    with JwksServer(SigningKey.generate("k1")).running() as jwks:
        gw = gateway_with(
            POLICY,
            security=SecurityOptions(
                jwt=JwtOptions(
                    issuer="https://idp.example.com", audience="https://mcp.example.com/mcp", jwks_url=jwks.url
                )
            ),
        )
        metadata = httpx.get(gw.url + "/.well-known/oauth-protected-resource/mcp", timeout=5)
        assert metadata.status_code == 200 and metadata.json()["authorization_servers"] == ["https://idp.example.com"]
        assert httpx.get(gw.url + "/.well-known/oauth-authorization-server", timeout=5).status_code == 404
        refused = post(gw, INITIALIZE)
    assert refused.status_code == 401
    [challenge] = refused.headers.get_list("www-authenticate")
    assert challenge.startswith("Bearer ") and 'resource_metadata="http' in challenge
    assert "OAuth 2.0 Bearer access token" in refused.json()["error"]["message"]


def test_an_unauthenticated_write_attempt_is_one_denied_write_with_its_trace(keyed: RunningGateway) -> None:
    with capture_audit() as audit:
        answer = post(
            keyed,
            tools_call_body("zia_create_rule_label", {"name": "x", "client_secret": "hunter2-" + "z" * 12}),
            {"traceparent": TRACEPARENT, "x-request-id": "req-7"},
        )
    assert answer.status_code == 401
    event = only_event(audit)
    assert (event["tool"], event["access"], event["outcome"], event["principal"]) == (
        "zia_create_rule_label",
        "write",
        "denied",
        "anonymous",
    )
    assert (event["trace_id"], event["client_request_id"]) == (TRACE_ID, "req-7")  # D5: the client's trace kept
    assert event["request_id"] != "req-7"  # the gateway's own id is never the caller's
    assert event["args"] == {"name": "x", "client_secret": "[REDACTED]"}
    assert event["error"] == "authentication failed: authentication required"
    text = metrics(keyed)
    assert counted(text, "zscaler_mcp_tool_calls_total") == {
        labels(
            tool="zia_create_rule_label",
            toolset="zia_rule_labels",
            zscaler_service="zia",
            access="write",
            outcome="denied",
        ): 1.0
    }
    assert set(samples(text, "zscaler_mcp_auth_failures_total").values()) == {0.0}


def test_401_bodies_are_json_rpc_errors_with_the_expected_scheme(keyed: RunningGateway) -> None:
    missing = post(keyed, tools_call_body("zpa_list_segment_groups") | {"id": 41})
    wrong = post(keyed, INITIALIZE, {"X-Api-Key": "wrong-" + "q" * 30})
    assert missing.status_code == wrong.status_code == 401
    assert missing.headers["content-type"] == "application/json"
    assert missing.json()["jsonrpc"] == "2.0" and missing.json()["id"] == 41
    assert missing.json()["error"]["code"] == -32001
    assert "Authentication required: this server expects an API key" in missing.json()["error"]["message"]
    assert missing.headers.get_list("www-authenticate") == [
        'Bearer realm="zscaler-mcp-gateway"',
        'ApiKey realm="zscaler-mcp-gateway", header="X-Api-Key"',
    ]
    assert wrong.json()["id"] == 1 and wrong.json()["error"]["data"]["error"] == "invalid_token"
    assert 'error="invalid_token"' in wrong.headers.get_list("www-authenticate")[0]


def test_a_deeply_nested_unauthenticated_body_is_a_401_and_one_event(keyed: RunningGateway) -> None:
    depth = 5000
    body = (
        '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"zia_create_rule_label","arguments":{"a":'
        + "[" * depth
        + "]" * depth
        + "}}}"
    ).encode()
    with capture_audit() as audit:
        answer = post(keyed, body)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == -32001
    event = only_event(audit)
    assert (event["tool"], event["outcome"], event["args"]) == ("zia_create_rule_label", "denied", {})
    assert "nested too deep" in event["error"]


@pytest.mark.parametrize("era", ERAS)
async def test_a_wrong_key_reads_as_an_authentication_error_in_the_mcp_client(keyed: RunningGateway, era: str) -> None:
    with pytest.raises(BaseException) as raised:
        async with mcp_client(keyed.mcp_url, bearer("wrong-" + "w" * 30), mode=era) as client:
            await client.call_tool("zpa_list_segment_groups", {})
    error = mcp_error_in(raised.value)
    assert error.error.code == -32001
    assert "not valid" in error.error.message and "API key" in error.error.message


def test_host_and_origin_refusals_of_a_tool_call_are_audited(
    keyed: RunningGateway, keys: tuple[ProjectedConfigMap, dict[str, str]]
) -> None:
    alice = bearer(keys[1]["alice"])
    call = tools_call_body("zia_create_rule_label", {"name": "x"})
    with capture_audit() as audit:
        host = post(keyed, call, {**alice, "Host": "evil.example.com", "traceparent": TRACEPARENT})
        origin = post(keyed, call, {**alice, "Origin": "http://evil.example.com"})
        plain = post(keyed, INITIALIZE, {**alice, "Host": "evil.example.com"})  # not a tool call: no event
    assert (host.status_code, origin.status_code, plain.status_code) == (421, 403, 421)
    events = audit.events()
    assert [(e["tool"], e["access"], e["outcome"], e["principal"]) for e in events] == [
        ("zia_create_rule_label", "write", "denied", "alice")
    ] * 2
    assert "Host header not allowed" in events[0]["error"] and "Origin header not allowed" in events[1]["error"]
    assert events[0]["trace_id"] == TRACE_ID


async def test_a_call_in_another_principals_session_is_audited(
    keyed: RunningGateway, keys: tuple[ProjectedConfigMap, dict[str, str]]
) -> None:
    alice, bob = bearer(keys[1]["alice"]), bearer(keys[1]["bob"])
    opened = post(keyed, INITIALIZE, alice)
    session = {"Mcp-Session-Id": opened.headers["mcp-session-id"], "Mcp-Protocol-Version": "2025-06-18"}
    with capture_audit() as audit:
        stolen = post(keyed, tools_call_body("zpa_list_segment_groups"), {**bob, **session})
        unknown = post(keyed, tools_call_body("zpa_list_segment_groups"), {**alice, "Mcp-Session-Id": "nope"})
    assert stolen.status_code == unknown.status_code == 404
    assert [(e["tool"], e["outcome"], e["principal"]) for e in audit.events()] == [
        ("zpa_list_segment_groups", "denied", "bob"),
        ("zpa_list_segment_groups", "denied", "alice"),
    ]
    assert all("session not found" in e["error"] for e in audit.events())


@pytest.mark.parametrize("fast_lane", [True, False])
def test_a_tool_call_the_sdk_rejects_as_invalid_params_is_audited(
    gateway_with: GatewayFactory, fast_lane: bool
) -> None:
    gw = gateway_with(POLICY, fast_lane=fast_lane)
    opened = post(gw, INITIALIZE)
    session = {"Mcp-Session-Id": opened.headers["mcp-session-id"], "Mcp-Protocol-Version": "2025-06-18"}
    assert post(gw, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session).status_code == 202
    bad = {
        "jsonrpc": "2.0",
        "id": 9,
        "method": "tools/call",
        "params": {"name": "zpa_list_segment_groups", "arguments": 5},
    }
    with capture_audit() as audit:
        answer = post(gw, bad, session)
    assert answer.status_code == 200 and "-32602" in answer.text
    event = only_event(audit)
    assert (event["tool"], event["outcome"]) == ("zpa_list_segment_groups", "invalid")
    assert "JSON-RPC -32602" in event["error"]


def test_a_2026_tool_call_the_sdk_rejects_as_invalid_params_is_audited(gateway_with: GatewayFactory) -> None:
    gw = gateway_with(POLICY)
    era = "2026-07-28"
    envelope = {
        "io.modelcontextprotocol/protocolVersion": era,
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    bad = {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "tools/call",
        "params": {"name": "zpa_list_segment_groups", "arguments": 5, "_meta": envelope},
    }
    routing = {"Mcp-Protocol-Version": era, "Mcp-Method": "tools/call", "Mcp-Name": "zpa_list_segment_groups"}
    with capture_audit() as audit:
        answer = post(gw, bad, routing)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == -32602
    event = only_event(audit)
    assert (event["tool"], event["outcome"]) == ("zpa_list_segment_groups", "invalid")
    assert event["error"].startswith("refused by the MCP layer (JSON-RPC -32602, HTTP 400)")


@pytest.mark.parametrize("era", ERAS)
async def test_refused_and_served_calls_count_once_each_in_both_eras(gateway_with: GatewayFactory, era: str) -> None:
    gw = gateway_with(POLICY, metrics_port=free_port())
    with capture_audit() as audit:
        async with mcp.Client(gw.mcp_url, mode=era) as client:
            assert not (await client.call_tool("zia_list_rule_labels", {})).is_error
            assert (await client.call_tool("zia_create_rule_label", {"name": "x"})).is_error
            assert (await client.call_tool("zia_get_rule_label", {"label_id": "abc"})).is_error
    assert [(e["tool"], e["outcome"]) for e in audit.events()] == [
        ("zia_list_rule_labels", "ok"),
        ("zia_create_rule_label", "denied"),
        ("zia_get_rule_label", "invalid"),
    ]
    assert sum(counted(metrics(gw), "zscaler_mcp_tool_calls_total").values()) == 3


def test_a_json_escaped_method_name_does_not_hide_a_refused_call(
    keyed: RunningGateway, keys: tuple[ProjectedConfigMap, dict[str, str]]
) -> None:
    body = b'{"jsonrpc":"2.0","id":5,"method":"tools\\/call","params":{"name":"zia_create_rule_label","arguments":{}}}'
    with capture_audit() as audit:
        answer = post(keyed, body, {**bearer(keys[1]["alice"]), "Host": "evil.example.com"})
    assert answer.status_code == 421
    assert (only_event(audit)["tool"], only_event(audit)["outcome"]) == ("zia_create_rule_label", "denied")
