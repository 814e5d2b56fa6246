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

from .schema import NAME_MAX_LENGTH, NAME_PATTERN, URL_MAX_LENGTH, ZscalerMCPSpec, openapi

GROUP = "zscaler-mcp.dev"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
KIND = "ZscalerMCP"
PLURAL = "zscalermcps"
SINGULAR = "zscalermcp"
SHORT_NAMES = ("zmcp",)
CRD_NAME = f"{PLURAL}.{GROUP}"

CONDITION_TYPES = ("Ready", "ConfigValid", "CredentialsAvailable")
MAX_CONDITIONS = len(CONDITION_TYPES)
# Status strings are the operator's own; the bounds are metav1.Condition's.
REASON_MAX_LENGTH = 1024
MESSAGE_MAX_LENGTH = 32768
HASH_MAX_LENGTH = 64


def spec_schema() -> dict[str, Any]:
    """`spec`, generated from the spec model; service ids are checked against the catalog at admission."""
    schema = openapi(ZscalerMCPSpec)
    schema["properties"]["services"]["items"]["enum"] = list(load_catalog().services)
    return schema


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
                "maxLength": URL_MAX_LENGTH,
            },
            "configHash": {
                "type": "string",
                "description": "sha256 of the `config.yaml` in the gateway's ConfigMap.",
                "maxLength": HASH_MAX_LENGTH,
            },
            "conditions": {
                "type": "array",
                "description": "`Ready`, `ConfigValid` and `CredentialsAvailable`.",
                "maxItems": MAX_CONDITIONS,
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
                        "reason": {
                            "type": "string",
                            "description": "CamelCase reason of the last status.",
                            "maxLength": REASON_MAX_LENGTH,
                        },
                        "message": {
                            "type": "string",
                            "description": "Human-readable detail.",
                            "maxLength": MESSAGE_MAX_LENGTH,
                        },
                        "lastTransitionTime": {
                            "type": "string",
                            "format": "date-time",
                            "description": "When `status` last changed.",
                            "maxLength": 64,
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
