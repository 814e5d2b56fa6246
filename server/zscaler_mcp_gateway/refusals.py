"""Refused tool calls: every `tools/call` the gateway answers without its dispatcher is one audit event.

A call can be refused before the dispatcher runs: by authentication (401), by the SDK's Host/Origin
check (421/403), because its session is unknown or another principal's (404), or by the SDK's own
request validation (a JSON-RPC error such as -32602 on an otherwise normal answer). `RefusalAudit`
wraps the MCP endpoint, keeps the request body as it is read (reading the rest itself, bounded, before
a refusal is sent), and after the answer writes one `denied`/`invalid` tool-call event through the
dispatcher, with the tool the body names and the client's trace context, unless the dispatcher ran.
A request that is not a `tools/call` is never a tool-call event.
"""

from __future__ import annotations

import anyio
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .dispatch import ToolDispatcher
from .mcp_server import DISPATCHED_SCOPE_KEY, caller_of
from .outcomes import Outcome
from .requested_call import BODY_READ_SECONDS, MAX_SNIFFED_BODY, METHOD_PATTERN, decode_message, sniff_tools_call
from .security.auth import REFUSAL_SCOPE_KEY

# An answer's JSON-RPC error code -> outcome: malformed requests are `invalid`, anything else `denied`.
INVALID_CODES = frozenset({-32700, -32600, -32602})
LAYER_STATUSES = frozenset({403, 404, 421})  # Origin, session, Host: refused before any JSON-RPC handling
HTTP_REASONS = {
    400: (Outcome.INVALID, "malformed MCP request (HTTP 400)"),
    403: (Outcome.DENIED, "Origin header not allowed (DNS-rebinding protection, HTTP 403)"),
    404: (Outcome.DENIED, "MCP session not found: unknown, expired, or opened by another principal (HTTP 404)"),
    406: (Outcome.INVALID, "the client does not accept the MCP response types (HTTP 406)"),
    413: (Outcome.INVALID, "request body too large (HTTP 413)"),
    415: (Outcome.INVALID, "request body is not application/json (HTTP 415)"),
    421: (Outcome.DENIED, "Host header not allowed (DNS-rebinding protection, HTTP 421)"),
}


def jsonrpc_error_of(answer: bytes) -> tuple[int, str] | None:
    """(code, message) of a JSON-RPC error in a JSON or SSE answer body; None when it carries none."""
    text = answer.decode("utf-8", "replace")
    chunks = [line[5:] for line in text.splitlines() if line.startswith("data:")] or [text]
    for chunk in chunks:
        message = decode_message(chunk.encode())
        error = message.get("error") if isinstance(message, dict) else None
        if isinstance(error, dict) and isinstance(error.get("code"), int):
            return error["code"], str(error.get("message", ""))[:300]
    return None


def refusal_of(scope: Scope, status: int, answer: bytes) -> tuple[Outcome, str] | None:
    """(outcome, reason) of a call the dispatcher never saw; None when the answer is not a refusal."""
    told = scope.get(REFUSAL_SCOPE_KEY)
    if told is not None:
        return told  # type: ignore[no-any-return]
    if status in LAYER_STATUSES:  # the transport's own gates: their JSON-RPC error says less than the status
        return HTTP_REASONS[status]
    error = jsonrpc_error_of(answer)
    if error is not None:
        code, message = error
        outcome = Outcome.INVALID if code in INVALID_CODES else Outcome.DENIED
        return outcome, f"refused by the MCP layer (JSON-RPC {code}, HTTP {status}): {message}"
    if status in HTTP_REASONS:
        return HTTP_REASONS[status]
    if status >= 400:
        return Outcome.ERROR, f"refused by the MCP layer (HTTP {status})"
    return None


async def read_rest(receive: Receive, messages: list[Message]) -> None:
    """Read what is left of a request body into `messages`, up to the sniffing bound and a short wait."""
    size = sum(len(m.get("body", b"")) for m in messages)
    with anyio.move_on_after(BODY_READ_SECONDS):
        while size <= MAX_SNIFFED_BODY and not body_complete(messages):
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return
            size += len(message.get("body", b""))


def body_complete(messages: list[Message]) -> bool:
    return bool(messages) and (messages[-1]["type"] != "http.request" or not messages[-1].get("more_body", False))


def body_of(messages: list[Message]) -> bytes:
    return b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")


class RefusalAudit:
    """ASGI middleware on the MCP path: one audit event per `tools/call` refused before the dispatcher."""

    def __init__(self, app: ASGIApp, dispatcher: ToolDispatcher, path: str) -> None:
        self.app = app
        self.dispatcher = dispatcher
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        kept = 0  # body bytes in `received`
        answer = bytearray()
        status: int | None = None

        async def recording_receive() -> Message:
            nonlocal kept
            message = await receive()
            if kept <= MAX_SNIFFED_BODY:
                received.append(message)
                kept += len(message.get("body", b""))
            return message

        async def watching_send(message: Message) -> None:
            nonlocal status
            if DISPATCHED_SCOPE_KEY in scope:  # the dispatcher audits this call: nothing to watch
                await send(message)
                return
            if message["type"] == "http.response.start":
                status = message["status"]
                if status >= 400 and not body_complete(received):
                    await read_rest(receive, received)  # before answering: the server drops the body after
            elif message["type"] == "http.response.body" and self._may_refuse(scope, received):
                if len(answer) < MAX_SNIFFED_BODY:
                    answer.extend(message.get("body", b"")[: MAX_SNIFFED_BODY - len(answer)])
                if not message.get("more_body", False) and status is not None:
                    self._audit(scope, received, status, bytes(answer))  # before the client sees the end
            await send(message)

        await self.app(scope, recording_receive, watching_send)

    @staticmethod
    def _may_refuse(scope: Scope, received: list[Message]) -> bool:
        """Whether this answer may refuse a tools/call: a body that names the method, or might in JSON
        escapes (any other answer is neither kept nor read)."""
        head = body_of(received)[:MAX_SNIFFED_BODY]
        return METHOD_PATTERN.search(head) is not None or b"\\" in head

    def _audit(self, scope: Scope, received: list[Message], status: int, answer: bytes) -> None:
        call = sniff_tools_call(body_of(received), body_complete(received))
        if call is None:
            return
        refusal = refusal_of(scope, status, answer)
        if refusal is None:
            return
        outcome, reason = refusal
        if not call.parsed:
            reason += f" (body not parsed: over {MAX_SNIFFED_BODY // 1024} KiB or nested too deep)"
        caller = caller_of(scope, Headers(scope=scope), call.meta)
        self.dispatcher.refuse(call.name, call.arguments, caller, outcome, reason)
