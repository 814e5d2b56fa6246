"""The official server's argument contract, called for real (dispatcher -> SDK -> HTTP -> simulator).

`query` (JMESPath after every page), the official paging arguments, `advanced`, `kwargs` on deletes,
ids given as strings, official argument names, and malformed arguments answered with a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.toolcalls import call, call_error, tool_gateway
from zscaler_mcp_gateway.app import Gateway
from zscaler_mcp_gateway.simulator import RunningSimulator, start_simulator

UDID = "d-29-9b-7c-c5-3f-d2-90-3c-d5-01"
SERVICES = ["zia", "zpa", "zdx", "zcc", "ztw", "zid", "zeasm", "zins", "zms", "zcell"]


@pytest.fixture(scope="module")
def reader(simulator: RunningSimulator, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    return tool_gateway(simulator.url, SERVICES, tmp_path_factory.mktemp("contract-read"))


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    sim = start_simulator()
    yield tool_gateway(sim.url, SERVICES, tmp_path_factory.mktemp("contract-write"))
    sim.stop()


async def test_query_filters_every_record_not_only_the_first_page(reader: Gateway) -> None:
    everything = await call(reader, "zpa_list_segment_groups", {"page_size": 1})
    assert everything["pages"] > 1  # the walk crossed pages: the query below sees all of them
    enabled = [g["name"] for g in everything["items"] if g.get("enabled")]
    answer = await call(reader, "zpa_list_segment_groups", {"page_size": 1, "query": "[?enabled].name"})
    assert answer["result"] == enabled and answer["count"] == everything["count"]


async def test_query_projects_and_aggregates(reader: Gateway) -> None:
    rules = (await call(reader, "zia_list_url_filtering_rules"))["items"]
    projected = await call(reader, "zia_list_url_filtering_rules", {"query": "[*].{id: id, name: name}"})
    assert projected["result"] == [{"id": r["id"], "name": r["name"]} for r in rules]
    assert (await call(reader, "zia_list_url_filtering_rules", {"query": "length(@)"}))["result"] == len(rules)


async def test_query_on_a_get_tool_projects_the_record(reader: Gateway) -> None:
    answer = await call(reader, "zia_get_url_filtering_rule", {"rule_id": 101, "query": "name"})
    assert answer["result"] == (await call(reader, "zia_get_url_filtering_rule", {"rule_id": 101}))["name"]


async def test_an_invalid_query_is_a_clear_error_naming_the_argument(reader: Gateway) -> None:
    message = await call_error(reader, "zia_list_url_filtering_rules", {"query": "[?name=="})
    assert "'query'" in message and "JMESPath" in message
    failing = await call_error(reader, "zia_list_url_filtering_rules", {"query": "length(`1`)"})
    assert "'query'" in failing  # valid syntax, fails on evaluation: still the argument's fault


async def test_official_paging_arguments_pick_a_page_or_a_slice(reader: Gateway) -> None:
    every = (await call(reader, "zpa_list_segment_groups"))["items"]
    assert len(every) >= 3
    second = await call(reader, "zpa_list_segment_groups", {"page": 2, "page_size": 1})
    assert second["items"] == every[1:2] and second["total"] == len(every)
    assert (await call(reader, "zpa_list_segment_groups", {"page_num": 2, "page_size": 1}))["items"] == every[1:2]
    sliced = await call(reader, "zpa_list_segment_groups", {"offset": "1", "limit": 1})
    assert sliced["items"] == every[1:2]


async def test_zia_ids_are_taken_as_strings_as_the_official_types_them(reader: Gateway) -> None:
    as_string = await call(reader, "zia_get_url_filtering_rule", {"rule_id": "101"})
    assert as_string == await call(reader, "zia_get_url_filtering_rule", {"rule_id": 101})
    message = await call_error(reader, "zia_get_url_filtering_rule", {"rule_id": "abc"})
    assert "'rule_id'" in message


async def test_official_argument_names_reach_the_api(reader: Gateway) -> None:
    by_alias = await call(reader, "zcc_get_device_otp", {"device_id": UDID})
    assert by_alias == await call(reader, "zcc_get_device_otp", {"udid": UDID})
    lite = await call(reader, "get_zia_dlp_engines", {"action": "read_lite"})
    assert lite == await call(reader, "get_zia_dlp_engines", {"lite": True})


async def test_a_delete_with_kwargs_is_told_that_a_human_confirms_deletes(writer: Gateway) -> None:
    created = await call(writer, "zia_create_rule_label", {"name": "kwargs-probe"})
    message = await call_error(
        writer, "zia_delete_rule_label", {"label_id": created["id"], "kwargs": '{"confirmation_token": "t"}'}
    )
    assert "human" in message and "elicitation" in message
    assert (await call(writer, "zia_get_rule_label", {"label_id": created["id"]}))["name"] == "kwargs-probe"


async def test_advanced_fields_are_sent_to_the_api(writer: Gateway) -> None:
    created = await call(
        writer, "zia_create_rule_label", {"name": "advanced-probe", "advanced": {"description": "from advanced"}}
    )
    assert (await call(writer, "zia_get_rule_label", {"label_id": created["id"]}))["description"] == "from advanced"


async def test_a_zia_rule_is_created_with_the_official_arguments_only(writer: Gateway) -> None:
    rule = await call(writer, "zia_create_url_filtering_rule", {"name": "official-args", "action": "BLOCK"})
    stored = await call(writer, "zia_get_url_filtering_rule", {"rule_id": str(rule["id"])})
    assert stored["order"] == 1 and stored["action"] == "BLOCK"  # the official default order: the top
    disabled = await call(writer, "zia_update_url_filtering_rule", {"rule_id": str(rule["id"]), "enabled": False})
    assert disabled["state"] == "DISABLED"


@pytest.mark.parametrize(
    ("ports", "named"),
    [
        ([["80"]], "'ports'[0]"),
        ([["dest", "tcp", "99999"]], "'ports'[0]"),
        ([["sideways", "tcp", "80"]], "'ports'[0]"),
        ("not json", "'ports'"),
        ([[1, 2, 3]], "'ports'"),
        ([{"from": 1}], "'ports'"),
    ],
)
async def test_malformed_network_service_ports_are_a_validation_message(
    writer: Gateway, ports: Any, named: str
) -> None:
    message = await call_error(writer, "zia_create_network_service", {"name": "svc", "ports": ports})
    assert named in message and "Internal" not in message
