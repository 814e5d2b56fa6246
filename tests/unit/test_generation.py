"""A generation's tools/list wire form: the SDK's own `Tool` dump of each served tool, in serving order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import mcp_types as types
from hypothesis import given
from hypothesis import strategies as st
from mcp_types.methods import serialize_server_result
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import parse_policy_text
from zscaler_mcp_gateway.generation import DUMP, Generation, build_generation, mcp_tool, share_equal_parts

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


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([0.5, 1.0, 0.0, -0.0])
    | st.sampled_from(["a", "b", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["x", "y", "z"]), inner, max_size=3),
    max_leaves=30,
)


def containers(value: Any) -> Iterator[Any]:
    if isinstance(value, dict | list):
        yield value
        for part in value.values() if isinstance(value, dict) else value:
            yield from containers(part)


@given(st.lists(JSON_VALUES, min_size=1, max_size=4))
def test_shared_parts_serialise_exactly_as_the_originals_and_equal_containers_are_one(values: list[Any]) -> None:
    shared: dict[Any, Any] = {}
    result = [share_equal_parts(value, shared) for value in values]
    assert json.dumps(result) == json.dumps(values)  # same order, same types: 1, 1.0 and true stay apart
    seen = list(containers(result))
    for a in seen:
        for b in seen:
            if json.dumps(a) == json.dumps(b):
                assert a is b


def test_every_tool_of_a_listing_shares_one_object_for_equal_schema_parts() -> None:
    served = generation("toolsets: [all]\n")
    schemas = [wire["inputSchema"]["properties"] for wire in served.wire_tools.values()]
    pages = [props["page"] for props in schemas if "page" in props]
    assert len(pages) > 20
    assert len({id(page) for page in pages}) == len({json.dumps(page) for page in pages})  # one object per form


def test_each_version_lists_every_tool_byte_for_byte_as_the_sdks_pass_over_the_whole_list() -> None:
    served = generation("toolsets: [all]\nwrite: {enabled: true, allowlist: ['*']}\n")
    dumps = [mcp_tool(tool).model_dump(**DUMP) for tool in served.tools.values()]  # what the handler once returned
    for version in (*HANDSHAKE_PROTOCOL_VERSIONS, *MODERN_PROTOCOL_VERSIONS):
        whole = {"tools": dumps, "resultType": "complete", "ttlMs": 500, "cacheScope": "private"}
        sdk = serialize_server_result("tools/list", version, whole)["tools"]
        assert json.dumps(list(served.wire_tools_at(version).values())) == json.dumps(sdk), version  # key order too
        assert served.wire_tools_at(version) is served.wire_tools_at(version)  # shaped once per version
