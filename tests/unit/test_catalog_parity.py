"""Whole-catalog parity with the official zscaler-mcp 0.15.4 server: names, toolsets, read/write split.

The reference is the committed snapshot of the official 402 tools (`tests/data/`, written by
`scripts/snapshot_official.py`): service, toolset, action, `is_list` and `untrusted_content` of each.
Failures name what is missing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

from tests.support.official import official_tools
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.catalog.toolsets import UNTRUSTED

OFFICIAL = official_tools()
CATALOG = load_catalog()


def _by_service(names: set[str]) -> dict[str, list[str]]:
    services = {t["name"]: t["service"] for t in OFFICIAL}
    grouped: dict[str, list[str]] = {}
    for name in sorted(names):
        grouped.setdefault(services.get(name, "?"), []).append(name)
    return grouped


def test_the_reference_is_the_402_tool_catalog() -> None:
    assert len(OFFICIAL) == len({t["name"] for t in OFFICIAL}) == 402
    assert all(t["inputSchema"]["type"] == "object" for t in OFFICIAL)


def test_list_tools_all_prints_a_superset_of_the_official_names() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "zscaler_mcp_gateway.cli", "list-tools", "--all", "--format", "names"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    printed = set(proc.stdout.split())
    missing = {t["name"] for t in OFFICIAL} - printed
    assert not missing, f"{len(missing)} official tools missing, by service: {json.dumps(_by_service(missing))}"


def test_every_official_tool_has_the_same_service_toolset_and_action() -> None:
    wrong = {
        t["name"]: {
            "official": (t["service"], t["toolset"], t["action"]),
            "ours": (ours.service, ours.toolset, ours.action.value),
        }
        for t in OFFICIAL
        if (ours := CATALOG.tools.get(t["name"])) is not None
        and (ours.service, ours.toolset, ours.action.value) != (t["service"], t["toolset"], t["action"])
    }
    assert not wrong, json.dumps(wrong, indent=1)


def test_toolsets_are_the_official_ones_plus_meta() -> None:
    assert set(CATALOG.toolsets) == {t["toolset"] for t in OFFICIAL} | {"meta"}
    for toolset in CATALOG.toolsets.values():
        official_services = {t["service"] for t in OFFICIAL if t["toolset"] == toolset.id}
        assert official_services in (set(), {toolset.service}), toolset.id


def test_read_write_split_per_toolset_matches() -> None:
    official = Counter((t["toolset"], t["action"] == "read") for t in OFFICIAL)
    ours = Counter((t.toolset, not t.action.is_write) for t in CATALOG.tools.values() if t.toolset != "meta")
    differ = {
        f"{toolset} {'read' if read else 'write'}": {"official": n, "ours": ours[(toolset, read)]}
        for (toolset, read), n in sorted(official.items())
        if ours[(toolset, read)] != n
    }
    assert not differ, json.dumps(differ, indent=1)


def test_action_totals_per_service_match() -> None:
    official = Counter((t["service"], t["action"]) for t in OFFICIAL)
    ours = Counter((t.service, t.action.value) for t in CATALOG.tools.values() if t.service != "zscaler")
    assert ours == official, {
        k: (official[k], ours[k]) for k in official.keys() | ours.keys() if official[k] != ours[k]
    }


def test_every_tool_beyond_the_official_ones_is_a_gateway_meta_tool() -> None:
    extra = set(CATALOG.tools) - {t["name"] for t in OFFICIAL}
    assert {CATALOG.tools[n].toolset for n in extra} <= {"meta"}, sorted(extra)


def test_untrusted_content_tools_sit_in_toolsets_that_warn_about_it() -> None:
    flagged = [t["name"] for t in OFFICIAL if t["untrusted_content"] and t["name"] in CATALOG.tools]
    unwarned = [n for n in flagged if UNTRUSTED not in CATALOG.toolsets[CATALOG.tools[n].toolset].instructions]
    assert not unwarned, unwarned


def test_official_list_tools_are_list_shaped_here_too() -> None:
    """An official is_list tool returns many records: ours must not be a write or a status-only call."""
    lists = [t["name"] for t in OFFICIAL if t["is_list"] and t["name"] in CATALOG.tools]
    calls = {n: CATALOG.tools[n].call for n in lists}
    odd = [n for n in lists if CATALOG.tools[n].action.is_write or getattr(calls[n], "result", None) == "status"]
    assert not odd, odd
