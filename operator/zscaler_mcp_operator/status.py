"""The status of a ZscalerMCP. Pure: conditions from observations, transition times kept while a status holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .builders import API_KEYS_DIR, CREDENTIALS_DIR
from .crd import CONDITION_TYPES

READY, CONFIG_VALID, CREDENTIALS_AVAILABLE = CONDITION_TYPES


def condition(kind: str, ok: bool | None, reason: str, message: str) -> dict[str, str]:
    """A condition; `ok` None is status Unknown."""
    status = "Unknown" if ok is None else "True" if ok else "False"
    return {"type": kind, "status": status, "reason": reason, "message": message}


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


def _deployment_condition(deployment: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    for cond in deployment.get("status", {}).get("conditions") or ():
        if isinstance(cond, Mapping) and cond.get("type") == kind:
            return cond
    return {}


def credentials_condition(
    secret_name: str | None, deployment: Mapping[str, Any] | None, api_keys_name: str | None = None
) -> dict[str, str]:
    """The Secrets as the gateway pods see them: the operator reads no Secret (least privilege, docs/operator.md).

    A gateway pod is ready only when kubelet mounted its Secrets and its /readyz found the credentials in them,
    so a ready pod of the current rollout says the credentials are there; a rollout past its progress deadline
    with no ready pod says they (or something else the pods need) are not. In between nothing is known yet.
    """
    if secret_name is None:
        return condition(CREDENTIALS_AVAILABLE, False, "SecretNameMissing", "spec.credentials.secretName is not set")
    secrets = [(secret_name, CREDENTIALS_DIR, "")]
    if api_keys_name is not None:
        secrets.append((api_keys_name, API_KEYS_DIR, "API keys "))
    named = " and ".join(f"{what}Secret {name!r}" for name, _, what in secrets)
    if deployment is None:
        return condition(CREDENTIALS_AVAILABLE, None, "WaitingForPods", f"no gateway Deployment mounts {named} yet")
    wanted = deployment.get("spec", {}).get("replicas", 1)
    state = deployment.get("status", {})
    ready, updated = state.get("readyReplicas") or 0, state.get("updatedReplicas") or 0
    progressing = _deployment_condition(deployment, "Progressing")
    if wanted == 0:
        return condition(CREDENTIALS_AVAILABLE, None, "ScaledToZero", f"no gateway pod runs to mount {named}")
    if progressing.get("reason") == "ProgressDeadlineExceeded" and progressing.get("status") == "False":
        return condition(
            CREDENTIALS_AVAILABLE,
            False,
            "PodsNotReady",
            f"no gateway pod of the current rollout became ready in time: check that {named} exist in the "
            "namespace with the credential keys (kubectl describe pod shows a failed mount; the pod's /readyz "
            "names missing credentials); the operator itself reads no Secret",
        )
    if ready >= 1 and updated >= wanted:
        mounted = "; ".join(f"{what}Secret {name!r} is mounted at {path}" for name, path, what in secrets)
        return condition(
            CREDENTIALS_AVAILABLE, True, "MountedByPods", f"{mounted}; {ready} gateway pod(s) found the credentials"
        )
    return condition(CREDENTIALS_AVAILABLE, None, "WaitingForPods", f"waiting for a gateway pod to mount {named}")


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
