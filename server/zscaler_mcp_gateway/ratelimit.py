"""A token bucket per Zscaler service in front of every upstream HTTP request, protecting the tenant's quota.

All agents of a tenant share one quota; the gateway used to learn of it only from a 429. Now each
request takes a token of its service's bucket first. With `rateLimit: auto` the bucket starts from
Zscaler's published limits and then follows what the API says on every answer: `x-ratelimit-limit`
(the rate, e.g. `500, 500;w=1, 100000;w=60`: the strictest window wins), `x-ratelimit-remaining`
(the tokens left, tenant-wide) with `x-ratelimit-reset` (when the window refills), and a 429's
`Retry-After`. The rate is divided by the number of gateway replicas sharing the tenant. A request
waits for a token up to `max_wait_seconds`; past that it is not sent, and the call fails with
"rate limited by Zscaler, retry after N s" (never a raw 429).

Blocking by design: requests are made on the upstream worker threads, never on the event loop.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar

from .config import AUTO

# Zscaler's published limits (OneAPI "Understanding Rate Limiting"), requests per second, used until an
# answer's headers say more: ZIA light (GET) endpoints 2/s; ZPA 20 GETs per 10 s. Other services publish
# none: only their headers and 429s pace them.
PUBLISHED_RATES: Mapping[str, float] = {"zia": 2.0, "zpa": 2.0}
POLL_SECONDS = 0.05  # a waiting request looks again this often
EPSILON = 1e-9
RATE_AFTER_UNEXPECTED_429 = 10.0  # a service that publishes nothing and sends no headers, once it answers 429
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


def limit_rate(value: str | None) -> float | None:
    """Requests per second of an `x-ratelimit-limit` value: the strictest of its windows (1 s when unnamed)."""
    if not value:
        return None
    rates = []
    for item in value.split(","):
        match = _POLICY.match(item)
        if match is None:
            continue
        window = float(match.group(2) or 1)
        if window > 0:
            rates.append(float(match.group(1)) / window)
    return min(rates) if rates else None


def seconds(value: str | None) -> float | None:
    """A header's seconds: `13`, `13.5` or `13s` (ZPA's Retry-After form); None when absent or unreadable."""
    if not value:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*s?\s*", value)
    return float(match.group(1)) if match else None


class TokenBucket:
    """`rate` tokens a second, holding at most one second's worth (the API counts per window, so a larger
    burst would spend the next window too)."""

    def __init__(self, rate: float, clock: Callable[[], float], tokens: float | None = None) -> None:
        self.clock = clock
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity if tokens is None else tokens
        self.updated = clock()
        self.blocked_until = 0.0

    def set_rate(self, rate: float) -> None:
        self._refill()
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = min(self.tokens, self.capacity)

    def take(self) -> float:
        """0 when a token was taken; else the seconds until one may be (nothing taken)."""
        now = self._refill()
        if now < self.blocked_until:
            return self.blocked_until - now
        if self.tokens >= 1 - EPSILON:  # a refill can land a hair under a whole token
            self.tokens = max(0.0, self.tokens - 1)
            return 0.0
        return (1 - self.tokens) / self.rate

    def block_for(self, seconds_from_now: float) -> None:
        self.blocked_until = max(self.blocked_until, self.clock() + seconds_from_now)

    def cap_tokens(self, remaining: float) -> None:
        self._refill()
        self.tokens = min(self.tokens, remaining)

    def _refill(self) -> float:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return now


class UpstreamLimiter:
    """The buckets of one gateway; `configure` applies the live policy's `rateLimit`."""

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
        self._buckets: dict[str, TokenBucket] = {}
        self._learned: dict[str, float] = {}  # service -> tenant-wide requests/s from its headers
        self._lock = threading.Lock()

    def configure(self, setting: int | str) -> None:
        with self._lock:
            if setting == self.setting:
                return
            self.setting = setting
            for service, bucket in self._buckets.items():
                rate = self._rate(service)
                if rate is None:
                    del self._buckets[service]
                else:
                    bucket.set_rate(rate)

    def before_request(self, service: str) -> None:
        """Wait for a token of `service`; raise `RateLimited` (and record it) rather than wait too long.

        Waiting polls, so what an answer teaches (a higher rate, a reset) reaches requests already waiting.
        """
        started = self.clock()
        deadline = started + self.max_wait_seconds
        while True:
            with self._lock:
                bucket = self._bucket(service)
                wait = 0.0 if bucket is None else bucket.take()
            if wait == 0:
                break
            if self.clock() + wait > deadline:
                limited = RateLimited(service, wait)
                refusal.set(limited)
                raise limited
            self.sleep(min(max(wait, 0.001), POLL_SECONDS))
        waited = self.clock() - started
        if waited > 0 and self.on_wait is not None:
            self.on_wait(service, waited)

    def after_response(self, service: str, status: int, headers: Mapping[str, str]) -> None:
        """Learn from an answer's rate-limit headers and a 429's Retry-After."""
        learned = limit_rate(headers.get("x-ratelimit-limit"))
        remaining = seconds(headers.get("x-ratelimit-remaining"))
        reset = seconds(headers.get("x-ratelimit-reset"))
        retry_after = seconds(headers.get("retry-after"))
        with self._lock:
            if learned is not None and self.setting == AUTO and self._learned.get(service) != learned:
                self._learned[service] = learned
                bucket = self._buckets.get(service)
                if bucket is not None:
                    bucket.set_rate(learned / self.replicas)
            if status == 429 and self.setting == AUTO and service not in PUBLISHED_RATES:
                self._learned.setdefault(service, RATE_AFTER_UNEXPECTED_429 * self.replicas)
            bucket = self._bucket(service)
            if bucket is None:
                return
            if remaining is not None:
                bucket.cap_tokens(remaining / self.replicas)
                if remaining <= 0 and reset is not None:
                    bucket.block_for(reset)
            if status == 429:
                bucket.block_for(retry_after if retry_after is not None else (reset or 1.0))

    def _rate(self, service: str) -> float | None:
        if self.setting != AUTO:
            return float(self.setting)
        tenant = self._learned.get(service, PUBLISHED_RATES.get(service))
        return None if tenant is None else tenant / self.replicas

    def _bucket(self, service: str) -> TokenBucket | None:
        bucket = self._buckets.get(service)
        if bucket is None:
            rate = self._rate(service)
            if rate is None:
                return None
            # Under `auto` a bucket starts with one token: the first answer's headers say what the tenant has left.
            bucket = self._buckets[service] = TokenBucket(rate, self.clock, 1.0 if self.setting == AUTO else None)
        return bucket
