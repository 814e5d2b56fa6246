"""ZPA catalog entries (SDK: client.zpa.*). Ids are strings; most objects may sit in a microtenant."""

from __future__ import annotations

from dataclasses import replace

from .builders import (
    Resource,
    Style,
    create_tool,
    crud,
    delete_tool,
    get_tool,
    list_tool,
    optional,
    param,
    path_id,
    query,
    read_tool,
    update_tool,
    with_call,
)
from .model import Lookup, Param, SdkCall, SdkResult, Tool

MICROTENANT_Q = query("microtenant_id", "string", "Microtenant ID, if the tenant uses them.")
MICROTENANT = param("microtenant_id", "string", "Microtenant ID, if the tenant uses them.")
PAGE_SIZE = query(
    "page_size", "integer", "Upstream page size; every page is returned.", minimum=1, maximum=500, sdk_name="pagesize"
)
SEARCH = query("search", "string", "Only the record with exactly this name.")
NAME_SEARCH = query("name", "string", "Same as search (the official server's name).", alias_of="search")
LIST_PARAMS = (SEARCH, PAGE_SIZE, MICROTENANT_Q)
ZPA_STYLE = Style(
    list_text="List ZPA {what}s (every page).",
    get_text="Get one ZPA {what} by ID.",
    create_text="Create a ZPA {what} and return the full record.",
    update_text="Update a ZPA {what}; only the given fields change.",
    replace_text="Replace a ZPA {what} (send every field to keep).",
    delete_text="Delete a ZPA {what} (destructive).",
    list_params=LIST_PARAMS,
    get_params=(MICROTENANT_Q,),
    write_params=(MICROTENANT,),
    paginate=True,
    update_mode="partial",  # the SDK sends only the given fields
)
NAME = param("name", "string", "Display name.", required=True)
DESCRIPTION = param("description", "string", "Free-text description.")
ENABLED = param("enabled", "boolean", "Whether the object is enabled.")
VERSION_PROFILE = (
    param("override_version_profile", "boolean", "Use version_profile_id instead of the tenant default."),
    param("version_profile_id", "string", "ID of the software version profile (with override_version_profile)."),
    param(
        "version_profile_name", "string", "Name of the version profile, e.g. Default, Previous Default, New Release."
    ),
)


def fetch_one(sdk: str, *receives: str) -> SdkCall:
    """A get-by-ID call that receives only the named (path) params and returns the one record."""
    return SdkCall(sdk, query_arg=None, params=receives)


def lookup(
    name: str,
    toolset: str,
    description: str,
    sdk_list: str,
    *params: Param,
    when: tuple[str, SdkCall] | None = None,
    also_when: tuple[str, SdkCall] | None = None,
) -> Tool:
    """An official list-or-lookup tool: lists every page, unless `when` = (param, call) and that param is
    given (then `also_when`, tried second)."""
    tool = list_tool(name, toolset, description, sdk_list, *params)
    variants = tuple(v for v in (when, also_when) if v is not None)
    return with_call(tool, variants=variants) if variants else tool


_SEGMENT_FIELDS = (
    NAME,
    DESCRIPTION,
    ENABLED,
    param(
        "domain_names",
        "array",
        "FQDNs, wildcard domains or IPs the segment covers.",
        items="string",
        required=True,
        api_requires="the ZPA API rejects an application segment without domain names.",
    ),
    param("segment_group_id", "string", "ID of the segment group the segment belongs to.", required=True),
    param("server_group_ids", "array", "IDs of the server groups that serve the segment.", items="string"),
    param("tcp_port_ranges", "array", 'TCP port ranges as flat from/to pairs, e.g. ["443", "443"].', items="string"),
    param("udp_port_ranges", "array", "UDP port ranges as flat from/to pairs.", items="string"),
    param("bypass_type", "string", "When clients bypass ZPA for this segment.", enum=("ALWAYS", "NEVER", "ON_NET")),
    param("health_reporting", "string", "Health reporting mode.", enum=("NONE", "ON_ACCESS", "CONTINUOUS")),
    param("double_encrypt", "boolean", "Encrypt traffic twice between client and connector."),
)
_BA_FIELDS = _SEGMENT_FIELDS + (
    param(
        "clientless_app_ids",
        "array",
        "Browser-access applications as objects {name, applicationPort, applicationProtocol, certificateId, domain}; "
        "sent as the v2 API's commonAppsDto.appsConfig.",
        items="object",
        required=True,
        sdk_name="common_apps_dto",
        convert="ba_common_apps",
        api_requires="a browser-access segment serves its applications through these; the API rejects one without.",
    ),
)
_PRA_FIELDS = _SEGMENT_FIELDS + (
    param(
        "common_apps_dto",
        "object",
        "PRA application config: {apps_config: [{name, app_types, application_port, application_protocol, domain}]}.",
    ),
)
_FORCE = param("force_delete", "boolean", "Delete even when policy rules still reference the segment.")
_SEGMENT_ID = path_id("segment_id", "ZPA application segment")


