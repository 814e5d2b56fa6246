"""The status of a ZscalerMCP. Pure: conditions from observations, transition times kept while a status holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .builders import API_KEYS_DIR, CREDENTIALS_DIR
from .crd import CONDITION_TYPES

READY, CONFIG_VALID, CREDENTIALS_AVAILABLE = CONDITION_TYPES


def condition(kind: str, ok: bool, reason: str, message: str) -> dict[str, str]:
    return {"type": kind, "status": "True" if ok else "False", "reason": reason, "message": message}


def ready_condition(deployment: Mapping[str, Any] | None) -> dict[str, str]:
    """Ready follows the Deployment: every wanted replica available."""
    if deployment is None:
        return condition(READY, False, "DeploymentMissing", "the gateway Deployment does not exist")
    wanted = deployment.get("spec", {}).get("replicas", 1)
    available = deployment.get("status", {}).get("availableReplicas") or 0
    if wanted == 0:
        return condition(READY, False, "ScaledToZero", "spec.replicas is 0: no gateway pod runs")
    ok = available >= wanted
    return condition(READY, ok, "Available" if ok else "Unavailable", f"{available}/{wanted} replicas available")


def config_condition(errors: Sequence[str], warnings: Sequence[str], tool_count: int | None) -> dict[str, str]:
    if errors:
        return condition(
            CONFIG_VALID,
            False,
            "InvalidSpec",
            "; ".join(errors) + " (nothing applied; the last valid policy keeps serving)",
        )
    message = f"the policy serves {tool_count} tools"
    if warnings:
        message += "; warning: " + "; ".join(warnings)
    return condition(CONFIG_VALID, True, "Valid", message)


def rejected_condition(rejections: Sequence[str]) -> dict[str, str]:
    """The spec passed every check here, but the API server refused a child built from it."""
    return condition(CONFIG_VALID, False, "Rejected", "the API server rejected " + "; ".join(rejections))


def credentials_condition(
    secret_name: str | None, namespace: str, exists: bool, api_keys: tuple[str, bool] | None = None
) -> dict[str, str]:
    """The Zscaler credentials Secret and, in api-key mode, the API keys Secret (`api_keys`: name, exists)."""
    if secret_name is None:
        return condition(CREDENTIALS_AVAILABLE, False, "SecretNameMissing", "spec.credentials.secretName is not set")
    secrets = [(secret_name, exists, CREDENTIALS_DIR, "")]
    if api_keys is not None:
        secrets.append((api_keys[0], api_keys[1], API_KEYS_DIR, "API keys "))
    missing = [f"{what}Secret {name!r}" for name, found, _, what in secrets if not found]
    if missing:
        return condition(
            CREDENTIALS_AVAILABLE,
            False,
            "SecretNotFound",
            f"{' and '.join(missing)} not found in namespace {namespace!r}; gateway pods wait for it",
        )
    mounted = "; ".join(f"{what}Secret {name!r} is mounted at {path}" for name, _, path, what in secrets)
    return condition(CREDENTIALS_AVAILABLE, True, "SecretFound", mounted)


def merge_conditions(previous: Any, current: Sequence[Mapping[str, str]], now: str) -> list[dict[str, str]]:
    """The current conditions, each stamped with the time its status last changed."""
    before = {c.get("type"): c for c in previous or () if isinstance(c, Mapping)}
    merged = []
    for cond in current:
        old = before.get(cond["type"], {})
        held = old.get("status") == cond["status"] and old.get("lastTransitionTime")
        merged.append({**cond, "lastTransitionTime": old["lastTransitionTime"] if held else now})
    return merged


def changed_conditions(previous: Any, current: Sequence[Mapping[str, str]]) -> list[Mapping[str, str]]:
    """Conditions whose status, reason or message differ from before (to log each change once)."""
    before = {c.get("type"): c for c in previous or () if isinstance(c, Mapping)}
    keys = ("status", "reason", "message")
    return [c for c in current if any(before.get(c["type"], {}).get(k) != c[k] for k in keys)]


def next_status(
    previous: Mapping[str, Any],
    *,
    generation: int | None,
    endpoint: str,
    conditions: Sequence[Mapping[str, str]],
    now: str,
    tool_count: int | None = None,
    config_hash: str | None = None,
) -> dict[str, Any]:
    """The status to hold; toolCount and configHash keep describing the last applied policy when None."""
    status: dict[str, Any] = {
        "endpoint": endpoint,
        "conditions": merge_conditions(previous.get("conditions"), conditions, now),
    }
    if generation is not None:
        status["observedGeneration"] = generation
    if tool_count is not None:
        status["toolCount"] = tool_count
    if config_hash is not None:
        status["configHash"] = config_hash
    return status


def status_patch(previous: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of `status` that differ from `previous`: empty when there is nothing to write."""
    return {key: value for key, value in status.items() if previous.get(key) != value}
