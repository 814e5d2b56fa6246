"""Tool arguments that become URL path segments: what each can be, and how it is sent (pure, no I/O).

The SDK formats its URL templates with raw values and `requests`/`urllib3` collapse `..`, so an id
made of `..` steps up to `zia/api/v1/users` would call another service's API. Every value that lands in a URL
path is therefore checked against what that id can be, and sent percent-encoded as exactly one
segment: a value that passes cannot add a segment, a query or a fragment.

- ZPA ids (`*_id` of ZPA tools): decimal digits, kept as strings (they exceed 2**53).
- Integer ids (ZIA, ZDX, ZTW): an integer, or a string of digits with an optional minus sign.
- Names and keys (everything else): 1 to 512 characters, none of them a control character or one
  of `/ \\ ? # %`, and not only dots (`.` and `..` are path steps, not names).

Which arguments land in a path is a fact about the SDK method: its positional ("path") parameters,
except lists (sent in bodies), plus the keyword parameters in `KEYWORD_SEGMENTS`.
tests/integration/test_path_traversal.py checks both directions against the real SDK for every tool.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from .model import Param, Tool


class Segment(StrEnum):
    DIGITS = "digits"
    INTEGER = "integer"
    NAME = "name"


# (tool, argument) pairs the SDK takes as keywords but formats into the URL path.
KEYWORD_SEGMENTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("zcell_list_anomaly_policy_logs", "policy_id"),
        ("zcell_list_anomaly_policy_violations", "policy_id"),
        ("zcell_list_iccid_violations", "policy_id"),
        ("zcell_list_iccid_violations", "iccid"),
        ("zcell_get_sim_location_group", "group_id"),
    }
)
MAX_NAME_LENGTH = 512
NAME_FORBIDDEN = frozenset("/\\?#%")
_DIGITS = re.compile(r"[0-9]{1,32}")
_INTEGER = re.compile(r"-?[0-9]{1,32}")
_RULES = {
    Segment.DIGITS: "a ZPA id (digits only)",
    Segment.INTEGER: "an integer id",
    Segment.NAME: f"a name or key (1-{MAX_NAME_LENGTH} characters, no control characters, none of / \\ ? # %)",
}


def segment_of(tool: Tool, param: Param) -> Segment | None:
    """What `param` can be where the SDK puts it into a URL path; None when it never lands in one."""
    in_path = param.location == "path" and param.type != "array"
    if not (in_path or (tool.name, param.name) in KEYWORD_SEGMENTS):
        return None
    if tool.service == "zpa" and param.name.endswith("_id"):
        return Segment.DIGITS
    if param.type == "integer":
        return Segment.INTEGER
    return Segment.NAME


def segment_params(tool: Tool) -> tuple[tuple[Param, Segment], ...]:
    return tuple((p, kind) for p in tool.params if (kind := segment_of(tool, p)) is not None)


def _fits(kind: Segment, value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0 if kind is Segment.DIGITS else True
    if not isinstance(value, str):
        return False
    if kind is Segment.DIGITS:
        return _DIGITS.fullmatch(value) is not None
    if kind is Segment.INTEGER:
        return _INTEGER.fullmatch(value) is not None
    return (
        0 < len(value) <= MAX_NAME_LENGTH
        and value.strip(".") != ""
        and not any(c in NAME_FORBIDDEN or unicodedata.category(c).startswith("C") for c in value)
    )


def segment_problem(name: str, kind: Segment, value: Any) -> str | None:
    """The validation message for a value that cannot be this segment (naming the argument), else None."""
    if _fits(kind, value):
        return None
    shown = value[:40] + "…" if isinstance(value, str) and len(value) > 40 else value
    return f"argument {name!r}: {shown!r} is not {_RULES[kind]}"


def encode_segment(value: Any) -> Any:
    """A validated value as exactly one URL path segment: strings percent-encoded, integers as they are."""
    return quote(value, safe="") if isinstance(value, str) else value
