"""Entitlement filter: the token's `service-info[].prd` products narrow the served services.

The simulator issues JWTs carrying the products a test chooses; the real gateway starts, opens its
port at once, fetches the token through its SDK client in the background and publishes the narrowed
tool set. Failures never stop it; `entitlementFilter: false` (also toggled by a live reload) skips it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from mcp import Client

from tests.support.kubelet import ProjectedConfigMap
from tests.support.servers import RunningGateway, run_gateway
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.entitlements import PRODUCT_SERVICES, EntitlementError, entitled_services, unverified_claims
from zscaler_mcp_gateway.simulator import RunningSimulator, start_simulator
from zscaler_mcp_gateway.simulator.app import ALL_PRODUCTS

CATALOG = load_catalog()
META = {t.name for t in CATALOG.toolset_tools("meta")}


def services_of(names: set[str]) -> set[str]:
    return {CATALOG.tools[n].service for n in names} - {"zscaler"}


@contextlib.contextmanager
def simulator_with(products: list[str]) -> Iterator[RunningSimulator]:
    sim = start_simulator(products=products)
    try:
        yield sim
    finally:
        sim.stop()


@contextlib.contextmanager
def gateway(upstream: str, config: ProjectedConfigMap, **kwargs: Any) -> Iterator[RunningGateway]:
    with run_gateway(upstream, str(config.config_path), **kwargs) as running:
        yield running


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


async def served(url: str) -> set[str]:
    async with Client(url, mode="legacy") as client:
        return {t.name for t in (await client.list_tools()).tools}


# --- the token -> services mapping ---------------------------------------------------------------


def test_every_simulator_product_maps_to_a_service_and_every_service_has_a_product() -> None:
    assert {PRODUCT_SERVICES[p] for p in ALL_PRODUCTS} == set(CATALOG.services)


def test_claims_are_read_without_verification_and_unknown_products_are_ignored() -> None:
    token = jwt.encode(
        {"service-info": [{"prd": "zpa"}, {"prd": " ZIdentity "}, {"prd": "ZBI"}, "junk"]},
        "a-key-that-is-not-the-issuers-0123456789",
        algorithm="HS256",
    )
    assert entitled_services(unverified_claims(token)) == {"zpa", "zid"}
    assert entitled_services({"serviceInfo": [{"prd": "ZCELL"}]}) == {"zcell"}


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        ({}, "no service-info"),
        ({"service-info": [{"prd": "ZBI"}]}, "no known product (ZBI)"),
        ({"service-info": "ZIA"}, "no service-info"),
    ],
)
def test_tokens_without_a_known_product_are_refused_with_a_reason(claims: dict[str, object], words: str) -> None:
    with pytest.raises(EntitlementError, match=words.replace("(", r"\(").replace(")", r"\)")):
        entitled_services(claims)


def test_a_token_that_is_not_a_jwt_is_refused() -> None:
    with pytest.raises(EntitlementError, match="not a decodable JWT"):
        unverified_claims("opaque-token")


# --- the running gateway --------------------------------------------------------------------------


async def test_served_services_are_the_policy_intersected_with_the_token(
    configmap: Callable[[str], ProjectedConfigMap],
) -> None:
    with (
        simulator_with(["ZPA", "ZIA", "ZCELL"]) as sim,
        gateway(sim.url, configmap("services: [zpa, zcell, zms]\n")) as gw,
    ):
        wait_until(lambda: gw.gateway.store.entitled is not None, "the entitlement filter")
        names = await served(gw.mcp_url)
    assert services_of(names) == {"zpa", "zcell"}  # zia is entitled but not selected; zms is selected but not entitled
    assert META <= names


async def test_a_hidden_service_is_denied_at_call_time_and_cannot_be_enabled(
    configmap: Callable[[str], ProjectedConfigMap],
) -> None:
    with simulator_with(["ZPA"]) as sim, gateway(sim.url, configmap("toolsets: [all]\n")) as gw:
        wait_until(lambda: gw.gateway.store.entitled is not None, "the entitlement filter")
        async with Client(gw.mcp_url, mode="legacy") as client:
            denied = await client.call_tool("zia_list_rule_labels", {})
            enable = await client.call_tool("zscaler_enable_toolset", {"toolset": "zms"})
            allowed = await client.call_tool("zpa_list_segment_groups", {})
    assert denied.is_error and "entitlements" in denied.content[0].text  # type: ignore[union-attr]
    assert 'can_enable":false' in enable.content[0].text.replace(" ", "")  # type: ignore[union-attr]
    assert not allowed.is_error


async def test_full_entitlement_publishes_no_new_generation(
    simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap]
) -> None:
    with gateway(simulator.url, configmap("services: [zia, zpa]\n")) as gw:
        wait_until(lambda: gw.gateway.store.entitled is not None, "the entitlement filter")
        assert gw.gateway.store.entitled == set(CATALOG.services)
        assert gw.gateway.store.current.number == 1


async def test_entitlement_filter_false_skips_the_token(configmap: Callable[[str], ProjectedConfigMap]) -> None:
    with (
        simulator_with(["ZPA"]) as sim,
        gateway(sim.url, configmap("services: [zpa, zia]\nentitlementFilter: false\n")) as gw,
    ):
        await asyncio.sleep(0.3)
        names = await served(gw.mcp_url)
        token_requests = sim.state.requests["POST /oauth2/v1/token"]
    assert services_of(names) == {"zpa", "zia"}
    assert gw.gateway.store.entitled is None and token_requests == 0


async def test_a_live_reload_toggles_the_filter(configmap: Callable[[str], ProjectedConfigMap]) -> None:
    cm = configmap("services: [zpa, zia]\n")
    with simulator_with(["ZPA"]) as sim, gateway(sim.url, cm) as gw:
        store = gw.gateway.store
        wait_until(lambda: services_of(set(store.current.tools)) == {"zpa"}, "zia hidden")
        cm.update({"config.yaml": "services: [zpa, zia]\nentitlementFilter: false\n"})
        wait_until(
            lambda: services_of(set(store.current.tools)) == {"zpa", "zia"}, "zia back after entitlementFilter: false"
        )
        cm.update({"config.yaml": "services: [zpa, zia]\nentitlementFilter: true\n"})
        wait_until(lambda: services_of(set(store.current.tools)) == {"zpa"}, "zia hidden again")


async def test_unknown_products_leave_the_policy_selection_alone(
    configmap: Callable[[str], ProjectedConfigMap], caplog: pytest.LogCaptureFixture
) -> None:
    with simulator_with(["ZBI"]) as sim, gateway(sim.url, configmap("services: [zpa, zia]\n")) as gw:
        wait_until(lambda: "entitlement filter skipped" in caplog.text, "the skip log line")
        names = await served(gw.mcp_url)
    assert services_of(names) == {"zpa", "zia"}
    assert "no known product (ZBI)" in caplog.text


async def test_missing_credentials_are_not_fatal(
    simulator: RunningSimulator,
    configmap: Callable[[str], ProjectedConfigMap],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    empty = tmp_path / "secrets"
    empty.mkdir()
    with gateway(simulator.url, configmap("services: [zpa]\n"), credentials_dir=str(empty)) as gw:
        wait_until(lambda: "entitlement filter skipped" in caplog.text, "the skip log line")
        assert services_of(await served(gw.mcp_url)) == {"zpa"}
    assert "CredentialsError" in caplog.text and "test-secret" not in caplog.text


async def test_a_hanging_token_endpoint_never_delays_the_port(configmap: Callable[[str], ProjectedConfigMap]) -> None:
    with socket.socket() as blackhole:  # accepts connections into its backlog and never answers
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(16)
        upstream = f"http://127.0.0.1:{blackhole.getsockname()[1]}"
        started = time.monotonic()
        with gateway(upstream, configmap("services: [zpa]\n")) as gw:
            async with httpx.AsyncClient() as http:
                assert (await http.get(gw.url + "/healthz")).status_code == 200
            names = await served(gw.mcp_url)
            elapsed = time.monotonic() - started
            assert gw.gateway.store.entitled is None
    assert services_of(names) == {"zpa"} and elapsed < 5
