"""The ZscalerMCP spec as pydantic models: the one schema of the resource. Pure.

The policy part is the gateway's own `PolicyConfig` (the spec inherits it, so a key added there is a key of the
CR); the rest says how the gateway runs. The CRD's OpenAPI schema is generated from these models by `openapi`
(crd.py), and the operator validates a resource with them (spec.py), so admission and the operator agree.
Every list, map and string is bounded: the API server costs each CEL rule from those bounds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
)

from zscaler_mcp_gateway.config import PATTERN_MAX_LENGTH, TOOL_PATTERN, PolicyConfig
from zscaler_mcp_gateway.sessions import SessionLimits

DEFAULT_REPLICAS = 1
# The CR name becomes a Service name and a label value: a DNS-1035 label of at most 63 characters.
NAME_PATTERN = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
NAME_MAX_LENGTH = 63
# A Secret name is a DNS-1123 subdomain.
SECRET_NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
SECRET_NAME_MAX_LENGTH = 253
QUANTITY_PATTERN = (
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)
QUANTITY_MAX_LENGTH = 64
RESOURCE_NAME_MAX_LENGTH = 253  # a qualified name: prefix (a DNS subdomain) / name
MAX_RESOURCE_NAMES = 16  # cpu, memory, ephemeral-storage, hugepages-*, a few extended resources
# The gateway's --auth modes, and the chart's `auth.*` values they mirror.
AUTH_MODES = ("none", "api-key", "jwt")
AUTH_NONE, AUTH_API_KEY, AUTH_JWT = AUTH_MODES
# A Host header allowlist entry: host, host:port or host:* (the gateway's --allowed-hosts syntax).
HOST_PATTERN = r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:(\*|[0-9]{1,5}))?$"
HOST_MAX_LENGTH = 255
MAX_ALLOWED_HOSTS = 64
HTTPS_URL_PATTERN = r"^https://\S+$"
HTTP_URL_PATTERN = r"^https?://\S+$"
URL_MAX_LENGTH = 2048
IMAGE_MAX_LENGTH = 512  # registry/repository:tag@sha256:digest
PRINCIPAL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$"  # an API key file name, or a JWT subject
MAX_PRINCIPALS = 256
MAX_PRINCIPAL_PATTERNS = 256

# What each pattern means, for error messages a person reads instead of a regular expression.
PATTERN_MEANINGS = {
    NAME_PATTERN: "a DNS-1035 label",
    SECRET_NAME_PATTERN: "a valid Secret name (a DNS-1123 subdomain)",
    QUANTITY_PATTERN: "a Kubernetes quantity (e.g. 100m, 512Mi, 2)",
    HOST_PATTERN: "host, host:port or host:* (no scheme, no path)",
    HTTPS_URL_PATTERN: "an https URL",
    HTTP_URL_PATTERN: "an http(s) URL",
    TOOL_PATTERN.pattern: "an fnmatch pattern over tool names (letters, digits, _ - * ? [ ] !)",
    PRINCIPAL_PATTERN: "a principal name (letters, digits, . _ @ -; at most 128)",
}

SecretName = Annotated[
    str, StringConstraints(min_length=1, max_length=SECRET_NAME_MAX_LENGTH, pattern=SECRET_NAME_PATTERN)
]
HttpUrl = Annotated[str, StringConstraints(max_length=URL_MAX_LENGTH, pattern=HTTP_URL_PATTERN)]
HttpsUrl = Annotated[str, StringConstraints(max_length=URL_MAX_LENGTH, pattern=HTTPS_URL_PATTERN)]
Host = Annotated[str, StringConstraints(max_length=HOST_MAX_LENGTH, pattern=HOST_PATTERN)]
ResourceName = Annotated[str, StringConstraints(min_length=1, max_length=RESOURCE_NAME_MAX_LENGTH)]


def _quantity(value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str) or len(str(value)) > QUANTITY_MAX_LENGTH:
        raise ValueError(f"not {PATTERN_MEANINGS[QUANTITY_PATTERN]}")
    if not re.match(QUANTITY_PATTERN, str(value)):
        raise ValueError(f"not {PATTERN_MEANINGS[QUANTITY_PATTERN]}")
    return value


Quantity = Annotated[
    int | str,
    PlainValidator(_quantity),
    WithJsonSchema(
        {
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "maxLength": QUANTITY_MAX_LENGTH,
            "pattern": QUANTITY_PATTERN,
            "x-kubernetes-int-or-string": True,
        }
    ),
]


ToolPattern = Annotated[
    str, StringConstraints(min_length=1, max_length=PATTERN_MAX_LENGTH, pattern=TOOL_PATTERN.pattern)
]
ToolPatterns = Annotated[tuple[ToolPattern, ...], Field(max_length=MAX_PRINCIPAL_PATTERNS)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PrincipalsSpec(_Spec):
    """Per-principal tool patterns (fnmatch), checked at call time after the policy: the gateway's principals
    file, mounted beside the policy and reloaded live like it. Empty: no principal is restricted."""

    principals: dict[Annotated[str, StringConstraints(pattern=PRINCIPAL_PATTERN)], ToolPatterns] = Field(
        default={}, max_length=MAX_PRINCIPALS, description="Principal name: the tool patterns it may call."
    )
    default: ToolPatterns | None = Field(
        default=None,
        description="Patterns for every principal not listed; absent (with principals listed): no tool at all.",
    )

    def document(self) -> dict[str, Any]:
        """The principals file's content: what was set, lists as YAML lists."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


