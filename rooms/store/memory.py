"""The room store in this process's memory: the embedded default (one node, no Redis).

It keeps encoded copies (the same codec as Redis), never live objects, and honours leases and
epochs on the injected clock, so tests on it catch what the Redis store would.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from rooms.core import codec
from rooms.core.state import PlayerState, RoomInfo, RoomMeta, RoomState, StoredAnswer
from rooms.core.types import PlayerId
from rooms.store.base import HISTORY_LENGTH, ResumeGrant, StaleEpoch


class MemoryRoomStore:
    """`RoomStore` in one process; `now_ms` is the clock that leases expire by."""

    def __init__(self, now_ms: Callable[[], int], history_length: int = HISTORY_LENGTH):
        self._now_ms = now_ms
        self._reserved: set[str] = set()
        self._live: set[str] = set()
        self._info: dict[str, bytes] = {}
        self._meta: dict[str, bytes] = {}
        self._players: dict[str, dict[PlayerId, bytes]] = {}
        self._answers: dict[tuple[str, int], dict[PlayerId, bytes]] = {}
        self._closed: set[tuple[str, int]] = set()
        self._sent: dict[tuple[str, int], dict[PlayerId, int]] = {}
        self._history: dict[str, deque[tuple[int, bytes]]] = {}
        self._history_length = history_length
        self._leases: dict[str, tuple[str, int, int]] = {}  # pin -> (node, epoch, expires_at_ms)
        self._epochs: dict[str, int] = {}
        self._resume: dict[str, ResumeGrant] = {}

    # --- PINs and rooms --------------------------------------------------------------------------

    async def reserve_pin(self, pin: str) -> bool:
        if pin in self._reserved:
            return False
        self._reserved.add(pin)
        return True

    async def release_pin(self, pin: str) -> None:
        self._reserved.discard(pin)

    async def create(self, state: RoomState) -> None:
        self._info[state.pin] = codec.encode(state.info())
        self._meta[state.pin] = codec.encode(state.meta())
        self._players[state.pin] = {pid: codec.encode(p) for pid, p in state.players.items()}

    async def load(self, pin: str) -> RoomState | None:
        if pin not in self._info:
            return None
        players = {pid: codec.decode_player(raw) for pid, raw in self._players.get(pin, {}).items()}
        return RoomState.assemble(
            codec.decode_info(self._info[pin]), codec.decode_meta(self._meta[pin]), players
        )

    async def info(self, pin: str) -> RoomInfo | None:
        raw = self._info.get(pin)
        return None if raw is None else codec.decode_info(raw)

    async def players(self, pin: str, player_ids: Iterable[PlayerId]) -> dict[PlayerId, PlayerState]:
        stored = self._players.get(pin, {})
        return {pid: codec.decode_player(stored[pid]) for pid in player_ids if pid in stored}

    async def live_pins(self) -> list[str]:
        return sorted(self._live)

    def _check(self, pin: str, epoch: int) -> None:
        if self._epochs.get(pin, 0) != epoch or pin not in self._info:
            raise StaleEpoch(f"room {pin}: epoch {epoch} is not the current owner's")

    async def save_meta(self, pin: str, epoch: int, meta: RoomMeta) -> None:
        self._check(pin, epoch)
        self._meta[pin] = codec.encode(meta)

    async def save_players(self, pin: str, epoch: int, players: Iterable[PlayerState]) -> None:
        self._check(pin, epoch)
        stored = self._players.setdefault(pin, {})
        for player in players:
            stored[player.id] = codec.encode(player)

    async def delete(self, pin: str) -> None:
        for table in (self._info, self._meta, self._players, self._history, self._leases):
            table.pop(pin, None)
        self._reserved.discard(pin)
        self._live.discard(pin)
        for keyed in (self._answers, self._sent):
            for key in [key for key in keyed if key[0] == pin]:
                del keyed[key]
        self._closed = {key for key in self._closed if key[0] != pin}
        for token in [token for token, grant in self._resume.items() if grant.pin == pin]:
            del self._resume[token]

    # --- answers ---------------------------------------------------------------------------------

    async def record_answer(self, pin: str, question: int, player_id: PlayerId, answer: StoredAnswer) -> str:
        if (pin, question) in self._closed:
            return "closed"
        answers = self._answers.setdefault((pin, question), {})
        if player_id in answers:
            return "duplicate"
        answers[player_id] = codec.encode(answer)
        return "ok"

    async def close_answers(self, pin: str, question: int) -> int:
        self._closed.add((pin, question))
        return len(self._answers.get((pin, question), {}))

    async def answers(self, pin: str, question: int) -> dict[PlayerId, StoredAnswer]:
        return {pid: codec.decode_answer(raw) for pid, raw in self._answers.get((pin, question), {}).items()}

    async def has_answered(self, pin: str, question: int, player_id: PlayerId) -> bool:
        return player_id in self._answers.get((pin, question), {})

    async def stamp_sent(self, pin: str, question: int, stamps: dict[PlayerId, int]) -> None:
        sent = self._sent.setdefault((pin, question), {})
        for player_id, when in stamps.items():
            sent.setdefault(player_id, when)

    async def sent_at(self, pin: str, question: int, player_id: PlayerId) -> int | None:
        return self._sent.get((pin, question), {}).get(player_id)

    # --- history ---------------------------------------------------------------------------------

    async def append_event(self, pin: str, epoch: int, seq: int, event: bytes) -> None:
        self._check(pin, epoch)
        history = self._history.setdefault(pin, deque(maxlen=self._history_length))
        history.append((seq, event))

    async def events_after(self, pin: str, seq: int) -> list[bytes] | None:
        history = self._history.get(pin, deque())
        if history and history[0][0] > seq + 1:
            return None
        return [event for number, event in history if number > seq]

    # --- ownership -------------------------------------------------------------------------------

    def _live_lease(self, pin: str) -> tuple[str, int, int] | None:
        lease = self._leases.get(pin)
        if lease is not None and lease[2] <= self._now_ms():
            del self._leases[pin]
            return None
        return lease

    async def acquire_lease(self, pin: str, node: str, ttl_ms: int) -> int | None:
        if pin not in self._info or self._live_lease(pin) is not None:
            return None
        epoch = self._epochs[pin] = self._epochs.get(pin, 0) + 1
        self._leases[pin] = (node, epoch, self._now_ms() + ttl_ms)
        self._live.add(pin)
        return epoch

    async def reclaim_lease(self, pin: str, node: str, ttl_ms: int) -> int | None:
        lease = self._live_lease(pin)
        if lease is None or lease[0] != node:
            return None
        epoch = self._epochs[pin] = self._epochs.get(pin, 0) + 1
        self._leases[pin] = (node, epoch, self._now_ms() + ttl_ms)
        return epoch

    async def renew_leases(self, node: str, epochs: dict[str, int], ttl_ms: int) -> set[str]:
        renewed = set()
        for pin, epoch in epochs.items():
            lease = self._live_lease(pin)
            if lease is not None and lease[:2] == (node, epoch):
                self._leases[pin] = (node, epoch, self._now_ms() + ttl_ms)
                renewed.add(pin)
        return renewed

    async def release_lease(self, pin: str, node: str, epoch: int) -> None:
        lease = self._live_lease(pin)
        if lease is not None and lease[:2] == (node, epoch):
            del self._leases[pin]

    async def lease_holder(self, pin: str) -> str | None:
        lease = self._live_lease(pin)
        return None if lease is None else lease[0]

    async def lease_holders(self, pins: Iterable[str]) -> dict[str, str | None]:
        return {pin: await self.lease_holder(pin) for pin in pins}

    # --- resume tokens ---------------------------------------------------------------------------

    async def grant_resume(self, token_hash: str, grant: ResumeGrant) -> None:
        self._resume[token_hash] = grant

    async def resume_grant(self, token_hash: str, now_ms: int) -> ResumeGrant | None:
        grant = self._resume.get(token_hash)
        if grant is not None and grant.expires_at_ms < now_ms:
            del self._resume[token_hash]
            return None
        return grant

    async def revoke_resume(self, token_hash: str) -> None:
        self._resume.pop(token_hash, None)
