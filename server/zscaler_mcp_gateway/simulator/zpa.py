"""ZPA collections and endpoints (mgmtconfig v1/v2, userconfig), seeded with a believable small tenant.

Stateful resources are `Collection`s; `also_listed` serves a collection's records at the other
path the SDK lists them from (several v1 resources are listed through v2), and the few routes
that are not plain CRUD (policy sets, bulk deletes, LSS catalogs) are small functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .endpoints import ZPA_DEFAULT_PAGE_SIZE, json_body, json_get, object_body, page_of, search_term
from .seeds import seeds
from .store import Collection, ServiceApi, SimulatorError

ROOT = "/zpa/mgmtconfig/v1/admin/customers/{customer_id}"
ROOT_V2 = "/zpa/mgmtconfig/v2/admin/customers/{customer_id}"
USERCONFIG = "/zpa/userconfig/v1/customers/{customer_id}"
LSS_ADMIN = "/zpa/mgmtconfig/v2/admin/lssConfig"
SEED = seeds("zpa")
AUDIT_FIELDS = {"creationTime": "1718000000", "modifiedTime": "1718500000", "modifiedBy": "72058304855015400"}


def _zpa(key: str, path: str, root: str = ROOT, **kw: Any) -> Collection:
    """The collection at `root + path`, seeded with the records under `key` in zpa.yaml."""
    return Collection("zpa", root + path, "zpa", seed=[{**AUDIT_FIELDS, **r} for r in SEED[key]], **kw)


def zpa_page(items: list[dict[str, Any]], request: Request) -> JSONResponse:
    """One page in the ZPA envelope (counts as strings, like the API)."""
    page, total_pages, total = page_of(items, request, ZPA_DEFAULT_PAGE_SIZE, ("pagesize", "pageSize"))
    return JSONResponse({"totalPages": str(total_pages), "totalCount": str(total), "list": page})


def also_listed(
    collection: Collection, path: str, where: Callable[[dict[str, Any], Request], bool] = lambda r, q: True
) -> Route:
    """GET `path` lists `collection` (searchable, paged), keeping records `where` accepts."""

    async def listing(request: Request) -> Response:
        return zpa_page([r for r in collection.list(search_term(request)) if where(r, request)], request)

    return Route(path, listing, methods=["GET"])


def bulk_delete(collection: Collection, path: str) -> Route:
    """POST {"ids": [...]}: every id must exist, then all go (the API deletes all or none)."""

    async def delete_all(request: Request) -> Response:
        body = await json_body(request)
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids:
            raise SimulatorError(400, 'Body must be {"ids": [...]} with at least one id')
        for record_id in ids:
            collection.get(str(record_id))
        for record_id in ids:
            collection.delete(str(record_id))
        return Response(status_code=204)

    return Route(path, delete_all, methods=["POST"])


def apps_config(record: dict[str, Any], app_type: str) -> list[dict[str, Any]]:
    """The `commonAppsDto.appsConfig` entries of one type (BROWSER_ACCESS, SECURE_REMOTE_ACCESS)."""
    dto = record.get("commonAppsDto") or {}
    configs = (dto.get("appsConfig") or []) if isinstance(dto, dict) else []
    return [c for c in configs if isinstance(c, dict) and app_type in (c.get("appTypes") or [])]


def _segment_checked(body: dict[str, Any]) -> None:
    """v2 browser-access apps need a name and a domain each, as the API says."""
    for i, app in enumerate(apps_config(body, "BROWSER_ACCESS")):
        if not app.get("name") or not app.get("domain"):
            raise SimulatorError(400, f"commonAppsDto.appsConfig[{i}]: name and domain are required")


def _segment_created(record: dict[str, Any]) -> None:
    """Server-side fields: the type, and browser-access apps (v2 commonAppsDto) as `clientlessApps`."""
    record.setdefault("enabled", True)
    browser_apps = apps_config(record, "BROWSER_ACCESS")
    if browser_apps:
        record["applicationType"] = "BROWSER_ACCESS"
        record["clientlessApps"] = [
            {**app, "id": str(int(record["id"]) + 500000 + i), "appId": record["id"]}
            for i, app in enumerate(browser_apps)
        ]
    record.setdefault("applicationType", "SECURE_REMOTE_ACCESS")


# --- policy sets and their rules ------------------------------------------------------------------

IDP_OKTA, IDP_AZURE = "72058304855000077", "72058304855000078"
POLICY_SETS: dict[str, str] = {  # API policy type -> the tenant's policy set id
    "ACCESS_POLICY": "72058304855016101",
    "TIMEOUT_POLICY": "72058304855016102",
    "CLIENT_FORWARDING_POLICY": "72058304855016103",
    "ISOLATION_POLICY": "72058304855016104",
    "INSPECTION_POLICY": "72058304855016105",
}
_DEFAULT_ACTION = {
    "ACCESS_POLICY": "ALLOW",
    "TIMEOUT_POLICY": "RE_AUTH",
    "CLIENT_FORWARDING_POLICY": "INTERCEPT",
    "ISOLATION_POLICY": "ISOLATE",
    "INSPECTION_POLICY": "INSPECT",
}


V2_OPERAND_KEYS = ("values", "entryValues")


def v1_conditions(body: dict[str, Any]) -> None:
    """The v1 rule endpoints take one lhs/rhs pair per operand; v2 operand lists are refused."""
    for b, block in enumerate(_blocks(body)):
        for o, operand in enumerate(block.get("operands") or []):
            if not isinstance(operand, dict) or any(k in operand for k in V2_OPERAND_KEYS):
                raise SimulatorError(
                    400, f"conditions[{b}].operands[{o}]: v2 operand (values/entryValues) sent to a v1 endpoint"
                )
            if "lhs" not in operand or "objectType" not in operand:
                raise SimulatorError(400, f"conditions[{b}].operands[{o}]: objectType, lhs and rhs are required")


def v2_conditions_stored(body: dict[str, Any]) -> dict[str, Any]:
    """A v2 rule body with its conditions checked and rewritten to the stored (v1) form.

    v2 operands carry `values` or `entryValues` ([{lhs, rhs}]); a v1 operand (`lhs`/`rhs`) is refused.
    """
    stored = []
    for b, block in enumerate(_blocks(body)):
        operands = []
        for o, operand in enumerate(block.get("operands") or []):
            where = f"conditions[{b}].operands[{o}]"
            if not isinstance(operand, dict) or "lhs" in operand or "rhs" in operand:
                raise SimulatorError(400, f"{where}: v1 operand (lhs/rhs) sent to a v2 endpoint")
            kind = operand.get("objectType")
            values, entries = operand.get("values"), operand.get("entryValues")
            if not kind or (values is None) == (entries is None):
                raise SimulatorError(400, f"{where}: objectType and exactly one of values, entryValues are required")
            if isinstance(values, list):
                operands += [{"objectType": kind, "lhs": "id", "rhs": str(v)} for v in values]
            elif isinstance(entries, list) and all(isinstance(e, dict) and {"lhs", "rhs"} <= set(e) for e in entries):
                operands += [{"objectType": kind, "lhs": e["lhs"], "rhs": e["rhs"]} for e in entries]
            else:
                raise SimulatorError(400, f"{where}: values must be a list, entryValues a list of {{lhs, rhs}}")
        stored.append({"operator": block.get("operator") or "OR", "negated": False, "operands": operands})
    return {**body, "conditions": stored}


def _blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = body.get("conditions") or []
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise SimulatorError(400, "conditions must be a list of objects")
    return blocks


def updated_at(collection: Collection, path: str) -> Route:
    """PUT `path`/{record_id} updates `collection` and answers 204 (the v2 update endpoints)."""

    async def update(request: Request) -> Response:
        collection.update(request.path_params["record_id"], await object_body(request))
        return Response(status_code=204)

    return Route(path + "/{record_id}", update, methods=["PUT"])


def _policy_rules(policy_type: str) -> Collection:
    set_id = POLICY_SETS[policy_type]
    seed = [{**AUDIT_FIELDS, **r, "policySetId": set_id, "disabled": "0"} for r in SEED["policy_rules"][policy_type]]
    rules = Collection("zpa", f"{ROOT}/policySet/{set_id}/rule", "zpa", seed=seed, check=v1_conditions)

    def defaults(record: dict[str, Any]) -> None:
        record.setdefault("action", _DEFAULT_ACTION[policy_type])
        record.setdefault("ruleOrder", str(len(rules.records) + 1))
        record.setdefault("conditions", [])
        record.update(policySetId=set_id, disabled="0")

    rules.on_create = defaults
    return rules


def _policy_routes(rules: dict[str, Collection]) -> list[Route]:
    def known(request: Request) -> str:
        policy_type: str = request.path_params["policy_type"]
        if policy_type not in rules:
            raise SimulatorError(400, f"Unknown policy type {policy_type}")
        return policy_type

    async def policy_set(request: Request) -> Response:
        policy_type = known(request)
        return JSONResponse(
            {
                "id": POLICY_SETS[policy_type],
                "name": policy_type.replace("_", " ").title(),
                "enabled": True,
                "policyType": policy_type,
                "rules": rules[policy_type].list(),
                **AUDIT_FIELDS,
            }
        )

    async def rules_of_type(request: Request) -> Response:
        return zpa_page(
            sorted(rules[known(request)].list(search_term(request)), key=lambda r: int(r.get("ruleOrder") or 0)),
            request,
        )

    by_set = {POLICY_SETS[policy_type]: collection for policy_type, collection in rules.items()}

    def rule_set(request: Request) -> Collection:
        collection = by_set.get(request.path_params["set_id"])
        if collection is None:
            raise SimulatorError(404, f"Policy set {request.path_params['set_id']} not found")
        return collection

    async def create_v2(request: Request) -> Response:
        return JSONResponse(rule_set(request).create(v2_conditions_stored(await object_body(request))))

    async def update_v2(request: Request) -> Response:
        rule_set(request).update(request.path_params["rule_id"], v2_conditions_stored(await object_body(request)))
        return Response(status_code=204)

    v2_rules = ROOT_V2 + "/policySet/{set_id}/rule"
    return [
        Route(ROOT + "/policySet/policyType/{policy_type}", policy_set, methods=["GET"]),
        Route(ROOT + "/policySet/rules/policyType/{policy_type}", rules_of_type, methods=["GET"]),
        Route(v2_rules, create_v2, methods=["POST"]),
        Route(v2_rules + "/{rule_id}", update_v2, methods=["PUT"]),
    ]


# --- connectors, service edges, provisioning --------------------------------------------------------


def _provisioning_keys(association: str) -> Collection:
    keys = Collection(
        "zpa",
        f"{ROOT}/associationType/{association}/provisioningKey",
        "zpa",
        seed=[{**AUDIT_FIELDS, **r} for r in SEED["provisioning_keys"][association]],
        required=("name", "maxUsage", "enrollmentCertId", "zcomponentId"),
    )

    def issue(record: dict[str, Any]) -> None:
        record.setdefault("enabled", True)
        record.update(
            associationType=association,
            usageCount="0",
            provisioningKey=f"3|api.private.zscaler.com|{record['id']}|sim-{record['zcomponentId']}",
        )

    keys.on_create = issue
    return keys


# --- certificates and privileged remote access ---------------------------------------------------


def _certificate_issued(record: dict[str, Any]) -> None:
    blob = str(record.pop("certBlob", ""))
    if "BEGIN CERTIFICATE" not in blob:
        raise SimulatorError(400, "certBlob must hold a PEM certificate")
    record.update(
        cName=record["name"],
        issuedTo=f"CN={record['name']}",
        issuedBy="CN=Example Issuing CA",
        san=[record["name"]],
        status="ACTIVE",
        validFromInEpochSec="1718000000",
        validToInEpochSec="1749536000",
        serialNo="4b1d2f",
    )


PRA_SECRETS = ("password", "privateKey", "passphrase")


def _write_only(collection: Collection, secrets: tuple[str, ...]) -> list[Route]:
    """Create/update that store secrets nowhere: the API accepts them and never returns them."""

    def scrub(body: Any) -> Any:
        return {k: v for k, v in body.items() if k not in secrets} if isinstance(body, dict) else body

    async def create(request: Request) -> Response:
        return JSONResponse(collection.create(scrub(await json_body(request))))

    async def update(request: Request) -> Response:
        return JSONResponse(collection.update(request.path_params["record_id"], scrub(await json_body(request))))

    return [
        Route(collection.path, create, methods=["POST"]),
        Route(collection.path + "/{record_id}", update, methods=["PUT"]),
    ]


# --- identity, posture, profiles, log streaming (read-only lookups) -------------------------------


LSS_LOG_TYPES = (
    "zpn_trans_log",
    "zpn_auth_log",
    "zpn_ast_auth_log",
    "zpn_http_trans_log",
    "zpn_audit_log",
    "zpn_sys_auth_log",
    "zpn_ast_comprehensive_stats",
    "zpn_waf_http_exchanges_log",
)


def _log_formats(log_type: str) -> dict[str, str]:
    fields = ("LogTimestamp", "Customer", "SessionID", "ConnectionStatus", "Username", "Application", "ConnectionID")
    return {
        "csv": ",".join(f"%s{{{f}}}" for f in fields) + "\n",
        "tsv": "\t".join(f"%s{{{f}}}" for f in fields) + "\n",
        "json": "{" + ",".join(f'"{f}":%j{{{f}}}' for f in fields) + f',"LogType":"{log_type}"}}\n',
    }


def _lss_routes() -> list[Route]:
    async def client_types(request: Request) -> Response:
        return JSONResponse(SEED["lss_client_types"])

    async def formats_of_type(request: Request) -> Response:
        log_type = request.query_params.get("logType", "")
        if log_type not in LSS_LOG_TYPES:
            raise SimulatorError(400, f"Unknown logType {log_type!r}")
        return JSONResponse(_log_formats(log_type))

    async def all_formats(request: Request) -> Response:
        return JSONResponse({t: _log_formats(t) for t in LSS_LOG_TYPES})

    async def status_codes(request: Request) -> Response:
        return JSONResponse(SEED["lss_status_codes"])

    return [
        Route(LSS_ADMIN + "/customers/{customer_id}/clientTypes", client_types, methods=["GET"]),
        Route(ROOT_V2 + "/lssConfig/logType/formats", formats_of_type, methods=["GET"]),
        Route(LSS_ADMIN + "/logType/formats", all_formats, methods=["GET"]),
        Route(LSS_ADMIN + "/statusCodes", status_codes, methods=["GET"]),
    ]


def _of_idp(record: dict[str, Any], request: Request) -> bool:
    return bool(record.get("idpId") == request.path_params["idp_id"])


def _idp_routes(scim_attributes: Collection) -> list[Route]:
    async def scim_attribute(request: Request) -> Response:
        record = scim_attributes.get(request.path_params["attribute_id"])
        if not _of_idp(record, request):
            raise SimulatorError(404, f"Resource with id {request.path_params['attribute_id']} not found")
        return JSONResponse(record)

    return [
        also_listed(scim_attributes, ROOT + "/idp/{idp_id}/scimattribute", _of_idp),
        Route(ROOT + "/idp/{idp_id}/scimattribute/{attribute_id}", scim_attribute, methods=["GET"]),
    ]


def build() -> ServiceApi:
    segments = _zpa(
        "application_segments",
        "/application",
        required=("name", "domainNames"),
        on_create=_segment_created,
        check=_segment_checked,
    )

    async def apps_by_type(request: Request) -> Response:
        wanted = request.query_params.get("applicationType", "")
        items = []
        for r in segments.list(search_term(request)):
            entry = {"id": r["id"], "name": r["name"], "appId": r["id"], "applicationType": wanted}
            if wanted == "BROWSER_ACCESS" and r.get("applicationType") == wanted:
                apps = r.get("clientlessApps") or [{}]  # one row per browser-access app, with its domain
                items += [{**entry, "enabled": r.get("enabled", True), **app, "appId": r["id"]} for app in apps]
            elif (wanted == "SECURE_REMOTE_ACCESS" and apps_config(r, wanted)) or (
                wanted == "INSPECT" and r.get("applicationType") == wanted
            ):
                items.append({**entry, "enabled": r.get("enabled", True)})
        return zpa_page(items, request)

    rules = {policy_type: _policy_rules(policy_type) for policy_type in POLICY_SETS}
    segment_groups = _zpa("segment_groups", "/segmentGroup")
    connectors, edges = _zpa("connectors", "/connector"), _zpa("service_edges", "/serviceEdge")
    certificates = _zpa("certificates", "/certificate", required=("name", "certBlob"), on_create=_certificate_issued)
    credentials = _zpa("pra_credentials", "/credential", required=("name", "credentialType"))
    enrollment = _zpa("enrollment_certs", "/enrollmentCert")
    saml = _zpa("saml_attributes", "/samlAttribute")
    scim_attributes = _zpa("scim_attributes", "/scimattribute", crud=False)
    scim_groups = _zpa("scim_groups", "/scimgroup", root=USERCONFIG)
    posture, networks = _zpa("posture_profiles", "/posture"), _zpa("trusted_networks", "/network")
    return ServiceApi(
        collections=[
            segment_groups,
            _zpa("server_groups", "/serverGroup"),
            _zpa("app_connector_groups", "/appConnectorGroup"),
            _zpa("application_servers", "/server", required=("name", "address")),
            segments,
            *rules.values(),
            connectors,
            _zpa("service_edge_groups", "/serviceEdgeGroup", required=("name", "latitude", "longitude", "location")),
            edges,
            certificates,
            _zpa("pra_portals", "/praPortal", required=("name", "domain", "certificateId")),
            credentials,
            enrollment,
            _provisioning_keys("CONNECTOR_GRP"),
            _provisioning_keys("SERVICE_EDGE_GRP"),
            saml,
            scim_attributes,
            scim_groups,
            posture,
            networks,
            _zpa("inspection_profiles", "/inspectionProfile"),
            _zpa("isolation_profiles", "/isolation/profiles"),
            _zpa("lss_configs", "/lssConfig", root=ROOT_V2),
            _zpa("identity_providers", "/idp", root=ROOT_V2),  # where idp_name lookups search
        ],
        routes=[
            Route(ROOT + "/application/getAppsByType", apps_by_type, methods=["GET"]),
            *_policy_routes(rules),
            updated_at(segment_groups, ROOT_V2 + "/segmentGroup"),
            json_get("/zpa/cbiconfig/cbi/api/customers/{customer_id}/profiles", lambda request: SEED["cbi_profiles"]),
            bulk_delete(connectors, ROOT + "/connector/bulkDelete"),
            bulk_delete(edges, ROOT + "/serviceEdge/bulkDelete"),
            also_listed(certificates, ROOT_V2 + "/clientlessCertificate/issued"),
            *_write_only(credentials, PRA_SECRETS),
            also_listed(enrollment, ROOT_V2 + "/enrollmentCert"),
            also_listed(saml, ROOT_V2 + "/samlAttribute"),
            also_listed(saml, ROOT_V2 + "/samlAttribute/idp/{idp_id}", _of_idp),
            *_idp_routes(scim_attributes),
            also_listed(scim_groups, USERCONFIG + "/scimgroup/idpId/{idp_id}", _of_idp),
            also_listed(posture, ROOT_V2 + "/posture"),
            also_listed(networks, ROOT_V2 + "/network"),
            *_lss_routes(),
        ],
    )
