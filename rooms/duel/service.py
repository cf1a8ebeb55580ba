"""Duels on a node: the `queue`, `leave` and `rematch` frames of its sockets, the matcher's rounds
(run by one node at a time, over the shared `SeekerPool`), and the opening of each duel's room.

A match opens its room on the matcher's node, which takes both seats at once (a bot's too) and
sends each player's node a `Delivery` over the bus: that node sends `matched` to the socket and
seats it in the room (`welcome` follows). A seat whose socket never arrives forfeits after the drop
grace, like any player who stays away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rooms.bus.base import Subscription
from rooms.core import codec, envelope
from rooms.core.clock import Handle
from rooms.core.events import RoomError
from rooms.core.nicknames import MAX_NICKNAME_CHARS, BadNickname, clean_nickname, nickname_key
from rooms.core.protocol import Frame, Queue
from rooms.core.settings import GameSettings
from rooms.core.state import Account, Phase
from rooms.duel.matchmaking import Match, MatchRules, Seeker, duel_quiz, match_round, revenge_of
from rooms.duel.pool import SeekerPool
from rooms.duel.ports import DUEL_QUESTIONS, GUEST_RATING, DuelGames, DuelQuestions, DuelQuiz, RatingSource
from rooms.duel.runner import DuelRunner
from rooms.edge.connection import Connection, hash_token
from rooms.node import NewRoom, RoomNode

if TYPE_CHECKING:
    from rooms.edge.edge import RoomEdge

log = logging.getLogger(__name__)

DUEL_SETTINGS = GameSettings(autostart=2, late_join=False, max_players=2, top_n=2)
MATCH_TICK_MS = 250  # how often the matcher looks at the queue
MATCHER_LEASE_MS = 3_000  # the matcher's role lapses this long after its node stops renewing it
OPENING_BATCH = 50  # duels whose game rows one transaction writes (then their rooms open, in order)
QUIZ_CHECK_TTL_MS = 60_000  # a quiz found playable is not looked up again for `queue` this long
BOT_NAMES = ("Ada", "Blaise", "Curie", "Dirac", "Euler", "Fermi", "Gauss", "Hopper", "Kepler", "Noether")
CLOSE_NORMAL, CLOSE_GOING_AWAY = 1000, 1013


@dataclass(frozen=True, slots=True)
class DuelSetup:
    """What a node needs to serve duels: the sources of ratings, questions and game rows (`server/`
    wires the database's), the shared queue and the matchmaking rules."""

    ratings: RatingSource
    questions: DuelQuestions
    games: DuelGames
    pool: SeekerPool
    rules: MatchRules = MatchRules()


@dataclass(frozen=True, slots=True)
class Delivery:
    """From the matcher to a seeker's node: their seat in a new duel, or why there is none."""

    ticket: str
    pin: str = ""
    player_id: str = ""
    resume_token: str = ""
    opponent: dict[str, Any] = field(default_factory=dict)
    error: tuple[str, str] | None = None


Picks = dict[int | None, "asyncio.Future[DuelQuiz | None]"]


def delivery_channel(node_id: str) -> str:
    return f"duel:node:{node_id}"


class DuelService:
    """This node's duel queue sockets and, while it leads, the matcher."""

    def __init__(self, node: RoomNode, setup: DuelSetup):
        self._node, self._setup, self._clock = node, setup, node.clock
        self._waiting: dict[str, Connection] = {}  # ticket -> socket, for seekers on this node
        self._tickets: dict[Connection, str] = {}
        self._subscription: Subscription | None = None
        self._timer: Handle | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._round: asyncio.Task[None] | None = None
        self._playable: dict[int, tuple[int, asyncio.Future[bool]]] = {}  # quiz id -> (checked at, check)
        self._failing = False  # the last round failed (logged once until one works again)

    # --- life ------------------------------------------------------------------------------------

    async def start(self) -> None:
        channel = delivery_channel(self._node.node_id)
        self._subscription = await self._node.bus.subscribe(channel, self._on_delivery_message)
        with contextlib.suppress(Exception):  # the queue's store may be away at start: every round beats
            await self._setup.pool.heartbeat(self._node.node_id, MATCHER_LEASE_MS)
        self._tick()

    def _tick(self) -> None:
        self._timer = self._clock.call_at(self._clock.now_ms() + MATCH_TICK_MS, self._fire)

    def _fire(self) -> None:
        if self._round is None or self._round.done():  # a slow round is never overlapped
            self._round = asyncio.get_running_loop().create_task(self._match_safely())
        self._tick()

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._round is not None:
            self._round.cancel()
        if self._subscription is not None:
            await self._subscription.close()
        for ticket, connection in list(self._waiting.items()):
            await self._setup.pool.remove(ticket)
            await connection.close(CLOSE_GOING_AWAY, "server going away; queue again")
        self._waiting.clear()
        self._tickets.clear()

    async def idle(self) -> None:
        """Wait for the round and the duel openings under way (tests use this)."""
        while (self._round is not None and not self._round.done()) or self._tasks:
            if self._round is not None:
                await self._round
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- sockets ---------------------------------------------------------------------------------

    async def queue(self, connection: Connection, frame: Queue, account: Account | None) -> None:
        """A socket's first frame `queue`: into the queue, answered with `queued`."""
        try:
            nickname = clean_nickname(frame.nickname)
        except BadNickname as exc:
            raise RoomError("bad_request", str(exc)) from None
        if frame.revenge and account is None:
            raise RoomError("unauthorized", "A revenge duel needs a signed-in account (`token`)")
        if frame.quiz is not None and not await self._is_playable(frame.quiz):
            raise RoomError("not_found", "No published quiz with that id")
        rating = await self._rating(account)
        seeker = Seeker(
            ticket=secrets.token_urlsafe(12),
            node=self._node.node_id,
            nickname=nickname,
            rating=rating,
            since_ms=self._clock.now_ms(),
            quiz=frame.quiz,
            user_id=account.user_id if account else None,
            xp=account.xp if account else 0,
            revenge=frame.revenge,
        )
        await self._enqueue(connection, seeker)
        connection.role = "seeker"
        await connection.send_frame(
            {
                "type": "queued",
                "rating": rating,
                "since": seeker.since_ms,
                "bot_after_ms": self._setup.rules.bot_after_ms,
            }
        )

    async def _is_playable(self, quiz_id: int) -> bool:
        """Whether `quiz_id` is a published quiz with questions. A burst of `queue` frames for one quiz
        shares one lookup (also while it runs), kept for a minute when the quiz was found."""
        now = self._clock.now_ms()
        checked = self._playable.get(quiz_id)
        if checked is None or now - checked[0] >= QUIZ_CHECK_TTL_MS:
            check = asyncio.ensure_future(self._lookup(quiz_id))
            checked = self._playable[quiz_id] = (now, check)
        try:
            found = await asyncio.shield(checked[1])
        except Exception:
            self._playable.pop(quiz_id, None)  # failed: ask again next time
            raise
        if not found:
            self._playable.pop(quiz_id, None)  # it may be published later
        return found

    async def _lookup(self, quiz_id: int) -> bool:
        return await self._setup.questions.pick(quiz_id, 1) is not None

    async def _rating(self, account: Account | None) -> int:
        return GUEST_RATING if account is None else await self._setup.ratings.rating(account.user_id)

    async def _enqueue(self, connection: Connection, seeker: Seeker) -> None:
        if not await self._setup.pool.add(seeker):
            raise RoomError("wrong_state", "This account is already in the duel queue")
        self._waiting[seeker.ticket] = connection
        self._tickets[connection] = seeker.ticket

    async def seeker_frame(self, connection: Connection, frame: Frame) -> None:
        """A later frame from a socket still in the queue."""
        match frame.type:
            case "leave":
                await self._dequeue(connection)
                connection.gone = True
                await connection.close(CLOSE_NORMAL, "left the queue")
            case "answer":
                raise RoomError("wrong_state", "You are not in a duel yet: answers count once `matched` came")
            case "queue":
                raise RoomError("wrong_state", "This socket is already in the duel queue")
            case "pong":
                return
            case _:
                raise RoomError("bad_request", f"`{frame.type}` is not expected while in the duel queue")

    async def _dequeue(self, connection: Connection) -> None:
        ticket = self._tickets.pop(connection, None)
        if ticket is not None:
            self._waiting.pop(ticket, None)
            await self._setup.pool.remove(ticket)

    async def disconnected(self, connection: Connection) -> None:
        await self._dequeue(connection)

    async def rematch(self, connection: Connection, edge: RoomEdge) -> None:
        """A player of a finished duel offers to play again; when both have (or the opponent was the
        bot), both are matched into a new duel on the same quiz."""
        if edge.info.kind != "duel":
            raise RoomError("wrong_state", "Only a duel can be played again")
        if connection in self._tickets:
            raise RoomError("wrong_state", "You offered a rematch already")
        state = await self._node.store.load(edge.pin)
        if state is None or state.phase is not Phase.FINISHED:
            raise RoomError("wrong_state", "A rematch can be offered once the duel has ended")
        me = state.players[connection.player_id or ""]
        other = next(p for p in state.players.values() if p.id != me.id)
        account = me.account
        seeker = Seeker(
            ticket=secrets.token_urlsafe(12),
            node=self._node.node_id,
            nickname=me.nickname,
            rating=await self._rating(account),
            since_ms=self._clock.now_ms(),
            quiz=state.quiz_id,
            user_id=account.user_id if account else None,
            xp=account.xp if account else 0,
            rematch=edge.pin,
            rematch_bot=other.bot_rating,
        )
        await self._enqueue(connection, seeker)
        if other.bot_rating is None:  # the opponent's page can offer to accept
            offer = {other.id: {"type": "rematch", "from": me.nickname}}
            await self._node.bus.publish(envelope.channel(edge.pin), envelope.personal(offer))

    # --- the matcher -----------------------------------------------------------------------------

    async def _match_safely(self) -> None:
        try:
            await self.match()
        except Exception:  # the queue's store is away: the next tick tries again
            if not self._failing:
                log.exception("node %s: matchmaking rounds fail; retrying every tick", self._node.node_id)
            self._failing = True
            return
        if self._failing:
            log.warning("node %s: matchmaking rounds work again", self._node.node_id)
            self._failing = False

    async def match(self) -> None:
        """One round, when this node leads: pair, claim and open the duels; lapse old rematch offers."""
        pool = self._setup.pool
        await pool.heartbeat(self._node.node_id, MATCHER_LEASE_MS)
        if not self._node.accepting or not await pool.lead(self._node.node_id, MATCHER_LEASE_MS):
            return
        decided = match_round(await pool.seekers(), self._clock.now_ms(), self._setup.rules)
        for seeker in decided.lapsed:
            if await pool.claim([seeker.ticket]):
                await self._deliver(
                    seeker.node,
                    Delivery(seeker.ticket, error=("not_found", "Your opponent did not take the rematch")),
                )
        claimed = [match for match in decided.matches if await pool.claim(match.tickets)]
        picks: Picks = {}  # one pick per quiz a round
        for start in range(0, len(claimed), OPENING_BATCH):
            await self.open_duels(claimed[start : start + OPENING_BATCH], picks)

    async def _refuse(self, match: Match, code: str, message: str) -> None:
        for seeker in (match.first, match.second):
            if seeker is not None:
                await self._deliver(seeker.node, Delivery(seeker.ticket, error=(code, message)))

    async def _questions(self, match: Match, picks: Picks) -> DuelQuiz:
        revenge = revenge_of(match)
        questions = self._setup.questions
        if revenge is not None:
            quiz = await questions.missed(revenge, DUEL_QUESTIONS)
            if quiz is None:
                raise RoomError("not_found", "No missed questions to take revenge on yet: play a game first")
            return quiz
        # The duels of one round on one quiz share its pick: a burst of 1,000 matches reads it once.
        wanted = duel_quiz(match)
        if wanted not in picks:
            picks[wanted] = asyncio.ensure_future(questions.pick(wanted, DUEL_QUESTIONS))
        quiz = await asyncio.shield(picks[wanted])
        if quiz is None:
            raise RoomError("not_found", "No published quiz to duel on")
        return quiz

    async def open_duels(self, matches: Sequence[Match], picks: Picks) -> None:
        """Open these matches' duels on this node: their questions and PINs, one transaction for their
        game rows, then each room with every seat taken. A match that cannot be opened is refused."""
        node, ready = self._node, []
        for match in matches:
            try:
                ready.append((match, await self._questions(match, picks), await node.reserve_pin()))
            except RoomError as exc:
                await self._refuse(match, exc.code, exc.message)
            except Exception:  # draining, or the store is away
                log.exception("node %s: a duel could not be prepared", node.node_id)
                await self._refuse(match, "unavailable", "The duel could not be opened; queue again")
        if not ready:
            return
        try:
            game_ids = await self._setup.games.record_many(
                [(pin, quiz) for _, quiz, pin in ready], DUEL_SETTINGS
            )
        except Exception:
            log.exception("node %s: %d duels' game rows could not be written", node.node_id, len(ready))
            for match, _, pin in ready:
                await node.store.release_pin(pin)
                await self._refuse(match, "unavailable", "The duel could not be opened; queue again")
            return
        for (match, quiz, pin), game_id in zip(ready, game_ids, strict=True):
            try:
                await self._open_room(match, quiz, pin, game_id)
            except Exception:
                log.exception("node %s: duel %s could not be opened", node.node_id, pin)
                await self._refuse(match, "unavailable", "The duel could not be opened; queue again")

    async def _open_room(self, match: Match, quiz: DuelQuiz, pin: str, game_id: int) -> None:
        """The duel's room with every seat taken (a bot's too); each seat sent to its player's node."""
        node = self._node
        host_token = secrets.token_urlsafe(24)  # nobody hosts a duel: a token nobody holds
        room = NewRoom(
            game_id, quiz.title, DUEL_SETTINGS, quiz.questions, host_token, None, "duel", quiz.quiz_id
        )
        runner = await node.open_game(pin, room)
        assert isinstance(runner, DuelRunner)
        humans = [s for s in (match.first, match.second) if s is not None]
        bot_name = f"{secrets.choice(BOT_NAMES)} (bot)" if match.second is None else None
        names = _distinct_nicknames([*([bot_name] if bot_name else []), *(s.nickname for s in humans)])
        profiles: list[dict[str, Any]] = []
        if bot_name is not None:
            names = names[1:]  # the bot sits first: a person who calls themself "Ada (bot)" gets a number
            await runner.seat_bot(bot_name, match.bot_rating)
            profiles.append({"nickname": bot_name, "bot": True, "rating": match.bot_rating})
        seats = []
        for seeker, nickname in zip(humans, names, strict=True):
            token = secrets.token_urlsafe(24)
            account = None if seeker.user_id is None else Account(seeker.user_id, seeker.xp)
            seat = await runner.seat_player(nickname, account, hash_token(token))
            seats.append((seeker, seat.player_id or "", token))
            profile: dict[str, Any] = {"nickname": nickname, "bot": False}
            if seeker.user_id is not None:
                profile["rating"] = seeker.rating
            profiles.append(profile)
        for index, (seeker, player_id, token) in enumerate(seats):
            opponent = profiles[1 - index] if match.second is not None else profiles[0]
            await self._deliver(seeker.node, Delivery(seeker.ticket, pin, player_id, token, opponent))

    async def _deliver(self, node_id: str, delivery: Delivery) -> None:
        if node_id == self._node.node_id:
            self._spawn(self._on_delivery(delivery))
        else:
            await self._node.bus.publish(delivery_channel(node_id), codec.encode(delivery))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _on_delivery_message(self, message: bytes) -> None:
        self._spawn(self._on_delivery(codec.decode(message, Delivery)))

    async def _on_delivery(self, delivery: Delivery) -> None:
        """A seeker of this node was matched (or refused): `matched`, then the seat's `welcome`."""
        connection = self._waiting.pop(delivery.ticket, None)
        if connection is None or connection.closed:
            return  # gone meanwhile: the seat taken for them forfeits after the drop grace
        self._tickets.pop(connection, None)
        if delivery.error is not None:
            if connection.role == "seeker":
                connection.role = None  # back to the start: the socket may queue again
            await connection.error(*delivery.error)
            return
        try:
            await self._seat(connection, delivery)
        except RoomError as exc:
            await connection.error(exc.code, exc.message)

    async def _seat(self, connection: Connection, delivery: Delivery) -> None:
        previous = self._node.edges.get(connection.pin or "") if connection.role == "player" else None
        if previous is not None:  # a rematch: the socket moves on from the finished duel
            connection.gone = True
            await previous.depart(connection)
            connection.gone = False
        await connection.send_frame({"type": "matched", "pin": delivery.pin, "opponent": delivery.opponent})
        edge = await self._node.edge(delivery.pin)
        await edge.take_seat(connection, delivery.player_id, delivery.resume_token)


def serve_duels(node: RoomNode, setup: DuelSetup) -> DuelService:
    """Duels on `node`: its door takes `queue` frames from now on (started with the node)."""
    node.duels = DuelService(node, setup)
    return node.duels


def _distinct_nicknames(nicknames: list[str]) -> list[str]:
    """Two players with one nickname: the second gets a number (nicknames are unique in a room)."""
    if len(nicknames) == 2 and nickname_key(nicknames[0]) == nickname_key(nicknames[1]):
        return [nicknames[0], f"{nicknames[1][: MAX_NICKNAME_CHARS - 2]} 2"]
    return nicknames
