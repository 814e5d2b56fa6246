"""`zscaler-mcp-operator`: `render` with no cluster, and `run` handing its options to kopf."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import kopf
import kopf.cli
import pytest
import yaml

from zscaler_mcp_operator import cli
from zscaler_mcp_operator.options import OperatorOptions

RESOURCE = """\
apiVersion: zscaler-mcp.dev/v1alpha1
kind: ZscalerMCP
metadata:
  name: zscaler
  namespace: ai-agents
spec:
  replicas: 2
  toolsets: [zia_url_filtering]
  credentials: {secretName: zscaler-credentials}
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "resource.yaml"
    path.write_text(text)
    return str(path)


def test_render_prints_the_three_children(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["render", write(tmp_path, RESOURCE)]) == 0
    documents = list(yaml.safe_load_all(capsys.readouterr().out))
    assert [(d["kind"], d["metadata"]["name"], d["metadata"]["namespace"]) for d in documents] == [
        ("ConfigMap", "zscaler-config", "ai-agents"),
        ("Deployment", "zscaler", "ai-agents"),
        ("Service", "zscaler", "ai-agents"),
    ]
    assert yaml.safe_load(documents[0]["data"]["config.yaml"])["toolsets"] == ["zia_url_filtering"]
    assert documents[1]["spec"]["replicas"] == 2


def test_render_uses_the_operator_default_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZSCALER_MCP_GATEWAY_IMAGE", "registry.example/gw:9")
    assert cli.main(["render", write(tmp_path, RESOURCE)]) == 0
    deployment = list(yaml.safe_load_all(capsys.readouterr().out))[1]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/gw:9"


def test_render_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(
        sys, "stdin", io.StringIO(RESOURCE + "---\n" + RESOURCE.replace("name: zscaler", "name: other"))
    )
    assert cli.main(["render", "-"]) == 0
    assert len(list(yaml.safe_load_all(capsys.readouterr().out))) == 6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            RESOURCE.replace("[zia_url_filtering]", "[zia_url_filtering, nope]"),
            "ZscalerMCP zscaler: spec.toolsets: unknown toolset 'nope'",
        ),
        (
            RESOURCE.replace("  credentials: {secretName: zscaler-credentials}\n", ""),
            "spec.credentials: required",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
            "document 1 is not a zscaler-mcp.dev/v1alpha1 ZscalerMCP",
        ),
        ("spec: [unclosed\n", "malformed YAML"),
        ("", "no ZscalerMCP found"),
    ],
)
def test_render_reports_an_invalid_file_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    assert cli.main(["render", write(tmp_path, text)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def test_render_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["render", "/nonexistent/zmcp.yaml"]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_the_installed_command_renders(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "zscaler_mcp_operator.cli", "render", write(tmp_path, RESOURCE)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "config.yaml: |" in result.stdout  # the policy file reads as a block, as a human writes it


@pytest.mark.parametrize(
    ("argv", "kopf_args"),
    [
        (["run"], ["run", "--all-namespaces"]),
        (
            ["run", "--standalone", "--liveness=http://0.0.0.0:8080/healthz"],
            ["run", "--all-namespaces", "--standalone", "--liveness=http://0.0.0.0:8080/healthz"],
        ),
        (["run", "-n", "ai-agents", "--verbose"], ["run", "-n", "ai-agents", "--verbose"]),
        (["run", "--namespace=ai-agents"], ["run", "--namespace=ai-agents"]),
        (["run", "-A"], ["run", "-A"]),
    ],
)
def test_run_hands_every_option_to_kopf_with_the_handlers_registered(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], kopf_args: list[str]
) -> None:
    registry = kopf.OperatorRegistry()
    calls: list[dict[str, Any]] = []
    monkeypatch.delenv("KOPF_RUN_NAMESPACE", raising=False)
    monkeypatch.setattr(kopf, "get_default_registry", lambda: registry)
    monkeypatch.setattr(kopf.cli, "main", lambda **kwargs: calls.append(kwargs))
    assert cli.main(argv) == 0
    assert calls == [{"args": kopf_args, "prog_name": "zscaler-mcp-operator"}]
    handler_ids = {h.id for h in registry._changing.get_all_handlers()} | {
        h.id for h in registry._spawning.get_all_handlers()
    }
    assert handler_ids == {"apply_spec", "resync"}


def test_options_come_from_the_environment() -> None:
    assert OperatorOptions.from_environ({}) == OperatorOptions()
    options = OperatorOptions.from_environ(
        {"ZSCALER_MCP_GATEWAY_IMAGE": "r/gw:1", "ZSCALER_MCP_OPERATOR_RESYNC_SECONDS": "45"}
    )
    assert (options.default_image, options.resync_seconds) == ("r/gw:1", 45.0)
    for bad in ("soon", "0", "-5"):
        with pytest.raises(ValueError, match="ZSCALER_MCP_OPERATOR_RESYNC_SECONDS"):
            OperatorOptions.from_environ({"ZSCALER_MCP_OPERATOR_RESYNC_SECONDS": bad})
