"""Wiring the live rooms into the app: the node with its store, bus, clock, results sink and rewards."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from persistence.db import Database
from persistence.levels import level_for, xp_for_game
from rooms.bus.base import Bus
from rooms.bus.memory import MemoryBus
from rooms.bus.redis import RedisBus
from rooms.core.clock import Clock, SystemClock
from rooms.core.state import Account
from rooms.duel.matchmaking import MatchRules
from rooms.duel.pool import MemorySeekerPool, SeekerPool
from rooms.duel.redis_pool import RedisSeekerPool
from rooms.duel.service import DuelSetup, serve_duels
from rooms.node import Leases, Limits, RoomNode
from rooms.store.base import RoomStore
from rooms.store.memory import MemoryRoomStore
from rooms.store.redis import RedisRoomStore
from server.config import Settings
from server.duels.sources import DatabaseDuelGames, DatabaseDuelQuestions, DatabaseRatings
from server.notifications.notifier import Notifier
from server.notifications.rewards import RewardNotices
from server.outbox import Outbox, SpoolOutbox, default_spool_path
from server.redis_outbox import RedisStreamOutbox
from server.results import DatabaseResultsSink
from server.tokens import InvalidToken, verify_access_token

log = logging.getLogger(__name__)


class XpRewards:
    """The rooms' view of the XP and level rules that live with persistence."""

    def xp_for(self, score: int, rank: int | None, players: int, kind: str) -> int:
        return xp_for_game(score, rank, players, kind)

    def level_for(self, xp: int) -> int:
        return level_for(xp)


def account_lookup(settings: Settings, database: Database):  # noqa: ANN201 - rooms.node.Authenticate
    """Access token -> the account and its XP now (the final result's level is computed from it)."""

    async def authenticate(token: str) -> Account | None:
        try:
            claims = verify_access_token(settings, token)
        except InvalidToken:
            return None
        async with database.uow() as uow:
            user = await uow.users.get(claims.user_id)
            return None if user is None else Account(user_id=user.id, xp=user.xp)

    return authenticate


SHARED_OUTBOX_POLL_S = 10.0  # how often a node looks at the shared results stream unprompted


def connect_redis(url: str, max_connections: int = 100) -> Redis:
    """The node's Redis client. A bounded pool that waits for a free connection (a burst of 10,000
    joins queues for connections instead of opening thousands and hitting Redis's client limit);
    timeouts, so a Redis that vanished mid-command fails the command instead of hanging it; a pooled
    connection that died with a Redis restart is retried once. A `max_connections` in the URL wins."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=5,
        health_check_interval=10,
        socket_timeout=5,
        socket_connect_timeout=2,
        retry=Retry(ExponentialBackoff(cap=0.5), retries=2),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )
    return Redis.from_pool(pool)  # the client owns the pool: closing it closes the connections


def results_outbox(settings: Settings, redis: Redis | None) -> Outbox:
    """Where finished games wait for the database: a stream every node drains when Redis is shared,
    otherwise a spool file that survives this node's crash."""
    if redis is not None:
        return RedisStreamOutbox(redis, settings.redis_prefix, settings.node_id)
    return SpoolOutbox(default_spool_path())


RECONCILE_GRACE = timedelta(minutes=2)  # a game row this young may be a room opening on another node


async def reconcile_live_games(database: Database, node: RoomNode, shared_store: bool) -> list[int]:
    """At start-up: games left `live` by a dead process are resumed when their room is in the store
    (the node's sweep takes them over), otherwise ended as `aborted`. Returns the aborted ids."""
    now = datetime.now(UTC)
    keep = set(await node.store.live_pins())
    # Alone in memory, no other node can be opening a room: every live row older than now is dead.
    created_before = now - RECONCILE_GRACE if shared_store else now
    async with database.uow() as uow:
        aborted = await uow.games.abort_live(keep, created_before, now)
        await uow.commit()
    if aborted:
        log.warning("ended %d game(s) left live by a stopped server as aborted: %s", len(aborted), aborted)
    return aborted


def build_node(
    settings: Settings, database: Database, clock: Clock | None = None, redis: Redis | None = None
) -> RoomNode:
    """The node, from the configuration: rooms in Redis, shared with every node on the same
    `REDIS_URL`, when `redis` is given; otherwise the embedded default, rooms in this process."""
    clock = clock or SystemClock()
    if redis is not None:
        store = RedisRoomStore(redis, prefix=settings.redis_prefix)
        bus = RedisBus(
            redis, settings.node_id, prefix=settings.redis_prefix, sharded=settings.redis_sharded_pubsub
        )
        leases = Leases(ttl_ms=settings.lease_ttl_ms, sweep_ms=max(100, settings.lease_ttl_ms // 5))
        pool: SeekerPool = RedisSeekerPool(redis, prefix=settings.redis_prefix)
        return _node(settings, database, clock, store, bus, leases, pool)
    memory_store, memory_bus = MemoryRoomStore(clock.now_ms), MemoryBus()
    return _node(settings, database, clock, memory_store, memory_bus, Leases(), MemorySeekerPool())


def _node(
    settings: Settings,
    database: Database,
    clock: Clock,
    store: RoomStore,
    bus: Bus,
    leases: Leases,
    duel_queue: SeekerPool,
) -> RoomNode:
    # Players are told their badges and levels when the results are written.
    notices = RewardNotices(Notifier(database, bus, clock))
    node = RoomNode(
        store=store,
        bus=bus,
        clock=clock,
        sink=DatabaseResultsSink(database, notices=notices),
        rewards=XpRewards(),
        authenticate=account_lookup(settings, database),
        limits=Limits(
            joins_per_address_per_minute=settings.joins_per_address_per_minute,
            drop_grace_ms=settings.drop_grace_ms,
        ),
        node_id=settings.node_id,
        leases=leases,
    )
    rules = MatchRules(bot_after_ms=round(settings.duel_bot_after_s * 1000))
    sources = DatabaseRatings(database), DatabaseDuelQuestions(database), DatabaseDuelGames(database)
    serve_duels(node, DuelSetup(*sources, pool=duel_queue, rules=rules))
    return node