def _segment_variant(
    suffix: str, kind: str, sdk: str, methods: tuple[str, str, str, str, str], fields: tuple[Param, ...]
) -> list[Tool]:
    list_m, get_m, add_m, update_m, delete_m = methods
    what = f"ZPA {kind}application segment"
    return [
        list_tool(
            f"zpa_list_application_segments{suffix}",
            "zpa_app_segments",
            f"List {what}s (every page).",
            f"{sdk}.{list_m}",
            *LIST_PARAMS,
        ),
        get_tool(
            f"zpa_get_application_segment{suffix}",
            "zpa_app_segments",
            f"Get one {what} by ID.",
            f"{sdk}.{get_m}",
            _SEGMENT_ID,
            MICROTENANT_Q,
        ),
        create_tool(
            f"zpa_create_application_segment{suffix}",
            "zpa_app_segments",
            f"Create a {what}.",
            f"{sdk}.{add_m}",
            *fields,
            MICROTENANT,
        ),
        update_tool(
            f"zpa_update_application_segment{suffix}",
            "zpa_app_segments",
            f"Update a {what}; only the given fields change.",
            f"{sdk}.{update_m}",
            _SEGMENT_ID,
            *optional(fields),
            MICROTENANT,
        ),
        delete_tool(
            f"zpa_delete_application_segment{suffix}",
            "zpa_app_segments",
            f"Delete a {what} (destructive, cannot be undone).",
            f"{sdk}.{delete_m}",
            _SEGMENT_ID,
            _FORCE,
            MICROTENANT,
        ),
    ]


TOOLS: list[Tool] = [
    *crud(
        Resource(
            "segment_group",
            "zpa_segment_groups",
            "segment group",
            "zpa.segment_groups",
            ("list_groups", "get_group", "add_group", "update_group_v2", "delete_group"),  # v2 PUT, as the official
            path_id("group_id", "ZPA segment group"),
            style=ZPA_STYLE,
        ),
        (NAME, DESCRIPTION, ENABLED),
    ),
    *crud(
        Resource(
            "server_group",
            "zpa_server_groups",
            "server group",
            "zpa.server_groups",
            ("list_groups", "get_group", "add_group", "update_group", "delete_group"),
            path_id("group_id", "ZPA server group"),
            style=ZPA_STYLE,
        ),
        (
            NAME,
            DESCRIPTION,
            ENABLED,
            param(
                "app_connector_group_ids",
                "array",
                "IDs of the app connector groups that reach the servers.",
                items="string",
                required=True,
            ),
            param(
                "server_ids",
                "array",
                "IDs of application servers (only when dynamic discovery is off).",
                items="string",
            ),
            param("dynamic_discovery", "boolean", "Discover servers from the application segments' domains."),
            param("ip_anchored", "boolean", "Route the traffic through ZIA (source IP anchoring)."),
        ),
    ),
    *crud(
        Resource(
            "app_connector_group",
            "zpa_app_connector_groups",
            "app connector group",
            "zpa.app_connector_groups",
            (
                "list_connector_groups",
                "get_connector_group",
                "add_connector_group",
                "update_connector_group",
                "delete_connector_group",
            ),
            path_id("group_id", "ZPA app connector group"),
            style=ZPA_STYLE,
        ),
        (
            NAME,
            DESCRIPTION,
            ENABLED,
            param("location", "string", "Location name shown in the admin portal, e.g. 'San Jose, CA'."),
            param("latitude", "string", "Latitude of the location, e.g. '37.33'."),
            param("longitude", "string", "Longitude of the location, e.g. '-121.89'."),
            param("country_code", "string", "ISO 3166 alpha-2 country code."),
            param(
                "upgrade_day",
                "string",
                "Day connectors upgrade.",
                enum=("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"),
            ),
            param(
                "dns_query_type",
                "string",
                "DNS record types the connectors resolve.",
                enum=("IPV4_IPV6", "IPV4", "IPV6"),
            ),
            param("city_country", "string", "City and country of the location, e.g. 'San Jose, US'."),
            param("upgrade_time_in_secs", "string", "Second of the day upgrades start, e.g. '66600' (18:30)."),
            param("connector_ids", "array", "IDs of the app connectors in the group.", items="string"),
            param("server_group_ids", "array", "IDs of the server groups the group serves.", items="string"),
            param("enrollment_cert_id", "string", "Enrollment certificate ID of the group's connectors."),
            param("enrollment_cert_name", "string", "Enrollment certificate name, e.g. 'Connector'."),
            param("lss_app_connector_group", "boolean", "The group serves Log Streaming Service (LSS) only."),
            param("version_profile", "string", "Software version profile of the connectors, e.g. 'Default'."),
            VERSION_PROFILE[0],
        ),
    ),
    *crud(
        Resource(
            "application_server",
            "zpa_application_servers",
            "application server",
            "zpa.servers",
            ("list_servers", "get_server", "add_server", "update_server", "delete_server"),
            path_id("server_id", "ZPA application server"),
            style=ZPA_STYLE,
        ),
        (
            NAME,
            DESCRIPTION,
            ENABLED,
            param("address", "string", "IP address or FQDN of the server.", required=True),
            param("app_server_group_ids", "array", "IDs of the server groups the server belongs to.", items="string"),
        ),
    ),
    *_segment_variant(
        "",
        "",
        "zpa.application_segment",
        ("list_segments", "get_segment", "add_segment", "update_segment", "delete_segment"),
        _SEGMENT_FIELDS,
    ),
    *_segment_variant(  # the v2 module, as the official's: apps go in commonAppsDto (v1 is deprecated)
        "_ba",
        "browser-access ",
        "zpa.app_segments_ba_v2",
        ("list_segments_ba", "get_segment_ba", "add_segment_ba", "update_segment_ba", "delete_segment_ba"),
        _BA_FIELDS,
    ),
    *_segment_variant(
        "_pra",
        "privileged-remote-access ",
        "zpa.app_segments_pra",
        ("list_segments_pra", "get_segment_pra", "add_segment_pra", "update_segment_pra", "delete_segment_pra"),
        _PRA_FIELDS,
    ),
    list_tool(
        "get_zpa_app_segments_by_type",
        "zpa_app_segments",
        "List ZPA application segments of one application type.",
        "zpa.app_segment_by_type.get_segments_by_type",
        Param(
            "application_type",
            "string",
            "Application type to list.",
            required=True,
            enum=("BROWSER_ACCESS", "INSPECT", "SECURE_REMOTE_ACCESS"),
            location="path",
        ),
        SEARCH,
        MICROTENANT_Q,
        query("expand_all", "boolean", "Include each segment's full details."),
    ),
]


