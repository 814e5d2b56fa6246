"""ZIA traffic forwarding: locations, location groups, static IPs, VPN credentials, GRE tunnels,
the VIPs and internal ranges GRE draws on, and the geo lookups."""

from __future__ import annotations

import ipaddress
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..endpoints import object_body
from ..seeds import seeds
from ..store import ServiceApi, SimulatorError
from ._kit import (
    AUDIT,
    ROOT,
    Record,
    equals,
    get_route,
    list_route,
    replace,
    static_route,
    truthy,
    zia,
)

HQ = {"id": 501, "name": "HQ-San-Jose"}
SEED = seeds("zia")
CITIES: list[Record] = SEED["traffic_cities"]
IP_CITIES = {"198.51.100.10": CITIES[0], "203.0.113.25": CITIES[0], "192.0.2.44": CITIES[1]}
VIPS = SEED["traffic_vips"]
GRE_RANGES = [
    {"startIPAddress": f"172.17.{n}.{m}", "endIPAddress": f"172.17.{n}.{m + 7}"} for n in (6, 7) for m in (0, 8, 16, 24)
]


def _location_check(record: Record) -> None:
    if not record.get("ipAddresses") and not record.get("vpnCredentials") and not record.get("parentId"):
        raise SimulatorError(400, "A location needs ipAddresses or vpnCredentials")


def _static_ip_check(record: Record) -> None:
    try:
        ipaddress.IPv4Address(str(record.get("ipAddress")))
    except ValueError as exc:
        raise SimulatorError(400, f"Invalid static IP address {record.get('ipAddress')!r}") from exc


def _vpn_check(record: Record) -> None:
    kind = record.get("type")
    if kind not in ("IP", "UFQDN", "CN", "XAUTH"):
        raise SimulatorError(400, f"Invalid VPN credential type {kind!r}")
    if not record.pop("preSharedKey", None):
        raise SimulatorError(400, "preSharedKey is required")
    needed = {"IP": "ipAddress", "UFQDN": "fqdn"}.get(str(kind))
    if needed and not record.get(needed):
        raise SimulatorError(400, f"{needed} is required for type {kind}")


def _geo(record: Record, **extra: Any) -> Record:
    return {**record, **extra}


def build() -> ServiceApi:
    static_ips = zia(
        "/staticIP",
        SEED["traffic_static_i_p"],
        required=("ipAddress",),
        check=_static_ip_check,
        defaults={"geoOverride": False, "routableIP": True, **AUDIT},
    )

    def gre_check(record: Record) -> None:
        if record.get("sourceIp") not in {r["ipAddress"] for r in static_ips.list()}:
            raise SimulatorError(400, f"Source IP {record.get('sourceIp')} is not a static IP of this tenant")
        if not record.get("primaryDestVip") or not record.get("secondaryDestVip"):
            raise SimulatorError(400, "primaryDestVip and secondaryDestVip are required")

    tunnels = zia(
        "/greTunnels",
        SEED["traffic_gre_tunnels"],
        required=("sourceIp",),
        check=gre_check,
        defaults={"ipUnnumbered": False, **AUDIT},
    )

    def used_by_gre() -> set[str]:
        return {r["sourceIp"] for r in tunnels.list()}

    credentials = zia(
        "/vpnCredentials",
        SEED["traffic_vpn_credentials"],
        required=("type",),
        check=_vpn_check,
    )
    groups = zia(
        "/locations/groups",
        SEED["traffic_locations_groups"],
        crud=False,
    )
    locations = zia(
        "/locations",
        SEED["traffic_locations"],
        check=_location_check,
        defaults={
            "profile": "NONE",
            "authRequired": False,
            "sslScanEnabled": False,
            "xffForwardEnabled": False,
            "ofwEnabled": False,
        },
    )

    async def vpn_update(request: Request) -> Response:
        body = await object_body(request)
        body.pop("preSharedKey", None)  # accepted, never stored where a read could return it
        return JSONResponse(replace(credentials, request.path_params["record_id"], body))

    async def static_ip_delete(request: Request) -> Response:
        address = static_ips.get(request.path_params["record_id"])["ipAddress"]
        if address in used_by_gre():
            raise SimulatorError(409, f"Static IP {address} is in use by a GRE tunnel", "RESOURCE_IN_USE")
        static_ips.delete(request.path_params["record_id"])
        return Response(status_code=204)

    async def recommended_vips(request: Request) -> Response:
        if not request.query_params.get("sourceIp"):
            raise SimulatorError(400, "sourceIp is required")
        return JSONResponse(VIPS)

    async def gre_ranges(request: Request) -> Response:
        limit = int(request.query_params.get("limit", len(GRE_RANGES)))
        return JSONResponse(GRE_RANGES[:limit])

    async def by_ip(request: Request) -> Response:
        ip = request.path_params["ip"]
        if ip.count(".") != 3:
            raise SimulatorError(400, f"Invalid IPv4 address {ip!r}")
        return JSONResponse(_geo(IP_CITIES.get(ip, CITIES[2]), ipAddress=ip))

    async def by_coordinates(request: Request) -> Response:
        try:
            lat, lon = float(request.query_params["latitude"]), float(request.query_params["longitude"])
        except (KeyError, ValueError) as exc:
            raise SimulatorError(400, "latitude and longitude are required numbers") from exc
        nearest = min(CITIES, key=lambda c: (c["latitude"] - lat) ** 2 + (c["longitude"] - lon) ** 2)
        return JSONResponse(_geo(nearest, latitude=lat, longitude=lon))

    return ServiceApi(
        collections=[groups, locations, static_ips, credentials, tunnels],
        routes=[
            list_route(
                groups,
                filters={
                    "groupType": equals("groupType"),
                    "locationId": lambda r, v: any(str(loc["id"]) == v for loc in r.get("locations", [])),
                },
            ),
            get_route(groups),
            list_route(
                static_ips,
                filters={
                    "ipAddress": equals("ipAddress"),
                    "availableForGreTunnel": lambda r, v: (r["ipAddress"] not in used_by_gre()) == truthy(v),
                },
            ),
            list_route(
                credentials,
                filters={
                    "type": equals("type"),
                    "includeOnlyWithoutLocation": lambda r, v: ("location" not in r) == truthy(v),
                    "locationId": lambda r, v: str(r.get("location", {}).get("id")) == v,
                },
            ),
            Route(ROOT + "/vpnCredentials/{record_id:int}", vpn_update, methods=["PUT"]),
            Route(ROOT + "/staticIP/{record_id:int}", static_ip_delete, methods=["DELETE"]),
            Route(ROOT + "/vips/recommendedList", recommended_vips, methods=["GET"]),
            Route(ROOT + "/greTunnels/availableInternalIpRanges", gre_ranges, methods=["GET"]),
            Route(ROOT + "/region/byIPAddress/{ip}", by_ip, methods=["GET"]),
            Route(ROOT + "/region/byGeoCoordinates", by_coordinates, methods=["GET"]),
            static_route(
                "/region/search",
                CITIES,
                {"prefix": lambda r, v: r["cityName"].lower().startswith(v.split(",")[0].strip().lower())},
            ),
        ],
    )
