"""The pure parts of upstream protection: the rate limiter's learning, fair slots, read sharing."""

from __future__ import annotations

import asyncio
import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zscaler_mcp_gateway.fairness import FairSlots
from zscaler_mcp_gateway.ratelimit import (
    TRANSIT_MARGIN_SECONDS,
    RateLimited,
    UpstreamLimiter,
    Window,
    limit_windows,
    refusal,
    seconds,
)
from zscaler_mcp_gateway.sharing import ReadSharing, Shared, read_key
from zscaler_mcp_gateway.simulator.app import RateWindow


class FakeTime:
    """A clock that only moves when a request sleeps; `on_sleep` delivers what happens meanwhile."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self.on_sleep: Callable[[float], None] = lambda until: None

    def clock(self) -> float:
        return self.now

    def sleep(self, duration: float) -> None:
        self.slept.append(duration)
        self.now += duration
        self.on_sleep(self.now)


def limiter(setting: int | str = "auto", replicas: int = 1, max_wait: float = 10.0) -> tuple[UpstreamLimiter, FakeTime]:
    fake = FakeTime()
    built = UpstreamLimiter(replicas=replicas, max_wait_seconds=max_wait, clock=fake.clock, sleep=fake.sleep)
    built.configure(setting)
    return built, fake


SPAN = 1 + TRANSIT_MARGIN_SECONDS  # a one-second window's log covers this long
SLICE = SPAN / 20


def test_the_windows_of_a_rate_limit_header() -> None:
    assert limit_windows("500, 500;w=1, 100000;w=60") == (Window(500, 1), Window(100000, 60))
    assert limit_windows("100, 100;w=10") == (Window(100, 10),)  # the bare item is the running window's limit
    assert limit_windows("2") == (Window(2, 1),)
    assert limit_windows("garbage") == () and limit_windows(None) == ()
    assert seconds("13s") == 13 and seconds("7") == 7 and seconds("soon") is None


def test_a_fixed_rate_sends_a_windows_worth_then_waits_for_the_oldest_to_leave_the_span() -> None:
    paced, fake = limiter(setting=5)
    for _ in range(5):
        paced.before_request("zdx")
    assert fake.slept == []
    paced.before_request("zdx")  # a token bucket would send it 0.2 s later, inside the same API window
    assert sum(fake.slept) == pytest.approx(SPAN + SLICE, abs=0.002)


def test_auto_probes_with_one_request_then_follows_the_headers() -> None:
    paced, fake = limiter()
    paced.before_request("zia")
    fake.on_sleep = lambda now: paced.after_response(  # the probe's answer arrives while the second waits
        "zia", 200, {"x-ratelimit-limit": "500, 500;w=1, 100000;w=60", "x-ratelimit-remaining": "499"}
    )
    paced.before_request("zia")
    assert sum(fake.slept) < 0.1
    fake.on_sleep = lambda now: None
    fake.slept.clear()
    for _ in range(997):  # 499 left in this window, then the windows pace alone
        paced.before_request("zia")
    assert 1.0 <= sum(fake.slept) <= 2 * SPAN + SLICE  # ~1,000 requests at 500 a window, not 500 s at 2/s


def test_auto_starts_from_the_published_limit_when_the_api_sends_no_headers() -> None:
    paced, fake = limiter()
    paced.before_request("zia")
    paced.after_response("zia", 200, {})
    paced.before_request("zia")  # 2 a second, as Zscaler publishes for ZIA reads
    assert fake.slept == []
    paced.before_request("zia")
    assert sum(fake.slept) == pytest.approx(SPAN + SLICE, abs=0.002)


def test_auto_divides_the_tenant_budget_among_replicas() -> None:
    paced, fake = limiter(replicas=4)
    paced.before_request("zpa")
    paced.after_response("zpa", 200, {"x-ratelimit-limit": "40;w=1", "x-ratelimit-remaining": "39"})
    for _ in range(9):
        paced.before_request("zpa")
    assert fake.slept == []  # 40 a second for the tenant is 10 for each of 4 replicas
    paced.before_request("zpa")
    assert sum(fake.slept) > 0


def test_remaining_zero_blocks_until_the_reset_and_a_429_until_retry_after() -> None:
    paced, fake = limiter()
    paced.after_response(
        "zia", 200, {"x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "3"}
    )
    paced.before_request("zia")
    assert sum(fake.slept) == pytest.approx(3.0, abs=0.002)
    paced.after_response("zia", 429, {"retry-after": "13s"})
    with pytest.raises(RateLimited, match=r"ZIA API rate limited by Zscaler .*retry after 13 s"):
        paced.before_request("zia")
    assert isinstance(refusal.get(), RateLimited)


def test_requests_in_flight_come_off_what_the_api_says_is_left() -> None:
    paced, fake = limiter(setting=100)
    for _ in range(4):
        paced.before_request("zia")
    # the first answer: 5 left when it was counted; 3 others were in flight and may not be counted yet
    paced.after_response("zia", 200, {"x-ratelimit-remaining": "5", "x-ratelimit-reset": "1"})
    paced.before_request("zia")
    paced.before_request("zia")
    assert fake.slept == []
    paced.before_request("zia")
    assert sum(fake.slept) == pytest.approx(1.0, abs=0.002)


def test_a_request_that_failed_in_transit_is_no_longer_in_flight() -> None:
    paced, fake = limiter(setting=100)
    paced.before_request("zia")
    paced.after_failure("zia")
    paced.before_request("zia")
    paced.after_response("zia", 200, {"x-ratelimit-remaining": "1", "x-ratelimit-reset": "1"})
    paced.before_request("zia")
    assert fake.slept == []  # the failed request does not hold the last one back


def test_asking_how_long_until_there_is_room_takes_nothing() -> None:
    paced, fake = limiter(setting=1)
    assert paced.delay("zdx") == 0 and paced.delay("zdx") == 0
    paced.before_request("zdx")
    assert fake.slept == [] and paced.delay("zdx") == pytest.approx(SPAN + SLICE)


def test_a_service_without_published_limits_is_paced_once_it_answers_429() -> None:
    paced, fake = limiter(max_wait=30)
    paced.before_request("zdx")
    assert fake.slept == []
    paced.after_response("zdx", 429, {"retry-after": "2"})
    paced.before_request("zdx")
    assert sum(fake.slept) == pytest.approx(2.0, abs=0.002)


@dataclass(order=True)
class Event:
    at: float
    sequence: int
    replica: int = field(compare=False)
    transit: float = field(compare=False)  # > 0: the request reaches the API; 0: its answer reaches the gateway
    serving: float = field(compare=False, default=0.0)  # how long the API takes to answer once it counted it
    answer: tuple[int, dict[str, str]] = field(compare=False, default=(0, {}))


class FixedWindowApi:
    """Requests paced by `replicas` limiters reach the simulator's own fixed-window counter after a transit
    time; the API answers after its serving time and the answer takes the transit time back: a discrete-event
    run on one fake clock, where a waiting request's sleep lets the events due meanwhile happen."""

    def __init__(self, limit: int, replicas: int) -> None:
        self.fake = FakeTime()
        self.api_now = self.fake.now
        self.api = RateWindow(limit, clock=lambda: self.api_now)
        self.limiters = [
            UpstreamLimiter(replicas=replicas, max_wait_seconds=10, clock=self.fake.clock, sleep=self.fake.sleep)
            for _ in range(replicas)
        ]
        self.events: list[Event] = []
        self.sent = self.refused = 0
        self.fake.on_sleep = self.deliver

    def deliver(self, until: float) -> None:
        while self.events and self.events[0].at <= until:
            event = heapq.heappop(self.events)
            if event.transit:
                self.api_now = event.at
                admitted, headers = self.api.take()
                answer = (200 if admitted else 429, {k.lower(): v for k, v in headers.items()})
                self.schedule(Event(event.at + event.serving + event.transit, 0, event.replica, 0.0, answer=answer))
            else:
                self.limiters[event.replica].after_response("zpa", *event.answer)

    def schedule(self, event: Event) -> None:
        event.sequence = self.sent + self.refused + len(self.events)
        heapq.heappush(self.events, event)

    def request(self, at: float, replica: int, transit: float, serving: float = 0.0) -> None:
        self.fake.now = max(self.fake.now, at)
        self.deliver(self.fake.now)
        try:
            self.limiters[replica].before_request("zpa")
        except RateLimited:
            self.refused += 1
            return
        self.sent += 1
        self.schedule(Event(self.fake.now + transit, 0, replica, transit, serving))

    def finish(self) -> None:
        self.deliver(math.inf)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    limit=st.integers(min_value=3, max_value=40),  # at least a request a window for each replica
    replicas=st.integers(min_value=1, max_value=3),
    gaps=st.lists(st.floats(min_value=0, max_value=0.3), min_size=1, max_size=300),
    transits=st.lists(st.floats(min_value=0.0005, max_value=TRANSIT_MARGIN_SECONDS * 0.9), min_size=1, max_size=20),
    serving=st.floats(min_value=0, max_value=0.6),
)
def test_no_fixed_window_of_the_api_ever_sees_more_than_its_limit(
    limit: int, replicas: int, gaps: list[float], transits: list[float], serving: float
) -> None:
    run = FixedWindowApi(limit, replicas)
    at = run.fake.now + 0.37  # windows of the API start on whole seconds; the gateway's clock does not
    for i, gap in enumerate(gaps):
        at += gap
        run.request(at, i % replicas, transits[i % len(transits)], serving)
    run.finish()
    assert run.api.rejected == 0
    assert run.sent + run.refused == len(gaps)


