"""Tool arguments are checked against the catalog's declarations, one message per problem."""

from __future__ import annotations

from zscaler_mcp_gateway.arguments import validate_arguments
from zscaler_mcp_gateway.catalog import load_catalog

CATALOG = load_catalog()
LIST_SG = CATALOG.tools["zpa_list_segment_groups"]
CREATE_RULE = CATALOG.tools["zia_create_url_filtering_rule"]


def test_valid_arguments_pass_and_integral_floats_become_ints() -> None:
    clean, errors = validate_arguments(LIST_SG, {"page_size": 50.0, "search": "SG-HR"})
    assert errors == []
    assert clean == {"page_size": 50, "search": "SG-HR"}
    assert isinstance(clean["page_size"], int)


def test_wrong_types_ranges_enums_and_unknown_names_are_each_named() -> None:
    _, errors = validate_arguments(LIST_SG, {"page_size": "10", "colour": "red"})
    assert "argument 'page_size': expected integer, got string" in errors
    assert any("unknown argument 'colour'" in e for e in errors)
    _, errors = validate_arguments(LIST_SG, {"page_size": 501})
    assert errors == ["argument 'page_size': 501 is above the maximum 500"]
    _, errors = validate_arguments(CREATE_RULE, {"name": "r", "order": 1, "action": "EXPLODE"})
    assert errors == ["argument 'action': 'EXPLODE' is not one of ALLOW, CAUTION, BLOCK, ISOLATE"]
    _, errors = validate_arguments(CREATE_RULE, {"name": "r", "order": 1, "action": "BLOCK", "labels": [1, "two"]})
    assert errors == ["argument 'labels'[1]: expected integer, got string"]


def test_booleans_are_not_integers_and_required_arguments_are_enforced() -> None:
    _, errors = validate_arguments(LIST_SG, {"page_size": True})
    assert errors == ["argument 'page_size': expected integer, got boolean"]
    _, errors = validate_arguments(CREATE_RULE, {})
    assert errors == [  # `order` is not required: a new rule goes first, as on the official server
        "missing required argument 'name'",
        "missing required argument 'action'",
    ]
