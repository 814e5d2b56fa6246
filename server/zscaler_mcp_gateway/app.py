"""Assembles the gateway from its parts and serves it (streamable HTTP under uvicorn, or stdio)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import collector
from .catalog import load_catalog
from .catalog.model import Catalog
from .config import ConfigError, PolicyConfig, load_policy_file, policy_from_env
from .credentials import CredentialsError, CredentialSource
from .dispatch import ToolDispatcher
from .entitlements import EntitlementFilter
from .fast_lane import FastLane
from .generation import GenerationStore
from .mcp_server import build_mcp_server
from .metrics import MetricsServer
from .quiet import Activity, ActivityWatch, until_quiet
from .ratelimit import UpstreamLimiter
from .redaction import install_log_redaction
from .refusals import RefusalAudit
from .reload import ConfigReloader
from .sdk_surface import FairSessionManager, LaneSessionManager
from .security.approval_keys import ApprovalKeys
from .security.approvals import ApprovalTokens
from .security.confirm import ALLOW_FLAG
from .security.hosts import CaseInsensitiveHost
from .security.layer import SecurityLayer
from .security.options import SecurityOptions
from .session_toolsets import SessionToolsets
from .sessions import SessionLimits
from .telemetry import Telemetry
from .upstream.client import SdkClient
from .upstream.executor import ToolExecutor

if TYPE_CHECKING:
    import uvicorn

log = logging.getLogger(__name__)

MCP_PATH = "/mcp"
TOKEN_RETRY_SECONDS = 5.0  # while the token endpoint refuses, /readyz asks it again at most this often


@dataclass
class GatewayOptions:
    config_path: str | None = None
    credentials_dir: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    metrics_port: int = 0  # Prometheus /metrics on its own port (same host); 0 = not served
    upstream_base_url: str | None = None  # the simulator, a proxy; None = the real Zscaler cloud
    upstream_timeout_seconds: float = 30.0
    reload_interval_seconds: float = 0.1
    stateless_http: bool = False
    replicas: int = 1  # gateway pods sharing the tenant's API quota: `rateLimit: auto` divides it among them
    fast_lane: bool = True  # tool calls answered without the SDK's session machinery (fast_lane.py)
    sessions: SessionLimits = field(default_factory=SessionLimits)
    header_timeout_seconds: float = 10.0  # a request's headers must arrive within this (read_deadlines.py)
    body_timeout_seconds: float = 30.0  # ... and then its body
    security: SecurityOptions = field(default_factory=SecurityOptions)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


def initial_policy(options: GatewayOptions, catalog: Catalog) -> tuple[PolicyConfig, str]:
    """With --config the file is the one source of truth; without it, the official env vars."""
    if options.config_path:
        return load_policy_file(options.config_path, catalog), options.config_path
    return policy_from_env(options.environ, catalog), "environment"


class Gateway:
    def __init__(
        self, options: GatewayOptions, catalog: Catalog | None = None, telemetry: Telemetry | None = None
    ) -> None:
        self.options = options
        install_log_redaction()  # before anything reads a credential or logs
        self.catalog = catalog or load_catalog()
        config, source = initial_policy(options, self.catalog)  # raises ConfigError: refuse to start on a bad file
        self.store = GenerationStore(self.catalog, config, source)
        self.credentials = CredentialSource(options.credentials_dir, options.environ)
        self.telemetry = telemetry or Telemetry.from_environ(options.environ)
        metrics = self.telemetry.metrics
        metrics.generation(None, self.store.current)
        metrics.expect_denials(self.catalog.tools.values())
        self.store.subscribe(metrics.generation)
        self.limiter = UpstreamLimiter(replicas=options.replicas, on_wait=metrics.limiter_wait)
        self.limiter.configure(self.store.current.config.upstream.rate_limit)
        self.store.subscribe(lambda old, new: self.limiter.configure(new.config.upstream.rate_limit))
        self.upstream = SdkClient(
            self.credentials,
            options.upstream_base_url,
            options.upstream_timeout_seconds,
            on_attempt=metrics.upstream_response,
            limiter=self.limiter,
        )
        self.executor = ToolExecutor(self.upstream)
        self.security = SecurityLayer(options.security, options.host)  # raises ConfigError: refuse to start unprotected
        # Stateful: toolsets a session enables are that session's. Stateless: the file alone decides.
        self.session_toolsets = None if options.stateless_http else SessionToolsets(self.store)
        self.dispatcher = ToolDispatcher(
            self.catalog,
            self.store,
            self.executor,
            self.telemetry,
            principals=self.security.principals,
            allow_unconfirmed_deletes=options.security.allow_unconfirmed_deletes,
            session_toolsets=self.session_toolsets,
            limiter=self.limiter,
        )
        security = options.security
        if security.allow_unconfirmed_deletes:
            log.warning("%s is deprecated: use the policy key write.confirm (e.g. [] or [create, update])", ALLOW_FLAG)
        self.approvals = ApprovalTokens(ApprovalKeys(security.approval_keys_dir), security.approval_window_seconds)
        self.mcp, self.broadcaster, self.listen = build_mcp_server(
            self.store,
            self.dispatcher,
            self.approvals,
            security.confirm_progress_interval_seconds,
            stateless=options.stateless_http,
        )
        self.reloader = (
            ConfigReloader(options.config_path, self.store, self.catalog, options.reload_interval_seconds)
            if options.config_path
            else None
        )
        if self.reloader is not None:
            self.reloader.subscribe(metrics.reload_result)
        self.metrics_server: MetricsServer | None = None
        self.activity = Activity()  # HTTP requests mark it (ActivityWatch); background start-up work waits for quiet
        self._warming: asyncio.Future[None] | None = None
        self.session_manager: FairSessionManager | None = None  # the HTTP transport's, once `http_app` built it
        self._token_retry: asyncio.Future[None] | None = None
        self._token_retried_at = float("-inf")

    # --- health -----------------------------------------------------------------------------

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        generation = self.store.current
        status = self.store.reload_status
        try:
            self.credentials.load()
            credentials: dict[str, Any] = {"ok": True}
        except CredentialsError as exc:
            credentials = {"ok": False, "error": str(exc)}
        token_error = self.upstream.token_error
        if credentials["ok"] and token_error is not None:
            credentials = {"ok": False, "error": token_error}
        detail = {
            "config": {
                "ok": True,
                "generation": generation.number,
                "source": generation.source,
                "toolsServed": len(generation.tools),
                "lastReloadError": status.last_error,
                "reloadFailures": status.failures,
            },
            "credentials": credentials,
        }
        return bool(credentials["ok"]), detail

    async def healthz(self, request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(self, request: Request) -> JSONResponse:
        self._retry_token()
        ready, detail = self.readiness()
        return JSONResponse({"ready": ready, **detail}, status_code=200 if ready else 503)

    def _retry_token(self) -> None:
        """While the token endpoint refuses, each probe asks again in the background (at most one at a
        time, one per TOKEN_RETRY_SECONDS): a pod out of its Service gets no calls to recover by."""
        if self.upstream.token_error is None or self._token_retry is not None and not self._token_retry.done():
            return
        now = time.monotonic()
        if now - self._token_retried_at < TOKEN_RETRY_SECONDS:
            return
        self._token_retried_at = now
        self._token_retry = asyncio.get_running_loop().run_in_executor(None, self._token_attempt)

    def _token_attempt(self) -> None:
        try:
            self.upstream.access_token()
        except Exception as exc:  # the outcome is in upstream.token_error; a probe never fails
            log.debug("token retry failed: %s", type(exc).__name__)

    # --- lifecycle ----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Background work for the lifetime of a transport: reload watcher, SIGHUP, list_changed."""
        loop = asyncio.get_running_loop()
        self.broadcaster.loop = loop
        if self.options.metrics_port:
            self.metrics_server = MetricsServer(self.telemetry.metrics, self.options.host, self.options.metrics_port)
        watcher = None
        if self.reloader is not None:
            self.reloader.install_sighup(loop)
            watcher = loop.create_task(self.reloader.run(), name="config-reloader")
        entitlements = EntitlementFilter.start(self.store, self.upstream.access_token)  # never delays the port
        waiting = loop.create_task(self._warm_when_quiet(), name="upstream-warm-up")
        try:
            yield
        finally:
            await entitlements.stop()
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
            if self._warming is not None:
                await self._warming
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            self.listen.close()
            self.dispatcher.close()
            self.upstream.close()
            if self.metrics_server is not None:
                await asyncio.to_thread(self.metrics_server.stop)
                self.metrics_server = None
            await asyncio.to_thread(self.telemetry.close)

    async def _warm_when_quiet(self) -> None:
        """Once no request has come for a moment (quiet.py), the start-up's one full collection (collector.py),
        then, at the next quiet moment, the upstream client built off the event loop, so that the first call
        does not pay the SDK's import: the first answers after a start share the interpreter with neither.
        The collection comes first so that the SDK's import (~27 MiB) reuses the memory it frees: the load
        server's peak 0.5 MiB lower than the other way round (docs/performance.md). With the entitlement
        filter on, its first token request has imported the SDK already, and the order does not matter."""
        await until_quiet(self.activity)
        loop = asyncio.get_running_loop()
        self._warming = loop.run_in_executor(None, collector.collect_start_up_garbage)
        await asyncio.shield(self._warming)  # cancelled at shutdown: the stop still waits for the pass itself
        await until_quiet(self.activity)  # the pass held the GIL: requests may have come meanwhile
        self._warming = loop.run_in_executor(None, self.upstream.warm)

    def http_app(self) -> Starlette:
        """The MCP endpoint (the SDK's session manager, with the fast lane for tool calls), health, metadata."""
        manager_options: dict[str, Any] = {
            "app": self.mcp,
            "stateless": self.options.stateless_http,
            "security_settings": self.security.transport_security(),
            "limits": self.options.sessions,
        }
        sessions = (
            LaneSessionManager(**manager_options, lane=FastLane(self.mcp, self.dispatcher))
            if self.options.fast_lane
            else FairSessionManager(**manager_options)
        )

        if self.session_toolsets is not None:
            sessions.on_close.append(self.session_toolsets.forget)
        self.telemetry.metrics.count_sessions(sessions.open_sessions)
        self.session_manager = sessions

        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            async with sessions.run(), self.running():
                yield

        app = Starlette(
            routes=[
                Route(MCP_PATH, CaseInsensitiveHost(StreamableHTTPASGIApp(sessions))),
                Route("/healthz", self.healthz, methods=["GET", "HEAD"]),
                Route("/readyz", self.readyz, methods=["GET", "HEAD"]),
                *self.security.protected_resource_routes,
            ],
            lifespan=lifespan,
        )
        self.security.install(app, self.telemetry.metrics, MCP_PATH)
        app.add_middleware(RefusalAudit, dispatcher=self.dispatcher, path=MCP_PATH)  # sees every refusal
        app.add_middleware(ActivityWatch, activity=self.activity)  # outermost: every request, refused or not
        return app

    def uvicorn_config(self, **overrides: Any) -> uvicorn.Config:
        """How uvicorn serves this gateway (CLI and tests alike): read deadlines, quiet logs, a bounded drain."""
        import uvicorn  # HTTP only: a stdio gateway never loads it

        from .read_deadlines import read_deadline_protocol

        settings: dict[str, Any] = {
            "host": self.options.host,
            "port": self.options.port,
            "http": read_deadline_protocol(self.options.header_timeout_seconds, self.options.body_timeout_seconds),
            "log_level": "warning",
            "access_log": False,
            "timeout_graceful_shutdown": 20,
            **overrides,
        }
        return uvicorn.Config(self.http_app(), **settings)

    async def serve_stdio(self) -> None:
        from mcp.server.stdio import stdio_server

        self.dispatcher.implicit_session_id = "stdio"
        async with self.running(), stdio_server() as (read_stream, write_stream):
            await self.mcp.run(read_stream, write_stream, self.mcp.create_initialization_options())


__all__ = ["ConfigError", "Gateway", "GatewayOptions"]
