"""A ZscalerMCP resource, checked and resolved into what the builders need. Pure: no I/O.

The policy keys go through the gateway's own validator against the toolset catalog, so the operator
rejects exactly what the gateway would; the other keys get the checks the builders rely on (the CRD
schema enforces the same at admission; `render` has no API server to do it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zscaler_mcp_gateway.catalog import Catalog
from zscaler_mcp_gateway.config import ConfigError, PolicyConfig, validate_policy

from .crd import (
    AUTH_MODES,
    DEFAULT_REPLICAS,
    HOST_PATTERN,
    HTTP_URL_PATTERN,
    HTTPS_URL_PATTERN,
    NAME_MAX_LENGTH,
    NAME_PATTERN,
    QUANTITY_PATTERN,
    SECRET_NAME_PATTERN,
)

POLICY_KEYS = (
    "services",
    "toolsets",
    "disabledToolsets",
    "disabledTools",
    "enabledTools",
    "write",
    "entitlementFilter",
)
RUNTIME_KEYS = ("replicas", "image", "credentials", "resources", "auth", "allowedHosts", "allowUnconfirmedDeletes")
RESOURCE_KINDS = ("limits", "requests")
AUTH_KEYS = ("mode", "apiKeysSecret", "jwt")
JWT_KEYS = ("issuer", "audience", "jwksUrl", "resourceUrl")
JWT_REQUIRED = ("issuer", "audience", "jwksUrl")
AUTH_NONE, AUTH_API_KEY, AUTH_JWT = AUTH_MODES


@dataclass(frozen=True)
class Jwt:
    """OAuth2 resource-server settings of a gateway in JWT mode."""

    issuer: str
    audience: str
    jwks_url: str
    resource_url: str | None = None


@dataclass(frozen=True)
class Auth:
    """How MCP clients authenticate: the resolved mode and what it needs."""

    mode: str = AUTH_NONE
    api_keys_secret: str | None = None  # set in api-key mode only
    jwt: Jwt | None = None  # set in jwt mode only


@dataclass(frozen=True)
class Gateway:
    """One valid ZscalerMCP, resolved: its identity, how it runs, and its validated policy."""

    name: str
    namespace: str
    uid: str | None
    replicas: int
    image: str
    secret_name: str
    resources: Mapping[str, Mapping[str, str | int]]
    policy: PolicyConfig
    auth: Auth = Auth()
    allowed_hosts: tuple[str, ...] = ()  # extra Host values, beyond the Service names the builders add
    allow_unconfirmed_deletes: bool = False


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def spec_of(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(resource.get("spec"))


def secret_name_of(resource: Mapping[str, Any]) -> str | None:
    """The credentials Secret the resource names, if it names one (valid spec or not)."""
    name = _mapping(spec_of(resource).get("credentials")).get("secretName")
    return name if isinstance(name, str) and name else None


def _present(value: Any) -> bool:
    return value is not None and value != ""


def auth_mode_of(auth: Mapping[str, Any]) -> str:
    """The mode a `spec.auth` asks for: as set, else api-key with API keys, jwt with an issuer, else none.

    Lenient (any input gives a mode); `_auth_errors` says what is wrong with it.
    """
    mode = auth.get("mode")
    if _present(mode):
        return str(mode)
    if _present(auth.get("apiKeysSecret")):
        return AUTH_API_KEY
    if _present(_mapping(auth.get("jwt")).get("issuer")):
        return AUTH_JWT
    return AUTH_NONE


def api_keys_secret_of(resource: Mapping[str, Any]) -> str | None:
    """The API keys Secret the resource mounts, if its auth mode is api-key and it names one (valid spec or not)."""
    auth = _mapping(spec_of(resource).get("auth"))
    name = auth.get("apiKeysSecret")
    if auth_mode_of(auth) != AUTH_API_KEY or not isinstance(name, str) or not name:
        return None
    return name


def policy_document(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The policy keys of a spec: the document the gateway's config file holds."""
    return {key: spec[key] for key in POLICY_KEYS if key in spec}


