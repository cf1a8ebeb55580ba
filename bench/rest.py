"""QuizArena's REST set-up for a run: a host account, the bench quiz and a live game."""

from __future__ import annotations

import json
import secrets
import urllib.request
from dataclasses import dataclass
from typing import Any

from bench.quiz import quiz_document

TIMEOUT_S = 30.0
MAX_PLAYERS_LIMIT = 20_000  # rooms.core.settings.MAX_PLAYERS_LIMIT


@dataclass(frozen=True)
class GameSeat:
    """What the load generator needs to drive a room: its PIN and the host token."""

    pin: str
    host_token: str


def _call(base: str, path: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        result: dict[str, Any] = json.loads(response.read())
    return result


def create_game(base: str, questions: int, players: int) -> GameSeat:
    """Register and log in a host, create a quiz of `questions` and a game for `players`."""
    token = sign_up_host(base)
    return open_game(base, token, create_quiz(base, token, questions), players)


def sign_up_host(base: str) -> str:
    """Register a new host account and log it in; its access token."""
    username = f"bench-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    _call(base, "/auth/register", {"username": username, "email": f"{username}@example.com",
                                   "password": password})
    token: str = _call(base, "/auth/login", {"username": username, "password": password})["access_token"]
    return token


def create_quiz(base: str, token: str, questions: int) -> int:
    """The bench quiz of `questions`, owned by the host of `token`; its id."""
    quiz_id: int = _call(base, "/quizzes", quiz_document(questions), token)["id"]
    return quiz_id


def open_game(base: str, token: str, quiz_id: int, players: int) -> GameSeat:
    """A live game of `quiz_id` with room for `players`."""
    settings = {"max_players": min(MAX_PLAYERS_LIMIT, players + 10)}
    game = _call(base, "/games", {"quiz_id": quiz_id, "settings": settings}, token)
    return GameSeat(pin=game["pin"], host_token=game["host_token"])
