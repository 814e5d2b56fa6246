"""ZPA catalog entries (SDK: client.zpa.*). Ids are strings; most objects may sit in a microtenant."""

from __future__ import annotations

from .builders import create_tool, delete_tool, get_tool, list_tool, optional, param, path_id, query, update_tool
from .model import Param, Tool

MICROTENANT_Q = query("microtenant_id", "string", "Microtenant ID; omit unless the tenant uses microtenants.")
MICROTENANT = param("microtenant_id", "string", "Microtenant ID; omit unless the tenant uses microtenants.")
PAGE_SIZE = query("page_size", "integer", "Records per upstream request; the tool still returns every page.", minimum=1, maximum=500, sdk_name="pagesize")
SEARCH = query("search", "string", "Return only records whose name equals this value (the API matches the whole name).")
LIST_PARAMS = (SEARCH, PAGE_SIZE, MICROTENANT_Q)
NAME = param("name", "string", "Display name.", required=True)
DESCRIPTION = param("description", "string", "Free-text description.")
ENABLED = param("enabled", "boolean", "Whether the object is enabled.")


def crud(noun: str, plural: str, toolset: str, sdk: str, methods: tuple[str, str, str, str, str], id_name: str, fields: tuple[Param, ...]) -> list[Tool]:
    """The five tools of a plain ZPA resource: list, get, create, update, delete."""
    list_m, get_m, add_m, update_m, delete_m = methods
    label = noun.replace("_", " ")
    ident = path_id(id_name, f"ZPA {label}")
    return [
        list_tool(f"zpa_list_{plural}", toolset, f"List ZPA {label}s (every page).", f"{sdk}.{list_m}", *LIST_PARAMS),
        get_tool(f"zpa_get_{noun}", toolset, f"Get one ZPA {label} by ID.", f"{sdk}.{get_m}", ident, MICROTENANT_Q),
        create_tool(f"zpa_create_{noun}", toolset, f"Create a ZPA {label} and return the full record.", f"{sdk}.{add_m}", *fields, MICROTENANT),
        update_tool(f"zpa_update_{noun}", toolset, f"Update a ZPA {label}; only the given fields change.", f"{sdk}.{update_m}", ident, *optional(fields), MICROTENANT),
        delete_tool(f"zpa_delete_{noun}", toolset, f"Delete a ZPA {label} (destructive).", f"{sdk}.{delete_m}", ident, MICROTENANT),
    ]


_SEGMENT_FIELDS = (
    NAME,
    DESCRIPTION,
    ENABLED,
    param("domain_names", "array", "FQDNs, wildcard domains or IPs the segment covers.", items="string", required=True),
    param("segment_group_id", "string", "ID of the segment group the segment belongs to.", required=True),
    param("server_group_ids", "array", "IDs of the server groups that serve the segment.", items="string"),
    param("tcp_port_ranges", "array", "TCP port ranges as flat from/to pairs, e.g. [\"443\", \"443\"].", items="string"),
    param("udp_port_ranges", "array", "UDP port ranges as flat from/to pairs.", items="string"),
    param("bypass_type", "string", "When clients bypass ZPA for this segment.", enum=("ALWAYS", "NEVER", "ON_NET")),
    param("health_reporting", "string", "Health reporting mode.", enum=("NONE", "ON_ACCESS", "CONTINUOUS")),
    param("double_encrypt", "boolean", "Encrypt traffic twice between client and connector."),
)
_BA_FIELDS = _SEGMENT_FIELDS + (
    param("clientless_app_ids", "array", "Browser-access applications as objects {name, applicationPort, applicationProtocol, certificateId, domain}.", items="object", required=True),
)
_PRA_FIELDS = _SEGMENT_FIELDS + (
    param("common_apps_dto", "object", "PRA application config: {apps_config: [{name, app_types, application_port, application_protocol, domain}]}."),
)
_FORCE = param("force_delete", "boolean", "Delete even when policy rules still reference the segment.")
_SEGMENT_ID = path_id("segment_id", "ZPA application segment")


