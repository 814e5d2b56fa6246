"""Fixtures for the operator: an emulated API server on loopback and the real kopf operator against it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import kmock
import kopf
import pytest

from tests.operator.apiserver import ApiServer
from zscaler_mcp_operator.handlers import register
from zscaler_mcp_operator.kube import Cluster
from zscaler_mcp_operator.options import OperatorOptions

RESYNC_SECONDS = 0.3
STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 10.0


@pytest.fixture
async def apiserver() -> AsyncIterator[ApiServer]:
    async with ApiServer() as api, kmock.Server(api, host="127.0.0.1"):
        api.declare()
        yield api


@pytest.fixture
async def operator(apiserver: ApiServer) -> AsyncIterator[None]:
    """The real operator (kopf with our handlers) against `apiserver`, in a thread with its own event loop.

    kopf cancels every task started in its loop after it when it stops, so it must not share the
    test's loop; it talks to the emulated API server over loopback HTTP like to a real one.
    """
    url = str(apiserver.url)

    async def connect() -> Cluster:
        return Cluster.at(url)

    registry = register(kopf.OperatorRegistry(), OperatorOptions(resync_seconds=RESYNC_SECONDS), connect)

    @kopf.on.login(registry=registry)
    def login(**_: Any) -> kopf.ConnectionInfo:
        return kopf.ConnectionInfo(server=url)

    stop, ready = threading.Event(), threading.Event()
    operator = kopf.operator(registry=registry, clusterwide=True, standalone=True, stop_flag=stop, ready_flag=ready)
    thread = threading.Thread(target=asyncio.run, args=(operator,), name="kopf", daemon=True)
    thread.start()
    try:
        assert await asyncio.to_thread(ready.wait, STARTUP_TIMEOUT), "the operator did not start"
        yield
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, SHUTDOWN_TIMEOUT)
        assert not thread.is_alive(), "the operator did not stop"
