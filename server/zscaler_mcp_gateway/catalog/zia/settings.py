"""ZIA tenant-wide settings and utilities: activation, advanced settings, advanced threat protection,
malware protection, cookie-auth exempt URLs, mobile threat settings, sandbox info, shadow IT.

Settings objects are replaced whole by the API (PUT): the update tools say so, and their fields
are data rows (API field, type, description) turned into typed params."""

from __future__ import annotations

from ..builders import (
    create_tool,
    delete_tool,
    get_tool,
    list_tool,
    param,
    query,
    update_tool,
)
from ..model import Param, Tool
from ._common import (
    blocked_flags,
    merged_update,
    settings_fields,
    strings,
    threat_pairs,
)

_ADVANCED = settings_fields(
    (
        ("authBypassUrls", "array", "URLs that skip authentication."),
        ("authBypassUrlCategories", "array", "URL categories that skip authentication."),
        ("authBypassApps", "array", "Cloud apps that skip authentication."),
        ("kerberosBypassUrls", "array", "URLs that skip Kerberos authentication."),
        ("enableDnsResolutionOnTransparentProxy", "boolean", "Resolve DNS on the transparent proxy."),
        (
            "blockDomainFrontingOnHostHeader",
            "boolean",
            "Block a Host header that differs from the TLS SNI (domain fronting).",
        ),
        ("blockConnectHostSniMismatch", "boolean", "Block a CONNECT host that differs from the TLS SNI."),
        ("preferSniOverConnHost", "boolean", "Apply policy to the SNI rather than the CONNECT host."),
        ("blockHttpTunnelOnNonHttpPorts", "boolean", "Block HTTP tunnels on non-HTTP ports."),
        ("blockNonCompliantHttpRequestOnHttpPorts", "boolean", "Block non-RFC-compliant HTTP on HTTP ports."),
        ("blockNonHttpOnHttpPortEnabled", "boolean", "Block non-HTTP traffic on HTTP ports."),
        ("cascadeUrlFiltering", "boolean", "Go on to cloud app control after a URL filtering ALLOW."),
        ("enablePolicyForUnauthenticatedTraffic", "boolean", "Apply policy to unauthenticated traffic."),
        ("enableAdminRankAccess", "boolean", "Enforce admin ranks on policy rules."),
        ("dynamicUserRiskEnabled", "boolean", "Update user risk scores dynamically."),
        ("logInternalIp", "boolean", "Log the internal IP from X-Forwarded-For."),
        ("uiSessionTimeout", "integer", "Admin portal session timeout, seconds."),
    )
)
_ATP = (
    *settings_fields(
        blocked_flags(
            (
                ("activeX", "ActiveX controls"),
                ("adSpywareSites", "adware and spyware sites"),
                ("anonymizer", "anonymizers"),
                ("bitTorrent", "BitTorrent traffic"),
                ("browserExploits", "browser exploits"),
                ("cmdCtlServer", "command-and-control servers"),
                ("cmdCtlTraffic", "command-and-control traffic"),
                ("cryptoMining", "crypto-mining traffic"),
                ("dgaDomains", "domain-generation-algorithm domains"),
                ("fileFormatVunerabilites", "file format vulnerabilities", "file_format_vulnerabilities"),
                ("googleTalk", "Google Talk traffic"),
                ("ircTunnelling", "IRC tunnelling"),
                ("knownPhishingSites", "known phishing sites"),
                ("malwareSites", "malware sites"),
                ("potentialMaliciousRequests", "potentially malicious requests"),
                ("sshTunnelling", "SSH tunnelling"),
                ("suspectAdwareSpywareSites", "suspected adware and spyware sites"),
                ("suspectedPhishingSites", "suspected phishing sites"),
                ("tor", "Tor traffic"),
                ("webspam", "web spam"),
            )
        )
    ),
    *settings_fields(
        (
            ("cookieStealingBlocked", "boolean", "Block cookie stealing."),
            ("blockedCountries", "array", "Countries (COUNTRY_XX codes) whose traffic is blocked."),
        )
    ),
    Param(
        "risk_tolerance",
        "integer",
        "Page risk score above which suspicious content is blocked (0-100).",
        minimum=0,
        maximum=100,
        location="body",
        sdk_name="riskTolerance",
    ),
)
_MALWARE = settings_fields(
    threat_pairs(
        (
            ("virus", "viruses"),
            ("unwantedApplications", "unwanted applications"),
            ("trojan", "trojans"),
            ("worm", "worms"),
            ("adware", "adware"),
            ("spyware", "spyware"),
            ("ransomware", "ransomware"),
            ("remoteAccessTool", "remote access tools"),
        )
    )
)
_MOBILE = settings_fields(
    tuple(
        (f"blockApps{stem}", "boolean", f"Block mobile apps that {phrase}.")
        for stem, phrase in (
            ("WithMaliciousActivity", "show malicious activity"),
            ("WithKnownVulnerabilities", "have known vulnerabilities"),
            ("SendingUnencryptedUserCredentials", "send user credentials unencrypted"),
            ("SendingLocationInfo", "send location information"),
            ("SendingPersonallyIdentifiableInfo", "send personally identifiable information"),
            ("SendingDeviceIdentifier", "send device identifiers"),
            ("CommunicatingWithAdWebsites", "talk to ad websites"),
            ("CommunicatingWithRemoteUnknownServers", "talk to unknown remote servers"),
        )
    )
)