def test_a_share_under_one_request_a_window_is_one_request_in_a_longer_span() -> None:
    paced, fake = limiter(replicas=4)
    paced.before_request("zia")
    paced.after_response("zia", 200, {"x-ratelimit-limit": "2;w=1"})  # half a request a second each
    assert paced.delay("zia") == pytest.approx(2 + TRANSIT_MARGIN_SECONDS + (2 + TRANSIT_MARGIN_SECONDS) / 20)


def test_a_saturating_load_still_gets_most_of_the_quota() -> None:
    run = FixedWindowApi(limit=10, replicas=1)
    start = run.fake.now
    for _ in range(400):  # callers always ready: as many requests as the quota lets through, answered in 0.2 s
        run.request(run.fake.now, 0, 0.02, 0.2)
    run.finish()
    rate = run.sent / (run.fake.now - start)
    assert run.api.rejected == 0 and run.refused == 0
    assert rate >= 0.75 * 10  # the transit margin and the counters' coarseness cost a little, not half


async def test_fair_slots_give_a_light_principal_a_slot_before_a_greedy_ones_backlog() -> None:
    slots = FairSlots(total=4)
    order: list[str] = []
    release = asyncio.Event()

    async def call(principal: str, cap: int) -> None:
        async with slots.slot(principal, cap):
            order.append(principal)
            await release.wait()

    greedy = [asyncio.create_task(call("greedy", 8)) for _ in range(10)]
    await asyncio.sleep(0)
    assert slots.held("greedy") == 4 and slots.waiting("greedy") == 6
    light = asyncio.create_task(call("light", 8))
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*greedy, light)
    assert order.index("light") == 4  # the first slot freed goes to the principal that waited least
    assert slots.in_use == 0