class JwtSpec(_Spec):
    """OAuth2 resource-server mode: JWT access tokens from `issuer` for `audience`, signed by a key of `jwksUrl`."""

    issuer: HttpUrl | None = Field(
        default=None, description="The token issuer (`iss`), the authorization server's URL."
    )
    audience: Annotated[str, StringConstraints(min_length=1, max_length=URL_MAX_LENGTH)] | None = Field(
        default=None, description="The audience the tokens must carry (`aud`), usually the public URL of `/mcp`."
    )
    jwks_url: HttpsUrl | None = Field(default=None, alias="jwksUrl", description="The issuer's JWKS (https).")
    resource_url: HttpUrl | None = Field(
        default=None,
        alias="resourceUrl",
        description="Public URL of `/mcp` for the OAuth protected-resource metadata; required when `audience` is "
        "not a URL.",
    )


_JWT_SET = "has(self.jwt) && has(self.jwt.issuer)"


class AuthSpec(_Spec):
    """How MCP clients authenticate to the gateway (`--auth`). The gateway listens beyond loopback, so it refuses
    to start without a mode; the operator always passes one. Without `mode`: `api-key` when `apiKeysSecret` is set,
    `jwt` when `jwt.issuer` is, else `none`: then anything that reaches the Service may call every served tool
    without a credential (`ConfigValid` says so); prefer `api-key`."""

    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": f"has(self.mode) || !(has(self.apiKeysSecret) && {_JWT_SET})",
                    "message": "auth: both apiKeysSecret and jwt.issuer are set; choose one with auth.mode",
                },
                {
                    "rule": "!has(self.mode) || self.mode != 'api-key' || has(self.apiKeysSecret)",
                    "message": "auth.mode api-key needs auth.apiKeysSecret",
                },
                {
                    "rule": f"(has(self.mode) ? self.mode != 'jwt' : !({_JWT_SET})) || "
                    "(has(self.jwt) && has(self.jwt.issuer) && has(self.jwt.audience) && has(self.jwt.jwksUrl))",
                    "message": "auth.mode jwt needs auth.jwt.issuer, auth.jwt.audience and auth.jwt.jwksUrl",
                },
                {
                    "rule": "!has(self.jwt) || !has(self.jwt.audience) || has(self.jwt.resourceUrl) || "
                    "self.jwt.audience.matches('^https?://')",
                    "message": "auth.jwt.resourceUrl is required when auth.jwt.audience is not a URL",
                },
            ]
        }
    )

    mode: Literal["none", "api-key", "jwt"] | None = Field(
        default=None, description="`none`, `api-key` or `jwt`; see above for the default."
    )
    api_keys_secret: SecretName | None = Field(
        default=None,
        alias="apiKeysSecret",
        description="Secret of MCP client API keys in the resource's namespace: each key of the Secret is a principal "
        "name, its value that principal's API key (16 characters or more). Mounted read-only at "
        "`/var/run/secrets/zscaler-mcp-api-keys`; rotated keys are picked up without a restart. Clients send "
        "`Authorization: Bearer <key>`.",
    )
    jwt: JwtSpec | None = None
    principals: PrincipalsSpec = PrincipalsSpec()

    def effective_mode(self) -> str:
        return auth_mode_of(
            {"mode": self.mode, "apiKeysSecret": self.api_keys_secret, "jwt": self.jwt and self.jwt.model_dump()}
        )

    def problems(self) -> list[str]:
        """What the CEL rules above refuse, as the operator reports it (each message names the key)."""
        mode, jwt = self.effective_mode(), self.jwt or JwtSpec()
        errors = []
        if self.mode is None and self.api_keys_secret and jwt.issuer:
            errors.append("spec.auth: both apiKeysSecret and jwt.issuer are set; choose one with spec.auth.mode")
        if mode == AUTH_API_KEY and not self.api_keys_secret:
            errors.append(
                "spec.auth.apiKeysSecret: required when spec.auth.mode is api-key "
                "(the Secret of MCP client API keys: key = principal, value = API key)"
            )
        if mode == AUTH_JWT:
            required = {"issuer": jwt.issuer, "audience": jwt.audience, "jwksUrl": jwt.jwks_url}
            errors += [
                f"spec.auth.jwt.{key}: required when spec.auth.mode is jwt" for key, v in required.items() if not v
            ]
        if jwt.audience and not jwt.resource_url and not jwt.audience.startswith(("http://", "https://")):
            errors.append(
                f"spec.auth.jwt.resourceUrl: required when spec.auth.jwt.audience ({jwt.audience!r}) is not a URL "
                "(the public URL of /mcp, for the OAuth protected-resource metadata)"
            )
        return errors


