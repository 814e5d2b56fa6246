"""Embedded Zscaler API simulator: the OneAPI token endpoint plus stateful service APIs.

Each service module exposes `build() -> ServiceApi`; adding a service is adding its module to
`SERVICE_MODULES`. `start_simulator` serves it on a loopback port from a background thread, for
`serve --simulator` and the tests.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import uvicorn

from . import zcc, zcell, zdx, zeasm, zia, zid, zins, zms, zpa, ztw
from .app import ALL_PRODUCTS, SimulatorState, build_app

SERVICE_MODULES: tuple[ModuleType, ...] = (zpa, zia, ztw, zid, zeasm, zins, zms, zcell, zdx, zcc)


def create_app(products: Sequence[str] = ALL_PRODUCTS) -> tuple[Any, SimulatorState]:
    apis = [module.build() for module in SERVICE_MODULES]
    routes = [route for api in apis for route in api.routes]
    collections = [c for api in apis for c in api.collections]
    return build_app(collections, routes, products)


@dataclass
class RunningSimulator:
    url: str
    state: SimulatorState
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def start_simulator(
    host: str = "127.0.0.1", port: int = 0, products: Sequence[str] = ALL_PRODUCTS, ready_timeout: float = 10.0
) -> RunningSimulator:
    """Serve the simulator from a daemon thread and return once it accepts connections."""
    app, state = create_app(products)
    port = port or free_port(host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="zscaler-simulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + ready_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"simulator failed to start on {host}:{port}")
        time.sleep(0.01)
    return RunningSimulator(f"http://{host}:{port}", state, server, thread)
