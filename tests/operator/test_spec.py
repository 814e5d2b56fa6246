"""Checking a ZscalerMCP: the gateway's own policy validation, plus what the builders rely on."""

from __future__ import annotations

from typing import Any

import pytest

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import ConfigError
from zscaler_mcp_operator.spec import parse_gateway, policy_document, secret_name_of


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
        ({"disabledTools": ["zia delete"]}, "spec.disabledTools: invalid pattern 'zia delete'"),
        ({"write": {"enabled": True, "allowlist": ["zia_[x"]}}, "spec.write.allowlist: invalid pattern 'zia_[x'"),
        ({"toolset": ["zia_url_filtering"]}, "spec.toolset: unknown key"),
        ({"replicas": -1}, "spec.replicas: must be an integer >= 0, got -1"),
        ({"replicas": "2"}, "spec.replicas: must be an integer >= 0, got '2'"),
        ({"image": ""}, "spec.image: must be a non-empty string"),
        ({"credentials": {}}, "spec.credentials.secretName: required"),
        (
            {"credentials": {"secretName": "Not_Valid"}},
            "spec.credentials.secretName: 'Not_Valid' is not a valid Secret name",
        ),
        ({"resources": {"limits": {"memory": "lots"}}}, "spec.resources.limits.memory: 'lots' is not a quantity"),
        ({"resources": {"claims": []}}, "spec.resources.claims: unknown key"),
    ],
)
def test_each_error_names_the_key_and_the_bad_value(spec: dict[str, Any], expected: str) -> None:
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
