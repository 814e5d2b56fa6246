"""docs/toolsets.md and the README's tool tables are generated from the catalog and must be current."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.docs_gen import (
    BEGIN,
    END,
    main,
    render_readme_tables,
    render_toolsets,
    stale,
    with_readme_tables,
)
from zscaler_mcp_gateway.policy import matches_any

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()


def test_generated_docs_match_the_catalog() -> None:
    assert not stale(ROOT, CATALOG), (
        "generated docs are stale: run `python -m zscaler_mcp_gateway.docs_gen` and commit the result"
    )


def test_toolsets_doc_names_every_toolset_and_tool_with_its_action() -> None:
    text = render_toolsets(CATALOG)
    for toolset in CATALOG.toolsets.values():
        assert f"### `{toolset.id}`" in text
    for tool in CATALOG.tools.values():
        assert f"| `{tool.name}` | {tool.action.value} |" in text


def test_readme_tables_count_every_toolset() -> None:
    block = render_readme_tables(CATALOG)
    assert all(f"| `{ts}` |" in block for ts in CATALOG.toolsets)
    assert f"{len(CATALOG.tools)} tools" in block


def test_the_alias_rule_is_documented_and_true() -> None:
    text = render_toolsets(CATALOG)
    assert 'disabledTools: ["zia_*"]' in text and "`get_zia_*`" in text
    misnamed = [t for t in CATALOG.tools.values() if t.aliases]
    assert misnamed, "the official catalog has tools outside their service prefix"
    for tool in misnamed:
        assert f"| `{tool.name}` | {tool.service} | `{tool.aliases[0]}` |" in text
        assert matches_any(tool, [f"{tool.service}_*"])


def test_check_fails_on_stale_files_and_the_generator_fixes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "toolsets.md").write_text("# old\n")
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert "stale:" in capsys.readouterr().err
    assert main(["--root", str(tmp_path)]) == 0
    assert main(["--check", "--root", str(tmp_path)]) == 0
    readme = (tmp_path / "README.md").read_text()
    assert readme.startswith((ROOT / "README.md").read_text()[:200])  # only the block changes


def test_the_readme_block_needs_both_markers() -> None:
    with pytest.raises(ValueError, match="BEGIN GENERATED TOOL TABLES"):
        with_readme_tables("# README\n", "x")
    assert with_readme_tables(f"a\n{BEGIN}\nold\n{END}\nb\n", "new\n") == f"a\n{BEGIN}\nnew\n{END}\nb\n"
