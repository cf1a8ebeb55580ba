"""The /auth routes and the account service, on SQLite and PostgreSQL: every success and refusal path."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import func, select

from persistence.db import Database
from persistence.models import RefreshToken, User
from server.accounts import create_user
from server.config import Settings
from server.errors import Conflict, ValidationFailed
from server.passwords import Passwords
from server.throttle import MemoryLoginThrottle
from server.tokens import hash_refresh_token, issue_access_token
from tests.test_throttle import FakeClock

PASSWORD = "correct horse battery"


def cheap_passwords(time_cost: int = 1) -> Passwords:
    """argon2id with tiny costs: the same code path, a thousandth of the time."""
    return Passwords(4, time_cost=time_cost, memory_cost=1024, parallelism=1)


@pytest.fixture
def app(app: Any) -> Any:
    """conftest's app, hashing cheaply (the `client` fixture picks this one up in this module)."""
    app.state.password_hasher = cheap_passwords()
    return app


async def register(client: httpx.AsyncClient, username: str = "alice", email: str | None = None,
                   password: str = PASSWORD, **extra: Any) -> httpx.Response:
    return await client.post("/auth/register", json={
        "username": username, "email": email or f"{username}@example.com", "password": password, **extra})


async def login(client: httpx.AsyncClient, username: str = "alice",
                password: str = PASSWORD) -> httpx.Response:
    return await client.post("/auth/login", json={"username": username, "password": password})


async def tokens_for(client: httpx.AsyncClient, username: str = "alice") -> dict[str, Any]:
    assert (await register(client, username)).status_code == 201
    response = await login(client, username)
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def count(db: Database, model: type) -> int:
    async with db.uow() as uow:
        return await uow.session.scalar(select(func.count()).select_from(model))


async def stored_token(db: Database, token: str) -> RefreshToken:
    async with db.uow() as uow:
        found = await uow.refresh_tokens.by_hash(hash_refresh_token(token))
        assert found is not None
        uow.session.expunge(found)  # keeps its loaded state readable after the unit of work closes
    return found


async def password_hash_of(db: Database, username: str) -> str:
    async with db.uow() as uow:
        user = await uow.users.by_username(username)
        assert user is not None
        return user.password_hash


def error_of(response: httpx.Response) -> dict[str, Any]:
    return response.json()["error"]


# --- register ---

async def test_register_returns_the_new_user(client: httpx.AsyncClient) -> None:
    response = await register(client, "Alice_1.x-y", "Alice@Example.com")
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "username", "email", "role", "xp", "level", "created_at"}
    assert body["username"] == "Alice_1.x-y" and body["email"] == "Alice@Example.com"
    assert (body["role"], body["xp"], body["level"]) == ("user", 0, 1)
    assert datetime.fromisoformat(body["created_at"]).utcoffset() == timedelta(0)


async def test_register_stores_an_argon2id_hash_never_the_password(client: httpx.AsyncClient,
                                                                    db: Database) -> None:
    await register(client)
    stored = await password_hash_of(db, "alice")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


async def test_username_taken_in_another_case_is_a_conflict(client: httpx.AsyncClient, db: Database) -> None:
    await register(client, "alice")
    response = await register(client, "ALICE", "someone.else@example.com")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict" and "username" in error["message"]
    assert [f["path"] for f in error["fields"]] == ["username"]
    assert await count(db, User) == 1


async def test_email_taken_in_another_case_is_a_conflict(client: httpx.AsyncClient, db: Database) -> None:
    await register(client, "alice", "alice@example.com")
    response = await register(client, "bob", "ALICE@example.COM")
    assert response.status_code == 409
    assert [f["path"] for f in error_of(response)["fields"]] == ["email"]
    assert await count(db, User) == 1


async def test_both_taken_names_both_fields(client: httpx.AsyncClient) -> None:
    await register(client, "alice")
    response = await register(client, "Alice", "alice@EXAMPLE.com")
    assert response.status_code == 409
    assert [f["path"] for f in error_of(response)["fields"]] == ["username", "email"]


async def test_bad_fields_are_each_reported(client: httpx.AsyncClient, db: Database) -> None:
    response = await register(client, "a b", "not-an-email", "short")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert sorted(f["path"] for f in error["fields"]) == ["email", "password", "username"]
    assert await count(db, User) == 0


