"""Checking a ZscalerMCP: the gateway's own policy validation, plus what the builders rely on."""

from __future__ import annotations

from typing import Any

import pytest

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import ConfigError
from zscaler_mcp_operator.spec import Auth, Jwt, api_keys_secret_of, parse_gateway, policy_document, secret_name_of


def resource(name: Any = "zs", **spec: Any) -> dict[str, Any]:
    spec.setdefault("credentials", {"secretName": "zscaler-credentials"})
    return {"metadata": {"name": name, "namespace": "tools", "uid": "u-1"}, "spec": spec}


def errors(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_gateway(document, load_catalog(), "img:1")
    return caught.value.errors


def test_a_minimal_resource_gets_the_defaults() -> None:
    gateway = parse_gateway(resource(), load_catalog(), "img:1")
    assert (gateway.name, gateway.namespace, gateway.uid) == ("zs", "tools", "u-1")
    assert (gateway.replicas, gateway.image, gateway.secret_name, gateway.resources) == (
        1,
        "img:1",
        "zscaler-credentials",
        {},
    )
    assert gateway.policy.to_document()["toolsets"] == []
    assert (gateway.auth, gateway.allowed_hosts, gateway.allow_unconfirmed_deletes) == (Auth("none"), (), False)


def test_the_namespace_defaults_like_kubectl() -> None:
    document = resource()
    del document["metadata"]["namespace"]
    assert parse_gateway(document, load_catalog(), "img:1").namespace == "default"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"toolsets": ["zia_url_filtering", "nope"]}, "spec.toolsets: unknown toolset 'nope'"),
        ({"services": ["zia", "zzz"]}, "spec.services: unknown service 'zzz'"),
        ({"disabledToolsets": ["all"]}, "spec.disabledToolsets: unknown toolset 'all'"),
        ({"disabledTools": ["zia_del["]}, "spec.disabledTools: invalid pattern 'zia_del['"),
        (
            {"disabledTools": ["zia delete"]},
            "spec.disabledTools: invalid pattern <a string of 10 characters, not shown>",
        ),
        ({"write": {"enabled": True, "allowlist": ["zia_[x"]}}, "spec.write.allowlist: invalid pattern 'zia_[x'"),
        ({"toolset": ["zia_url_filtering"]}, "spec.toolset: unknown key"),
        ({"replicas": -1}, "spec.replicas: Input should be greater than or equal to 0"),
        ({"replicas": "2"}, "spec.replicas: Input should be a valid integer"),
        ({"image": ""}, "spec.image: String should have at least 1 character"),
        ({"credentials": {}}, "spec.credentials.secretName: required"),
        (
            {"credentials": {"secretName": "Not_Valid"}},
            "spec.credentials.secretName: not a valid Secret name (a DNS-1123 subdomain)",
        ),
        ({"resources": {"limits": {"memory": "lots"}}}, "spec.resources.limits.memory: not a Kubernetes quantity"),
        ({"resources": {"claims": []}}, "spec.resources.claims: unknown key"),
        ({"auth": "api-key"}, "spec.auth: must be a mapping"),
        ({"auth": {"mode": "oauth"}}, "spec.auth.mode: Input should be 'none', 'api-key' or 'jwt'"),
        ({"auth": {"modes": "none"}}, "spec.auth.modes: unknown key"),
        ({"auth": {"mode": "api-key"}}, "spec.auth.apiKeysSecret: required when spec.auth.mode is api-key"),
        ({"auth": {"apiKeysSecret": "Keys!"}}, "spec.auth.apiKeysSecret: not a valid Secret name"),
        (
            {"auth": {"apiKeysSecret": "keys", "jwt": {"issuer": "https://login.example.com/"}}},
            "spec.auth: both apiKeysSecret and jwt.issuer are set; choose one with spec.auth.mode",
        ),
        ({"auth": {"mode": "jwt"}}, "spec.auth.jwt.issuer: required when spec.auth.mode is jwt"),
        (
            {"auth": {"jwt": {"issuer": "https://i.example/"}}},
            "spec.auth.jwt.audience: required when spec.auth.mode is jwt",
        ),
        (
            {"auth": {"jwt": {"issuer": "https://i.example/"}}},
            "spec.auth.jwt.jwksUrl: required when spec.auth.mode is jwt",
        ),
        (
            {"auth": {"jwt": {"issuer": "login.example.com"}}},
            "spec.auth.jwt.issuer: not an http(s) URL",
        ),
        (
            {"auth": {"jwt": {"issuer": "https://i/", "audience": "a", "jwksUrl": "http://i/jwks"}}},
            "spec.auth.jwt.jwksUrl: not an https URL",
        ),
        (
            {"auth": {"jwt": {"issuer": "https://i/", "audience": "zscaler-mcp", "jwksUrl": "https://i/jwks"}}},
            "spec.auth.jwt.resourceUrl: required when spec.auth.jwt.audience ('zscaler-mcp') is not a URL",
        ),
        ({"auth": {"jwt": {"issuer": "https://i/", "kid": "x"}}}, "spec.auth.jwt.kid: unknown key"),
        ({"allowedHosts": "mcp.example.com"}, "spec.allowedHosts: must be a list"),
        (
            {"allowedHosts": ["https://mcp.example.com/mcp"]},
            "spec.allowedHosts.0: not host, host:port or host:*",
        ),
        (
            {"auth": {"principals": {"principals": {"-bad": ["*"]}}}},
            "spec.auth.principals.principals.-bad.[key]: not a principal name",
        ),
        (
            {"auth": {"principals": {"principals": {"ci": ["zia list"]}}}},
            "spec.auth.principals.principals.ci.0: not an fnmatch pattern",
        ),
        ({"allowUnconfirmedDeletes": "yes"}, "spec.allowUnconfirmedDeletes: Input should be a valid boolean"),
    ],
)
def test_each_error_names_the_key(spec: dict[str, Any], expected: str) -> None:
    assert any(message.startswith(expected) for message in errors(resource(**spec))), errors(resource(**spec))


