"""ZDX catalog entries (SDK: client.zdx.*). ZDX ids are integers (software keys are strings).

Paged ZDX lists wrap their records in a named key ({"devices": [...], "next_offset": ...}); the
SDK's pager only knows `items`, so those tools name the key (`records_key`) and walk `next_offset`.
Other ZDX reads return plain JSON arrays: one page, every record.
"""

from __future__ import annotations

from .builders import create_tool, delete_tool, get_tool, list_tool, param, query, with_call
from .model import Action, Param, SdkCall, SdkResult, Tool

SINCE = query(
    "since", "integer", "Look-back window in hours, ending now (the API default is 2).", minimum=1, maximum=336
)
LOCATIONS = query(
    "location_id", "array", "Only data from these ZIA location IDs (see zdx_list_locations).", items="integer"
)
DEPARTMENTS = query(
    "department_id", "array", "Only data from these department IDs (see zdx_list_departments).", items="integer"
)
GEOS = query("geo_id", "array", "Only data from these geolocation IDs, e.g. '0.0.us.california'.", items="string")
PAGE_SIZE = query(
    "page_size", "integer", "Upstream page size; every page is returned.", minimum=1, maximum=500, sdk_name="limit"
)
USER_IDS = query("user_ids", "array", "Only these ZDX user IDs.", items="integer")
DEVICE_IDS = query("device_ids", "array", "Only these ZDX device IDs.", items="integer")
FILTERS = (SINCE, LOCATIONS, DEPARTMENTS, GEOS)


def _path(name: str, type_: str, what: str) -> Param:
    return Param(name, type_, f"ID of the ZDX {what}.", required=True, location="path")  # type: ignore[arg-type]


DEVICE = _path("device_id", "integer", "device (see zdx_list_devices)")
APP = _path("app_id", "integer", "application (see zdx_list_applications)")
USER = _path("user_id", "integer", "user")
ALERT = _path("alert_id", "integer", "alert")
TRACE = _path("trace_id", "integer", "deep trace (see zdx_list_device_deep_traces)")
ANALYSIS = _path("analysis_id", "integer", "score analysis (returned by zdx_start_analysis)")


def paged(name: str, toolset: str, description: str, sdk: str, records_key: str, *params: Param) -> Tool:
    """A ZDX list paged by `next_offset`, its records under `records_key`."""
    return with_call(list_tool(name, toolset, description, sdk, *params, PAGE_SIZE), records_key=records_key)


def series(name: str, toolset: str, description: str, sdk: str, *params: Param) -> Tool:
    """A ZDX read answered with one JSON array (metrics, probes, trace captures): every record, one request."""
    query_arg = "query_params" if any(p.location == "query" for p in params) else None
    return Tool(
        name,
        "zdx",
        toolset,
        Action.READ,
        description,
        params,
        SdkCall(sdk, query_arg=query_arg, result=SdkResult.RECORDS),
    )


def trace_capture(name: str, what: str, sdk_method: str) -> Tool:
    return series(
        name,
        "zdx_troubleshooting",
        f"Get the {what} captured during a ZDX deep trace (time series).",
        f"zdx.troubleshooting.{sdk_method}",
        DEVICE,
        TRACE,
    )