def auth_mode_of(auth: Mapping[str, Any]) -> str:
    """The mode a `spec.auth` asks for: as set, else api-key with API keys, jwt with an issuer, else none.

    Lenient (any mapping gives a mode), so that the Secrets of an invalid spec can still be named.
    """
    mode = auth.get("mode")
    if mode:
        return str(mode)
    if auth.get("apiKeysSecret"):
        return AUTH_API_KEY
    jwt = auth.get("jwt")
    if isinstance(jwt, Mapping) and jwt.get("issuer"):
        return AUTH_JWT
    return AUTH_NONE


class CredentialsSpec(_Spec):
    """Zscaler API credentials, mounted read-only as files into the gateway pods."""

    secret_name: SecretName = Field(
        alias="secretName",
        description="Secret in the resource's namespace whose keys are the credential file names "
        "(`ZSCALER_CLIENT_ID`, `ZSCALER_CLIENT_SECRET` or `ZSCALER_PRIVATE_KEY`, `ZSCALER_CUSTOMER_ID`, "
        "`ZSCALER_VANITY_DOMAIN`, optional `ZSCALER_CLOUD`).",
    )


class ApprovalsSpec(_Spec):
    """The key that signs human approvals (docs/security.md), shared by every gateway pod."""

    secret_name: SecretName | None = Field(
        default=None,
        alias="secretName",
        description="Secret in the resource's namespace holding the approval signing key as the file `current` "
        "(and `previous` while rotating), at least 32 bytes each, mounted read-only. Unset: each pod signs with a "
        "key of its own, so a 2026-07-28 client's approval is accepted only by the pod that asked; set it when "
        "replicas > 1. The operator never reads or creates Secrets: create it with "
        "`kubectl create secret generic NAME --from-literal=current=$(openssl rand -hex 32)`.",
    )


class ResourcesSpec(_Spec):
    """Compute resources of the gateway container (core/v1 ResourceRequirements)."""

    limits: dict[ResourceName, Quantity] = Field(
        default={}, max_length=MAX_RESOURCE_NAMES, description="Maximum compute resources, e.g. `memory: 512Mi`."
    )
    requests: dict[ResourceName, Quantity] = Field(
        default={}, max_length=MAX_RESOURCE_NAMES, description="Minimum compute resources, e.g. `cpu: 100m`."
    )


