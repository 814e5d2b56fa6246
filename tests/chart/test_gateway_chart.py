"""The gateway chart, rendered and linted with the real Helm library."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml
from chartkit import (
    BASE_VALUES,
    GATEWAY_CHART,
    KUBE_VERSIONS,
    ci_values,
    config_yaml,
    find,
    pod_specs,
    render_gateway,
    restricted_violations,
    validate_objects,
)
from tests.support import pods

from zscaler_mcp_gateway import cli
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import PolicyConfig, parse_policy_text

VALUE_SETS = ci_values(GATEWAY_CHART)
DEPLOYMENT = "gw-zscaler-mcp-gateway"


def _with_base(values: dict[str, Any]) -> dict[str, Any]:
    return {**BASE_VALUES, **values}


def _container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    deployment = find(objects, "Deployment", DEPLOYMENT)
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["gateway"]
    return containers[0]


def _arg(container: dict[str, Any], flag: str) -> str:
    args: list[str] = container["args"]
    return args[args.index(flag) + 1]


def test_value_sets_cover_the_optional_objects() -> None:
    assert {"minimal", "policy-strings", "full", "simulator"} <= set(VALUE_SETS)


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_lints_clean(name: str) -> None:
    report = helm.lint(GATEWAY_CHART, VALUE_SETS[name], strict=True, kube_version="v1.30.0")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_every_object_is_valid_kubernetes(name: str) -> None:
    objects = render_gateway(VALUE_SETS[name])
    validated = validate_objects(objects)
    assert f"Deployment/{DEPLOYMENT}" in validated
    assert f"ConfigMap/{DEPLOYMENT}-config" in validated


def test_full_value_set_renders_every_optional_object() -> None:
    kinds = sorted(o["kind"] for o in render_gateway(VALUE_SETS["full"]))
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "HorizontalPodAutoscaler",
            "HTTPRoute",
            "Ingress",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "Pod",
            "PrometheusRule",
            "Service",
            "ServiceAccount",
            "ServiceMonitor",
            "Secret",  # the approval signing key, made when approvals.existingSecret is not given
        ]
    )


# --- the policy file -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        helm.parse_set_string("toolsets={zia_url_filtering,zpa_app_segments}"),
        helm.parse_set_string(r"toolsets=zia_url_filtering\,zpa_app_segments"),
        helm.parse_set_literal("toolsets=zia_url_filtering,zpa_app_segments"),
        helm.values_from_yaml("toolsets: ' zia_url_filtering , zpa_app_segments,'"),
        helm.values_from_yaml("toolsets: [zia_url_filtering, zpa_app_segments]"),
    ],
    ids=["set-braces", "set-escaped-comma", "set-literal", "yaml-comma-string", "yaml-list"],
)
def test_toolsets_comma_string_or_list_gives_exactly_the_list(values: dict[str, Any]) -> None:
    config = config_yaml(render_gateway(_with_base(values)))
    assert config["toolsets"] == ["zia_url_filtering", "zpa_app_segments"]


def test_bare_comma_in_set_is_split_by_helm_itself() -> None:
    # `helm install --set toolsets=a,b` never reaches the chart: Helm's own --set parser reads
    # `b` as a second assignment. The docs therefore show the braced and escaped forms.
    with pytest.raises(helm.HelmValuesError, match='key "zpa_app_segments" has no value'):
        helm.parse_set_string("toolsets=zia_url_filtering,zpa_app_segments")


def test_write_allowlist_from_set() -> None:
    values = helm.parse_set_string("write.enabled=true,write.allowlist={zia_create_*,zia_update_*}")
    config = config_yaml(render_gateway(_with_base(values)))
    assert config["write"] == {
        "enabled": True,
        "allowlist": ["zia_create_*", "zia_update_*"],
        "confirm": ["delete"],
        "confirmTools": [],
    }


def test_confirmation_policy_renders_into_the_policy_file() -> None:
    values = helm.parse_set_string("write.confirm={create,update,delete},write.confirmTools={zia_*_rule}")
    assert config_yaml(render_gateway(_with_base(values)))["write"] == {
        "enabled": False,
        "allowlist": [],
        "confirm": ["create", "update", "delete"],
        "confirmTools": ["zia_*_rule"],
    }
    none = config_yaml(render_gateway(_with_base({"write": {"confirm": []}})))
    assert none["write"]["confirm"] == []  # empty is a choice (nobody asked), not the default


def test_defaults_render_only_write_entitlement_filter_and_the_servers_upstream_defaults() -> None:
    config = config_yaml(render_gateway(BASE_VALUES))
    assert config == {
        "write": {"enabled": False, "allowlist": [], "confirm": ["delete"], "confirmTools": []},
        "entitlementFilter": True,
        "upstream": PolicyConfig().to_document()["upstream"],
    }


def test_comma_strings_render_as_lists() -> None:
    config = config_yaml(render_gateway(VALUE_SETS["policy-strings"]))
    assert config == {
        "services": ["zia", "zpa"],
        "toolsets": ["zia_url_filtering", "zpa_app_segments", "meta"],
        "disabledToolsets": ["zpa_pra"],
        "disabledTools": ["zia_delete_*", "zpa_delete_*"],
        "enabledTools": ["zia_*", "zpa_*"],
        "write": {
            "enabled": True,
            "allowlist": ["zia_create_*", "zia_update_url_filtering_rule"],
            "confirm": ["delete"],
            "confirmTools": [],
        },
        "entitlementFilter": False,
        "upstream": PolicyConfig().to_document()["upstream"],
    }


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_the_gateway_accepts_the_rendered_policy(name: str) -> None:
    text = find(render_gateway(VALUE_SETS[name]), "ConfigMap", f"{DEPLOYMENT}-config")["data"]["config.yaml"]
    policy = parse_policy_text(text, load_catalog(), "config.yaml")
    assert policy.to_document() | yaml.safe_load(text) == policy.to_document()


def _without_key(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "data"} if obj["kind"] == "Secret" else obj


def test_policy_only_upgrade_changes_only_the_configmap() -> None:
    before = render_gateway(BASE_VALUES)
    after = render_gateway(
        _with_base(
            {
                "toolsets": "zia_url_filtering,zpa_app_segments",
                "disabledTools": ["zia_delete_*"],
                "write": {"enabled": True, "allowlist": "zia_create_*"},
            }
        )
    )
    # Without a cluster `lookup` finds no Secret, so each render makes a new approval key; `helm upgrade` keeps it.
    changed = [
        f"{new['kind']}/{new['metadata']['name']}"
        for old, new in zip(before, after, strict=True)
        if _without_key(old) != _without_key(new)
    ]
    assert changed == [f"ConfigMap/{DEPLOYMENT}-config"]
    template = find(after, "Deployment", DEPLOYMENT)["spec"]["template"]["metadata"]
    assert not any("checksum" in key for key in template.get("annotations", {}))


def test_config_directory_is_mounted_whole_never_with_subpath() -> None:
    objects = render_gateway(BASE_VALUES)
    container = _container(objects)
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == "/etc/zscaler-mcp")
    assert mount == {"name": "config", "mountPath": "/etc/zscaler-mcp", "readOnly": True}
    volumes = find(objects, "Deployment", DEPLOYMENT)["spec"]["template"]["spec"]["volumes"]
    assert {"name": "config", "configMap": {"name": f"{DEPLOYMENT}-config"}} in volumes
    assert _arg(container, "--config") == "/etc/zscaler-mcp/config.yaml"
    assert not any("subPath" in m for m in container["volumeMounts"])


# --- bad values: a Helm error naming the value, never a broken manifest ----------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"replicaCount": -1}, "at '/replicaCount': minimum: got -1, want 0"),
        ({"replicaCount": "two"}, "at '/replicaCount': got string, want integer"),
        ({"replicas": 2}, "additional properties 'replicas' not allowed"),
        ({"write": {"enable": True}}, "additional properties 'enable' not allowed"),
        ({"write": {"confirm": ["drop"]}}, "at '/write/confirm/0'"),
        ({"write": {"confirmTools": ["zia rule"]}}, "'zia rule' does not match pattern"),
        ({"services": "zia,zpb"}, "'zia,zpb' does not match pattern"),
        ({"services": ["zia", "zpb"]}, "at '/services/1': value must be one of 'zia'"),
        ({"disabledTools": ["zia delete"]}, "'zia delete' does not match pattern"),
        ({"service": {"port": 0}}, "at '/service/port': minimum: got 0, want 1"),
        ({"image": {"pullPolicy": "Sometimes"}}, "at '/image/pullPolicy'"),
        ({"stateless": "yes"}, "at '/stateless': got string, want boolean"),
        ({"auth": {"mode": "basic"}}, "at '/auth/mode'"),
        ({"auth": {"jwt": {"jwksUrl": "http://idp/jwks"}}}, "'http://idp/jwks' does not match pattern"),
        ({"auth": {"principals": {"principals": {"bob": ["zia list"]}}}}, "'zia list' does not match pattern"),
        ({"auth": {"principals": {"admins": ["*"]}}}, "additional properties 'admins' not allowed"),
        ({"otel": {"endpoint": "collector:4318"}}, "'collector:4318' does not match pattern"),
        ({"allowedHosts": ["https://mcp.example.com"]}, "'https://mcp.example.com' does not match pattern"),
        ({"allowedHosts": "mcp.example.com,https://x"}, "'mcp.example.com,https://x' does not match pattern"),
        ({"toolsets": [f"t{i}" for i in range(129)]}, "maxItems: got 129, want 128"),
    ],
)
def test_schema_rejects_bad_values_naming_them(values: dict[str, Any], expected: str) -> None:
    with pytest.raises(helm.HelmValuesError) as error:
        render_gateway(_with_base(values))
    assert expected in str(error.value)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"toolsets": "zia_url_filtering,zia_nope"}, 'toolsets: unknown toolset id "zia_nope"'),
        ({"toolsets": ["zpa_app_segment"]}, 'toolsets: unknown toolset id "zpa_app_segment"'),
        ({"disabledToolsets": "all"}, 'disabledToolsets: unknown toolset id "all"'),
        (
            {"autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 2}},
            "autoscaling.minReplicas (5) must not exceed autoscaling.maxReplicas (2)",
        ),
    ],
)
def test_templates_reject_bad_values_naming_them(values: dict[str, Any], expected: str) -> None:
    with pytest.raises(helm.HelmRenderError) as error:
        render_gateway(_with_base(values))
    assert expected in str(error.value)


def test_valid_toolset_ids_are_the_gateway_catalog() -> None:
    with pytest.raises(helm.HelmRenderError) as error:
        render_gateway(_with_base({"toolsets": "nope"}))
    listed = str(error.value).split("(valid ids: ", 1)[1].rstrip(")").split(", ")
    assert sorted(listed) == sorted({*load_catalog().toolsets, "default", "all"})


def test_missing_credentials_secret_fails_with_how_to_create_it() -> None:
    with pytest.raises(helm.HelmRenderError) as error:
        render_gateway({"auth": {"mode": "none"}})
    message = str(error.value)
    assert "credentials.existingSecret is required" in message
    assert "kubectl create secret generic zscaler-credentials --from-env-file=.env" in message


# --- credentials, security, probes ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_credentials_are_a_read_only_volume_never_env(name: str) -> None:
    objects = render_gateway(VALUE_SETS[name])
    spec = find(objects, "Deployment", DEPLOYMENT)["spec"]["template"]["spec"]
    assert {"name": "credentials", "secret": {"secretName": "zscaler-credentials", "defaultMode": 0o440}} in spec[
        "volumes"
    ]
    container = _container(objects)
    assert {"name": "credentials", "mountPath": "/var/run/secrets/zscaler", "readOnly": True} in container[
        "volumeMounts"
    ]
    assert _arg(container, "--credentials-dir") == "/var/run/secrets/zscaler"
    for _, pod in pod_specs(objects):
        for c in pod["containers"]:
            assert "envFrom" not in c
            for env in c.get("env", []):
                assert "valueFrom" not in env, env
                assert not env["name"].startswith("ZSCALER_"), env
    # The one Secret the chart makes holds the approval signing key, never a credential.
    assert [(o["metadata"]["name"], set(o["data"])) for o in objects if o["kind"] == "Secret"] in (
        [],
        [(f"{DEPLOYMENT}-approval-keys", {"current"})],
    )


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_every_pod_meets_pod_security_restricted(name: str) -> None:
    specs = pod_specs(render_gateway(VALUE_SETS[name]))
    assert [n for n, _ in specs] == [DEPLOYMENT, f"{DEPLOYMENT}-test-readyz"]
    for pod_name, spec in specs:
        assert restricted_violations(spec) == [], pod_name
        assert spec["securityContext"]["runAsUser"] == 10001
        assert spec["automountServiceAccountToken"] is False


def test_tmp_is_an_empty_dir_for_the_read_only_root() -> None:
    objects = render_gateway(BASE_VALUES)
    assert {"name": "tmp", "mountPath": "/tmp"} in _container(objects)["volumeMounts"]
    volumes = find(objects, "Deployment", DEPLOYMENT)["spec"]["template"]["spec"]["volumes"]
    assert {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}} in volumes


def test_serve_command_probes_and_ports() -> None:
    container = _container(render_gateway(BASE_VALUES))
    assert container["args"][0] == "serve"
    assert (_arg(container, "--host"), _arg(container, "--port"), _arg(container, "--metrics-port")) == (
        "0.0.0.0",
        "8000",
        "9090",
    )
    assert "--simulator" not in container["args"]
    assert container["ports"] == [
        {"name": "mcp", "containerPort": 8000, "protocol": "TCP"},
        {"name": "metrics", "containerPort": 9090, "protocol": "TCP"},
    ]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "mcp"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "mcp"}
    assert container["image"] == "ghcr.io/zscaler-mcp-gateway/zscaler-mcp-gateway:0.1.0"
    assert "env" not in container


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_the_gateway_cli_accepts_the_rendered_arguments(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = _container(render_gateway(VALUE_SETS[name]))["args"]
    try:
        parsed = cli._parser().parse_args(args)
    except SystemExit:
        pytest.fail(f"zscaler-mcp-gateway rejects the chart's arguments: {capsys.readouterr().err}")
    assert (parsed.command, parsed.config) == ("serve", "/etc/zscaler-mcp/config.yaml")


def test_the_rendered_pod_command_starts_the_real_gateway(tmp_path: Path) -> None:
    """The container's args, ConfigMap and Secrets as kubelet would lay them out, run by the real CLI."""
    values = {**VALUE_SETS["simulator"], "auth": {"apiKeysSecret": "zscaler-mcp-api-keys"}}
    objects = render_gateway(values)
    container = _container(objects)
    files = {
        "/etc/zscaler-mcp": find(objects, "ConfigMap", f"{DEPLOYMENT}-config")["data"],
        "/var/run/secrets/zscaler": dict(pods.SIMULATOR_CREDENTIAL_FILES),
        "/var/run/secrets/zscaler-mcp-api-keys": {"alice": "an-api-key-of-24-characters"},
        "/var/run/secrets/zscaler-mcp-approval-keys": {
            "current": base64.b64decode(
                find(objects, "Secret", f"{DEPLOYMENT}-approval-keys")["data"]["current"]
            ).decode()
        },
    }
    mounts = pods.lay_out(container, files, tmp_path)
    args = pods.local_args(container["args"], mounts)
    assert pods.check_security(args).mode == "api-key"  # what the gateway decides on the rendered 0.0.0.0
    started = pods.start(args)  # on loopback
    assert started.readyz["ready"] is True, started.output
    assert started.readyz["config"]["source"] == str(mounts["/etc/zscaler-mcp"] / "config.yaml")
    assert "MCP endpoint authentication: api-key" in started.output
    assert "approvals are signed with a key of this process only" not in started.output  # the Secret's key


