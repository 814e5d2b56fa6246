"""Config parsing: one clear message per problem, naming the key; env compatibility."""

from __future__ import annotations

from pathlib import Path

import pytest

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.cli import main
from zscaler_mcp_gateway.config import ConfigError, parse_policy_text, policy_from_env, policy_warnings, validate_policy

CATALOG = load_catalog()


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_policy_text(text, CATALOG)
    return info.value.errors


def test_full_document_round_trips_in_camel_case() -> None:
    text = """
services: [zia, zpa]
toolsets: [zia_url_filtering, zpa_app_segments]
disabledToolsets: []
disabledTools: ["zia_delete_*"]
enabledTools: []
write: {enabled: true, allowlist: ["zia_create_*"], confirm: [create, delete], confirmTools: [zia_*_rule]}
entitlementFilter: false
"""
    config = parse_policy_text(text, CATALOG)
    doc = config.to_document()
    assert doc["toolsets"] == ["zia_url_filtering", "zpa_app_segments"]
    assert doc["write"] == {
        "enabled": True,
        "allowlist": ["zia_create_*"],
        "confirm": ["create", "delete"],
        "confirmTools": ["zia_*_rule"],
    }
    assert doc["entitlementFilter"] is False


def test_a_minimal_file_has_the_default_write_gate() -> None:
    assert parse_policy_text("toolsets: [all]\n", CATALOG).to_document()["write"] == {
        "enabled": False,
        "allowlist": [],
        "confirm": ["delete"],  # deletes need a person unless the policy says otherwise
        "confirmTools": [],
    }


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "{}\n", "~\n"])
def test_an_empty_or_comment_only_file_is_an_error_not_every_tool(text: str) -> None:
    with pytest.raises(ConfigError, match="the policy is empty"):
        parse_policy_text(text, CATALOG)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("toolset: [zia_url_filtering]", "toolset: unknown key"),
        ("write: {enabled: true, allowList: []}", "write.allowList: unknown key"),
        ("toolsets: [zia_nope]", "toolsets: unknown toolset 'zia_nope'"),
        ("disabledToolsets: [default]", "disabledToolsets: unknown toolset 'default'"),
        ("services: [zxx]", "services: unknown service 'zxx'"),
        ("disabledTools: ['zia_del[']", "disabledTools: invalid pattern 'zia_del['"),
        ("disabledTools: ['zia delete']", "disabledTools: invalid pattern <a string of 10 characters, not shown>"),
        ("write: {allowlist: ['zia_[create']}", "write.allowlist: invalid pattern"),
        ("toolsets: zia_url_filtering", "toolsets: must be a list of strings"),
        ("write: {confirm: [drop]}", "write.confirm.0: Input should be 'create', 'update' or 'delete'"),
        ("write: {confirm: delete}", "write.confirm: must be a list of strings"),
        ("write: {confirmTools: ['zia rule']}", "write.confirmTools: invalid pattern"),
        ("write: {enabled: maybe}", "write.enabled:"),
        ("toolsets: [zia_url_filtering", "malformed YAML at line"),
        ("- just\n- a list", "config: must be a mapping"),
    ],
)
def test_each_bad_input_names_the_offending_key(text: str, needle: str) -> None:
    assert any(needle in e for e in errors_of(text)), errors_of(text)


def test_several_catalog_errors_are_all_reported() -> None:
    errors = errors_of("toolsets: [a1, b2]\nservices: [zzz]")
    assert len(errors) == 3


def test_warnings_for_valid_but_useless_settings() -> None:
    config = validate_policy({"write": {"enabled": True}, "disabledTools": ["zzz_*"]}, CATALOG)
    warnings = policy_warnings(config, CATALOG)
    assert any("write.allowlist is empty" in w for w in warnings)
    assert any("'zzz_*' matches no tool" in w for w in warnings)


def test_official_env_vars_map_onto_the_schema() -> None:
    env = {
        "ZSCALER_MCP_SERVICES": "zia, zpa",
        "ZSCALER_MCP_TOOLSETS": "zia_rule_labels,zpa_segment_groups",
        "ZSCALER_MCP_DISABLED_TOOLS": "zia_delete_*",
        "ZSCALER_MCP_WRITE_ENABLED": "true",
        "ZSCALER_MCP_WRITE_TOOLS": "zpa_create_*",
    }
    doc = policy_from_env(env, CATALOG).to_document()
    assert doc["services"] == ["zia", "zpa"]
    assert doc["toolsets"] == ["zia_rule_labels", "zpa_segment_groups"]
    assert doc["disabledTools"] == ["zia_delete_*"]
    assert doc["write"] == {"enabled": True, "allowlist": ["zpa_create_*"], "confirm": ["delete"], "confirmTools": []}


def test_env_errors_name_the_env_var() -> None:
    with pytest.raises(ConfigError) as info:
        policy_from_env({"ZSCALER_MCP_TOOLSETS": "nope"}, CATALOG)
    assert info.value.errors == ["ZSCALER_MCP_TOOLSETS: unknown toolset 'nope'"]


def test_check_config_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("toolsets: [zpa_segment_groups]\n")
    assert main(["check-config", str(good)]) == 0
    assert "ok:" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("toolsets: [nope, zia_x]\nfoo: 1\n")
    assert main(["check-config", str(bad)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == ["foo: unknown key", "toolsets: unknown toolset 'nope'", "toolsets: unknown toolset 'zia_x'"]
    assert main(["check-config", str(tmp_path / "missing.yaml")]) == 1
    assert "cannot read config file" in capsys.readouterr().out


def test_list_tools_cli_names_and_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("toolsets: [zia_rule_labels]\nwrite: {enabled: true, allowlist: [zia_create_*]}\n")
    assert main(["list-tools", "--config", str(cfg), "--format", "names"]) == 0
    names = set(capsys.readouterr().out.split())
    assert {"zia_list_rule_labels", "zia_get_rule_label", "zia_create_rule_label"} <= names
    assert "zia_delete_rule_label" not in names
    assert main(["list-tools", "--all", "--format", "names"]) == 0
    assert "zia_delete_rule_label" in capsys.readouterr().out.split()
