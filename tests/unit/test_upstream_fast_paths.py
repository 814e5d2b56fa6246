"""Upstream fast paths answer exactly what the SDK and requests would: proxy/CA cache, key-case cache."""

from __future__ import annotations

import pytest
import requests

from zscaler_mcp_gateway.upstream.sdk import memoize_sdk_key_case, remember_environment_settings

URLS = [
    "https://api.zsapi.net/zpa/mgmtconfig/v1/admin/customers/1/segmentGroup?page=1",
    "https://api.zsapi.net/zia/api/v1/ruleLabels",
    "https://acme.zslogin.net/oauth2/v1/token",
    "http://127.0.0.1:18080/zpa/x",
    "https://internal.example.com/x",
]


@pytest.fixture
def proxied_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,.example.com")


@pytest.mark.parametrize("verify", [True, False, "/etc/ssl/certs/ca-certificates.crt"])
def test_same_answer_as_requests_per_origin(proxied_env: None, verify: object) -> None:
    plain, cached = requests.Session(), requests.Session()
    remember_environment_settings(cached)
    for _ in range(2):  # the second round is served from the cache
        for url in URLS:
            assert cached.merge_environment_settings(url, {}, None, verify, None) == plain.merge_environment_settings(
                url, {}, None, verify, None
            )


def test_explicit_proxies_and_mutation_do_not_leak_between_calls(proxied_env: None) -> None:
    session = requests.Session()
    remember_environment_settings(session)
    first = session.merge_environment_settings(URLS[0], {}, None, True, None)
    assert first["proxies"]["https"] == "http://proxy.example.com:3128"
    first["proxies"]["https"] = "http://tampered:1"
    assert (
        session.merge_environment_settings(URLS[0], {}, None, True, None)["proxies"]["https"]
        == "http://proxy.example.com:3128"
    )
    explicit = session.merge_environment_settings(URLS[0], {"https": "http://other:8080"}, None, True, None)
    assert explicit["proxies"]["https"] == "http://other:8080"
    bypassed = session.merge_environment_settings(URLS[3], {}, None, True, None)["proxies"]
    assert "http" not in bypassed and "https" not in bypassed  # NO_PROXY honoured


KEYS = [
    "segmentGroupId",
    "creationTime",
    "surrogateIP",
    "minTLSVersion",
    "predefinedADPControls",
    "isNameL10nTag",
    "id",
    "URL",
    "tcpPortRanges",
]
SNAKE = [
    "segment_group_id",
    "creation_time",
    "surrogate_ip",
    "min_tls_version",
    "predefined_adp_controls",
    "is_name_l10n_tag",
    "id",
    "url",
    "tcp_port_ranges",
]


def test_cached_sdk_key_case_gives_the_sdk_answers() -> None:
    import zscaler.api_client as api_client
    import zscaler.helpers as helpers
    import zscaler.oneapi_object as oneapi_object

    plain_snake = getattr(helpers.to_snake_case, "__wrapped__", helpers.to_snake_case)
    plain_camel = getattr(helpers.to_lower_camel_case, "__wrapped__", helpers.to_lower_camel_case)
    expected = ([plain_snake(k) for k in KEYS], [plain_camel(k) for k in SNAKE])
    memoize_sdk_key_case()
    memoize_sdk_key_case()  # idempotent
    for _ in range(2):
        assert [helpers.to_snake_case(k) for k in KEYS] == expected[0]
        assert [helpers.to_lower_camel_case(k) for k in SNAKE] == expected[1]
    assert oneapi_object.to_snake_case is helpers.to_snake_case  # imported-by-name copies are cached too
    assert api_client.to_lower_camel_case is helpers.to_lower_camel_case
    assert helpers.convert_keys_to_snake_case({"segmentGroupId": [{"minTLSVersion": 1}]}) == {
        "segment_group_id": [{"min_tls_version": 1}]
    }


def test_sdk_dumps_only_when_their_logger_emits(simulator, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    import logging

    from zscaler_mcp_gateway.catalog import load_catalog
    from zscaler_mcp_gateway.credentials import CredentialSource
    from zscaler_mcp_gateway.upstream.client import SdkClient
    from zscaler_mcp_gateway.upstream.executor import ToolExecutor

    env = {
        "ZSCALER_CLIENT_ID": "c",
        "ZSCALER_CLIENT_SECRET": "s",
        "ZSCALER_VANITY_DOMAIN": "v",
        "ZSCALER_CUSTOMER_ID": "1234567890",
    }
    sdk = SdkClient(CredentialSource(None, env), simulator.url)
    upstream = ToolExecutor(sdk)
    tool = load_catalog().tools["zpa_list_segment_groups"]
    sdk_logger = logging.getLogger("zscaler")
    level = sdk_logger.level
    try:
        sdk_logger.setLevel(logging.WARNING)
        with caplog.at_level(logging.WARNING, logger="zscaler"):
            quiet = upstream.execute(tool, {})
        assert "ZSCALER SDK RESPONSE" not in caplog.text
        sdk_logger.setLevel(logging.INFO)
        with caplog.at_level(logging.INFO, logger="zscaler"):
            loud = upstream.execute(tool, {})
        assert "ZSCALER SDK RESPONSE" in caplog.text and "ZSCALER SDK REQUEST" in caplog.text
        assert quiet == loud
    finally:
        sdk_logger.setLevel(level)
        sdk.close()
