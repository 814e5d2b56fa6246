"""The memory floor of the prescribed stack: RSS of a fresh interpreter as each layer is imported.

    python bench/memory_floor.py                       # against the newest bench/results/*.json
    python bench/memory_floor.py --gateway-peak-mib 105

Each row is measured in new interpreters (median of --runs), importing the layers above it too, so
the figures are what any server built on these packages holds before it serves anything. The last
lines compare the floor (the `mcp` server SDK plus `zscaler-sdk-python`, which the gateway must
import) plus FLOOR_ALLOWANCE_MIB, the memory target, with the gateway's peak RSS after load.
bench/run.py measures the floor the same way (`floor_mib`) in each run that has a load.
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
FLOOR_ALLOWANCE_MIB = 12.0  # the target: peak RSS after load <= floor + this (catalog, listings, sessions, buffers)
PROBE = (
    "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)\n"
    "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')))"
)


def rss_mib(modules: list[str], runs: int, python: Path | None = None) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [str(python or sys.executable), "-c", PROBE, *modules],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        samples.append(int(out.stdout.strip()) / 1024)
    return statistics.median(samples)


def floor_modules() -> list[str]:
    return [module for _, layer in LAYERS[: FLOOR_LAYER + 1] for module in layer]


def floor_mib(runs: int, python: Path | None = None) -> float:
    """The import floor (mcp server SDK + zscaler SDK), median RSS of `runs` fresh `python` interpreters."""
    return rss_mib(floor_modules(), runs, python)


def gateway_peak_mib(explicit: float | None) -> tuple[float | None, str]:
    if explicit is not None:
        return explicit, "--gateway-peak-mib"
    for path in sorted(RESULTS.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        peak = json.loads(path.read_text()).get("gateway", {}).get("load_peak_kib")
        if peak:
            return peak / 1024, str(path)
    return None, "no bench result with the gateway's peak after load (run bench/run.py first)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--gateway-peak-mib", type=float)
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
    bound = floor + FLOOR_ALLOWANCE_MIB
    peak, source = gateway_peak_mib(args.gateway_peak_mib)
    print(f"\nimport floor (mcp server SDK + zscaler SDK): {floor:.1f} MiB; the target: <= {bound:.1f} MiB")
    if peak is None:
        print(source)
        return 0
    verdict = "MET" if peak <= bound else "MISSED"
    print(f"gateway peak RSS after load: {peak:.1f} MiB ({source}): floor {peak - floor:+.1f} MiB, {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
