"""Start-up stays light: heavy modules load when first needed, not before the gateway serves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.security import new_api_key

DEFERRED = ("requests", "jwt", "opentelemetry.sdk")  # the SDK client, JWT checks and tracing load them

BUILD_GATEWAYS = """
import sys
from zscaler_mcp_gateway import app, cli
from zscaler_mcp_gateway.security.options import SecurityOptions

for security in (SecurityOptions(auth="none"), SecurityOptions(api_keys_dir=sys.argv[1])):
    app.Gateway(app.GatewayOptions(security=security, environ={})).http_app()
print(" ".join(name for name in sys.argv[2:] if name in sys.modules))
"""


def test_building_and_serving_a_gateway_imports_no_deferred_module(tmp_path: Path) -> None:
    (tmp_path / "alice").write_text(new_api_key())
    env = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")}
    result = subprocess.run(
        [sys.executable, "-c", BUILD_GATEWAYS, str(tmp_path), *DEFERRED],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
