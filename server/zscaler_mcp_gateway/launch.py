"""The `zscaler-mcp-gateway` console entry: the process settings of a long-running server, made before the
CLI's imports: the collector paused (collector.py), large blocks given back when freed (allocator.py)."""

from __future__ import annotations

from . import allocator, collector


def main() -> int:
    collector.pause()
    allocator.return_large_blocks()
    from .cli import main as cli_main  # the imports the pause is for

    return cli_main()