# --- access policies: five policy types, one shape --------------------------------------------

CONDITIONS = param(
    "conditions",
    "array",
    "Conditions in the ZPA API shape, e.g. "
    '[{"operator":"OR","operands":[{"objectType":"APP","lhs":"id","rhs":"<segment ID>"}]}]. '
    "objectType: APP, APP_GROUP, CLIENT_TYPE, IDP, SAML, SCIM, SCIM_GROUP, POSTURE, TRUSTED_NETWORK, MACHINE_GRP, "
    "PLATFORM, "
    "COUNTRY_CODE, LOCATION. SAML/SCIM: lhs attribute ID, rhs value; SCIM_GROUP: lhs IdP ID, rhs group ID; "
    'POSTURE/TRUSTED_NETWORK: lhs UDID, rhs "true". The v2 shape (operands with values or entryValues) works too.',
    items="object",
    convert="zpa_conditions_v2",
    also=("string",),
    syntax="zpa_conditions",
)
RULE_ORDER = param("rule_order", "string", 'Evaluation position of the rule ("1" = first); omitted = last.')
CUSTOM_MSG = param("custom_msg", "string", "Message shown to the user when the rule denies access.")
_RULE_ID = path_id("rule_id", "ZPA policy rule")


def _actions(actions: tuple[str, ...] | None, *, required: bool, api_requires: str = "") -> tuple[Param, ...]:
    """`action_type` (the official server's name) and `action` (ours): what the rule does with matching access."""
    if not actions:  # timeout rules: the action is implied (re-authenticate)
        return (param("action_type", "string", "What the rule does: RE_AUTH (implied).", enum=("RE_AUTH",)),)
    action_type = param(
        "action_type",
        "string",
        "What the rule does with matching access.",
        required=required,
        enum=actions,
        sdk_name="action",
        api_requires=api_requires,
    )
    return action_type, param("action", "string", "Same as action_type.", enum=actions, alias_of="action_type")


