"""How the gateway writes frames under uvicorn's sans-I/O protocol: straight to the transport and at
once (the question's sent stamp starts a player's clock), framed once per text, nothing written once
the socket is closing, and a paused transport's frames queued and written in order."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.streams import StreamReader

from server.ws import AsgiPeer, text_frame


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


async def test_frames_leave_at_once_in_order_as_a_client_reads_them() -> None:
    protocol = uvicorn_socket()
    peer = AsgiPeer(protocol.send)
    sent = ['{"type":"reveal"}', '{"type":"result","points":500}', '{"type":"scoreboard"}']
    for count, text in enumerate(sent, start=1):
        await peer.send(text)
        assert len(protocol.transport.writes) == count  # written before `send` returned
    assert texts(b"".join(protocol.transport.writes)) == sent


async def test_a_broadcast_is_framed_once_and_every_socket_gets_the_same_bytes() -> None:
    sockets = [uvicorn_socket() for _ in range(3)]
    shared = '{"type":"question","question":0}'
    for protocol in sockets:
        await AsgiPeer(protocol.send).send(shared)
    writes = [protocol.transport.writes[0] for protocol in sockets]
    assert writes[0] is writes[1] is writes[2]  # one bytes object, not three copies
    assert writes[0] is text_frame(shared)
    assert texts(writes[0]) == [shared]


async def test_a_socket_that_started_closing_gets_no_more_frames() -> None:
    protocol = uvicorn_socket()
    peer = AsgiPeer(protocol.send)
    await peer.send('{"type":"reveal"}')
    protocol.conn.state = State.CLOSING  # the client's close arrived
    await peer.send('{"type":"result"}')
    await peer.send('{"type":"scoreboard"}')
    assert texts(b"".join(protocol.transport.writes)) == ['{"type":"reveal"}']
    assert peer.closed


async def test_a_paused_transport_queues_frames_and_writes_them_in_order_once_resumed() -> None:
    protocol = uvicorn_socket()
    peer = AsgiPeer(protocol.send)
    protocol.writable.clear()  # uvicorn's pause_writing: the client reads slower than we write
    for n in range(5):
        await peer.send(f'{{"n":{n}}}')
    await asyncio.sleep(0.01)
    assert protocol.transport.writes == []
    protocol.writable.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert texts(b"".join(protocol.transport.writes)) == [f'{{"n":{n}}}' for n in range(5)]
