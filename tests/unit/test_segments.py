"""What a URL path argument can be: real ids pass, anything that could leave its segment does not."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zscaler_mcp_gateway.arguments import validate_arguments
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.catalog.segments import Segment, encode_segment, segment_params, segment_problem

TRAVERSAL = "../" * 4 + "zia/api/v1/users"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (Segment.DIGITS, "72058304855015425"),  # ZPA ids exceed 2**53: strings
        (Segment.DIGITS, 72058304855015425),
        (Segment.INTEGER, 12345),
        (Segment.INTEGER, "12345"),  # the official server accepts ZIA ids as strings
        (Segment.INTEGER, -1),
        (Segment.NAME, "CUSTOM_01"),
        (Segment.NAME, "NEWS_AND_MEDIA"),
        (Segment.NAME, "Google Chrome|Google LLC"),  # a ZDX software key
        (Segment.NAME, "Microsoft Visual C++ 2015-2022 (x64) - 14.36|Microsoft Corporation"),
        (Segment.NAME, "203.0.113.7"),
        (Segment.NAME, "d41d8cd98f00b204e9800998ecf8427e"),
        (Segment.NAME, "examp1e.com"),
        (Segment.NAME, "användare@example.com"),
    ],
)
def test_real_ids_and_keys_pass(kind: Segment, value: object) -> None:
    assert segment_problem("id", kind, value) is None


@pytest.mark.parametrize("kind", list(Segment))
@pytest.mark.parametrize(
    "value",
    [
        TRAVERSAL,
        "..",
        ".",
        "...",
        "1?page=2",
        "1#x",
        "%2e%2e",
        "1\r\nHost: x",
        "http://evil.example/",
        "a\\b",
        "",
        "x" * 513,
        True,
        1.5,
        None,
        ["1"],
    ],
)
def test_what_could_leave_a_segment_is_refused_naming_the_argument(kind: Segment, value: object) -> None:
    problem = segment_problem("group_id", kind, value)
    assert problem is not None and problem.startswith("argument 'group_id': ")
    assert len(problem) < 200  # a long hostile value is cut, not echoed whole


def test_digits_and_integers_refuse_names() -> None:
    assert segment_problem("group_id", Segment.DIGITS, "SG-1") is not None
    assert segment_problem("group_id", Segment.DIGITS, -5) is not None
    assert segment_problem("rule_id", Segment.INTEGER, "12a") is not None


@given(st.text(max_size=40))
def test_any_accepted_name_is_exactly_one_literal_segment(value: str) -> None:
    if segment_problem("key", Segment.NAME, value) is not None:
        return
    encoded = encode_segment(value)
    assert unquote(encoded) == value
    assert not set(encoded) & set("/?#\\\r\n") and encoded.strip(".") != ""


def test_enum_valued_path_arguments_are_valid_names() -> None:
    for tool in load_catalog().tools.values():
        for param, kind in segment_params(tool):
            for member in param.enum or ():
                assert segment_problem(param.name, kind, member) is None, (tool.name, member)
                assert quote(member, safe="") == member


def test_validation_names_the_path_argument_a_traversal_is_given_to() -> None:
    tool = load_catalog().tools["zpa_get_segment_group"]
    _, errors = validate_arguments(tool, {"group_id": TRAVERSAL})
    assert errors == [f"argument 'group_id': {TRAVERSAL!r} is not a ZPA id (digits only)"]
    assert validate_arguments(tool, {"group_id": "72058304855015425"}) == ({"group_id": "72058304855015425"}, [])
