"""The authoring page in Chromium: a new account writes a quiz of several kinds, sees the server's
validation errors next to the fields they concern, fixes them, reorders, publishes, exports and
re-imports it, deletes the copy, and then hosts the quiz and plays it from a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import PASSWORD, PHONE, Pages, Site, screenshot_dir

pytestmark = pytest.mark.browser


def question(page: Page, index: int) -> Locator:
    return page.locator(f'[data-path="questions.{index}"]')


async def add_question(page: Page, kind_label: str) -> Locator:
    count = await page.locator(".qcard").count()
    await page.get_by_role("button", name="Add a question").click()
    card = question(page, count)
    await card.get_by_label("Kind").select_option(label=kind_label)
    return question(page, count)


async def test_author_writes_fixes_and_plays_a_quiz(site: Site, pages: Pages, tmp_path: Path) -> None:
    pages.allow_status(422)  # the first save is refused on purpose; the page shows why, field by field
    shots = screenshot_dir(tmp_path)

    author = await pages.open("author", "/author")
    await author.get_by_role("button", name="Create an account").click()
    await author.get_by_label("Username").fill("writer")
    await author.get_by_label("Email").fill("writer@example.com")
    await author.get_by_label("Password").fill(PASSWORD)
    await author.get_by_role("button", name="Create account").click()
    await expect(author.get_by_role("heading", name="Your quizzes")).to_be_visible()
    await expect(author.get_by_role("heading", name="New quiz")).to_be_visible()

    await author.get_by_label("Title").fill("Kitchen Science")
    await author.get_by_label("Tags").fill("science, kitchen")

    q1 = question(author, 0)  # a new quiz starts with one single-choice question
    await q1.get_by_label("Question", exact=True).fill("Which of these dissolves fastest in cold water?")
    await q1.get_by_label("Answer 1", exact=True).fill("Salt")
    await q1.get_by_role("button", name="Add answer").click()
    await q1.get_by_label("Answer 3", exact=True).fill("Sand")  # answer 2 stays empty: the server will say so
    await q1.locator('input[type="radio"]').nth(0).check()

    q2 = await add_question(author, "True or false")
    await q2.get_by_label("Question", exact=True).fill("Water boils at a lower temperature on a mountain.")
    await q2.get_by_label("True").check()

    q3 = await add_question(author, "Type the answer")
    await q3.get_by_label("Question", exact=True).fill("Which acid makes vinegar sour?")
    await q3.get_by_label("Accepted answer 1", exact=True).fill("Acetic acid")
    await q3.get_by_role("button", name="Add another spelling").click()
    await q3.get_by_label("Accepted answer 2", exact=True).fill("Acetic")
    await q3.get_by_label("Points").select_option(label="Double (2000)")

    q4 = await add_question(author, "Slider")
    await q4.get_by_label("Question", exact=True).fill("How many minutes for a soft-boiled egg?")
    await q4.get_by_label("Maximum").fill("-5")  # below the minimum: refused by the server
    await q4.get_by_label("Correct value").fill("6")
    await q4.get_by_label("Tolerance (±)").fill("1")

    q5 = await add_question(author, "Put in order")
    await q5.get_by_label("Question", exact=True).fill("Order these from most to least acidic")
    for n, text in enumerate(["Lemon juice", "Coffee", "Water"], start=1):
        await q5.get_by_label(f"Answer {n}", exact=True).fill(text)
    await q5.get_by_label("Time limit (seconds)").fill("45")

    await author.get_by_role("button", name="Save quiz").click()
    summary = author.locator("#error-summary")
    await expect(summary).to_contain_text("2 problems need fixing")
    option_error = q1.locator('[data-path="questions.0.options.1.text"] .field-error')
    await expect(option_error).to_have_text("This can't be empty.")  # not the validator's wording
    await expect(q1.get_by_label("Answer 2", exact=True)).to_have_attribute("aria-invalid", "true")
    max_error = q4.locator('[data-path="questions.3.max"] .field-error')
    await expect(max_error).to_have_text("Max must be greater than min.")
    assert "Value error" not in await summary.inner_text()
    assert "String should" not in await summary.inner_text()
    await expect(q4.get_by_label("Maximum")).to_have_attribute("aria-invalid", "true")
    await author.screenshot(path=str(shots / "author-errors.png"), full_page=False)

    await q1.get_by_label("Answer 2", exact=True).fill("Sugar")
    await q4.get_by_label("Maximum").fill("20")
    await author.get_by_role("button", name="Save quiz").click()
    await expect(author.get_by_text("Saved.")).to_be_visible()
    # The toast rises above the editor's action bar instead of covering its buttons.
    toast_box = await author.locator(".toast").bounding_box()
    bar_box = await author.locator(".sticky-actions").bounding_box()
    assert toast_box and bar_box
    assert toast_box["y"] + toast_box["height"] <= bar_box["y"], (toast_box, bar_box)
    await expect(author.locator(".field-error")).to_have_count(0)
    await expect(author.get_by_role("heading", name="Edit quiz")).to_be_visible()
    await expect(author.locator("#quiz-list")).to_contain_text("Kitchen Science")
    await expect(author.locator("#quiz-list")).to_contain_text("Draft")

    # Two more kinds: multiple select and a poll (whose points are fixed at none).
    q6 = await add_question(author, "Multiple select")
    await q6.get_by_label("Question", exact=True).fill("Which of these are acids?")
    for n, (text, right) in enumerate([("Lemon juice", True), ("Baking soda", False)], start=1):
        await q6.get_by_label(f"Answer {n}", exact=True).fill(text)
        await q6.locator('input[type="checkbox"]').nth(n - 1).set_checked(right)
    await q6.get_by_role("button", name="Add answer").click()
    await q6.get_by_label("Answer 3", exact=True).fill("Vinegar")
    await q6.locator('input[type="checkbox"]').nth(2).check()
    q7 = await add_question(author, "Poll")
    await q7.get_by_label("Question", exact=True).fill("Tea or coffee?")
    await expect(q7.get_by_label("Points")).to_be_disabled()
    await q7.get_by_label("Answer 1", exact=True).fill("Tea")
    await q7.get_by_label("Answer 2", exact=True).fill("Coffee")
    await author.get_by_role("button", name="Save quiz").click()
    await expect(author.locator("#quiz-list")).to_contain_text("7 questions")

    # Reorder: the ordering question moves above the slider; publish; save again.
    await author.get_by_role("button", name="Move question 5 up").click()
    await expect(question(author, 3).get_by_label("Question", exact=True)).to_have_value(
        "Order these from most to least acidic"
    )
    await author.get_by_label("Published").check()
    await author.get_by_role("button", name="Save quiz").click()
    await expect(author.locator("#quiz-list")).to_contain_text("Published")
    await expect(question(author, 4).get_by_label("Question", exact=True)).to_have_value(
        "How many minutes for a soft-boiled egg?"
    )

    # Export as JSON, import it back as a copy, delete the copy.
    async with author.expect_download() as download_info:
        await author.get_by_role("button", name="Export JSON").click()
    exported = await download_info.value
    assert exported.suggested_filename.endswith(".json")
    await author.locator("#import-file").set_input_files(await exported.path())
    await expect(author.get_by_text("Quiz imported.")).to_be_visible()
    await expect(author.locator("#quiz-list .list-item")).to_have_count(2)
    await author.get_by_role("button", name="Delete quiz").click()
    await author.get_by_role("dialog").get_by_role("button", name="Delete quiz").click()
    await expect(author.get_by_text("Quiz deleted.")).to_be_visible()
    await expect(author.locator("#quiz-list .list-item")).to_have_count(1)

    # A CSV that is not a quiz: refused whole, with line numbers.
    bad_csv = tmp_path / "broken.csv"
    bad_csv.write_text("title,description\nBroken,\nkind,text\nnonsense,What?\n", encoding="utf-8")
    await author.locator("#import-file").set_input_files(bad_csv)
    await expect(author.locator("#import-note")).to_contain_text("couldn't be imported")

    # Host it from the editor, play it from a phone.
    await author.get_by_role("button", name="Kitchen Science").click()
    await expect(author.get_by_role("link", name="Host this quiz")).to_be_visible()
    await author.evaluate("() => { document.querySelector('.toasts')?.remove(); window.scrollTo(0, 0); }")
    await author.screenshot(path=str(shots / "author.png"), full_page=False)
    await author.get_by_role("link", name="Host this quiz").click()
    await expect(author.get_by_role("heading", name="Game options")).to_be_visible()
    await author.get_by_label("Reading time (seconds)").fill("1")
    await author.get_by_label("Show questions on players' devices").uncheck()  # answers on the big screen
    await author.get_by_role("button", name="Create game").click()
    await expect(author.locator("#pin")).to_have_text(re.compile(r"^\d{6}$"))
    pin = (await author.locator("#pin").inner_text()).strip()

    player = await pages.open("player", f"/play?pin={pin}", viewport=PHONE, has_touch=True)
    await player.get_by_label("Nickname").fill("Sam")
    await player.get_by_label("Nickname").press("Enter")
    await expect(author.locator("#players li")).to_have_count(1)
    await author.get_by_role("button", name="Start").click()

    await expect(player.locator("#q-title")).to_have_text("Which of these dissolves fastest in cold water?")
    await expect(player.get_by_text("Look at the big screen")).to_be_visible()
    salt = player.get_by_role("button", name="Triangle", exact=True)  # shapes only on the devices
    await expect(salt).to_be_enabled()  # after the one-second reading time
    await salt.click()
    await expect(player.locator(".verdict .title")).to_have_text("Correct!")

    for expected_text, answer in [
        ("Water boils at a lower temperature on a mountain.", "tf"),
        ("Which acid makes vinegar sour?", "type"),
        ("Order these from most to least acidic", "order"),
        ("How many minutes for a soft-boiled egg?", "slider"),
        ("Which of these are acids?", "multiple"),
        ("Tea or coffee?", "poll"),
    ]:
        await author.get_by_role("button", name=re.compile("Next question|Show the podium")).click()
        await expect(player.locator("#q-title")).to_have_text(expected_text)
        if answer == "tf":
            await expect(player.get_by_role("button", name="True")).to_be_enabled()
            await player.get_by_role("button", name="True").click()
        elif answer == "type":
            await expect(player.get_by_label("Your answer")).to_be_enabled()
            await player.get_by_label("Your answer").fill("acetic ACID")
            await player.get_by_label("Your answer").press("Enter")
        elif answer == "multiple":
            await expect(player.get_by_role("button", name="Triangle", exact=True)).to_be_enabled()
            await player.get_by_role("button", name="Triangle", exact=True).click()
            await player.get_by_role("button", name="Circle", exact=True).click()
            await player.get_by_role("button", name="Submit 2 answers").click()
        elif answer == "poll":
            await expect(player.get_by_role("button", name="Diamond", exact=True)).to_be_enabled()
            await player.get_by_role("button", name="Diamond", exact=True).click()
        elif answer == "order":
            await expect(player.get_by_role("button", name="Lock in this order")).to_be_enabled()
            await player.get_by_role("button", name="Lock in this order").click()
        else:
            await expect(player.get_by_role("button", name="Submit")).to_be_enabled()
            await player.get_by_role("button", name="Submit").click()
        await expect(player.locator(".verdict")).to_be_visible()
    await author.get_by_role("button", name="Show the podium").click()
    await expect(player.get_by_role("heading", name="Game over!")).to_be_visible()
    await expect(player.get_by_text("You finished 1st with")).to_be_visible()
    await expect(author.locator(".podium .who")).to_have_text(["Sam"])
    pages.assert_clean()
