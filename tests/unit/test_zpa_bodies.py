"""ZPA policy conditions survive the trip an agent's call takes: API shape -> SDK v2 tuples -> the SDK's own
v2 body -> the simulator's v2 endpoint, every operand kept (hypothesis-generated, v1 and v2 shapes)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zscaler.zpa.policies import PolicySetControllerAPI

from zscaler_mcp_gateway.simulator.store import SimulatorError
from zscaler_mcp_gateway.simulator.zpa import v2_conditions_stored
from zscaler_mcp_gateway.zpa_bodies import ENTRY_TYPES, ConditionError, ba_common_apps, sdk_tuples

VALUE_TYPES = ("APP", "APP_GROUP", "CLIENT_TYPE", "MACHINE_GRP", "LOCATION", "CONSOLE", "IDP", "CHROME_POSTURE_PROFILE")
ids = st.text(alphabet="0123456789abcdef-", min_size=1, max_size=20)
entry = st.fixed_dictionaries({"lhs": ids, "rhs": ids})
v2_operand = st.one_of(
    st.builds(lambda t, vs: {"objectType": t, "values": vs}, st.sampled_from(VALUE_TYPES), st.lists(ids, min_size=1)),
    st.builds(
        lambda t, es: {"objectType": t, "entryValues": es},
        st.sampled_from(sorted(ENTRY_TYPES | {"CHROME_ENTERPRISE"})),
        st.lists(entry, min_size=1, max_size=4),
    ),
)
v1_operand = st.one_of(
    st.builds(lambda t, v: {"objectType": t, "lhs": "id", "rhs": v}, st.sampled_from(VALUE_TYPES), ids),
    st.builds(lambda t, e: {"objectType": t, **e}, st.sampled_from(sorted(ENTRY_TYPES)), entry),
)
blocks = st.lists(
    st.fixed_dictionaries({"operator": st.sampled_from(["AND", "OR"]), "operands": st.lists(v2_operand | v1_operand)}),
    max_size=4,
)


def _operands(conditions: list[dict[str, Any]]) -> Counter[tuple[str, str, str]]:
    """(objectType, lhs, rhs) of every operand, values counted as lhs "id" (the stored, v1 form)."""
    found: Counter[tuple[str, str, str]] = Counter()
    for block in conditions:
        for operand in block["operands"]:
            kind = operand["objectType"].upper()
            if "values" in operand:
                found.update((kind, "id", str(v)) for v in operand["values"])
            elif "entryValues" in operand:
                found.update((kind, e["lhs"], e["rhs"]) for e in operand["entryValues"])
            else:
                found[(kind, operand["lhs"], operand["rhs"])] += 1
    return found


@settings(max_examples=100, deadline=None)
@given(blocks)
def test_every_operand_reaches_the_v2_endpoint(conditions: list[dict[str, Any]]) -> None:
    sent = PolicySetControllerAPI._create_conditions_v2(None, sdk_tuples(conditions))  # the SDK's own builder
    stored = v2_conditions_stored({"name": "r", "conditions": sent})["conditions"]  # the simulator accepts it
    assert _operands(stored) == _operands(conditions)


@pytest.mark.parametrize(
    ("conditions", "named"),
    [
        ("APP", "a list of condition blocks"),
        ([{"operands": [{"values": ["1"]}]}], "conditions[0].operands[0] needs an objectType"),
        ([{"operator": "XOR", "operands": []}], "conditions[0].operator must be AND or OR"),
        ([{"operands": [{"objectType": "SAML", "entryValues": [{"lhs": "a"}]}]}], "needs lhs and rhs"),
        ([{"operands": [{"objectType": "APP"}]}], "needs values, entryValues, or lhs and rhs"),
    ],
)
def test_a_malformed_condition_is_named(conditions: Any, named: str) -> None:
    with pytest.raises(ConditionError, match=re.escape(named)):
        sdk_tuples(conditions)


@pytest.mark.parametrize(
    "operand",
    [{"objectType": "APP", "lhs": "id", "rhs": "1"}, {"objectType": "APP", "values": "1"}, {"objectType": "APP"}],
)
def test_the_v2_endpoint_refuses_what_the_api_refuses(operand: dict[str, Any]) -> None:
    with pytest.raises(SimulatorError):
        v2_conditions_stored({"conditions": [{"operands": [operand]}]})


def test_browser_access_apps_become_common_apps_dto() -> None:
    dto = ba_common_apps([{"name": "wiki", "domain": "w.example.com", "applicationPort": "443"}])
    assert dto == {
        "apps_config": [
            {
                "name": "wiki",
                "domain": "w.example.com",
                "application_port": "443",
                "app_types": ["BROWSER_ACCESS"],
                "enabled": True,
            }
        ]
    }
    with pytest.raises(ValueError, match=r"clientless_app_ids\[0\] needs domain"):
        ba_common_apps([{"name": "x"}])
