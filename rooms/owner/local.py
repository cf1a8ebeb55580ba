"""The owner in this process: the edge's requests go straight to the room's runner."""

from __future__ import annotations

from rooms.core.protocol import Frame
from rooms.core.state import Account
from rooms.core.types import PlayerId
from rooms.owner.base import Notice, Seat
from rooms.owner.runner import RoomRunner


class LocalOwner:
    """`Owner` for a room this node holds the lease of. Each seat waits until the events published
    before it have gone out, so the seated socket's first event is the one after its snapshot."""

    def __init__(self, runner: RoomRunner):
        self.runner = runner

    async def join(self, nickname: str, account: Account | None, resume_hash: str) -> Seat:
        seat = await self.runner.join(nickname, account, resume_hash)
        await self.runner.flushed()
        return seat

    async def seat(self, player_id: PlayerId) -> Seat:
        seat = self.runner.seat(player_id)
        await self.runner.flushed()
        return seat

    async def seat_host(self) -> Seat:
        seat = self.runner.seat(None)
        await self.runner.flushed()
        return seat

    async def command(self, frame: Frame) -> None:
        await self.runner.command(frame)

    async def leave(self, player_id: PlayerId) -> None:
        await self.runner.leave(player_id)

    async def notify(self, notice: Notice) -> None:
        self.runner.notice(notice)
