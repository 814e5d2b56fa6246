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
import threading
from collections.abc import Callable, Iterable
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, start_http_server

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


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.tool_calls = Counter(
            "zscaler_mcp_tool_calls",
            "Tool calls by tool and outcome (ok, error, denied, invalid).",
            CALL_LABELS,
            registry=self.registry,
        )
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
        # (counter, histogram) children per label tuple: `labels()` validates, locks and looks up on
        # every call. Label values are bounded (see above), so this cache is too.
        self._call_children: dict[tuple[str, ...], tuple[Counter, Histogram]] = {}

    def observe_call(self, tool: str, toolset: str, service: str, access: str, outcome: str, seconds: float) -> None:
        labels = (tool, toolset, service, access, outcome)
        children = self._call_children.get(labels)
        if children is None:
            children = self._call_children[labels] = (
                self.tool_calls.labels(*labels),
                self.tool_call_duration.labels(*labels),
            )
        children[0].inc()
        children[1].observe(seconds)

    def expect_denials(self, tools: Iterable[Tool]) -> None:
        """Denied-write series at 0 for every write tool, so the first denied write is a visible rise.

        Counters only (no histogram children): one series per write tool of the catalog, a bounded set.
        """
        for tool in tools:
            if tool.access == "write":
                self.tool_calls.labels(tool.name, tool.toolset, tool.service, tool.access, Outcome.DENIED)

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
        for tool in new.tools.values():
            for outcome in (Outcome.OK, Outcome.ERROR):
                self.tool_calls.labels(tool.name, tool.toolset, tool.service, tool.access, outcome)
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
