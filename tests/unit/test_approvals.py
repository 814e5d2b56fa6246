"""Approval tokens: only what this gateway's keys signed, for this call and principal, once, in time."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.kubelet import ProjectedConfigMap
from zscaler_mcp_gateway.config import ConfigError
from zscaler_mcp_gateway.outcomes import ConfirmationOutcome
from zscaler_mcp_gateway.security.approval_keys import ApprovalKeys
from zscaler_mcp_gateway.security.approvals import ApprovalTokens, Claims, ReplayCache

TOOL, ARGS = "zpa_delete_segment_group", {"group_id": "72058304855001000"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(clock: Clock) -> ApprovalTokens:
    return ApprovalTokens(ApprovalKeys(), 300.0, clock)


def test_a_token_approves_its_call_once(tokens: ApprovalTokens) -> None:
    _, token = tokens.issue(TOOL, ARGS, "alice")
    claims = tokens.check(token, TOOL, ARGS, "alice")
    assert isinstance(claims, Claims)
    assert tokens.consume(claims) is ConfirmationOutcome.APPROVED
    assert tokens.consume(claims) is ConfirmationOutcome.REPLAYED


@pytest.mark.parametrize(
    ("tool", "args", "principal", "outcome"),
    [
        (TOOL, ARGS, "bob", ConfirmationOutcome.WRONG_PRINCIPAL),
        (TOOL, {"group_id": "1"}, "alice", ConfirmationOutcome.MISMATCHED),
        ("zpa_delete_application_segment", ARGS, "alice", ConfirmationOutcome.MISMATCHED),
    ],
)
def test_a_token_is_bound_to_principal_tool_and_arguments(
    tokens: ApprovalTokens, tool: str, args: dict[str, str], principal: str, outcome: ConfirmationOutcome
) -> None:
    _, token = tokens.issue(TOOL, ARGS, "alice")
    assert tokens.check(token, tool, args, principal) is outcome


def test_a_token_expires_with_its_window(tokens: ApprovalTokens, clock: Clock) -> None:
    _, token = tokens.issue(TOOL, ARGS, "alice")
    clock.now += 299.9
    assert isinstance(tokens.check(token, TOOL, ARGS, "alice"), Claims)
    clock.now += 0.2
    assert tokens.check(token, TOOL, ARGS, "alice") is ConfirmationOutcome.EXPIRED


@settings(max_examples=200, deadline=None)
@given(position=st.integers(min_value=0), replacement=st.characters(codec="ascii"))
def test_any_edit_of_a_token_is_forged(position: int, replacement: str) -> None:
    tokens = ApprovalTokens(ApprovalKeys(), 300.0)
    _, token = tokens.issue(TOOL, ARGS, "alice")
    index = position % len(token)
    edited = token[:index] + replacement + token[index + 1 :]
    if edited == token:
        return
    # base64 padding bits aside, an edit changes what is signed or the signature: never accepted as is.
    checked = tokens.check(edited, TOOL, ARGS, "alice")
    assert checked is ConfirmationOutcome.FORGED or (isinstance(checked, Claims) and _same_bytes(edited, token))


def _same_bytes(edited: str, token: str) -> bool:
    """A last base64 character differing only in unused bits decodes to the same bytes."""

    def raw(text: str) -> list[bytes]:
        return [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in text.split(".")[1:]]

    return raw(edited) == raw(token)


@pytest.mark.parametrize("junk", [None, "", "a.b.c", "x" * 5000, 42, "zmcp-approval-v1..", "zmcp-approval-v1.e30.AAAA"])
def test_junk_is_forged(tokens: ApprovalTokens, junk: object) -> None:
    assert tokens.check(junk, TOOL, ARGS, "alice") is ConfirmationOutcome.FORGED


def test_another_deployments_key_does_not_verify(clock: Clock) -> None:
    _, token = ApprovalTokens(ApprovalKeys(), 300.0, clock).issue(TOOL, ARGS, "alice")
    assert ApprovalTokens(ApprovalKeys(), 300.0, clock).check(token, TOOL, ARGS, "alice") is ConfirmationOutcome.FORGED


def test_the_replay_cache_is_bounded_and_fails_closed() -> None:
    cache = ReplayCache(capacity=2)
    assert cache.add("a", 10.0, 0.0) is None and cache.add("b", 10.0, 0.0) is None
    assert cache.add("c", 10.0, 1.0) is ConfirmationOutcome.OVERLOADED  # never forgets a live token to make room
    assert cache.add("a", 10.0, 1.0) is ConfirmationOutcome.REPLAYED
    assert cache.add("c", 20.0, 10.0) is None  # expired entries make room


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, "is missing"),
        ({"current": "short"}, "holds 5 bytes; an approval key needs at least 32"),
        ({"current": "k" * 40, "previous": "tiny"}, "holds 4 bytes"),
    ],
)
def test_bad_key_files_refuse_to_start_without_echoing_them(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    directory = ProjectedConfigMap(tmp_path / "keys", files).directory if files else tmp_path
    with pytest.raises(ConfigError) as raised:
        ApprovalKeys(directory)
    assert expected in str(raised.value) and "short" not in str(raised.value) and "tiny" not in str(raised.value)


def test_a_half_written_rotation_keeps_the_keys_that_worked(tmp_path: Path) -> None:
    secret = ProjectedConfigMap(tmp_path / "keys", {"current": secrets.token_hex(32)})
    keys = ApprovalKeys(secret.directory)
    before = keys.signing
    secret.update({"current": "truncated"})
    assert keys.signing == before
    fresh = secrets.token_hex(32)
    secret.update({"current": fresh})
    assert keys.signing == fresh.encode()
