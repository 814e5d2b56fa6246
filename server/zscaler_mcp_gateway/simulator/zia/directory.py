"""ZIA directories the gateway reads: users, groups, departments, devices and device groups,
workload groups, DLP dictionaries and engines."""

from __future__ import annotations

from ..seeds import seeds
from ..store import Collection, ServiceApi
from ._kit import (
    Record,
    contains,
    get_route,
    list_route,
    lite_route,
    starts_with,
    static_route,
    truthy,
    zia,
)

ENGINEERING = {"id": 801, "name": "Engineering"}
FINANCE = {"id": 802, "name": "Finance"}
SERVICE_ADMIN = {"id": 901, "name": "Service Admin"}
SEED = seeds("zia")
DEVICES = SEED["directory_devices"]
DEVICE_GROUPS = SEED["directory_device_groups"]


def _read_only(path: str, seed: list[Record]) -> Collection:
    return zia(path, seed, crud=False)


def _group_member(record: Record, value: str) -> bool:
    return any(g["name"].lower().startswith(value.lower()) for g in record.get("groups", []))


def _department(record: Record, value: str) -> bool:
    return str(record.get("department", {}).get("name", "")).lower().startswith(value.lower())


def build() -> ServiceApi:
    users = _read_only(
        "/users",
        [
            {
                "id": 1001,
                "name": "Alice Nguyen",
                "email": "alice@acme.example",
                "department": ENGINEERING,
                "groups": [{"id": 701, "name": "Engineering-All"}],
                "adminUser": False,
                "type": "STANDARD",
            },
            {
                "id": 1002,
                "name": "Bob Martin",
                "email": "bob@acme.example",
                "department": FINANCE,
                "groups": [{"id": 702, "name": "Finance-All"}],
                "adminUser": False,
                "type": "STANDARD",
            },
            {
                "id": 1003,
                "name": "Carol Diaz",
                "email": "carol@acme.example",
                "department": ENGINEERING,
                "groups": [{"id": 701, "name": "Engineering-All"}, {"id": 703, "name": "SRE-Oncall"}],
                "adminUser": True,
                "type": "STANDARD",
            },
        ],
    )
    groups = _read_only(
        "/groups",
        [
            {"id": 701, "name": "Engineering-All", "idpId": 1, "comments": "Synced from Okta"},
            {"id": 702, "name": "Finance-All", "idpId": 1, "comments": "Synced from Okta"},
            {"id": 703, "name": "SRE-Oncall", "idpId": 1, "comments": "PagerDuty rotation"},
        ],
    )
    departments = _read_only(
        "/departments",
        [
            {**ENGINEERING, "idpId": 1, "comments": "R&D", "deleted": False},
            {**FINANCE, "idpId": 1, "comments": "Finance and accounting", "deleted": False},
            {**SERVICE_ADMIN, "idpId": 0, "comments": "Built-in", "deleted": False},
        ],
    )
    devices = _read_only("/deviceGroups/devices", DEVICES)
    workloads = _read_only(
        "/workloadGroups",
        [
            {
                "id": 1801,
                "name": "AWS-Prod-Web",
                "description": "Production web tier",
                "expression": "ENI.tag.env == prod",
                "lastModifiedTime": 1718500000,
            },
            {
                "id": 1802,
                "name": "Azure-Build-Agents",
                "description": "CI agents",
                "expression": "VM.tag.role == build",
                "lastModifiedTime": 1718500000,
            },
        ],
    )
    dictionaries = _read_only(
        "/dlpDictionaries",
        [
            {
                "id": 51,
                "name": "CREDIT_CARD",
                "description": "Credit card numbers",
                "dictionaryType": "PATTERNS_AND_PHRASES",
                "predefined": True,
                "customPhraseMatchType": "MATCH_ALL_CUSTOM_PHRASE_PATTERN_DICTIONARY",
            },
            {
                "id": 52,
                "name": "SSN",
                "description": "US social security numbers",
                "dictionaryType": "PATTERNS_AND_PHRASES",
                "predefined": True,
            },
            {
                "id": 53,
                "name": "Acme Project Codenames",
                "description": "Internal codenames",
                "dictionaryType": "PATTERNS_AND_PHRASES",
                "predefined": False,
                "phrases": [{"action": "PHRASE_COUNT_TYPE_ALL", "phrase": "bluebird"}],
            },
        ],
    )
    engines = _read_only(
        "/dlpEngines",
        [
            {
                "id": 61,
                "name": "PCI",
                "description": "Payment card data",
                "predefinedEngineName": "PCI",
                "engineExpression": "((D51.S > 1))",
                "customDlpEngine": False,
            },
            {
                "id": 62,
                "name": "Source Code",
                "description": "Source code leakage",
                "engineExpression": "((D53.S > 0))",
                "customDlpEngine": True,
            },
        ],
    )
    name_or_description = {"search": lambda r, v: v.lower() in f"{r['name']} {r.get('description', '')}".lower()}
    return ServiceApi(
        collections=[users, groups, departments, devices, workloads, dictionaries, engines],
        routes=[
            list_route(users, filters={"name": starts_with("name"), "dept": _department, "group": _group_member}),
            *(route for c in (groups, departments, workloads) for route in (list_route(c), get_route(c))),
            get_route(users),
            lite_route(devices),
            list_route(devices, filters={"name": contains("name"), "userIds": lambda r, v: str(r["ownerUserId"]) == v}),
            static_route(
                "/deviceGroups", DEVICE_GROUPS, {"includePseudoGroups": lambda r, v: truthy(v) or not r.get("pseudo")}
            ),
            *(
                route
                for c in (dictionaries, engines)
                for route in (lite_route(c), list_route(c, filters=name_or_description), get_route(c))
            ),
        ],
    )
