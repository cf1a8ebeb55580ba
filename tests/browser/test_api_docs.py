"""/docs: Swagger UI, vendored in static/, over /openapi.json inside the site's header. A REST client
signs in on the page and performs an authenticated call from it; nothing is loaded from elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, Pages, Site, screenshot_dir

pytestmark = pytest.mark.browser


async def test_sign_in_on_the_docs_page_and_call_auth_me(site: Site, pages: Pages, tmp_path: Path) -> None:
    await site.sign_up("restclient")
    requested: list[str] = []
    page = await pages.open("docs", "/", viewport=DESKTOP)
    page.on("request", lambda request: requested.append(request.url))
    await page.goto("/docs")
    await expect(page.get_by_role("heading", name="QuizArena API", level=1)).to_be_visible()
    await expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # the site's own header
    me_op = page.locator("#operations-auth-me")  # Swagger UI's id: tag and operationId
    await expect(me_op).to_be_visible()

    # The bearer login is wired in: sign in with the site's own form on this page.
    await page.get_by_text("Sign in to try them").click()
    await page.get_by_label("Username").fill("restclient")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#docs-auth")).to_contain_text("Signed in as restclient")

    await me_op.locator(".opblock-summary-control").click()
    await me_op.get_by_role("button", name="Execute").click()
    status = me_op.locator(".live-responses-table tbody .response-col_status").first
    await expect(status).to_have_text("200")
    body = json.loads(await me_op.locator(".live-responses-table tbody .microlight").first.inner_text())
    assert body["username"] == "restclient"
    curl = await me_op.locator(".curl-command").inner_text()
    assert "Authorization: Bearer " in curl

    await me_op.scroll_into_view_if_needed()
    await page.screenshot(path=str(screenshot_dir(tmp_path) / "docs.png"))
    await assert_accessible(page, "/docs after an authenticated call")
    base = site.base_url
    elsewhere = [url for url in requested if not url.startswith(base)]
    assert requested and not elsewhere, elsewhere
    pages.assert_clean()


async def test_docs_page_fits_a_phone(site: Site, pages: Pages) -> None:
    page = await pages.open("phone", "/docs", viewport=PHONE)
    await page.locator("#swagger .opblock").first.wait_for()
    await page.locator("#swagger .opblock .opblock-summary-control").first.click()
    await page.locator("#swagger .opblock .opblock-body").first.wait_for()
    await assert_no_sideways_scroll(page, "/docs with an operation open")
    await assert_accessible(page, "/docs on a phone with an operation open")
    pages.assert_clean()
