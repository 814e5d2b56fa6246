"""Calls that need a human: MCP elicitation in both protocol eras, signed approvals, refusal with guidance."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import Client

from tests.support.kubelet import ProjectedConfigMap
from tests.support.security import mcp_client, new_api_key
from tests.support.servers import RunningGateway, run_gateway, serve_process
from tests.support.telemetry import capture_audit, samples
from zscaler_mcp_gateway.security.approvals import arguments_digest
from zscaler_mcp_gateway.security.options import SecurityOptions
from zscaler_mcp_gateway.simulator import RunningSimulator

GatewayFactory = Callable[..., RunningGateway]
WRITE_POLICY = "toolsets: [zpa_segment_groups]\nwrite: {enabled: true, allowlist: ['zpa_*_segment_group']}\n"
DELETE, CREATE = "zpa_delete_segment_group", "zpa_create_segment_group"
ERAS = ["legacy", "2026-07-28"]
MODERN = "2026-07-28"
ACCEPT = types.ElicitResult(action="accept", content={"confirm": True})


def write_policy(confirm: str = "[delete]") -> str:
    return (
        "toolsets: [zpa_segment_groups]\n"
        f"write: {{enabled: true, allowlist: ['zpa_*_segment_group'], confirm: {confirm}}}\n"
    )


@pytest.fixture
def keys_dir(tmp_path: Path) -> ProjectedConfigMap:
    """The approval keys Secret every replica of a test shares, projected the way kubelet does."""
    return ProjectedConfigMap(tmp_path / "approval-keys", {"current": secrets.token_hex(32)})


@pytest.fixture
def policy(configmap: Callable[[str], ProjectedConfigMap]) -> ProjectedConfigMap:
    return configmap(WRITE_POLICY)


@pytest.fixture
def gateway(
    fresh_simulator: RunningSimulator, policy: ProjectedConfigMap, keys_dir: ProjectedConfigMap
) -> Iterator[GatewayFactory]:
    """`gateway(**security)`: a replica on the write policy and the shared keys, over this test's own simulator."""
    with contextlib.ExitStack() as stack:

        def start(fast_lane: bool = True, stateless_http: bool = False, **security: Any) -> RunningGateway:
            options = SecurityOptions(approval_keys_dir=str(keys_dir.directory), **security)
            return stack.enter_context(
                run_gateway(
                    fresh_simulator.url,
                    str(policy.config_path),
                    security=options,
                    fast_lane=fast_lane,
                    stateless_http=stateless_http,
                )
            )

        yield start


