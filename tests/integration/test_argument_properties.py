"""Generated arguments for every served tool, through the dispatcher, against the simulator.

`hypothesis-jsonschema` draws arguments from each tool's own input schema (what clients see in
tools/list); invalid calls break one argument against its schema, add an unknown one or drop a required
one. Every call must come back as a result (never an exception: the MCP layer would answer -32603), and
every invalid call must be refused with a message naming the argument. Bounded: a few examples per
tool, derandomized, so the run is the same each time and stays well under a minute on 2 cores.
"""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tests.support.toolcalls import tool_gateway
from zscaler_mcp_gateway.app import Gateway
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.catalog.model import Tool
from zscaler_mcp_gateway.dispatch import Caller
from zscaler_mcp_gateway.simulator import start_simulator

CATALOG = load_catalog()
SERVICES = ["zia", "zpa", "zdx", "zcc", "ztw", "zid", "zeasm", "zins", "zms", "zcell"]
TOOLS = sorted(CATALOG.tools)
EXAMPLES = settings(
    max_examples=3,
    phases=[Phase.generate],  # no shrinking: a failure is reported as drawn, with its arguments
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
COUNTS: Counter[str] = Counter()
JSON_VALUES = st.recursive(
    st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    sim = start_simulator()  # writes change state: a simulator of this module's own
    yield tool_gateway(sim.url, SERVICES, tmp_path_factory.mktemp("properties"))
    sim.stop()
    print(
        f"\nproperty test: {COUNTS['valid']} valid and {COUNTS['invalid']} invalid generated calls "
        f"over {COUNTS['tools']} tools, {COUNTS['refused-valid']} valid ones refused by the API or validator"
    )


def _dispatch(gateway: Gateway, tool: Tool, arguments: dict[str, Any]) -> tuple[bool, str]:
    """(is_error, text); an exception escaping the dispatcher fails the test with the call that raised it."""

    async def run() -> tuple[bool, str]:
        result = await gateway.dispatcher.call(tool.name, arguments, Caller(principal="property-test"))
        return result.is_error, result.text()

    try:
        return asyncio.run(run())
    except Exception as exc:  # the MCP layer would turn this into JSON-RPC -32603
        raise AssertionError(f"{tool.name}({arguments!r}) raised {type(exc).__name__}: {exc}") from exc


@functools.cache
def arguments_of(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments valid against the tool's input schema (built once per tool: it is the costly part)."""
    return from_schema(CATALOG.tools[name].input_schema())


@st.composite
def invalid_call(draw: st.DrawFn, tool: Tool) -> tuple[dict[str, Any], str]:
    """(arguments, the argument name the refusal must mention)."""
    schema = tool.input_schema()
    base: dict[str, Any] = draw(arguments_of(tool.name))
    kinds = ["unknown"] + (["wrong"] if tool.params else []) + (["missing"] if schema.get("required") else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "unknown":
        name = draw(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=12).filter(lambda n: n not in base))
        known = {p.name for p in tool.params}
        name = name if name not in known else name + "_not_an_argument"
        return {**base, name: draw(JSON_VALUES)}, name
    if kind == "missing":
        name = draw(st.sampled_from(schema["required"]))
        gone = {name}
        for _ in tool.params:  # everything that stands in for it, directly or through an alias
            gone |= {p.name for p in tool.params if {p.alias_of, p.satisfies} & gone}
        return {k: v for k, v in base.items() if k not in gone}, name
    param = draw(st.sampled_from(tool.params))
    checker = jsonschema.Draft7Validator(param.json_schema())
    bad = draw(JSON_VALUES.filter(lambda v: not checker.is_valid(v)))
    return {**base, param.name: bad}, param.name


@pytest.mark.parametrize("name", TOOLS)
def test_generated_arguments_never_break_the_gateway(gateway: Gateway, name: str) -> None:
    tool = CATALOG.tools[name]
    COUNTS["tools"] += 1

    @EXAMPLES
    @given(arguments=arguments_of(name))
    def valid(arguments: dict[str, Any]) -> None:
        is_error, _ = _dispatch(gateway, tool, arguments)
        COUNTS["valid"] += 1
        COUNTS["refused-valid"] += is_error

    @EXAMPLES
    @given(case=invalid_call(tool))
    def invalid(case: tuple[dict[str, Any], str]) -> None:
        arguments, argument = case
        is_error, text = _dispatch(gateway, tool, arguments)
        COUNTS["invalid"] += 1
        assert is_error and f"'{argument}'" in text, f"{name}({arguments!r}) -> {text[:300]}"

    valid()
    invalid()
