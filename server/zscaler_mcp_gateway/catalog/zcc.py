"""Zscaler Client Connector catalog entries (SDK: client.zcc.*), all read-only.

ZCC lists are JSON arrays paged by `page`/`pageSize` until a page comes back empty; trusted
networks come wrapped as {"totalCount", "trustedNetworkContracts": [...]}.
"""

from __future__ import annotations

from .builders import get_tool, list_tool, query, with_call
from .model import Tool

PAGE_SIZE = query("page_size", "integer", "Upstream page size; every page is returned.", minimum=1, maximum=5000)
SEARCH = query("search", "string", "Only records whose name contains this text.")

TOOLS: list[Tool] = [
    list_tool(
        "zcc_list_devices",
        "zcc_devices",
        "List devices enrolled in Zscaler Client Connector: user, OS, ZCC version, registration state (every page).",
        "zcc.devices.list_devices",
        query("username", "string", "Only devices enrolled by this user, e.g. 'jdoe@example.com'."),
        query(
            "os_type",
            "string",
            "Only devices running this operating system.",
            enum=("ios", "android", "windows", "macos", "linux"),
        ),
        PAGE_SIZE,
    ),
    get_tool(
        "zcc_get_device_otp",
        "zcc_devices",
        "Get the one-time passwords of a ZCC device (logout, exit, uninstall, revert, per-service disable). "
        "They are live credentials: hand them only to the admin who asked.",
        "zcc.secrets.get_otp",
        query(
            "udid",
            "string",
            "UDID of the device (the udid field of zcc_list_devices).",
            required=True,
            api_requires="the ZCC API finds the device by its UDID only (udid or device_id; the official server "
            "refuses a call with neither too).",
        ),
        query("device_id", "string", "Same as udid.", alias_of="udid"),
    ),
    list_tool(
        "zcc_list_forwarding_profiles",
        "zcc_forwarding_profiles",
        "List ZCC forwarding profiles and their per-network tunnel actions (every page).",
        "zcc.forwarding_profile.list_by_company",
        SEARCH,
        PAGE_SIZE,
    ),
    with_call(
        list_tool(
            "zcc_list_trusted_networks",
            "zcc_trusted_networks",
            "List ZCC trusted networks and the DNS, subnet and gateway criteria that detect them (every page).",
            "zcc.trusted_networks.list_by_company",
            SEARCH,
            PAGE_SIZE,
        ),
        records_key="trustedNetworkContracts",
    ),
]