def _policy_rules(
    noun: str,
    label: str,
    policy_type: str,
    add: str,
    update: str,
    actions: tuple[str, ...] | None,
    fields: tuple[Param, ...],
    microtenant: bool = True,
    update_needs_action: bool = False,
) -> list[Tool]:
    """List/get/create/update/delete of one ZPA policy type (`policy_type` as the SDK names it).

    Create and update run the SDK's `*_v2` methods (`add` and `update` name them without the
    suffix), which write through `/mgmtconfig/v2/.../policySet/{id}/rule` in the v2 condition
    format, as the official server does; the v1 methods are deprecated by the SDK.
    """
    toolset = "zpa_access_policies"
    what = f"ZPA {label}"
    mt, mt_q = ((MICROTENANT,), (MICROTENANT_Q,)) if microtenant else ((), ())
    core = (NAME, DESCRIPTION, *_actions(actions, required=True), RULE_ORDER, CONDITIONS, *fields)
    # An update replaces the rule as sent (PUT): the API rejects a rule without a name; the app-protection
    # update method of the SDK also takes the action as a required argument.
    named = replace(NAME, api_requires="the ZPA API stores the rule as sent (PUT) and rejects one without a name.")
    action_required = "the SDK's update method for this policy takes the action as a required argument."
    update_actions = (
        _actions(actions, required=True, api_requires=action_required)
        if update_needs_action
        else _actions(actions, required=False)
    )
    update_core = (named, DESCRIPTION, *update_actions, RULE_ORDER, CONDITIONS, *fields)
    by_type = {"args": (policy_type,)}
    return [
        with_call(
            list_tool(
                f"zpa_list_{noun}s",
                toolset,
                f"List {what}s in evaluation order (every page).",
                "zpa.policies.list_rules",
                SEARCH,
                PAGE_SIZE,
                *mt_q,
            ),
            **by_type,
        ),
        with_call(
            get_tool(f"zpa_get_{noun}", toolset, f"Get one {what} by ID.", "zpa.policies.get_rule", _RULE_ID, *mt_q),
            **by_type,
        ),
        create_tool(
            f"zpa_create_{noun}",
            toolset,
            f"Create a {what}; it is placed at rule_order or last.",
            f"zpa.policies.{add}_v2",
            *core,
            *mt,
        ),
        update_tool(
            f"zpa_update_{noun}",
            toolset,
            f"Replace a {what}: the API stores the rule as sent, so give every field and condition to keep.",
            f"zpa.policies.{update}_v2",
            _RULE_ID,
            *update_core,
            *mt,
        ),
        with_call(
            delete_tool(
                f"zpa_delete_{noun}",
                toolset,
                f"Delete a {what} (destructive).",
                "zpa.policies.delete_rule",
                _RULE_ID,
                *mt,
            ),
            **by_type,
        ),
    ]


_POLICY_TOOLS = [
    *_policy_rules(
        "access_policy_rule",
        "access policy rule",
        "access",
        "add_access_rule",
        "update_access_rule",
        ("ALLOW", "DENY", "REQUIRE_APPROVAL"),
        (
            CUSTOM_MSG,
            param(
                "app_connector_group_ids",
                "array",
                "IDs of the app connector groups that may serve matching access.",
                items="string",
            ),
            param(
                "app_server_group_ids",
                "array",
                "IDs of the server groups that may serve matching access.",
                items="string",
            ),
        ),
    ),
    *_policy_rules(
        "timeout_policy_rule",
        "timeout policy rule",
        "timeout",
        "add_timeout_rule",
        "update_timeout_rule",
        None,
        (
            CUSTOM_MSG,
            param(
                "reauth_timeout",
                "integer",
                "Seconds before users must re-authenticate (e.g. 172800 = 2 days); -1 = never.",
                minimum=-1,
                also=("string",),
            ),
            param(
                "reauth_idle_timeout",
                "integer",
                "Seconds of idleness after which the connection times out (e.g. 600); -1 = never.",
                minimum=-1,
                also=("string",),
            ),
        ),
    ),
    *_policy_rules(
        "forwarding_policy_rule",
        "client forwarding policy rule",
        "client_forwarding",
        "add_client_forwarding_rule",
        "update_client_forwarding_rule",
        ("INTERCEPT", "INTERCEPT_ACCESSIBLE", "BYPASS"),
        (),
    ),
    *_policy_rules(
        "isolation_policy_rule",
        "isolation policy rule",
        "isolation",
        "add_isolation_rule",
        "update_isolation_rule",
        ("ISOLATE", "BYPASS_ISOLATE"),
        (
            param(
                "zpn_isolation_profile_id",
                "string",
                "Cloud Browser Isolation profile ID (required for ISOLATE; see get_zpa_isolation_profile).",
            ),
        ),
    ),
    *_policy_rules(
        "app_protection_rule",
        "app-protection (inspection) policy rule",
        "inspection",
        "add_app_protection_rule",
        "update_app_protection_rule",
        ("INSPECT", "BYPASS_INSPECT"),
        (
            param(
                "zpn_inspection_profile_id",
                "string",
                "App Protection profile ID (required for INSPECT; see get_zpa_app_protection_profile).",
            ),
        ),
        update_needs_action=True,
    ),
]


