"""The Kubernetes API as the few calls the operator makes: read, create, merge-patch, patch status.

A thin adapter over the asyncio client of `kubernetes` (its configuration loading, authentication
and connection pool), speaking plain JSON dicts to the REST paths: the objects go to the API server
as the builders made them, without a round trip through the client's model classes. Every call maps
to one RBAC verb, listed in docs/operator.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kubernetes.aio import client, config

from .crd import GROUP, PLURAL, VERSION

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
COLLECTIONS: Mapping[str, str] = {
    "ConfigMap": "/api/v1/namespaces/{namespace}/configmaps",
    "Service": "/api/v1/namespaces/{namespace}/services",
    "Deployment": "/apis/apps/v1/namespaces/{namespace}/deployments",
    "ZscalerMCP": f"/apis/{GROUP}/{VERSION}/namespaces/{{namespace}}/{PLURAL}",
}


class ApiError(Exception):
    """A failed API call: transient (worth retrying as is) or a refusal of what was sent."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status

    @property
    def transient(self) -> bool:
        # 404 on a write: the namespace is being created or deleted; 409: a concurrent write.
        return self.status >= 500 or self.status in (404, 408, 409, 429)


class Cluster:
    def __init__(self, api_client: client.ApiClient) -> None:
        self._client = api_client

    @classmethod
    def at(cls, host: str) -> Cluster:
        """An unauthenticated connection to an API server URL (a local proxy or an emulator)."""
        return cls(client.ApiClient(client.Configuration(host=host)))

    async def close(self) -> None:
        await self._client.close()

    async def _request(
        self,
        method: str,
        kind: str,
        namespace: str,
        name: str | None = None,
        *,
        subresource: str = "",
        body: Any = None,
        content_type: str = JSON,
        missing_ok: bool = False,
    ) -> dict[str, Any] | None:
        path = COLLECTIONS[kind] + ("/{name}" if name else "") + (f"/{subresource}" if subresource else "")
        method, url, headers, payload, _ = await self._client.param_serialize(
            method,
            path,
            path_params={"namespace": namespace, **({"name": name} if name else {})},
            header_params={"Accept": JSON, **({"Content-Type": content_type} if body is not None else {})},
            body=body,
            auth_settings=["BearerToken"],
        )
        response = await self._client.call_api(method, url, headers, payload)
        raw = await response.read()
        if response.status == 404 and missing_ok:
            return None
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {"message": raw.decode("utf-8", "replace")}
        if response.status >= 400:
            raise ApiError(response.status, str(data.get("message") or data))
        return dict(data)

    async def read(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The object, or None when it does not exist."""
        return await self._request("GET", kind, namespace, name, missing_ok=True)

    async def create(self, obj: Mapping[str, Any]) -> None:
        await self._request("POST", obj["kind"], obj["metadata"]["namespace"], body=obj)

    async def patch(self, obj: Mapping[str, Any]) -> None:
        """Merge-patch the object with `obj`: its maps merge, its lists (containers, ports...) are replaced."""
        metadata = obj["metadata"]
        await self._request(
            "PATCH", obj["kind"], metadata["namespace"], metadata["name"], body=obj, content_type=MERGE_PATCH
        )

    async def patch_status(self, namespace: str, name: str, status: Mapping[str, Any]) -> None:
        """Merge-patch a ZscalerMCP's status through the status subresource."""
        await self._request(
            "PATCH",
            "ZscalerMCP",
            namespace,
            name,
            subresource="status",
            body={"status": status},
            content_type=MERGE_PATCH,
        )


async def connect() -> Cluster:
    """The cluster the operator runs in (service account), else the current kubeconfig context."""
    configuration = client.Configuration()
    try:
        config.load_incluster_config(client_configuration=configuration)
    except config.ConfigException:
        await config.load_kube_config(client_configuration=configuration)
    return Cluster(client.ApiClient(configuration))
