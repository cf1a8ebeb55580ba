"""Field errors in plain words: the server's validation messages (pydantic's phrasing, "Value error, "
prefixes) as `fieldMessage` in static/js/i18n.js shows them next to each field."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Pages, Site

pytestmark = pytest.mark.browser

# What the server answers today for a bad quiz document (POST /quizzes), and what a person reads.
CASES = {
    "String should have at least 1 character": "This can't be empty.",
    "String should have at most 200 characters": "Use at most 200 characters.",
    "Input should be greater than or equal to 5": "Use 5 or more.",
    "Input should be less than or equal to 240": "Use 240 or less.",
    "Input should be 0, 1000 or 2000": "Choose 0, 1000 or 2000.",
    "Input should be 'speed' or 'accuracy'": "Choose speed or accuracy.",
    "Input should be a valid integer": "Enter a whole number.",
    "Input should be a valid integer, unable to parse string as an integer": "Enter a whole number.",
    "List should have at least 1 item after validation, not 0": "Add at least one.",
    "List should have at least 2 items after validation, not 1": "Add at least 2.",
    "List should have at most 6 items after validation, not 7": "Keep at most 6.",
    "Field required": "Please fill this in.",
    "Extra inputs are not permitted": "This doesn't belong here.",
    "Value error, max must be greater than min": "Max must be greater than min.",
    "max must be greater than min": "Max must be greater than min.",
    "a single choice question needs exactly one correct option":
        "A single choice question needs exactly one correct option.",
    "a tag may not contain ',' or ';'": "A tag may not contain ',' or ';'.",
    "Already taken.": "Already taken.",
}


async def test_server_field_errors_read_as_plain_words(site: Site, pages: Pages) -> None:
    page = await pages.open("home", "/")
    shown = await page.evaluate(
        """async (messages) => {
            const { fieldMessage } = await import("/static/js/i18n.js");
            return Object.fromEntries(messages.map((m) => [m, fieldMessage(m)]));
        }""",
        list(CASES),
    )
    assert shown == CASES
    pages.assert_clean()
