"""The policy file model: one schema shared by the file, the CR spec and the Helm values.

Pure: parsing and validation against the catalog, no file watching. Every error names the key
(and the value) that is wrong, so `check-config`, `/readyz` and the operator can show it as is.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .catalog.model import Catalog

KEYWORDS = ("default", "all")
TOOL_PATTERN = re.compile(r"^[A-Za-z0-9_*?\[\]!-]+$")  # fnmatch over tool names; the CRD schema reuses it


class ConfigError(Exception):
    """An invalid policy; `errors` holds one message per problem, each naming the key."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class WritePolicy(_Strict):
    enabled: bool = False
    allowlist: tuple[str, ...] = ()


class PolicyConfig(_Strict):
    services: tuple[str, ...] = ()
    toolsets: tuple[str, ...] = ()
    disabled_toolsets: tuple[str, ...] = Field(default=(), alias="disabledToolsets")
    disabled_tools: tuple[str, ...] = Field(default=(), alias="disabledTools")
    enabled_tools: tuple[str, ...] = Field(default=(), alias="enabledTools")
    write: WritePolicy = WritePolicy()
    entitlement_filter: bool = Field(default=True, alias="entitlementFilter")

    @field_validator("services", "toolsets", "disabled_toolsets", "disabled_tools", "enabled_tools", mode="before")
    @classmethod
    def _no_bare_string(cls, value: Any) -> Any:
        # YAML `toolsets: zia_x` is a common slip; a string would otherwise iterate as characters.
        if isinstance(value, str):
            raise ValueError("must be a list of strings, not a single string")
        return value

    def to_document(self) -> dict[str, Any]:
        """The camelCase document form (what the file, the CR spec and the Helm values hold)."""
        return self.model_dump(by_alias=True, mode="json")


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _pattern_errors(key: str, patterns: tuple[str, ...]) -> list[str]:
    errors = []
    for pattern in patterns:
        if not TOOL_PATTERN.match(pattern) or pattern.count("[") != pattern.count("]"):
            errors.append(
                f"{key}: invalid pattern {pattern!r} (fnmatch over tool names: letters, digits, _ - * ? [ ] !)"
            )
    return errors


def _strings(document: Mapping[str, Any], *path: str) -> tuple[str, ...]:
    """The list of strings at `path`, or () when absent or of the wrong shape (pydantic reports that)."""
    value: Any = document
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def _catalog_errors(document: Mapping[str, Any], catalog: Catalog) -> list[str]:
    errors: list[str] = []
    for service in _strings(document, "services"):
        if service not in catalog.services:
            errors.append(f"services: unknown service {service!r} (known: {', '.join(catalog.services)})")
    for key, allow_keywords in (("toolsets", True), ("disabledToolsets", False)):
        for toolset in _strings(document, key):
            if toolset not in catalog.toolsets and not (allow_keywords and toolset in KEYWORDS):
                errors.append(f"{key}: unknown toolset {toolset!r}")
    errors += _pattern_errors("disabledTools", _strings(document, "disabledTools"))
    errors += _pattern_errors("enabledTools", _strings(document, "enabledTools"))
    errors += _pattern_errors("write.allowlist", _strings(document, "write", "allowlist"))
    return errors


def validate_policy(document: Any, catalog: Catalog) -> PolicyConfig:
    """Parse and check a policy document; raises ConfigError listing every problem."""
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise ConfigError([f"config: must be a mapping of keys, got {type(document).__name__}"])
    errors: list[str] = []
    config: PolicyConfig | None = None
    try:
        config = PolicyConfig.model_validate(document)
    except ValidationError as exc:
        for err in exc.errors():
            key = _location(err["loc"]) or "config"
            errors.append(f"{key}: unknown key" if err["type"] == "extra_forbidden" else f"{key}: {err['msg']}")
    errors += _catalog_errors(document, catalog)
    if errors or config is None:
        raise ConfigError(errors)
    return config


def policy_warnings(config: PolicyConfig, catalog: Catalog) -> list[str]:
    """Valid but probably unintended settings, for logs and check-config."""
    warnings = []
    if config.write.enabled and not config.write.allowlist:
        warnings.append("write.enabled is true but write.allowlist is empty: no write tool is served")
    names = [n for t in catalog.tools.values() for n in (t.name, *t.aliases)]
    for key, patterns in (
        ("disabledTools", config.disabled_tools),
        ("enabledTools", config.enabled_tools),
        ("write.allowlist", config.write.allowlist),
    ):
        for pattern in patterns:
            if not fnmatch.filter(names, pattern):
                warnings.append(f"{key}: pattern {pattern!r} matches no tool")
    return warnings


def parse_policy_text(text: str, catalog: Catalog, source: str = "config") -> PolicyConfig:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError([f"{source}: malformed YAML{where}: {getattr(exc, 'problem', exc)}"]) from None
    return validate_policy(document, catalog)


def load_policy_file(path: str | os.PathLike[str], catalog: Catalog) -> PolicyConfig:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read config file: {exc.strerror}"]) from None
    return parse_policy_text(text, catalog, str(path))


def _csv(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def policy_from_env(environ: Mapping[str, str], catalog: Catalog) -> PolicyConfig:
    """The official server's env vars, for use without a config file."""
    truthy = {"1", "true", "yes", "on"}
    document: dict[str, Any] = {
        "services": _csv(environ.get("ZSCALER_MCP_SERVICES")),
        "toolsets": _csv(environ.get("ZSCALER_MCP_TOOLSETS")),
        "disabledToolsets": _csv(environ.get("ZSCALER_MCP_DISABLED_TOOLSETS")),
        "disabledTools": _csv(environ.get("ZSCALER_MCP_DISABLED_TOOLS")),
        "write": {
            "enabled": environ.get("ZSCALER_MCP_WRITE_ENABLED", "").strip().lower() in truthy,
            "allowlist": _csv(environ.get("ZSCALER_MCP_WRITE_TOOLS")),
        },
        "entitlementFilter": environ.get("ZSCALER_MCP_DISABLE_ENTITLEMENT_FILTER", "").strip().lower() not in truthy,
    }
    try:
        return validate_policy(document, catalog)
    except ConfigError as exc:
        env_names = {
            "services": "ZSCALER_MCP_SERVICES",
            "toolsets": "ZSCALER_MCP_TOOLSETS",
            "disabledToolsets": "ZSCALER_MCP_DISABLED_TOOLSETS",
            "disabledTools": "ZSCALER_MCP_DISABLED_TOOLS",
            "write.allowlist": "ZSCALER_MCP_WRITE_TOOLS",
        }
        raise ConfigError([_rename_key(e, env_names) for e in exc.errors]) from None


def _rename_key(message: str, names: Mapping[str, str]) -> str:
    key, _, rest = message.partition(":")
    return f"{names.get(key, key)}:{rest}"
