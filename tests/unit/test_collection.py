"""Collecting the suite runs no external command of ours (the kind suite once ran `docker info` at import)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every way Python starts a program raises one of these audit events (PEP 578). A spawn is ours when the first
# caller outside the standard library is a file of this repository (pytest plugins and libraries installed
# on a machine, such as pytest-benchmark asking git for the commit, are not the suite's doing).
AUDIT = """
import sys, sysconfig, traceback
ROOT, LOG, STDLIB = sys.argv[1], sys.argv[2], sysconfig.get_paths()["stdlib"]
SPAWNS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "pty.spawn")
def record(event, args):
    if event not in SPAWNS:
        return
    for frame in reversed(traceback.extract_stack()[:-1]):
        name = frame.filename
        if name.startswith("<") or (name.startswith(STDLIB) and "site-packages" not in name):
            continue
        if name.startswith(ROOT) and "site-packages" not in name:
            with open(LOG, "a") as log:  # not stderr: pytest captures file descriptor 2 while it collects
                log.write(f"{event} {args[:2]!r} from {name}:{frame.lineno}\\n")
        return
sys.addaudithook(record)
import pytest
sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "tests"]))
"""
TOOLS = ("docker", "kind", "helm", "kubectl", "podman")


def test_collecting_every_test_spawns_no_command(tmp_path: Path) -> None:
    # Every tool the kind suite looks for is on PATH (each fails if run), so a probe at import would run one.
    for tool in TOOLS:
        (tmp_path / tool).write_text("#!/bin/sh\nexit 1\n")
        (tmp_path / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    log = tmp_path / "spawned.log"
    log.touch()
    collected = subprocess.run(
        [sys.executable, "-c", AUDIT, str(ROOT), str(log)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr[-2000:]
    assert "tests/e2e/test_kind.py::test_helm_test_passes" in collected.stdout  # the kind suite was collected
    assert log.read_text().splitlines() == []
