"""Config generations: an immutable snapshot of what is served, swapped atomically on reload.

A call captures the generation current when it starts and finishes under it, so a reload never
changes the rules under a running call. Each generation computes its `initialize` instructions
once and its MCP tool listing once, on first use (not per request, and not before the first answer).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import mcp_types as types
from mcp_types.methods import serialize_server_result
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

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


LISTED_FORM_VERSION = HANDSHAKE_PROTOCOL_VERSIONS[-1]  # the forms every handshake-era listing sends as they are
DUMP: dict[str, Any] = {"by_alias": True, "mode": "json", "exclude_none": True}  # as the SDK dumps a result


def listed_form(version: str, tool: Tool) -> dict[str, Any]:
    """One tool as a `tools/list` answer at `version` carries it: its SDK `Tool` dump through the SDK's outbound
    pass (`version`'s result surface), for a list of one (2026-07-28 requires the cache fields to be there)."""
    one = {"tools": [mcp_tool(tool).model_dump(**DUMP)], "resultType": "complete", "ttlMs": 0, "cacheScope": "private"}
    shaped: dict[str, Any] = serialize_server_result("tools/list", version, one)["tools"][0]
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
        """Each served tool as a handshake-era `tools/list` answer carries it: the SDK's `Tool` dump, shaped by
        the newest handshake version's result surface (its key order too), built once per generation on first
        use. Equal parts (the same parameter schema, annotations, description in many tools) are one object:
        every tool's form held 795 KiB, shared 297 KiB. Listings hand these very objects to the transport,
        which serialises them: nothing may mutate them (an in-process client included)."""
        shared: dict[Hashable, Any] = {}
        return {
            name: share_equal_parts(listed_form(LISTED_FORM_VERSION, tool), shared) for name, tool in self.tools.items()
        }

    def wire_tools_at(self, version: str) -> Mapping[str, dict[str, Any]]:
        """The tools as `version`'s surface shapes a `tools/list` result (what the SDK's pass over a whole list
        sends, byte for byte), each shaped once per version and kept. A tool whose form there serialises as
        its `wire_tools` form is that same object (every handshake version); 2026-07-28 orders keys its own
        way, so a generation listed in that era keeps a second set of forms."""
        with self._shaping:
            shaped = self._shaped.get(version)
            if shaped is None:
                shared: dict[Hashable, Any] = {}
                wire = self.wire_tools
                shaped = self._shaped[version] = {
                    name: wire[name]
                    if json.dumps(form := listed_form(version, tool)) == json.dumps(wire[name])
                    else share_equal_parts(form, shared)
                    for name, tool in self.tools.items()
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
