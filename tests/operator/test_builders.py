"""The pure builders: a ZscalerMCP in, its ConfigMap, Deployment and Service out."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import kubernetes_validate
import pytest
import yaml

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import validate_policy
from zscaler_mcp_operator.builders import DEFAULT_IMAGE, children, config_hash, render_config
from zscaler_mcp_operator.spec import Gateway, parse_gateway, policy_document

UID = "5f1c8a52-0000-4000-8000-000000000001"
SPEC: dict[str, Any] = {
    "replicas": 2,
    "services": ["zia", "zpa"],
    "toolsets": ["zia_url_filtering", "zpa_app_segments"],
    "disabledTools": ["zia_delete_*"],
    "write": {"enabled": True, "allowlist": ["zpa_update_*"]},
    "credentials": {"secretName": "zscaler-credentials"},
    "resources": {"requests": {"cpu": "100m", "memory": "160Mi"}, "limits": {"memory": "512Mi"}},
}
LABELS = {
    "app.kubernetes.io/name": "zscaler-mcp-gateway",
    "app.kubernetes.io/instance": "zs",
    "app.kubernetes.io/managed-by": "zscaler-mcp-operator",
    "app.kubernetes.io/part-of": "zscaler-mcp",
}


def gateway(uid: str | None = UID, **spec: Any) -> Gateway:
    metadata = {"name": "zs", "namespace": "tools", **({"uid": uid} if uid else {})}
    resource = {
        "apiVersion": "zscaler-mcp.dev/v1alpha1",
        "kind": "ZscalerMCP",
        "metadata": metadata,
        "spec": {**SPEC, **spec},
    }
    return parse_gateway(resource, load_catalog(), DEFAULT_IMAGE)


def objects(**spec: Any) -> dict[str, dict[str, Any]]:
    return {obj["kind"]: obj for obj in children(gateway(**spec))}


def pod(**spec: Any) -> dict[str, Any]:
    template: dict[str, Any] = objects(**spec)["Deployment"]["spec"]["template"]
    return template


def walk(value: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a nested structure."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def test_children_are_valid_kubernetes_objects() -> None:
    built = children(gateway())
    assert [(o["kind"], o["metadata"]["name"]) for o in built] == [
        ("ConfigMap", "zs-config"),
        ("Deployment", "zs"),
        ("Service", "zs"),
    ]
    for obj in built:
        kubernetes_validate.validate(obj, "1.30.0", strict=True)


def test_every_child_is_labelled_and_owned_by_the_resource() -> None:
    for obj in children(gateway()):
        assert obj["metadata"]["namespace"] == "tools"
        assert obj["metadata"]["labels"] == LABELS
        assert obj["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "zscaler-mcp.dev/v1alpha1",
                "kind": "ZscalerMCP",
                "name": "zs",
                "uid": UID,
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]


def test_without_a_uid_there_is_no_owner_reference() -> None:
    assert all("ownerReferences" not in obj["metadata"] for obj in children(gateway(uid=None)))


def test_config_content_is_the_spec_policy() -> None:
    config_map = objects()["ConfigMap"]
    assert list(config_map["data"]) == ["config.yaml"]
    document = yaml.safe_load(config_map["data"]["config.yaml"])
    assert document == validate_policy(policy_document(SPEC), load_catalog()).to_document()
    for key in ("services", "toolsets", "disabledTools", "write"):
        assert document[key] == SPEC[key]
    assert not {"replicas", "credentials", "resources", "image"} & set(document)


def test_credentials_are_a_read_only_secret_volume_and_never_env_vars() -> None:
    template = pod()
    (container,) = template["spec"]["containers"]
    volumes = {v["name"]: v for v in template["spec"]["volumes"]}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    mount = mounts["/var/run/secrets/zscaler"]
    assert mount["readOnly"] is True
    assert volumes[mount["name"]]["secret"] == {"secretName": "zscaler-credentials", "defaultMode": 0o440}
    assert container["args"][3:5] == ["--credentials-dir", "/var/run/secrets/zscaler"]
    keys = {key for obj in children(gateway()) for key, _ in walk(obj)}
    assert not keys & {"env", "envFrom", "secretKeyRef", "secretRef"}


def test_the_configmap_is_mounted_as_a_directory_without_subpath() -> None:
    template = pod()
    (container,) = template["spec"]["containers"]
    volumes = {v["name"]: v for v in template["spec"]["volumes"]}
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == "/etc/zscaler-mcp")
    assert volumes[mount["name"]]["configMap"] == {"name": "zs-config"}
    assert all("subPath" not in m and "subPathExpr" not in m for m in container["volumeMounts"])
    assert container["args"][:3] == ["serve", "--config", "/etc/zscaler-mcp/config.yaml"]


def test_the_pod_meets_pod_security_restricted() -> None:
    spec = pod()["spec"]
    (container,) = spec["containers"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    context = container["securityContext"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] == 10001
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    assert {tuple(sorted(set(v) - {"name"})) for v in spec["volumes"]} <= {("configMap",), ("secret",), ("emptyDir",)}
    assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"])  # writable scratch, root stays read-only


def test_the_gateway_serves_mcp_and_metrics_with_probes() -> None:
    built = objects()
    (container,) = built["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert container["args"][5:] == ["--host", "0.0.0.0", "--port", "8000", "--metrics-port", "9090"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "mcp"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "mcp"}
    assert [(p["name"], p["containerPort"]) for p in container["ports"]] == [("mcp", 8000), ("metrics", 9090)]
    service = built["Service"]["spec"]
    assert [(p["name"], p["port"], p["targetPort"]) for p in service["ports"]] == [
        ("mcp", 8000, "mcp"),
        ("metrics", 9090, "metrics"),
    ]
    selector = built["Deployment"]["spec"]["selector"]["matchLabels"]
    assert service["selector"] == selector
    assert selector.items() <= built["Deployment"]["spec"]["template"]["metadata"]["labels"].items()


def test_replicas_image_and_resources_come_from_the_spec() -> None:
    deployment = objects(image="registry.example/gw:2", replicas=5)["Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert (deployment["spec"]["replicas"], container["image"]) == (5, "registry.example/gw:2")
    assert container["resources"] == SPEC["resources"]
    spec = {k: v for k, v in SPEC.items() if k not in ("replicas", "resources")}
    resource = {"metadata": {"name": "zs", "namespace": "tools"}, "spec": spec}
    (container,) = children(parse_gateway(resource, load_catalog(), "default/image:1"))[1]["spec"]["template"]["spec"][
        "containers"
    ]
    assert (container["image"], container["resources"]) == ("default/image:1", {})


@pytest.mark.parametrize(
    "policy",
    [
        {"toolsets": ["all"]},
        {"services": ["zdx"], "disabledToolsets": ["zdx_alerts"]},
        {"write": {"enabled": False, "allowlist": []}, "enabledTools": ["zia_list_*"]},
    ],
)
def test_the_pod_template_does_not_depend_on_the_policy(policy: dict[str, Any]) -> None:
    """A policy change must rewrite the ConfigMap only: no config hash, nothing of the policy in the pod."""
    assert objects(**policy)["Deployment"] == objects()["Deployment"]
    assert objects(**policy)["ConfigMap"] != objects()["ConfigMap"]


def test_config_hash_is_the_sha256_of_config_yaml() -> None:
    text = render_config(gateway().policy)
    assert config_hash(text) == hashlib.sha256(text.encode()).hexdigest()
    assert config_hash(text) != config_hash(render_config(gateway(toolsets=["all"]).policy))