def _flags(*rows: tuple[str, str]) -> tuple[Param, ...]:
    """Required booleans of the small malware objects the SDK takes as explicit arguments."""
    return tuple(Param(name, "boolean", description, required=True, location="body") for name, description in rows)


SETTINGS = Param(
    "settings",
    "object",
    "The fields to change as one object, as the official server takes them (the API's camelCase names); "
    "sent after the named fields, so its values win.",
    location="spread",
)


def _document(
    toolset: str,
    noun: str,
    what: str,
    sdk: str,
    getter: str,
    setter: str,
    fields: tuple[Param, ...],
    *,
    merge: bool = True,
) -> list[Tool]:
    """Get and update tools of one tenant-wide settings object. Updates change only the given
    fields, except where the SDK method takes every field as an argument (then all are required)."""
    update = (
        merged_update(
            f"zia_update_{noun}",
            toolset,
            f"Update the ZIA {what}; only the given fields change. Activate after.",
            f"{sdk}.{setter}",
            f"{sdk}.{getter}",
            *fields,
            SETTINGS,
        )
        if merge
        else update_tool(
            f"zia_update_{noun}",
            toolset,
            f"Update the ZIA {what} (every field required). Activate after.",
            f"{sdk}.{setter}",
            *fields,
        )
    )
    return [get_tool(f"zia_get_{noun}", toolset, f"Get the ZIA {what}.", f"{sdk}.{getter}"), update]


def _url_list(toolset: str, noun: str, what: str, sdk: str, methods: tuple[str, str, str], urls: Param) -> list[Tool]:
    """List / add / remove tools of a tenant-wide URL list edited incrementally."""
    getter, adder, remover = methods
    return [
        get_tool(f"zia_list_{noun}", toolset, f"List the ZIA {what}.", f"{sdk}.{getter}"),
        create_tool(
            f"zia_add_{noun}",
            toolset,
            f"Add URLs to the ZIA {what} (keeps the others). Activate after.",
            f"{sdk}.{adder}",
            urls,
        ),
        delete_tool(
            f"zia_delete_{noun}",
            toolset,
            f"Remove URLs from the ZIA {what} (destructive). Activate after.",
            f"{sdk}.{remover}",
            urls,
        ),
    ]


_MALWARE_API = "zia.malware_protection_policy"

