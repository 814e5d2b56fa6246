"""Every ZPA tool, called for real: dispatcher -> zscaler-sdk-python -> HTTP -> simulator.

Reads run against the session simulator; writes run on a simulator of this module's own, each
resource through create -> get -> update -> delete -> get (404), so state really changes upstream.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from tests.support.toolcalls import assert_answered, call, call_error, reader_fixture, tool_names, writer_fixture
from zscaler_mcp_gateway.app import Gateway
from zscaler_mcp_gateway.simulator.zpa import IDP_AZURE, IDP_OKTA

SERVICES = ("zpa",)
OKTA = {"idp_id": IDP_OKTA}

# Arguments for reads that need some; every other read tool is called with none.
READ_ARGS: dict[str, dict[str, Any]] = {
    "zpa_get_segment_group": {"group_id": "72058304855015425"},
    "zpa_get_server_group": {"group_id": "72058304855015501"},
    "zpa_get_app_connector_group": {"group_id": "72058304855015601"},
    "zpa_get_application_server": {"server_id": "72058304855015701"},
    "zpa_get_application_segment": {"segment_id": "72058304855015801"},
    "zpa_get_application_segment_ba": {"segment_id": "72058304855015803"},
    "zpa_get_application_segment_pra": {"segment_id": "72058304855015804"},
    "get_zpa_app_segments_by_type": {"application_type": "BROWSER_ACCESS"},
    "zpa_get_access_policy_rule": {"rule_id": "72058304855017001"},
    "zpa_get_timeout_policy_rule": {"rule_id": "72058304855017101"},
    "zpa_get_forwarding_policy_rule": {"rule_id": "72058304855017201"},
    "zpa_get_isolation_policy_rule": {"rule_id": "72058304855017301"},
    "zpa_get_app_protection_rule": {"rule_id": "72058304855017401"},
    "zpa_get_ba_certificate": {"certificate_id": "72058304855020001"},
    "zpa_get_app_connector": {"connector_id": "72058304855019001"},
    "zpa_get_service_edge": {"service_edge_id": "72058304855019601"},
    "zpa_get_service_edge_group": {"group_id": "72058304855019501"},
    "zpa_get_pra_portal": {"portal_id": "72058304855021001"},
    "zpa_get_pra_credential": {"credential_id": "72058304855022001"},
    "zpa_list_provisioning_keys": {"key_type": "connector"},
    "zpa_get_provisioning_key": {"key_id": "72058304855028001", "key_type": "connector"},
    "get_zpa_scim_attribute": OKTA,
    "get_zpa_scim_group": OKTA,
    "zpa_get_lss_config": {"lss_config_id": "72058304855027001"},
    "zpa_get_lss_log_format": {"log_type": "zpn_trans_log"},
}

# The other modes of the official list-or-lookup tools, and what each must return.
VARIANTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("get_zpa_enrollment_certificate", {"certificate_id": "2522"}, {"name": "Service Edge"}),
    ("get_zpa_enrollment_certificate", {"search": "Connector"}, {"count": 1}),
    ("get_zpa_posture_profile", {"profile_id": "72058304855025002"}, {"name": "Disk Encrypted"}),
    ("get_zpa_trusted_network", {"network_id": "72058304855026001"}, {"name": "HQ-Corp-LAN"}),
    ("get_zpa_saml_attribute", {"idp_id": IDP_AZURE}, {"count": 1}),
    ("get_zpa_scim_attribute", {**OKTA, "attribute_id": "72058304855024002"}, {"name": "department"}),
    ("get_zpa_scim_group", {**OKTA, "group_id": "295002"}, {"name": "Finance"}),
    ("get_zpa_scim_group", {"idp_id": IDP_AZURE}, {"count": 1}),
    ("zpa_list_provisioning_keys", {"key_type": "service_edge"}, {"count": 1}),
    ("zpa_list_access_policy_rules", {"page_size": 1}, {"count": 3, "pages": 3}),
]

CERT_PEM = (
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUSim\n-----END CERTIFICATE-----\n"
    "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n"
)
APP_CONDITION = [{"operator": "OR", "operands": [{"objectType": "APP", "lhs": "id", "rhs": "72058304855015801"}]}]


def _lifecycle(
    noun: str, id_param: str, create: dict[str, Any], update: dict[str, Any] | None, fixed: dict[str, Any] | None = None
) -> tuple[str, str, dict[str, Any], dict[str, Any] | None, dict[str, Any]]:
    return noun, id_param, create, update, fixed or {}


# noun, id param, create args, update args (None: the API has no update), args every call repeats
LIFECYCLES = [
    _lifecycle("segment_group", "group_id", {"name": "SG-Test", "enabled": True}, {"description": "updated"}),
    _lifecycle(
        "server_group",
        "group_id",
        {"name": "SRV-Test", "app_connector_group_ids": ["72058304855015601"]},
        {"description": "updated"},
    ),
    _lifecycle(
        "app_connector_group",
        "group_id",
        {"name": "ACG-Test", "location": "Austin, TX", "latitude": "30.27", "longitude": "-97.74"},
        {"upgrade_day": "MONDAY"},
    ),
    _lifecycle("application_server", "server_id", {"name": "srv-test", "address": "10.1.2.3"}, {"address": "10.1.2.4"}),
    _lifecycle(
        "application_segment",
        "segment_id",
        {
            "name": "App-Test",
            "domain_names": ["test.internal.example.com"],
            "segment_group_id": "72058304855015425",
            "tcp_port_ranges": ["443", "443"],
        },
        {"description": "updated"},
    ),
    _lifecycle(
        "application_segment_ba",
        "segment_id",
        {
            "name": "App-Test-BA",
            "domain_names": ["ba.internal.example.com"],
            "segment_group_id": "72058304855015425",
            "tcp_port_ranges": ["443", "443"],
            "clientless_app_ids": [
                {
                    "name": "ba",
                    "applicationPort": "443",
                    "applicationProtocol": "HTTPS",
                    "certificateId": "72058304855020001",
                    "domain": "ba.internal.example.com",
                }
            ],
        },
        {"description": "updated"},
    ),
    _lifecycle(
        "application_segment_pra",
        "segment_id",
        {
            "name": "App-Test-PRA",
            "domain_names": ["rdp.internal.example.com"],
            "segment_group_id": "72058304855015425",
            "tcp_port_ranges": ["3389", "3389"],
            "common_apps_dto": {
                "apps_config": [
                    {
                        "name": "rdp",
                        "app_types": ["SECURE_REMOTE_ACCESS"],
                        "application_port": "3389",
                        "application_protocol": "RDP",
                        "domain": "rdp.internal.example.com",
                    }
                ]
            },
        },
        {"description": "updated"},
    ),
    _lifecycle(
        "access_policy_rule",
        "rule_id",
        {"name": "Test allow", "action": "ALLOW", "conditions": APP_CONDITION},
        {"name": "Test allow v2", "action": "DENY", "conditions": APP_CONDITION},
    ),
    _lifecycle(
        "timeout_policy_rule",
        "rule_id",
        {"name": "Test timeout", "reauth_timeout": 172800, "reauth_idle_timeout": 600},
        {"name": "Test timeout v2", "reauth_timeout": 86400},
    ),
    _lifecycle(
        "forwarding_policy_rule",
        "rule_id",
        {"name": "Test bypass", "action": "BYPASS"},
        {"name": "Test bypass v2", "action": "INTERCEPT"},
    ),
    _lifecycle(
        "isolation_policy_rule",
        "rule_id",
        {"name": "Test isolate", "action": "ISOLATE", "zpn_isolation_profile_id": "72058304855018801"},
        {"name": "Test isolate v2", "action": "BYPASS_ISOLATE"},
    ),
    _lifecycle(
        "app_protection_rule",
        "rule_id",
        {"name": "Test inspect", "action": "INSPECT", "zpn_inspection_profile_id": "72058304855018701"},
        {"name": "Test inspect v2", "action": "BYPASS_INSPECT"},
    ),
    _lifecycle("ba_certificate", "certificate_id", {"name": "test.example.com", "cert_blob": CERT_PEM}, None),
    _lifecycle(
        "service_edge_group",
        "group_id",
        {"name": "PSE-Test", "location": "Austin, TX", "latitude": "30.27", "longitude": "-97.74"},
        {"enabled": False},
    ),
    _lifecycle(
        "pra_portal",
        "portal_id",
        {"name": "Test portal", "domain": "pra2.example.com", "certificate_id": "72058304855020002"},
        {"user_notification": "Recorded."},
    ),
    _lifecycle(
        "pra_credential",
        "credential_id",
        {"name": "test-cred", "credential_type": "PASSWORD", "password": "S3cret-value!"},
        {"credential_type": "PASSWORD", "password": "N3w-value!", "description": "rotated"},
    ),
    _lifecycle(
        "provisioning_key",
        "key_id",
        {"name": "Test-Key", "max_usage": 3, "enrollment_cert_id": "2521", "component_id": "72058304855015601"},
        {"max_usage": 5},
        fixed={"key_type": "connector"},
    ),
]
# Enrolled appliances cannot be created through the API: update, delete and bulk-delete seeded ones.
APPLIANCE_WRITES: list[tuple[str, dict[str, Any]]] = [
    (
        "zpa_update_app_connector",
        {"connector_id": "72058304855019001", "name": "ac-ashburn-01-renamed", "enabled": False},
    ),
    ("zpa_delete_app_connector", {"connector_id": "72058304855019002"}),
    ("zpa_bulk_delete_app_connectors", {"connector_ids": ["72058304855019001", "72058304855019003"]}),
    ("zpa_update_service_edge", {"service_edge_id": "72058304855019601", "description": "rack 4"}),
    ("zpa_delete_service_edge", {"service_edge_id": "72058304855019601"}),
    ("zpa_bulk_delete_service_edges", {"service_edge_ids": ["72058304855019602"]}),
]


reader = reader_fixture(SERVICES, "zpa-read")
writer = writer_fixture(SERVICES, "zpa-write")


@pytest.mark.parametrize("name", tool_names(SERVICES, write=False))
async def test_every_read_tool_answers_from_the_simulator(reader: Gateway, name: str) -> None:
    assert_answered(name, await call(reader, name, READ_ARGS.get(name)))


@pytest.mark.parametrize(("name", "args", "expected"), VARIANTS, ids=[f"{n}-{'-'.join(a)}" for n, a, _ in VARIANTS])
async def test_lookup_variants_return_what_they_ask_for(
    reader: Gateway, name: str, args: dict[str, Any], expected: dict[str, Any]
) -> None:
    payload = await call(reader, name, args)
    assert {k: payload.get(k) for k in expected} == expected


async def test_lss_helpers_return_the_api_catalogs(reader: Gateway) -> None:
    assert (await call(reader, "zpa_list_lss_client_types"))["web_browser"] == "zpn_client_type_exporter"
    assert (await call(reader, "zpa_list_lss_log_types"))["user_activity"] == "zpn_trans_log"
    formats = await call(reader, "zpa_get_lss_log_format", {"log_type": "zpn_audit_log"})
    assert set(formats) == {"csv", "json", "tsv"}
    codes = await call(reader, "zpa_list_lss_status_codes", {"log_type": "app_connector_status"})
    assert codes and all("zpn_ast_auth_log" in c["log_types"] for c in codes.values())


async def test_unknown_ids_and_bad_bodies_are_api_errors(reader: Gateway) -> None:
    assert "404" in await call_error(reader, "zpa_get_access_policy_rule", {"rule_id": "1"})
    assert "404" in await call_error(reader, "zpa_get_service_edge", {"service_edge_id": "1"})
    assert "400" in await call_error(
        reader, "zpa_create_ba_certificate", {"name": "x", "cert_blob": "not a certificate"}
    )


@pytest.mark.parametrize(
    ("noun", "id_param", "create", "update", "fixed"), LIFECYCLES, ids=[lc[0] for lc in LIFECYCLES]
)
async def test_write_tools_change_the_upstream_state(
    writer: Gateway,
    noun: str,
    id_param: str,
    create: dict[str, Any],
    update: dict[str, Any] | None,
    fixed: dict[str, Any],
) -> None:
    created = await call(writer, f"zpa_create_{noun}", {**fixed, **create})
    ident = {**fixed, id_param: str(created["id"])}
    assert (await call(writer, f"zpa_get_{noun}", ident))["name"] == create["name"]
    if update is not None:
        await call(writer, f"zpa_update_{noun}", {**ident, **update})
        after = await call(writer, f"zpa_get_{noun}", ident)
        assert after.get("name") == update.get("name", create["name"])
    await call(writer, f"zpa_delete_{noun}", ident)
    assert "404" in await call_error(writer, f"zpa_get_{noun}", ident)


async def test_pra_credential_secrets_are_write_only(writer: Gateway) -> None:
    created = await call(
        writer,
        "zpa_create_pra_credential",
        {"name": "svc-rdp", "credential_type": "USERNAME_PASSWORD", "user_name": "svc", "password": "Pa55-word!"},
    )
    fetched = await call(writer, "zpa_get_pra_credential", {"credential_id": created["id"]})
    assert "password" not in created and "password" not in fetched and fetched["userName"] == "svc"
    rejected = await call_error(
        writer, "zpa_create_pra_credential", {"name": "bad", "credential_type": "SSH_KEY", "user_name": "x"}
    )
    assert "private_key" in rejected


@pytest.mark.parametrize(("name", "args"), APPLIANCE_WRITES, ids=[n for n, _ in APPLIANCE_WRITES])
async def test_appliance_writes(writer: Gateway, name: str, args: dict[str, Any]) -> None:
    await call(writer, name, args)


async def test_appliance_writes_took_effect(writer: Gateway) -> None:
    connectors = await call(writer, "zpa_list_app_connectors")
    edges = await call(writer, "zpa_list_service_edges")
    assert connectors["count"] == 0 and edges["count"] == 0


def test_every_write_tool_is_exercised() -> None:
    writes = set(tool_names(SERVICES, write=True))
    exercised = {name for name, _ in APPLIANCE_WRITES}
    for noun, _, _, update, _ in LIFECYCLES:
        exercised |= {f"zpa_create_{noun}", f"zpa_delete_{noun}"} | (
            {f"zpa_update_{noun}"} if update is not None else set()
        )
    assert writes == exercised


async def test_policy_rules_over_the_real_mcp_client(gateway_with: Any) -> None:
    gw = gateway_with("toolsets: [zpa_access_policies]\n")
    async with Client(gw.mcp_url, mode="legacy") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        result = await client.call_tool("zpa_list_access_policy_rules", {})
    assert "zpa_create_access_policy_rule" not in tools  # writes stay off without the switch
    schema = tools["zpa_get_access_policy_rule"].input_schema
    assert schema["required"] == ["rule_id"] and schema["properties"]["rule_id"]["description"]
    assert not result.is_error and '"Default deny"' in result.content[0].text  # type: ignore[union-attr]
