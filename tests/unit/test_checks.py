"""The style, type and layering checks run with the tests, so the README's test command gives CI's verdict.

Settings live in pyproject.toml: ruff (format and lint), mypy (strict, both packages, every `type: ignore`
with an error code and used) and import-linter (the layers of docs/architecture.md).
"""

from __future__ import annotations

import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = [
    c["name"] for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
]
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def run(*command: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_tree_is_formatted() -> None:
    result = run("-m", "ruff", "format", "--check", ".")
    assert result.returncode == 0, f"run `ruff format .`:\n{result.stdout}{result.stderr}"


def test_ruff_finds_nothing() -> None:
    result = run("-m", "ruff", "check", ".")
    assert result.returncode == 0, f"`ruff check .` (some fix themselves with --fix):\n{result.stdout}{result.stderr}"


def test_mypy_passes_on_both_packages() -> None:
    result = run("-m", "mypy")
    assert result.returncode == 0, f"`mypy` (settings in pyproject.toml):\n{result.stdout}{result.stderr}"


def test_the_import_contracts_are_kept() -> None:
    result = run("-c", LINT_IMPORTS, "--no-cache")
    assert result.returncode == 0, f"`lint-imports` (contracts in pyproject.toml):\n{result.stdout}{result.stderr}"
    assert "0 broken" in result.stdout


def test_every_gateway_module_has_its_layer_and_the_operator_only_the_core() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = [[m.strip() for m in re.split("[|:]", layer)] for layer in contracts[0]["layers"]]
    placed = [module for layer in layers for module in layer]
    package = ROOT / "server" / "zscaler_mcp_gateway"
    modules = {f"zscaler_mcp_gateway.{m.name}" for m in pkgutil.iter_modules([str(package)])}
    assert sorted(placed) == sorted(modules), "place each gateway module in a layer of the first contract"
    assert sorted(contracts[1]["forbidden_modules"]) == sorted(placed[: -len(layers[-1])])
    assert sorted(contracts[2]["source_modules"]) == sorted(layers[-1])


@pytest.mark.parametrize(
    ("module", "injected", "contract"),
    [
        (  # the pure core reaching up into the dispatcher
            "server/zscaler_mcp_gateway/catalog/model.py",
            "from zscaler_mcp_gateway import dispatch",
            CONTRACTS[0],
        ),
        (  # the auth layer reaching up to the dispatcher again, the arrow this contract was written to break
            "server/zscaler_mcp_gateway/security/auth.py",
            "from zscaler_mcp_gateway.dispatch import ToolDispatcher",
            CONTRACTS[0],
        ),
        (  # the operator using more of the gateway than its pure core
            "operator/zscaler_mcp_operator/builders.py",
            "from zscaler_mcp_gateway.upstream import client",
            CONTRACTS[1],
        ),
        (  # the pure core importing an SDK
            "server/zscaler_mcp_gateway/policy.py",
            "import requests",
            CONTRACTS[2],
        ),
    ],
)
def test_an_added_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, injected: str, contract: str
) -> None:
    for package in ("server/zscaler_mcp_gateway", "operator/zscaler_mcp_operator"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{injected}  # noqa\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path / 'server'}{os.pathsep}{tmp_path / 'operator'}"}
    result = run("-c", LINT_IMPORTS, "--no-cache", cwd=tmp_path, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    report = " ".join(result.stdout.split())  # the report wraps long contract names
    assert f"{contract} BROKEN" in report, result.stdout
    importer = module.split("/", 1)[1].removesuffix(".py").replace("/", ".")
    assert f"{importer} -> " in report
