"""ZTW (Cloud & Branch Connector) collections and endpoints (/ztw/api/v1): plain arrays, integer ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .seeds import seeds
from .store import Collection, ServiceApi, SimulatorError

ROOT = "/ztw/api/v1"
Record = dict[str, Any]
Keep = Callable[[Record, str], bool]  # (record, query value) -> keep it


SEED = seeds("ztw")


def _ztw(path: str, seed: list[Record], **kw: Any) -> Collection:
    return Collection("ztw", ROOT + path, "array", seed=seed, int_ids=True, **kw)


def _require_addresses(record: Record) -> None:
    if not record.get("ipAddresses"):
        raise SimulatorError(400, "ipAddresses must list at least one address, range or CIDR")


def _destination_defaults(record: Record) -> None:
    record.setdefault("type", "DSTN_IP")
    record.setdefault("addresses", [])
    record.setdefault("ipCategories", [])
    record.setdefault("countries", [])


def _collections() -> dict[str, Collection]:
    return {
        "ipGroups": _ztw(
            "/ipGroups",
            SEED["ip_groups"],
            required=("name",),
            on_create=_require_addresses,
        ),
        "ipSourceGroups": _ztw(
            "/ipSourceGroups",
            SEED["ip_source_groups"],
            required=("name",),
            on_create=_require_addresses,
        ),
        "ipDestinationGroups": _ztw(
            "/ipDestinationGroups",
            SEED["ip_destination_groups"],
            required=("name",),
            on_create=_destination_defaults,
        ),
        "networkServices": _ztw(
            "/networkServices",
            SEED["network_services"],
        ),
        "networkServiceGroups": _ztw(
            "/networkServiceGroups",
            SEED["network_service_groups"],
        ),
        "adminUsers": _ztw(
            "/adminUsers",
            SEED["admin_users"],
        ),
        "adminRoles": _ztw(
            "/adminRoles",
            SEED["admin_roles"],
        ),
        "publicCloudInfo": _ztw(
            "/publicCloudInfo",
            SEED["public_cloud_info"],
        ),
        "publicCloudAccountDetails": _ztw(
            "/publicCloudAccountDetails",
            SEED["public_cloud_account_details"],
        ),
    }


DISCOVERY_SETTINGS = {
    "discoveryRoleName": "ZscalerTagDiscoveryRole",
    "externalId": "zs-ext-7f3c2a",
    "trustedAccountId": "588828866380",
    "trustedRole": "ZscalerDiscoveryServiceRole",
}

SEARCHED = ("name", "loginName", "userName", "email")
# Query filters the full listings honour, per collection: query key -> keep(record, value).
FILTERS: dict[str, dict[str, Keep]] = {
    "ipDestinationGroups": {"excludeType": lambda r, v: r.get("type") != v},
    "networkServices": {"protocol": lambda r, v: r.get("protocol") == v},
    "adminUsers": {"includeAuditorUsers": lambda r, v: v.lower() == "true" or not r.get("isAuditor")},
    "adminRoles": {"includeAuditorRole": lambda r, v: v.lower() == "true" or not r.get("isAuditor")},
}


def _listing(collection: Collection, filters: dict[str, Keep]) -> Callable[[Request], Any]:
    async def listing(request: Request) -> Response:
        q = request.query_params
        needle = q.get("search", "").lower()
        items = [
            r for r in collection.list() if not needle or any(needle in str(r.get(f, "")).lower() for f in SEARCHED)
        ]
        for key, keep in filters.items():
            if key in q:
                items = [r for r in items if keep(r, q[key])]
        return JSONResponse(items)

    return listing


def _lite(collection: Collection) -> Callable[[Request], Any]:
    async def lite(request: Request) -> Response:
        return JSONResponse([{"id": r["id"], "name": r["name"]} for r in collection.list()])

    return lite


def build() -> ServiceApi:
    collections = _collections()

    async def discovery(request: Request) -> Response:
        return JSONResponse(DISCOVERY_SETTINGS)

    routes = [Route(ROOT + "/discoveryService/workloadDiscoverySettings", discovery, methods=["GET"])]
    routes += [
        Route(f"{ROOT}/{name}/lite", _lite(collections[name]), methods=["GET"])
        for name in ("ipGroups", "ipSourceGroups", "ipDestinationGroups")
    ]
    routes += [
        Route(f"{ROOT}/{name}", _listing(collections[name], keep), methods=["GET"]) for name, keep in FILTERS.items()
    ]
    return ServiceApi(collections=list(collections.values()), routes=routes)
