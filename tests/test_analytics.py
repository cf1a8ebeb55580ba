"""Analytics over REST, on both databases: a quiz's figures and item analysis, a player's record and a
host's games, checked against games played here with known answers; who may see what; ranges; CSV."""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from persistence.db import Database
from persistence.models import Game, Quiz, QuizTag, User, XpEvent
from rooms.core.results import AnswerOutcome, FinishedGame, PlayerOutcome
from rooms.core.state import Receipt
from server.analytics.schemas import HostAnalytics, PlayerAnalytics, QuizAnalytics
from server.results import ResultsWriter
from tests.gamedata import QUESTIONS, ms

Signup = Callable[..., Awaitable[dict[str, str]]]
RANGE = {"from": "2026-03-01", "to": "2026-03-31"}


def questions(suffix: str) -> list[dict[str, Any]]:
    """The test quiz with option ids of its own, as each game draws them."""
    out = []
    for question in QUESTIONS:
        copy = dict(question)
        if "options" in copy:
            copy["options"] = [{**o, "id": f"{o['id']}-{suffix}"} for o in copy["options"]]
        out.append(copy)
    return out


def choice(question: int, right: bool, suffix: str) -> Any:
    """The answer a player gives: right or wrong, in a game's own option ids."""
    if question == 0:
        return f"fr-p-{suffix}" if right else f"fr-l-{suffix}"
    if question == 1:
        return [f"p2-{suffix}", f"p3-{suffix}"] if right else [f"p4-{suffix}"]
    return not right  # true_false: the sky is not green


POLL = {"cat": "cat", "dog": "dog"}


async def play(
    db: Database,
    quiz_id: int,
    host_id: int,
    ended: datetime,
    seats: list[tuple[int | None, dict[int, tuple[Any, int]], bool]],
    suffix: str,
    voided: tuple[int, ...] = (),
    title: str = "Capitals",
) -> int:
    """Writes a finished game through the results writer. Each seat: (user id, {question: (right
    or a poll choice, credited ms)}, kicked). Points: 900 a right answer; ranks by score."""
    snapshot = questions(suffix)
    async with db.uow() as uow:
        game = await uow.games.add(
            Game(
                kind="quiz",
                pin="123456",
                quiz_id=quiz_id,
                host_id=host_id,
                settings={},
                quiz_snapshot={"title": title, "questions": snapshot},
                status="live",
                created_at=ended - timedelta(minutes=5),
            )
        )
        await uow.commit()
        game_id = game.id
    answers, outcomes = [], []
    for n, (user_id, given, kicked) in enumerate(seats):
        player, correct_count, score = f"p{n}", 0, 0
        for question, (right, credited) in given.items():
            sent = ms(ended) - 60_000 + question * 10_000
            if question == 3:
                value, correct = f"{right}-{suffix}", False
            else:
                value, correct = choice(question, right, suffix), bool(right)
            points = 900 if correct and question not in voided else 0
            counts = correct and question not in voided
            correct_count += counts
            score += points
            answers.append(
                AnswerOutcome(
                    player,
                    question,
                    value,
                    correct,
                    points,
                    0,
                    Receipt(sent, sent + credited + 40, 80, credited),
                )
            )
        outcomes.append([player, user_id, score, correct_count, kicked])
    ranked = sorted((o for o in outcomes if not o[4]), key=lambda o: -o[2])
    ranks = {o[0]: 1 + sum(1 for other in ranked if other[2] > o[2]) for o in ranked}
    players = tuple(
        PlayerOutcome(p, p.title(), user, score, ranks.get(p), correct, 10, kicked)
        for p, user, score, correct, kicked in outcomes
    )
    await ResultsWriter(db).write(
        FinishedGame(
            game_id=game_id,
            pin="123456",
            kind="quiz",
            title=title,
            host_user_id=host_id,
            settings={"scoring": "speed"},
            questions=snapshot,
            started_at_ms=ms(ended) - 300_000,
            ended_at_ms=ms(ended),
            players=players,
            answers=tuple(answers),
            voided=voided,
        )
    )
    return game_id


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return int((await client.get("/auth/me", headers=headers)).json()["id"])


