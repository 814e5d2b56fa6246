"""Faults: corrupt config swaps under load, a failing or hanging upstream, and SIGTERM during calls."""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import string
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from tests.support.kubelet import ProjectedConfigMap
from tests.support.secret_scan import ingest
from tests.support.servers import RunningGateway, run_gateway
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import ConfigError, parse_policy_text
from zscaler_mcp_gateway.simulator import RunningSimulator, free_port
from zscaler_mcp_gateway.upstream.executor import ToolExecutor

GatewayFactory = Callable[..., RunningGateway]
GOOD = "toolsets: [zpa_segment_groups, zia_rule_labels]\n"
SEGMENT_GROUPS = "segmentGroup"  # the simulator path the fault injections match
UPSTREAM_TIMEOUT = 1.0
HUNG_CALLS = 4


def corrupt_configs(count: int, seed: int = 20261124) -> list[str]:
    """`count` distinct config files the gateway must reject: syntax, types, unknown keys and ids, junk."""
    rng = random.Random(seed)
    makers: list[Callable[[int], str]] = [
        lambda i: GOOD[: rng.randrange(1, len(GOOD))] + rng.choice(["[", "{", ": :", "\t- ]", "'"]),
        lambda i: "".join(rng.choice(string.printable) for _ in range(rng.randrange(1, 120))),
        lambda i: GOOD + f"unknownKey{i}: true\n",
        lambda i: f"toolsets: [no_such_toolset_{i}]\n",
        lambda i: f"write: {{enabled: maybe{i}, allowlist: 7}}\n",
        lambda i: f"services: [zia, not_a_service_{i}]\n",
        lambda i: f"- a list {i}\n- not a mapping\n",
        lambda i: f"disabledTools: {i}\n",
    ]
    catalog, found = load_catalog(), []
    while len(found) < count:
        text = rng.choice(makers)(len(found))
        try:
            parse_policy_text(text, catalog)
        except ConfigError:
            found.append(text)
    return found


async def test_corrupt_config_swaps_under_load_never_fail_an_allowed_call(gateway_with: GatewayFactory) -> None:
    gw = gateway_with(GOOD, reload_interval_seconds=0.01)
    configmap: ProjectedConfigMap = gw.configmap  # type: ignore[attr-defined]
    store = gw.gateway.store
    good_generation, good_tools = store.current.number, set(store.current.tools)
    stop, failures, calls = asyncio.Event(), [], [0]

    async def caller(mode: str) -> None:
        async with Client(gw.mcp_url, mode=mode) as client:
            while not stop.is_set():
                result = await client.call_tool("zpa_list_segment_groups", {})
                calls[0] += 1
                if result.is_error:
                    failures.append(result.content[0].text)  # type: ignore[union-attr]

    clients = [asyncio.create_task(caller("legacy" if n % 2 else "2026-07-28")) for n in range(8)]
    try:
        await asyncio.sleep(0.2)
        for text in corrupt_configs(200):
            seen = store.reload_status.failures
            configmap.update({"config.yaml": text})
            deadline = time.monotonic() + 3
            while store.reload_status.failures == seen:
                assert time.monotonic() < deadline, f"swap not noticed: {text!r}"
                await asyncio.sleep(0.005)
            assert (store.current.number, set(store.current.tools)) == (good_generation, good_tools)  # last good kept
    finally:
        stop.set()
        await asyncio.gather(*clients)
    assert failures == [] and calls[0] > 200
    ready = httpx.get(gw.url + "/readyz", timeout=5).json()
    assert ready["ready"] and ready["config"]["generation"] == good_generation
    assert ready["config"]["reloadFailures"] == 200 and ready["config"]["lastReloadError"]
    configmap.update({"config.yaml": "toolsets: [zpa_segment_groups]\n"})  # the watcher is still alive
    deadline = time.monotonic() + 3
    while store.current.number == good_generation:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)


# --- upstream faults ---------------------------------------------------------------------------


def fault(sim: RunningSimulator, **spec: Any) -> None:
    httpx.post(f"{sim.url}/_sim/faults", json={"match": SEGMENT_GROUPS, **spec}, timeout=5).raise_for_status()


