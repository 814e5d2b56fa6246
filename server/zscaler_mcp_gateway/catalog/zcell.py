"""Zscaler Cellular catalog entries (SDK: client.zcell.*), read-only.

Cellular lists page as `{content, totalPages, totalElements}` (0-based `page`, `size` up to 100);
GET lists are walked to the end, POST searches return the page asked for with its totals. Every
call is scoped to the Cellular tenant of the credentials (ZCELL_CUSTOMER_ID, which the SDK reads).
Time windows are `days` back from now (7 unless given).
"""

from __future__ import annotations

from .builders import param, query
from .model import Action, Param, SdkCall, SdkResult, Tool

DAYS_DEFAULT = (("days", 7),)


DAYS = param("days", "integer", "Look-back window in days (default 7).", minimum=1, maximum=90)
POLICY = param("policy_id", "string", "ID of the anomaly policy.", required=True)
SIZE = query("size", "integer", "Records per upstream request.", minimum=1, maximum=100)
SORT_DIR = query("sort_dir", "string", "Sort direction.", enum=("ASC", "DESC"))
PAGE = query("page", "integer", "Page number (0-based).", minimum=0)
TOP = query("limit", "integer", "How many top entries.", minimum=1, maximum=20)


def _tool(
    name: str,
    toolset: str,
    description: str,
    method: str,
    *params: Param,
    result: SdkResult = SdkResult.RECORDS,
    window: bool = False,
    query_arg: str | None = "query_params",
) -> Tool:
    """One Cellular call; `window` adds the `days` look-back (7 unless given)."""
    call = SdkCall(
        f"zcell.{method}",
        query_arg=query_arg,
        paginate=result is SdkResult.RECORDS,
        result=result,
        kwargs=DAYS_DEFAULT if window else (),
    )
    return Tool(name, "zcell", toolset, Action.READ, description, (*params, *((DAYS,) if window else ())), call)


ANOMALY, SIMS, ANALYTICS = "zcell_anomaly_policy", "zcell_sim_handling", "zcell_sim_analytics"

