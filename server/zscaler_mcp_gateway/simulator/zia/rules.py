"""ZIA policy rule tables, cloud app control per category, and the catalogs rules draw on."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..endpoints import object_body
from ..seeds import seeds
from ..store import Collection, ServiceApi, SimulatorError
from ._kit import (
    ROOT,
    contains,
    equals,
    lite_route,
    replace,
    rule_table,
    static_route,
)

PCI = {"id": 1, "name": "PCI"}
HQ = {"id": 501, "name": "HQ-San-Jose"}

SEED = seeds("zia")
CAC_ACTIONS = SEED["rules_cac_actions"]
CLOUD_APPS = SEED["rules_cloud_apps"]
FILE_TYPE_CATEGORIES = SEED["rules_file_type_categories"]


def _tables() -> dict[str, Collection]:
    return {
        "urlFilteringRules": rule_table(
            "/urlFilteringRules",
            SEED["rules_url_filtering_rules"],
            required=("name", "action"),
            defaults={"protocols": ["ANY_RULE"]},
        ),
        "firewallFilteringRules": rule_table(
            "/firewallFilteringRules",
            SEED["rules_firewall_filtering_rules"],
            required=("name", "action", "order"),
        ),
        "firewallDnsRules": rule_table(
            "/firewallDnsRules",
            SEED["rules_firewall_dns_rules"],
            required=("name", "action", "order"),
        ),
        "firewallIpsRules": rule_table(
            "/firewallIpsRules",
            SEED["rules_firewall_ips_rules"],
            required=("name", "action", "order"),
        ),
        "sslInspectionRules": rule_table(
            "/sslInspectionRules",
            SEED["rules_ssl_inspection_rules"],
            required=("name", "order", "action"),
        ),
        "fileTypeRules": rule_table(
            "/fileTypeRules",
            SEED["rules_file_type_rules"],
            required=("name", "order", "filteringAction"),
        ),
        "sandboxRules": rule_table(
            "/sandboxRules",
            SEED["rules_sandbox_rules"],
            required=("name", "order", "baRuleAction"),
        ),
        "webDlpRules": rule_table(
            "/webDlpRules",
            SEED["rules_web_dlp_rules"],
            required=("name", "order", "action"),
        ),
        "webApplicationRules": rule_table(
            "/webApplicationRules",
            SEED["rules_web_application_rules"],
            required=("name", "order", "actions"),
            crud=False,
        ),
    }


def build() -> ServiceApi:
    tables = _tables()
    cac = tables.pop("webApplicationRules")

    def of_type(request: Request) -> str:
        rule_type: str = request.path_params["rule_type"]
        return rule_type

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