async def quiz(db: Database, owner: int, title: str, tags: list[str], published: bool = True) -> int:
    async with db.uow() as uow:
        row = await uow.quizzes.add(Quiz(owner_id=owner, title=title, published=published))
        for position, tag in enumerate(tags):
            uow.session.add(QuizTag(quiz_id=row.id, tag=tag, position=position))
        await uow.commit()
        return row.id


@pytest.fixture
async def world(client: httpx.AsyncClient, db: Database, signup: Signup) -> dict[str, Any]:
    """ann hosts and owns "Capitals" (geo, science) and "History" (history); bob, cid and dan play."""
    heads = {name: await signup(name) for name in ("ann", "bob", "cid", "dan", "root")}
    ids = {name: await me(client, head) for name, head in heads.items()}
    async with db.uow() as uow:
        await uow.session.execute(update(User).where(User.id == ids["root"]).values(role="admin"))
        await uow.commit()
    capitals = await quiz(db, ids["ann"], "Capitals", ["geo", "science"])
    history = await quiz(db, ids["ann"], "History", ["history"])
    draft = await quiz(db, ids["ann"], "Draft", [], published=False)
    bob, cid, dan = ids["bob"], ids["cid"], ids["dan"]
    a = await play(
        db,
        capitals,
        ids["ann"],
        datetime(2026, 3, 10, 18, tzinfo=UTC),
        [
            (bob, {0: (True, 1000), 1: (True, 2000), 2: (True, 3000), 3: ("cat", 500)}, False),
            (cid, {0: (True, 2000), 1: (False, 4000), 2: (True, 1000), 3: ("dog", 700)}, False),
            (None, {0: (False, 3000), 1: (False, 5000), 2: (False, 2000)}, False),
            (None, {0: (False, 100)}, True),  # kicked: counts nowhere
        ],
        "a",
    )
    b = await play(
        db,
        capitals,
        ids["ann"],
        datetime(2026, 3, 12, 9, tzinfo=UTC),
        [
            (bob, {0: (False, 1500), 1: (True, 2500), 3: ("cat", 900)}, False),
            (dan, {0: (True, 500), 1: (False, 1000), 2: (True, 1500)}, False),
        ],
        "b",
    )
    d = await play(
        db,
        history,
        ids["ann"],
        datetime(2026, 3, 12, 20, tzinfo=UTC),
        [
            (bob, {0: (False, 800), 1: (False, 900), 2: (False, 1000)}, False),
        ],
        "d",
        title="History",
    )
    # Outside the range: not counted anywhere.
    await play(
        db,
        capitals,
        ids["ann"],
        datetime(2026, 2, 27, 9, tzinfo=UTC),
        [
            (bob, {0: (False, 100), 1: (False, 100), 2: (False, 100)}, False),
        ],
        "c",
    )
    return {
        "heads": heads,
        "ids": ids,
        "capitals": capitals,
        "history": history,
        "draft": draft,
        "games": (a, b, d),
    }


