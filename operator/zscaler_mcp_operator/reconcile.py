"""One reconciliation of a ZscalerMCP: make the children match the spec, then report in the status.

Idempotent: a child is created when missing, merge-patched when a field we set differs, and left
alone otherwise; the status is written only when it changes. An invalid spec touches no child
(the last valid ConfigMap keeps serving) and is reported, never raised, so kopf does not retry it;
so is a child the API server rejects (say, requests above limits). A transient API error becomes kopf's
`TemporaryError`, so kopf retries the handler after `RETRY_DELAY_SECONDS` (not its default backoff).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import kopf

from zscaler_mcp_gateway.catalog import Catalog, Tool
from zscaler_mcp_gateway.config import ConfigError, policy_warnings
from zscaler_mcp_gateway.policy import PolicyView

from . import builders, status
from .drift import holds
from .kube import ApiError, Cluster
from .schema import AUTH_NONE
from .spec import Gateway, api_keys_secret_of, parse_gateway, secret_name_of

RETRY_DELAY_SECONDS = 10.0  # after a transient API error: 5xx, 408, 409, 429, 404 (a namespace in flux)
UNAUTHENTICATED = (
    "spec.auth: mode none, the MCP endpoint takes calls without a credential from anything that reaches the "
    "Service; set spec.auth.apiKeysSecret (or spec.auth.jwt) to require one"
)

PER_POD_APPROVAL_KEYS = (
    "spec.approvals.secretName is unset with {replicas} replicas: each pod signs human approvals with a key of "
    "its own, so a 2026-07-28 client's approval of a call that needs one is refused by every pod but the one that "
    "asked; name a Secret with a random `current` key (docs/security.md)"
)


def approval_warnings(gateway: Gateway, view: PolicyView, served: Iterable[Tool]) -> list[str]:
    """The warning of a spec whose replicas would not accept each other's approvals (`served`: the view's)."""
    if gateway.replicas < 2 or gateway.approvals_secret:
        return []
    if not any(view.needs_confirmation(tool, gateway.allow_unconfirmed_deletes) for tool in served):
        return []
    return [PER_POD_APPROVAL_KEYS.format(replicas=gateway.replicas)]


@dataclass(frozen=True)
class Reconciler:
    cluster: Cluster
    catalog: Catalog
    default_image: str

    async def apply(self, desired: Mapping[str, Any]) -> str:
        """Make one child hold `desired`; returns what it did: created, updated or unchanged."""
        metadata = desired["metadata"]
        actual = await self.cluster.read(desired["kind"], metadata["namespace"], metadata["name"])
        if actual is None:
            await self.cluster.create(desired)
            return "created"
        if holds(actual, desired):
            return "unchanged"
        await self.cluster.patch(desired)
        return "updated"

    async def _apply_children(
        self, gateway: Gateway, logger: logging.Logger | logging.LoggerAdapter[Any]
    ) -> tuple[dict[str, str], int | None, str | None]:
        """Apply every child; returns the ConfigValid condition, and the tool count and config hash if applied."""
        rejected: dict[str, str] = {}
        for child in builders.children(gateway):
            where = f"{child['kind']} {gateway.namespace}/{child['metadata']['name']}"
            try:
                outcome = await self.apply(child)
            except ApiError as exc:
                if exc.transient:
                    raise kopf.TemporaryError(f"{where}: {exc}", delay=RETRY_DELAY_SECONDS) from exc
                rejected[child["kind"]] = f"{where}: {exc}"
            else:
                if outcome != "unchanged":
                    logger.info(f"{outcome} {where}")
        policy_applied = "ConfigMap" not in rejected
        view = PolicyView.build(gateway.policy, self.catalog)
        served = view.served_tools()
        tool_count = len(served) if policy_applied else None
        config_hash = builders.config_hash(builders.render_config(gateway.policy)) if policy_applied else None
        if rejected:
            return status.rejected_condition(list(rejected.values())), tool_count, config_hash
        warnings = policy_warnings(gateway.policy, self.catalog)
        if gateway.auth.mode == AUTH_NONE:
            warnings.append(UNAUTHENTICATED)
        warnings += approval_warnings(gateway, view, served.values())
        return status.config_condition((), warnings, tool_count), tool_count, config_hash

    async def reconcile(self, resource: Mapping[str, Any], logger: logging.Logger | logging.LoggerAdapter[Any]) -> None:
        metadata = resource["metadata"]
        name, namespace = metadata["name"], metadata["namespace"]
        previous: Mapping[str, Any] = resource.get("status") or {}
        try:
            gateway = parse_gateway(resource, self.catalog, self.default_image)
        except ConfigError as exc:
            config, tool_count, config_hash = status.config_condition(exc.errors, (), None), None, None
        else:
            config, tool_count, config_hash = await self._apply_children(gateway, logger)

        deployment = await self.cluster.read("Deployment", namespace, name)
        conditions = [
            status.ready_condition(deployment),
            config,
            status.credentials_condition(secret_name_of(resource), deployment, api_keys_secret_of(resource)),
        ]
        for changed in status.changed_conditions(previous.get("conditions"), conditions):
            problem = changed["status"] == "False" and changed["type"] != status.READY
            logger.log(
                logging.WARNING if problem else logging.INFO,
                f"{changed['type']}={changed['status']}: {changed['message']}",
            )

        desired = status.next_status(
            previous,
            generation=metadata.get("generation"),
            endpoint=builders.endpoint(name, namespace),
            conditions=conditions,
            now=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            tool_count=tool_count,
            config_hash=config_hash,
        )
        patch = status.status_patch(previous, desired)
        if patch:
            await self.cluster.patch_status(namespace, name, patch)