# --- connectors and service edges: enrolled appliances (no create: they enroll with a key) -----


def _appliances(
    noun: str,
    plural: str,
    label: str,
    toolset: str,
    sdk: str,
    methods: tuple[str, str, str, str, str],
    id_name: str,
    get_query_arg: str | None,
) -> list[Tool]:
    list_m, get_m, update_m, delete_m, bulk_m = methods
    what = f"ZPA {label}"
    ident = path_id(id_name, what)
    ids = param(f"{id_name}s", "array", f"IDs of the {label}s to delete.", items="string", required=True)
    return [
        list_tool(
            f"zpa_list_{plural}",
            toolset,
            f"List {what}s with health, version and status (every page).",
            f"{sdk}.{list_m}",
            *LIST_PARAMS,
        ),
        get_tool(
            f"zpa_get_{noun}",
            toolset,
            f"Get one {what} by ID.",
            f"{sdk}.{get_m}",
            ident,
            MICROTENANT_Q,
            query_arg=get_query_arg,
        ),
        update_tool(
            f"zpa_update_{noun}",
            toolset,
            f"Rename, describe, enable or disable a {what}.",
            f"{sdk}.{update_m}",
            ident,
            *optional((NAME,)),
            DESCRIPTION,
            ENABLED,
            MICROTENANT,
        ),
        delete_tool(
            f"zpa_delete_{noun}",
            toolset,
            f"Delete a {what} (destructive: it must be re-provisioned to reconnect).",
            f"{sdk}.{delete_m}",
            ident,
            MICROTENANT,
        ),
        delete_tool(
            f"zpa_bulk_delete_{plural}",
            toolset,
            f"Delete several {what}s at once (destructive: each must be re-provisioned).",
            f"{sdk}.{bulk_m}",
            ids,
            MICROTENANT,
        ),
    ]


_DAYS = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")
_SERVICE_EDGE_GROUP_FIELDS = (
    NAME,
    DESCRIPTION,
    ENABLED,
    param("location", "string", "Location name shown in the admin portal, e.g. 'San Jose, CA'.", required=True),
    param("latitude", "string", "Latitude of the location, e.g. '37.33'.", required=True),
    param("longitude", "string", "Longitude of the location, e.g. '-121.89'.", required=True),
    param("country_code", "string", "ISO 3166 alpha-2 country code."),
    param("city_country", "string", "City and country, e.g. 'San Jose, US'."),
    param(
        "is_public", "boolean", "Whether the service edges are publicly reachable (false for private service edges)."
    ),
    param("upgrade_day", "string", "Day service edges upgrade.", enum=_DAYS),
    param("upgrade_time_in_secs", "string", "Second of the day upgrades start, e.g. '66600' (18:30)."),
    param("service_edge_ids", "array", "IDs of service edges in the group.", items="string"),
    param("trusted_network_ids", "array", "IDs of trusted networks whose users prefer this group.", items="string"),
    param(
        "grace_distance_enabled",
        "boolean",
        "Prefer this group over a closer public service edge within the grace distance.",
    ),
    param("grace_distance_value", "number", "Grace distance, in grace_distance_value_unit.", minimum=0),
    param("grace_distance_value_unit", "string", "Unit of the grace distance.", enum=("MILES", "KMS")),
    param("enrollment_cert_id", "string", "Enrollment certificate ID; the 'Service Edge' certificate when omitted."),
    *VERSION_PROFILE,
)

_EDGE_TOOLS = [
    *_appliances(
        "app_connector",
        "app_connectors",
        "app connector",
        "zpa_connectors",
        "zpa.app_connectors",
        ("list_connectors", "get_connector", "update_connector", "delete_connector", "bulk_delete_connectors"),
        "connector_id",
        "query_params",
    ),
    *crud(
        Resource(
            "service_edge_group",
            "zpa_service_edge_groups",
            "service edge group",
            "zpa.service_edge_group",
            (
                "list_service_edge_groups",
                "get_service_edge_group",
                "add_service_edge_group",
                "update_service_edge_group",
                "delete_service_edge_group",
            ),
            path_id("group_id", "ZPA service edge group"),
            style=ZPA_STYLE,
        ),
        _SERVICE_EDGE_GROUP_FIELDS,
    ),
    *_appliances(
        "service_edge",
        "service_edges",
        "private service edge",
        "zpa_service_edge_groups",
        "zpa.service_edges",
        (
            "list_service_edges",
            "get_service_edge",
            "update_service_edge",
            "delete_service_edge",
            "bulk_delete_service_edges",
        ),
        "service_edge_id",
        None,
    ),
]


