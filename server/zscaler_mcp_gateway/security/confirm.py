"""Calls that need a person: the client's user confirms each one through MCP form elicitation.

Which calls: `write.confirm` (actions, default delete) and `write.confirmTools` (patterns), decided
by the policy (policy.py). How, per protocol era:

- Handshake-era sessions get a mid-call `elicitation/create` on the session's own stream; the answer is
  the JSON-RPC response to the server's request on that session, which only its principal can reach.
  While the user thinks, the call reports progress, so clients that reset their timeout on progress
  keep waiting for the whole window.
- 2026-07-28 requests get an `InputRequiredResult` whose `requestState` is a signed approval token
  (approvals.py) and whose question key names the token's question. The retried call runs only when the
  token verifies on this replica's keys, names this principal, tool and arguments, is unexpired and was
  not redeemed here before, and the user's answer to that very question accepts.

Nothing an agent can compute approves a call; a client that cannot ask its user is refused with the
real reason and what works instead.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import mcp_types as types
from mcp.server import ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from ..catalog.model import Action, Tool
from ..outcomes import ConfirmationOutcome
from ..telemetry import redact
from .approvals import ApprovalTokens, Claims

log = logging.getLogger(__name__)

ALLOW_FLAG = "--allow-unconfirmed-deletes"
QUESTION_KEY_PREFIX = "confirm-"
DEFAULT_PROGRESS_INTERVAL_SECONDS = 10.0  # well under the 60 s request timeout of TypeScript-based clients
NO_CHANNEL = (
    "this connection has no server-to-client channel: the gateway runs without MCP sessions (--stateless). "
    "What works: MCP sessions with session affinity at the load balancer, or a client speaking MCP 2026-07-28"
)
NO_FORM = "it does not support MCP form elicitation"
EFFECTS = {
    Action.CREATE: "This creates an object in Zscaler {service}.",
    Action.UPDATE: "This changes an object in Zscaler {service}.",
    Action.DELETE: "This deletes data in Zscaler {service} and cannot be undone.",
    Action.READ: "This reads data from Zscaler {service}.",
}


@dataclass(frozen=True)
class Confirmation:
    approved: bool
    message: str = ""
    input_required: types.InputRequiredResult | None = None  # 2026-07-28: ask, then retry
    outcomes: tuple[ConfirmationOutcome, ...] = ()  # each step, in order; the last is the verdict


Confirmer = Callable[[Tool, Mapping[str, Any], str], Awaitable[Confirmation]]  # tool, arguments, principal


def unavailable(tool: Tool, why: str) -> Confirmation:
    return Confirmation(
        False,
        f"Refused: {tool.name} needs confirmation by a human (write.confirm / write.confirmTools), but this "
        f"client cannot ask its user: {why}. An operator can change the gateway's write.confirm policy "
        f"(or, for deletes, start it with {ALLOW_FLAG}, deprecated) to let such calls run unconfirmed.",
        outcomes=(ConfirmationOutcome.UNAVAILABLE,),
    )


async def refuse_without_client(tool: Tool, arguments: Mapping[str, Any], principal: str) -> Confirmation:
    """The confirmer of calls that come with no MCP client to ask (not over the MCP transport)."""
    return unavailable(tool, "no MCP client is attached to this call")


REFUSALS = {
    ConfirmationOutcome.FORGED: "the approval it carries was not issued by this gateway (no token, or a bad signature)",
    ConfirmationOutcome.WRONG_PRINCIPAL: "the approval was issued to another principal; each principal's user "
    "approves that principal's calls",
    ConfirmationOutcome.MISMATCHED: "the approval was given for another call (a different tool or other arguments)",
    ConfirmationOutcome.EXPIRED: "the approval has expired",
    ConfirmationOutcome.REPLAYED: "the approval was already used; one approval runs one call",
    ConfirmationOutcome.OVERLOADED: "this replica holds too many unexpired approvals to remember another",
}


def refused(tool: Tool, outcome: ConfirmationOutcome) -> Confirmation:
    return Confirmation(
        False,
        f"Refused: {tool.name} was not run: {REFUSALS[outcome]}. Call it again without an approval to ask the user.",
        outcomes=(outcome,),
    )


def declined(tool: Tool, *steps: ConfirmationOutcome) -> Confirmation:
    return Confirmation(
        False,
        f"The {tool.action.value} was cancelled by the user: {tool.name} was not run.",
        outcomes=(*steps, ConfirmationOutcome.DECLINED),
    )


def question_key(question: str) -> str:
    return QUESTION_KEY_PREFIX + question


def question(tool: Tool, arguments: Mapping[str, Any]) -> str:
    shown = json.dumps(redact(dict(arguments)), sort_keys=True, default=str)
    effect = EFFECTS[tool.action].format(service=tool.service.upper())
    return f"An agent asks to run {tool.name} ({tool.description}) with {shown}. {effect} Approve?"


def question_schema(tool: Tool) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "confirm": {
                "type": "boolean",
                "title": "Approve",
                "description": f"Run {tool.name}. " + EFFECTS[tool.action].format(service=tool.service.upper()),
            },
        },
        "required": ["confirm"],
    }


def accepts(answer: object) -> bool:
    return (
        isinstance(answer, types.ElicitResult)
        and answer.action == "accept"
        and (answer.content or {}).get("confirm") is True
    )


def _supports_form(capabilities: types.ClientCapabilities | None) -> bool:
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


class ElicitationConfirmer:
    """Asks the user of the MCP client behind `ctx`; `params` may carry a 2026-07-28 retry's answers and token."""

    def __init__(
        self,
        ctx: ServerRequestContext[Any, Any],
        params: types.CallToolRequestParams,
        tokens: ApprovalTokens,
        progress_interval_seconds: float = DEFAULT_PROGRESS_INTERVAL_SECONDS,
    ) -> None:
        self.ctx = ctx
        self.input_responses = params.input_responses or {}
        self.request_state = params.request_state
        self.tokens = tokens
        self.progress_interval_seconds = progress_interval_seconds

    async def __call__(self, tool: Tool, arguments: Mapping[str, Any], principal: str) -> Confirmation:
        modern = self.ctx.protocol_version in MODERN_PROTOCOL_VERSIONS
        if modern and (self.input_responses or self.request_state is not None):
            return self._redeem(tool, arguments, principal)
        # Without sessions a handshake-era client's capabilities are unknown: the channel is the real reason.
        if not modern and not self.ctx.session.can_send_request:
            return unavailable(tool, NO_CHANNEL)
        if not _supports_form(self.ctx.session.client_capabilities):
            return unavailable(tool, NO_FORM)
        if modern:
            return self._ask_for_retry(tool, arguments, principal)
        return await self._ask_in_session(tool, arguments)

    def _ask_for_retry(self, tool: Tool, arguments: Mapping[str, Any], principal: str) -> Confirmation:
        question_id, token = self.tokens.issue(tool.name, arguments, principal)
        ask = types.ElicitRequest(
            params=types.ElicitRequestFormParams(
                message=question(tool, arguments), requested_schema=question_schema(tool)
            )
        )
        return Confirmation(
            False,
            "Awaiting the user's confirmation.",
            types.InputRequiredResult(input_requests={question_key(question_id): ask}, request_state=token),
            (ConfirmationOutcome.ASKED,),
        )

    def _redeem(self, tool: Tool, arguments: Mapping[str, Any], principal: str) -> Confirmation:
        checked = self.tokens.check(self.request_state, tool.name, arguments, principal)
        if not isinstance(checked, Claims):
            return refused(tool, checked)
        if not accepts(self.input_responses.get(question_key(checked.question))):
            return declined(tool)
        outcome = self.tokens.consume(checked)
        if outcome is not ConfirmationOutcome.APPROVED:
            return refused(tool, outcome)
        return Confirmation(True, outcomes=(outcome,))

    async def _ask_in_session(self, tool: Tool, arguments: Mapping[str, Any]) -> Confirmation:
        asked = ConfirmationOutcome.ASKED
        window = self.tokens.window_seconds
        try:
            with anyio.fail_after(window):
                answer = await self._answer_with_progress(question(tool, arguments), question_schema(tool), window)
        except TimeoutError:
            return Confirmation(
                False,
                f"No answer from the user within {window:g} s: {tool.name} was not run.",
                outcomes=(asked, ConfirmationOutcome.EXPIRED),
            )
        except MCPError as exc:
            log.info("elicitation for %s failed: %s", tool.name, exc)
            return unavailable(tool, "the confirmation request failed")
        if not accepts(answer):
            return declined(tool, asked)
        return Confirmation(True, outcomes=(asked, ConfirmationOutcome.APPROVED))

    async def _answer_with_progress(self, message: str, schema: dict[str, Any], window: float) -> types.ElicitResult:
        """The user's answer; meanwhile `notifications/progress` every interval when the client asked for progress."""

        async def heartbeat() -> None:
            interval = self.progress_interval_seconds
            for tick in range(1, math.ceil(window / interval) + 1):  # the window's fail_after ends it sooner
                await anyio.sleep(interval)
                await self.ctx.session.report_progress(
                    min(tick * interval, window), window, "Waiting for the user to confirm"
                )

        async with anyio.create_task_group() as group:
            group.start_soon(heartbeat)
            answer = await self.ctx.session.elicit_form(message, schema, related_request_id=self.ctx.request_id)
            group.cancel_scope.cancel()
        return answer
