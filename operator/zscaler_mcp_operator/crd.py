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
# The gateway's --auth modes, and the chart's `auth.*` values they mirror.
AUTH_MODES = ("none", "api-key", "jwt")
# A Host header allowlist entry: host, host:port or host:* (the gateway's --allowed-hosts syntax).
HOST_PATTERN = r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:(\*|[0-9]{1,5}))?$"
HTTPS_URL_PATTERN = r"^https://\S+$"
HTTP_URL_PATTERN = r"^https?://\S+$"
URL_MAX_LENGTH = 2048


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


def _secret_name(description: str) -> dict[str, Any]:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": 253,
        "pattern": SECRET_NAME_PATTERN,
        "description": description,
    }


def _url(description: str, pattern: str = HTTP_URL_PATTERN) -> dict[str, Any]:
    return {"type": "string", "maxLength": URL_MAX_LENGTH, "pattern": pattern, "description": description}


def auth_schema() -> dict[str, Any]:
    """`spec.auth`: the chart's `auth.*` values (but `principals`), the gateway's --auth flags."""
    jwt_set = "has(self.jwt) && has(self.jwt.issuer)"
    return {
        "type": "object",
        "description": "How MCP clients authenticate to the gateway (`--auth`). The gateway listens beyond loopback, "
        "so it refuses to start without a mode; the operator always passes one. Without `mode`: `api-key` when "
        "`apiKeysSecret` is set, `jwt` when `jwt.issuer` is, else `none`: then anything that reaches the Service "
        "may call every served tool without a credential (`ConfigValid` says so); prefer `api-key`.",
        "properties": {
            "mode": {
                "type": "string",
                "enum": list(AUTH_MODES),
                "description": "`none`, `api-key` or `jwt`; see above for the default.",
            },
            "apiKeysSecret": _secret_name(
                "Secret of MCP client API keys in the resource's namespace: each key of the Secret is a principal "
                "name, its value that principal's API key (16 characters or more). Mounted read-only at "
                "`/var/run/secrets/zscaler-mcp-api-keys`; rotated keys are picked up without a restart. Clients "
                "send `Authorization: Bearer <key>`."
            ),
            "jwt": {
                "type": "object",
                "description": "OAuth2 resource-server mode: JWT access tokens from `issuer` for `audience`, "
                "signed by a key of `jwksUrl`.",
                "properties": {
                    "issuer": _url("The token issuer (`iss`), the authorization server's URL."),
                    "audience": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": URL_MAX_LENGTH,
                        "description": "The audience the tokens must carry (`aud`), usually the public URL of `/mcp`.",
                    },
                    "jwksUrl": _url("The issuer's JWKS (https).", HTTPS_URL_PATTERN),
                    "resourceUrl": _url(
                        "Public URL of `/mcp` for the OAuth protected-resource metadata; required when "
                        "`audience` is not a URL."
                    ),
                },
            },
        },
        "x-kubernetes-validations": [
            {
                "rule": f"has(self.mode) || !(has(self.apiKeysSecret) && {jwt_set})",
                "message": "auth: both apiKeysSecret and jwt.issuer are set; choose one with auth.mode",
            },
            {
                "rule": "!has(self.mode) || self.mode != 'api-key' || has(self.apiKeysSecret)",
                "message": "auth.mode api-key needs auth.apiKeysSecret",
            },
            {
                "rule": "(has(self.mode) ? self.mode != 'jwt' : !has(self.jwt) || !has(self.jwt.issuer)) || "
                "(has(self.jwt) && has(self.jwt.issuer) && has(self.jwt.audience) && has(self.jwt.jwksUrl))",
                "message": "auth.mode jwt needs auth.jwt.issuer, auth.jwt.audience and auth.jwt.jwksUrl",
            },
            {
                "rule": "!has(self.jwt) || !has(self.jwt.audience) || has(self.jwt.resourceUrl) || "
                "self.jwt.audience.matches('^https?://')",
                "message": "auth.jwt.resourceUrl is required when auth.jwt.audience is not a URL",
            },
        ],
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
                "description": "Gateway pods. More than one run without MCP sessions (`--stateless`), so any "
                "pod answers any request behind the plain Service; one pod keeps sessions (and pushes "
                "`tools/list_changed`).",
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
                    "secretName": _secret_name(
                        "Secret in the resource's namespace whose keys are the credential file names "
                        "(`ZSCALER_CLIENT_ID`, `ZSCALER_CLIENT_SECRET` or `ZSCALER_PRIVATE_KEY`, "
                        "`ZSCALER_CUSTOMER_ID`, `ZSCALER_VANITY_DOMAIN`, optional `ZSCALER_CLOUD`)."
                    )
                },
            },
            "auth": auth_schema(),
            "allowedHosts": _strings(
                "Extra `Host` header values the MCP endpoint accepts (e.g. an Ingress host name): `host`, "
                "`host:port` or `host:*`; a bare host matches any port. The Service's DNS names "
                "(`<name>`, `<name>.<namespace>`, `<name>.<namespace>.svc`, `<name>.<namespace>.svc.cluster.local`), `localhost` and `127.0.0.1` "
                "are always accepted; any other Host is refused (DNS-rebinding protection).",
                pattern=HOST_PATTERN,
                maxLength=255,
            ),
            "allowUnconfirmedDeletes": {
                "type": "boolean",
                "default": False,
                "description": "Let delete tools run without a human confirming each one through the MCP client "
                "(`--allow-unconfirmed-deletes`); only for automation whose deletes are reviewed elsewhere.",
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
