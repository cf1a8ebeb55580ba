"""The game core on its own (sans I/O): joins and their refusals, the order of a game's transitions
and the effects each returns, snapshots, void and accept, and properties of the score over random
games checked with hypothesis."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.core.events import RoomError
from rooms.core.game import Game
from rooms.core.settings import GameSettings
from rooms.core.state import Account, Phase, Receipt, RoomState, StoredAnswer
from tests.rooms.quizzes import EVERY_KIND, single

NOW = 1_700_000_000_000




TRUE_OR_FALSE: list[dict[str, Any]] = [{"kind": "true_false", "text": "?", "time_limit": 10, "correct": True}]


def new_game(questions: list[dict[str, Any]] | None = None, **settings: Any) -> Game:
    state = RoomState(
        pin="123456",
        game_id=1,
        kind="quiz",
        title="T",
        settings=GameSettings(**settings),
        questions_doc=questions or [single("First?"), single("Second?"), single("Third?")],
        host_token_hash="",
        host_user_id=None,
        created_at_ms=NOW,
    )
    return Game(state)


def answer(raw: Any, credited_ms: int = 0) -> StoredAnswer:
    return StoredAnswer(raw, Receipt(NOW, NOW + credited_ms, None, credited_ms))


def points(effects: Any) -> dict[str, int]:
    return {player_id: frame["points"] for player_id, frame in effects.personal.items()}


# --- joining --------------------------------------------------------------------------------------


def test_joins_are_refused_with_the_protocol_codes() -> None:
    game = new_game(max_players=2)
    game.join("Ann", None, NOW)
    for nickname in ("ann", "ANN", "\uff21nn", " Ann\u200b "):
        with pytest.raises(RoomError) as refused:
            game.join(nickname, None, NOW)
        assert refused.value.code == "nickname_taken", nickname
    for nickname in ("", "\u202e\u0007", "x" * 25):
        with pytest.raises(RoomError) as refused:
            game.join(nickname, None, NOW)
        assert refused.value.code == "bad_request", nickname
    game.join("Ben", None, NOW)
    with pytest.raises(RoomError) as refused:
        game.join("Cid", None, NOW)
    assert refused.value.code == "room_full"
    game.lock(True)
    with pytest.raises(RoomError) as refused:
        game.join("Cid", None, NOW)
    assert refused.value.code == "room_locked"


def test_a_nickname_comes_free_when_its_player_leaves_the_lobby_or_is_kicked_not_mid_game() -> None:
    game = new_game()
    ann = game.join("Ann", None, NOW)
    game.leave(ann.id)
    assert game.join("ann", None, NOW).nickname == "ann"
    ben = game.join("Ben", None, NOW)
    cid = game.join("Cid", None, NOW)
    game.start(NOW)
    game.leave(ben.id)  # left during the game: keeps the standing, and the name
    with pytest.raises(RoomError) as refused:
        game.join("Ben", None, NOW)
    assert refused.value.code == "nickname_taken"
    effects = game.leave(cid.id, kicked=True)
    assert effects.kicked == [cid.id]
    assert game.join("Cid", None, NOW).id != cid.id


def test_late_joiners_play_from_the_next_question_and_only_when_allowed() -> None:
    game = new_game()
    ann = game.join("Ann", None, NOW)
    game.start(NOW)
    lou = game.join("Lou", None, NOW)
    assert lou.first_question == 1 and not game.eligible(lou, 0) and game.eligible(lou, 1)
    effects = game.close({ann.id: answer("R")})
    assert set(effects.personal) == {ann.id}  # no result for a question Lou never had
    assert game.standings.rank_of(lou.id) == 2
    game.next(NOW, [{ann.id: answer("R")}])
    effects = game.close({lou.id: answer("R")})
    assert points(effects) == {ann.id: 0, lou.id: 1000}
    closed = new_game(late_join=False)
    closed.join("Ann", None, NOW)
    closed.start(NOW)
    with pytest.raises(RoomError) as refused:
        closed.join("Lou", None, NOW)
    assert refused.value.code == "wrong_state"


# --- a game's transitions -------------------------------------------------------------------------


def test_a_game_numbers_its_events_and_says_what_to_send_in_order() -> None:
    game = new_game()
    ann, ben = game.join("Ann", None, NOW), game.join("Ben", None, NOW)
    effects = game.start(NOW)
    assert [e.host["type"] for e in effects.shared] == ["lobby", "question"]
    assert [e.seq for e in effects.shared] == [1, 2] and effects.question_opened
    question = effects.shared[1]
    assert question.host["question"] == 0 and question.host["total"] == 3
    assert "correct" not in str(question.host) and "correct" not in str(question.variants)
    assert game.state.deadline_ms == NOW + 20_000 + 300

    effects = game.close({ann.id: answer("R", 1000), ben.id: answer("W", 500)})
    assert [e.host["type"] for e in effects.shared] == ["reveal", "scoreboard"] and effects.personal_at == 1
    assert [e.seq for e in effects.shared] == [3, 4] and effects.question_closed
    assert effects.shared[0].host["correct"] == ["R"]
    assert points(effects) == {ann.id: 975, ben.id: 0}
    assert effects.personal[ann.id]["receipt"]["credited_ms"] == 1000

    effects = game.next(NOW, [{}])
    assert effects.shared[0].host["question"] == 1 and effects.shared[0].seq == 5
    game.close({})
    effects = game.next(NOW, [{}, {}])
    game.close({ben.id: answer("R")})
    every = [{ann.id: answer("R", 1000), ben.id: answer("W", 500)}, {}, {ben.id: answer("R")}]
    effects = game.next(NOW + 5, every)
    assert game.state.phase is Phase.FINISHED
    finished = effects.shared[0].host
    assert finished["type"] == "finished" and finished["game_id"] == 1
    assert [(e["nickname"], e["score"], e["rank"]) for e in finished["podium"]] == [
        ("Ben", 1000, 1),
        ("Ann", 975, 2),
    ]
    assert {pid: frame["score"] for pid, frame in effects.personal.items()} == {ann.id: 975, ben.id: 1000}
    assert effects.finished is not None and effects.finished.ended_at_ms == NOW + 5
    bens = [(a.question, a.points) for a in effects.finished.answers if a.player_id == ben.id]
    assert bens == [(0, 0), (2, 1000)]


@pytest.mark.parametrize(
    ("phase", "step"),
    [
        ("lobby", lambda g: g.next(NOW, [])),
        ("lobby", lambda g: g.close({})),
        ("lobby", lambda g: g.void(0, [])),
        ("question", lambda g: g.start(NOW)),
        ("question", lambda g: g.next(NOW, [{}])),
        ("question", lambda g: g.accept(0, "W", [{}])),
        ("reveal", lambda g: g.close({})),
        ("reveal", lambda g: g.start(NOW)),
        ("reveal", lambda g: g.void(1, [{}])),
        ("finished", lambda g: g.finish(NOW, [{}])),
        ("finished", lambda g: g.close({})),
        ("finished", lambda g: g.next(NOW, [{}])),
        ("finished", lambda g: g.void(0, [{}])),
        ("finished", lambda g: g.join("Zed", None, NOW)),
    ],
)
def test_a_transition_in_the_wrong_phase_is_wrong_state_and_changes_nothing(phase: str, step: Any) -> None:
    game = new_game()
    game.join("Ann", None, NOW)
    if phase != "lobby":
        game.start(NOW)
    if phase in ("reveal", "finished"):
        game.close({})
    if phase == "finished":
        game.finish(NOW, [{}])
    before = copy.deepcopy(game.state)
    with pytest.raises(RoomError) as refused:
        step(game)
    assert refused.value.code == "wrong_state"
    assert game.state == before


def test_accepting_an_answer_that_cannot_be_correct_is_a_bad_request() -> None:
    game = new_game(EVERY_KIND)
    game.join("Ann", None, NOW)
    game.start(NOW)
    game.close({})
    with pytest.raises(RoomError) as refused:
        game.accept(0, "no-such-option", [{}])
    assert refused.value.code == "bad_request"
    for index in range(1, 5):
        game.next(NOW, [{}] * index)
        game.close({})
    with pytest.raises(RoomError) as refused:
        game.accept(4, "P", [{}] * 5)  # a poll has nothing to accept
    assert refused.value.code == "bad_request"


def test_end_during_a_question_counts_only_the_closed_ones() -> None:
    game = new_game()
    ann = game.join("Ann", None, NOW)
    game.start(NOW)
    first = {ann.id: answer("R")}
    game.close(first)
    game.next(NOW, [first])
    effects = game.finish(NOW, [first, {ann.id: answer("R")}])
    assert effects.personal[ann.id]["score"] == 1000
    assert effects.finished is not None and [a.question for a in effects.finished.answers] == [0]


def test_accuracy_mode_pays_full_points_whatever_the_time_and_speed_breaks_ties() -> None:
    game = new_game(scoring="accuracy", streak=False)
    ann, ben = game.join("Ann", None, NOW), game.join("Ben", None, NOW)
    game.start(NOW)
    first = {ann.id: answer("R", 19_000), ben.id: answer("R", 3000)}
    effects = game.close(first)
    assert points(effects) == {ann.id: 1000, ben.id: 1000}
    assert (effects.personal[ben.id]["rank"], effects.personal[ann.id]["rank"]) == (1, 2)
    game.next(NOW, [first])
    assert points(game.close({ann.id: answer("R"), ben.id: answer("R")})) == {ann.id: 1000, ben.id: 1000}


def test_without_question_on_devices_players_get_option_ids_only() -> None:
    game = new_game(question_on_devices=False)
    game.join("Ann", None, NOW)
    question = game.start(NOW).shared[-1]
    assert question.host["options"] == [
        {"id": "R", "text": "right", "shape": 0},
        {"id": "W", "text": "wrong", "shape": 1},
    ]
    assert all(
        variant["options"] == [{"id": "R", "shape": 0}, {"id": "W", "shape": 1}]
        for variant in question.variants
    )


PICTURE = "/images/" + "a" * 64 + ".png"
FLAG = "/images/" + "b" * 64 + ".gif"


def illustrated_single() -> dict[str, Any]:
    question = single("Which country?")
    question.update(image=PICTURE, image_alt="A shaded map")
    question["options"][0]["image"] = FLAG
    return question


def test_question_frames_carry_images_to_devices_only_with_question_on_devices() -> None:
    on = new_game([illustrated_single()], shuffle=True)
    on.join("Ann", None, NOW)
    question = on.start(NOW).shared[-1]
    for frame in (question.host, *question.variants):
        assert (frame["image"], frame["image_alt"]) == (PICTURE, "A shaded map")
        images = {option["id"]: option.get("image") for option in frame["options"]}
        assert images == {"R": FLAG, "W": None}
    off = new_game([illustrated_single()], question_on_devices=False)
    off.join("Ann", None, NOW)
    question = off.start(NOW).shared[-1]
    assert question.host["image"] == PICTURE and question.host["options"][0]["image"] == FLAG
    for variant in question.variants:
        assert "image" not in variant and "image_alt" not in variant
        assert all(set(option) == {"id", "shape"} for option in variant["options"])
    plain = new_game()
    plain.join("Ann", None, NOW)
    assert "image" not in plain.start(NOW).shared[-1].host


# --- snapshots ------------------------------------------------------------------------------------


def test_snapshots_show_the_open_question_without_its_solution() -> None:
    game = new_game(EVERY_KIND, shuffle=True)
    ann = game.join("Ann", None, NOW)
    game.start(NOW)
    game.close({ann.id: answer("R")})
    game.next(NOW, [{ann.id: answer("R")}])
    mine = game.snapshot(ann.id, answered=True, remaining_ms=1234)
    assert mine["phase"] == "question" and mine["question"]["question"] == 1
    assert {o["id"] for o in mine["question"]["options"]} == {"A", "B", "C"}
    assert "correct" not in str(mine["question"])
    assert (mine["answered"], mine["remaining_ms"], mine["score"], mine["streak"], mine["rank"]) == (
        True,
        1234,
        1000,
        1,
        1,
    )
    assert mine["result"]["question"] == 0 and "roster" not in mine
    host = game.snapshot(None)
    assert host["roster"] == [{"id": ann.id, "nickname": "Ann"}] and "score" not in host
    assert [o["id"] for o in host["question"]["options"]] == ["A", "B", "C"]  # the written order


def test_a_game_rebuilt_from_its_stored_state_carries_on() -> None:
    game = new_game()
    ann = game.join("Ann", None, NOW)
    game.start(NOW)
    game.close({ann.id: answer("R")})
    game.next(NOW, [{ann.id: answer("R")}])
    rebuilt = Game(copy.deepcopy(game.state))
    assert rebuilt.snapshot(ann.id) == game.snapshot(ann.id)
    assert rebuilt.open_question_event() is not None


# --- void and accept ------------------------------------------------------------------------------


def test_void_and_accept_recompute_every_score_and_streak_from_the_stored_answers() -> None:
    game = new_game(EVERY_KIND)
    ann, ben = game.join("Ann", None, NOW), game.join("Ben", None, NOW)
    game.start(NOW)
    rounds: list[dict[str, StoredAnswer]] = [{ann.id: answer("R"), ben.id: answer("W")}]
    game.close(rounds[0])
    rounds.append({ann.id: answer(["A", "B"]), ben.id: answer(["A"])})
    game.next(NOW, rounds[:1])
    assert points(game.close(rounds[1])) == {ann.id: 2000 + 100, ben.id: 1000}
    rounds.append({ann.id: answer(73), ben.id: answer(61)})  # 50 +/- 10: 61 earns 90 %, 73 nothing
    game.next(NOW, rounds[:2])
    assert points(game.close(rounds[2])) == {ann.id: 0, ben.id: 900}

    effects = game.accept(2, 73, rounds)  # 73 is right too now (with the same tolerance)
    assert points(effects) == {ann.id: 1000 + 200, ben.id: 900} and effects.personal_at == 0
    assert [e.host["type"] for e in effects.shared] == ["scoreboard"]
    assert (ann.tally.score, ann.tally.streak, ben.tally.score, ben.tally.streak) == (4300, 3, 1900, 0)

    effects = game.void(1, rounds)  # the multiple question no longer counts, nor breaks Ann's streak
    assert (ann.tally.score, ann.tally.streak, ben.tally.score) == (1000 + 1100, 2, 900)
    assert effects.personal[ann.id] | {"receipt": None} == {
        "type": "result",
        "question": 2,
        "correct": True,
        "points": 1100,
        "streak": 2,
        "score": 2100,
        "rank": 1,
        "answered": True,
        "receipt": None,
    }
    assert [(e["nickname"], e["rank"]) for e in effects.shared[0].host["top"]] == [("Ann", 1), ("Ben", 2)]

    game.next(NOW, rounds)
    effects = game.close({ann.id: answer(["X", "Y", "Z"]), ben.id: answer(["X", "Z", "Y"])})
    assert points(effects) == {ann.id: 1000 + 200, ben.id: 333}
    effects = game.void(0, rounds + [{ann.id: answer(["X", "Y", "Z"]), ben.id: answer(["X", "Z", "Y"])}])
    assert (ann.tally.score, ann.tally.streak) == (1000 + 1100, 2)
    assert (ben.tally.score, ben.tally.streak) == (900 + 333, 0)
    assert effects.personal[ben.id]["question"] == 3


def test_a_void_while_the_next_question_is_open_neither_reveals_nor_double_counts_it() -> None:
    game = new_game()
    ann = game.join("Ann", None, NOW)
    game.start(NOW)
    first = {ann.id: answer("R")}
    game.close(first)
    game.next(NOW, [first])
    second = {ann.id: answer("R")}
    effects = game.void(0, [first, second])  # the runner hands over every question's answers so far
    assert all(frame["question"] == 0 for frame in effects.personal.values())
    assert ann.tally.score == 0
    assert points(game.close(second)) == {ann.id: 1000}
    assert ann.tally.score == 1000


# --- properties -----------------------------------------------------------------------------------

RAW_ANSWERS = {
    "single": st.sampled_from(["R", "W"]),
    "multiple": st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=3, unique=True),
    "slider": st.one_of(st.integers(0, 100), st.floats(0, 100, allow_nan=False)),
    "ordering": st.permutations(["X", "Y", "Z"]).map(list),
    "poll": st.sampled_from(["P", "Q"]),
    "true_false": st.booleans(),
    "type": st.sampled_from(["Paris", " paris! ", "Lyon", "PARIS"]),
}
ACCEPTABLE = {
    "single": "W",
    "multiple": ["A"],
    "slider": 80,
    "ordering": ["Z", "Y", "X"],
    "true_false": False,
    "type": "Lyon",
}


@st.composite
def random_games(draw: st.DrawFn, with_changes: bool) -> dict[str, Any]:
    """Players (some joining late), answers with credited times, how far the game goes, and
    optionally voids and accepted answers after reveals."""
    kinds = [question["kind"] for question in EVERY_KIND]
    played = draw(st.integers(1, len(kinds)))
    players = draw(st.integers(1, 4))
    joins = [draw(st.integers(0, played - 1)) for _ in range(players)]
    rounds = []
    for index, kind in enumerate(kinds[:played]):
        limit = EVERY_KIND[index]["time_limit"] * 1000
        rounds.append(
            {
                p: (draw(RAW_ANSWERS[kind]), draw(st.integers(0, limit)))
                for p in range(players)
                if joins[p] <= index and draw(st.booleans())
            }
        )
    changes = []
    if with_changes:
        for index in range(played):
            change = draw(st.sampled_from(["none", "void", "accept"]))
            target = draw(st.integers(0, index))
            changes.append((change, target))
    return {
        "played": played,
        "joins": joins,
        "rounds": rounds,
        "changes": changes,
        "end_open": draw(st.booleans()),
        "mode": draw(st.sampled_from(["speed", "accuracy"])),
        "streak": draw(st.booleans()),
    }


def play(plan: dict[str, Any]) -> tuple[Game, Any, list[tuple[str, Mapping[str, Any]]]]:
    """Play `plan`; returns the game, the `finish` effects and every personal frame sent on the way
    (with its player's id), in order."""
    game, stored, sent = play_to_the_end(plan)
    return game, game.finish(NOW, stored), sent


def play_to_the_end(
    plan: dict[str, Any],
) -> tuple[Game, list[dict[str, StoredAnswer]], list[tuple[str, Mapping[str, Any]]]]:
    """Play `plan` up to its end: the game, every question's stored answers and the personal frames."""
    game = new_game(EVERY_KIND, scoring=plan["mode"], streak=plan["streak"])
    ids: dict[int, str] = {}
    sent: list[tuple[str, Mapping[str, Any]]] = []

    def join_due(index: int) -> None:
        for number, at in enumerate(plan["joins"]):
            if at == index and number not in ids:
                ids[number] = game.join(f"P{number}", None, NOW).id

    join_due(0)
    game.start(NOW)
    stored: list[dict[str, StoredAnswer]] = []
    for index in range(plan["played"]):
        if index:
            game.next(NOW, stored)
        join_due(index + 1)  # joins during question `index` play from the next one
        answers = {ids[p]: answer(raw, credited) for p, (raw, credited) in plan["rounds"][index].items()}
        stored.append(answers)
        if plan["end_open"] and index == plan["played"] - 1:
            break
        sent.extend(game.close(answers).personal.items())
        change, target = plan["changes"][index] if plan["changes"] else ("none", 0)
        kind = EVERY_KIND[target]["kind"]
        if change == "void":
            sent.extend(game.void(target, stored).personal.items())
        elif change == "accept" and kind in ACCEPTABLE:
            sent.extend(game.accept(target, ACCEPTABLE[kind], stored).personal.items())
    return game, stored, sent


@settings(max_examples=300, deadline=None)
@given(random_games(with_changes=False))
def test_each_score_is_the_sum_of_its_question_points_and_never_negative(plan: dict[str, Any]) -> None:
    game, effects, sent = play(plan)
    # Every result on the way: points never negative, and the score it announces is the running sum.
    running: dict[str, int] = defaultdict(int)
    for player_id, frame in sent:
        assert frame["points"] >= 0
        running[player_id] += frame["points"]
        assert frame["score"] == running[player_id]
    # At the end, the results written: the same scores, the sums of the per-answer points.
    earned: dict[str, int] = defaultdict(int)
    for outcome in effects.finished.answers:
        assert outcome.points >= 0
        earned[outcome.player_id] += outcome.points
    for outcome in effects.finished.players:
        assert outcome.score == earned[outcome.player_id] == running[outcome.player_id] >= 0
        assert outcome.score == game.state.players[outcome.player_id].tally.score
        assert effects.personal[outcome.player_id]["score"] == outcome.score


@settings(max_examples=200, deadline=None)
@given(random_games(with_changes=True))
def test_the_owner_ends_a_game_with_the_results_a_new_owner_replays_from_the_stored_answers(
    plan: dict[str, Any],
) -> None:
    """The owner keeps each question's results as it closes it; a node that took the room over
    has only the store, and scores every closed question again: both write the same game."""
    game, stored, _ = play_to_the_end(plan)
    new_owner = Game(copy.deepcopy(game.state))
    replayed = new_owner.finish(NOW, stored)
    kept = game.finish(NOW, stored)
    assert kept.finished == replayed.finished
    assert kept.personal == replayed.personal


@settings(max_examples=300, deadline=None)
@given(random_games(with_changes=True))
def test_voids_and_accepts_keep_every_score_the_sum_of_its_points(plan: dict[str, Any]) -> None:
    game, effects, sent = play(plan)
    finished = effects.finished
    assert finished.voided == tuple(sorted(game.state.voided))
    for outcome in finished.players:
        mine = [a for a in finished.answers if a.player_id == outcome.player_id]
        assert outcome.score == sum(a.points for a in mine) >= 0
        assert all(a.points == 0 for a in mine if a.question in game.state.voided)
    ranked = sorted((o for o in finished.players), key=lambda o: o.rank or 0)
    assert all(a.score >= b.score for a, b in zip(ranked, ranked[1:], strict=False))
    assert all(frame["points"] >= 0 and frame["score"] >= 0 for _, frame in sent)


def test_a_kicked_players_answer_leaves_the_distribution() -> None:
    game = new_game(TRUE_OR_FALSE)
    stays, goes = game.join("stays", None, 0), game.join("goes", None, 0)
    game.start(0)
    receipt = Receipt(0, 1000, None, 1000)
    answers = {stays.id: StoredAnswer(True, receipt), goes.id: StoredAnswer(False, receipt)}
    game.leave(goes.id, kicked=True)
    effects = game.close(answers)
    reveal = effects.shared[0].host
    assert reveal["distribution"] == {"true": 1, "false": 0}
    assert goes.id not in effects.personal


def test_one_seat_per_account() -> None:
    game = new_game(TRUE_OR_FALSE)
    first = game.join("first", Account(7, 0), 0)
    with pytest.raises(RoomError) as refused:
        game.join("second", Account(7, 0), 0)
    assert refused.value.code == "forbidden" and len(game.state.players) == 1
    game.leave(first.id)  # leaving the lobby frees the seat
    assert game.join("again", Account(7, 0), 0).nickname == "again"


def test_shuffled_options_carry_their_place_on_the_host_screen_and_the_reveal_survives_a_reload() -> None:
    options = [{"id": f"o{i}", "text": str(i), "correct": i == 0} for i in range(4)]
    questions = [{"kind": "single", "text": "?", "time_limit": 10, "options": options}]
    game = new_game(questions, shuffle=True, question_on_devices=False)
    player = game.join("p", None, 0)
    event = game.start(0).shared[-1]
    host_places = {option["id"]: place for place, option in enumerate(event.host["options"])}
    for variant in event.variants:
        assert all("text" not in option for option in variant["options"])
        assert {option["id"]: option["shape"] for option in variant["options"]} == host_places
    game.close({})
    snapshot = game.snapshot(player.id)
    assert snapshot["reveal"]["correct"] == ["o0"]
    assert snapshot["revealed_question"]["options"] == event.host["options"]


def test_shuffles_come_from_the_rooms_secret_seed_not_its_pin() -> None:
    """Anyone knows the PIN; only the room knows its seed, and no frame carries it."""
    from rooms.core.question_event import question_event
    from rooms.core.questions import question_from_document
    from rooms.core.settings import GameSettings
    from rooms.core.state import RoomState

    doc = {"kind": "ordering", "text": "?", "options": [{"text": f"item {n}"} for n in range(8)]}
    question = question_from_document(doc)

    def orders(state: RoomState) -> list[list[str]]:
        event = question_event(state, question, 0, 1, 1, 0)
        return [[o["id"] for o in frame["options"]] for frame in (event.host, *event.variants)]

    def room() -> RoomState:
        return RoomState(
            pin="424242",
            game_id=1,
            kind="quiz",
            title="t",
            settings=GameSettings(shuffle=True),
            questions_doc=[doc],
            host_token_hash="h",
            host_user_id=None,
            created_at_ms=0,
        )

    one, other = room(), room()
    assert one.seed != other.seed
    assert orders(one) != orders(other)  # same PIN, same quiz: 8! orders, a collision is negligible
    assert orders(one) == orders(one)  # and a new owner of the same room makes the same frames
    event = question_event(one, question, 0, 1, 1, 0)
    assert one.seed not in str([event.host, *event.variants])
