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
from .store import Collection, ServiceApi, SimulatorError

ROOT = "/zpa/mgmtconfig/v1/admin/customers/{customer_id}"
ROOT_V2 = "/zpa/mgmtconfig/v2/admin/customers/{customer_id}"
USERCONFIG = "/zpa/userconfig/v1/customers/{customer_id}"
LSS_ADMIN = "/zpa/mgmtconfig/v2/admin/lssConfig"
AUDIT_FIELDS = {"creationTime": "1718000000", "modifiedTime": "1718500000", "modifiedBy": "72058304855015400"}


def _zpa(path: str, seed: list[dict], root: str = ROOT, **kw: object) -> Collection:
    return Collection("zpa", root + path, "zpa", seed=[{**AUDIT_FIELDS, **r} for r in seed], **kw)  # type: ignore[arg-type]


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


def _segment_groups() -> Collection:
    return _zpa(
        "/segmentGroup",
        [
            {
                "id": "72058304855015425",
                "name": "SG-Finance",
                "description": "Finance apps",
                "enabled": True,
                "applications": [],
            },
            {
                "id": "72058304855015426",
                "name": "SG-Engineering",
                "description": "Build and source control",
                "enabled": True,
                "applications": [],
            },
            {
                "id": "72058304855015427",
                "name": "SG-HR",
                "description": "HR systems",
                "enabled": False,
                "applications": [],
            },
        ],
    )


def _server_groups() -> Collection:
    return _zpa(
        "/serverGroup",
        [
            {
                "id": "72058304855015501",
                "name": "SRV-Datacenter-East",
                "enabled": True,
                "dynamicDiscovery": True,
                "appConnectorGroups": [{"id": "72058304855015601"}],
            },
            {
                "id": "72058304855015502",
                "name": "SRV-AWS-us-west-2",
                "enabled": True,
                "dynamicDiscovery": False,
                "appConnectorGroups": [{"id": "72058304855015602"}],
            },
        ],
    )


def _app_connector_groups() -> Collection:
    return _zpa(
        "/appConnectorGroup",
        [
            {
                "id": "72058304855015601",
                "name": "ACG-Datacenter-East",
                "enabled": True,
                "location": "Ashburn, VA",
                "latitude": "39.04",
                "longitude": "-77.48",
                "countryCode": "US",
                "versionProfileName": "Default",
            },
            {
                "id": "72058304855015602",
                "name": "ACG-AWS-us-west-2",
                "enabled": True,
                "location": "Boardman, OR",
                "latitude": "45.84",
                "longitude": "-119.70",
                "countryCode": "US",
                "versionProfileName": "Default",
            },
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
            {
                "id": "72058304855015801",
                "name": "App-Git",
                "domainNames": ["git.internal.example.com"],
                "enabled": True,
                "segmentGroupId": "72058304855015426",
                "tcpPortRanges": ["22", "22", "443", "443"],
                "applicationType": "SECURE_REMOTE_ACCESS",
            },
            {
                "id": "72058304855015802",
                "name": "App-ERP",
                "domainNames": ["erp.internal.example.com"],
                "enabled": True,
                "segmentGroupId": "72058304855015425",
                "tcpPortRanges": ["443", "443"],
                "applicationType": "SECURE_REMOTE_ACCESS",
            },
            {
                "id": "72058304855015803",
                "name": "App-Wiki-BA",
                "domainNames": ["wiki.internal.example.com"],
                "enabled": True,
                "segmentGroupId": "72058304855015426",
                "tcpPortRanges": ["443", "443"],
                "applicationType": "BROWSER_ACCESS",
                "clientlessApps": [
                    {
                        "id": "72058304855515803",
                        "name": "wiki",
                        "domain": "wiki.internal.example.com",
                        "applicationPort": "443",
                        "applicationProtocol": "HTTPS",
                    }
                ],
            },
            {
                "id": "72058304855015804",
                "name": "App-Jumphost-PRA",
                "domainNames": ["jump.internal.example.com"],
                "enabled": True,
                "segmentGroupId": "72058304855015426",
                "tcpPortRanges": ["3389", "3389"],
                "applicationType": "SECURE_REMOTE_ACCESS",
                "commonAppsDto": {
                    "appsConfig": [
                        {"name": "jump-rdp", "appTypes": ["SECURE_REMOTE_ACCESS"], "applicationProtocol": "RDP"}
                    ]
                },
            },
        ],
        required=("name", "domainNames"),
        on_create=_segment_created,
        check=_segment_checked,
    )


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