# --- browser access certificates ----------------------------------------------------------------

_CERT_ID = path_id("certificate_id", "ZPA browser access certificate")
_CERT_TOOLS = [
    list_tool(
        "zpa_list_ba_certificates",
        "zpa_ba_certificates",
        "List ZPA browser access certificates issued for clientless apps (every page).",
        "zpa.certificates.list_issued_certificates",
        *LIST_PARAMS,
    ),
    get_tool(
        "zpa_get_ba_certificate",
        "zpa_ba_certificates",
        "Get one ZPA browser access certificate by ID (the private key is never returned).",
        "zpa.certificates.get_certificate",
        _CERT_ID,
        MICROTENANT_Q,
    ),
    create_tool(
        "zpa_create_ba_certificate",
        "zpa_ba_certificates",
        "Upload a ZPA browser access certificate from PEM text.",
        "zpa.certificates.add_certificate",
        NAME,
        DESCRIPTION,
        param(
            "cert_blob",
            "string",
            "PEM text: the certificate, then its private key "
            "(-----BEGIN CERTIFICATE----- ... -----BEGIN PRIVATE KEY----- ...).",
            required=True,
        ),
        MICROTENANT,
    ),
    delete_tool(
        "zpa_delete_ba_certificate",
        "zpa_ba_certificates",
        "Delete a ZPA browser access certificate (destructive; segments using it lose HTTPS).",
        "zpa.certificates.delete_certificate",
        _CERT_ID,
        MICROTENANT,
    ),
]


# --- privileged remote access -------------------------------------------------------------------

_PRA_TOOLS = [
    *crud(
        Resource(
            "pra_portal",
            "zpa_pra",
            "PRA portal",
            "zpa.pra_portal",
            ("list_portals", "get_portal", "add_portal", "update_portal", "delete_portal"),
            path_id("portal_id", "ZPA PRA portal"),
            style=ZPA_STYLE,
        ),
        (
            NAME,
            DESCRIPTION,
            ENABLED,
            param("domain", "string", "Portal FQDN, e.g. 'pra.example.com'.", required=True),
            param(
                "certificate_id",
                "string",
                "ID of the browser access certificate that serves the portal domain.",
                required=True,
                api_requires="the ZPA API rejects a PRA portal without the certificate of its domain.",
            ),
            param("user_notification", "string", "Notice shown to users when they open the portal."),
            param("user_notification_enabled", "boolean", "Show user_notification."),
            param(
                "approval_reviewers",
                "array",
                "Emails of admins who approve privileged access requests.",
                items="string",
            ),
        ),
    ),
    *crud(
        Resource(
            "pra_credential",
            "zpa_pra",
            "PRA credential",
            "zpa.pra_credential",
            ("list_credentials", "get_credential", "add_credential", "update_credential", "delete_credential"),
            path_id("credential_id", "ZPA PRA credential"),
            style=ZPA_STYLE,
            keep_required=("credential_type",),
        ),
        (
            NAME,
            DESCRIPTION,
            param(
                "credential_type",
                "string",
                "Kind of secret; it cannot change after creation.",
                required=True,
                enum=("USERNAME_PASSWORD", "SSH_KEY", "PASSWORD"),
            ),
            param("user_name", "string", "Account name (USERNAME_PASSWORD and SSH_KEY)."),
            param("username", "string", "Same as user_name.", alias_of="user_name"),
            param("user_domain", "string", "Windows domain of the account, e.g. 'corp.example.com'."),
            param("password", "string", "Password (USERNAME_PASSWORD and PASSWORD); write-only, never returned."),
            param("private_key", "string", "PEM private key (SSH_KEY); write-only, never returned."),
            param("passphrase", "string", "Passphrase of an encrypted private key; write-only."),
        ),
    ),
]


# --- provisioning keys and enrollment certificates ----------------------------------------------

