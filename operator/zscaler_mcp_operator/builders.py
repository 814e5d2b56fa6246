"""The child objects of one ZscalerMCP, as plain dicts. Pure: no I/O, the same gateway gives the same objects.

The pod template depends only on how the gateway runs (image, replicas, resources, Secret name),
never on its policy: a policy change rewrites the ConfigMap, kubelet swaps the mounted directory
and the gateway reloads it live, with no rollout.
"""

from __future__ import annotations

import hashlib
from typing import Any

import yaml

from zscaler_mcp_gateway import __version__
from zscaler_mcp_gateway.config import PolicyConfig
from zscaler_mcp_gateway.credentials import DEFAULT_CREDENTIALS_DIR

from .crd import API_VERSION, KIND
from .spec import Gateway

DEFAULT_IMAGE = f"ghcr.io/zscaler-mcp-gateway/zscaler-mcp-gateway:{__version__}"
APP_NAME = "zscaler-mcp-gateway"
MANAGED_BY = "zscaler-mcp-operator"
PART_OF = "zscaler-mcp"
CONTAINER = "gateway"
CONFIG_DIR = "/etc/zscaler-mcp"
CONFIG_KEY = "config.yaml"
CREDENTIALS_DIR = DEFAULT_CREDENTIALS_DIR
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


def labels(name: str) -> dict[str, str]:
    return {**selector_labels(name), "app.kubernetes.io/managed-by": MANAGED_BY, "app.kubernetes.io/part-of": PART_OF}


def render_config(policy: PolicyConfig) -> str:
    """The gateway's config.yaml: the validated policy with every key explicit."""
    return yaml.safe_dump(policy.to_document(), sort_keys=False)


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
        "data": {CONFIG_KEY: render_config(gateway.policy)},
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


def _container(gateway: Gateway) -> dict[str, Any]:
    return {
        "name": CONTAINER,
        "image": gateway.image,
        "args": [
            "serve",
            "--config",
            f"{CONFIG_DIR}/{CONFIG_KEY}",
            "--credentials-dir",
            CREDENTIALS_DIR,
            "--host",
            "0.0.0.0",
            "--port",
            str(MCP_PORT),
            "--metrics-port",
            str(METRICS_PORT),
        ],
        "ports": [
            {"name": "mcp", "containerPort": MCP_PORT, "protocol": "TCP"},
            {"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"},
        ],
        "livenessProbe": _probe("/healthz", period=10, failures=3),
        "readinessProbe": _probe("/readyz", period=5, failures=2),
        "resources": {kind: dict(amounts) for kind, amounts in gateway.resources.items()},
        "securityContext": _container_security_context(),
        "volumeMounts": [
            {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
            {"name": "credentials", "mountPath": CREDENTIALS_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }


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
                    "volumes": [
                        {"name": "config", "configMap": {"name": config_map_name(gateway.name)}},
                        {
                            "name": "credentials",
                            "secret": {"secretName": gateway.secret_name, "defaultMode": SECRET_FILE_MODE},
                        },
                        {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
                    ],
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
