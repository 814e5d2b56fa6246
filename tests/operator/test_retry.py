"""A transient API error becomes kopf's TemporaryError with the operator's delay (a refusal: test_operator.py)."""

from __future__ import annotations

import logging

import kopf
import pytest

from tests.operator.apiserver import DEPLOYMENTS, ApiServer
from tests.operator.kit import zscalermcp
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_operator.kube import Cluster
from zscaler_mcp_operator.reconcile import RETRY_DELAY_SECONDS, Reconciler

RESOURCE = zscalermcp("zs", toolsets=["zia_url_filtering"])


async def test_a_transient_api_error_asks_kopf_to_retry_after_the_operators_delay(apiserver: ApiServer) -> None:
    apiserver.refuse(DEPLOYMENTS, "etcdserver: request timed out", status=503)
    cluster = Cluster.at(str(apiserver.url))
    try:
        reconciler = Reconciler(cluster, load_catalog(), "gateway:test")
        with pytest.raises(kopf.TemporaryError) as retry:
            await reconciler.reconcile(RESOURCE, logging.getLogger("test"))
    finally:
        await cluster.close()
    assert retry.value.delay == RETRY_DELAY_SECONDS
    assert "Deployment tools/zs: HTTP 503" in str(retry.value) and "request timed out" in str(retry.value)
