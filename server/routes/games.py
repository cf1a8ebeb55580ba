"""Games REST area: create a live session from a quiz, read and export a game's results, and list
the caller's games."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from persistence.models import Answer, Game, GamePlayer, User
from persistence.repositories.games import GameListing
from rooms.edge import hash_token
from rooms.questions import new_option_id
from rooms.settings import MAX_PLAYERS_LIMIT, MAX_READ_TIME_MS, GameSettings
from rooms.state import RoomState
from server.api import Api
from server.auth import is_admin, optional_user, require_user
from server.errors import FieldError, Forbidden, NotFound, ValidationFailed
from server.game_export import export_csv, export_json, export_rows
from server.quiz_views import load_quiz_document
from server.routes.leaderboards import MAX_ID, Limit

api = Api("games")


class SettingsIn(BaseModel):
    """Game settings; every one optional, defaults as in PROTOCOL.md."""

    model_config = ConfigDict(extra="forbid")

    scoring: Literal["speed", "accuracy"] = "speed"
    streak: bool = True
    read_time_ms: int = Field(0, ge=0, le=MAX_READ_TIME_MS)
    auto_advance: bool = False
    shuffle: bool = False
    question_on_devices: bool = True
    late_join: bool = True
    top_n: int = Field(10, ge=1, le=100)
    max_players: int = Field(5_000, ge=1, le=MAX_PLAYERS_LIMIT)


class CreateGame(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quiz_id: int
    settings: SettingsIn = Field(default_factory=SettingsIn)


class CreatedGame(BaseModel):
    id: int
    pin: str
    host_token: str
    settings: SettingsIn
    join_url: str


class PlayerResult(BaseModel):
    id: str
    nickname: str
    user_id: int | None
    score: int
    rank: int | None
    correct_count: int


class AnswerResult(BaseModel):
    player: str
    question: int
    answer: Any
    correct: bool
    points: int
    streak: int
    receipt: dict[str, int | None]


class GameReport(BaseModel):
    id: int
    kind: str
    pin: str
    status: str
    title: str
    quiz_id: int | None
    host_id: int | None
    settings: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    questions: list[dict[str, Any]]
    players: list[PlayerResult]
    answers: list[AnswerResult]


def _playable_snapshot(document: dict[str, Any]) -> dict[str, Any]:
    """The quiz as this game will play it: fixed, with opaque option ids, unaffected by later edits."""
    questions = []
    for question in document["questions"]:
        copy = {key: value for key, value in question.items() if key != "id"}
        if "options" in copy:
            copy["options"] = [{**option, "id": new_option_id()} for option in copy["options"]]
        questions.append(copy)
    return {"title": document["title"], "quiz_id": document["id"], "questions": questions}


@api.post(
    "/games",
    "Create a live game from a quiz and get its PIN",
    body=CreateGame,
    response=CreatedGame,
    status=201,
    auth=True,
)
async def create_game(request: Request, body: CreateGame) -> CreatedGame:
    """Any signed-in user may host their own quizzes and published ones. The game plays a snapshot."""
    user = await require_user(request)
    async with request.app.state.db.uow() as uow:
        document = await load_quiz_document(uow, body.quiz_id)
        if document is None:
            raise NotFound("No such quiz")
        if document["owner_id"] != user.id and not is_admin(user) and not document.get("published"):
            raise NotFound("No such quiz")  # a draft's existence is not revealed
        if not document["questions"]:
            raise ValidationFailed(
                "This quiz has no questions", [FieldError("quiz_id", "quiz has no questions")]
            )
        node = request.app.state.node
        pin = await node.new_pin()
        host_token = secrets.token_urlsafe(32)
        settings = GameSettings(**body.settings.model_dump())
        snapshot = _playable_snapshot(document)
        game = await uow.games.add(
            Game(
                kind="quiz",
                pin=pin,
                quiz_id=body.quiz_id,
                host_id=user.id,
                settings=settings.as_dict(),
                quiz_snapshot=snapshot,
                status="live",
            )
        )
        await uow.commit()
    await node.open_room(
        RoomState(
            pin=pin,
            game_id=game.id,
            kind="quiz",
            title=snapshot["title"],
            settings=settings,
            questions_doc=snapshot["questions"],
            host_token_hash=hash_token(host_token),
            host_user_id=user.id,
            created_at_ms=node.clock.now_ms(),
        )
    )
    return CreatedGame(
        id=game.id,
        pin=pin,
        host_token=host_token,
        settings=body.settings,
        join_url=f"{request.base_url}play?pin={pin}",
    )


def _may_read(game: Game, user: User | None, player_user_ids: set[int]) -> bool:
    if user is None:
        return False
    return game.host_id == user.id or is_admin(user) or user.id in player_user_ids


async def _readable(request: Request) -> tuple[Game, Sequence[GamePlayer], Sequence[Answer]]:
    """The game of the path with its players and answers, for those who may read it."""
    user = await optional_user(request)
    game_id = request.path_params["id"]
    async with request.app.state.db.uow() as uow:
        game = await uow.games.get(game_id) if game_id <= MAX_ID else None
        if game is None:
            raise NotFound("No such game")
        players = await uow.games.players(game.id)
        if not _may_read(game, user, {p.user_id for p in players if p.user_id is not None}):
            raise Forbidden("Only the host and the game's players may see its results")
        answers = await uow.games.answers(game.id)
        # Detached with their loaded fields: leaving the unit of work rolls back, which would
        # expire them, and a detached expired row cannot be read (DetachedInstanceError).
        uow.session.expunge_all()
    return game, players, answers


@api.get(
    "/games/{id:int}",
    "A game's results: players, scores, per-question answers",
    response=GameReport,
    auth=True,
)
async def get_game(request: Request) -> GameReport:
    """The host, an admin, and the signed-in players of that game may read it; others get 403."""
    game, players, answers = await _readable(request)
    keys = {p.id: p.player_key for p in players}
    return GameReport(
        id=game.id,
        kind=game.kind,
        pin=game.pin,
        status=game.status,
        title=game.quiz_snapshot.get("title", ""),
        quiz_id=game.quiz_id,
        host_id=game.host_id,
        settings=game.settings,
        created_at=game.created_at,
        started_at=game.started_at,
        ended_at=game.ended_at,
        questions=[
            {"index": i, "kind": q["kind"], "text": q["text"]}
            for i, q in enumerate(game.quiz_snapshot.get("questions", []))
        ],
        players=[
            PlayerResult(
                id=p.player_key,
                nickname=p.nickname,
                user_id=p.user_id,
                score=p.score,
                rank=p.rank,
                correct_count=p.correct_count,
            )
            for p in players
        ],
        answers=[
            AnswerResult(
                player=keys[a.game_player_id],
                question=a.question_index,
                answer=a.answer,
                correct=a.correct,
                points=a.points,
                streak=a.streak,
                receipt={
                    "sent": a.sent_ms,
                    "received": a.received_ms,
                    "rtt_ms": a.rtt_ms,
                    "credited_ms": a.credited_ms,
                },
            )
            for a in answers
        ],
    )


class ExportQuery(BaseModel):
    """The format of a game's export."""

    format: Literal["json", "csv"] = "json"


