"""A fresh clone alone passes the tests: no code or test reaches outside the repository for data."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("tests", "server", "operator", "scripts", "bench")
# `Path(__file__)` climbed with `.parents[N]` or a chain of `.parent`s.
PARENTS_INDEX = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]")
PARENT_CHAIN = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?((?:\.parent)+)\b")
# Literal paths to a sibling directory of the checkout or to this machine's shared reference.
OUTSIDE_LITERAL = re.compile(r"\.\./+shared\b|/work/shared\b|\.\.[/\\]\.\.[/\\]")


def _python_files() -> list[Path]:
    files = [path for top in SCANNED for path in (ROOT / top).rglob("*.py")]
    skipped = (".venv", "__pycache__")
    # This file is skipped: its probes below spell the patterns out.
    return [p for p in files if p != Path(__file__).resolve() and not any(part.startswith(skipped) for part in p.parts)]


def reaches_outside(path: Path, text: str) -> list[str]:
    """Each place in `text` (the source of `path`, inside ROOT) naming a path outside ROOT."""
    depth = len(path.relative_to(ROOT).parts) - 1  # parents[depth] is ROOT itself
    found = [f"parents[{m.group(1)}]" for m in PARENTS_INDEX.finditer(text) if int(m.group(1)) > depth]
    found += [
        f"Path(__file__){m.group(1)}" for m in PARENT_CHAIN.finditer(text) if m.group(1).count(".parent") > depth + 1
    ]
    found += [m.group(0) for m in OUTSIDE_LITERAL.finditer(text)]
    return found


def test_no_test_or_code_reads_outside_the_repository() -> None:
    files = _python_files()
    assert len(files) > 100  # the scan sees the tree
    offenders = {str(p.relative_to(ROOT)): hits for p in files if (hits := reaches_outside(p, p.read_text()))}
    assert not offenders, offenders


def test_the_scan_catches_each_way_of_climbing_out() -> None:
    probe = ROOT / "tests" / "unit" / "probe.py"
    assert reaches_outside(probe, 'Path(__file__).resolve().parents[3] / "shared"') == ["parents[3]"]
    assert reaches_outside(probe, "Path(__file__).parent.parent.parent.parent") == [
        "Path(__file__).parent.parent.parent.parent"
    ]
    assert reaches_outside(probe, 'open("../shared/reference/x.json")') == ["../shared"]
    assert reaches_outside(probe, 'Path("/work/shared/reference")') == ["/work/shared"]
    assert reaches_outside(probe, 'Path(__file__).resolve().parents[2] / "tests" / "data"') == []
    assert reaches_outside(probe, "Path(__file__).parent.parent.parent") == []
