"""The owner in this process: the edge's requests go straight to the room's runner."""

from __future__ import annotations

from rooms.core.protocol import Frame
from rooms.core.state import Account
from rooms.core.types import PlayerId
from rooms.owner.base import Notice, Seat
from rooms.owner.runner import RoomRunner


class LocalOwner:
    """`Owner` for a room this node holds the lease of. A seat returns at once with the room as of
    now; the edge sorts out the events around it (skips those in the snapshot, catches up the rest)."""

    def __init__(self, runner: RoomRunner):
        self.runner = runner

    async def join(self, nickname: str, account: Account | None, resume_hash: str) -> Seat:
        return await self.runner.join(nickname, account, resume_hash)

    async def seat(self, player_id: PlayerId) -> Seat:
        return self.runner.seat(player_id)

    async def seat_host(self) -> Seat:
        return self.runner.seat(None)

    async def command(self, frame: Frame) -> None:
        await self.runner.command(frame)

    async def leave(self, player_id: PlayerId) -> None:
        await self.runner.leave(player_id)

    async def notify(self, notice: Notice) -> None:
        self.runner.notice(notice)
