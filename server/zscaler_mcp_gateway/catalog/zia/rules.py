"""ZIA policy rule tables: URL filtering, cloud firewall (filtering, DNS, IPS), SSL inspection,
file type control, sandbox, web DLP and cloud app control. Each table is one `rules(...)` call."""

from __future__ import annotations

from ..builders import list_tool, param, query, read_tool, with_call
from ..model import Action, Param, SdkCall, SdkResult, Tool
from ._common import (
    CAPTURE_PCAP,
    CLOUD_APPS,
    DEST_ADDRESSES,
    DEST_COUNTRIES,
    FILE_TYPES,
    FULL_LOGGING,
    PROTOCOLS,
    SEARCH,
    SRC_IPS,
    URL_CATEGORIES,
    flag,
    refs,
    rules,
    strings,
)

USER_AGENTS = ("OPERA", "FIREFOX", "MSIE", "MSEDGE", "CHROME", "SAFARI", "MSCHREDGE", "OTHER")
CAC_RULE_TYPES = (
    "AI_ML",
    "BUSINESS_PRODUCTIVITY",
    "CONSUMER",
    "CUSTOM_CAPP",
    "DNS_OVER_HTTPS",
    "ENTERPRISE_COLLABORATION",
    "FILE_SHARE",
    "FINANCE",
    "HEALTH_CARE",
    "HOSTING_PROVIDER",
    "HUMAN_RESOURCES",
    "INSTANT_MESSAGING",
    "IT_SERVICES",
    "LEGAL",
    "SALES_AND_MARKETING",
    "SOCIAL_NETWORKING",
    "STREAMING_MEDIA",
    "SYSTEM_AND_DEVELOPMENT",
    "WEBMAIL",
)


_FILE_ACTIONS = ("ALLOW", "BLOCK", "CAUTION")
_BA_ACTIONS = ("ALLOW", "BLOCK")


def _action(description: str, *values: str) -> Param:
    return param("action", "string", description, required=True, enum=values)


SRC_IP_GROUPS = refs("src_ip_groups", "Source IP group")
DEST_IP_GROUPS = refs("dest_ip_groups", "Destination IP group")
NW_SERVICES = refs("nw_services", "Network service")
VALIDITY = (
    flag("enforce_time_validity", "Apply only between validity_start_time and validity_end_time."),
    param("validity_start_time", "integer", "Validity start, epoch seconds."),
    param("validity_end_time", "integer", "Validity end, epoch seconds."),
)

