"""The official zscaler-mcp 0.15.4 catalog, as committed in `tests/data/` by `scripts/snapshot_official.py`.

Each tool: name, service, toolset, action, is_list, untrusted_content (from the official registry) and
description, inputSchema, annotations (from its tools/list with every toolset and write enabled).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parents[1] / "data" / "official-0.15.4-tools.json"


@cache
def official_tools() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(SNAPSHOT.read_text())["tools"])


def official_by_name() -> dict[str, dict[str, Any]]:
    return {tool["name"]: tool for tool in official_tools()}
