"""A response's header and body writes leave as one socket write, in order, and nothing waits on a later write."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import cast

import pytest

from zscaler_mcp_gateway.read_deadlines import CoalescedWrites

READ_WAIT = 10.0  # a bound on the test, not a timing assert


class Peer:
    """A real stream transport over a socketpair; its writes are counted, the other end reads them."""

    def __init__(self, transport: asyncio.Transport, reader: socket.socket) -> None:
        self.transport, self.reader = transport, reader
        self.writes: list[bytes] = []
        write = transport.write

        def counted(data: bytes | bytearray | memoryview) -> None:
            self.writes.append(bytes(data))
            write(data)

        transport.write = counted  # type: ignore[method-assign]

    async def read(self, size: int) -> bytes:
        loop = asyncio.get_running_loop()
        data = b""
        while len(data) < size:
            chunk = await asyncio.wait_for(loop.sock_recv(self.reader, size - len(data)), READ_WAIT)
            if not chunk:
                break
            data += chunk
        return data


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    ours, theirs = socket.socketpair()
    theirs.setblocking(False)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, ours)
    yield Peer(cast(asyncio.Transport, transport), theirs)
    transport.close()
    theirs.close()


async def test_writes_of_one_step_leave_as_one_write_in_order(peer: Peer) -> None:
    coalesced = CoalescedWrites(peer.transport, asyncio.get_running_loop())
    coalesced.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    coalesced.write(bytearray(b"{}"))
    assert peer.writes == []  # not yet: the step is not over
    assert await peer.read(40) == b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"
    assert len(peer.writes) == 1


async def test_a_lone_write_leaves_without_waiting_for_another(peer: Peer) -> None:
    coalesced = CoalescedWrites(peer.transport, asyncio.get_running_loop())
    coalesced.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n")  # an SSE stream's headers
    assert (await peer.read(52)).endswith(b"text/event-stream\r\n\r\n")
    coalesced.write(b"data: 1\r\n\r\n")
    assert await peer.read(11) == b"data: 1\r\n\r\n"
    assert len(peer.writes) == 2


async def test_close_sends_what_is_pending_first(peer: Peer) -> None:
    coalesced = CoalescedWrites(peer.transport, asyncio.get_running_loop())
    coalesced.write(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
    coalesced.close()
    assert coalesced.is_closing()  # everything else is the transport's own
    assert await peer.read(64) == b"HTTP/1.1 408 Request Timeout\r\n\r\n"  # then end of stream
    await asyncio.sleep(0)  # the step's flush finds nothing left to write
    assert len(peer.writes) == 1