def upstream_requests(sim: RunningSimulator) -> int:
    counts = httpx.get(f"{sim.url}/_sim/requests", timeout=5).json()
    return sum(n for key, n in counts.items() if SEGMENT_GROUPS in key)


def open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:  # closed meanwhile (or the listing's own descriptor)
            continue
    return count


def threads_in_upstream() -> int:
    """Threads whose stack is inside an upstream call right now (a hung socket read would show here)."""
    count = 0
    for frame in sys._current_frames().values():
        while frame is not None:
            if frame.f_code is ToolExecutor.execute.__code__:
                count += 1
                break
            frame = frame.f_back  # type: ignore[assignment]
    return count


async def timed_call(client: Client, tool: str = "zpa_list_segment_groups") -> tuple[Any, float]:
    started = time.monotonic()
    result = await client.call_tool(tool, {})
    return result, time.monotonic() - started


@pytest.fixture
def faulty_gateway(
    fresh_simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap]
) -> Iterator[RunningGateway]:
    cm = configmap(GOOD)
    with run_gateway(fresh_simulator.url, str(cm.config_path), upstream_timeout_seconds=UPSTREAM_TIMEOUT) as gw:
        yield gw


async def test_failing_upstream_gives_prompt_error_results_and_bounded_retries(
    faulty_gateway: RunningGateway, fresh_simulator: RunningSimulator
) -> None:
    sim = fresh_simulator
    async with Client(faulty_gateway.mcp_url, mode="2026-07-28") as client:
        assert not (await timed_call(client))[0].is_error  # warm: token fetched, connection pooled

        fault(sim, status=500, times=10)
        before = upstream_requests(sim)
        result, took = await timed_call(client)
        assert result.is_error and "500" in result.content[0].text and took < 3
        assert upstream_requests(sim) - before == 3  # RetryPolicy.attempts: bounded, never the SDK's extra rounds
        httpx.delete(f"{sim.url}/_sim/faults", timeout=5)

        fault(sim, status=429, retryAfter=1, times=1)
        result, took = await timed_call(client)
        assert not result.is_error and 1.0 <= took < 3  # waited as told, then succeeded

        fault(sim, status=503, times=2)
        result, took = await timed_call(client)
        assert not result.is_error and took < 3  # backoff, third attempt answers

        fault(sim, status=429, retryAfter=120, times=1)
        result, took = await timed_call(client)
        assert result.is_error and "429" in result.content[0].text and took < 2  # reported, not slept through

        # Zscaler said 120 s: until then the service's calls are refused at once, and nothing is sent.
        before = upstream_requests(sim)
        result, took = await timed_call(client)
        text = result.content[0].text
        assert result.is_error and "rate limited by Zscaler" in text and "retry after 1" in text and took < 2
        assert upstream_requests(sim) == before
        assert not (await timed_call(client, "zia_list_rule_labels"))[0].is_error  # other services unaffected


async def test_hanging_upstream_times_out_without_blocking_health_other_calls_or_leaking(
    faulty_gateway: RunningGateway, fresh_simulator: RunningSimulator
) -> None:
    sim, gw = fresh_simulator, faulty_gateway
    async with Client(gw.mcp_url, mode="2026-07-28") as client:
        for tool in ("zpa_list_segment_groups", "zia_list_rule_labels"):
            assert not (await timed_call(client, tool))[0].is_error
        threads_before, sockets_before = threading.active_count(), open_sockets()
        threads_in_round = []
        for _ in range(2):  # twice: a leak would grow with every round
            fault(sim, status=0, delaySeconds=2.5, times=HUNG_CALLS)  # hang, then answer too late
            hung = [asyncio.create_task(timed_call(client)) for _ in range(HUNG_CALLS)]
            await asyncio.sleep(0.2)
            started = time.monotonic()
            async with httpx.AsyncClient() as http:
                assert (await http.get(gw.url + "/healthz", timeout=2)).status_code == 200
                assert (await http.get(gw.url + "/readyz", timeout=2)).status_code == 200
            assert time.monotonic() - started < 0.5
            other, took = await timed_call(client, "zia_list_rule_labels")
            assert not other.is_error and took < 0.5  # another API is not held up
            threads_in_round.append(threading.active_count())
            for result, took in await asyncio.gather(*hung):
                assert result.is_error and took < UPSTREAM_TIMEOUT + 1.5
    assert threads_in_round[1] <= threads_in_round[0]  # the second round reused the first round's workers
    # Once the simulator has sent its late answers: no thread is left in an upstream call, and what remains
    # is reuse, not leak. anyio keeps idle worker threads for 10 s (at most one per call a round ran at
    # once: the hung ones and the other call); the SDK pool may keep connections open (two sockets each
    # in this process, both ends), at most one per concurrent call.
    tolerance = HUNG_CALLS + 1
    deadline = time.monotonic() + 6
    while True:
        settled = (
            threads_in_upstream() == 0
            and threading.active_count() <= threads_before + tolerance
            and open_sockets() <= sockets_before + 2 * tolerance
        )
        if settled or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert threads_in_upstream() == 0
    assert threading.active_count() <= threads_before + tolerance, (threading.active_count(), threads_before)
    assert open_sockets() <= sockets_before + 2 * tolerance, (open_sockets(), sockets_before)


