"""ZMS (Zscaler Microsegmentation) catalog entries (SDK: client.zms.*, a GraphQL API), read-only.

Every ZMS query is scoped to the tenant's customer id, which the gateway takes from the
credentials (ZSCALER_CUSTOMER_ID) rather than asking the model. Listings return one page as the
API's connection object `{nodes, pageInfo}`; `page` walks further.
"""

from __future__ import annotations

from .builders import param
from .model import Action, Param, SdkCall, SdkResult, Tool

TENANT = (("customer_id", "ZSCALER_CUSTOMER_ID"),)


def _paging(page_keyword: str) -> tuple[Param, Param, Param]:
    return (
        param("page", "integer", "Page number (1-based).", minimum=1, sdk_name=page_keyword),
        param("page_num", "integer", "Same as page.", minimum=1, alias_of="page"),
        param("page_size", "integer", "Records per page (default 20).", minimum=1, maximum=100),
    )


def contains(name: str, what: str, field: str | None = None) -> Param:
    """A filter on a text field of the records: those whose `field` (the API's name) contains the value."""
    return param(
        name,
        "string",
        f"Only {what} whose {name.replace('_', ' ')} contains this text.",
        sdk_name=f"filter_by.{field or name}.contains",
    )


def equals(name: str, what: str, field: str) -> Param:
    return param(
        name, "string", f"Only {what} with this {name.replace('_', ' ')}.", sdk_name=f"filter_by.{field}.equals"
    )


def sort_order(field: str = "name") -> Param:
    return param(
        "sort_order",
        "string",
        f"Sort by {field} ascending or descending.",
        enum=("asc", "desc", "ASC", "DESC"),
        sdk_name=f"order_by.{field}",
        convert="upper",
    )


PAGE, PAGE_NUM = _paging("page"), _paging("page_num")
SEARCH = param("search", "string", "Free-text filter on name, IP and the like.")
SORTED = (
    *PAGE,
    SEARCH,
    param("sort", "string", "Field to sort by, e.g. name."),
    param("sort_dir", "string", "Sort direction.", enum=("ASC", "DESC")),
)
EYEZ_ID = param("eyez_id", "string", "The eyezId of the record.", required=True)


def _query(name: str, description: str, method: str, *params: Param) -> Tool:
    call = SdkCall(f"zms.{method}", query_arg=None, result=SdkResult.PARSED, context=TENANT)
    return Tool(name, "zms", "zms", Action.READ, description, params, call)


TOOLS: list[Tool] = [
    _query(
        "zms_list_agents",
        "List ZMS agents: connection status, OS, version, IPs, agent group.",
        "agents.list_agents",
        *SORTED,
    ),
    _query(
        "zms_get_agent_connection_status_statistics",
        "Count ZMS agents per type and connection status.",
        "agents.get_agent_connection_status_statistics",
        SEARCH,
    ),
    _query(
        "zms_get_agent_version_statistics",
        "Count ZMS agents per type and software version.",
        "agents.get_agent_version_statistics",
        SEARCH,
    ),
    _query(
        "zms_list_agent_groups",
        "List ZMS agent groups with their upgrade and policy settings.",
        "agent_groups.list_agent_groups",
        *SORTED,
    ),
    _query(
        "zms_get_agent_group_totp_secrets",
        "Get the TOTP secret of a ZMS agent group (sensitive).",
        "agent_groups.get_agent_group_totp_secrets",
        EYEZ_ID,
    ),
    _query(
        "zms_list_nonces",
        "List ZMS enrollment nonces (provisioning keys) and their usage.",
        "nonces.list_nonces",
        *SORTED,
    ),
    _query("zms_get_nonce", "Get one ZMS enrollment nonce.", "nonces.get_nonce", EYEZ_ID),
    _query(
        "zms_list_resources",
        "List ZMS resources (VMs, pods, nodes) with their app zones.",
        "resources.list_resources",
        *PAGE_NUM,
        param("include_deleted", "boolean", "Include deleted resources."),
        contains("name", "resources"),
        equals("status", "resources", "status"),
        equals("resource_type", "resources", "resourceType"),
        equals("cloud_provider", "resources", "cloudProvider"),
        contains("cloud_region", "resources", "cloudRegion"),
        contains("platform_os", "resources", "platformOs"),
        sort_order(),
    ),
    _query(
        "zms_get_resource_protection_status",
        "Protected vs unprotected ZMS resources.",
        "resources.get_resource_protection_status",
        *PAGE_NUM,
    ),
    _query("zms_get_metadata", "Get the ZMS resource event metadata.", "resources.get_metadata"),
    _query(
        "zms_list_resource_groups",
        "List ZMS resource groups (managed and unmanaged).",
        "resource_groups.list_resource_groups",
        *PAGE_NUM,
        contains("name", "groups"),
        contains("resource_hostname", "groups", "resourceHostname"),
    ),
    _query(
        "zms_get_resource_group_members",
        "List the resources in one ZMS resource group.",
        "resource_groups.get_resource_group_members",
        param("group_id", "string", "ID of the resource group.", required=True),
        *PAGE_NUM,
    ),
    _query(
        "zms_get_resource_group_protection_status",
        "Protected vs unprotected ZMS resource groups.",
        "resource_groups.get_resource_group_protection_status",
        *PAGE_NUM,
    ),
    _query(
        "zms_list_policy_rules",
        "List ZMS microsegmentation policy rules by priority.",
        "policy_rules.list_policy_rules",
        *PAGE_NUM,
        param("fetch_all", "boolean", "Return every rule in one page."),
        contains("name", "rules"),
        equals("action", "rules", "action"),
    ),
    _query(
        "zms_list_default_policy_rules",
        "List ZMS default (inbound/outbound) policy rules.",
        "policy_rules.list_default_policy_rules",
        *PAGE_NUM,
    ),
    _query(
        "zms_list_app_zones",
        "List ZMS app zones.",
        "app_zones.list_app_zones",
        *PAGE_NUM,
        contains("name", "app zones", "appZoneName"),
        sort_order("appZoneName"),
    ),
    _query(
        "zms_list_app_catalog",
        "List the ZMS application catalog (ports, protocols, processes).",
        "app_catalog.list_app_catalog",
        *PAGE_NUM,
        contains("name", "applications"),
        contains("category", "applications"),
    ),
    _query(
        "zms_list_tag_namespaces",
        "List ZMS tag namespaces.",
        "tags.list_tag_namespaces",
        *PAGE_NUM,
        contains("name", "namespaces"),
        equals("origin", "namespaces", "origin"),
        sort_order(),
    ),
    _query(
        "zms_list_tag_keys",
        "List the tag keys of a ZMS tag namespace.",
        "tags.list_tag_keys",
        param("namespace_id", "string", "ID of the tag namespace.", required=True),
        *PAGE_NUM,
        contains("key_name", "tag keys", "keyName"),
        sort_order(),
    ),
    _query(
        "zms_list_tag_values",
        "List the values of a ZMS tag key.",
        "tags.list_tag_values",
        param("tag_id", "string", "ID of the tag key.", required=True),
        param(
            "namespace_origin",
            "string",
            "Origin of the key's namespace.",
            required=True,
            enum=("CUSTOM", "EXTERNAL", "ML", "UNKNOWN"),
        ),
        *PAGE_NUM,
        contains("name", "tag values"),
        sort_order(),
    ),
]
