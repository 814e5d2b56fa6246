"""The e2e workflow runs pinned tool versions, so that CI does not move to a new Helm or kind unasked."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "e2e.yml"
VERSION = re.compile(r"^v\d+\.\d+\.\d+$")


def _steps() -> list[dict[str, Any]]:
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    return [step for job in jobs.values() for step in job["steps"]]


def _with(action: str) -> dict[str, Any]:
    (step,) = [step for step in _steps() if step.get("uses", "").startswith(f"{action}@")]
    return dict(step.get("with") or {})


def test_helm_and_kind_versions_are_pinned() -> None:
    assert VERSION.match(str(_with("azure/setup-helm").get("version"))), "pin Helm: with.version: vX.Y.Z"
    kind = _with("helm/kind-action")
    assert VERSION.match(str(kind.get("version"))), "pin kind: with.version: vX.Y.Z"
    assert re.match(r"^kindest/node:v\d+\.\d+\.\d+", str(kind.get("node_image"))), "pin the node image"


def test_the_workflow_builds_both_images() -> None:
    runs = " ".join(str(step.get("run", "")) for step in _steps())
    assert "docker build --target gateway" in runs and "docker build --target operator" in runs
