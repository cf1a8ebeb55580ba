"""Whose X-Forwarded-For counts: only a proxy listed in FORWARDED_ALLOW_IPS may name the client, so a
client cannot dodge the per-address login throttle by making up addresses."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from persistence.db import Database
from server.app import create_app
from server.config import Settings, load_settings
from server.passwords import Passwords

PROXY = "192.0.2.10"
ATTEMPTS = 30  # the default LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE


@pytest.fixture
def trusting_settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, forwarded_allow_ips=(PROXY, "10.20.0.0/16"))


@pytest.fixture
async def proxied_app(trusting_settings: Settings, db: Database) -> AsyncIterator[Starlette]:
    application = create_app(trusting_settings, database=db)
    application.state.password_hasher = Passwords(4, time_cost=1, memory_cost=1024, parallelism=1)
    async with application.router.lifespan_context(application):
        yield application


def client_from(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def login_statuses(http: httpx.AsyncClient, forwarded_for: list[str]) -> list[int]:
    statuses = []
    for address in forwarded_for:
        response = await http.post(
            "/auth/login",
            json={"username": f"nobody{len(statuses)}", "password": "wrong password"},
            headers={"X-Forwarded-For": address},
        )
        statuses.append(response.status_code)
    return statuses


def made_up(count: int) -> list[str]:
    return [f"198.51.100.{i}" for i in range(1, count + 1)]


async def test_by_default_nobody_may_name_the_client(app: Starlette) -> None:
    async with client_from(app, PROXY) as http:
        statuses = await login_statuses(http, made_up(ATTEMPTS + 2))
    assert statuses[:ATTEMPTS] == [401] * ATTEMPTS
    assert statuses[ATTEMPTS:] == [429, 429]  # one address, whatever the header says


async def test_a_listed_proxy_names_the_client(proxied_app: Starlette) -> None:
    async with client_from(proxied_app, PROXY) as http:
        statuses = await login_statuses(http, made_up(ATTEMPTS + 2))
    assert statuses == [401] * (ATTEMPTS + 2)  # each named client has attempts of its own
    async with client_from(proxied_app, "10.20.3.4") as http:  # inside a listed network
        statuses = await login_statuses(http, made_up(ATTEMPTS + 2))
    assert statuses == [401] * (ATTEMPTS + 2)


async def test_a_client_that_is_not_a_listed_proxy_is_not_believed(proxied_app: Starlette) -> None:
    async with client_from(proxied_app, "203.0.113.50") as http:
        statuses = await login_statuses(http, made_up(ATTEMPTS + 1))
    assert statuses[-1] == 429


async def test_the_named_client_is_the_one_throttled(proxied_app: Starlette) -> None:
    async with client_from(proxied_app, PROXY) as http:
        statuses = await login_statuses(http, ["198.51.100.7"] * (ATTEMPTS + 1))
        assert statuses[-1] == 429
        # The proxy's other clients are not held back by that one.
        assert await login_statuses(http, ["198.51.100.8"]) == [401]


def test_forwarded_allow_ips_is_read_from_the_environment() -> None:
    assert load_settings({"SECRET_KEY": "k" * 40}).forwarded_allow_ips == ()
    listed = load_settings({"SECRET_KEY": "k" * 40, "FORWARDED_ALLOW_IPS": "10.0.0.5, 172.16.0.0/12"})
    assert listed.forwarded_allow_ips == ("10.0.0.5", "172.16.0.0/12")
