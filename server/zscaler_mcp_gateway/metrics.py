"""Prometheus metrics of one gateway: its own registry, the contract's series, and the /metrics server.

Every gateway owns a `CollectorRegistry` (never the process-global one), so several gateways in one
process (tests, benchmarks) count separately. Label values are bounded: tools, toolsets and services
come from the catalog (unknown names are already folded into "unknown" by the dispatcher), outcomes
and results are closed sets, and statuses are HTTP codes.

No label is named like a target label Kubernetes tooling adds (`service`, `namespace`, `pod`, `job`,
`instance`, `container`, `endpoint`): under a ServiceMonitor those would be renamed `exported_*`, so
the Zscaler service is `zscaler_service`. The series alerts rely on exist at 0 from start: `increase()`
cannot see the first event of a series born at 1.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, start_http_server
from prometheus_client.core import CounterMetricFamily

from . import __version__
from .catalog.model import Action, Tool
from .generation import Generation
from .outcomes import ConfirmationOutcome, Outcome

log = logging.getLogger(__name__)

CALL_LABELS = ("tool", "toolset", "zscaler_service", "access", "outcome")
# Zscaler API calls take from tens of milliseconds to tens of seconds (paged listings).
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
RELOAD_RESULTS = ("success", "failure")
NO_STATUS = "none"  # the request got no HTTP answer (connection refused, timeout)
AUTH_FAILURE_REASONS = ("missing_credential", "invalid_credential")
# A paced request waits from milliseconds (a token soon) to the limiter's bound (10 s).
WAIT_BUCKETS = (0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CallLabels = tuple[str, str, str, str, str]  # CALL_LABELS' values
ZERO_OUTCOMES = (Outcome.OK, Outcome.ERROR)  # each served tool's series that exist at 0


def call_labels(tool: Tool, outcome: str) -> CallLabels:
    return (tool.name, tool.toolset, tool.service, tool.access, outcome)


class ToolCallCounts:
    """`zscaler_mcp_tool_calls_total`, a collector of its own: its series that exist at 0 are made at each
    scrape from the tools they are for, and only a series that counted a call holds an entry.

    As `prometheus_client` children, the catalog-sized set of zero series (every write tool's denied,
    every served tool's ok and error: 660 series with every toolset) held 0.42 MiB, one lock, value and
    label tuple apiece, for series that mostly never count (docs/performance.md). The samples are the
    same: each series with its `_created` time (when it came to exist, at 0 or at its first call),
    unless PROMETHEUS_DISABLE_CREATED_SERIES turns those off, as it does for the library's own counters.
    """

    name = "zscaler_mcp_tool_calls"
    documentation = "Tool calls by tool and outcome (ok, error, denied, invalid)."

    def __init__(self, registry: CollectorRegistry, environ: Mapping[str, str] = os.environ) -> None:
        self._lock = threading.Lock()
        self._counted: dict[CallLabels, list[float]] = {}  # labels -> [count, created]
        # Tool name -> (the tool, since when its series exist at 0), per kind of zero series; kept once
        # added (a tool no longer served keeps its series: bounded by the catalog).
        self._served: dict[str, tuple[Tool, float]] = {}  # ok and error
        self._writes: dict[str, tuple[Tool, float]] = {}  # denied
        # prometheus_client's own reading of the variable (metrics.py), which it keeps private
        self._created = environ.get("PROMETHEUS_DISABLE_CREATED_SERIES", "False").lower() not in ("true", "1", "t")
        registry.register(self)

    def expect_denials(self, tools: Iterable[Tool]) -> None:
        self._expect(self._writes, tools)

    def expect_served(self, tools: Iterable[Tool]) -> None:
        self._expect(self._served, tools)

    def _expect(self, since: dict[str, tuple[Tool, float]], tools: Iterable[Tool]) -> None:
        now = time.time()
        with self._lock:
            for tool in tools:
                since.setdefault(tool.name, (tool, now))

    def inc(self, labels: CallLabels) -> None:
        with self._lock:
            series = self._counted.get(labels)
            if series is None:
                series = self._counted[labels] = [0.0, self._zero_since(labels) or time.time()]
            series[0] += 1

    def _zero_since(self, labels: CallLabels) -> float | None:
        """When the series of `labels` came to exist at 0, if it is one of those."""
        outcome = labels[4]
        kind = self._writes if outcome == Outcome.DENIED else self._served if outcome in ZERO_OUTCOMES else {}
        expected = kind.get(labels[0])
        return expected[1] if expected is not None and call_labels(expected[0], outcome) == labels else None

    def describe(self) -> Iterator[CounterMetricFamily]:
        yield CounterMetricFamily(self.name, self.documentation, labels=CALL_LABELS)

    def collect(self) -> Iterator[CounterMetricFamily]:
        with self._lock:
            counted = {labels: (series[0], series[1]) for labels, series in self._counted.items()}
            served, writes = list(self._served.values()), list(self._writes.values())
        zero = {call_labels(tool, outcome): since for tool, since in served for outcome in ZERO_OUTCOMES}
        zero.update((call_labels(tool, Outcome.DENIED), since) for tool, since in writes)
        family = CounterMetricFamily(self.name, self.documentation, labels=CALL_LABELS)
        for labels, since in zero.items():
            if labels not in counted:
                family.add_metric(labels, 0.0, created=since if self._created else None)
        for labels, (count, created) in counted.items():
            family.add_metric(labels, count, created=created if self._created else None)
        yield family


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.tool_calls = ToolCallCounts(self.registry)
        self.tool_call_duration = Histogram(
            "zscaler_mcp_tool_call_duration_seconds",
            "Tool call latency, policy check to result, in seconds.",
            CALL_LABELS,
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.upstream_requests = Counter(
            "zscaler_mcp_upstream_requests",
            "HTTP requests to the Zscaler APIs by service and status, every attempt (retries included).",
            ("zscaler_service", "status"),
            registry=self.registry,
        )
        self.config_reloads = Counter(
            "zscaler_mcp_config_reloads",
            "Policy file reloads by result (success, failure).",
            ("result",),
            registry=self.registry,
        )
        self.config_last_reload_success = Gauge(
            "zscaler_mcp_config_last_reload_success",
            "1 when the last policy load (start-up or reload) succeeded, 0 when the last reload was rejected.",
            registry=self.registry,
        )
        self.config_last_reload_success.set(1)  # the gateway refuses to start on a bad file
        self.auth_failures = Counter(
            "zscaler_mcp_auth_failures",
            "Requests refused at authentication that are not tool calls (those count as denied tool calls).",
            ("reason",),
            registry=self.registry,
        )
        self.config_generation = Gauge(
            "zscaler_mcp_config_generation", "Number of the config generation being served.", registry=self.registry
        )
        self.tools_served = Gauge(
            "zscaler_mcp_tools_served",
            "Tools served by the current generation per service and access.",
            ("zscaler_service", "access"),
            registry=self.registry,
        )
        self.confirmations = Counter(
            "zscaler_mcp_confirmations",
            "Steps of human confirmations by the action of the tool and outcome (asked, approved, declined, "
            "expired, forged, replayed, wrong_principal, ...).",
            ("action", "outcome"),
            registry=self.registry,
        )
        for action in Action:  # bounded: 4 actions x the closed outcome set, present from the start
            for step in ConfirmationOutcome:
                self.confirmations.labels(action=action.value, outcome=step.value)
        self.upstream_shared_calls = Counter(
            "zscaler_mcp_upstream_shared_calls",
            "Read calls answered without an upstream request of their own, by how (coalesced, cached).",
            ("zscaler_service", "kind"),
            registry=self.registry,
        )
        self.upstream_limiter_wait = Histogram(
            "zscaler_mcp_upstream_limiter_wait_seconds",
            "Seconds upstream requests waited for their service's rate limit (only those that waited).",
            ("zscaler_service",),
            buckets=WAIT_BUCKETS,
            registry=self.registry,
        )
        self.sessions_open = Gauge(
            "zscaler_mcp_sessions_open",
            "MCP sessions open in this process (stateful mode); each holds memory until closed or reaped when idle.",
            registry=self.registry,
        )
        self.build_info = Gauge(
            "zscaler_mcp_build_info", "Always 1; the gateway version as a label.", ("version",), registry=self.registry
        )
        self.build_info.labels(version=__version__).set(1)
        for result in RELOAD_RESULTS:  # present from the start, so rate() and alerts see a zero
            self.config_reloads.labels(result=result)
        for reason in AUTH_FAILURE_REASONS:
            self.auth_failures.labels(reason=reason)
        # Per label tuple, its values as strings (as `labels()` makes them) and its histogram child:
        # `labels()` validates, locks and looks up on every call. Label values are bounded (see above),
        # so this cache is too.
        self._call_series: dict[tuple[str, ...], tuple[CallLabels, Histogram]] = {}

    def observe_call(self, tool: str, toolset: str, service: str, access: str, outcome: str, seconds: float) -> None:
        given = (tool, toolset, service, access, outcome)
        series = self._call_series.get(given)
        if series is None:
            labels: CallLabels = (str(tool), str(toolset), str(service), str(access), str(outcome))
            series = self._call_series[given] = (labels, self.tool_call_duration.labels(*labels))
        self.tool_calls.inc(series[0])
        series[1].observe(seconds)

    def expect_denials(self, tools: Iterable[Tool]) -> None:
        """Denied-write series at 0 for every write tool, so the first denied write is a visible rise.

        Counters only (no histogram series): one series per write tool of the catalog, a bounded set.
        """
        self.tool_calls.expect_denials(tool for tool in tools if tool.access == "write")

    def confirmation(self, action: str, outcome: str) -> None:
        self.confirmations.labels(action=action, outcome=outcome).inc()

    def upstream_response(self, service: str, status: int | None) -> None:
        self.upstream_requests.labels(zscaler_service=service, status=str(status) if status else NO_STATUS).inc()

    def shared_call(self, service: str, kind: str) -> None:
        self.upstream_shared_calls.labels(zscaler_service=service, kind=kind).inc()

    def limiter_wait(self, service: str, seconds: float) -> None:
        self.upstream_limiter_wait.labels(zscaler_service=service).observe(seconds)

    def count_sessions(self, open_sessions: Callable[[], int]) -> None:
        """The sessions gauge reads `open_sessions()` at each scrape."""
        self.sessions_open.set_function(open_sessions)

    def auth_failure(self, reason: str) -> None:
        self.auth_failures.labels(reason=reason).inc()

    def reload_result(self, result: str) -> None:
        self.config_reloads.labels(result=result).inc()
        self.config_last_reload_success.set(1 if result == "success" else 0)

    def generation(self, old: Generation | None, new: Generation) -> None:
        """Generation listener: the generation number and the served-tool counts, stale series zeroed.

        Each served tool's ok and error series start at 0 (error ratios see a first error); a tool
        no longer served keeps its series, so the set is bounded by the catalog.
        """
        self.config_generation.set(new.number)
        self.tool_calls.expect_served(new.tools.values())
        counts = new.counts()
        stale = set(old.counts()) - set(counts) if old is not None else set()
        for service, access in sorted(set(counts) | stale):
            self.tools_served.labels(zscaler_service=service, access=access).set(counts.get((service, access), 0))

    def render(self) -> str:
        return generate_latest(self.registry).decode()


class MetricsServer:
    """`/metrics` on its own port, served from a daemon thread so scrapes never wait on the event loop."""

    def __init__(self, metrics: GatewayMetrics, host: str, port: int) -> None:
        self._server: WSGIServer
        self._thread: threading.Thread
        self._server, self._thread = start_http_server(port, addr=host, registry=metrics.registry)
        self.host, self.port = host, port
        log.info("Prometheus metrics on http://%s:%d/metrics", host, port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/metrics"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
