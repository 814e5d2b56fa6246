"""Every ZTW, ZIdentity, EASM, Z-Insights, ZMS and Cellular tool, called for real.

dispatcher -> zscaler-sdk-python -> HTTP -> simulator: REST envelopes (ZTW arrays, ZIdentity
`records` + `next_link`, EASM `results`, Cellular `content` pages) and the two GraphQL APIs.
ZTW writes run on a simulator of this module's own; one test goes through the real MCP client.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from tests.support.servers import TEST_CREDENTIALS, RunningGateway
from tests.support.toolcalls import assert_answered, call, call_error, reader_fixture, tool_names, writer_fixture
from zscaler_mcp_gateway.app import Gateway, GatewayOptions
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.simulator import RunningSimulator
from zscaler_mcp_gateway.simulator.zcell import SIMS

SERVICES = ("ztw", "zid", "zeasm", "zins", "zms", "zcell")
ORG = {"org_id": "org-2b9f51"}
ROAMING_SIM = SIMS[6]["iccid"]

# Arguments for reads that need some; every other read tool is called with none.
READ_ARGS: dict[str, dict[str, Any]] = {
    "zid_get_group": {"group_id": "g-7c0101"},
    "zid_get_group_users": {"group_id": "g-7c0102"},
    "zid_get_group_users_by_name": {"name": "engineering-oncall"},
    "zid_get_user": {"user_id": "u-4f1a20"},
    "zid_get_user_groups": {"user_id": "u-4f1a21"},
    "zid_get_user_groups_by_name": {"name": "Carla Rossi"},
    "zid_search_groups": {"name": "eng"},
    "zid_search_users": {"email": "example.com"},
    "zeasm_list_findings": ORG,
    "zeasm_get_finding_details": {**ORG, "finding_id": "fnd-88a1"},
    "zeasm_get_finding_evidence": {**ORG, "finding_id": "fnd-88a1"},
    "zeasm_get_finding_scan_output": {**ORG, "finding_id": "fnd-88a3"},
    "zeasm_list_lookalike_domains": ORG,
    "zeasm_get_lookalike_domain": {**ORG, "lookalike_raw": "examp1e.com"},
    "zms_get_agent_group_totp_secrets": {"eyez_id": "ag-01HZ8K"},
    "zms_get_nonce": {"eyez_id": "n-5501"},
    "zms_get_resource_group_members": {"group_id": "rg-11"},
    "zms_list_tag_keys": {"namespace_id": "ns-1"},
    "zms_list_tag_values": {"tag_id": "tk-1", "namespace_origin": "CUSTOM"},
    "zcell_list_anomaly_policy_logs": {"policy_id": "ap-1001"},
    "zcell_list_anomaly_policy_violations": {"policy_id": "ap-1001"},
    "zcell_list_iccid_violations": {"policy_id": "ap-1001", "iccid": ROAMING_SIM},
    "zcell_get_sim_details": {"icc_id": SIMS[0]["iccid"]},
    "zcell_get_sim_location_group": {"group_id": "219"},
}

# What some reads must return: (tool, args, check on the payload).
EXPECTATIONS: list[tuple[str, dict[str, Any], Callable[[Any], bool]]] = [
    (
        "ztw_list_ip_groups_lite",
        {"search": "branch"},
        lambda p: [r["name"] for r in p["items"]] == ["Branch-LAN-Ranges"],
    ),
    (
        "ztw_list_ip_destination_groups",
        {"exclude_type": "DSTN_OTHER"},
        lambda p: {r["type"] for r in p["items"]} == {"DSTN_FQDN", "DSTN_IP"},
    ),
    ("ztw_list_roles", {"search": "audit"}, lambda p: [r["name"] for r in p["items"]] == ["Auditor"]),
    ("ztw_list_network_services", {"protocol": "UDP"}, lambda p: [r["name"] for r in p["items"]] == ["DNS"]),
    ("zid_list_users", {"limit": 2}, lambda p: p["count"] == 5 and p["pages"] == 3),  # follows next_link to the end
    (
        "zid_list_groups",
        {"exclude_dynamic_groups": True},
        lambda p: "Engineering-OnCall" not in {g["name"] for g in p["items"]},
    ),
    (
        "zid_search_users",
        {"display_name": "rossi"},
        lambda p: [u["loginName"] for u in p["items"]] == ["carla.rossi@example.com"],
    ),
    ("zid_get_user_groups_by_name", {"name": "svc-backup"}, lambda p: [g["name"] for g in p["items"]] == ["IT-Admins"]),
    (
        "zid_get_group_users_by_name",
        {"name": "finance-analysts"},  # the exact name, in any case
        lambda p: [u["displayName"] for u in p["items"]] == ["Alice Nguyen"],
    ),
    (
        "zeasm_get_finding_evidence",
        {"org_id": "org-2b9f52", "finding_id": "fnd-99b1"},
        lambda p: "IGNORE PREVIOUS INSTRUCTIONS" in p["content"],
    ),
    (
        "zins_get_cyber_incidents_by_threat_and_app",
        {},
        lambda p: p[0]["name"] == "Phishing" and p[0]["entries"][0]["name"] == "Microsoft 365",
    ),
    ("zins_get_cyber_incidents_daily", {"start_days_ago": 9}, lambda p: len(p) == 7),
    (
        "zins_get_web_protocols",
        {"limit": 2, "traffic_unit": "BYTES"},
        lambda p: [e["name"] for e in p] == ["HTTPS", "HTTP"] and p[0]["total"] > 10**9,
    ),
    (
        "zins_get_web_traffic_by_location",
        {"include_trend": True, "trend_interval": "DAY", "start_days_ago": 9},
        lambda p: len(p[0]["trend"]["trend_values"]) == 7,
    ),
    (
        "zms_list_agents",
        {"page": 2, "page_size": 4},
        lambda p: len(p["nodes"]) == 2 and p["pageInfo"]["totalPages"] == 2,
    ),
    (
        "zms_list_agents",
        {"search": "aks", "sort": "name", "sort_dir": "DESC"},
        lambda p: [a["name"] for a in p["nodes"]] == ["aks-node-a", "aks-kube-connector"],
    ),
    (
        "zms_list_resource_groups",
        {},
        lambda p: p["nodes"][2]["cidrs"] == ["172.16.0.53/32", "172.16.1.53/32"] and "cidrs" not in p["nodes"][0],
    ),
    ("zms_list_resources", {"include_deleted": True}, lambda p: p["pageInfo"]["totalCount"] == 7),
    ("zcell_list_tags", {"size": 2}, lambda p: p["count"] == 6 and p["pages"] == 3),  # 0-based pages, walked to the end
    (
        "zcell_list_sims",
        {"tag": ["Fleet"], "size": 2},
        lambda p: p["pageDetails"]["totalElements"] == 4 and len(p["pageDetails"]["content"]) == 2,
    ),
    (
        "zcell_list_network_events",
        {"filter_by": [{"filterName": "country", "operator": "NE", "values": ["US"]}]},
        lambda p: p["content"] and all(e["country"] != "US" for e in p["content"]),
    ),
    (
        "zcell_list_iccid_violations",
        {"policy_id": "ap-1001", "iccid": ROAMING_SIM, "days": 1},
        lambda p: p["count"] == 1,
    ),
    (
        "zcell_list_audit_customers_search",
        {"operation_type": "Export", "days": 30},
        lambda p: [a["objectName"] for a in p["content"]] == ["sims.csv"],
    ),
]

# Refusals the APIs make, and the words the error must carry.
ERRORS: list[tuple[str, dict[str, Any], str]] = [
    ("zid_get_user", {"user_id": "u-nope"}, "404"),
    ("zid_get_group_users_by_name", {"name": "no-such-group"}, "named exactly 'no-such-group'"),
    ("zeasm_list_findings", {"org_id": "org-nope"}, "404"),
    ("zins_get_web_protocols", {"start_days_ago": 30}, "must not exceed 14 days"),
    ("zins_get_threat_class", {"start_days_ago": 2, "end_days_ago": 5}, "end_time must be after start_time"),
    ("zms_get_nonce", {"eyez_id": "n-nope"}, "not found"),
    ("zcell_get_sim_details", {"icc_id": "8901"}, "404"),
]

# ZTW writes: create args per IP group kind.
ZTW_GROUPS: list[tuple[str, dict[str, Any]]] = [
    ("ip_group", {"name": "Test-Group", "ip_addresses": ["192.0.2.0/24"], "description": "test"}),
    ("ip_source_group", {"name": "Test-Sources", "ip_addresses": ["198.18.0.1-198.18.0.9"]}),
    (
        "ip_destination_group",
        {
            "name": "Test-Destinations",
            "type": "DSTN_FQDN",
            "addresses": ["api.example.org"],
            "countries": ["COUNTRY_CA"],
        },
    ),
]


reader = reader_fixture(SERVICES, "other-read")
writer = writer_fixture(SERVICES, "other-write")


def test_the_argument_tables_name_only_real_tools() -> None:
    names = set(tool_names(SERVICES, write=False))
    assert set(READ_ARGS) <= names
    assert {n for n, _, _ in EXPECTATIONS} | {n for n, _, _ in ERRORS} <= names


@pytest.mark.parametrize("name", tool_names(SERVICES, write=False))
async def test_every_read_tool_answers_from_the_simulator(reader: Gateway, name: str) -> None:
    payload = await call(reader, name, READ_ARGS.get(name))
    assert_answered(name, payload)
    if isinstance(payload, dict) and "nodes" in payload:
        assert payload["nodes"], f"{name}: empty ZMS connection"


@pytest.mark.parametrize(
    ("name", "args", "check"), EXPECTATIONS, ids=[f"{n}-{'-'.join(a)}" for n, a, _ in EXPECTATIONS]
)
async def test_reads_return_what_their_arguments_ask_for(
    reader: Gateway, name: str, args: dict[str, Any], check: Callable[[Any], bool]
) -> None:
    payload = await call(reader, name, args)
    assert check(payload), json.dumps(payload, default=str)[:1500]


@pytest.mark.parametrize(("name", "args", "words"), ERRORS, ids=[n for n, _, _ in ERRORS])
async def test_api_refusals_come_back_as_tool_errors(
    reader: Gateway, name: str, args: dict[str, Any], words: str
) -> None:
    assert words in await call_error(reader, name, args)


@pytest.mark.parametrize(
    ("tool", "key"), [("zms_list_agents", "ZSCALER_CUSTOMER_ID"), ("zcell_list_tags", "ZCELL_CUSTOMER_ID")]
)
async def test_tenant_scoped_tools_name_the_missing_tenant_id(
    simulator: RunningSimulator, tmp_path: Path, tool: str, key: str
) -> None:
    service = load_catalog().tools[tool].service
    (tmp_path / "config.yaml").write_text(f"services: [{service}]\n")
    environ = {k: v for k, v in TEST_CREDENTIALS.items() if k != key}
    gateway = Gateway(
        GatewayOptions(config_path=str(tmp_path / "config.yaml"), upstream_base_url=simulator.url, environ=environ)
    )
    assert key in await call_error(gateway, tool)


@pytest.mark.parametrize(("kind", "create"), ZTW_GROUPS, ids=[k for k, _ in ZTW_GROUPS])
async def test_ztw_ip_groups_are_created_and_deleted_upstream(
    writer: Gateway, kind: str, create: dict[str, Any]
) -> None:
    plural = f"ztw_list_{kind}s"
    created = await call(writer, f"ztw_create_{kind}", create)
    assert isinstance(created["id"], int) and created["name"] == create["name"]
    listed = {r["id"]: r for r in (await call(writer, plural))["items"]}
    assert listed[created["id"]]["name"] == create["name"]
    assert created["id"] in {r["id"] for r in (await call(writer, f"{plural}_lite"))["items"]}
    await call(writer, f"ztw_delete_{kind}", {"group_id": created["id"]})
    assert created["id"] not in {r["id"] for r in (await call(writer, plural))["items"]}
    assert "404" in await call_error(writer, f"ztw_delete_{kind}", {"group_id": created["id"]})


async def test_ztw_create_without_addresses_is_refused_by_the_api(writer: Gateway) -> None:
    error = await call_error(writer, "ztw_create_ip_group", {"name": "No-Addresses", "ip_addresses": []})
    assert "400" in error and "ipAddresses" in error


async def test_mcp_client_over_http_reaches_graphql_and_rest_apis(gateway_with: Callable[..., RunningGateway]) -> None:
    gw = gateway_with(
        "services: [zins, zms, zeasm, zcell]\ntoolsets: [zins_web_traffic, zms, zeasm_findings, zcell_sim_analytics]\n"
    )
    async with Client(gw.mcp_url, mode="legacy") as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        protocols = await client.call_tool("zins_get_web_protocols", {"limit": 3})
        agents = await client.call_tool("zms_list_agents", {"search": "api"})
        evidence = await client.call_tool("zeasm_get_finding_evidence", {**ORG, "finding_id": "fnd-88a1"})
        summary = await client.call_tool("zcell_list_sim_analytics_summary", {})
        instructions = client.instructions or ""
    assert {
        "zins_get_web_protocols",
        "zms_list_agents",
        "zeasm_get_finding_evidence",
        "zcell_list_sim_analytics_summary",
    } <= set(listed)
    start = listed["zins_get_web_protocols"].input_schema["properties"]["start_days_ago"]
    assert start["default"] == 9 and start["description"]  # the official's window: 9 to 2 days ago
    assert not any(r.is_error for r in (protocols, agents, evidence, summary))
    assert [e["name"] for e in json.loads(protocols.content[0].text)] == ["HTTPS", "HTTP", "SSL"]  # type: ignore[union-attr]
    assert {a["name"] for a in json.loads(agents.content[0].text)["nodes"]} == {"api-01", "api-02"}  # type: ignore[union-attr]
    assert "Apache/2.4.49" in json.loads(evidence.content[0].text)["content"]  # type: ignore[union-attr]
    assert json.loads(summary.content[0].text)["total"] == len(SIMS)  # type: ignore[union-attr]
    assert "third-party text" in instructions  # the EASM toolset's untrusted-content instruction