def _segment_variant(suffix: str, kind: str, methods: tuple[str, str, str, str, str], fields: tuple[Param, ...]) -> list[Tool]:
    list_m, get_m, add_m, update_m, delete_m = methods
    sdk = "zpa.application_segment" if not suffix else f"zpa.app_segments_{suffix.lstrip('_')}"
    what = f"ZPA {kind}application segment"
    return [
        list_tool(f"zpa_list_application_segments{suffix}", "zpa_app_segments", f"List {what}s (every page).", f"{sdk}.{list_m}", *LIST_PARAMS),
        get_tool(f"zpa_get_application_segment{suffix}", "zpa_app_segments", f"Get one {what} by ID.", f"{sdk}.{get_m}", _SEGMENT_ID, MICROTENANT_Q),
        create_tool(f"zpa_create_application_segment{suffix}", "zpa_app_segments", f"Create a {what}.", f"{sdk}.{add_m}", *fields, MICROTENANT),
        update_tool(f"zpa_update_application_segment{suffix}", "zpa_app_segments", f"Update a {what}; only the given fields change.", f"{sdk}.{update_m}", _SEGMENT_ID, *optional(fields), MICROTENANT),
        delete_tool(f"zpa_delete_application_segment{suffix}", "zpa_app_segments", f"Delete a {what} (destructive, cannot be undone).", f"{sdk}.{delete_m}", _SEGMENT_ID, _FORCE, MICROTENANT),
    ]


TOOLS: list[Tool] = [
    *crud("segment_group", "segment_groups", "zpa_segment_groups", "zpa.segment_groups", ("list_groups", "get_group", "add_group", "update_group", "delete_group"), "group_id", (NAME, DESCRIPTION, ENABLED)),
    *crud(
        "server_group", "server_groups", "zpa_server_groups", "zpa.server_groups",
        ("list_groups", "get_group", "add_group", "update_group", "delete_group"), "group_id",
        (NAME, DESCRIPTION, ENABLED,
         param("app_connector_group_ids", "array", "IDs of the app connector groups that reach the servers.", items="string", required=True),
         param("server_ids", "array", "IDs of application servers (only when dynamic discovery is off).", items="string"),
         param("dynamic_discovery", "boolean", "Discover servers from the application segments' domains.")),
    ),
    *crud(
        "app_connector_group", "app_connector_groups", "zpa_app_connector_groups", "zpa.app_connector_groups",
        ("list_connector_groups", "get_connector_group", "add_connector_group", "update_connector_group", "delete_connector_group"), "group_id",
        (NAME, DESCRIPTION, ENABLED,
         param("location", "string", "Location name shown in the admin portal, e.g. 'San Jose, CA'."),
         param("latitude", "string", "Latitude of the location, e.g. '37.33'."),
         param("longitude", "string", "Longitude of the location, e.g. '-121.89'."),
         param("country_code", "string", "ISO 3166 alpha-2 country code."),
         param("upgrade_day", "string", "Day connectors upgrade.", enum=("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")),
         param("dns_query_type", "string", "DNS record types the connectors resolve.", enum=("IPV4_IPV6", "IPV4", "IPV6"))),
    ),
    *crud(
        "application_server", "application_servers", "zpa_application_servers", "zpa.servers",
        ("list_servers", "get_server", "add_server", "update_server", "delete_server"), "server_id",
        (NAME, DESCRIPTION, ENABLED, param("address", "string", "IP address or FQDN of the server.", required=True)),
    ),
    *_segment_variant("", "", ("list_segments", "get_segment", "add_segment", "update_segment", "delete_segment"), _SEGMENT_FIELDS),
    *_segment_variant("_ba", "browser-access ", ("list_segments_ba", "get_segment_ba", "add_segment_ba", "update_segment_ba", "delete_segment_ba"), _BA_FIELDS),
    *_segment_variant("_pra", "privileged-remote-access ", ("list_segments_pra", "get_segment_pra", "add_segment_pra", "update_segment_pra", "delete_segment_pra"), _PRA_FIELDS),
    list_tool(
        "get_zpa_app_segments_by_type", "zpa_app_segments", "List ZPA application segments of one application type.",
        "zpa.app_segment_by_type.get_segments_by_type",
        Param("application_type", "string", "Application type to list.", required=True, enum=("BROWSER_ACCESS", "INSPECT", "SECURE_REMOTE_ACCESS"), location="path"),
        SEARCH, MICROTENANT_Q,
    ),
]
