"""Processes and measurements of the benchmark: the same code path for both servers.

Every process is started in its own session, on 127.0.0.1 only, with its output in a log file, and
is stopped (SIGTERM, then SIGKILL after a grace period) by the context manager that started it.
Client load runs in separate processes (fork), released together by a barrier; each loop is
bounded in count and every wait in time.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mcpclient import PROTOCOL_VERSION, McpClient, McpError  # noqa: E402

LOOPBACK = "127.0.0.1"
CALL_TOOL = "zpa_list_segment_groups"
ONE_TOOLSET = "zpa_segment_groups"
RELOAD_TOOLSET = "zpa_app_segments"
DUMMY_CREDENTIALS = {
    "ZSCALER_CLIENT_ID": "bench-client",
    "ZSCALER_CLIENT_SECRET": "bench-secret-not-real",
    "ZSCALER_VANITY_DOMAIN": "bench",
    "ZSCALER_CUSTOMER_ID": "1234567890",
    "ZCELL_CUSTOMER_ID": "gi754cvqb07r0",  # the simulated Cellular tenant
}
BENCH_API_KEY = "bench-api-key-loopback-only"
SECOND_PRINCIPAL = "bench-b"  # a second API key file on the gateway: another principal, for the fairness row
SECOND_API_KEY = "bench-api-key-b-loopback-only"
RATE_LIMITED = re.compile(r"429|rate.?limit|too many requests", re.IGNORECASE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def proc_status(pid: int, key: str) -> int | None:
    """A `/proc/PID/status` field in KiB (VmHWM = peak RSS, VmRSS = current)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process (all its threads) so far, from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: Sequence[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


# --- processes ----------------------------------------------------------------------------------


@dataclass
class ServerSpec:
    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    health_path: str
    token: str | None = None
    cwd: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def mcp_url(self) -> str:
        return self.base_url + "/mcp"


class ServerProcess:
    def __init__(self, spec: ServerSpec, log_path: Path) -> None:
        self.spec = spec
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        try:
            self.started_at = time.perf_counter()
            self.proc = subprocess.Popen(
                self.spec.argv,
                env=self.spec.env,
                cwd=self.spec.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds from spawn until the health endpoint answers 200."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        url = self.spec.base_url + self.spec.health_path
        with httpx.Client(timeout=1.0) as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.spec.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
                try:
                    if http.get(url).status_code == 200:
                        return time.perf_counter() - self.started_at
                except httpx.HTTPError:
                    pass
                time.sleep(0.005)
        raise RuntimeError(f"{self.spec.name} not ready within {timeout:g} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def peak_rss_kib(self) -> int | None:
        return proc_status(self.pid, "VmHWM")

    def stop(self, grace: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


@contextlib.contextmanager
def running(spec: ServerSpec, log_path: Path, ready_timeout: float = 60.0) -> Iterator[tuple[ServerProcess, float]]:
    server = ServerProcess(spec, log_path)
    try:
        server.start()
        ready = server.wait_ready(ready_timeout)
        yield server, ready
    finally:
        server.stop()


def dev_environment() -> dict[str, str]:
    """This process's environment without the servers' own settings (each spec gives its own)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("ZSCALER_", "OTEL_"))}


def installed_environment() -> dict[str, str]:
    """For a server run from its own virtualenv: nor this interpreter's module path (a worktree's
    PYTHONPATH would otherwise put development sources ahead of the installed package)."""
    return {k: v for k, v in dev_environment().items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}


def simulator_spec(port: int, python: Path | None = None) -> ServerSpec:
    return ServerSpec(
        name="simulator",
        argv=[*gateway_command(python), "simulator", "--host", LOOPBACK, "--port", str(port)],
        env=installed_environment() if python else dict(os.environ),  # as the gateway's spec: no dev PYTHONPATH
        port=port,
        health_path="/_sim/requests",
    )


def gateway_command(python: Path | None = None) -> list[str]:
    """The console script pip installed beside `python` (default: this interpreter), run as an installed one
    is: not through a version manager's shim found first on PATH (pyenv's runs bash and `pyenv exec` before
    Python starts, ~0.1 s of every start-up that the official server, started by its virtualenv's python,
    does not pay). bench/run.py passes the python of the gateway's own virtualenv (gateway_env.py)."""
    interpreter = Path(python or sys.executable)
    script = interpreter.parent / "zscaler-mcp-gateway"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    if python is not None:
        raise FileNotFoundError(f"no zscaler-mcp-gateway console script beside {python}")
    found = shutil.which("zscaler-mcp-gateway")
    return [found] if found else [sys.executable, "-m", "zscaler_mcp_gateway.cli"]


def gateway_help(python: Path | None = None) -> str:
    return subprocess.run(
        [*gateway_command(python), "serve", "--help"], capture_output=True, text=True, timeout=60
    ).stdout


@dataclass
class GatewaySetup:
    """Files our gateway reads: a credentials directory (the Kubernetes way) and optional API keys."""

    workdir: Path
    api_key: bool = False
    extra_args: list[str] = field(default_factory=list)
    python: Path | None = None  # the interpreter whose console script runs the gateway (gateway_command)

    def __post_init__(self) -> None:
        creds = self.workdir / "credentials"
        creds.mkdir(parents=True, exist_ok=True)
        for key, value in DUMMY_CREDENTIALS.items():
            (creds / key).write_text(value)
        if self.api_key:
            keys = self.workdir / "api-keys"
            keys.mkdir(exist_ok=True)
            (keys / "bench").write_text(BENCH_API_KEY)
            (keys / SECOND_PRINCIPAL).write_text(SECOND_API_KEY)

    def spec(
        self, simulator_url: str, config_path: Path, port: int | None = None, extra_args: Sequence[str] = ()
    ) -> ServerSpec:
        """`extra_args` after the setup's own: a flag given twice takes the later value (e.g. --metrics-port)."""
        port = port or free_port()
        argv = [
            *gateway_command(self.python),
            "serve",
            "--config", str(config_path),
            "--credentials-dir", str(self.workdir / "credentials"),
            "--upstream-url", simulator_url,
            "--host", LOOPBACK,
            "--port", str(port),
            "--metrics-port", "0",
            *self.extra_args,
            *extra_args,
        ]  # fmt: skip
        if self.api_key:
            argv += ["--api-keys-dir", str(self.workdir / "api-keys")]
        env = installed_environment() if self.python else dev_environment()
        return ServerSpec(
            "gateway", argv, env, port, "/healthz", BENCH_API_KEY if self.api_key else None, str(self.workdir)
        )


def official_spec(
    python: Path,
    simulator_url: str,
    workdir: Path,
    toolsets: str | None = None,
    api_key: bool = True,
    port: int | None = None,
) -> ServerSpec:
    port = port or free_port()
    launcher = Path(__file__).resolve().parent / "official_launcher.py"
    argv = [
        str(python),
        str(launcher),
        "--transport",
        "streamable-http",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--no-entitlement-filter",
    ]
    if toolsets:
        argv += ["--toolsets", toolsets]
    env = installed_environment()
    env.update(DUMMY_CREDENTIALS)
    env.update(
        {
            "ZS_FAKE_BASE_URL": simulator_url,
            "ZSCALER_MCP_TOKEN_ENCODING": "offline-disabled",  # no tiktoken download
            "ZSCALER_MCP_PID_FILE": str(workdir / "zscaler-mcp.pid"),
        }
    )
    if api_key:
        env.update({"ZSCALER_MCP_AUTH_MODE": "api-key", "ZSCALER_MCP_AUTH_API_KEY": BENCH_API_KEY})
    else:
        env["ZSCALER_MCP_AUTH_ENABLED"] = "false"
    workdir.mkdir(parents=True, exist_ok=True)  # cwd: the official loads ./.env, keep it empty
    return ServerSpec("official", argv, env, port, "/health", BENCH_API_KEY if api_key else None, str(workdir))


# --- measurements -------------------------------------------------------------------------------


@dataclass
class ListingStats:
    tools: int
    init_bytes: int
    list_bytes: int
    init_list_ms: list[float]
    warm_list_ms: list[float]


def measure_listing(
    url: str, token: str | None, sessions: int, warm: int, protocol: str = PROTOCOL_VERSION
) -> ListingStats:
    """`initialize`+`notifications/initialized`+`tools/list` on fresh sessions, then warm lists on one."""
    init_list: list[float] = []
    tools = init_bytes = list_bytes = 0
    for _ in range(sessions):
        with McpClient(url, token, protocol=protocol) as client:
            started = time.perf_counter()
            init = client.initialize()
            listing = client.list_tools()
            init_list.append((time.perf_counter() - started) * 1000)
            tools, init_bytes, list_bytes = len(listing.result["tools"]), init.nbytes, listing.nbytes
            client.delete_session()
    warm_ms: list[float] = []
    with McpClient(url, token, protocol=protocol) as client:
        client.initialize()
        for _ in range(warm):
            warm_ms.append(client.list_tools().seconds * 1000)
        client.delete_session()
    return ListingStats(tools, init_bytes, list_bytes, init_list, warm_ms)


def first_call_ms(
    url: str, token: str | None, tool: str = CALL_TOOL, protocol: str = PROTOCOL_VERSION
) -> tuple[float, int]:
    with McpClient(url, token, protocol=protocol) as client:
        client.initialize()
        reply = client.call_tool(tool)
        client.delete_session()
        return reply.seconds * 1000, reply.nbytes


def measure_sequential(
    url: str, token: str | None, calls: int, warmup: int = 10, tool: str = CALL_TOOL, protocol: str = PROTOCOL_VERSION
) -> list[float]:
    with McpClient(url, token, protocol=protocol) as client:
        client.initialize()
        for _ in range(warmup):
            client.call_tool(tool)
        latencies = [client.call_tool(tool).seconds * 1000 for _ in range(calls)]
        client.delete_session()
    return latencies


def _load_worker(url: str, token: str | None, tool: str, calls: int, barrier: Any, protocol: str, results: Any) -> None:
    try:
        with McpClient(url, token, protocol=protocol) as client:
            client.initialize()
            client.call_tool(tool)  # warm this session and connection
            barrier.wait(120)
            started = time.monotonic()  # CLOCK_MONOTONIC: comparable across processes on Linux
            latencies = []
            errors = 0
            for _ in range(calls):
                try:
                    latencies.append(client.call_tool(tool).seconds * 1000)
                except (McpError, httpx.HTTPError):
                    errors += 1
            results.put(((started, time.monotonic(), latencies, errors), None))
            client.delete_session()
    except Exception as exc:  # reported to the parent, which fails the scenario
        with contextlib.suppress(Exception):
            barrier.abort()
        results.put((None, f"{type(exc).__name__}: {exc}"))


@dataclass
class LoadStats:
    clients: int
    calls: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return (self.calls - self.errors) / self.seconds if self.seconds > 0 else float("nan")


def measure_load(
    url: str,
    token: str | None,
    clients: int,
    calls_each: int,
    timeout: float = 300.0,
    tool: str = CALL_TOOL,
    protocol: str = PROTOCOL_VERSION,
) -> LoadStats:
    """`clients` separate processes, each its own session, released together; calls/s over the whole window."""
    barrier = multiprocessing.get_context("fork").Barrier(clients)
    rows, _ = _fork_each(_load_worker, [(url, token, tool, calls_each, barrier, protocol)] * clients, timeout)
    started = min(row[0] for row in rows)
    ended = max(row[1] for row in rows)
    latencies = [lat for row in rows for lat in row[2]]
    return LoadStats(clients, clients * calls_each, sum(row[3] for row in rows), ended - started, latencies)


def _outcome_worker(
    url: str,
    token: str | None,
    tool: str,
    arguments: dict[str, Any],
    calls: int,
    seconds: float,
    barrier: Any,
    protocol: str,
    results: Any,
) -> None:
    """Up to `calls` calls or `seconds` after the release, whichever ends first; each outcome classified."""
    try:
        with McpClient(url, token, protocol=protocol) as client:
            client.initialize()
            barrier.wait(120)
            deadline = time.monotonic() + seconds
            outcomes: Counter[str] = Counter()
            latencies: list[float] = []
            sample = ""
            for _ in range(calls):
                if time.monotonic() > deadline:
                    break
                try:
                    latencies.append(client.call_tool(tool, arguments).seconds * 1000)
                    outcomes["ok"] += 1
                except (McpError, httpx.HTTPError) as exc:
                    kind = "rate_limited" if RATE_LIMITED.search(str(exc)) else "error"
                    outcomes[kind] += 1
                    sample = sample or str(exc)[:200]
            results.put(((dict(outcomes), latencies, sample), None))
            client.delete_session()
    except Exception as exc:  # reported to the parent, which fails the scenario
        with contextlib.suppress(Exception):
            barrier.abort()
        results.put((None, f"{type(exc).__name__}: {exc}"))


@dataclass
class Outcomes:
    """What a group of clients got: ok calls, clear rate-limit results, other errors."""

    ok: int = 0
    rate_limited: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    sample_error: str = ""


def run_clients(
    url: str,
    token: str | None,
    arguments: Sequence[dict[str, Any]],
    calls: int,
    seconds: float,
    tool: str = CALL_TOOL,
    protocol: str = PROTOCOL_VERSION,
    during: Callable[[], Any] | None = None,
) -> tuple[Outcomes, Any]:
    """One forked client per entry of `arguments`, released together with the parent; the parent then runs
    `during` (if given) while they call, and returns what they got and what `during` returned."""
    barrier = multiprocessing.get_context("fork").Barrier(len(arguments) + 1)

    def release_then_run() -> Any:
        barrier.wait(120)
        return during() if during is not None else None

    rows, during_result = _fork_each(
        _outcome_worker,
        [(url, token, tool, args, calls, seconds, barrier, protocol) for args in arguments],
        seconds + 120,
        release_then_run,
    )
    out = Outcomes()
    for counts, latencies, sample in rows:
        out.ok += counts.get("ok", 0)
        out.rate_limited += counts.get("rate_limited", 0)
        out.errors += counts.get("error", 0)
        out.latencies_ms += latencies
        out.sample_error = out.sample_error or sample
    return out, during_result


def upstream_requests(simulator_url: str) -> int:
    """API requests the simulator has received (its admin and token routes left out)."""
    counts = httpx.get(simulator_url + "/_sim/requests", timeout=10).json()
    return sum(n for key, n in counts.items() if " /_sim/" not in key and " /oauth2/" not in key)


def simulate_latency(simulator_url: str, seconds: float) -> None:
    """Every API request to the simulator waits `seconds` before it is answered (0: none)."""
    httpx.delete(simulator_url + "/_sim/faults", timeout=10).raise_for_status()
    if seconds > 0:
        fault = {"match": "/", "status": 0, "delaySeconds": seconds, "times": -1}
        httpx.post(simulator_url + "/_sim/faults", json=fault, timeout=10).raise_for_status()


def simulator_rate_limit(simulator_url: str, limit: int | None) -> dict[str, int]:
    """Limit the simulator to `limit` requests/s (None: unlimited) with a fresh count; returns the previous count."""
    before = httpx.get(simulator_url + "/_sim/ratelimit", timeout=10).json()
    body = {"limit": limit} if limit is not None else {}
    httpx.post(simulator_url + "/_sim/ratelimit", json=body, timeout=10).raise_for_status()
    return before


class ProjectedConfig:
    """A config directory as kubelet projects a ConfigMap: `config.yaml -> ..data/config.yaml`, atomic `..data` swap."""

    def __init__(self, directory: Path, text: str) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._serial = 0
        self._current: Path | None = None
        self.update(text)
        (directory / "config.yaml").symlink_to(Path("..data") / "config.yaml")

    @property
    def path(self) -> Path:
        return self.directory / "config.yaml"

    def update(self, text: str) -> None:
        self._serial += 1
        stamp = self.directory / f"..bench_{os.getpid()}_{self._serial:04d}"
        stamp.mkdir()
        (stamp / "config.yaml").write_text(text)
        tmp = self.directory / "..data_tmp"
        tmp.symlink_to(stamp.name)
        os.replace(tmp, self.directory / "..data")
        if self._current is not None:
            shutil.rmtree(self._current)
        self._current = stamp


def measure_reload(
    url: str,
    token: str | None,
    config: ProjectedConfig,
    documents: Sequence[str],
    swaps: int,
    timeout: float = 5.0,
    protocol: str = PROTOCOL_VERSION,
) -> list[float]:
    """Swap between `documents` `swaps` times; ms from the `..data` rename until tools/list changes."""
    latencies = []
    with McpClient(url, token, protocol=protocol) as client:
        client.initialize()
        current = len(client.list_tools().result["tools"])
        for i in range(swaps):
            text = documents[(i + 1) % len(documents)]
            started = time.perf_counter()
            config.update(text)
            deadline = time.monotonic() + timeout
            while True:
                count = len(client.list_tools().result["tools"])
                if count != current:
                    latencies.append((time.perf_counter() - started) * 1000)
                    current = count
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"reload not visible within {timeout:g} s")
            time.sleep(0.25)  # let the watcher settle before the next swap
        client.delete_session()
    return latencies


def kib_to_mib(kib: int | None) -> float:
    return kib / 1024 if kib else float("nan")


def auth_enforced(url: str) -> bool:
    """True when an `initialize` without credentials is refused (401/403)."""
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "probe", "version": "1"},
        },
    }
    with httpx.Client(timeout=10) as http:
        response = http.post(url, json=body, headers={"accept": "application/json, text/event-stream"})
    return response.status_code in (401, 403)


