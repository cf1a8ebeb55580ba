"""/duel in Chromium: two signed-in players' pages queue, find each other and duel to the end (one by
pointer on a phone, one by keyboard), see both scores live, the outcome with each question's timing
receipt and the rating change the server computed, and offer and take a rematch; /me then shows the
rating and the duel. A guest queues, sees the wait, cancels, and meets a bot when nobody comes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from persistence.ratings import rate_duel
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import PHONE, Pages, Site, screenshot_dir

pytestmark = pytest.mark.browser

QUESTIONS = 5  # a duel plays 5 questions
QUIZ: dict[str, Any] = {
    "title": "Yes or no",
    "published": True,
    "questions": [
        {
            "kind": "single",
            "text": f"Is {n} a number?",
            "time_limit": 30,
            "options": [{"text": "yes", "correct": True}, {"text": "no", "correct": False}],
        }
        for n in range(QUESTIONS)
    ],
}
BOT_WAIT_MS = 15_000  # a bot takes the seat after 10 s without an opponent


async def signed_in(pages: Pages, site: Site, name: str, **options: Any) -> Page:
    auth = await site.sign_up(name)
    page = await pages.open(name, "/", **options)
    token = auth["Authorization"].removeprefix("Bearer ")
    await page.evaluate(
        "t => localStorage.setItem('quizarena.session', JSON.stringify({access_token: t}))", token
    )
    await page.goto("/duel")
    await expect(page.get_by_role("heading", name="Duel")).to_be_visible()
    return page


async def checked(page: Page, where: str) -> None:
    """axe-clean (WCAG 2.1 AA) and no sideways scrolling on a 360 px phone, as the page is now."""
    await assert_accessible(page, where)
    await assert_no_sideways_scroll(page, where)


async def by_pointer(page: Page, n: int) -> None:
    """Answers question `n` right, with a tap."""
    await expect(page.get_by_text(f"Question {n + 1} of {QUESTIONS}")).to_be_visible()
    await page.get_by_role("button", name=re.compile(r": yes$")).click()


async def by_keyboard(page: Page, n: int) -> None:
    """Answers question `n` wrong, with the option's number key."""
    await expect(page.get_by_text(f"Question {n + 1} of {QUESTIONS}")).to_be_visible()
    wrong = page.get_by_role("button", name=re.compile(r": no$"))
    await expect(wrong).to_be_enabled()
    await page.keyboard.press(await wrong.get_attribute("data-key") or "2")