class ZscalerMCPSpec(PolicyConfig):
    """The desired gateway: its policy (the keys of the gateway's config file) and how it runs."""

    replicas: StrictInt = Field(
        default=DEFAULT_REPLICAS,
        ge=0,
        json_schema_extra={"format": "int32"},
        description="Gateway pods. More than one run without MCP sessions (`--stateless`), so any pod answers any "
        "request behind the plain Service; one pod keeps sessions (and pushes `tools/list_changed`).",
    )
    image: Annotated[str, StringConstraints(min_length=1, max_length=IMAGE_MAX_LENGTH)] | None = Field(
        default=None, description="Gateway image; the operator's default (`ZSCALER_MCP_GATEWAY_IMAGE`) when unset."
    )
    credentials: CredentialsSpec
    approvals: ApprovalsSpec = ApprovalsSpec()
    auth: AuthSpec = AuthSpec()
    allowed_hosts: tuple[Host, ...] = Field(
        default=(),
        alias="allowedHosts",
        max_length=MAX_ALLOWED_HOSTS,
        description="Extra `Host` header values the MCP endpoint accepts (e.g. an Ingress host name): `host`, "
        "`host:port` or `host:*`; a bare host matches any port. The Service's DNS names (`<name>`, "
        "`<name>.<namespace>`, `<name>.<namespace>.svc`, `<name>.<namespace>.svc.cluster.local`), `localhost` and "
        "`127.0.0.1` are always accepted; any other Host is refused (DNS-rebinding protection).",
    )
    allow_unconfirmed_deletes: StrictBool = Field(
        default=False,
        alias="allowUnconfirmedDeletes",
        description="Deprecated: as `write.confirm` without `delete` (`--allow-unconfirmed-deletes`): delete tools "
        "run without a human confirming each one through the MCP client.",
    )
    sessions: SessionLimits = Field(default=SessionLimits(), description=SessionLimits.__doc__)
    resources: ResourcesSpec = ResourcesSpec()

    def policy(self) -> PolicyConfig:
        """The policy part alone: what the gateway's config file holds."""
        return PolicyConfig.model_validate({name: getattr(self, name) for name in PolicyConfig.model_fields})


POLICY_KEYS = tuple(field.alias or name for name, field in PolicyConfig.model_fields.items())
RESOURCE_KINDS = tuple(ResourcesSpec.model_fields)

# Keys that order a generated schema node for a person reading it: what it is, then what it allows.
_FIRST = ("type", "format", "description", "rule", "message")
# JSON Schema keywords that Kubernetes' schema type has no field for.
_NOT_IN_KUBERNETES = ("propertyNames",)


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema in one piece (draft-07 readers need no `$defs`): references inlined, titles
    dropped, descriptions on one line."""
    schema = model.model_json_schema(by_alias=True)
    inlined: dict[str, Any] = _inline(schema, schema.pop("$defs", {}))
    return inlined


def _inline(node: Any, defs: Mapping[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[1]]
        return _inline({**target, **{k: v for k, v in node.items() if k != "$ref"}}, defs)
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title":
            continue
        if key == "properties":
            kept[key] = {name: _inline(child, defs) for name, child in value.items()}
        elif key == "description":
            kept[key] = " ".join(value.split())
        else:
            kept[key] = _inline(value, defs)
    return {**{k: kept[k] for k in _FIRST if k in kept}, **{k: v for k, v in kept.items() if k not in _FIRST}}


def openapi(model: type[BaseModel]) -> dict[str, Any]:
    """The model's schema as a Kubernetes structural schema: `null` options and `propertyNames` dropped, a map's
    `patternProperties` as its `additionalProperties` (key names are the operator's check), no
    `additionalProperties: false` beside `properties` (the API server prunes unknown fields), and defaults only
    on scalars (a list or object default would be written into every stored resource)."""
    structural: dict[str, Any] = _structural(json_schema(model))
    return structural


def _structural(node: Any) -> Any:
    if isinstance(node, list):
        return [_structural(item) for item in node]
    if not isinstance(node, dict):
        return node
    options = [option for option in node.get("anyOf", ()) if option != {"type": "null"}]
    if "anyOf" in node and len(options) == 1:
        return _structural({**options[0], **{k: v for k, v in node.items() if k != "anyOf"}})
    if "patternProperties" in node:  # a map with checked keys: Kubernetes checks its values only
        (values,) = node["patternProperties"].values()
        rest = {k: v for k, v in node.items() if k not in ("patternProperties", "additionalProperties")}
        return _structural({**rest, "additionalProperties": values})
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if key in _NOT_IN_KUBERNETES or (key == "additionalProperties" and value is False):
            continue
        if key == "default" and (value is None or isinstance(value, list | dict)):
            continue
        if key == "properties":
            kept[key] = {name: _structural(child) for name, child in value.items()}
        else:
            kept[key] = _structural(value)
    return {**{k: kept[k] for k in _FIRST if k in kept}, **{k: v for k, v in kept.items() if k not in _FIRST}}
