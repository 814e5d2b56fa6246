"""Per-service quotas in front of every upstream HTTP request, protecting the tenant's API budget.

All agents of a tenant share one quota, and Zscaler counts it in fixed windows: `500;w=1` admits 500
requests in each one-second window, however they fall inside it. A token bucket refilling
continuously can send up to twice a window's limit inside one window (the full bucket, then the
refill), so the gateway keeps a log of what it sent instead and never sends more than a window's
limit within any span of that window's length (plus a margin for the time a request takes to reach
the API): then no fixed window of the API can hold more either.

With `rateLimit: auto` the windows start from Zscaler's published limits and then follow what the
API says on every answer: `x-ratelimit-limit` (e.g. `500, 500;w=1, 100000;w=60`: every window is
kept), `x-ratelimit-remaining` with `x-ratelimit-reset` (what the whole tenant has left until the
window refills: other gateways and scripts spend it too, so it caps what this one sends, less what
it has in flight), and a 429's `Retry-After`. The limits are divided by the number of gateway
replicas sharing the tenant. A request waits for room up to `max_wait_seconds`; past that it is
not sent, and the call fails with "rate limited by Zscaler, retry after N s" (never a raw 429).

Requests are made on the upstream worker threads, so `before_request` blocks; a call first waits for room
on the event loop (`wait_for_room`), holding no worker meanwhile.
"""

from __future__ import annotations

import asyncio
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass

from .config import AUTO


@dataclass(frozen=True)
class Window:
    """At most `limit` requests in any `seconds`-long span."""

    limit: float
    seconds: float


# Zscaler's published limits (OneAPI "Understanding Rate Limiting"), used until an answer's headers say
# more: ZIA light (GET) endpoints 2 a second; ZPA 20 GETs in 10 s. Other services publish none: only their
# headers and 429s pace them.
PUBLISHED: Mapping[str, tuple[Window, ...]] = {"zia": (Window(2, 1),), "zpa": (Window(20, 10),)}
AFTER_UNEXPECTED_429 = (Window(10, 1),)  # a service that publishes nothing and sends no headers, once it answers 429
# A request is logged when it leaves and counted by the API when it arrives: the span each window covers is
# this much longer, so a request held up on the way still falls in the span that counted it.
TRANSIT_MARGIN_SECONDS = 0.1
LOG_SLICES = 20  # a window's log keeps this many counters, whatever its limit (100,000 a minute is 20 ints)
PROBE_SECONDS = 1.0
POLL_SECONDS = 0.05  # a waiting request looks again this often
DEFAULT_MAX_WAIT_SECONDS = 10.0
_POLICY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:;\s*w\s*=\s*(\d+(?:\.\d+)?))?")


class RateLimited(Exception):
    """The service's quota is spent for longer than a call may wait."""

    def __init__(self, service: str, retry_after: float) -> None:
        self.service = service
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            f"{service.upper()} API rate limited by Zscaler (the tenant's quota is spent): "
            f"retry after {self.retry_after} s"
        )


# The refusal of the current tool call, if any: the SDK turns exceptions raised inside a request into its
# own error values, so the executor reads the cause here rather than parsing the SDK's text.
refusal: ContextVar[RateLimited | None] = ContextVar("rate_limit_refusal", default=None)


def limit_windows(value: str | None) -> tuple[Window, ...]:
    """The windows of an `x-ratelimit-limit` value, each length once (its lowest limit).

    `500, 500;w=1, 100000;w=60`: the items with `w=` are the policies; the bare first item is the limit
    of the window now running, one of them. A value of bare numbers only is read as per second.
    """
    named: dict[float, float] = {}
    bare: list[float] = []
    for item in (value or "").split(","):
        match = _POLICY.match(item)
        if match is None:
            continue
        limit = float(match.group(1))
        if match.group(2) is None:
            bare.append(limit)
        elif (length := float(match.group(2))) > 0:
            named[length] = min(limit, named.get(length, limit))
    if not named and bare:
        named[1.0] = min(bare)
    return tuple(Window(limit, length) for length, limit in sorted(named.items()))


def seconds(value: str | None) -> float | None:
    """A header's seconds: `13`, `13.5` or `13s` (ZPA's Retry-After form); None when absent or unreadable."""
    if not value:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*s?\s*", value)
    return float(match.group(1)) if match else None


def replica_share(window: Window, replicas: int) -> Window:
    """One replica's part of a tenant window. A share under one request is one request in a longer span:
    the replicas together keep the tenant's rate, though uncoordinated ones may meet in one window then."""
    share = window.limit / replicas
    return Window(share, window.seconds) if share >= 1 else Window(1, window.seconds / share)


