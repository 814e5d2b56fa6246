"""Benchmark: the gateway against the official `zscaler-mcp` 0.15.4 on the same simulator.

    python bench/run.py                 # full run (installs the official server once, ~3-5 min)
    python bench/run.py --quick         # a few seconds of each measurement, for a smoke check
    python bench/run.py --gateway-only  # no official server
    python bench/run.py --protocol 2026-07-28 --calls-only  # sessionless era; sequential + throughput only

Both servers run from virtualenvs of their own (official_env.py, gateway_env.py), listen on 127.0.0.1
and reach the same simulator subprocess; the same raw JSON-RPC
client (bench/mcpclient.py) drives both, and load clients are separate processes. Prints a
side-by-side table with ratios (gateway / official) and one verdict line per target of issues 8 and 17;
the raw figures go to bench/results/<timestamp>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as h  # noqa: E402
from mcpclient import PROTOCOL_VERSIONS  # noqa: E402
from memory_floor import FLOOR_ALLOWANCE_MIB, floor_mib  # noqa: E402
from stack_floor_server import HEALTH_PATH as FLOOR_HEALTH_PATH  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"


@dataclass
class Plan:
    startup_runs: int = 5
    list_sessions: int = 30
    warm_lists: int = 50
    sequential_calls: int = 200
    load: tuple[tuple[int, int], ...] = ((1, 200), (8, 50), (32, 25))
    repeats: int = 3
    reload_swaps: int = 6
    # upstream protection (issue 17): every API request the simulator answers waits this long (a WAN round trip)
    upstream_latency_s: float = 0.2
    burst_clients: int = 32
    rate_clients: int = 32
    rate_limit: int = 10  # the simulator's requests/s in the rate-limit row
    rate_seconds: float = 20.0
    fair_clients: int = 24  # principal A's
    fair_calls: int = 40  # principal B's sequential calls, alone and under A's load
    # memory (issue 17): abandoned sessions, their reaping, dropped GET streams, RSS over calls
    memory_sessions: int = 2000  # each wave
    memory_idle_timeout: int = 30  # the gateway's --session-idle-timeout there: longer than a wave takes
    memory_streams: int = 500
    memory_listed_sessions: int = 200  # sessions that also list every tool, as agents do
    memory_warm_calls: int = 3000  # RSS settles within a few thousand calls (caches, allocator arenas)
    memory_calls: int = 4000

    @classmethod
    def quick(cls) -> Plan:
        return cls(
            startup_runs=1,
            list_sessions=2,
            warm_lists=2,
            sequential_calls=5,
            load=((1, 3), (2, 3)),
            repeats=1,
            reload_swaps=2,
            burst_clients=4,
            rate_clients=4,
            rate_seconds=2.0,
            fair_clients=3,
            fair_calls=3,
            memory_sessions=20,
            memory_idle_timeout=3,
            memory_streams=6,
            memory_listed_sessions=4,
            memory_warm_calls=8,
            memory_calls=40,
        )


def config_text(toolsets: list[str]) -> str:
    """The gateway's equivalent of the official flags: read-only, no entitlement filter (`--no-entitlement-filter`)."""
    return "toolsets: [" + ", ".join(toolsets) + "]\nwrite:\n  enabled: false\nentitlementFilter: false\n"


UPSTREAM_AUTO = "upstream:\n  rateLimit: auto\n"
# fairness alone: no shared answers, no limiter in the way, the gateway's default per-principal slots
UPSTREAM_FAIRNESS = "upstream:\n  rateLimit: 10000\n  coalesceReads: false\n"

SpecFactory = Callable[[str], h.ServerSpec]  # variant ("all" | "one" | "protect" | "fair" | "memory") -> spec
MEMORY_CLIENTS = 4  # processes that open the sessions and make the calls of the memory rows


