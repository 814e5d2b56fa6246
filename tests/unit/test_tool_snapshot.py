"""tests/snapshots/tools.json records every tool's wire form and SDK call; any change to them is a reviewed diff."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.catalog.model import Catalog, SdkResult
from zscaler_mcp_gateway.docs_gen import SNAPSHOT, main, render_tool_snapshot

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()
REGENERATE = "python -m zscaler_mcp_gateway.docs_gen"


def _drifted(committed: str, current: str) -> list[str]:
    old, new = json.loads(committed), json.loads(current)
    return sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))


def test_the_committed_snapshot_is_the_catalogs_wire_form_and_sdk_calls() -> None:
    committed = (ROOT / SNAPSHOT).read_text(encoding="utf-8")
    current = render_tool_snapshot(CATALOG)
    drifted = _drifted(committed, current)
    assert committed == current, (
        f"{len(drifted)} tools differ from {SNAPSHOT} (first: {drifted[:5]}); if the change is intended, "
        f"run `{REGENERATE}` and commit the snapshot with it"
    )


def test_the_snapshot_holds_every_tool_with_its_schema_annotations_and_call() -> None:
    snapshot = json.loads(render_tool_snapshot(CATALOG))
    assert list(snapshot) == sorted(CATALOG.tools)
    for name, tool in CATALOG.tools.items():
        entry = snapshot[name]
        assert entry["wire"]["name"] == name
        assert entry["wire"]["inputSchema"] == tool.input_schema()
        assert entry["wire"]["annotations"] == tool.annotations()
        assert (entry["call"] is None) == (tool.call is None)
        if tool.call is not None:
            assert entry["call"]["method"] == tool.call.method


def _with_changed_tool(name: str, **call_changes: object) -> Catalog:
    tool = CATALOG.tools[name]
    assert tool.call is not None
    params = tuple(dataclasses.replace(p, maximum=7) if p.type == "integer" else p for p in tool.params)
    changed = dataclasses.replace(tool, params=params, call=dataclasses.replace(tool.call, **call_changes))
    return Catalog.build(
        list(CATALOG.toolsets.values()), [changed if t.name == name else t for t in CATALOG.tools.values()]
    )


@pytest.mark.parametrize(
    ("name", "call_changes"),
    [
        ("zpa_list_segment_groups", {"paginate": False}),  # an integer bound and the paging of the call
        ("zia_list_rule_labels", {"result": SdkResult.BODY}),  # what the call returns
    ],
)
def test_a_builder_change_to_one_tool_shows_as_that_tool_alone(name: str, call_changes: dict[str, object]) -> None:
    before = render_tool_snapshot(CATALOG)
    after = render_tool_snapshot(_with_changed_tool(name, **call_changes))
    assert _drifted(before, after) == [name]


def test_the_generator_rewrites_a_stale_snapshot_and_check_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "README.md").write_text((ROOT / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / SNAPSHOT).parent.mkdir(parents=True)
    (tmp_path / SNAPSHOT).write_text("{}\n", encoding="utf-8")
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert f"stale: {tmp_path / SNAPSHOT} (run {REGENERATE})" in capsys.readouterr().err
    assert main(["--root", str(tmp_path)]) == 0
    assert (tmp_path / SNAPSHOT).read_text(encoding="utf-8") == (ROOT / SNAPSHOT).read_text(encoding="utf-8")
