"""Toolsets enabled at run time (`zscaler_enable_toolset`): the asking MCP session's, never the process's.

A session's calls and listings see the store's current generation plus the toolsets that session
enabled, resolved under the current file with the same precedence as everything else. Enables are
bounded by the file: a reload that forbids an enabled toolset ends that enable, and a reload that
takes any toolset out of the file's own selection ends them all (the operator narrowed the policy;
a session asks again within the new one). A session's enables end with the session.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from .generation import Generation, GenerationStore, build_generation

MAX_VIEWS = 64  # distinct (generation, enables) views kept built; sessions share them


class SessionToolsets:
    def __init__(self, store: GenerationStore) -> None:
        self.store = store
        self._enabled: dict[str, frozenset[str]] = {}
        self._views: OrderedDict[tuple[int, frozenset[str]], Generation] = OrderedDict()
        self._lock = threading.Lock()
        store.subscribe(self._bound_by_file)

    def __len__(self) -> int:
        """Sessions holding enables."""
        return len(self._enabled)

    def enabled(self, session_id: str) -> frozenset[str]:
        return self._enabled.get(session_id, frozenset())

    def generation_for(self, session_id: str | None) -> Generation:
        """The current generation as `session_id` sees it (the store's own without a session or enables)."""
        current = self.store.current
        extra = self._enabled.get(session_id) if session_id is not None else None
        if not extra:
            return current
        key = (current.number, extra)
        with self._lock:
            view = self._views.get(key)
            if view is not None:
                self._views.move_to_end(key)
                return view
        view = build_generation(
            current.number, current.config, self.store.catalog, current.source, self.store.entitled, extra
        )
        with self._lock:
            self._views[key] = view
            while len(self._views) > MAX_VIEWS:
                self._views.popitem(last=False)
        return view

    def enable(self, session_id: str, toolset_id: str) -> tuple[Generation, str | None]:
        """Add a toolset to the session's under the current file; returns (its view, refusal reason)."""
        generation = self.generation_for(session_id)
        refusal = self.store.enable_refusal(generation, toolset_id)
        if refusal is not None or toolset_id in generation.view.toolsets:
            return generation, refusal
        with self._lock:
            self._enabled[session_id] = self._enabled.get(session_id, frozenset()) | {toolset_id}
        return self.generation_for(session_id), None

    def forget(self, session_id: str) -> None:
        """The session ended: its enables go with it."""
        with self._lock:
            self._enabled.pop(session_id, None)

    def _bound_by_file(self, old: Generation, new: Generation) -> None:
        if old.config == new.config:
            return  # entitlements only: each view applies them itself
        narrowed = not old.view.toolsets <= new.view.toolsets
        with self._lock:
            for session_id, extra in list(self._enabled.items()):
                kept = frozenset(t for t in extra if not narrowed and self.store.enable_refusal(new, t) is None)
                if kept:
                    self._enabled[session_id] = kept
                else:
                    del self._enabled[session_id]
            self._views.clear()
