"""`zscaler-mcp-gateway`: serve, check-config, list-tools, simulator."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from . import __version__, collector
from .catalog import load_catalog
from .config import ConfigError, load_policy_file, policy_from_env, policy_warnings
from .credential_files import DEFAULT_CREDENTIALS_DIR, KEYS
from .generation import build_generation
from .security.cli_args import add_security_arguments, security_options
from .sessions import (
    DEFAULT_IDLE_TIMEOUT_SECONDS,
    DEFAULT_MAX_SESSIONS,
    DEFAULT_MAX_SESSIONS_PER_PRINCIPAL,
    SessionLimits,
)
from .telemetry import AUDIT_LOGGER

DEFAULT_METRICS_PORT = 9090
SIMULATOR_CREDENTIALS = {
    "ZSCALER_CLIENT_ID": "simulator-client",
    "ZSCALER_CLIENT_SECRET": "simulator-secret",
    "ZSCALER_VANITY_DOMAIN": "simulator",
    "ZSCALER_CUSTOMER_ID": "1234567890",
    "ZCELL_CUSTOMER_ID": "gi754cvqb07r0",
}


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zscaler-mcp-gateway", description="Kubernetes-native MCP gateway to Zscaler."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the MCP server")
    serve.add_argument("--config", help="policy file (YAML); watched and reloaded live")
    serve.add_argument(
        "--credentials-dir",
        default=DEFAULT_CREDENTIALS_DIR,
        help="directory of credential files (env vars as fallback)",
    )
    serve.add_argument(
        "--transport", choices=("streamable-http", "stdio"), default=_env("ZSCALER_MCP_TRANSPORT", "streamable-http")
    )
    serve.add_argument("--host", default=_env("ZSCALER_MCP_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(_env("ZSCALER_MCP_PORT", "8000")))
    serve.add_argument(
        "--metrics-port",
        type=int,
        help=f"Prometheus /metrics port (default {DEFAULT_METRICS_PORT}; with stdio, none unless given; 0 disables)",
    )
    serve.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="gateway replicas sharing the tenant's API quota; upstream.rateLimit auto gives each its share",
    )
    serve.add_argument("--simulator", action="store_true", help="start the embedded Zscaler API simulator and use it")
    serve.add_argument(
        "--upstream-url", help="send Zscaler API and token requests to this base URL (a proxy or simulator)"
    )
    serve.add_argument(
        "--stateless", action="store_true", help="no MCP sessions, for replicas behind a non-sticky Service"
    )
    serve.add_argument(
        "--no-fast-lane",
        dest="fast_lane",
        action="store_false",
        help="answer every request through the mcp SDK's own path (diagnostics; slower)",
    )
    sessions = serve.add_argument_group("sessions", "MCP sessions (stateful mode; see docs/security.md)")
    sessions.add_argument(
        "--session-idle-timeout",
        type=int,
        metavar="SECONDS",
        help=f"close a session idle this long and free its memory (default {DEFAULT_IDLE_TIMEOUT_SECONDS})",
    )
    sessions.add_argument(
        "--max-sessions",
        type=int,
        metavar="N",
        help=f"sessions open at once; beyond, 503 (default {DEFAULT_MAX_SESSIONS})",
    )
    sessions.add_argument(
        "--max-sessions-per-principal",
        type=int,
        metavar="N",
        help=f"sessions one principal may hold; beyond, 429 (default {DEFAULT_MAX_SESSIONS_PER_PRINCIPAL})",
    )
    serve.add_argument("--api-keys-dir", help="directory of API key files: file name = principal, content = key")
    add_security_arguments(serve)
    serve.add_argument("--log-level", default=_env("ZSCALER_MCP_LOG_LEVEL", "INFO"))

    check = sub.add_parser("check-config", help="validate a policy file")
    check.add_argument("file")

    tools = sub.add_parser("list-tools", help="list the tools a policy serves")
    tools.add_argument("--config", help="policy file (default: the ZSCALER_MCP_* env vars)")
    tools.add_argument("--all", action="store_true", help="every tool of the catalog, whatever the policy")
    tools.add_argument("--format", choices=("table", "names", "json"), default="table")

    sim = sub.add_parser("simulator", help="run the Zscaler API simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=18080)
    sim.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        help="the tenant's API requests per second; past it, 429 with Retry-After (default: unlimited)",
    )
    return parser


def configure_logging(level: str, audit_stream: TextIO) -> None:
    logging.basicConfig(
        level=level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # The SDK logs full request/response dumps at INFO: keep them out of pod logs.
    logging.getLogger("zscaler").setLevel(logging.WARNING)
    audit = logging.getLogger(AUDIT_LOGGER)
    handler = logging.StreamHandler(audit_stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    audit.addHandler(handler)
    audit.setLevel(logging.INFO)
    audit.propagate = False


def cmd_check_config(path: str) -> int:
    catalog = load_catalog()
    try:
        config = load_policy_file(path, catalog)
    except ConfigError as exc:
        for error in exc.errors:
            print(error)
        return 1
    for warning in policy_warnings(config, catalog):
        print(f"warning: {warning}")
    generation = build_generation(1, config, catalog, path)
    print(f"ok: {len(generation.tools)} tools served")
    return 0


def cmd_list_tools(config_path: str | None, all_tools: bool, fmt: str) -> int:
    catalog = load_catalog()
    if all_tools:
        tools = list(catalog.tools.values())
    else:
        try:
            config = load_policy_file(config_path, catalog) if config_path else policy_from_env(os.environ, catalog)
        except ConfigError as exc:
            for error in exc.errors:
                print(error, file=sys.stderr)
            return 1
        tools = list(build_generation(1, config, catalog, config_path or "environment").tools.values())
    if fmt == "names":
        print("\n".join(t.name for t in tools))
    elif fmt == "json":
        rows = [
            {
                "name": t.name,
                "service": t.service,
                "toolset": t.toolset,
                "action": t.action.value,
                "description": t.description,
            }
            for t in tools
        ]
        print(json.dumps(rows, indent=1))
    else:
        width = max((len(t.name) for t in tools), default=4)
        print(f"{'TOOL':<{width}}  {'TOOLSET':<28}  ACTION  DESCRIPTION")
        for t in tools:
            print(f"{t.name:<{width}}  {t.toolset:<28}  {t.action.value:<6}  {t.description}")
    return 0


def metrics_port(args: argparse.Namespace) -> int:
    """The /metrics port; stdio gateways are started one per desktop client, so they serve none unless told."""
    if args.metrics_port is not None:
        return int(args.metrics_port)
    return 0 if args.transport == "stdio" else DEFAULT_METRICS_PORT


def cmd_serve(args: argparse.Namespace) -> int:
    from .app import Gateway, GatewayOptions

    collector.resume()  # the modules are loaded; what the gateway builds from here may die and be collected
    configure_logging(args.log_level, sys.stderr if args.transport == "stdio" else sys.stdout)
    log = logging.getLogger("zscaler_mcp_gateway")
    environ = dict(os.environ)
    simulator = None
    upstream = args.upstream_url
    if args.simulator:
        from .simulator import start_simulator

        simulator = start_simulator()
        upstream = simulator.url
        if not any(environ.get(k) for k in KEYS) and not os.path.isdir(args.credentials_dir):
            environ.update(SIMULATOR_CREDENTIALS)
        log.info("embedded Zscaler simulator on %s", simulator.url)
    try:
        sessions = SessionLimits.of(
            idle_timeout_seconds=args.session_idle_timeout,
            max_sessions=args.max_sessions,
            max_sessions_per_principal=args.max_sessions_per_principal,
        )
    except ConfigError as exc:
        for error in exc.errors:
            print(f"config error: {error}", file=sys.stderr)
        return 1
    options = GatewayOptions(
        config_path=args.config,
        credentials_dir=args.credentials_dir,
        host=args.host,
        port=args.port,
        metrics_port=metrics_port(args),
        upstream_base_url=upstream,
        stateless_http=args.stateless,
        replicas=max(1, args.replicas),
        fast_lane=args.fast_lane,
        sessions=sessions,
        security=security_options(args),
        environ=environ,
    )
    try:
        gateway = Gateway(options)
    except ConfigError as exc:
        for error in exc.errors:
            print(f"config error: {error}", file=sys.stderr)
        return 1
    try:
        if args.transport == "stdio":
            asyncio.run(gateway.serve_stdio())
        else:
            import uvicorn

            log.info(
                "serving MCP on http://%s:%d/mcp (%d tools)", args.host, args.port, len(gateway.store.current.tools)
            )
            server = uvicorn.Server(gateway.uvicorn_config())
            server.run()
            if not server.started:
                return 3  # as uvicorn.run: the port could not be bound
    finally:
        if simulator is not None:
            simulator.stop()
    return 0


def cmd_simulator(host: str, port: int, rate_limit: int | None = None) -> int:
    import uvicorn

    from .simulator import create_app
    from .simulator.app import RateWindow

    collector.resume()
    app, state = create_app()
    if rate_limit is not None:
        state.rate = RateWindow(rate_limit)
    print(f"Zscaler API simulator on http://{host}:{port}", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="off")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check-config":
        return cmd_check_config(args.file)
    if args.command == "list-tools":
        return cmd_list_tools(args.config, args.all, args.format)
    if args.command == "simulator":
        return cmd_simulator(args.host, args.port, args.rate_limit)
    return cmd_serve(args)


if __name__ == "__main__":
    sys.exit(main())
