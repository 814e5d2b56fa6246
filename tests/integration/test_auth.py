"""Authentication of the HTTP endpoint: API keys (with rotation), JWT resource-server mode, Host checks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.kubelet import ProjectedConfigMap
from tests.support.security import JwksServer, SigningKey, bearer, mcp_client, new_api_key, tools_call_body
from tests.support.servers import RunningGateway
from tests.support.telemetry import capture_audit
from zscaler_mcp_gateway.app import Gateway, GatewayOptions
from zscaler_mcp_gateway.config import ConfigError
from zscaler_mcp_gateway.security.options import JwtOptions, SecurityOptions

GatewayFactory = Callable[..., RunningGateway]
POLICY = "toolsets: [zpa_segment_groups]\n"
ISSUER = "https://idp.example.com"
AUDIENCE = "https://mcp.example.com/mcp"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def post(
    gw: RunningGateway, headers: dict[str, str] | None = None, body: dict[str, Any] | None = None
) -> httpx.Response:
    return httpx.post(
        gw.mcp_url,
        json=body or tools_call_body("zpa_list_segment_groups"),
        headers={**MCP_HEADERS, **(headers or {})},
        timeout=10,
    )


async def list_groups(gw: RunningGateway, headers: dict[str, str]) -> Any:
    async with mcp_client(gw.mcp_url, headers, mode="legacy") as client:
        return await client.call_tool("zpa_list_segment_groups", {})


@pytest.fixture
def api_keys(tmp_path: Path) -> tuple[ProjectedConfigMap, dict[str, str]]:
    keys = {"alice": new_api_key(), "bob": new_api_key()}
    return ProjectedConfigMap(tmp_path / "api-keys", keys), keys


def test_missing_or_wrong_api_key_gets_401_and_an_audited_denial(
    gateway_with: GatewayFactory, api_keys: tuple[ProjectedConfigMap, dict[str, str]]
) -> None:
    secret_dir, _ = api_keys
    gw = gateway_with(POLICY, security=SecurityOptions(api_keys_dir=str(secret_dir.directory)))
    with capture_audit() as audit:
        missing = post(gw)
        wrong = post(gw, bearer("not-the-key-" + "x" * 20))
        wrong_header = post(gw, {"X-Api-Key": "also-not-the-key-" + "y" * 20})
    assert missing.status_code == wrong.status_code == wrong_header.status_code == 401
    assert missing.headers.get_list("www-authenticate") == [  # RFC 6750: no error code when none sent
        'Bearer realm="zscaler-mcp-gateway"',
        'ApiKey realm="zscaler-mcp-gateway", header="X-Api-Key"',
    ]
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    events = audit.events()
    assert len(events) == 3
    for event in events:
        assert (event["tool"], event["access"], event["outcome"], event["principal"]) == (
            "zpa_list_segment_groups",
            "read",
            "denied",
            "anonymous",
        )
        assert event["error"].startswith("authentication failed") and event["args"] == {}
    for path in ("/healthz", "/readyz"):  # probes stay unauthenticated
        assert httpx.get(gw.url + path, timeout=5).status_code == 200


async def test_each_key_is_its_principal_in_the_audit_line(
    gateway_with: GatewayFactory, api_keys: tuple[ProjectedConfigMap, dict[str, str]]
) -> None:
    secret_dir, keys = api_keys
    gw = gateway_with(POLICY, security=SecurityOptions(api_keys_dir=str(secret_dir.directory)))
    with capture_audit() as audit:
        by_bearer = await list_groups(gw, bearer(keys["alice"]))
        by_header = await list_groups(gw, {"X-Api-Key": keys["bob"]})
    assert not by_bearer.is_error and not by_header.is_error
    assert [(e["principal"], e["outcome"]) for e in audit.events()] == [("alice", "ok"), ("bob", "ok")]


async def test_a_rotated_key_works_without_restart(
    gateway_with: GatewayFactory, api_keys: tuple[ProjectedConfigMap, dict[str, str]]
) -> None:
    secret_dir, keys = api_keys
    gw = gateway_with(POLICY, security=SecurityOptions(api_keys_dir=str(secret_dir.directory)))
    assert post(gw, bearer(keys["alice"])).status_code != 401
    rotated = new_api_key()
    secret_dir.update({"alice": rotated, "bob": keys["bob"]})  # kubelet's atomic ..data swap
    deadline = time.monotonic() + 5
    while post(gw, bearer(rotated)).status_code == 401:
        assert time.monotonic() < deadline, "the rotated key was not picked up"
        await asyncio.sleep(0.1)
    assert post(gw, bearer(keys["alice"])).status_code == 401
    assert not (await list_groups(gw, bearer(rotated))).is_error


async def test_principal_patterns_limit_calls_and_listings(
    gateway_with: GatewayFactory, api_keys: tuple[ProjectedConfigMap, dict[str, str]], tmp_path: Path
) -> None:
    secret_dir, keys = api_keys
    principals = tmp_path / "principals.yaml"
    principals.write_text("principals:\n  alice: ['zpa_list_*']\n")  # bob is not listed and there is no default
    gw = gateway_with(
        POLICY, security=SecurityOptions(api_keys_dir=str(secret_dir.directory), principals_file=str(principals))
    )
    with capture_audit() as audit:
        async with mcp_client(gw.mcp_url, bearer(keys["alice"]), mode="legacy") as alice:
            assert {t.name for t in (await alice.list_tools()).tools} == {"zpa_list_segment_groups"}
            assert not (await alice.call_tool("zpa_list_segment_groups", {})).is_error
            refused = await alice.call_tool("zpa_get_segment_group", {"group_id": "1"})
        async with mcp_client(gw.mcp_url, bearer(keys["bob"]), mode="legacy") as bob:
            assert (await bob.list_tools()).tools == []
            assert (await bob.call_tool("zpa_list_segment_groups", {})).is_error
    assert refused.is_error and "Principal 'alice' may not call 'zpa_get_segment_group'" in refused.content[0].text  # type: ignore[union-attr]
    assert [(e["principal"], e["tool"], e["outcome"]) for e in audit.events()] == [
        ("alice", "zpa_list_segment_groups", "ok"),
        ("alice", "zpa_get_segment_group", "denied"),
        ("bob", "zpa_list_segment_groups", "denied"),
    ]


@pytest.fixture
def jwks() -> Any:
    with JwksServer(SigningKey.generate("key-1")).running() as server:
        yield server


async def test_jwt_mode_accepts_only_tokens_for_this_server(gateway_with: GatewayFactory, jwks: JwksServer) -> None:
    signer = jwks.keys[0]
    gw = gateway_with(
        POLICY, security=SecurityOptions(jwt=JwtOptions(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks.url))
    )
    gw.gateway.security.verifier.jwks.min_refresh_seconds = 0.2  # type: ignore[union-attr]  # default 30 s: keep the test short
    stranger = SigningKey.generate("key-1")  # same kid, different key: signature must fail
    unknown = SigningKey.generate("key-unknown")
    refused = {
        "wrong audience": signer.mint(ISSUER, "https://other.example.com/mcp"),
        "wrong issuer": signer.mint("https://evil.example.com", AUDIENCE),
        "expired": signer.mint(ISSUER, AUDIENCE, lifetime=-120),
        "not yet valid": signer.mint(ISSUER, AUDIENCE, nbf=int(time.time()) + 600),
        "forged signature": stranger.mint(ISSUER, AUDIENCE),
        "unknown signing key": unknown.mint(ISSUER, AUDIENCE),
        "symmetric algorithm": __import__("jwt").encode(
            {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60},
            "k" * 32,
            algorithm="HS256",
            headers={"kid": "key-1"},
        ),
    }
    with capture_audit() as audit:
        for reason, token in refused.items():
            response = post(gw, bearer(token))
            assert response.status_code == 401, reason
            challenge = response.headers["www-authenticate"]
            assert (
                'error="invalid_token"' in challenge
                and 'resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"' in challenge
            )
        assert [e["outcome"] for e in audit.events()] == ["denied"] * len(refused)
        result = await list_groups(gw, bearer(signer.mint(ISSUER, AUDIENCE, subject="alice@example.com")))
    assert not result.is_error and audit.events()[-1]["principal"] == "alice@example.com"

    jwks.keys.append(unknown)  # the IdP rotates in a new key: picked up on its first unknown kid
    await asyncio.sleep(0.3)
    assert not (await list_groups(gw, bearer(unknown.mint(ISSUER, AUDIENCE)))).is_error

    metadata = httpx.get(gw.url + "/.well-known/oauth-protected-resource/mcp", timeout=5)  # RFC 9728, public
    assert metadata.status_code == 200
    assert metadata.json()["resource"] == AUDIENCE and metadata.json()["authorization_servers"] == [ISSUER]


async def test_forbidden_host_or_origin_is_refused(
    gateway_with: GatewayFactory, api_keys: tuple[ProjectedConfigMap, dict[str, str]]
) -> None:
    secret_dir, keys = api_keys
    gw = gateway_with(
        POLICY,
        security=SecurityOptions(
            api_keys_dir=str(secret_dir.directory), allowed_hosts=("mcp.example.com", "127.0.0.1:*")
        ),
    )
    port = gw.url.rsplit(":", 1)[1]
    assert post(gw, {**bearer(keys["alice"]), "Host": "evil.example.com"}).status_code == 421  # DNS rebinding
    assert post(gw, {**bearer(keys["alice"]), "Origin": "http://evil.example.com"}).status_code == 403
    assert post(gw, {**bearer(keys["alice"]), "Host": f"mcp.example.com:{port}"}, INITIALIZE).status_code == 200
    assert httpx.get(gw.url + "/healthz", headers={"Host": "evil.example.com"}, timeout=5).status_code == 200
    assert not (await list_groups(gw, bearer(keys["alice"]))).is_error


def test_loopback_default_refuses_foreign_hosts(gateway_with: GatewayFactory) -> None:
    gw = gateway_with(POLICY)  # 127.0.0.1, no auth: the SDK's loopback allowlist applies
    assert post(gw, {"Host": "rebound.attacker.example"}).status_code == 421


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3"])
def test_beyond_loopback_refuses_to_start_without_authentication(host: str) -> None:
    with pytest.raises(ConfigError, match="--auth none"):
        Gateway(GatewayOptions(host=host, environ={}))
    assert (
        Gateway(GatewayOptions(host=host, environ={}, security=SecurityOptions(auth="none"))).security.verifier is None
    )
