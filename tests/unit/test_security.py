"""Security building blocks without a server: auth mode rule, key files, principals, hosts, retries, JWT settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.support.security import new_api_key
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import ConfigError
from zscaler_mcp_gateway.resilience import RetryPolicy, retry_after_seconds
from zscaler_mcp_gateway.security.apikeys import ApiKeyVerifier
from zscaler_mcp_gateway.security.hosts import check_allowed_hosts, transport_security
from zscaler_mcp_gateway.security.oauth import validate_jwt_options
from zscaler_mcp_gateway.security.options import JwtOptions, SecurityOptions, resolve_auth_mode
from zscaler_mcp_gateway.security.principals import PrincipalPolicy, parse_rules

JWT = JwtOptions(
    issuer="https://idp.example.com", audience="https://mcp.example.com/mcp", jwks_url="https://idp.example.com/jwks"
)


@pytest.mark.parametrize(
    ("options", "host", "mode"),
    [
        (SecurityOptions(), "127.0.0.1", "none"),
        (SecurityOptions(), "localhost", "none"),
        (SecurityOptions(api_keys_dir="/keys"), "0.0.0.0", "api-key"),
        (SecurityOptions(jwt=JWT), "::", "jwt"),
        (SecurityOptions(auth="none"), "0.0.0.0", "none"),
    ],
)
def test_auth_mode_follows_what_is_configured(options: SecurityOptions, host: str, mode: str) -> None:
    assert resolve_auth_mode(options, host) == mode


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (SecurityOptions(), "refusing to serve on 0.0.0.0 without authentication"),
        (SecurityOptions(api_keys_dir="/keys", jwt=JWT), "choose one"),
        (SecurityOptions(auth="api-key"), "needs --api-keys-dir"),
        (SecurityOptions(auth="jwt"), "needs --jwt-issuer"),
    ],
)
def test_auth_mode_refusals_say_what_to_do(options: SecurityOptions, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_auth_mode(options, "0.0.0.0")


async def test_api_key_files_skip_weak_shared_and_kubelet_entries(tmp_path: Path) -> None:
    good, shared = new_api_key(), new_api_key()
    (tmp_path / "alice").write_text(good + "\n")
    (tmp_path / "weak").write_text("short")
    (tmp_path / "carol").write_text(shared)
    (tmp_path / "dave").write_text(shared)
    (tmp_path / "bad name!").write_text(new_api_key())
    (tmp_path / "..data").mkdir()
    verifier = ApiKeyVerifier(tmp_path)
    assert verifier.principals == ("alice",)
    token = await verifier.verify_token(good)
    assert (
        token is not None
        and (token.client_id, token.subject) == ("alice", "alice")
        and good not in token.model_dump_json()
    )
    assert await verifier.verify_token(shared) is None and await verifier.verify_token("short") is None


def test_missing_api_keys_directory_is_a_startup_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        ApiKeyVerifier(tmp_path / "absent")


def test_principals_file_is_strict_and_reloads_keeping_the_last_good(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rules("principals: {alice: zia_*}\nextra: 1\ndefault: [1]\n", "p.yaml")
    assert len(caught.value.errors) == 3
    tools = load_catalog().tools
    path = tmp_path / "principals.yaml"
    path.write_text("principals:\n  alice: ['zia_*']\ndefault: ['zscaler_list_toolsets']\n")
    policy = PrincipalPolicy(path)
    assert policy.allows("alice", tools["zia_list_rule_labels"]) and not policy.allows(
        "alice", tools["zpa_list_segment_groups"]
    )
    assert policy.allows("anyone", tools["zscaler_list_toolsets"]) and not policy.allows(
        "anyone", tools["zia_list_rule_labels"]
    )
    path.write_text("principals: [not, a, mapping]\n")
    assert policy.allows("alice", tools["zia_list_rule_labels"])  # the broken edit changed nothing
    path.write_text("principals:\n  alice: ['zpa_*']\n")
    assert policy.allows("alice", tools["zpa_list_segment_groups"]) and not policy.allows(
        "anyone", tools["zscaler_list_toolsets"]
    )


@pytest.mark.parametrize("text", ["", "\n", "# no principal is restricted yet\n", "---\n"])
def test_an_empty_principals_file_restricts_no_one_and_patterns_apply_live(tmp_path: Path, text: str) -> None:
    tools = load_catalog().tools
    path = tmp_path / "principals.yaml"
    path.write_text(text)
    policy = PrincipalPolicy(path)  # valid: the chart and the operator always pass the flag
    assert policy.allows("anyone", tools["zia_list_rule_labels"]) and policy.allows(
        "alice", tools["zpa_delete_segment_group"]
    )
    path.write_text("principals:\n  alice: ['zia_*']\n")  # a ConfigMap edit, no restart
    assert policy.allows("alice", tools["zia_list_rule_labels"]) and not policy.allows(
        "bob", tools["zia_list_rule_labels"]
    )
    path.write_text(text)  # cleared again: open again
    assert policy.allows("bob", tools["zia_list_rule_labels"])


def test_allowed_hosts_accept_any_port_for_a_bare_host_and_reject_urls() -> None:
    settings = transport_security(("mcp.example.com", "10.0.0.1:8000", "[::1]:*"), "0.0.0.0")
    assert settings is not None
    assert settings.allowed_hosts == ["mcp.example.com", "mcp.example.com:*", "10.0.0.1:8000", "[::1]:*"]
    assert "https://mcp.example.com:*" in settings.allowed_origins
    assert transport_security((), "0.0.0.0") is None  # no allowlist beyond loopback: no Host check (and a warning)
    loopback = transport_security((), "127.0.0.1")
    assert loopback is not None and loopback.allowed_hosts == ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    with pytest.raises(ConfigError, match="no scheme"):
        check_allowed_hosts(("https://mcp.example.com/mcp",))


def test_retries_are_for_unprocessed_or_read_requests_and_honour_retry_after() -> None:
    policy = RetryPolicy()
    assert policy.retryable("GET", 500) and policy.retryable("POST", 429) and policy.retryable("DELETE", 503)
    assert not policy.retryable("POST", 500) and not policy.retryable("PUT", 502) and not policy.retryable("GET", 404)
    assert policy.wait(1, 3.0) == 3.0
    assert (
        all(0.1 <= policy.wait(1, None) <= 0.2 for _ in range(50))
        and policy.wait(10, None) <= policy.max_backoff_seconds
    )
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert (
        retry_after_seconds("7") == 7.0
        and retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    )
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"algorithms": ("HS256",)}, "not allowed"),
        ({"algorithms": ()}, "not allowed"),
        ({"jwks_url": "http://idp.example.com/jwks"}, "must be https"),
        ({"issuer": ""}, "--jwt-issuer"),
    ],
)
def test_jwt_settings_refuse_symmetric_algorithms_and_plain_http(change: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        validate_jwt_options(JwtOptions(**{**JWT.__dict__, **change}))  # type: ignore[arg-type]
