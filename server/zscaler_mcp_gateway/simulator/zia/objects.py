"""ZIA objects referenced by rules: labels, time intervals, IP groups, network apps and services,
custom IPS signatures (with the API's rule-text validation)."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..endpoints import object_body
from ..seeds import seeds
from ..store import ServiceApi
from ._kit import AUDIT, ROOT, get_route, list_route, zia

SEED = seeds("zia")
NETWORK_APPS = SEED["objects_network_apps"]
_SIGNATURE = re.compile(r"^\s*(alert|drop|reject|pass)\s.+\bsid\s*:\s*\d+", re.DOTALL)


def _protocol(record: dict[str, Any], value: str) -> bool:
    return any(key.endswith("Ports") and value.lower() in key.lower() for key in record)


def build() -> ServiceApi:
    labels = zia(
        "/ruleLabels",
        SEED["objects_rule_labels"],
        defaults={"referencedRuleCount": 0, **AUDIT},
    )
    intervals = zia(
        "/timeIntervals",
        SEED["objects_time_intervals"],
        required=("name", "startTime", "endTime", "daysOfWeek"),
    )
    destinations = zia(
        "/ipDestinationGroups",
        SEED["objects_ip_destination_groups"],
        required=("name", "type"),
        defaults={"addresses": [], "ipCategories": [], "countries": []},
    )
    sources = zia(
        "/ipSourceGroups",
        [
            {"id": 3051, "name": "HQ-LAN", "ipAddresses": ["10.10.0.0/16"], "description": "San Jose campus"},
            {"id": 3052, "name": "Branch-LANs", "ipAddresses": ["10.20.0.0/16", "10.21.0.0/16"]},
        ],
        required=("name", "ipAddresses"),
    )
    apps = zia("/networkApplications", NETWORK_APPS, required=(), crud=False)
    app_groups = zia(
        "/networkApplicationGroups",
        [
            {"id": 3071, "name": "Remote-Access-Apps", "networkApplications": ["SSH"], "description": "Admin access"},
            {"id": 3072, "name": "Collaboration", "networkApplications": ["SKYPE", "HTTP"]},
        ],
        required=("name", "networkApplications"),
    )
    services = zia(
        "/networkServices",
        SEED["objects_network_services"],
        defaults={"type": "CUSTOM"},
    )
    service_groups = zia(
        "/networkServiceGroups",
        [
            {"id": 3151, "name": "Web", "services": [{"id": 3102, "name": "HTTPS"}], "description": "Web traffic"},
            {"id": 3152, "name": "File-Sharing", "services": [{"id": 3101, "name": "SMB"}]},
        ],
        required=("name", "services"),
    )
    signatures = zia(
        "/ipsSignatureRules",
        SEED["objects_ips_signature_rules"],
        required=("name", "ruleText"),
        defaults={"enabled": True, **AUDIT},
    )

    async def validate(request: Request) -> Response:
        text = str((await object_body(request)).get("ruleText", ""))
        if _SIGNATURE.match(text):
            return JSONResponse({"status": 0, "errPosition": 0, "errMsg": ""})
        return JSONResponse(
            {"status": 1, "errPosition": 0, "errMsg": "rule must start with an action and carry a numeric sid"}
        )

    return ServiceApi(
        collections=[labels, intervals, destinations, sources, apps, app_groups, services, service_groups, signatures],
        routes=[
            list_route(apps, filters={"search": lambda r, v: v.lower() in f"{r['id']} {r['description']}".lower()}),
            get_route(apps),
            list_route(services, filters={"protocol": _protocol}),
            Route(ROOT + "/ipsSignatureRules/validateRuleText", validate, methods=["POST"]),
        ],
    )
