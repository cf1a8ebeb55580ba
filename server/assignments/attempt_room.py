"""How an assignment's attempt is played: the settings and quiz snapshot of its private room."""

from __future__ import annotations

from typing import Any

from persistence.models import Assignment
from rooms.core.settings import GameSettings
from server.game_opening import playable_snapshot

ATTEMPT_PLAYERS = 1


def attempt_settings(chosen: dict[str, Any]) -> GameSettings:
    """The host's choices (scoring, streak, read time, shuffle) and what a lone player needs: the
    question on their device, a room that starts once they are seated and moves on by itself (no
    host), and no one else in it."""
    return GameSettings(
        **chosen,
        question_on_devices=True,
        late_join=False,
        top_n=ATTEMPT_PLAYERS,
        max_players=ATTEMPT_PLAYERS,
        autostart=ATTEMPT_PLAYERS,
    )


def attempt_snapshot(assignment: Assignment) -> dict[str, Any]:
    """The assignment's quiz with fresh option ids, under the assignment's title."""
    return {**playable_snapshot(assignment.quiz_snapshot), "title": assignment.title}
