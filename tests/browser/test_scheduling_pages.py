"""Scheduled sessions and notifications in Chromium: a host schedules a game on the host page with
an invitee (an unknown username is named next to the field), cancels another; the invited player
sees it under "Upcoming games" on /me; when it opens, the bell in the player's header counts it at
once (over the `subscribe` socket), its list leads to the game's PIN and marks it read; the host takes
the seat from "Scheduled sessions". axe finds nothing serious; nothing scrolls sideways at 360 px."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import DESKTOP, PHONE, Pages, Site, screenshot_dir
from tests.browser.test_reports import signed_in_page

pytestmark = pytest.mark.browser

QUIZ = {
    "title": "Capitals",
    "published": False,
    "questions": [
        {
            "kind": "single",
            "text": "Capital of France?",
            "options": [{"text": "Paris", "correct": True}, {"text": "Lyon"}],
        }
    ],
}


async def test_a_host_schedules_a_session_and_an_invited_player_is_told(
    site: Site, pages: Pages, tmp_path: Path
) -> None:
    shots = screenshot_dir(tmp_path)
    player, _ = await signed_in_page(site, pages, "pia", "/me", PHONE)
    await expect(player.get_by_role("heading", name="Upcoming games")).to_be_visible()
    await expect(player.locator("section[aria-labelledby=upcoming-title]")).to_contain_text(
        "No games scheduled"
    )

    host, auth = await signed_in_page(site, pages, "quizmaster", "/", DESKTOP)
    quiz_id = await site.create_quiz(auth, QUIZ)
    await host.goto(f"/host?quiz={quiz_id}")
    card = host.locator("form[aria-labelledby=sched-title]")
    await expect(card.get_by_role("heading", name="Schedule for later")).to_be_visible()
    pages.allow_status(422)
    await card.get_by_label("Invite players (optional)").fill("pia, nobody")
    await card.get_by_role("button", name="Schedule").click()
    await expect(card.locator(".field-error")).to_have_text("“nobody” has no account here.")
    await assert_accessible(host, "the schedule card with an error")
    await card.get_by_label("Invite players (optional)").fill("pia")
    await card.screenshot(path=str(shots / "host-schedule.png"))
    await card.get_by_role("button", name="Schedule").click()

    listed = host.locator("#scheduled-list > li")
    await expect(listed).to_have_count(1)
    await expect(listed.first).to_contain_text("Scheduled")
    await expect(listed.first).to_contain_text("1 invited: pia")
    # A second one, cancelled from the list.
    await host.get_by_role("button", name="Host “Capitals”").click()
    await host.locator("#sched-invitees").fill("")
    await host.get_by_role("button", name="Schedule").click()
    await expect(listed).to_have_count(2)
    await (
        listed.filter(has_text="Nobody invited")
        .get_by_role("button", name="Cancel session: Capitals")
        .click()
    )
    await host.get_by_role("dialog").get_by_role("button", name="Cancel session").click()
    await expect(listed.filter(has_text="Cancelled")).to_have_count(1)
    await assert_accessible(host, "the host's scheduled sessions")
    await host.screenshot(path=str(shots / "host-scheduled.png"), full_page=True)

    await player.reload()
    upcoming = player.locator("#upcoming-list > li")
    await expect(upcoming).to_have_count(1)
    await expect(upcoming.first).to_contain_text("hosted by quizmaster")
    await expect(upcoming.first).to_contain_text("Opens at its time")
    bell = player.get_by_role("button", name="Notifications")
    await expect(bell).to_be_visible()

    # Its time comes: the job opens it (the opener is handed the time; the pages run on the wall clock).
    sessions = (await site.http.get("/games/scheduled", headers=auth)).json()["items"]
    session = next(s for s in sessions if s["state"] == "scheduled")
    due = datetime.fromisoformat(session["starts_at"])
    [opened] = await site.app.state.scheduler.jobs["open_scheduled_games"].work(due)

    await expect(player.get_by_role("button", name="Notifications, 1 unread")).to_be_visible()
    await expect(player.locator(".bell-count")).to_have_text("1")
    await player.get_by_role("button", name="Notifications, 1 unread").click()
    panel = player.locator("#bell-panel")
    item = panel.get_by_role("link", name=re.compile("Capitals” hosted by quizmaster is open"))
    await expect(item).to_be_visible()
    await assert_no_sideways_scroll(player, "the bell's list on a phone")
    await assert_accessible(player, "the bell's list (phone)")
    await player.screenshot(path=str(shots / "phone-notifications.png"))
    await player.keyboard.press("Escape")
    await expect(panel).to_be_hidden()
    await player.reload()
    await expect(upcoming.first).to_contain_text(f"Open now: PIN {opened.pin}")
    await assert_no_sideways_scroll(player, "/me with upcoming games on a phone")
    await assert_accessible(player, "/me with upcoming games (phone)")
    await player.locator("section[aria-labelledby=upcoming-title]").screenshot(
        path=str(shots / "phone-upcoming.png")
    )
    await player.get_by_role("button", name="Notifications, 1 unread").click()
    await panel.get_by_role("link", name=re.compile("is open")).click()
    await expect(player).to_have_url(re.compile(rf"/play\?pin={opened.pin}$"))
    read = (
        await site.http.get("/notifications", headers={"Authorization": f"Bearer {await token_of(player)}"})
    ).json()
    assert read["unread"] == 0

    await host.goto("/host")
    await host.get_by_role("button", name="Host now: Capitals").click()
    await host.locator("#pin").wait_for()
    assert "".join((await host.locator("#pin").text_content() or "").split()) == opened.pin
    pages.assert_clean()


async def token_of(page: object) -> str:
    stored = await page.evaluate("() => JSON.parse(localStorage.getItem('quizarena.session'))")  # type: ignore[attr-defined]
    return str(stored["access_token"])