# Each table's own fields: the common and useful ones. Updates keep every other field as it is.
_URL_FILTERING = (
    _action("Action on matching traffic.", "ALLOW", "CAUTION", "BLOCK", "ISOLATE"),
    URL_CATEGORIES,
    PROTOCOLS,
    strings(
        "request_methods",
        "HTTP methods matched (all when omitted).",
        enum=("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "OTHER", "POST", "PUT", "TRACE"),
    ),
    flag("block_override", "Let users override a BLOCK with a password."),
    *VALIDITY,
)
_FIREWALL = (
    _action("Action on matching traffic.", "ALLOW", "BLOCK_DROP", "BLOCK_RESET", "BLOCK_ICMP", "EVAL_NWAPP"),
    SRC_IPS,
    DEST_ADDRESSES,
    DEST_COUNTRIES,
    strings("nw_applications", "Network applications matched, e.g. DNS."),
    SRC_IP_GROUPS,
    DEST_IP_GROUPS,
    NW_SERVICES,
    refs("nw_service_groups", "Network service group"),
    FULL_LOGGING,
)
_DNS = (
    _action(
        "Action on matching DNS traffic.",
        "ALLOW",
        "BLOCK",
        "REDIR_REQ",
        "REDIR_RES",
        "REDIR_ZPA",
        "REDIR_REQ_DOH",
        "REDIR_REQ_KEEP_SENDER",
        "REDIR_REQ_TCP",
        "REDIR_REQ_UDP",
        "BLOCK_WITH_RESPONSE",
    ),
    strings("protocols", "DNS transports matched.", enum=("ANY_RULE", "TCP_RULE", "UDP_RULE", "DOHTTPS_RULE")),
    strings("applications", "DNS tunnels and network applications matched."),
    DEST_ADDRESSES,
    SRC_IP_GROUPS,
    DEST_IP_GROUPS,
    strings("res_categories", "URL categories of the resolved IPs matched."),
    param("redirect_ip", "string", "Where REDIR_* actions send the request."),
    param("block_response_code", "string", "DNS response code of a block, e.g. NXDOMAIN."),
)
_IPS = (
    _action("Action on matching traffic.", "ALLOW", "BLOCK_DROP", "BLOCK_RESET", "BYPASS_IPS"),
    refs("threat_categories", "IPS threat category"),
    DEST_ADDRESSES,
    SRC_IP_GROUPS,
    DEST_IP_GROUPS,
    NW_SERVICES,
    CAPTURE_PCAP,
)
_SSL = (
    param(
        "action",
        "object",
        "{type: DECRYPT|DO_NOT_DECRYPT|BLOCK, decryptSubActions: {...}, doNotDecryptSubActions: {...}}; "
        "a plain string is the type.",
        also=("string",),
        convert="typed",
    ),
    URL_CATEGORIES,
    CLOUD_APPS,
    strings(
        "platforms",
        "Client platforms matched.",
        enum=("SCAN_IOS", "SCAN_ANDROID", "SCAN_MACOS", "SCAN_WINDOWS", "NO_CLIENT_CONNECTOR", "SCAN_LINUX"),
    ),
    DEST_IP_GROUPS,
    refs("source_ip_groups", "Source IP group"),
)
_FILE_TYPE = (
    param(
        "action", "string", "Action on matching files.", required=True, enum=_FILE_ACTIONS, sdk_name="filtering_action"
    ),
    param("filtering_action", "string", "Same as action.", enum=_FILE_ACTIONS, alias_of="action"),
    FILE_TYPES,
    param("operation", "string", "Transfer direction matched.", enum=("UPLOAD", "DOWNLOAD", "UPLOAD_DOWNLOAD")),
    PROTOCOLS,
    URL_CATEGORIES,
    CLOUD_APPS,
    param("min_size", "integer", "Minimum file size, KB.", minimum=0),
    param("max_size", "integer", "Maximum file size, KB.", minimum=0),
)
_SANDBOX = (
    param(
        "action",
        "string",
        "Action on files the sandbox flags.",
        required=True,
        enum=_BA_ACTIONS,
        sdk_name="ba_rule_action",
    ),
    param("ba_rule_action", "string", "Same as action.", enum=_BA_ACTIONS, alias_of="action"),
    flag("first_time_enable", "Apply first_time_operation to never-seen files."),
    param(
        "first_time_operation",
        "string",
        "What happens to a never-seen file.",
        enum=("ALLOW_SCAN", "QUARANTINE", "ALLOW_NOSCAN", "QUARANTINE_ISOLATE"),
    ),
    flag("ml_action_enabled", "Use the AI instant verdict."),
    param("by_threat_score", "integer", "Minimum malicious threat score.", minimum=40, maximum=70),
    strings(
        "ba_policy_categories",
        "Threat classes acted on.",
        enum=(
            "ADWARE_BLOCK",
            "BOTMAL_BLOCK",
            "ANONYP2P_BLOCK",
            "RANSOMWARE_BLOCK",
            "OFFSEC_TOOLS_BLOCK",
            "SUSPICIOUS_BLOCK",
        ),
    ),
    FILE_TYPES,
    PROTOCOLS,
)
_WEB_DLP = (
    param("action", "string", "Action on matching content.", enum=("ANY", "BLOCK", "ALLOW", "ICAP_RESPONSE")),
    refs("dlp_engines", "DLP engine"),
    FILE_TYPES,
    PROTOCOLS,
    URL_CATEGORIES,
    CLOUD_APPS,
    param("min_size", "integer", "Minimum file size to inspect, KB.", minimum=0),
    flag("match_only", "Monitor only: match, take no action."),
    flag("ocr_enabled", "Scan text in images (OCR)."),
    refs("excluded_users", "Exempted user"),
)
_CAC = (
    strings(
        "actions",
        "Actions, specific to the rule type, e.g. BLOCK_WEBMAIL_SEND (see zia_list_cloud_app_control_actions).",
    ),
    param(
        "action",
        "string",
        "One action (the official server's argument): sent as actions [action].",
        sdk_name="actions",
        convert="listed",
    ),
    strings("applications", "Cloud application IDs governed, e.g. GOOGLE_WEBMAIL."),
    param("time_quota", "integer", "Minutes of use before the rule applies.", minimum=0),
    param("size_quota", "integer", "KB transferred before the rule applies.", minimum=0),
    *VALIDITY,
)
_RULE_TYPE = Param(
    "rule_type",
    "string",
    "Cloud app category the rule table belongs to (each category has its own table).",
    required=True,
    enum=CAC_RULE_TYPES,
    location="path",
)
_CLOUD_APP_CATALOG = (
    SEARCH,
    query("app_class", "string", "Only applications of this class, e.g. WEB_MAIL, FILE_SHARE."),
    query("group_results", "boolean", "Group the applications by class."),
)


def _cloud_app_catalog(name: str, toolset: str, what: str, method: str) -> Tool:
    return list_tool(
        name,
        toolset,
        f"List the ZIA cloud-application catalog usable in {what} rules.",
        f"zia.cloud_applications.{method}",
        *_CLOUD_APP_CATALOG,
    )


TOOLS: list[Tool] = [
    *rules("url_filtering_rules", "zia_url_filtering", "URL filtering rule", "zia.url_filtering", _URL_FILTERING),
    *rules("cloud_firewall_rules", "zia_cloud_firewall", "cloud firewall rule", "zia.cloud_firewall_rules", _FIREWALL),
    *rules("cloud_firewall_dns_rules", "zia_cloud_firewall", "cloud firewall DNS rule", "zia.cloud_firewall_dns", _DNS),
    *rules("cloud_firewall_ips_rules", "zia_cloud_firewall", "cloud firewall IPS rule", "zia.cloud_firewall_ips", _IPS),
    *rules(
        "ssl_inspection_rules",
        "zia_ssl_inspection",
        "SSL inspection rule",
        "zia.ssl_inspection_rules",
        _SSL,
        extra_list=[
            _cloud_app_catalog(
                "zia_list_cloud_app_ssl_policy", "zia_ssl_inspection", "SSL inspection", "list_cloud_app_ssl_policy"
            )
        ],
    ),
    *rules(
        "file_type_control_rules",
        "zia_file_type_control",
        "file type control rule",
        "zia.file_type_control_rule",
        _FILE_TYPE,
        extra_list=[
            list_tool(
                "zia_list_file_type_categories",
                "zia_file_type_control",
                "List the ZIA file-type categories usable in file type control rules.",
                "zia.file_type_control_rule.list_file_type_categories",
                query("enums", "boolean", "Return the category enum identifiers."),
                query("exclude_custom_file_types", "boolean", "Leave out custom file types."),
                paginate=False,
            )
        ],
    ),
    *rules("sandbox_rules", "zia_sandbox", "sandbox rule", "zia.sandbox_rules", _SANDBOX),
    *rules(
        "web_dlp_rules",
        "zia_dlp",
        "web DLP rule",
        "zia.dlp_web_rules",
        _WEB_DLP,
        extra_list=[
            Tool(
                "zia_list_web_dlp_rules_lite",
                "zia",
                "zia_dlp",
                Action.READ,
                "List ZIA web DLP rules, id and name only.",
                (SEARCH,),
                SdkCall("zia.dlp_web_rules.list_rules_lite", result=SdkResult.RECORDS, name_filter="search"),
            )
        ],
    ),
    *rules(
        "cloud_app_control_rules",
        "zia_cloud_app_control",
        "cloud app control rule",
        "zia.cloudappcontrol",
        _CAC,
        lead=(_RULE_TYPE,),
        extra_list=[
            with_call(
                read_tool(
                    "zia_list_cloud_app_control_actions",
                    "zia_cloud_app_control",
                    "List the actions a cloud app control rule of this type can take for the given applications.",
                    "zia.cloudappcontrol.list_available_actions",
                    _RULE_TYPE,
                    Param(
                        "cloud_apps",
                        "array",
                        "Cloud application IDs to scope the actions to, e.g. ['GOOGLE_WEBMAIL'].",
                        items="string",
                    ),
                ),
                kwargs=(("cloud_apps", ()),),  # the SDK takes them positionally: none = every application
            ),
            _cloud_app_catalog(
                "zia_list_cloud_app_policy", "zia_cloud_app_control", "cloud app control", "list_cloud_app_policy"
            ),
        ],
    ),
]
