"""Opening a game's room: the one path from a quiz to a live room, for every kind of game.

A PIN is reserved in the room store, the game row is committed under it (the PIN is freed again
when the row cannot be committed), and then this node opens the room and owns it. `POST /games`,
assignment attempts and anything else that opens a room go through `open_game`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from persistence.models import Game, User
from persistence.uow import UnitOfWork
from rooms.core.questions import new_option_id
from rooms.core.settings import GameSettings
from rooms.node import NewRoom, NodeDraining, RoomNode
from server.auth import is_admin
from server.errors import FieldError, NotFound, Unavailable, ValidationFailed
from server.quiz_views import load_quiz_document

QUIZ_GONE, NO_QUESTIONS = "the quiz no longer exists", "the quiz has no questions"


def quiz_problem(document: dict[str, Any] | None, host: User | None) -> str | None:
    """Why `host` cannot open a game of this quiz (gone, someone else's draft, empty), or None. A
    draft's existence is not revealed: it reads as gone."""
    if document is None or host is None:
        return QUIZ_GONE
    if document["owner_id"] != host.id and not is_admin(host) and not document.get("published"):
        return QUIZ_GONE
    if not document["questions"]:
        return NO_QUESTIONS
    return None


async def quiz_to_play(uow: UnitOfWork, quiz_id: int, user: User) -> dict[str, Any]:
    """The quiz `user` asks to host, assign or schedule (their own, a published one, any for an
    admin): 404 when they may not see it, 422 when it has no questions."""
    document = await load_quiz_document(uow, quiz_id)
    problem = quiz_problem(document, user)
    if problem == NO_QUESTIONS:
        raise ValidationFailed("This quiz has no questions", [FieldError("quiz_id", NO_QUESTIONS)])
    if problem is not None or document is None:
        raise NotFound("No such quiz")  # a draft's existence is not revealed
    return document


def playable_snapshot(document: dict[str, Any]) -> dict[str, Any]:
    """The quiz as a game will play it: fixed, with opaque option ids, unaffected by later edits."""
    questions = []
    for question in document["questions"]:
        copy = {key: value for key, value in question.items() if key != "id"}
        if "options" in copy:
            copy["options"] = [{**option, "id": new_option_id()} for option in copy["options"]]
        questions.append(copy)
    return {"title": document["title"], "quiz_id": document["id"], "questions": questions}


async def open_game(
    uow: UnitOfWork,
    node: RoomNode,
    game: Game,
    host_token: str,
    with_game: Callable[[Game], Awaitable[None]] | None = None,
) -> Game:
    """Commit `game` (kind, quiz, host, settings, snapshot set; status `live`) under a fresh PIN
    and open its room on `node`. `with_game` adds rows that must commit together with the game
    (it sees the game's id). Unavailable when the node is draining."""
    try:
        pin = await node.reserve_pin()
    except NodeDraining as exc:
        raise Unavailable(str(exc)) from None
    game.pin = pin
    game.status = "live"
    try:
        await uow.games.add(game)
        if with_game is not None:
            await with_game(game)
        await uow.commit()
    except BaseException:
        await node.store.release_pin(pin)
        raise
    snapshot = game.quiz_snapshot
    await node.open_game(
        pin,
        NewRoom(
            game_id=game.id,
            title=snapshot["title"],
            settings=GameSettings.from_dict(game.settings),
            questions_doc=snapshot["questions"],
            host_token=host_token,
            host_user_id=game.host_id,
            kind=game.kind,
        ),
    )
    return game