# --- memory (sessions, streams, calls) ----------------------------------------------------------


def rss_kib(pid: int, settle: float = 2.0) -> int:
    """`VmRSS` (resident now, not the peak) after `settle` seconds for the server to finish what it was doing."""
    time.sleep(settle)
    rss = proc_status(pid, "VmRSS")
    if rss is None:
        raise RuntimeError(f"process {pid} is gone")
    return rss


def metrics_url(spec: ServerSpec) -> str:
    """The gateway's /metrics URL when its command line serves it (the last `--metrics-port` wins), else ""."""
    ports = [spec.argv[i + 1] for i, arg in enumerate(spec.argv[:-1]) if arg == "--metrics-port"]
    return f"http://{LOOPBACK}:{ports[-1]}/metrics" if ports and ports[-1] != "0" else ""


def open_sessions(metrics_url: str) -> int:
    """The gateway's `zscaler_mcp_sessions_open` gauge."""
    for line in httpx.get(metrics_url, timeout=10).text.splitlines():
        if line.startswith("zscaler_mcp_sessions_open "):
            return int(float(line.split()[1]))
    raise RuntimeError(f"no zscaler_mcp_sessions_open series at {metrics_url}")


def wait_sessions(metrics_url: str, at_most: int, timeout: float) -> float:
    """Seconds until the gateway has at most `at_most` sessions open (idle ones reaped); raises past `timeout`."""
    started = time.monotonic()
    while open_sessions(metrics_url) > at_most:
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"sessions not reaped within {timeout:g} s: {open_sessions(metrics_url)} open")
        time.sleep(0.5)
    return time.monotonic() - started


