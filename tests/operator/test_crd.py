"""The CRD and docs/operator.md are generated from crd.py; the committed files must be what it generates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import policy_warnings
from zscaler_mcp_operator.builders import DEFAULT_IMAGE
from zscaler_mcp_operator.crd import custom_resource_definition, resource_schema
from zscaler_mcp_operator.docs import BEGIN, END, crd_reference, splice
from zscaler_mcp_operator.generate import CRD_FILE, DOCS_FILE, expected
from zscaler_mcp_operator.spec import parse_gateway

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "stale: run `python -m zscaler_mcp_operator.generate`"


@pytest.mark.parametrize("path", [CRD_FILE, DOCS_FILE], ids=str)
def test_committed_file_is_what_crd_py_generates(path: Path) -> None:
    assert (ROOT / path).read_text(encoding="utf-8") == expected(ROOT)[ROOT / path], f"{path} is {REGENERATE}"


def test_the_crd_file_holds_the_crd() -> None:
    assert yaml.safe_load((ROOT / CRD_FILE).read_text()) == custom_resource_definition()


def test_the_crd_is_a_valid_apiextensions_v1_object() -> None:
    kubernetes_validate.validate(custom_resource_definition(), "1.30.0", strict=True)


def test_names_scope_subresource_and_columns() -> None:
    spec = custom_resource_definition()["spec"]
    assert (spec["group"], spec["scope"]) == ("zscaler-mcp.dev", "Namespaced")
    assert spec["names"] == {
        "kind": "ZscalerMCP",
        "listKind": "ZscalerMCPList",
        "plural": "zscalermcps",
        "singular": "zscalermcp",
        "shortNames": ["zmcp"],
    }
    (version,) = spec["versions"]
    assert (version["name"], version["served"], version["storage"], version["subresources"]) == (
        "v1alpha1",
        True,
        True,
        {"status": {}},
    )
    columns = {c["name"]: c for c in version["additionalPrinterColumns"]}
    assert {"Ready", "Tools", "Age", "Endpoint"} <= set(columns)
    assert columns["Tools"]["jsonPath"] == ".status.toolCount"


def _structural(schema: dict[str, Any], path: str = "") -> list[str]:
    """Where a schema node lacks a type (Kubernetes requires structural schemas)."""
    problems = [] if "type" in schema or schema.get("x-kubernetes-int-or-string") else [path or "<root>"]
    for name, child in schema.get("properties", {}).items():
        problems += _structural(child, f"{path}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            problems += _structural(schema[key], f"{path}[{key}]")
    return problems


def test_the_schema_is_structural_and_covers_the_contract() -> None:
    schema = resource_schema()
    assert _structural(schema) == []
    spec = schema["properties"]["spec"]
    assert set(spec["properties"]) == {
        "replicas", "image", "services", "toolsets", "disabledToolsets", "disabledTools", "enabledTools",
        "write", "entitlementFilter", "credentials", "resources",
    }  # fmt: skip
    assert spec["required"] == ["credentials"] and spec["properties"]["credentials"]["required"] == ["secretName"]
    assert spec["properties"]["replicas"]["minimum"] == 0
    assert spec["properties"]["services"]["items"]["enum"] == list(load_catalog().services)
    assert "enum" not in spec["properties"]["toolsets"]["items"]  # unknown ids are reported, not rejected
    status = schema["properties"]["status"]["properties"]
    assert set(status) == {"observedGeneration", "toolCount", "endpoint", "configHash", "conditions"}
    condition = status["conditions"]["items"]["properties"]
    assert set(condition) == {"type", "status", "reason", "message", "lastTransitionTime"}


@pytest.mark.parametrize(
    ("spec", "accepted"),
    [
        ({"replicas": -1}, False),
        ({"services": ["zia", "nope"]}, False),
        ({"toolsets": ["Bad Id"]}, False),
        ({"disabledTools": ["zia delete"]}, False),
        ({"resources": {"limits": {"memory": "lots"}}}, False),
        ({"credentials": {}}, False),
        ({"toolsets": ["unknown_but_well_formed"]}, True),  # the operator reports it in ConfigValid
        ({"write": {"enabled": True, "allowlist": []}}, True),  # allowed, reported as a warning
        ({"resources": {"limits": {"cpu": 2, "memory": "512Mi"}, "requests": {"cpu": "100m"}}}, True),
    ],
)
def test_the_schema_rejects_what_a_schema_can_see(spec: dict[str, Any], accepted: bool) -> None:
    resource = {"metadata": {"name": "zs"}, "spec": {"credentials": {"secretName": "zs-creds"}, **spec}}
    validator = jsonschema.Draft7Validator(resource_schema())
    assert (not list(validator.iter_errors(resource))) is accepted


def _doc_examples() -> list[dict[str, Any]]:
    text = (ROOT / DOCS_FILE).read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    return [doc for block in blocks for doc in yaml.safe_load_all(block) if doc and doc.get("kind") == "ZscalerMCP"]


def test_the_doc_examples_are_valid_resources() -> None:
    examples = _doc_examples()
    assert len(examples) >= 2
    for example in examples:
        jsonschema.validate(example, resource_schema())
        gateway = parse_gateway(example, load_catalog(), DEFAULT_IMAGE)
        assert policy_warnings(gateway.policy, load_catalog()) == [], example["metadata"]["name"]


def test_splice_replaces_only_the_generated_region() -> None:
    document = f"# Title\n\n{BEGIN}\nold\n{END}\n\nAfter.\n"
    assert splice(document, crd_reference()) == f"# Title\n\n{crd_reference()}\nAfter.\n"
    with pytest.raises(ValueError, match="no generated region"):
        splice("# no markers\n", crd_reference())
