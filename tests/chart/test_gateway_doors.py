"""One gateway, two doors: the gateway chart and the operator run it with the same command line and mounts.

For the values where the chart and the ZscalerMCP spec overlap (`auth`, `allowedHosts`,
`allowUnconfirmedDeletes`, the replica count), the operator's Deployment for a resource named like the
chart's release, in its namespace, carries the chart's args (but `--log-level`, which only the chart
has) and the chart's API keys volume.
"""

from __future__ import annotations

from typing import Any

import pytest
from chartkit import GATEWAY_RELEASE, find, render_gateway

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_operator.builders import DEFAULT_IMAGE, children
from zscaler_mcp_operator.spec import parse_gateway

DEPLOYMENT = f"{GATEWAY_RELEASE[0]}-zscaler-mcp-gateway"
JWT = {
    "issuer": "https://login.example.com/",
    "audience": "https://mcp.example.com/mcp",
    "jwksUrl": "https://login.example.com/jwks",
}
CASES: list[dict[str, Any]] = [
    {"auth": {"apiKeysSecret": "zscaler-mcp-api-keys"}, "replicas": 2},
    {
        "auth": {"mode": "api-key", "apiKeysSecret": "keys"},
        "replicas": 1,
        "allowedHosts": ["mcp.example.com", "mcp.example.com:443"],
    },
    {"auth": {"mode": "none"}, "replicas": 1},
    {"auth": {"mode": "none", "apiKeysSecret": "keys"}, "replicas": 3, "allowUnconfirmedDeletes": True},
    {"auth": {"jwt": JWT}, "replicas": 2, "allowedHosts": ["mcp.example.com"]},
    {"auth": {"mode": "jwt", "apiKeysSecret": "keys", "jwt": JWT}, "replicas": 1},
    {"auth": {"jwt": {**JWT, "audience": "zscaler-mcp", "resourceUrl": "https://mcp.example.com/mcp"}}, "replicas": 1},
]


def _pod(deployment: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = deployment["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    return container, spec


def _without_log_level(args: list[str]) -> list[str]:
    at = args.index("--log-level")
    return args[:at] + args[at + 2 :]


def _api_keys(container: dict[str, Any], pod: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    mounts = [m for m in container["volumeMounts"] if m["name"] == "api-keys"]
    return mounts, [v for v in pod["volumes"] if v["name"] == "api-keys"]


@pytest.mark.parametrize("case", CASES, ids=lambda case: str(case))
def test_the_operator_runs_the_gateway_like_the_chart(case: dict[str, Any]) -> None:
    namespace = GATEWAY_RELEASE[1]
    values = {
        "credentials": {"existingSecret": "zscaler-credentials"},
        "auth": case["auth"],
        "replicaCount": case["replicas"],
        "allowedHosts": case.get("allowedHosts", []),
        "allowUnconfirmedDeletes": case.get("allowUnconfirmedDeletes", False),
        "approvals": {"existingSecret": "zscaler-mcp-approval-keys"},
    }
    chart_container, chart_pod = _pod(find(render_gateway(values), "Deployment", DEPLOYMENT))

    spec = {
        "credentials": {"secretName": "zscaler-credentials"},
        "approvals": {"secretName": "zscaler-mcp-approval-keys"},
        **case,
    }
    resource = {"metadata": {"name": DEPLOYMENT, "namespace": namespace}, "spec": spec}
    _, deployment, _ = children(parse_gateway(resource, load_catalog(), DEFAULT_IMAGE))
    container, pod = _pod(deployment)

    assert container["args"] == _without_log_level(chart_container["args"])
    assert _api_keys(container, pod) == _api_keys(chart_container, chart_pod)
    for volume in ("credentials", "approval-keys"):
        mounts = [m for m in container["volumeMounts"] if m["name"] == volume]
        assert mounts and mounts == [m for m in chart_container["volumeMounts"] if m["name"] == volume]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe] == chart_container[probe], probe
    assert container["securityContext"] == chart_container["securityContext"]
    assert pod["securityContext"] == chart_pod["securityContext"]
    assert pod["automountServiceAccountToken"] is chart_pod["automountServiceAccountToken"] is False
    assert ("--stateless" in container["args"]) is (case["replicas"] > 1)  # never sessions across pods
