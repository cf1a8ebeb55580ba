"""Integrity hints and one game's analytics: the pure checks against a brute-force reading, and over
REST on a game written with known answers and timings (a fast answerer, a pair that answers alike)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from itertools import combinations

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update

from persistence.db import Database
from persistence.models import Game, User
from rooms.core.results import AnswerOutcome, FinishedGame, PlayerOutcome
from rooms.core.state import Receipt
from server.analytics.integrity import (
    FAST_MS,
    PAIR_GAP_MS,
    TimedAnswer,
    fast_answers,
    reaction_ms,
    similar_pairs,
)
from server.analytics.schemas import GameAnalytics, GameIntegrity
from server.results import ResultsWriter
from tests.gamedata import ms

Signup = Callable[..., Awaitable[dict[str, str]]]
ENDED = datetime(2026, 3, 10, 18, tzinfo=UTC)

# ---- the pure checks --------------------------------------------------------------------------------

timed_answers = st.lists(
    st.builds(
        TimedAnswer,
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.integers(0, 6),
        st.sampled_from(['"x"', '"y"']),
        st.booleans(),
        st.just(1_000),
        st.integers(1_000, 3_000),
        st.one_of(st.none(), st.integers(0, 200)),
    ),
    max_size=40,
    unique_by=lambda a: (a.player, a.question),
)


def test_reaction_is_the_time_after_delivery() -> None:
    answer = TimedAnswer("a", 0, '"x"', True, sent_ms=10_000, received_ms=10_300, rtt_ms=80)
    assert reaction_ms(answer) == 220
    assert reaction_ms(TimedAnswer("a", 0, '"x"', True, 10_000, 10_050, 80)) == 0
    assert reaction_ms(TimedAnswer("a", 0, '"x"', True, 10_000, 10_300, None)) == 300


@given(timed_answers)
def test_fast_answers_are_exactly_those_under_the_threshold(answers: list[TimedAnswer]) -> None:
    found = {(f.player, f.question) for f in fast_answers(answers)}
    assert found == {(a.player, a.question) for a in answers if reaction_ms(a) < FAST_MS}


@given(timed_answers, st.integers(1, 4), st.sampled_from([0.5, 0.9, 1.0]))
def test_similar_pairs_agree_with_comparing_every_pair(
    answers: list[TimedAnswer], min_shared: int, share: float
) -> None:
    by_player: dict[str, dict[int, TimedAnswer]] = {}
    for a in answers:
        by_player.setdefault(a.player, {})[a.question] = a
    expected = set()
    for first, second in combinations(sorted(by_player), 2):
        shared = set(by_player[first]) & set(by_player[second])
        matched = [
            q
            for q in shared
            if by_player[first][q].answer == by_player[second][q].answer
            and abs(reaction_ms(by_player[first][q]) - reaction_ms(by_player[second][q])) <= PAIR_GAP_MS
        ]
        if len(matched) >= min_shared and len(matched) >= share * len(shared):
            wrong = sum(
                1 for q in matched if not (by_player[first][q].correct or by_player[second][q].correct)
            )
            expected.add((first, second, len(shared), len(matched), wrong))
    found = similar_pairs(answers, min_share=share, min_shared=min_shared)
    assert {(p.first, p.second, p.shared, p.matching, p.identical_wrong) for p in found} == expected
    assert [p.matching for p in found] == sorted((p.matching for p in found), reverse=True)


# ---- over REST --------------------------------------------------------------------------------------

QUESTIONS = [
    {
        "kind": "single",
        "text": f"Question {q}",
        "points": 1000,
        "time_limit": 20,
        "options": [{"id": f"q{q}o{o}", "text": f"option {o}", "correct": o == 0} for o in range(3)],
    }
    for q in range(6)
] + [{"kind": "poll", "text": "Tea?", "points": 0, "time_limit": 20, "options": [{"id": "t", "text": "tea"}]}]


def seat_answers(player: str, picks: list[int], reactions: list[int]) -> list[AnswerOutcome]:
    """A player's answers: the option index chosen and the reaction time (ms after delivery)."""
    out = []
    for q, (pick, reaction) in enumerate(zip(picks, reactions, strict=True)):
        sent = ms(ENDED) - 600_000 + q * 30_000
        received = sent + reaction + 80  # the round trip (80 ms) is taken off again
        out.append(
            AnswerOutcome(
                player,
                q,
                f"q{q}o{pick}",
                pick == 0,
                900 if pick == 0 else 0,
                0,
                Receipt(sent, received, 80, max(0, reaction + 40)),
            )
        )
    return out


