"""The ZscalerMCP CustomResourceDefinition, built in Python: the one source of the CRD file and its docs.

The schema rejects at admission what a schema can see (types, enums, patterns, bounds); what needs the
toolset catalog (unknown toolset ids, patterns that match no tool) is reported by the operator in the
`ConfigValid` condition instead, so that an operator and a gateway image of different versions still
agree on which toolsets exist.
"""

from __future__ import annotations

from typing import Any

import yaml

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import KEYWORDS
from zscaler_mcp_gateway.config import TOOL_PATTERN as TOOL_PATTERN_RE

GROUP = "zscaler-mcp.dev"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
KIND = "ZscalerMCP"
PLURAL = "zscalermcps"
SINGULAR = "zscalermcp"
SHORT_NAMES = ("zmcp",)
CRD_NAME = f"{PLURAL}.{GROUP}"

DEFAULT_REPLICAS = 1
# The CR name becomes a Service name and a label value: a DNS-1035 label of at most 63 characters.
NAME_PATTERN = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
NAME_MAX_LENGTH = 63
# A Secret name is a DNS-1123 subdomain.
SECRET_NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
TOOLSET_PATTERN = r"^[a-z][a-z0-9_]*$"
TOOL_PATTERN = TOOL_PATTERN_RE.pattern
QUANTITY_PATTERN = (
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)
CONDITION_TYPES = ("Ready", "ConfigValid", "CredentialsAvailable")


def _strings(description: str, **item: Any) -> dict[str, Any]:
    return {"type": "array", "description": description, "items": {"type": "string", **item}}


def _tool_patterns(description: str) -> dict[str, Any]:
    return _strings(
        f"{description} fnmatch patterns over tool names (and their service-prefixed aliases): "
        "letters, digits, `_ - * ? [ ] !`.",
        pattern=TOOL_PATTERN,
        minLength=1,
    )


def _quantities(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": {
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "pattern": QUANTITY_PATTERN,
            "x-kubernetes-int-or-string": True,
        },
    }


def spec_schema() -> dict[str, Any]:
    services = list(load_catalog().services)
    keywords = ", ".join(f"`{k}`" for k in KEYWORDS)
    return {
        "type": "object",
        "description": "The desired gateway: its policy (the keys of the gateway's config file) and how it runs.",
        "required": ["credentials"],
        "properties": {
            "replicas": {
                "type": "integer",
                "format": "int32",
                "minimum": 0,
                "default": DEFAULT_REPLICAS,
                "description": "Gateway pods. The gateway is stateless behind its Service, so any count works.",
            },
            "image": {
                "type": "string",
                "minLength": 1,
                "description": "Gateway image; the operator's default (`ZSCALER_MCP_GATEWAY_IMAGE`) when unset.",
            },
            "services": _strings(
                "Zscaler services to serve; empty means every service.",
                enum=services,
            ),
            "toolsets": _strings(
                f"Toolset ids to serve, or the keywords {keywords}; empty means every toolset of the services. "
                "Unknown ids are reported in the `ConfigValid` condition.",
                pattern=TOOLSET_PATTERN,
            ),
            "disabledToolsets": {
                **_strings("Toolset ids never to serve.", pattern=TOOLSET_PATTERN),
                "x-kubernetes-validations": [
                    {
                        "rule": "self.all(t, !(t in [" + ", ".join(f'"{k}"' for k in KEYWORDS) + "]))",
                        "message": f"disabledToolsets takes toolset ids, not the keywords {', '.join(KEYWORDS)}",
                    }
                ],
            },
            "disabledTools": _tool_patterns("Tools never to serve, whatever else matches;"),
            "enabledTools": _tool_patterns("Optional positive allowlist: when set, only matching tools are served;"),
            "write": {
                "type": "object",
                "description": "The write gate: a create, update or delete tool is served only when enabled "
                "and allowlisted.",
                "properties": {
                    "enabled": {"type": "boolean", "description": "Master switch for write tools (default false)."},
                    "allowlist": _tool_patterns(
                        "Write tools to serve when enabled; mandatory (enabled with no pattern serves no write tool, "
                        "which the `ConfigValid` condition reports);"
                    ),
                },
            },
            "entitlementFilter": {
                "type": "boolean",
                "description": "Serve only the services the credentials are entitled to (default true).",
            },
            "credentials": {
                "type": "object",
                "description": "Zscaler API credentials, mounted read-only as files into the gateway pods.",
                "required": ["secretName"],
                "properties": {
                    "secretName": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 253,
                        "pattern": SECRET_NAME_PATTERN,
                        "description": "Secret in the resource's namespace whose keys are the credential file names "
                        "(`ZSCALER_CLIENT_ID`, `ZSCALER_CLIENT_SECRET` or `ZSCALER_PRIVATE_KEY`, "
                        "`ZSCALER_CUSTOMER_ID`, `ZSCALER_VANITY_DOMAIN`, optional `ZSCALER_CLOUD`).",
                    }
                },
            },
            "resources": {
                "type": "object",
                "description": "Compute resources of the gateway container (core/v1 ResourceRequirements).",
                "properties": {
                    "limits": _quantities("Maximum compute resources, e.g. `memory: 512Mi`."),
                    "requests": _quantities("Minimum compute resources, e.g. `cpu: 100m`."),
                },
            },
        },
    }