def test_the_chart_makes_a_random_approval_key_unless_one_is_given() -> None:
    made = find(render_gateway(BASE_VALUES), "Secret", f"{DEPLOYMENT}-approval-keys")
    key = base64.b64decode(made["data"]["current"])
    assert len(key) == 64 and key != base64.b64decode(
        find(render_gateway(BASE_VALUES), "Secret", f"{DEPLOYMENT}-approval-keys")["data"]["current"]
    )
    given = render_gateway(_with_base({"approvals": {"existingSecret": "my-approval-keys"}}))
    assert "Secret" not in {o["kind"] for o in given}
    spec = find(given, "Deployment", DEPLOYMENT)["spec"]["template"]["spec"]
    assert {"name": "approval-keys", "secret": {"secretName": "my-approval-keys", "defaultMode": 0o440}} in spec[
        "volumes"
    ]
    assert _arg(_container(given), "--approval-keys-dir") == "/var/run/secrets/zscaler-mcp-approval-keys"


@pytest.mark.parametrize(
    ("values", "stateless"),
    [
        ({}, True),
        ({"replicaCount": 1}, False),
        ({"replicaCount": 1, "autoscaling": {"enabled": True}}, True),
        ({"replicaCount": 1, "stateless": False}, False),
        ({"replicaCount": 1, "stateless": True}, True),
    ],
)
def test_stateless_whenever_more_than_one_pod_serves(values: dict[str, Any], stateless: bool) -> None:
    args = _container(render_gateway(_with_base(values)))["args"]
    assert ("--stateless" in args) is stateless