async def hosted_game(db: Database, host_id: int, users: dict[str, int]) -> int:
    async with db.uow() as uow:
        game = await uow.games.add(
            Game(
                kind="quiz",
                pin="654321",
                quiz_id=None,
                host_id=host_id,
                settings={},
                quiz_snapshot={"title": "Hints", "questions": QUESTIONS},
                status="live",
            )
        )
        await uow.commit()
        game_id = game.id
    ann = seat_answers("ann", [0, 1, 0, 2, 0, 0], [3_000, 4_100, 2_500, 6_000, 3_300, 5_000])
    bob = seat_answers("bob", [0, 1, 0, 2, 0, 0], [3_080, 4_000, 2_650, 6_090, 3_250, 5_010])
    cid = seat_answers("cid", [0, 2, 0, 0, 1, 0], [3_000, 4_150, 2_540, 1_000, 9_000, 5_020])
    dan = seat_answers("dan", [0, 0, 0, 0, 0, 0], [120, 200, 9_000, 8_000, 7_000, 6_000])
    kicked = seat_answers("kim", [0, 0, 0, 0, 0, 0], [10, 10, 10, 10, 10, 10])
    poll = [
        AnswerOutcome(p, 6, "t", False, 0, 0, Receipt(ms(ENDED), ms(ENDED) + 100, 80, 0))
        for p in ("ann", "bob")
    ]
    players = (
        PlayerOutcome("dan", "Dan", users["dan"], 5400, 1, 6, 10),
        PlayerOutcome("ann", "Ann", None, 3600, 2, 4, 10),
        PlayerOutcome("bob", "Bob", None, 3600, 2, 4, 10),
        PlayerOutcome("cid", "Cid", None, 3600, 2, 4, 10),
        PlayerOutcome("kim", "Kim", None, 0, None, 0, 0, kicked=True),
    )
    await ResultsWriter(db).write(
        FinishedGame(
            game_id=game_id,
            pin="654321",
            kind="quiz",
            title="Hints",
            host_user_id=host_id,
            settings={"scoring": "speed"},
            questions=QUESTIONS,
            started_at_ms=ms(ENDED) - 700_000,
            ended_at_ms=ms(ENDED),
            players=players,
            answers=tuple(ann + bob + cid + dan + kicked + poll),
            voided=(),
        )
    )
    return game_id


async def accounts(client: httpx.AsyncClient, db: Database, signup: Signup) -> tuple[dict, dict]:
    heads = {name: await signup(name) for name in ("host", "dan", "eve", "root")}
    ids = {}
    for name, head in heads.items():
        ids[name] = (await client.get("/auth/me", headers=head)).json()["id"]
    async with db.uow() as uow:
        await uow.session.execute(update(User).where(User.id == ids["root"]).values(role="admin"))
        await uow.commit()
    return heads, ids