def status_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Written by the operator through the status subresource.",
        "properties": {
            "observedGeneration": {
                "type": "integer",
                "format": "int64",
                "description": "The `metadata.generation` this status describes.",
            },
            "toolCount": {"type": "integer", "description": "Tools the current policy serves (from the catalog)."},
            "endpoint": {
                "type": "string",
                "description": "In-cluster MCP URL: `http://<name>.<namespace>.svc:8000/mcp`.",
            },
            "configHash": {"type": "string", "description": "sha256 of the `config.yaml` in the gateway's ConfigMap."},
            "conditions": {
                "type": "array",
                "description": "`Ready`, `ConfigValid` and `CredentialsAvailable`.",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["type"],
                "items": {
                    "type": "object",
                    "required": ["type", "status", "reason", "message", "lastTransitionTime"],
                    "properties": {
                        "type": {"type": "string", "enum": list(CONDITION_TYPES), "description": "Condition type."},
                        "status": {
                            "type": "string",
                            "enum": ["True", "False", "Unknown"],
                            "description": "Condition status.",
                        },
                        "reason": {"type": "string", "description": "CamelCase reason of the last status."},
                        "message": {"type": "string", "description": "Human-readable detail."},
                        "lastTransitionTime": {
                            "type": "string",
                            "format": "date-time",
                            "description": "When `status` last changed.",
                        },
                    },
                },
            },
        },
    }


def resource_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "A Zscaler MCP gateway: a ConfigMap with its policy, a Deployment and a Service.",
        "required": ["spec"],
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": spec_schema(),
            "status": status_schema(),
        },
        "x-kubernetes-validations": [
            {
                "rule": f"size(self.metadata.name) <= {NAME_MAX_LENGTH}"
                f" && self.metadata.name.matches('{NAME_PATTERN}')",
                "message": f"metadata.name must be a DNS-1035 label of at most {NAME_MAX_LENGTH} characters "
                "(it names the gateway's Service)",
            }
        ],
    }


def _condition_column(name: str, condition: str, priority: int = 0) -> dict[str, Any]:
    column: dict[str, Any] = {
        "name": name,
        "type": "string",
        "jsonPath": f'.status.conditions[?(@.type=="{condition}")].status',
    }
    if priority:
        column["priority"] = priority
    return column


def custom_resource_definition() -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": CRD_NAME,
            "labels": {"app.kubernetes.io/name": "zscaler-mcp-operator", "app.kubernetes.io/part-of": "zscaler-mcp"},
        },
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {
                "kind": KIND,
                "listKind": f"{KIND}List",
                "plural": PLURAL,
                "singular": SINGULAR,
                "shortNames": list(SHORT_NAMES),
            },
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": [
                        _condition_column("Ready", "Ready"),
                        {"name": "Tools", "type": "integer", "jsonPath": ".status.toolCount"},
                        _condition_column("Config", "ConfigValid", priority=1),
                        _condition_column("Credentials", "CredentialsAvailable", priority=1),
                        {"name": "Endpoint", "type": "string", "jsonPath": ".status.endpoint", "priority": 1},
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                    "schema": {"openAPIV3Schema": resource_schema()},
                }
            ],
        },
    }


def crd_yaml() -> str:
    header = "# Generated by `python -m zscaler_mcp_operator.generate` from zscaler_mcp_operator/crd.py; do not edit.\n"
    return header + yaml.safe_dump(custom_resource_definition(), sort_keys=False, width=120)
