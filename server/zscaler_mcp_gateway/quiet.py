"""When the server is quiet: background start-up work waits for a moment without HTTP requests.

Building the upstream client imports the Zscaler SDK (~0.4 s of CPU, holding the GIL). Run while
requests are answered, it roughly halves the event loop's share of the interpreter: the first health
probes, handshakes and lists after a start took ~1.5x as long. Waiting until no request has started
or ended for a moment keeps it off their path; a tool call that comes first builds the client itself.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Receive, Scope, Send

QUIET_SECONDS = 0.1  # longer than the gap between a client's back-to-back requests, far shorter than a probe period


class Activity:
    """The last moment an HTTP request started or ended (at first: when the server was built)."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def touch(self) -> None:
        self.last = time.monotonic()

    def quiet_in(self, quiet_seconds: float) -> float:
        """Seconds until the server has been quiet for `quiet_seconds` (0: it has)."""
        return max(0.0, self.last + quiet_seconds - time.monotonic())


async def until_quiet(activity: Activity, quiet_seconds: float = QUIET_SECONDS) -> None:
    """Returns once no request has started or ended for `quiet_seconds` (under steady load: when cancelled)."""
    while (remaining := activity.quiet_in(quiet_seconds)) > 0:
        await asyncio.sleep(remaining)


class ActivityWatch:
    """ASGI middleware: every HTTP request marks the server busy when it starts and when it ends."""

    def __init__(self, app: ASGIApp, activity: Activity) -> None:
        self.app = app
        self.activity = activity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.activity.touch()
        try:
            await self.app(scope, receive, send)
        finally:
            self.activity.touch()
