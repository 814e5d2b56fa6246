"""End to end on kind: the image, the charts, a real MCP client, Prometheus metrics, the operator.

Skipped, naming what is missing, where kind, helm, kubectl or a running Docker engine are absent: the
`kube` fixture (conftest.py) looks, lazily, so that collecting the suite runs no command.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import urllib.request
from collections.abc import AsyncIterator

import httpx2
import mcp_types
import yaml
from e2ekit import GATEWAY_CHART, OPERATOR_CHART, OPERATOR_IMAGE_VALUES, ROOT, Kube, Release, await_until
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

URL_RULES = "zia_list_url_filtering_rules"
APP_SEGMENTS = "zpa_list_application_segments"


@contextlib.asynccontextmanager
async def _client(port: int, release: Release) -> AsyncIterator[Client]:
    """The real MCP client over the port-forward, presenting the release's API key."""
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {release.api_key}"}) as http:
        transport = streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)
        async with Client(transport, mode="legacy") as client:
            yield client


async def _tool_names(port: int, release: Release) -> set[str]:
    async with _client(port, release) as client:
        return {tool.name for tool in (await client.list_tools(cache_mode="refresh")).tools}


async def _call(port: int, release: Release, tool: str) -> mcp_types.CallToolResult:
    async with _client(port, release) as client:
        return await client.call_tool(tool, {})


def _pods(kube: Kube, release: Release) -> list[tuple[str, int]]:
    """(uid, restart count) of the release's gateway pods."""
    selector = f"app.kubernetes.io/instance={release.name},app.kubernetes.io/name=zscaler-mcp-gateway"
    pods = json.loads(kube.kubectl("get", "pods", "-n", release.namespace, "-l", selector, "-o", "json"))["items"]
    return sorted((p["metadata"]["uid"], p["status"]["containerStatuses"][0]["restartCount"]) for p in pods)


def test_helm_test_passes(kube: Kube, gateway: Release) -> None:
    kube.helm("test", gateway.name, "--namespace", gateway.namespace, "--timeout", "120s")


async def test_mcp_client_calls_a_tool_through_the_service(kube: Kube, gateway: Release) -> None:
    with kube.port_forward(gateway.namespace, f"service/{gateway.service}", 8000, gateway.local_mcp_port) as port:
        names = await _tool_names(port, gateway)
        assert {URL_RULES, APP_SEGMENTS} <= names
        assert not any(name.startswith("zdx_") for name in names)
        result = await _call(port, gateway, URL_RULES)
    assert not result.is_error, result.content


async def test_mcp_endpoint_refuses_a_client_without_a_key(kube: Kube, gateway: Release) -> None:
    with kube.port_forward(gateway.namespace, f"service/{gateway.service}", 8000, gateway.local_mcp_port) as port:
        async with httpx2.AsyncClient() as http:
            response = await http.post(
                f"http://127.0.0.1:{port}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
            )
    assert response.status_code == 401


async def test_metrics_count_the_call(kube: Kube, gateway: Release) -> None:
    with kube.port_forward(gateway.namespace, f"service/{gateway.service}", 8000, gateway.local_mcp_port) as port:
        await _call(port, gateway, URL_RULES)
    with kube.port_forward(gateway.namespace, f"service/{gateway.service}", 9090) as metrics_port:
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as response:
            exposition = response.read().decode()
    calls = [
        line
        for line in exposition.splitlines()
        if line.startswith("zscaler_mcp_tool_calls_total{") and f'tool="{URL_RULES}"' in line
    ]
    assert any('outcome="ok"' in line for line in calls), exposition[:2000]


async def test_policy_only_upgrade_reloads_live_without_restart(kube: Kube, gateway: Release) -> None:
    pods_before = _pods(kube, gateway)
    kube.helm(
        "upgrade", gateway.name, str(GATEWAY_CHART),
        "--namespace", gateway.namespace, "--reuse-values",
        "--set", "toolsets={zia_url_filtering}", "--wait",
    )  # fmt: skip
    with kube.port_forward(gateway.namespace, f"service/{gateway.service}", 8000, gateway.local_mcp_port) as port:

        async def reloaded() -> bool:
            names = await _tool_names(port, gateway)
            return URL_RULES in names and APP_SEGMENTS not in names

        # kubelet refreshes mounted ConfigMaps on its sync period (about a minute by default).
        await await_until(reloaded, 180, "the gateway to serve the upgraded policy")
    assert _pods(kube, gateway) == pods_before


def test_operator_reconciles_a_zscalermcp_to_ready(kube: Kube, image: str, namespace: str) -> None:
    """`image` is requested for its side effect: both images are built and loaded into kind."""
    assert (OPERATOR_CHART / "crds").is_dir(), "the operator chart ships no crds/ folder"
    kube.helm(
        "install", "zscaler-mcp-operator", str(OPERATOR_CHART),
        "--namespace", namespace,
        "--set", OPERATOR_IMAGE_VALUES,
        "--set", f"watchNamespace={namespace}",
        "--wait", "--timeout", "300s",
    )  # fmt: skip
    try:
        resource = yaml.safe_load((ROOT / "manifests" / "example-zscalermcp.yaml").read_text())
        resource["metadata"]["namespace"] = namespace
        resource["spec"]["replicas"] = 1  # no spec.image: the chart hands the operator the gateway image
        # The example's API keys Secret, under a name of this test's own (the gateway fixture has the usual one).
        resource["spec"]["auth"] = {"apiKeysSecret": "zmcp-operator-api-keys"}
        kube.kubectl(
            "create", "secret", "generic", "zmcp-operator-api-keys", "-n", namespace,
            f"--from-literal=e2e={secrets.token_hex(24)}",
        )  # fmt: skip
        kube.kubectl("apply", "-f", "-", stdin=yaml.safe_dump(resource))
        name = f"zscalermcp/{resource['metadata']['name']}"
        kube.kubectl("wait", name, "-n", namespace, "--for=condition=Ready", "--timeout=300s", timeout=330)
        status = json.loads(kube.kubectl("get", name, "-n", namespace, "-o", "json"))["status"]
        assert status["toolCount"] > 0 and status["endpoint"], status
        deployment = json.loads(
            kube.kubectl("get", "deployment", resource["metadata"]["name"], "-n", namespace, "-o", "json")
        )
        assert deployment["status"].get("availableReplicas", 0) >= 1
        kube.kubectl("delete", name, "-n", namespace, "--wait=true", timeout=120)
    finally:
        kube.helm("uninstall", "zscaler-mcp-operator", "--namespace", namespace, "--wait")
