"""Paging as the live APIs page: the real SDK over HTTP against the simulator.

ZIdentity's `next_link` is absolute on the tenant's identity host and is followed through the configured
upstream; a page that fails keeps the pages before it, marked `truncated`; EASM lists are walked up to
their record cap and say so; name lookups match exactly; records stay JSON; transport failures read plainly.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.servers import TEST_CREDENTIALS
from tests.support.toolcalls import call, call_error, tool_gateway
from zscaler_mcp_gateway.app import Gateway, GatewayOptions
from zscaler_mcp_gateway.catalog.zeasm import RECORD_CAP
from zscaler_mcp_gateway.dispatch import Caller
from zscaler_mcp_gateway.security.options import SecurityOptions
from zscaler_mcp_gateway.simulator import RunningSimulator, start_simulator
from zscaler_mcp_gateway.simulator.zeasm import BULK_FINDINGS, BULK_ORG
from zscaler_mcp_gateway.simulator.zid import USERS

USERS_PATH = "/ziam/admin/api/v1/users"


@pytest.fixture
def sim() -> Iterator[RunningSimulator]:
    running = start_simulator()
    yield running
    running.stop()


@pytest.fixture
def gateway(sim: RunningSimulator, tmp_path: Path) -> Gateway:
    return tool_gateway(sim.url, ["zid", "zeasm", "zdx", "zpa"], tmp_path)


def _gets(sim: RunningSimulator, path: str) -> int:
    return int(httpx.get(f"{sim.url}/_sim/requests").json().get(f"GET {path}", 0))


async def test_an_absolute_next_link_on_another_host_is_followed_through_the_upstream(
    sim: RunningSimulator, gateway: Gateway
) -> None:
    first = httpx.get(
        f"{sim.url}{USERS_PATH}?limit=2", headers={"Authorization": f"Bearer {sim.state.issue_token('t')}"}
    ).json()
    assert first["next_link"].startswith("https://") and sim.url not in first["next_link"]  # the live API's shape
    listing = await call(gateway, "zid_list_users", {"limit": 2})
    assert [u["id"] for u in listing["items"]] == [u["id"] for u in USERS]
    assert listing["pages"] == 3 and "truncated" not in listing
    assert _gets(sim, USERS_PATH) == 1 + 3  # this test's own request, then three pages, all from the upstream


async def test_a_failing_third_page_keeps_the_first_two_and_says_why(sim: RunningSimulator, gateway: Gateway) -> None:
    httpx.post(f"{sim.url}/_sim/faults", json={"match": USERS_PATH, "after": 2, "status": 500, "times": 50})
    listing = await call(gateway, "zid_list_users", {"limit": 2})
    assert [u["id"] for u in listing["items"]] == [u["id"] for u in USERS[:4]]
    assert listing["count"] == 4 and listing["pages"] == 2
    assert listing["truncated"]["reason"].startswith("page 3 failed: ")
    assert "500" in listing["truncated"]["reason"]


async def test_easm_findings_are_paged_up_to_the_cap_and_say_so(sim: RunningSimulator, gateway: Gateway) -> None:
    assert BULK_FINDINGS > RECORD_CAP
    listing = await call(gateway, "zeasm_list_findings", {"org_id": BULK_ORG})
    assert listing["count"] == RECORD_CAP == len({f["id"] for f in listing["items"]})
    assert f"{RECORD_CAP}-record cap" in listing["truncated"]["reason"]
    assert "query" in listing["truncated"]["reason"]  # how to narrow
    small = await call(gateway, "zeasm_list_findings", {"org_id": "org-2b9f51"})
    assert small["count"] == 3 and "truncated" not in small


async def test_zdx_software_records_are_json_objects(gateway: Gateway) -> None:
    listing = await call(gateway, "zdx_list_software")
    assert listing["count"] > 0
    assert all(isinstance(r, dict) and r["software_key"] for r in listing["items"])
    assert {"software_install_type", "user_total"} <= set(listing["items"][0])  # the API's own field names


async def test_a_name_lookup_takes_only_an_exact_match(gateway: Gateway) -> None:
    groups = await call(gateway, "zid_get_user_groups_by_name", {"name": "alice nguyen"})
    assert groups["count"] >= 1
    message = await call_error(gateway, "zid_get_user_groups_by_name", {"name": "alice"})  # a [like] hit only
    assert "named exactly 'alice'" in message


def _gateway_with_timeout(upstream_url: str, tmp_path: Path, timeout: float) -> Gateway:
    config = tmp_path / "config.yaml"
    config.write_text("services: [zpa]\n")
    options = GatewayOptions(
        config_path=str(config),
        upstream_base_url=upstream_url,
        upstream_timeout_seconds=timeout,
        environ=dict(TEST_CREDENTIALS),
        security=SecurityOptions(),
    )
    return Gateway(options)


async def test_a_hung_upstream_reads_as_no_answer_within_the_timeout(sim: RunningSimulator, tmp_path: Path) -> None:
    gateway = _gateway_with_timeout(sim.url, tmp_path, 0.5)
    httpx.post(f"{sim.url}/_sim/faults", json={"match": "segmentGroup", "status": 0, "delaySeconds": 1.5, "times": 5})
    result = await gateway.dispatcher.call("zpa_list_segment_groups", {}, Caller(principal="t"))
    assert result.is_error and result.text() == "ZPA API did not answer within 0.5 s."


async def test_an_unreachable_upstream_reads_as_unreachable(tmp_path: Path) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gateway = _gateway_with_timeout(f"http://127.0.0.1:{port}", tmp_path, 0.5)
    result = await gateway.dispatcher.call("zpa_list_segment_groups", {}, Caller(principal="t"))
    assert result.is_error
    assert "unreachable" in result.text() and str(port) not in result.text() and "127.0.0.1" not in result.text()
