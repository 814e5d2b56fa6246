"""Write the official zscaler-mcp 0.15.4 catalog into the repository's test data.

    python scripts/snapshot_official.py [--out tests/data/official-0.15.4-tools.json]

Runs the official server from `bench/.venv-official` (created by `bench/official_env.py` when
missing) on 127.0.0.1, pointed at our simulator the way `bench/official_launcher.py` does, with every
toolset and every write tool enabled, and records its `tools/list` (name, description, input schema,
annotations) together with the registry facts tools/list does not carry (service, toolset, action,
is_list, untrusted_content), read from the official package's own registry. The parity tests read
only this file, so a fresh clone needs neither the official package nor anything outside the repo.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import harness  # noqa: E402
from mcpclient import McpClient  # noqa: E402
from official_env import OFFICIAL_VERSION, ensure_official_env  # noqa: E402

DEFAULT_OUT = ROOT / "tests" / "data" / f"official-{OFFICIAL_VERSION}-tools.json"

# Printed by the official python: one JSON object per registered tool, from its registry.
_REGISTRY_FACTS = """
import json
from zscaler_mcp.registry import REGISTRY, discover_tools
discover_tools()
print(json.dumps([
    {"name": s.name, "service": s.service, "toolset": s.toolset, "action": s.action,
     "is_list": bool(s.is_list), "untrusted_content": bool(s.untrusted_content)}
    for s in REGISTRY
]))
"""


def registry_facts(python: Path) -> dict[str, dict[str, Any]]:
    proc = subprocess.run([str(python), "-c", _REGISTRY_FACTS], capture_output=True, text=True, timeout=300, check=True)
    return {fact["name"]: fact for fact in json.loads(proc.stdout)}


def served_tools(python: Path, workdir: Path) -> list[dict[str, Any]]:
    """tools/list of the official server with everything enabled, against the simulator."""
    simulator = harness.simulator_spec(harness.free_port())
    with harness.running(simulator, workdir / "simulator.log"):
        official = harness.official_spec(python, simulator.base_url, workdir / "official", api_key=False)
        official.argv += ["--enable-write-tools", "--write-tools", "*"]
        with (
            harness.running(official, workdir / "official.log", ready_timeout=180),
            McpClient(official.mcp_url, timeout=120) as client,
        ):
            client.initialize()
            return list(client.list_tools().result["tools"])


def snapshot(python: Path) -> dict[str, Any]:
    facts = registry_facts(python)
    with tempfile.TemporaryDirectory(prefix="official-snapshot-") as tmp:
        listed = served_tools(python, Path(tmp))
    names = {tool["name"] for tool in listed}
    if names != set(facts):
        raise SystemExit(f"tools/list and the registry disagree: {sorted(names ^ set(facts))}")
    tools = [
        {
            **facts[tool["name"]],
            "description": tool.get("description", ""),
            "inputSchema": tool["inputSchema"],
            "annotations": tool.get("annotations") or {},
        }
        for tool in sorted(listed, key=lambda t: t["name"])
    ]
    return {"package": "zscaler-mcp", "version": OFFICIAL_VERSION, "tools": tools}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    python = ensure_official_env(quiet=True)
    data = snapshot(python)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"{len(data['tools'])} official tools -> {args.out}")


if __name__ == "__main__":
    main()
