"""Per-principal tool patterns: which tools each authenticated caller may use.

The file (`--principals-file`) is YAML:

    principals:
      ci-readonly: ["*_list_*", "*_get_*", "zscaler_list_toolsets"]
      alice: ["*"]
    default: []      # optional: patterns for every other principal; absent = no tool at all

An empty file (nothing but comments or whitespace) restricts no one: every principal may call every
tool the policy serves. So the chart and the operator always pass the flag with a file that may be
empty, and setting or clearing per-principal patterns changes a file, never the command line: no rollout.

Patterns are fnmatch, matched like the policy file's (on the name and its service alias). The
check runs at call time in the dispatcher, after the policy: a principal never gains a tool the
policy does not serve. The file is re-read when it changes; an invalid edit keeps the last good one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..catalog.model import Tool
from ..config import ConfigError, load_yaml_document, read_text_file, shown
from ..policy import matches_any
from ..reload import FileIdentity, file_identity

log = logging.getLogger(__name__)


UNRESTRICTED = ("*",)


@dataclass(frozen=True)
class PrincipalRules:
    patterns: Mapping[str, tuple[str, ...]]
    default: tuple[str, ...] = ()

    def for_principal(self, principal: str) -> tuple[str, ...]:
        return self.patterns.get(principal, self.default)


def _patterns(value: Any, where: str, errors: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(p, str) and p for p in value):
        errors.append(f"{where}: expected a list of non-empty fnmatch patterns")
        return ()
    return tuple(value)


def parse_rules(text: str, source: str) -> PrincipalRules:
    data = load_yaml_document(text, source)
    if data is None:  # an empty file: nobody is restricted
        return PrincipalRules({}, UNRESTRICTED)
    if not isinstance(data, dict):
        raise ConfigError([f"{source}: expected a mapping with 'principals' and optional 'default'"])
    errors = [f"{source}: unknown key {shown(key)}" for key in data if key not in ("principals", "default")]
    principals = data.get("principals") or {}
    if not isinstance(principals, dict):
        errors.append(f"{source}: principals: expected a mapping of principal name to patterns")
        principals = {}
    rules = {str(name): _patterns(value, f"{source}: principals.{name}", errors) for name, value in principals.items()}
    default = _patterns(data["default"], f"{source}: default", errors) if "default" in data else ()
    if errors:
        raise ConfigError(errors)
    return PrincipalRules(rules, default)


class PrincipalPolicy:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._identity: FileIdentity = file_identity(self.path)
        self._rules = self._read()  # raises ConfigError: refuse to start on a bad file

    def _read(self) -> PrincipalRules:
        return parse_rules(read_text_file(self.path), str(self.path))

    def rules(self) -> PrincipalRules:
        identity = file_identity(self.path)
        if identity != self._identity:
            self._identity = identity
            try:
                self._rules = self._read()
                log.info("principals file %s reloaded: %d principal(s)", self.path, len(self._rules.patterns))
            except ConfigError as exc:
                log.error("principals file rejected, keeping the last good one: %s", "; ".join(exc.errors))
        return self._rules

    def allows(self, principal: str, tool: Tool) -> bool:
        return matches_any(tool, self.rules().for_principal(principal))

    def refusal(self, principal: str, tool: Tool) -> str | None:
        if self.allows(principal, tool):
            return None
        return f"Principal {principal!r} may not call {tool.name!r}: not among its patterns in the principals file."