def _fork_each(
    target: Callable[..., None],
    args: Sequence[tuple[Any, ...]],
    timeout: float,
    while_running: Callable[[], Any] | None = None,
) -> tuple[list[Any], Any]:
    """One forked process per argument tuple; each puts one (result, error) on the queue given last. The
    parent runs `while_running` once they started; then it waits up to `timeout` for every result."""
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    workers = [ctx.Process(target=target, args=(*a, results), daemon=True) for a in args]
    rows = []
    try:
        for worker in workers:
            worker.start()
        during_result = while_running() if while_running is not None else None
        deadline = time.monotonic() + timeout
        while len(rows) < len(workers):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"{len(workers)} clients did not finish within {timeout:g} s")
            rows.append(results.get(timeout=remaining))
    finally:
        for worker in workers:
            worker.join(5)
            if worker.is_alive():
                worker.kill()
                worker.join(5)
    failures = [error for _, error in rows if error]
    if failures:
        raise RuntimeError(f"client failed: {failures[0]}")
    return [result for result, _ in rows], during_result


def one_connection_per_request() -> httpx.Client:
    """An HTTP client that closes each connection after its request: an abandoned session's client is gone."""
    return httpx.Client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0))


def _abandon_worker(url: str, token: str | None, count: int, list_tools: bool, results: Any) -> None:
    opened = 0
    try:
        with one_connection_per_request() as http:
            for _ in range(count):
                with McpClient(url, token, http=http) as client:
                    client.initialize()
                    if list_tools:
                        client.list_tools()
                opened += 1
        results.put((opened, None))
    except Exception as exc:  # reported to the parent, which fails the row
        results.put((opened, f"{type(exc).__name__}: {exc}"))


