"""Background start-up work waits until no HTTP request has started or ended for a moment (quiet.py)."""

from __future__ import annotations

import asyncio
import time

import pytest
from starlette.types import Receive, Scope, Send

from zscaler_mcp_gateway.quiet import Activity, ActivityWatch, until_quiet


def test_a_request_marks_the_server_busy_when_it_starts_and_when_it_ends() -> None:
    activity = Activity()
    activity.last = 0.0
    seen_during: list[float] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen_during.append(activity.last)
        activity.last = 0.0  # so that the end of the request must mark it again

    async def nothing() -> dict[str, str]:
        return {}

    async def ignore(message: object) -> None:
        return None

    asyncio.run(ActivityWatch(app, activity)({"type": "http"}, nothing, ignore))
    assert seen_during[0] > 0.0 and activity.last > 0.0
    assert activity.quiet_in(60.0) > 59.0


def test_lifespan_events_are_not_requests() -> None:
    activity = Activity()
    activity.last = 0.0

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        return None

    async def nothing() -> dict[str, str]:
        return {}

    async def ignore(message: object) -> None:
        return None

    asyncio.run(ActivityWatch(app, activity)({"type": "lifespan"}, nothing, ignore))
    assert activity.last == 0.0 and activity.quiet_in(1.0) == 0.0


async def test_quiet_waits_for_the_quiet_period_after_the_last_request() -> None:
    activity = Activity()
    activity.last = time.monotonic() - 2.0
    await asyncio.wait_for(until_quiet(activity, 1.0), 5.0)  # quiet for 2 s already: returns at once
    activity.touch()  # a request now: 60 s of quiet needed, so it cannot return within the wait
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(until_quiet(activity, 60.0), 0.05)
