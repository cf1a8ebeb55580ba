"""Question images in Chromium: an author uploads a picture for a question and one for an answer (a
file whose name lies about its kind is refused in plain words), hosts the quiz, and a player on a
phone sees both pictures, loaded, with words for a screen reader; axe finds nothing serious."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.async_api import Page, expect

from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import PASSWORD, PHONE, Pages, Site, screenshot_dir

pytestmark = pytest.mark.browser

FLAG_ALT = "A light blue flag with a yellow disc a little left of its centre"


def flag(path: Path, fmt: str, width: int, field: str, disc: str, centre: float) -> Path:
    """A real picture made by Pillow: a 5:3 flag, one colour with a disc."""
    height = width * 3 // 5
    image = Image.new("RGB", (width, height), field)
    x, y, r = int(width * centre), height // 2, height * 3 // 10
    ImageDraw.Draw(image).ellipse((x - r, y - r, x + r, y + r), disc)
    image.save(path, format=fmt)
    return path


async def loaded(page: Page, selector: str) -> None:
    """The image is in and decoded (not a broken-image icon)."""
    image = page.locator(selector).first
    await expect(image).to_be_visible()
    await page.wait_for_function(
        "(s) => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
    )


async def test_author_uploads_pictures_and_a_player_sees_them(
    site: Site, pages: Pages, tmp_path: Path
) -> None:
    pages.allow_status(422)  # the lying file is refused on purpose
    shots = screenshot_dir(tmp_path)
    palau = flag(tmp_path / "palau.png", "PNG", 1200, "#4aadd6", "#ffde00", 0.45)
    japan = flag(tmp_path / "japan.jpg", "JPEG", 300, "#ffffff", "#bc002d", 0.5)

    author = await pages.open("author", "/author")
    await author.get_by_role("button", name="Create an account").click()
    await author.get_by_label("Username").fill("painter")
    await author.get_by_label("Email").fill("painter@example.com")
    await author.get_by_label("Password").fill(PASSWORD)
    await author.get_by_role("button", name="Create account").click()
    await expect(author.get_by_role("heading", name="New quiz")).to_be_visible()
    await author.get_by_label("Title").fill("Flags")
    card = author.locator('[data-path="questions.0"]')
    await card.get_by_label("Question", exact=True).fill("Whose flag is this?")
    await card.get_by_label("Answer 1", exact=True).fill("Palau")
    await card.get_by_label("Answer 2", exact=True).fill("Japan")

    # A PNG whose name says JPEG: the browser sends it as image/jpeg and the server refuses it.
    liar = tmp_path / "holiday.jpg"
    liar.write_bytes(palau.read_bytes())
    picture = card.locator('[data-path="questions.0.image"]')
    await picture.get_by_label("Picture (optional)").set_input_files(liar)
    await expect(picture.locator(".field-error")).to_have_text(
        "This file is a PNG image but was sent as JPEG: check its file name")

    await picture.get_by_label("Picture (optional)").set_input_files(palau)
    await expect(picture.get_by_role("status")).to_have_text("Picture uploaded. Save the quiz to keep it.")
    await picture.get_by_label("Describe the picture").fill(FLAG_ALT)
    answer_picture = card.locator('[data-path="questions.0.options.1.image"]')
    await answer_picture.get_by_label("Picture for answer 2 (optional)").set_input_files(japan)
    await expect(answer_picture.locator("img.thumb")).to_be_visible()
    await author.get_by_role("button", name="Save quiz").click()
    await expect(author.get_by_text("Saved.")).to_be_visible()
    await expect(author.get_by_role("heading", name="Edit quiz")).to_be_visible()
    # Saved and read back: the pictures are still there, the description too.
    await loaded(author, '[data-path="questions.0.image"] img.thumb')
    await expect(author.get_by_label("Describe the picture")).to_have_value(FLAG_ALT)
    await assert_accessible(author, "the author page with pictures")

    await author.get_by_role("link", name="Host this quiz").click()
    await author.get_by_label("Reading time (seconds)").fill("2")
    await expect(author.get_by_label("Show questions on players' devices")).to_be_checked()
    await author.get_by_role("button", name="Create game").click()
    await expect(author.locator("#pin")).to_have_text(re.compile(r"^\d{6}$"))
    pin = (await author.locator("#pin").inner_text()).strip()

    player = await pages.open("player", f"/play?pin={pin}", viewport=PHONE, has_touch=True)
    await player.get_by_label("Nickname").fill("Ada")
    await player.get_by_label("Nickname").press("Enter")
    await expect(author.locator("#players li")).to_have_count(1)
    # Waiting in the lobby, the phone has fetched the pictures already (the cache keeps them).
    await player.wait_for_function(
        """() => performance.getEntriesByType("resource")
                  .filter((e) => /\\/images\\/[0-9a-f]{64}\\./.test(e.name)).length === 2""")
    await author.get_by_role("button", name="Start").click()

    await expect(author.locator("#q-title")).to_have_text("Whose flag is this?")
    await expect(author.get_by_role("img", name=FLAG_ALT)).to_be_visible()
    await loaded(author, ".q-figure img")
    await loaded(author, ".answer .opt-image")

    await expect(player.locator("#q-title")).to_have_text("Whose flag is this?")
    await expect(player.get_by_role("img", name=FLAG_ALT)).to_be_visible()
    await loaded(player, ".q-figure img")
    await loaded(player, ".answer .opt-image")
    box = await player.locator(".q-figure img").bounding_box()
    assert box and box["width"] <= PHONE["width"] and box["height"] <= 0.4 * PHONE["height"], box
    await assert_no_sideways_scroll(player, "a picture question on a phone")
    await assert_accessible(player, "a picture question on a phone")
    await assert_accessible(author, "a picture question on the host screen")
    await player.screenshot(path=str(shots / "phone-question-image.png"), full_page=False)
    await author.screenshot(path=str(shots / "host-question-image.png"), full_page=False)

    answer = player.get_by_role("button", name="Triangle: Palau")
    await expect(answer).to_be_enabled()
    await answer.click()
    await expect(player.locator(".verdict .title")).to_have_text("Correct!")
    pages.assert_clean()
