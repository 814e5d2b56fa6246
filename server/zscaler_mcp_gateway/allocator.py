"""glibc's malloc told to give large blocks back to the system when they are freed.

A block of 128 KiB or more (a `tools/list` answer of every tool is ~210 KB, a paged listing of
records several MB) is mapped on its own, and unmapped when freed. Out of the box glibc raises that
threshold to the size of each such block freed (up to 32 MiB), so from the first large answer on,
its successors are carved from the heap, where a few small objects that live on keep the freed pages
resident: measured, +0.4 MiB after the first full listings, for good (docs/performance.md). Setting
the threshold fixes it and switches that adjustment off, the heap's trim threshold's too (it stays at
128 KiB: free memory at the heap's top goes back sooner); the cost is one `mmap` and `munmap` per
large block. The console entry (`launch.py`) sets it: a process that imports the gateway as a library
keeps its allocator as it is, and so does one whose environment already tunes the threshold.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping

M_MMAP_THRESHOLD = -3  # <malloc.h>
LARGE_BLOCK_BYTES = 128 * 1024  # glibc's own initial threshold, kept from then on
TUNED_BY = ("MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES")  # an operator's own setting, which wins


def return_large_blocks(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether `mallopt` accepted the setting: glibc's does, musl's is a stub that refuses (an allocator
    preloaded in glibc's place may accept and ignore it). Nothing is set where `environ` tunes it already."""
    if not sys.platform.startswith("linux"):
        return False
    if environ.get(TUNED_BY[0]) or "glibc.malloc.mmap_threshold" in environ.get(TUNED_BY[1], ""):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library to ask, or one without mallopt
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES))