class Human:
    """An elicitation callback standing for the user: records each question, gives one answer (after `delay`)."""

    def __init__(self, answer: types.ElicitResult = ACCEPT, delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.questions: list[str] = []

    async def __call__(self, context: object, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.questions.append(params.message)
        await anyio.sleep(self.delay)
        return self.answer


async def create_group(client: Client, name: str) -> str:
    result = await client.call_tool(CREATE, {"name": name, "enabled": True})
    assert not result.is_error, text(result)
    return str(json.loads(text(result))["id"])


async def exists(client: Client, group_id: str) -> bool:
    return not (await client.call_tool("zpa_get_segment_group", {"group_id": group_id})).is_error


def text(result: types.CallToolResult) -> str:
    return result.content[0].text  # type: ignore[union-attr]


def confirmations(gw: RunningGateway, action: str = "delete") -> dict[str, float]:
    rendered = gw.gateway.telemetry.metrics.render()
    found = samples(rendered, "zscaler_mcp_confirmations_total")
    return {dict(key)["outcome"]: value for key, value in found.items() if dict(key)["action"] == action and value}


async def ask(client: Client, group_id: str) -> types.InputRequiredResult:
    """A 2026-07-28 delete's first round, driven by hand: the server's question and its signed token."""
    asked: Any = await client.session.call_tool(DELETE, {"group_id": group_id}, allow_input_required=True)
    assert isinstance(asked, types.InputRequiredResult) and asked.request_state
    return asked


async def answer(
    client: Client, group_id: str, asked: types.InputRequiredResult, reply: types.ElicitResult = ACCEPT
) -> Any:
    [key] = asked.input_requests or {}
    return await client.session.call_tool(
        DELETE,
        {"group_id": group_id},
        input_responses={key: reply},
        request_state=asked.request_state,
        allow_input_required=True,
    )


# --- an approval works; a refusal is the user's ------------------------------------------------------


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
    events = [(e["outcome"], e.get("confirmation")) for e in audit.events()]
    # 2026-07-28: the asking round, then the call; the handshake era asks inside the one call.
    assert events == ([("ok", "approved")] if era == "legacy" else [("denied", "asked"), ("ok", "approved")])
    assert confirmations(gw) == {"asked": 1, "approved": 1}


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize(
    "reply",
    [
        types.ElicitResult(action="decline"),
        types.ElicitResult(action="cancel"),
        types.ElicitResult(action="accept", content={"confirm": False}),
    ],
    ids=["decline", "cancel", "unticked"],
)
async def test_delete_is_cancelled_unless_the_human_confirms(
    gateway: GatewayFactory, era: str, reply: types.ElicitResult
) -> None:
    gw = gateway()
    async with Client(gw.mcp_url, mode=era, elicitation_callback=Human(reply)) as client:
        group_id = await create_group(client, f"SG-Keep-{era}")
        with capture_audit() as audit:
            result = await client.call_tool(DELETE, {"group_id": group_id})
        assert result.is_error and "cancelled by the user" in text(result)
        assert await exists(client, group_id)
    assert (audit.events()[-1]["outcome"], audit.events()[-1]["confirmation"]) == ("denied", "declined")
    assert confirmations(gw) == {"asked": 1, "declined": 1}


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
    assert refused.is_error and "write.confirm" in text(refused) and "elicitation" in text(refused)
    assert self_approved.is_error  # no argument an agent can add approves a delete


async def test_the_deprecated_flag_still_lets_deletes_run_unconfirmed(gateway: GatewayFactory) -> None:
    gw = gateway(allow_unconfirmed_deletes=True)
    async with Client(gw.mcp_url, mode="legacy") as client:
        group_id = await create_group(client, "SG-Unconfirmed")
        assert not (await client.call_tool(DELETE, {"group_id": group_id})).is_error
        assert not await exists(client, group_id)


# --- approvals nobody asked for are refused, each with its reason -----------------------------------


async def test_a_self_computed_approval_is_refused_as_forged(gateway: GatewayFactory, tmp_path: Path) -> None:
    gw = gateway()
    async with Client(gw.mcp_url, mode=MODERN, elicitation_callback=Human()) as client:
        group_id = await create_group(client, "SG-Forged")
        # The old design's key, computed by a client that was never asked, and no token at all.
        old_key = "confirm-delete-" + arguments_digest(DELETE, {"group_id": group_id})[:32]
        with capture_audit() as audit:
            keyless: Any = await client.session.call_tool(
                DELETE, {"group_id": group_id}, input_responses={old_key: ACCEPT}, allow_input_required=True
            )
            # A token of the right shape signed with a key this gateway does not hold.
            asked = await ask(client, group_id)
            prefix, payload, _ = (asked.request_state or "").split(".")
            forged_state = f"{prefix}.{payload}.{'A' * 43}"
            forged = await answer(client, group_id, asked.model_copy(update={"request_state": forged_state}))
        assert await exists(client, group_id)
    for result in (keyless, forged):
        assert isinstance(result, types.CallToolResult) and result.is_error
        assert "not issued by this gateway" in text(result)
    assert [e.get("confirmation") for e in audit.events()] == ["forged", "asked", "forged"]
    assert confirmations(gw)["forged"] == 2


async def test_an_approval_runs_one_call_a_replayed_one_is_refused(gateway: GatewayFactory) -> None:
    gw = gateway()
    async with Client(gw.mcp_url, mode=MODERN, elicitation_callback=Human()) as client:
        group_id = await create_group(client, "SG-Replay")
        asked = await ask(client, group_id)
        first = await answer(client, group_id, asked)
        assert isinstance(first, types.CallToolResult) and not first.is_error, first
        await create_group(client, "SG-Replay")  # an object like it again: the replay would delete *something*
        with capture_audit() as audit:
            again = await answer(client, group_id, asked)
    assert isinstance(again, types.CallToolResult) and again.is_error and "already used" in text(again)
    assert audit.events()[-1]["confirmation"] == "replayed"
    assert confirmations(gw)["replayed"] == 1


async def test_an_expired_approval_is_refused(gateway: GatewayFactory) -> None:
    gw = gateway(approval_window_seconds=0.5)
    async with Client(gw.mcp_url, mode=MODERN, elicitation_callback=Human()) as client:
        group_id = await create_group(client, "SG-Expired")
        asked = await ask(client, group_id)
        await anyio.sleep(0.6)
        with capture_audit() as audit:
            late = await answer(client, group_id, asked)
        assert await exists(client, group_id)
    assert isinstance(late, types.CallToolResult) and late.is_error and "expired" in text(late)
    assert audit.events()[-1]["confirmation"] == "expired"


async def test_a_handshake_era_answer_after_the_window_deletes_nothing(gateway: GatewayFactory) -> None:
    gw = gateway(approval_window_seconds=0.5)
    async with Client(gw.mcp_url, mode="legacy", elicitation_callback=Human(delay=1.0)) as client:
        group_id = await create_group(client, "SG-Slow")
        with capture_audit() as audit:
            result = await client.call_tool(DELETE, {"group_id": group_id})
        assert result.is_error and "No answer from the user within 0.5 s" in text(result)
        assert await exists(client, group_id)
    assert audit.events()[-1]["confirmation"] == "expired"
    assert confirmations(gw) == {"asked": 1, "expired": 1}


async def test_another_principals_approval_is_refused(gateway: GatewayFactory, tmp_path: Path) -> None:
    keys = {"alice": new_api_key(), "bob": new_api_key()}
    api_keys = ProjectedConfigMap(tmp_path / "api-keys", keys)
    gw = gateway(api_keys_dir=str(api_keys.directory))
    as_alice = {"Authorization": f"Bearer {keys['alice']}"}
    as_bob = {"Authorization": f"Bearer {keys['bob']}"}
    async with (
        mcp_client(gw.mcp_url, as_alice, mode=MODERN, elicitation_callback=Human()) as alice,
        mcp_client(gw.mcp_url, as_bob, mode=MODERN, elicitation_callback=Human()) as bob,
    ):
        group_id = await create_group(alice, "SG-Alice")
        asked = await ask(alice, group_id)
        with capture_audit() as audit:
            stolen = await answer(bob, group_id, asked)
        assert await exists(alice, group_id)
        mine = await answer(alice, group_id, asked)  # the approval still works for the principal it was asked of
    assert isinstance(stolen, types.CallToolResult) and stolen.is_error and "another principal" in text(stolen)
    assert (audit.events()[-1]["principal"], audit.events()[-1]["confirmation"]) == ("bob", "wrong_principal")
    assert isinstance(mine, types.CallToolResult) and not mine.is_error


async def test_an_approval_approves_only_its_own_call(gateway: GatewayFactory) -> None:
    gw = gateway()
    async with Client(gw.mcp_url, mode=MODERN, elicitation_callback=Human()) as client:
        group_id, other_id = await create_group(client, "SG-Mine"), await create_group(client, "SG-Other")
        asked = await ask(client, group_id)
        with capture_audit() as audit:
            wrong_call = await answer(client, other_id, asked)
        assert await exists(client, other_id)
    assert isinstance(wrong_call, types.CallToolResult) and "another call" in text(wrong_call)
    assert audit.events()[-1]["confirmation"] == "mismatched"


# --- replicas ------------------------------------------------------------------------------------


async def test_two_gateway_processes_sharing_the_key_accept_each_others_approvals(
    fresh_simulator: RunningSimulator, policy: ProjectedConfigMap, keys_dir: ProjectedConfigMap, tmp_path: Path
) -> None:
    common = ["--upstream-url", fresh_simulator.url, "--config", str(policy.config_path)]
    stranger_keys = ProjectedConfigMap(tmp_path / "other-keys", {"current": secrets.token_hex(32)})
    with (
        serve_process([*common, "--approval-keys-dir", str(keys_dir.directory)]) as first,
        serve_process([*common, "--approval-keys-dir", str(keys_dir.directory)]) as second,
        serve_process([*common, "--approval-keys-dir", str(stranger_keys.directory)]) as stranger,
    ):
        async with (
            Client(first + "/mcp", mode=MODERN, elicitation_callback=Human()) as a,
            Client(second + "/mcp", mode=MODERN) as b,
            Client(stranger + "/mcp", mode=MODERN) as c,
        ):
            group_id = await create_group(a, "SG-Replica")
            asked = await ask(a, group_id)
            elsewhere = await answer(c, group_id, asked)  # another deployment's key: not ours
            assert await exists(a, group_id)
            done = await answer(b, group_id, asked)
            assert not await exists(a, group_id)
    assert isinstance(elsewhere, types.CallToolResult) and "not issued by this gateway" in text(elsewhere)
    assert isinstance(done, types.CallToolResult) and not done.is_error, done


async def test_a_rotated_key_still_verifies_approvals_it_signed(
    gateway: GatewayFactory, keys_dir: ProjectedConfigMap
) -> None:
    gw = gateway()
    old = (keys_dir.directory / "current").read_text()
    async with Client(gw.mcp_url, mode=MODERN, elicitation_callback=Human()) as client:
        group_id, other_id = await create_group(client, "SG-Rotate"), await create_group(client, "SG-Rotate-2")
        asked = await ask(client, group_id)
        keys_dir.update({"current": secrets.token_hex(32), "previous": old})  # the rotation: new key, old one kept
        (keys_dir.directory / "previous").symlink_to(Path("..data") / "previous")  # as kubelet projects a new key
        assert not (await answer(client, group_id, asked)).is_error
        asked_new = await ask(client, other_id)
        keys_dir.update({"current": secrets.token_hex(32)})  # the old one dropped: what it signed is gone too
        stale = await answer(client, other_id, asked_new)
    assert isinstance(stale, types.CallToolResult) and "not issued by this gateway" in text(stale)


@pytest.mark.parametrize("era", ERAS)
async def test_stateless_handshake_clients_are_told_the_real_reason(gateway: GatewayFactory, era: str) -> None:
    gw = gateway(stateless_http=True)
    async with Client(gw.mcp_url, mode=era, elicitation_callback=Human()) as client:  # it can ask its user
        group_id = await create_group(client, f"SG-Stateless-{era}")
        result = await client.call_tool(DELETE, {"group_id": group_id})
    if era == MODERN:  # needs no server-to-client channel: works behind any balancer
        assert not result.is_error, text(result)
        return
    assert result.is_error
    assert "no server-to-client channel" in text(result) and "session affinity" in text(result)
    assert "2026-07-28" in text(result) and "does not support" not in text(result)


# --- the confirm policy ----------------------------------------------------------------------------


@pytest.mark.parametrize("era", ERAS)
async def test_confirm_create_update_delete_asks_before_a_create(
    gateway: GatewayFactory, policy: ProjectedConfigMap, era: str
) -> None:
    policy.update({"config.yaml": write_policy("[create, update, delete]")})
    gw = gateway()
    human = Human()
    async with Client(gw.mcp_url, mode=era, elicitation_callback=human) as client:
        group_id = await create_group(client, f"SG-Asked-{era}")
        assert await exists(client, group_id)
    [question] = human.questions
    assert CREATE in question and "creates an object in Zscaler ZPA" in question
    assert confirmations(gw, "create") == {"asked": 1, "approved": 1}


async def test_confirm_tools_patterns_ask_whatever_the_action(
    gateway: GatewayFactory, policy: ProjectedConfigMap
) -> None:
    policy.update(
        {
            "config.yaml": "toolsets: [zpa_segment_groups]\nwrite: {enabled: true, allowlist: ['zpa_*_segment_group'], "
            "confirm: [], confirmTools: ['zpa_get_segment_group']}\n"
        }
    )
    gw = gateway()
    human = Human(types.ElicitResult(action="decline"))
    async with Client(gw.mcp_url, mode="legacy", elicitation_callback=human) as client:
        group_id = await create_group(client, "SG-Pattern")  # not asked: confirm is empty
        read = await client.call_tool("zpa_get_segment_group", {"group_id": group_id})
        deleted = await client.call_tool(DELETE, {"group_id": group_id})  # not asked either
    assert read.is_error and "cancelled by the user" in text(read) and not deleted.is_error
    assert len(human.questions) == 1


async def reloaded(gw: RunningGateway, number: int) -> None:
    for _ in range(200):
        if gw.gateway.store.current.number >= number:
            return
        await anyio.sleep(0.02)
    raise AssertionError("the policy was not reloaded")


@pytest.mark.parametrize("era", ERAS)
async def test_a_change_of_confirm_applies_live(gateway: GatewayFactory, policy: ProjectedConfigMap, era: str) -> None:
    policy.update({"config.yaml": write_policy("[]")})
    gw = gateway()
    human = Human()
    async with Client(gw.mcp_url, mode=era, elicitation_callback=human) as client:
        first = await create_group(client, f"SG-Live-{era}")
        assert not (await client.call_tool(DELETE, {"group_id": first})).is_error
        assert human.questions == []
        generation = gw.gateway.store.current.number
        policy.update({"config.yaml": write_policy("[delete]")})
        await reloaded(gw, generation + 1)
        second = await create_group(client, f"SG-Live-{era}")
        assert not (await client.call_tool(DELETE, {"group_id": second})).is_error
    assert len(human.questions) == 1


# --- a client that waits, a client that gives up ---------------------------------------------------


async def test_progress_is_reported_while_the_user_thinks(gateway: GatewayFactory) -> None:
    gw = gateway(confirm_progress_interval_seconds=0.1)
    progress: list[tuple[float, float | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total))

    async with Client(gw.mcp_url, mode="legacy", elicitation_callback=Human(delay=0.6)) as client:
        group_id = await create_group(client, "SG-Progress")
        result = await client.call_tool(DELETE, {"group_id": group_id}, progress_callback=on_progress)
    assert not result.is_error
    assert len(progress) >= 2 and all(total == 300 for _, total in progress)
    assert [value for value, _ in progress] == sorted(value for value, _ in progress)


def fault(sim: RunningSimulator, **spec: Any) -> None:
    import httpx

    httpx.post(f"{sim.url}/_sim/faults", json={"match": "segmentGroup", **spec}, timeout=5).raise_for_status()


async def settled_event(audit: Any, tool: str) -> dict[str, Any]:
    """The audit event of the call of `tool` that reached the upstream (not a 2026 asking round), once written."""
    for _ in range(300):
        events = [e for e in audit.events() if e["tool"] == tool and e.get("confirmation") != "asked"]
        if events:
            return dict(events[-1])
        await asyncio.sleep(0.02)
    raise AssertionError(f"no audit event for {tool}")


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("path", ["fast-lane", "sdk"])
async def test_a_cancelled_create_is_audited_with_what_happened_upstream(
    gateway: GatewayFactory, fresh_simulator: RunningSimulator, era: str, path: str
) -> None:
    gw = gateway(fast_lane=path == "fast-lane")
    async with Client(gw.mcp_url, mode=era) as client:
        fault(fresh_simulator, status=0, delaySeconds=1.0, times=1)
        with capture_audit() as audit:
            with anyio.move_on_after(0.3):
                await client.call_tool(CREATE, {"name": f"SG-Gone-{era}-{path}", "enabled": True})
            event = await settled_event(audit, CREATE)
        listed = text(await client.call_tool("zpa_list_segment_groups", {}))
    assert (event["outcome"], event.get("cancelled"), event["error"]) == ("ok", True, None)
    assert f"SG-Gone-{era}-{path}" in listed  # it exists, as the audit says


@pytest.mark.parametrize("era", ERAS)
async def test_a_delete_cancelled_in_flight_is_audited_as_done(
    gateway: GatewayFactory, fresh_simulator: RunningSimulator, era: str
) -> None:
    gw = gateway()
    async with Client(gw.mcp_url, mode=era, elicitation_callback=Human()) as client:
        group_id = await create_group(client, f"SG-Cancelled-{era}")
        fault(fresh_simulator, status=0, delaySeconds=1.0, times=1, match=f"segmentGroup/{group_id}")
        with capture_audit() as audit:
            with anyio.move_on_after(0.5) as gave_up:
                await client.call_tool(DELETE, {"group_id": group_id})
            assert gave_up.cancelled_caught  # the client did give up before the answer
            event = await settled_event(audit, DELETE)
        assert not await exists(client, group_id)
    assert (event["outcome"], event.get("cancelled"), event.get("confirmation")) == ("ok", True, "approved")
