"""The Deployment the operator builds starts the real gateway.

For a few specs: the container's args go through the gateway's own CLI parser; the gateway's security
layer (the code that refuses to serve beyond loopback without authentication) accepts them on the
rendered `--host 0.0.0.0`; and the pod's ConfigMap and Secrets, laid out as kubelet mounts them, run
the real `zscaler-mcp-gateway serve` on loopback (with `--simulator`) until /readyz answers, with
MCP requests checking authentication and the Host allowlist as a client in the cluster meets them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import pods
from zscaler_mcp_gateway import cli
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import ConfigError
from zscaler_mcp_operator.builders import API_KEYS_DIR, CONFIG_DIR, CREDENTIALS_DIR, DEFAULT_IMAGE, children
from zscaler_mcp_operator.spec import parse_gateway

API_KEY = "zs-api-key-0123456789abcdef"
JWT = {
    "issuer": "https://login.example.com/",
    "audience": "https://mcp.example.com/mcp",
    "jwksUrl": "https://login.example.com/.well-known/jwks.json",
}
SPECS: dict[str, dict[str, Any]] = {
    "no-auth": {},
    "api-key": {"replicas": 3, "auth": {"apiKeysSecret": "zs-api-keys"}, "allowedHosts": ["mcp.example.com"]},
    "jwt": {"auth": {"mode": "jwt", "jwt": JWT}, "allowUnconfirmedDeletes": True},
    "jwt-plain-audience": {
        "replicas": 2,
        "auth": {"jwt": {**JWT, "audience": "zscaler-mcp", "resourceUrl": "https://mcp.example.com/mcp"}},
    },
}
MODES = {"no-auth": "none", "api-key": "api-key", "jwt": "jwt", "jwt-plain-audience": "jwt"}


def built(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (ConfigMap, gateway container) the operator builds for a ZscalerMCP `zs` in namespace `tools`."""
    resource = {
        "metadata": {"name": "zs", "namespace": "tools"},
        "spec": {"toolsets": ["zia_url_filtering"], "credentials": {"secretName": "zscaler-credentials"}, **spec},
    }
    config_map, deployment, _ = children(parse_gateway(resource, load_catalog(), DEFAULT_IMAGE))
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return config_map, container


def mounted_files(name: str) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """The container of `SPECS[name]`, and what kubelet puts under each of its mounts."""
    config_map, container = built(SPECS[name])
    files = {CONFIG_DIR: config_map["data"], CREDENTIALS_DIR: dict(pods.SIMULATOR_CREDENTIAL_FILES)}
    if MODES[name] == "api-key":
        files[API_KEYS_DIR] = {"alice": API_KEY}
    return container, files


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_gateway_cli_parses_the_built_args(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, container = built(SPECS[name])
    try:
        parsed = cli._parser().parse_args(container["args"])
    except SystemExit:
        pytest.fail(f"zscaler-mcp-gateway rejects the operator's arguments: {capsys.readouterr().err}")
    assert (parsed.command, parsed.host, parsed.port, parsed.auth) == ("serve", "0.0.0.0", 8000, MODES[name])
    assert parsed.stateless is (SPECS[name].get("replicas", 1) > 1)
    assert parsed.allow_unconfirmed_deletes is SPECS[name].get("allowUnconfirmedDeletes", False)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_gateway_would_start_on_0_0_0_0_with_the_built_args(name: str, tmp_path: Path) -> None:
    """The security layer the gateway builds at start, on the rendered bind host, from the rendered args."""
    container, files = mounted_files(name)
    args = pods.local_args(container["args"], pods.lay_out(container, files, tmp_path))
    assert pods.arg(args, "--host") == "0.0.0.0"
    layer = pods.check_security(args)
    assert layer.mode == MODES[name]
    hosts = ("zs", "zs.tools", "zs.tools.svc", "zs.tools.svc.cluster.local", "localhost", "127.0.0.1")
    assert layer.options.allowed_hosts == hosts + tuple(SPECS[name].get("allowedHosts", ()))
    assert layer.transport_security() is not None  # the Host check is on


def test_without_an_explicit_auth_the_gateway_would_refuse_to_start() -> None:
    """Why `--auth` is always passed: the same args without it are refused on 0.0.0.0."""
    _, container = built({})
    args = list(container["args"])
    at = args.index("--auth")
    del args[at : at + 2]
    with pytest.raises(ConfigError, match="refusing to serve on 0.0.0.0 without authentication"):
        pods.check_security(args)


SERVICE_HOST = "zs.tools.svc.cluster.local:8000"


@pytest.mark.parametrize(
    ("name", "probes"),
    [
        (
            "api-key",
            {
                "service name, key": ((SERVICE_HOST, API_KEY), 200),
                "short name, key": (("zs:8000", API_KEY), 200),
                "ingress host, key": (("mcp.example.com", API_KEY), 200),
                "service name, no key": ((SERVICE_HOST, None), 401),
                "service name, wrong key": ((SERVICE_HOST, "not-the-key-of-anyone-0000"), 401),
                "foreign host, key": (("evil.example:8000", API_KEY), 421),
            },
        ),
        (
            "no-auth",
            {
                "service name": ((SERVICE_HOST, None), 200),
                "foreign host": (("evil.example:8000", None), 421),
            },
        ),
        (
            "jwt",
            {
                "service name, no token": ((SERVICE_HOST, None), 401),
            },
        ),
    ],
)
def test_the_built_pod_starts_the_real_gateway(
    name: str, probes: dict[str, tuple[tuple[str, str | None], int]], tmp_path: Path
) -> None:
    container, files = mounted_files(name)
    mounts = pods.lay_out(container, files, tmp_path)
    started = pods.start(
        pods.local_args(container["args"], mounts),
        extra_args=["--simulator"],
        probes={label: request for label, (request, _) in probes.items()},
    )
    assert started.readyz["ready"] is True, started.output
    assert started.readyz["config"]["source"] == str(mounts[CONFIG_DIR] / "config.yaml")
    assert started.probes == {label: status for label, (_, status) in probes.items()}, started.output
    if MODES[name] != "none":
        assert f"MCP endpoint authentication: {MODES[name]}" in started.output
