"""Upstream slots shared fairly among principals.

The gateway runs at most `total` upstream calls at once (its worker pool). First come, first served
let one principal with 40 slow calls in flight make another principal's single call wait behind all
of them. Here each principal holds at most `per_principal` slots, and when slots are contended a
freed one goes to the next principal in round-robin order that is waiting and under its cap: a
greedy principal queues behind itself, not in front of the others.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class FairSlots:
    """At most `total` holders at once, at most `per_principal` (given per call: it is live policy) each."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.in_use = 0
        self._held: dict[str, int] = {}
        # principal -> its waiters in arrival order, each (future, cap); the dict's order is the round-robin
        self._waiting: OrderedDict[str, deque[tuple[asyncio.Future[None], int]]] = OrderedDict()

    def held(self, principal: str) -> int:
        return self._held.get(principal, 0)

    def waiting(self, principal: str) -> int:
        return len(self._waiting.get(principal, ()))

    @asynccontextmanager
    async def slot(self, principal: str, per_principal: int) -> AsyncIterator[None]:
        await self._acquire(principal, per_principal)
        try:
            yield
        finally:
            self._release(principal)

    async def _acquire(self, principal: str, cap: int) -> None:
        if principal not in self._waiting and self.in_use < self.total and self.held(principal) < cap:
            self._take(principal)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(principal, deque()).append((future, cap))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # granted as we were cancelled: give it back
                self._release(principal)
            else:
                self._forget(principal, future)
            raise

    def _take(self, principal: str) -> None:
        self.in_use += 1
        self._held[principal] = self.held(principal) + 1

    def _release(self, principal: str) -> None:
        self.in_use -= 1
        left = self.held(principal) - 1
        if left:
            self._held[principal] = left
        else:
            self._held.pop(principal, None)
        self._grant()

    def _grant(self) -> None:
        """Hand free slots to waiting principals under their caps, the one holding fewest first (ties: the
        longest waiting), so a freed slot goes to a light principal before a greedy one's backlog."""
        while self.in_use < self.total:
            chosen = None
            for principal, queue in list(self._waiting.items()):
                while queue and queue[0][0].done():  # cancelled, its task not yet told: never granted
                    queue.popleft()
                if not queue:
                    del self._waiting[principal]
                elif self.held(principal) < queue[0][1] and (
                    chosen is None or self.held(principal) < self.held(chosen)
                ):
                    chosen = principal
            if chosen is None:
                return
            queue = self._waiting[chosen]
            future, _ = queue.popleft()
            if queue:
                self._waiting.move_to_end(chosen)  # served: behind the others that hold as many
            else:
                del self._waiting[chosen]
            self._take(chosen)
            future.set_result(None)

    def _forget(self, principal: str, future: asyncio.Future[None]) -> None:
        queue = self._waiting.get(principal)
        if queue is None:
            return
        for entry in queue:
            if entry[0] is future:
                queue.remove(entry)
                break
        if not queue:
            del self._waiting[principal]
