"""The console entry pauses the cyclic collector for the imports and serves with it running again.

Each case runs in a fresh interpreter: the collector is process state, and this test process's own
must not be frozen or switched off.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path


def run_python(code: str, *args: str) -> str:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("ZSCALER_", "OTEL_"))}
    result = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_console_script_is_the_launcher() -> None:
    (script,) = [ep for ep in entry_points(group="console_scripts") if ep.name == "zscaler-mcp-gateway"]
    assert script.value == "zscaler_mcp_gateway.launch:main"


SERVE_AND_REPORT = """
import gc, sys
import uvicorn

def report(self):  # in place of serving: the collector's state the server would serve with
    print(gc.isenabled(), gc.get_freeze_count() > 10_000)

uvicorn.Server.run = report
from zscaler_mcp_gateway import launch
sys.argv = ["zscaler-mcp-gateway", "serve", "--config", sys.argv[1], "--port", "0", "--metrics-port", "0",
            "--upstream-url", "http://127.0.0.1:9", "--credentials-dir", sys.argv[2]]
launch.main()
"""


def test_serve_runs_with_the_collector_on_and_the_loaded_modules_frozen(tmp_path: Path) -> None:
    config = tmp_path / "policy.yaml"
    config.write_text("toolsets: [zpa_segment_groups]\n")
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    for name, value in {
        "ZSCALER_CLIENT_ID": "id",
        "ZSCALER_CLIENT_SECRET": "secret",
        "ZSCALER_VANITY_DOMAIN": "v",
    }.items():
        (credentials / name).write_text(value)
    assert run_python(SERVE_AND_REPORT, str(config), str(credentials)) == "True True"


CYCLES_AROUND_THE_PAUSE = """
import gc
from zscaler_mcp_gateway import collector

class Node:
    def __init__(self):
        self.me = self

gc.collect()
collector.pause()
for _ in range(500):
    Node()
paused = not gc.isenabled()
collector.resume()
frozen = gc.get_freeze_count() >= 500
for _ in range(300):
    Node()
young = gc.collect(0)  # what was made after the resume is collected; the frozen 500 are not walked
collector.collect_start_up_garbage()
left = len([o for o in gc.get_objects() if type(o) is Node])
print(paused, gc.isenabled(), frozen, young >= 300, gc.get_freeze_count(), left)
"""


def test_start_up_garbage_is_frozen_until_the_quiet_collection_frees_it() -> None:
    # paused while loading; resumed: on, the 500 frozen, later garbage collected as usual; then the
    # quiet-time pass unfreezes and frees the 500 too, and nothing stays frozen
    assert run_python(CYCLES_AROUND_THE_PAUSE) == "True True True True 0 0"


def test_resume_without_a_pause_leaves_a_library_users_collector_alone() -> None:
    code = "import gc\nfrom zscaler_mcp_gateway import collector\ncollector.resume()\n"
    code += "gc.disable()\ncollector.resume()\nprint(gc.isenabled())\ngc.enable()\n"  # off by its choice: stays off
    code += "collector.collect_start_up_garbage()\nprint(gc.isenabled(), gc.get_freeze_count())"
    assert run_python(code).split() == ["False", "True", "0"]