_KEY_TYPE = Param(
    "key_type",
    "string",
    "Which component the key enrolls.",
    required=True,
    enum=("connector", "service_edge"),
    location="path",
)
_KEY_ID = path_id("key_id", "ZPA provisioning key")
_KEY_FIELDS = (
    param("max_usage", "integer", "How many times the key may enroll a component.", minimum=1),
    param(
        "enrollment_cert_id",
        "string",
        "Enrollment certificate ID (see get_zpa_enrollment_certificate).",
        required=True,
        api_requires="the ZPA API signs the enrolled component with this certificate and rejects a key without one.",
    ),
    ENABLED,
    DESCRIPTION,
)
_KEY_TOOLS = [
    lookup(
        "get_zpa_enrollment_certificate",
        "zpa_provisioning_keys",
        "List ZPA enrollment certificates, filter by name, or get one by certificate_id.",
        "zpa.enrollment_certificates.list_enrolment",
        SEARCH,
        NAME_SEARCH,
        PAGE_SIZE,
        param("certificate_id", "string", "Get this one certificate instead of listing.", location="path"),
        when=("certificate_id", fetch_one("zpa.enrollment_certificates.get_enrolment", "certificate_id")),
    ),
    list_tool(
        "zpa_list_provisioning_keys",
        "zpa_provisioning_keys",
        "List ZPA provisioning keys of one component type (every page).",
        "zpa.provisioning.list_provisioning_keys",
        _KEY_TYPE,
        *LIST_PARAMS,
    ),
    get_tool(
        "zpa_get_provisioning_key",
        "zpa_provisioning_keys",
        "Get one ZPA provisioning key by ID and type.",
        "zpa.provisioning.get_provisioning_key",
        _KEY_ID,
        _KEY_TYPE,
        MICROTENANT_Q,
    ),
    create_tool(
        "zpa_create_provisioning_key",
        "zpa_provisioning_keys",
        "Create a ZPA provisioning key for a connector or service edge group.",
        "zpa.provisioning.add_provisioning_key",
        _KEY_TYPE,
        NAME,
        *_KEY_FIELDS,
        param(
            "component_id",
            "string",
            "ID of the app connector group or service edge group the key enrolls into.",
            required=True,
        ),
        MICROTENANT,
    ),
    update_tool(
        "zpa_update_provisioning_key",
        "zpa_provisioning_keys",
        "Update a ZPA provisioning key; only the given fields change.",
        "zpa.provisioning.update_provisioning_key",
        _KEY_ID,
        _KEY_TYPE,
        *optional((NAME, *_KEY_FIELDS)),
        param("component_id", "string", "ID of the group the key enrolls into.", sdk_name="zcomponent_id"),
        MICROTENANT,
    ),
    delete_tool(
        "zpa_delete_provisioning_key",
        "zpa_provisioning_keys",
        "Delete a ZPA provisioning key (destructive: it can no longer enroll).",
        "zpa.provisioning.delete_provisioning_key",
        _KEY_ID,
        _KEY_TYPE,
        MICROTENANT,
    ),
]


# --- identity: SAML and SCIM ---------------------------------------------------------------------

_IDP_ID = Param(
    "idp_id", "string", "ID of the identity provider (idpId on SAML attribute records).", required=True, location="path"
)
_IDP_NAME = Param(
    "idp_name", "string", "Name of the identity provider, instead of idp_id.", location="gateway", satisfies="idp_id"
)
IDP_BY_NAME = Lookup("zpa.idp.list_idps", "idp_name", ("search",), into="idp_id", match="name")
_SAML_BY_IDP = SdkCall(
    "zpa.saml_attributes.list_saml_attributes_by_idp", paginate=True, result=SdkResult.RECORDS, lookup=IDP_BY_NAME
)
_IDP_TOOLS = [
    lookup(
        "get_zpa_saml_attribute",
        "zpa_idp",
        "List ZPA SAML attributes, all or those of one IdP.",
        "zpa.saml_attributes.list_saml_attributes",
        SEARCH,
        PAGE_SIZE,
        Param("idp_id", "string", "Only the attributes of this identity provider.", location="path"),
        _IDP_NAME,
        when=("idp_id", _SAML_BY_IDP),
        also_when=("idp_name", _SAML_BY_IDP),
    ),
    with_call(
        lookup(
            "get_zpa_scim_attribute",
            "zpa_idp",
            "List the ZPA SCIM attributes of an IdP, or get one by attribute_id.",
            "zpa.scim_attributes.list_scim_attributes",
            _IDP_ID,
            _IDP_NAME,
            SEARCH,
            PAGE_SIZE,
            Param("attribute_id", "string", "Get this one attribute instead of listing.", location="path"),
            when=(
                "attribute_id",
                replace(
                    fetch_one("zpa.scim_attributes.get_scim_attribute", "idp_id", "attribute_id"), lookup=IDP_BY_NAME
                ),
            ),
        ),
        lookup=IDP_BY_NAME,
    ),
    with_call(
        lookup(
            "get_zpa_scim_group",
            "zpa_idp",
            "List the ZPA SCIM groups of an IdP, or get one by group_id.",
            "zpa.scim_groups.list_scim_groups",
            replace(
                _IDP_ID,
                api_requires="ZPA lists SCIM groups per identity provider: give idp_id, idp_name or group_id.",
            ),
            _IDP_NAME,
            SEARCH,
            PAGE_SIZE,
            Param(
                "group_id",
                "string",
                "Get this one SCIM group instead of listing (idp_id is then ignored).",
                location="path",
                satisfies="idp_id",
            ),
            Param("scim_group_id", "string", "Same as group_id.", location="path", alias_of="group_id"),
            when=("group_id", fetch_one("zpa.scim_groups.get_scim_group", "group_id")),
        ),
        lookup=IDP_BY_NAME,
    ),
]