@pytest.mark.parametrize(
    ("values", "shares"),
    [
        ({}, "2"),
        ({"replicaCount": 5}, "5"),
        ({"replicaCount": 0}, "1"),
        ({"autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 9}}, "9"),
    ],
)
def test_the_api_quota_is_shared_by_the_most_pods_that_may_run(values: dict[str, Any], shares: str) -> None:
    assert _arg(_container(render_gateway(_with_base(values))), "--replicas") == shares


@pytest.mark.parametrize(
    ("values", "why"),
    [
        ({"stateless": False}, "replicaCount is 2"),
        ({"stateless": False, "replicaCount": 1, "autoscaling": {"enabled": True}}, "autoscaling may start more"),
    ],
)
def test_stateful_sessions_on_more_than_one_pod_fail_the_release(values: dict[str, Any], why: str) -> None:
    with pytest.raises(helm.HelmRenderError) as error:
        render_gateway(_with_base(values))
    assert "stateless: false keeps each MCP session in the memory of one pod, but " + why in str(error.value)
    assert "Set replicaCount: 1" in str(error.value)


def test_log_level() -> None:
    assert _arg(_container(render_gateway(BASE_VALUES)), "--log-level") == "INFO"
    assert _arg(_container(render_gateway(_with_base({"logLevel": "DEBUG"}))), "--log-level") == "DEBUG"


def test_allowed_hosts_cover_the_service_names_and_localhost() -> None:
    hosts = _arg(_container(render_gateway(VALUE_SETS["full"])), "--allowed-hosts").split(",")
    service = "gw-zscaler-mcp-gateway"
    assert hosts == [
        service,
        f"{service}.zscaler-mcp",
        f"{service}.zscaler-mcp.svc",
        f"{service}.zscaler-mcp.svc.cluster.local",
        "localhost",
        "127.0.0.1",
        "mcp.example.com",
        "mcp.example.com:443",
        "mcp-gw.example.com",  # the HTTPRoute's hostname (the Ingress's host is already listed)
    ]


API_KEYS_MOUNT = {"name": "api-keys", "mountPath": "/var/run/secrets/zscaler-mcp-api-keys", "readOnly": True}
JWT = {
    "issuer": "https://login.example.com/",
    "audience": "https://mcp.example.com/mcp",
    "jwksUrl": "https://login.example.com/jwks",
}
JWT_PLAIN_AUDIENCE = {**JWT, "audience": "zscaler-mcp", "resourceUrl": "https://mcp.example.com/mcp"}


@pytest.mark.parametrize(
    ("auth", "mode", "flags"),
    [
        ({"apiKeysSecret": "keys"}, "api-key", {"--api-keys-dir": "/var/run/secrets/zscaler-mcp-api-keys"}),
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
        ({"mode": "none"}, "none", {}),
    ],
)
def test_auth_mode_and_its_flags(auth: dict[str, Any], mode: str, flags: dict[str, str]) -> None:
    objects = render_gateway({**BASE_VALUES, "auth": auth})
    container = _container(objects)
    assert _arg(container, "--auth") == mode
    assert {flag: _arg(container, flag) for flag in flags} == flags
    volumes = find(objects, "Deployment", DEPLOYMENT)["spec"]["template"]["spec"]["volumes"]
    if mode == "api-key":
        assert API_KEYS_MOUNT in container["volumeMounts"]
        assert {"name": "api-keys", "secret": {"secretName": "keys", "defaultMode": 0o440}} in volumes
    else:
        assert "--api-keys-dir" not in container["args"]
        assert "api-keys" not in [v["name"] for v in volumes]


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        ({}, "auth: the gateway refuses to serve without authentication: set auth.apiKeysSecret"),
        ({"apiKeysSecret": "keys", "jwt": JWT}, "both auth.apiKeysSecret and auth.jwt.issuer are set"),
        ({"mode": "api-key"}, "auth.mode=api-key needs auth.apiKeysSecret"),
        ({"jwt": {"issuer": "https://login.example.com/"}}, "auth.mode=jwt needs auth.jwt.issuer, auth.jwt.audience"),
        (
            {"jwt": {**JWT, "audience": "zscaler-mcp"}},
            'auth.jwt.resourceUrl is required: auth.jwt.audience "zscaler-mcp" is not a URL',
        ),
    ],
)
def test_auth_the_gateway_would_refuse_fails_the_release(auth: dict[str, Any], expected: str) -> None:
    with pytest.raises(helm.HelmRenderError) as error:
        render_gateway({**BASE_VALUES, "auth": auth})
    assert expected in str(error.value)


