"""Each CEL rule of the CRD stays far below the API server's cost budget (the model is in celcost.py)."""

from __future__ import annotations

import copy

import pytest

from tests.operator.celcost import rule_cost, rule_costs
from zscaler_mcp_operator.crd import resource_schema

BUDGET = 1_000_000  # the API server's limit is 10M per rule; we keep a tenfold margin


def test_every_cel_rule_is_estimated_below_the_budget(capsys: pytest.CaptureFixture[str]) -> None:
    costs = list(rule_costs(resource_schema()))
    assert len(costs) == 6  # the root's name rule, disabledToolsets' and the four auth rules
    with capsys.disabled():
        print("\nCEL rule cost bounds (model of the API server's estimator, tests/operator/celcost.py):")
        for cost in costs:
            print(f"  {cost.bound:>9,}  {cost.path}: {cost.rule}")
    over = [f"{cost.path}: {cost.bound:,}" for cost in costs if cost.bound > BUDGET]
    assert over == []


def test_the_model_refuses_the_unbounded_list_the_crd_once_had() -> None:
    """The rule of issue 15: with no maxItems nor maxLength the API server refused the CRD (cost ~17.8M)."""
    schema = copy.deepcopy(resource_schema()["properties"]["spec"]["properties"]["disabledToolsets"])
    del schema["maxItems"], schema["items"]["maxLength"]
    (rule,) = schema["x-kubernetes-validations"]
    assert rule_cost(rule["rule"], schema) > 10_000_000
    bounded = resource_schema()["properties"]["spec"]["properties"]["disabledToolsets"]
    assert rule_cost(rule["rule"], bounded) < BUDGET


@pytest.mark.parametrize(
    ("rule", "schema", "expected"),
    [
        ("has(self.a)", {"properties": {"a": {"type": "string"}}}, 2),  # self, select
        ("size(self.a) <= 3", {"properties": {"a": {"type": "string", "maxLength": 9}}}, 4),
        ("self.a == 'x'", {"properties": {"a": {"type": "string", "maxLength": 100}}}, 2 + 11),
        ("self.a.matches('^abcdefgh$')", {"properties": {"a": {"type": "string", "maxLength": 40}}}, 2 + 5 * 3),
        (
            "self.all(t, t in ['a', 'bb'])",
            {"type": "array", "maxItems": 4, "items": {"type": "string", "maxLength": 10}},
            1 + 4 * ((1 + 10 + 2 * 2) + 3),
        ),
        ("has(self.a) ? self.a != 'x' : true", {"properties": {"a": {"type": "string", "maxLength": 10}}}, 2 + 4),
    ],
)
def test_the_cost_model_on_small_rules(rule: str, schema: dict[str, object], expected: int) -> None:
    assert rule_cost(rule, schema) == expected
