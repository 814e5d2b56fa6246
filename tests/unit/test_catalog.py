"""The catalog is data the server derives schemas, annotations and instructions from."""

from __future__ import annotations

from tests.support.official import official_by_name, official_tools
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.catalog.toolsets import ZIA_ACTIVATION, ZIA_RULE_ORDER
from zscaler_mcp_gateway.generation import instructions_for

CATALOG = load_catalog()


def test_every_tool_matches_the_official_service_toolset_and_action() -> None:
    reference = official_by_name()
    for tool in CATALOG.tools.values():
        if tool.service == "zscaler":
            continue
        official = reference[tool.name]
        assert (tool.service, tool.toolset, tool.action.value) == (
            official["service"],
            official["toolset"],
            official["action"],
        ), tool.name


def test_every_toolset_id_is_official_or_meta() -> None:
    reference = {t["toolset"] for t in official_tools()}
    assert set(CATALOG.toolsets) == reference | {"meta"}


def test_every_parameter_has_a_type_and_a_description() -> None:
    for tool in CATALOG.tools.values():
        for name, schema in tool.input_schema()["properties"].items():
            assert schema["type"] and schema["description"].strip(), f"{tool.name}.{name}"


def test_annotations_follow_the_action() -> None:
    assert CATALOG.tools["zpa_list_segment_groups"].annotations()["readOnlyHint"] is True
    create = CATALOG.tools["zpa_create_segment_group"].annotations()
    assert create["readOnlyHint"] is False and create["destructiveHint"] is False
    assert CATALOG.tools["zpa_delete_segment_group"].annotations()["destructiveHint"] is True
    assert CATALOG.tools["zia_update_rule_label"].annotations()["destructiveHint"] is True


def test_instructions_are_those_of_served_toolsets_each_once() -> None:
    rules = instructions_for(
        CATALOG, CATALOG.toolset_tools("zia_url_filtering") + CATALOG.toolset_tools("zia_rule_labels")
    )
    assert rules.count(ZIA_ACTIVATION) == 1
    assert rules.count(ZIA_RULE_ORDER) == 1
    zpa_only = instructions_for(CATALOG, CATALOG.toolset_tools("zpa_segment_groups"))
    assert ZIA_ACTIVATION not in zpa_only


def test_a_variant_runs_for_an_id_of_zero_and_for_an_argument_value() -> None:
    call = CATALOG.tools["get_zia_dlp_dictionaries"].call
    assert call is not None
    assert call.select({"dict_id": 0}).method.endswith("get_dict")  # 0 is an id, not "absent"
    assert call.select({"action": "read_lite"}).method.endswith("list_dicts_lite")
    assert call.select({"action": "read"}) is call
