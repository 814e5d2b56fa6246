"""Call catalog tools in-process through the real dispatcher, SDK and simulator (no HTTP to the gateway).

For the parametrised catalog-parity tests: one `Gateway` serving every toolset of some services with
all writes allowed, `call` that returns a tool's payload or fails the test with the tool's error, and
the `reader`/`writer` module fixtures and read-tool check that every per-service tool module shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import TEST_CREDENTIALS
from zscaler_mcp_gateway.app import Gateway, GatewayOptions
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.dispatch import Caller
from zscaler_mcp_gateway.security.options import SecurityOptions
from zscaler_mcp_gateway.simulator import RunningSimulator, start_simulator


def tool_gateway(upstream_url: str, services: list[str], config_dir: Path) -> Gateway:
    """Every toolset of `services`, every write allowed, deletes unconfirmed (no human in a test)."""
    config = config_dir / "config.yaml"
    config.write_text(f"services: [{', '.join(services)}]\nwrite: {{enabled: true, allowlist: ['*']}}\n")
    options = GatewayOptions(
        config_path=str(config),
        upstream_base_url=upstream_url,
        environ=dict(TEST_CREDENTIALS),
        security=SecurityOptions(allow_unconfirmed_deletes=True),
    )
    return Gateway(options)


async def call(gateway: Gateway, name: str, args: dict[str, Any] | None = None) -> Any:
    result = await gateway.dispatcher.call(name, args or {}, Caller(principal="catalog-test"))
    assert not result.is_error, f"{name}({args}) failed: {result.text()}"
    return result.payload


async def call_error(gateway: Gateway, name: str, args: dict[str, Any] | None = None) -> str:
    result = await gateway.dispatcher.call(name, args or {}, Caller(principal="catalog-test"))
    assert result.is_error, f"{name}({args}) unexpectedly succeeded: {result.text()[:300]}"
    return result.text()


def tool_names(services: tuple[str, ...], write: bool) -> list[str]:
    """The catalog's read (or write) tools of `services`, by name, sorted: stable parametrisation."""
    return sorted(t.name for t in load_catalog().tools.values() if t.service in services and t.action.is_write == write)


def assert_answered(name: str, payload: Any) -> None:
    """A read tool answered with something, and a list tool listed at least one record."""
    assert payload, name
    if isinstance(payload, dict) and "items" in payload:
        assert payload["count"] > 0, f"{name} listed nothing: the simulator route or envelope is wrong"


def reader_fixture(services: tuple[str, ...], label: str) -> Callable[..., Gateway]:
    """A module fixture: a gateway for `services` on the session simulator (for reads; seeds stay as they are)."""

    @pytest.fixture(scope="module")
    def reader(simulator: RunningSimulator, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
        return tool_gateway(simulator.url, list(services), tmp_path_factory.mktemp(label))

    return reader


def writer_fixture(services: tuple[str, ...], label: str) -> Callable[..., Iterator[Gateway]]:
    """A module fixture: a gateway for `services` on a simulator of its own, stopped after the module."""

    @pytest.fixture(scope="module")
    def writer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
        sim = start_simulator()  # writes get their own upstream: the session simulator's seeds stay intact
        yield tool_gateway(sim.url, list(services), tmp_path_factory.mktemp(label))
        sim.stop()

    return writer
