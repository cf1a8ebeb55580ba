"""A live game's settings (PROTOCOL.md `POST /games`), with every default filled in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from rooms.core.scoring import ScoringSettings

AUTO_ADVANCE_PAUSE_MS = 5_000  # how long the reveal stays up before auto-advance moves on
AUTOSTART_COUNTDOWN_MS = 3_000  # a host-less room starts this long after its last needed seat is taken
MAX_READ_TIME_MS = 30_000
MAX_PLAYERS_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class GameSettings:
    """How a host wants the game run. Validation of untrusted input happens at the REST edge."""

    scoring: Literal["speed", "accuracy"] = "speed"
    streak: bool = True
    read_time_ms: int = 0
    auto_advance: bool = False
    shuffle: bool = False
    question_on_devices: bool = True
    late_join: bool = True
    top_n: int = 10
    max_players: int = 5_000
    # Seated players at which a host-less room starts by itself (after AUTOSTART_COUNTDOWN_MS) and
    # then moves on after every reveal; 0: the host starts it (duels 2, self-paced rooms 1).
    autostart: int = 0

    @property
    def advances_by_itself(self) -> bool:
        """Whether the server sends `next` after the reveal's pause (nobody else would, host-less)."""
        return self.auto_advance or self.autostart > 0

    @property
    def scoring_rules(self) -> ScoringSettings:
        return ScoringSettings(mode=self.scoring, streak=self.streak)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GameSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})
