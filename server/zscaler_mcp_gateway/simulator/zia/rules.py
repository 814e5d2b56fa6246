"""ZIA policy rule tables, cloud app control per category, and the catalogs rules draw on."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..seeds import seeds
from ..store import Collection, ServiceApi, SimulatorError
from ._kit import (
    ROOT,
    contains,
    equals,
    lite_route,
    object_body,
    replace,
    rule_table,
    static_route,
)

PCI = {"id": 1, "name": "PCI"}
HQ = {"id": 501, "name": "HQ-San-Jose"}
ENGINEERING = {"id": 801, "name": "Engineering"}
FINANCE = {"id": 802, "name": "Finance"}
BUSINESS_HOURS = {"id": 601, "name": "Business-Hours"}

SEED = seeds("zia")
CAC_ACTIONS = SEED["rules_cac_actions"]
CLOUD_APPS = SEED["rules_cloud_apps"]
FILE_TYPE_CATEGORIES = SEED["rules_file_type_categories"]


def _tables() -> dict[str, Collection]:
    return {
        "urlFilteringRules": rule_table(
            "/urlFilteringRules",
            [
                {
                    "id": 101,
                    "name": "Block Gambling",
                    "order": 1,
                    "action": "BLOCK",
                    "urlCategories": ["GAMBLING"],
                    "protocols": ["ANY_RULE"],
                    "labels": [PCI],
                },
                {
                    "id": 102,
                    "name": "Caution Social",
                    "order": 2,
                    "action": "CAUTION",
                    "urlCategories": ["SOCIAL_NETWORKING"],
                    "protocols": ["ANY_RULE"],
                    "departments": [FINANCE],
                },
                {
                    "id": 103,
                    "name": "Allow News",
                    "order": 3,
                    "state": "DISABLED",
                    "action": "ALLOW",
                    "urlCategories": ["NEWS_AND_MEDIA"],
                    "protocols": ["ANY_RULE"],
                },
            ],
            required=("name", "action"),
            defaults={"protocols": ["ANY_RULE"]},
        ),
        "firewallFilteringRules": rule_table(
            "/firewallFilteringRules",
            [
                {
                    "id": 201,
                    "name": "Block SMB Outbound",
                    "order": 1,
                    "action": "BLOCK_DROP",
                    "nwServices": [{"id": 3101, "name": "SMB"}],
                    "enableFullLogging": True,
                },
                {
                    "id": 202,
                    "name": "Allow DNS",
                    "order": 2,
                    "action": "ALLOW",
                    "nwApplications": ["DNS"],
                    "locations": [HQ],
                },
                {
                    "id": 203,
                    "name": "Default Firewall Filtering Rule",
                    "order": 3,
                    "action": "ALLOW",
                    "defaultRule": True,
                    "predefined": True,
                },
            ],
            required=("name", "action", "order"),
        ),
        "firewallDnsRules": rule_table(
            "/firewallDnsRules",
            [
                {
                    "id": 211,
                    "name": "Block DoH Resolvers",
                    "order": 1,
                    "action": "BLOCK",
                    "protocols": ["DOHTTPS_RULE"],
                    "applications": ["DNS_OVER_HTTPS"],
                },
                {
                    "id": 212,
                    "name": "Redirect Internal Zone",
                    "order": 2,
                    "action": "REDIR_REQ",
                    "redirectIp": "10.10.0.53",
                    "destAddresses": ["corp.acme.example"],
                },
            ],
            required=("name", "action", "order"),
        ),
        "firewallIpsRules": rule_table(
            "/firewallIpsRules",
            [
                {
                    "id": 221,
                    "name": "Block High-Risk Signatures",
                    "order": 1,
                    "action": "BLOCK_DROP",
                    "threatCategories": [{"id": 66, "name": "Exploit Kits"}],
                    "capturePCAP": True,
                },
                {
                    "id": 222,
                    "name": "Default Cloud IPS Rule",
                    "order": 2,
                    "action": "ALLOW",
                    "defaultRule": True,
                    "predefined": True,
                },
            ],
            required=("name", "action", "order"),
        ),
        "sslInspectionRules": rule_table(
            "/sslInspectionRules",
            [
                {
                    "id": 231,
                    "name": "Do Not Decrypt Finance",
                    "order": 1,
                    "urlCategories": ["FINANCE"],
                    "action": {
                        "type": "DO_NOT_DECRYPT",
                        "doNotDecryptSubActions": {"bypassOtherPolicies": False, "serverCertificates": "BLOCK"},
                    },
                },
                {
                    "id": 232,
                    "name": "Decrypt Everything Else",
                    "order": 2,
                    "action": {
                        "type": "DECRYPT",
                        "decryptSubActions": {"minClientTLSVersion": "CLIENT_TLS_1_2", "ocspCheck": True},
                    },
                },
            ],
            required=("name", "order", "action"),
        ),
        "fileTypeRules": rule_table(
            "/fileTypeRules",
            [
                {
                    "id": 241,
                    "name": "Block Executables Download",
                    "order": 1,
                    "filteringAction": "BLOCK",
                    "fileTypes": ["FTCATEGORY_WINDOWS_EXECUTABLES"],
                    "operation": "DOWNLOAD",
                    "protocols": ["ANY_RULE"],
                },
                {
                    "id": 242,
                    "name": "Caution Archives Upload",
                    "order": 2,
                    "filteringAction": "CAUTION",
                    "fileTypes": ["FTCATEGORY_ZIP"],
                    "operation": "UPLOAD",
                    "protocols": ["ANY_RULE"],
                },
            ],
            required=("name", "order", "filteringAction"),
        ),
        "sandboxRules": rule_table(
            "/sandboxRules",
            [
                {
                    "id": 251,
                    "name": "Quarantine Unknown Executables",
                    "order": 1,
                    "baRuleAction": "BLOCK",
                    "firstTimeEnable": True,
                    "firstTimeOperation": "QUARANTINE",
                    "fileTypes": ["FTCATEGORY_WINDOWS_EXECUTABLES"],
                    "baPolicyCategories": ["RANSOMWARE_BLOCK", "BOTMAL_BLOCK"],
                },
                {"id": 252, "name": "Default BA Rule", "order": 2, "baRuleAction": "ALLOW", "defaultRule": True},
            ],
            required=("name", "order", "baRuleAction"),
        ),
        "webDlpRules": rule_table(
            "/webDlpRules",
            [
                {
                    "id": 261,
                    "name": "Block PCI Uploads",
                    "order": 1,
                    "action": "BLOCK",
                    "dlpEngines": [{"id": 61, "name": "PCI"}],
                    "protocols": ["HTTPS_RULE", "HTTP_RULE"],
                    "labels": [PCI],
                },
                {
                    "id": 262,
                    "name": "Monitor Source Code",
                    "order": 2,
                    "action": "ALLOW",
                    "matchOnly": True,
                    "dlpEngines": [{"id": 62, "name": "Source Code"}],
                    "groups": [ENGINEERING],
                },
            ],
            required=("name", "order", "action"),
        ),
        "webApplicationRules": rule_table(
            "/webApplicationRules",
            [
                {
                    "id": 271,
                    "type": "WEBMAIL",
                    "name": "Block Webmail Attachments",
                    "order": 1,
                    "actions": ["BLOCK_WEBMAIL_ATTACHMENT_SEND"],
                    "applications": ["GOOGLE_WEBMAIL", "OUTLOOK_WEBMAIL"],
                },
                {
                    "id": 272,
                    "type": "STREAMING_MEDIA",
                    "name": "Caution Streaming",
                    "order": 1,
                    "actions": ["CAUTION_STREAMING_VIEW_LISTEN"],
                    "applications": ["YOUTUBE"],
                    "timeWindows": [BUSINESS_HOURS],
                },
                {
                    "id": 273,
                    "type": "FILE_SHARE",
                    "name": "Block Personal File Share Uploads",
                    "order": 1,
                    "actions": ["BLOCK_FILE_SHARE_UPLOAD"],
                    "applications": ["DROPBOX"],
                },
            ],
            required=("name", "order", "actions"),
            crud=False,
        ),
    }


def build() -> ServiceApi:
    tables = _tables()
    cac = tables.pop("webApplicationRules")

    def of_type(request: Request) -> str:
        return request.path_params["rule_type"]

    async def cac_list(request: Request) -> Response:
        return JSONResponse(
            [r for r in cac.list(request.query_params.get("search") or None) if r.get("type") == of_type(request)]
        )

    async def cac_create(request: Request) -> Response:
        return JSONResponse(cac.create({**await object_body(request), "type": of_type(request)}))

    async def cac_rule(request: Request) -> Response:
        record = cac.get(request.path_params["record_id"])
        if record.get("type") != of_type(request):
            raise SimulatorError(404, f"Rule {record['id']} is not a {of_type(request)} rule")
        if request.method == "GET":
            return JSONResponse(record)
        if request.method == "PUT":
            return JSONResponse(replace(cac, record["id"], {**await object_body(request), "type": of_type(request)}))
        cac.delete(record["id"])
        return Response(status_code=204)

    async def available_actions(request: Request) -> Response:
        body = await object_body(request)
        if not isinstance(body.get("cloudApps"), list):
            raise SimulatorError(400, "cloudApps must be an array of application IDs")
        return JSONResponse(CAC_ACTIONS.get(of_type(request), ["ALLOW", "BLOCK"]))

    base = ROOT + "/webApplicationRules/{rule_type}"
    return ServiceApi(
        collections=[*tables.values(), cac],
        routes=[
            lite_route(tables["webDlpRules"]),
            Route(base + "/availableActions", available_actions, methods=["POST"]),
            Route(base, cac_list, methods=["GET"]),
            Route(base, cac_create, methods=["POST"]),
            Route(base + "/{record_id:int}", cac_rule, methods=["GET", "PUT", "DELETE"]),
            static_route(
                "/cloudApplications/policy", CLOUD_APPS, {"appClass": equals("parent"), "search": contains("appName")}
            ),
            static_route(
                "/cloudApplications/sslPolicy",
                CLOUD_APPS,
                {"appClass": equals("parent"), "search": contains("appName")},
            ),
            static_route("/fileTypeCategories", FILE_TYPE_CATEGORIES),
        ],
    )
