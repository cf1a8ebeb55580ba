"""Reports in Chromium: a real game (a signed-in player on a phone page and two bots that answer the
same wrong option the instant each question arrives), then the host's /reports list and the game's
report (players, each question's chart with accuracy, median time and flags, integrity hints, the
CSV download), and the player's own report opened from /me. axe finds nothing serious and nothing
scrolls sideways on a 360 px phone."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import DESKTOP, PHONE, Pages, Site, host_seat, screenshot_dir, ws_player
from tests.test_analytics import play

pytestmark = pytest.mark.browser

CAPITALS = [("France", "Paris"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Portugal", "Lisbon")]
QUIZ = {
    "title": "Capitals of a rather long-winded European tour, with every stop named",
    "description": "",
    "tags": ["geo"],
    "published": True,
    "questions": [
        {"kind": "single", "text": f"Capital of {country}?", "time_limit": 60,
         "options": [{"text": city, "correct": True}, {"text": "Lyon", "correct": False},
                     {"text": "Somewhere with an extraordinarily long name to wrap", "correct": False}]}
        for country, city in CAPITALS
    ],
}


async def signed_in_page(site: Site, pages: Pages, name: str, path: str, viewport: dict[str, int]):  # noqa: ANN201
    auth = await site.sign_up(name)
    page = await pages.open(name, "/", viewport=viewport)
    me = (await site.http.get("/auth/me", headers=auth)).json()
    stored = {"access_token": auth["Authorization"].removeprefix("Bearer "),
              "user": {"id": me["id"], "username": me["username"]}}
    await page.evaluate("s => localStorage.setItem('quizarena.session', JSON.stringify(s))", stored)
    await page.goto(path)
    return page, auth


async def test_a_hosts_report_and_a_players_own_report(site: Site, pages: Pages, tmp_path: Path) -> None:
    shots = screenshot_dir(tmp_path)
    host, game = await host_seat(site, pages, "quizmaster", QUIZ, viewport=DESKTOP)
    player, player_auth = await signed_in_page(site, pages, "player1", f"/play?pin={game['pin']}", PHONE)
    await expect(player.get_by_label("Earn XP as player1")).to_be_checked()
    await player.get_by_label("Nickname").fill("Pia")
    await player.get_by_label("Nickname").press("Enter")
    await expect(player.get_by_role("heading", name="You're in!")).to_be_visible()
    bots = [await ws_player(site, game["pin"], name) for name in ("Bot A", "Bot B")]
    await expect(host.locator("#player-count")).to_have_text("3 players")

    await host.locator("#start").click()
    for index, (_, city) in enumerate(CAPITALS):
        for bot in bots:  # the same wrong answer, the moment the question arrives
            question = await bot.expect("question")
            assert question["question"] == index
            lyon = next(o["id"] for o in question["options"] if o["text"] == "Lyon")
            await bot.send(type="answer", question=index, answer=lyon)
            ack = await bot.expect("answer_ack")
            assert ack["accepted"], ack
        answer = player.get_by_role("button", name=f"Triangle: {city}")
        await expect(answer).to_be_enabled()
        await player.wait_for_timeout(600)  # a person reads first (an instant click is a fast-answer hint)
        await answer.click()
        await expect(player.locator(".verdict .title")).to_have_text("Correct!")
        last = index == len(CAPITALS) - 1
        await host.get_by_role("button", name="Show the podium" if last else "Next question").click()
    await expect(host.get_by_role("heading", name="The podium")).to_be_visible()

    for _ in range(100):  # the results are written through the outbox after the game; until then
        # the player is no seat of it (403)
        response = await site.http.get(f"/games/{game['id']}", headers=player_auth)
        if response.status_code == 200 and response.json()["complete"]:
            break
        await asyncio.sleep(0.1)
    assert response.status_code == 200 and response.json()["complete"], response.text

    # The host: /reports lists the game; its report shows players, questions, flags and hints.
    await host.goto("/reports")
    await expect(host.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    over_time = host.locator("#over-time")
    await expect(over_time.locator(".stat").filter(has_text="Players")).to_contain_text("3")
    per_day = over_time.get_by_role("list", name="Games and players per day")
    await expect(per_day.locator("li")).to_have_count(1)
    await expect(over_time.get_by_role("list", name="Games per quiz")).to_contain_text("1 game · 3 players")
    await over_time.get_by_label("From", exact=True).fill("2020-01-01")
    await over_time.get_by_label("To", exact=True).fill("2020-01-31")
    await over_time.get_by_role("button", name="Show").click()
    await expect(host.locator("#over-time")).to_contain_text("ended from Jan 1, 2020 to Jan 31, 2020")
    await expect(host.locator("#over-time .stat").filter(has_text="Games")).to_contain_text("0")
    hosted = host.locator(".report-list")
    await hosted.get_by_role("link", name=re.compile("long-winded European tour")).click()
    await expect(host).to_have_url(re.compile(rf"/report\?game={game['id']}$"))
    await expect(host.get_by_role("heading", name=QUIZ["title"])).to_be_visible()
    players = host.get_by_role("region", name="Players and places")
    await expect(players.locator("tbody tr")).to_have_count(3)
    await expect(players.locator("tbody tr").first).to_contain_text("Pia")
    questions = host.locator(".question-card")
    await expect(questions).to_have_count(4)
    first = questions.first
    await expect(first.get_by_role("heading")).to_have_text("1. Capital of France?")
    await expect(first).to_contain_text("33% right")
    await expect(first).to_contain_text(re.compile(r"median \d+\.\d s"))
    paris = first.locator(".dist li.key")
    await expect(paris).to_contain_text("Paris")
    await expect(paris).to_contain_text("1 · 33%")
    await expect(first.locator(".dist li").filter(has_text="Lyon")).to_contain_text("2 · 67%")
    await expect(first.locator(".flags")).to_contain_text("More players chose “Lyon” than the right answer")
    hints = host.locator("section[aria-labelledby=hints-title]")
    await expect(hints).to_contain_text("Bot A and Bot B gave the same answer")
    pair = "on 4 of the 4 questions they both answered (4 of them the same wrong answer)"
    await expect(hints).to_contain_text(pair)
    await expect(hints).to_contain_text("Bot A answered 4 of 4 questions less than 250 ms after they")
    await expect(hints).not_to_contain_text("Pia")
    await expect(hints).to_contain_text("Joins from one address are not checked")

    async with host.expect_download() as download_info:
        await host.get_by_role("button", name="Download results (CSV)").click()
    download = await download_info.value
    saved = tmp_path / "results.csv"
    await download.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0].startswith("game_id,player,nickname") and len(lines) == 1 + 3 * 4
    await expect(host.get_by_text("Downloaded.")).to_be_visible()

    await assert_accessible(host, "a game's report (host, desktop)")
    await host.screenshot(path=str(shots / "report-host.png"), full_page=True)
    await host.set_viewport_size(PHONE)
    await assert_no_sideways_scroll(host, "a game's report on a phone")
    await assert_accessible(host, "a game's report (host, phone)")
    await host.goto("/reports")
    await expect(host.locator(".report-list li")).to_have_count(1)
    await assert_no_sideways_scroll(host, "/reports on a phone")
    await assert_accessible(host, "/reports (phone)")

    # The player: /me shows their last 30 days and links each game to their own report, with
    # answers, receipts and points.
    await player.goto("/me")
    recent = player.locator("section[aria-labelledby=form-title]")
    await expect(recent.locator(".stat").filter(has_text="Right answers")).to_contain_text("100%")
    await expect(recent).to_contain_text("Strongest in: geo")
    await expect(recent.get_by_role("list", name="XP per day").locator("li")).to_have_count(1)
    await player.get_by_role("link", name=re.compile("Report of Capitals")).click()
    await expect(player.get_by_role("heading", name="Your answers")).to_be_visible()
    mine = player.locator(".my-answers > li")
    await expect(mine).to_have_count(4)
    await expect(mine.first).to_contain_text("Right")
    await expect(mine.first).to_contain_text("Paris")
    receipt = re.compile(r"sent \d\d:\d\d:\d\d\.\d{3}, received .*round trip \d+ ms")
    await expect(mine.first).to_contain_text(receipt)
    await expect(player.locator(".stat").filter(has_text="Your place")).to_contain_text("1st / 3")
    await expect(player.locator("section[aria-labelledby=hints-title]")).to_have_count(0)
    await assert_no_sideways_scroll(player, "a player's report on a phone")
    await assert_accessible(player, "a player's report (phone)")
    await player.screenshot(path=str(shots / "report-player.png"), full_page=True)

    # Someone else's game: the report says so instead of showing it.
    stranger, _ = await signed_in_page(site, pages, "stranger", f"/report?game={game['id']}", PHONE)
    pages.allow_status(403)
    await expect(stranger.get_by_role("alert")).to_have_text(
        "Only the game's host and its signed-in players can see this report.")
    await assert_accessible(stranger, "a report one may not see")
    pages.assert_clean()
    for bot in bots:
        await bot.close()


async def test_a_quizs_analytics_over_a_range_of_days(site: Site, pages: Pages, tmp_path: Path) -> None:
    """Two games written through the results writer with known answers (the same as
    tests/test_analytics.py's), read on the author's /analytics page."""
    page, auth = await signed_in_page(site, pages, "author1", "/", PHONE)
    me = (await site.http.get("/auth/me", headers=auth)).json()["id"]
    quiz_id = await site.create_quiz(auth, {**QUIZ, "title": "Capitals"})
    db = site.app.state.db
    await play(db, quiz_id, me, datetime(2026, 3, 10, 18, tzinfo=UTC), [
        (None, {0: (True, 1000), 1: (True, 2000), 2: (True, 3000), 3: ("cat", 500)}, False),
        (None, {0: (True, 2000), 1: (False, 4000), 2: (True, 1000), 3: ("dog", 700)}, False),
        (None, {0: (False, 3000), 1: (False, 5000), 2: (False, 2000)}, False),
    ], "a")
    await play(db, quiz_id, me, datetime(2026, 3, 12, 9, tzinfo=UTC), [
        (None, {0: (False, 1500), 1: (True, 2500), 3: ("cat", 900)}, False),
        (None, {0: (True, 500), 1: (False, 1000), 2: (True, 1500)}, False),
    ], "b")

    await page.goto("/reports")
    await page.get_by_role("link", name="Analytics of Capitals").click()
    await expect(page.get_by_role("heading", name="Analytics: Capitals")).to_be_visible()
    await page.get_by_label("From", exact=True).fill("2026-03-01")
    await page.get_by_label("To", exact=True).fill("2026-03-31")
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_text("Games that ended from Mar 1, 2026 to Mar 31, 2026 (UTC).")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"from=2026-03-01&to=2026-03-31"))
    stats = page.locator(".stats .stat")
    await expect(stats.filter(has_text="Games")).to_contain_text("2")
    await expect(stats.filter(has_text="Players")).to_contain_text("5")
    await expect(stats.filter(has_text="Right answers")).to_contain_text("57%")  # 8 of 14, polls left out
    await expect(stats.filter(has_text="Questions answered")).to_contain_text("85%")  # 17 of 20
    days = page.get_by_role("list", name="Games and players per day").locator("li")
    await expect(days).to_have_text([re.compile("Mar 10, 2026.*1 game · 3 players"),
                                      re.compile("Mar 12, 2026.*1 game · 2 players")])
    accuracy = page.get_by_role("list", name="Right answers per question").locator("li")
    await expect(accuracy).to_have_text([re.compile(r"1\. Capital of France\?.*60% right"),
                                         re.compile(r"2\. Primes\?.*40% right"),
                                         re.compile(r"3\. The sky is green.*75% right")])
    hardest = page.locator("section[aria-labelledby=hardest-title] > ul > li")
    await expect(hardest.first).to_contain_text("2. Primes? — 40% of the 5 players it was put to got it")
    flags = hardest.first.locator(".flags")
    await expect(flags).to_contain_text("More players chose “=4” than the right answer")
    lures = page.get_by_role("list", name="Wrong answers that draw most").locator("li")
    await expect(lures).to_have_text([re.compile("“=4” \\(question 2\\).*3 answers"),
                                      re.compile("“Lyon” \\(question 1\\).*2 answers"),
                                      re.compile("“true” \\(question 3\\).*1 answer")])
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Days").click()
    saved = tmp_path / "days.csv"
    await (await download_info.value).save_as(saved)
    assert saved.read_text().splitlines() == ["date,games,players", "2026-03-10,1,3", "2026-03-12,1,2"]
    await assert_no_sideways_scroll(page, "a quiz's analytics on a phone")
    await assert_accessible(page, "a quiz's analytics (phone)")
    await page.screenshot(path=str(screenshot_dir(tmp_path) / "analytics-phone.png"), full_page=True)

    await page.get_by_label("From", exact=True).fill("2026-03-11")
    await page.get_by_role("button", name="Show").click()
    await expect(stats.filter(has_text="Players")).to_contain_text("2")
    await expect(days).to_have_count(1)
    await page.set_viewport_size(DESKTOP)
    await assert_accessible(page, "a quiz's analytics (desktop)")
    pages.assert_clean()