@api.get(
    "/games/{id:int}/export",
    "Export a game's report: one row per player per question, with the timing receipt",
    query=ExportQuery,
    auth=True,
)
async def export_game(request: Request, query: ExportQuery) -> Response:
    """Readable by the same people as `GET /games/{id}`. CSV has a header row; JSON is
    `{"game": {...}, "rows": [...]}` with the same row keys."""
    game, players, answers = await _readable(request)
    rows = export_rows(game, players, answers)
    headers = {"Content-Disposition": f'attachment; filename="game-{game.id}.{query.format}"'}
    if query.format == "csv":
        return Response(export_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(export_json(game, rows), media_type="application/json", headers=headers)


class GameListQuery(BaseModel):
    """Paging of `GET /games`."""

    model_config = ConfigDict(extra="ignore")

    limit: Limit = 20
    offset: int = Field(0, ge=0, le=100_000)


class Seat(BaseModel):
    """How the caller did in a game they played."""

    player: str
    nickname: str
    score: int
    rank: int | None
    correct_count: int


class GameSummary(BaseModel):
    id: int
    kind: str
    pin: str
    status: str
    title: str
    quiz_id: int | None
    host_id: int | None
    role: Literal["host", "player"]
    players: int
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    result: Seat | None


class GameList(BaseModel):
    items: list[GameSummary]
    total: int
    limit: int
    offset: int


def _summary(listing: GameListing, user_id: int) -> GameSummary:
    game, seat = listing.game, listing.seat
    return GameSummary(
        id=game.id,
        kind=game.kind,
        pin=game.pin,
        status=game.status,
        title=listing.title,
        quiz_id=game.quiz_id,
        host_id=game.host_id,
        role="host" if game.host_id == user_id else "player",
        players=listing.players,
        created_at=game.created_at,
        started_at=game.started_at,
        ended_at=game.ended_at,
        result=None
        if seat is None
        else Seat(
            player=seat.player_key,
            nickname=seat.nickname,
            score=seat.score,
            rank=seat.rank,
            correct_count=seat.correct_count,
        ),
    )


@api.get(
    "/games",
    "The caller's games, as host or player, newest first",
    query=GameListQuery,
    response=GameList,
    auth=True,
)
async def list_games(request: Request, query: GameListQuery) -> GameList:
    """`role` says whether the caller hosted the game; `result` is their own seat when they played."""
    user = await require_user(request)
    async with request.app.state.db.uow() as uow:
        listings, total = await uow.games.of_user(user.id, query.limit, query.offset)
        items = [_summary(listing, user.id) for listing in listings]
    return GameList(items=items, total=total, limit=query.limit, offset=query.offset)
