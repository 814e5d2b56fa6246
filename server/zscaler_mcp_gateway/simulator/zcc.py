"""Zscaler Client Connector public API (/zcc/papi/public/v1), seeded with enrolled devices and policies.

Lists are JSON arrays paged by 1-based `page` and `pageSize` (default 50) and end with an empty
page, which is how the SDK knows to stop; trusted networks come as {"totalCount", "trustedNetworkContracts"}.
Device OTPs are derived from the UDID, so they are stable within a run and differ per device.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.requests import Request

from .endpoints import Reader, json_gets, page_of
from .seeds import seeds
from .store import ServiceApi, SimulatorError

ROOT = "/zcc/papi/public/v1"
DEFAULT_PAGE_SIZE = 50
OS_TYPES = {1: "iOS", 2: "Android", 3: "Windows", 4: "macOS", 5: "Linux"}


SEED = seeds("zcc")
DEVICES = SEED["devices"]
FORWARDING_PROFILES = SEED["forwarding_profiles"]
TRUSTED_NETWORKS = SEED["trusted_networks"]
OTP_KINDS = (
    "otp",
    "logoutOtp",
    "exitOtp",
    "uninstallOtp",
    "revertOtp",
    "ziaDisableOtp",
    "zpaDisableOtp",
    "zdxDisableOtp",
    "zdpDisableOtp",
    "antiTemperingDisableOtp",
    "deceptionSettingsOtp",
)


def _zcc_page(items: list[dict[str, Any]], request: Request) -> list[dict[str, Any]]:
    return page_of(items, request, DEFAULT_PAGE_SIZE, ("pageSize",))[0]


def _matching(items: list[dict[str, Any]], field: str, request: Request) -> list[dict[str, Any]]:
    term = (request.query_params.get("search") or "").lower()
    return [r for r in items if term in str(r.get(field, "")).lower()]


def _devices(request: Request) -> Any:
    user, os_type = request.query_params.get("username"), request.query_params.get("osType")
    if os_type is not None and (not os_type.isdigit() or int(os_type) not in OS_TYPES):
        raise SimulatorError(400, f"Invalid osType {os_type!r}")
    rows = [d for d in DEVICES if user in (None, d["user"]) and os_type in (None, str(d["type"]))]
    return _zcc_page(rows, request)


def _otp(request: Request) -> Any:
    udid = request.query_params.get("udid")
    if not udid:
        raise SimulatorError(400, "udid is required")
    if not any(d["udid"] == udid for d in DEVICES):
        raise SimulatorError(404, f"Device {udid} not found")
    return {
        kind: str(int(hashlib.sha256(f"{udid}:{kind}".encode()).hexdigest(), 16) % 10**8).zfill(8) for kind in OTP_KINDS
    }


def _forwarding_profiles(request: Request) -> Any:
    return _zcc_page(_matching(FORWARDING_PROFILES, "name", request), request)


def _trusted_networks(request: Request) -> Any:
    matching = _matching(TRUSTED_NETWORKS, "networkName", request)
    return {"totalCount": len(matching), "trustedNetworkContracts": _zcc_page(matching, request)}


READS: list[tuple[str, Reader]] = [
    ("/getDevices", _devices),
    ("/getOtp", _otp),
    ("/webForwardingProfile/listByCompany", _forwarding_profiles),
    ("/webTrustedNetwork/listByCompany", _trusted_networks),
]


def build() -> ServiceApi:
    return ServiceApi(collections=[], routes=json_gets(ROOT, READS))
