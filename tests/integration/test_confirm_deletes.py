"""Deletes need a human: MCP elicitation in both protocol eras, refusal with guidance otherwise."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import mcp_types as types
import pytest
from mcp import Client

from tests.support.kubelet import ProjectedConfigMap
from tests.support.servers import RunningGateway, run_gateway
from tests.support.telemetry import capture_audit
from zscaler_mcp_gateway.security.options import SecurityOptions
from zscaler_mcp_gateway.simulator import RunningSimulator

GatewayFactory = Callable[..., RunningGateway]
WRITE_POLICY = "toolsets: [zpa_segment_groups]\nwrite: {enabled: true, allowlist: ['zpa_*_segment_group']}\n"
DELETE = "zpa_delete_segment_group"
ERAS = ["legacy", "2026-07-28"]
ACCEPT = types.ElicitResult(action="accept", content={"confirm": True})


@pytest.fixture
def gateway(
    fresh_simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap]
) -> Iterator[GatewayFactory]:
    """`gateway(**options)`: a gateway on the write policy, over a simulator of this test's own (it creates and deletes)."""
    config = configmap(WRITE_POLICY)
    with contextlib.ExitStack() as stack:
        yield lambda **options: stack.enter_context(
            run_gateway(fresh_simulator.url, str(config.config_path), **options)
        )


class Human:
    """An elicitation callback standing for the user: records each question, gives one answer."""

    def __init__(self, answer: types.ElicitResult = ACCEPT) -> None:
        self.answer = answer
        self.questions: list[str] = []

    async def __call__(self, context: object, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.questions.append(params.message)
        return self.answer


async def create_group(client: Client, name: str) -> str:
    result = await client.call_tool("zpa_create_segment_group", {"name": name, "enabled": True})
    assert not result.is_error
    return str(json.loads(result.content[0].text)["id"])  # type: ignore[union-attr]


async def exists(client: Client, group_id: str) -> bool:
    return not (await client.call_tool("zpa_get_segment_group", {"group_id": group_id})).is_error


def text(result: types.CallToolResult) -> str:
    return result.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize("era", ERAS)
async def test_delete_asks_the_human_and_runs_on_accept(gateway: GatewayFactory, era: str) -> None:
    gw = gateway()
    human = Human()
    async with Client(gw.mcp_url, mode=era, elicitation_callback=human) as client:
        group_id = await create_group(client, f"SG-Confirm-{era}")
        with capture_audit() as audit:
            result = await client.call_tool(DELETE, {"group_id": group_id})
        assert not result.is_error, text(result)
        assert not await exists(client, group_id)
    [question] = human.questions
    assert DELETE in question and group_id in question and "cannot be undone" in question
    outcomes = [e["outcome"] for e in audit.events()]
    assert outcomes == (["ok"] if era == "legacy" else ["denied", "ok"])  # 2026-07-28: the asking round, then the call


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize(
    "answer",
    [
        types.ElicitResult(action="decline"),
        types.ElicitResult(action="cancel"),
        types.ElicitResult(action="accept", content={"confirm": False}),
    ],
    ids=["decline", "cancel", "unticked"],
)
async def test_delete_is_cancelled_unless_the_human_confirms(
    gateway: GatewayFactory, era: str, answer: types.ElicitResult
) -> None:
    gw = gateway()
    async with Client(gw.mcp_url, mode=era, elicitation_callback=Human(answer)) as client:
        group_id = await create_group(client, f"SG-Keep-{era}")
        with capture_audit() as audit:
            result = await client.call_tool(DELETE, {"group_id": group_id})
        assert result.is_error and "cancelled by the user" in text(result)
        assert await exists(client, group_id)
    assert audit.events()[-1]["outcome"] == "denied"


@pytest.mark.parametrize("era", ERAS)
async def test_without_elicitation_a_delete_is_refused_with_guidance_and_cannot_be_self_approved(
    gateway: GatewayFactory, era: str
) -> None:
    gw = gateway()
    async with Client(gw.mcp_url, mode=era) as client:  # no elicitation callback: no way to ask a human
        group_id = await create_group(client, f"SG-NoHuman-{era}")
        refused = await client.call_tool(DELETE, {"group_id": group_id})
        self_approved = await client.call_tool(
            DELETE, {"group_id": group_id, "confirm": True, "confirmation_token": "x"}
        )
        assert await exists(client, group_id)
    assert refused.is_error and "--allow-unconfirmed-deletes" in text(refused) and "elicitation" in text(refused)
    assert self_approved.is_error  # no argument an agent can add approves a delete


async def test_operators_can_allow_unconfirmed_deletes(gateway: GatewayFactory) -> None:
    gw = gateway(security=SecurityOptions(allow_unconfirmed_deletes=True))
    async with Client(gw.mcp_url, mode="legacy") as client:
        group_id = await create_group(client, "SG-Unconfirmed")
        assert not (await client.call_tool(DELETE, {"group_id": group_id})).is_error
        assert not await exists(client, group_id)


async def test_the_answer_approves_only_its_own_call_on_any_replica(gateway: GatewayFactory) -> None:
    first, second = gateway(), gateway()  # two replicas, no shared memory
    async with (
        Client(first.mcp_url, mode="2026-07-28", elicitation_callback=Human()) as a,
        Client(second.mcp_url, mode="2026-07-28", elicitation_callback=Human()) as b,
    ):
        group_id, other_id = await create_group(a, "SG-Replica"), await create_group(a, "SG-Other")
        asked: Any = await a.session.call_tool(DELETE, {"group_id": group_id}, allow_input_required=True)
        assert isinstance(asked, types.InputRequiredResult)
        [key] = asked.input_requests
        wrong_call: Any = await b.session.call_tool(
            DELETE, {"group_id": other_id}, input_responses={key: ACCEPT}, allow_input_required=True
        )
        assert isinstance(wrong_call, types.InputRequiredResult)  # asked again: that answer was about another group
        done: Any = await b.session.call_tool(
            DELETE, {"group_id": group_id}, input_responses={key: ACCEPT}, allow_input_required=True
        )
        assert isinstance(done, types.CallToolResult) and not done.is_error
        assert not await exists(a, group_id) and await exists(a, other_id)
