"""ZIA tenant-wide settings documents, URL lists, activation, sandbox reports and shadow IT."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..endpoints import object_body
from ..seeds import seeds
from ..store import ServiceApi, SimulatorError
from ._kit import (
    ROOT,
    Record,
    document,
    document_routes,
    read_document,
    replace_document,
    static_route,
    url_list_routes,
    zia,
)


def _flags(*names: str, on: tuple[str, ...] = ()) -> Record:
    return {name: name in on for name in names}


def _threats(*stems: str, blocked: tuple[str, ...] = (), captured: tuple[str, ...] = ()) -> Record:
    return {**{f"{s}Blocked": s in blocked for s in stems}, **{f"{s}Capture": s in captured for s in stems}}


SEED = seeds("zia")
ADVANCED: Record = SEED["settings_advanced"]
ATP: Record = SEED["settings_atp"]
MALWARE: Record = _threats(
    "virus",
    "unwantedApplications",
    "trojan",
    "worm",
    "adware",
    "spyware",
    "ransomware",
    "remoteAccessTool",
    blocked=("virus", "trojan", "worm", "ransomware", "remoteAccessTool", "spyware"),
    captured=("ransomware",),
)
MOBILE: Record = _flags(
    *(
        f"blockApps{s}"
        for s in (
            "WithMaliciousActivity",
            "WithKnownVulnerabilities",
            "SendingUnencryptedUserCredentials",
            "SendingLocationInfo",
            "SendingPersonallyIdentifiableInfo",
            "SendingDeviceIdentifier",
            "CommunicatingWithAdWebsites",
            "CommunicatingWithRemoteUnknownServers",
        )
    ),
    on=("blockAppsWithMaliciousActivity", "blockAppsSendingUnencryptedUserCredentials"),
)
SANDBOX_REPORTS: dict[str, Record] = SEED["settings_sandbox_reports"]
FULL_DETAILS = {
    "Networking": [{"Protocol": "HTTPS", "Host": "c2.badhost.example", "Port": 443}],
    "SystemSummary": [{"Risk": "HIGH", "Signature": "Encrypts user files"}],
}
MD5 = re.compile(r"^[0-9a-fA-F]{32}$")
SANCTION_STATES = {"SANCTIONED", "UN_SANCTIONED", "ANY"}
CUSTOM_TAGS = [
    {"id": 1, "name": "Approved-by-Legal"},
    {"id": 2, "name": "Under-Review"},
    {"id": 3, "name": "Deprecated"},
]


def build() -> ServiceApi:
    documents = {
        path: document(path, body)
        for path, body in {
            "/advancedSettings": ADVANCED,
            "/mobileAdvanceThreatSettings": MOBILE,
            "/cyberThreatProtection/advancedThreatSettings": ATP,
            "/cyberThreatProtection/malwareSettings": MALWARE,
            "/cyberThreatProtection/malwarePolicy": {
                "blockUnscannableFiles": False,
                "blockPasswordProtectedArchiveFiles": True,
            },
            "/cyberThreatProtection/atpMalwareInspection": {"inspectInbound": True, "inspectOutbound": True},
            "/cyberThreatProtection/atpMalwareProtocols": {
                "inspectHttp": True,
                "inspectFtpOverHttp": True,
                "inspectFtp": False,
            },
        }.items()
    }
    exceptions = document(
        "/cyberThreatProtection/securityExceptions", {"bypassUrls": ["updates.vendor.example", "crl.pki.example"]}
    )
    malicious = document(
        "/cyberThreatProtection/maliciousUrls", {"maliciousUrls": ["evil.example", "phish.example/login"]}
    )
    exempt = document("/authSettings/exemptedUrls", {"urls": [".office365.com", "sso.partner.example"]})
    behavioral = document(
        "/behavioralAnalysisAdvancedSettings", {"fileHashesToBeBlocked": ["f3b1c5e0a9d84c2b8e7a6d5c4b3a2910"]}
    )
    activation = document("/status", {"status": "ACTIVE"})
    apps = zia(
        "/cloudApplications/lite",
        SEED["settings_cloud_applications_lite"],
        crud=False,
    )

    async def status(request: Request) -> Response:
        return JSONResponse(read_document(activation))

    async def activate(request: Request) -> Response:
        return JSONResponse(replace_document(activation, {"status": "ACTIVE"}))

    async def quota(request: Request) -> Response:
        return JSONResponse([{"allowed": 1000, "scale": "DAILY", "used": 17, "unused": 983}])

    async def report(request: Request) -> Response:
        md5 = request.path_params["md5"]
        details = request.query_params.get("details", "summary")
        if not MD5.match(md5) or details not in ("summary", "full"):
            raise SimulatorError(400, "md5 must be 32 hex characters and details summary or full")
        found = SANDBOX_REPORTS.get(md5.lower())
        if found is None:
            raise SimulatorError(404, f"No sandbox report for MD5 {md5}")
        return JSONResponse(
            {
                "Full Details" if details == "full" else "Summary Details": {
                    **found,
                    **(FULL_DETAILS if details == "full" else {}),
                }
            }
        )

    async def hash_count(request: Request) -> Response:
        blocked = len(read_document(behavioral)["fileHashesToBeBlocked"])
        return JSONResponse({"blockedFileHashesCount": blocked, "remainingFileHashes": 10000 - blocked})

    async def list_apps(request: Request) -> Response:
        try:
            page, limit = int(request.query_params.get("pageNumber", 0)), int(request.query_params.get("limit", 1000))
        except ValueError as exc:
            raise SimulatorError(400, "pageNumber and limit must be integers") from exc
        return JSONResponse(apps.list()[page * limit : (page + 1) * limit])

    async def bulk_update(request: Request) -> Response:
        body = await object_body(request)
        state = body.get("sanctionedState")
        if state not in SANCTION_STATES:
            raise SimulatorError(400, f"sanctionedState must be one of {', '.join(sorted(SANCTION_STATES))}")
        tags = body.get("customTags")
        wanted = {str(t.get("id")) for t in tags or []}  # the SDK sends tag ids as strings
        if wanted - {str(t["id"]) for t in CUSTOM_TAGS}:
            raise SimulatorError(400, "Unknown custom tag id")
        for app_id in body.get("applicationIds") or []:
            apps.get(app_id)  # 404 for an unknown application before anything changes
        for app_id in body.get("applicationIds") or []:
            change: Record = {"sanctionedState": state}
            if tags is not None:
                change["customTags"] = [t for t in CUSTOM_TAGS if str(t["id"]) in wanted]
            apps.update(app_id, change)
        return Response(status_code=204)

    return ServiceApi(
        collections=[*documents.values(), exceptions, malicious, exempt, behavioral, activation, apps],
        routes=[
            *(route for doc in documents.values() for route in document_routes(doc)),
            *url_list_routes(exceptions, "bypassUrls", "PUT"),
            *url_list_routes(malicious, "maliciousUrls", "PUT"),
            *url_list_routes(exempt, "urls", "POST"),
            *document_routes(behavioral),
            Route(ROOT + "/behavioralAnalysisAdvancedSettings/fileHashCount", hash_count, methods=["GET"]),
            Route(ROOT + "/status", status, methods=["GET"]),
            Route(ROOT + "/status/activate", activate, methods=["POST"]),
            Route(ROOT + "/sandbox/report/quota", quota, methods=["GET"]),
            Route(ROOT + "/sandbox/report/{md5}", report, methods=["GET"]),
            Route(ROOT + "/cloudApplications/lite", list_apps, methods=["GET"]),
            Route(ROOT + "/cloudApplications/bulkUpdate", bulk_update, methods=["PUT"]),
            static_route("/customTags", CUSTOM_TAGS),
        ],
    )
