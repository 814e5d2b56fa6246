"""Hostile entries in the API-key directory: each skipped with a warning naming it; the rest of a rotation applies."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zscaler_mcp_gateway.security.apikeys import ApiKeyVerifier

GOOD_KEY = "k-0123456789abcdef-good"
NEW_KEY = "k-fedcba9876543210-new"


def _verifies(verifier: ApiKeyVerifier, key: str) -> str | None:
    token = asyncio.run(verifier.verify_token(key))
    return token.client_id if token is not None else None


def _bad_entry(directory: Path, name: str, kind: str, content: bytes) -> None:
    path = directory / name
    if kind == "bytes":
        path.write_bytes(content)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "directory":
        path.mkdir()
        (path / "inner").write_text(GOOD_KEY + "-inner")
    elif kind == "dangling":
        path.symlink_to(directory / "nowhere")
    elif kind == "huge":
        path.write_bytes(b"a" * 100_000)


@pytest.mark.parametrize(
    "content",
    ["caf\xe9-key-0123456789".encode("latin-1"), bytes(range(256)), b"a" * 100_000],
    ids=["latin-1", "binary", "huge"],
)
def test_a_bad_file_added_with_a_new_key_leaves_the_new_key_working(
    tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "alice").write_text(GOOD_KEY)
    verifier = ApiKeyVerifier(tmp_path, recheck_seconds=0)
    (tmp_path / "mallory").write_bytes(content)
    (tmp_path / "bob").write_text(NEW_KEY)  # the same rotation adds a key
    with caplog.at_level(logging.WARNING, logger="zscaler_mcp_gateway.security.apikeys"):
        assert _verifies(verifier, NEW_KEY) == "bob"
        assert _verifies(verifier, GOOD_KEY) == "alice"
    assert "'mallory' skipped" in caplog.text
    assert "caf" not in caplog.text and "aaaa" not in caplog.text


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,20}", fullmatch=True),
            st.sampled_from(["bytes", "empty", "directory", "dangling", "huge"]),
            st.binary(max_size=64),
        ),
        max_size=6,
        unique_by=lambda e: e[0],
    )
)
def test_generated_junk_entries_never_break_verification_of_good_keys(
    entries: list[tuple[str, str, bytes]],
) -> None:
    directory = Path(tempfile.mkdtemp(prefix="apikeys-"))
    try:
        (directory / "zz-good").write_text(GOOD_KEY)
        for name, kind, content in entries:
            if name != "zz-good":
                _bad_entry(directory, name, kind, content)
        verifier = ApiKeyVerifier(directory, recheck_seconds=0)
        assert _verifies(verifier, GOOD_KEY) == "zz-good"  # unless a junk file happens to hold the same key
        assert _verifies(verifier, "not-a-key-at-all-0000") is None
    finally:
        shutil.rmtree(directory)
