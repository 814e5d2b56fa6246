"""Read-tool parity: the official zscaler-mcp 0.15.4 and this gateway on one simulator, identical arguments.

    python bench/parity.py [--only PATTERN] [--json FILE]

Every read tool of the official catalog (tests/data/official-0.15.4-tools.json) is called on both
servers with the same arguments, built only from the official input schema: its required arguments,
valued from the argument tables of the catalog tests (tests/integration/test_*_tools.py), the tool's
own there, else a value of that name from a tool of the same toolset; typed as the official types them.
Per tool it prints `official ok / gateway ok / same records` (the same record ids, or the same number
of records when they have none) and the totals. The official server runs in bench/.venv-official
(python bench/official_env.py), as in run.py.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.integration import (  # noqa: E402
    test_other_services_tools,
    test_zdx_zcc_tools,
    test_zia_tools,
    test_zpa_tools,
)
from tests.support.official import official_tools  # noqa: E402

import harness  # noqa: E402
from mcpclient import McpClient, McpError  # noqa: E402
from official_env import ensure_official_env  # noqa: E402
from zscaler_mcp_gateway.catalog import load_catalog  # noqa: E402

ARGUMENT_TABLES = (test_zpa_tools, test_zia_tools, test_zdx_zcc_tools, test_other_services_tools)
LIST_KEYS = ("items", "records", "list", "results", "result", "nodes")


def known_arguments() -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], Any]]:
    """(arguments per tool, one value per (toolset, argument name)) from the catalog tests' tables.

    A value is borrowed only within a toolset: `name` or `group_id` mean different things elsewhere.
    """
    toolset_of = {tool.name: tool.toolset for tool in load_catalog().tools.values()}
    per_tool: dict[str, dict[str, Any]] = {}
    by_name: dict[tuple[str, str], Any] = {}
    for module in ARGUMENT_TABLES:
        for tool, arguments in module.READ_ARGS.items():
            per_tool[tool] = dict(arguments)
            for name, value in arguments.items():
                by_name.setdefault((toolset_of.get(tool, ""), name), value)
    return per_tool, by_name


def _types(schema: Mapping[str, Any]) -> set[str]:
    if "type" in schema:
        kinds = schema["type"]
        return set(kinds) if isinstance(kinds, list) else {kinds}
    return {t for option in schema.get("anyOf", []) for t in _types(option)}


def typed(value: Any, schema: Mapping[str, Any]) -> Any:
    """`value` as the official schema types it (ids as strings where it takes strings)."""
    kinds = _types(schema)
    if isinstance(value, int) and not isinstance(value, bool) and "integer" not in kinds and "string" in kinds:
        return str(value)
    if isinstance(value, str) and value.isdigit() and "string" not in kinds and "integer" in kinds:
        return int(value)
    return value


def official_arguments(
    tool: Mapping[str, Any], per_tool: Mapping[str, dict[str, Any]], by_name: Mapping[tuple[str, str], Any]
) -> dict[str, Any] | None:
    """The tool's arguments, or None when a required one has no known value."""
    schema = tool["inputSchema"]
    properties: dict[str, Any] = schema.get("properties", {})
    mine = per_tool.get(tool["name"], {})
    arguments = {name: typed(value, properties[name]) for name, value in mine.items() if name in properties}
    for name in schema.get("required", []):
        if name in arguments:
            continue
        if (tool["toolset"], name) not in by_name:
            return None
        arguments[name] = typed(by_name[(tool["toolset"], name)], properties[name])
    return arguments


def payload(result: Mapping[str, Any]) -> Any:
    """A tools/call result's data: structured content, else the first text block parsed as JSON."""
    structured = result.get("structuredContent")
    if structured is not None:
        return structured.get("result", structured) if set(structured) == {"result"} else structured
    text = "".join(c.get("text", "") for c in result.get("content", []) if c.get("type") == "text")
    try:
        return json.loads(text)
    except ValueError:
        start = min((i for i in (text.find("["), text.find("{")) if i >= 0), default=-1)
        try:
            return json.loads(text[start:]) if start >= 0 else text
        except ValueError:
            return text


