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
BY_NAME = {stage.name: stage for stage in STAGES}
TARGETS = {name: BY_NAME[name] for name in ("gateway", "operator")}
GATEWAY, OPERATOR = TARGETS["gateway"], TARGETS["operator"]
RUNTIME = BY_NAME["runtime"]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _install(stage: Stage) -> str:
    (install,) = [run for run in stage.all("RUN") if "pip" in run and "install" in run]
    return install


def test_two_targets_on_one_runtime_on_slim_python_311() -> None:
    assert [stage.name for stage in STAGES] == ["builder", "runtime", "operator", "gateway"]
    assert {STAGES[0].base, RUNTIME.base} == {"python:3.11-slim"}
    assert GATEWAY.base == OPERATOR.base == "runtime"
    assert STAGES[-1] is GATEWAY, "the gateway is the default target (a build without --target)"
    assert any("pip wheel" in run and '".[operator]"' in run for run in STAGES[0].all("RUN"))


def test_no_syntax_directive_that_needs_the_network() -> None:
    assert not re.search(r"^#\s*syntax\s*=", TEXT, flags=re.M | re.I)


def test_each_target_installs_the_wheels_into_a_venv_offline() -> None:
    for name, extra in (("gateway", '"zscaler-mcp-gateway"'), ("operator", '"zscaler-mcp-gateway[operator]"')):
        install = _install(TARGETS[name])
        assert "from=builder" in install and "python -m venv" in install and "/opt/venv" in install
        assert "--no-index" in install and extra in install, name
        assert "uninstall --yes pip setuptools wheel" in install


def test_the_gateway_image_carries_no_kubernetes_client_nor_kopf() -> None:
    runtime = " ".join(re.split(r"[<>=;\[ ]", dep)[0] for dep in PYPROJECT["project"]["dependencies"]).split()
    assert not {"kopf", "kubernetes"} & set(runtime), "the operator's libraries belong in the operator extra"
    assert {re.split(r"[<>=]", dep)[0] for dep in PYPROJECT["project"]["optional-dependencies"]["operator"]} == {
        "kopf",
        "kubernetes",
    }
    assert "[operator]" not in _install(GATEWAY)
    assert '/opt/venv/bin/python -c "import importlib.util' in _install(GATEWAY)  # the build fails if they are in


def test_no_build_tools_in_the_images() -> None:
    for stage in (RUNTIME, GATEWAY, OPERATOR):
        for run in stage.all("RUN"):
            assert "apt-get install" not in run and "apk add" not in run, run
            assert not BUILD_TOOLS.search(run), run
        assert not stage.all("COPY"), "the images take nothing from the build context"


def test_runs_as_a_numeric_non_root_user_matching_the_charts() -> None:
    for stage in (GATEWAY, OPERATOR):
        (user,) = stage.all("USER")
        assert re.fullmatch(r"[1-9]\d*(:\d+)?", user), f"USER {user} is not numeric and non-root"
    uid = int(GATEWAY.all("USER")[0].split(":")[0])
    deployment = find(render_gateway(BASE_VALUES), "Deployment")
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == uid
    assert any(f"useradd --uid {uid}" in run for run in RUNTIME.all("RUN"))


def test_read_only_root_filesystem_environment() -> None:
    env = " ".join(RUNTIME.all("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "HOME=/tmp" in env


def test_the_venv_is_on_path_only_after_the_install() -> None:
    """Before it, `python -m pip` would run the new venv's python, which has no pip: the build fails."""
    assert "/opt/venv" not in " ".join(RUNTIME.all("ENV"))
    for stage in TARGETS.values():
        install = stage.instructions.index(("RUN", _install(stage)))
        path = stage.instructions.index(("ENV", 'PATH="/opt/venv/bin:${PATH}"'))
        assert install < path


def test_each_image_starts_its_own_program() -> None:
    scripts = PYPROJECT["project"]["scripts"]
    assert {"zscaler-mcp-gateway", "zscaler-mcp-operator"} <= set(scripts)
    for name, stage in TARGETS.items():
        program = f"zscaler-mcp-{name}"
        (entrypoint,) = stage.all("ENTRYPOINT")
        assert json.loads(entrypoint) == [program]
        assert f"/opt/venv/bin/{program} --help" in _install(stage), "the build checks that the program starts"
    assert json.loads(GATEWAY.all("CMD")[0])[0] == "serve"
    assert json.loads(OPERATOR.all("CMD")[0])[0] == "run"
    assert set(" ".join(GATEWAY.all("EXPOSE")).split()) == {"8000", "9090"}
    assert set(" ".join(OPERATOR.all("EXPOSE")).split()) == {"8080"}


def test_the_gateway_has_a_healthcheck_on_healthz() -> None:
    (healthcheck,) = GATEWAY.all("HEALTHCHECK")
    assert "http://127.0.0.1:8000/healthz" in healthcheck and "CMD" in healthcheck
    assert not OPERATOR.all("HEALTHCHECK")


@pytest.mark.parametrize("label", ["title", "description", "version", "revision", "created", "licenses", "source"])
def test_oci_labels(label: str) -> None:
    assert f"org.opencontainers.image.{label}=" in " ".join(RUNTIME.all("LABEL"))


def test_one_version_across_package_image_and_charts() -> None:
    version = PYPROJECT["project"]["version"]
    assert f"VERSION={version}" in RUNTIME.all("ARG")
    for chart in (GATEWAY_CHART, OPERATOR_CHART):
        assert yaml.safe_load((chart / "Chart.yaml").read_text())["appVersion"] == version


def test_dockerignore_admits_exactly_what_the_builder_copies_readme_included() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*"
    admitted = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    copied = {path for copy in STAGES[0].all("COPY") for path in copy.split()[:-1]}
    assert copied == admitted == {"pyproject.toml", "README.md", "server", "operator"}
    assert PYPROJECT["project"]["readme"] == "README.md"  # the wheel's long description
