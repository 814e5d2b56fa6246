"""Z-Insights analytics (/zins/graphql): the report domains the SDK queries, answered from a seed.

Every report takes a `start_time`/`end_time` window in epoch milliseconds (the API refuses seconds,
reversed windows and windows longer than 14 days); totals scale with the window's length, so a
7-day report shows half of a 14-day one. Entries are ordered by total, largest first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .graphql import FieldError, graphql_route
from .seeds import seeds
from .store import ServiceApi

DAY_MS = 86_400_000
MAX_WINDOW_MS = 14 * DAY_MS + 3_600_000
Args = dict[str, Any]
Record = dict[str, Any]

# Per-day volumes (transactions; bytes are x 48 KiB) by dimension value.
LOCATIONS = {
    "HQ-San-Jose": 182_000,
    "Branch-Chicago": 64_500,
    "Branch-Frankfurt": 51_200,
    "Road-Warriors": 38_900,
    "Datacenter-Ashburn": 22_400,
}
LOCATION_IDS = {name: 90_100 + i for i, name in enumerate(LOCATIONS)}
PROTOCOLS = {"HTTPS": 318_000, "HTTP": 27_500, "SSL": 9_800, "TUNNEL_SSL": 2_400, "FTP": 120}
THREAT_SUPER = {"Malware": 410, "Phishing": 365, "Spyware/Adware": 140, "Botnet callback": 58, "Cryptomining": 21}
THREAT_CLASS = {"VIRUS_SPYWARE": 560, "ADVANCED": 290, "BEHAVIORAL_ANALYSIS": 144}
FIREWALL_ACTIONS = {"ALLOW": 96_500, "BLOCK": 4_150}
NETWORK_SERVICES = {"HTTPS": 71_000, "DNS": 18_200, "NTP": 3_100, "SSH": 1_450, "RDP": 380}
CASB_APPS = {"Microsoft OneDrive": 12_400, "Google Drive": 6_800, "Box": 2_950, "Dropbox": 1_120, "WeTransfer": 310}
THREAT_CATEGORIES = {"Phishing": 360, "Malware": 300, "Botnet": 55, "Cryptomining": 20}
APPS = {"Microsoft 365": 0.45, "Google Workspace": 0.25, "Salesforce": 0.2, "Slack": 0.1}
USERS = {"alice.nguyen@example.com": 0.4, "bob.schmidt@example.com": 0.35, "carla.rossi@example.com": 0.25}
COUNTRIES = {"United States": 0.5, "Germany": 0.3, "Brazil": 0.2}
DEPARTMENTS = {"Finance": 0.3, "Engineering": 0.45, "IT": 0.25}
SEED = seeds("zins")
SHADOW_APPS: list[Record] = SEED["shadow_apps"]
IOT_CLASSES = [
    ("IP Cameras", "Surveillance", 46),
    ("Printers", "Office", 38),
    ("Smart TVs", "Media", 12),
    ("Badge Readers", "Physical Security", 27),
    ("HVAC Controllers", "Building Automation", 9),
]


def _window(args: Args) -> float:
    """The window's length in days; refuses what the API refuses."""
    try:
        start, end = int(args["start_time"]), int(args["end_time"])
    except (KeyError, TypeError, ValueError) as exc:
        raise FieldError("start_time and end_time (epoch milliseconds) are required") from exc
    if start < 10**12 or end < 10**12:
        raise FieldError("start_time and end_time must be epoch milliseconds")
    if end <= start:
        raise FieldError("end_time must be after start_time")
    if end - start > MAX_WINDOW_MS:
        raise FieldError("The time range must not exceed 14 days")
    if end > time.time() * 1000 + 60_000:
        raise FieldError("end_time must not be in the future")
    return (end - start) / DAY_MS


def _ranked(
    daily: Mapping[str, float], days: float, scale: float = 1.0, ids: dict[str, int] | None = None
) -> list[Record]:
    rows = [
        {"name": name, "total": int(volume * days * scale), **({"id": ids[name]} if ids else {})}
        for name, volume in daily.items()
    ]
    return sorted(rows, key=lambda r: -r["total"])


