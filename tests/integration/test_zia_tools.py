"""Every ZIA tool, called for real: dispatcher -> zscaler-sdk-python -> HTTP -> simulator.

Reads run against the session simulator; writes run on a simulator of this module's own: each
resource goes create -> get -> update -> delete -> get (404), each settings object update -> get,
so state really changes upstream. One test drives the tools through the real MCP client.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from mcp import Client

from tests.support.toolcalls import assert_answered, call, call_error, reader_fixture, tool_names, writer_fixture
from zscaler_mcp_gateway.app import Gateway

SERVICES = ("zia",)
MALWARE_MD5 = "f3b1c5e0a9d84c2b8e7a6d5c4b3a2910"

# Arguments for reads that need some (ids of simulator seeds); every other read is called with none.
READ_ARGS: dict[str, dict[str, Any]] = {
    "zia_get_url_filtering_rule": {"rule_id": 101},
    "zia_get_cloud_firewall_rule": {"rule_id": 201},
    "zia_get_cloud_firewall_dns_rule": {"rule_id": 211},
    "zia_get_cloud_firewall_ips_rule": {"rule_id": 221},
    "zia_get_ssl_inspection_rule": {"rule_id": 231},
    "zia_get_file_type_control_rule": {"rule_id": 241},
    "zia_get_sandbox_rule": {"rule_id": 251},
    "zia_get_web_dlp_rule": {"rule_id": 261},
    "zia_list_cloud_app_control_rules": {"rule_type": "WEBMAIL"},
    "zia_get_cloud_app_control_rule": {"rule_type": "WEBMAIL", "rule_id": 271},
    "zia_list_cloud_app_control_actions": {"rule_type": "WEBMAIL", "cloud_apps": ["GOOGLE_WEBMAIL"]},
    "zia_get_rule_label": {"label_id": 1},
    "zia_get_time_interval": {"interval_id": 601},
    "zia_get_ip_destination_group": {"group_id": 3001},
    "zia_get_ip_source_group": {"group_id": 3051},
    "zia_get_network_app": {"app_id": "HTTP"},
    "zia_get_network_app_group": {"group_id": 3071},
    "zia_get_network_service": {"service_id": 3101},
    "zia_get_network_svc_group": {"group_id": 3151},
    "zia_get_ips_signature_rule": {"rule_id": 3201},
    "zia_get_url_category": {"category_id": "CUSTOM_01"},
    "zia_get_url_category_predefined": {"category_id": "NEWS_AND_MEDIA"},
    "zia_url_lookup": {"urls": ["news.example.com", "casino.example.com"]},
    "zia_get_location": {"location_id": 501},
    "zia_get_location_group": {"group_id": 521},
    "zia_get_static_ip": {"static_ip_id": 1401},
    "zia_get_vpn_credential": {"credential_id": 1501},
    "zia_get_gre_tunnel": {"tunnel_id": 1601},
    "zia_geo_search": {"prefix": "San"},
    "zia_get_workload_group": {"group_id": 1801},
    "zia_get_sandbox_report": {"md5_hash": MALWARE_MD5},
}

# The other modes of the list-or-get tools and the gateway-side filters, and what each returns.
VARIANTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("get_zia_users", {"user_id": 1001}, {"email": "alice@acme.example"}),
    ("get_zia_users", {"dept": "Fin"}, {"count": 1}),
    ("get_zia_user_groups", {"group_id": 703}, {"name": "SRE-Oncall"}),
    ("get_zia_user_departments", {"department_id": 802}, {"name": "Finance"}),
    ("get_zia_dlp_dictionaries", {"dict_id": 53}, {"name": "Acme Project Codenames"}),
    ("get_zia_dlp_dictionaries", {"lite": True, "search": "ssn"}, {"count": 1}),
    ("get_zia_dlp_engines", {"engine_id": 62}, {"name": "Source Code"}),
    ("get_zia_dlp_engines", {"lite": True}, {"count": 2}),
    ("zia_geo_search", {"ip": "192.0.2.44"}, {"cityName": "Toronto"}),
    ("zia_geo_search", {"latitude": 51.5, "longitude": -0.1}, {"cityName": "London"}),
    ("zia_list_cloud_firewall_dns_rules", {"search": "doh"}, {"count": 1}),
    ("zia_list_url_categories", {"custom_only": True}, {"count": 1}),
    ("zia_list_rule_labels", {"page_size": 1}, {"count": 3, "pages": 3}),
    ("zia_list_network_services", {"protocol": "UDP"}, {"count": 1}),
    ("zia_list_cloud_app_control_rules", {"rule_type": "STREAMING_MEDIA"}, {"count": 1}),
    ("zia_list_static_ips", {"available_for_gre_tunnel": True}, {"count": 2}),
    ("zia_get_sandbox_report", {"md5_hash": MALWARE_MD5, "report_details": "full"}, {}),
]

# noun, id param, create args, update args (None: the API has no update), (API field, value) the
# get shows after the update (after the create when there is no update), args every call repeats
Lifecycle = tuple[str, str, dict[str, Any], dict[str, Any] | None, tuple[str, Any], dict[str, Any]]


def _rule(noun: str, fields: dict[str, Any], **fixed: Any) -> Lifecycle:
    name = f"Test {noun}"[:27]
    create = {"name": name, "order": 1, "rank": 7, "state": "ENABLED", "labels": [1], "locations": [501], **fields}
    return noun, "rule_id", create, {**create, "name": f"{name} v2", "state": "DISABLED"}, ("name", f"{name} v2"), fixed


def _object(
    noun: str,
    id_param: str,
    create: dict[str, Any],
    update: dict[str, Any] | None,
    shows: tuple[str, Any] | None = None,
) -> Lifecycle:
    return noun, id_param, create, update, shows or ("name", (update or create)["name"]), {}


LIFECYCLES: list[Lifecycle] = [
    _rule(
        "url_filtering_rule",
        {
            "action": "BLOCK",
            "url_categories": ["GAMBLING"],
            "protocols": ["ANY_RULE"],
            "request_methods": ["GET", "POST"],
        },
    ),
    _rule(
        "cloud_firewall_rule",
        {"action": "BLOCK_DROP", "nw_services": [3101], "src_ip_groups": [3051], "enable_full_logging": True},
    ),
    _rule(
        "cloud_firewall_dns_rule",
        {"action": "REDIR_REQ", "redirect_ip": "10.10.0.53", "protocols": ["UDP_RULE"], "dest_ip_groups": [3001]},
    ),
    _rule(
        "cloud_firewall_ips_rule",
        {"action": "BYPASS_IPS", "threat_categories": [66], "dest_addresses": ["203.0.113.8"]},
    ),
    _rule(
        "ssl_inspection_rule",
        {
            "action": {"type": "DO_NOT_DECRYPT", "doNotDecryptSubActions": {"bypassOtherPolicies": True}},
            "url_categories": ["FINANCE"],
            "platforms": ["SCAN_MACOS"],
        },
    ),
    _rule(
        "file_type_control_rule",
        {
            "filtering_action": "BLOCK",
            "file_types": ["FTCATEGORY_PYTHON"],
            "operation": "UPLOAD",
            "protocols": ["ANY_RULE"],
        },
    ),
    _rule(
        "sandbox_rule",
        {
            "ba_rule_action": "BLOCK",
            "by_threat_score": 55,
            "ba_policy_categories": ["ADWARE_BLOCK"],
            "file_types": ["FTCATEGORY_ZIP"],
        },
    ),
    _rule(
        "web_dlp_rule",
        {
            "action": "BLOCK",
            "dlp_engines": [61],
            "protocols": ["HTTPS_RULE"],
            "excluded_users": [1003],
            "ocr_enabled": True,
        },
    ),
    _rule(
        "cloud_app_control_rule",
        {"actions": ["BLOCK_WEBMAIL_SEND"], "applications": ["GOOGLE_WEBMAIL"]},
        rule_type="WEBMAIL",
    ),
    _object(
        "rule_label", "label_id", {"name": "Test-Label", "description": "made by a test"}, {"name": "Test-Label-v2"}
    ),
    _object(
        "time_interval",
        "interval_id",
        {"name": "Night Shift", "start_time": 1320, "end_time": 360, "days_of_week": ["EVERYDAY"]},
        {"name": "Night Shift Late", "start_time": 1380, "end_time": 420, "days_of_week": ["MON", "TUE"]},
    ),
    _object(
        "ip_destination_group",
        "group_id",
        {"name": "Test-Dst", "type": "DSTN_IP", "addresses": ["192.0.2.0/24"]},
        {"name": "Test-Dst-v2", "type": "DSTN_IP", "addresses": ["192.0.2.0/25"]},
    ),
    _object(
        "ip_source_group",
        "group_id",
        {"name": "Test-Src", "ip_addresses": ["10.99.0.0/16"]},
        {"name": "Test-Src-v2", "ip_addresses": ["10.98.0.0/16"]},
    ),
    _object(
        "network_app_group",
        "group_id",
        {"name": "Test-Apps", "network_applications": ["DNS"]},
        {"name": "Test-Apps-v2", "network_applications": ["DNS", "SSH"]},
    ),
    _object(
        "network_service",
        "service_id",
        {"name": "Test-Svc", "ports": [["dest", "tcp", "8443"], ["dest", "udp", "9000", "9010"]]},
        {"name": "Test-Svc-v2", "ports": [["dest", "tcp", "8444"]]},
    ),
    _object(
        "network_svc_group",
        "group_id",
        {"name": "Test-Svc-Group", "service_ids": [3101]},
        {"name": "Test-Svc-Group-v2", "service_ids": [3101, 3102]},
    ),
    _object(
        "ips_signature_rule",
        "rule_id",
        {"name": "Test-Sig", "rule_text": 'alert tcp any any -> any 80 (msg:"t"; sid:1000099;)'},
        {"name": "Test-Sig-v2", "rule_text": 'alert tcp any any -> any 81 (msg:"t"; sid:1000099;)'},
    ),
    _object(
        "url_category",
        "category_id",
        {"configured_name": "Test-Category", "super_category": "USER_DEFINED", "urls": ["t1.example"]},
        {"configured_name": "Test-Category-v2", "urls": ["t2.example"]},
        ("configuredName", "Test-Category-v2"),
    ),
    _object(
        "location",
        "location_id",
        {
            "name": "Test-Branch",
            "country": "CANADA",
            "tz": "CANADA_AMERICA_TORONTO",
            "ip_addresses": ["192.0.2.44"],
            "profile": "CORPORATE",
        },
        {"name": "Test-Branch-v2", "ip_addresses": ["192.0.2.44"], "auth_required": True},
    ),
    _object(
        "static_ip",
        "static_ip_id",
        {"ip_address": "198.51.100.77", "comment": "test"},
        {"comment": "retagged", "geo_override": True, "latitude": 45.5, "longitude": -73.6},
        ("comment", "retagged"),
    ),
    _object(
        "vpn_credential",
        "credential_id",
        {"credential_type": "UFQDN", "fqdn": "test@acme.example", "pre_shared_key": "Psk-value-1234"},
        {"credential_type": "UFQDN", "pre_shared_key": "Psk-value-5678", "comments": "rotated"},
        ("comments", "rotated"),
    ),
    _object(
        "gre_tunnel",
        "tunnel_id",
        {"source_ip": "192.0.2.44", "comment": "test tunnel", "internal_ip_range": "172.17.7.0"},
        None,
        ("sourceIp", "192.0.2.44"),
    ),
]

# Writes to tenant-wide objects: (tool, args, read tool, read args, what the read must then show).
SETTINGS_WRITES: list[tuple[str, dict[str, Any], str, dict[str, Any], dict[str, Any]]] = [
    (
        "zia_update_advanced_settings",
        {"ui_session_timeout": 3600, "cascade_url_filtering": True, "auth_bypass_urls": [".idp.example"]},
        "zia_get_advanced_settings",
        {},
        {"uiSessionTimeout": 3600, "cascadeUrlFiltering": True, "authBypassUrls": [".idp.example"]},
    ),
    (
        "zia_update_mobile_advanced_settings",
        {"block_apps_sending_location_info": True},
        "zia_get_mobile_advanced_settings",
        {},
        {"blockAppsSendingLocationInfo": True},
    ),
    (
        "zia_update_atp_settings",
        {"risk_tolerance": 60, "tor_blocked": False, "file_format_vulnerabilities_blocked": True},
        "zia_get_atp_settings",
        {},
        {
            "riskTolerance": 60,
            "torBlocked": False,
            "fileFormatVunerabilitesBlocked": True,
            "cmdCtlTrafficCapture": True,
        },
    ),
    (
        "zia_update_atp_security_exceptions",
        {"bypass_urls": ["partner.example"]},
        "zia_get_atp_security_exceptions",
        {},
        {"bypassUrls": ["partner.example"]},
    ),
    (
        "zia_add_atp_malicious_urls",
        {"malicious_urls": ["new-bad.example"]},
        "zia_list_atp_malicious_urls",
        {},
        {"maliciousUrls": ["evil.example", "phish.example/login", "new-bad.example"]},
    ),
    (
        "zia_update_atp_malware_inspection",
        {"inspect_inbound": True, "inspect_outbound": False},
        "zia_get_atp_malware_inspection",
        {},
        {"inspectOutbound": False},
    ),
    (
        "zia_update_atp_malware_policy",
        {"block_unscannable_files": True, "block_password_protected_archive_files": False},
        "zia_get_atp_malware_policy",
        {},
        {"blockUnscannableFiles": True, "blockPasswordProtectedArchiveFiles": False},
    ),
    (
        "zia_update_atp_malware_protocols",
        {"inspect_http": True, "inspect_ftp_over_http": False, "inspect_ftp": True},
        "zia_get_atp_malware_protocols",
        {},
        {"inspectFtpOverHttp": False, "inspectFtp": True},
    ),
    (
        "zia_update_malware_settings",
        {"virus_blocked": True, "adware_capture": True},
        "zia_get_malware_settings",
        {},
        {"virusBlocked": True, "adwareCapture": True, "trojanBlocked": True},
    ),  # unsent classes keep their value
    (
        "zia_update_url_category_predefined",
        {"category_id": "NEWS_AND_MEDIA", "urls": ["news.acme.example"]},
        "zia_get_url_category_predefined",
        {"category_id": "NEWS_AND_MEDIA"},
        {"urls": ["news.acme.example"], "configuredName": "News and Media"},
    ),
    (
        "zia_add_urls_to_category",
        {"category_id": "CUSTOM_01", "configured_name": "Partner Portals", "urls": ["partner3.example.com"]},
        "zia_get_url_category",
        {"category_id": "CUSTOM_01"},
        {"urls": ["partner1.example.com", "partner2.example.com", "partner3.example.com"]},
    ),
    ("zia_activate_configuration", {}, "zia_get_activation_status", {}, {"status": "ACTIVE"}),
]
# Removals from seeded lists (a list cannot be read empty-handed, so these follow the additions).
REMOVALS: list[tuple[str, dict[str, Any], str, dict[str, Any], str, Any]] = [
    (
        "zia_delete_atp_malicious_urls",
        {"malicious_urls": ["evil.example"]},
        "zia_list_atp_malicious_urls",
        {},
        "maliciousUrls",
        "evil.example",
    ),
    (
        "zia_remove_urls_from_category",
        {"category_id": "CUSTOM_01", "configured_name": "Partner Portals", "urls": ["partner1.example.com"]},
        "zia_get_url_category",
        {"category_id": "CUSTOM_01"},
        "urls",
        "partner1.example.com",
    ),
]


reader = reader_fixture(SERVICES, "zia-read")
writer = writer_fixture(SERVICES, "zia-write")


@pytest.mark.parametrize("name", tool_names(SERVICES, write=False))
async def test_every_read_tool_answers_from_the_simulator(reader: Gateway, name: str) -> None:
    assert_answered(name, await call(reader, name, READ_ARGS.get(name)))


@pytest.mark.parametrize(("name", "args", "expected"), VARIANTS, ids=[f"{n}-{'-'.join(a)}" for n, a, _ in VARIANTS])
async def test_lookup_variants_and_filters_return_what_they_ask_for(
    reader: Gateway, name: str, args: dict[str, Any], expected: dict[str, Any]
) -> None:
    payload = await call(reader, name, args)
    assert {k: payload.get(k) for k in expected} == expected


async def test_list_results_are_the_api_records_verbatim(reader: Gateway) -> None:
    rules = await call(reader, "zia_list_url_filtering_rules")
    first = rules["items"][0]
    assert first["lastModifiedBy"]["name"] == "admin@acme.example"  # the SDK model would have renamed it
    assert (await call(reader, "zia_url_lookup", {"urls": ["casino.example.com"]}))[0]["urlClassifications"] == [
        "GAMBLING"
    ]
    report = await call(reader, "zia_get_sandbox_report", {"md5_hash": MALWARE_MD5, "report_details": "full"})
    assert report["Full Details"]["Classification"]["Type"] == "MALICIOUS"


async def test_unknown_ids_and_bad_bodies_are_api_errors(reader: Gateway) -> None:
    assert "404" in await call_error(reader, "zia_get_location", {"location_id": 999})
    assert "404" in await call_error(
        reader, "zia_get_cloud_app_control_rule", {"rule_type": "STREAMING_MEDIA", "rule_id": 271}
    )
    assert "404" in await call_error(reader, "zia_get_sandbox_report", {"md5_hash": "0" * 32})
    assert "400" in await call_error(reader, "zia_create_location", {"name": "No-Addresses"})
    assert "400" in await call_error(reader, "zia_create_gre_tunnel", {"source_ip": "not-an-ip"})
    assert "validation failed" in await call_error(
        reader, "zia_create_ips_signature_rule", {"name": "bad", "rule_text": "not a rule"}
    )


@pytest.mark.parametrize(
    ("noun", "id_param", "create", "update", "shows", "fixed"), LIFECYCLES, ids=[lc[0] for lc in LIFECYCLES]
)
async def test_write_tools_change_the_upstream_state(
    writer: Gateway,
    noun: str,
    id_param: str,
    create: dict[str, Any],
    update: dict[str, Any] | None,
    shows: tuple[str, Any],
    fixed: dict[str, Any],
) -> None:
    created = await call(writer, f"zia_create_{noun}", {**fixed, **create})
    assert isinstance(
        created["id"], str if id_param == "category_id" else int
    )  # ZIA ids are integers; custom categories CUSTOM_nn
    ident = {**fixed, id_param: created["id"]}
    if update is not None:
        await call(writer, f"zia_update_{noun}", {**ident, **update})
    field, value = shows
    assert (await call(writer, f"zia_get_{noun}", ident))[field] == value
    await call(writer, f"zia_delete_{noun}", ident)
    assert "404" in await call_error(writer, f"zia_get_{noun}", ident)


async def test_updates_change_only_the_given_fields(writer: Gateway) -> None:
    """ZIA PUTs replace whole objects; the gateway reads the object and sends it back changed."""
    await call(writer, "zia_update_url_filtering_rule", {"rule_id": 102, "state": "DISABLED"})
    rule = await call(writer, "zia_get_url_filtering_rule", {"rule_id": 102})
    assert (
        rule["state"] == "DISABLED"
        and rule["urlCategories"] == ["SOCIAL_NETWORKING"]
        and rule["departments"] == [{"id": 802, "name": "Finance"}]
    )
    await call(
        writer, "zia_update_cloud_app_control_rule", {"rule_type": "STREAMING_MEDIA", "rule_id": 272, "time_quota": 30}
    )
    cac = await call(writer, "zia_get_cloud_app_control_rule", {"rule_type": "STREAMING_MEDIA", "rule_id": 272})
    assert cac["timeQuota"] == 30 and cac["actions"] == ["CAUTION_STREAMING_VIEW_LISTEN"]


async def test_vpn_pre_shared_keys_are_write_only(writer: Gateway) -> None:
    created = await call(
        writer,
        "zia_create_vpn_credential",
        {"credential_type": "IP", "ip_address": "198.51.100.10", "pre_shared_key": "Never-Returned-1"},
    )
    listed = await call(writer, "zia_list_vpn_credentials", {"type": "IP"})
    assert "preSharedKey" not in created and all("preSharedKey" not in r for r in listed["items"])


@pytest.mark.parametrize(
    ("name", "args", "reader_name", "read_args", "expected"), SETTINGS_WRITES, ids=[w[0] for w in SETTINGS_WRITES]
)
async def test_settings_writes_take_effect(
    writer: Gateway,
    name: str,
    args: dict[str, Any],
    reader_name: str,
    read_args: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    await call(writer, name, args)
    after = await call(writer, reader_name, read_args)
    assert {k: after.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("name", "args", "reader_name", "read_args", "field", "gone"), REMOVALS, ids=[r[0] for r in REMOVALS]
)
async def test_list_removals_take_effect(
    writer: Gateway, name: str, args: dict[str, Any], reader_name: str, read_args: dict[str, Any], field: str, gone: Any
) -> None:
    await call(writer, name, args)
    assert gone not in (await call(writer, reader_name, read_args))[field]


async def test_auth_exempt_list_add_and_remove(writer: Gateway) -> None:
    # The SDK sleeps 2 s after each edit of this list: run the two edits side by side.
    await asyncio.gather(
        call(writer, "zia_add_auth_exempt_urls", {"exempt_urls": ["sso.new-idp.example"]}),
        call(writer, "zia_delete_auth_exempt_urls", {"exempt_urls": [".office365.com"]}),
    )
    assert (await call(writer, "zia_list_auth_exempt_urls"))["urls"] == ["sso.partner.example", "sso.new-idp.example"]


async def test_shadow_it_bulk_update_sets_state_and_tags(writer: Gateway) -> None:
    await call(
        writer,
        "zia_bulk_update_shadow_it_apps",
        {"sanction_state": "sanctioned", "application_ids": [11001], "custom_tag_ids": [2]},
    )
    apps = {a["id"]: a for a in (await call(writer, "zia_list_shadow_it_apps"))["items"]}
    assert apps[11001]["sanctionedState"] == "SANCTIONED" and apps[11001]["customTags"] == [
        {"id": 2, "name": "Under-Review"}
    ]
    assert "400" in await call_error(
        writer, "zia_bulk_update_shadow_it_apps", {"sanction_state": "any", "custom_tag_ids": [99]}
    )


def test_every_write_tool_is_exercised() -> None:
    exercised = {
        "zia_create_vpn_credential",
        "zia_add_auth_exempt_urls",
        "zia_delete_auth_exempt_urls",
        "zia_bulk_update_shadow_it_apps",
    }
    exercised |= {w[0] for w in SETTINGS_WRITES} | {r[0] for r in REMOVALS}
    for noun, _, _, update, _, _ in LIFECYCLES:
        exercised |= {f"zia_create_{noun}", f"zia_delete_{noun}"} | (
            {f"zia_update_{noun}"} if update is not None else set()
        )
    assert set(tool_names(SERVICES, write=True)) == exercised


async def test_zia_tools_over_the_real_mcp_client(gateway_with: Any) -> None:
    gw = gateway_with("toolsets: [zia_cloud_firewall, zia_admin, zia_users]\n")
    async with Client(gw.mcp_url, mode="legacy") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        rules = await client.call_tool("zia_list_cloud_firewall_rules", {"search": "smb"})
        users = await client.call_tool("get_zia_users", {"user_id": 1002})
        instructions = client.instructions or ""
    assert (
        "zia_create_cloud_firewall_rule" not in tools and "zia_activate_configuration" not in tools
    )  # writes stay off without the switch
    assert {"zia_get_activation_status", "get_zia_users", "zia_list_network_services"} <= set(tools)
    schema = tools["zia_get_cloud_firewall_rule"].input_schema
    assert schema["required"] == ["rule_id"] and schema["properties"]["rule_id"]["type"] == ["integer", "string"]
    assert all(p.get("description") for t in tools.values() for p in t.input_schema.get("properties", {}).values())
    assert instructions.count("evaluated by `order`") == 1  # the rule-order snippet, once for all rule toolsets
    assert (
        not rules.is_error
        and '"Block SMB Outbound"' in rules.content[0].text
        and '"Allow DNS"' not in rules.content[0].text
    )  # type: ignore[union-attr]
    assert not users.is_error and "bob@acme.example" in users.content[0].text  # type: ignore[union-attr]
