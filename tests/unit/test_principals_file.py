"""A hostile edit of the principals file keeps the last good rules; it never breaks a call."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import ConfigError
from zscaler_mcp_gateway.security.principals import PrincipalPolicy

TOOL = load_catalog().tools["zpa_list_segment_groups"]
GOOD = "principals:\n  ci: ['zpa_*']\n"


@pytest.mark.parametrize(
    "content",
    ["principals:\n  ci: ['zpa_*']  # caf\xe9\n".encode("latin-1"), b"principals: " + b"[" * 50_000, b"\x00\xff" * 64],
    ids=["latin-1", "nested", "binary"],
)
def test_a_bad_edit_keeps_the_last_good_rules(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "principals.yaml"
    path.write_text(GOOD)
    policy = PrincipalPolicy(path)
    path.write_bytes(content)
    os.utime(path, ns=(1, 1))  # a new identity, whatever the clock's resolution
    assert policy.allows("ci", TOOL) and not policy.allows("other", TOOL)


def test_a_bad_file_at_start_up_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "principals.yaml"
    path.write_bytes(b"principals: " + b"[" * 50_000)
    with pytest.raises(ConfigError, match="nested deeper than"):
        PrincipalPolicy(path)
