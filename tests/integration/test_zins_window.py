"""Z-Insights reports default to the official server's windows: 9 to 2 days ago (7 days); cyber incidents 16 to 2."""

from __future__ import annotations

from typing import Any

from tests.support.toolcalls import call, reader_fixture

reader = reader_fixture(("zins",), "zins-window")


def _totals(report: Any) -> dict[str, int]:
    return {entry["name"]: entry["total"] for entry in report}


async def test_the_default_window_is_the_officials_seven_days(reader: Any) -> None:
    default = await call(reader, "zins_get_firewall_by_action")
    assert _totals(default) == _totals(await call(reader, "zins_get_firewall_by_action", {"start_days_ago": 9}))
    fortnight = _totals(await call(reader, "zins_get_firewall_by_action", {"start_days_ago": 16}))
    assert {name: total * 2 for name, total in _totals(default).items()} == fortnight


async def test_cyber_incident_reports_default_to_the_officials_fourteen_days(reader: Any) -> None:
    assert len(await call(reader, "zins_get_cyber_incidents_daily")) == 14  # one entry a day