TOOLS: list[Tool] = [
    # alerts
    paged(
        "zdx_list_alerts",
        "zdx_alerts",
        "List ongoing ZDX alerts (every page).",
        "zdx.alerts.list_ongoing",
        "alerts",
        *FILTERS,
    ),
    paged(
        "zdx_list_historical_alerts",
        "zdx_alerts",
        "List ZDX alerts that have ended within the window (every page).",
        "zdx.alerts.list_historical",
        "alerts",
        *FILTERS,
    ),
    get_tool(
        "zdx_get_alert",
        "zdx_alerts",
        "Get one ZDX alert: rule, severity, status and the impacted locations, departments and geolocations.",
        "zdx.alerts.get_alert",
        ALERT,
        query_arg=None,
    ),
    paged(
        "zdx_list_alert_affected_devices",
        "zdx_alerts",
        "List the devices affected by a ZDX alert (every page).",
        "zdx.alerts.list_affected_devices",
        "devices",
        ALERT,
        *FILTERS,
        query("location_groups", "array", "Only devices of these location group IDs.", items="integer"),
    ),
    # reports
    series(
        "zdx_list_applications",
        "zdx_reports",
        "List the applications ZDX monitors, with their ZDX score and user count.",
        "zdx.apps.list_apps",
        *FILTERS,
    ),
    get_tool(
        "zdx_get_application",
        "zdx_reports",
        "Get the ZDX score of one application, its most-impacted region and user score buckets.",
        "zdx.apps.get_app",
        APP,
        *FILTERS,
    ),
    get_tool(
        "zdx_get_application_score_trend",
        "zdx_reports",
        "Get the ZDX score trend (time series) of one application.",
        "zdx.apps.get_app_score",
        APP,
        *FILTERS,
    ),
    series(
        "zdx_get_application_metric",
        "zdx_reports",
        "Get performance metrics (time series) of one ZDX application.",
        "zdx.apps.get_app_metrics",
        APP,
        query(
            "metric_name",
            "string",
            "Metric to return: page fetch time, DNS time or availability (all when omitted).",
            enum=("pft", "dns", "availability"),
        ),
        *FILTERS,
    ),
    paged(
        "zdx_list_application_users",
        "zdx_reports",
        "List the users and devices that used a ZDX application, with their scores (every page).",
        "zdx.apps.list_app_users",
        "users",
        APP,
        query(
            "score_bucket", "string", "Only users whose ZDX score falls in this bucket.", enum=("poor", "okay", "good")
        ),
        *FILTERS,
    ),
    get_tool(
        "zdx_get_application_user",
        "zdx_reports",
        "Get one user's ZDX detail for an application, per device.",
        "zdx.apps.get_app_user",
        APP,
        USER,
        SINCE,
    ),
    get_tool(
        "zdx_get_device",
        "zdx_reports",
        "Get one ZDX device: hardware, network interfaces and software.",
        "zdx.devices.get_device",
        DEVICE,
        *FILTERS,
    ),
    paged(
        "zdx_list_devices",
        "zdx_reports",
        "List the devices active in ZDX within the window (every page).",
        "zdx.devices.list_devices",
        "devices",
        *FILTERS,
        USER_IDS,
        query("emails", "array", "Only devices of these user emails.", items="string"),
        query("mac_address", "string", "Only the device with this MAC address."),
        query("private_ipv4", "string", "Only devices with this private IPv4 address."),
    ),
    series(
        "zdx_list_departments",
        "zdx_reports",
        "List ZDX departments (id and name).",
        "zdx.admin.list_departments",
        query("search", "string", "Only departments whose name or ID contains this text."),
        SINCE,
    ),
    series(
        "zdx_list_locations",
        "zdx_reports",
        "List ZDX locations (id and name).",
        "zdx.admin.list_locations",
        query("search", "string", "Only locations whose name or ID contains this text."),
        SINCE,
    ),
    # software inventory
    paged(
        "zdx_list_software",
        "zdx_software_inventory",
        "List the software installed across ZDX devices, with user and device counts (every page).",
        "zdx.inventory.list_softwares",
        "software",
        LOCATIONS,
        DEPARTMENTS,
        GEOS,
        USER_IDS,
        DEVICE_IDS,
    ),
    paged(
        "zdx_get_software_details",
        "zdx_software_inventory",
        "List the users and devices that have one software key installed (every page).",
        "zdx.inventory.list_software_keys",
        "software",
        Param(
            "software_key",
            "string",
            "Software key from zdx_list_software, e.g. 'Google Chrome|Google LLC'.",
            required=True,
            location="path",
        ),
        LOCATIONS,
        DEPARTMENTS,
        GEOS,
        USER_IDS,
        DEVICE_IDS,
    ),
    # troubleshooting: probes, deep traces, score analyses
    series(
        "zdx_get_web_probes",
        "zdx_troubleshooting",
        "List the web probes of an application on a ZDX device, with average score and page fetch time.",
        "zdx.devices.get_web_probes",
        DEVICE,
        APP,
        SINCE,
    ),
    series(
        "zdx_list_cloudpath_probes",
        "zdx_troubleshooting",
        "List the CloudPath probes of an application on a ZDX device, with average latencies.",
        "zdx.devices.list_cloudpath_probes",
        DEVICE,
        APP,
        SINCE,
    ),
    series(
        "zdx_list_device_deep_traces",
        "zdx_troubleshooting",
        "List the deep-trace sessions of a ZDX device.",
        "zdx.troubleshooting.list_deeptraces",
        DEVICE,
    ),
    get_tool(
        "zdx_get_device_deep_trace",
        "zdx_troubleshooting",
        "Get one ZDX deep-trace session: status, timing and settings.",
        "zdx.troubleshooting.get_deeptrace",
        DEVICE,
        TRACE,
        query_arg=None,
    ),
    create_tool(
        "zdx_start_deeptrace",
        "zdx_troubleshooting",
        "Start a ZDX deep-trace session on a device; poll zdx_get_device_deep_trace until it ends.",
        "zdx.troubleshooting.start_deeptrace",
        DEVICE,
        param("session_name", "string", "Name of the session.", required=True),
        param("app_id", "integer", "ID of the application to trace (see zdx_list_applications)."),
        param("web_probe_id", "integer", "ID of the web probe to run (see zdx_get_web_probes)."),
        param("cloudpath_probe_id", "integer", "ID of the CloudPath probe to run (see zdx_list_cloudpath_probes)."),
        param(
            "session_length_minutes",
            "integer",
            "How long the session runs.",
            enum=(5, 15, 30, 60),
        ),
        param("probe_device", "boolean", "Also collect device health and top processes."),
    ),
    delete_tool(
        "zdx_delete_deeptrace",
        "zdx_troubleshooting",
        "Delete a ZDX deep-trace session and its captures (destructive).",
        "zdx.troubleshooting.delete_deeptrace",
        DEVICE,
        TRACE,
    ),
    series(
        "zdx_list_deeptrace_top_processes",
        "zdx_troubleshooting",
        "List the top processes (CPU, memory) captured during a ZDX deep trace.",
        "zdx.troubleshooting.list_top_processes",
        DEVICE,
        TRACE,
    ),
    trace_capture("zdx_get_deeptrace_webprobe_metrics", "web probe metrics", "get_deeptrace_webprobe_metrics"),
    trace_capture("zdx_get_deeptrace_cloudpath_metrics", "CloudPath leg metrics", "get_deeptrace_cloudpath_metrics"),
    trace_capture("zdx_get_deeptrace_cloudpath", "hop-by-hop CloudPath", "get_deeptrace_cloudpath"),
    trace_capture("zdx_get_deeptrace_health_metrics", "device health metrics", "get_deeptrace_health_metrics"),
    trace_capture(
        "zdx_get_deeptrace_events", "device events (network changes, software updates)", "get_deeptrace_events"
    ),
    create_tool(
        "zdx_start_analysis",
        "zdx_troubleshooting",
        "Start a ZDX score analysis of one application on one device; poll zdx_get_analysis for the result.",
        "zdx.troubleshooting.start_analysis",
        param("device_id", "integer", "ID of the ZDX device (see zdx_list_devices).", required=True),
        param("app_id", "integer", "ID of the ZDX application (see zdx_list_applications).", required=True),
        param("t0", "integer", "Start of the analysed window, epoch seconds (default: one hour ago).", minimum=0),
        param("t1", "integer", "End of the analysed window, epoch seconds (default: now).", minimum=0),
    ),
    get_tool(
        "zdx_get_analysis",
        "zdx_troubleshooting",
        "Get the status and findings of a ZDX score analysis.",
        "zdx.troubleshooting.get_analysis",
        ANALYSIS,
        query_arg=None,
    ),
    delete_tool(
        "zdx_delete_analysis",
        "zdx_troubleshooting",
        "Stop and delete a ZDX score analysis (destructive).",
        "zdx.troubleshooting.delete_analysis",
        ANALYSIS,
    ),
]
