"""The `zscaler-mcp-gateway` console entry: the collector paused (collector.py) before the CLI's imports."""

from __future__ import annotations

from . import collector


def main() -> int:
    collector.pause()
    from .cli import main as cli_main  # the imports the pause is for

    return cli_main()
