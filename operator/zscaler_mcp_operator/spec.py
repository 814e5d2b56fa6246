"""A ZscalerMCP resource, checked and resolved into what the builders need. Pure: no I/O.

The spec is validated by its model (schema.py, the one the CRD is generated from), then the policy keys
against the toolset catalog with the gateway's own checks, so the operator rejects exactly what admission
and the gateway would (`render` has no API server to do the admission part).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from zscaler_mcp_gateway.catalog import Catalog
from zscaler_mcp_gateway.config import ConfigError, PolicyConfig, catalog_errors, validation_messages
from zscaler_mcp_gateway.sessions import SessionLimits

from .schema import (
    AUTH_API_KEY,
    AUTH_JWT,
    AUTH_NONE,
    NAME_MAX_LENGTH,
    NAME_PATTERN,
    PATTERN_MEANINGS,
    POLICY_KEYS,
    AuthSpec,
    ZscalerMCPSpec,
    auth_mode_of,
)


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
    principals: Mapping[str, Any] = field(
        default_factory=dict
    )  # the principals file's document; {} = no one restricted
    approvals_secret: str | None = None  # the approval signing keys every pod shares, when named
    sessions: SessionLimits = SessionLimits()


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def spec_of(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(resource.get("spec"))


def secret_name_of(resource: Mapping[str, Any]) -> str | None:
    """The credentials Secret the resource names, if it names one (valid spec or not)."""
    name = _mapping(spec_of(resource).get("credentials")).get("secretName")
    return name if isinstance(name, str) and name else None


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


def _resolve_auth(auth: AuthSpec) -> Auth:
    """A checked `spec.auth` as what the gateway runs with."""
    mode = auth.effective_mode()
    if mode == AUTH_API_KEY:
        assert auth.api_keys_secret is not None  # AuthSpec.problems() requires it
        return Auth(mode, api_keys_secret=auth.api_keys_secret)
    if mode == AUTH_JWT:
        jwt = auth.jwt
        assert jwt is not None and jwt.issuer and jwt.audience and jwt.jwks_url  # likewise
        return Auth(mode, jwt=Jwt(jwt.issuer, jwt.audience, jwt.jwks_url, jwt.resource_url))
    return Auth(AUTH_NONE)


def parse_gateway(resource: Mapping[str, Any], catalog: Catalog, default_image: str) -> Gateway:
    """Check a ZscalerMCP and resolve it; raises ConfigError naming every bad key."""
    metadata = _mapping(resource.get("metadata"))
    spec = resource.get("spec")
    if not isinstance(spec, Mapping):
        raise ConfigError(["spec: required, a mapping"])
    errors = _name_errors(metadata.get("name"))
    parsed: ZscalerMCPSpec | None = None
    try:
        parsed = ZscalerMCPSpec.model_validate(spec)
    except ValidationError as exc:
        errors += validation_messages(exc, "spec.", PATTERN_MEANINGS)
    errors += [f"spec.{message}" for message in catalog_errors(policy_document(spec), catalog)]
    if parsed is not None:
        errors += parsed.auth.problems()
    if errors or parsed is None:
        raise ConfigError(errors)
    return Gateway(
        name=metadata["name"],
        namespace=metadata.get("namespace") or "default",
        uid=metadata.get("uid"),
        replicas=parsed.replicas,
        image=parsed.image or default_image,
        secret_name=parsed.credentials.secret_name,
        resources=parsed.resources.model_dump(exclude_unset=True),
        policy=parsed.policy(),
        auth=_resolve_auth(parsed.auth),
        allowed_hosts=parsed.allowed_hosts,
        allow_unconfirmed_deletes=parsed.allow_unconfirmed_deletes,
        principals=parsed.auth.principals.document(),
        approvals_secret=parsed.approvals.secret_name,
        sessions=parsed.sessions,
    )
