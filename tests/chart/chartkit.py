"""Helpers for the chart tests: render with the real Helm library, validate with Kubernetes schemas.

Rendering goes through scripts/generate_manifests.py's `render_chart`, the same function that
writes manifests/, so the tests check exactly what users of either get.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBE_VERSION = "1.30"
# Kinds kubernetes-validate has no schema for: the prometheus-operator CRDs' ServiceMonitor and PrometheusRule.
KUBE_VERSIONS = ("1.29", "1.30", "1.31", "1.32", "1.33")  # the releases the charts support
# Kinds of CRDs that kubernetes-validate has no schema for; tests check them structurally.
UNVALIDATED_KINDS = frozenset({"ServiceMonitor", "PrometheusRule", "HTTPRoute"})
# What every install must give: the Zscaler credentials Secret and a client authentication.
BASE_VALUES: dict[str, Any] = {
    "credentials": {"existingSecret": "zscaler-credentials"},
    "auth": {"apiKeysSecret": "zscaler-mcp-api-keys"},
}
GATEWAY_RELEASE = ("gw", "zscaler-mcp")
OPERATOR_RELEASE = ("zscaler-mcp-operator", "zscaler-mcp-system")

Objects = list[dict[str, Any]]


def _load_generator() -> ModuleType:
    path = ROOT / "scripts" / "generate_manifests.py"
    spec = importlib.util.spec_from_file_location("generate_manifests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generator = _load_generator()
GATEWAY_CHART: Path = generator.GATEWAY_CHART
OPERATOR_CHART: Path = generator.OPERATOR_CHART


def render_gateway(values: dict[str, Any] | None = None, *, chart: Path = GATEWAY_CHART) -> Objects:
    release, namespace = GATEWAY_RELEASE
    return generator.render_chart(chart, values, release=release, namespace=namespace)


def render_operator(values: dict[str, Any] | None = None) -> Objects:
    release, namespace = OPERATOR_RELEASE
    return generator.render_chart(OPERATOR_CHART, values, release=release, namespace=namespace)


def ci_values(chart: Path) -> dict[str, dict[str, Any]]:
    """The chart's ci/*-values.yaml value sets (the chart-testing convention), by file stem."""
    return {
        path.name.removesuffix("-values.yaml"): yaml.safe_load(path.read_text()) or {}
        for path in sorted((chart / "ci").glob("*-values.yaml"))
    }


def validate_objects(objects: Objects, version: str = KUBE_VERSION) -> list[str]:
    """Check every object against the Kubernetes schemas of `version` (strict: unknown fields are errors)."""
    validated = []
    for obj in objects:
        if obj["kind"] in UNVALIDATED_KINDS:
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}")
        validated.append(f"{obj['kind']}/{obj['metadata']['name']}")
    return validated


def find(objects: Objects, kind: str, name: str | None = None) -> dict[str, Any]:
    matches = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(matches) == 1, f"expected one {kind} {name or ''}, got {[o['metadata']['name'] for o in matches]}"
    return matches[0]


def pod_specs(objects: Objects) -> list[tuple[str, dict[str, Any]]]:
    """(object name, pod spec) of every workload: Deployment templates and bare Pods."""
    specs = []
    for obj in objects:
        if obj["kind"] == "Deployment":
            specs.append((obj["metadata"]["name"], obj["spec"]["template"]["spec"]))
        elif obj["kind"] == "Pod":
            specs.append((obj["metadata"]["name"], obj["spec"]))
    return specs


def config_yaml(objects: Objects) -> dict[str, Any]:
    """The gateway policy file the chart renders, parsed."""
    configmap = find(objects, "ConfigMap", f"{GATEWAY_RELEASE[0]}-zscaler-mcp-gateway-config")
    document: dict[str, Any] = yaml.safe_load(configmap["data"]["config.yaml"])
    return document


_RESTRICTED_VOLUME_TYPES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)


def restricted_violations(spec: dict[str, Any]) -> list[str]:
    """Where a pod spec breaks Pod Security "restricted" (or the read-only root filesystem rule)."""
    problems = []
    pod = spec.get("securityContext", {})
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(flag):
            problems.append(f"{flag} is set")
    for volume in spec.get("volumes", []):
        types = set(volume) - {"name"}
        if not types <= _RESTRICTED_VOLUME_TYPES:
            problems.append(f"volume {volume['name']} has type {sorted(types)}")
    for container in spec.get("initContainers", []) + spec["containers"]:
        name = container["name"]
        ctx = container.get("securityContext", {})
        if not ctx.get("runAsNonRoot", pod.get("runAsNonRoot")):
            problems.append(f"{name}: runAsNonRoot is not true")
        user = ctx.get("runAsUser", pod.get("runAsUser"))
        if not isinstance(user, int) or user == 0:
            problems.append(f"{name}: runAsUser {user!r} is not a non-zero number")
        if ctx.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: allowPrivilegeEscalation is not false")
        if ctx.get("privileged"):
            problems.append(f"{name}: privileged")
        capabilities = ctx.get("capabilities", {})
        if "ALL" not in capabilities.get("drop", []):
            problems.append(f"{name}: capabilities do not drop ALL")
        if set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
            problems.append(f"{name}: adds capabilities {capabilities['add']}")
        seccomp = ctx.get("seccompProfile", pod.get("seccompProfile", {})).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problems.append(f"{name}: seccompProfile is {seccomp!r}")
        if ctx.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{name}: root filesystem is writable")
        if any("hostPort" in port for port in container.get("ports", [])):
            problems.append(f"{name}: uses a hostPort")
    return problems
