"""In-memory, stateful resource store behind the simulator: collections of records keyed by id.

Pure data structures with no HTTP; the app module maps requests onto them. Each collection knows
its id style (ZPA string ids, ZIA integer ids), its seed records and which fields a create needs,
so a new API is one `Collection` declaration away.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Envelope = Literal["zpa", "array", "object"]


class SimulatorError(Exception):
    """An API error the simulator answers with, in the upstream's own shape."""

    def __init__(self, status: int, message: str, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or {400: "INVALID_INPUT_ARGUMENT", 404: "RESOURCE_NOT_FOUND"}.get(status, "ERROR")


@dataclass
class Collection:
    """One REST collection at a full path template, e.g. `/zia/api/v1/ruleLabels`."""

    service: str
    path: str
    envelope: Envelope
    seed: list[dict[str, Any]] = field(default_factory=list)
    required: tuple[str, ...] = ("name",)
    int_ids: bool = False
    id_prefix: str | None = None  # e.g. ZIA custom URL categories: CUSTOM_01
    id_start: int = 1000
    on_create: Callable[[dict[str, Any]], None] | None = None  # derive server-side fields
    check: Callable[[dict[str, Any]], None] | None = None  # refuse (SimulatorError) a body the API refuses
    crud: bool = True  # False: the service module serves it with its own routes (e.g. a settings object)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(self.id_start)
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.records: dict[str, dict[str, Any]] = {}
            for record in self.seed:
                self.records[str(record["id"])] = copy.deepcopy(record)

    def _new_id(self) -> int | str:
        n = next(self._ids)
        if self.id_prefix is not None:
            return f"{self.id_prefix}{n:02d}"
        return n if self.int_ids else str(72058304855000000 + n)

    def list(self, name_filter: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            items = list(self.records.values())
        if name_filter:
            needle = name_filter.lower()
            items = [r for r in items if needle in str(r.get("name", "")).lower()]
        return copy.deepcopy(items)

    def get(self, record_id: str) -> dict[str, Any]:
        with self._lock:
            record = self.records.get(str(record_id))
        if record is None:
            raise SimulatorError(404, f"Resource with id {record_id} not found")
        return copy.deepcopy(record)

    def create(self, body: Any) -> dict[str, Any]:
        record = self._validated(body)
        with self._lock:
            record["id"] = self._new_id()
            if self.on_create:
                self.on_create(record)
            self.records[str(record["id"])] = record
        return copy.deepcopy(record)

    def update(self, record_id: str, body: Any) -> dict[str, Any]:
        changes = self._validated(body, partial=True)
        with self._lock:
            current = self.records.get(str(record_id))
            if current is None:
                raise SimulatorError(404, f"Resource with id {record_id} not found")
            changes.pop("id", None)
            current.update(changes)
            return copy.deepcopy(current)

    def replace(self, record_id: str, body: Any, keep: tuple[str, ...] = ()) -> dict[str, Any]:
        """PUT of APIs that replace the whole object (ZIA): omitted fields are gone, except the
        server-managed `keep` fields; required fields must be present again."""
        record = self._validated(body)
        with self._lock:
            current = self.records.get(str(record_id))
            if current is None:
                raise SimulatorError(404, f"Resource with id {record_id} not found")
            record.update({k: current[k] for k in keep if k in current and k not in record})
            record["id"] = current["id"]
            self.records[str(record_id)] = record
            return copy.deepcopy(record)

    def delete(self, record_id: str) -> None:
        with self._lock:
            if self.records.pop(str(record_id), None) is None:
                raise SimulatorError(404, f"Resource with id {record_id} not found")

    def _validated(self, body: Any, partial: bool = False) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise SimulatorError(400, "Request body must be a JSON object")
        if not partial:
            missing = [f for f in self.required if body.get(f) in (None, "")]
            if missing:
                raise SimulatorError(400, f"Missing required field(s): {', '.join(missing)}")
        if self.check is not None:
            self.check(body)
        return copy.deepcopy(body)


@dataclass
class ServiceApi:
    """What one service contributes to the simulator: its collections and any non-CRUD routes."""

    collections: list[Collection]
    routes: list[Any] = field(default_factory=list)


@dataclass
class Store:
    collections: list[Collection]

    def reset(self) -> None:
        for c in self.collections:
            c.reset()

    @classmethod
    def of(cls, groups: Iterable[list[Collection]]) -> Store:
        return cls([c for group in groups for c in group])
