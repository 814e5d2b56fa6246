"""Selection policy: which catalog tools a config serves, and why any other is not.

Precedence, fixed by the contract: disabledTools > services > toolsets/disabledToolsets >
enabledTools > write gate. One function, `exclusion_reason`, decides for listing and for the
call-time check alike, so the two can never disagree.
"""

from __future__ import annotations

import bisect
import fnmatch
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from .catalog.model import META_TOOLSET, Action, Catalog, Tool
from .config import PolicyConfig


def matches_any(tool: Tool, patterns: Iterable[str]) -> bool:
    """fnmatch on the name and on its service-prefixed alias (so `zia_*` catches `get_zia_users`)."""
    names = (tool.name, *tool.aliases)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns for name in names)


_WILDCARDS = "*?["


def matching_tools(catalog: Catalog, patterns: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(names of the tools some pattern matches, the patterns that match no tool), as `matches_any` decides.

    A pattern is compared only with the names that start with its literal prefix (a bisect over the
    sorted names), so a file of 10,000 patterns resolves in milliseconds, not in seconds of fnmatch.
    """
    names = sorted((name, tool.name) for tool in catalog.tools.values() for name in (tool.name, *tool.aliases))
    keys = [name for name, _ in names]
    matched: set[str] = set()
    unmatched: list[str] = []
    for pattern in patterns:
        cut = min((i for i in (pattern.find(c) for c in _WILDCARDS) if i >= 0), default=len(pattern))
        prefix, hit = pattern[:cut], False
        for index in range(bisect.bisect_left(keys, prefix), len(keys)):
            name = keys[index]
            if not name.startswith(prefix):
                break
            if fnmatch.fnmatchcase(name, pattern):
                matched.add(names[index][1])
                hit = True
        if not hit:
            unmatched.append(pattern)
    return frozenset(matched), tuple(unmatched)


def active_services(config: PolicyConfig, catalog: Catalog, entitled: Collection[str] | None) -> tuple[str, ...]:
    chosen = config.services or catalog.services
    return tuple(s for s in chosen if entitled is None or s in entitled)


def selected_toolsets(config: PolicyConfig, catalog: Catalog, extra: Iterable[str] = ()) -> frozenset[str]:
    """Toolset ids named by `toolsets` (keywords expanded) plus run-time enabled ones, less the disabled."""
    requested = set(config.toolsets) | set(extra)
    if not config.toolsets or "all" in requested:
        ids = set(catalog.toolsets)
    else:
        ids = {t for t in requested if t in catalog.toolsets}
        if "default" in requested:
            ids |= {t.id for t in catalog.toolsets.values() if t.default}
    ids.add(META_TOOLSET)
    return frozenset(ids - set(config.disabled_toolsets))


@dataclass(frozen=True)
class PolicyView:
    """A config resolved against the catalog once, for cheap per-tool decisions."""

    config: PolicyConfig
    catalog: Catalog
    services: frozenset[str]
    toolsets: frozenset[str]
    disabled: frozenset[str]  # names of the tools disabledTools matches
    enabled: frozenset[str]  # ... enabledTools matches
    write_allowed: frozenset[str]  # ... write.allowlist matches

    @classmethod
    def build(
        cls,
        config: PolicyConfig,
        catalog: Catalog,
        entitled: Collection[str] | None = None,
        extra_toolsets: Iterable[str] = (),
    ) -> PolicyView:
        return cls(
            config,
            catalog,
            frozenset(active_services(config, catalog, entitled)),
            selected_toolsets(config, catalog, extra_toolsets),
            matching_tools(catalog, config.disabled_tools)[0],
            matching_tools(catalog, config.enabled_tools)[0],
            matching_tools(catalog, config.write.allowlist)[0],
        )

    def exclusion_reason(self, tool: Tool) -> str | None:
        """None when the tool is served; else the first rule (in precedence order) that drops it."""
        config = self.config
        if tool.name in self.disabled:
            return "it matches a disabledTools pattern"
        if tool.toolset == META_TOOLSET:
            return None
        if tool.service not in self.services:
            return f"service {tool.service!r} is not enabled (services / entitlements)"
        if tool.toolset not in self.toolsets:
            if tool.toolset in config.disabled_toolsets:
                return f"toolset {tool.toolset!r} is in disabledToolsets"
            return f"toolset {tool.toolset!r} is not enabled"
        if config.enabled_tools and tool.name not in self.enabled:
            return "it matches no enabledTools pattern"
        if tool.action.is_write:
            if not config.write.enabled:
                return "it is a write tool and write.enabled is false"
            if tool.name not in self.write_allowed:
                return "it is a write tool that matches no write.allowlist pattern"
        return None

    def needs_confirmation(self, tool: Tool, allow_unconfirmed_deletes: bool = False) -> bool:
        """Whether a person must approve each call: its action is in `write.confirm` or it matches a
        `write.confirmTools` pattern. The deprecated `--allow-unconfirmed-deletes` takes delete out of `confirm`."""
        write = self.config.write
        confirmed = set(write.confirm) - ({Action.DELETE.value} if allow_unconfirmed_deletes else set())
        return tool.action.value in confirmed or matches_any(tool, write.confirm_tools)

    def served_tools(self) -> Mapping[str, Tool]:
        return {name: tool for name, tool in self.catalog.tools.items() if self.exclusion_reason(tool) is None}
