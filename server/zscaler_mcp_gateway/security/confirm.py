"""Deletes need a human: the client's user confirms each delete through MCP form elicitation.

Handshake-era sessions get a mid-call `elicitation/create`; 2026-07-28 requests get an
`InputRequiredResult` whose answer comes back with the retried call. Both carry no server secret
and no server memory (any replica can take the retry): the question key is a digest of the tool and
its arguments, so an answer only ever approves the exact call it was asked about. There is no
token the agent can redeem by itself: a client that cannot ask its user is refused, with a message
saying how an operator can allow unconfirmed deletes (`--allow-unconfirmed-deletes`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import mcp_types as types
from mcp.server import ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from ..catalog.model import Tool
from ..telemetry import redact

log = logging.getLogger(__name__)

ALLOW_FLAG = "--allow-unconfirmed-deletes"
ANSWER_TIMEOUT_SECONDS = 300.0
QUESTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "confirm": {"type": "boolean", "title": "Delete", "description": "Confirm the deletion. It cannot be undone."},
    },
    "required": ["confirm"],
}


@dataclass(frozen=True)
class Confirmation:
    approved: bool
    message: str = ""
    input_required: types.InputRequiredResult | None = None  # 2026-07-28: ask, then retry


Confirmer = Callable[[Tool, Mapping[str, Any]], Awaitable[Confirmation]]


def no_human(tool: Tool, why: str = "it does not support MCP form elicitation") -> Confirmation:
    return Confirmation(
        False,
        f"Refused: {tool.name} deletes data and needs confirmation by a human, but this client cannot ask its "
        f"user ({why}). Use an MCP client that supports elicitation, or have an operator start the gateway "
        f"with {ALLOW_FLAG} to let deletes run unconfirmed.",
    )


async def refuse_without_client(tool: Tool, arguments: Mapping[str, Any]) -> Confirmation:
    """The confirmer of calls that come with no MCP client to ask (not over the MCP transport)."""
    return no_human(tool, "no MCP client is attached to this call")


def question_key(tool: Tool, arguments: Mapping[str, Any]) -> str:
    canonical = json.dumps([tool.name, arguments], sort_keys=True, separators=(",", ":"), default=str)
    return "confirm-delete-" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def question(tool: Tool, arguments: Mapping[str, Any]) -> str:
    shown = json.dumps(redact(dict(arguments)), sort_keys=True, default=str)
    return f"An agent asks to run {tool.name} ({tool.description}) with {shown}. This deletes data in Zscaler {tool.service.upper()} and cannot be undone. Delete?"


def decide(tool: Tool, answer: object) -> Confirmation:
    if (
        isinstance(answer, types.ElicitResult)
        and answer.action == "accept"
        and (answer.content or {}).get("confirm") is True
    ):
        return Confirmation(True)
    return Confirmation(False, f"Deletion cancelled by the user: {tool.name} was not run.")


def _supports_form(capabilities: types.ClientCapabilities | None) -> bool:
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


class ElicitationConfirmer:
    """Asks the user of the MCP client behind `ctx`; `input_responses` are the 2026-07-28 retry's answers."""

    def __init__(self, ctx: ServerRequestContext[Any, Any], input_responses: types.InputResponses | None) -> None:
        self.ctx = ctx
        self.input_responses = input_responses or {}

    async def __call__(self, tool: Tool, arguments: Mapping[str, Any]) -> Confirmation:
        if not _supports_form(self.ctx.session.client_capabilities):
            return no_human(tool)
        key, message = question_key(tool, arguments), question(tool, arguments)
        if self.ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
            answer = self.input_responses.get(key)
            if answer is not None:
                return decide(tool, answer)
            ask = types.ElicitRequest(
                params=types.ElicitRequestFormParams(message=message, requested_schema=QUESTION_SCHEMA)
            )
            return Confirmation(
                False,
                "Awaiting the user's confirmation of the deletion.",
                types.InputRequiredResult(input_requests={key: ask}),
            )
        if not self.ctx.session.can_send_request:
            return no_human(
                tool, "this connection has no channel for server requests; use MCP sessions or a 2026-07-28 client"
            )
        try:
            with anyio.fail_after(ANSWER_TIMEOUT_SECONDS):
                answer = await self.ctx.session.elicit_form(
                    message, QUESTION_SCHEMA, related_request_id=self.ctx.request_id
                )
        except TimeoutError:
            return Confirmation(
                False, f"No answer from the user within {ANSWER_TIMEOUT_SECONDS:g} s: {tool.name} was not run."
            )
        except MCPError as exc:
            log.info("elicitation for %s failed: %s", tool.name, exc)
            return no_human(tool, "the confirmation request failed")
        return decide(tool, answer)
