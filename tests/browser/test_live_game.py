"""A whole live game in Chromium: a host page and three player pages (one a 360 px phone, one driven
by the keyboard alone) play every question kind against the real server; one player's network
drops (and later the server cuts its socket) and it resumes by itself; the host reloads its page
and takes its seat back; a fourth player is kicked and cannot get back in."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import PASSWORD, PHONE, Pages, Site, screenshot_dir

pytestmark = pytest.mark.browser

QUIZ: dict[str, Any] = {
    "title": "Space & Science Night",
    "description": "One question of every kind.",
    "tags": ["science"],
    "published": False,
    "questions": [
        {"kind": "single", "text": "Which planet is known as the Red Planet?", "time_limit": 60,
         "options": [{"text": "Venus", "correct": False}, {"text": "Mars", "correct": True},
                     {"text": "Jupiter", "correct": False}, {"text": "Mercury", "correct": False}]},
        {"kind": "multiple", "text": "Which of these are noble gases?", "time_limit": 60,
         "options": [{"text": "Helium", "correct": True}, {"text": "Neon", "correct": True},
                     {"text": "Oxygen", "correct": False}, {"text": "Nitrogen", "correct": False}]},
        {"kind": "true_false", "text": "Sound travels faster in water than in air.", "time_limit": 60,
         "correct": True},
        {"kind": "type", "text": "Which ocean is the largest?", "time_limit": 120,
         "accepted": ["Pacific", "Pacific Ocean"]},
        {"kind": "slider", "text": "At what temperature (°C) does water boil at sea level?", "time_limit": 60,
         "min": 0, "max": 200, "step": 1, "correct": 100, "tolerance": 5},
        {"kind": "ordering", "text": "Order these planets from the Sun outwards", "time_limit": 120,
         "options": [{"text": "Mercury"}, {"text": "Venus"}, {"text": "Earth"}, {"text": "Mars"}]},
        {"kind": "poll", "text": "Which would you rather visit?", "time_limit": 60, "points": 0,
         "options": [{"text": "The Moon"}, {"text": "Mars"}, {"text": "Europa"}]},
    ],
}
PLANETS = ["Mercury", "Venus", "Earth", "Mars"]
SNEAKY = "<img src=/x onerror=a()>"  # a nickname that must show as text, never become markup


# --- helpers ---------------------------------------------------------------------------------


async def choose(page: Page, text: str) -> None:
    """Taps the answer button whose label ends with `text` (labels are "Shape: text")."""
    await page.get_by_role("button", name=re.compile(rf": {re.escape(text)}$")).click()


FOCUSED_LABEL = """() => {
  const a = document.activeElement;
  return a ? (a.getAttribute("aria-label") || a.textContent || "").trim() : "";
}"""


async def tab_to(page: Page, name: str) -> None:
    """Moves keyboard focus forward until it reaches the control named `name` (keyboard only)."""
    for _ in range(20):
        label = await page.evaluate(FOCUSED_LABEL)
        if label == name:
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {name!r} with the Tab key")


async def order_labels(page: Page) -> list[str]:
    return [text.strip() for text in await page.locator(".order-item .label").all_inner_texts()]


async def order_by_keyboard(page: Page, wanted: list[str]) -> None:
    """Space picks an item up, arrows move it, Space drops it."""
    for target, text in enumerate(wanted):
        current = (await order_labels(page)).index(text)
        if current == target:
            continue
        item = page.locator(".order-item").nth(current)
        await item.focus()
        await page.keyboard.press("Space")
        for _ in range(current - target):
            await page.keyboard.press("ArrowUp")
        await page.keyboard.press("Space")
    assert await order_labels(page) == wanted


async def order_by_drag(page: Page, wanted: list[str]) -> None:
    """Drags each item by its grip to its place (pointer events, as a finger or a mouse would)."""
    for target, text in enumerate(wanted):
        current = (await order_labels(page)).index(text)
        if current == target:
            continue
        grip = await page.locator(".order-item .grip").nth(current).bounding_box()
        goal = await page.locator(".order-item").nth(target).bounding_box()
        assert grip and goal
        await page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
        await page.mouse.down()
        await page.mouse.move(grip["x"] + grip["width"] / 2, goal["y"] + goal["height"] * 0.25, steps=8)
        await page.mouse.up()
    assert await order_labels(page) == wanted


async def order_by_buttons(page: Page, wanted: list[str]) -> None:
    for target, text in enumerate(wanted):
        current = (await order_labels(page)).index(text)
        for _ in range(current - target):
            await page.get_by_role("button", name=f"Move {text} up").click()
    assert await order_labels(page) == wanted


async def score_of(page: Page) -> str:
    return (await page.locator("#me .pill.score").inner_text()).strip()


async def verdict(page: Page, text: str) -> None:
    await expect(page.locator(".verdict .title")).to_have_text(text)


async def until(condition: Callable[[], bool], what: str, timeout_s: float = 10) -> None:
    """Polls a server-side condition (the page side has Playwright's own waiting)."""
    for _ in range(int(timeout_s / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def assert_fits(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


async def player_id(page: Page) -> str:
    return await page.evaluate("() => JSON.parse(sessionStorage.getItem('quizarena.player')).playerId")


# --- the game --------------------------------------------------------------------------------


async def test_whole_game_with_a_drop_a_reload_and_a_kick(site: Site, pages: Pages, tmp_path: Path) -> None:
    shots = screenshot_dir(tmp_path)
    # As `quizarena serve --host 0.0.0.0` on a laptop whose LAN address is 192.168.1.23: the lobby
    # shows that address (the players here still use the test server's own).
    site.app.state.settings = replace(site.app.state.settings, lan_address="192.168.1.23")
    auth = await site.sign_up("quizhost")
    await site.create_quiz(auth, QUIZ)

    # The host signs in on the page, picks their quiz, keeps the default options and opens the game.
    host = await pages.open("host", "/host")
    await host.get_by_label("Username").fill("quizhost")
    await host.get_by_label("Password").fill(PASSWORD)
    await host.get_by_role("button", name="Sign in").click()
    await host.get_by_role("button", name="Host “Space & Science Night”").click()
    await expect(host.get_by_role("heading", name="Game options")).to_be_visible()
    await host.get_by_role("button", name="Create game").click()
    await expect(host.locator("#pin")).to_have_text(re.compile(r"^\d{6}$"))
    pin = (await host.locator("#pin").inner_text()).strip()
    qr = host.get_by_role("img", name=re.compile("QR code to join"))
    await expect(qr).to_be_visible()
    assert await qr.evaluate("img => img.complete && img.naturalWidth > 0")

    # Alice on a phone follows the join link (the PIN is filled in) and presses Enter.
    alice = await pages.open("alice", f"/play?pin={pin}", viewport=PHONE, has_touch=True)
    await expect(alice.get_by_label("Game PIN")).to_have_value(pin)
    await expect(alice.get_by_label("Nickname")).to_be_focused()
    await alice.get_by_label("Nickname").fill("Alice")
    await alice.get_by_label("Nickname").press("Enter")
    await expect(alice.get_by_role("heading", name="You're in!")).to_be_visible()

    # Bob uses the keyboard alone, from typing the PIN to every answer.
    bob = await pages.open("bob", "/play", viewport={"width": 1024, "height": 768})
    await expect(bob.get_by_label("Game PIN")).to_be_focused()
    await bob.keyboard.type(pin)
    await bob.keyboard.press("Tab")
    await bob.keyboard.type("Bob")
    await bob.keyboard.press("Enter")
    await expect(bob.get_by_role("heading", name="You're in!")).to_be_visible()

    # Chloé starts from the landing page's PIN box.
    chloe = await pages.open("chloe", "/", viewport={"width": 412, "height": 860})
    await chloe.get_by_label("Game PIN").fill(pin)
    await chloe.get_by_role("button", name="Join").click()
    await expect(chloe).to_have_url(re.compile(rf"/play\?pin={pin}$"))
    await chloe.get_by_label("Nickname").fill("Chloé")
    await chloe.get_by_label("Nickname").press("Enter")
    await expect(chloe.get_by_role("heading", name="You're in!")).to_be_visible()

    # Mallory: a wrong PIN, a taken nickname, then in; kicked; then the room is locked.
    mallory = await pages.open("mallory", "/play")
    mallory_sockets: list[Any] = []
    mallory.on("websocket", lambda socket: mallory_sockets.append(socket))
    wrong_pin = "000000" if pin != "000000" else "111111"
    await mallory.get_by_label("Game PIN").fill(wrong_pin)
    await mallory.get_by_label("Nickname").fill("Mallory")
    await mallory.get_by_role("button", name="Join").click()
    await expect(mallory.locator("#pin-error")).to_have_text(
        "No game with that PIN is running. Check the big screen."
    )
    await mallory.get_by_label("Game PIN").fill(pin)
    await mallory.get_by_label("Nickname").fill("ALICE")  # nicknames collide regardless of case
    await mallory.get_by_role("button", name="Join").click()
    await expect(mallory.locator("#nick-error")).to_have_text(re.compile("already has that nickname"))
    await mallory.get_by_label("Nickname").fill(SNEAKY)
    await mallory.get_by_role("button", name="Join").click()
    await expect(mallory.get_by_role("heading", name="You're in!")).to_be_visible()
    await expect(mallory.locator("#me .pill").first).to_have_text(SNEAKY)

    await expect(host.locator("#players li")).to_have_count(4)
    await expect(host.locator("#player-count")).to_have_text("4 players")
    await expect(host.locator("#players")).to_contain_text(SNEAKY)  # shown as text, not markup
    await host.get_by_role("button", name=f"Remove {SNEAKY}").click()
    await host.get_by_role("dialog").get_by_role("button", name="Remove").click()
    await expect(mallory.get_by_text("The host removed you from this game.").first).to_be_visible()
    await expect(host.locator("#players li")).to_have_count(3)
    assert len(mallory_sockets) == 3  # one per join attempt
    await mallory.wait_for_timeout(1500)  # longer than the reconnect backoff: a kicked page stays away
    assert len(mallory_sockets) == 3

    await host.get_by_role("button", name="Lock", exact=True).click()
    await expect(host.get_by_text("The room is locked")).to_be_visible()
    await mallory.get_by_label("Game PIN").fill(pin)
    await mallory.get_by_label("Nickname").fill("Mallory again")
    await mallory.get_by_role("button", name="Join").click()
    await expect(mallory.locator("#nick-error")).to_have_text(
        "The host has locked this game — no new players."
    )
    await host.get_by_role("button", name="Unlock", exact=True).click()
    await expect(host.get_by_text("The room is locked")).to_be_hidden()
    await expect(host.locator("#player-count")).to_have_text("3 players")
    await host.screenshot(path=str(shots / "host-lobby.png"))

    # Q1, single choice.
    await host.get_by_role("button", name="Start").click()
    for page in (alice, bob, chloe):
        await expect(page.locator("#q-title")).to_have_text("Which planet is known as the Red Planet?")
    await expect(alice.locator(".countdown .secs")).to_have_text(re.compile(r"^(60|59|58|57)$"))
    await alice.screenshot(path=str(shots / "phone-question.png"))
    await assert_fits(alice)
    await choose(alice, "Mars")
    await expect(alice.get_by_text("Answer locked in!")).to_be_visible()
    await expect(host.locator("#answer-n")).to_have_text("1")
    await expect(host.locator("#answer-of")).to_have_text("of 3 answered")
    await expect(bob.get_by_role("button", name="Triangle: Venus")).to_be_focused()
    await bob.keyboard.press("1")  # Venus
    await choose(chloe, "Mars")
    await expect(host.locator(".chart")).to_be_visible()
    await verdict(alice, "Correct!")
    await verdict(bob, "Not this time")
    await verdict(chloe, "Correct!")
    await expect(alice.locator(".board li.me")).to_contain_text("Alice")
    await expect(host.locator(".chart .col")).to_have_count(4)
    await expect(host.locator("#board-slot .board li")).to_have_count(3)
    await host.screenshot(path=str(shots / "host-reveal.png"))
    await alice.screenshot(path=str(shots / "phone-result.png"), full_page=True)
    await assert_fits(alice)
    await alice.get_by_text("Timing receipt").click()
    # The page answers the server's pings at once, so the server measured its round trip.
    await expect(alice.locator("details.receipt dl")).to_contain_text(re.compile(r"Round trip\s*\d+ ms"))

    # Q2, multiple select: all of it, part of it, and one wrong pick among the right ones.
    await host.get_by_role("button", name="Next question").click()
    await expect(alice.locator("#q-title")).to_have_text("Which of these are noble gases?")
    await choose(alice, "Helium")
    await choose(alice, "Neon")
    await alice.get_by_role("button", name="Submit 2 answers").click()
    await expect(bob.get_by_role("button", name="Triangle: Helium")).to_be_focused()
    await bob.keyboard.press("1")
    await tab_to(bob, "Submit 1 answer")
    await bob.keyboard.press("Enter")
    for text in ("Helium", "Neon", "Oxygen"):
        await choose(chloe, text)
    await chloe.get_by_role("button", name="Submit 3 answers").click()
    await verdict(alice, "Correct!")
    await verdict(bob, "Partly right")
    await verdict(chloe, "Partly right")

    # The host reloads its page during the reveal and takes its seat back: the screen shows the same
    # question, answer, chart and scoreboard as before, then goes on.
    await expect(host.locator("#board-slot .board li")).to_have_count(3)
    before = await host.locator("main").inner_text()
    assert "Which of these are noble gases?" in before and "Helium" in before
    await host.reload()
    await expect(host.get_by_role("button", name="Next question")).to_be_visible()
    await expect(host.locator("#board-slot .board li")).to_have_count(3)
    await expect(host.locator("#reveal-title")).to_have_text("Which of these are noble gases?")
    await expect(host.locator(".solution .chip")).to_have_text(["Helium", "Neon"])
    await expect(host.locator(".chart .col")).to_have_count(4)
    assert await host.locator("main").inner_text() == before

    # Q3, true or false.
    await host.get_by_role("button", name="Next question").click()
    await expect(bob.locator("#q-title")).to_have_text("Sound travels faster in water than in air.")
    await alice.get_by_role("button", name="True").click()
    await expect(bob.get_by_role("button", name="True")).to_be_focused()
    await bob.keyboard.press("Enter")
    await chloe.get_by_role("button", name="False").click()
    await verdict(alice, "Correct!")
    await verdict(bob, "Correct!")
    await verdict(chloe, "Not this time")

    # A reload on the player's side resumes too, score and all.
    bob_score = await score_of(bob)
    await bob.reload()
    await verdict(bob, "Correct!")
    await expect(bob.locator("#me .pill.score")).to_have_text(bob_score)

    # Q4, type the answer. Chloé's network drops while the question is open; she comes back by
    # herself with her score, is told the question is still open, and answers in time.
    await host.get_by_role("button", name="Next question").click()
    await expect(chloe.locator("#q-title")).to_have_text("Which ocean is the largest?")
    chloe_score = await score_of(chloe)
    await chloe.context.set_offline(True)
    await expect(chloe.locator("#conn")).to_have_text(re.compile("You're offline"))
    await chloe.context.set_offline(False)
    await expect(chloe.locator("#conn")).to_contain_text("You're back in the game!")
    await expect(chloe.locator("#conn")).to_contain_text(f"Your score is safe: {chloe_score}.")
    await expect(chloe.locator("#conn")).to_contain_text("The question is still open")
    await expect(chloe.locator("#me .pill.score")).to_have_text(chloe_score)
    await chloe.get_by_label("Your answer").fill("Pacific")
    await chloe.get_by_label("Your answer").press("Enter")
    await expect(chloe.get_by_text("Answer locked in!")).to_be_visible()
    await alice.get_by_label("Your answer").fill("pacific ocean")
    await alice.get_by_label("Your answer").press("Enter")
    await expect(bob.get_by_label("Your answer")).to_be_focused()
    await bob.keyboard.type("Atlantic")
    await bob.keyboard.press("Enter")
    await verdict(alice, "Correct!")
    await verdict(bob, "Not this time")
    await verdict(chloe, "Correct!")
    # The host accepts Bob's answer after the reveal: he is rescored at once.
    bob_score = await score_of(bob)
    await host.get_by_role("button", name="Accept “atlantic” as correct").click()
    await verdict(bob, "Correct!")
    await expect(bob.locator("#me .pill.score")).not_to_have_text(bob_score)
    await expect(host.get_by_role("button", name="Accept “atlantic” as correct")).to_have_count(0)

    # The server closes Chloé's socket (1013: go away and come back); she resumes by herself.
    edge = site.app.state.node.edges[pin]
    chloe_id = await player_id(chloe)
    cut = edge.players[chloe_id]
    await cut.close(1013, "going away")
    await until(lambda: edge.players.get(chloe_id) not in (None, cut), "Chloé's page to resume")
    await verdict(chloe, "Correct!")

    # Q5, slider: End and arrow keys on the phone, Home on the keyboard. Chloé is offline this time until
    # the question has closed without her: she is told she missed it, and keeps her score.
    await host.get_by_role("button", name="Next question").click()
    await expect(chloe.locator("#q-title")).to_have_text(re.compile("boil at sea level"))
    chloe_score = await score_of(chloe)
    await chloe.context.set_offline(True)
    await expect(chloe.locator("#conn")).to_have_text(re.compile("You're offline"))
    # The server learns of the drop from the socket (Chromium usually closes it at once; a phone
    # out of signal may take longer), so the question does not wait for her.
    gone = edge.players.get(chloe_id)
    if gone is not None:
        await site.app.state.node.disconnected(gone)
    await expect(alice.locator(".slider-value")).to_have_text("0")  # the minimum: the start tells nothing
    await alice.locator("#slider").press("End")
    for _ in range(97):
        await alice.locator("#slider").press("ArrowLeft")
    await expect(alice.locator(".slider-value")).to_have_text("103")
    await alice.get_by_role("button", name="Submit").click()
    await expect(bob.locator("#slider")).to_be_focused()
    await bob.keyboard.press("Home")
    await tab_to(bob, "Submit")
    await bob.keyboard.press("Enter")
    await verdict(alice, "Correct!")
    await verdict(bob, "Not this time")
    await expect(host.get_by_role("button", name="Next question")).to_be_visible()
    await chloe.context.set_offline(False)
    await expect(chloe.locator("#conn")).to_contain_text("Question 5 closed while you were away.")
    await verdict(chloe, "No answer")
    await expect(chloe.locator("#me .pill.score")).to_have_text(chloe_score)

    # Q6, ordering: dragged on the phone, the keyboard's pick-up-and-move, and the arrow buttons.
    await host.get_by_role("button", name="Next question").click()
    await expect(alice.locator("#q-title")).to_have_text("Order these planets from the Sun outwards")
    await assert_fits(alice)
    await order_by_drag(alice, PLANETS)
    await alice.get_by_role("button", name="Lock in this order").click()
    await order_by_keyboard(bob, PLANETS)
    await tab_to(bob, "Lock in this order")
    await bob.keyboard.press("Enter")
    await order_by_buttons(chloe, PLANETS)
    await chloe.get_by_role("button", name="Lock in this order").click()
    for page in (alice, bob, chloe):
        await verdict(page, "Correct!")

    # Q7, a poll, then the podium.
    await host.get_by_role("button", name="Next question").click()
    await expect(alice.locator("#q-title")).to_have_text("Which would you rather visit?")
    await choose(alice, "Mars")
    await bob.keyboard.press("3")
    await choose(chloe, "The Moon")
    for page in (alice, bob, chloe):
        await verdict(page, "Vote counted")
    await expect(host.locator(".chart .col")).to_have_count(3)
    await host.get_by_role("button", name="Show the podium").click()

    await expect(host.get_by_role("heading", name="The podium")).to_be_visible()
    await expect(host.locator(".podium .who")).to_have_count(3)
    for page in (alice, bob, chloe):
        await expect(page.get_by_role("heading", name="Game over!")).to_be_visible()
        await expect(page.get_by_text(re.compile(r"You finished \d+(st|nd|rd|th) with"))).to_be_visible()
    await expect(alice.locator(".podium .place.me")).to_have_count(1)
    await host.screenshot(path=str(shots / "podium.png"))
    await alice.screenshot(path=str(shots / "phone-podium.png"))
    await assert_fits(alice)

    download_button = host.get_by_role("button", name="Download results (CSV)")
    if any(getattr(route, "path", "") == "/games/{id:int}/export" for route in site.app.routes):
        async with host.expect_download() as download_info:
            await download_button.click()
        download = await download_info.value
        assert download.suggested_filename.endswith(".csv")
        csv_text = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8")
        assert "Alice" in csv_text and "Bob" in csv_text
    else:  # GET /games/{id}/export comes with the results work (issue 4); until then the page says so
        pages.allow_status(404)
        await download_button.click()
        await expect(host.locator("#download-note")).to_have_text(
            "Results export isn't available on this server yet."
        )

    for page in (alice, bob, chloe, host):
        await expect(page.locator("#conn")).not_to_have_class(re.compile("error"))
    pages.assert_clean()
