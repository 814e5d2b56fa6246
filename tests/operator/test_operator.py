"""The real kopf operator against an emulated Kubernetes API server (kmock) on loopback.

The emulator plays the API server only: no Deployment controller (tests write a Deployment's status
themselves) and no garbage collector.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

import kmock
import pytest
import yaml

from tests.operator.apiserver import CONFIGMAPS, DEPLOYMENTS, SECRETS, SERVICES, ZSCALERMCPS, ApiServer
from tests.operator.conftest import RESYNC_SECONDS
from tests.operator.kit import BASE, NAMESPACE, call, condition, current, eventually, stored, versions, zscalermcp
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import validate_policy
from zscaler_mcp_gateway.policy import PolicyView
from zscaler_mcp_operator import builders
from zscaler_mcp_operator.spec import parse_gateway

pytestmark = pytest.mark.usefixtures("operator")

MERGE = "application/merge-patch+json"
APPS = f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments"
CORE = f"/api/v1/namespaces/{NAMESPACE}"
SERVER_METADATA = ("uid", "generation", "resourceVersion", "creationTimestamp")


async def create(api: ApiServer, name: str, **spec: Any) -> dict[str, Any]:
    """Create a ZscalerMCP and wait until the operator has reported on it."""
    await call(api, "POST", BASE, zscalermcp(name, **spec))
    await eventually(lambda: condition(api, name, "ConfigValid"), f"{name} reconciled")
    return current(api, ZSCALERMCPS, name)


async def edit_spec(api: ApiServer, name: str, **changes: Any) -> None:
    await call(api, "PATCH", f"{BASE}/{name}", {"spec": changes}, MERGE)


def observed(api: ApiServer, name: str) -> int | None:
    resource = current(api, ZSCALERMCPS, name)
    if resource.get("status", {}).get("observedGeneration") == resource["metadata"]["generation"]:
        return int(resource["metadata"]["generation"])
    return None


async def settle() -> None:
    """Let a few resync periods pass."""
    await asyncio.sleep(RESYNC_SECONDS * 4)


async def test_create_makes_the_children_and_reports_through_the_status_subresource(apiserver: ApiServer) -> None:
    spec = {"toolsets": ["zia_url_filtering", "zpa_app_segments"], "resources": {"limits": {"cpu": 2, "memory": "1Gi"}}}
    resource = await create(apiserver, "zs", **spec)
    uid = resource["metadata"]["uid"]
    # The status is written after the children: they exist by now.
    names = ((CONFIGMAPS, "zs-config"), (DEPLOYMENTS, "zs"), (SERVICES, "zs"))
    children = [current(apiserver, kind, name) for kind, name in names]
    built = builders.children(parse_gateway(resource, load_catalog(), builders.DEFAULT_IMAGE))
    for child, desired in zip(children, built, strict=True):
        (owner,) = child["metadata"]["ownerReferences"]
        assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == ("ZscalerMCP", "zs", uid, True)
        # Sent as built (no client-side model conversion), apart from what the API server adds.
        metadata = {k: v for k, v in child["metadata"].items() if k not in SERVER_METADATA}
        assert {**child, "metadata": metadata} == desired

    config_text = children[0]["data"]["config.yaml"]
    policy = validate_policy(yaml.safe_load(config_text), load_catalog())
    assert policy.toolsets == ("zia_url_filtering", "zpa_app_segments")
    status = resource["status"]
    assert status["observedGeneration"] == resource["metadata"]["generation"] == 1
    assert status["endpoint"] == f"http://zs.{NAMESPACE}.svc:8000/mcp"
    assert status["configHash"] == hashlib.sha256(config_text.encode()).hexdigest()
    assert status["toolCount"] == len(PolicyView.build(policy, load_catalog()).served_tools()) > 0
    summary = {c["type"]: (c["status"], c["reason"]) for c in status["conditions"]}
    assert summary == {
        "Ready": ("False", "Unavailable"),
        "ConfigValid": ("True", "Valid"),
        "CredentialsAvailable": ("Unknown", "WaitingForPods"),
    }
    assert all(c["lastTransitionTime"].endswith("Z") for c in status["conditions"])
    # The emulator drops `status` from writes to the main resource: every status write used /status.
    status_writes = [r for r in apiserver if r.method == "PATCH" and "status" in (r.data or {}) and r.resource]
    assert status_writes and all(r.subresource == "status" for r in status_writes)


async def test_a_policy_change_rewrites_the_configmap_only(apiserver: ApiServer) -> None:
    await create(apiserver, "zs", toolsets=["zia_url_filtering"])
    before = stored(apiserver, DEPLOYMENTS, "zs")
    writes = {kind: versions(apiserver, kind, name) for kind, name in ((DEPLOYMENTS, "zs"), (SERVICES, "zs"))}
    old_hash = current(apiserver, ZSCALERMCPS, "zs")["status"]["configHash"]

    await edit_spec(apiserver, "zs", toolsets=["zpa_app_segments"], disabledTools=["zpa_delete_*"])
    await eventually(lambda: observed(apiserver, "zs") == 2, "generation 2 observed")
    config = yaml.safe_load(current(apiserver, CONFIGMAPS, "zs-config")["data"]["config.yaml"])
    assert (config["toolsets"], config["disabledTools"]) == (["zpa_app_segments"], ["zpa_delete_*"])
    assert current(apiserver, ZSCALERMCPS, "zs")["status"]["configHash"] != old_hash
    await settle()
    assert {kind: versions(apiserver, kind, name) for kind, name in ((DEPLOYMENTS, "zs"), (SERVICES, "zs"))} == writes
    assert stored(apiserver, DEPLOYMENTS, "zs") == before


async def test_an_image_or_replica_change_updates_the_deployment_only(apiserver: ApiServer) -> None:
    await create(apiserver, "zs")
    config_writes = versions(apiserver, CONFIGMAPS, "zs-config")
    await edit_spec(apiserver, "zs", replicas=3, image="registry.example/gateway:2")
    deployment = await eventually(
        lambda: (d := stored(apiserver, DEPLOYMENTS, "zs")) and d["spec"]["replicas"] == 3 and d, "replicas 3"
    )
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/gateway:2"
    assert versions(apiserver, CONFIGMAPS, "zs-config") == config_writes


async def test_reconciling_again_changes_nothing(apiserver: ApiServer) -> None:
    await create(apiserver, "zs")
    await settle()
    objects = ((ZSCALERMCPS, "zs"), (CONFIGMAPS, "zs-config"), (DEPLOYMENTS, "zs"), (SERVICES, "zs"))
    writes = {kind: versions(apiserver, kind, name) for kind, name in objects}
    await settle()  # several resyncs of an unchanged resource
    assert {kind: versions(apiserver, kind, name) for kind, name in objects} == writes


async def test_a_deleted_or_hand_edited_child_is_restored(apiserver: ApiServer) -> None:
    await create(apiserver, "zs")
    desired_container = current(apiserver, DEPLOYMENTS, "zs")["spec"]["template"]["spec"]["containers"][0]
    desired_config = current(apiserver, CONFIGMAPS, "zs-config")["data"]

    await call(apiserver, "DELETE", f"{APPS}/zs")
    assert stored(apiserver, DEPLOYMENTS, "zs") is None
    await eventually(lambda: stored(apiserver, DEPLOYMENTS, "zs"), "Deployment recreated")

    tampered = {**desired_container, "image": "evil/gateway", "env": [{"name": "ZSCALER_CLIENT_SECRET", "value": "x"}]}
    await call(apiserver, "PATCH", f"{APPS}/zs", {"spec": {"template": {"spec": {"containers": [tampered]}}}}, MERGE)
    await call(
        apiserver, "PATCH", f"{CORE}/configmaps/zs-config", {"data": {"config.yaml": "toolsets: [all]\n"}}, MERGE
    )
    await eventually(
        lambda: current(apiserver, DEPLOYMENTS, "zs")["spec"]["template"]["spec"]["containers"] == [desired_container],
        "container restored, env var gone",
    )
    await eventually(lambda: current(apiserver, CONFIGMAPS, "zs-config")["data"] == desired_config, "config restored")


async def test_an_invalid_spec_is_reported_and_touches_nothing(
    apiserver: ApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    await create(apiserver, "zs", toolsets=["zia_url_filtering"])
    objects = ((CONFIGMAPS, "zs-config"), (DEPLOYMENTS, "zs"), (SERVICES, "zs"))
    children = {kind: stored(apiserver, kind, name) for kind, name in objects}
    status = current(apiserver, ZSCALERMCPS, "zs")["status"]

    await edit_spec(apiserver, "zs", toolsets=["zia_url_filtering", "no_such_toolset"], replicas=5)
    await eventually(lambda: observed(apiserver, "zs") == 2, "generation 2 observed")
    invalid = condition(apiserver, "zs", "ConfigValid")
    assert (invalid["status"], invalid["reason"]) == ("False", "InvalidSpec")
    assert "spec.toolsets: unknown toolset 'no_such_toolset'" in invalid["message"]
    await settle()
    assert {kind: stored(apiserver, kind, name) for kind, name in objects} == children
    now = current(apiserver, ZSCALERMCPS, "zs")["status"]
    assert (now["toolCount"], now["configHash"]) == (status["toolCount"], status["configHash"])  # the last good policy
    # Reported, not raised: kopf neither failed nor retried the handler.
    assert not [r for r in caplog.records if r.name.startswith("kopf") and r.levelno >= logging.ERROR]
    assert [
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "no_such_toolset" in r.getMessage()
    ]

    await edit_spec(apiserver, "zs", toolsets=["zia_url_filtering"])
    await eventually(lambda: condition(apiserver, "zs", "ConfigValid").get("status") == "True", "valid again")
    assert current(apiserver, DEPLOYMENTS, "zs")["spec"]["replicas"] == 5


async def test_a_child_the_api_server_refuses_is_reported_not_retried(
    apiserver: ApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    apiserver.refuse(
        DEPLOYMENTS, "spec.template.spec.containers[0].resources.requests: Invalid value: must be <= cpu limit"
    )
    await create(apiserver, "zs", resources={"requests": {"cpu": "2"}, "limits": {"cpu": "1"}})
    rejected = condition(apiserver, "zs", "ConfigValid")
    assert (rejected["status"], rejected["reason"]) == ("False", "Rejected")
    assert "Deployment tools/zs: HTTP 422" in rejected["message"] and "must be <= cpu limit" in rejected["message"]
    assert stored(apiserver, CONFIGMAPS, "zs-config") and stored(apiserver, SERVICES, "zs")  # the rest is applied
    await settle()
    assert not [r for r in caplog.records if r.name.startswith("kopf") and r.levelno >= logging.ERROR]


async def test_a_resource_invalid_from_the_start_gets_no_children(apiserver: ApiServer) -> None:
    await create(apiserver, "zs", services=["zia", "nope"])
    assert condition(apiserver, "zs", "ConfigValid")["status"] == "False"
    assert condition(apiserver, "zs", "Ready")["reason"] == "DeploymentMissing"
    await settle()
    assert [stored(apiserver, kind, name) for kind, name in ((CONFIGMAPS, "zs-config"), (DEPLOYMENTS, "zs"))] == [
        None
    ] * 2


async def test_credentials_and_readiness_follow_the_pods_and_no_secret_is_read(apiserver: ApiServer) -> None:
    await create(apiserver, "zs", replicas=2, auth={"apiKeysSecret": "zs-api-keys"})
    waiting = condition(apiserver, "zs", "CredentialsAvailable")
    assert (waiting["status"], waiting["reason"]) == ("Unknown", "WaitingForPods")
    assert "Secret 'zscaler-credentials' and API keys Secret 'zs-api-keys'" in waiting["message"]
    assert stored(apiserver, DEPLOYMENTS, "zs") is not None  # children are created all the same

    # The Deployment controller's part: the rollout passes its progress deadline with no ready pod (a Secret
    # missing keeps the pods from mounting it) ...
    stuck = {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}
    await call(
        apiserver, "PATCH", f"{APPS}/zs/status", {"status": {"updatedReplicas": 2, "conditions": [stuck]}}, MERGE
    )
    missing = await eventually(
        lambda: (c := condition(apiserver, "zs", "CredentialsAvailable")).get("status") == "False" and c, "stuck"
    )
    assert missing["reason"] == "PodsNotReady" and "zscaler-credentials" in missing["message"]

    # ... then the Secrets exist: 1 of 2, then 2 of 2 replicas ready and available.
    progressing = {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}
    ready = {"readyReplicas": 1, "availableReplicas": 1, "conditions": [progressing]}
    await call(apiserver, "PATCH", f"{APPS}/zs/status", {"status": ready}, MERGE)
    found = await eventually(
        lambda: (c := condition(apiserver, "zs", "CredentialsAvailable")).get("status") == "True" and c, "mounted"
    )
    assert found["lastTransitionTime"] >= missing["lastTransitionTime"]
    assert "'zs-api-keys' is mounted at /var/run/secrets/zscaler-mcp-api-keys" in found["message"]
    await eventually(lambda: condition(apiserver, "zs", "Ready").get("message") == "1/2 replicas available", "1 of 2")
    assert condition(apiserver, "zs", "Ready")["status"] == "False"
    await call(apiserver, "PATCH", f"{APPS}/zs/status", {"status": {"readyReplicas": 2, "availableReplicas": 2}}, MERGE)
    await eventually(lambda: condition(apiserver, "zs", "Ready").get("status") == "True", "2 of 2: Ready")
    assert condition(apiserver, "zs", "Ready")["reason"] == "Available"
    assert not [request for request in apiserver if request.resource == kmock.resource(SECRETS)]


async def test_the_api_keys_secret_is_mounted_in_api_key_mode(apiserver: ApiServer) -> None:
    await create(apiserver, "zs", auth={"apiKeysSecret": "zs-api-keys"}, allowedHosts=["mcp.example.com"])
    pod = current(apiserver, DEPLOYMENTS, "zs")["spec"]["template"]["spec"]
    args = pod["containers"][0]["args"]
    assert args[args.index("--auth") :][:4] == [
        "--auth",
        "api-key",
        "--api-keys-dir",
        "/var/run/secrets/zscaler-mcp-api-keys",
    ]
    assert args[args.index("--allowed-hosts") + 1].endswith(",localhost,127.0.0.1,mcp.example.com")
    assert {"name": "api-keys", "secret": {"secretName": "zs-api-keys", "defaultMode": 0o440}} in pod["volumes"]
    assert "mode none" not in condition(apiserver, "zs", "ConfigValid")["message"]


async def test_no_auth_runs_auth_none_with_a_warning_and_is_ready_as_usual(apiserver: ApiServer) -> None:
    await create(apiserver, "zs")
    args = current(apiserver, DEPLOYMENTS, "zs")["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--auth") + 1] == "none"
    valid = condition(apiserver, "zs", "ConfigValid")
    assert valid["status"] == "True" and "warning: spec.auth: mode none" in valid["message"]
    await call(apiserver, "PATCH", f"{APPS}/zs/status", {"status": {"availableReplicas": 1}}, MERGE)
    await eventually(lambda: condition(apiserver, "zs", "Ready").get("status") == "True", "Ready with auth none")

    await edit_spec(apiserver, "zs", auth={"mode": "api-key"})  # refused: nothing applied, the pods keep running
    invalid = await eventually(
        lambda: (c := condition(apiserver, "zs", "ConfigValid")).get("status") == "False" and c, "invalid auth"
    )
    assert "spec.auth.apiKeysSecret: required when spec.auth.mode is api-key" in invalid["message"]
    args = current(apiserver, DEPLOYMENTS, "zs")["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--auth") + 1] == "none"


async def test_a_deleted_resource_is_released(apiserver: ApiServer) -> None:
    await create(apiserver, "zs")
    assert current(apiserver, ZSCALERMCPS, "zs")["metadata"]["finalizers"]
    await call(apiserver, "DELETE", f"{BASE}/zs")
    await eventually(lambda: stored(apiserver, ZSCALERMCPS, "zs") is None, "finalizer removed, resource gone")