async def test_a_principal_never_holds_more_than_its_cap() -> None:
    slots = FairSlots(total=32)
    peak = 0
    gate = asyncio.Event()

    async def call() -> None:
        nonlocal peak
        async with slots.slot("a", 3):
            peak = max(peak, slots.held("a"))
            await gate.wait()

    tasks = [asyncio.create_task(call()) for _ in range(10)]
    await asyncio.sleep(0)
    assert slots.held("a") == 3
    async with slots.slot("b", 3):  # another principal is not held up
        assert slots.held("b") == 1
    gate.set()
    await asyncio.gather(*tasks)
    assert peak == 3 and slots.in_use == 0


async def test_a_cancelled_waiter_gives_up_its_place() -> None:
    slots = FairSlots(total=1)
    gate = asyncio.Event()

    async def hold() -> None:
        async with slots.slot("a", 1):
            await gate.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0)
    waiter = asyncio.create_task(hold())
    await asyncio.sleep(0)
    waiter.cancel()
    gate.set()
    await holder
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert slots.in_use == 0 and slots.waiting("a") == 0


async def test_concurrent_identical_reads_share_one_request() -> None:
    sharing = ReadSharing()
    calls = 0

    async def fetch() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return {"items": [1]}

    key = read_key("zia_list_locations", {"page_size": 5})
    results = await asyncio.gather(*(sharing.read("zia", key, fetch, True, 0) for _ in range(32)))
    assert calls == 1
    assert all(payload == {"items": [1]} for payload, _ in results)
    assert sorted(str(shared) for _, shared in results).count(Shared.COALESCED) == 31


