"""The pages through a failover: while a room moves to another server its resume is refused with
`unavailable`; the player's page and the host's page keep their seats and come back by themselves
(they must not fall back to the join form or the host setup)."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from rooms.core.events import RoomError
from tests.browser.conftest import PHONE, Pages, Site, host_seat
from tests.browser.test_live_game import player_id, until

QUIZ: dict[str, Any] = {
    "title": "Moving rooms",
    "published": True,
    "questions": [
        {
            "kind": "single",
            "text": "Capital of France?",
            "time_limit": 60,
            "options": [{"text": "Paris", "correct": True}, {"text": "Lyon"}],
        },
    ],
}


class Moving:
    """An owner that answers `unavailable` to the next seats, as a room moving to another node does."""

    def __init__(self, node: Any, refusals: int):
        self._node, self._owner, self.refusals = node, node.owner, refusals

    def __call__(self, pin: str) -> Any:
        owner = self._owner(pin)
        if self.refusals <= 0:
            return owner
        moving = self

        class Refusing:
            def __getattr__(self, name: str) -> Any:
                return getattr(owner, name)

            async def seat(self, player_id: str) -> Any:
                moving.refusals -= 1
                raise RoomError("unavailable", "This room is moving to another server; try again")

            async def seat_host(self) -> Any:
                moving.refusals -= 1
                raise RoomError("unavailable", "This room is moving to another server; try again")

        return Refusing()


async def test_a_player_and_a_host_keep_their_seats_through_a_refused_resume(
    site: Site, pages: Pages
) -> None:
    host, game = await host_seat(site, pages, "mover", QUIZ)
    player = await pages.open("ann", f"/play?pin={game['pin']}", viewport=PHONE)
    await player.get_by_label("Nickname").fill("Ann")
    await player.get_by_label("Nickname").press("Enter")
    await expect(player.get_by_role("heading", name="You're in!")).to_be_visible()
    node = site.app.state.node
    edge = node.edges[game["pin"]]
    ann_id = await player_id(player)
    seated, host_seated = edge.players[ann_id], edge.host

    node.owner = Moving(node, refusals=2)  # each page's first resume is refused
    await seated.close(1013, "going away")
    await host_seated.close(1013, "going away")
    await until(lambda: edge.players.get(ann_id) not in (None, seated), "Ann's page to resume")
    await until(lambda: edge.host not in (None, host_seated), "the host page to resume")
    assert node.owner.refusals == 0
    await expect(player.get_by_role("heading", name="You're in!")).to_be_visible()  # not the join form
    await host.get_by_role("button", name=re.compile("^Start")).click()
    await expect(player.locator("#q-title")).to_have_text("Capital of France?")
