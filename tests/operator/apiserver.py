"""kmock's Kubernetes emulator, plus what a real API server does to every write and kmock leaves out.

- create: `uid`, `generation: 1`, `resourceVersion`, `creationTimestamp`;
- every write bumps `resourceVersion`, and `generation` when `spec` changes;
- status subresource semantics: a write to the main resource ignores `status`, a write to
  `/status` changes nothing but `status` (so a status written the wrong way is lost, as in a cluster);
- a JSON patch whose `test` of `resourceVersion` fails is a 422 conflict, which kopf retries later;
- admission: a test can make the server refuse (422) every write to a kind, as a validation would.

Owner-reference garbage collection and the Deployment controller are not emulated: tests play them.
"""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jsonpatch
import kmock

GROUP, VERSION = "zscaler-mcp.dev", "v1alpha1"
ZSCALERMCPS = f"{GROUP}/{VERSION}/zscalermcps"
CONFIGMAPS, SERVICES, SECRETS, EVENTS = "v1/configmaps", "v1/services", "v1/secrets", "v1/events"
DEPLOYMENTS = "apps/v1/deployments"
_VERSIONS = itertools.count(1)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class ApiServer(kmock.KubernetesEmulator):
    def declare(self) -> None:
        """The resources the operator and kopf use, with their discovery information."""
        self.refusals: dict[Any, tuple[int, str]] = {}
        rw = {"get", "list", "watch", "create", "patch", "update", "delete"}
        self.resources[ZSCALERMCPS] = kmock.ResourceInfo(
            kind="ZscalerMCP", singular="zscalermcp", namespaced=True, verbs=rw, subresources={"status"}
        )
        self.resources[DEPLOYMENTS] = kmock.ResourceInfo(
            kind="Deployment", namespaced=True, verbs=rw, subresources={"status", "scale"}
        )
        self.resources[SERVICES] = kmock.ResourceInfo(
            kind="Service", namespaced=True, verbs=rw, subresources={"status"}
        )
        self.resources[CONFIGMAPS] = kmock.ResourceInfo(kind="ConfigMap", namespaced=True, verbs=rw)
        self.resources[SECRETS] = kmock.ResourceInfo(kind="Secret", namespaced=True, verbs=rw)
        self.resources[EVENTS] = kmock.ResourceInfo(kind="Event", namespaced=True, verbs=rw)
        self.resources["v1/namespaces"] = kmock.ResourceInfo(kind="Namespace", namespaced=False, verbs=rw)
        self.resources["apiextensions.k8s.io/v1/customresourcedefinitions"] = kmock.ResourceInfo(
            kind="CustomResourceDefinition", namespaced=False, verbs=rw
        )

    def _has_status(self, resource: Any) -> bool:
        return resource in self.resources and "status" in self.resources[resource].subresources

    def _create(self, request: kmock.Request) -> Any:
        body = dict(request.data)
        if self._has_status(request.resource):
            body.pop("status", None)
        metadata = dict(body.get("metadata") or {})
        metadata.update(
            uid=str(uuid.uuid4()),
            generation=1,
            resourceVersion=str(next(_VERSIONS)),
            creationTimestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        return {**body, "metadata": metadata}

    @staticmethod
    def _stamp(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
        """The metadata a write changes: a new resourceVersion; a new generation if the spec changed."""
        stamp: dict[str, Any] = {"resourceVersion": str(next(_VERSIONS))}
        if new.get("spec") != old.get("spec"):
            stamp["generation"] = old["metadata"].get("generation", 0) + 1
        return stamp

    def _update(self, request: kmock.Request) -> Any:
        assert request.resource is not None and request.name is not None
        key = (request.resource, request.namespace, request.name)
        if key not in self.objects or self.objects[key].deleted:
            return request.data  # kmock answers 404
        old = self.objects[key].raw
        status_only = request.subresource == "status"
        if isinstance(request.data, list):  # JSON patch
            version = {"op": "test", "path": "/metadata/resourceVersion"}
            for op in request.data:
                if version.items() <= op.items() and op.get("value") != old["metadata"].get("resourceVersion"):
                    raise kmock.KubernetesError(status=422, reason="Conflict", message="resourceVersion changed")
            ops = [op for op in request.data if op.get("path", "").startswith("/status") == status_only]
            stamp = self._stamp(old, jsonpatch.apply_patch(old, ops))
            return ops + [{"op": "add", "path": f"/metadata/{k}", "value": v} for k, v in stamp.items()]
        patch = dict(request.data)
        if status_only:
            patch = {"status": patch.get("status")}
        elif self._has_status(request.resource):
            patch.pop("status", None)
        return merge_patch(patch, {"metadata": self._stamp(old, merge_patch(old, patch))})

    def refuse(self, resource: str, message: str, status: int = 422) -> None:
        """From now on, answer every create or patch of `resource` with `status` (422) carrying `message`."""
        self.refusals[kmock.resource(resource)] = (status, message)

    async def _handle(self, request: kmock.Request) -> Any:
        writes = (kmock.action.CREATE, kmock.action.UPDATE)
        if request.action in writes and request.resource in self.refusals:
            status, message = self.refusals[request.resource]
            reason = "Invalid" if status == 422 else "Unavailable"
            raise kmock.KubernetesError(status=status, reason=reason, message=message)
        # kmock matches reactions by the identity of the recorded request: rewrite its data in place.
        if request.resource is not None and request.action == kmock.action.CREATE:
            object.__setattr__(request, "data", self._create(request))
        elif request.resource is not None and request.action == kmock.action.UPDATE and request.name:
            object.__setattr__(request, "data", self._update(request))
        return await super()._handle(request)
