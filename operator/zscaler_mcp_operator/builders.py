"""The child objects of one ZscalerMCP, as plain dicts. Pure: no I/O, the same gateway gives the same objects.

The pod template depends only on how the gateway runs (image, replicas, resources, Secret names,
auth, allowed hosts), never on its policy: a policy change rewrites the ConfigMap, kubelet swaps the
mounted directory and the gateway reloads it live, with no rollout.

The command line is the Helm chart's (charts/zscaler-mcp-gateway/templates/deployment.yaml): the
same flags, mount paths and defaults, so a gateway runs the same whichever door it came through.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import yaml

from zscaler_mcp_gateway import __version__
from zscaler_mcp_gateway.config import PolicyConfig
from zscaler_mcp_gateway.credential_files import DEFAULT_CREDENTIALS_DIR

from .crd import API_VERSION, KIND
from .schema import AUTH_API_KEY, AUTH_JWT
from .spec import Gateway

DEFAULT_IMAGE = f"ghcr.io/zscaler-mcp-gateway/zscaler-mcp-gateway:{__version__}"
APP_NAME = "zscaler-mcp-gateway"
MANAGED_BY = "zscaler-mcp-operator"
PART_OF = "zscaler-mcp"
CONTAINER = "gateway"
CONFIG_DIR = "/etc/zscaler-mcp"
CONFIG_KEY = "config.yaml"
PRINCIPALS_KEY = "principals.yaml"
CREDENTIALS_DIR = DEFAULT_CREDENTIALS_DIR
API_KEYS_DIR = "/var/run/secrets/zscaler-mcp-api-keys"
APPROVAL_KEYS_DIR = "/var/run/secrets/zscaler-mcp-approval-keys"
BIND_HOST = "0.0.0.0"
CLUSTER_DOMAIN = "cluster.local"
MCP_PORT = 8000
METRICS_PORT = 9090
RUN_AS = 10001
SECRET_FILE_MODE = 0o440  # owner and the fsGroup read; nobody else


def config_map_name(name: str) -> str:
    return f"{name}-config"


def endpoint(name: str, namespace: str) -> str:
    return f"http://{name}.{namespace}.svc:{MCP_PORT}/mcp"


def selector_labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": APP_NAME, "app.kubernetes.io/instance": name}


def allowed_hosts(gateway: Gateway) -> list[str]:
    """The Host values the MCP endpoint accepts: the Service's DNS names, localhost, then spec.allowedHosts.

    Bare names, so each matches on any port (the gateway's --allowed-hosts semantics), as the chart's.
    """
    name, namespace = gateway.name, gateway.namespace
    service_names = [name, f"{name}.{namespace}", f"{name}.{namespace}.svc", f"{name}.{namespace}.svc.{CLUSTER_DOMAIN}"]
    return list(dict.fromkeys([*service_names, "localhost", "127.0.0.1", *gateway.allowed_hosts]))


def stateless(gateway: Gateway) -> bool:
    """No MCP sessions whenever more than one pod serves, so any replica answers any request (the chart's rule).

    The spec has no knob to keep sessions on several pods: a session lives in one pod's memory."""
    return gateway.replicas > 1


def labels(name: str) -> dict[str, str]:
    return {**selector_labels(name), "app.kubernetes.io/managed-by": MANAGED_BY, "app.kubernetes.io/part-of": PART_OF}


def render_config(policy: PolicyConfig) -> str:
    """The gateway's config.yaml: the validated policy with every key explicit."""
    return yaml.safe_dump(policy.to_document(), sort_keys=False)


def render_principals(principals: Mapping[str, Any]) -> str:
    """The gateway's principals.yaml: empty (no principal restricted) when the spec sets no patterns."""
    return yaml.safe_dump(dict(principals), sort_keys=False) if principals else ""


def config_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _metadata(gateway: Gateway, name: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": gateway.namespace, "labels": labels(gateway.name)}
    if gateway.uid:  # a resource read from a file (render) has no uid yet, hence no owner to point at
        metadata["ownerReferences"] = [
            {
                "apiVersion": API_VERSION,
                "kind": KIND,
                "name": gateway.name,
                "uid": gateway.uid,
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    return metadata


def config_map(gateway: Gateway) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(gateway, config_map_name(gateway.name)),
        "data": {CONFIG_KEY: render_config(gateway.policy), PRINCIPALS_KEY: render_principals(gateway.principals)},
    }


def _container_security_context() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS,
        "runAsGroup": RUN_AS,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _probe(path: str, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "mcp"},
        "periodSeconds": period,
        "timeoutSeconds": 3,
        "failureThreshold": failures,
    }


def _auth_args(gateway: Gateway) -> list[str]:
    """`--auth MODE`, always explicit (the gateway refuses to guess beyond loopback), and what the mode needs."""
    auth = gateway.auth
    args = ["--auth", auth.mode]
    if auth.mode == AUTH_API_KEY:
        args += ["--api-keys-dir", API_KEYS_DIR]
    elif auth.mode == AUTH_JWT:
        assert auth.jwt is not None
        args += ["--jwt-issuer", auth.jwt.issuer, "--jwt-audience", auth.jwt.audience, "--jwks-url", auth.jwt.jwks_url]
        if auth.jwt.resource_url:
            args += ["--resource-url", auth.jwt.resource_url]
    return args


def serve_args(gateway: Gateway) -> list[str]:
    """The gateway container's command line, flag for flag the chart's."""
    args = [
        "serve",
        "--config",
        f"{CONFIG_DIR}/{CONFIG_KEY}",
        "--credentials-dir",
        CREDENTIALS_DIR,
        "--host",
        BIND_HOST,
        "--port",
        str(MCP_PORT),
        "--metrics-port",
        str(METRICS_PORT),
        "--allowed-hosts",
        ",".join(allowed_hosts(gateway)),
    ]
    if stateless(gateway):
        args.append("--stateless")
    args += _auth_args(gateway)
    # Always given, the file maybe empty: principals are set or cleared in the ConfigMap, with no rollout.
    args += ["--principals-file", f"{CONFIG_DIR}/{PRINCIPALS_KEY}"]
    if gateway.approvals_secret:
        args += ["--approval-keys-dir", APPROVAL_KEYS_DIR]
    sessions = gateway.sessions
    args += ["--session-idle-timeout", str(sessions.idle_timeout_seconds), "--max-sessions", str(sessions.max_sessions)]
    args += ["--max-sessions-per-principal", str(sessions.max_sessions_per_principal)]
    args += ["--replicas", str(max(1, gateway.replicas))]  # the tenant's API quota is shared evenly among them
    if gateway.allow_unconfirmed_deletes:
        args.append("--allow-unconfirmed-deletes")
    return args


def _uses_api_keys(gateway: Gateway) -> bool:
    return gateway.auth.mode == AUTH_API_KEY


def _container(gateway: Gateway) -> dict[str, Any]:
    api_keys_mount = (
        [{"name": "api-keys", "mountPath": API_KEYS_DIR, "readOnly": True}] if _uses_api_keys(gateway) else []
    )
    approval_keys_mount = (
        [{"name": "approval-keys", "mountPath": APPROVAL_KEYS_DIR, "readOnly": True}]
        if gateway.approvals_secret
        else []
    )
    return {
        "name": CONTAINER,
        "image": gateway.image,
        "args": serve_args(gateway),
        "ports": [
            {"name": "mcp", "containerPort": MCP_PORT, "protocol": "TCP"},
            {"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"},
        ],
        "startupProbe": _probe("/healthz", period=2, failures=30),  # up to a minute to start, then liveness
        "livenessProbe": _probe("/healthz", period=10, failures=3),
        "readinessProbe": _probe("/readyz", period=5, failures=2),
        "resources": {kind: dict(amounts) for kind, amounts in gateway.resources.items()},
        "securityContext": _container_security_context(),
        "volumeMounts": [
            {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
            {"name": "credentials", "mountPath": CREDENTIALS_DIR, "readOnly": True},
            *approval_keys_mount,
            *api_keys_mount,
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }


def _volumes(gateway: Gateway) -> list[dict[str, Any]]:
    volumes: list[dict[str, Any]] = [
        {"name": "config", "configMap": {"name": config_map_name(gateway.name)}},
        {"name": "credentials", "secret": {"secretName": gateway.secret_name, "defaultMode": SECRET_FILE_MODE}},
    ]
    if gateway.approvals_secret:
        volumes.append(
            {
                "name": "approval-keys",
                "secret": {"secretName": gateway.approvals_secret, "defaultMode": SECRET_FILE_MODE},
            }
        )
    if _uses_api_keys(gateway):
        volumes.append(
            {
                "name": "api-keys",
                "secret": {"secretName": gateway.auth.api_keys_secret, "defaultMode": SECRET_FILE_MODE},
            }
        )
    volumes.append({"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}})
    return volumes


def deployment(gateway: Gateway) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(gateway, gateway.name),
        "spec": {
            "replicas": gateway.replicas,
            "selector": {"matchLabels": selector_labels(gateway.name)},
            "template": {
                "metadata": {"labels": labels(gateway.name)},
                "spec": {
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": RUN_AS,
                        "runAsGroup": RUN_AS,
                        "fsGroup": RUN_AS,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [_container(gateway)],
                    "volumes": _volumes(gateway),
                },
            },
        },
    }


def service(gateway: Gateway) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(gateway, gateway.name),
        "spec": {
            "type": "ClusterIP",
            "selector": selector_labels(gateway.name),
            "ports": [
                {"name": "mcp", "port": MCP_PORT, "targetPort": "mcp", "protocol": "TCP"},
                {"name": "metrics", "port": METRICS_PORT, "targetPort": "metrics", "protocol": "TCP"},
            ],
        },
    }


def children(gateway: Gateway) -> list[dict[str, Any]]:
    """Every object the gateway needs, ConfigMap first so that new pods find their config."""
    return [config_map(gateway), deployment(gateway), service(gateway)]
