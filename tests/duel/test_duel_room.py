"""A duel room on the node: two seats, started and paced by the server, forfeits for leaving or
staying away past the drop grace, a bot played by the owner (also after a failover), and the outcome
in the finished game. Manual clock, memory store and bus."""

from __future__ import annotations

from typing import Any

import orjson

from rooms.bus.memory import MemoryBus
from rooms.core.clock import ManualClock
from rooms.core.outcomes import BOT_DUEL_XP_SHARE
from rooms.core.results import FinishedGame, MemoryResultsSink
from rooms.core.settings import AUTO_ADVANCE_PAUSE_MS, AUTOSTART_COUNTDOWN_MS, GameSettings
from rooms.core.state import Account, Phase
from rooms.duel.runner import DuelRunner
from rooms.edge.connection import Connection
from rooms.node import Leases, NewRoom, RoomNode
from rooms.owner.runner import DROP_GRACE_MS
from rooms.store.memory import MemoryRoomStore
from tests.rooms.test_rooms_runner import LIMIT_MS, PIN, QUIZ, SLACK_MS, FakePeer

GAME_ID = 11


class FlatRewards:
    """100 XP for every game, so the bot duel's share shows."""

    def xp_for(self, score: int, rank: int | None, players: int, kind: str) -> int:
        return 100

    def level_for(self, xp: int) -> int:
        return 1


