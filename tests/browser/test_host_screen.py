"""The host's screen on a projector: typed answers and slider buckets in the reveal chart wrap
between words and never spill or clip (long ones end in an ellipsis with the whole text as a
tooltip), quiz titles in the host's list do the same, and after an early end with a late joiner
the podium and the final scoreboard show the same ranking."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, Pages, Site, host_seat, screenshot_dir, ws_player

pytestmark = pytest.mark.browser

LONG_ANSWER = "The Persistence of Memory by Salvador Dalí, painted in Portlligat in the summer of 1931"
TYPED = ["The Starry Night", "Girl with a Pearl Earring", "Impression, Sunrise", LONG_ANSWER]
QUIZ: dict[str, Any] = {
    "title": "Art and engineering",
    "questions": [
        {"kind": "type", "text": "Name a famous painting", "time_limit": 60,
         "accepted": ["The Starry Night"]},
        {"kind": "slider", "text": "In which year did the Eiffel Tower open?", "time_limit": 60,
         "min": 1000, "max": 3000, "step": 1, "correct": 1889, "tolerance": 5},
    ],
}
PROJECTORS = [DESKTOP, {"width": 1024, "height": 768}]

# For each element, the words (split at spaces, and at hyphens and dashes when `dashes`) laid out on more than
# one line: a word broken in the middle. A word wider than its whole box may break; none here is.
SPLIT_WORDS = """([elements, dashes]) => elements.flatMap((element) => {
  const node = [...element.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
  if (!node) return [];
  const split = [];
  const pattern = dashes ? /[^\\s\\u2013-]+/g : /\\S+/g;
  for (const match of node.textContent.matchAll(pattern)) {
    const range = document.createRange();
    range.setStart(node, match.index);
    range.setEnd(node, match.index + match[0].length);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    const lines = new Set(rects.map((r) => Math.round(r.top)));
    if (lines.size > 1) split.push(match[0]);
  }
  return split;
})"""

# Labels whose text reaches outside their own box or their chart column (spilled or clipped).
SPILLED = """(elements) => elements.filter((element) => {
  const box = element.getBoundingClientRect();
  const column = element.closest(".col, li").getBoundingClientRect();
  return element.scrollWidth > element.clientWidth + 1
    || box.left < column.left - 1 || box.right > column.right + 1;
}).map((element) => element.textContent)"""


async def words_split(page: Page, selector: str, dashes: bool = False) -> list[str]:
    elements = await page.locator(selector).element_handles()
    assert elements, f"nothing matches {selector}"
    return await page.evaluate(SPLIT_WORDS, [elements, dashes])


async def test_reveal_labels_wrap_between_words_and_fit(site: Site, pages: Pages, tmp_path: Path) -> None:
    host, game = await host_seat(site, pages, "artteacher", QUIZ)
    players = [await ws_player(site, game["pin"], f"Player {n}") for n in range(1, 5)]
    await expect(host.locator("#player-count")).to_have_text("4 players")
    await host.locator("#start").click()

    for player, text in zip(players, TYPED, strict=True):
        await player.expect("question")
        await player.send(type="answer", question=0, answer=text)
    await expect(host.locator(".hbars li")).to_have_count(4)
    for viewport in PROJECTORS:
        await host.set_viewport_size(viewport)
        assert await words_split(host, ".hbars .txt .label") == [], viewport
        assert await host.evaluate(SPILLED, await host.locator(".hbars .txt").element_handles()) == []
        long_label = host.locator(".hbars .label", has_text="Persistence of Memory")
        cut_short = await long_label.evaluate("l => l.scrollHeight > l.clientHeight + 1")
        assert cut_short, "the long answer ends in an ellipsis"
        # The tooltip has all of it (the server counts typed answers normalised: lower case).
        await expect(long_label).to_have_attribute("title", LONG_ANSWER.lower())
        assert await host.locator(".hbars .btn").count() == 3  # "count as correct" beside each wrong one
    await host.set_viewport_size(DESKTOP)
    await host.screenshot(path=str(screenshot_dir(tmp_path) / "host-reveal-typed.png"))

    await host.locator("#next").click()
    for player, value in zip(players, [1889, 1890, 2500, 1000], strict=True):
        await player.expect("question")
        await player.send(type="answer", question=1, answer=value)
    await expect(host.locator(".chart.compact .col")).to_have_count(10)
    labels = [text.replace("\n", "") for text in await host.locator(".chart.compact .lbl").all_inner_texts()]
    assert labels[0] == "1,000–1,200" and labels[-1] == "2,800–3,000", labels
    for viewport in PROJECTORS:
        await host.set_viewport_size(viewport)
        assert await words_split(host, ".chart.compact .lbl > span", dashes=True) == [], viewport
        buckets = await host.locator(".chart.compact .lbl > span").element_handles()
        assert await host.evaluate(SPILLED, buckets) == []
    await host.screenshot(path=str(screenshot_dir(tmp_path) / "host-reveal-slider.png"))
    pages.assert_clean()
    for player in players:
        await player.close()


async def test_quiz_titles_in_the_hosts_list_wrap_between_words(site: Site, pages: Pages) -> None:
    title = "Photosynthesis, chlorophyll and the extraordinarily complicated light-dependent reactions " * 2
    auth = await site.sign_up("biology")
    await site.create_quiz(auth, {"title": title.strip(), "questions": QUIZ["questions"][:1]})
    page = await pages.open("host", "/", viewport=PHONE)
    token = auth["Authorization"].removeprefix("Bearer ")
    await page.evaluate(
        "t => localStorage.setItem('quizarena.session', JSON.stringify({access_token: t}))", token
    )
    await page.goto("/host")
    shown = page.locator("#quiz-list .title")
    await expect(shown).to_have_count(1)
    assert await words_split(page, "#quiz-list .title", dashes=True) == []  # "light-" may end a line
    cut_short = await shown.evaluate("t => t.scrollHeight > t.clientHeight + 1")
    assert cut_short, "a long title ends in an ellipsis"
    await expect(shown).to_have_attribute("title", title.strip())
    pages.assert_clean()


async def test_quiz_titles_in_the_authors_list_wrap_between_words(site: Site, pages: Pages) -> None:
    title = "Photosynthesis, chlorophyll and the extraordinarily complicated light-dependent reactions " * 2
    auth = await site.sign_up("botanist")
    await site.create_quiz(auth, {"title": title.strip(), "questions": QUIZ["questions"][:1]})
    page = await pages.open("author", "/", viewport=PHONE)
    token = auth["Authorization"].removeprefix("Bearer ")
    await page.evaluate(
        "t => localStorage.setItem('quizarena.session', JSON.stringify({access_token: t}))", token
    )
    await page.goto("/author")
    shown = page.locator("#quiz-list button.link .clamp")
    await expect(shown).to_have_count(1)
    assert await words_split(page, "#quiz-list button.link .clamp", dashes=True) == []
    cut_short = await shown.evaluate("t => t.scrollHeight > t.clientHeight + 1")
    assert cut_short, "a long title ends in an ellipsis"
    await expect(page.locator("#quiz-list button.link")).to_have_attribute("title", title.strip())
    pages.assert_clean()


async def test_podium_and_final_board_agree_after_an_early_end_with_a_late_joiner(
    site: Site, pages: Pages
) -> None:
    quiz = {"title": "Quick one", "questions": [
        {"kind": "true_false", "text": "The Moon is a planet.", "time_limit": 60, "correct": False},
        {"kind": "true_false", "text": "Water boils at 100 °C at sea level.", "time_limit": 60,
         "correct": True},
    ]}
    host, game = await host_seat(site, pages, "earlyend", quiz)
    ada, bo = await ws_player(site, game["pin"], "Ada"), await ws_player(site, game["pin"], "Bo")
    await expect(host.locator("#player-count")).to_have_text("2 players")
    await host.locator("#start").click()
    for player, answer in ((ada, False), (bo, True)):
        await player.expect("question")
        await player.send(type="answer", question=0, answer=answer)
    await expect(host.locator("#board-slot .board li")).to_have_count(2)

    cy = await ws_player(site, game["pin"], "Cy")  # joins late, during the reveal
    await host.locator("#live-end").click()
    await host.locator("dialog button[value=yes]").click()
    await expect(host.get_by_role("heading", name="The podium")).to_be_visible()

    podium = host.locator(".podium .place[role=listitem]")
    await expect(podium).to_have_count(3)
    board = host.locator("#board-slot .board li")
    await expect(board).to_have_count(3)
    await expect(host.locator("#board-slot")).to_contain_text("3 players")

    # Podium places are drawn 2nd, 1st, 3rd; read back in rank order they are the board's first rows.
    places = {}
    for slot in ("p1", "p2", "p3"):
        place = host.locator(f".podium .place.{slot}")
        places[slot] = (
            (await place.locator(".block").inner_text()).strip(),
            (await place.locator(".who").inner_text()).strip(),
            re.sub(r"\D", "", await place.locator(".pts").inner_text()),
        )
    board_rows = [
        (
            (await row.locator(".rank").inner_text()).strip(),
            (await row.locator(".name").inner_text()).strip(),
            re.sub(r"\D", "", await row.locator(".score").inner_text()),
        )
        for row in await board.all()
    ]
    assert board_rows == [places["p1"], places["p2"], places["p3"]]
    assert board_rows[0][:2] == ("1", "Ada") and {row[1] for row in board_rows} == {"Ada", "Bo", "Cy"}
    pages.assert_clean()
    for player in (ada, bo, cy):
        await player.close()
