"""manifests/: generated from the charts, valid Kubernetes, and never drifting from the charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from chartkit import ROOT, find, generator, pod_specs, restricted_violations, validate_objects

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import validate_policy

MANIFESTS = ROOT / "manifests"
POLICY_KEYS = (
    "services",
    "toolsets",
    "disabledToolsets",
    "disabledTools",
    "enabledTools",
    "write",
    "entitlementFilter",
)


def _load(name: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((MANIFESTS / name).read_text()) if doc]


def test_committed_manifests_match_the_charts() -> None:
    stale = generator.drifted(generator.generate())
    assert stale == [], f"run `python scripts/generate_manifests.py`: {stale} drifted from the charts"


def test_drift_is_detected(tmp_path: Path) -> None:
    files = generator.generate()
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert generator.drifted(files, tmp_path) == []
    (tmp_path / "operator.yaml").write_text(files["operator.yaml"].replace("--all-namespaces", "--namespace=x"))
    assert generator.drifted(files, tmp_path) == ["operator.yaml"]


@pytest.mark.parametrize("name", ["operator.yaml", "gateway-example.yaml"])
def test_generated_manifests_are_plain_valid_kubernetes(name: str) -> None:
    objects = _load(name)
    validate_objects(objects)
    text = (MANIFESTS / name).read_text()
    assert "helm.sh/" not in text and "managed-by" not in text
    for pod_name, spec in pod_specs(objects):
        assert restricted_violations(spec) == [], pod_name


def test_operator_manifest_creates_its_namespace_first() -> None:
    objects = _load("operator.yaml")
    assert objects[0] == generator.namespace_object(generator.OPERATOR_NAMESPACE)
    kinds = [o["kind"] for o in objects]
    assert kinds.index("ServiceAccount") < kinds.index("ClusterRoleBinding") < kinds.index("Deployment")


def test_gateway_example_carries_the_example_policy() -> None:
    configmap = find(_load("gateway-example.yaml"), "ConfigMap", "zscaler-mcp-gateway-config")
    config = yaml.safe_load(configmap["data"]["config.yaml"])
    values = generator.GATEWAY_EXAMPLE_VALUES
    assert {key: config[key] for key in ("services", "toolsets", "disabledTools")} == {
        key: values[key] for key in ("services", "toolsets", "disabledTools")
    }


def test_example_resource_policy_is_one_the_gateway_accepts() -> None:
    (resource,) = _load("example-zscalermcp.yaml")
    assert (resource["apiVersion"], resource["kind"]) == ("zscaler-mcp.dev/v1alpha1", "ZscalerMCP")
    policy = {key: value for key, value in resource["spec"].items() if key in POLICY_KEYS}
    validate_policy(policy, load_catalog())
    assert resource["spec"]["credentials"] == {"secretName": "zscaler-credentials"}


def test_example_resource_matches_the_crd_schema() -> None:
    crd_path = MANIFESTS / "crd.yaml"
    if not crd_path.exists():
        pytest.skip("manifests/crd.yaml is generated once the operator issue ships the CRD")
    (crd,) = _load("crd.yaml")
    (resource,) = _load("example-zscalermcp.yaml")
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")
    jsonschema.validate(resource, version["schema"]["openAPIV3Schema"])