@pytest.mark.parametrize("username", ["ab", "x" * 33, "bad name", "émile", "semi;colon", "<script>"])
async def test_bad_usernames_are_refused(client: httpx.AsyncClient, username: str) -> None:
    response = await register(client, username, "ok@example.com")
    assert response.status_code == 422
    assert [f["path"] for f in error_of(response)["fields"]] == ["username"]


@pytest.mark.parametrize("email", [
    "plain", "@example.com", "a@", "a@localhost", "a@b@example.com", "a@example.com, b@example.com",
    "a b@example.com", "a..b@example.com", "a@-example.com", "a@example.c", "x" * 65 + "@example.com",
    "a@" + "b" * 250 + ".com", "a@exa\nmple.com", "a\x00@example.com", "<a@example.com>",
])
async def test_bad_emails_are_refused(client: httpx.AsyncClient, email: str) -> None:
    response = await register(client, "alice", email)
    assert response.status_code == 422, email
    assert [f["path"] for f in error_of(response)["fields"]] == ["email"]


async def test_email_is_stored_without_surrounding_spaces(client: httpx.AsyncClient) -> None:
    response = await register(client, "alice", "  alice@example.com\n")
    assert response.status_code == 201
    assert response.json()["email"] == "alice@example.com"


async def test_password_length_limits(client: httpx.AsyncClient) -> None:
    assert (await register(client, "minimum", password="x" * 8)).status_code == 201
    assert (await register(client, "maximum", password="x" * 256)).status_code == 201
    too_long = await register(client, "toolong", password="x" * 257)
    assert too_long.status_code == 422
    assert [f["path"] for f in error_of(too_long)["fields"]] == ["password"]


@pytest.mark.parametrize("extra", [{"role": "admin"}, {"xp": 10_000}, {"owner": 1}, {"id": 1}])
async def test_mass_assignment_is_refused(client: httpx.AsyncClient, db: Database,
                                          extra: dict[str, Any]) -> None:
    response = await register(client, **extra)
    assert response.status_code == 422
    assert [f["path"] for f in error_of(response)["fields"]] == list(extra)
    assert await count(db, User) == 0


async def test_register_needs_a_json_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/auth/register", content=b"username=alice",
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


# --- the account service (also used by the CLI) ---

async def test_a_lost_insert_race_is_a_conflict_not_a_500(db: Database) -> None:
    passwords = cheap_passwords()
    async with db.uow() as uow:
        await create_user(uow, "carol", "carol@example.com", PASSWORD, passwords=passwords)
        await uow.commit()

    async def not_yet(key: str) -> None:
        return None

    async with db.uow() as uow:
        # As if another request inserted "carol" between our check and our insert.
        uow.users.by_username = not_yet  # type: ignore[method-assign]
        uow.users.by_email = not_yet  # type: ignore[method-assign]
        with pytest.raises(Conflict) as caught:
            await create_user(uow, "Carol", "other@example.com", PASSWORD, passwords=passwords)
    assert [f.path for f in caught.value.fields] == ["username"]
    assert await count(db, User) == 1


async def test_create_user_makes_an_admin_who_can_log_in(client: httpx.AsyncClient, db: Database) -> None:
    async with db.uow() as uow:
        await create_user(uow, "root", "root@example.com", PASSWORD, role="admin",
                          passwords=cheap_passwords())
        await uow.commit()
    token = (await login(client, "root")).json()["access_token"]
    assert (await client.get("/auth/me", headers=bearer(token))).json()["role"] == "admin"


async def test_create_user_checks_its_input_like_the_route(db: Database) -> None:
    async with db.uow() as uow:
        with pytest.raises(ValidationFailed) as caught:
            await create_user(uow, "x", "nope", "short", passwords=cheap_passwords())
        with pytest.raises(ValueError):
            await create_user(uow, "valid", "valid@example.com", PASSWORD, role="owner")
    assert [f.path for f in caught.value.fields] == ["username", "email", "password"]


# --- password hashing ---

class GatedPasswords(Passwords):
    """Holds every verification in its thread until the test opens the gate, counting how many run at once."""

    def __init__(self, concurrency: int):
        super().__init__(concurrency, time_cost=1, memory_cost=1024, parallelism=1)
        self.gate = threading.Event()
        self.entered: asyncio.Queue[None] = asyncio.Queue()
        self.inside = self.peak = 0
        self._lock = threading.Lock()
        self._loop = asyncio.get_running_loop()

    async def wait_entered(self, count: int) -> None:
        async with asyncio.timeout(5):
            for _ in range(count):
                await self.entered.get()

    def _check(self, stored_hash: str, password: str) -> bool:
        with self._lock:
            self.inside += 1
            self.peak = max(self.peak, self.inside)
        self._loop.call_soon_threadsafe(self.entered.put_nowait, None)
        self.gate.wait(timeout=10)
        with self._lock:
            self.inside -= 1
        return super()._check(stored_hash, password)