def _app_condition(*segment_ids: str) -> dict[str, Any]:
    return {
        "operator": "OR",
        "negated": False,
        "operands": [{"objectType": "APP", "lhs": "id", "rhs": sid} for sid in segment_ids],
    }


def _scim_group_condition(group_id: str) -> dict[str, Any]:
    return {
        "operator": "OR",
        "negated": False,
        "operands": [{"objectType": "SCIM_GROUP", "lhs": IDP_OKTA, "rhs": group_id, "idpId": IDP_OKTA}],
    }


_RULE_SEEDS: dict[str, list[dict[str, Any]]] = {
    "ACCESS_POLICY": [
        {
            "id": "72058304855017001",
            "name": "Engineering to Git",
            "action": "ALLOW",
            "ruleOrder": "1",
            "conditions": [_app_condition("72058304855015801"), _scim_group_condition("295001")],
            "appConnectorGroups": [{"id": "72058304855015601"}],
        },
        {
            "id": "72058304855017002",
            "name": "Finance to ERP",
            "action": "ALLOW",
            "ruleOrder": "2",
            "conditions": [_app_condition("72058304855015802"), _scim_group_condition("295002")],
        },
        {
            "id": "72058304855017003",
            "name": "Default deny",
            "action": "DENY",
            "ruleOrder": "3",
            "customMsg": "Access denied by policy",
            "conditions": [],
        },
    ],
    "TIMEOUT_POLICY": [
        {
            "id": "72058304855017101",
            "name": "Reauth daily",
            "action": "RE_AUTH",
            "ruleOrder": "1",
            "reauthTimeout": "86400",
            "reauthIdleTimeout": "1800",
            "conditions": [_app_condition("72058304855015802")],
        },
    ],
    "CLIENT_FORWARDING_POLICY": [
        {"id": "72058304855017201", "name": "Intercept all", "action": "INTERCEPT", "ruleOrder": "1", "conditions": []},
    ],
    "ISOLATION_POLICY": [
        {
            "id": "72058304855017301",
            "name": "Isolate unmanaged wiki",
            "action": "ISOLATE",
            "ruleOrder": "1",
            "zpnIsolationProfileId": "72058304855018801",
            "conditions": [_app_condition("72058304855015803")],
        },
    ],
    "INSPECTION_POLICY": [
        {
            "id": "72058304855017401",
            "name": "Inspect wiki",
            "action": "INSPECT",
            "ruleOrder": "1",
            "zpnInspectionProfileId": "72058304855018701",
            "conditions": [_app_condition("72058304855015803")],
        },
    ],
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
            if values is not None:
                operands += [{"objectType": kind, "lhs": "id", "rhs": str(v)} for v in values]
            else:
                operands += [{"objectType": kind, "lhs": e["lhs"], "rhs": e["rhs"]} for e in entries]
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
    rules = _zpa(
        f"/policySet/{set_id}/rule",
        [{**r, "policySetId": set_id, "disabled": "0"} for r in _RULE_SEEDS[policy_type]],
        check=v1_conditions,
    )

    def defaults(record: dict[str, Any]) -> None:
        record.setdefault("action", _DEFAULT_ACTION[policy_type])
        record.setdefault("ruleOrder", str(len(rules.records) + 1))
        record.setdefault("conditions", [])
        record.update(policySetId=set_id, disabled="0")

    rules.on_create = defaults
    return rules


def _policy_routes(rules: dict[str, Collection]) -> list[Route]:
    def known(request: Request) -> str:
        policy_type = request.path_params["policy_type"]
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


def _appliance(
    record_id: str,
    name: str,
    group_id: str,
    group_name: str,
    private_ip: str,
    public_ip: str,
    status: str = "ZPN_STATUS_AUTHENTICATED",
) -> dict[str, Any]:
    return {
        "id": record_id,
        "name": name,
        "enabled": True,
        "controlChannelStatus": status,
        "currentVersion": "24.263.1",
        "expectedVersion": "24.263.1",
        "upgradeStatus": "COMPLETE",
        "platform": "el9",
        "runtimeOS": "Red Hat Enterprise Linux 9.4",
        "privateIp": private_ip,
        "publicIp": public_ip,
        "lastBrokerConnectTime": "1718500000000000",
        "location": "Ashburn, VA",
        "latitude": "39.04",
        "longitude": "-77.48",
        "fingerprint": "ATmXoI4sKBZb3R0QWUVyAS+C8a8=",
        "groupId": group_id,
        "groupName": group_name,
    }


def _connectors() -> Collection:
    return _zpa(
        "/connector",
        [
            {
                **_appliance(
                    "72058304855019001",
                    "ac-ashburn-01",
                    "72058304855015601",
                    "ACG-Datacenter-East",
                    "10.10.0.11",
                    "203.0.113.11",
                ),
                "appConnectorGroupId": "72058304855015601",
                "appConnectorGroupName": "ACG-Datacenter-East",
            },
            {
                **_appliance(
                    "72058304855019002",
                    "ac-ashburn-02",
                    "72058304855015601",
                    "ACG-Datacenter-East",
                    "10.10.0.12",
                    "203.0.113.12",
                ),
                "appConnectorGroupId": "72058304855015601",
                "appConnectorGroupName": "ACG-Datacenter-East",
            },
            {
                **_appliance(
                    "72058304855019003",
                    "ac-usw2-01",
                    "72058304855015602",
                    "ACG-AWS-us-west-2",
                    "172.31.4.20",
                    "198.51.100.20",
                    "ZPN_STATUS_DISCONNECTED",
                ),
                "appConnectorGroupId": "72058304855015602",
                "appConnectorGroupName": "ACG-AWS-us-west-2",
            },
        ],
    )


def _service_edge_groups() -> Collection:
    return _zpa(
        "/serviceEdgeGroup",
        [
            {
                "id": "72058304855019501",
                "name": "PSE-Datacenter-East",
                "enabled": True,
                "isPublic": "FALSE",
                "location": "Ashburn, VA",
                "latitude": "39.04",
                "longitude": "-77.48",
                "countryCode": "US",
                "upgradeDay": "SUNDAY",
                "upgradeTimeInSecs": "66600",
                "versionProfileName": "Default",
                "serviceEdges": [{"id": "72058304855019601"}],
                "trustedNetworks": [],
            },
        ],
        required=("name", "latitude", "longitude", "location"),
    )


def _service_edges() -> Collection:
    return _zpa(
        "/serviceEdge",
        [
            {
                **_appliance(
                    "72058304855019601",
                    "pse-ashburn-01",
                    "72058304855019501",
                    "PSE-Datacenter-East",
                    "10.10.0.31",
                    "203.0.113.31",
                ),
                "serviceEdgeGroupId": "72058304855019501",
                "serviceEdgeGroupName": "PSE-Datacenter-East",
            },
            {
                **_appliance(
                    "72058304855019602",
                    "pse-ashburn-02",
                    "72058304855019501",
                    "PSE-Datacenter-East",
                    "10.10.0.32",
                    "203.0.113.32",
                ),
                "serviceEdgeGroupId": "72058304855019501",
                "serviceEdgeGroupName": "PSE-Datacenter-East",
            },
        ],
    )


ENROLLMENT_CERTS = [
    {
        "id": "2519",
        "name": "Root",
        "cName": "Root",
        "validFromInEpochSec": "1609459200",
        "validToInEpochSec": "2240611200",
        "parentCertId": None,
        "allowSigning": True,
    },
    {
        "id": "2520",
        "name": "Client",
        "cName": "Client",
        "validFromInEpochSec": "1609459200",
        "validToInEpochSec": "2240611200",
        "parentCertId": "2519",
        "parentCertName": "Root",
    },
    {
        "id": "2521",
        "name": "Connector",
        "cName": "Connector",
        "validFromInEpochSec": "1609459200",
        "validToInEpochSec": "2240611200",
        "parentCertId": "2519",
        "parentCertName": "Root",
    },
    {
        "id": "2522",
        "name": "Service Edge",
        "cName": "Service Edge",
        "validFromInEpochSec": "1609459200",
        "validToInEpochSec": "2240611200",
        "parentCertId": "2519",
        "parentCertName": "Root",
    },
]


def _provisioning_keys(association: str, seed: list[dict[str, Any]]) -> Collection:
    keys = _zpa(
        f"/associationType/{association}/provisioningKey",
        seed,
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


def _certificates() -> Collection:
    return _zpa(
        "/certificate",
        [
            {
                "id": "72058304855020001",
                "name": "wiki.internal.example.com",
                "cName": "wiki.internal.example.com",
                "issuedTo": "CN=wiki.internal.example.com",
                "issuedBy": "CN=Example Issuing CA",
                "san": ["wiki.internal.example.com"],
                "status": "ACTIVE",
                "validFromInEpochSec": "1718000000",
                "validToInEpochSec": "1749536000",
                "serialNo": "2a9c41",
            },
            {
                "id": "72058304855020002",
                "name": "pra.example.com",
                "cName": "pra.example.com",
                "issuedTo": "CN=pra.example.com",
                "issuedBy": "CN=Example Issuing CA",
                "san": ["pra.example.com"],
                "status": "ACTIVE",
                "validFromInEpochSec": "1718000000",
                "validToInEpochSec": "1749536000",
                "serialNo": "2a9c42",
            },
        ],
        required=("name", "certBlob"),
        on_create=_certificate_issued,
    )


def _pra_portals() -> Collection:
    return _zpa(
        "/praPortal",
        [
            {
                "id": "72058304855021001",
                "name": "Ops Jump Portal",
                "domain": "pra.example.com",
                "enabled": True,
                "certificateId": "72058304855020002",
                "certificateName": "pra.example.com",
                "cName": "pra.example.com",
                "userNotificationEnabled": True,
                "userNotification": "Sessions are recorded.",
            },
        ],
        required=("name", "domain", "certificateId"),
    )


PRA_SECRETS = ("password", "privateKey", "passphrase")


def _pra_credentials() -> Collection:
    return _zpa(
        "/credential",
        [
            {
                "id": "72058304855022001",
                "name": "jump-admin",
                "credentialType": "USERNAME_PASSWORD",
                "userName": "jumpadmin",
                "userDomain": "corp.example.com",
                "lastCredentialResetTime": "1718000000",
            },
            {
                "id": "72058304855022002",
                "name": "git-deploy-key",
                "credentialType": "SSH_KEY",
                "userName": "deploy",
                "lastCredentialResetTime": "1718000000",
            },
        ],
        required=("name", "credentialType"),
    )


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


def _saml_attributes() -> Collection:
    return _zpa(
        "/samlAttribute",
        [
            {
                "id": "72058304855023001",
                "name": "Email_Okta",
                "samlName": "email",
                "userAttribute": False,
                "idpId": IDP_OKTA,
                "idpName": "Okta",
            },
            {
                "id": "72058304855023002",
                "name": "Department_Okta",
                "samlName": "department",
                "userAttribute": True,
                "idpId": IDP_OKTA,
                "idpName": "Okta",
            },
            {
                "id": "72058304855023003",
                "name": "Groups_AzureAD",
                "samlName": "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
                "userAttribute": False,
                "idpId": IDP_AZURE,
                "idpName": "Azure AD",
            },
        ],
    )


def _scim_attributes() -> Collection:
    return _zpa(
        "/scimattribute",
        [
            {
                "id": "72058304855024001",
                "name": "userName",
                "idpId": IDP_OKTA,
                "dataType": "String",
                "schemaURI": "urn:ietf:params:scim:schemas:core:2.0:User",
                "multivalued": False,
            },
            {
                "id": "72058304855024002",
                "name": "department",
                "idpId": IDP_OKTA,
                "dataType": "String",
                "schemaURI": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                "multivalued": False,
            },
            {
                "id": "72058304855024003",
                "name": "emails.value",
                "idpId": IDP_AZURE,
                "dataType": "String",
                "schemaURI": "urn:ietf:params:scim:schemas:core:2.0:User",
                "multivalued": True,
            },
        ],
        crud=False,
    )  # served per IdP by _idp_routes


def _scim_groups() -> Collection:
    return _zpa(
        "/scimgroup",
        [
            {
                "id": "295001",
                "name": "Engineering",
                "idpId": IDP_OKTA,
                "idpGroupId": "00g1engineering",
                "internalId": "a3f1c2",
            },
            {"id": "295002", "name": "Finance", "idpId": IDP_OKTA, "idpGroupId": "00g1finance", "internalId": "a3f1c3"},
            {
                "id": "295003",
                "name": "Contractors",
                "idpId": IDP_AZURE,
                "idpGroupId": "5d2e-contractors",
                "internalId": "b7a9d1",
            },
        ],
        root=USERCONFIG,
    )


def _posture_profiles() -> Collection:
    return _zpa(
        "/posture",
        [
            {
                "id": "72058304855025001",
                "name": "CrowdStrike Running",
                "postureUdid": "e1b1c1d1-0000-4000-8000-000000000001",
                "postureType": "CROWDSTRIKE_ZTA_SCORE",
                "platform": "windows,mac",
                "zscalerCloud": "zscaler",
                "applyToMachineTunnelEnabled": False,
            },
            {
                "id": "72058304855025002",
                "name": "Disk Encrypted",
                "postureUdid": "e1b1c1d1-0000-4000-8000-000000000002",
                "postureType": "FULL_DISK_ENCRYPTION",
                "platform": "windows,mac",
                "zscalerCloud": "zscaler",
                "applyToMachineTunnelEnabled": True,
            },
        ],
    )


def _trusted_networks() -> Collection:
    return _zpa(
        "/network",
        [
            {
                "id": "72058304855026001",
                "name": "HQ-Corp-LAN",
                "networkId": "f2a2b2c2-0000-4000-8000-000000000001",
                "zscalerCloud": "zscaler",
                "masterCustomerId": None,
            },
            {
                "id": "72058304855026002",
                "name": "Branch-NYC",
                "networkId": "f2a2b2c2-0000-4000-8000-000000000002",
                "zscalerCloud": "zscaler",
                "masterCustomerId": None,
            },
        ],
    )


def _inspection_profiles() -> Collection:
    return _zpa(
        "/inspectionProfile",
        [
            {
                "id": "72058304855018701",
                "name": "OWASP Top 10 - Blocking",
                "paranoiaLevel": "2",
                "incarnationNumber": "3",
                "globalControlActions": ["PREDEFINED:BLOCK", "CUSTOM:NONE", "OVERRIDE_ACTION:COMMON"],
                "predefinedControlsVersion": "OWASP_CRS/3.3.5",
            },
            {
                "id": "72058304855018702",
                "name": "Monitor only",
                "paranoiaLevel": "1",
                "incarnationNumber": "1",
                "globalControlActions": ["PREDEFINED:PASS", "CUSTOM:NONE", "OVERRIDE_ACTION:COMMON"],
                "predefinedControlsVersion": "OWASP_CRS/3.3.5",
            },
        ],
    )


def _isolation_profiles() -> Collection:
    return _zpa(
        "/isolation/profiles",
        [
            {
                "id": "72058304855018801",
                "name": "BD_SA_Profile1",
                "isolationProfileId": "c8b6a2e0-0000-4000-8000-00000000cb11",
                "isolationTenantId": "9b7e4a1c-0000-4000-8000-00000000aa01",
                "isolationUrl": "https://redirect.isolation.zscaler.com/tenant/9b7e4a1c/profile/c8b6a2e0",
                "enabled": True,
            },
        ],
    )


CBI_PROFILES = [
    {
        "id": "c8b6a2e0-0000-4000-8000-00000000cb11",
        "name": "BD_SA_Profile1",
        "description": "Isolation for unmanaged devices",
        "enabled": True,
        "isDefault": True,
        "href": "https://redirect.isolation.zscaler.com/tenant/9b7e4a1c/profile/c8b6a2e0",
        "regions": [{"id": "f0f0a1b2-0000-4000-8000-0000000000e1", "name": "Washington"}],
    },
]


def _lss_configs() -> Collection:
    return _zpa(
        "/lssConfig",
        [
            {
                "id": "72058304855027001",
                "name": "Splunk user activity",
                "config": {
                    "name": "Splunk user activity",
                    "lssHost": "splunk.internal.example.com",
                    "lssPort": "11000",
                    "sourceLogType": "zpn_trans_log",
                    "format": "json",
                    "enabled": True,
                    "useTls": True,
                },
                "connectorGroups": [{"id": "72058304855015601", "name": "ACG-Datacenter-East"}],
            },
            {
                "id": "72058304855027002",
                "name": "Sentinel audit",
                "config": {
                    "name": "Sentinel audit",
                    "lssHost": "10.10.5.40",
                    "lssPort": "514",
                    "sourceLogType": "zpn_audit_log",
                    "format": "csv",
                    "enabled": True,
                    "useTls": False,
                },
                "connectorGroups": [{"id": "72058304855015601", "name": "ACG-Datacenter-East"}],
            },
        ],
        root=ROOT_V2,
    )


LSS_CLIENT_TYPES = {
    "zpn_client_type_exporter": "Web Browser",
    "zpn_client_type_zapp": "Client Connector",
    "zpn_client_type_browser_isolation": "Cloud Browser",
    "zpn_client_type_machine_tunnel": "Machine Tunnel",
    "zpn_client_type_ip_anchoring": "ZIA Service Edge",
    "zpn_client_type_edge_connector": "Cloud Connector",
    "zpn_client_type_branch_connector": "Branch Connector",
    "zpn_client_type_zapp_partner": "Client Connector Partner",
    "zpn_client_type_vdi": "VDI",
}
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
LSS_STATUS_CODES = {
    "zpn_status_success": {"name": "Success", "log_types": ["zpn_trans_log", "zpn_auth_log"]},
    "zpn_status_auth_failed": {"name": "Authentication failed", "log_types": ["zpn_auth_log"]},
    "BRK_MT_SETUP_FAIL_NO_POLICY_FOUND": {"name": "No access policy matched", "log_types": ["zpn_trans_log"]},
    "BRK_MT_SETUP_FAIL_REJECTED_BY_POLICY": {"name": "Rejected by access policy", "log_types": ["zpn_trans_log"]},
    "AST_MT_SETUP_ERR_NO_DNS_TO_SERVER": {
        "name": "Connector could not resolve the server",
        "log_types": ["zpn_trans_log"],
    },
    "ZPN_STATUS_AUTHENTICATED": {
        "name": "Component authenticated",
        "log_types": ["zpn_ast_auth_log", "zpn_sys_auth_log"],
    },
    "ZPN_STATUS_DISCONNECTED": {
        "name": "Component disconnected",
        "log_types": ["zpn_ast_auth_log", "zpn_sys_auth_log"],
    },
}


def _log_formats(log_type: str) -> dict[str, str]:
    fields = ("LogTimestamp", "Customer", "SessionID", "ConnectionStatus", "Username", "Application", "ConnectionID")
    return {
        "csv": ",".join(f"%s{{{f}}}" for f in fields) + "\n",
        "tsv": "\t".join(f"%s{{{f}}}" for f in fields) + "\n",
        "json": "{" + ",".join(f'"{f}":%j{{{f}}}' for f in fields) + f',"LogType":"{log_type}"}}\n',
    }


def _lss_routes() -> list[Route]:
    async def client_types(request: Request) -> Response:
        return JSONResponse(LSS_CLIENT_TYPES)

    async def formats_of_type(request: Request) -> Response:
        log_type = request.query_params.get("logType", "")
        if log_type not in LSS_LOG_TYPES:
            raise SimulatorError(400, f"Unknown logType {log_type!r}")
        return JSONResponse(_log_formats(log_type))

    async def all_formats(request: Request) -> Response:
        return JSONResponse({t: _log_formats(t) for t in LSS_LOG_TYPES})

    async def status_codes(request: Request) -> Response:
        return JSONResponse(LSS_STATUS_CODES)

    return [
        Route(LSS_ADMIN + "/customers/{customer_id}/clientTypes", client_types, methods=["GET"]),
        Route(ROOT_V2 + "/lssConfig/logType/formats", formats_of_type, methods=["GET"]),
        Route(LSS_ADMIN + "/logType/formats", all_formats, methods=["GET"]),
        Route(LSS_ADMIN + "/statusCodes", status_codes, methods=["GET"]),
    ]


def _of_idp(record: dict[str, Any], request: Request) -> bool:
    return record.get("idpId") == request.path_params["idp_id"]


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
    segments = _application_segments()

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
    connectors, edges, certificates, credentials = _connectors(), _service_edges(), _certificates(), _pra_credentials()
    enrollment = _zpa("/enrollmentCert", ENROLLMENT_CERTS)
    saml, scim_attributes, scim_groups = _saml_attributes(), _scim_attributes(), _scim_groups()
    posture, networks = _posture_profiles(), _trusted_networks()
    segment_groups = _segment_groups()
    return ServiceApi(
        collections=[
            segment_groups,
            _server_groups(),
            _app_connector_groups(),
            _application_servers(),
            segments,
            *rules.values(),
            connectors,
            _service_edge_groups(),
            edges,
            certificates,
            _pra_portals(),
            credentials,
            enrollment,
            _provisioning_keys(
                "CONNECTOR_GRP",
                [
                    {
                        "id": "72058304855028001",
                        "name": "ACG-East-Key",
                        "associationType": "CONNECTOR_GRP",
                        "enabled": True,
                        "maxUsage": "10",
                        "usageCount": "2",
                        "enrollmentCertId": "2521",
                        "enrollmentCertName": "Connector",
                        "zcomponentId": "72058304855015601",
                        "zcomponentName": "ACG-Datacenter-East",
                        "provisioningKey": "3|api.private.zscaler.com|72058304855028001|sim-acg-east",
                    },
                ],
            ),
            _provisioning_keys(
                "SERVICE_EDGE_GRP",
                [
                    {
                        "id": "72058304855028101",
                        "name": "PSE-East-Key",
                        "associationType": "SERVICE_EDGE_GRP",
                        "enabled": True,
                        "maxUsage": "5",
                        "usageCount": "2",
                        "enrollmentCertId": "2522",
                        "enrollmentCertName": "Service Edge",
                        "zcomponentId": "72058304855019501",
                        "zcomponentName": "PSE-Datacenter-East",
                        "provisioningKey": "3|api.private.zscaler.com|72058304855028101|sim-pse-east",
                    },
                ],
            ),
            saml,
            scim_attributes,
            scim_groups,
            posture,
            networks,
            _inspection_profiles(),
            _isolation_profiles(),
            _lss_configs(),
        ],
        routes=[
            Route(ROOT + "/application/getAppsByType", apps_by_type, methods=["GET"]),
            *_policy_routes(rules),
            updated_at(segment_groups, ROOT_V2 + "/segmentGroup"),
            json_get("/zpa/cbiconfig/cbi/api/customers/{customer_id}/profiles", lambda request: CBI_PROFILES),
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
