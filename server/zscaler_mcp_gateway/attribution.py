"""Which Zscaler service an upstream HTTP attempt belongs to: the service of the tool running in this context.

The executor sets it around a tool call; the transport adapter (resilience.py) reads it for every
attempt it makes, retries included. A module of its own so that setting it loads no HTTP library.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

UNATTRIBUTED = "unknown"  # a request made outside any tool call
current_service: ContextVar[str] = ContextVar("zscaler_service", default=UNATTRIBUTED)
AttemptObserver = Callable[[str, int | None], None]  # (service, HTTP status or None: no answer)