async def test_two_pages_duel_to_the_end(site: Site, pages: Pages, tmp_path: Path) -> None:
    ann = await signed_in(pages, site, "ann", viewport=PHONE)
    await site.create_quiz(await site.sign_up("quizzer"), QUIZ)
    await ann.reload()
    await expect(ann.get_by_label("Nickname")).to_have_value("ann")
    await expect(ann.get_by_text("No rated duels yet")).to_be_visible()
    await ann.get_by_label("Quiz").select_option(label="Yes or no")
    await ann.get_by_role("button", name="Find an opponent").click()
    await expect(ann.get_by_role("heading", name="Looking for an opponent…")).to_be_visible()
    await expect(ann.get_by_text(re.compile(r"^Waiting 0:0\d$"))).to_be_visible()
    await expect(ann.get_by_text("If nobody comes within 10 s, a bot takes the other seat.")).to_be_visible()
    await checked(ann, "the queue")

    ben = await signed_in(pages, site, "ben")
    await ben.get_by_label("Nickname").press("Enter")  # by keyboard: "any quiz" meets Ann's
    for page, other in ((ann, "ben"), (ben, "ann")):
        await expect(page.get_by_role("heading", name="Opponent found!")).to_be_visible()
        await expect(page.locator("#duel-versus")).to_contain_text(other)
        await expect(page.get_by_text(f"{other}'s rating: 1,200")).to_be_visible()
    await checked(ann, "matched")

    await expect(ann.get_by_role("button", name=re.compile(r": yes$"))).to_be_enabled()
    await checked(ann, "a question")
    for n in range(QUESTIONS):
        await by_pointer(ann, n)
        await by_keyboard(ben, n)
        await expect(ann.locator(".verdict .title")).to_have_text("Correct!")
        await expect(ben.locator(".verdict .title")).to_have_text("Not this time")
        if n == 0:
            await ann.screenshot(path=str(screenshot_dir(tmp_path) / "duel-reveal.png"))
            await checked(ann, "a reveal")
        ann_score = await ann.locator(".duel-side.me .duel-score").inner_text()
        await expect(ben.locator(".duel-side:not(.me) .duel-score")).to_have_text(
            ann_score
        )  # live, both sides

    await expect(ann.get_by_role("heading", name="You won!")).to_be_visible(timeout=BOT_WAIT_MS)
    await expect(ben.get_by_role("heading", name="You lost")).to_be_visible()
    receipts = ann.locator(".duel-receipts > li")
    await expect(receipts).to_have_count(QUESTIONS)
    await expect(receipts.first).to_contain_text("Correct!")
    await receipts.first.locator("summary").click()
    await expect(receipts.first.locator("details.receipt dl")).to_be_visible()
    await expect(ann.locator("#duel-rating-change")).to_have_text("Your duel rating: 1,216 (+16)")
    await expect(ben.locator("#duel-rating-change")).to_have_text("Your duel rating: 1,184 (-16)")
    await ann.screenshot(path=str(screenshot_dir(tmp_path) / "duel-outcome.png"), full_page=True)
    await checked(ann, "the outcome")

    await ann.get_by_role("button", name="Rematch").click()
    await expect(ann.locator("#duel-rematch-status")).to_have_text(
        "Rematch offered: waiting for ben to accept."
    )
    await expect(ben.locator("#duel-rematch-status")).to_have_text("ann wants a rematch!")
    await ben.get_by_role("button", name="Accept the rematch").click()
    for page in (ann, ben):  # matched again: the new duel starts by itself
        await expect(page.locator("#q-title")).to_have_text("Is 0 a number?")
    await ben.close()  # leaving a duel forfeits it
    await expect(ann.get_by_role("heading", name="You won!")).to_be_visible()
    await expect(ann.get_by_text("ben left the duel: you win by forfeit.")).to_be_visible()
    rating, _ = rate_duel(1216, 1184, "won")
    change = rating - 1216
    await expect(ann.locator("#duel-rating-change")).to_have_text(f"Your duel rating: {rating:,} (+{change})")

    await ann.goto("/me")
    await expect(ann.locator(".stat").filter(has_text="Duel rating")).to_contain_text(f"{rating:,}")
    await expect(ann.locator("#duel-record")).to_have_text(
        "2 won, 0 lost, 0 drawn in rated duels. Best run: 2 in a row."
    )
    duels = ann.locator("section[aria-labelledby=duels-title] table tbody tr")
    await expect(duels).to_have_count(2)
    await expect(duels.first).to_contain_text(f"+{change}")
    await expect(duels.last).to_contain_text("ben")
    await expect(duels.last).to_contain_text("+16")
    await checked(ann, "/me with duels")

    await ann.goto("/leaderboard")
    await ann.get_by_role("button", name="Duels").click()
    mine = ann.locator("#board tr.me")
    await expect(mine).to_contain_text(f"{rating:,}")
    await expect(mine).to_contain_text("2–0–0")
    await expect(ann.locator("#board tbody tr")).to_have_count(2)  # only the two rated players
    pages.assert_clean()


async def test_a_guest_cancels_then_meets_a_bot(site: Site, pages: Pages) -> None:
    await site.create_quiz(await site.sign_up("quizzer"), QUIZ)
    guest = await pages.open("guest", "/duel", viewport=PHONE)
    await expect(guest.get_by_text("Playing as a guest")).to_be_visible()
    await guest.get_by_label("Nickname").fill("Wanderer")
    await guest.get_by_role("button", name="Find an opponent").click()
    cancel = guest.get_by_role("button", name="Cancel")
    await expect(cancel).to_be_focused()
    await guest.keyboard.press("Enter")
    await expect(guest.get_by_text("You left the queue.")).to_be_visible()

    await guest.get_by_role("button", name="Find an opponent").click()
    await expect(guest.get_by_role("heading", name="Opponent found!")).to_be_visible(timeout=BOT_WAIT_MS)
    await expect(guest.locator("#duel-versus")).to_contain_text("(bot)")
    assert (await guest.locator("#duel-versus").inner_text()).count("bot") == 1  # said once
    await expect(guest.get_by_text("Question 1 of 5")).to_be_visible()
    pages.assert_clean()
