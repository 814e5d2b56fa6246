"""The console entry has glibc give a large block back to the system when it is freed.

Each case runs in a fresh interpreter: the allocator's settings are process state.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys

import pytest

from zscaler_mcp_gateway.allocator import TUNED_BY, return_large_blocks

GLIBC = sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "gnu_get_libc_version")

# A 1 MiB answer freed after a 4 MiB one was: prints the resident KiB its release gave back.
RELEASE_OF_A_LARGE_ANSWER = """
import sys
from zscaler_mcp_gateway import allocator

def rss_kib():  # smaps_rollup counts pages exactly (VmRSS is a per-CPU cached approximation)
    return next(int(line.split()[1]) for line in open("/proc/self/smaps_rollup") if line.startswith("Rss:"))

if sys.argv[1] == "set":
    assert allocator.return_large_blocks({})
earlier = b"x" * (4 << 20)
del earlier  # out of the box, glibc carves every later block under 4 MiB from the heap
answer = b"x" * (1 << 20)
held = rss_kib()
del answer
print(held - rss_kib())
"""


def released_kib(mode: str) -> int:
    env = {name: value for name, value in os.environ.items() if name not in TUNED_BY}  # glibc's defaults
    result = subprocess.run(
        [sys.executable, "-c", RELEASE_OF_A_LARGE_ANSWER, mode], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


@pytest.mark.skipif(not GLIBC, reason="mallopt(M_MMAP_THRESHOLD) is glibc's")
def test_a_freed_large_answer_goes_back_to_the_system() -> None:
    assert released_kib("default") < 256 < 768 < released_kib("set")  # most of the 1 MiB block's pages


def test_the_console_entry_sets_it_before_the_cli_loads() -> None:
    code = (
        "import sys\n"
        "from zscaler_mcp_gateway import allocator, launch\n"
        "calls = []\n"
        "allocator.return_large_blocks = lambda: calls.append('zscaler_mcp_gateway.cli' in sys.modules)\n"
        "sys.argv = ['zscaler-mcp-gateway', '--version']\n"
        "try:\n    launch.main()\nexcept SystemExit:\n    pass\n"
        "print(calls)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[False]"


@pytest.mark.parametrize(
    "environ",
    [
        {"MALLOC_MMAP_THRESHOLD_": "4194304"},
        {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=1"},
    ],
)
def test_an_operators_own_threshold_wins(environ: dict[str, str]) -> None:
    assert return_large_blocks(environ) is False
