"""ZIA tools that are several SDK calls on the official server do the same here, against the simulator.

GRE tunnels: create finds or creates the static IP and picks a free internal range (the SDK picks the
VIPs); delete removes the tunnel, then its static IP. URL categories: delete reads first and refuses a
predefined category. Updates never send server-stamped fields back (the simulator refuses them in a
PUT, as ZIA does).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.toolcalls import call, call_error, tool_gateway
from zscaler_mcp_gateway.app import Gateway
from zscaler_mcp_gateway.simulator import RunningSimulator, start_simulator


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    running = start_simulator()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def writer(sim: RunningSimulator, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    return tool_gateway(sim.url, ["zia"], tmp_path_factory.mktemp("zia-flows"))


async def _static_ips(writer: Gateway) -> dict[str, int]:
    return {r["ipAddress"]: r["id"] for r in (await call(writer, "zia_list_static_ips"))["items"]}


async def test_a_gre_tunnel_from_a_new_address_creates_its_static_ip_and_range(writer: Gateway) -> None:
    assert "203.0.113.99" not in await _static_ips(writer)
    tunnel = await call(writer, "zia_create_gre_tunnel", {"source_ip": "203.0.113.99", "comment": "branch"})
    assert tunnel["sourceIp"] == "203.0.113.99"
    assert tunnel["internalIpRange"] == "172.17.6.0"  # the first free range for that IP
    assert tunnel["primaryDestVip"]["id"] != tunnel["secondaryDestVip"]["id"]  # picked by the SDK
    assert "203.0.113.99" in await _static_ips(writer)


async def test_a_gre_tunnel_from_a_known_address_reuses_its_static_ip(writer: Gateway) -> None:
    before = await _static_ips(writer)
    tunnel = await call(writer, "zia_create_gre_tunnel", {"source_ip": "192.0.2.44", "internal_ip_range": "172.17.7.8"})
    assert tunnel["internalIpRange"] == "172.17.7.8"  # a given range is kept
    assert await _static_ips(writer) == before


async def test_deleting_a_gre_tunnel_removes_its_static_ip_too(writer: Gateway) -> None:
    tunnel = await call(writer, "zia_create_gre_tunnel", {"source_ip": "198.51.100.77"})
    result = await call(writer, "zia_delete_gre_tunnel", {"tunnel_id": tunnel["id"]})
    static_ip = result["deleted"]["static_ip"]
    assert result["deleted"]["gre_tunnel"] == tunnel["id"] and static_ip is not None
    assert "198.51.100.77" not in await _static_ips(writer)
    assert "404" in await call_error(writer, "zia_get_gre_tunnel", {"tunnel_id": tunnel["id"]})


async def test_a_predefined_url_category_is_refused_before_any_delete(sim: RunningSimulator, writer: Gateway) -> None:
    message = await call_error(writer, "zia_delete_url_category", {"category_id": "NEWS_AND_MEDIA"})
    assert "predefined URL category" in message
    assert not any(
        k.startswith("DELETE /zia/api/v1/urlCategories") for k in httpx.get(f"{sim.url}/_sim/requests").json()
    )
    assert (await call(writer, "zia_get_url_category", {"category_id": "NEWS_AND_MEDIA"}))["id"] == "NEWS_AND_MEDIA"


async def test_a_custom_url_category_is_deleted(writer: Gateway) -> None:
    created = await call(
        writer, "zia_create_url_category", {"configured_name": "Doomed", "super_category": "USER_DEFINED"}
    )
    await call(writer, "zia_delete_url_category", {"category_id": created["id"]})
    assert "404" in await call_error(writer, "zia_get_url_category", {"category_id": created["id"]})


def test_a_zia_put_carrying_a_server_stamped_field_is_refused(sim: RunningSimulator) -> None:
    form = {"grant_type": "client_credentials", "client_id": "t", "client_secret": "s"}
    token = httpx.post(f"{sim.url}/oauth2/v1/token", data=form).json()["access_token"]
    answer = httpx.put(
        f"{sim.url}/zia/api/v1/ruleLabels/1",
        json={"name": "x", "lastModifiedTime": 1718500000},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400
    assert "lastModifiedTime" in answer.json()["message"]


async def test_updates_send_no_server_stamped_fields(writer: Gateway) -> None:
    label = (await call(writer, "zia_list_rule_labels"))["items"][0]
    assert "lastModifiedTime" in label  # the API stamps it, the merge reads it ...
    updated = await call(writer, "zia_update_rule_label", {"label_id": label["id"], "description": "stamped"})
    assert updated["description"] == "stamped"  # ... and the PUT went through without it
