"""Debian's `prometheus` and `promtool`, found on PATH; tests that need them skip, saying why, without them."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from zscaler_mcp_gateway.simulator import free_port

INSTALL_HINT = "apt-get install prometheus (Debian's package provides prometheus and promtool)"
# The target labels the Prometheus Operator gives every series scraped through a ServiceMonitor endpoint
# (job and instance too); a test scrape adds them with relabel_configs.
OPERATOR_TARGET_LABELS: Mapping[str, str] = {
    "namespace": "zscaler-mcp",
    "service": "zscaler-mcp-gateway",
    "pod": "zscaler-mcp-gateway-6d4b9-x2x7q",
    "container": "gateway",
    "endpoint": "metrics",
    "job": "zscaler-mcp-gateway",
}


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed: {INSTALL_HINT}")
    return path


def promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool("promtool"), *args], capture_output=True, text=True, timeout=60, cwd=cwd)


@dataclass
class RunningPrometheus:
    url: str

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The instant vector `expr` evaluates to now; a PromQL error fails the test with Prometheus's message."""
        response = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        body = response.json()
        assert body.get("status") == "success", f"{expr!r}: {body.get('error')}"
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def series(self, match: str) -> list[dict[str, str]]:
        response = httpx.get(f"{self.url}/api/v1/series", params={"match[]": match}, timeout=10)
        response.raise_for_status()
        series: list[dict[str, str]] = response.json()["data"]
        return series

    def alerts(self) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/api/v1/alerts", timeout=10)
        response.raise_for_status()
        alerts: list[dict[str, Any]] = response.json()["data"]["alerts"]
        return alerts

    def wait_for(self, expr: str, predicate: Any, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Poll `expr` until `predicate(result)` holds; bounded by `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(expr)
            if predicate(result):
                return result
            assert time.monotonic() < deadline, f"{expr!r} never satisfied the condition; last result {result}"
            time.sleep(0.25)


def scrape_config(target: str, rule_file: Path) -> dict[str, Any]:
    """Scrape `target` every second as a ServiceMonitor would: with the operator's target labels."""
    relabel = [{"target_label": name, "replacement": value} for name, value in OPERATOR_TARGET_LABELS.items()]
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rule_file)],
        "scrape_configs": [
            {"job_name": "gateway", "static_configs": [{"targets": [target]}], "relabel_configs": relabel}
        ],
    }


@contextlib.contextmanager
def run_prometheus(target: str, rule_file: Path, workdir: Path) -> Iterator[RunningPrometheus]:
    """A real Prometheus on a free loopback port, stopped (and waited for) on exit."""
    binary = tool("prometheus")
    config = workdir / "prometheus.yml"
    config.write_text(yaml.safe_dump(scrape_config(target, rule_file)))
    port = free_port()
    log = (workdir / "prometheus.log").open("w")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    running = RunningPrometheus(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (workdir / "prometheus.log").read_text()[-2000:]
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{running.url}/-/ready", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "prometheus did not become ready"
            time.sleep(0.1)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()
