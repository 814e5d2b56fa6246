"""ZDX endpoints (/zdx/v1), seeded with three users' devices, three monitored apps and their telemetry.

Field names and envelopes are the API's (snake_case): paged lists wrap records in a named key with
`next_offset` ({"devices": [...], "next_offset": "3"}), paged by `offset`/`limit`; metrics, probes
and deep-trace captures are plain arrays. Time series are generated for the `since` window so
numbers move believably. Deep traces and score analyses are stateful (start, read, delete).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .endpoints import Reader, json_body, json_gets
from .seeds import seeds
from .store import Collection, ServiceApi, SimulatorError

ROOT = "/zdx/v1"
DEFAULT_LIMIT = 10
SERIES_POINTS = 12

SEED = seeds("zdx")
USERS = SEED["users"]
DEVICES = SEED["devices"]
APPS: dict[int, dict[str, Any]] = {
    1: {"id": 1, "name": "Outlook Online", "score": 62.0, "pft": 1850.0},
    3: {"id": 3, "name": "Zoom", "score": 78.5, "pft": 620.0},
    5: {"id": 5, "name": "Salesforce", "score": 91.0, "pft": 980.0},
}
GEO = {
    "id": "0.0.us.california",
    "city": "San Jose",
    "state": "California",
    "region": "California",
    "country": "United States",
    "geo_type": "CITY",
    "geo_lat": 37.33,
    "geo_long": -121.89,
    "geo_detection": "ip",
}
DEPARTMENTS = [{"id": 45001, "name": "Engineering"}, {"id": 45002, "name": "Finance"}, {"id": 45003, "name": "Sales"}]
LOCATIONS = [
    {"id": 58001, "name": "HQ San Jose"},
    {"id": 58002, "name": "NYC Branch"},
    {"id": 58003, "name": "Road Warriors"},
]
SOFTWARE = SEED["software"]
ALERTS = SEED["alerts"]


def _now() -> int:
    return int(time.time()) // 300 * 300


def _since(request: Request) -> int:
    """The window in hours from the `from`/`to` epoch seconds (the SDK turns `since` into them); default 2."""
    q = request.query_params
    if "from" not in q and "to" not in q:
        return 2
    try:
        start, end = int(q["from"]), int(q.get("to") or time.time())
    except (KeyError, ValueError) as exc:
        raise SimulatorError(400, "from and to must be epoch seconds") from exc
    if not 0 < end - start <= 14 * 86400:
        raise SimulatorError(400, "from must be before to, at most 14 days apart")
    return -(-(end - start) // 3600)


def _datapoints(hours: int, base: float, spread: float, phase: float = 0.0) -> list[dict[str, Any]]:
    step, end = hours * 3600 // SERIES_POINTS, _now()
    return [
        {"timestamp": end - (SERIES_POINTS - 1 - i) * step, "value": round(base + spread * math.sin(i / 2 + phase), 1)}
        for i in range(SERIES_POINTS)
    ]


def _metric(name: str, unit: str, hours: int, base: float, spread: float, phase: float = 0.0) -> dict[str, Any]:
    return {"metric": name, "unit": unit, "datapoints": _datapoints(hours, base, spread, phase)}


def _found(table: dict[int, dict[str, Any]], request: Request, key: str) -> dict[str, Any]:
    raw = request.path_params[key]
    record = table.get(int(raw)) if raw.isdigit() else None
    if record is None:
        raise SimulatorError(404, f"Resource with id {raw} not found")
    return record


def _paged(key: str, items: list[dict[str, Any]], request: Request) -> JSONResponse:
    """A named-key page; `next_offset` until the last page, then null."""
    try:
        offset = int(request.query_params.get("offset") or 0)
        limit = max(1, int(request.query_params.get("limit") or DEFAULT_LIMIT))
    except ValueError as exc:
        raise SimulatorError(400, f"Invalid paging parameter: {exc}") from exc
    following = offset + limit
    return JSONResponse(
        {key: items[offset:following], "next_offset": str(following) if following < len(items) else None}
    )


def _device_row(device: dict[str, Any]) -> dict[str, Any]:
    user = USERS[device["userid"]]
    return {
        "id": device["id"],
        "name": device["name"],
        "userid": user["id"],
        "userName": user["name"],
        "userEmail": user["email"],
    }


def _ids(request: Request, key: str) -> set[str]:
    return set(request.query_params.getlist(key))


# --- reads ------------------------------------------------------------------------------------


def _alert(alert: dict[str, Any]) -> dict[str, Any]:
    started = _now() - alert["age_hours"] * 3600
    return {
        "id": alert["id"],
        "rule_name": alert["rule_name"],
        "severity": alert["severity"],
        "alert_type": alert["alert_type"],
        "alert_status": alert["alert_status"],
        "num_geolocations": 1,
        "num_devices": len(alert["devices"]),
        "started_on": started,
        "ended_on": started + 5400 if alert["alert_status"] == "ENDED" else None,
        "application": {"id": alert["app_id"], "name": APPS[alert["app_id"]]["name"]},
        "geolocations": [{**GEO, "num_devices": len(alert["devices"])}],
        "departments": [{**DEPARTMENTS[0], "num_devices": len(alert["devices"])}],
        "locations": [{**LOCATIONS[0], "num_devices": len(alert["devices"]), "groups": []}],
    }


def _alerts(status: str) -> Callable[[Request], Any]:
    def listing(request: Request) -> Any:
        window = _since(request)
        items = [
            _alert(a)
            for a in ALERTS
            if a["alert_status"] == status and (status == "ONGOING" or a["age_hours"] <= max(window, 24))
        ]
        return _paged("alerts", items, request)

    return listing


def _alert_by_id(request: Request) -> dict[str, Any]:
    return _alert(_found({a["id"]: a for a in ALERTS}, request, "alert_id"))


def _affected_devices(request: Request) -> Any:
    alert = _found({a["id"]: a for a in ALERTS}, request, "alert_id")
    return _paged("devices", [_device_row(DEVICES[d]) for d in alert["devices"]], request)


def _apps(request: Request) -> list[dict[str, Any]]:
    _since(request)
    return [
        {
            "id": a["id"],
            "name": a["name"],
            "score": a["score"],
            "total_users": len(USERS),
            "most_impacted_region": {"id": GEO["id"], "country": GEO["country"]},
        }
        for a in APPS.values()
    ]


def _buckets(score: float) -> dict[str, int]:
    poor = 1 if score < 70 else 0
    return {
        "active_users": len(USERS),
        "active_devices": len(DEVICES),
        "num_poor": poor,
        "num_okay": 1,
        "num_good": len(USERS) - 1 - poor,
    }


def _app(request: Request) -> dict[str, Any]:
    app = _found(APPS, request, "app_id")
    return {
        "id": app["id"],
        "name": app["name"],
        "score": app["score"],
        "most_impacted_region": GEO,
        "stats": _buckets(app["score"]),
    }


def _app_score(request: Request) -> dict[str, Any]:
    app = _found(APPS, request, "app_id")
    return _metric("score", "", _since(request), app["score"], 8.0)


def _app_metrics(request: Request) -> list[dict[str, Any]]:
    app, hours = _found(APPS, request, "app_id"), _since(request)
    metrics = {"pft": ("ms", app["pft"], app["pft"] / 5), "dns": ("ms", 24.0, 6.0), "availability": ("%", 99.0, 1.0)}
    wanted = request.query_params.get("metricName")
    if wanted is not None and wanted not in metrics:
        raise SimulatorError(400, f"Unknown metric_name {wanted!r}")
    return [
        _metric(name, unit, hours, base, spread)
        for name, (unit, base, spread) in metrics.items()
        if wanted in (None, name)
    ]


def _bucket_of(score: float) -> str:
    return "poor" if score < 34 else "okay" if score < 67 else "good"


def _user_score(app: dict[str, Any], device: dict[str, Any]) -> float:
    score: float = (app["score"] + device["score"]) / 2 - (25 if device["score"] < 60 and app["score"] < 70 else 0)
    return round(score, 1)


def _app_users(request: Request) -> Any:
    app = _found(APPS, request, "app_id")
    _since(request)
    bucket = request.query_params.get("scoreBucket")
    rows = [
        {**USERS[d["userid"]], "score": _user_score(app, d)}
        for d in DEVICES.values()
        if bucket in (None, _bucket_of(_user_score(app, d)))
    ]
    return _paged("users", rows, request)


def _app_user(request: Request) -> dict[str, Any]:
    app, user = _found(APPS, request, "app_id"), _found(USERS, request, "user_id")
    devices = [d for d in DEVICES.values() if d["userid"] == user["id"]]
    return {
        **user,
        "score": _user_score(app, devices[0]),
        "devices": [
            {"id": d["id"], "name": d["name"], "score": _user_score(app, d), "geo_loc": [GEO], "zs_loc": [LOCATIONS[0]]}
            for d in devices
        ],
    }


def _devices(request: Request) -> Any:
    _since(request)
    emails, user_ids = _ids(request, "emails"), _ids(request, "userIds")
    mac, ip = request.query_params.get("macAddress"), request.query_params.get("privateIpv4")
    rows = [
        _device_row(d)
        for d in DEVICES.values()
        if (not emails or USERS[d["userid"]]["email"] in emails)
        and (not user_ids or str(d["userid"]) in user_ids)
        and (mac is None or mac.lower() == _mac(d))
        and (ip is None or ip == d["ip"])
    ]
    return _paged("devices", rows, request)


def _mac(device: dict[str, Any]) -> str:
    return f"3c:22:fb:{device['id'] % 256:02x}:4e:{device['userid'] % 256:02x}"


def _device(request: Request) -> dict[str, Any]:
    device = _found(DEVICES, request, "device_id")
    return {
        "id": device["id"],
        "name": device["name"],
        "hardware": {
            "hw_model": device["hw"],
            "hw_mfg": device["hw"].split()[0],
            "hw_type": "Laptop",
            "tot_mem": "16 GB",
            "cpu_model": "13th Gen Intel Core i7",
            "num_cores": 12,
            "logical_proc": 16,
            "disk_size": "512 GB",
            "disk_type": "SSD",
        },
        "network": [
            {
                "net_type": "wifi",
                "status": "Connected",
                "ipv4": device["ip"],
                "dns_srvs": "192.168.1.1",
                "gateway": device["ip"].rsplit(".", 1)[0] + ".1",
                "mac": _mac(device),
            }
        ],
        "software": {
            "os_name": device["os"],
            "os_ver": device["os"].split()[-1],
            "hostname": device["name"],
            "user": USERS[device["userid"]]["email"],
            "client_conn_ver": "4.4.0.389",
            "zdx_ver": "4.4.0.389",
        },
    }


def _named(table: list[dict[str, Any]]) -> Callable[[Request], list[dict[str, Any]]]:
    def listing(request: Request) -> list[dict[str, Any]]:
        _since(request)
        term = (request.query_params.get("q") or "").lower()
        return [r for r in table if term in r["name"].lower() or term == str(r["id"])]

    return listing


def _software(request: Request) -> Any:
    return _paged(
        "software",
        [
            {**{k: v for k, v in s.items() if k != "version"}, "user_total": len(USERS), "device_total": len(DEVICES)}
            for s in SOFTWARE
        ],
        request,
    )


def _software_key(request: Request) -> Any:
    key = request.path_params["software_key"]
    software = next((s for s in SOFTWARE if s["software_key"] == key), None)
    if software is None:
        raise SimulatorError(404, f"Software key {key!r} not found")
    rows = [
        {
            "software_key": key,
            "software_name": software["software_name"],
            "software_version": software["version"],
            "vendor": software["vendor"],
            "software_install_type": software["software_install_type"],
            "user_id": d["userid"],
            "user_name": USERS[d["userid"]]["name"],
            "device_id": d["id"],
            "device_name": d["name"],
            "os": d["os"],
            "install_date": "2024-05-02",
        }
        for d in DEVICES.values()
    ]
    return _paged("software", rows, request)


def _web_probes(request: Request) -> list[dict[str, Any]]:
    _found(DEVICES, request, "device_id")
    app = _found(APPS, request, "app_id")
    return [
        {
            "id": app["id"] * 10 + 1,
            "name": f"{app['name']} Web Probe",
            "num_probes": 4 * _since(request),
            "avg_score": app["score"],
            "avg_pft": app["pft"],
        }
    ]


def _cloudpath_probes(request: Request) -> list[dict[str, Any]]:
    _found(DEVICES, request, "device_id")
    app = _found(APPS, request, "app_id")
    legs = [("client", "egress", 4.1), ("egress", "zen", 11.7), ("zen", "dest", 18.3)]
    return [
        {
            "id": app["id"] * 10 + 2,
            "name": f"{app['name']} CloudPath Probe",
            "num_probes": 4 * _since(request),
            "avg_latencies": [{"leg_src": s, "leg_dst": d, "latency": lat} for s, d, lat in legs],
        }
    ]


# --- deep traces and score analyses (stateful) --------------------------------------------------


def _trace_view(record: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in record.items() if k != "id"}
    return {"trace_id": record["id"], **view}


def _traces() -> Collection:
    started = _now() - 3 * 3600
    seed = {
        "id": 342941739,
        "device_id": 132559212,
        "status": "completed",
        "expected_time_minutes": 15,
        "created_at": started,
        "started_at": started + 20,
        "ended_at": started + 20 + 900,
        "trace_details": {
            "session_name": "Outlook slowness JDOE",
            "user_id": 76676944,
            "username": "jdoe@example.com",
            "device_id": 132559212,
            "device_name": "LAPTOP-JDOE",
            "app_id": 1,
            "web_probe_id": 11,
            "cloudpath_probe_id": 12,
            "session_length_minutes": 15,
            "probe_device": True,
        },
    }
    return Collection(
        "zdx",
        ROOT + "/devices/{device_id}/deeptraces",
        "array",
        seed=[seed],
        required=("session_name",),
        int_ids=True,
        id_start=342941800,
        crud=False,
    )


def _trace_captures(device: dict[str, Any], trace: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    hours = 1  # captures cover the session: at most an hour
    app = APPS.get(int(trace["trace_details"].get("app_id") or 1), APPS[1])
    hops = [
        {
            "ip": ip,
            "gw_mac": "",
            "gw_mac_vendor": vendor,
            "pkt_sent": 10,
            "pkt_rcvd": 10 if ip != "*" else 0,
            "latency_min": lo,
            "latency_max": hi,
            "latency_avg": round((lo + hi) / 2, 1),
            "latency_diff": round(hi - lo, 1),
        }
        for ip, vendor, lo, hi in [
            ("192.168.1.1", "Netgear", 1.2, 4.8),
            ("*", "", 0, 0),
            ("165.225.0.10", "Zscaler", 11.0, 14.2),
            ("52.96.0.1", "Microsoft", 17.9, 24.0),
        ]
    ]
    return {
        "top-processes": [
            {
                "timestamp": trace["started_at"] + 60 * i,
                "top_processes": [
                    {
                        "category": "cpu",
                        "processes": [{"name": "OUTLOOK.EXE", "id": 8812}, {"name": "chrome.exe", "id": 4412}],
                    },
                    {
                        "category": "memory",
                        "processes": [{"name": "chrome.exe", "id": 4412}, {"name": "Teams.exe", "id": 9120}],
                    },
                ],
            }
            for i in range(3)
        ],
        "webprobe-metrics": [
            _metric("pft", "ms", hours, app["pft"], app["pft"] / 4),
            _metric("dns_time", "ms", hours, 31.0, 9.0),
            _metric("server_response_time", "ms", hours, 420.0, 80.0),
        ],
        "cloudpath-metrics": [
            {
                "leg_src": s,
                "leg_dst": d,
                "stats": [_metric("latency", "ms", hours, lat, lat / 4), _metric("packet_loss", "%", hours, 0.4, 0.4)],
            }
            for s, d, lat in [("client", "egress", 4.1), ("egress", "zen", 11.7), ("zen", "dest", 18.3)]
        ],
        "cloudpath": [
            {
                "timestamp": trace["started_at"] + 300 * i,
                "cloudpath": {
                    "src": device["name"],
                    "dst": "outlook.office365.com",
                    "num_hops": len(hops),
                    "latency": 21.4 + i,
                    "loss": 0.0,
                    "num_unresp_hops": 1,
                    "tunnel_type": "ZTunnel 2.0",
                    "hops": hops,
                },
            }
            for i in range(2)
        ],
        "health-metrics": [
            {"category": "cpu", "instances": [{"metrics": [_metric("total_cpu", "%", hours, 64.0, 22.0)]}]},
            {"category": "memory", "instances": [{"metrics": [_metric("mem_used_pct", "%", hours, 78.0, 6.0)]}]},
            {"category": "network", "instances": [{"metrics": [_metric("wifi_signal", "dBm", hours, -67.0, 5.0)]}]},
        ],
        "events": [
            {
                "timestamp": trace["started_at"] + 240,
                "events": [
                    {
                        "category": "Zscaler",
                        "name": "zia_tunnel_change",
                        "display_name": "ZIA tunnel",
                        "prev": "Tunnel 1.0",
                        "curr": "ZTunnel 2.0",
                    },
                    {
                        "category": "Network",
                        "name": "network_change",
                        "display_name": "Network interface",
                        "prev": "Ethernet",
                        "curr": "Wi-Fi",
                    },
                ],
            }
        ],
    }


def _trace_routes(traces: Collection) -> list[Route]:
    def trace_of(request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
        device = _found(DEVICES, request, "device_id")
        record = traces.get(request.path_params["trace_id"])
        if record["device_id"] != device["id"]:
            raise SimulatorError(404, f"Resource with id {request.path_params['trace_id']} not found")
        return device, record

    async def listing(request: Request) -> Response:
        device = _found(DEVICES, request, "device_id")
        return JSONResponse([_trace_view(t) for t in traces.list() if t["device_id"] == device["id"]])

    async def start(request: Request) -> Response:
        device = _found(DEVICES, request, "device_id")
        body = await json_body(request)
        if not isinstance(body, dict):
            raise SimulatorError(400, "Request body must be a JSON object")
        minutes = body.get("session_length_minutes", 5)
        if minutes not in (5, 15, 30, 60):
            raise SimulatorError(400, "session_length_minutes must be 5, 15, 30 or 60")
        user = USERS[device["userid"]]
        now = int(time.time())
        record = traces.create(
            {
                "session_name": body.get("session_name"),
                "device_id": device["id"],
                "status": "in_progress",
                "expected_time_minutes": minutes,
                "created_at": now,
                "started_at": now,
                "ended_at": None,
                "trace_details": {
                    **body,
                    "user_id": user["id"],
                    "username": user["email"],
                    "device_id": device["id"],
                    "device_name": device["name"],
                    "session_length_minutes": minutes,
                },
            }
        )
        return JSONResponse(_trace_view(record))

    async def read(request: Request) -> Response:
        return JSONResponse(_trace_view(trace_of(request)[1]))

    async def delete(request: Request) -> Response:
        trace_of(request)
        traces.delete(request.path_params["trace_id"])
        return JSONResponse({"trace_id": int(request.path_params["trace_id"])})

    def capture(kind: str) -> Route:
        async def read_capture(request: Request) -> Response:
            return JSONResponse(_trace_captures(*trace_of(request))[kind])

        return Route(ROOT + "/devices/{device_id}/deeptraces/{trace_id}/" + kind, read_capture, methods=["GET"])

    item = ROOT + "/devices/{device_id}/deeptraces/{trace_id}"
    return [
        Route(traces.path, listing, methods=["GET"]),
        Route(traces.path, start, methods=["POST"]),
        Route(item, read, methods=["GET"]),
        Route(item, delete, methods=["DELETE"]),
        *(
            capture(kind)
            for kind in (
                "top-processes",
                "webprobe-metrics",
                "cloudpath-metrics",
                "cloudpath",
                "health-metrics",
                "events",
            )
        ),
    ]


def _analysis_routes(analyses: Collection) -> list[Route]:
    async def start(request: Request) -> Response:
        body = await json_body(request)
        record = analyses.create(body)
        if int(record["device_id"]) not in DEVICES or int(record["app_id"]) not in APPS:
            analyses.delete(str(record["id"]))
            raise SimulatorError(400, "Unknown device_id or app_id")
        return JSONResponse(
            {
                "analysis_id": record["id"],
                **{k: record.get(k) for k in ("device_id", "app_id", "t0", "t1")},
                "status": "STARTED",
            }
        )

    async def read(request: Request) -> Response:
        record = analyses.get(request.path_params["analysis_id"])
        app, device = APPS[int(record["app_id"])], DEVICES[int(record["device_id"])]
        return JSONResponse(
            {
                "analysis_id": record["id"],
                "device_id": device["id"],
                "app_id": app["id"],
                "t0": record.get("t0"),
                "t1": record.get("t1"),
                "status": "COMPLETED",
                "result": {
                    "score": _user_score(app, device),
                    "issues": [
                        {
                            "category": "Device",
                            "name": "High CPU utilization",
                            "impact": "high",
                            "detail": "OUTLOOK.EXE averaged 71% CPU during the window",
                        },
                        {
                            "category": "Network",
                            "name": "Wi-Fi signal weak",
                            "impact": "medium",
                            "detail": "RSSI -72 dBm on the local Wi-Fi leg",
                        },
                    ],
                },
            }
        )

    async def delete(request: Request) -> Response:
        analyses.delete(request.path_params["analysis_id"])
        return JSONResponse({"analysis_id": int(request.path_params["analysis_id"]), "status": "STOPPED"})

    item = ROOT + "/analysis/{analysis_id}"
    return [
        Route(analyses.path, start, methods=["POST"]),
        Route(item, read, methods=["GET"]),
        Route(item, delete, methods=["DELETE"]),
    ]


READS: list[tuple[str, Reader]] = [
    ("/alerts/ongoing", _alerts("ONGOING")),
    ("/alerts/historical", _alerts("ENDED")),
    ("/alerts/{alert_id}", _alert_by_id),
    ("/alerts/{alert_id}/affected_devices", _affected_devices),
    ("/apps", _apps),
    ("/apps/{app_id}", _app),
    ("/apps/{app_id}/score", _app_score),
    ("/apps/{app_id}/metrics", _app_metrics),
    ("/apps/{app_id}/users", _app_users),
    ("/apps/{app_id}/users/{user_id}", _app_user),
    ("/devices", _devices),
    ("/devices/{device_id}", _device),
    ("/devices/{device_id}/apps/{app_id}/web-probes", _web_probes),
    ("/devices/{device_id}/apps/{app_id}/cloudpath-probes", _cloudpath_probes),
    ("/administration/departments", _named(DEPARTMENTS)),
    ("/administration/locations", _named(LOCATIONS)),
    ("/inventory/software", _software),
    ("/inventory/software/{software_key}", _software_key),
]


def build() -> ServiceApi:
    traces = _traces()
    seed = [{"id": 5001, "device_id": 132559212, "app_id": 1, "t0": _now() - 7200, "t1": _now() - 3600}]
    analyses = Collection(
        "zdx",
        ROOT + "/analysis",
        "object",
        seed=seed,
        required=("device_id", "app_id"),
        int_ids=True,
        id_start=5100,
        crud=False,
    )
    return ServiceApi(
        collections=[traces, analyses],
        routes=[*json_gets(ROOT, READS), *_trace_routes(traces), *_analysis_routes(analyses)],
    )