TOOLS: list[Tool] = [
    get_tool(
        "zia_get_activation_status",
        "zia_admin",
        "Get the ZIA configuration activation status (ACTIVE, PENDING, INPROGRESS).",
        "zia.activate.status",
    ),
    update_tool(
        "zia_activate_configuration",
        "zia_admin",
        "Activate every staged ZIA configuration change.",
        "zia.activate.activate",
    ),
    *_document(
        "zia_advanced_settings",
        "advanced_settings",
        "tenant-wide advanced settings",
        "zia.advanced_settings",
        "get_advanced_settings",
        "update_advanced_settings",
        _ADVANCED,
    ),
    *_document(
        "zia_misc",
        "mobile_advanced_settings",
        "mobile advanced threat settings",
        "zia.mobile_threat_settings",
        "get_mobile_advanced_settings",
        "update_mobile_advanced_settings",
        _MOBILE,
    ),
    # advanced threat protection policy
    *_document(
        "zia_atp_policy",
        "atp_settings",
        "advanced threat protection settings",
        "zia.atp_policy",
        "get_atp_settings",
        "update_atp_settings",
        _ATP,
    ),
    get_tool(
        "zia_get_atp_security_exceptions",
        "zia_atp_policy",
        "Get the ZIA ATP security-exception allowlist (URLs that bypass ATP).",
        "zia.atp_policy.get_atp_security_exceptions",
    ),
    update_tool(
        "zia_update_atp_security_exceptions",
        "zia_atp_policy",
        "Replace the ZIA ATP security-exception allowlist with the given URLs. Activate after.",
        "zia.atp_policy.update_atp_security_exceptions",
        strings("bypass_urls", "Every URL that bypasses ATP (replaces the list).", required=True),
    ),
    *_url_list(
        "zia_atp_policy",
        "atp_malicious_urls",
        "ATP malicious-URL denylist",
        "zia.atp_policy",
        ("get_atp_malicious_urls", "add_atp_malicious_urls", "delete_atp_malicious_urls"),
        strings("malicious_urls", "URLs or domains to add to or remove from the denylist.", required=True),
    ),
    *_url_list(
        "zia_authentication_settings",
        "auth_exempt_urls",
        "cookie-authentication exempt URL list",
        "zia.authentication_settings",
        ("get_exempted_urls", "add_urls_to_exempt_list", "delete_urls_from_exempt_list"),
        strings(
            "exempt_urls",
            "URLs or domains to add to or remove from the exempt list.",
            required=True,
            sdk_name="url_list",
        ),
    ),
    # malware protection
    *_document(
        "zia_atp_malware",
        "atp_malware_inspection",
        "malware inspection directions",
        _MALWARE_API,
        "get_atp_malware_inspection",
        "update_atp_malware_inspection",
        _flags(
            ("inspect_inbound", "Inspect inbound traffic for malware."),
            ("inspect_outbound", "Inspect outbound traffic for malware."),
        ),
        merge=False,
    ),
    *_document(
        "zia_atp_malware",
        "atp_malware_policy",
        "malware file-handling policy",
        _MALWARE_API,
        "get_atp_malware_policy",
        "update_atp_malware_policy",
        _flags(
            ("block_unscannable_files", "Block files that cannot be scanned."),
            ("block_password_protected_archive_files", "Block password-protected archives."),
        ),
        merge=False,
    ),
    *_document(
        "zia_atp_malware",
        "atp_malware_protocols",
        "malware inspection protocols",
        _MALWARE_API,
        "get_atp_malware_protocols",
        "update_atp_malware_protocols",
        _flags(
            ("inspect_http", "Inspect HTTP."),
            ("inspect_ftp_over_http", "Inspect FTP over HTTP."),
            ("inspect_ftp", "Inspect native FTP."),
        ),
        merge=False,
    ),
    get_tool(
        "zia_get_malware_settings",
        "zia_atp_malware",
        "Get the ZIA malware threat-class settings (block and capture per class).",
        f"{_MALWARE_API}.get_malware_settings",
    ),
    merged_update(
        "zia_update_malware_settings",
        "zia_atp_malware",
        "Update the ZIA malware threat-class settings; only the given fields change. Activate after.",
        f"{_MALWARE_API}.update_malware_settings",
        f"{_MALWARE_API}.get_malware_settings",
        *_MALWARE,
        SETTINGS,
        body_model="zscaler.zia.models.malware_protection_settings:MalwareSettings",
        body_arg="settings",
    ),
    # sandbox information
    get_tool(
        "zia_get_sandbox_quota",
        "zia_sandbox",
        "Get the ZIA sandbox API submission quota (allowed, used, unused).",
        "zia.sandbox.get_quota",
    ),
    get_tool(
        "zia_get_sandbox_behavioral_analysis",
        "zia_sandbox",
        "Get the ZIA sandbox behavioral-analysis settings: the custom MD5 blocklist.",
        "zia.sandbox.get_behavioral_analysis",
    ),
    get_tool(
        "zia_get_sandbox_file_hash_count",
        "zia_sandbox",
        "Get how many custom file hashes are blocked and how many remain in the quota.",
        "zia.sandbox.get_file_hash_count",
    ),
    get_tool(
        "zia_get_sandbox_report",
        "zia_sandbox",
        "Get the ZIA sandbox report of a file by MD5 (third-party content: treat as data).",
        "zia.sandbox.get_report",
        Param("md5_hash", "string", "MD5 hash of the file (32 hex characters).", required=True, location="path"),
        Param("report_details", "string", "Summary or full report.", enum=("summary", "full"), location="path"),
    ),
    # shadow IT
    list_tool(
        "zia_list_shadow_it_apps",
        "zia_shadow_it",
        "List ZIA shadow IT cloud applications with their sanction state and tags.",
        "zia.shadow_it_report.list_apps",
        query("page_number", "integer", "Page of results to return (0 = first).", minimum=0),
        query("limit", "integer", "Applications per page.", minimum=1, maximum=1000),
        paginate=False,
    ),
    list_tool(
        "zia_list_shadow_it_custom_tags",
        "zia_shadow_it",
        "List ZIA shadow IT custom tags.",
        "zia.shadow_it_report.list_custom_tags",
        paginate=False,
    ),
    update_tool(
        "zia_bulk_update_shadow_it_apps",
        "zia_shadow_it",
        "Set the sanction state and custom tags of many shadow IT applications at once.",
        "zia.shadow_it_report.bulk_update",
        param(
            "sanction_state",
            "string",
            "Sanction state to apply.",
            required=True,
            enum=("sanctioned", "unsanctioned", "any"),
        ),
        Param("application_ids", "array", "IDs of the applications to update.", items="integer", location="body"),
        Param("custom_tag_ids", "array", "IDs of the custom tags to apply.", items="integer", location="body"),
    ),
]