def abandon_sessions(
    url: str, token: str | None, sessions: int, list_tools: bool = False, clients: int = 4, timeout: float = 600.0
) -> int:
    """`sessions` sessions opened (`initialize` + `notifications/initialized`, and `tools/list` if asked) by
    `clients` processes and never deleted; returns how many were opened."""
    shares = [sessions // clients + (1 if i < sessions % clients else 0) for i in range(clients)]
    opened, _ = _fork_each(_abandon_worker, [(url, token, n, list_tools) for n in shares if n], timeout)
    return sum(opened)


def _open_get_stream(url: str, token: str | None, session_id: str) -> socket.socket:
    """A session's standalone `GET /mcp` SSE stream, open once the server answered 200 with its headers."""
    parts = urllib.parse.urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    lines = [
        f"GET {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Accept: text/event-stream",
        f"Mcp-Session-Id: {session_id}",
        f"Mcp-Protocol-Version: {PROTOCOL_VERSION}",
    ]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    status = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"?"
    if status != b"200":
        sock.close()
        raise RuntimeError(f"GET stream: HTTP {status.decode(errors='replace')}")
    return sock


def _stream_worker(url: str, token: str | None, count: int, opened: Any, drop: Any, results: Any) -> None:
    streams: list[socket.socket] = []
    try:
        with one_connection_per_request() as http:
            for _ in range(count):
                with McpClient(url, token, http=http) as client:
                    client.initialize()
                    assert client.session_id is not None
                    streams.append(_open_get_stream(url, token, client.session_id))
        opened.put(len(streams))
        drop.wait(600)
        results.put((len(streams), None))
    except Exception as exc:  # reported to the parent, which fails the row
        opened.put(len(streams))
        results.put((len(streams), f"{type(exc).__name__}: {exc}"))
    finally:
        for sock in streams:  # dropped: the process's end of each connection goes away
            sock.close()


@contextlib.contextmanager
def get_streams(url: str, token: str | None, streams: int, clients: int = 2, timeout: float = 300.0) -> Iterator[int]:
    """`streams` sessions, each with its `GET /mcp` SSE stream open, held by `clients` processes; yields the
    number open, and on exit the processes drop every connection and exit."""
    ctx = multiprocessing.get_context("fork")
    opened, drop, results = ctx.Queue(), ctx.Event(), ctx.Queue()
    shares = [streams // clients + (1 if i < streams % clients else 0) for i in range(clients)]
    workers = [
        ctx.Process(target=_stream_worker, args=(url, token, n, opened, drop, results), daemon=True)
        for n in shares
        if n
    ]
    try:
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + timeout
        total = sum(opened.get(timeout=max(0.1, deadline - time.monotonic())) for _ in workers)
        if total != streams:
            errors = [results.get(timeout=10)[1] for _ in workers]
            raise RuntimeError(f"{total} of {streams} GET streams opened: {[e for e in errors if e][:1]}")
        yield total
    finally:
        drop.set()
        for worker in workers:
            worker.join(30)
            if worker.is_alive():
                worker.kill()
                worker.join(5)