TOOLS: list[Tool] = [
    _tool(
        "zcell_list_anomaly_policies",
        ANOMALY,
        "List Cellular anomaly policies (geofencing etc.) with violation counts.",
        "anomaly_policy.list_anomaly_policy",
        query("policy_type", "string", "Only policies of this type, e.g. GEOFENCING."),
        SIZE,
        SORT_DIR,
        window=True,
    ),
    _tool(
        "zcell_list_anomaly_policy_logs",
        ANOMALY,
        "List the activity log of one Cellular anomaly policy.",
        "anomaly_policy.list_anomaly_policy_logs",
        POLICY,
        SIZE,
    ),
    _tool(
        "zcell_list_anomaly_policy_violations",
        ANOMALY,
        "List the ICCIDs that violated one Cellular anomaly policy.",
        "anomaly_policy.list_anomaly_policy_violations",
        POLICY,
        SIZE,
        window=True,
    ),
    _tool(
        "zcell_list_iccid_violations",
        ANOMALY,
        "List the violation events of one ICCID under one Cellular anomaly policy.",
        "anomaly_policy.get_anomaly_policy_violations",
        POLICY,
        param("iccid", "string", "ICCID of the SIM.", required=True),
        SIZE,
        SORT_DIR,
        window=True,
    ),
    _tool(
        "zcell_list_audit_customers_search",
        "zcell_audit_data_handling",
        "Search Cellular audit-log entries (one page with totals).",
        "audit_data_handling.list_audit_customers_search",
        param("operation_type", "string", "Only this operation.", enum=("Create", "Update", "Delete", "Export")),
        param("object_type", "string", "Only this object type (see zcell_list_audit_metadata)."),
        param("object_name", "string", "Only this object name."),
        param("object_id", "string", "Only this object ID."),
        param("visibility", "string", "Only entries of this visibility."),
        param("modified_by_user_id", "string", "Only changes by this user ID."),
        PAGE,
        SIZE,
        SORT_DIR,
        result=SdkResult.BODY,
        window=True,
    ),
    _tool(
        "zcell_list_audit_metadata",
        "zcell_audit_data_handling",
        "List the Cellular audit filter vocabulary (operations, object types).",
        "audit_data_handling.list_audit_metadata",
        result=SdkResult.BODY,
    ),
    _tool(
        "zcell_get_customer_data_handling",
        "zcell_customer_data_handling",
        "Get the Cellular customer profile, regions and SIM totals.",
        "customer_data_handling.get_customer_data_handling",
        result=SdkResult.BODY,
    ),
    _tool(
        "zcell_list_regions",
        "zcell_customer_region_handling",
        "List the Cellular regions and whether each is configured.",
        "customer_region_handling.list_regions",
        query("skip_sku_check", "boolean", "List regions outside the subscription too."),
    ),
    _tool(
        "zcell_list_region_operational_status",
        "zcell_customer_region_handling",
        "List configured Cellular regions with their gateway operational status.",
        "customer_region_handling.list_regions_operational_status",
        query("bc_size", "string", "Only regions of this breakout size."),
    ),
    _tool(
        "zcell_list_network_events",
        "zcell_network_events",
        "Search Cellular network and session events (one page with totals).",
        "network_events.list_network_events_search",
        param(
            "filter_by",
            "array",
            "Filters as {filterName, operator (EQ, NE, LIKE, NOT_LIKE), values[]}, e.g. filterName country.",
            items="object",
        ),
        param("page", "integer", "Page number (0-based).", minimum=0),
        param("size", "integer", "Records per page.", minimum=1, maximum=100),
        param("sort_by", "object", "Sort order as the API takes it, e.g. {field, direction}."),
        param("exclude_apn_config", "boolean", "Leave out APN configuration events."),
        result=SdkResult.BODY,
        window=True,
        query_arg=None,
    ),
    _tool(
        "zcell_list_sim_analytics_map",
        ANALYTICS,
        "List Cellular SIM positions (lat/lng) for the dashboard map.",
        "sim_analytics.list_sim_analytics_map",
        param("icc_ids", "array", "Only these SIMs (ICCIDs).", items="string", sdk_name="iccIds"),
    ),
    _tool(
        "zcell_list_sim_analytics_summary",
        ANALYTICS,
        "Count Cellular SIMs: total, used, active, inactive.",
        "sim_analytics.list_sim_analytics_summary",
        result=SdkResult.BODY,
    ),
    _tool(
        "zcell_list_sim_usage_by_country",
        ANALYTICS,
        "Top countries by Cellular data usage.",
        "sim_analytics.list_sim_analytics_usage_countries",
        TOP,
        window=True,
    ),
    _tool(
        "zcell_list_sim_usage_by_day",
        ANALYTICS,
        "Cellular data usage per day.",
        "sim_analytics.list_sim_analytics_usage_day",
        query("icc_id", "string", "Only this SIM (ICCID)."),
        window=True,
    ),
    _tool(
        "zcell_list_sim_usage_by_sim",
        ANALYTICS,
        "Top SIMs by Cellular data usage.",
        "sim_analytics.list_sim_analytics_usage_sims",
        TOP,
        window=True,
    ),
    _tool(
        "zcell_get_sim_details",
        SIMS,
        "Get one Cellular SIM by ICCID: device, network, location, usage.",
        "sim_handling.list_sims_details",
        param("icc_id", "string", "ICCID of the SIM.", required=True),
        result=SdkResult.BODY,
    ),
    _tool(
        "zcell_list_sims",
        SIMS,
        "Search the Cellular SIM inventory (one page with totals).",
        "sim_handling.create_sims_search",
        param("status", "string", "Only SIMs in this state, e.g. ACTIVATED."),
        param("network_status", "string", "Only SIMs with this network status, e.g. ONLINE."),
        param("location_country", "string", "Only SIMs last seen in this country."),
        param("tag", "array", "Only SIMs carrying one of these tag names.", items="string"),
        param("iccid", "array", "Only these SIMs (ICCIDs).", items="string"),
        param("ip_address", "array", "Only SIMs with these IP addresses.", items="string"),
        param("imei_status", "string", "Only SIMs with this IMEI status."),
        param("brand_name", "string", "Only SIMs in devices of this brand."),
        param("marketing_name", "string", "Only SIMs in devices of this marketing name."),
        param("model_name", "string", "Only SIMs in devices of this model."),
        param("device_type", "string", "Only SIMs in devices of this type."),
        param("form_factor", "string", "Only SIMs of this form factor."),
        param("page", "integer", "Page number (0-based).", minimum=0),
        param("size", "integer", "Records per page.", minimum=1, maximum=100),
        result=SdkResult.BODY,
        query_arg=None,
    ),
    _tool(
        "zcell_list_sim_location_groups",
        "zcell_sim_location_groups",
        "List Cellular SIM location groups (geofences).",
        "sim_location_groups.list_sim_location_groups",
        query("name", "string", "Only groups with this name."),
        SIZE,
    ),
    _tool(
        "zcell_get_sim_location_group",
        "zcell_sim_location_groups",
        "Get one Cellular SIM location group with linked policies and tracked SIMs.",
        "sim_location_groups.get_sim_location_group",
        param("group_id", "string", "ID of the location group.", required=True),
        result=SdkResult.BODY,
    ),
    _tool(
        "zcell_list_tags",
        "zcell_tag_handling",
        "List the Cellular SIM tags.",
        "tag_handling.list_tag",
        query("name", "string", "Only tags with this name."),
        SIZE,
    ),
]