def records(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in LIST_KEYS:
            if isinstance(data.get(key), list):
                return list(data[key])
    return [data]


def identities(data: Any) -> list[str] | int:
    """Sorted record ids, or the number of records when they carry none."""
    rows = records(data)
    ids = [str(r["id"]) for r in rows if isinstance(r, dict) and r.get("id") is not None]
    return sorted(ids) if ids and len(ids) == len(rows) else len(rows)


def call(client: McpClient, name: str, arguments: dict[str, Any]) -> tuple[bool, Any, str]:
    try:
        reply = client.request("tools/call", {"name": name, "arguments": arguments})
    except McpError as exc:
        return False, None, str(exc)[:200]
    result = reply.result
    data = payload(result)
    if result.get("isError"):
        return False, None, str(data)[:200]
    return True, data, ""


def compare(only: str, out: Path | None) -> dict[str, Any]:
    python = ensure_official_env(quiet=True)
    per_tool, by_name = known_arguments()
    tools = [t for t in official_tools() if t["action"] == "read" and fnmatch.fnmatch(t["name"], only)]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="parity-") as tmp:
        work = Path(tmp)
        simulator = harness.simulator_spec(harness.free_port())
        with harness.running(simulator, work / "simulator.log"):
            config = work / "config.yaml"
            config.write_text("toolsets: [all]\n")
            gateway = harness.GatewaySetup(work / "gateway").spec(simulator.base_url, config)
            official = harness.official_spec(python, simulator.base_url, work / "official", api_key=False)
            with (
                harness.running(gateway, work / "gateway.log"),
                harness.running(official, work / "official.log", ready_timeout=180),
                McpClient(gateway.mcp_url, timeout=120) as ours,
                McpClient(official.mcp_url, timeout=120) as theirs,
            ):
                ours.initialize()
                theirs.initialize()
                for row in _rows(tools, per_tool, by_name, ours, theirs):
                    rows.append(row)
                    print(_line(row), flush=True)
    summary = _summary(rows)
    print(
        f"\nread tools: {summary['tools']}  official ok: {summary['official_ok']}  gateway ok: {summary['gateway_ok']}"
        f"  same records: {summary['same_records']} of {summary['both_ok']} answered by both"
        f"  (no argument value: {summary['no_arguments']})"
    )
    if out is not None:
        out.write_text(json.dumps({"summary": summary, "tools": rows}, indent=1, sort_keys=True) + "\n")
    return summary


def _rows(
    tools: list[dict[str, Any]],
    per_tool: Mapping[str, dict[str, Any]],
    by_name: Mapping[tuple[str, str], Any],
    ours: McpClient,
    theirs: McpClient,
) -> Iterator[dict[str, Any]]:
    for tool in tools:
        arguments = official_arguments(tool, per_tool, by_name)
        if arguments is None:
            yield {"tool": tool["name"], "arguments": None}
            continue
        official_ok, official_data, official_error = call(theirs, tool["name"], arguments)
        gateway_ok, gateway_data, gateway_error = call(ours, tool["name"], arguments)
        same = official_ok and gateway_ok and identities(official_data) == identities(gateway_data)
        yield {
            "tool": tool["name"],
            "arguments": arguments,
            "official_ok": official_ok,
            "gateway_ok": gateway_ok,
            "same_records": same,
            "official_error": official_error,
            "gateway_error": gateway_error,
            "official_records": identities(official_data) if official_ok else None,
            "gateway_records": identities(gateway_data) if gateway_ok else None,
        }


def _line(row: dict[str, Any]) -> str:
    if row["arguments"] is None:
        return f"{row['tool']:<55} no argument value for a required official argument"
    marks = " / ".join("yes" if row[k] else "no" for k in ("official_ok", "gateway_ok", "same_records"))
    detail = row["gateway_error"] or row["official_error"]
    return f"{row['tool']:<55} {marks}" + (f"   {detail[:100]}" if detail else "")


def _summary(rows: list[dict[str, Any]]) -> dict[str, int]:
    called = [r for r in rows if r["arguments"] is not None]
    return {
        "tools": len(rows),
        "no_arguments": len(rows) - len(called),
        "official_ok": sum(r["official_ok"] for r in called),
        "gateway_ok": sum(r["gateway_ok"] for r in called),
        "both_ok": sum(r["official_ok"] and r["gateway_ok"] for r in called),
        "same_records": sum(r["same_records"] for r in called),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="*", help="fnmatch pattern of tool names (default: every read tool)")
    parser.add_argument("--json", type=Path, help="also write every row to this file")
    args = parser.parse_args()
    print("tool                                                    official ok / gateway ok / same records")
    compare(args.only, args.json)


if __name__ == "__main__":
    main()
