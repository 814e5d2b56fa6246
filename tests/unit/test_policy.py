"""Selection precedence: disabledTools > services > toolsets/disabledToolsets > enabledTools > write gate."""

from __future__ import annotations

from typing import Any

import pytest

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.catalog.model import META_TOOLSET, Action, Tool
from zscaler_mcp_gateway.config import validate_policy
from zscaler_mcp_gateway.policy import PolicyView, matches_any

CATALOG = load_catalog()
META = {t.name for t in CATALOG.toolset_tools(META_TOOLSET)}


def served(document: dict[str, Any]) -> set[str]:
    return set(PolicyView.build(validate_policy(document, CATALOG), CATALOG).served_tools()) - META


def toolset_reads(*toolsets: str) -> set[str]:
    return {t.name for ts in toolsets for t in CATALOG.toolset_tools(ts) if not t.action.is_write}


def test_default_policy_serves_every_read_tool_and_no_write_tool() -> None:
    names = served({})
    assert names == {t.name for t in CATALOG.tools.values() if not t.action.is_write} - META
    assert not any(CATALOG.tools[n].action.is_write for n in names)


def test_toolsets_select_exactly_their_read_tools() -> None:
    assert served({"toolsets": ["zpa_segment_groups", "zia_rule_labels"]}) == toolset_reads(
        "zpa_segment_groups", "zia_rule_labels"
    )


def test_default_keyword_is_the_curated_subset_and_combines_with_ids() -> None:
    defaults = {t.id for t in CATALOG.toolsets.values() if t.default and t.id != META_TOOLSET}
    curated = served({"toolsets": ["default"]})
    assert curated == toolset_reads(*defaults)
    assert "zpa_list_application_servers" not in curated  # zpa_application_servers is not default
    assert served({"toolsets": ["default", "zpa_application_servers"]}) == curated | toolset_reads(
        "zpa_application_servers"
    )


def test_services_filter_beats_toolsets() -> None:
    assert served({"services": ["zia"], "toolsets": ["zpa_segment_groups", "zia_rule_labels"]}) == toolset_reads(
        "zia_rule_labels"
    )


def test_disabled_toolsets_remove_a_selected_toolset() -> None:
    assert served({"toolsets": ["all"], "disabledToolsets": ["zpa_app_segments"]}).isdisjoint(
        toolset_reads("zpa_app_segments")
    )


def test_disabled_tools_win_over_everything_including_the_write_allowlist() -> None:
    doc = {
        "toolsets": ["zia_rule_labels"],
        "disabledTools": ["zia_delete_*"],
        "write": {"enabled": True, "allowlist": ["zia_*"]},
    }
    names = served(doc)
    assert "zia_delete_rule_label" not in names
    assert {"zia_create_rule_label", "zia_update_rule_label"} <= names


def test_enabled_tools_narrow_the_selection() -> None:
    assert served({"toolsets": ["zia_rule_labels"], "enabledTools": ["*_list_*"]}) == {"zia_list_rule_labels"}


@pytest.mark.parametrize(
    ("write", "expected_writes"),
    [
        ({"enabled": False, "allowlist": ["*"]}, set()),
        ({"enabled": True, "allowlist": []}, set()),
        ({"enabled": True, "allowlist": ["zpa_create_*"]}, {"zpa_create_segment_group"}),
        (
            {"enabled": True, "allowlist": ["*"]},
            {"zpa_create_segment_group", "zpa_update_segment_group", "zpa_delete_segment_group"},
        ),
    ],
)
def test_write_tools_need_the_switch_and_a_matching_pattern(write: dict[str, Any], expected_writes: set[str]) -> None:
    names = served({"toolsets": ["zpa_segment_groups"], "write": write})
    assert {n for n in names if CATALOG.tools[n].action.is_write} == expected_writes


def test_meta_tools_are_always_on_but_disabled_tools_still_win() -> None:
    view = PolicyView.build(validate_policy({"services": ["zia"], "toolsets": ["zia_rule_labels"]}, CATALOG), CATALOG)
    assert META <= set(view.served_tools())
    view = PolicyView.build(validate_policy({"disabledTools": ["zscaler_enable_toolset"]}, CATALOG), CATALOG)
    assert "zscaler_enable_toolset" not in view.served_tools()


def test_patterns_also_match_the_service_prefixed_alias_of_off_prefix_names() -> None:
    odd = Tool("get_zia_users", "zia", "zia_users", Action.READ, "Users.")
    assert matches_any(odd, ["zia_*"])
    assert not matches_any(odd, ["zpa_*"])


def test_exclusion_reason_names_the_rule() -> None:
    view = PolicyView.build(validate_policy({"toolsets": ["zpa_segment_groups"]}, CATALOG), CATALOG)
    assert "write.enabled is false" in (view.exclusion_reason(CATALOG.tools["zpa_delete_segment_group"]) or "")
    assert "not enabled" in (view.exclusion_reason(CATALOG.tools["zia_list_rule_labels"]) or "")


@pytest.mark.parametrize(
    ("write", "allow_unconfirmed_deletes", "asks"),
    [
        ({}, False, {"delete"}),  # the default: deletes need a person
        ({}, True, set()),  # the deprecated flag: as `confirm` without delete
        ({"confirm": []}, False, set()),
        ({"confirm": ["create", "update", "delete"]}, False, {"create", "update", "delete"}),
        ({"confirm": ["create", "delete"]}, True, {"create"}),
        ({"confirm": [], "confirmTools": ["zpa_get_segment_group"]}, False, {"read"}),
    ],
)
def test_which_calls_need_a_person(write: dict[str, Any], allow_unconfirmed_deletes: bool, asks: set[str]) -> None:
    catalog = load_catalog()
    view = PolicyView.build(validate_policy({"toolsets": ["zpa_segment_groups"], "write": write}, catalog), catalog)
    tools = catalog.toolset_tools("zpa_segment_groups")
    asked = {t.action.value for t in tools if view.needs_confirmation(t, allow_unconfirmed_deletes)}
    assert asked == asks
