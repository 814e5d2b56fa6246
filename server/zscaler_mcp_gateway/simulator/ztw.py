"""ZTW (Cloud & Branch Connector) collections and endpoints (/ztw/api/v1): plain arrays, integer ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .store import Collection, ServiceApi, SimulatorError

ROOT = "/ztw/api/v1"
Record = dict[str, Any]
Keep = Callable[[Record, str], bool]  # (record, query value) -> keep it


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
            [
                {
                    "id": 3001,
                    "name": "Branch-LAN-Ranges",
                    "description": "RFC1918 space behind branch connectors",
                    "ipAddresses": ["10.20.0.0/16", "10.21.0.0/16"],
                },
                {
                    "id": 3002,
                    "name": "Datacenter-Subnets",
                    "description": "Ashburn and Frankfurt server subnets",
                    "ipAddresses": ["172.16.10.0/24", "172.16.20.0/24"],
                },
            ],
            required=("name",),
            on_create=_require_addresses,
        ),
        "ipSourceGroups": _ztw(
            "/ipSourceGroups",
            [
                {
                    "id": 3101,
                    "name": "AWS-Workload-VPCs",
                    "description": "Workload VPC CIDRs (us-east-1)",
                    "ipAddresses": ["10.100.0.0/16", "10.101.0.0/16"],
                },
                {
                    "id": 3102,
                    "name": "Azure-Spoke-VNets",
                    "description": "Spoke VNets (westeurope)",
                    "ipAddresses": ["10.200.0.0/20"],
                },
            ],
            required=("name",),
            on_create=_require_addresses,
        ),
        "ipDestinationGroups": _ztw(
            "/ipDestinationGroups",
            [
                {
                    "id": 3201,
                    "name": "SaaS-Payroll",
                    "type": "DSTN_FQDN",
                    "addresses": ["payroll.example-saas.com"],
                    "description": "Payroll provider",
                    "ipCategories": [],
                    "countries": [],
                },
                {
                    "id": 3202,
                    "name": "Partner-Extranet",
                    "type": "DSTN_IP",
                    "addresses": ["198.51.100.0/24"],
                    "description": "Partner extranet range",
                    "ipCategories": [],
                    "countries": [],
                },
                {
                    "id": 3203,
                    "name": "Blocked-Geos",
                    "type": "DSTN_OTHER",
                    "addresses": [],
                    "description": "Sanctioned countries",
                    "ipCategories": [],
                    "countries": ["COUNTRY_KP", "COUNTRY_IR"],
                },
            ],
            required=("name",),
            on_create=_destination_defaults,
        ),
        "networkServices": _ztw(
            "/networkServices",
            [
                {
                    "id": 4001,
                    "name": "HTTPS",
                    "tag": "HTTPS",
                    "type": "PREDEFINED",
                    "protocol": "TCP",
                    "destTcpPorts": [{"start": 443}],
                    "description": "HTTP over TLS",
                },
                {
                    "id": 4002,
                    "name": "DNS",
                    "tag": "DNS",
                    "type": "PREDEFINED",
                    "protocol": "UDP",
                    "destUdpPorts": [{"start": 53}],
                    "destTcpPorts": [{"start": 53}],
                    "description": "Domain Name System",
                },
                {
                    "id": 4003,
                    "name": "SAP-Dispatcher",
                    "tag": "CUSTOM_01",
                    "type": "CUSTOM",
                    "protocol": "TCP",
                    "destTcpPorts": [{"start": 3200, "end": 3299}],
                    "description": "SAP GUI dispatcher ports",
                },
                {
                    "id": 4004,
                    "name": "ICMP_ANY",
                    "tag": "ICMP_ANY",
                    "type": "PREDEFINED",
                    "protocol": "ICMP",
                    "description": "Any ICMP",
                },
            ],
        ),
        "networkServiceGroups": _ztw(
            "/networkServiceGroups",
            [
                {
                    "id": 4101,
                    "name": "Web-Services",
                    "services": [{"id": 4001, "name": "HTTPS"}],
                    "description": "Web traffic",
                },
                {
                    "id": 4102,
                    "name": "ERP-Services",
                    "services": [{"id": 4003, "name": "SAP-Dispatcher"}, {"id": 4002, "name": "DNS"}],
                    "description": "SAP and name resolution",
                },
            ],
        ),
        "adminUsers": _ztw(
            "/adminUsers",
            [
                {
                    "id": 5001,
                    "loginName": "netops@example.com",
                    "userName": "Network Operations",
                    "email": "netops@example.com",
                    "role": {"id": 5101, "name": "Super Admin"},
                    "adminScopeType": "ORGANIZATION",
                    "isAuditor": False,
                    "disabled": False,
                },
                {
                    "id": 5002,
                    "loginName": "cloudeng@example.com",
                    "userName": "Cloud Engineering",
                    "email": "cloudeng@example.com",
                    "role": {"id": 5102, "name": "Connector Admin"},
                    "adminScopeType": "ORGANIZATION",
                    "isAuditor": False,
                    "disabled": False,
                },
                {
                    "id": 5003,
                    "loginName": "auditor@example.com",
                    "userName": "External Auditor",
                    "email": "auditor@example.com",
                    "role": {"id": 5103, "name": "Auditor"},
                    "adminScopeType": "ORGANIZATION",
                    "isAuditor": True,
                    "disabled": False,
                },
            ],
        ),
        "adminRoles": _ztw(
            "/adminRoles",
            [
                {
                    "id": 5101,
                    "name": "Super Admin",
                    "rank": 7,
                    "roleType": "EDGE_CONNECTOR_ADMIN",
                    "policyAccess": "READ_WRITE",
                    "isAuditor": False,
                },
                {
                    "id": 5102,
                    "name": "Connector Admin",
                    "rank": 7,
                    "roleType": "EDGE_CONNECTOR_ADMIN",
                    "policyAccess": "READ_WRITE",
                    "isAuditor": False,
                },
                {
                    "id": 5103,
                    "name": "Auditor",
                    "rank": 7,
                    "roleType": "EDGE_CONNECTOR_ADMIN",
                    "policyAccess": "READ_ONLY",
                    "isAuditor": True,
                },
            ],
        ),
        "publicCloudInfo": _ztw(
            "/publicCloudInfo",
            [
                {
                    "id": 6001,
                    "name": "aws-prod-us-east-1",
                    "cloudType": "AWS",
                    "externalId": "zs-ext-7f3c2a",
                    "lastModTime": 1718500000,
                    "lastSyncTime": 1718600000,
                    "accountDetails": {
                        "awsAccountId": "123456789012",
                        "awsRoleName": "ZscalerTagDiscoveryRole",
                        "eventBusName": "zscaler-bus",
                    },
                    "regionStatus": [
                        {"id": 1, "name": "us-east-1", "cloudType": "AWS", "status": True},
                        {"id": 2, "name": "us-west-2", "cloudType": "AWS", "status": False},
                    ],
                },
                {
                    "id": 6002,
                    "name": "aws-dev-eu-central-1",
                    "cloudType": "AWS",
                    "externalId": "zs-ext-91b0de",
                    "lastModTime": 1718400000,
                    "lastSyncTime": 1718600000,
                    "accountDetails": {
                        "awsAccountId": "210987654321",
                        "awsRoleName": "ZscalerTagDiscoveryRole",
                        "eventBusName": "zscaler-bus",
                    },
                    "regionStatus": [{"id": 3, "name": "eu-central-1", "cloudType": "AWS", "status": True}],
                },
            ],
        ),
        "publicCloudAccountDetails": _ztw(
            "/publicCloudAccountDetails",
            [
                {
                    "id": 6001,
                    "awsAccountId": "123456789012",
                    "externalId": "zs-ext-7f3c2a",
                    "awsRoleName": "ZscalerTagDiscoveryRole",
                    "troubleShootingLogging": False,
                    "accountGroups": [{"id": 7001, "name": "Production"}],
                },
                {
                    "id": 6002,
                    "awsAccountId": "210987654321",
                    "externalId": "zs-ext-91b0de",
                    "awsRoleName": "ZscalerTagDiscoveryRole",
                    "troubleShootingLogging": True,
                    "accountGroups": [{"id": 7002, "name": "Development"}],
                },
            ],
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
