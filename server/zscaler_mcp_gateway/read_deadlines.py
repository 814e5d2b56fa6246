"""Read deadlines for HTTP requests: half-sent headers or a body that never ends cannot hold a connection.

uvicorn bounds only the idle time between two requests of a kept-alive connection: a client that
connects and then trickles a header line every few seconds (slowloris), or announces a body and
never sends it, holds its socket, its parser and (for a body) the request's handler for as long
as it likes. `ReadDeadlineProtocol` is uvicorn's httptools protocol with two timers: from the
connection (or the first byte of the next request) to the end of the headers, and from there to
the end of the body. When one expires the client gets `408 Request Timeout` if no response has
started, and the connection is closed. Once a request is read, nothing is timed: an SSE stream
or a slow upstream call may take as long as it takes.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)

TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class ReadDeadlineProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, header_timeout: float, body_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float, what: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired, what)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, what: str) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or not cycle.response_started:
            self.transport.write(TIMEOUT_RESPONSE)
        log.info("closing a connection whose request %s did not arrive in time", what)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(cast(asyncio.Transport, CoalescedWrites(transport, self.loop)))
        self._arm(self.header_timeout, "headers")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self.header_timeout, "headers")

    def on_headers_complete(self) -> None:
        self._arm(self.body_timeout, "body")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()


class CoalescedWrites:
    """A transport whose writes within one event-loop step leave as one `write`.

    uvicorn writes a response's status line and headers, then its body, each straight to the socket:
    two syscalls and two TCP segments for an answer that is ready at once. Here they are joined and
    written at the end of the step (`call_soon`), so headers never wait for anything that is not
    already there (an SSE stream's headers still leave before its first event)."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def read_deadline_protocol(header_timeout: float, body_timeout: float) -> Callable[..., ReadDeadlineProtocol]:
    """The `http=` protocol factory for a uvicorn Config."""
    return functools.partial(ReadDeadlineProtocol, header_timeout=header_timeout, body_timeout=body_timeout)
