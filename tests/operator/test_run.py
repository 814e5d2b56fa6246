"""`zscaler-mcp-operator run` as deployed: a process, a kubeconfig, kopf's liveness endpoint, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml

from tests.operator.apiserver import CONFIGMAPS, DEPLOYMENTS, SERVICES, ApiServer
from tests.operator.kit import BASE, call, condition, eventually, stored, zscalermcp

START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def kubeconfig(path: Path, server: str) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "emulated", "cluster": {"server": server}}],
                "users": [{"name": "operator", "user": {"token": "not-checked"}}],
                "contexts": [{"name": "emulated", "context": {"cluster": "emulated", "user": "operator"}}],
                "current-context": "emulated",
            }
        )
    )
    return path


def alive(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


async def test_the_command_reconciles_with_a_kubeconfig_and_stops_on_sigterm(
    apiserver: ApiServer, tmp_path: Path
) -> None:
    liveness = f"http://127.0.0.1:{free_port()}/healthz"
    env = {
        **os.environ,
        "KUBECONFIG": str(kubeconfig(tmp_path / "kubeconfig", str(apiserver.url))),
        "ZSCALER_MCP_GATEWAY_IMAGE": "registry.example/gateway:7",
        "ZSCALER_MCP_OPERATOR_RESYNC_SECONDS": "0.5",
    }
    env.pop("KUBERNETES_SERVICE_HOST", None)  # not in a pod: the kubeconfig is used
    command = [sys.executable, "-m", "zscaler_mcp_operator.cli", "run", "--standalone", f"--liveness={liveness}"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        await eventually(lambda: alive(liveness) or process.poll() is not None, "liveness endpoint", START_TIMEOUT)
        assert process.poll() is None, process.communicate()[0]
        await call(apiserver, "POST", BASE, zscalermcp("zs"))
        await eventually(lambda: condition(apiserver, "zs", "ConfigValid").get("status") == "True", "reconciled")
        assert stored(apiserver, CONFIGMAPS, "zs-config") and stored(apiserver, SERVICES, "zs")
        deployment = stored(apiserver, DEPLOYMENTS, "zs") or {}
        assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/gateway:7"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = await asyncio.to_thread(process.communicate, timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert process.returncode == 0, output