async def test_hashes_verify_and_need_no_rehash_with_the_same_parameters() -> None:
    passwords = cheap_passwords()
    stored = await passwords.hash(PASSWORD)
    assert stored.startswith("$argon2id$") and stored != await passwords.hash(PASSWORD)
    assert await passwords.verify(stored, PASSWORD)
    assert not await passwords.verify(stored, PASSWORD + "!")
    assert not await passwords.verify(None, PASSWORD)
    assert not await passwords.verify("not-a-hash", PASSWORD)
    assert not passwords.needs_rehash(stored)
    assert cheap_passwords(time_cost=2).needs_rehash(stored)
    assert passwords.needs_rehash("not-a-hash")


async def test_no_more_hashes_run_at_once_than_the_cap() -> None:
    passwords = GatedPasswords(concurrency=2)
    stored = await passwords.hash(PASSWORD)
    checks = [asyncio.create_task(passwords.verify(stored, PASSWORD)) for _ in range(5)]
    await passwords.wait_entered(2)
    await asyncio.sleep(0.05)  # room for a third to start, were the cap not holding
    assert passwords.inside == 2 and passwords.entered.empty()
    passwords.gate.set()
    assert await asyncio.gather(*checks) == [True] * 5
    assert passwords.peak == 2


async def test_a_cancelled_caller_keeps_its_slot_until_the_hash_ends() -> None:
    passwords = GatedPasswords(concurrency=1)
    stored = await passwords.hash(PASSWORD)
    check = asyncio.create_task(passwords.verify(stored, PASSWORD))
    await passwords.wait_entered(1)
    check.cancel()
    with pytest.raises(asyncio.CancelledError):
        await check
    waiting = asyncio.create_task(passwords.verify(stored, PASSWORD))
    await asyncio.sleep(0.05)
    assert passwords.inside == 1 and not waiting.done()  # the abandoned hash still holds the only slot
    passwords.gate.set()
    assert await asyncio.wait_for(waiting, timeout=5)


# --- login ---

