"""kind end-to-end fixtures: a cluster, the image built and loaded into it, a restricted namespace,
the gateway installed with its chart.

Environment: E2E_KIND_CLUSTER (default zscaler-mcp-e2e; reused when it exists, else created and
deleted afterwards), E2E_KEEP_CLUSTER=1 keeps a cluster this suite created, E2E_REQUIRED=1 fails
instead of skipping when a prerequisite is missing.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator

import pytest
from e2ekit import (
    CLUSTER,
    GATEWAY_CHART,
    IMAGE_REPOSITORY,
    IMAGE_TAG,
    IMAGE_VALUES,
    OPERATOR_REPOSITORY,
    ROOT,
    Kube,
    Release,
    free_port,
    missing_prerequisite,
    run,
)

# The simulator accepts any client credentials; the gateway only needs the files to exist.
CREDENTIALS = {
    "ZSCALER_CLIENT_ID": "e2e-client",
    "ZSCALER_CLIENT_SECRET": "e2e-secret",
    "ZSCALER_VANITY_DOMAIN": "acme",
    "ZSCALER_CUSTOMER_ID": "1234567890",
}


@pytest.fixture(scope="session")
def prerequisites() -> None:
    """Skip (or, with E2E_REQUIRED=1 as in CI, fail) naming what is missing; probed when a test first needs it,
    never at import: collecting the suite must not run `docker info`."""
    missing = missing_prerequisite()
    if missing and os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(f"E2E_REQUIRED is set but the kind suite cannot run: {missing}")
    if missing:
        pytest.skip(f"kind e2e suite needs kind, helm, kubectl and a Docker engine: {missing}")


@pytest.fixture(scope="session")
def kube(prerequisites: None) -> Iterator[Kube]:
    created = CLUSTER not in run("kind", "get", "clusters").split()
    if created:
        run("kind", "create", "cluster", "--name", CLUSTER, "--wait", "180s", timeout=600)
    try:
        yield Kube(context=f"kind-{CLUSTER}")
    finally:
        if created and not os.environ.get("E2E_KEEP_CLUSTER"):
            run("kind", "delete", "cluster", "--name", CLUSTER)


@pytest.fixture(scope="session")
def image(kube: Kube) -> str:
    """Both images of the Dockerfile, built and loaded into kind; the gateway's name."""
    for target, repository in (("gateway", IMAGE_REPOSITORY), ("operator", OPERATOR_REPOSITORY)):
        tag = f"{repository}:{IMAGE_TAG}"
        run("docker", "build", "--target", target, "--tag", tag, str(ROOT), timeout=1800)
        run("kind", "load", "docker-image", tag, "--name", CLUSTER, timeout=600)
    return f"{IMAGE_REPOSITORY}:{IMAGE_TAG}"


@pytest.fixture(scope="session")
def namespace(kube: Kube) -> Iterator[str]:
    """A namespace enforcing Pod Security "restricted" (a non-compliant pod is refused), with credentials."""
    name = f"zmcp-e2e-{uuid.uuid4().hex[:6]}"
    kube.kubectl("create", "namespace", name)
    kube.kubectl("label", "namespace", name, "pod-security.kubernetes.io/enforce=restricted")
    literals = [f"--from-literal={key}={value}" for key, value in CREDENTIALS.items()]
    kube.kubectl("create", "secret", "generic", "zscaler-credentials", "-n", name, *literals)
    try:
        yield name
    finally:
        kube.kubectl("delete", "namespace", name, "--wait=false")


@pytest.fixture(scope="session")
def gateway(kube: Kube, image: str, namespace: str) -> Iterator[Release]:
    """The gateway chart on the embedded simulator, with one MCP client API key ("e2e")."""
    release = Release("gw", namespace, "gw-zscaler-mcp-gateway", free_port(), secrets.token_hex(24))
    kube.kubectl(
        "create", "secret", "generic", "zscaler-mcp-api-keys", "-n", namespace, f"--from-literal=e2e={release.api_key}"
    )
    kube.helm(
        "install", release.name, str(GATEWAY_CHART),
        "--namespace", namespace,
        "--set", IMAGE_VALUES,
        "--set", "credentials.existingSecret=zscaler-credentials,auth.apiKeysSecret=zscaler-mcp-api-keys",
        "--set", "simulator.enabled=true,replicaCount=1",
        "--set", "toolsets={zia_url_filtering,zpa_app_segments}",
        "--set", f"allowedHosts={{127.0.0.1:{release.local_mcp_port}}}",
        "--wait", "--timeout", "300s",
    )  # fmt: skip
    try:
        yield release
    finally:
        kube.helm("uninstall", release.name, "--namespace", namespace, "--wait")
