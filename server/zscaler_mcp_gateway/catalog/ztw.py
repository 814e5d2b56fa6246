"""ZTW (Cloud & Branch Connector) catalog entries (SDK: client.ztw.*).

ZTW answers plain JSON arrays in one response and uses integer ids. Its IP groups mirror ZIA's:
plain IPv4 groups, source groups and destination groups, each with a full and a lite listing.
"""

from __future__ import annotations

from dataclasses import replace

from .builders import create_tool, delete_tool, get_tool, list_tool, param, path_id, query
from .model import Param, Tool

TOOLSET = "ztw"
SEARCH = query("search", "string", "Return only records whose name contains this text.")
PAGE = query("page", "integer", "Page number (1-based).", minimum=1)
PAGE_SIZE = query("page_size", "integer", "Records per page.", minimum=1, maximum=1000)
DESTINATION_TYPES = ("DSTN_IP", "DSTN_FQDN", "DSTN_DOMAIN", "DSTN_OTHER")
EXCLUDE_TYPE = param("exclude_type", "string", "Leave out groups of this type.", enum=DESTINATION_TYPES)
NAME = param("name", "string", "Group name.", required=True)
DESCRIPTION = param("description", "string", "Free-text description.")
IP_ADDRESSES = param("ip_addresses", "array", "IPv4 addresses, ranges (a-b) or CIDRs.", items="string", required=True)


def _local_search(tool: Tool) -> Tool:
    """The SDK filters these listings by name itself (the API has no search): apply it to the records."""
    assert tool.call is not None
    return replace(tool, call=replace(tool.call, name_filter="search"))


def _ip_group_kind(
    kind: str, plural: str, sdk: str, fields: tuple[Param, ...], filter_by: Param = SEARCH
) -> list[Tool]:
    """List, lite list, create and delete of one ZTW IP group kind (the official server has no update)."""
    what = f"ZTW IP {kind}group"
    lite = list_tool(
        f"ztw_list_ip_{plural}_lite",
        TOOLSET,
        f"List {what}s, id and name only.",
        f"{sdk}.list_ip_{plural}_lite",
        filter_by,
    )
    return [
        list_tool(
            f"ztw_list_ip_{plural}",
            TOOLSET,
            f"List {what}s with their addresses.",
            f"{sdk}.list_ip_{plural}",
            filter_by,
        ),
        _local_search(lite) if filter_by is SEARCH else lite,
        create_tool(
            f"ztw_create_ip_{plural[:-1]}", TOOLSET, f"Create a {what}.", f"{sdk}.add_ip_{plural[:-1]}", *fields
        ),
        delete_tool(
            f"ztw_delete_ip_{plural[:-1]}",
            TOOLSET,
            f"Delete a {what} (destructive).",
            f"{sdk}.delete_ip_{plural[:-1]}",
            path_id("group_id", what, "integer"),
        ),
    ]


TOOLS: list[Tool] = [
    *_ip_group_kind("", "groups", "ztw.ip_groups", (NAME, DESCRIPTION, IP_ADDRESSES)),
    *_ip_group_kind("source ", "source_groups", "ztw.ip_source_groups", (NAME, DESCRIPTION, IP_ADDRESSES)),
    *_ip_group_kind(
        "destination ",
        "destination_groups",
        "ztw.ip_destination_groups",
        (
            NAME,
            DESCRIPTION,
            param("type", "string", "What the group holds.", enum=DESTINATION_TYPES[:2]),
            param("addresses", "array", "IP addresses (DSTN_IP) or FQDNs (DSTN_FQDN).", items="string"),
            param("ip_categories", "array", "Custom URL category ids the destinations belong to.", items="string"),
            param("countries", "array", "Destination countries, e.g. COUNTRY_US.", items="string"),
        ),
        filter_by=EXCLUDE_TYPE,
    ),
    list_tool(
        "ztw_list_network_services",
        TOOLSET,
        "List ZTW network services (protocol and ports).",
        "ztw.nw_service.list_network_services",
        SEARCH,
        query(
            "protocol", "string", "Only services of this protocol.", enum=("ICMP", "TCP", "UDP", "GRE", "ESP", "OTHER")
        ),
        query("locale", "string", "Language of the descriptions, e.g. en-US."),
    ),
    list_tool(
        "ztw_list_network_service_groups",
        TOOLSET,
        "List ZTW network service groups.",
        "ztw.nw_service_groups.list_network_svc_groups",
        SEARCH,
    ),
    list_tool(
        "ztw_list_admins",
        TOOLSET,
        "List ZTW admin users.",
        "ztw.admin_users.list_admins",
        SEARCH,
        query("include_auditor_users", "boolean", "Include auditor users."),
        query("include_api_roles", "boolean", "Include API roles."),
        query("include_admin_users", "boolean", "Include admin users."),
        query("version", "integer", "Only admins of this configuration version."),
    ),
    _local_search(
        list_tool(
            "ztw_list_roles",
            TOOLSET,
            "List ZTW admin roles.",
            "ztw.admin_roles.list_roles",
            SEARCH,
            query("include_auditor_role", "boolean", "Include the auditor role."),
            query("include_api_roles", "boolean", "Include API roles."),
            query("include_partner_role", "boolean", "Include the partner role."),
            query("role_ids", "array", "Only these role IDs.", items="string"),
        )
    ),
    list_tool(
        "ztw_list_public_cloud_info",
        TOOLSET,
        "List ZTW public-cloud accounts (AWS) with their metadata.",
        "ztw.public_cloud_info.list_public_cloud_info",
        PAGE,
        PAGE_SIZE,
        query("cloud_type", "string", "Only accounts of this cloud, e.g. AWS."),
        SEARCH,
    ),
    list_tool(
        "ztw_list_public_account_details",
        TOOLSET,
        "List ZTW public-cloud account details (regions, external ids).",
        "ztw.account_details.list_public_account_details",
        PAGE,
        PAGE_SIZE,
    ),
    get_tool(
        "ztw_get_discovery_settings",
        TOOLSET,
        "Get the ZTW workload discovery settings.",
        "ztw.discovery_service.get_discovery_settings",
    ),
]
