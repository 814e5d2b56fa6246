"""The official `zscaler-mcp` server in its own virtualenv (`bench/.venv-official`), reused when present.

Nothing of the official package is committed: it is installed from PyPI with pip, the ordinary way.
Run directly (`python bench/official_env.py`) to create it ahead of a benchmark run. The gateway gets
a virtualenv of its own the same way (gateway_env.py), so neither server's start-up pays for what a
development interpreter loads at every start (`.pth` hooks, an editable install's finder).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

OFFICIAL_PACKAGE = "zscaler-mcp"
OFFICIAL_VERSION = "0.15.4"
BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_VENV = BENCH_DIR / ".venv-official"


def venv_python(venv_dir: Path = DEFAULT_VENV) -> Path:
    return venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def pip_install(venv_dir: Path, requirement: str, quiet: bool = False) -> None:
    """`pip install requirement` into `venv_dir`, creating the virtualenv first if it is missing."""
    if not venv_python(venv_dir).exists():
        print(f"creating {venv_dir}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=False).create(venv_dir)
    cmd = [str(venv_python(venv_dir)), "-m", "pip", "install", "--disable-pip-version-check", requirement]
    if quiet:
        cmd.insert(4, "-q")
    subprocess.run(cmd, check=True, timeout=1800)


def installed_version(venv_dir: Path = DEFAULT_VENV) -> str | None:
    python = venv_python(venv_dir)
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({OFFICIAL_PACKAGE!r}))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def ensure_official_env(venv_dir: Path = DEFAULT_VENV, version: str = OFFICIAL_VERSION, quiet: bool = False) -> Path:
    """Create the virtualenv and install `zscaler-mcp==version` unless it is already there; return its python."""
    if installed_version(venv_dir) == version:
        return venv_python(venv_dir)
    print(f"installing {OFFICIAL_PACKAGE}=={version} into {venv_dir} (one-off, from PyPI)", file=sys.stderr)
    pip_install(venv_dir, f"{OFFICIAL_PACKAGE}=={version}", quiet)
    found = installed_version(venv_dir)
    if found != version:
        raise RuntimeError(f"{OFFICIAL_PACKAGE} {version} not importable in {venv_dir} (found {found})")
    return venv_python(venv_dir)


if __name__ == "__main__":
    print(ensure_official_env())
