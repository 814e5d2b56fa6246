"""ZPA policy rules are written through the v2 endpoints in the v2 condition format, as the official server does.

Real SDK over HTTP against the simulator: each create/update tool's `*_v2` SDK method must reach
`/mgmtconfig/v2/.../policySet/{id}/rule`, and the simulator refuses a v1 condition on a v2 route and a
v2 condition on a v1 route, like the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.servers import TEST_CREDENTIALS
from tests.support.toolcalls import call, call_error, tool_gateway
from zscaler_mcp_gateway.app import Gateway
from zscaler_mcp_gateway.simulator import RunningSimulator, start_simulator
from zscaler_mcp_gateway.simulator.zpa import POLICY_SETS

SEGMENT = "72058304855015801"
V1_APP = [{"operator": "OR", "operands": [{"objectType": "APP", "lhs": "id", "rhs": SEGMENT}]}]
V2_MIXED = [
    {"operator": "OR", "operands": [{"objectType": "APP", "values": [SEGMENT]}]},
    {
        "operator": "AND",
        "operands": [{"objectType": "SAML", "entryValues": [{"lhs": "72058304855021553", "rhs": "a@b"}]}],
    },
    {"operator": "OR", "operands": [{"objectType": "CLIENT_TYPE", "values": ["zpn_client_type_zapp"]}]},
]
# tool noun, API policy type, create arguments, update arguments
RULES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("access_policy_rule", "ACCESS_POLICY", {"action": "ALLOW"}, {"action": "DENY"}),
    ("timeout_policy_rule", "TIMEOUT_POLICY", {"reauth_timeout": 172800}, {"reauth_timeout": 86400}),
    ("forwarding_policy_rule", "CLIENT_FORWARDING_POLICY", {"action": "BYPASS"}, {"action": "INTERCEPT"}),
    (
        "isolation_policy_rule",
        "ISOLATION_POLICY",
        {"action": "ISOLATE", "zpn_isolation_profile_id": "72058304855018801"},
        {"action": "ISOLATE", "zpn_isolation_profile_id": "72058304855018801"},
    ),
    (
        "app_protection_rule",
        "INSPECTION_POLICY",
        {"action": "INSPECT", "zpn_inspection_profile_id": "72058304855018701"},
        {"action": "BYPASS_INSPECT"},
    ),
]


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    running = start_simulator()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def writer(sim: RunningSimulator, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    return tool_gateway(sim.url, ["zpa"], tmp_path_factory.mktemp("zpa-v2"))


def _requests(sim: RunningSimulator) -> dict[str, int]:
    """API requests the simulator has answered, by "METHOD path" (its own /_sim/ calls left out)."""
    counts = httpx.get(f"{sim.url}/_sim/requests").json()
    return {key: n for key, n in counts.items() if "/_sim/" not in key}


@pytest.mark.parametrize(("noun", "policy_type", "create", "update"), RULES, ids=[r[0] for r in RULES])
async def test_policy_rule_writes_go_through_the_v2_routes(
    sim: RunningSimulator, writer: Gateway, noun: str, policy_type: str, create: dict[str, Any], update: dict[str, Any]
) -> None:
    set_id = POLICY_SETS[policy_type]
    v2_path = f"/zpa/mgmtconfig/v2/admin/customers/{TEST_CREDENTIALS['ZSCALER_CUSTOMER_ID']}/policySet/{set_id}/rule"
    before = _requests(sim)
    created = await call(writer, f"zpa_create_{noun}", {"name": f"v2 {noun}", "conditions": V2_MIXED, **create})
    rule_id = created["id"]
    await call(
        writer, f"zpa_update_{noun}", {"rule_id": rule_id, "name": f"v2 {noun} b", "conditions": V1_APP, **update}
    )
    after = _requests(sim)
    assert after.get(f"POST {v2_path}", 0) == before.get(f"POST {v2_path}", 0) + 1
    assert after.get(f"PUT {v2_path}/{rule_id}", 0) == 1
    v1_path = v2_path.replace("/v2/", "/v1/")
    assert not any(k.startswith(("POST " + v1_path, "PUT " + v1_path)) for k in after), "a v1 write was sent"
    stored = await call(writer, f"zpa_get_{noun}", {"rule_id": rule_id})
    assert stored["name"] == f"v2 {noun} b"
    app_operands = [o for c in stored["conditions"] for o in c["operands"] if o["objectType"] == "APP"]
    assert [o["rhs"] for o in app_operands] == [SEGMENT]


async def test_v2_conditions_keep_every_operand(writer: Gateway) -> None:
    created = await call(
        writer, "zpa_create_access_policy_rule", {"name": "mixed", "action": "ALLOW", "conditions": V2_MIXED}
    )
    rule = await call(writer, "zpa_get_access_policy_rule", {"rule_id": created["id"]})
    operands = {(o["objectType"], o["lhs"], o["rhs"]) for c in rule["conditions"] for o in c["operands"]}
    assert operands == {
        ("APP", "id", SEGMENT),
        ("SAML", "72058304855021553", "a@b"),
        ("CLIENT_TYPE", "id", "zpn_client_type_zapp"),
    }


async def test_a_malformed_condition_is_refused_before_anything_is_sent(sim: RunningSimulator, writer: Gateway) -> None:
    before = _requests(sim)
    message = await call_error(
        writer,
        "zpa_create_access_policy_rule",
        {"name": "bad", "action": "ALLOW", "conditions": [{"operands": [{"objectType": "APP"}]}]},
    )
    assert "conditions[0].operands[0]" in message
    assert _requests(sim) == before


def _token(sim: RunningSimulator) -> dict[str, str]:
    form = {"grant_type": "client_credentials", "client_id": "t", "client_secret": "s"}
    token = httpx.post(f"{sim.url}/oauth2/v1/token", data=form).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("version", "condition", "refusal"),
    [
        ("v2", V1_APP, "v1 operand (lhs/rhs) sent to a v2 endpoint"),
        ("v1", V2_MIXED[:1], "v2 operand (values/entryValues) sent to a v1 endpoint"),
    ],
)
def test_the_simulator_refuses_the_other_versions_condition_format(
    sim: RunningSimulator, version: str, condition: list[dict[str, Any]], refusal: str
) -> None:
    url = f"{sim.url}/zpa/mgmtconfig/{version}/admin/customers/1/policySet/{POLICY_SETS['ACCESS_POLICY']}/rule"
    answer = httpx.post(url, json={"name": "x", "action": "ALLOW", "conditions": condition}, headers=_token(sim))
    assert answer.status_code == 400
    assert refusal in answer.json()["message"]


async def test_segment_group_updates_use_the_v2_route(sim: RunningSimulator, writer: Gateway) -> None:
    group = "72058304855015427"
    await call(writer, "zpa_update_segment_group", {"group_id": group, "description": "v2"})
    path = f"PUT /zpa/mgmtconfig/v2/admin/customers/{TEST_CREDENTIALS['ZSCALER_CUSTOMER_ID']}/segmentGroup/{group}"
    assert _requests(sim).get(path) == 1
    assert (await call(writer, "zpa_get_segment_group", {"group_id": group}))["description"] == "v2"


async def test_browser_access_apps_are_sent_as_common_apps_dto(writer: Gateway) -> None:
    app = {"name": "hr", "domain": "hr.internal.example.com", "applicationPort": "443", "applicationProtocol": "HTTPS"}
    created = await call(
        writer,
        "zpa_create_application_segment_ba",
        {
            "name": "BA-v2",
            "domain_names": ["hr.internal.example.com"],
            "segment_group_id": "72058304855015425",
            "clientless_app_ids": [app],
        },
    )
    segment = await call(writer, "zpa_get_application_segment_ba", {"segment_id": created["id"]})
    assert segment["applicationType"] == "BROWSER_ACCESS"
    assert [(a["name"], a["domain"]) for a in segment["commonAppsDto"]["appsConfig"]] == [("hr", app["domain"])]
    assert [a["domain"] for a in segment["clientlessApps"]] == [app["domain"]]


async def test_isolation_profiles_come_from_the_cbi_api(sim: RunningSimulator, writer: Gateway) -> None:
    profiles = await call(writer, "get_zpa_isolation_profile", {"search": "bd_sa"})
    assert [p["name"] for p in profiles["items"]] == ["BD_SA_Profile1"]
    path = f"GET /zpa/cbiconfig/cbi/api/customers/{TEST_CREDENTIALS['ZSCALER_CUSTOMER_ID']}/profiles"
    assert _requests(sim).get(path) == 1
