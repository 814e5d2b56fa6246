"""Every official read tool, called as a client of the official server would call it, answers here.

Arguments are built only from the official 0.15.4 input schema (`tests/data/`): its required arguments,
typed as the official types them (ids as strings), with values naming simulator seeds. At least 98 % must
answer without an error; the rest are listed with the reason.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.integration.test_other_services_tools import READ_ARGS as OTHER_ARGS
from tests.integration.test_zdx_zcc_tools import READ_ARGS as ZDX_ZCC_ARGS
from tests.integration.test_zia_tools import READ_ARGS as ZIA_ARGS
from tests.integration.test_zpa_tools import READ_ARGS as ZPA_ARGS
from tests.support.official import official_tools
from tests.support.toolcalls import tool_gateway
from zscaler_mcp_gateway.app import Gateway
from zscaler_mcp_gateway.dispatch import Caller
from zscaler_mcp_gateway.simulator import RunningSimulator

SERVICES = ["zia", "zpa", "zdx", "zcc", "ztw", "zid", "zeasm", "zins", "zms", "zcell"]
MINIMUM_SHARE = 0.98
SEEDS: dict[str, dict[str, Any]] = {**ZIA_ARGS, **ZPA_ARGS, **ZDX_ZCC_ARGS, **OTHER_ARGS}
# Arguments only the official spells this way: the simulator seed each names.
OFFICIAL_SEEDS: dict[str, dict[str, Any]] = {
    "zia_geo_search": {"action": "city_prefix_search", "prefix": "San"},
    "zia_get_url_category_predefined": {"name": "NEWS_AND_MEDIA"},
    "get_zpa_scim_attribute": {"idp_name": "Okta"},
}


def _typed(value: Any, schema: dict[str, Any]) -> Any:
    """The value as the official schema types it (ids: strings)."""
    kinds = {s.get("type") for s in schema.get("anyOf", [schema])} - {"null"}
    if "string" in kinds and not isinstance(value, str):
        return str(value)
    if kinds == {"integer"} and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def official_call(tool: dict[str, Any]) -> dict[str, Any]:
    """The official tool's required arguments, from seeds, typed as the official types them."""
    schema = tool["inputSchema"]
    seeds = {**SEEDS.get(tool["name"], {}), **OFFICIAL_SEEDS.get(tool["name"], {})}
    call = {name: seeds[name] for name in schema.get("required", []) if name in seeds}
    for name, value in OFFICIAL_SEEDS.get(tool["name"], {}).items():
        call[name] = value
    return {name: _typed(value, schema["properties"][name]) for name, value in call.items()}


@pytest.fixture(scope="module")
def reader(simulator: RunningSimulator, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    return tool_gateway(simulator.url, SERVICES, tmp_path_factory.mktemp("official-reads"))


def test_official_read_calls_answer_on_the_simulator(reader: Gateway, capsys: pytest.CaptureFixture[str]) -> None:
    reads = [t for t in official_tools() if t["action"] == "read"]

    async def run() -> dict[str, str]:
        failures: dict[str, str] = {}
        for tool in reads:
            arguments = official_call(tool)
            result = await reader.dispatcher.call(tool["name"], arguments, Caller(principal="official-reads"))
            if result.is_error:
                failures[tool["name"]] = f"{arguments} -> {result.text()[:200]}"
        return failures

    failures = asyncio.run(run())
    share = 1 - len(failures) / len(reads)
    with capsys.disabled():
        print(f"\nofficial read tools answering with official arguments: {len(reads) - len(failures)}/{len(reads)}")
        for name, reason in sorted(failures.items()):
            print(f"  {name}: {reason}")
    assert share >= MINIMUM_SHARE, failures