class SendLog:
    """How many requests left within the last `span` seconds, in at most `LOG_SLICES` counters.

    A counter opens at its first request and holds those of the next `span / LOG_SLICES` seconds; it is
    counted until its last possible request is older than `span`, so the count may be high, never low.
    """

    def __init__(self, span: float, now: float, recent: float = 0) -> None:
        self.span = span
        self.width = span / LOG_SLICES
        self.slices: deque[list[float]] = deque([[now, recent]] if recent else [])  # [opened at, requests]
        self.total = recent

    def count(self, now: float) -> float:
        while self.slices and self.slices[0][0] + self.width <= now - self.span:
            self.total -= self.slices.popleft()[1]
        return self.total

    def add(self, now: float) -> None:
        if self.slices and now < self.slices[-1][0] + self.width:
            self.slices[-1][1] += 1
        else:
            self.slices.append([now, 1.0])
        self.total += 1

    def room_in(self, limit: float, now: float) -> float:
        """Seconds until fewer than `limit` requests are in the span (0: there is room now)."""
        excess = self.count(now) - limit + 1
        for opened, requests in self.slices:
            if excess <= 0:
                break
            excess -= requests
            if excess <= 0:
                return opened + self.width + self.span - now
        return 0.0


class ServiceQuota:
    """One service's windows (this replica's share), the tenant's remaining budget and a 429's block."""

    def __init__(self, windows: tuple[Window, ...], now: float, probe: bool) -> None:
        self.windows: list[tuple[Window, SendLog]] = []
        self.set_windows(windows, now)
        # Under `auto` one request goes alone at first (for a second at most): its answer's headers say what the
        # tenant has left.
        self.probing = probe
        self.budget: float | None = 1.0 if probe else None  # requests the tenant's remaining allows, until:
        self.budget_until = now + PROBE_SECONDS
        self.blocked_until = 0.0
        self.in_flight = 0

    def set_windows(self, windows: tuple[Window, ...], now: float) -> None:
        """Keeps the log of each window length it had; a new length starts from what the others still count,
        all as if sent just now (the count may be high, never low)."""
        logs = {window.seconds: log for window, log in self.windows}
        recent = max((log.count(now) for log in logs.values()), default=0.0)
        self.windows = [
            (window, logs.get(window.seconds) or SendLog(window.seconds + TRANSIT_MARGIN_SECONDS, now, recent))
            for window in windows
        ]

    def delay(self, now: float) -> float:
        """Seconds until a request may leave (0: now), taking nothing."""
        if now < self.blocked_until:
            return self.blocked_until - now
        if self.budget is not None and now >= self.budget_until:
            self.budget = None
        if self.budget is not None and self.budget < 1:
            return self.budget_until - now
        return max((log.room_in(window.limit, now) for window, log in self.windows), default=0.0)

    def take(self, now: float) -> float:
        """0 when the request may leave now (it is logged); else the seconds to wait before looking again."""
        wait = self.delay(now)
        if wait > 0:
            return wait
        for _, log in self.windows:
            log.add(now)
        if self.budget is not None:
            self.budget -= 1
        self.in_flight += 1
        return 0.0

    def learn_remaining(self, share: float | None, reset: float, now: float) -> None:
        """The tenant has `share` (this replica's part) left until `reset` seconds from now, as the latest answer
        says (None: it says nothing). Requests still in flight may not be counted in it yet: they come off it."""
        if share is not None:
            self.budget, self.budget_until = share - self.in_flight, now + reset
        elif self.probing:
            self.budget = None  # the probe's answer says nothing of what is left: the windows pace alone
        self.probing = False

    def block_for(self, seconds_from_now: float, now: float) -> None:
        self.blocked_until = max(self.blocked_until, now + seconds_from_now)


