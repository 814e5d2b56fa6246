"""Every call valid on the official zscaler-mcp 0.15.4 is valid here: names, types and required sets.

Walks each official tool's input schema from the committed snapshot (`tests/data/`), builds values of
every type the official accepts for each argument, and runs them through the gateway's own validator.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.official import official_tools
from zscaler_mcp_gateway.arguments import validate_arguments
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.catalog.model import Param, Tool

CATALOG = load_catalog()
TOTAL = 402
MINIMUM_ACCEPTED = 398


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return _resolve(defs[ref.rsplit("/", 1)[-1]], defs) if ref else schema


def official_alternatives(schema: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of an official property schema."""
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        return [alt for sub in schema["anyOf"] for alt in official_alternatives(sub, defs)]
    return [] if schema.get("type") == "null" else [schema]


def sample(schema: dict[str, Any], defs: dict[str, Any], ours: Param | None) -> list[Any]:
    """Official-valid values of one alternative: each enum value, else one value of its type.

    Where the official says only "string" and ours names the values the API takes (an enum) or an integer id,
    the sample is one of those: the official would pass any string through to the API, which rejects the rest.
    """
    schema = _resolve(schema, defs)
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    kind = schema.get("type")
    if kind is None and ours is not None:  # untyped ("any"): a value of ours, and as JSON text where ours takes that
        value = ours_value(ours)
        return [value, json.dumps(value)] if ours.type in ("array", "object") and "string" in ours.also else [value]
    if kind == "string":
        if ours is not None and ours.enum:
            return [ours.enum[0]]
        numeric = ours is not None and (ours.type == "integer" or ours.name.endswith("_id"))
        return ["12345"] if numeric else ["x"]  # ids: what an id is (ZPA's are digits in a string)
    if kind == "integer":
        return [ours.enum[0]] if ours is not None and ours.enum else [max(int(schema.get("minimum", 1)), 1)]
    if kind == "number":
        return [float(schema.get("minimum", 1.5))]
    if kind == "boolean":
        return [True, False]
    if kind == "array" and ours is not None and ours.syntax in SYNTAX_SAMPLES:
        return [SYNTAX_SAMPLES[ours.syntax]]
    if kind == "array":
        item_schema = schema.get("items") or {}
        items = official_alternatives(item_schema, defs) if item_schema else []
        item_param = None if ours is None else Param(ours.name, ours.items or "string", "", enum=ours.enum)
        return [[sample(items[0], defs, item_param)[0]]] if items else [[]]
    if kind == "object":
        return [{}]
    return ["x"]


# Values of the official's types in the shape the API takes, for params whose values have a syntax (the
# official passes any array of string arrays, or anything, to the SDK, which fails on the rest).
SYNTAX_SAMPLES: dict[str, Any] = {
    "port_rows": [["dest", "tcp", "443"]],
    "zpa_conditions": [{"operator": "OR", "operands": [{"objectType": "APP", "lhs": "id", "rhs": "1"}]}],
}


def ours_value(param: Param) -> Any:
    """A value our own schema takes for this param."""
    if param.syntax in SYNTAX_SAMPLES:
        return SYNTAX_SAMPLES[param.syntax]
    if param.enum:
        return param.enum[0]
    item = {"integer": 1, "object": {}}.get(param.items or "string", "x")
    text = "12345" if param.name.endswith("_id") else "x"
    return {"array": [item], "object": {}, "integer": 1, "number": 1.5, "boolean": True}.get(param.type, text)


def _base_call(official: dict[str, Any], ours: Tool) -> dict[str, Any]:
    schema = official["inputSchema"]
    defs = schema.get("$defs", {})
    known = {p.name: p for p in ours.params}
    call: dict[str, Any] = {}
    for name, _ in ours.api_requirements:  # the API (and often the official) rejects a call without these
        call[name] = ours_value(known[name])
    for name in schema.get("required", []):
        alternatives = official_alternatives(schema["properties"][name], defs)
        call[name] = sample(alternatives[0], defs, known.get(name))[0] if alternatives else "x"
    return call


def problems(official: dict[str, Any]) -> list[str]:
    """Why an official-valid call to this tool would be refused here (empty: every one is accepted)."""
    ours = CATALOG.tools.get(official["name"])
    if ours is None:
        return ["not served"]
    schema = official["inputSchema"]
    defs = schema.get("$defs", {})
    known = {p.name: p for p in ours.params}
    found = [f"no argument {name!r}" for name in schema.get("properties", {}) if name not in known]
    documented = {name for name, _ in ours.api_requirements}
    official_required = set(schema.get("required", []))
    for p in ours.params:
        names = {p.name} | {a.name for a in ours.params if p.name in (a.alias_of, a.satisfies)}  # what stands for it
        if p.required and not names & official_required and p.name not in documented:
            found.append(f"requires {p.name!r} (the official does not, and no API reason is documented)")
    base = _base_call(official, ours)
    _, errors = validate_arguments(ours, base)
    found += [f"required arguments alone: {e}" for e in errors]
    for name, prop in schema.get("properties", {}).items():
        if name not in known:
            continue
        for alternative in official_alternatives(prop, defs):
            for value in sample(alternative, defs, known[name]):
                _, errors = validate_arguments(ours, {**base, name: value})
                found += [f"{name}={value!r}: {e}" for e in errors]
        _, errors = validate_arguments(ours, {**base, name: None} if name not in base else base)
        found += [f"{name}=null: {e}" for e in errors]
    return found


def test_official_valid_arguments_are_accepted_on_nearly_every_tool(capsys: pytest.CaptureFixture[str]) -> None:
    official = official_tools()
    assert len(official) == TOTAL
    refused = {t["name"]: found for t in official if (found := problems(t))}
    accepted = TOTAL - len(refused)
    with capsys.disabled():
        print(f"\nofficial-valid arguments accepted: {accepted}/{TOTAL} tools")
        for name, found in sorted(refused.items()):
            print(f"  {name}: {'; '.join(found)[:300]}")
    assert accepted >= MINIMUM_ACCEPTED, sorted(refused)


def test_extra_requirements_are_said_in_the_tool_description() -> None:
    for tool in CATALOG.tools.values():
        for name, reason in tool.api_requirements:
            assert reason and f"`{name}`" in tool.description and reason in tool.description, tool.name


def test_the_checker_catches_a_renamed_argument_a_narrower_type_and_an_extra_requirement() -> None:
    official = {
        "name": "zpa_get_segment_group",
        "inputSchema": {
            "type": "object",
            "properties": {"segment_group_id": {"type": "string"}, "flag": {"type": "integer"}},
            "required": [],
        },
    }
    assert any("no argument 'segment_group_id'" in p for p in problems(official))
    official["inputSchema"]["properties"] = {"group_id": {"type": "integer"}}
    assert any("group_id=1" in p for p in problems(official))  # ZPA ids stay strings
    official["inputSchema"]["properties"] = {"group_id": {"type": "string"}}
    assert any("requires 'group_id'" in p for p in problems(official))
