"""The host's lobby tells players which address to open: this machine's LAN address when the server
listens on the network, and a warning with the fix when the join link only works on this computer."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Pages, Site, host_seat

pytestmark = pytest.mark.browser

QUIZ: dict[str, Any] = {
    "title": "Join test", "questions": [{"kind": "true_false", "text": "Phones can join?", "correct": True}],
}


async def host_lobby(site: Site, pages: Pages, name: str) -> tuple[Page, dict[str, Any]]:
    page, game = await host_seat(site, pages, name, QUIZ)
    await expect(page.locator("#pin")).to_have_text(game["pin"])
    return page, game


async def test_loopback_join_link_warns_the_host_with_the_fix(site: Site, pages: Pages) -> None:
    page, game = await host_lobby(site, pages, "loopback")
    port = site.base_url.rsplit(":", 1)[1]
    await expect(page.locator(".join-url")).to_have_text(f"127.0.0.1:{port}/play")
    warning = page.locator("#local-only")
    await expect(warning).to_be_visible()
    await expect(warning).to_contain_text("Phones cannot open this address")
    await expect(warning.locator("code")).to_have_text("quizarena serve --host 0.0.0.0")
    pages.assert_clean()


async def test_lan_address_is_shown_and_encoded_in_the_qr_code(site: Site, pages: Pages) -> None:
    # As `quizarena serve --host 0.0.0.0` sets it after finding the LAN address (192.0.2.x: TEST-NET-1).
    site.app.state.settings = replace(site.app.state.settings, lan_address="192.0.2.10")
    page, game = await host_lobby(site, pages, "lanhost")
    port = site.base_url.rsplit(":", 1)[1]
    assert game["join_url"] == f"http://192.0.2.10:{port}/play?pin={game['pin']}"
    await expect(page.locator(".join-url")).to_have_text(f"192.0.2.10:{port}/play")
    await expect(page.locator("#local-only")).to_have_count(0)
    qr = page.get_by_role("img", name=re.compile(r"QR code to join at 192\.0\.2\.10"))
    await expect(qr).to_be_visible()
    svg = (await site.http.get("/qr.svg", params={"pin": game["pin"]})).text
    assert f"<title>http://192.0.2.10:{port}/play?pin={game['pin']}</title>" in svg
    pages.assert_clean()