def by_index(body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {q["index"]: q for q in body["questions"]}


async def test_quiz_figures_match_the_games_played(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    response = await client.get(
        f"/analytics/quizzes/{world['capitals']}", params=RANGE, headers=world["heads"]["ann"]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["quiz"], body["from"], body["to"]) == (
        {"id": world["capitals"], "name": "Capitals"},
        "2026-03-01",
        "2026-03-31",
    )
    summary = body["summary"]
    assert (summary["games"], summary["players"]) == (2, 5)
    assert summary["average_score"] == pytest.approx((2700 + 1800 + 0 + 900 + 1800) / 5)
    assert summary["completion"] == pytest.approx(17 / 20)  # 17 answers of 5 players x 4 questions
    assert summary["accuracy"] == pytest.approx(8 / 14)  # polls left out
    assert body["days"] == [
        {"date": "2026-03-10", "games": 1, "players": 3},
        {"date": "2026-03-12", "games": 1, "players": 2},
    ]
    # Hardest first: the multiple-select (2 of 5 right), then the single and the true/false
    # (3 of 5 each, in quiz order), the poll last.
    assert [q["index"] for q in body["questions"]] == [1, 0, 2, 3]
    q = by_index(body)
    assert (q[0]["games"], q[0]["given"], q[0]["attempts"], q[0]["correct"]) == (2, 5, 5, 3)
    assert q[0]["accuracy"] == pytest.approx(0.6) and q[0]["difficulty"] == pytest.approx(0.6)
    assert q[0]["average_ms"] == pytest.approx(1600)
    assert abs(q[0]["median_ms"] - 1500) <= 50  # read off 100 ms buckets
    # Option ids differ per game; the distribution counts by option.
    assert q[0]["distribution"] == [
        {"label": "Paris", "count": 3, "correct": True},
        {"label": "Lyon", "count": 2, "correct": False},
    ]
    assert q[0]["distractors"] == [{"label": "Lyon", "count": 2, "correct": False}]
    assert q[0]["flags"] == []
    # The multiple-select: "=4" drew 3, more than either key (2 each).
    assert q[1]["distribution"] == [
        {"label": "2", "count": 2, "correct": True},
        {"label": "3", "count": 2, "correct": True},
        {"label": "=4", "count": 3, "correct": False},
    ]
    assert "distractor_beats_key" in q[1]["flags"]
    assert (q[2]["given"], q[2]["attempts"], q[2]["correct"]) == (5, 4, 3)
    assert q[2]["accuracy"] == pytest.approx(0.75) and q[2]["difficulty"] == pytest.approx(0.6)
    assert q[2]["distribution"] == [
        {"label": "true", "count": 1, "correct": False},
        {"label": "false", "count": 3, "correct": True},
    ]
    assert q[3]["difficulty"] is None and q[3]["flags"] == [] and q[3]["distractors"] == []
    assert q[3]["distribution"] == [
        {"label": "cats", "count": 2, "correct": False},
        {"label": "dogs", "count": 1, "correct": False},
    ]
    # Discrimination: the item against the rest of the score, per player given it. Whole scores
    # (number correct): game a 3, 2, 0; game b 1 (bob), 2 (dan).
    totals = [3, 2, 0, 1, 2]
    for index, right in ((0, [1, 1, 0, 0, 1]), (1, [1, 0, 0, 1, 0]), (2, [1, 1, 0, 0, 1])):
        rest = [t - x for t, x in zip(totals, right, strict=True)]
        assert q[index]["discrimination"] == pytest.approx(statistics.correlation(right, rest))


async def test_an_item_that_the_stronger_players_miss_is_flagged(
    client: httpx.AsyncClient, db: Database, signup: Signup
) -> None:
    head = await signup("ann")
    owner = await me(client, head)
    quiz_id = await quiz(db, owner, "Capitals", [])
    # The strong players get everything but the true/false right; the weak ones only that.
    await play(
        db,
        quiz_id,
        owner,
        datetime(2026, 3, 5, tzinfo=UTC),
        [
            (None, {0: (True, 900), 1: (True, 900), 2: (False, 900)}, False),
            (None, {0: (True, 900), 1: (True, 900), 2: (False, 900)}, False),
            (None, {0: (False, 900), 1: (False, 900), 2: (True, 900)}, False),
            (None, {0: (False, 900), 1: (False, 900), 2: (True, 900)}, False),
            (None, {0: (False, 900), 1: (False, 900), 2: (False, 900)}, False),
        ],
        "x",
    )
    body = (await client.get(f"/analytics/quizzes/{quiz_id}", params=RANGE, headers=head)).json()
    q = by_index(body)
    assert q[2]["discrimination"] < 0 and "negative_discrimination" in q[2]["flags"]
    assert q[0]["discrimination"] > 0 and q[0]["flags"] == ["distractor_beats_key"]  # Lyon 3, Paris 2


async def test_voided_questions_and_unplayed_ones_do_not_count(
    client: httpx.AsyncClient, db: Database, signup: Signup
) -> None:
    head = await signup("ann")
    owner = await me(client, head)
    quiz_id = await quiz(db, owner, "Capitals", [])
    # Ended after question 1 (nobody answered 2 or 3), question 0 voided.
    await play(
        db,
        quiz_id,
        owner,
        datetime(2026, 3, 5, tzinfo=UTC),
        [
            (None, {0: (True, 900), 1: (True, 900)}, False),
            (None, {1: (False, 900)}, False),
        ],
        "v",
        voided=(0,),
    )
    body = (await client.get(f"/analytics/quizzes/{quiz_id}", params=RANGE, headers=head)).json()
    assert body["summary"]["completion"] == pytest.approx(2 / 2)  # question 1 only: 2 of 2
    assert body["summary"]["accuracy"] == pytest.approx(1 / 2)
    assert [q["index"] for q in body["questions"]] == [1]


async def test_player_record_accuracy_tags_and_xp(
    client: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    bob = world["ids"]["bob"]
    response = await client.get(f"/analytics/players/{bob}", params=RANGE, headers=world["heads"]["bob"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"] == {"id": bob, "name": "bob"}
    summary = body["summary"]
    # Scored answers: game a 3 of 3 right, game b 1 of 2, History 0 of 3 (polls left out).
    assert (summary["games"], summary["answers"], summary["correct"]) == (3, 8, 4)
    assert summary["accuracy"] == pytest.approx(0.5)
    assert summary["average_ms"] == pytest.approx((1000 + 2000 + 3000 + 1500 + 2500 + 800 + 900 + 1000) / 8)
    a, b, d = world["games"]
    assert [(g["game_id"], g["answered"], g["correct"], g["rank"]) for g in body["games"]] == [
        (d, 3, 0, 1),
        (b, 2, 1, 2),
        (a, 3, 3, 1),
    ]
    assert body["tags"] == [
        {"tag": "geo", "answers": 5, "correct": 4, "accuracy": 0.8},
        {"tag": "science", "answers": 5, "correct": 4, "accuracy": 0.8},
        {"tag": "history", "answers": 3, "correct": 0, "accuracy": 0.0},
    ]
    assert (body["strongest"], body["weakest"]) == (["geo", "science"], ["history"])
    async with db.uow() as uow:
        events = (
            await uow.session.execute(
                select(XpEvent.created_at, XpEvent.amount).where(XpEvent.user_id == bob)
            )
        ).all()
    expected: dict[str, int] = {}
    for at, amount in events:
        if datetime(2026, 3, 1, tzinfo=UTC) <= at < datetime(2026, 4, 1, tzinfo=UTC):
            expected[at.date().isoformat()] = expected.get(at.date().isoformat(), 0) + amount
    assert body["xp"] == [{"date": day, "xp": xp} for day, xp in sorted(expected.items())]
    assert [x["date"] for x in body["xp"]] == ["2026-03-10", "2026-03-12"]
    assert summary["xp"] == sum(expected.values())


async def test_host_games_over_time(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    ann = world["ids"]["ann"]
    body = (await client.get(f"/analytics/hosts/{ann}", params=RANGE, headers=world["heads"]["ann"])).json()
    assert body["summary"] == {"games": 3, "players": 6, "average_score": pytest.approx(7200 / 6)}
    assert body["days"] == [
        {"date": "2026-03-10", "games": 1, "players": 3},
        {"date": "2026-03-12", "games": 2, "players": 3},
    ]
    assert [(q["title"], q["games"], q["players"]) for q in body["quizzes"]] == [
        ("Capitals", 2, 5),
        ("History", 1, 1),
    ]
    assert [g["id"] for g in body["games"]] == list(reversed(world["games"]))


async def test_who_may_see_what(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    heads, ids = world["heads"], world["ids"]

    async def status(path: str, who: str | None, **params: str) -> int:
        headers = heads[who] if who else {}
        return (await client.get(path, params={**RANGE, **params}, headers=headers)).status_code

    capitals, draft = world["capitals"], world["draft"]
    assert await status(f"/analytics/quizzes/{capitals}", None) == 401
    assert await status(f"/analytics/quizzes/{capitals}", "bob") == 403  # published, not bob's
    assert await status(f"/analytics/quizzes/{draft}", "bob") == 404  # a draft is not revealed
    assert await status(f"/analytics/quizzes/{draft}", "ann") == 200
    assert await status(f"/analytics/quizzes/{capitals}", "root") == 200  # an admin
    assert await status("/analytics/quizzes/999999", "root") == 404
    assert await status(f"/analytics/players/{ids['bob']}", "cid") == 403
    assert await status(f"/analytics/players/{ids['bob']}", "ann") == 403  # hosting is not enough
    assert await status(f"/analytics/players/{ids['bob']}", "root") == 200
    assert await status("/analytics/players/999999", "root") == 404
    assert await status(f"/analytics/hosts/{ids['ann']}", "bob") == 403
    assert await status(f"/analytics/hosts/{ids['ann']}", "root") == 200


async def test_ranges_are_checked_and_default_to_the_last_30_days(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    path, head = f"/analytics/hosts/{world['ids']['ann']}", world["heads"]["ann"]
    for params in (
        {"from": "2026-03-31", "to": "2026-03-01"},
        {"from": "yesterday"},
        {"to": "2026-02-30"},
        {"from": "1700000000"},  # not a Unix time either
        {"since": "2026-03-01"},
        {"format": "xml"},
        {"table": "nope"},
    ):
        response = await client.get(path, params=params, headers=head)
        assert response.status_code == 422, (params, response.text)
    body = (await client.get(path, headers=head)).json()
    today = datetime.now(UTC).date()
    assert (body["from"], body["to"]) == ((today - timedelta(days=29)).isoformat(), today.isoformat())
    body = (await client.get(path, params={"from": "2026-03-12", "to": "2026-03-12"}, headers=head)).json()
    assert body["summary"]["games"] == 2
    body = (await client.get(path, params={"to": "2026-03-11"}, headers=head)).json()
    assert (body["from"], body["summary"]["games"]) == ("2026-02-10", 2)  # game a and the one of Feb 27


async def test_each_table_exports_as_csv(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    head = world["heads"]["ann"]

    async def table(path: str, name: str) -> list[dict[str, str]]:
        response = await client.get(path, params={**RANGE, "format": "csv", "table": name}, headers=head)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"].startswith("attachment;")
        return list(csv.DictReader(io.StringIO(response.text)))

    capitals = f"/analytics/quizzes/{world['capitals']}"
    rows = await table(capitals, "questions")
    assert [(r["index"], r["correct"], r["top_distractor"], r["flags"]) for r in rows] == [
        ("1", "2", "'=4", "negative_discrimination distractor_beats_key"),
        ("0", "3", "Lyon", ""),
        ("2", "3", "true", ""),
        ("3", "0", "", ""),
    ]
    options = await table(capitals, "options")
    assert [(r["index"], r["label"], r["count"]) for r in options[:2]] == [
        ("0", "Paris", "3"),
        ("0", "Lyon", "2"),
    ]
    assert await table(capitals, "days") == [
        {"date": "2026-03-10", "games": "1", "players": "3"},
        {"date": "2026-03-12", "games": "1", "players": "2"},
    ]
    host = await table(f"/analytics/hosts/{world['ids']['ann']}", "quizzes")
    assert [(r["title"], r["games"]) for r in host] == [("Capitals", "2"), ("History", "1")]
    games = await client.get(
        f"/analytics/players/{world['ids']['ann']}", params={**RANGE, "format": "csv"}, headers=head
    )
    assert games.text.splitlines() == ["game_id,quiz_id,title,ended_at,score,rank,players,answered,correct"]


def test_the_documented_examples_are_valid() -> None:
    for model in (QuizAnalytics, PlayerAnalytics, HostAnalytics):
        examples = model.model_json_schema()["examples"]
        assert examples and all(model.model_validate(example) for example in examples)
