"""Badges as data: the catalogue with a JSON rule per badge, and the pure functions that decide,
from plain facts about a player's game and record, which rules a game meets. No I/O.

A rule is `{"kind": ..., <parameters>}`. Kinds:

- `games_played` {`at_least`}: finished games played (kicked players' games do not count);
- `xp` {`at_least`}: total XP after the game;
- `perfect_game` {`min_questions`}: every scored question of the game fully correct, and at
  least that many scored questions (a scored question can earn points: not a poll, not worth 0,
  not voided);
- `fastest_answer` {`min_players`?}: the lowest credited time among the game's correct answers
  (every player with that time, on ties);
- `rank` {`at_most`, `min_players`}: finished at that rank or better among at least that many
  ranked players (rank 1 of 2+ is "win a game");
- `streak` {`days`}: finished games on that many consecutive UTC days, ending on the game's day;
- `duel_wins` {`at_least`}: a rated duel won, and that many rated duel wins in all;
- `duel_streak` {`wins`}: that many rated duels won in a row, ending with this one;
- `duel_upset` {`by`?}: a rated duel won against an opponent rated higher (by at least `by`
  points, default 1) before it;
- `member_days` {`at_least`}: an account that many days old with a finished game played (a
  time-based badge: the daily job awards it, since no game marks the day it comes due).

A duel is rated when both seats are different signed-in accounts and neither is a bot; the duel
rules are met only by a rated duel (a bot or a second tab as a guest cannot be farmed for them).

The daily job evaluates the rules that need no game (`RECORD_KINDS`) over each candidate's record,
so a badge the per-game path missed (results written out of order after an outage) still comes.

A rule of an unknown kind, or with parameters missing, is met by no one (a catalogue written by a
newer node must not crash an older one).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

Rule = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class BadgeSpec:
    """A catalogue entry as the code defines it; start-up brings the `badges` table in line."""

    code: str
    name: str
    description: str
    rule: dict[str, Any]


CATALOGUE: tuple[BadgeSpec, ...] = (
    BadgeSpec("first_game", "First game", "Finish your first game.", {"kind": "games_played", "at_least": 1}),
    BadgeSpec("ten_games", "Regular", "Finish 10 games.", {"kind": "games_played", "at_least": 10}),
    BadgeSpec("xp_1000", "Rising star", "Reach 1,000 XP.", {"kind": "xp", "at_least": 1_000}),
    BadgeSpec("xp_10000", "Veteran", "Reach 10,000 XP.", {"kind": "xp", "at_least": 10_000}),
    BadgeSpec(
        "perfect_game",
        "Perfect game",
        "Answer every scored question of a game fully correctly (at least 3).",
        {"kind": "perfect_game", "min_questions": 3},
    ),
    BadgeSpec(
        "fastest_answer",
        "Quick draw",
        "Give the fastest correct answer of a game.",
        {"kind": "fastest_answer"},
    ),
    BadgeSpec(
        "winner",
        "Winner",
        "Win a game of at least 2 players.",
        {"kind": "rank", "at_most": 1, "min_players": 2},
    ),
    BadgeSpec(
        "top3_crowd",
        "Crowd pleaser",
        "Finish in the top 3 of a game of 20 or more players.",
        {"kind": "rank", "at_most": 3, "min_players": 20},
    ),
    BadgeSpec("streak_3", "On a roll", "Play on 3 days in a row (UTC).", {"kind": "streak", "days": 3}),
    BadgeSpec("streak_7", "Week streak", "Play on 7 days in a row (UTC).", {"kind": "streak", "days": 7}),
    BadgeSpec(
        "first_duel_win", "First blood", "Win a rated duel.", {"kind": "duel_wins", "at_least": 1}
    ),
    BadgeSpec(
        "duel_streak_5", "Unbeaten", "Win 5 rated duels in a row.", {"kind": "duel_streak", "wins": 5}
    ),
    BadgeSpec(
        "duel_upset",
        "Giant killer",
        "Win a rated duel against a higher-rated opponent (ratings before the duel).",
        {"kind": "duel_upset"},
    ),
    BadgeSpec(
        "anniversary",
        "Anniversary",
        "Have your account for a year, with a game played.",
        {"kind": "member_days", "at_least": 365},
    ),
)


@dataclass(frozen=True, slots=True)
class GameFacts:
    """What one finished game says about one player."""

    rank: int | None  # None: kicked, off the scoreboard
    players: int  # ranked players in the game
    scored_questions: int
    correct_scored: int  # scored questions this player answered fully correctly
    fastest_correct: bool  # gave (one of) the game's fastest correct answers


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """A player's record once the game is counted."""

    xp: int
    games_played: int
    streak_days: int  # consecutive UTC days with a finished game, ending on this game's day
    member_days: int = 0  # days since the account was made (set by the daily job)