class Duel:
    """A duel room on node `a` (node `b` shares its store and bus, to take it over)."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.store = MemoryRoomStore(self.clock.now_ms)
        self.sink = MemoryResultsSink()
        bus, leases = MemoryBus(), Leases(ttl_ms=2_000)
        self.a = RoomNode(self.store, bus, self.clock, self.sink, FlatRewards(), node_id="a", leases=leases)
        self.b = RoomNode(self.store, bus, self.clock, self.sink, FlatRewards(), node_id="b", leases=leases)

    async def open(self) -> DuelRunner:
        assert await self.store.reserve_pin(PIN)
        room = NewRoom(GAME_ID, "Duel", GameSettings(autostart=2), QUIZ, "unused", None, kind="duel")
        runner = await self.a.open_game(PIN, room)
        assert isinstance(runner, DuelRunner)
        return runner

    @property
    def runner(self) -> DuelRunner:
        runner = (self.a.runners | self.b.runners)[PIN]
        assert isinstance(runner, DuelRunner)
        return runner

    async def join(self, nickname: str, user_id: int | None = None) -> tuple[Connection, FakePeer]:
        peer = FakePeer(self.clock)
        connection = Connection(peer, address="10.0.0.1")
        self.a.connect(connection)
        if user_id is not None:
            self.a.authenticate = _accounts(user_id)
        frame: dict[str, Any] = {"type": "join", "pin": PIN, "nickname": nickname}
        if user_id is not None:
            frame["token"] = "t"
        await self.a.handle(connection, orjson.dumps(frame))
        await self.settle()
        return connection, peer

    async def send(self, connection: Connection, **frame: Any) -> None:
        await self.a.handle(connection, orjson.dumps(frame))
        await self.settle()

    async def settle(self) -> None:
        for _ in range(5):
            for node in (self.a, self.b):
                for runner in list(node.runners.values()):
                    await runner.idle()

    async def advance(self, ms: int) -> None:
        self.clock.advance(ms)
        await self.settle()

    @property
    def finished(self) -> FinishedGame:
        return self.sink.games[GAME_ID]


def _accounts(user_id: int):  # noqa: ANN202
    async def authenticate(token: str) -> Account:
        return Account(user_id=user_id, xp=0)

    return authenticate


async def two_players() -> tuple[Duel, tuple[Connection, FakePeer], tuple[Connection, FakePeer]]:
    duel = Duel()
    await duel.open()
    ann, ben = await duel.join("Ann"), await duel.join("Ben")
    await duel.advance(AUTOSTART_COUNTDOWN_MS)
    assert duel.runner.state.phase is Phase.QUESTION
    return duel, ann, ben


async def test_two_players_play_to_the_end_and_the_better_one_wins() -> None:
    duel, (ann_c, ann), (ben_c, ben) = await two_players()
    for index in range(len(QUIZ)):
        await duel.advance(1000)
        await duel.send(ann_c, type="answer", question=index, answer="R")
        await duel.send(ben_c, type="answer", question=index, answer="W" if index == 0 else "R")
        assert duel.runner.state.phase is Phase.REVEAL
        await duel.advance(AUTO_ADVANCE_PAUSE_MS)
    assert duel.runner.state.phase is Phase.FINISHED
    winner = ann.of("welcome")[0]["player"]["id"]
    assert ann.last("finished")["winner"] == winner and ann.last("finished")["forfeited"] == []
    assert ann.last("result")["outcome"] == "won" and ben.last("result")["outcome"] == "lost"
    game = duel.finished
    assert game.kind == "duel" and game.winner == winner
    assert {p.nickname: p.response_ms > 0 for p in game.players} == {"Ann": True, "Ben": True}


async def test_a_player_who_leaves_mid_duel_forfeits_and_the_other_wins() -> None:
    duel, (ann_c, ann), (ben_c, ben) = await two_players()
    await duel.send(ann_c, type="answer", question=0, answer="R")
    await duel.send(ann_c, type="leave")
    assert duel.runner.state.phase is Phase.FINISHED
    ben_id = ben.of("welcome")[0]["player"]["id"]
    assert ben.last("finished")["winner"] == ben_id and ben.last("result")["outcome"] == "won"
    assert {p.nickname: p.forfeited for p in duel.finished.players} == {"Ann": True, "Ben": False}
    assert duel.finished.winner == ben_id


async def test_a_player_away_past_the_drop_grace_forfeits() -> None:
    duel, (ann_c, ann), (ben_c, ben) = await two_players()
    await duel.a.disconnected(ann_c)
    await duel.advance(DROP_GRACE_MS - 1)
    assert duel.runner.state.phase is Phase.QUESTION
    await duel.advance(1)
    assert duel.runner.state.phase is Phase.FINISHED
    assert duel.finished.winner == ben.of("welcome")[0]["player"]["id"]


async def test_a_player_back_within_the_grace_plays_on() -> None:
    duel, (ann_c, ann), (ben_c, ben) = await two_players()
    await duel.a.disconnected(ann_c)
    await duel.advance(DROP_GRACE_MS - 1)
    back = Connection(FakePeer(duel.clock), address="10.0.0.1")
    duel.a.connect(back)
    await duel.send(back, type="resume", token=ann.of("welcome")[0]["resume_token"], last_seq=0)
    await duel.advance(DROP_GRACE_MS * 3)
    assert duel.runner.state.phase is not Phase.FINISHED


async def test_a_bot_plays_its_seat_and_the_human_earns_reduced_xp() -> None:
    duel = Duel()
    runner = await duel.open()
    bot = await runner.seat_bot("Bot", 1400)
    await duel.join("Ann", user_id=5)
    await duel.advance(AUTOSTART_COUNTDOWN_MS)
    for _ in QUIZ:
        await duel.advance(LIMIT_MS + SLACK_MS)  # Ann never answers; the bot does, within the limit
        await duel.advance(AUTO_ADVANCE_PAUSE_MS)
    game = duel.finished
    bot_outcome = next(p for p in game.players if p.bot)
    ann = next(p for p in game.players if not p.bot)
    assert game.winner == (bot.id if bot_outcome.score > 0 else None)  # 0 to 0 is a draw
    assert bot_outcome.user_id is None and bot_outcome.xp_gained == 0
    assert ann.xp_gained == int(100 * BOT_DUEL_XP_SHARE)
    assert {a.player_id for a in game.answers} == {bot.id}  # three bot answers, each with a receipt
    assert len(game.answers) == len(QUIZ) and all(a.receipt.credited_ms > 0 for a in game.answers)


async def test_a_bot_question_closes_as_soon_as_the_human_and_the_bot_have_answered() -> None:
    duel = Duel()
    runner = await duel.open()
    await runner.seat_bot("Bot", 2000)
    ann_c, ann = await duel.join("Ann")
    await duel.advance(AUTOSTART_COUNTDOWN_MS)
    await duel.send(ann_c, type="answer", question=0, answer="R")
    await duel.advance(LIMIT_MS - 300)  # the bot answers within its time limit
    assert duel.runner.state.phase is Phase.REVEAL


async def test_a_new_owner_keeps_playing_the_bot() -> None:
    duel = Duel()
    runner = await duel.open()
    bot = await runner.seat_bot("Bot", 1400)
    ann_c, ann = await duel.join("Ann")
    await duel.advance(AUTOSTART_COUNTDOWN_MS)
    runner.stand_down()  # node a dies as question 0 opens; its edge (Ann's socket) stays
    duel.clock.advance(2_000)
    await duel.b.sweep()
    await duel.settle()
    assert isinstance(duel.b.runners[PIN], DuelRunner)
    await duel.a.edges[PIN].announce()  # a's edge tells the new owner Ann is here
    await duel.settle()
    await duel.advance(LIMIT_MS + SLACK_MS)
    assert await duel.store.has_answered(PIN, 0, bot.id)
    assert duel.runner.state.phase is Phase.REVEAL and duel.runner.state.players[bot.id].bot_rating == 1400
