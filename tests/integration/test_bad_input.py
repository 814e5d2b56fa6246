"""Bad input never crashes the server and always names the problem."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from mcp import Client, StdioServerParameters

from tests.support.kubelet import ProjectedConfigMap
from tests.support.servers import TEST_CREDENTIALS, run_gateway
from zscaler_mcp_gateway.config import ConfigError
from zscaler_mcp_gateway.simulator import RunningSimulator


def test_serve_refuses_a_malformed_config_with_the_offending_key(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("toolsets: [zia_url_filtering, zia_nope]\nwrite: {enabled: true, allowlist: [ok], extra: 1}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "zscaler_mcp_gateway.cli", "serve", "--config", str(bad), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **TEST_CREDENTIALS},
    )
    assert proc.returncode == 1
    assert "config error: write.extra: unknown key" in proc.stderr
    assert "config error: toolsets: unknown toolset 'zia_nope'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_gateway_constructor_raises_config_error_for_unknown_toolset(
    simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap]
) -> None:
    cm = configmap("toolsets: [zpa_nope]\n")
    with pytest.raises(ConfigError, match="unknown toolset 'zpa_nope'"):
        with run_gateway(simulator.url, str(cm.config_path)):
            pass


async def test_missing_credential_file_is_named_by_readyz_and_by_calls(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    for key in ("ZSCALER_CLIENT_ID", "ZSCALER_VANITY_DOMAIN", "ZSCALER_CUSTOMER_ID"):
        (creds / key).write_text(TEST_CREDENTIALS[key])
    with run_gateway(simulator.url, credentials_dir=str(creds)) as running:
        ready = httpx.get(running.url + "/readyz")
        assert ready.status_code == 503
        assert "ZSCALER_CLIENT_SECRET or ZSCALER_PRIVATE_KEY" in ready.json()["credentials"]["error"]
        assert httpx.get(running.url + "/healthz").status_code == 200
        async with Client(running.mcp_url, mode="legacy") as client:
            result = await client.call_tool("zpa_list_segment_groups", {})
            assert result.is_error and "ZSCALER_CLIENT_SECRET" in result.content[0].text  # type: ignore[union-attr]
            (creds / "ZSCALER_CLIENT_SECRET").write_text(
                TEST_CREDENTIALS["ZSCALER_CLIENT_SECRET"]
            )  # rotation: no restart
            result = await client.call_tool("zpa_list_segment_groups", {})
            assert not result.is_error
        assert httpx.get(running.url + "/readyz").status_code == 200


async def test_stdio_transport_serves_the_same_tools(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("toolsets: [zia_rule_labels]\n")
    params = StdioServerParameters(
        command=sys.executable,
        args=[
            "-m",
            "zscaler_mcp_gateway.cli",
            "serve",
            "--transport",
            "stdio",
            "--simulator",
            "--config",
            str(config),
            "--credentials-dir",
            str(tmp_path / "none"),
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    async with Client(params, mode="legacy") as client:
        names = {t.name for t in (await client.list_tools()).tools}
        result = await client.call_tool("zia_list_rule_labels", {})
    assert "zia_list_rule_labels" in names and "zpa_list_segment_groups" not in names
    assert json.loads(result.content[0].text)["count"] == 3  # type: ignore[union-attr]