def test_principals_file_beside_the_policy_and_unconfirmed_deletes() -> None:
    values = VALUE_SETS["full"]
    objects = render_gateway(values)
    configmap = find(objects, "ConfigMap", f"{DEPLOYMENT}-config")
    assert yaml.safe_load(configmap["data"]["principals.yaml"]) == values["auth"]["principals"]
    container = _container(objects)
    assert _arg(container, "--principals-file") == "/etc/zscaler-mcp/principals.yaml"
    assert "--allow-unconfirmed-deletes" in container["args"]
    minimal = render_gateway(BASE_VALUES)
    assert find(minimal, "ConfigMap", f"{DEPLOYMENT}-config")["data"]["principals.yaml"] == ""  # no one restricted
    assert _arg(_container(minimal), "--principals-file") == "/etc/zscaler-mcp/principals.yaml"
    assert "--allow-unconfirmed-deletes" not in _container(minimal)["args"]


@pytest.mark.parametrize(
    "principals",
    [{"principals": {"ci": ["*_list_*"]}}, {"principals": {"ci": ["*"]}, "default": ["zscaler_*"]}, {"default": []}],
)
def test_setting_or_clearing_principals_changes_the_configmap_and_rolls_no_pod(principals: dict[str, Any]) -> None:
    without = render_gateway(BASE_VALUES)
    with_principals = render_gateway(_with_base({"auth": {**BASE_VALUES["auth"], "principals": principals}}))
    assert find(with_principals, "Deployment", DEPLOYMENT) == find(without, "Deployment", DEPLOYMENT)
    configmap = find(with_principals, "ConfigMap", f"{DEPLOYMENT}-config")["data"]["principals.yaml"]
    assert yaml.safe_load(configmap) == principals


