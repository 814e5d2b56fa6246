"""ZPA collections and endpoints (mgmtconfig v1), seeded with a believable small tenant."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .store import Collection, ServiceApi

ROOT = "/zpa/mgmtconfig/v1/admin/customers/{customer_id}"
AUDIT_FIELDS = {"creationTime": "1718000000", "modifiedTime": "1718500000", "modifiedBy": "72058304855015400"}


def _zpa(path: str, seed: list[dict], **kw: object) -> Collection:
    return Collection("zpa", ROOT + path, "zpa", seed=[{**AUDIT_FIELDS, **r} for r in seed], **kw)  # type: ignore[arg-type]


def _segment_type_default(record: dict) -> None:
    record.setdefault("applicationType", "SECURE_REMOTE_ACCESS")
    record.setdefault("enabled", True)


def _segment_groups() -> Collection:
    return _zpa(
    "/segmentGroup",
    [
        {"id": "72058304855015425", "name": "SG-Finance", "description": "Finance apps", "enabled": True, "applications": []},
        {"id": "72058304855015426", "name": "SG-Engineering", "description": "Build and source control", "enabled": True, "applications": []},
        {"id": "72058304855015427", "name": "SG-HR", "description": "HR systems", "enabled": False, "applications": []},
    ],
)
def _server_groups() -> Collection:
    return _zpa(
    "/serverGroup",
    [
        {"id": "72058304855015501", "name": "SRV-Datacenter-East", "enabled": True, "dynamicDiscovery": True, "appConnectorGroups": [{"id": "72058304855015601"}]},
        {"id": "72058304855015502", "name": "SRV-AWS-us-west-2", "enabled": True, "dynamicDiscovery": False, "appConnectorGroups": [{"id": "72058304855015602"}]},
    ],
)
def _app_connector_groups() -> Collection:
    return _zpa(
    "/appConnectorGroup",
    [
        {"id": "72058304855015601", "name": "ACG-Datacenter-East", "enabled": True, "location": "Ashburn, VA", "latitude": "39.04", "longitude": "-77.48", "countryCode": "US", "versionProfileName": "Default"},
        {"id": "72058304855015602", "name": "ACG-AWS-us-west-2", "enabled": True, "location": "Boardman, OR", "latitude": "45.84", "longitude": "-119.70", "countryCode": "US", "versionProfileName": "Default"},
    ],
)
def _application_servers() -> Collection:
    return _zpa(
    "/server",
    [
        {"id": "72058304855015701", "name": "git.internal.example.com", "address": "10.10.1.20", "enabled": True},
        {"id": "72058304855015702", "name": "erp.internal.example.com", "address": "10.10.2.31", "enabled": True},
    ],
    required=("name", "address"),
)
def _application_segments() -> Collection:
    return _zpa(
    "/application",
    [
        {"id": "72058304855015801", "name": "App-Git", "domainNames": ["git.internal.example.com"], "enabled": True, "segmentGroupId": "72058304855015426", "tcpPortRanges": ["22", "22", "443", "443"], "applicationType": "SECURE_REMOTE_ACCESS"},
        {"id": "72058304855015802", "name": "App-ERP", "domainNames": ["erp.internal.example.com"], "enabled": True, "segmentGroupId": "72058304855015425", "tcpPortRanges": ["443", "443"], "applicationType": "SECURE_REMOTE_ACCESS"},
        {"id": "72058304855015803", "name": "App-Wiki-BA", "domainNames": ["wiki.internal.example.com"], "enabled": True, "segmentGroupId": "72058304855015426", "tcpPortRanges": ["443", "443"], "applicationType": "BROWSER_ACCESS", "clientlessApps": [{"name": "wiki", "applicationPort": "443", "applicationProtocol": "HTTPS"}]},
        {"id": "72058304855015804", "name": "App-Jumphost-PRA", "domainNames": ["jump.internal.example.com"], "enabled": True, "segmentGroupId": "72058304855015426", "tcpPortRanges": ["3389", "3389"], "applicationType": "SECURE_REMOTE_ACCESS", "commonAppsDto": {"appsConfig": [{"name": "jump-rdp", "appTypes": ["SECURE_REMOTE_ACCESS"], "applicationProtocol": "RDP"}]}},
    ],
    required=("name", "domainNames"),
    on_create=_segment_type_default,
)

def build() -> ServiceApi:
    segments = _application_segments()

    async def apps_by_type(request: Request) -> Response:
        wanted = request.query_params.get("applicationType", "")
        items = [
            {"id": r["id"], "name": r["name"], "appId": r["id"], "applicationType": wanted, "enabled": r.get("enabled", True)}
            for r in segments.list(request.query_params.get("search"))
            if (wanted == "SECURE_REMOTE_ACCESS" and "commonAppsDto" in r)
            or (wanted in ("BROWSER_ACCESS", "INSPECT") and r.get("applicationType") == wanted)
        ]
        return JSONResponse({"totalPages": "1", "totalCount": str(len(items)), "list": items})

    return ServiceApi(
        collections=[_segment_groups(), _server_groups(), _app_connector_groups(), _application_servers(), segments],
        routes=[Route(ROOT + "/application/getAppsByType", apps_by_type, methods=["GET"])],
    )