def test_every_problem_is_reported_at_once() -> None:
    found = errors(resource(replicas=-2, toolsets=["nope"], services=["zzz"]))
    assert len(found) == 3


@pytest.mark.parametrize("name", ["Upper", "9lives", "a" * 64, "with.dot", None])
def test_the_name_must_fit_a_service_name(name: Any) -> None:
    assert errors(resource(name=name))[0].startswith("metadata.name:")


def test_a_spec_is_required() -> None:
    assert errors({"metadata": {"name": "zs"}}) == ["spec: required, a mapping"]


def test_policy_document_keeps_only_the_policy_keys() -> None:
    spec = resource(replicas=2, toolsets=["all"], write={"enabled": False})["spec"]
    assert policy_document(spec) == {"toolsets": ["all"], "write": {"enabled": False}}


def test_secret_name_of_reads_any_spec() -> None:
    assert secret_name_of(resource(toolsets=["nope"])) == "zscaler-credentials"
    assert secret_name_of({"spec": {"credentials": "x"}}) is None
    assert secret_name_of({}) is None


def test_auth_resolves_like_the_chart() -> None:
    jwt = {
        "issuer": "https://login.example.com/",
        "audience": "https://mcp.example.com/mcp",
        "jwksUrl": "https://login.example.com/jwks",
    }
    cases = [
        ({}, Auth("none")),
        ({"apiKeysSecret": "keys"}, Auth("api-key", api_keys_secret="keys")),
        ({"jwt": jwt}, Auth("jwt", jwt=Jwt(jwt["issuer"], jwt["audience"], jwt["jwksUrl"]))),
        ({"mode": "none", "apiKeysSecret": "keys"}, Auth("none")),
        (
            {"mode": "jwt", "apiKeysSecret": "keys", "jwt": jwt},
            Auth("jwt", jwt=Jwt(jwt["issuer"], jwt["audience"], jwt["jwksUrl"])),
        ),
        ({"mode": "api-key", "apiKeysSecret": "keys", "jwt": jwt}, Auth("api-key", api_keys_secret="keys")),
    ]
    for auth, expected in cases:
        assert parse_gateway(resource(auth=auth), load_catalog(), "img:1").auth == expected, auth


def test_hosts_and_deletes_are_kept() -> None:
    gateway = parse_gateway(
        resource(allowedHosts=["mcp.example.com", "mcp.example.com:443", "[::1]:*"], allowUnconfirmedDeletes=True),
        load_catalog(),
        "img:1",
    )
    assert gateway.allowed_hosts == ("mcp.example.com", "mcp.example.com:443", "[::1]:*")
    assert gateway.allow_unconfirmed_deletes is True


def test_api_keys_secret_of_names_it_only_in_api_key_mode() -> None:
    assert api_keys_secret_of(resource(auth={"apiKeysSecret": "keys"})) == "keys"
    assert api_keys_secret_of(resource(auth={"apiKeysSecret": "keys"}, toolsets=["nope"])) == "keys"  # invalid spec
    assert api_keys_secret_of(resource(auth={"mode": "none", "apiKeysSecret": "keys"})) is None
    assert api_keys_secret_of(resource(auth={"mode": "jwt", "apiKeysSecret": "keys"})) is None
    assert api_keys_secret_of(resource()) is None
    assert api_keys_secret_of({"spec": {"auth": "x"}}) is None
