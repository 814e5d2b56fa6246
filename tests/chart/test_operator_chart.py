"""The operator chart, rendered and linted with the real Helm library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml
from chartkit import (
    KUBE_VERSIONS,
    OPERATOR_CHART,
    ci_values,
    find,
    generator,
    pod_specs,
    render_operator,
    restricted_violations,
    validate_objects,
)

from zscaler_mcp_operator.builders import DEFAULT_IMAGE

VALUE_SETS = ci_values(OPERATOR_CHART)
NAME = "zscaler-mcp-operator"
ROOT = Path(__file__).resolve().parents[2]
CHILD_VERBS = ["get", "create", "patch"]
# Exactly what the operator calls (docs/operator.md, RBAC): no Secrets at all, no delete.
EXPECTED_RULES = {
    ("zscaler-mcp.dev", "zscalermcps"): ["list", "watch", "patch"],
    ("zscaler-mcp.dev", "zscalermcps/status"): ["patch"],
    ("zscaler-mcp.dev", "zscalermcps/finalizers"): ["update"],
    ("", "configmaps"): CHILD_VERBS,
    ("", "services"): CHILD_VERBS,
    ("apps", "deployments"): CHILD_VERBS,
    ("", "events"): ["create"],
}


def _rules(role: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    return {
        (group, resource): rule["verbs"]
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }


def _container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = find(objects, "Deployment", NAME)["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_lints_clean(name: str) -> None:
    report = helm.lint(OPERATOR_CHART, VALUE_SETS[name], strict=True, kube_version="v1.30.0")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_every_object_is_valid_kubernetes_and_pods_are_restricted(name: str) -> None:
    objects = render_operator(VALUE_SETS[name])
    assert f"Deployment/{NAME}" in validate_objects(objects)
    for pod_name, spec in pod_specs(objects):
        assert restricted_violations(spec) == [], pod_name


def test_cluster_wide_by_default() -> None:
    objects = render_operator()
    role = find(objects, "ClusterRole", NAME)
    assert _rules(role) == EXPECTED_RULES
    binding = find(objects, "ClusterRoleBinding", NAME)
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": NAME}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": NAME, "namespace": "zscaler-mcp-system"}]
    assert _rules(find(objects, "ClusterRole", f"{NAME}-discovery")) == {
        ("apiextensions.k8s.io", "customresourcedefinitions"): ["list", "watch"]
    }
    assert not [o for o in objects if o["kind"] in ("Role", "RoleBinding")]
    assert _container(objects)["args"][-1] == "--all-namespaces"


def test_watch_namespace_gets_a_role_there_only() -> None:
    objects = render_operator(VALUE_SETS["namespaced"])
    role = find(objects, "Role", NAME)
    assert role["metadata"]["namespace"] == "ai-agents"
    assert _rules(role) == EXPECTED_RULES
    binding = find(objects, "RoleBinding", NAME)
    assert binding["metadata"]["namespace"] == "ai-agents"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": NAME, "namespace": "zscaler-mcp-system"}]
    assert ("", "namespaces") in _rules(find(objects, "ClusterRole", f"{NAME}-discovery"))
    assert {o["metadata"]["name"] for o in objects if o["kind"] == "ClusterRole"} == {f"{NAME}-discovery"}
    assert "ServiceAccount" not in {o["kind"] for o in objects}
    assert _container(objects)["args"][-1] == "--namespace=ai-agents"


def test_operator_runs_the_operator_image_with_kopf_liveness() -> None:
    objects = render_operator()
    deployment = find(objects, "Deployment", NAME)
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    spec = deployment["spec"]["template"]["spec"]
    assert spec["serviceAccountName"] == NAME
    container = _container(objects)
    assert container["image"] == "ghcr.io/zscaler-mcp-gateway/zscaler-mcp-operator:0.1.0"
    assert container["command"] == ["zscaler-mcp-operator"]
    assert container["args"][:3] == ["run", "--standalone", "--liveness=http://0.0.0.0:8080/healthz"]
    assert container["ports"] == [{"name": "health", "containerPort": 8080, "protocol": "TCP"}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}
    # Resources that name no image get the gateway image (the Dockerfile's gateway target) of the same version,
    # which is also the operator's own default.
    assert container["env"] == [{"name": "ZSCALER_MCP_GATEWAY_IMAGE", "value": DEFAULT_IMAGE}]
    assert DEFAULT_IMAGE == "ghcr.io/zscaler-mcp-gateway/zscaler-mcp-gateway:0.1.0"
    gateway_chart = yaml.safe_load((ROOT / "charts/zscaler-mcp-gateway/values.yaml").read_text())["image"]
    assert DEFAULT_IMAGE.startswith(gateway_chart["repository"] + ":")
    assert "envFrom" not in container


def test_gateway_image_for_resources_that_name_none() -> None:
    container = _container(render_operator({"gatewayImage": "registry.example.com/gateway:1.2.3"}))
    assert container["env"] == [{"name": "ZSCALER_MCP_GATEWAY_IMAGE", "value": "registry.example.com/gateway:1.2.3"}]
    tagged = _container(render_operator(VALUE_SETS["namespaced"]))
    assert tagged["env"][0]["value"] == "ghcr.io/zscaler-mcp-gateway/zscaler-mcp-gateway:0.1.0-rc1"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"replicaCount": 2}, "additional properties 'replicaCount' not allowed"),
        ({"watchNamespace": "Team_A"}, "'Team_A' does not match pattern"),
        ({"rbac": {"create": "yes"}}, "at '/rbac/create': got string, want boolean"),
    ],
)
def test_schema_rejects_bad_values_naming_them(values: dict[str, Any], expected: str) -> None:
    with pytest.raises(helm.HelmValuesError) as error:
        render_operator(values)
    assert expected in str(error.value)


def test_crd_ships_in_the_crds_folder() -> None:
    crds = generator.chart_crds(OPERATOR_CHART)
    if not crds:
        pytest.skip("charts/zscaler-mcp-operator/crds/ has no CRD yet (operator issue)")
    documents = [doc for text in crds for doc in yaml.safe_load_all(text) if doc]
    crd = find(documents, "CustomResourceDefinition", "zscalermcps.zscaler-mcp.dev")
    validate_objects(documents)
    spec = crd["spec"]
    assert (spec["group"], spec["scope"]) == ("zscaler-mcp.dev", "Namespaced")
    assert spec["names"]["kind"] == "ZscalerMCP"
    assert spec["names"]["plural"] == "zscalermcps"
    assert "zmcp" in spec["names"]["shortNames"]
    assert "v1alpha1" in [version["name"] for version in spec["versions"]]


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_no_rule_reaches_secrets_in_the_chart_or_the_manifests(name: str) -> None:
    """No Secret can be read with the operator's token: no rule names secrets (or every resource) at all."""
    manifests = [doc for doc in yaml.safe_load_all((ROOT / "manifests" / "operator.yaml").read_text()) if doc]
    for objects in (render_operator(VALUE_SETS[name]), manifests):
        roles = [o for o in objects if o["kind"] in ("ClusterRole", "Role")]
        assert roles
        for role in roles:
            for rule in role["rules"]:
                assert not {"secrets", "*"} & set(rule["resources"]), (role["kind"], role["metadata"]["name"], rule)


@pytest.mark.parametrize("version", KUBE_VERSIONS)
@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_every_object_validates_strictly_for_each_supported_kubernetes(name: str, version: str) -> None:
    assert validate_objects(render_operator(VALUE_SETS[name]), version)
