"""The Dockerfile, read for its rules (no docker engine is needed to run these tests)."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field

import pytest
import yaml
from chartkit import BASE_VALUES, GATEWAY_CHART, OPERATOR_CHART, ROOT, find, render_gateway

BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|clang|make|build-essential|python3?-dev|libc6?-dev|musl-dev)\b")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def _instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pending += " " + stripped.removesuffix("\\").strip()
        if not stripped.endswith("\\"):
            logical.append(pending.strip())
            pending = ""
    assert not pending, "dangling line continuation"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in logical]


def _stages(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the build stages, with `${ARG}` in FROM resolved."""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for keyword, rest in _instructions(text):
        if keyword == "FROM":
            words = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], words[0])
            stages.append(Stage(base, words[2] if len(words) == 3 and words[1].upper() == "AS" else None))
        elif stages:
            stages[-1].instructions.append((keyword, rest))
        elif keyword == "ARG":
            name, _, default = rest.partition("=")
            args[name] = default
    return args, stages


TEXT = (ROOT / "Dockerfile").read_text()
ARGS, STAGES = _stages(TEXT)
FINAL = STAGES[-1]


def test_multi_stage_on_slim_python_311() -> None:
    assert len(STAGES) >= 2
    assert {stage.base for stage in STAGES} == {"python:3.11-slim"}
    builder = STAGES[0]
    assert any("pip wheel" in run and '".[operator]"' in run for run in builder.all("RUN"))


def test_final_stage_installs_the_wheels_into_a_venv_offline() -> None:
    (install,) = [run for run in FINAL.all("RUN") if "pip" in run and "install" in run]
    assert f"from={STAGES[0].name}" in install
    assert "python -m venv" in install and "/opt/venv" in install
    assert "--no-index" in install and '"zscaler-mcp-gateway[operator]"' in install
    assert "uninstall --yes pip setuptools wheel" in install


def test_no_build_tools_in_the_final_stage() -> None:
    for run in FINAL.all("RUN"):
        assert "apt-get install" not in run and "apk add" not in run, run
        assert not BUILD_TOOLS.search(run), run
    assert not FINAL.all("COPY"), "the final stage takes nothing from the build context"


def test_runs_as_a_numeric_non_root_user_matching_the_charts() -> None:
    (user,) = FINAL.all("USER")
    assert re.fullmatch(r"[1-9]\d*(:\d+)?", user), f"USER {user} is not numeric and non-root"
    uid = int(user.split(":")[0])
    deployment = find(render_gateway(BASE_VALUES), "Deployment")
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == uid
    assert any(f"useradd --uid {uid}" in run for run in FINAL.all("RUN"))


def test_read_only_root_filesystem_environment() -> None:
    env = " ".join(FINAL.all("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "HOME=/tmp" in env
    assert 'PATH="/opt/venv/bin:${PATH}"' in env


def test_one_image_two_entrypoints() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert {"zscaler-mcp-gateway", "zscaler-mcp-operator"} <= set(scripts)
    (entrypoint,) = FINAL.all("ENTRYPOINT")
    assert json.loads(entrypoint) == ["zscaler-mcp-gateway"]
    (cmd,) = FINAL.all("CMD")
    assert json.loads(cmd)[0] == "serve"
    smoke = " ".join(FINAL.all("RUN"))
    assert "zscaler-mcp-gateway --help" in smoke and "zscaler-mcp-operator --help" in smoke
    assert set(" ".join(FINAL.all("EXPOSE")).split()) == {"8000", "9090", "8080"}


@pytest.mark.parametrize("label", ["title", "description", "version", "revision", "created", "licenses", "source"])
def test_oci_labels(label: str) -> None:
    assert f"org.opencontainers.image.{label}=" in " ".join(FINAL.all("LABEL"))


def test_one_version_across_package_image_and_charts() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f"VERSION={version}" in FINAL.all("ARG")
    for chart in (GATEWAY_CHART, OPERATOR_CHART):
        assert yaml.safe_load((chart / "Chart.yaml").read_text())["appVersion"] == version


def test_dockerignore_admits_exactly_what_the_builder_copies() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*"
    admitted = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    copied = {copy.split()[0] for copy in STAGES[0].all("COPY")}
    assert copied == admitted == {"pyproject.toml", "server", "operator"}
