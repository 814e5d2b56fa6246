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

from .crd import DEFAULT_REPLICAS, NAME_MAX_LENGTH, NAME_PATTERN, QUANTITY_PATTERN, SECRET_NAME_PATTERN

POLICY_KEYS = (
    "services",
    "toolsets",
    "disabledToolsets",
    "disabledTools",
    "enabledTools",
    "write",
    "entitlementFilter",
)
RUNTIME_KEYS = ("replicas", "image", "credentials", "resources")
RESOURCE_KINDS = ("limits", "requests")


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


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def spec_of(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(resource.get("spec"))


def secret_name_of(resource: Mapping[str, Any]) -> str | None:
    """The credentials Secret the resource names, if it names one (valid spec or not)."""
    name = _mapping(spec_of(resource).get("credentials")).get("secretName")
    return name if isinstance(name, str) and name else None


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
    if len(name) > 253 or not re.match(SECRET_NAME_PATTERN, name):
        return [f"spec.credentials.secretName: {name!r} is not a valid Secret name"]
    return []


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
    )
