"""Identical reads share one upstream request: coalesced while in flight, optionally cached for a while.

N agents asking for the same list sent N identical requests against the tenant's quota. A read is
identified by its tool and its validated arguments (canonical JSON). Sharing happens after the
policy, principal and argument checks, so a shared answer only reaches a caller who was allowed to
make the same call. A write through the gateway starts a new epoch of its service: cached entries of
that service are dropped, and reads already in flight from before the write are neither joined nor
stored.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Any

MAX_CACHED_ANSWERS = 256  # bounded memory: the oldest answers go first


class Shared(StrEnum):
    """How a read's answer was obtained without an upstream request of its own (the audit's `shared`)."""

    COALESCED = "coalesced"
    CACHED = "cached"


class ReadCancelled(asyncio.CancelledError):
    """The caller was cancelled while its read was in flight; `upstream` is that read, which goes on (others
    may share it), so the caller can still learn what happened upstream. A CancelledError: cancellation
    semantics are unchanged."""

    def __init__(self, cancelled: asyncio.CancelledError, upstream: asyncio.Future[Any]) -> None:
        super().__init__(*cancelled.args)
        self.upstream = upstream


def read_key(tool: str, arguments: Mapping[str, Any]) -> str:
    return tool + "\0" + json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str)


class ReadSharing:
    def __init__(self, max_cached: int = MAX_CACHED_ANSWERS, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_cached = max_cached
        self.clock = clock
        self._epochs: dict[str, int] = {}
        self._in_flight: dict[tuple[str, int, str], asyncio.Future[Any]] = {}
        self._cached: OrderedDict[tuple[str, int, str], tuple[float, Any]] = OrderedDict()

    async def read(
        self,
        service: str,
        key: str,
        fetch: Callable[[], Awaitable[Any]],
        coalesce: bool,
        ttl_seconds: float,
        keep: Callable[[Any], bool] = lambda answer: True,
    ) -> tuple[Any, Shared | None]:
        """The answer of `fetch()` for this read, and how it was shared (None: this call asked upstream).

        Only answers `keep` approves are cached (an error never is); coalesced callers all get the one answer
        (or exception) their shared request met. A caller cancelled meanwhile gets `ReadCancelled`.
        """
        slot = (service, self._epochs.get(service, 0), key)
        if ttl_seconds > 0:
            hit = self._cached.get(slot)
            if hit is not None and self.clock() - hit[0] < ttl_seconds:
                return hit[1], Shared.CACHED
        if coalesce:
            running = self._in_flight.get(slot)
            if running is not None:
                return await self._await(running), Shared.COALESCED
        # The request runs as its own task so a caller that gives up does not cancel it for the others.
        task = asyncio.ensure_future(fetch())
        if coalesce:
            self._in_flight[slot] = task
            task.add_done_callback(lambda _: self._in_flight.pop(slot, None))
        task.add_done_callback(_retrieve)
        payload = await self._await(task)
        if ttl_seconds > 0 and slot[1] == self._epochs.get(service, 0) and keep(payload):
            self._store(slot, payload)
        return payload, None

    @staticmethod
    async def _await(upstream: asyncio.Future[Any]) -> Any:
        try:
            return await asyncio.shield(upstream)
        except asyncio.CancelledError as cancelled:
            if upstream.cancelled():
                raise
            raise ReadCancelled(cancelled, upstream) from None

    def invalidate(self, service: str) -> None:
        """A write to `service` went through: nothing read before it is served again."""
        self._epochs[service] = self._epochs.get(service, 0) + 1
        for slot in [s for s in self._cached if s[0] == service]:
            del self._cached[slot]

    def _store(self, slot: tuple[str, int, str], payload: Any) -> None:
        self._cached[slot] = (self.clock(), payload)
        self._cached.move_to_end(slot)
        while len(self._cached) > self.max_cached:
            self._cached.popitem(last=False)


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark a shared request's exception as seen: a caller that gave up must not leave it 'never retrieved'."""
    if not task.cancelled():
        task.exception()
