"""Helpers for the operator tests: resources, waiting, and reading what the emulated API server holds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import kmock

from tests.operator.apiserver import ZSCALERMCPS, ApiServer

NAMESPACE = "tools"
WAIT_TIMEOUT = 10.0
BASE = "/apis/zscaler-mcp.dev/v1alpha1/namespaces/tools/zscalermcps"


def zscalermcp(name: str, **spec: Any) -> dict[str, Any]:
    spec.setdefault("credentials", {"secretName": "zscaler-credentials"})
    return {
        "apiVersion": "zscaler-mcp.dev/v1alpha1",
        "kind": "ZscalerMCP",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": spec,
    }


async def eventually(check: Callable[[], Any], what: str, timeout: float = WAIT_TIMEOUT) -> Any:
    """Poll `check` until it returns something truthy (returned), else fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := check()):
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        await asyncio.sleep(0.05)
    return result


async def call(api: ApiServer, method: str, path: str, body: Any = None, content_type: str | None = None) -> Any:
    """One request to the emulated API server, as kubectl would make it."""
    headers = {"Content-Type": content_type} if content_type else None
    async with api.request(method, path, json=body, headers=headers) as response:
        assert response.status < 300, await response.text()
        return await response.json()


def stored(api: ApiServer, resource: str, name: str) -> dict[str, Any] | None:
    """The object as the API server holds it now, or None."""
    key = (kmock.resource(resource), NAMESPACE, name)
    if key not in api.objects or api.objects[key].deleted:
        return None
    raw: dict[str, Any] = api.objects[key].raw
    return raw


def current(api: ApiServer, resource: str, name: str) -> dict[str, Any]:
    """The object as the API server holds it now, or {} when there is none."""
    return stored(api, resource, name) or {}


def versions(api: ApiServer, resource: str, name: str) -> int:
    """How many writes the object has seen (create, patches, deletions)."""
    key = (kmock.resource(resource), NAMESPACE, name)
    return len(api.objects[key].history) if key in api.objects else 0


def condition(api: ApiServer, name: str, kind: str) -> dict[str, Any]:
    """A status condition of the ZscalerMCP, or {} when it is not there (yet)."""
    conditions = (current(api, ZSCALERMCPS, name).get("status") or {}).get("conditions", [])
    return next((c for c in conditions if c["type"] == kind), {})