def _name_errors(name: Any) -> list[str]:
    if not isinstance(name, str) or not name:
        return ["metadata.name: required"]
    if len(name) > NAME_MAX_LENGTH or not re.match(NAME_PATTERN, name):
        return [f"metadata.name: {name!r} is not a DNS-1035 label of at most {NAME_MAX_LENGTH} characters"]
    return []


def _replicas_errors(replicas: Any) -> list[str]:
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        return [f"spec.replicas: must be an integer >= 0, got {replicas!r}"]
    return []


def _secret_errors(name: str | None) -> list[str]:
    if name is None:
        return ["spec.credentials.secretName: required (the Secret holding the Zscaler credentials)"]
    return _secret_name_errors("spec.credentials.secretName", name)


def _secret_name_errors(key: str, name: Any) -> list[str]:
    if not isinstance(name, str) or len(name) > 253 or not re.match(SECRET_NAME_PATTERN, name):
        return [f"{key}: {name!r} is not a valid Secret name (a DNS-1123 subdomain)"]
    return []


def _string_errors(key: str, value: Any, pattern: str | None, what: str) -> list[str]:
    if not isinstance(value, str) or not value:
        return [f"{key}: must be a non-empty string, got {value!r}"]
    if pattern and not re.match(pattern, value):
        return [f"{key}: {value!r} is not {what}"]
    return []


def _jwt_errors(jwt: Any, mode: str) -> list[str]:
    if not isinstance(jwt, Mapping):
        return [f"spec.auth.jwt: must be a mapping, got {type(jwt).__name__}"]
    errors = [f"spec.auth.jwt.{key}: unknown key" for key in jwt if key not in JWT_KEYS]
    checks = {
        "issuer": (HTTP_URL_PATTERN, "an http(s) URL"),
        "audience": (None, ""),
        "jwksUrl": (HTTPS_URL_PATTERN, "an https URL"),
        "resourceUrl": (HTTP_URL_PATTERN, "an http(s) URL"),
    }
    for key, (pattern, what) in checks.items():
        if key in jwt:
            errors += _string_errors(f"spec.auth.jwt.{key}", jwt[key], pattern, what)
        elif mode == AUTH_JWT and key in JWT_REQUIRED:
            errors.append(f"spec.auth.jwt.{key}: required when spec.auth.mode is jwt")
    audience = jwt.get("audience")
    if isinstance(audience, str) and audience and "resourceUrl" not in jwt and not re.match(r"^https?://", audience):
        errors.append(
            f"spec.auth.jwt.resourceUrl: required when spec.auth.jwt.audience ({audience!r}) is not a URL "
            "(the public URL of /mcp, for the OAuth protected-resource metadata)"
        )
    return errors


def _auth_errors(auth: Any) -> list[str]:
    if not isinstance(auth, Mapping):
        return [f"spec.auth: must be a mapping, got {type(auth).__name__}"]
    errors = [f"spec.auth.{key}: unknown key" for key in auth if key not in AUTH_KEYS]
    mode = auth.get("mode")
    if "mode" in auth and mode not in AUTH_MODES:
        errors.append(f"spec.auth.mode: {mode!r} is not one of {', '.join(AUTH_MODES)}")
    jwt = auth.get("jwt")
    if "mode" not in auth and _present(auth.get("apiKeysSecret")) and _present(_mapping(jwt).get("issuer")):
        errors.append("spec.auth: both apiKeysSecret and jwt.issuer are set; choose one with spec.auth.mode")
    effective = auth_mode_of(auth)
    if "apiKeysSecret" in auth:
        errors += _secret_name_errors("spec.auth.apiKeysSecret", auth["apiKeysSecret"])
    elif effective == AUTH_API_KEY:
        errors.append(
            "spec.auth.apiKeysSecret: required when spec.auth.mode is api-key "
            "(the Secret of MCP client API keys: key = principal, value = API key)"
        )
    if "jwt" in auth:
        errors += _jwt_errors(jwt, effective)
    elif effective == AUTH_JWT:
        errors += [f"spec.auth.jwt.{key}: required when spec.auth.mode is jwt" for key in JWT_REQUIRED]
    return errors


