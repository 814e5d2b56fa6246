"""The benchmark harness works, in a trivially short mode: no timing is asserted, only that it measures.

The official server is not needed here (bench/run.py installs it on demand); load clients are
forked processes, which a test process full of server threads must not fork, so they are left
to the real bench run.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))
import harness  # noqa: E402
import mcpclient  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
assert _spec is not None and _spec.loader is not None
bench_run = importlib.util.module_from_spec(_spec)
sys.modules["bench_run"] = bench_run  # dataclasses resolve annotations through sys.modules
_spec.loader.exec_module(bench_run)


def test_parse_body_reads_json_and_sse_framing() -> None:
    json_body = b'{"jsonrpc":"2.0","id":3,"result":{"ok":true}}'
    assert mcpclient.parse_body("application/json", json_body, 3)["result"] == {"ok": True}
    sse = (
        b'event: message\r\ndata: {"jsonrpc":"2.0","method":"notifications/progress"}\r\n\r\n'
        b'event: message\r\ndata: {"jsonrpc":"2.0","id":7,"result":{"n":1}}\r\n\r\n'
    )
    assert mcpclient.parse_body("text/event-stream", sse, 7)["result"] == {"n": 1}
    with pytest.raises(mcpclient.McpError):
        mcpclient.parse_body("text/event-stream", sse, 8)


def test_verdicts_follow_the_issue_targets() -> None:
    rows = [
        bench_run.Row("start-up: spawn -> health 200 (median)", 1000.0, 400.0, "ms", "<=0.5"),
        bench_run.Row("throughput, 8 client(s) (median of runs)", 100.0, 300.0, "calls/s", ">=4"),
        bench_run.Row("reload: ..data swap -> new tools/list (median)", None, 120.0, "ms", "<250abs"),
    ]
    assert [r.verdict() for r in rows] == ["MET", "MISSED", "MET"]
    assert rows[1].ratio() == pytest.approx(3.0)
    table = bench_run.render(rows)
    assert "0.40x" in table and "3.00x" in table and "n/a" in table
    assert len(bench_run.verdicts(rows)) == 3


def test_harness_measures_a_real_gateway(gateway_with) -> None:  # type: ignore[no-untyped-def]
    running = gateway_with("toolsets: [zpa_segment_groups]\n")
    listing = harness.measure_listing(running.mcp_url, None, sessions=1, warm=1)
    assert listing.tools >= 2 and listing.list_bytes > 0 and len(listing.init_list_ms) == 1
    assert len(harness.measure_sequential(running.mcp_url, None, calls=2, warmup=1)) == 2
    cold_ms, nbytes = harness.first_call_ms(running.mcp_url, None)
    assert cold_ms > 0 and nbytes > 0


def test_reload_is_seen_after_a_kubelet_style_swap(simulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.servers import run_gateway

    documents = [
        bench_run.config_text([harness.ONE_TOOLSET]),
        bench_run.config_text([harness.ONE_TOOLSET, harness.RELOAD_TOOLSET]),
    ]
    config = harness.ProjectedConfig(tmp_path / "config", documents[0])
    with run_gateway(simulator.url, str(config.path)) as running:
        latencies = harness.measure_reload(running.mcp_url, None, config, documents, swaps=2)
    assert len(latencies) == 2


def test_modern_client_stamps_every_request_like_the_sdk() -> None:
    import httpx

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"jsonrpc": "2.0", "id": 1, "result": {"content": [], "supportedVersions": ["2026-07-28"]}}
        return httpx.Response(200, json=body)

    client = mcpclient.McpClient("http://127.0.0.1:1/mcp", "tok", protocol="2026-07-28")
    client.http = httpx.Client(transport=httpx.MockTransport(handler))
    with client:
        client.initialize()
        client.call_tool("zpa_list_segment_groups")
    assert [r.headers["mcp-method"] for r in seen] == ["server/discover", "tools/call"]
    assert all(r.headers["mcp-protocol-version"] == "2026-07-28" and "mcp-session-id" not in r.headers for r in seen)
    assert seen[1].headers["mcp-name"] == "zpa_list_segment_groups"
    meta = __import__("json").loads(seen[1].content)["params"]["_meta"]
    assert meta == {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "zscaler-mcp-bench", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    assert client.session_id is None
    with pytest.raises(ValueError, match="unknown protocol"):
        mcpclient.McpClient("http://127.0.0.1:1/mcp", protocol="2024-01-01")


def test_harness_measures_a_real_gateway_sessionless(gateway_with) -> None:  # type: ignore[no-untyped-def]
    running = gateway_with("toolsets: [zpa_segment_groups]\n")
    with mcpclient.McpClient(running.mcp_url, None, protocol="2026-07-28") as client:
        client.initialize()
        reply = client.call_tool(harness.CALL_TOOL)
        assert client.session_id is None
    assert "SG-" in "".join(c.get("text", "") for c in reply.result["content"])
    assert len(harness.measure_sequential(running.mcp_url, None, calls=2, warmup=1, protocol="2026-07-28")) == 2


def test_protection_rows_carry_their_targets() -> None:
    gateway = {
        "burst": {"upstream_requests": 1, "ok": 32},
        "rate": {"upstream_429": 0, "rate_limited": 5, "ok": 300, "errors": 0},
        "fairness": {"b_alone_ms": [200.0] * 10, "b_loaded_ms": [500.0] * 10},
    }
    official = {
        "burst": {"upstream_requests": 32, "ok": 32},
        "rate": {"upstream_429": 40, "rate_limited": 12, "ok": 200, "errors": 3},
    }
    rows = bench_run.protection_rows(official, gateway, bench_run.Plan())
    verdicts = bench_run.verdicts(rows)
    assert verdicts == [
        "VERDICT coalescing: upstream requests <= 2: MET (1)",
        "VERDICT rate limit: 0 upstream 429s: MET (0)",
        "VERDICT rate limit: every call ok or a clear rate-limit result: MET (0)",
        "VERDICT fairness: B's p95 beside a saturating A within 2x of B alone: MISSED (2.5 x)",
    ]
    assert "<= 2" in bench_run.render(rows) and "0.03x" in bench_run.render(rows)
    assert bench_run.protection_rows(None, {}, bench_run.Plan()) == []


def test_protection_clients_count_upstream_requests_and_rate_limits(fresh_simulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The forked clients of the protection rows, in a child process (this one must not fork), against a real
    gateway whose simulator is slow and then rate limited."""
    import json
    import subprocess

    from tests.support.servers import run_gateway

    config = tmp_path / "config.yaml"
    config.write_text(bench_run.config_text([harness.ONE_TOOLSET]) + bench_run.UPSTREAM_AUTO)
    script = (
        "import json, sys, harness as h\n"
        "url, sim = sys.argv[1], sys.argv[2]\n"
        "h.simulate_latency(sim, 0.3)\n"
        "before = h.upstream_requests(sim)\n"
        "burst, _ = h.run_clients(url, None, [{}] * 3, 1, 30.0)\n"
        "shared = h.upstream_requests(sim) - before\n"
        "h.simulate_latency(sim, 0.0)\n"
        "h.simulator_rate_limit(sim, 1)\n"
        "load, during = h.run_clients(url, None, [{'search': 'x'}, {'search': 'y'}], 3, 5.0, during=lambda: 7)\n"
        "counted = h.simulator_rate_limit(sim, None)\n"
        "print(json.dumps([burst.ok, shared, load.ok + load.rate_limited, load.errors, during, counted['limit']]))\n"
    )
    with run_gateway(fresh_simulator.url, str(config)) as running:
        done = subprocess.run(
            [sys.executable, "-c", script, running.mcp_url, fresh_simulator.url],
            cwd=BENCH,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    ok, shared, answered, errors, during, limit = json.loads(done.stdout.splitlines()[-1])
    assert ok == 3 and 1 <= shared <= 3  # every client answered; the count is what the simulator saw
    assert answered == 6 and errors == 0 and during == 7 and limit == 1


def test_raised_call_targets_and_the_stateless_row_carry_their_verdicts() -> None:
    def run(throughput: float, latency_ms: float) -> dict[str, object]:
        return {"throughput": throughput, "server_cpu_ms_per_call": 1.0, "latencies_ms": [latency_ms] * 20}

    official = {"load": {"8": [run(100.0, 80.0)], "32": [run(100.0, 500.0)]}}
    gateway = {
        "load": {"8": [run(550.0, 15.0)], "32": [run(600.0, 90.0)]},
        "stateless": {"stateful": [300.0, 320.0, 310.0], "stateless": [250.0, 285.0, 300.0]},
    }
    rows = bench_run.build_rows(official, gateway, []) + bench_run.stateless_rows(gateway)
    verdicts = [line for line in bench_run.verdicts(rows) if "n/a" not in line]
    assert verdicts == [
        "VERDICT throughput with 8 clients >= 6x official: MISSED (5.500x)",
        "VERDICT call latency p95 under 32 clients <= 0.2x official: MET (0.180x)",
        "VERDICT stateless sequential call rate >= 0.9x of stateful: MET (0.92x)",
    ]
    table = bench_run.render(rows)
    assert ">= 6x" in table and "<= 0.2x" in table and ">= 0.9x" in table
    gateway["stateless"] = {"stateful": [300.0], "stateless": [200.0]}
    assert bench_run.stateless_rows(gateway)[-1].verdict() == "MISSED"
    assert bench_run.stateless_rows({}) == []


def test_peak_memory_is_judged_against_the_import_floor_of_the_same_run() -> None:
    rows = bench_run.build_rows({"load_peak_kib": 150 * 1024}, {"load_peak_kib": 100 * 1024}, [], memory_floor_mib=90.0)
    peak = next(r for r in rows if r.label.startswith("peak RSS after load"))
    assert peak.verdict() == "MET" and "<= 102.0 MiB" in bench_run.render(rows)
    assert "VERDICT peak memory <= import floor + 12 MiB: MET (100 MiB)" in bench_run.verdicts(rows)
    over = bench_run.build_rows(None, {"load_peak_kib": 103 * 1024}, [], memory_floor_mib=90.0)
    assert "VERDICT peak memory <= import floor + 12 MiB: MISSED (103 MiB)" in bench_run.verdicts(over)
    unmeasured = bench_run.build_rows(None, {"load_peak_kib": 103 * 1024}, [])
    assert not any(line.startswith("VERDICT peak memory") for line in bench_run.verdicts(unmeasured))


def test_the_raised_start_up_and_handshake_targets() -> None:
    gateway = {"ready_s": [0.39, 0.41, 0.40], "list_one": {"init_list_ms": [9.0, 11.0, 10.0]}}
    official = {"ready_s": [1.0, 1.0, 1.0], "list_one": {"init_list_ms": [10.0, 10.0, 10.0]}}
    lines = bench_run.verdicts(bench_run.build_rows(official, gateway, []))
    assert "VERDICT start-up <= 0.4x official: MET (0.400x)" in lines
    assert "VERDICT one-toolset initialize + tools/list <= 1.0x official: MET (1.000x)" in lines
    gateway["list_one"]["init_list_ms"] = [11.0]
    assert "VERDICT one-toolset initialize + tools/list <= 1.0x official: MISSED (1.100x)" in bench_run.verdicts(
        bench_run.build_rows(official, gateway, [])
    )


def test_memory_rows_carry_their_targets() -> None:
    plan = bench_run.Plan()
    gateway = {
        "calls": {"calls": 4000, "errors": 0, "before_kib": 102_400, "after_kib": 102_500},
        "base_kib": 102_400,
        "wave1": {"sessions": 2000, "kib": 162_400, "open": 2000},
        "reaped": {"seconds": 20.0, "kib": 160_000},
        "wave2": {"sessions": 2000, "kib": 168_544, "open": 2000},
        "streams": {"streams": 500, "before_kib": 160_000, "open_kib": 200_000, "dropped_kib": 170_000},
        "listed": {"sessions": 200, "before_kib": 170_000, "after_kib": 176_000},
    }
    official = {k: v for k, v in gateway.items() if k not in ("reaped", "wave2")}
    rows = bench_run.memory_rows(official, gateway, plan)
    assert bench_run.verdicts(rows) == [
        "VERDICT memory: RSS growth per 10k calls <= 0.5 MiB: MET (0.2 MiB)",
        "VERDICT memory: a second wave of abandoned sessions after reaping grows RSS <= 5 MiB: MISSED (6.0 MiB)",
    ]
    per_session = next(r for r in rows if r.label.startswith("  per abandoned session"))
    assert per_session.gateway == pytest.approx(30.0) and per_session.unit == "KiB"
    reaped = next(r for r in rows if r.label.startswith("memory: RSS after they were reaped"))
    assert reaped.official is None and reaped.verdict() == ""
    assert "<= 0.5 MiB" in bench_run.render(rows) and "<= 5 MiB" in bench_run.render(rows)
    assert bench_run.memory_rows(None, {}, plan) == []


def test_memory_clients_abandon_sessions_hold_streams_and_see_them_reaped(simulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The forked clients of the memory rows, in a child process (this one must not fork), against a real
    gateway process that reaps idle sessions after 2 s and counts them in its sessions gauge."""
    import json
    import subprocess

    from tests.support.servers import serve_process

    config = tmp_path / "config.yaml"
    config.write_text(bench_run.config_text([harness.ONE_TOOLSET]))
    metrics_port = harness.free_port()
    script = (
        "import json, sys, time, harness as h\n"
        "url, metrics = sys.argv[1], sys.argv[2]\n"
        "abandoned = h.abandon_sessions(url, None, 5, list_tools=True, clients=2)\n"
        "with h.get_streams(url, None, 3) as streams:\n"
        "    time.sleep(3)\n"  # past the idle timeout: a session with its stream open is not idle
        "    with_streams = h.open_sessions(metrics)\n"
        "h.wait_sessions(metrics, 0, 60)\n"
        "print(json.dumps([abandoned, streams, with_streams, h.open_sessions(metrics)]))\n"
    )
    flags = ["--config", str(config), "--upstream-url", simulator.url, "--session-idle-timeout", "2"]
    with serve_process([*flags, "--metrics-port", str(metrics_port)]) as url:
        done = subprocess.run(
            [sys.executable, "-c", script, url + "/mcp", f"http://127.0.0.1:{metrics_port}/metrics"],
            cwd=BENCH,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    abandoned, streams, with_streams, after = json.loads(done.stdout.splitlines()[-1])
    assert abandoned == 5 and streams == 3 and with_streams >= 3 and after == 0
