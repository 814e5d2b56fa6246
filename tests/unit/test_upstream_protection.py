"""The pure parts of upstream protection: the rate limiter's learning, fair slots, read sharing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from zscaler_mcp_gateway.fairness import FairSlots
from zscaler_mcp_gateway.ratelimit import RateLimited, UpstreamLimiter, limit_rate, refusal, seconds
from zscaler_mcp_gateway.sharing import ReadSharing, Shared, read_key


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, duration: float) -> None:
        self.slept.append(duration)
        self.now += duration


def limiter(setting: int | str = "auto", replicas: int = 1, max_wait: float = 10.0) -> tuple[UpstreamLimiter, FakeTime]:
    fake = FakeTime()
    built = UpstreamLimiter(replicas=replicas, max_wait_seconds=max_wait, clock=fake.clock, sleep=fake.sleep)
    built.configure(setting)
    return built, fake


def test_the_strictest_window_of_a_rate_limit_header_is_the_rate() -> None:
    assert limit_rate("500, 500;w=1, 100000;w=60") == 500
    assert limit_rate("100, 100;w=10") == 10
    assert limit_rate("2") == 2
    assert limit_rate("garbage") is None and limit_rate(None) is None
    assert seconds("13s") == 13 and seconds("7") == 7 and seconds("soon") is None


def test_a_fixed_rate_paces_requests_after_one_seconds_burst() -> None:
    paced, fake = limiter(setting=5)
    for _ in range(5):
        paced.before_request("zdx")
    assert fake.slept == []
    paced.before_request("zdx")
    assert sum(fake.slept) == pytest.approx(0.2)


def test_auto_starts_from_the_published_limit_and_follows_the_headers() -> None:
    paced, fake = limiter()
    paced.before_request("zia")  # one token: the first answer says what the tenant has
    paced.before_request("zia")
    assert sum(fake.slept) == pytest.approx(0.5)  # 2 requests/s, as Zscaler publishes for ZIA reads
    paced.after_response("zia", 200, {"x-ratelimit-limit": "500, 500;w=1, 100000;w=60"})
    fake.slept.clear()
    for _ in range(1000):
        paced.before_request("zia")
    assert sum(fake.slept) == pytest.approx(2.0, abs=0.05)  # 1000 requests at 500/s, not 500 s at 2/s


def test_requests_already_waiting_learn_a_higher_rate() -> None:
    fake = FakeTime()
    learned = False

    def sleep(duration: float) -> None:
        nonlocal learned
        fake.sleep(duration)
        if not learned:  # the first request's answer arrives while the second waits
            paced.after_response("zia", 200, {"x-ratelimit-limit": "100"})
            learned = True

    paced = UpstreamLimiter(clock=fake.clock, sleep=sleep)
    paced.before_request("zia")
    paced.before_request("zia")
    assert sum(fake.slept) < 0.1  # not the 0.5 s the published 2/s would have cost


def test_auto_divides_the_tenant_budget_among_replicas() -> None:
    paced, fake = limiter(replicas=4)
    paced.after_response("zpa", 200, {"x-ratelimit-limit": "40", "x-ratelimit-remaining": "0"})
    paced.before_request("zpa")
    assert sum(fake.slept) == pytest.approx(0.1, abs=0.01)  # 40/s for the tenant is 10/s for each of 4 replicas


def test_remaining_zero_blocks_until_the_reset_and_a_429_until_retry_after() -> None:
    paced, fake = limiter()
    paced.after_response(
        "zia", 200, {"x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "3"}
    )
    paced.before_request("zia")
    assert sum(fake.slept) == pytest.approx(3.0, abs=0.06)
    paced.after_response("zia", 429, {"retry-after": "13s"})
    with pytest.raises(RateLimited, match=r"ZIA API rate limited by Zscaler .*retry after 13 s"):
        paced.before_request("zia")
    assert isinstance(refusal.get(), RateLimited)


def test_a_service_without_published_limits_is_paced_once_it_answers_429() -> None:
    paced, fake = limiter(max_wait=30)
    paced.before_request("zdx")
    assert fake.slept == []
    paced.after_response("zdx", 429, {"retry-after": "2"})
    paced.before_request("zdx")
    assert sum(fake.slept) == pytest.approx(2.0, abs=0.06)


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
