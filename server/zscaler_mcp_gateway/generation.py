"""Config generations: an immutable snapshot of what is served, swapped atomically on reload.

A call captures the generation current when it starts and finishes under it, so a reload never
changes the rules under a running call. Each generation computes its `initialize` instructions
once and its MCP tool listing once, on first use (not per request, and not before the first answer).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import mcp_types as types
from mcp_types.methods import serialize_server_result

from .catalog.model import META_TOOLSET, Catalog, Tool
from .config import PolicyConfig
from .policy import PolicyView

log = logging.getLogger(__name__)


def share_equal_parts(value: Any, shared: dict[Hashable, Any]) -> Any:
    """`value` (JSON: dicts, lists, scalars) with every part equal to one already in `shared` replaced by that one.

    Parts are shared bottom-up, so a container's key names its parts by identity (`shared` keeps them alive
    while it is used): keys stay shallow. Order and type count: `1`, `1.0`, `True` stay apart, and `0.0`, `-0.0`."""
    key: Hashable
    if isinstance(value, dict):
        value = {name: share_equal_parts(part, shared) for name, part in value.items()}
        key = ("dict", *((name, id(part)) for name, part in value.items()))
    elif isinstance(value, list):
        value = [share_equal_parts(part, shared) for part in value]
        key = ("list", *(id(part) for part in value))
    else:  # a float by its bits: -0.0 == 0.0, yet they serialise apart
        key = (float, value.hex()) if isinstance(value, float) else (type(value), value)
    return shared.setdefault(key, value)


def shape_listed_tool(version: str, wire: dict[str, Any]) -> dict[str, Any]:
    """One tool as `version`'s `tools/list` result surface keeps it (the SDK's outbound pass, for one tool)."""
    envelope = {"tools": [wire], "resultType": "complete", "ttlMs": 0, "cacheScope": "private"}  # 2026 requires them
    shaped: dict[str, Any] = serialize_server_result("tools/list", version, envelope)["tools"][0]
    return shaped


def mcp_tool(tool: Tool) -> types.Tool:
    return types.Tool(
        name=tool.name,
        description=tool.description,
        input_schema=tool.input_schema(),
        annotations=types.ToolAnnotations.model_validate(tool.annotations()),
    )


def instructions_for(catalog: Catalog, tools: Iterable[Tool]) -> str:
    """Instruction snippets of the served toolsets, each once, in catalog order."""
    served = {t.toolset for t in tools}
    seen: dict[str, None] = {}
    for toolset in catalog.toolsets.values():
        if toolset.id in served:
            for snippet in toolset.instructions:
                seen.setdefault(snippet, None)
    head = (
        "Zscaler MCP gateway. Use zscaler_list_toolsets to see what else exists "
        "and zscaler_enable_toolset to ask for more."
    )
    return "\n\n".join([head, *seen])


@dataclass(frozen=True)
class Generation:
    number: int
    config: PolicyConfig
    view: PolicyView
    tools: Mapping[str, Tool]
    instructions: str
    source: str
    runtime_toolsets: frozenset[str] = frozenset()
    loaded_at: float = field(default_factory=time.time)
    _shaped: dict[str, Mapping[str, dict[str, Any]]] = field(default_factory=dict, repr=False, compare=False)
    _shaping: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @cached_property
    def wire_tools(self) -> Mapping[str, dict[str, Any]]:
        """Each served tool in its tools/list wire form (as the SDK's `Tool` dumps it), built once per generation
        on first use; the models are not kept, their dump is what every listing sends. Equal parts of the dumps
        (the same parameter schema, annotations, description in many tools) are one object: the forms of every
        tool held 795 KiB, shared 297 KiB. Nothing mutates them (the SDK copies what it shapes)."""
        shared: dict[Hashable, Any] = {}
        return {
            name: share_equal_parts(mcp_tool(tool).model_dump(by_alias=True, mode="json", exclude_none=True), shared)
            for name, tool in self.tools.items()
        }

    def wire_tools_at(self, version: str) -> Mapping[str, dict[str, Any]]:
        """`wire_tools` as `version`'s surface shapes a `tools/list` result (what the SDK's per-listing pass would
        send), shaped once per tool for each version and kept; a tool the shaping leaves as it was is the same
        object as in `wire_tools` (so far, every tool at every version: no memory beyond a mapping)."""
        with self._shaping:
            shaped = self._shaped.get(version)
            if shaped is None:
                shaped = self._shaped[version] = {
                    name: wire if (form := shape_listed_tool(version, wire)) == wire else form
                    for name, wire in self.wire_tools.items()
                }
        return shaped

    def lists_as(self, other: Generation) -> bool:
        """Whether a client listing under `other` sees the same tools, in the same order, as under this one."""
        return list(self.tools.items()) == list(other.tools.items())

    def counts(self) -> dict[tuple[str, str], int]:
        """Served tools per (service, access), for the tools_served gauge."""
        counts: dict[tuple[str, str], int] = {}
        for tool in self.tools.values():
            key = (tool.service, tool.access)
            counts[key] = counts.get(key, 0) + 1
        return counts


def build_generation(
    number: int,
    config: PolicyConfig,
    catalog: Catalog,
    source: str,
    entitled: Collection[str] | None = None,
    runtime_toolsets: frozenset[str] = frozenset(),
) -> Generation:
    view = PolicyView.build(config, catalog, entitled, runtime_toolsets)
    tools = view.served_tools()
    return Generation(
        number=number,
        config=config,
        view=view,
        tools=tools,
        instructions=instructions_for(catalog, tools.values()),
        source=source,
        runtime_toolsets=runtime_toolsets,
    )


@dataclass
class ReloadStatus:
    last_error: list[str] | None = None
    last_error_at: float | None = None
    failures: int = 0


Listener = Callable[[Generation, Generation], Any]


class GenerationStore:
    """Holds the current generation; `apply_config`/`set_entitlements` publish the next one.

    Toolsets enabled at run time are a session's (session_toolsets.py), never a generation of the store's.
    """

    def __init__(
        self, catalog: Catalog, config: PolicyConfig, source: str, entitled: Collection[str] | None = None
    ) -> None:
        self.catalog = catalog
        self.entitled = entitled
        self._lock = threading.Lock()
        self._current = build_generation(1, config, catalog, source, entitled)
        self._listeners: list[Listener] = []
        self.reload_status = ReloadStatus()

    @property
    def current(self) -> Generation:
        return self._current

    def subscribe(self, listener: Listener) -> None:
        """`listener(old, new)` runs after every swap (from the thread that swapped)."""
        self._listeners.append(listener)

    def _publish(self, build: Callable[[Generation], Generation]) -> Generation:
        with self._lock:
            old = self._current
            new = build(old)
            self._current = new
        for listener in self._listeners:
            try:
                listener(old, new)
            except Exception:  # a faulty listener must not undo or block a reload
                log.exception("generation listener failed")
        return new

    def apply_config(self, config: PolicyConfig, source: str) -> Generation:
        self.reload_status.last_error = None
        return self._publish(lambda old: build_generation(old.number + 1, config, self.catalog, source, self.entitled))

    def record_failure(self, errors: list[str]) -> None:
        self.reload_status.last_error = errors
        self.reload_status.last_error_at = time.time()
        self.reload_status.failures += 1

    def set_entitlements(self, entitled: Collection[str] | None) -> Generation:
        self.entitled = entitled
        return self._publish(
            lambda old: build_generation(old.number + 1, old.config, self.catalog, old.source, entitled)
        )

    def enable_refusal(self, generation: Generation, toolset_id: str) -> str | None:
        toolset = self.catalog.toolsets.get(toolset_id)
        if toolset is None:
            return f"unknown toolset {toolset_id!r}"
        if toolset_id == META_TOOLSET:
            return None
        config = generation.config
        if toolset_id in config.disabled_toolsets:
            return f"toolset {toolset_id!r} is in disabledToolsets"
        if toolset.service not in generation.view.services:
            return f"service {toolset.service!r} is not enabled (services / entitlements)"
        probe = PolicyView.build(config, self.catalog, self.entitled, generation.runtime_toolsets | {toolset_id})
        if not any(probe.exclusion_reason(t) is None for t in self.catalog.toolset_tools(toolset_id)):
            return "the policy (disabledTools, enabledTools, write gate) allows none of its tools"
        return None
