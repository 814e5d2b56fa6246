"""kopf wiring: which events reconcile a ZscalerMCP. Thin: the work happens in reconcile.py.

Create, update and resume apply the spec at once; a timer re-applies it every `resync_seconds` so a
deleted or hand-edited child comes back and `Ready` follows the Deployment. There is no delete
handler: the children carry owner references and the garbage collector removes them with the
resource (kopf's finalizer only lets the timer stop first).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import kopf

from zscaler_mcp_gateway.catalog import load_catalog

from . import kube
from .crd import GROUP, PLURAL, VERSION
from .options import OperatorOptions
from .reconcile import Reconciler

FINALIZER = f"{GROUP}/finalizer"


def configure(settings: kopf.OperatorSettings) -> None:
    """Keep kopf's bookkeeping in annotations, so that the status subresource holds only our status."""
    settings.persistence.finalizer = FINALIZER
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=GROUP)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix=GROUP, key="last-handled-configuration"
    )
    settings.posting.level = logging.WARNING  # Kubernetes Events for problems only, not for every resync


def register(
    registry: kopf.OperatorRegistry,
    options: OperatorOptions,
    connect: Callable[[], Awaitable[kube.Cluster]] = kube.connect,
) -> kopf.OperatorRegistry:
    """Add the operator's handlers to `registry`; `connect` opens the API connection at startup."""
    catalog = load_catalog()

    # Explicit ids: kopf keys its annotations by handler id, which must stay stable and annotation-safe.
    @kopf.on.startup(id="connect", registry=registry)
    async def start(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
        configure(settings)
        memo.reconciler = Reconciler(await connect(), catalog, options.default_image)

    @kopf.on.cleanup(id="disconnect", registry=registry)
    async def stop(memo: kopf.Memo, **_: Any) -> None:
        await memo.reconciler.cluster.close()

    async def reconcile(body: kopf.Body, memo: kopf.Memo, logger: kopf.Logger) -> None:
        # One reconciliation at a time per resource: the timer and a spec change may coincide.
        async with memo.setdefault("lock", asyncio.Lock()):
            await memo.reconciler.reconcile(body, logger)

    @kopf.on.resume(GROUP, VERSION, PLURAL, id="apply_spec", registry=registry)
    @kopf.on.create(GROUP, VERSION, PLURAL, id="apply_spec", registry=registry)
    @kopf.on.update(GROUP, VERSION, PLURAL, id="apply_spec", registry=registry)
    async def apply_spec(body: kopf.Body, memo: kopf.Memo, logger: kopf.Logger, **_: Any) -> None:
        await reconcile(body, memo, logger)

    @kopf.timer(
        GROUP,
        VERSION,
        PLURAL,
        id="resync",
        registry=registry,
        interval=options.resync_seconds,
        initial_delay=options.resync_seconds,
    )
    async def resync(body: kopf.Body, memo: kopf.Memo, logger: kopf.Logger, **_: Any) -> None:
        await reconcile(body, memo, logger)

    return registry