# --- SIGTERM ---------------------------------------------------------------------------------


def test_sigterm_during_calls_finishes_and_audits_every_started_call(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(GOOD + "upstream: {coalesceReads: false}\n")  # six requests in flight, not one shared
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSCALER_")}
    command = [
        sys.executable,
        "-m",
        "zscaler_mcp_gateway.cli",
        "serve",
        "--simulator",
        "--config",
        str(config),
        "--port",
        str(port),
        "--metrics-port",
        "0",
        "--credentials-dir",
        str(tmp_path / "none"),
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        sim_url = _wait_ready(server, base)
        httpx.post(
            f"{sim_url}/_sim/faults",
            json={"match": SEGMENT_GROUPS, "status": 0, "delaySeconds": 2.0, "times": 6},
            timeout=5,
        )
        results = asyncio.run(_calls_with_sigterm(server, base, sim_url, calls=6))
        stdout, stderr = server.communicate(timeout=15)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    ingest(stdout + stderr, "subprocess gateway output")
    assert server.returncode in (0, -signal.SIGTERM), stderr[-2000:]  # uvicorn re-raises the signal once drained
    assert [r.is_error for r in results] == [False] * 6  # every started call completed
    audited = [line for line in stdout.splitlines() if '"tool":"zpa_list_segment_groups"' in line]
    assert len(audited) == 6 and all('"outcome":"ok"' in line for line in audited)


def _wait_ready(server: subprocess.Popen[str], base: str) -> str:
    deadline = time.monotonic() + 20
    while True:
        assert server.poll() is None and time.monotonic() < deadline, "gateway did not start"
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    assert server.stderr is not None
    for line in server.stderr:  # the startup lines were written before /healthz answered
        match = re.search(r"embedded Zscaler simulator on (http://\S+)", line)
        if match:
            return match.group(1)
    raise AssertionError("no simulator URL in the gateway's log")


async def _calls_with_sigterm(server: subprocess.Popen[str], base: str, sim_url: str, calls: int) -> list[Any]:
    async def one() -> Any:
        async with Client(base + "/mcp", mode="2026-07-28") as client:
            await client.list_tools()  # the client checks results against the listing: fetch it before shutdown
            return await client.call_tool("zpa_list_segment_groups", {})

    tasks = [asyncio.create_task(one()) for _ in range(calls)]
    async with httpx.AsyncClient() as http:
        deadline = time.monotonic() + 10
        while (
            sum(
                n
                for k, n in (await http.get(f"{sim_url}/_sim/requests", timeout=5)).json().items()
                if SEGMENT_GROUPS in k
            )
            < calls
        ):
            assert time.monotonic() < deadline, "calls did not reach the upstream"
            await asyncio.sleep(0.05)
        server.send_signal(signal.SIGTERM)  # every call is in flight, held by the slow upstream
        await asyncio.sleep(0.3)
        with pytest.raises(httpx.TransportError):  # no new connections once shutdown began
            await http.get(base + "/healthz", timeout=1)
    return list(await asyncio.gather(*tasks))
