"""Call catalog tools in-process through the real dispatcher, SDK and simulator (no HTTP to the gateway).

For the parametrised catalog-parity tests: one `Gateway` serving every toolset of some services with
all writes allowed, and `call` that returns a tool's payload or fails the test with the tool's error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.servers import TEST_CREDENTIALS
from zscaler_mcp_gateway.app import Gateway, GatewayOptions
from zscaler_mcp_gateway.catalog.model import Tool
from zscaler_mcp_gateway.dispatch import Caller
from zscaler_mcp_gateway.security.options import SecurityOptions


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


def tools_of(gateway: Gateway, services: tuple[str, ...], write: bool) -> list[Tool]:
    return sorted(
        (t for t in gateway.catalog.tools.values() if t.service in services and t.action.is_write == write),
        key=lambda t: t.name,
    )
