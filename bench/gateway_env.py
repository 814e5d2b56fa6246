"""The gateway as a user installs it: a wheel of this checkout in its own virtualenv (`bench/.venv-gateway`).

The official server runs from a virtualenv of its own (official_env.py); so does the gateway, so the
start-up rows compare two installed servers, not an installed one with a development interpreter
(whose `.pth` hooks, such as an editable install's finder, run at every start). The dependencies are
installed from PyPI the first time; the gateway itself is rebuilt from the working tree (committed or
not) on every run, in a few seconds. Run directly (`python bench/gateway_env.py`) to create it ahead.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from official_env import BENCH_DIR, pip_install, venv_python

DEFAULT_VENV = BENCH_DIR / ".venv-gateway"
PROJECT = BENCH_DIR.parent
PACKAGE_SOURCES = ("pyproject.toml", "README.md", "server", "operator")


def ensure_gateway_env(venv_dir: Path = DEFAULT_VENV, quiet: bool = True) -> Path:
    """Install this checkout (from a copy: a build writes `build/` beside its sources) and return the python."""
    with tempfile.TemporaryDirectory(prefix="zscaler-mcp-gateway-src-") as tmp:
        source = Path(tmp)
        for name in PACKAGE_SOURCES:
            origin = PROJECT / name
            if origin.is_dir():
                shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            else:
                shutil.copy2(origin, source / name)
        print(f"installing this checkout into {venv_dir}", file=sys.stderr)
        pip_install(venv_dir, str(source), quiet)
    return venv_python(venv_dir)


if __name__ == "__main__":
    print(ensure_gateway_env(quiet=False))
