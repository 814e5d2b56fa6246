"""The CRD and docs/operator.md are generated from crd.py; the committed files must be what it generates."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import celpy
import jsonschema
import kubernetes_validate
import pytest
import yaml
from celpy.adapter import json_to_cel

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import ConfigError, PolicyConfig, policy_warnings
from zscaler_mcp_gateway.security.hosts import _ENTRY as GATEWAY_HOST_ENTRY
from zscaler_mcp_operator.builders import DEFAULT_IMAGE
from zscaler_mcp_operator.chart_values import ChartValues, values_schema
from zscaler_mcp_operator.crd import custom_resource_definition, resource_schema
from zscaler_mcp_operator.docs import BEGIN, END, crd_reference, splice
from zscaler_mcp_operator.generate import CRD_FILE, DOCS_FILE, VALUES_SCHEMA_FILE, expected
from zscaler_mcp_operator.schema import HOST_PATTERN
from zscaler_mcp_operator.spec import parse_gateway

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "stale: run `python -m zscaler_mcp_operator.generate`"


@pytest.mark.parametrize("path", [CRD_FILE, DOCS_FILE, VALUES_SCHEMA_FILE], ids=str)
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
        "replicas", "image", "services", "toolsets", "disabledToolsets", "disabledTools", "enabledTools", "sessions",
        "write", "entitlementFilter", "upstream", "credentials", "approvals", "resources", "auth", "allowedHosts",
        "allowUnconfirmedDeletes",
    }  # fmt: skip
    rate_limit = spec["properties"]["upstream"]["properties"]["rateLimit"]
    assert rate_limit["x-kubernetes-int-or-string"] is True and rate_limit["default"] == "auto"
    assert spec["required"] == ["credentials"] and spec["properties"]["credentials"]["required"] == ["secretName"]
    assert spec["properties"]["replicas"]["minimum"] == 0
    assert spec["properties"]["services"]["items"]["enum"] == list(load_catalog().services)
    assert "enum" not in spec["properties"]["toolsets"]["items"]  # unknown ids are reported, not rejected
    auth = spec["properties"]["auth"]
    assert auth["properties"]["mode"]["enum"] == ["none", "api-key", "jwt"]
    assert set(auth["properties"]) == {"mode", "apiKeysSecret", "jwt", "principals"}  # the chart's auth.*
    assert set(auth["properties"]["jwt"]["properties"]) == {"issuer", "audience", "jwksUrl", "resourceUrl"}
    assert spec["properties"]["allowUnconfirmedDeletes"] == {
        **spec["properties"]["allowUnconfirmedDeletes"],
        "type": "boolean",
        "default": False,
    }
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


_CEL = celpy.Environment()


def _cel_failures(schema: dict[str, Any], value: Any, path: str = "") -> list[str]:
    """The messages of the x-kubernetes-validations rules `value` breaks, evaluated with a CEL runtime."""
    failures = []
    for rule in schema.get("x-kubernetes-validations", ()):
        program = _CEL.program(_CEL.compile(rule["rule"]))
        if not program.evaluate({"self": json_to_cel(value)}):
            failures.append(f"{path or '<root>'}: {rule['message']}")
    if isinstance(value, dict):
        for name, child in schema.get("properties", {}).items():
            if name in value:
                failures += _cel_failures(child, value[name], f"{path}.{name}")
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            failures += _cel_failures(schema["items"], item, f"{path}[]")
    return failures


def admission_errors(spec: dict[str, Any], name: str = "zs") -> list[str]:
    """What the API server would refuse about a resource: its OpenAPI schema, then its CEL rules."""
    resource = {"metadata": {"name": name}, "spec": {"credentials": {"secretName": "zs-creds"}, **spec}}
    schema = resource_schema()
    errors = [error.message for error in jsonschema.Draft7Validator(schema).iter_errors(resource)]
    return errors or _cel_failures(schema, resource)


JWT = {
    "issuer": "https://login.example.com/",
    "audience": "https://mcp.example.com/mcp",
    "jwksUrl": "https://login.example.com/jwks",
}
AUTH_CASES: list[tuple[dict[str, Any], str | None]] = [
    ({}, None),
    ({"auth": {}}, None),
    ({"auth": {"mode": "none"}}, None),
    ({"auth": {"apiKeysSecret": "zscaler-mcp-api-keys"}}, None),
    ({"auth": {"mode": "api-key", "apiKeysSecret": "keys"}}, None),
    ({"auth": {"mode": "none", "apiKeysSecret": "keys"}}, None),
    ({"auth": {"jwt": JWT}}, None),
    ({"auth": {"mode": "jwt", "jwt": JWT, "apiKeysSecret": "keys"}}, None),
    ({"auth": {"jwt": {**JWT, "audience": "zscaler-mcp", "resourceUrl": "https://mcp.example.com/mcp"}}}, None),
    ({"auth": {"mode": "api-key"}}, "auth.mode api-key needs auth.apiKeysSecret"),
    ({"auth": {"mode": "jwt"}}, "auth.mode jwt needs auth.jwt.issuer, auth.jwt.audience and auth.jwt.jwksUrl"),
    ({"auth": {"mode": "jwt", "jwt": {"issuer": JWT["issuer"]}}}, "auth.mode jwt needs auth.jwt.issuer"),
    ({"auth": {"jwt": {"issuer": JWT["issuer"], "audience": JWT["audience"]}}}, "auth.mode jwt needs auth.jwt.issuer"),
    ({"auth": {"apiKeysSecret": "keys", "jwt": JWT}}, "auth: both apiKeysSecret and jwt.issuer are set"),
    ({"auth": {"jwt": {**JWT, "audience": "zscaler-mcp"}}}, "auth.jwt.resourceUrl is required when auth.jwt.audience"),
    ({"auth": {"mode": "oauth"}}, "'oauth' is not one of"),
    ({"auth": {"apiKeysSecret": "Keys"}}, "does not match"),
    ({"auth": {"jwt": {**JWT, "jwksUrl": "http://login.example.com/jwks"}}}, "does not match"),
    ({"allowedHosts": ["mcp.example.com", "mcp.example.com:443", "mcp.example.com:*", "[::1]:8000"]}, None),
    ({"allowedHosts": ["https://mcp.example.com"]}, "does not match"),
    ({"allowedHosts": ["mcp.example.com/mcp"]}, "does not match"),
    ({"allowUnconfirmedDeletes": True}, None),
    ({"allowUnconfirmedDeletes": "yes"}, "is not of type 'boolean'"),
]


@pytest.mark.parametrize(("spec", "refusal"), AUTH_CASES)
def test_admission_of_auth_hosts_and_deletes(spec: dict[str, Any], refusal: str | None) -> None:
    errors = admission_errors(spec)
    if refusal is None:
        assert errors == []
    else:
        assert any(refusal in error for error in errors), errors


@pytest.mark.parametrize(("spec", "refusal"), AUTH_CASES)
def test_the_operator_refuses_what_admission_refuses(spec: dict[str, Any], refusal: str | None) -> None:
    """`render` and a resource created before the CRD was updated get the same verdict as admission."""
    resource = {"metadata": {"name": "zs"}, "spec": {"credentials": {"secretName": "zs-creds"}, **spec}}
    try:
        parse_gateway(resource, load_catalog(), DEFAULT_IMAGE)
    except ConfigError as error:
        assert refusal is not None, error.errors
    else:
        assert refusal is None


def test_the_existing_cel_rules_hold_under_a_cel_runtime() -> None:
    assert admission_errors({"disabledToolsets": ["zia_url_filtering"]}) == []
    assert admission_errors({"disabledToolsets": ["all"]}) == [
        ".spec.disabledToolsets: disabledToolsets takes toolset ids, not the keywords default, all"
    ]
    assert admission_errors({}, name="Not-A-Label")[0].startswith("<root>: metadata.name must be a DNS-1035 label")


def test_the_host_pattern_is_the_gateways() -> None:
    assert HOST_PATTERN == GATEWAY_HOST_ENTRY.pattern


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


def _unbounded(schema: dict[str, Any], path: str = "") -> list[str]:
    """Where a list, map or string of the schema has no upper bound (the API server then costs a CEL rule as if
    it held about a million items)."""
    problems = []
    kind = schema.get("type")
    if kind == "array" and "maxItems" not in schema:
        problems.append(f"{path}: array without maxItems")
    if (kind == "string" or schema.get("x-kubernetes-int-or-string")) and not (
        "maxLength" in schema or "enum" in schema
    ):
        if schema.get("format") != "date-time":  # a date-time's size is fixed by its format
            problems.append(f"{path}: string without maxLength")
    if kind == "object" and "additionalProperties" in schema and "maxProperties" not in schema:
        problems.append(f"{path}: map without maxProperties")
    for name, child in schema.get("properties", {}).items():
        if path or name in ("spec", "status"):  # metadata is the API server's, bounded by it
            problems += _unbounded(child, f"{path}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            problems += _unbounded(schema[key], f"{path}[{key}]")
    return problems


def test_every_list_map_and_string_of_the_crd_is_bounded() -> None:
    assert _unbounded(resource_schema()) == []


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        ({"toolsets": [f"toolset_{i}" for i in range(129)]}, "spec.toolsets"),
        ({"disabledToolsets": ["x" * 65]}, "spec.disabledToolsets.0"),
        ({"disabledTools": ["zia_*"] * 257}, "spec.disabledTools"),
        ({"allowedHosts": ["mcp.example.com"] * 65}, "spec.allowedHosts"),
        ({"resources": {"limits": {f"example.com/r{i}": 1 for i in range(17)}}}, "spec.resources.limits"),
    ],
)
def test_admission_and_the_operator_refuse_what_is_over_a_bound(spec: dict[str, Any], key: str) -> None:
    assert admission_errors(spec)
    resource = {"metadata": {"name": "zs"}, "spec": {"credentials": {"secretName": "zs-creds"}, **spec}}
    with pytest.raises(ConfigError) as refused:
        parse_gateway(resource, load_catalog(), DEFAULT_IMAGE)
    assert any(message.startswith(f"{key}: ") for message in refused.value.errors), refused.value.errors


def test_the_gateway_charts_values_yaml_is_valid_chart_values() -> None:
    """values.yaml (the chart's one source of defaults) holds every key of the model, each of the right shape."""
    values = yaml.safe_load((ROOT / "charts/zscaler-mcp-gateway/values.yaml").read_text(encoding="utf-8"))
    parsed = ChartValues.model_validate(values)
    assert set(values) == {field.alias or name for name, field in ChartValues.model_fields.items()} - {"global"}
    assert parsed.replica_count == values["replicaCount"]
    jsonschema.validate(values, json.loads((ROOT / VALUES_SCHEMA_FILE).read_text(encoding="utf-8")))


def test_a_policy_key_of_the_gateway_is_a_key_of_the_cr_and_of_the_chart() -> None:
    policy = {field.alias or name for name, field in PolicyConfig.model_fields.items()}
    assert policy <= set(resource_schema()["properties"]["spec"]["properties"])
    assert policy <= set(values_schema(tuple(load_catalog().services))["properties"])


# JSON Schema keywords a structural schema may not hold (or that Kubernetes' schema type lacks).
NOT_STRUCTURAL = {"$ref", "$defs", "definitions", "patternProperties", "propertyNames", "title", "const"}


def _keywords(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_keywords(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = set(node) - {"properties"}
    for key, value in node.items():
        children = value.values() if key == "properties" else [value]
        found |= set().union(*(_keywords(child) for child in children)) if children else set()
    return found


def test_the_generated_schema_holds_no_keyword_kubernetes_refuses() -> None:
    assert _keywords(resource_schema()) & NOT_STRUCTURAL == set()
    admitted = admission_errors({"auth": {"principals": {"principals": {"ci": ["*_list_*"]}, "default": []}}})
    assert admitted == []


@pytest.mark.parametrize(
    ("write", "refusal"),
    [
        ({"confirm": ["create", "update", "delete"], "confirmTools": ["zia_*_rule"]}, None),
        ({"confirm": []}, None),
        ({"confirm": ["drop"]}, "is not one of"),
        ({"confirmTools": ["zia rule"]}, "does not match"),
    ],
)
def test_admission_of_the_confirmation_policy(write: dict[str, Any], refusal: str | None) -> None:
    errors = admission_errors({"write": write})
    assert errors == [] if refusal is None else any(refusal in error for error in errors), errors