# --- lookups and log streaming -------------------------------------------------------------------

_LSS_SOURCE_TYPES = (
    "zpn_trans_log",
    "zpn_auth_log",
    "zpn_ast_auth_log",
    "zpn_http_trans_log",
    "zpn_audit_log",
    "zpn_sys_auth_log",
    "zpn_ast_comprehensive_stats",
    "zpn_waf_http_exchanges_log",
)
_LSS_FRIENDLY_TYPES = (
    "all",
    "app_connector_metrics",
    "app_connector_status",
    "audit_logs",
    "browser_access",
    "private_svc_edge_status",
    "user_activity",
    "user_status",
    "web_inspection",
)


def _value(name: str, description: str, sdk: str, *params: Param) -> Tool:
    return with_call(read_tool(name, "zpa_misc", description, sdk, *params), result=SdkResult.VALUE)


_MISC_TOOLS = [
    list_tool(
        "get_zpa_app_protection_profile",
        "zpa_misc",
        "List ZPA App Protection (inspection) profiles, optionally filtered by name.",
        "zpa.app_protection.list_profiles",
        SEARCH,
        NAME_SEARCH,
        PAGE_SIZE,
    ),
    with_call(  # the CBI API's own profile list (cbiconfig), as the official reads it; one unpaged array
        list_tool(
            "get_zpa_isolation_profile",
            "zpa_misc",
            "List ZPA Cloud Browser Isolation profiles, optionally only those whose name contains `search`.",
            "zpa.cbi_profile.list_cbi_profiles",
            SEARCH,
            NAME_SEARCH,
        ),
        paginate=False,
        params=(),
        name_filter="search",
    ),
    lookup(
        "get_zpa_posture_profile",
        "zpa_misc",
        "List ZPA posture profiles, filter by name, or get one by profile_id.",
        "zpa.posture_profiles.list_posture_profiles",
        SEARCH,
        NAME_SEARCH,
        PAGE_SIZE,
        param("profile_id", "string", "Get this one posture profile instead of listing.", location="path"),
        when=("profile_id", fetch_one("zpa.posture_profiles.get_profile", "profile_id")),
    ),
    lookup(
        "get_zpa_trusted_network",
        "zpa_misc",
        "List ZPA trusted networks, filter by name, or get one by network_id.",
        "zpa.trusted_networks.list_trusted_networks",
        SEARCH,
        NAME_SEARCH,
        PAGE_SIZE,
        param("network_id", "string", "Get this one trusted network instead of listing.", location="path"),
        when=("network_id", fetch_one("zpa.trusted_networks.get_network", "network_id")),
    ),
    list_tool(
        "zpa_list_lss_configs",
        "zpa_misc",
        "List ZPA log streaming (LSS) configurations: which log feed streams to which receiver.",
        "zpa.lss.list_configs",
        SEARCH,
        PAGE_SIZE,
    ),
    get_tool(
        "zpa_get_lss_config",
        "zpa_misc",
        "Get one ZPA LSS configuration by ID.",
        "zpa.lss.get_config",
        path_id("lss_config_id", "ZPA LSS configuration"),
    ),
    _value(
        "zpa_list_lss_client_types",
        "Map ZPA client type names to their LSS identifiers (e.g. web_browser -> zpn_client_type_exporter).",
        "zpa.lss.get_client_types",
    ),
    _value(
        "zpa_get_lss_log_format",
        "Get the pre-built csv, json and tsv LSS log formats of one log type.",
        "zpa.lss.get_all_log_formats",
        query("log_type", "string", "The log type whose formats to return.", required=True, enum=_LSS_SOURCE_TYPES),
    ),
    _value(
        "zpa_list_lss_log_types",
        "List the LSS source log types: friendly name -> API log type.",
        "zpa.lss.source_log_map",
    ),
    _value(
        "zpa_list_lss_status_codes",
        "List ZPA LSS session status codes usable in LSS filters, all or those of one log type.",
        "zpa.lss.get_status_codes",
        query("log_type", "string", "Only codes of this log type (friendly name).", enum=_LSS_FRIENDLY_TYPES),
    ),
]

TOOLS += [*_POLICY_TOOLS, *_EDGE_TOOLS, *_CERT_TOOLS, *_PRA_TOOLS, *_KEY_TOOLS, *_IDP_TOOLS, *_MISC_TOOLS]