async def test_the_host_sees_fast_answers_and_the_pair_that_answers_alike(
    client: httpx.AsyncClient, db: Database, signup: Signup
) -> None:
    heads, ids = await accounts(client, db, signup)
    game_id = await hosted_game(db, ids["host"], ids)
    response = await client.get(f"/games/{game_id}/integrity", headers=heads["host"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["fast_answers"] == [
        {"player": "dan", "nickname": "Dan", "question": 0, "reaction_ms": 120},
        {"player": "dan", "nickname": "Dan", "question": 1, "reaction_ms": 200},
    ]  # the kicked player's answers are not looked at
    assert body["fast_players"] == [{"player": "dan", "nickname": "Dan", "count": 2, "answered": 6}]
    # ann and bob: the same option within 150 ms on all 6 questions, two of them wrong (the poll
    # is left out). cid agrees with them on 3 questions only.
    assert body["similar_pairs"] == [
        {
            "players": [{"player": "ann", "nickname": "Ann"}, {"player": "bob", "nickname": "Bob"}],
            "shared": 6,
            "matching": 6,
            "identical_wrong": 2,
            "median_gap_ms": 85.0,
        }
    ]
    assert (body["pairs_checked"], body["join_bursts_checked"]) == (True, False)
    assert any("not recorded" in note for note in body["notes"])
    assert body["thresholds"]["fast_ms"] == 250


async def test_only_the_host_or_an_admin_sees_the_hints(
    client: httpx.AsyncClient, db: Database, signup: Signup
) -> None:
    heads, ids = await accounts(client, db, signup)
    game_id = await hosted_game(db, ids["host"], ids)
    for path in (f"/games/{game_id}/integrity", f"/analytics/games/{game_id}"):
        assert (await client.get(path)).status_code == 401
        assert (await client.get(path, headers=heads["dan"])).status_code == 403  # a player of the game
        assert (await client.get(path, headers=heads["eve"])).status_code == 403
        assert (await client.get(path, headers=heads["root"])).status_code == 200
    assert (await client.get("/games/999999/integrity", headers=heads["root"])).status_code == 404
    assert (await client.get("/analytics/games/999999", headers=heads["root"])).status_code == 404


async def test_one_games_questions(client: httpx.AsyncClient, db: Database, signup: Signup) -> None:
    heads, ids = await accounts(client, db, signup)
    game_id = await hosted_game(db, ids["host"], ids)
    body = (await client.get(f"/analytics/games/{game_id}", headers=heads["host"])).json()
    assert body["game"] == {"id": game_id, "name": "Hints"} and body["complete"] is True
    assert (body["summary"]["games"], body["summary"]["players"]) == (1, 4)
    q = {item["index"]: item for item in body["questions"]}
    assert (q[1]["attempts"], q[1]["correct"]) == (4, 1)
    assert q[1]["distribution"] == [
        {"label": "option 0", "count": 1, "correct": True},
        {"label": "option 1", "count": 2, "correct": False},
        {"label": "option 2", "count": 1, "correct": False},
    ]
    assert "distractor_beats_key" in q[1]["flags"]
    assert body["questions"][-1]["kind"] == "poll"
    csv = await client.get(
        f"/analytics/games/{game_id}", params={"format": "csv", "table": "options"}, headers=heads["host"]
    )
    assert csv.headers["content-disposition"] == f'attachment; filename="game-{game_id}-options.csv"'
    assert csv.text.splitlines()[0] == "index,text,label,count,correct"
    assert len(csv.text.splitlines()) == 1 + 6 * 3 + 1


async def test_a_live_game_has_no_figures_yet(
    client: httpx.AsyncClient, db: Database, signup: Signup
) -> None:
    heads, ids = await accounts(client, db, signup)
    async with db.uow() as uow:
        game = await uow.games.add(
            Game(
                kind="quiz",
                pin="111111",
                host_id=ids["host"],
                settings={},
                quiz_snapshot={"title": "Live", "questions": QUESTIONS},
                status="live",
            )
        )
        await uow.commit()
    body = (await client.get(f"/analytics/games/{game.id}", headers=heads["host"])).json()
    assert (body["complete"], body["summary"]["games"], body["questions"]) == (False, 0, [])
    hints = (await client.get(f"/games/{game.id}/integrity", headers=heads["host"])).json()
    assert (hints["complete"], hints["fast_answers"], hints["similar_pairs"]) == (False, [], [])


def test_the_documented_examples_are_valid() -> None:
    for model in (GameAnalytics, GameIntegrity):
        assert all(model.model_validate(example) for example in model.model_json_schema()["examples"])
