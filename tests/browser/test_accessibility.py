"""Every page against WCAG 2.1 AA with axe-core, and at a 360 px phone's width: signed out and signed
in (with a played game, so /me has badges and history), on a phone and on a desktop. No serious or
critical finding, no skipped heading level, no sideways scrolling, and a header that leaves the
phone's screen to the page."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
import websockets
from playwright.async_api import Page, expect

from tests.browser.a11y import axe_findings, blocking, describe, page_width
from tests.browser.conftest import DESKTOP, PHONE, Client, Pages, Site, screenshot_dir, ws_player

pytestmark = pytest.mark.browser

PAGES = ["/", "/play", "/duel", "/host", "/author", "/me", "/leaderboard", "/reports", "/assign", "/docs"]
# What each page shows once it has loaded (signed out / signed in), so axe sees the finished page.
READY = {
    "/": "h1", "/play": "#pin-input, input", "/duel": "main h1", "/host": "main h1",
    "/author": "main h1, main h2", "/me": "main h1", "/leaderboard": "main h1", "/reports": "main h1",
    "/assign": "main h1",
    "/docs": "#swagger .opblock",
}
QUIZ: dict[str, Any] = {
    "title": "Capitals for everyone",
    "published": True,
    "questions": [
        {"kind": "single", "text": "Capital of France?", "time_limit": 60,
         "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]},
    ],
}


async def played_game(site: Site) -> dict[str, str]:
    """A signed-in player ("pupil") who finished a game: returns their Authorization header."""
    host_auth = await site.sign_up("teacher")
    quiz_id = await site.create_quiz(host_auth, QUIZ)
    game = (await site.http.post("/games", json={"quiz_id": quiz_id}, headers=host_auth)).json()
    pupil = await site.sign_up("pupil")
    token = pupil["Authorization"].removeprefix("Bearer ")
    ws = await ws_player(site, game["pin"], "Guest")  # a second, anonymous player
    url = site.base_url.replace("http", "ws", 1) + "/ws"
    host_client = Client(await websockets.connect(url))
    await host_client.send(type="host", pin=game["pin"], token=game["host_token"])
    await host_client.expect("welcome")
    player_client = Client(await websockets.connect(url))
    await player_client.send(type="join", pin=game["pin"], nickname="Pupil", token=token)
    await player_client.expect("welcome")
    await host_client.send(type="start")
    for client, answer_index in ((player_client, 0), (ws, 1)):
        question = await client.expect("question")
        await client.send(type="answer", question=0, answer=question["options"][answer_index]["id"])
    await host_client.expect("reveal")
    await host_client.send(type="next")
    await host_client.expect("finished")
    for _ in range(100):  # the results reach the database through the outbox, a moment later
        me = (await site.http.get("/auth/me", headers=pupil)).json()
        if me["xp"] > 0:
            break
        await asyncio.sleep(0.1)
    for client in (host_client, player_client, ws):
        await client.close()
    return pupil


async def sign_in(page: Page, auth: dict[str, str]) -> None:
    token = auth["Authorization"].removeprefix("Bearer ")
    await page.evaluate(
        "t => localStorage.setItem('quizarena.session', JSON.stringify({access_token: t}))", token
    )


async def test_every_page_passes_axe_and_fits_a_phone(site: Site, pages: Pages) -> None:
    pupil = await played_game(site)
    problems: list[str] = []
    for signed_in in (False, True):
        for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page = await pages.open(f"{name}-{'in' if signed_in else 'out'}", "/", viewport=viewport)
            if signed_in:
                await sign_in(page, pupil)
            for path in PAGES:
                where = f"{path} ({name}, signed {'in' if signed_in else 'out'})"
                await page.goto(path)
                await page.locator(READY[path]).first.wait_for()
                await page.wait_for_load_state("networkidle")
                found = blocking(await axe_findings(page))
                if found:
                    problems.append(f"axe on {where}:\n{describe(found)}")
                if viewport is PHONE:
                    width = await page_width(page)
                    if width > PHONE["width"]:
                        problems.append(f"{where} is {width}px wide")
                    header = page.locator(".site-header")
                    if await header.count():
                        height = (await header.bounding_box() or {"height": 0})["height"]
                        if height > 80:
                            problems.append(f"{where}: the header takes {height:.0f}px of a 740px screen")
    assert not problems, "\n\n".join(problems)
    pages.assert_clean()


LIVE_QUIZ: dict[str, Any] = {
    "title": "Every kind, checked",
    "questions": [
        {"kind": "single", "text": "Capital of France?", "time_limit": 120,
         "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False},
                     {"text": "Nice", "correct": False}, {"text": "Lille", "correct": False}]},
        {"kind": "multiple", "text": "Which are noble gases?", "time_limit": 120,
         "options": [{"text": "Helium", "correct": True}, {"text": "Neon", "correct": True},
                     {"text": "Oxygen", "correct": False}]},
        {"kind": "true_false", "text": "Sound travels faster in water.", "time_limit": 120, "correct": True},
        {"kind": "type", "text": "Largest ocean?", "time_limit": 120, "accepted": ["Pacific"]},
        {"kind": "slider", "text": "Boiling point of water (°C)?", "time_limit": 120,
         "min": 0, "max": 200, "step": 1, "correct": 100, "tolerance": 5},
        {"kind": "ordering", "text": "Order from the Sun", "time_limit": 120,
         "options": [{"text": "Mercury"}, {"text": "Venus"}, {"text": "Earth"}]},
        {"kind": "poll", "text": "Favourite planet?", "time_limit": 120, "points": 0,
         "options": [{"text": "Mars"}, {"text": "Saturn"}]},
    ],
}


async def test_live_game_states_pass_axe(site: Site, pages: Pages) -> None:
    problems: list[str] = []

    async def check(page: Page, where: str, phone: bool = False) -> None:
        found = blocking(await axe_findings(page))
        if found:
            problems.append(f"axe on {where}:\n{describe(found)}")
        if phone and (width := await page_width(page)) > PHONE["width"]:
            problems.append(f"{where} is {width}px wide")

    auth = await site.sign_up("livehost")
    await site.create_quiz(auth, LIVE_QUIZ)
    host = await pages.open("host", "/", viewport=DESKTOP)
    await sign_in(host, auth)
    await host.goto("/host")
    await expect(host.get_by_role("button", name="Host “Every kind, checked”")).to_be_visible()
    await check(host, "the host's quiz list")
    await host.get_by_role("button", name="Host “Every kind, checked”").click()
    await expect(host.get_by_role("heading", name="Game options")).to_be_visible()
    await check(host, "the game options")
    await host.get_by_role("button", name="Create game").click()
    await expect(host.locator("#pin")).to_have_text(re.compile(r"^\d{6}$"))
    pin = (await host.locator("#pin").inner_text()).strip()
    await check(host, "the host's empty lobby (with the join-address warning)")

    player = await pages.open("player", f"/play?pin={pin}", viewport=PHONE, has_touch=True)
    await expect(player.get_by_label("Nickname")).to_be_focused()
    await check(player, "the join form", phone=True)
    await player.get_by_label("Nickname").fill("Ana")
    await player.get_by_label("Nickname").press("Enter")
    await expect(player.get_by_role("heading", name="You're in!")).to_be_visible()
    await check(player, "the player's lobby", phone=True)
    guest = await ws_player(site, pin, "Guest")  # never answers: each question waits for the host
    await expect(host.locator("#player-count")).to_have_text("2 players")
    await check(host, "the host's lobby")

    await host.get_by_role("button", name="Start").click()
    for index, question in enumerate(LIVE_QUIZ["questions"]):
        kind = question["kind"]
        await expect(player.locator("#q-title")).to_have_text(question["text"])
        await check(player, f"a {kind} question on the phone", phone=True)
        await check(host, f"a {kind} question on the host screen")
        if kind == "single":
            await player.locator(".answers .answer").first.click()
            await expect(player.locator("#answer-status")).to_be_visible()
            await check(player, "an answer locked in", phone=True)
        await host.get_by_role("button", name="Close question").click()
        await expect(player.locator(".verdict .title, #verdict-title").first).to_be_visible()
        await check(player, f"the result of a {kind} question", phone=True)
        await expect(host.locator("#board-slot .board li")).to_have_count(2)
        await check(host, f"the reveal of a {kind} question")
        last = index == len(LIVE_QUIZ["questions"]) - 1
        await host.get_by_role("button", name="Show the podium" if last else "Next question").click()

    await expect(player.get_by_role("heading", name="Game over!")).to_be_visible()
    await check(player, "the player's podium", phone=True)
    await expect(host.get_by_role("heading", name="The podium")).to_be_visible()
    await check(host, "the host's podium")
    await guest.close()
    assert not problems, "\n\n".join(problems)
    pages.assert_clean()


async def test_phone_menu_opens_by_keyboard_and_closes_with_escape(
    site: Site, pages: Pages, tmp_path: Path
) -> None:
    page = await pages.open("phone", "/leaderboard", viewport=PHONE)
    menu = page.get_by_role("button", name="Menu")
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    await expect(menu).to_have_attribute("aria-expanded", "false")
    await expect(links.first).to_be_hidden()
    header = await page.locator(".site-header").bounding_box()
    assert header and header["height"] <= 80, header
    # Both segmented controls keep their choices on one line at 360 px.
    for group in await page.locator(".segmented").all():
        tops = {round((await b.bounding_box())["y"]) for b in await group.get_by_role("button").all()}
        assert len(tops) == 1, await group.inner_text()

    await menu.focus()
    await page.keyboard.press("Enter")
    await expect(menu).to_have_attribute("aria-expanded", "true")
    await expect(links).to_have_count(8)
    for link in await links.all():
        await expect(link).to_be_visible()
    await page.keyboard.press("Tab")
    await expect(links.first).to_be_focused()
    await page.screenshot(path=str(screenshot_dir(tmp_path) / "phone-menu.png"))
    await page.keyboard.press("Escape")
    await expect(menu).to_have_attribute("aria-expanded", "false")
    await expect(menu).to_be_focused()
    await expect(links.first).to_be_hidden()

    await page.set_viewport_size(DESKTOP)  # a wide screen shows the links and no menu button
    await expect(menu).to_be_hidden()
    await expect(links.first).to_be_visible()
    pages.assert_clean()
