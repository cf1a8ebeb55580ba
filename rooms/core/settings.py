"""A live game's settings (PROTOCOL.md `POST /games`), with every default filled in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from rooms.core.scoring import ScoringSettings

AUTO_ADVANCE_PAUSE_MS = 5_000  # how long the reveal stays up before auto-advance moves on
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

    @property
    def scoring_rules(self) -> ScoringSettings:
        return ScoringSettings(mode=self.scoring, streak=self.streak)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GameSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})
