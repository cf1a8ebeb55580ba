"""Games REST area: create a live session from a quiz, read and export a game's results, and list
the caller's games."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

from persistence.models import Game, User
from persistence.repositories.games import GameListing, GameResults
from rooms.core.settings import GameSettings
from server.api import Api
from server.auth import is_admin, optional_user, require_user
from server.errors import Forbidden, NotFound
from server.game_export import export_csv, export_json, export_rows
from server.game_opening import open_game, playable_snapshot, quiz_to_play
from server.game_schemas import (
    AnswerResult,
    CreatedGame,
    CreateGame,
    ExportQuery,
    GameList,
    GameListQuery,
    GameReport,
    GameSummary,
    PlayerResult,
    Seat,
    header,
)
from server.paging import path_id
from server.routes.qr import join_url

api = Api("games")


@api.post(
    "/games",
    "Create a live game from a quiz and get its PIN",
    body=CreateGame,
    response=CreatedGame,
    status=201,
    auth=True,
    errors=(404,),
)
async def create_game(request: Request, body: CreateGame) -> CreatedGame:
    """Any signed-in user may host their own quizzes and published ones. The game plays a snapshot."""
    user = await require_user(request)
    async with request.app.state.db.uow() as uow:
        document = await quiz_to_play(uow, body.quiz_id, user)
        host_token = secrets.token_urlsafe(32)
        settings = GameSettings(**body.settings.model_dump())
        row = Game(
            kind="quiz",
            quiz_id=body.quiz_id,
            host_id=user.id,
            settings=settings.as_dict(),
            quiz_snapshot=playable_snapshot(document),
        )
        game = await open_game(uow, request.app.state.node, row, host_token)
    return CreatedGame(
        id=game.id,
        pin=game.pin,
        host_token=host_token,
        settings=body.settings,
        join_url=join_url(request, game.pin),
    )


def _may_read(game: Game, user: User | None, player_user_ids: set[int]) -> bool:
    if user is None:
        return False
    return game.host_id == user.id or is_admin(user) or user.id in player_user_ids


async def _readable(request: Request) -> GameResults:
    """The game of the path with its players and answers, for those who may read it."""
    user = await optional_user(request)
    game_id = path_id(request, "No such game")
    async with request.app.state.db.uow() as uow:
        results = await uow.games.results(game_id)
        if results is None:
            raise NotFound("No such game")
        game = results.game
        if not _may_read(game, user, {p.user_id for p in results.players if p.user_id is not None}):
            raise Forbidden("Only the host and the game's players may see its results")
        # Detached with their loaded fields: leaving the unit of work rolls back, which would
        # expire them, and a detached expired row cannot be read (DetachedInstanceError).
        uow.session.expunge_all()
    return results


@api.get(
    "/games/{id:int}",
    "A game's results: players, scores, per-question answers",
    response=GameReport,
    auth=True,
    errors=(403,),
)
async def get_game(request: Request) -> GameReport:
    """The host, an admin, and the signed-in players of that game may read it; others get 403."""
    results = await _readable(request)
    game, players, answers = results.game, results.players, results.answers
    keys = {p.id: p.player_key for p in players}
    return GameReport(
        **header(game, game.quiz_snapshot.get("title", "")),
        complete=results.complete,
        settings=game.settings,
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


@api.get(
    "/games/{id:int}/export",
    "Export a game's report: one row per player per question, with the timing receipt",
    query=ExportQuery,
    auth=True,
    errors=(403,),
)
async def export_game(request: Request, query: ExportQuery) -> Response:
    """Readable by the same people as `GET /games/{id}`. CSV has a header row; JSON is
    `{"game": {...}, "rows": [...]}` with the same row keys."""
    results = await _readable(request)
    game = results.game
    rows = export_rows(game, results.players, results.answers)
    headers = {"Content-Disposition": f'attachment; filename="game-{game.id}.{query.format}"'}
    if query.format == "csv":
        return Response(export_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(export_json(game, rows), media_type="application/json", headers=headers)


def _summary(listing: GameListing, user_id: int) -> GameSummary:
    game, seat = listing.game, listing.seat
    return GameSummary(
        **header(game, listing.title),
        role="host" if game.host_id == user_id else "player",
        players=listing.players,
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