def _report(daily: Mapping[str, float], ids: dict[str, int] | None = None) -> Callable[[Args], Record]:
    """A `{obfuscated, entries}` report over `daily`, scaled by the window (and by bytes when asked)."""

    def resolve(args: Args) -> Record:
        days = _window(args)
        scale = 49_152 if args.get("traffic_unit") == "BYTES" else 1
        entries = _ranked(daily, days, scale, ids)
        if args.get("include_trend"):
            step = DAY_MS if args.get("trend_interval", "DAY") == "DAY" else DAY_MS // 24
            points = max(1, int((int(args["end_time"]) - int(args["start_time"])) // step))
            for row in entries:
                per = row["total"] // points
                row["trend"] = {
                    "trend_start_time": int(args["start_time"]),
                    "trend_interval": args.get("trend_interval", "DAY"),
                    "trend_values": [per + (i % 5 - 2) * per // 20 for i in range(points)],
                }
        return {"obfuscated": False, "entries": entries}

    return resolve


def _incident_groups(dimension: str, days: float, start_ms: int) -> dict[str, float]:
    """Incident volume per value of one grouping dimension."""
    total = sum(THREAT_CATEGORIES.values())
    shares = {
        "APP_ID": APPS,
        "USER_ID": USERS,
        "SRC_COUNTRY": COUNTRIES,
        "DEPARTMENT_ID": DEPARTMENTS,
        "LOCATION_ID": {k: v / sum(LOCATIONS.values()) for k, v in LOCATIONS.items()},
    }.get(dimension)
    if dimension == "THREAT_CATEGORY_ID":
        return dict(THREAT_CATEGORIES)
    if dimension == "TIME":
        return {str(start_ms + i * DAY_MS): total * (0.8 + 0.1 * (i % 4)) for i in range(max(1, int(days)))}
    if shares is None:
        raise FieldError(f"Unsupported categorize_by value {dimension!r}")
    return {name: total * share for name, share in shares.items()}


def _incidents(args: Args) -> Record:
    days = _window(args)
    dimensions: Sequence[str] = args.get("categorize_by") or ["THREAT_CATEGORY_ID"]

    def level(depth: int, scale: float) -> list[Record]:
        if depth >= len(dimensions):
            return []
        groups = _incident_groups(dimensions[depth], days, int(args["start_time"]))
        divisor = 1 if dimensions[depth] == "TIME" else days
        rows = [
            {"name": name, "total": int(v * days / divisor * scale), "entries": level(depth + 1, share)}
            for name, v in groups.items()
            for share in [v / sum(groups.values())]
        ]
        return sorted(rows, key=lambda r: -r["total"]) if dimensions[depth] != "TIME" else rows

    return {"obfuscated": False, "entries": level(0, 1.0)}


def _incidents_by(args: Args) -> Record:
    days = _window(args)
    dimension = args.get("categorize_by", "LOCATION_ID")
    if dimension not in ("LOCATION_ID", "APP_ID", "USER_ID", "DEPARTMENT_ID"):
        raise FieldError(f"Unsupported categorize_by value {dimension!r}")
    groups = _incident_groups(dimension, days, int(args["start_time"]))
    ids = {name: 70_000 + i for i, name in enumerate(groups)}
    return {"obfuscated": False, "entries": _ranked(groups, days, ids=ids)}


def _shadow_apps(args: Args) -> Record:
    days = _window(args)
    rows = []
    for app in SHADOW_APPS:
        up, down = int(app["data_uploaded"] * days / 14), int(app["data_downloaded"] * days / 14)
        rows.append(
            {
                **app,
                "computed_risk_index": app["risk_index"],
                "custom_risk_index": None,
                "undiscovered": False,
                "data_uploaded": up,
                "data_downloaded": down,
                "data_consumed": up + down,
                "unAuthenticated_location_count": 0,
                "last_access_time": int(args["end_time"]) - 3_600_000,
            }
        )
    return {"entries": sorted(rows, key=lambda r: -r["data_consumed"])}


def _grouped(field: str) -> Record:
    counts: dict[str, list[Record]] = {}
    for app in SHADOW_APPS:
        counts.setdefault(str(app[field]), []).append(app)
    return {
        "obfuscated": False,
        "entries": [
            {"name": k, "total": len(v), "entries": [{"name": a["application"], "total": 1} for a in v]}
            for k, v in counts.items()
        ],
    }


def _shadow_summary(args: Args) -> Record:
    apps = _shadow_apps(args)["entries"]
    up, down = sum(a["data_uploaded"] for a in apps), sum(a["data_downloaded"] for a in apps)
    by_category = _grouped("application_category")
    return {
        "total_upload_bytes": up,
        "total_download_bytes": down,
        "total_bytes": up + down,
        "total_apps": len(apps),
        "group_by_app_cat_for_app": by_category,
        "group_by_app_cat_for_user_count": by_category,
        "group_by_app_cat_for_upload_bytes": by_category,
        "group_by_app_cat_for_download_bytes": by_category,
        "group_by_app_cat_for_total_bytes": by_category,
        "group_by_risk_index_for_app": _grouped("risk_index"),
        "group_by_provisioning_status_for_app": _grouped("sanctioned_state"),
        "group_by_access_for_app": _grouped("sanctioned_state"),
    }


def _iot(args: Args) -> Record:
    iot = sum(n for _, _, n in IOT_CLASSES)
    return {
        "devices_count": iot + 1_840 + 96 + 23,
        "user_devices_count": 1_840,
        "iot_devices_count": iot,
        "server_devices_count": 96,
        "un_classified_devices_count": 23,
        "entries": [
            {
                "classifications": name,
                "classification_uuid": f"c0ffee00-0000-4000-8000-{i:012d}",
                "category": category,
                "total": n,
            }
            for i, (name, category, n) in enumerate(IOT_CLASSES)
        ],
    }


ROOTS: dict[str, Callable[[Args], Any]] = {
    "WEB_TRAFFIC": lambda _: {
        "location": _report(LOCATIONS),
        "no_grouping": _report({"Total": sum(LOCATIONS.values())}),
        "protocols": _report(PROTOCOLS),
        "threat_super_categories": _report(THREAT_SUPER),
        "threat_class": _report(THREAT_CLASS),
    },
    "CYBER_SECURITY": lambda _: {"incidents": _incidents, "cyber_security_location": _incidents_by},
    "ZERO_TRUST_FIREWALL": lambda _: {
        "action": _report(FIREWALL_ACTIONS),
        "location_firewall": _report(LOCATIONS, LOCATION_IDS),
        "network_service": _report(NETWORK_SERVICES),
    },
    "IOT": lambda _: {"device_stats": _iot},
    "SAAS_SECURITY": lambda _: {"casb_app": _report(CASB_APPS)},
    "SHADOW_IT": lambda _: {"apps": _shadow_apps, "shadow_it_summary": _shadow_summary},
}


def build() -> ServiceApi:
    return ServiceApi(collections=[], routes=[graphql_route("/zins/graphql", ROOTS)])
