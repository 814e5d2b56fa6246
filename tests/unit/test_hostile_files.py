"""Generated hostile policy files: whatever the bytes, a reload is a success or a clean failure.

Never an exception out of the reloader, never a wider policy than the file's own meaning, never the
last good generation lost on a failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import MAX_FILE_BYTES, ConfigError, load_policy_file, parse_policy_text
from zscaler_mcp_gateway.generation import GenerationStore, build_generation
from zscaler_mcp_gateway.reload import ConfigReloader

CATALOG = load_catalog()
POLICY = (
    b"# policy of the ops agents (managed by the platform team)\n"
    b"toolsets: [zia_url_filtering, zpa_segment_groups, zpa_app_segments]\n"
    b"services: [zia, zpa]\n"
    b"disabledTools: [zia_delete_*, zpa_delete_*, 'zpa_*_app_segment*']\n"
    b"enabledTools: ['*']\n"
    b"write:\n"
    b"  enabled: true\n"
    b"  allowlist: [zia_update_*, zpa_create_segment_group]\n"
)
# The same policy as one flow mapping: every proper prefix is unbalanced, so a truncated copy is an error.
FLOW_POLICY = b"{toolsets: [zia_url_filtering], disabledTools: [zia_delete_*], write: {enabled: false}}\n"
FULL = build_generation(1, parse_policy_text(POLICY.decode(), CATALOG), CATALOG, "full")
HYPOTHESIS = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _reload(path: Path, content: bytes) -> tuple[bool, GenerationStore]:
    """A gateway serving POLICY whose file becomes `content`: the reload's verdict and the store after it."""
    path.write_bytes(content)
    store = GenerationStore(CATALOG, FULL.config, "full")
    verdict = ConfigReloader(path, store, CATALOG).reload()  # raises nothing, whatever the bytes
    if not verdict:
        assert store.current.number == 1 and store.reload_status.failures == 1
        assert set(store.current.tools) == set(FULL.tools)
    return verdict, store


def test_every_truncation_of_a_policy_is_an_error_or_exactly_its_own_meaning(tmp_path: Path) -> None:
    """Never "everything" for an empty or comment-only prefix, never a fallback wider than the text."""
    path = tmp_path / "config.yaml"
    served_widths = set()
    for offset in range(len(POLICY) + 1):
        prefix = POLICY[:offset]
        verdict, store = _reload(path, prefix)
        if verdict:
            meaning = build_generation(2, parse_policy_text(prefix.decode(), CATALOG), CATALOG, "cut")
            assert set(store.current.tools) == set(meaning.tools), offset
            served_widths.add(len(store.current.tools))
        elif b"\n" not in prefix.rstrip(b"\n"):  # nothing, or (part of) the comment line only
            assert "the policy is empty" in store.reload_status.last_error[0]  # type: ignore[index]
    assert len(FULL.tools) in served_widths and len(served_widths) >= 3  # the cut points were exercised


def test_every_proper_truncation_of_a_flow_mapping_policy_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    verdicts = [_reload(path, FLOW_POLICY[:offset])[0] for offset in range(len(FLOW_POLICY) + 1)]
    assert verdicts[-2:] == [True, True] and not any(verdicts[:-2])  # whole, with or without its newline


@HYPOTHESIS
@given(content=st.binary(max_size=2048))
def test_random_bytes_are_a_clean_verdict(tmp_path: Path, content: bytes) -> None:
    _reload(tmp_path / "config.yaml", content)


@HYPOTHESIS
@given(
    position=st.integers(0, len(POLICY)),
    junk=st.binary(min_size=1, max_size=64)
    | st.sampled_from([b"\xe9", b"\x00", b"\xff\xfe", b"\t", b"&a *a", b"!!python/name:os.system"]),
)
def test_junk_spliced_into_a_policy_is_a_clean_verdict(tmp_path: Path, position: int, junk: bytes) -> None:
    _reload(tmp_path / "config.yaml", POLICY[:position] + junk + POLICY[position:])


@settings(HYPOTHESIS, max_examples=60)
@given(
    depth=st.integers(17, 50_000),
    opener=st.sampled_from(["[", "{a: ", "- ", "[{a: "]),
    key=st.sampled_from(["toolsets: ", "write: ", ""]),
    closed=st.booleans(),
)
def test_deep_nesting_is_refused_before_any_parser_recurses(
    tmp_path: Path, depth: int, opener: str, key: str, closed: bool
) -> None:
    closer = {"[": "]", "{a: ": "}", "- ": "", "[{a: ": "}]"}[opener]
    text = key + opener * depth + "x" + (closer * depth if closed else "")
    path = tmp_path / "config.yaml"
    path.write_text(text[:MAX_FILE_BYTES])
    # `toolsets: - - x` is a syntax error before it is deep; everything else is refused for its depth
    expected = "malformed YAML" if key and opener == "- " else "nested deeper than 16 levels"
    with pytest.raises(ConfigError, match=expected):
        load_policy_file(path, CATALOG)
    _reload(path, path.read_bytes())


def test_block_nesting_by_indentation_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("".join(" " * n + f"k{n}:\n" for n in range(1000)))  # 500 KB, 1,000 levels
    with pytest.raises(ConfigError, match="nested deeper than 16 levels"):
        load_policy_file(path, CATALOG)


@HYPOTHESIS
@given(extra=st.integers(1, 4096), filler=st.sampled_from([b"#", b" ", b"a", b"\n"]))
def test_a_file_over_one_mebibyte_is_refused_whatever_it_holds(tmp_path: Path, extra: int, filler: bytes) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(POLICY + filler * (MAX_FILE_BYTES + extra - len(POLICY)))
    with pytest.raises(ConfigError, match="larger than 1048576 bytes"):
        load_policy_file(path, CATALOG)


@pytest.mark.parametrize("kind", ["directory", "fifo", "missing", "dangling-link"])
def test_a_config_path_that_is_not_a_file_is_a_clean_failure(tmp_path: Path, kind: str) -> None:
    import os

    path = tmp_path / "config.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)  # opening it for reading would wait for a writer forever
    elif kind == "dangling-link":
        path.symlink_to(tmp_path / "gone")
    store = GenerationStore(CATALOG, FULL.config, "full")
    assert ConfigReloader(path, store, CATALOG).reload() is False
    assert "cannot read config file" in store.reload_status.last_error[0]  # type: ignore[index]