def test_full_value_set_wires_otel_and_image() -> None:
    container = _container(render_gateway(VALUE_SETS["full"]))
    assert container["env"] == [
        {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector.observability:4318"},
        {"name": "OTEL_SERVICE_NAME", "value": DEPLOYMENT},
    ]
    assert container["image"] == "registry.example.com/zscaler-mcp-gateway:0.1.0-rc1"


def test_simulator_flag() -> None:
    assert "--simulator" in _container(render_gateway(VALUE_SETS["simulator"]))["args"]


# --- the optional objects ---------------------------------------------------------------------


def test_service_ports() -> None:
    service = find(render_gateway(VALUE_SETS["full"]), "Service")
    assert service["spec"]["type"] == "LoadBalancer"
    assert [(p["name"], p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [
        ("mcp", 80, "mcp"),
        ("metrics", 9191, "metrics"),
    ]


def test_network_policy_separates_mcp_clients_from_scrapers() -> None:
    values = VALUE_SETS["full"]["networkPolicy"]
    policy = find(render_gateway(VALUE_SETS["full"]), "NetworkPolicy")["spec"]
    assert policy["policyTypes"] == ["Ingress"]
    assert policy["ingress"] == [
        {"ports": [{"port": "mcp", "protocol": "TCP"}], "from": values["mcp"]["from"]},
        {"ports": [{"port": "metrics", "protocol": "TCP"}], "from": values["metrics"]["from"]},
    ]


def test_network_policy_without_peers_opens_each_port_only() -> None:
    policy = find(render_gateway(_with_base({"networkPolicy": {"enabled": True}})), "NetworkPolicy")["spec"]
    assert policy["ingress"] == [
        {"ports": [{"port": "mcp", "protocol": "TCP"}]},
        {"ports": [{"port": "metrics", "protocol": "TCP"}]},
    ]


def test_service_monitor_scrapes_the_metrics_port() -> None:
    monitor = find(render_gateway(VALUE_SETS["full"]), "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert monitor["spec"]["endpoints"] == [
        {"port": "metrics", "path": "/metrics", "interval": "15s", "scrapeTimeout": "10s"}
    ]


def test_autoscaling_owns_the_replica_count() -> None:
    objects = render_gateway(VALUE_SETS["full"])
    assert "replicas" not in find(objects, "Deployment")["spec"]
    hpa = find(objects, "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 10)
    assert [m["resource"]["name"] for m in hpa["metrics"]] == ["cpu", "memory"]
    assert find(render_gateway(BASE_VALUES), "Deployment")["spec"]["replicas"] == 2


def test_pdb_is_on_by_default_and_can_be_turned_off() -> None:
    assert find(render_gateway(BASE_VALUES), "PodDisruptionBudget")["spec"]["maxUnavailable"] == 1
    kinds = {o["kind"] for o in render_gateway(VALUE_SETS["simulator"])}
    assert "PodDisruptionBudget" not in kinds


def test_grafana_dashboard_configmap(chart_with_dashboard: Path) -> None:
    values = _with_base({"grafanaDashboard": {"enabled": True, "annotations": {"grafana_folder": "Zscaler"}}})
    objects = render_gateway(values, chart=chart_with_dashboard)
    validate_objects(objects)
    dashboard = find(objects, "ConfigMap", f"{DEPLOYMENT}-dashboard")
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert dashboard["metadata"]["annotations"] == {"grafana_folder": "Zscaler"}
    expected = json.loads((chart_with_dashboard / "files" / "dashboard.json").read_text())
    assert json.loads(dashboard["data"]["zscaler-mcp-gateway.json"]) == expected


def test_grafana_dashboard_without_the_json_file_fails_clearly(chart_without_dashboard: Path) -> None:
    with pytest.raises(helm.HelmRenderError, match="the chart ships no files/dashboard.json"):
        render_gateway(_with_base({"grafanaDashboard": {"enabled": True}}), chart=chart_without_dashboard)


def test_shipped_dashboard_is_valid_json_when_present() -> None:
    path = GATEWAY_CHART / "files" / "dashboard.json"
    if not path.exists():
        pytest.skip("charts/zscaler-mcp-gateway/files/dashboard.json is not provided yet (telemetry issue)")
    dashboard = find(
        render_gateway(_with_base({"grafanaDashboard": {"enabled": True}})), "ConfigMap", f"{DEPLOYMENT}-dashboard"
    )
    assert json.loads(dashboard["data"]["zscaler-mcp-gateway.json"]) == json.loads(path.read_text())


# --- helm test and NOTES ----------------------------------------------------------------------


def test_helm_test_pod_checks_readyz_with_the_gateway_image() -> None:
    objects = render_gateway(BASE_VALUES)
    pod = find(objects, "Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    container = pod["spec"]["containers"][0]
    assert container["image"] == _container(objects)["image"]
    assert container["command"][:2] == ["python", "-c"]
    assert 'url = "http://gw-zscaler-mcp-gateway:8000/readyz"' in container["command"][2]
    compile(container["command"][2], "helm-test", "exec")
    service_selector = find(objects, "Service")["spec"]["selector"]
    assert not service_selector.items() <= pod["metadata"]["labels"].items()


def test_notes_tell_how_to_connect_an_mcp_client() -> None:
    with helm.Chart.load(GATEWAY_CHART) as chart:
        notes = chart.render(BASE_VALUES, name="gw", namespace="zscaler-mcp")["zscaler-mcp-gateway/templates/NOTES.txt"]
    assert "kubectl --namespace zscaler-mcp port-forward service/gw-zscaler-mcp-gateway 8000:8000" in notes
    assert "http://127.0.0.1:8000/mcp" in notes
    assert "http://gw-zscaler-mcp-gateway.zscaler-mcp.svc.cluster.local:8000/mcp" in notes
    assert 'with the header "Authorization: Bearer <key>" (a value of Secret zscaler-mcp-api-keys)' in notes


EXPOSED = ["/mcp", "/.well-known/oauth-protected-resource"]


def test_an_ingress_exposes_mcp_with_tls_as_given_and_its_hosts_are_accepted() -> None:
    objects = render_gateway(VALUE_SETS["full"])
    ingress = find(objects, "Ingress", DEPLOYMENT)
    values = VALUE_SETS["full"]["ingress"]
    assert ingress["spec"]["tls"] == values["tls"] and ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["metadata"]["annotations"] == values["annotations"]
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "mcp.example.com"
    assert [(p["path"], p["pathType"]) for p in rule["http"]["paths"]] == [(path, "Prefix") for path in EXPOSED]
    service = find(objects, "Service", DEPLOYMENT)
    ports = {p["name"]: p["port"] for p in service["spec"]["ports"]}
    for path in rule["http"]["paths"]:
        assert path["backend"]["service"]["name"] == service["metadata"]["name"]
        assert path["backend"]["service"]["port"]["name"] in ports
    hosts = _arg(_container(objects), "--allowed-hosts").split(",")
    assert "mcp.example.com" in hosts and "mcp-gw.example.com" in hosts  # the Ingress's and the route's


def test_an_httproute_is_a_valid_gateway_api_route_to_the_service() -> None:
    objects = render_gateway(VALUE_SETS["full"])
    route = find(objects, "HTTPRoute", DEPLOYMENT)
    service = find(objects, "Service", DEPLOYMENT)
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    spec = route["spec"]
    assert set(spec) == {"parentRefs", "hostnames", "rules"}  # the fields of HTTPRouteSpec we set, no other
    assert spec["parentRefs"] == VALUE_SETS["full"]["httpRoute"]["parentRefs"]  # TLS: the parent's listener
    assert spec["hostnames"] == ["mcp-gw.example.com"]
    (rule,) = spec["rules"]
    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": path}} for path in EXPOSED]
    (backend,) = rule["backendRefs"]
    assert backend == {
        "name": service["metadata"]["name"],
        "port": next(p["port"] for p in service["spec"]["ports"] if p["name"] == "mcp"),
    }
    assert len(spec["parentRefs"]) <= 32 and len(spec["rules"]) <= 16 and len(rule["matches"]) <= 64  # its limits


def test_no_exposure_by_default_and_no_host_added() -> None:
    objects = render_gateway(BASE_VALUES)
    assert not {"Ingress", "HTTPRoute"} & {o["kind"] for o in objects}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"ingress": {"enabled": True}}, "ingress.enabled needs ingress.hosts"),
        (
            {"httpRoute": {"enabled": True, "hostnames": ["mcp.example.com"]}},
            "httpRoute.enabled needs httpRoute.parentRefs",
        ),
    ],
)
def test_exposure_without_what_it_needs_fails_the_release(values: dict[str, Any], expected: str) -> None:
    with pytest.raises(helm.HelmRenderError) as error:
        render_gateway(_with_base(values))
    assert expected in str(error.value)


def test_an_exposed_host_must_be_an_exact_name() -> None:
    with pytest.raises(helm.HelmValuesError):
        render_gateway(
            _with_base({"httpRoute": {"enabled": True, "hostnames": ["*.example.com"], "parentRefs": [{"name": "g"}]}})
        )


@pytest.mark.parametrize("version", KUBE_VERSIONS)
@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_every_object_validates_strictly_for_each_supported_kubernetes(name: str, version: str) -> None:
    assert validate_objects(render_gateway(VALUE_SETS[name]), version)
