"""What a game's results earned, told to the players: each badge, and each level reached.

Staged in the results' own transaction (so a written game has its notifications and a retried
write, which changes nothing, adds none), published once it commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from persistence.levels import level_for
from persistence.models import Badge, Notification
from persistence.uow import UnitOfWork
from server.notifications.kinds import Note, badge_earned, level_reached
from server.notifications.notifier import Notifier


def reward_notes(
    game_id: int, awards: Iterable[tuple[int, Badge]], granted: dict[int, int], xp_now: dict[int, int]
) -> list[Note]:
    """A note per badge earned with the game, and one per level a player's XP crossed into with it."""
    notes = [badge_earned(user, b.code, b.name, b.description, game_id) for user, b in awards]
    for user_id, amount in granted.items():
        after = xp_now.get(user_id, 0)
        before, reached = level_for(after - amount), level_for(after)
        notes += [level_reached(user_id, level, after) for level in range(before + 1, reached + 1)]
    return notes


class RewardNotices:
    """The results writer's hook: `stage` before its commit, `publish` after."""

    def __init__(self, notifier: Notifier):
        self.notifier = notifier

    async def stage(self, uow: UnitOfWork, game_id: int) -> list[Notification]:
        awards = await uow.progress.awards_in_game(game_id)
        granted = await uow.progress.xp_in_game(game_id)
        xp_now = await uow.progress.xp_of(list(granted)) if granted else {}
        return await self.notifier.stage(uow, reward_notes(game_id, awards, granted, xp_now))

    async def publish(self, rows: list[Notification]) -> None:
        await self.notifier.publish(rows)
