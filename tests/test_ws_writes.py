"""How the gateway writes frames under uvicorn's sans-I/O protocol: straight to the transport, framed
once per text, a socket's frames of one loop turn joined into one write, nothing written once the
socket is closing, and a paused transport's frames queued and written in order."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.streams import StreamReader

from server.ws import AsgiPeer, TickWrites, text_frame


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return False


def uvicorn_socket() -> Any:
    """A uvicorn sans-I/O protocol in the state of an accepted socket, over a recording transport
    (its constructor needs a whole server; only what a send reads is set)."""
    protocol: Any = object.__new__(WebSocketsSansIOProtocol)
    protocol.transport = RecordingTransport()
    protocol.conn = SimpleNamespace(state=State.OPEN)
    protocol.disconnected = protocol.close_sent = False
    protocol.writable = asyncio.Event()
    protocol.writable.set()
    return protocol


def texts(data: bytes) -> list[str]:
    """The text frames in `data`, read by the websockets library's frame parser, as a client would."""
    reader = StreamReader()
    reader.feed_data(data)
    frames = []
    while reader.buffer:
        parser = Frame.parse(reader.read_exact, mask=False)
        try:
            while True:
                next(parser)
        except StopIteration as done:
            frame = done.value
        assert frame.opcode is Opcode.TEXT and frame.fin
        frames.append(frame.data.decode())
    return frames


async def test_a_sockets_frames_of_one_loop_turn_leave_in_one_write_in_order() -> None:
    protocol = uvicorn_socket()
    peer = AsgiPeer(protocol.send, TickWrites())
    sent = ['{"type":"reveal"}', '{"type":"result"}', '{"type":"scoreboard"}']
    for text in sent:
        await peer.send(text)
    assert protocol.transport.writes == []  # held until the turn ends
    await asyncio.sleep(0)
    assert len(protocol.transport.writes) == 1
    assert texts(protocol.transport.writes[0]) == sent
    await peer.send('{"type":"question"}')
    await asyncio.sleep(0)
    assert texts(protocol.transport.writes[1]) == ['{"type":"question"}']


async def test_a_broadcast_is_framed_once_and_every_socket_gets_the_same_bytes() -> None:
    ticks = TickWrites()
    sockets = [uvicorn_socket() for _ in range(3)]
    shared = '{"type":"question","question":0}'
    for protocol in sockets:
        await AsgiPeer(protocol.send, ticks).send(shared)
    await asyncio.sleep(0)
    writes = [protocol.transport.writes[0] for protocol in sockets]
    assert writes[0] is writes[1] is writes[2]  # one bytes object, not three copies
    assert writes[0] is text_frame(shared)
    assert texts(writes[0]) == [shared]


async def test_a_socket_that_started_closing_gets_no_more_frames() -> None:
    protocol = uvicorn_socket()
    peer = AsgiPeer(protocol.send, TickWrites())
    await peer.send('{"type":"reveal"}')
    protocol.conn.state = State.CLOSING  # the client's close arrived within the same turn
    await asyncio.sleep(0)
    assert protocol.transport.writes == []
    assert peer.closed
    await peer.send('{"type":"scoreboard"}')
    await asyncio.sleep(0)
    assert protocol.transport.writes == []


async def test_a_paused_transport_queues_frames_and_writes_them_in_order_once_resumed() -> None:
    protocol = uvicorn_socket()
    peer = AsgiPeer(protocol.send, TickWrites())
    protocol.writable.clear()  # uvicorn's pause_writing: the client reads slower than we write
    for n in range(5):
        await peer.send(f'{{"n":{n}}}')
    await asyncio.sleep(0.01)
    assert protocol.transport.writes == []
    protocol.writable.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert texts(b"".join(protocol.transport.writes)) == [f'{{"n":{n}}}' for n in range(5)]
