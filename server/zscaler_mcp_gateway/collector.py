"""The cyclic garbage collector during start-up: paused while the modules load, then resumed.

Loading the gateway's modules (the `mcp` SDK's ~550 pydantic models, the catalog, starlette,
uvicorn) allocates ~135,000 objects that live as long as the process and fewer than 1,000 that are
cyclic garbage; the collector's passes over them during the imports are ~10 % of the start-up's CPU
(docs/performance.md). `resume` then moves what the imports made to the permanent generation
(`gc.freeze`, the pattern the `gc` docs give for pre-fork servers), so no later full collection walks
them again (each such walk costs 30-60 ms of a serving process), and collects as usual from there.
Only the console entry (`launch.py`) pauses it: a process that imports the gateway as a library
(the tests, the operator) never has its collector touched.
"""

from __future__ import annotations

import gc


def pause() -> None:
    gc.disable()


def resume() -> None:
    """Idempotent; does nothing unless `pause` ran (the collector then was never switched off here)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
