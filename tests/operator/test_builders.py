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
from zscaler_mcp_gateway.policy import PolicyView
from zscaler_mcp_gateway.security.principals import parse_rules
from zscaler_mcp_operator.builders import (
    APPROVAL_KEYS_DIR,
    DEFAULT_IMAGE,
    children,
    config_hash,
    config_map,
    deployment,
    render_config,
    serve_args,
)
from zscaler_mcp_operator.reconcile import approval_warnings
from zscaler_mcp_operator.spec import Gateway, parse_gateway, policy_document

UID = "5f1c8a52-0000-4000-8000-000000000001"
SPEC: dict[str, Any] = {
    "replicas": 2,
    "services": ["zia", "zpa"],
    "toolsets": ["zia_url_filtering", "zpa_app_segments"],
    "disabledTools": ["zia_delete_*"],
    "write": {"enabled": True, "allowlist": ["zpa_update_*"], "confirm": ["update", "delete"], "confirmTools": []},
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
    assert list(config_map["data"]) == ["config.yaml", "principals.yaml"]
    assert config_map["data"]["principals.yaml"] == ""  # no spec.auth.principals: no one restricted
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
    assert container["args"][5:11] == ["--host", "0.0.0.0", "--port", "8000", "--metrics-port", "9090"]
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


API_KEYS_MOUNT = {"name": "api-keys", "mountPath": "/var/run/secrets/zscaler-mcp-api-keys", "readOnly": True}
JWT = {
    "issuer": "https://login.example.com/",
    "audience": "https://mcp.example.com/mcp",
    "jwksUrl": "https://login.example.com/jwks",
}
JWT_PLAIN_AUDIENCE = {**JWT, "audience": "zscaler-mcp", "resourceUrl": "https://mcp.example.com/mcp"}


def arg(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


@pytest.mark.parametrize(
    ("auth", "mode", "flags"),
    [
        (None, "none", {}),
        ({}, "none", {}),
        ({"mode": "none", "apiKeysSecret": "keys"}, "none", {}),
        ({"apiKeysSecret": "keys"}, "api-key", {"--api-keys-dir": "/var/run/secrets/zscaler-mcp-api-keys"}),
        (
            {"mode": "api-key", "apiKeysSecret": "keys"},
            "api-key",
            {"--api-keys-dir": "/var/run/secrets/zscaler-mcp-api-keys"},
        ),
        (
            {"jwt": JWT},
            "jwt",
            {"--jwt-issuer": JWT["issuer"], "--jwt-audience": JWT["audience"], "--jwks-url": JWT["jwksUrl"]},
        ),
        (
            {"jwt": JWT_PLAIN_AUDIENCE},
            "jwt",
            {"--jwt-audience": "zscaler-mcp", "--resource-url": "https://mcp.example.com/mcp"},
        ),
        ({"mode": "jwt", "apiKeysSecret": "keys", "jwt": JWT}, "jwt", {"--jwt-issuer": JWT["issuer"]}),
    ],
)
def test_auth_is_always_explicit_with_what_its_mode_needs(
    auth: dict[str, Any] | None, mode: str, flags: dict[str, str]
) -> None:
    template = pod() if auth is None else pod(auth=auth)
    (container,) = template["spec"]["containers"]
    args = container["args"]
    assert args.count("--auth") == 1 and arg(args, "--auth") == mode
    assert {flag: arg(args, flag) for flag in flags} == flags
    volumes = template["spec"]["volumes"]
    if mode == "api-key":
        assert API_KEYS_MOUNT in container["volumeMounts"]
        assert {"name": "api-keys", "secret": {"secretName": "keys", "defaultMode": 0o440}} in volumes
    else:
        assert "--api-keys-dir" not in args
        assert "api-keys" not in [v["name"] for v in volumes]
    if mode != "jwt":
        assert not {"--jwt-issuer", "--jwt-audience", "--jwks-url", "--resource-url"} & set(args)
    elif "resourceUrl" not in auth["jwt"]:  # type: ignore[index]
        assert "--resource-url" not in args


def test_allowed_hosts_are_the_service_names_and_localhost_then_the_spec() -> None:
    service = ["zs", "zs.tools", "zs.tools.svc", "zs.tools.svc.cluster.local", "localhost", "127.0.0.1"]
    assert arg(serve_args(gateway()), "--allowed-hosts").split(",") == service
    extra = ["mcp.example.com", "mcp.example.com:443", "localhost", "zs.tools.svc"]
    hosts = arg(serve_args(gateway(allowedHosts=extra)), "--allowed-hosts").split(",")
    assert hosts == [*service, "mcp.example.com", "mcp.example.com:443"]  # duplicates dropped, order kept


@pytest.mark.parametrize(("replicas", "stateless"), [(0, False), (1, False), (2, True), (5, True)])
def test_stateless_whenever_more_than_one_pod_serves(replicas: int, stateless: bool) -> None:
    assert ("--stateless" in serve_args(gateway(replicas=replicas))) is stateless


@pytest.mark.parametrize(("replicas", "shares"), [(0, "1"), (1, "1"), (3, "3")])
def test_the_api_quota_is_shared_by_the_replicas(replicas: int, shares: str) -> None:
    assert arg(serve_args(gateway(replicas=replicas)), "--replicas") == shares


def test_unconfirmed_deletes_only_when_asked() -> None:
    assert "--allow-unconfirmed-deletes" not in serve_args(gateway())
    assert "--allow-unconfirmed-deletes" not in serve_args(gateway(allowUnconfirmedDeletes=False))
    assert serve_args(gateway(allowUnconfirmedDeletes=True))[-1] == "--allow-unconfirmed-deletes"


def test_the_approval_keys_secret_is_mounted_when_named() -> None:
    named = gateway(approvals={"secretName": "zs-approval-keys"})
    (container,) = deployment(named)["spec"]["template"]["spec"]["containers"]
    volumes = deployment(named)["spec"]["template"]["spec"]["volumes"]
    assert {"name": "approval-keys", "secret": {"secretName": "zs-approval-keys", "defaultMode": 0o440}} in volumes
    assert {"name": "approval-keys", "mountPath": APPROVAL_KEYS_DIR, "readOnly": True} in container["volumeMounts"]
    args = serve_args(named)
    assert args[args.index("--approval-keys-dir") + 1] == APPROVAL_KEYS_DIR
    assert "--approval-keys-dir" not in serve_args(gateway())  # unset: each pod's own key (docs/security.md)


@pytest.mark.parametrize(
    "spec",
    [
        {"auth": {"apiKeysSecret": "keys"}, "allowedHosts": ["mcp.example.com"], "allowUnconfirmedDeletes": True},
        {"auth": {"mode": "none"}, "approvals": {"secretName": "zs-approval-keys"}},
        {"auth": {"jwt": JWT_PLAIN_AUDIENCE}, "replicas": 1},
    ],
)
def test_children_with_auth_are_valid_kubernetes_objects(spec: dict[str, Any]) -> None:
    for obj in children(gateway(**spec)):
        kubernetes_validate.validate(obj, "1.30.0", strict=True)


@pytest.mark.parametrize(
    "principals",
    [{"principals": {"ci-readonly": ["*_list_*"]}}, {"principals": {"alice": ["*"]}, "default": ["zscaler_*"]}],
)
def test_principals_live_in_the_configmap_so_a_change_rolls_no_pod(principals: dict[str, Any]) -> None:
    catalog = load_catalog()
    plain = parse_gateway({"metadata": {"name": "zs", "namespace": "tools"}, "spec": SPEC}, catalog, DEFAULT_IMAGE)
    spec = {**SPEC, "auth": {**SPEC.get("auth", {}), "principals": principals}}
    restricted = parse_gateway({"metadata": {"name": "zs", "namespace": "tools"}, "spec": spec}, catalog, DEFAULT_IMAGE)
    assert deployment(restricted) == deployment(plain)
    assert "--principals-file" in deployment(plain)["spec"]["template"]["spec"]["containers"][0]["args"]
    assert yaml.safe_load(config_map(restricted)["data"]["principals.yaml"]) == principals
    assert parse_rules(config_map(restricted)["data"]["principals.yaml"], "principals.yaml")  # the gateway reads it


def approval_warnings_of(**spec: Any) -> list[str]:
    parsed = gateway(**spec)
    view = PolicyView.build(parsed.policy, load_catalog())
    return approval_warnings(parsed, view, view.served_tools().values())


def test_replicas_that_would_refuse_each_others_approvals_are_warned_about() -> None:
    (warning,) = approval_warnings_of()  # 2 replicas, zpa_update_* served and confirmed, no shared key
    assert warning.startswith("spec.approvals.secretName is unset with 2 replicas")
    assert approval_warnings_of(approvals={"secretName": "zs-approval-keys"}) == []
    assert approval_warnings_of(replicas=1) == []
    no_confirmation = {"enabled": True, "allowlist": ["zpa_update_*"], "confirm": [], "confirmTools": []}
    assert approval_warnings_of(write=no_confirmation) == []
    assert approval_warnings_of(write={"enabled": False}) == []  # no write served: the default confirm is moot
    reads_confirmed = {"enabled": False, "confirmTools": ["zia_list_url_filtering_rules"]}
    assert len(approval_warnings_of(write=reads_confirmed)) == 1
