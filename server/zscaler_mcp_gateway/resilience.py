"""Bounded, predictable retries of upstream HTTP requests: a `requests` transport adapter.

Retried: 429 and 503 for every method (the request was not processed), and 500/502/504 for
reads only (a retried POST must never create twice). Each wait is the server's `Retry-After` when
it sends one, else exponential backoff with jitter; a call gives up, returning the last response,
after `attempts` tries or when the next wait would take the total past `budget_seconds` (a long
`Retry-After` is reported, not slept through). The SDK's own status retries are switched off in
upstream/sdk.py, so these are the only ones: at most `attempts` requests and `budget_seconds` of
sleeping per upstream request, on top of the per-request socket timeout.

Every attempt, first or retried, answered or not, is reported once to `on_attempt(service, status)`
(status None: no HTTP answer), the service being the one whose tool is running in this context
(`current_service`), so the upstream request counter counts HTTP requests, not SDK calls.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from .attribution import UNATTRIBUTED, AttemptObserver, current_service
from .ratelimit import UpstreamLimiter

log = logging.getLogger(__name__)

RETRY_ANY_METHOD = frozenset({429, 503})
RETRY_READS = frozenset({429, 500, 502, 503, 504})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    backoff_seconds: float = 0.2
    max_backoff_seconds: float = 2.0
    budget_seconds: float = 8.0

    def retryable(self, method: str, status: int) -> bool:
        return status in (RETRY_READS if method.upper() in READ_METHODS else RETRY_ANY_METHOD)

    def wait(self, retry: int, retry_after: float | None) -> float:
        """Seconds before retry number `retry` (1-based): the server's word, else backoff with jitter."""
        if retry_after is not None:
            return retry_after
        ceiling = min(self.max_backoff_seconds, self.backoff_seconds * 2.0 ** (retry - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryingAdapter(HTTPAdapter):
    def __init__(
        self,
        policy: RetryPolicy | None = None,
        on_attempt: AttemptObserver | None = None,
        limiter: UpstreamLimiter | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.policy = policy or RetryPolicy()
        self.on_attempt = on_attempt
        self.limiter = limiter  # paces every attempt of a tool call by its service's quota (ratelimit.py)

    def _attempt(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """One HTTP request, paced by its service's quota, reported once whatever happens to it."""
        service = current_service.get()
        limiter = self.limiter if service != UNATTRIBUTED else None  # requests outside a tool call are not paced
        if limiter is not None:
            limiter.before_request(service)  # raises RateLimited: nothing is sent
        response: requests.Response | None = None
        try:
            response = super().send(request, **kwargs)
        except requests.RequestException:
            if self.on_attempt is not None:
                self.on_attempt(service, None)
            raise
        finally:
            if limiter is not None and response is None:  # whatever stopped it, it is no longer in flight
                limiter.after_failure(service)
        if self.on_attempt is not None:
            self.on_attempt(service, response.status_code)
        if limiter is not None:
            limiter.after_response(service, response.status_code, response.headers)
        return response

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        method = request.method or "GET"
        response = self._attempt(request, **kwargs)
        attempt, waited = 1, 0.0
        while attempt < self.policy.attempts and self.policy.retryable(method, response.status_code):
            delay = self.policy.wait(attempt, retry_after_seconds(response.headers.get("Retry-After")))
            if waited + delay > self.policy.budget_seconds:
                log.info(
                    "upstream %s answered %d; a retry in %.1f s would exceed the %.0f s budget: giving up",
                    method,
                    response.status_code,
                    delay,
                    self.policy.budget_seconds,
                )
                break
            log.info("upstream %s answered %d; retry %d in %.2f s", method, response.status_code, attempt, delay)
            response.close()  # give the connection back to the pool before sleeping
            time.sleep(delay)
            waited += delay
            attempt += 1
            response = self._attempt(request, **kwargs)
        return response