async def test_login_with_json(client: httpx.AsyncClient) -> None:
    body = await tokens_for(client)
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    me = await client.get("/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["username"] == "alice"


async def test_login_with_a_form(client: httpx.AsyncClient) -> None:
    await register(client)
    response = await client.post("/auth/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "bearer"


async def test_login_ignores_username_case(client: httpx.AsyncClient) -> None:
    await register(client, "alice")
    assert (await login(client, "ALICE")).status_code == 200


async def test_wrong_password_and_unknown_user_look_the_same(client: httpx.AsyncClient, db: Database) -> None:
    await register(client)
    wrong = await login(client, "alice", "not the password")
    unknown = await login(client, "nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert error_of(wrong) == {"code": "unauthorized", "message": "Invalid username or password"}
    assert wrong.headers.get("www-authenticate") == unknown.headers.get("www-authenticate")
    assert await count(db, RefreshToken) == 0


class CountingPasswords(Passwords):
    """Records every argon2 verification, to show unknown users cost one too."""

    def __init__(self) -> None:
        super().__init__(4, time_cost=1, memory_cost=1024, parallelism=1)
        self.checks = 0

    def _check(self, stored_hash: str, password: str) -> bool:
        self.checks += 1
        return super()._check(stored_hash, password)


async def test_unknown_user_costs_a_full_verification(client: httpx.AsyncClient, app: Any) -> None:
    app.state.password_hasher = counting = CountingPasswords()
    await login(client, "nobody", PASSWORD)
    await login(client, "nobody-else", PASSWORD)
    assert counting.checks == 2


async def test_login_upgrades_an_outdated_hash(client: httpx.AsyncClient, app: Any, db: Database) -> None:
    await register(client)
    app.state.password_hasher = cheap_passwords(time_cost=2)
    assert (await login(client)).status_code == 200
    assert "t=2," in await password_hash_of(db, "alice")
    assert (await login(client)).status_code == 200


@pytest.mark.parametrize("payload", [{}, {"username": "alice"}, {"username": "", "password": "x"},
                                     {"username": "alice", "password": "x" * 257},
                                     {"username": "alice", "password": PASSWORD, "role": "admin"}])
async def test_malformed_login_is_a_validation_error(client: httpx.AsyncClient, payload: dict) -> None:
    response = await client.post("/auth/login", json=payload)
    assert response.status_code == 422
    assert error_of(response)["fields"]


# --- login throttling ---

@pytest.fixture
def clock(app: Any) -> FakeClock:
    clock = FakeClock()
    app.state.login_throttle = MemoryLoginThrottle.from_settings(app.state.settings, clock=clock)
    return clock


async def test_sixth_bad_login_is_rate_limited(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await register(client)
    for _ in range(5):
        assert (await login(client, "alice", "wrong password")).status_code == 401
    response = await login(client, "alice", "wrong password")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert error_of(response)["code"] == "rate_limited"
    # Locked means locked: the right password waits too.
    assert (await login(client, "alice", PASSWORD)).status_code == 429
    clock.advance(1)
    assert (await login(client, "alice", PASSWORD)).status_code == 200
    # The success cleared the account: five more failures before any wait.
    for _ in range(5):
        assert (await login(client, "alice", "wrong password")).status_code == 401


async def test_unknown_accounts_are_throttled_the_same_way(client: httpx.AsyncClient,
                                                           clock: FakeClock) -> None:
    for _ in range(5):
        assert (await login(client, "ghost", "wrong password")).status_code == 401
    response = await login(client, "ghost", "wrong password")
    assert response.status_code == 429 and response.headers["retry-after"] == "1"


async def test_per_address_limit(client: httpx.AsyncClient, app: Any) -> None:
    clock = FakeClock()
    app.state.login_throttle = MemoryLoginThrottle(attempts_per_address_per_minute=3, clock=clock)
    await register(client)
    for name in ("a1", "a2", "a3"):
        assert (await login(client, name)).status_code == 401
    response = await login(client, "alice")
    assert response.status_code == 429 and response.headers["retry-after"] == "60"
    clock.advance(60)
    assert (await login(client, "alice")).status_code == 200


async def test_throttle_is_made_from_settings_on_first_use(client: httpx.AsyncClient, app: Any,
                                                           settings: Settings) -> None:
    await login(client, "nobody")
    throttle = app.state.login_throttle
    assert isinstance(throttle, MemoryLoginThrottle)
    assert throttle.attempts_per_address == settings.login_attempts_per_address_per_minute


# --- refresh ---

async def test_refresh_rotates_and_spends_the_old_token(client: httpx.AsyncClient, db: Database) -> None:
    first = await tokens_for(client)
    response = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"] and second["token_type"] == "bearer"
    old, new = await stored_token(db, first["refresh_token"]), await stored_token(db, second["refresh_token"])
    assert old.used_at is not None and old.family_id == new.family_id
    me = await client.get("/auth/me", headers=bearer(second["access_token"]))
    assert me.status_code == 200
    third = await client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert third.status_code == 200


async def test_reusing_a_spent_token_revokes_the_family(client: httpx.AsyncClient, db: Database) -> None:
    first = await tokens_for(client)
    other_session = (await login(client)).json()
    second = (await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    replay = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert error_of(replay)["code"] == "unauthorized"
    assert (await stored_token(db, second["refresh_token"])).revoked_at is not None
    newest = await client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert newest.status_code == 401
    # Another login is another family, untouched.
    other = await client.post("/auth/refresh", json={"refresh_token": other_session["refresh_token"]})
    assert other.status_code == 200


async def test_each_login_starts_a_new_family(client: httpx.AsyncClient, db: Database) -> None:
    first = await tokens_for(client)
    second = (await login(client)).json()
    families = {(await stored_token(db, t["refresh_token"])).family_id for t in (first, second)}
    assert len(families) == 2


async def test_expired_refresh_token_is_refused(client: httpx.AsyncClient, db: Database) -> None:
    pair = await tokens_for(client)
    async with db.uow() as uow:
        token = await uow.refresh_tokens.by_hash(hash_refresh_token(pair["refresh_token"]))
        assert token is not None
        token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        await uow.commit()
    response = await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 401
    assert (await stored_token(db, pair["refresh_token"])).used_at is None
    assert await count(db, RefreshToken) == 1


@pytest.mark.parametrize("payload", [{"refresh_token": "made-up"}, {"refresh_token": "x" * 43}])
async def test_unknown_refresh_token_is_refused(client: httpx.AsyncClient, payload: dict) -> None:
    response = await client.post("/auth/refresh", json=payload)
    assert response.status_code == 401


@pytest.mark.parametrize("payload", [{}, {"refresh_token": ""}, {"refresh_token": 5}])
async def test_malformed_refresh_is_a_validation_error(client: httpx.AsyncClient, payload: dict) -> None:
    assert (await client.post("/auth/refresh", json=payload)).status_code == 422


async def test_an_access_token_is_not_a_refresh_token(client: httpx.AsyncClient) -> None:
    pair = await tokens_for(client)
    response = await client.post("/auth/refresh", json={"refresh_token": pair["access_token"]})
    assert response.status_code == 401


# --- logout ---

async def test_logout_revokes_every_refresh_token(client: httpx.AsyncClient, db: Database) -> None:
    first = await tokens_for(client)
    second = (await login(client)).json()
    response = await client.post("/auth/logout", headers=bearer(first["access_token"]))
    assert response.status_code == 204 and response.content == b""
    for pair in (first, second):
        refused = await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert refused.status_code == 401


async def test_logout_leaves_other_users_alone(client: httpx.AsyncClient) -> None:
    alice = await tokens_for(client, "alice")
    bob = await tokens_for(client, "bob")
    await client.post("/auth/logout", headers=bearer(alice["access_token"]))
    response = await client.post("/auth/refresh", json={"refresh_token": bob["refresh_token"]})
    assert response.status_code == 200


async def test_logout_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/auth/logout")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


# --- me ---

async def test_me_shows_role_xp_and_level(client: httpx.AsyncClient, db: Database) -> None:
    pair = await tokens_for(client)
    async with db.uow() as uow:
        user = await uow.users.by_username("alice")
        assert user is not None
        user.xp = 450
        await uow.commit()
    body = (await client.get("/auth/me", headers=bearer(pair["access_token"]))).json()
    assert (body["username"], body["role"], body["xp"], body["level"]) == ("alice", "user", 450, 3)
    assert "password_hash" not in body


def _unsigned(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _claims(settings: Settings, user_id: int, **override: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": str(user_id), "role": "admin", "typ": "access", "jti": "j", "iss": settings.jwt_issuer,
            "aud": settings.jwt_audience, "iat": now, "exp": now + 600, **override}


@pytest.mark.parametrize("kind", ["none", "garbage", "expired", "other-secret", "alg-none", "wrong-audience",
                                  "refresh-token", "deleted-user", "basic-scheme"])
async def test_me_refuses_bad_credentials(client: httpx.AsyncClient, settings: Settings, db: Database,
                                          kind: str) -> None:
    pair = await tokens_for(client)
    user_id = (await client.get("/auth/me", headers=bearer(pair["access_token"]))).json()["id"]
    headers = {
        "none": {},
        "garbage": bearer("not.a.jwt"),
        "expired": bearer(issue_access_token(settings, user_id, "user", now=time.time() - 3600)),
        "other-secret": bearer(jwt.encode(_claims(settings, user_id), "another-secret-" + "y" * 40,
                                          algorithm="HS256")),
        "alg-none": bearer(_unsigned(_claims(settings, user_id))),
        "wrong-audience": bearer(jwt.encode(_claims(settings, user_id, aud="elsewhere"), settings.secret_key,
                                            algorithm="HS256")),
        "refresh-token": bearer(pair["refresh_token"]),
        "deleted-user": bearer(issue_access_token(settings, user_id + 1000, "user")),
        "basic-scheme": {"Authorization": f"Basic {pair['access_token']}"},
    }[kind]
    response = await client.get("/auth/me", headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


# --- OpenAPI ---

async def test_openapi_describes_every_auth_route(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    paths = doc["paths"]
    assert {"/auth/register", "/auth/login", "/auth/refresh", "/auth/logout", "/auth/me"} <= set(paths)
    assert "201" in paths["/auth/register"]["post"]["responses"]
    login_body = paths["/auth/login"]["post"]["requestBody"]["content"]
    assert {"application/json", "application/x-www-form-urlencoded"} <= set(login_body)
    assert paths["/auth/me"]["get"]["security"] == [{"bearer": []}]
    schemas = doc["components"]["schemas"]
    assert schemas["RegisterRequest"]["additionalProperties"] is False
    assert set(schemas["Account"]["properties"]) == {"id", "username", "email", "role", "xp", "level",
                                                     "created_at"}
    assert set(schemas["TokenPair"]["required"]) >= {"access_token", "refresh_token", "expires_in"}
