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

MAP_ALT = "A map of Europe with France shaded"


def drawing(path: Path, fmt: str, size: tuple[int, int], colour: str) -> Path:
    """A real picture made by Pillow: a coloured field with a white disc."""
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).ellipse((size[0] // 4, size[1] // 4, 3 * size[0] // 4, 3 * size[1] // 4), "white")
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
    map_png = drawing(tmp_path / "map.png", "PNG", (1200, 800), "#1a5fc8")
    flag_jpg = drawing(tmp_path / "flag.jpg", "JPEG", (300, 200), "#c62839")

    author = await pages.open("author", "/author")
    await author.get_by_role("button", name="Create an account").click()
    await author.get_by_label("Username").fill("painter")
    await author.get_by_label("Email").fill("painter@example.com")
    await author.get_by_label("Password").fill(PASSWORD)
    await author.get_by_role("button", name="Create account").click()
    await expect(author.get_by_role("heading", name="New quiz")).to_be_visible()
    await author.get_by_label("Title").fill("Maps and flags")
    card = author.locator('[data-path="questions.0"]')
    await card.get_by_label("Question", exact=True).fill("Which country is shaded?")
    await card.get_by_label("Answer 1", exact=True).fill("France")
    await card.get_by_label("Answer 2", exact=True).fill("Spain")

    # A PNG whose name says JPEG: the browser sends it as image/jpeg and the server refuses it.
    liar = tmp_path / "holiday.jpg"
    liar.write_bytes(map_png.read_bytes())
    picture = card.locator('[data-path="questions.0.image"]')
    await picture.get_by_label("Picture (optional)").set_input_files(liar)
    await expect(picture.locator(".field-error")).to_have_text(
        "This file is a PNG image but was sent as JPEG: check its file name")

    await picture.get_by_label("Picture (optional)").set_input_files(map_png)
    await expect(picture.get_by_role("status")).to_have_text("Picture uploaded. Save the quiz to keep it.")
    await picture.get_by_label("Describe the picture").fill(MAP_ALT)
    answer_picture = card.locator('[data-path="questions.0.options.0.image"]')
    await answer_picture.get_by_label("Picture for answer 1 (optional)").set_input_files(flag_jpg)
    await expect(answer_picture.locator("img.thumb")).to_be_visible()
    await author.get_by_role("button", name="Save quiz").click()
    await expect(author.get_by_text("Saved.")).to_be_visible()
    await expect(author.get_by_role("heading", name="Edit quiz")).to_be_visible()
    # Saved and read back: the pictures are still there, the description too.
    await loaded(author, '[data-path="questions.0.image"] img.thumb')
    await expect(author.get_by_label("Describe the picture")).to_have_value(MAP_ALT)
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

    await expect(author.locator("#q-title")).to_have_text("Which country is shaded?")
    await expect(author.get_by_role("img", name=MAP_ALT)).to_be_visible()
    await loaded(author, ".q-figure img")
    await loaded(author, ".answer .opt-image")

    await expect(player.locator("#q-title")).to_have_text("Which country is shaded?")
    await expect(player.get_by_role("img", name=MAP_ALT)).to_be_visible()
    await loaded(player, ".q-figure img")
    await loaded(player, ".answer .opt-image")
    box = await player.locator(".q-figure img").bounding_box()
    assert box and box["width"] <= PHONE["width"] and box["height"] <= 0.4 * PHONE["height"], box
    await assert_no_sideways_scroll(player, "a picture question on a phone")
    await assert_accessible(player, "a picture question on a phone")
    await assert_accessible(author, "a picture question on the host screen")
    await player.screenshot(path=str(shots / "phone-question-image.png"), full_page=False)
    await author.screenshot(path=str(shots / "host-question-image.png"), full_page=False)

    france = player.get_by_role("button", name="Triangle: France")
    await expect(france).to_be_enabled()
    await france.click()
    await expect(player.locator(".verdict .title")).to_have_text("Correct!")
    pages.assert_clean()