def _resolve_auth(auth: Mapping[str, Any]) -> Auth:
    """A checked `spec.auth` (no `_auth_errors`) as what the gateway runs with."""
    mode = auth_mode_of(auth)
    if mode == AUTH_API_KEY:
        return Auth(mode, api_keys_secret=auth["apiKeysSecret"])
    if mode == AUTH_JWT:
        jwt = auth["jwt"]
        return Auth(mode, jwt=Jwt(jwt["issuer"], jwt["audience"], jwt["jwksUrl"], jwt.get("resourceUrl")))
    return Auth(AUTH_NONE)


def _allowed_hosts_errors(hosts: Any) -> list[str]:
    if not isinstance(hosts, list):
        return [f"spec.allowedHosts: must be a list of host names, got {type(hosts).__name__}"]
    return [
        f"spec.allowedHosts: {host!r} is not host, host:port or host:* (no scheme, no path)"
        for host in hosts
        if not isinstance(host, str) or not re.match(HOST_PATTERN, host)
    ]


def _resources_errors(resources: Any) -> list[str]:
    if not isinstance(resources, Mapping):
        return [f"spec.resources: must be a mapping, got {type(resources).__name__}"]
    errors = [f"spec.resources.{key}: unknown key" for key in resources if key not in RESOURCE_KINDS]
    for kind in RESOURCE_KINDS:
        amounts = resources.get(kind, {})
        if not isinstance(amounts, Mapping):
            errors.append(f"spec.resources.{kind}: must be a mapping of resource names to quantities")
            continue
        for resource, quantity in amounts.items():
            if isinstance(quantity, bool) or not re.match(QUANTITY_PATTERN, str(quantity)):
                errors.append(f"spec.resources.{kind}.{resource}: {quantity!r} is not a quantity")
    return errors


def parse_gateway(resource: Mapping[str, Any], catalog: Catalog, default_image: str) -> Gateway:
    """Check a ZscalerMCP and resolve it; raises ConfigError naming every bad key and value."""
    metadata = _mapping(resource.get("metadata"))
    spec = resource.get("spec")
    if not isinstance(spec, Mapping):
        raise ConfigError(["spec: required, a mapping"])
    errors = _name_errors(metadata.get("name"))
    errors += [f"spec.{key}: unknown key" for key in spec if key not in POLICY_KEYS + RUNTIME_KEYS]
    replicas = spec.get("replicas", DEFAULT_REPLICAS)
    errors += _replicas_errors(replicas)
    image = spec.get("image", default_image)
    if not isinstance(image, str) or not image:
        errors.append(f"spec.image: must be a non-empty string, got {image!r}")
    secret_name = secret_name_of(resource)
    errors += _secret_errors(secret_name)
    resources = spec.get("resources", {})
    errors += _resources_errors(resources)
    auth = spec.get("auth", {})
    errors += _auth_errors(auth)
    allowed_hosts = spec.get("allowedHosts", [])
    errors += _allowed_hosts_errors(allowed_hosts)
    allow_unconfirmed_deletes = spec.get("allowUnconfirmedDeletes", False)
    if not isinstance(allow_unconfirmed_deletes, bool):
        errors.append(f"spec.allowUnconfirmedDeletes: must be true or false, got {allow_unconfirmed_deletes!r}")
    try:
        policy = validate_policy(policy_document(spec), catalog)
    except ConfigError as exc:
        errors += [f"spec.{message}" for message in exc.errors]
    if errors:
        raise ConfigError(errors)
    assert secret_name is not None  # no error above means it is set
    return Gateway(
        name=metadata["name"],
        namespace=metadata.get("namespace") or "default",
        uid=metadata.get("uid"),
        replicas=replicas,
        image=image,
        secret_name=secret_name,
        resources=resources,
        policy=policy,
        auth=_resolve_auth(auth),
        allowed_hosts=tuple(allowed_hosts),
        allow_unconfirmed_deletes=allow_unconfirmed_deletes,
    )