async def test_the_cache_serves_until_its_ttl_and_a_write_clears_its_service() -> None:
    fake = FakeTime()
    sharing = ReadSharing(clock=fake.clock)
    answers = iter(range(100))

    async def fetch() -> int:
        return next(answers)

    zia, zpa = read_key("zia_list_locations", {}), read_key("zpa_list_segment_groups", {})
    assert await sharing.read("zia", zia, fetch, True, 30) == (0, None)
    assert await sharing.read("zia", zia, fetch, True, 30) == (0, Shared.CACHED)
    fake.now += 31
    assert await sharing.read("zia", zia, fetch, True, 30) == (1, None)
    assert await sharing.read("zpa", zpa, fetch, True, 30) == (2, None)
    sharing.invalidate("zia")
    assert await sharing.read("zia", zia, fetch, True, 30) == (3, None)
    assert await sharing.read("zpa", zpa, fetch, True, 30) == (2, Shared.CACHED)  # other services keep theirs
    assert await sharing.read("zia", zia, fetch, True, 0) == (4, None)  # ttl 0: no cache


async def test_a_read_in_flight_across_a_write_is_neither_joined_nor_cached() -> None:
    sharing = ReadSharing()
    release = asyncio.Event()
    written = False

    def fetch() -> Any:
        seen = "after" if written else "before"  # what the upstream would answer when asked now

        async def answer() -> str:
            await release.wait()
            return seen

        return answer()

    key = read_key("zia_list_locations", {})
    first = asyncio.create_task(sharing.read("zia", key, fetch, True, 60))
    await asyncio.sleep(0)
    sharing.invalidate("zia")
    written = True
    second = asyncio.create_task(sharing.read("zia", key, fetch, True, 60))
    await asyncio.sleep(0)
    release.set()
    assert await first == ("before", None) and await second == ("after", None)
    assert await sharing.read("zia", key, fetch, True, 60) == ("after", Shared.CACHED)


async def test_errors_are_shared_by_coalesced_callers_and_never_cached() -> None:
    sharing = ReadSharing()
    calls = 0

    async def failing() -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("upstream down")

    key = read_key("zia_list_locations", {})
    results = await asyncio.gather(
        *(sharing.read("zia", key, failing, True, 60) for _ in range(3)), return_exceptions=True
    )
    assert calls == 1 and all(isinstance(r, RuntimeError) for r in results)
    with pytest.raises(RuntimeError):
        await sharing.read("zia", key, failing, True, 60)
    assert calls == 2
