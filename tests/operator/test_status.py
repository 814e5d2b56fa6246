"""Status conditions: what they say, and that a transition time moves only when the status flips."""

from __future__ import annotations

from zscaler_mcp_operator.status import (
    changed_conditions,
    config_condition,
    credentials_condition,
    merge_conditions,
    next_status,
    ready_condition,
    rejected_condition,
    status_patch,
)

T0, T1 = "2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z"


def deployment(replicas: int, available: int | None) -> dict[str, object]:
    status = {} if available is None else {"availableReplicas": available}
    return {"spec": {"replicas": replicas}, "status": status}


def test_ready_follows_the_deployment_availability() -> None:
    assert ready_condition(None)["reason"] == "DeploymentMissing"
    assert ready_condition(deployment(2, None)) == {
        "type": "Ready",
        "status": "False",
        "reason": "Unavailable",
        "message": "0/2 replicas available",
    }
    assert ready_condition(deployment(2, 1))["status"] == "False"
    assert ready_condition(deployment(2, 2))["status"] == "True"
    assert ready_condition(deployment(0, 0))["reason"] == "ScaledToZero"


def test_config_condition_names_errors_and_warnings() -> None:
    invalid = config_condition(["spec.toolsets: unknown toolset 'x'"], (), None)
    assert (invalid["status"], invalid["reason"]) == ("False", "InvalidSpec")
    assert invalid["message"].startswith("spec.toolsets: unknown toolset 'x'")
    valid = config_condition((), ["write.enabled is true but write.allowlist is empty"], 12)
    assert (valid["status"], valid["reason"]) == ("True", "Valid")
    assert valid["message"] == "the policy serves 12 tools; warning: write.enabled is true but write.allowlist is empty"


def rollout(replicas: int, ready: int, updated: int, deadline_passed: bool = False) -> dict[str, object]:
    progressing = {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}
    status = {
        "readyReplicas": ready,
        "updatedReplicas": updated,
        "conditions": [progressing] if deadline_passed else [],
    }
    return {"spec": {"replicas": replicas}, "status": status}


def test_credentials_are_known_from_the_gateway_pods_never_from_a_secret_read() -> None:
    mounted = credentials_condition("zc", rollout(2, 1, 2))
    assert (mounted["status"], mounted["reason"]) == ("True", "MountedByPods")
    assert (
        mounted["message"]
        == "Secret 'zc' is mounted at /var/run/secrets/zscaler; 1 gateway pod(s) found the credentials"
    )
    stuck = credentials_condition("zc", rollout(2, 0, 2, deadline_passed=True))
    assert (stuck["status"], stuck["reason"]) == ("False", "PodsNotReady")
    assert "check that Secret 'zc' exist" in stuck["message"] and "reads no Secret" in stuck["message"]
    old_pod_ready = credentials_condition("zc", rollout(2, 1, 1))  # a pod of the last rollout does not count
    assert (old_pod_ready["status"], old_pod_ready["reason"]) == ("Unknown", "WaitingForPods")
    assert credentials_condition("zc", None)["status"] == "Unknown"
    assert credentials_condition("zc", rollout(0, 0, 0))["reason"] == "ScaledToZero"
    assert credentials_condition(None, rollout(1, 1, 1))["reason"] == "SecretNameMissing"


def test_credentials_condition_covers_the_api_keys_secret() -> None:
    both = credentials_condition("zc", rollout(1, 1, 1), "keys")
    assert (both["status"], both["reason"]) == ("True", "MountedByPods")
    assert "API keys Secret 'keys' is mounted at /var/run/secrets/zscaler-mcp-api-keys" in both["message"]
    stuck = credentials_condition("zc", rollout(1, 0, 1, deadline_passed=True), "keys")
    assert "Secret 'zc' and API keys Secret 'keys'" in stuck["message"]


def test_transition_time_changes_only_when_the_status_flips() -> None:
    first = merge_conditions(None, [ready_condition(deployment(1, 0))], T0)
    assert first[0]["lastTransitionTime"] == T0
    same_status_new_message = merge_conditions(first, [ready_condition(deployment(2, 1))], T1)
    assert same_status_new_message[0]["lastTransitionTime"] == T0
    assert same_status_new_message[0]["message"] == "1/2 replicas available"
    flipped = merge_conditions(same_status_new_message, [ready_condition(deployment(2, 2))], T1)
    assert flipped[0]["lastTransitionTime"] == T1


def test_changed_conditions_lists_what_differs() -> None:
    before = merge_conditions(
        None, [ready_condition(deployment(1, 0)), credentials_condition("zc", rollout(1, 1, 1))], T0
    )
    now = [ready_condition(deployment(1, 1)), credentials_condition("zc", rollout(1, 1, 1))]
    assert [c["type"] for c in changed_conditions(before, now)] == ["Ready"]
    assert [c["type"] for c in changed_conditions(None, now)] == ["Ready", "CredentialsAvailable"]


def test_an_unchanged_status_needs_no_write() -> None:
    conditions = [ready_condition(deployment(1, 1))]
    status = next_status(
        {}, generation=3, endpoint="http://e", conditions=conditions, now=T0, tool_count=4, config_hash="h"
    )
    assert status_patch({}, status) == status
    again = next_status(
        status, generation=3, endpoint="http://e", conditions=conditions, now=T1, tool_count=4, config_hash="h"
    )
    assert again == status and status_patch(status, again) == {}


def test_without_a_valid_policy_the_last_tool_count_and_hash_stay() -> None:
    previous = {"toolCount": 4, "configHash": "h", "observedGeneration": 1}
    status = next_status(previous, generation=2, endpoint="http://e", conditions=[], now=T0)
    assert "toolCount" not in status and "configHash" not in status
    assert status_patch(previous, status) == {"observedGeneration": 2, "endpoint": "http://e", "conditions": []}


def test_a_refused_child_is_reported_in_config_valid() -> None:
    refused = rejected_condition(["Deployment tools/zs: HTTP 422: requests above limits"])
    assert (refused["type"], refused["status"], refused["reason"]) == ("ConfigValid", "False", "Rejected")
    assert refused["message"] == "the API server rejected Deployment tools/zs: HTTP 422: requests above limits"
