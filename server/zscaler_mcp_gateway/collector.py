"""The cyclic garbage collector during start-up: paused while the modules load, resumed to serve.

Loading the gateway's modules (the `mcp` SDK's ~550 pydantic models, the catalog, starlette,
uvicorn) allocates ~135,000 objects that live as long as the process and fewer than 1,000 that are
cyclic garbage; the collector's passes over them during the imports are ~10 % of the start-up's CPU
(docs/performance.md). `resume` moves what the imports made to the permanent generation
(`gc.freeze`) and switches collection on: the first requests' young collections do not walk those
objects either. `collect_start_up_garbage`, run at the first quiet moment, before the upstream warm-up
(whose import of the Zscaler SDK then reuses what it frees, unless the entitlement filter's first
token request imported it already), puts them back and makes one full pass (30-120 ms), which frees
the imports' garbage. A process that never has a quiet moment keeps them frozen: ~130,000 objects
that live as long as it does, and the few hundred KiB of that garbage (so does the `simulator`
subcommand, which never warms an upstream).
Only the console entry (`launch.py`) pauses the collector: a process that imports the gateway as a
library (the tests, the operator) never has it touched.
"""

from __future__ import annotations

import gc


class _StartUp:
    paused = False  # pause() switched the collector off and resume() has not switched it on again
    frozen = False  # resume() froze the imports' objects and collect_start_up_garbage() has not run


def pause() -> None:
    gc.disable()
    _StartUp.paused = True


def resume() -> None:
    """Does nothing unless `pause` ran: a collector switched off by whoever embeds the gateway stays off."""
    if _StartUp.paused:
        _StartUp.paused = False
        gc.freeze()
        gc.enable()
        _StartUp.frozen = True


def collect_start_up_garbage() -> None:
    """Once, after `resume`: unfreeze and collect everything (a full pass: 30-120 ms holding the GIL, so the
    caller runs it when no request is being served)."""
    if _StartUp.frozen:
        _StartUp.frozen = False
        gc.unfreeze()
        gc.collect()
