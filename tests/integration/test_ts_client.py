"""The TypeScript MCP SDK (npm `@modelcontextprotocol/sdk`) as a client: a client nobody here wrote.

The SDK is installed into tests/ts/node_modules (gitignored) on first use; without `node`/`npm`, or
when the install fails (no registry), the tests skip and say why.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.kubelet import ProjectedConfigMap
from tests.support.security import new_api_key
from tests.support.servers import RunningGateway
from zscaler_mcp_gateway.security.options import SecurityOptions

TS_DIR = Path(__file__).resolve().parents[1] / "ts"
SDK = TS_DIR / "node_modules" / "@modelcontextprotocol" / "sdk" / "package.json"
GatewayFactory = Callable[..., RunningGateway]
BEFORE = "toolsets: [zpa_segment_groups]\n"
AFTER = "toolsets: [zpa_segment_groups, zia_rule_labels]\n"


@pytest.fixture(scope="session")
def node() -> str:
    binary, npm = shutil.which("node"), shutil.which("npm")
    if binary is None or npm is None:
        pytest.skip("node and npm are not installed: the TypeScript SDK client tests need them")
    if not SDK.exists():
        try:
            installed = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=TS_DIR,
                capture_output=True,
                text=True,
                timeout=300,
            )
        except subprocess.TimeoutExpired:
            pytest.skip("npm install of @modelcontextprotocol/sdk took over 5 minutes")
        if installed.returncode != 0 or not SDK.exists():
            pytest.skip(f"npm install of @modelcontextprotocol/sdk failed: {installed.stderr.strip()[-300:]}")
    return binary


class Probe:
    """tests/ts/probe.mjs running against a gateway; its JSON lines arrive on a queue."""

    def __init__(self, node: str, url: str, api_key: str | None = None) -> None:
        self.process = subprocess.Popen(
            [node, "probe.mjs", url, *([api_key] if api_key else [])],
            cwd=TS_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self.lines.put(json.loads(line))

    def next(self, timeout: float = 20.0) -> dict[str, Any]:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            stderr = self.process.stderr.read() if self.process.poll() is not None and self.process.stderr else ""
            raise AssertionError(f"the TypeScript client said nothing in {timeout} s {stderr[-500:]}") from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def probe(node: str) -> Iterator[Callable[..., Probe]]:
    probes: list[Probe] = []

    def start(url: str, api_key: str | None = None) -> Probe:
        probes.append(Probe(node, url, api_key))
        return probes[-1]

    yield start
    for running in probes:
        running.stop()


@pytest.mark.parametrize("fast_lane", [True, False], ids=["fast-lane", "sdk-path"])
def test_a_ts_session_that_only_initialized_hears_list_changed(
    gateway_with: GatewayFactory, probe: Callable[..., Probe], fast_lane: bool
) -> None:
    gw = gateway_with(BEFORE, fast_lane=fast_lane)
    client = probe(gw.mcp_url)
    connected = client.next()["connected"]
    assert connected["tools"]["listChanged"] is True
    gw.configmap.update({"config.yaml": AFTER})  # type: ignore[attr-defined]
    assert client.next() == {"listChanged": True}


def test_a_stateless_gateway_promises_a_ts_client_no_list_changed(
    gateway_with: GatewayFactory, probe: Callable[..., Probe]
) -> None:
    gw = gateway_with(BEFORE, stateless_http=True)
    connected = probe(gw.mcp_url).next()["connected"]
    assert not connected["tools"].get("listChanged")


def test_a_wrong_key_reads_as_an_authentication_error_in_the_ts_client(
    gateway_with: GatewayFactory, probe: Callable[..., Probe], tmp_path: Path
) -> None:
    keys = ProjectedConfigMap(tmp_path / "keys", {"alice": new_api_key()})
    gw = gateway_with(BEFORE, security=SecurityOptions(api_keys_dir=str(keys.directory)))
    error = probe(gw.mcp_url, "wrong-" + "t" * 30).next()["error"]
    assert "not valid" in error["message"] and "API key" in error["message"], error
