"""Assignments in Chromium: a host assigns a quiz with a due date on /assignments and copies the
link; one player opens it on a phone, signs in on the page and plays it alone (the room starts by
itself and moves on by the server's clock); a second player plays it later; the host's progress
page shows both results, and each player sees the assignment on /me. axe finds nothing serious and
nothing scrolls sideways on a 360 px phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, Pages, Site, screenshot_dir

pytestmark = pytest.mark.browser

QUIZ = {
    "title": "Capitals homework",
    "description": "",
    "tags": [],
    "published": False,
    "questions": [
        {"kind": "single", "text": f"Capital of {country}?", "time_limit": 20,
         "options": [{"text": city, "correct": True}, {"text": "Lyon", "correct": False}]}
        for country, city in (("France", "Paris"), ("Italy", "Rome"))
    ],
}


async def signed_in(site: Site, pages: Pages, name: str, path: str, viewport: dict[str, int]) -> Any:
    """A page whose session belongs to a new account `name` (as the page's own sign-in keeps it)."""
    auth = await site.sign_up(name)
    page = await pages.open(name, "/", viewport=viewport)
    me = (await site.http.get("/auth/me", headers=auth)).json()
    stored = {"access_token": auth["Authorization"].removeprefix("Bearer "),
              "user": {"id": me["id"], "username": me["username"]}}
    await page.evaluate("s => localStorage.setItem('quizarena.session', JSON.stringify(s))", stored)
    await page.goto(path)
    return page


async def play_through(page: Any, answers: tuple[str, ...]) -> None:
    """Start the attempt and answer each question as it opens; the room does the rest."""
    await page.get_by_role("button", name="Start").click()
    for city in answers:
        button = page.get_by_role("button", name=re.compile(rf": {city}$"))
        await expect(button).to_be_enabled(timeout=15_000)  # the countdown, then the reveal's pause
        await button.click()
        await expect(page.locator(".verdict .title")).to_be_visible()
    await expect(page.get_by_role("heading", name="Game over!")).to_be_visible(timeout=15_000)
    await expect(page.get_by_text(re.compile(r"^You scored [\d,]+ points\.$"))).to_be_visible()


async def test_assign_two_players_at_different_times_and_the_host_sees_both(
    site: Site, pages: Pages, tmp_path: Path
) -> None:
    shots = screenshot_dir(tmp_path)
    host = await signed_in(site, pages, "teacher", "/author", DESKTOP)
    auth = await site.http.post("/auth/login", json={"username": "teacher", "password": PASSWORD})
    quiz_id = await site.create_quiz({"Authorization": f"Bearer {auth.json()['access_token']}"}, QUIZ)

    # The host assigns the quiz (the author page links here with it chosen) and gets the link.
    await host.goto(f"/assign?quiz={quiz_id}")
    await expect(host.get_by_label("Quiz", exact=True)).to_have_value(str(quiz_id))
    await host.get_by_label("Title for players").fill("Week 1 homework")
    await host.get_by_role("button", name="Assign", exact=True).click()
    link_box = host.get_by_label("Link for players")
    await expect(link_box).to_have_value(re.compile(r"/play\?assignment=[\w-]{16}$"))
    link = await link_box.input_value()
    await expect(host.locator("#assignment-list li")).to_have_count(1)
    await expect(host.locator("#assignment-list")).to_contain_text("0 of 0 finished")
    await assert_accessible(host, "the assignments page (host)")
    await host.screenshot(path=str(shots / "assignments-host.png"), full_page=True)

    # The first player opens the link on a phone, signs in on the page and plays it alone.
    await site.sign_up("ada")
    ada = await pages.open("ada", link.removeprefix(site.base_url), viewport=PHONE)
    await expect(ada.get_by_role("heading", name="Homework: Week 1 homework")).to_be_visible()
    await assert_accessible(ada, "an assignment's link, signed out (phone)")
    await ada.get_by_label("Username").fill("ada")
    await ada.get_by_label("Password").fill(PASSWORD)
    await ada.get_by_role("button", name="Sign in").click()
    await expect(ada.get_by_role("button", name="Start")).to_be_visible()
    await assert_no_sideways_scroll(ada, "an assignment's link on a phone")
    await assert_accessible(ada, "an assignment's link, signed in (phone)")
    await ada.screenshot(path=str(shots / "assignment-phone.png"), full_page=True)
    await play_through(ada, ("Paris", "Rome"))
    await ada.get_by_role("button", name="See how you did").click()
    await expect(ada.locator("#assignment-result")).to_contain_text("1st of 1 so far")

    # Later, a second player plays it (one wrong answer).
    bob = await signed_in(site, pages, "bob", link.removeprefix(site.base_url), PHONE)
    await play_through(bob, ("Paris", "Lyon"))
    await bob.goto("/me")
    mine = bob.locator("#my-assignments")
    await expect(mine).to_contain_text("Week 1 homework")
    await expect(mine).to_contain_text(re.compile(r"Finished · [\d,]+ points"))

    # The host's progress page: both finished, with scores and ranks from the server.
    await host.locator("#assignment-list a").click()
    await expect(host.get_by_role("heading", name="Week 1 homework")).to_be_visible()
    rows = host.locator("#players-table tbody tr")
    await expect(rows).to_have_count(2)
    view = (await site.http.get(
        f"/assignments/{host.url.rsplit('=', 1)[1]}",
        headers={"Authorization": f"Bearer {auth.json()['access_token']}"},
    )).json()
    for player in view["players"]:
        row = rows.filter(has_text=player["user"]["username"])
        await expect(row).to_contain_text("Finished")
        await expect(row).to_contain_text(f"{player['score']:,}")
        await expect(row).to_contain_text({1: "1st", 2: "2nd"}[player["rank"]])
    assert [p["user"]["username"] for p in sorted(view["players"], key=lambda p: p["rank"])] == ["ada", "bob"]
    stats = host.locator("#assignment-stats")
    await expect(stats.locator(".stat").filter(has_text="Finished")).to_contain_text("2")
    await expect(stats.locator(".stat").filter(has_text="Average score")).to_contain_text(
        f"{round(view['progress']['average_score']):,}")
    await assert_accessible(host, "an assignment's progress (host, desktop)")
    await host.screenshot(path=str(shots / "assignment-progress.png"), full_page=True)
    await host.set_viewport_size(PHONE)
    await assert_no_sideways_scroll(host, "an assignment's progress on a phone")
    await assert_accessible(host, "an assignment's progress (host, phone)")

    # A player's view of the same page: their own attempt, placed among those who finished.
    await bob.goto(f"/assignment?id={view['id']}")
    await expect(bob.get_by_role("heading", name="Your attempt")).to_be_visible()
    bob_line = next(p for p in view["players"] if p["user"]["username"] == "bob")
    await expect(bob.locator("main")).to_contain_text(
        f"You finished this assignment with {bob_line['score']:,} points: 2nd of 2 so far.")
    await expect(bob.locator("#players-table")).to_have_count(0)
    await assert_accessible(bob, "an assignment's page (player, phone)")
    pages.assert_clean()
