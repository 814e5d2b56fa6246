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
        SEED["directory_users"],
    )
    groups = _read_only(
        "/groups",
        SEED["directory_groups"],
    )
    departments = _read_only(
        "/departments",
        SEED["directory_departments"],
    )
    devices = _read_only("/deviceGroups/devices", DEVICES)
    workloads = _read_only(
        "/workloadGroups",
        SEED["directory_workload_groups"],
    )
    dictionaries = _read_only(
        "/dlpDictionaries",
        SEED["directory_dlp_dictionaries"],
    )
    engines = _read_only(
        "/dlpEngines",
        SEED["directory_dlp_engines"],
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