def bench_servers(
    factories: dict[str, SpecFactory],
    plan: Plan,
    logdir: Path,
    progress: Callable[[str], None],
    protocol: str = h.PROTOCOL_VERSION,
    calls_only: bool = False,
    floor: Callable[[], h.ServerSpec] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every measurement alternates between the servers (A, B, A, B ...), so that background load on a
    shared machine falls on both alike; each server runs alone while it is measured. Every client
    speaks `protocol`; `calls_only` keeps the sequential and throughput parts (and the first call)."""
    out: dict[str, dict[str, Any]] = {
        name: {"ready_s": [], "idle_peak_kib": [], "sequential_ms": [], "load": {}} for name in factories
    }
    logs = {name: logdir / f"{name}.log" for name in factories}

    if not calls_only:
        bench_startup(factories, plan, logs, out, progress, protocol, floor)

    with contextlib.ExitStack() as stack:
        servers = {name: stack.enter_context(h.running(make("all"), logs[name]))[0] for name, make in factories.items()}
        progress("all toolsets: listing, first call, sequential calls")
        for name, server in servers.items():
            url, token = server.spec.mcp_url, server.spec.token
            out[name]["auth_enforced"] = h.auth_enforced(url)
            out[name]["first_call_ms"], out[name]["call_bytes"] = h.first_call_ms(url, token, protocol=protocol)
            if not calls_only:
                out[name]["list_all"] = asdict(
                    h.measure_listing(url, token, plan.list_sessions, plan.warm_lists, protocol=protocol)
                )
        for _ in range(plan.repeats):
            for name, server in servers.items():
                out[name]["sequential_ms"] += h.measure_sequential(
                    server.spec.mcp_url, server.spec.token, plan.sequential_calls, protocol=protocol
                )
        for clients, calls in plan.load:
            for _ in range(plan.repeats):
                for name, server in servers.items():
                    cpu_before = h.cpu_seconds(server.pid)
                    stats = h.measure_load(server.spec.mcp_url, server.spec.token, clients, calls, protocol=protocol)
                    cpu_ms = (h.cpu_seconds(server.pid) - cpu_before) * 1000 / stats.calls
                    out[name]["load"].setdefault(str(clients), []).append(
                        {**asdict(stats), "throughput": stats.throughput, "server_cpu_ms_per_call": cpu_ms}
                    )
                    progress(f"{name}: {clients} clients x {calls}: {stats.throughput:.1f} calls/s")
        for name, server in servers.items():
            out[name]["load_peak_kib"] = server.peak_rss_kib()

    if not calls_only:
        bench_one_toolset(factories, plan, logs, out, progress, protocol)
    return out


def bench_startup(
    factories: dict[str, SpecFactory],
    plan: Plan,
    logs: dict[str, Path],
    out: dict[str, dict[str, Any]],
    progress: Callable[[str], None],
    protocol: str,
    floor: Callable[[], h.ServerSpec] | None = None,
) -> None:
    """Spawn -> health 200, then one handshake and list on that fresh server (its peak RSS), alternating; in
    each round also `floor` (the stack floor server) from spawn to health 200, as `out["stack_floor"]`."""
    progress(f"start-up x{plan.startup_runs} each (alternating{', with the stack floor' if floor else ''})")
    for _ in range(plan.startup_runs):
        for name, make_spec in factories.items():
            with h.running(make_spec("all"), logs[name]) as (server, seconds):
                out[name].setdefault("ready_s", []).append(seconds)
                with h.McpClient(server.spec.mcp_url, server.spec.token, protocol=protocol) as client:
                    client.initialize()
                    client.list_tools()
                out[name].setdefault("idle_peak_kib", []).append(server.peak_rss_kib())
        if floor is not None:
            spec = floor()
            with h.running(spec, logs["gateway"].with_name("stack-floor.log")) as (_, seconds):
                out.setdefault("stack_floor", {}).setdefault("ready_s", []).append(seconds)


def stack_floor_spec(python: Path) -> h.ServerSpec:
    """stack_floor_server.py on a free port, run by `python` (the gateway's: the same packages)."""
    port = h.free_port()
    argv = [str(python), str(BENCH_DIR / "stack_floor_server.py"), str(port)]
    return h.ServerSpec("stack floor", argv, h.installed_environment(), port, FLOOR_HEALTH_PATH)


def bench_one_toolset(
    factories: dict[str, SpecFactory],
    plan: Plan,
    logs: dict[str, Path],
    out: dict[str, dict[str, Any]],
    progress: Callable[[str], None],
    protocol: str,
) -> None:
    """Fresh-session handshake + list with one toolset, on a fresh server (as a client meets a new pod):
    `plan.repeats` alternating rounds of `plan.list_sessions` sessions, each server alone while measured."""
    progress(f"one toolset ({h.ONE_TOOLSET}): {plan.repeats} x {plan.list_sessions} sessions each (alternating)")
    for _ in range(plan.repeats):
        for name, make_spec in factories.items():
            with h.running(make_spec("one"), logs[name]) as (server, seconds):
                stats = h.measure_listing(
                    server.spec.mcp_url, server.spec.token, plan.list_sessions, plan.warm_lists, protocol=protocol
                )
                one = out[name].setdefault("list_one", {**asdict(stats), "init_list_ms": [], "warm_list_ms": []})
                one["init_list_ms"] += stats.init_list_ms
                one["warm_list_ms"] += stats.warm_list_ms
                out[name]["one_ready_s"] = seconds
                out[name]["one_peak_kib"] = max(out[name].get("one_peak_kib", 0), server.peak_rss_kib() or 0)


def bench_startup_only(
    factories: dict[str, SpecFactory],
    plan: Plan,
    logdir: Path,
    progress: Callable[[str], None],
    protocol: str,
    floor: Callable[[], h.ServerSpec] | None = None,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {name: {} for name in factories}
    logs = {name: logdir / f"{name}.log" for name in factories}
    bench_startup(factories, plan, logs, out, progress, protocol, floor)
    bench_one_toolset(factories, plan, logs, out, progress, protocol)
    return out


def bench_reload(
    setup: h.GatewaySetup,
    simulator_url: str,
    plan: Plan,
    logdir: Path,
    progress: Callable[[str], None],
    protocol: str = h.PROTOCOL_VERSION,
) -> list[float]:
    progress("gateway: reload (kubelet ..data swap)")
    documents = [config_text([h.ONE_TOOLSET]), config_text([h.ONE_TOOLSET, h.RELOAD_TOOLSET])]
    config = h.ProjectedConfig(setup.workdir / "reload-config", documents[0])
    with h.running(setup.spec(simulator_url, config.path), logdir / "gateway-reload.log") as (server, _):
        return h.measure_reload(
            server.spec.mcp_url, server.spec.token, config, documents, plan.reload_swaps, protocol=protocol
        )


def bench_stateless(
    setup: h.GatewaySetup,
    simulator_url: str,
    config: Path,
    plan: Plan,
    logdir: Path,
    progress: Callable[[str], None],
    protocol: str = h.PROTOCOL_VERSION,
) -> dict[str, list[float]]:
    """Issue 17's stateless row: the same gateway with and without `--stateless`, both running, sequential
    calls alternating between them; each run's call rate (calls / seconds spent in them)."""
    stateful = setup.spec(simulator_url, config)
    other = setup.spec(simulator_url, config)  # its own port
    stateless = replace(other, argv=[*other.argv, "--stateless"])
    out: dict[str, list[float]] = {"stateful": [], "stateless": []}
    progress(f"gateway stateful / --stateless: {plan.repeats} x {plan.sequential_calls} sequential calls each")
    with contextlib.ExitStack() as stack:
        servers = {
            "stateful": stack.enter_context(h.running(stateful, logdir / "gateway-stateful.log"))[0],
            "stateless": stack.enter_context(h.running(stateless, logdir / "gateway-stateless.log"))[0],
        }
        for repeat in range(plan.repeats):
            order = list(servers.items())
            for name, server in order if repeat % 2 == 0 else reversed(order):  # neither always goes first
                latencies = h.measure_sequential(
                    server.spec.mcp_url, server.spec.token, plan.sequential_calls, protocol=protocol
                )
                out[name].append(len(latencies) / (sum(latencies) / 1000))
    return out


def bench_protection(
    factories: dict[str, SpecFactory],
    simulator_url: str,
    plan: Plan,
    logdir: Path,
    progress: Callable[[str], None],
    protocol: str = h.PROTOCOL_VERSION,
) -> dict[str, dict[str, Any]]:
    """Issue 17's rows: one burst of identical lists (upstream requests counted at the simulator), a load
    against a rate-limited simulator (its 429s and what clients saw), and principal B beside a greedy A."""
    out: dict[str, dict[str, Any]] = {name: {} for name in factories}
    h.simulate_latency(simulator_url, plan.upstream_latency_s)
    try:
        for name, make_spec in factories.items():
            with h.running(make_spec("protect"), logdir / f"{name}-protect.log") as (server, _):
                url, token = server.spec.mcp_url, server.spec.token
                progress(f"{name}: {plan.burst_clients} identical lists at once")
                h.first_call_ms(url, token, protocol=protocol)  # the cold path (SDK import, token) out of the count
                before = h.upstream_requests(simulator_url)
                burst, _ = h.run_clients(url, token, [{}] * plan.burst_clients, 1, 60.0, protocol=protocol)
                out[name]["burst"] = {**asdict(burst), "upstream_requests": h.upstream_requests(simulator_url) - before}
            # a fresh server meets the limited simulator: a tenant's limit does not change under a running server
            progress(f"{name}: {plan.rate_clients} clients x {plan.rate_seconds:g} s, simulator at {plan.rate_limit}/s")
            h.simulator_rate_limit(simulator_url, plan.rate_limit)
            try:
                with h.running(make_spec("protect"), logdir / f"{name}-rate.log") as (server, _):
                    # distinct arguments: each client's reads are its own, so the limiter (not sharing) is what works
                    arguments = [{"search": f"bench-client-{i}"} for i in range(plan.rate_clients)]
                    load, _ = h.run_clients(
                        server.spec.mcp_url, server.spec.token, arguments, 10**6, plan.rate_seconds, protocol=protocol
                    )
            finally:
                counted = h.simulator_rate_limit(simulator_url, None)
            out[name]["rate"] = {**asdict(load), "upstream_429": counted["rejected"]}
        if "gateway" in factories:
            out["gateway"]["fairness"] = bench_fairness(factories["gateway"], plan, logdir, progress, protocol)
    finally:
        h.simulate_latency(simulator_url, 0.0)
    return out


def bench_fairness(
    make_spec: SpecFactory, plan: Plan, logdir: Path, progress: Callable[[str], None], protocol: str
) -> dict[str, Any]:
    with h.running(make_spec("fair"), logdir / "gateway-fair.log") as (server, _):
        url = server.spec.mcp_url
        b_token = h.SECOND_API_KEY if server.spec.token else None

        def principal_b() -> list[float]:
            return h.measure_sequential(url, b_token, plan.fair_calls, warmup=2, protocol=protocol)

        progress(f"gateway: principal B alone, {plan.fair_calls} calls")
        alone = principal_b()
        progress(f"gateway: principal B beside A's {plan.fair_clients} clients")
        # A calls until B is done: B's calls take about as long alone, so A's window is bounded by that, twice over
        a_seconds = max(5.0, 2 * sum(alone) / 1000 + 5)
        a_out, loaded = h.run_clients(
            url, server.spec.token, [{}] * plan.fair_clients, 10**6, a_seconds, protocol=protocol, during=principal_b
        )
    return {"b_alone_ms": alone, "b_loaded_ms": loaded, "a": asdict(a_out), "a_seconds": a_seconds}


# --- report -------------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "B":
        return f"{value:,.0f} B"
    if unit == "":
        return f"{value:,.0f}"
    if unit == RATIO:
        return f"{value:.2f}x"
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


RATIO = "ratio"  # the unit of a row whose figure is itself a ratio of two of the gateway's


def bench_memory(
    factories: dict[str, SpecFactory], plan: Plan, logdir: Path, progress: Callable[[str], None]
) -> dict[str, dict[str, Any]]:
    """Issue 17's memory rows, both servers running, each step alternating between them: RSS over calls
    (after a warm-up), after a wave of abandoned sessions, after the gateway reaped them (its idle timeout
    set short; the official's SDK keeps its default 30 minutes), after a second wave, with GET streams
    open and after they were dropped, and sessions that listed every tool."""
    out: dict[str, dict[str, Any]] = {name: {} for name in factories}
    n, streams, listed = plan.memory_sessions, plan.memory_streams, plan.memory_listed_sessions
    reap_timeout = plan.memory_idle_timeout + 120.0
    with contextlib.ExitStack() as stack:
        servers = {
            name: stack.enter_context(h.running(make("memory"), logdir / f"{name}-memory.log"))[0]
            for name, make in factories.items()
        }
        metrics = {name: h.metrics_url(server.spec) for name, server in servers.items()}

        def each(step: str, measure: Callable[[str, h.ServerProcess], None]) -> None:
            for name, server in servers.items():
                progress(f"{name}: memory, {step}")
                measure(name, server)

        def calls(name: str, server: h.ServerProcess) -> None:
            url, token = server.spec.mcp_url, server.spec.token
            h.measure_load(url, token, MEMORY_CLIENTS, max(1, plan.memory_warm_calls // MEMORY_CLIENTS))
            before = h.rss_kib(server.pid)
            each_calls = max(1, plan.memory_calls // MEMORY_CLIENTS)
            stats = h.measure_load(url, token, MEMORY_CLIENTS, each_calls)
            out[name]["calls"] = {"calls": stats.calls, "errors": stats.errors, "before_kib": before}
            out[name]["calls"]["after_kib"] = h.rss_kib(server.pid)

        def wave(key: str) -> Callable[[str, h.ServerProcess], None]:
            def measure(name: str, server: h.ServerProcess) -> None:
                if key == "wave1":
                    out[name]["base_kib"] = h.rss_kib(server.pid)
                opened = h.abandon_sessions(server.spec.mcp_url, server.spec.token, n, clients=MEMORY_CLIENTS)
                out[name][key] = {"sessions": opened, "kib": h.rss_kib(server.pid)}
                if metrics[name]:
                    out[name][key]["open"] = h.open_sessions(metrics[name])

            return measure

        def reaped(key: str) -> Callable[[str, h.ServerProcess], None]:
            def measure(name: str, server: h.ServerProcess) -> None:
                if metrics[name]:
                    seconds = h.wait_sessions(metrics[name], 0, reap_timeout)
                    out[name][key] = {"seconds": seconds, "kib": h.rss_kib(server.pid)}

            return measure

        def dropped_streams(name: str, server: h.ServerProcess) -> None:
            before = h.rss_kib(server.pid)
            with h.get_streams(server.spec.mcp_url, server.spec.token, streams) as opened:
                held = h.rss_kib(server.pid)
            out[name]["streams"] = {"streams": opened, "before_kib": before, "open_kib": held}
            out[name]["streams"]["dropped_kib"] = h.rss_kib(server.pid, settle=5.0)

        def listing(name: str, server: h.ServerProcess) -> None:
            url, token = server.spec.mcp_url, server.spec.token
            before = h.rss_kib(server.pid)
            opened = h.abandon_sessions(url, token, listed, list_tools=True, clients=MEMORY_CLIENTS)
            out[name]["listed"] = {"sessions": opened, "before_kib": before, "after_kib": h.rss_kib(server.pid)}

        each(f"RSS over {plan.memory_calls} calls", calls)
        each(f"{n} abandoned sessions", wave("wave1"))
        each("reaping (gateway: idle timeout)", reaped("reaped"))
        gateway = {k: v for k, v in servers.items() if metrics[k]}  # the official cannot reap within the run
        for name, server in gateway.items():
            progress(f"{name}: memory, a second wave of {n}")
            wave("wave2")(name, server)
            reaped("reaped2")(name, server)
    # On servers of their own: memory that reaping freed would take these sessions and streams for free.
    for step, measure in (
        (f"{streams} GET streams opened, then dropped (fresh servers)", dropped_streams),
        (f"{listed} abandoned sessions that listed every tool (fresh servers)", listing),
    ):
        for name, make in factories.items():
            with h.running(make("memory"), logdir / f"{name}-memory-fresh.log") as (server, _):
                progress(f"{name}: memory, {step}")
                h.measure_listing(server.spec.mcp_url, server.spec.token, 2, 1)  # what the first ones build once
                measure(name, server)
    return out


@dataclass
class Row:
    label: str
    official: float | None
    gateway: float | None
    unit: str
    target: str = ""  # "<=0.5" / ">=6" / "<250abs" / "<=2abs" / ">=0.9abs"
    verdict_name: str = ""  # the VERDICT line's wording, for rows whose label carries run parameters

    def ratio(self) -> float | None:
        if self.official in (None, 0) or self.gateway is None:
            return None
        if math.isnan(self.official) or math.isnan(self.gateway):  # type: ignore[arg-type]
            return None
        return self.gateway / self.official  # type: ignore[operator]

    def verdict(self) -> str:
        if not self.target:
            return ""
        if self.target.endswith("abs"):  # "<250abs", "<=2abs", ">=0.9abs": the gateway's own figure against a bound
            operator = self.target[:2] if self.target[1] == "=" else self.target[0]
            limit = float(self.target[len(operator) : -3])
            if self.gateway is None or math.isnan(self.gateway):
                return "n/a"
            ok = {"<": self.gateway < limit, "<=": self.gateway <= limit, ">=": self.gateway >= limit}[operator]
            return "MET" if ok else "MISSED"
        ratio = self.ratio()
        if ratio is None:
            return "n/a"
        limit = float(self.target[2:])
        ok = ratio <= limit if self.target.startswith("<=") else ratio >= limit
        return "MET" if ok else "MISSED"


def build_rows(
    off: dict[str, Any] | None,
    gw: dict[str, Any],
    reload_ms: list[float],
    memory_floor_mib: float | None = None,
    stack_floor: dict[str, Any] | None = None,
) -> list[Row]:
    def get(d: dict[str, Any] | None, fn: Callable[[dict[str, Any]], float]) -> float | None:
        if d is None:
            return None
        try:
            return fn(d)
        except (KeyError, TypeError, ValueError):
            return None

    def load(d: dict[str, Any], clients: str, what: str) -> float:
        runs = d["load"][clients]
        if what == "throughput":
            return h.median([r["throughput"] for r in runs])
        if what == "cpu":
            return h.median([r["server_cpu_ms_per_call"] for r in runs])
        lat = [x for r in runs for x in r["latencies_ms"]]
        return h.median(lat) if what == "median" else h.p95(lat)

    rows = [
        Row(
            "start-up: spawn -> health 200 (median)",
            get(off, lambda d: h.median(d["ready_s"]) * 1000),
            get(gw, lambda d: h.median(d["ready_s"]) * 1000),
            "ms",
            "<=0.4",
        ),
        Row(
            "  stack floor: bare mcp Server + Starlette under uvicorn",  # stack_floor_server.py, against the official
            get(off, lambda d: h.median(d["ready_s"]) * 1000) if stack_floor else None,
            get(stack_floor, lambda d: h.median(d["ready_s"]) * 1000),
            "ms",
        ),
        Row(
            "peak RSS after load (VmHWM)",
            get(off, lambda d: d["load_peak_kib"] / 1024),
            get(gw, lambda d: d["load_peak_kib"] / 1024),
            "MiB",
            # issue 17: the import floor of the two prescribed SDKs + an allowance (0.5x the official is below it)
            "" if memory_floor_mib is None else f"<={memory_floor_mib + FLOOR_ALLOWANCE_MIB:.1f}abs",
            "" if memory_floor_mib is None else f"peak memory <= import floor + {FLOOR_ALLOWANCE_MIB:g} MiB",
        ),
        Row("  import floor: mcp server SDK + zscaler SDK, fresh interpreter", None, memory_floor_mib, "MiB"),
        Row(
            "peak RSS after start + list (median)",
            get(off, lambda d: h.median(d["idle_peak_kib"]) / 1024),
            get(gw, lambda d: h.median(d["idle_peak_kib"]) / 1024),
            "MiB",
        ),
        Row(
            "peak RSS, one toolset",
            get(off, lambda d: d["one_peak_kib"] / 1024),
            get(gw, lambda d: d["one_peak_kib"] / 1024),
            "MiB",
        ),
        Row(
            "tools served, all toolsets read-only",
            get(off, lambda d: d["list_all"]["tools"]),
            get(gw, lambda d: d["list_all"]["tools"]),
            "",
        ),
        Row(
            "init+initialized+tools/list, all (median)",
            get(off, lambda d: h.median(d["list_all"]["init_list_ms"])),
            get(gw, lambda d: h.median(d["list_all"]["init_list_ms"])),
            "ms",
        ),
        Row(
            "warm tools/list, all (median)",
            get(off, lambda d: h.median(d["list_all"]["warm_list_ms"])),
            get(gw, lambda d: h.median(d["list_all"]["warm_list_ms"])),
            "ms",
        ),
        Row(
            "tools/list body, all",
            get(off, lambda d: d["list_all"]["list_bytes"]),
            get(gw, lambda d: d["list_all"]["list_bytes"]),
            "B",
        ),
        Row(
            f"tools served, {h.ONE_TOOLSET}",
            get(off, lambda d: d["list_one"]["tools"]),
            get(gw, lambda d: d["list_one"]["tools"]),
            "",
        ),
        Row(
            "init+initialized+tools/list, one (median)",
            get(off, lambda d: h.median(d["list_one"]["init_list_ms"])),
            get(gw, lambda d: h.median(d["list_one"]["init_list_ms"])),
            "ms",
            "<=1.0",
        ),
        Row(
            "tools/list body, one",
            get(off, lambda d: d["list_one"]["list_bytes"]),
            get(gw, lambda d: d["list_one"]["list_bytes"]),
            "B",
        ),
        Row(
            "first tools/call after start (cold)",
            get(off, lambda d: d["first_call_ms"]),
            get(gw, lambda d: d["first_call_ms"]),
            "ms",
        ),
        Row(
            f"sequential {h.CALL_TOOL} (median)",
            get(off, lambda d: h.median(d["sequential_ms"])),
            get(gw, lambda d: h.median(d["sequential_ms"])),
            "ms",
            "<=0.5",
        ),
        Row(
            "sequential call p95",
            get(off, lambda d: h.p95(d["sequential_ms"])),
            get(gw, lambda d: h.p95(d["sequential_ms"])),
            "ms",
        ),
        Row("tools/call result body", get(off, lambda d: d["call_bytes"]), get(gw, lambda d: d["call_bytes"]), "B"),
    ]
    for clients in gw.get("load") or {}:
        target = ">=6" if clients == "8" else ""
        rows.append(
            Row(
                f"throughput, {clients} client(s) (median of runs)",
                get(off, lambda d, clients=clients: load(d, clients, "throughput")),
                get(gw, lambda d, clients=clients: load(d, clients, "throughput")),
                "calls/s",
                target,
            )
        )
        rows.append(
            Row(
                f"  call latency under {clients} client(s), median",
                get(off, lambda d, clients=clients: load(d, clients, "median")),
                get(gw, lambda d, clients=clients: load(d, clients, "median")),
                "ms",
            )
        )
        rows.append(
            Row(
                f"  server CPU per call under {clients} client(s)",
                get(off, lambda d, clients=clients: load(d, clients, "cpu")),
                get(gw, lambda d, clients=clients: load(d, clients, "cpu")),
                "ms",
            )
        )
        rows.append(
            Row(
                f"  call latency under {clients} client(s), p95",
                get(off, lambda d, clients=clients: load(d, clients, "p95")),
                get(gw, lambda d, clients=clients: load(d, clients, "p95")),
                "ms",
                "<=0.2" if clients == "32" else "",
                "call latency p95 under 32 clients <= 0.2x official" if clients == "32" else "",
            )
        )
    rows.append(
        Row(
            "reload: ..data swap -> new tools/list (median)",
            None,
            h.median(reload_ms) if reload_ms else None,
            "ms",
            "<250abs",
        )
    )
    rows.append(Row("reload: worst of swaps", None, max(reload_ms) if reload_ms else None, "ms"))
    return rows


def target_label(row: Row) -> str:
    """`<= 0.5x` for a target on the ratio to the official; `< 250 ms` for one on the gateway's own figure."""
    if not row.target:
        return ""
    absolute = row.target.endswith("abs")
    bound = row.target[:-3] if absolute else row.target
    operator = bound[:2] if bound[1] == "=" else bound[0]
    if not absolute or row.unit == RATIO:
        return f"{operator} {bound[len(operator) :]}x"
    return f"{operator} {bound[len(operator) :]} {row.unit}".strip()


def stateless_rows(gw: dict[str, Any]) -> list[Row]:
    """Issue 17's stateless row, from what `bench_stateless` measured (absent when it did not run)."""
    rates = gw.get("stateless")
    if not rates:
        return []
    stateful, stateless = h.median(rates["stateful"]), h.median(rates["stateless"])
    return [
        Row("gateway stateful: sequential call rate (median of runs)", None, stateful, "calls/s"),
        Row("gateway --stateless: sequential call rate (median of runs)", None, stateless, "calls/s"),
        Row(
            "  --stateless / stateful",
            None,
            stateless / stateful if stateful else None,
            RATIO,
            ">=0.9abs",
            "stateless sequential call rate >= 0.9x of stateful",
        ),
    ]


def protection_rows(off: dict[str, Any] | None, gw: dict[str, Any], plan: Plan) -> list[Row]:
    """Issue 17's rows, from what `bench_protection` measured (absent when it did not run)."""
    if "burst" not in gw:
        return []

    def pick(d: dict[str, Any] | None, *keys: str) -> float | None:
        for key in keys:
            if d is None or key not in d:
                return None
            d = d[key]
        return float(d)  # type: ignore[arg-type]

    rate = f"{plan.rate_clients} clients x {plan.rate_seconds:g} s, simulator at {plan.rate_limit}/s"
    rows = [
        Row(
            f"coalescing: {plan.burst_clients} identical lists at once -> upstream requests",
            pick(off, "burst", "upstream_requests"),
            pick(gw, "burst", "upstream_requests"),
            "",
            "<=2abs",
            "coalescing: upstream requests <= 2",
        ),
        Row("  of those calls, answered ok", pick(off, "burst", "ok"), pick(gw, "burst", "ok"), ""),
        Row(
            f"rate limit: upstream 429s ({rate})",
            pick(off, "rate", "upstream_429"),
            pick(gw, "rate", "upstream_429"),
            "",
            "<=0abs",
            "rate limit: 0 upstream 429s",
        ),
        Row(
            "  429 / rate-limit errors surfaced to clients",
            pick(off, "rate", "rate_limited"),
            pick(gw, "rate", "rate_limited"),
            "",
        ),
        Row("  calls answered ok", pick(off, "rate", "ok"), pick(gw, "rate", "ok"), ""),
        Row(
            "  calls neither ok nor a rate-limit result",
            pick(off, "rate", "errors"),
            pick(gw, "rate", "errors"),
            "",
            "<=0abs",
            "rate limit: every call ok or a clear rate-limit result",
        ),
    ]
    fair = gw.get("fairness")
    if fair:
        alone, loaded = h.p95(fair["b_alone_ms"]), h.p95(fair["b_loaded_ms"])
        rows += [
            Row("fairness: principal B alone, call p95", None, alone, "ms"),
            Row(f"  B beside A's {plan.fair_clients} saturating clients, p95", None, loaded, "ms"),
            Row(
                "  B's p95 beside A / alone",
                None,
                loaded / alone if alone else None,
                "x",
                "<=2abs",
                "fairness: B's p95 beside a saturating A within 2x of B alone",
            ),
        ]
    return rows


def memory_rows(off: dict[str, Any] | None, gw: dict[str, Any], plan: Plan) -> list[Row]:
    """Issue 17's memory rows, from what `bench_memory` measured (absent when it did not run)."""
    if "wave1" not in gw:
        return []

    def value(d: dict[str, Any] | None, fn: Callable[[dict[str, Any]], float]) -> float | None:
        try:
            return fn(d) if d is not None else None
        except (KeyError, TypeError, ZeroDivisionError):
            return None

    def mib(d: dict[str, Any] | None, fn: Callable[[dict[str, Any]], float]) -> float | None:
        return value(d, lambda d: fn(d) / 1024)

    n, streams, listed = plan.memory_sessions, plan.memory_streams, plan.memory_listed_sessions

    def per_session(d: dict[str, Any]) -> float:  # KiB
        return (d["wave1"]["kib"] - d["base_kib"]) / d["wave1"]["sessions"]

    def per_listed(d: dict[str, Any]) -> float:  # KiB
        return (d["listed"]["after_kib"] - d["listed"]["before_kib"]) / d["listed"]["sessions"]

    def per_10k(d: dict[str, Any]) -> float:  # KiB
        c = d["calls"]
        return (c["after_kib"] - c["before_kib"]) * 10_000 / c["calls"]

    return [
        Row(
            f"memory: RSS (VmRSS) after {plan.memory_calls} warm calls",
            mib(off, lambda d: d["calls"]["after_kib"]),
            mib(gw, lambda d: d["calls"]["after_kib"]),
            "MiB",
        ),
        Row(
            "  RSS growth per 10k calls",
            mib(off, per_10k),
            mib(gw, per_10k),
            "MiB",
            "<=0.5abs",
            "memory: RSS growth per 10k calls <= 0.5 MiB",
        ),
        Row(
            "memory: RSS before the sessions",
            mib(off, lambda d: d["base_kib"]),
            mib(gw, lambda d: d["base_kib"]),
            "MiB",
        ),
        Row(
            f"memory: RSS after {n} abandoned sessions",
            mib(off, lambda d: d["wave1"]["kib"]),
            mib(gw, lambda d: d["wave1"]["kib"]),
            "MiB",
        ),
        Row(
            "  per abandoned session (initialize + initialized)", value(off, per_session), value(gw, per_session), "KiB"
        ),
        Row(
            f"memory: RSS after they were reaped (gateway idle timeout {plan.memory_idle_timeout} s)",
            None,
            mib(gw, lambda d: d["reaped"]["kib"]),
            "MiB",
        ),
        Row(
            f"memory: RSS after a second wave of {n}, once the first was reaped",
            None,
            mib(gw, lambda d: d["wave2"]["kib"]),
            "MiB",
        ),
        Row(
            "  second wave's growth over the first",
            None,
            mib(gw, lambda d: d["wave2"]["kib"] - d["wave1"]["kib"]),
            "MiB",
            "<=5abs",
            "memory: a second wave of abandoned sessions after reaping grows RSS <= 5 MiB",
        ),
        Row(
            f"memory: RSS with {streams} GET streams open",
            mib(off, lambda d: d["streams"]["open_kib"]),
            mib(gw, lambda d: d["streams"]["open_kib"]),
            "MiB",
        ),
        Row(
            f"memory: RSS after the {streams} GET streams were dropped",
            mib(off, lambda d: d["streams"]["dropped_kib"]),
            mib(gw, lambda d: d["streams"]["dropped_kib"]),
            "MiB",
        ),
        Row(
            "  growth over before the streams (their sessions stay)",
            mib(off, lambda d: d["streams"]["dropped_kib"] - d["streams"]["before_kib"]),
            mib(gw, lambda d: d["streams"]["dropped_kib"] - d["streams"]["before_kib"]),
            "MiB",
        ),
        Row(
            f"memory: per abandoned session that listed every tool ({listed})",
            value(off, per_listed),
            value(gw, per_listed),
            "KiB",
        ),
    ]


def render(rows: list[Row]) -> str:
    header = ("metric", "official 0.15.4", "gateway", "gw/official", "target", "verdict")
    table = [header]
    for row in rows:
        ratio = row.ratio()
        target = target_label(row)
        table.append(
            (
                row.label,
                _fmt(row.official, row.unit),
                _fmt(row.gateway, row.unit),
                f"{ratio:.2f}x" if ratio is not None else "n/a",
                target,
                row.verdict(),
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for i, r in enumerate(table):
        lines.append(
            "| " + " | ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(r)) + " |"
        )
        if i == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def verdicts(rows: list[Row]) -> list[str]:
    names = {
        "start-up: spawn -> health 200 (median)": "start-up <= 0.4x official",
        "init+initialized+tools/list, one (median)": "one-toolset initialize + tools/list <= 1.0x official",
        f"sequential {h.CALL_TOOL} (median)": "sequential call latency <= 0.5x official",
        "throughput, 8 client(s) (median of runs)": "throughput with 8 clients >= 6x official",
        "reload: ..data swap -> new tools/list (median)": "reload visible < 250 ms",
    }
    out = []
    for row in rows:
        name = row.verdict_name or names.get(row.label)
        if name:
            ratio = row.ratio()
            absolute = row.target.endswith("abs") or ratio is None
            figure = _fmt(row.gateway, row.unit) if absolute else f"{ratio:.3f}x"
            out.append(f"VERDICT {name}: {row.verdict()} ({figure})")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny counts: a smoke check, not a measurement")
    parser.add_argument("--gateway-only", action="store_true", help="skip the official server")
    parser.add_argument(
        "--official-python", type=Path, help="python of an existing official install (default: bench/.venv-official)"
    )
    parser.add_argument(
        "--gateway-python",
        type=Path,
        help="python of an environment with the gateway installed (default: bench/.venv-gateway, this checkout)",
    )
    parser.add_argument(
        "--auth", choices=("api-key", "none"), default="api-key", help="API-key auth on both servers (default) or none"
    )
    parser.add_argument(
        "--gateway-arg",
        action="append",
        default=[],
        help="extra `serve` argument for the gateway (repeatable), e.g. --gateway-arg=--stateless",
    )
    parser.add_argument(
        "--protocol",
        choices=PROTOCOL_VERSIONS,
        default=h.PROTOCOL_VERSION,
        help="protocol era of every client: 2025-06-18 handshake with sessions (default) or 2026-07-28 sessionless",
    )
    parser.add_argument(
        "--calls-only",
        action="store_true",
        help="only the first call, sequential calls and throughput (no start-up, listing, one-toolset or reload runs)",
    )
    parser.add_argument(
        "--startup-only",
        action="store_true",
        help="only start-up (spawn -> health) and the one-toolset initialize + tools/list rows",
    )
    parser.add_argument(
        "--protection-only",
        action="store_true",
        help="only the upstream-protection rows: coalescing, rate limit, fairness",
    )
    parser.add_argument(
        "--stateless-only",
        action="store_true",
        help="only the stateless row: the gateway with and without --stateless, sequential calls (no official)",
    )
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="only the memory rows: abandoned sessions, their reaping, a second wave, dropped GET streams, calls",
    )
    parser.add_argument(
        "--memory-sessions", type=int, help="abandoned sessions per wave in the memory rows (default 2000)"
    )
    parser.add_argument(
        "--rate-seconds", type=float, help="length of the rate-limit row's load (default 20 s; --quick: 2 s)"
    )
    parser.add_argument(
        "--upstream-latency",
        type=float,
        help="seconds the simulator waits before each API answer in the protection rows (default 0.2)",
    )
    parser.add_argument("--startup-runs", type=int)
    parser.add_argument("--sequential-calls", type=int)
    parser.add_argument("--repeats", type=int)
    parser.add_argument(
        "--json-out", type=Path, help="where to write raw results (default bench/results/<timestamp>.json)"
    )
    args = parser.parse_args(argv)

    plan = Plan.quick() if args.quick else Plan()
    if args.startup_runs:
        plan.startup_runs = args.startup_runs
    if args.sequential_calls:
        plan.sequential_calls = args.sequential_calls
    if args.repeats:
        plan.repeats = args.repeats
    if args.rate_seconds:
        plan.rate_seconds = args.rate_seconds
    if args.memory_sessions:
        plan.memory_sessions = args.memory_sessions
    if args.upstream_latency is not None:
        plan.upstream_latency_s = args.upstream_latency

    def progress(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    official_python = args.official_python
    gateway_only = args.gateway_only or args.stateless_only
    if not gateway_only and official_python is None:
        from official_env import ensure_official_env

        official_python = ensure_official_env(quiet=True)

    gateway_python = args.gateway_python and args.gateway_python.absolute()  # not resolve(): a venv's python is a link
    if gateway_python is None:
        from gateway_env import ensure_gateway_env

        gateway_python = ensure_gateway_env()
    gateway_api_key = args.auth == "api-key" and "--api-keys-dir" in h.gateway_help(gateway_python)
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "plan": asdict(plan),
        "auth": args.auth,
        "gateway_args": args.gateway_arg,
        "protocol": args.protocol,
        "calls_only": args.calls_only,
    }
    with tempfile.TemporaryDirectory(prefix="zscaler-mcp-bench-") as tmp:
        work = Path(tmp)
        logdir = work / "logs"
        sim_spec = h.simulator_spec(h.free_port(), gateway_python)
        with h.running(sim_spec, logdir / "simulator.log") as (sim, _):
            sim_url = sim.spec.base_url
            setup = h.GatewaySetup(
                work / "gateway", api_key=gateway_api_key, extra_args=list(args.gateway_arg), python=gateway_python
            )
            floor = partial(stack_floor_spec, gateway_python)
            configs = {
                "all": work / "gateway" / "all.yaml",
                "one": work / "gateway" / "one.yaml",
                "protect": work / "gateway" / "protect.yaml",
                "fair": work / "gateway" / "fair.yaml",
            }
            configs["all"].write_text(config_text(["all"]))
            configs["one"].write_text(config_text([h.ONE_TOOLSET]))
            configs["protect"].write_text(config_text(["all"]) + UPSTREAM_AUTO)
            configs["fair"].write_text(config_text(["all"]) + UPSTREAM_FAIRNESS)
            try:
                factories: dict[str, SpecFactory] = {}
                if not gateway_only:
                    assert official_python is not None
                    python = official_python
                    factories["official"] = lambda v: h.official_spec(
                        python,
                        sim_url,
                        work / "official",
                        h.ONE_TOOLSET if v == "one" else None,
                        api_key=args.auth == "api-key",
                    )
                memory_args = [
                    "--session-idle-timeout", str(plan.memory_idle_timeout),
                    "--max-sessions", "100000",
                    "--max-sessions-per-principal", "100000",
                ]  # fmt: skip
                factories["gateway"] = lambda v: (
                    setup.spec(sim_url, configs["all"], extra_args=[*memory_args, "--metrics-port", str(h.free_port())])
                    if v == "memory"
                    else setup.spec(sim_url, configs[v])
                )
                if args.protection_only or args.stateless_only or args.memory_only:
                    results.update({name: {} for name in factories})
                elif args.startup_only:
                    results.update(bench_startup_only(factories, plan, logdir, progress, args.protocol, floor))
                else:
                    results.update(
                        bench_servers(factories, plan, logdir, progress, args.protocol, args.calls_only, floor)
                    )
                one_part = args.protection_only or args.startup_only or args.memory_only
                if not one_part and "--stateless" not in args.gateway_arg:
                    results["gateway"]["stateless"] = bench_stateless(
                        setup, sim_url, configs["all"], plan, logdir, progress, args.protocol
                    )
                skip_reload = args.calls_only or args.stateless_only or one_part
                results["reload_ms"] = (
                    [] if skip_reload else bench_reload(setup, sim_url, plan, logdir, progress, args.protocol)
                )
                if not (args.calls_only or args.stateless_only or args.startup_only or args.memory_only):
                    for name, figures in bench_protection(
                        factories, sim_url, plan, logdir, progress, args.protocol
                    ).items():
                        results[name]["protection"] = figures
                if not (args.calls_only or args.stateless_only or args.startup_only or args.protection_only):
                    for name, figures in bench_memory(factories, plan, logdir, progress).items():
                        results[name]["memory"] = figures
            except Exception:
                progress(f"failed; server logs in {logdir} (kept until exit):")
                for log in sorted(logdir.glob("*.log")):
                    tail = log.read_text(errors="replace").splitlines()[-15:]
                    print(f"--- {log.name}\n" + "\n".join(tail), file=sys.stderr)
                raise

    if "load_peak_kib" in results["gateway"]:
        progress("import floor of the two SDKs (fresh interpreters)")
        results["memory_floor_mib"] = floor_mib(1 if args.quick else 3, gateway_python)
    only_rows = args.protection_only or args.stateless_only or args.memory_only
    rows = (
        []
        if only_rows
        else build_rows(
            results.get("official"),
            results["gateway"],
            results["reload_ms"],
            results.get("memory_floor_mib"),
            results.get("stack_floor"),
        )
    )
    if args.startup_only:
        rows = [row for row in rows if row.official is not None or row.gateway is not None]
    rows += stateless_rows(results["gateway"])
    rows += protection_rows(
        results.get("official", {}).get("protection"), results["gateway"].get("protection", {}), plan
    )
    rows += memory_rows(results.get("official", {}).get("memory"), results["gateway"].get("memory", {}), plan)
    results["table"] = [{**asdict(r), "ratio": r.ratio(), "verdict": r.verdict()} for r in rows]
    out_path = args.json_out or RESULTS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(results, indent=1))

    notes = [
        f"protocol: {args.protocol}"
        + (
            " (sessionless: no handshake, no Mcp-Session-Id)"
            if args.protocol != h.PROTOCOL_VERSION
            else " (handshake, sessions)"
        )
        + ("; calls only" if args.calls_only else ""),
        f"machine: {results['machine']['cpus']} CPUs, Python {results['machine']['python']}; "
        "server, simulator and clients share them",
        f"auth: {args.auth}; official enforces={results.get('official', {}).get('auth_enforced', 'n/a')}, "
        f"gateway enforces={results['gateway'].get('auth_enforced', 'n/a')}",
        f"gateway extra args: {' '.join(args.gateway_arg) or '(none)'}; official has no live reload (n/a)",
        f"protection rows: every API answer of the simulator delayed {plan.upstream_latency_s:g} s (a WAN round trip); "
        f"gateway upstream policy rateLimit: auto (fairness: coalesceReads off, rateLimit 10000, default slots)",
        f"memory rows: VmRSS; {MEMORY_CLIENTS} client processes, sessions never deleted; the gateway with "
        f"--session-idle-timeout {plan.memory_idle_timeout}; the official's SDK reaps only after its default 30-minute "
        "idle timeout, so its reaping and second-wave rows are n/a; GET streams and listed sessions on fresh servers",
        f"raw results: {out_path}",
    ]
    if args.quick:
        notes.insert(0, "QUICK MODE: counts too small to mean anything")
    print(render(rows))
    print()
    for line in verdicts(rows):
        print(line)
    print()
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
