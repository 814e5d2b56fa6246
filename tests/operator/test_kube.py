"""The API adapter: which failures are worth a retry, and reads of missing objects."""

from __future__ import annotations

import pytest

from tests.operator.apiserver import ApiServer
from zscaler_mcp_operator.kube import ApiError, Cluster


@pytest.mark.parametrize(
    ("status", "transient"),
    [(500, True), (503, True), (409, True), (429, True), (404, True), (422, False), (400, False), (403, False)],
)
def test_only_transient_failures_are_retried(status: int, transient: bool) -> None:
    assert ApiError(status, "x").transient is transient


async def test_read_create_patch_round_trip(apiserver: ApiServer) -> None:
    cluster = Cluster.at(str(apiserver.url))
    try:
        assert await cluster.read("ConfigMap", "tools", "cm") is None
        await cluster.create(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "cm", "namespace": "tools"},
                "data": {"a": "1"},
            }
        )
        await cluster.patch({"kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "tools"}, "data": {"b": "2"}})
        stored = await cluster.read("ConfigMap", "tools", "cm")
        assert stored is not None and stored["data"] == {"a": "1", "b": "2"}
        apiserver.refuse("v1/configmaps", "nope")
        with pytest.raises(ApiError, match="HTTP 422: nope") as refused:
            await cluster.patch({"kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "tools"}, "data": {}})
        assert not refused.value.transient
    finally:
        await cluster.close()
