"""ZIdentity catalog entries (SDK: client.zid.*), read-only.

ZIdentity pages with offset/limit and answers `{records, results_total, next_link}`; the gateway
follows `next_link` to the end. Name filters are case-insensitive partial matches (`[like]`).
"""

from __future__ import annotations

from dataclasses import replace

from .builders import get_tool, list_tool, path_id, query
from .model import Action, Lookup, Param, SdkCall, SdkResult, Tool

GROUPS, USERS = "zid_groups", "zid_users"
LIMIT = query(
    "limit", "integer", "Records per upstream request; the tool still returns every page.", minimum=1, maximum=1000
)
GROUP_NAME = query("name", "string", "Group name, case-insensitive partial match.", sdk_name="name[like]")
USER_FILTERS = (
    query("login_name", "string", "Login name, case-insensitive partial match.", sdk_name="login_name[like]"),
    query("display_name", "string", "Display name, case-insensitive partial match.", sdk_name="display_name[like]"),
    query("email", "string", "Primary email, case-insensitive partial match.", sdk_name="primary_email[like]"),
    query("primary_email", "string", "Same as email.", alias_of="email"),
    query("domain_name", "string", "Only users of this domain.", sdk_name="domain_name"),
    query("idp_name", "string", "Only users of this identity provider.", sdk_name="idp_name"),
)
USER_LOOKUP = ("login_name[like]", "display_name[like]", "primary_email[like]")


def _by_name(name: str, toolset: str, description: str, sdk: str, lookup: Lookup, what: str) -> Tool:
    """List a record's members after resolving the record by name (first match wins)."""
    call = SdkCall(sdk, paginate=True, result=SdkResult.RECORDS, lookup=lookup)
    subject = Param(
        lookup.param,
        "string",
        f"{what}, case-insensitive partial match; the first match is used.",
        required=True,
        location="body",
    )
    return Tool(name, "zid", toolset, Action.READ, description, (subject, LIMIT), call)


TOOLS: list[Tool] = [
    list_tool(
        "zid_list_groups",
        GROUPS,
        "List ZIdentity groups (every page).",
        "zid.groups.list_groups",
        GROUP_NAME,
        query("exclude_dynamic_groups", "boolean", "Leave out dynamic groups."),
        LIMIT,
    ),
    list_tool(
        "zid_search_groups",
        GROUPS,
        "Search ZIdentity groups by name.",
        "zid.groups.list_groups",
        replace(GROUP_NAME, required=True),
        LIMIT,
    ),
    get_tool(
        "zid_get_group",
        GROUPS,
        "Get one ZIdentity group by ID.",
        "zid.groups.get_group",
        path_id("group_id", "ZIdentity group"),
    ),
    list_tool(
        "zid_get_group_users",
        GROUPS,
        "List the users of a ZIdentity group.",
        "zid.groups.list_group_users_details",
        path_id("group_id", "ZIdentity group"),
        *USER_FILTERS,
        LIMIT,
    ),
    _by_name(
        "zid_get_group_users_by_name",
        GROUPS,
        "List the users of a ZIdentity group found by name.",
        "zid.groups.list_group_users_details",
        Lookup("zid.groups.list_groups", "name", ("name[like]",)),
        "Group name",
    ),
    list_tool(
        "zid_list_users", USERS, "List ZIdentity users (every page).", "zid.users.list_users", *USER_FILTERS, LIMIT
    ),
    list_tool(
        "zid_search_users",
        USERS,
        "Search ZIdentity users by login name, display name or email (give at least one).",
        "zid.users.list_users",
        *USER_FILTERS,
        LIMIT,
        query("name", "string", "Same as login_name (the official server's argument).", alias_of="login_name"),
    ),
    get_tool(
        "zid_get_user",
        USERS,
        "Get one ZIdentity user by ID.",
        "zid.users.get_user",
        path_id("user_id", "ZIdentity user"),
    ),
    list_tool(
        "zid_get_user_groups",
        USERS,
        "List the groups a ZIdentity user belongs to.",
        "zid.users.list_user_group_details",
        path_id("user_id", "ZIdentity user"),
        LIMIT,
    ),
    _by_name(
        "zid_get_user_groups_by_name",
        USERS,
        "List the groups of a ZIdentity user found by login name, display name or email.",
        "zid.users.list_user_group_details",
        Lookup("zid.users.list_users", "name", USER_LOOKUP),
        "Login name, display name or email",
    ),
]