class UpstreamLimiter:
    """The quotas of one gateway; `configure` applies the live policy's `rateLimit`."""

    def __init__(
        self,
        replicas: int = 1,
        max_wait_seconds: float = DEFAULT_MAX_WAIT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str, float], None] | None = None,
    ) -> None:
        self.replicas = max(1, replicas)
        self.max_wait_seconds = max_wait_seconds
        self.clock = clock
        self.sleep = sleep
        self.on_wait = on_wait  # (service, seconds waited) per paced request, for metrics
        self.setting: int | str = AUTO
        self._quotas: dict[str, ServiceQuota] = {}
        self._learned: dict[str, tuple[Window, ...]] = {}  # service -> the tenant's windows from its headers
        self._lock = threading.Lock()

    def configure(self, setting: int | str) -> None:
        with self._lock:
            if setting == self.setting:
                return
            self.setting = setting
            now = self.clock()
            for service, quota in list(self._quotas.items()):
                windows = self._windows(service)
                if windows:
                    quota.set_windows(windows, now)
                else:
                    del self._quotas[service]

    def before_request(self, service: str) -> None:
        """Wait for room in `service`'s quota and take it; raise `RateLimited` (and record it) rather than wait
        too long. A request let through must be followed by `after_response` or `after_failure`.

        Waiting polls, so what an answer teaches (a higher limit, a reset) reaches requests already waiting.
        """
        started = self.clock()
        try:
            while pause := self._pause(service, started, take=True):
                self.sleep(pause)
        except RateLimited as limited:
            refusal.set(limited)
            raise
        self._waited(service, started)

    async def wait_for_room(self, service: str) -> None:
        """Wait on the event loop until `service` has room, taking nothing; raise `RateLimited` rather than wait
        too long. A call waits here before it takes an upstream slot and thread, so a spent quota of one
        service holds none that another service's calls could use."""
        started = self.clock()
        while pause := self._pause(service, started, take=False):
            await asyncio.sleep(pause)
        self._waited(service, started)

    def delay(self, service: str) -> float:
        """Seconds until `service` has room for a request (0: now), taking nothing."""
        with self._lock:
            now = self.clock()
            quota = self._quota(service, now)
            return 0.0 if quota is None else quota.delay(now)

    def _pause(self, service: str, started: float, take: bool) -> float:
        """0 when there is room (taken when `take`); else how long to sleep before looking again. Raises
        `RateLimited` when the room comes later than `max_wait_seconds` after `started`."""
        with self._lock:
            now = self.clock()
            quota = self._quota(service, now)
            wait = 0.0 if quota is None else (quota.take(now) if take else quota.delay(now))
        if wait == 0:
            return 0.0
        if now + wait > started + self.max_wait_seconds:
            raise RateLimited(service, wait)
        return min(max(wait, 0.001), POLL_SECONDS)

    def _waited(self, service: str, started: float) -> None:
        waited = self.clock() - started
        if waited > 0 and self.on_wait is not None:
            self.on_wait(service, waited)

    def after_failure(self, service: str) -> None:
        """A request let through got no answer (a transport error): it is no longer in flight."""
        with self._lock:
            quota = self._quotas.get(service)
            if quota is not None:
                quota.in_flight = max(0, quota.in_flight - 1)

    def after_response(self, service: str, status: int, headers: Mapping[str, str]) -> None:
        """Learn from an answer's rate-limit headers and a 429's Retry-After."""
        learned = limit_windows(headers.get("x-ratelimit-limit"))
        remaining = seconds(headers.get("x-ratelimit-remaining"))
        reset = seconds(headers.get("x-ratelimit-reset"))
        retry_after = seconds(headers.get("retry-after"))
        with self._lock:
            now = self.clock()
            if self.setting == AUTO:
                if learned and self._learned.get(service) != learned:
                    self._learned[service] = learned
                    if service in self._quotas:
                        self._quotas[service].set_windows(self._windows(service), now)
                if status == 429 and service not in PUBLISHED:
                    self._learned.setdefault(service, AFTER_UNEXPECTED_429)
            quota = self._quota(service, now)
            if quota is None:
                return
            quota.in_flight = max(0, quota.in_flight - 1)
            shortest = min((w.seconds for w, _ in quota.windows), default=1.0)
            share = None if remaining is None else remaining / self.replicas
            quota.learn_remaining(share, shortest if reset is None else reset, now)
            if status == 429:
                quota.block_for(retry_after if retry_after is not None else (reset or 1.0), now)

    def _windows(self, service: str) -> tuple[Window, ...]:
        if self.setting != AUTO:
            return (Window(float(self.setting), 1),)
        tenant = self._learned.get(service, PUBLISHED.get(service, ()))
        return tuple(replica_share(w, self.replicas) for w in tenant)

    def _quota(self, service: str, now: float) -> ServiceQuota | None:
        quota = self._quotas.get(service)
        if quota is None:
            windows = self._windows(service)
            if not windows:
                return None
            quota = self._quotas[service] = ServiceQuota(windows, now, probe=self.setting == AUTO)
        return quota
