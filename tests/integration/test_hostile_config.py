"""Hostile or unlucky policy files: the reloader never dies, never fails open, never freezes the loop,
never shows file content on the public /readyz; the same files at start-up are a one-line config error."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from tests.support.kubelet import ProjectedConfigMap
from tests.support.secret_scan import ingest
from tests.support.servers import TEST_CREDENTIALS, RunningGateway
from zscaler_mcp_gateway import config as policy_config
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import parse_policy_text
from zscaler_mcp_gateway.generation import GenerationStore
from zscaler_mcp_gateway.reload import ConfigReloader
from zscaler_mcp_gateway.simulator import free_port

GatewayFactory = Callable[..., RunningGateway]
GOOD = "toolsets: [zpa_segment_groups, zia_rule_labels]\n"
NARROWER = "toolsets: [zpa_segment_groups]\n"
LATIN1_COMMENT = "# caf\xe9 policy\n".encode("latin-1") + GOOD.encode()
DEEP = "toolsets: " + "[" * 50_000 + "\n"
WAIT = 10.0


async def _until(predicate: Callable[[], Any], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.02)


async def test_a_non_utf8_or_deeply_nested_file_is_a_failed_reload_and_the_next_valid_file_applies(
    gateway_with: GatewayFactory,
) -> None:
    gw = gateway_with(GOOD)
    configmap: ProjectedConfigMap = gw.configmap  # type: ignore[attr-defined]
    store = gw.gateway.store
    first = store.current.number
    async with httpx.AsyncClient() as http:
        for count, (content, reason) in enumerate(
            [(LATIN1_COMMENT, "not UTF-8 text (invalid byte at line 1, column 6)"), (DEEP, "nested deeper than")], 1
        ):
            configmap.update({"config.yaml": content})
            await _until(lambda n=count: store.reload_status.failures == n, f"failed reload {count} recorded")
            ready = (await http.get(gw.url + "/readyz")).json()
            assert ready["ready"] is True and ready["config"]["generation"] == first
            assert ready["config"]["reloadFailures"] == count
            assert any(reason in error for error in ready["config"]["lastReloadError"])
    configmap.update({"config.yaml": NARROWER})  # the watcher is alive: a later valid change applies
    await _until(lambda: store.current.number == first + 1, "the valid file applied")
    assert store.reload_status.last_error is None
    async with Client(gw.mcp_url, mode="2026-07-28") as client:
        refused = await client.call_tool("zia_list_rule_labels", {})
    assert refused.is_error and "not allowed by the current policy" in refused.content[0].text  # type: ignore[union-attr]


async def test_readyz_and_the_log_name_keys_but_never_echo_the_content_of_a_foreign_file(
    gateway_with: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    gw = gateway_with(GOOD)
    configmap: ProjectedConfigMap = gw.configmap  # type: ignore[attr-defined]
    foreign = "apiVersion: v1\ntoolsets: ['secret value 0xdeadbeef']\n"
    foreign += "".join(f"line {n} of the deploy notes, root password hunter{n}: x\n" for n in range(200))
    with caplog.at_level(logging.ERROR, logger="zscaler_mcp_gateway"):
        configmap.update({"config.yaml": foreign})
        await _until(lambda: gw.gateway.store.reload_status.failures == 1, "the foreign file rejected")
    async with httpx.AsyncClient() as http:
        body = (await http.get(gw.url + "/readyz")).text
    errors = json.loads(body)["config"]["lastReloadError"]
    assert len(errors) <= policy_config.MAX_ERRORS and errors[-1].startswith("... and ")
    assert "apiVersion: unknown key" in errors
    for shown in (body, caplog.text):
        assert "hunter" not in shown and "deploy notes" not in shown and "deadbeef" not in shown


async def test_health_and_calls_answer_while_a_reload_is_being_built(gateway_with: GatewayFactory) -> None:
    """The reload runs off the event loop: held mid-reload, it leaves /healthz and calls answering."""
    gw = gateway_with(GOOD)
    configmap: ProjectedConfigMap = gw.configmap  # type: ignore[attr-defined]
    reloader = gw.gateway.reloader
    assert reloader is not None
    reloading, release = threading.Event(), threading.Event()

    def hold(result: str) -> None:  # runs where the reload runs
        reloading.set()
        release.wait(WAIT)

    reloader.subscribe(hold)
    patterns = "".join(f"  - zia_x_{n:05d}*\n" for n in range(10_000))  # 170 KB, inside the ConfigMap limit
    configmap.update({"config.yaml": GOOD + "disabledTools:\n" + patterns})
    try:
        await _until(reloading.is_set, "the reload started")
        async with httpx.AsyncClient() as http:
            health = await http.get(gw.url + "/healthz", timeout=WAIT / 2)
        async with Client(gw.mcp_url, mode="2026-07-28") as client:
            call = await client.call_tool("zpa_list_segment_groups", {})
        assert health.status_code == 200 and not call.is_error
    finally:
        release.set()
    errors = gw.gateway.store.reload_status.last_error
    assert errors is not None and errors[0].startswith("disabledTools: ")  # more patterns than the schema allows


def test_an_in_place_rewrite_is_loaded_whole_never_half_written(tmp_path: Path) -> None:
    """An editor truncates, then writes: the half-written file (wider) is never served."""
    catalog = load_catalog()
    path = tmp_path / "config.yaml"
    full = "services: [zpa]\ndisabledTools: [zpa_get_*]\n"
    path.write_text(full)
    store = GenerationStore(catalog, parse_policy_text(full, catalog), str(path))
    reloader = ConfigReloader(path, store, catalog)
    served = set(store.current.tools)
    steps = [b"", b"services: [zpa]\n", full.encode() + b"# edited\n"]  # truncate, write, finish
    results = []
    for content in steps:
        path.write_bytes(content)
        os.utime(path, ns=(time.time_ns(), time.time_ns() + len(results)))  # a distinct mtime per write
        results.append(asyncio.run(reloader.tick()))
        assert set(store.current.tools) <= served
    assert results == [None, None, None]  # each state was seen moving: none loaded yet
    assert asyncio.run(reloader.tick()) is True  # settled: the whole file
    assert set(store.current.tools) == served and store.reload_status.failures == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (LATIN1_COMMENT, "not UTF-8 text (invalid byte at line 1, column 6)"),
        (DEEP.encode(), "nested deeper than 16 levels"),
        (b"# nothing but a comment\n", "the policy is empty"),
        (b"# " + b"x" * (1024 * 1024) + b"\n", "larger than 1048576 bytes"),
    ],
    ids=["latin-1", "nested", "comment-only", "over-1MiB"],
)
def test_serve_and_check_config_refuse_a_hostile_file_with_one_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_bytes(content)
    env = {**os.environ, **TEST_CREDENTIALS}
    cli = [sys.executable, "-m", "zscaler_mcp_gateway.cli"]
    serve = subprocess.run(
        [*cli, "serve", "--config", str(config), "--port", "0"], capture_output=True, text=True, timeout=60, env=env
    )
    check = subprocess.run([*cli, "check-config", str(config)], capture_output=True, text=True, timeout=60, env=env)
    assert serve.returncode == 1 and check.returncode == 1
    [line] = serve.stderr.strip().splitlines()
    assert line.startswith(f"config error: {config}: ") and message in line
    assert len(check.stdout.strip().splitlines()) == 1 and message in check.stdout
    assert "Traceback" not in serve.stderr + check.stderr


def test_after_a_failed_reload_sighup_and_later_files_still_apply_and_sigterm_stops(tmp_path: Path) -> None:
    configmap = ProjectedConfigMap(tmp_path / "config", {"config.yaml": GOOD})
    port = free_port()
    log = tmp_path / "gateway.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSCALER_")}
    command = [sys.executable, "-m", "zscaler_mcp_gateway.cli", "serve", "--simulator", "--config"]
    command += [str(configmap.config_path), "--port", str(port), "--metrics-port", "0"]
    command += ["--credentials-dir", str(tmp_path / "none")]
    with log.open("w") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    readyz = f"http://127.0.0.1:{port}/readyz"

    def config_state(predicate: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        deadline = time.monotonic() + 20
        while True:
            assert server.poll() is None, f"gateway exited: {log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"{what}: {log.read_text()[-2000:]}"
            try:
                state: dict[str, Any] = httpx.get(readyz, timeout=2).json()["config"]
                if predicate(state):
                    return state
            except httpx.TransportError:
                pass
            time.sleep(0.05)

    try:
        start = config_state(lambda s: True, "ready")
        configmap.update({"config.yaml": LATIN1_COMMENT})
        config_state(lambda s: s["reloadFailures"] == 1, "the non-UTF-8 file is a failed reload")
        server.send_signal(signal.SIGHUP)
        config_state(lambda s: s["reloadFailures"] == 2, "SIGHUP reloads (and rejects) it again")
        configmap.update({"config.yaml": NARROWER})
        state = config_state(lambda s: s["generation"] == start["generation"] + 1, "the valid file applies")
        assert state["toolsServed"] < start["toolsServed"] and state["lastReloadError"] is None
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        ingest(log.read_text(), "subprocess gateway output")
