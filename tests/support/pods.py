"""Run a rendered gateway container as kubelet would: its volumes laid out as files, its args, the real CLI.

Shared by the chart tests and the operator tests, so that what either door renders is started the
same way. Two changes to the rendered command, and only these: the ports become free loopback ports,
and `--host` becomes 127.0.0.1 (a test must not listen beyond loopback). What binding the rendered
host would decide is checked without binding it: `check_security` builds the gateway's own security
layer, the code that refuses to start unprotected, from the rendered args and the rendered host.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.secret_scan import ingest, register_secret
from zscaler_mcp_gateway import cli
from zscaler_mcp_gateway.security.cli_args import security_options
from zscaler_mcp_gateway.security.layer import SecurityLayer
from zscaler_mcp_gateway.simulator import free_port

LOOPBACK = "127.0.0.1"
# Credential files of a pod on the embedded simulator (it accepts any).
SIMULATOR_CREDENTIAL_FILES = {
    "ZSCALER_CLIENT_ID": "pod-client",
    "ZSCALER_CLIENT_SECRET": "pod-client-secret-5c2e",
    "ZSCALER_CUSTOMER_ID": "1",
    "ZSCALER_VANITY_DOMAIN": "acme",
}
ApiKeys = Mapping[str, str]


def arg(args: Sequence[str], flag: str) -> str:
    """The value of `flag` in a command line."""
    return args[list(args).index(flag) + 1]


def lay_out(container: Mapping[str, Any], files: Mapping[str, Mapping[str, str]], root: Path) -> dict[str, Path]:
    """Each volume mount of `container` as a directory under `root`, holding `files[mountPath]`.

    Every mount but /tmp (the scratch emptyDir) must be given its files, and none may be left over.
    """
    mounts = {m["mountPath"]: root / m["name"] for m in container["volumeMounts"]}
    assert set(files) | {"/tmp"} == set(mounts), f"mounts {sorted(mounts)} vs files for {sorted(files)}"
    for mount, content in files.items():
        mounts[mount].mkdir()
        for name, text in content.items():
            if name == "ZSCALER_CLIENT_SECRET" or mount.endswith("api-keys"):
                register_secret(text)  # the session's secret scan then checks the gateway's output for it
            (mounts[mount] / name).write_text(text)
    return mounts


def local_args(args: Sequence[str], mounts: Mapping[str, Path]) -> list[str]:
    """The rendered args with mount paths pointing into the laid-out directories (host and ports unchanged)."""

    def local(arg: str) -> str:
        for mount in sorted(mounts, key=len, reverse=True):  # the innermost mount wins, once
            if arg == mount or arg.startswith(mount + "/"):
                return str(mounts[mount]) + arg[len(mount) :]
        return arg

    return [local(arg) for arg in args]


def check_security(args: Sequence[str]) -> SecurityLayer:
    """The gateway's security layer from these args, on their own `--host`: raises ConfigError where it refuses."""
    parsed = cli._parser().parse_args(list(args))
    return SecurityLayer(security_options(parsed), parsed.host)


@dataclass
class Started:
    args: list[str]  # the command line as run
    port: int
    readyz: dict[str, Any]
    output: str
    probes: dict[str, int]  # label -> HTTP status of each `probe` request


def _poll_json(url: str, process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                document: dict[str, Any] = json.load(response)
                return document
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer (exit code {process.poll()})")


def _status(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def mcp_initialize(port: int, host_header: str, token: str | None = None) -> urllib.request.Request:
    """An MCP `initialize` POST to /mcp on loopback, sent with the given Host header."""
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "pod-test", "version": "1"},
        },
    }
    headers = {"Host": host_header, "Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return urllib.request.Request(
        f"http://{LOOPBACK}:{port}/mcp", data=json.dumps(body).encode(), headers=headers, method="POST"
    )


def start(
    args: Sequence[str],
    *,
    extra_args: Sequence[str] = (),
    probes: Mapping[str, tuple[str, str | None]] | None = None,
    timeout: float = 30,
) -> Started:
    """Run `zscaler-mcp-gateway` with `args` (from `local_args`) on loopback until /readyz answers, then stop it.

    `probes`: label -> (Host header, bearer token) of MCP initialize requests sent while it runs.
    """
    ports = {"--port": free_port(), "--metrics-port": free_port()}
    run = list(args)
    run[run.index("--host") + 1] = LOOPBACK
    for flag, port in ports.items():
        run[run.index(flag) + 1] = str(port)
    run += extra_args
    command = [sys.executable, "-c", "from zscaler_mcp_gateway.cli import main; raise SystemExit(main())", *run]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    statuses: dict[str, int] = {}
    readyz: dict[str, Any] | None = None
    try:
        readyz = _poll_json(f"http://{LOOPBACK}:{ports['--port']}/readyz", process, timeout)
        for label, (host, token) in (probes or {}).items():
            statuses[label] = _status(mcp_initialize(ports["--port"], host, token))
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
        ingest(output, "the output of the gateway started from a rendered pod command")
        if readyz is None:
            raise AssertionError(f"the gateway did not become ready: {run}\n{output}")
    return Started(run, ports["--port"], readyz, output, statuses)
