"""Helpers for the kind end-to-end suite: prerequisites, kubectl/helm against one context, port-forwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_CHART = ROOT / "charts" / "zscaler-mcp-gateway"
OPERATOR_CHART = ROOT / "charts" / "zscaler-mcp-operator"
TOOLS = ("kind", "helm", "kubectl", "docker")
CLUSTER = os.environ.get("E2E_KIND_CLUSTER", "zscaler-mcp-e2e")
IMAGE_REPOSITORY = "zscaler-mcp-gateway"  # the Dockerfile's gateway target
OPERATOR_REPOSITORY = "zscaler-mcp-operator"  # its operator target
IMAGE_TAG = "e2e"
IMAGE_VALUES = f"image.repository={IMAGE_REPOSITORY},image.tag={IMAGE_TAG},image.pullPolicy=Never"
OPERATOR_IMAGE_VALUES = (
    f"image.repository={OPERATOR_REPOSITORY},image.tag={IMAGE_TAG},image.pullPolicy=Never,"
    f"gatewayRepository={IMAGE_REPOSITORY}"
)
T = TypeVar("T")


@dataclass(frozen=True)
class Release:
    name: str
    namespace: str
    service: str
    local_mcp_port: int  # the port-forward port, admitted by --allowed-hosts
    api_key: str  # a client key from the release's API keys Secret


def missing_prerequisite() -> str | None:
    """Why the suite cannot run here, or None: every tool on PATH and a Docker engine answering."""
    for tool in TOOLS:
        if shutil.which(tool) is None:
            return f"`{tool}` is not on PATH"
    try:
        subprocess.run(["docker", "info"], capture_output=True, timeout=30, check=True)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return "`docker info` fails: no running Docker engine"
    return None


def run(*command: str, stdin: str | None = None, timeout: float = 300) -> str:
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(probe: Callable[[], T | None], timeout: float, what: str, interval: float = 2.0) -> T:
    """Call `probe` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


async def await_until(probe: Callable[[], Awaitable[bool]], timeout: float, what: str, interval: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not await probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(interval)


@dataclass(frozen=True)
class Kube:
    """kubectl and helm pinned to one kubeconfig context."""

    context: str

    def kubectl(self, *args: str, stdin: str | None = None, timeout: float = 300) -> str:
        return run("kubectl", "--context", self.context, *args, stdin=stdin, timeout=timeout)

    def helm(self, *args: str, timeout: float = 600) -> str:
        return run("helm", "--kube-context", self.context, *args, timeout=timeout)

    @contextlib.contextmanager
    def port_forward(
        self, namespace: str, target: str, remote_port: int, local_port: int | None = None
    ) -> Iterator[int]:
        """`kubectl port-forward` on 127.0.0.1; yields the local port once it accepts connections."""
        port = local_port or free_port()
        process = subprocess.Popen(
            ["kubectl", "--context", self.context, "-n", namespace, "port-forward", target, f"{port}:{remote_port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

        def accepting() -> bool:
            if process.poll() is not None:
                raise AssertionError(
                    f"port-forward to {target} exited: {process.stderr.read() if process.stderr else ''}"
                )
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
            return False

        try:
            wait_until(accepting, 30, f"port-forward to {target}", interval=0.2)
            yield port
        finally:
            process.terminate()
            process.wait(10)
