"""A generation's tools/list wire form: the SDK's own `Tool` dump of each served tool, in serving order."""

from __future__ import annotations

import mcp_types as types

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import parse_policy_text
from zscaler_mcp_gateway.generation import Generation, build_generation

CATALOG = load_catalog()


def generation(policy: str, number: int = 1) -> Generation:
    return build_generation(number, parse_policy_text(policy, CATALOG), CATALOG, "test")


def test_the_wire_form_is_what_the_sdk_dumps_and_validates_back() -> None:
    served = generation("toolsets: [zpa_segment_groups, zia_url_categories]\n")
    assert list(served.wire_tools) == list(served.tools)
    for name, wire in served.wire_tools.items():
        assert wire["name"] == name and wire["inputSchema"]["type"] == "object"
        again = types.Tool.model_validate(wire).model_dump(by_alias=True, mode="json", exclude_none=True)
        assert again == wire


def test_a_reload_to_the_same_tools_is_not_a_listing_change() -> None:
    first = generation("toolsets: [zpa_segment_groups]\n")
    same = generation("toolsets: [zpa_segment_groups]\nwrite:\n  enabled: false\n", 2)
    more = generation("toolsets: [zpa_segment_groups, zpa_app_segments]\n", 3)
    writes = generation("toolsets: [zpa_segment_groups]\nwrite: {enabled: true, allowlist: ['zpa_*']}\n", 4)
    assert first.lists_as(same) and same.lists_as(first)
    assert not first.lists_as(more) and not more.lists_as(first)
    assert not first.lists_as(writes)
