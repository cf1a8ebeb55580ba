"""The duel queue in Redis, shared by every node on the same `REDIS_URL`: a hash of seekers, a hash
of the accounts queued (one seat per account), and the matcher's role, a key one node holds at a time
(renewed every round, taken by another node when it lapses). Each node renews a heartbeat key
while it runs: the seekers of a node that died with players queued leave the queue instead of being
matched with a socket nobody holds. Every key carries the `{duel}` hash tag,
so the scripts (`lua/`) stay atomic on a Redis Cluster too."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from redis.asyncio import Redis

from rooms.core import codec
from rooms.duel.matchmaking import Seeker

LUA = Path(__file__).parent / "lua"


class RedisSeekerPool:
    """`SeekerPool` on Redis; `prefix` keeps deployments (and test runs) apart on one server."""

    def __init__(self, redis: Redis, prefix: str = "qa"):
        self.redis = redis
        self._seekers = f"{prefix}:{{duel}}:seekers"
        self._accounts = f"{prefix}:{{duel}}:accounts"
        self._matcher = f"{prefix}:{{duel}}:matcher"
        self._node_prefix = f"{prefix}:{{duel}}:node:"
        self._scripts = {path.stem: redis.register_script(path.read_text()) for path in LUA.glob("*.lua")}

    async def add(self, seeker: Seeker) -> bool:
        account = "" if seeker.user_id is None else str(seeker.user_id)
        args: list[str | bytes] = [seeker.ticket, codec.encode(seeker), account]
        return bool(await self._scripts["seek_add"](keys=[self._seekers, self._accounts], args=args))

    async def remove(self, ticket: str) -> None:
        await self.claim([ticket])

    async def seekers(self) -> list[Seeker]:
        queued = [codec.decode(data, Seeker) for data in (await self.redis.hgetall(self._seekers)).values()]
        nodes = sorted({seeker.node for seeker in queued})
        alive = {node for node, beat in zip(nodes, await self._beats(nodes), strict=True) if beat is not None}
        for seeker in queued:
            if seeker.node not in alive:
                await self.claim([seeker.ticket])
        return [seeker for seeker in queued if seeker.node in alive]

    async def _beats(self, nodes: list[str]) -> list[bytes | str | None]:
        return list(await self.redis.mget([self._node_prefix + node for node in nodes])) if nodes else []

    async def heartbeat(self, node: str, ttl_ms: int) -> None:
        await self.redis.set(self._node_prefix + node, 1, px=ttl_ms)

    async def claim(self, tickets: Sequence[str]) -> bool:
        keys = [self._seekers, self._accounts]
        return bool(await self._scripts["seek_claim"](keys=keys, args=list(tickets)))

    async def lead(self, node: str, ttl_ms: int) -> bool:
        return bool(await self._scripts["matcher_lead"](keys=[self._matcher], args=[node, ttl_ms]))
