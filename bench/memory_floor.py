"""The memory floor of the prescribed stack: RSS of a fresh interpreter as each layer is imported.

    python bench/memory_floor.py                       # against the newest bench/results/*.json
    python bench/memory_floor.py --official-peak-mib 150

Each row is measured in new interpreters (median of --runs), importing the layers above it too, so
the figures are what any server built on these packages holds before it serves anything. The last
lines compare the floor (the `mcp` server SDK plus `zscaler-sdk-python`, which the gateway must
import) with half the official server's peak RSS, the issue's memory target.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
LAYERS: list[tuple[str, list[str]]] = [
    ("interpreter", []),
    ("+ uvicorn, starlette, pydantic, httpx", ["uvicorn", "starlette.applications", "pydantic", "httpx"]),
    (
        "+ mcp server SDK (lowlevel Server, streamable HTTP)",
        ["mcp.server.lowlevel", "mcp.server.streamable_http_manager"],
    ),
    ("+ zscaler-sdk-python (`import zscaler`)", ["zscaler"]),
    ("+ the gateway's own modules (catalog, telemetry, security)", ["zscaler_mcp_gateway.app"]),
]
FLOOR_LAYER = 3  # the mcp server SDK and the zscaler SDK: what no gateway on this stack can avoid
PROBE = (
    "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)\n"
    "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')))"
)


def rss_mib(modules: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE, *modules], capture_output=True, text=True, timeout=120, check=True
        )
        samples.append(int(out.stdout.strip()) / 1024)
    return statistics.median(samples)


def official_peak_mib(explicit: float | None) -> tuple[float | None, str]:
    if explicit is not None:
        return explicit, "--official-peak-mib"
    for path in sorted(RESULTS.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        peak = json.loads(path.read_text()).get("official", {}).get("load_peak_kib")
        if peak:
            return peak / 1024, str(path)
    return None, "no bench result with the official server's peak (run bench/run.py first)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--official-peak-mib", type=float)
    args = parser.parse_args()
    modules: list[str] = []
    rows = []
    for label, layer in LAYERS:
        modules = modules + layer
        rows.append((label, rss_mib(modules, args.runs)))
    print(f"{'layer (cumulative)':60s} {'RSS MiB':>8s} {'added':>7s}")
    previous = 0.0
    for label, mib in rows:
        print(f"{label:60s} {mib:8.1f} {mib - previous:+7.1f}")
        previous = mib
    floor = rows[FLOOR_LAYER][1]
    peak, source = official_peak_mib(args.official_peak_mib)
    print(f"\nimport floor (mcp server SDK + zscaler SDK): {floor:.1f} MiB")
    if peak is None:
        print(source)
        return 0
    print(f"official peak RSS under load: {peak:.1f} MiB ({source}); the target, half of it: {peak / 2:.1f} MiB")
    verdict = "reachable" if floor <= peak / 2 else "below the floor"
    print(f"floor / official peak = {floor / peak:.2f}x: the 0.5x target is {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
