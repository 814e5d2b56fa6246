"""Zscaler Cellular (/zcell/config/api/v1): SIMs, anomaly policies, analytics, audit and events.

Every resource sits under a customer id (`customers/{id}`); like ZPA's, the simulator serves its one
tenant under whatever id the client names, except the SDK's "None" (no ZCELL_CUSTOMER_ID anywhere),
which is a 404. Lists page as `{content, totalPages, totalElements, size, number}` with a
0-based `page` and `size` (default 10, at most 100). Windowed endpoints insist on their window
(`startDateTime`/`endDateTime`, `startDate`/`endDate`, or the path's startTime/endTime), in epoch
seconds, and answer 400 without it, as the API does.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .store import Collection, ServiceApi, SimulatorError

API = "/zcell/config/api/v1"
CUSTOMER_ID = "gi754cvqb07r0"
CUSTOMER = API + "/customers/{customer_id}"
DEFAULT_SIZE, MAX_SIZE = 10, 100
Record = dict[str, Any]
NOW = int(time.time())  # the seed is relative to start-up, so "the last 7 days" always holds data

SIMS: list[Record] = [
    {
        "iccid": f"8901260{n:013d}",
        "imsi": f"31026{n:010d}",
        "msisdn": f"+1202555{n:04d}",
        "imei": f"35693803{n:07d}",
        "status": status,
        "networkStatus": network,
        "locationCountry": country,
        "locationMno": mno,
        "apn": "zscaler.iot",
        "ipAddress": f"100.64.{n // 256}.{n % 256}",
        "deviceType": device,
        "brandName": brand,
        "modelName": model,
        "formFactor": "Embedded",
        "tags": tags,
        "tagIds": [t.lower() for t in tags],
        "simLat": lat,
        "simLng": lng,
        "usage": usage,
        "usageVal": f"{usage / 1048576:.1f} MB",
        "activatedDate": NOW - 86400 * (200 - n),
        "lastSessionUpdatedAt": NOW - 600 * n,
        "creationTime": NOW - 86400 * 365,
        "assignedTo": assigned,
    }
    for n, (status, network, country, mno, device, brand, model, tags, lat, lng, usage, assigned) in enumerate(
        [
            (
                "ACTIVATED",
                "ONLINE",
                "US",
                "AT&T",
                "Router",
                "Cradlepoint",
                "IBR1700",
                ["Fleet"],
                40.71,
                -74.0,
                734003200,
                "truck-114",
            ),
            (
                "ACTIVATED",
                "ONLINE",
                "US",
                "T-Mobile",
                "Router",
                "Cradlepoint",
                "IBR1700",
                ["Fleet"],
                34.05,
                -118.24,
                512753664,
                "truck-207",
            ),
            (
                "ACTIVATED",
                "OFFLINE",
                "DE",
                "Telekom",
                "Gateway",
                "Siemens",
                "SCALANCE M876",
                ["Factory"],
                48.14,
                11.58,
                104857600,
                None,
            ),
            (
                "ACTIVATED",
                "ONLINE",
                "GB",
                "Vodafone",
                "POS",
                "Verifone",
                "V400m",
                ["Retail"],
                51.51,
                -0.13,
                31457280,
                "store-18",
            ),
            (
                "ACTIVATED",
                "ONLINE",
                "FR",
                "Orange",
                "POS",
                "Verifone",
                "V400m",
                ["Retail"],
                48.86,
                2.35,
                28311552,
                "store-22",
            ),
            (
                "SUSPENDED",
                "OFFLINE",
                "US",
                "AT&T",
                "Sensor",
                "Digi",
                "XBee 3",
                ["Cold-Chain"],
                41.88,
                -87.63,
                2097152,
                None,
            ),
            (
                "ACTIVATED",
                "ONLINE",
                "MX",
                "Telcel",
                "Router",
                "Sierra Wireless",
                "RV55",
                ["Fleet", "Cross-Border"],
                32.51,
                -117.04,
                901775360,
                "truck-311",
            ),
            (
                "ACTIVATED",
                "ONLINE",
                "US",
                "Verizon",
                "Tablet",
                "Samsung",
                "Galaxy Tab Active4",
                ["Field-Service"],
                29.76,
                -95.37,
                1258291200,
                "tech-ramos",
            ),
            ("INVENTORY", "OFFLINE", "US", None, None, None, None, [], None, None, 0, None),
            (
                "ACTIVATED",
                "ONLINE",
                "CA",
                "Rogers",
                "Sensor",
                "Digi",
                "XBee 3",
                ["Cold-Chain"],
                43.65,
                -79.38,
                5242880,
                None,
            ),
            (
                "ACTIVATED",
                "ONLINE",
                "US",
                "T-Mobile",
                "Router",
                "Cradlepoint",
                "IBR900",
                ["Fleet"],
                47.61,
                -122.33,
                655360000,
                "truck-402",
            ),
            (
                "DEACTIVATED",
                "OFFLINE",
                "ES",
                "Movistar",
                "POS",
                "Ingenico",
                "Move/5000",
                ["Retail"],
                40.42,
                -3.7,
                0,
                None,
            ),
        ],
        start=1,
    )
]
TAGS = [
    {
        "id": t.lower(),
        "name": t,
        "creationTime": NOW - 86400 * 90,
        "modifiedByUserId": "admin@example.com",
        "tenantId": CUSTOMER_ID,
    }
    for t in ("Fleet", "Factory", "Retail", "Cold-Chain", "Cross-Border", "Field-Service")
]
LOCATION_GROUPS = [
    {
        "id": "219",
        "name": "US-Mainland",
        "trackedDevices": [{"id": SIMS[0]["iccid"]}, {"id": SIMS[1]["iccid"]}, {"id": SIMS[10]["iccid"]}],
        "geoFence": {"lat": 39.5, "lng": -98.35, "radius": 2500000},
    },
    {
        "id": "220",
        "name": "Tijuana-Border-Yard",
        "trackedDevices": [{"id": SIMS[6]["iccid"]}],
        "geoFence": {"lat": 32.52, "lng": -117.03, "radius": 5000},
    },
    {
        "id": "221",
        "name": "EU-Stores",
        "trackedDevices": [{"id": SIMS[3]["iccid"]}, {"id": SIMS[4]["iccid"]}],
        "geoFence": {"lat": 50.11, "lng": 8.68, "radius": 1500000},
    },
]
POLICIES = [
    {
        "id": "ap-1001",
        "policyType": "GEOFENCING",
        "policyName": "Fleet stays in US",
        "enabled": True,
        "runningStatus": "RUNNING",
        "createdAt": NOW - 86400 * 60,
        "enabledAt": NOW - 86400 * 59,
        "simLocationGroupIds": ["219"],
        "violations": 2,
    },
    {
        "id": "ap-1002",
        "policyType": "GEOFENCING",
        "policyName": "Border yard only",
        "enabled": True,
        "runningStatus": "RUNNING",
        "createdAt": NOW - 86400 * 30,
        "enabledAt": NOW - 86400 * 30,
        "simLocationGroupIds": ["220"],
        "violations": 1,
    },
    {
        "id": "ap-1003",
        "policyType": "DATA_CAP",
        "policyName": "POS 100 MB monthly cap",
        "enabled": False,
        "runningStatus": "STOPPED",
        "createdAt": NOW - 86400 * 10,
        "enabledAt": None,
        "simLocationGroupIds": ["221"],
        "violations": 0,
    },
]
VIOLATIONS = [
    {
        "policyId": "ap-1001",
        "tenantId": CUSTOMER_ID,
        "iccid": SIMS[6]["iccid"],
        "imsi": SIMS[6]["imsi"],
        "eventType": "EXIT_ZONE",
        "policyType": "GEOFENCING",
        "zoneId": "219",
        "timestamp": NOW - 7200,
    },
    {
        "policyId": "ap-1001",
        "tenantId": CUSTOMER_ID,
        "iccid": SIMS[6]["iccid"],
        "imsi": SIMS[6]["imsi"],
        "eventType": "EXIT_ZONE",
        "policyType": "GEOFENCING",
        "zoneId": "219",
        "timestamp": NOW - 86400 * 2,
    },
    {
        "policyId": "ap-1002",
        "tenantId": CUSTOMER_ID,
        "iccid": SIMS[6]["iccid"],
        "imsi": SIMS[6]["imsi"],
        "eventType": "EXIT_ZONE",
        "policyType": "GEOFENCING",
        "zoneId": "220",
        "timestamp": NOW - 3600,
    },
]
POLICY_LOGS = [
    {"id": f"log-{n}", "policyId": pid, "message": message, "status": status, "recordedAt": NOW - 86400 * days}
    for n, (pid, message, status, days) in enumerate(
        [
            ("ap-1001", "Policy created", "SUCCESS", 60),
            ("ap-1001", "Policy enabled", "SUCCESS", 59),
            ("ap-1001", "Geofence recomputed for 3 SIMs", "SUCCESS", 1),
            ("ap-1002", "Policy created and enabled", "SUCCESS", 30),
            ("ap-1003", "Policy created", "SUCCESS", 10),
            ("ap-1003", "Enable failed: data-cap source not configured", "FAILED", 9),
        ]
    )
]
AUDIT = [
    {
        "id": 9000 + n,
        "creationTime": NOW - 3600 * n * 5,
        "modifiedByUserId": user,
        "auditOperationType": op,
        "objectType": kind,
        "objectName": name,
        "objectId": oid,
        "customerId": CUSTOMER_ID,
        "visibility": "Customer",
    }
    for n, (user, op, kind, name, oid) in enumerate(
        [
            ("admin@example.com", "Update", "ANOMALY_POLICY", "Fleet stays in US", 1001),
            ("admin@example.com", "Create", "SIM_LOCATION_GROUP", "EU-Stores", 221),
            ("ops@example.com", "Update", "SIM", SIMS[5]["iccid"], 6),
            ("ops@example.com", "Export", "SIM", "sims.csv", 0),
            ("admin@example.com", "Create", "TAG", "Cross-Border", 5),
            ("admin@example.com", "Delete", "TAG", "Legacy", 7),
        ],
        start=1,
    )
]
AUDIT_METADATA = {
    "operations": ["Create", "Update", "Delete", "Export"],
    "objectTypes": ["ANOMALY_POLICY", "SIM", "SIM_LOCATION_GROUP", "TAG", "CUSTOMER"],
}
EVENTS = [
    {
        "id": f"ev-{n}",
        "accountId": CUSTOMER_ID,
        "accountName": "Example Corp",
        "iccid": s["iccid"],
        "imsi": s["imsi"],
        "simName": s.get("assignedTo") or s["iccid"][-6:],
        "country": s["locationCountry"],
        "operatorName": s["locationMno"],
        "eventName": event,
        "outcome": outcome,
        "ratType": "LTE",
        "ipAddress": s["ipAddress"],
        "sessionId": f"sess-{n:05d}",
        "timestamp": NOW - 900 * n,
        "tags": s["tags"],
        "dataCapReached": False,
    }
    for n, (s, event, outcome) in enumerate(
        [
            (SIMS[i % 8], e, o)
            for i, (e, o) in enumerate(
                [
                    ("SESSION_START", "SUCCESS"),
                    ("LOCATION_UPDATE", "SUCCESS"),
                    ("SESSION_END", "SUCCESS"),
                    ("ATTACH", "REJECTED"),
                    ("SESSION_START", "SUCCESS"),
                    ("LOCATION_UPDATE", "SUCCESS"),
                    ("SESSION_START", "SUCCESS"),
                    ("PDP_CONTEXT", "SUCCESS"),
                    ("SESSION_END", "SUCCESS"),
                    ("ATTACH", "SUCCESS"),
                    ("LOCATION_UPDATE", "SUCCESS"),
                    ("SESSION_START", "FAILED"),
                ]
            )
        ],
        start=1,
    )
]
PROFILE = {
    "id": CUSTOMER_ID,
    "name": "Example Corp",
    "email": "iot-admin@example.com",
    "userName": "iot-admin",
    "regions": ["AMER", "EMEA"],
    "mvnoIds": ["mvno-zs-01"],
    "parentId": None,
    "isActivated": True,
    "bcSize": "MEDIUM",
    "platformType": "ZSCALER_CELLULAR",
}
REGIONS = [
    {"region": "AMER", "configured": True},
    {"region": "EMEA", "configured": True},
    {"region": "APAC", "configured": False},
]
REGION_STATUS = [
    {
        "region": "AMER",
        "operationalStatus": "OPERATIONAL",
        "mapACStatus": {"status": "UP", "operationalStatus": "HEALTHY"},
        "mapBCStatus": {"status": "UP", "operationalStatus": "HEALTHY"},
    },
    {
        "region": "EMEA",
        "operationalStatus": "DEGRADED",
        "mapACStatus": {"status": "UP", "operationalStatus": "HEALTHY"},
        "mapBCStatus": {"status": "DOWN", "operationalStatus": "FAILOVER"},
    },
]


def _page(request: Request, items: Sequence[Record], page: Any = None, size: Any = None) -> Record:
    q = request.query_params
    try:
        number = max(0, int(page if page is not None else q.get("page", "0")))
        size = min(MAX_SIZE, max(1, int(size if size is not None else q.get("size", str(DEFAULT_SIZE)))))
    except ValueError as exc:
        raise SimulatorError(400, f"Invalid paging parameter: {exc}") from exc
    total_pages = max(1, -(-len(items) // size))
    return {
        "content": list(items[number * size : (number + 1) * size]),
        "totalElements": len(items),
        "totalPages": total_pages,
        "size": size,
        "number": number,
        "first": number == 0,
        "last": number >= total_pages - 1,
    }


def _window(values: Any, start: str, end: str) -> tuple[int, int]:
    """The epoch-seconds window the endpoint requires, from a query string or a JSON body."""
    try:
        low, high = int(values[start]), int(values[end])
    except (KeyError, TypeError, ValueError) as exc:
        raise SimulatorError(400, f"{start} and {end} (epoch seconds) are required") from exc
    if low >= high or high > time.time() + 86400 * 366 or low < 10**9:
        raise SimulatorError(400, f"{start}/{end} must be an increasing window in epoch seconds")
    return low, high


def _customer(request: Request) -> str:
    customer_id = str(request.path_params["customer_id"])
    if customer_id in ("None", ""):
        raise SimulatorError(404, f"Customer {customer_id} not found (set ZCELL_CUSTOMER_ID or pass customer_id)")
    return customer_id


def _by(items: Sequence[Record], field: str, value: Any) -> list[Record]:
    return [r for r in items if value is None or str(r.get(field, "")).lower() == str(value).lower()]


def _hit(record: Record, field: str, operator: str, values: Sequence[str]) -> bool:
    text = str(record.get(field, "")).lower()
    return any(text == v if operator in ("EQ", "NE") else v in text for v in values)


def _filtered(items: list[Record], filters: Sequence[Record]) -> list[Record]:
    """Network-event filters: {filterName, operator (EQ, NE, LIKE, NOT_LIKE), values}; N* operators negate."""
    for f in filters:
        field, operator = str(f.get("filterName") or ""), str(f.get("operator", "EQ"))
        values = [str(v).lower() for v in f.get("values", [])]
        if operator not in ("EQ", "NE", "LIKE", "NOT_LIKE") or not field:
            raise SimulatorError(400, f"Invalid filter {f!r}")
        items = [r for r in items if _hit(r, field, operator, values) != operator.startswith("N")]
    return items


def build() -> ServiceApi:
    sims = Collection("zcell", CUSTOMER + "/sims", "object", seed=[{"id": s["iccid"], **s} for s in SIMS])
    tags = Collection("zcell", CUSTOMER + "/tag", "object", seed=TAGS)
    groups = Collection("zcell", CUSTOMER + "/sim-location-groups", "object", seed=LOCATION_GROUPS)
    policies = Collection("zcell", CUSTOMER + "/anomaly-policy", "object", seed=POLICIES)

    def sim_rows(*fields: str) -> list[Record]:
        return [{f: s.get(f) for f in fields} for s in sims.list() if s["status"] == "ACTIVATED"]

    async def list_policies(request: Request) -> Response:
        _customer(request)
        _window(request.query_params, "startDateTime", "endDateTime")
        return JSONResponse(_page(request, _by(policies.list(), "policyType", request.query_params.get("policyType"))))

    async def policy_logs(request: Request) -> Response:
        _customer(request)
        policy_id = policies.get(request.path_params["policy_id"])["id"]
        return JSONResponse(_page(request, [r for r in POLICY_LOGS if r["policyId"] == policy_id]))

    async def policy_violations(request: Request) -> Response:
        _customer(request)
        low, high = _window(request.query_params, "startDateTime", "endDateTime")
        policy_id = policies.get(request.path_params["policy_id"])["id"]
        hits = [v for v in VIOLATIONS if v["policyId"] == policy_id and low <= v["timestamp"] <= high]
        per_sim: dict[str, Record] = {}
        for v in hits:
            row = per_sim.setdefault(
                v["iccid"], {"iccid": v["iccid"], "imsi": v["imsi"], "violationCount": 0, "lastViolationAt": 0}
            )
            row["violationCount"] += 1
            row["lastViolationAt"] = max(row["lastViolationAt"], v["timestamp"])
        return JSONResponse(_page(request, list(per_sim.values())))

    async def iccid_violations(request: Request) -> Response:
        _customer(request)
        low, high = _window(request.query_params, "startDateTime", "endDateTime")
        policy_id = policies.get(request.path_params["policy_id"])["id"]
        hits = [
            v
            for v in VIOLATIONS
            if v["policyId"] == policy_id
            and v["iccid"] == request.path_params["iccid"]
            and low <= v["timestamp"] <= high
        ]
        reverse = request.query_params.get("sortDir", "DESC") == "DESC"
        return JSONResponse(_page(request, sorted(hits, key=lambda v: v["timestamp"], reverse=reverse)))

    async def audit_search(request: Request) -> Response:
        _customer(request)
        body = await request.json() if await request.body() else {}
        low, high = _window(body, "startDate", "endDate")
        items = [a for a in AUDIT if low <= a["creationTime"] <= high]
        for key, field in (
            ("operationType", "auditOperationType"),
            ("objectType", "objectType"),
            ("objectName", "objectName"),
        ):
            items = _by(items, field, body.get(key))
        reverse = request.query_params.get("sortDir", "DESC") == "DESC"
        return JSONResponse(_page(request, sorted(items, key=lambda a: a["creationTime"], reverse=reverse)))

    async def audit_metadata(request: Request) -> Response:
        return JSONResponse(AUDIT_METADATA)

    async def profile(request: Request) -> Response:
        _customer(request)
        active = sum(1 for s in sims.list() if s["status"] == "ACTIVATED")
        usage = sum(s["usage"] for s in sims.list())
        return JSONResponse(
            {
                **PROFILE,
                "totalSims": len(sims.list()),
                "activeSims": active,
                "inactiveSims": len(sims.list()) - active,
                "currentUsage": usage,
            }
        )

    async def regions(request: Request) -> Response:
        _customer(request)
        return JSONResponse(REGIONS)

    async def region_status(request: Request) -> Response:
        _customer(request)
        return JSONResponse(REGION_STATUS)

    async def network_events(request: Request) -> Response:
        _customer(request)
        low, high = _window(request.path_params, "start_time", "end_time")
        body = await request.json() if await request.body() else {}
        items = _filtered([e for e in EVENTS if low <= e["timestamp"] <= high], body.get("filterBy") or [])
        return JSONResponse(_page(request, items, body.get("page"), body.get("size")))

    async def sim_map(request: Request) -> Response:
        _customer(request)
        return JSONResponse(
            [
                {"iccid": s["iccid"], "imsi": s["imsi"], "lat": s["simLat"], "lng": s["simLng"], "tags": s["tags"]}
                for s in sims.list()
                if s["simLat"] is not None
            ]
        )

    async def sim_summary(request: Request) -> Response:
        _customer(request)
        items = sims.list()
        active = sum(1 for s in items if s["status"] == "ACTIVATED")
        return JSONResponse(
            {
                "total": len(items),
                "used": sum(1 for s in items if s["usage"]),
                "active": active,
                "inactive": len(items) - active,
            }
        )

    async def usage_countries(request: Request) -> Response:
        _customer(request)
        _window(request.query_params, "startDate", "endDate")
        totals: dict[str, int] = {}
        for s in sims.list():
            if s["locationCountry"]:
                totals[s["locationCountry"]] = totals.get(s["locationCountry"], 0) + s["usage"]
        ranked = [{"country": c, "usage": u} for c, u in sorted(totals.items(), key=lambda cu: -cu[1])]
        return JSONResponse(ranked[: int(request.query_params.get("limit", "10"))])

    async def usage_day(request: Request) -> Response:
        _customer(request)
        low, high = _window(request.query_params, "startDate", "endDate")
        only = request.query_params.get("iccId")
        daily = sum(s["usage"] for s in sims.list() if only in (None, s["iccid"])) // 30
        days = range(max(low, high - 86400 * 90) // 86400, high // 86400 + 1)
        return JSONResponse([{"creationTime": d * 86400, "usage": daily + (d % 7) * 1048576} for d in days])

    async def usage_sims(request: Request) -> Response:
        _customer(request)
        _window(request.query_params, "startDate", "endDate")
        ranked = sorted(sim_rows("iccid", "usage"), key=lambda r: -r["usage"])
        return JSONResponse(ranked[: int(request.query_params.get("limit", "10"))])

    async def sim_details(request: Request) -> Response:
        _customer(request)
        iccid = request.query_params.get("iccId")
        if not iccid:
            raise SimulatorError(400, "iccId is required")
        return JSONResponse({k: v for k, v in sims.get(iccid).items() if k != "id"})

    async def sim_search(request: Request) -> Response:
        _customer(request)
        body = await request.json() if await request.body() else {}
        items = [{k: v for k, v in s.items() if k != "id"} for s in sims.list()]
        for key in ("status", "networkStatus", "locationCountry"):
            items = _by(items, key, body.get(key))
        if body.get("tag"):
            items = [s for s in items if set(body["tag"]) & set(s["tags"])]
        if body.get("iccid"):
            items = [s for s in items if s["iccid"] in body["iccid"]]
        return JSONResponse(
            {
                "pageDetails": _page(request, items, body.get("page"), body.get("size")),
                "totalUsage": sum(s["usage"] for s in items),
            }
        )

    async def list_groups(request: Request) -> Response:
        _customer(request)
        return JSONResponse(_page(request, _by(groups.list(), "name", request.query_params.get("name"))))

    async def get_group(request: Request) -> Response:
        _customer(request)
        group = groups.get(request.path_params["group_id"])
        tracked = [d["id"] for d in group["trackedDevices"]]
        linked = [
            {
                "policyId": p["id"],
                "policyName": p["policyName"],
                "policyType": p["policyType"],
                "status": p["runningStatus"],
            }
            for p in policies.list()
            if group["id"] in p["simLocationGroupIds"]
        ]
        outside = {v["iccid"] for v in VIOLATIONS if v["zoneId"] == group["id"]}
        return JSONResponse(
            {
                "id": group["id"],
                "name": group["name"],
                "linkedPolicies": linked,
                "insideAndTrackedIccids": [i for i in tracked if i not in outside],
                "insideAndUntrackedIccids": [],
                "outsideAndTrackedIccids": [i for i in tracked if i in outside],
            }
        )

    async def list_tags(request: Request) -> Response:
        _customer(request)
        return JSONResponse(_page(request, _by(tags.list(), "name", request.query_params.get("name"))))

    def get(path: str, endpoint: Any) -> Route:
        return Route(CUSTOMER + path, endpoint, methods=["GET"])

    def post(path: str, endpoint: Any) -> Route:
        return Route(CUSTOMER + path, endpoint, methods=["POST"])

    return ServiceApi(
        collections=[tags, groups, policies],  # SIMs are read-only here: looked up, never routed as CRUD
        routes=[
            get("/anomaly-policy", list_policies),
            get("/anomaly-policy/{policy_id}/logs", policy_logs),
            get("/anomaly-policy/{policy_id}/violations", policy_violations),
            get("/anomaly-policy/{policy_id}/violations/{iccid}", iccid_violations),
            Route(API + "/audit/customers/{customer_id}/search", audit_search, methods=["POST"]),
            Route(API + "/audit/metadata", audit_metadata, methods=["GET"]),
            get("", profile),
            get("/regions", regions),
            get("/regions/operational-status", region_status),
            Route(
                API + "/network-events/{customer_id}/search/startTime/{start_time}/endTime/{end_time}",
                network_events,
                methods=["POST"],
            ),
            post("/sim/analytics/map", sim_map),
            get("/sim/analytics/summary", sim_summary),
            get("/sim/analytics/usage/countries", usage_countries),
            get("/sim/analytics/usage/day", usage_day),
            get("/sim/analytics/usage/sims", usage_sims),
            get("/sims/details", sim_details),
            post("/sims/search", sim_search),
            get("/sim-location-groups", list_groups),
            get("/sim-location-groups/{group_id}", get_group),
            get("/tag", list_tags),
        ],
    )
