"""Z-Insights analytics catalog entries (SDK: client.zins.*, a GraphQL API), read-only.

Each tool runs one SDK report method; the SDK posts the GraphQL query and unwraps `data`, and the
tool returns those entries. Windows are given in days before now and sent as epoch milliseconds.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .builders import param
from .model import Action, Param, SdkCall, SdkResult, Tool

START = param(
    "start_days_ago",
    "integer",
    "Window start, in days ago (default 9: with end 2, a 7-day window; the API takes exactly 7 or 14 days).",
    default=9,
    minimum=1,
    maximum=90,
    sdk_name="start_time",
    convert="days_ago_epoch_ms",
)
END = param(
    "end_days_ago",
    "integer",
    "Window end, in days ago.",
    default=2,
    minimum=0,
    maximum=89,
    sdk_name="end_time",
    convert="days_ago_epoch_ms",
)
LIMIT = param("limit", "integer", "Most entries to return.", minimum=1, maximum=1000)
START_TIME = param("start_time", "integer", "Window start, epoch milliseconds (instead of start_days_ago).", minimum=0)
END_TIME = param("end_time", "integer", "Window end, epoch milliseconds (instead of end_days_ago).", minimum=0)
WINDOW = (START, END, START_TIME, END_TIME, LIMIT)  # the epoch params follow: given, they win
# The official's cyber-incident reports default to a 14-day window (16 to 2 days ago); the others to 7.
CYBER_WINDOW = (
    replace(
        START,
        description="Window start, in days ago (default 16: with end 2, a 14-day window; the API takes exactly "
        "7 or 14 days).",
        default=16,
    ),
    END,
    START_TIME,
    END_TIME,
    LIMIT,
)
UNIT = param("traffic_unit", "string", "Count transactions or bytes.", enum=("TRANSACTIONS", "BYTES"))
TREND = (
    param("include_trend", "boolean", "Add a time series per entry."),
    param("trend_interval", "string", "Trend bucket size.", enum=("DAY", "HOUR")),
)
INCIDENT_GROUPS = ("THREAT_CATEGORY_ID", "APP_ID", "USER_ID", "TIME", "SRC_COUNTRY")


def _report(name: str, toolset: str, description: str, method: str, *params: Param, **fixed: Any) -> Tool:
    call = SdkCall(f"zins.{method}", query_arg=None, result=SdkResult.PARSED, kwargs=tuple(fixed.items()))
    return Tool(name, "zins", toolset, Action.READ, description, params, call)


CYBER, FIREWALL, WEB = "zins_cyber_security", "zins_firewall", "zins_web_traffic"

TOOLS: list[Tool] = [
    _report(
        "zins_get_cyber_incidents",
        CYBER,
        "Cyber-security incidents grouped by category (nested by each grouping).",
        "cyber_security.get_incidents",
        *CYBER_WINDOW,
        param("categorize_by", "array", f"Groupings, outermost first: {', '.join(INCIDENT_GROUPS)}.", items="string"),
    ),
    _report(
        "zins_get_cyber_incidents_by_location",
        CYBER,
        "Cyber-security incidents per location, app, user or department.",
        "cyber_security.get_incidents_by_location",
        *CYBER_WINDOW,
        param(
            "categorize_by",
            "string",
            "Dimension to group by.",
            enum=("LOCATION_ID", "APP_ID", "USER_ID", "DEPARTMENT_ID"),
        ),
    ),
    _report(
        "zins_get_cyber_incidents_by_threat_and_app",
        CYBER,
        "Cyber-security incidents per threat category, then per application.",
        "cyber_security.get_incidents",
        *CYBER_WINDOW,
        categorize_by=("THREAT_CATEGORY_ID", "APP_ID"),
    ),
    _report(
        "zins_get_cyber_incidents_daily",
        CYBER,
        "Daily cyber-security incident counts.",
        "cyber_security.get_incidents",
        *CYBER_WINDOW,
        categorize_by=("TIME",),
    ),
    _report(
        "zins_get_firewall_by_action",
        FIREWALL,
        "Zero Trust Firewall traffic per action (allow/block).",
        "firewall.get_traffic_by_action",
        *WINDOW,
    ),
    _report(
        "zins_get_firewall_by_location",
        FIREWALL,
        "Zero Trust Firewall traffic per location.",
        "firewall.get_traffic_by_location",
        *WINDOW,
    ),
    _report(
        "zins_get_firewall_network_services",
        FIREWALL,
        "Zero Trust Firewall traffic per network service.",
        "firewall.get_network_services",
        *WINDOW,
    ),
    _report(
        "zins_get_iot_device_stats",
        "zins_iot",
        "IoT device counts (user, IoT, server, unclassified) and classifications.",
        "iot.get_device_stats",
        LIMIT,
    ),
    _report(
        "zins_get_casb_app_report",
        "zins_saas",
        "CASB SaaS application usage report.",
        "saas_security.get_casb_app_report",
        *WINDOW,
    ),
    _report(
        "zins_get_shadow_it_apps",
        "zins_shadow_it",
        "Discovered shadow IT applications with risk, sanction state and data volumes.",
        "shadow_it.get_apps",
        *WINDOW,
    ),
    _report(
        "zins_get_shadow_it_summary",
        "zins_shadow_it",
        "Shadow IT summary: totals and breakdowns by category, risk and access.",
        "shadow_it.get_shadow_it_summary",
        START,
        END,
        START_TIME,
        END_TIME,
    ),
    _report(
        "zins_get_threat_class",
        WEB,
        "Web threats per class (virus/spyware, advanced, behavioral).",
        "web_traffic.get_threat_class",
        *WINDOW,
        UNIT,
    ),
    _report(
        "zins_get_threat_super_categories",
        WEB,
        "Web threats per super-category (malware, phishing, ...).",
        "web_traffic.get_threat_super_categories",
        *WINDOW,
        UNIT,
    ),
    _report(
        "zins_get_web_protocols",
        WEB,
        "Web traffic per protocol (HTTP, HTTPS, ...).",
        "web_traffic.get_protocols",
        *WINDOW,
        UNIT,
    ),
    _report(
        "zins_get_web_traffic_by_location",
        WEB,
        "Web traffic per location.",
        "web_traffic.get_traffic_by_location",
        *WINDOW,
        UNIT,
        *TREND,
    ),
    _report(
        "zins_get_web_traffic_no_grouping",
        WEB,
        "Overall web traffic volume, optionally one action or DLP engine.",
        "web_traffic.get_no_grouping",
        *WINDOW,
        UNIT,
        *TREND,
        param("action_filter", "string", "Only this action.", enum=("ALLOW", "BLOCK")),
        param(
            "dlp_engine_filter",
            "string",
            "Only this DLP engine.",
            enum=("ANY", "NONE", "HIPAA", "CYBER_BULLY_ENG", "GLBA", "PCI", "OFFENSIVE_LANGUAGE", "EXTERNAL"),
        ),
    ),
]