@dataclass(frozen=True, slots=True)
class DuelFacts:
    """What a rated duel says about one of its two players, their record counted with it."""

    won: bool
    rating_before: int
    opponent_rating_before: int
    wins: int  # rated duels won in all
    win_streak: int  # rated duels won in a row, ending with this one (0 unless it was won)


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a rule may look at; `duel` only for a rated duel."""

    game: GameFacts
    record: RecordFacts
    duel: DuelFacts | None = None


def _games_played(rule: Rule, facts: Facts) -> bool:
    return facts.record.games_played >= int(rule["at_least"])


def _xp(rule: Rule, facts: Facts) -> bool:
    return facts.record.xp >= int(rule["at_least"])


def _perfect_game(rule: Rule, facts: Facts) -> bool:
    game = facts.game
    return (
        game.scored_questions >= int(rule["min_questions"]) and game.correct_scored == game.scored_questions
    )


def _fastest_answer(rule: Rule, facts: Facts) -> bool:
    return facts.game.fastest_correct and facts.game.players >= int(rule.get("min_players", 1))


def _rank(rule: Rule, facts: Facts) -> bool:
    game = facts.game
    return (
        game.rank is not None
        and game.rank <= int(rule["at_most"])
        and game.players >= int(rule["min_players"])
    )


def _streak(rule: Rule, facts: Facts) -> bool:
    return facts.record.streak_days >= int(rule["days"])


def _duel_wins(rule: Rule, facts: Facts) -> bool:
    duel = facts.duel
    return duel is not None and duel.won and duel.wins >= int(rule["at_least"])


def _duel_streak(rule: Rule, facts: Facts) -> bool:
    duel = facts.duel
    return duel is not None and duel.won and duel.win_streak >= int(rule["wins"])


def _duel_upset(rule: Rule, facts: Facts) -> bool:
    duel = facts.duel
    margin = int(rule.get("by", 1))
    return duel is not None and duel.won and duel.opponent_rating_before - duel.rating_before >= margin


def _member_days(rule: Rule, facts: Facts) -> bool:
    return facts.record.games_played >= 1 and facts.record.member_days >= int(rule["at_least"])


RULES: dict[str, Callable[[Rule, Facts], bool]] = {
    "games_played": _games_played,
    "xp": _xp,
    "perfect_game": _perfect_game,
    "fastest_answer": _fastest_answer,
    "rank": _rank,
    "streak": _streak,
    "duel_wins": _duel_wins,
    "duel_streak": _duel_streak,
    "duel_upset": _duel_upset,
    "member_days": _member_days,
}
# Rules decided by a player's record alone, with no game in hand: the daily job evaluates these.
RECORD_KINDS = frozenset({"games_played", "xp", "streak", "member_days"})


def meets(rule: Rule, facts: Facts) -> bool:
    """Whether `facts` meet `rule`; an unknown or malformed rule is met by no one."""
    check = RULES.get(str(rule.get("kind")))
    if check is None:
        return False
    try:
        return check(rule, facts)
    except (KeyError, TypeError, ValueError):
        return False


def earned(catalogue: Iterable[tuple[str, Rule]], facts: Facts) -> list[str]:
    """The codes of the `(code, rule)` entries that `facts` meet, in catalogue order."""
    return [code for code, rule in catalogue if meets(rule, facts)]


NO_GAME = GameFacts(rank=None, players=0, scored_questions=0, correct_scored=0, fastest_correct=False)


def earned_by_record(
    catalogue: Iterable[tuple[int, Rule]], record: RecordFacts, held: Collection[int]
) -> list[int]:
    """The ids of the `(id, rule)` entries of a record kind that `record` meets and are not `held`."""
    facts = Facts(NO_GAME, record)
    return [
        badge_id
        for badge_id, rule in catalogue
        if badge_id not in held and rule.get("kind") in RECORD_KINDS and meets(rule, facts)
    ]


# ---- facts from plain game data ------------------------------------------------------------------


def scored_questions(questions: Iterable[Mapping[str, Any]], voided: Collection[int] = ()) -> set[int]:
    """Indexes of the questions that can earn points: not polls, not worth 0, not voided."""
    return {
        index
        for index, question in enumerate(questions)
        if question.get("kind") != "poll" and int(question.get("points", 1000)) > 0 and index not in voided
    }


def fastest_correct(answers: Iterable[tuple[str, bool, int]]) -> set[str]:
    """The players holding the game's lowest credited time among `(player, correct, credited_ms)`
    answers that are correct; all of them on a tie, nobody when no answer was correct."""
    best: int | None = None
    holders: set[str] = set()
    for player, correct, credited_ms in answers:
        if not correct:
            continue
        if best is None or credited_ms < best:
            best, holders = credited_ms, {player}
        elif credited_ms == best:
            holders.add(player)
    return holders


def streak_ending(days: Collection[date], last: date) -> int:
    """How many consecutive days up to and including `last` are in `days` (0 if `last` is not)."""
    count = 0
    day = last
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def longest_streak_rule(rules: Iterable[Rule]) -> int:
    """The most days any `streak` rule asks for: how far back a streak needs to be looked at."""
    days = [0]
    for rule in rules:
        if rule.get("kind") == "streak":
            try:
                days.append(int(rule["days"]))
            except (KeyError, TypeError, ValueError):
                continue
    return max(days)


def longest_run(days: Collection[date]) -> int:
    """The most consecutive days in `days`."""
    best = 0
    for first in days:
        if first - timedelta(days=1) in days:
            continue  # not the first day of its run
        length = 1
        while first + timedelta(days=length) in days:
            length += 1
        best = max(best, length)
    return best


def current_streak(days: Collection[date], today: date) -> int:
    """The running play streak: it ends today, or yesterday while today is still open to play."""
    return streak_ending(days, today) or streak_ending(days, today - timedelta(days=1))
