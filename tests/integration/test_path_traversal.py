"""An argument can never change which API is called.

The attack of issue 12: with only ZPA served, `zpa_get_segment_group` given the id
`..` ten times and then `zia/api/v1/users` returned the ZIA user list, and `zpa_delete_segment_group` deleted a
ZIA URL category (audited as a ZPA call). Then, for every catalog tool whose arguments land in a
URL path: the declared segments are exactly the arguments the real SDK puts into the path, and
generated hostile values are either refused as invalid arguments naming the argument, or reach the
simulator as one literal segment of the same route.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mcp import Client

from tests.support.servers import run_gateway
from tests.support.toolcalls import tool_gateway
from zscaler_mcp_gateway.app import Gateway
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.catalog.model import Param, Tool
from zscaler_mcp_gateway.catalog.segments import Segment, segment_of, segment_params
from zscaler_mcp_gateway.dispatch import Caller
from zscaler_mcp_gateway.security.options import SecurityOptions
from zscaler_mcp_gateway.simulator import RunningSimulator, start_simulator
from zscaler_mcp_gateway.telemetry import AUDIT_LOGGER

UP = "../" * 10  # the id climbs ten levels, then names a ZIA route
TRAVERSAL = UP + "zia/api/v1/users"
ATTACKS = (
    TRAVERSAL,
    UP + "zia/api/v1/urlCategories/CUSTOM_01",
    "..",
    ".",
    "1/" + UP + "zia/api/v1/users",
    "1?search=x&page=2",
    "1#fragment",
    "%2e%2e%2f%2e%2e%2fzia",
    "%2E%2E",
    "1\r\nX-Injected: yes",
    "1\nHost: evil.example",
    "http://evil.example/zia/api/v1/users",
    "//evil.example/x",
    "1\\..\\..\\zia",
    "1%00",
)
ATTACK_POLICY = (
    "services: [zpa]\n"
    "disabledTools: ['zia_*']\n"
    "write: {enabled: true, allowlist: [zpa_delete_segment_group]}\n"
    "toolsets: [zpa_segment_groups]\n"
)


# The first path segment of each service's OneAPI routes: the service a request actually called.
ROUTE_SERVICE = {
    "zia": "zia",
    "zpa": "zpa",
    "zdx": "zdx",
    "zcc": "zcc",
    "ztw": "ztw",
    "ziam": "zid",
    "easm": "zeasm",
    "zins": "zins",
    "zms": "zms",
    "zcell": "zcell",
}


def _route_service(path: str) -> str:
    return ROUTE_SERVICE.get(path.split("/")[1], "unknown")


def _api_requests(sim: RunningSimulator) -> list[tuple[str, str, str]]:
    return [(r.method, r.raw_path, r.query) for r in sim.state.request_log if not r.raw_path.startswith("/oauth2/")]


async def test_a_traversing_zpa_id_neither_reads_nor_deletes_zia_records(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sim = start_simulator()
    try:
        config = tmp_path / "config.yaml"
        config.write_text(ATTACK_POLICY)
        options = {"security": SecurityOptions(allow_unconfirmed_deletes=True)}
        with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER), run_gateway(sim.url, str(config), **options) as gw:
            async with Client(gw.mcp_url, mode="legacy") as client:
                read = await client.call_tool("zpa_get_segment_group", {"group_id": TRAVERSAL})
                delete = await client.call_tool("zpa_delete_segment_group", {"group_id": ATTACKS[1]})
        for result in (read, delete):
            text = result.content[0].text  # type: ignore[union-attr]
            assert result.is_error, text
            assert "Invalid arguments" in text and "'group_id'" in text and "ZPA id" in text, text
        assert not [r for r in _api_requests(sim) if "/zia/" in r[1]], "a ZPA tool reached the ZIA API"
        categories = next(c for c in sim.state.store.collections if c.path == "/zia/api/v1/urlCategories")
        assert categories.get("CUSTOM_01")["id"] == "CUSTOM_01"
        audits = [json.loads(r.getMessage()) for r in caplog.records if r.name == AUDIT_LOGGER]
        assert [(a["tool"], a["service"], a["outcome"]) for a in audits] == [
            ("zpa_get_segment_group", "zpa", "invalid"),
            ("zpa_delete_segment_group", "zpa", "invalid"),
        ]
    finally:
        sim.stop()


# --- every tool of the catalog ------------------------------------------------------------------


def _segment_cases() -> list[tuple[str, str]]:
    return sorted((t.name, p.name) for t in load_catalog().tools.values() for p, _ in segment_params(t))


CASES = _segment_cases()


def _marker(index: int, kind: Segment | None) -> str | int:
    """A value that passes validation and is easy to find in a URL."""
    if kind is Segment.DIGITS:
        return f"7731{index:02d}"
    if kind is Segment.INTEGER:
        return 773100 + index
    return f"mk{index:02d}q"


def _findable(tool: Tool, param: Param, index: int) -> str | int | None:
    """The marker an argument is given when it can carry one (segments, free strings, string lists)."""
    kind = segment_of(tool, param)
    if param.enum is None and (kind is not None or param.type in ("string", "array")):
        return _marker(index, kind)
    return None


def _benign(tool: Tool, param: Param, index: int) -> Any:
    """A value for an argument the case does not attack: the first enum member, else a findable marker."""
    if param.enum is not None:
        return param.enum[0]
    marker = _findable(tool, param, index)
    if param.type == "array":
        items = param.items or "string"
        if items == "string":
            return [marker]
        return [{"integer": 1, "number": 1, "boolean": False, "object": {}}[items]] if param.required else None
    if marker is not None:
        return marker
    if param.required:
        return {"integer": 1, "number": 1, "boolean": False, "object": {}}[param.type]
    return None


def _arguments(tool: Tool) -> dict[str, Any]:
    values = {p.name: _benign(tool, p, i) for i, p in enumerate(tool.params)}
    return {name: value for name, value in values.items() if value is not None}


@pytest.fixture(scope="module")
def upstream_sim() -> Iterator[RunningSimulator]:
    sim = start_simulator()  # writes change state: a simulator of this module's own
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def every_tool(upstream_sim: RunningSimulator, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    services = sorted({t.service for t in load_catalog().tools.values() if t.call is not None})
    return tool_gateway(upstream_sim.url, services, tmp_path_factory.mktemp("every-tool"))


def _run(gateway: Gateway, sim: RunningSimulator, tool: str, arguments: dict[str, Any]) -> tuple[Any, list[Any]]:
    sim.state.request_log.clear()
    result = asyncio.run(gateway.dispatcher.call(tool, arguments, Caller(principal="path-test")))
    return result, _api_requests(sim)


def test_declared_segments_are_exactly_the_arguments_the_sdk_puts_into_paths(
    every_tool: Gateway, upstream_sim: RunningSimulator
) -> None:
    catalog = load_catalog()
    missed, undeclared, invalid, elsewhere, tools = [], [], [], [], 0
    for tool in catalog.tools.values():
        if tool.call is None:
            continue
        arguments = _arguments(tool)
        result, requests = _run(every_tool, upstream_sim, tool.name, arguments)
        if "Invalid arguments" in result.text():
            invalid.append(result.text())
        paths = " ".join(path for _, path, _ in requests)
        chosen = tool.call.select(arguments)
        for index, param in enumerate(tool.params):
            marker = _findable(tool, param, index)
            if marker is None or not chosen.receives(param):
                continue
            declared = segment_of(tool, param) is not None
            if declared and requests and str(marker) not in paths:
                missed.append(f"{tool.name}.{param.name}")
            if not declared and str(marker) in paths:
                undeclared.append(f"{tool.name}.{param.name}")
        tools += bool(requests)
        elsewhere += [f"{tool.name}: {path}" for _, path, _ in requests if _route_service(path) != tool.service]
    assert not invalid, "\n".join(invalid)
    assert not elsewhere, f"tools that called another service's API: {elsewhere}"
    assert not undeclared, f"arguments that reach URL paths unchecked: {undeclared}"
    assert not missed, f"declared path segments that never reached a path: {missed}"
    assert tools > 300  # the walk really called the simulator for (almost) every tool


@pytest.mark.parametrize("payload", ATTACKS)
def test_every_path_argument_refuses_the_attack_payloads(
    every_tool: Gateway, upstream_sim: RunningSimulator, payload: str
) -> None:
    tools = load_catalog().tools
    escaped = []
    for tool_name, param_name in CASES:
        tool = tools[tool_name]
        arguments = {**_arguments(tool), param_name: payload}
        result, requests = _run(every_tool, upstream_sim, tool_name, arguments)
        refused = result.is_error and "Invalid arguments" in result.text() and repr(param_name) in result.text()
        if not refused or requests:
            escaped.append(f"{tool_name}.{param_name}: {result.text()[:120]}")
    assert not escaped, "\n".join(escaped)


# Characters with a meaning in URLs, controls, dots, non-ASCII, and the attack strings themselves.
URL_TEXT = st.one_of(
    st.text(st.sampled_from(list("./\\?#%&=;:@+ ~!$'()*,[]|\r\n\t\x00aZ09-_é漢")), min_size=1, max_size=24),
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=4), st.sampled_from(ATTACKS), st.text(max_size=4)),
    st.integers(min_value=-(2**40), max_value=2**64),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(CASES), payload=URL_TEXT)
@example(case=("get_zia_dlp_dictionaries", "dict_id"), payload="00")
def test_a_generated_path_value_is_refused_or_sent_as_one_literal_segment(
    every_tool: Gateway, upstream_sim: RunningSimulator, case: tuple[str, str], payload: Any
) -> None:
    tool_name, param_name = case
    tool = load_catalog().tools[tool_name]
    arguments = _arguments(tool)
    _, routes = _run(every_tool, upstream_sim, tool_name, arguments)
    marker = str(arguments[param_name])
    arguments[param_name] = payload
    result, requests = _run(every_tool, upstream_sim, tool_name, arguments)
    if result.is_error and "Invalid arguments" in result.text():
        assert repr(param_name) in result.text()
        assert not requests
        return
    assert isinstance(payload, (str, int)) and not isinstance(payload, bool)
    if isinstance(payload, str) and next(p for p in tool.params if p.name == param_name).type == "integer":
        payload = int(payload)  # an integer id given as digits is the integer they spell ("00" is 0)
    segment = quote(payload, safe="") if isinstance(payload, str) else str(payload)
    assert "/" not in segment and unquote(segment) == str(payload)
    expected = {path.replace(marker, segment) for _, path, _ in routes}
    for method, path, _ in requests:  # a real id may take a call further (a merge's PUT): same paths
        assert path in expected, f"{tool_name}: {method} {path} is not one of {expected}"
        assert _route_service(path) == tool.service  # the audit's service is the route's


def test_query_values_stay_values(every_tool: Gateway, upstream_sim: RunningSimulator) -> None:
    """A string sent as a query parameter cannot add parameters, a fragment or a path."""
    checked, injected = 0, []
    for tool in load_catalog().tools.values():
        if tool.call is None or tool.action.is_write:
            continue
        for param in tool.params:
            if param.location != "query" or param.type != "string" or param.enum is not None:
                continue
            _, requests = _run(every_tool, upstream_sim, tool.name, {param.name: "v1&injected=1#frag/../x"})
            checked += 1
            for _, path, query in requests:
                if "injected" in parse_qs(query) or "frag" in path or _route_service(path) != tool.service:
                    injected.append(f"{tool.name}.{param.name}: {path}?{query}")
    assert checked > 50 and not injected, injected


def test_an_id_a_lookup_finds_in_the_api_answer_cannot_leave_its_segment(
    every_tool: Gateway, upstream_sim: RunningSimulator
) -> None:
    groups = next(c for c in upstream_sim.state.store.collections if c.path.endswith("/ziam/admin/api/v1/groups"))
    hostile = {"id": UP + "zia/api/v1/users", "name": "Hostile Group", "displayName": "Hostile Group"}
    groups.records[hostile["id"]] = hostile  # an API answer nobody validated
    try:
        result, requests = _run(every_tool, upstream_sim, "zid_get_group_users_by_name", {"name": "Hostile Group"})
    finally:
        del groups.records[hostile["id"]]
    assert result.is_error and "returned an id that cannot be a URL path segment" in result.text(), result.text()
    assert requests and all(_route_service(path) == "zid" for _, path, _ in requests)
