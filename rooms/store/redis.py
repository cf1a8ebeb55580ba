"""The room store in Redis, for many nodes: one key family per room, all under the room's hash tag
(`{pin}`) so a room's keys share a Redis Cluster slot and its scripts stay atomic there.

Writes of room state go through small Lua scripts (`lua/`) that refuse a stale epoch. Answers of one
burst are pipelined: every `record_answer` made in the same loop tick goes out in one round trip.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from rooms.core import codec
from rooms.core.state import PlayerState, RoomInfo, RoomMeta, RoomState, StoredAnswer
from rooms.core.types import PlayerId
from rooms.store.base import HISTORY_LENGTH, ResumeGrant, StaleEpoch

ROOM_TTL_MS = 12 * 3600_000  # a room's keys outlive any real game; each write renews them
RESUME_KEY_TTL_MS = 25 * 3600_000  # longer than any grant
LUA = Path(__file__).parent / "lua"


class RedisRoomStore:
    """`RoomStore` on Redis; `prefix` keeps deployments (and test runs) apart on one server."""

    def __init__(self, redis: Redis, prefix: str = "qa", history_length: int = HISTORY_LENGTH):
        self.redis = redis
        self._prefix = prefix
        self._history_length = history_length
        self._scripts = {path.stem: redis.register_script(path.read_text()) for path in LUA.glob("*.lua")}
        self._answer_batch: list[tuple[list[str], list[Any], asyncio.Future[str]]] = []

    # --- keys ------------------------------------------------------------------------------------

    def _key(self, pin: str, part: str) -> str:
        return f"{self._prefix}:room:{{{pin}}}:{part}"

    def _live(self) -> str:
        return f"{self._prefix}:rooms"

    def _pin(self, pin: str) -> str:
        return f"{self._prefix}:pin:{{{pin}}}"

    def _resume(self, token_hash: str) -> str:
        return f"{self._prefix}:resume:{token_hash}"

    async def _fenced(self, script: str, keys: list[str], args: list[Any], pin: str, epoch: int) -> None:
        if not await self._scripts[script](keys=keys, args=args):
            raise StaleEpoch(f"room {pin}: epoch {epoch} is not the current owner's")

    # --- PINs and rooms --------------------------------------------------------------------------

    async def reserve_pin(self, pin: str) -> bool:
        return bool(await self.redis.set(self._pin(pin), 1, nx=True, px=ROOM_TTL_MS))

    async def release_pin(self, pin: str) -> None:
        await self.redis.delete(self._pin(pin))

    async def create(self, state: RoomState) -> None:
        pin = state.pin
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(pin, "info"), codec.encode(state.info()), px=ROOM_TTL_MS)
            pipe.set(self._key(pin, "meta"), codec.encode(state.meta()), px=ROOM_TTL_MS)
            if state.players:
                pipe.hset(
                    self._key(pin, "players"),
                    mapping={pid: codec.encode(p) for pid, p in state.players.items()},
                )
            await pipe.execute()

    async def load(self, pin: str) -> RoomState | None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.get(self._key(pin, "info"))
            pipe.get(self._key(pin, "meta"))
            pipe.hgetall(self._key(pin, "players"))
            info, meta, players = await pipe.execute()
        if info is None or meta is None:
            return None
        return RoomState.assemble(
            codec.decode_info(info),
            codec.decode_meta(meta),
            {_text(pid): codec.decode_player(raw) for pid, raw in players.items()},
        )

    async def info(self, pin: str) -> RoomInfo | None:
        raw = await self.redis.get(self._key(pin, "info"))
        return None if raw is None else codec.decode_info(raw)

    async def players(self, pin: str, player_ids: Iterable[PlayerId]) -> dict[PlayerId, PlayerState]:
        ids = list(player_ids)
        if not ids:
            return {}
        raw = await self.redis.hmget(self._key(pin, "players"), ids)
        return {
            pid: codec.decode_player(value) for pid, value in zip(ids, raw, strict=True) if value is not None
        }

    async def live_pins(self) -> list[str]:
        return sorted(_text(pin) for pin in await self.redis.smembers(self._live()))

    async def save_meta(self, pin: str, epoch: int, meta: RoomMeta) -> None:
        keys = [self._key(pin, "epoch"), self._key(pin, "meta")]
        await self._fenced("fenced_set", keys, [epoch, codec.encode(meta), ROOM_TTL_MS], pin, epoch)

    async def save_players(self, pin: str, epoch: int, players: Iterable[PlayerState]) -> None:
        args: list[Any] = [epoch, ROOM_TTL_MS]
        for player in players:
            args += [player.id, codec.encode(player)]
        if len(args) > 2:
            keys = [self._key(pin, "epoch"), self._key(pin, "players")]
            await self._fenced("fenced_hset", keys, args, pin, epoch)

    async def delete(self, pin: str) -> None:
        keys = [key async for key in self.redis.scan_iter(match=self._key(pin, "*"), count=500)]
        async with self.redis.pipeline(transaction=False) as pipe:
            # The epoch survives: a zombie owner of this PIN stays fenced if the PIN is reused.
            pipe.delete(*[key for key in keys if not key.endswith(b":epoch")], self._pin(pin))
            pipe.srem(self._live(), pin)
            await pipe.execute()

    # --- answers ---------------------------------------------------------------------------------

    async def record_answer(self, pin: str, question: int, player_id: PlayerId, answer: StoredAnswer) -> str:
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        keys = [self._key(pin, "closed"), self._key(pin, f"answers:{question}")]
        self._answer_batch.append((keys, [question, player_id, codec.encode(answer), ROOM_TTL_MS], future))
        if len(self._answer_batch) == 1:  # the first answer of this tick sends the whole batch after it
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self._flush_answers()))
        return await future

    async def _flush_answers(self) -> None:
        batch, self._answer_batch = self._answer_batch, []
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for keys, args, _ in batch:
                    await self._scripts["record_answer"](keys=keys, args=args, client=pipe)
                outcomes = await pipe.execute()
        except Exception as exc:  # every waiting answer learns of it: none is acked unwritten
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, _, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(_text(outcome))

    async def close_answers(self, pin: str, question: int) -> int:
        key = self._key(pin, "closed")
        async with self.redis.pipeline(transaction=True) as pipe:  # closed and counted at one instant
            pipe.sadd(key, question)
            pipe.pexpire(key, ROOM_TTL_MS)
            pipe.hlen(self._key(pin, f"answers:{question}"))
            _, _, recorded = await pipe.execute()
        return int(recorded)

    async def answers(self, pin: str, question: int) -> dict[PlayerId, StoredAnswer]:
        raw = await self.redis.hgetall(self._key(pin, f"answers:{question}"))
        return {_text(pid): codec.decode_answer(value) for pid, value in raw.items()}

    async def has_answered(self, pin: str, question: int, player_id: PlayerId) -> bool:
        return bool(await self.redis.hexists(self._key(pin, f"answers:{question}"), player_id))

    async def stamp_sent(self, pin: str, question: int, stamps: dict[PlayerId, int]) -> None:
        if not stamps:
            return
        key = self._key(pin, f"sent:{question}")
        async with self.redis.pipeline(transaction=False) as pipe:
            for player_id, when in stamps.items():
                pipe.hsetnx(key, player_id, when)
            pipe.pexpire(key, ROOM_TTL_MS)
            await pipe.execute()

    async def sent_at(self, pin: str, question: int, player_id: PlayerId) -> int | None:
        raw = await self.redis.hget(self._key(pin, f"sent:{question}"), player_id)
        return None if raw is None else int(raw)

    # --- history ---------------------------------------------------------------------------------

    async def append_event(self, pin: str, epoch: int, seq: int, event: bytes) -> None:
        keys = [self._key(pin, "epoch"), self._key(pin, "history")]
        args = [epoch, seq, event, self._history_length, ROOM_TTL_MS]
        await self._fenced("append_event", keys, args, pin, epoch)

    async def events_after(self, pin: str, seq: int) -> list[bytes] | None:
        key = self._key(pin, "history")
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrange(key, 0, 0, withscores=True)
            pipe.zrangebyscore(key, f"({seq}", "+inf")
            oldest, events = await pipe.execute()
        if oldest and int(oldest[0][1]) > seq + 1:
            return None
        return list(events)

    # --- ownership -------------------------------------------------------------------------------

    async def acquire_lease(self, pin: str, node: str, ttl_ms: int) -> int | None:
        keys = [self._key(pin, "lease"), self._key(pin, "epoch"), self._key(pin, "info")]
        epoch = await self._scripts["acquire_lease"](keys=keys, args=[node, ttl_ms])
        if epoch is None:
            return None
        # Listed as live once leased (a separate key: the live set is not in the room's cluster slot).
        await self.redis.sadd(self._live(), pin)
        return int(epoch)

    async def reclaim_lease(self, pin: str, node: str, ttl_ms: int) -> int | None:
        keys = [self._key(pin, "lease"), self._key(pin, "epoch")]
        epoch = await self._scripts["reclaim_lease"](keys=keys, args=[node, ttl_ms])
        return None if epoch is None else int(epoch)

    async def renew_leases(self, node: str, epochs: dict[str, int], ttl_ms: int) -> set[str]:
        if not epochs:
            return set()
        async with self.redis.pipeline(transaction=False) as pipe:  # one round trip for every room
            for pin, epoch in epochs.items():
                await self._scripts["renew_lease"](
                    keys=[self._key(pin, "lease")], args=[f"{node}|{epoch}", ttl_ms], client=pipe
                )
            renewed = await pipe.execute()
        return {pin for pin, ok in zip(epochs, renewed, strict=True) if ok}

    async def release_lease(self, pin: str, node: str, epoch: int) -> None:
        await self._scripts["release_lease"](keys=[self._key(pin, "lease")], args=[f"{node}|{epoch}"])

    async def lease_holder(self, pin: str) -> str | None:
        return _holder(await self.redis.get(self._key(pin, "lease")))

    async def lease_holders(self, pins: Iterable[str]) -> dict[str, str | None]:
        pins = list(pins)
        if not pins:
            return {}
        # GETs in a pipeline rather than one MGET: the leases live in different cluster slots.
        async with self.redis.pipeline(transaction=False) as pipe:
            for pin in pins:
                pipe.get(self._key(pin, "lease"))
            leases = await pipe.execute()
        return {pin: _holder(raw) for pin, raw in zip(pins, leases, strict=True)}

    # --- resume tokens ---------------------------------------------------------------------------

    async def grant_resume(self, token_hash: str, grant: ResumeGrant) -> None:
        # The grant's own expiry (checked on read, by the room clock) is the rule; the key's TTL only
        # keeps Redis from holding tokens forever.
        await self.redis.set(self._resume(token_hash), codec.encode(grant), px=RESUME_KEY_TTL_MS)

    async def resume_grant(self, token_hash: str, now_ms: int) -> ResumeGrant | None:
        raw = await self.redis.get(self._resume(token_hash))
        if raw is None:
            return None
        grant = codec.decode(raw, ResumeGrant)
        return None if grant.expires_at_ms < now_ms else grant

    async def revoke_resume(self, token_hash: str) -> None:
        await self.redis.delete(self._resume(token_hash))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _holder(lease: bytes | str | None) -> str | None:
    """The node named in a lease value (`node|epoch`), or None when nobody holds the lease."""
    return None if lease is None else _text(lease).rsplit("|", 1)[0]
