"""Start the real gateway (uvicorn, free loopback port) in a background thread, and stop it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import uvicorn

from zscaler_mcp_gateway.app import Gateway, GatewayOptions
from zscaler_mcp_gateway.simulator import free_port
from zscaler_mcp_gateway.telemetry import Telemetry

TEST_CREDENTIALS = {
    "ZSCALER_CLIENT_ID": "test-client",
    "ZSCALER_CLIENT_SECRET": "test-secret-value-0f9e8d",
    "ZSCALER_VANITY_DOMAIN": "acme",
    "ZSCALER_CUSTOMER_ID": "1234567890",
    "ZCELL_CUSTOMER_ID": "gi754cvqb07r0",
}


@dataclass
class RunningGateway:
    gateway: Gateway
    url: str  # base, e.g. http://127.0.0.1:PORT

    @property
    def mcp_url(self) -> str:
        return self.url + "/mcp"


@contextlib.contextmanager
def run_gateway(
    upstream_url: str,
    config_path: str | None = None,
    environ: Mapping[str, str] | None = None,
    credentials_dir: str | None = None,
    ready_timeout: float = 10.0,
    telemetry: Telemetry | None = None,
    **options: object,
) -> Iterator[RunningGateway]:
    port = free_port()
    env = dict(TEST_CREDENTIALS if credentials_dir is None else {})
    env.update(environ or {})
    gateway = Gateway(
        GatewayOptions(
            config_path=config_path,
            credentials_dir=credentials_dir,
            host="127.0.0.1",
            port=port,
            upstream_base_url=upstream_url,
            environ=env,
            **options,  # type: ignore[arg-type]
        ),
        telemetry=telemetry,
    )
    server = uvicorn.Server(gateway.uvicorn_config())
    thread = threading.Thread(target=server.run, name="gateway-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + ready_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("gateway did not start")
        time.sleep(0.01)
    try:
        yield RunningGateway(gateway, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.contextmanager
def serve_process(args: Sequence[str], ready_timeout: float = 30.0) -> Iterator[str]:
    """`zscaler-mcp-gateway serve ARGS` as a process of its own on a free loopback port; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-c", "from zscaler_mcp_gateway.cli import main; raise SystemExit(main())"]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port), "--metrics-port", "0", *args]
    environ = {**os.environ, **TEST_CREDENTIALS}
    process = subprocess.Popen(command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gateway process did not start: {process.communicate(timeout=5)[1]}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.communicate(timeout=20)
