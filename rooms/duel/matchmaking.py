"""Matchmaking (pure, clocked): who in the duel queue plays whom, and who gets a bot.

Players are paired by what they asked to play (a quiz, "any" quiz, a revenge duel, or a rematch of one
finished duel) and by rating: each may meet an opponent whose rating is within a window that widens
the longer they wait. The longest waiting player chooses first, the nearest rating in their window.
A player nobody fits within `bot_after_ms` gets a bot; a rematch offer the other player does not
return within `rematch_wait_ms` lapses.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

ANY = "any"
REVENGE = "revenge"
NO_LIMIT = 1 << 30


@dataclass(frozen=True, slots=True)
class MatchRules:
    """How wide the rating window is and how long a player waits for a person."""

    base_window: int = 100  # rating points either side, at once
    widen_per_second: int = 50  # more points for every second waited
    max_window: int = 800
    bot_after_ms: int = 10_000  # then a bot takes the seat (the setting DUEL_BOT_AFTER_S)
    rematch_wait_ms: int = 30_000  # a rematch offer lapses when not returned by then

    def window(self, waited_ms: int) -> int:
        return min(self.max_window, self.base_window + self.widen_per_second * max(0, waited_ms) // 1000)


@dataclass(frozen=True, slots=True)
class Seeker:
    """A player in the duel queue: their socket's node and ticket, and what they want to play."""

    ticket: str
    node: str  # the node holding the player's socket
    nickname: str
    rating: int
    since_ms: int
    quiz: int | None = None  # None: any published quiz
    user_id: int | None = None
    xp: int = 0
    revenge: bool = False  # questions this (signed-in) player missed before
    rematch: str | None = None  # the PIN of the finished duel both want to play again
    rematch_bot: int | None = None  # a rematch against that duel's bot: its rating (no wait)

    @property
    def key(self) -> str:
        """What the player asked to play; two players meet only on compatible keys."""
        if self.rematch is not None:
            return f"rematch:{self.rematch}"
        if self.revenge:
            return REVENGE
        return ANY if self.quiz is None else f"quiz:{self.quiz}"


@dataclass(frozen=True, slots=True)
class Match:
    """Two players who will duel, or one and a bot (`second` None, the bot at `bot_rating`)."""

    first: Seeker
    second: Seeker | None
    bot_rating: int = 0

    @property
    def tickets(self) -> tuple[str, ...]:
        return (self.first.ticket,) if self.second is None else (self.first.ticket, self.second.ticket)


@dataclass(slots=True)
class Round:
    """One matchmaking round's decisions."""

    matches: list[Match] = field(default_factory=list)
    lapsed: list[Seeker] = field(default_factory=list)  # rematch offers nobody returned


def compatible_keys(key: str) -> tuple[str, ...]:
    """The keys a player with `key` may meet, their own first: a quiz meets "any" (and plays the
    quiz), "any" meets every quiz and revenge, revenge meets "any"; a rematch only its own."""
    if key.startswith("rematch:"):
        return (key,)
    if key == REVENGE:
        return (REVENGE, ANY)
    if key == ANY:
        return (ANY, REVENGE, "quiz:")  # "quiz:" stands for every quiz key
    return (key, ANY)


class _Pool:
    """Unmatched seekers by key, each list sorted by rating: the nearest rating is a bisect away."""

    def __init__(self, seekers: Iterable[Seeker]):
        self._by_key: dict[str, list[tuple[int, str]]] = {}
        self._seekers: dict[str, Seeker] = {}
        for seeker in seekers:
            self._seekers[seeker.ticket] = seeker
            self._by_key.setdefault(seeker.key, []).append((seeker.rating, seeker.ticket))
        for entries in self._by_key.values():
            entries.sort()

    def remove(self, seeker: Seeker) -> None:
        entries = self._by_key[seeker.key]
        entries.pop(bisect.bisect_left(entries, (seeker.rating, seeker.ticket)))
        del self._seekers[seeker.ticket]

    def nearest(self, seeker: Seeker, window: int) -> Seeker | None:
        best: tuple[int, float, Seeker] | None = None
        for key in self._keys(compatible_keys(seeker.key)):
            entries = self._by_key.get(key, [])
            at = bisect.bisect_left(entries, (seeker.rating, ""))
            for index in range(at - 2, at + 3):  # the nearest either side (one of them may be itself)
                if not 0 <= index < len(entries):
                    continue
                other = self._seekers[entries[index][1]]
                if other.ticket == seeker.ticket or _same_account(seeker, other):
                    continue
                gap = abs(other.rating - seeker.rating)
                if gap <= window and (best is None or (gap, other.since_ms) < best[:2]):
                    best = (gap, other.since_ms, other)
        return None if best is None else best[2]

    def _keys(self, keys: Sequence[str]) -> list[str]:
        found: list[str] = []
        for key in keys:
            if key == "quiz:":
                found.extend(k for k in self._by_key if k.startswith("quiz:"))
            else:
                found.append(key)
        return found


def _same_account(a: Seeker, b: Seeker) -> bool:
    return a.user_id is not None and a.user_id == b.user_id


def match_round(seekers: Sequence[Seeker], now_ms: int, rules: MatchRules) -> Round:
    """Pair whom the rules allow now; bots for those who waited long enough; lapse old rematch offers."""
    outcome = Round()
    pool = _Pool(seekers)
    taken: set[str] = set()
    for seeker in sorted(seekers, key=lambda s: (s.since_ms, s.ticket)):
        if seeker.ticket in taken:
            continue
        waited = now_ms - seeker.since_ms
        window = rules.window(waited) if seeker.rematch is None else NO_LIMIT  # they chose each other
        if seeker.rematch_bot is not None:  # the bot takes a rematch at once
            outcome.matches.append(Match(seeker, None, seeker.rematch_bot))
        elif (other := pool.nearest(seeker, window)) is not None:
            outcome.matches.append(Match(seeker, other))
            taken.add(other.ticket)
            pool.remove(other)
        elif seeker.rematch is not None:
            if waited >= rules.rematch_wait_ms:
                outcome.lapsed.append(seeker)
            else:
                continue
        elif waited >= rules.bot_after_ms:
            outcome.matches.append(Match(seeker, None, seeker.rating))
        else:
            continue
        taken.add(seeker.ticket)
        pool.remove(seeker)
    return outcome


def duel_quiz(match: Match) -> int | None:
    """The quiz a match plays: the one either player asked for, else None (any quiz)."""
    for seeker in (match.first, match.second):
        if seeker is not None and seeker.quiz is not None:
            return seeker.quiz
    return None


def revenge_of(match: Match) -> int | None:
    """The signed-in player whose missed questions the duel is built from, if it is a revenge duel."""
    for seeker in (match.first, match.second):
        if seeker is not None and seeker.revenge and seeker.user_id is not None:
            return seeker.user_id
    return None
