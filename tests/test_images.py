"""Question images: the checks on an upload (real Pillow images made here), the store, the REST routes
on SQLite and PostgreSQL, and a quiz with images through JSON and CSV export and import."""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from persistence.db import Database
from server.config import Settings
from server.images import MAX_SIDE, ImageRefused, ImageStore, clean_image, declared_format
from server.routes.images import UploadLimit
from tests.conftest import TEST_SECRET
from tests.test_quiz_import_export import export, import_csv
from tests.test_quizzes import Author, Signup, new_author, without_ids

PIXELS = 4096 * 4096


def picture(fmt: str, size: tuple[int, int] = (64, 48), noise: bool = False, **save: Any) -> bytes:
    """An image file made by Pillow: flat colour, or noise (which does not compress, so cutting the
    file short really loses pixels)."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 30, 60))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def animation(fmt: str, frames: int, size: tuple[int, int] = (24, 24)) -> bytes:
    images = [Image.new("RGB", size, (40 * n % 256, 90, 200)) for n in range(frames)]
    out = io.BytesIO()
    images[0].save(out, format=fmt, save_all=True, append_images=images[1:], duration=120, loop=0)
    return out.getvalue()


# ---- the checks ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "extension", "media_type"), [
    ("PNG", "png", "image/png"), ("JPEG", "jpg", "image/jpeg"), ("WEBP", "webp", "image/webp"),
    ("GIF", "gif", "image/gif"),
])
def test_each_kind_is_decoded_and_written_again(fmt: str, extension: str, media_type: str) -> None:
    image = clean_image(picture(fmt), declared_format(media_type), PIXELS)
    assert (image.format, image.media_type, image.width, image.height) == (fmt, media_type, 64, 48)
    assert image.name == f"{hashlib.sha256(image.data).hexdigest()}.{extension}"
    with Image.open(io.BytesIO(image.data)) as again:
        assert again.format == fmt and again.size == (64, 48)


def test_metadata_is_dropped_and_a_photo_stands_as_taken() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotated 90 degrees
    exif[0x010F] = "SpyCam"  # make
    image = clean_image(picture("JPEG", (80, 40), exif=exif.tobytes()), "JPEG", PIXELS)
    assert (image.width, image.height) == (40, 80)
    with Image.open(io.BytesIO(image.data)) as again:
        assert not again.getexif()


def test_a_large_still_is_scaled_down_to_fit_a_projector() -> None:
    image = clean_image(picture("PNG", (4000, 1000)), "PNG", PIXELS)
    assert (image.width, image.height) == (MAX_SIDE, MAX_SIDE // 4)


def test_an_animation_keeps_its_frames() -> None:
    for fmt in ("GIF", "WEBP"):
        image = clean_image(animation(fmt, 5), fmt, PIXELS)
        with Image.open(io.BytesIO(image.data)) as again:
            assert again.n_frames == 5


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_a_file_cut_short_is_refused(fmt: str) -> None:
    whole = picture(fmt, (120, 90), noise=True)
    with pytest.raises(ImageRefused, match="damaged or cut short|not an image"):
        clean_image(whole[: len(whole) // 2], fmt, PIXELS)


@pytest.mark.parametrize(("data", "declared", "message"), [
    (picture("PNG"), "JPEG", "is a PNG image but was sent as JPEG"),
    (picture("GIF"), "WEBP", "is a GIF image but was sent as WebP"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "PNG", "not an image"),
    (b"GIF89a" + b"\x00" * 40, "GIF", "not an image|damaged"),
    (picture("BMP"), "PNG", "not an image"),
    (b"%PDF-1.7\n" + picture("PNG"), "PNG", "not an image"),
])
def test_a_file_that_lies_about_itself_is_refused(data: bytes, declared: str, message: str) -> None:
    with pytest.raises(ImageRefused, match=message):
        clean_image(data, declared, PIXELS)


def test_too_many_pixels_are_refused_before_decoding() -> None:
    with pytest.raises(ImageRefused, match="5000 x 4000 pixels; at most 16,777,216"):
        clean_image(picture("PNG", (5000, 4000)), "PNG", PIXELS)
    with pytest.raises(ImageRefused, match="in 5 frames"):
        clean_image(animation("GIF", 5, (100, 100)), "GIF", 40_000)
    # a tiny file whose header claims a huge canvas (a decompression bomb) never gets to its pixels
    with pytest.raises(ImageRefused, match="12000 x 12000"):
        clean_image(claiming(12000, 12000), "PNG", PIXELS)
    with pytest.raises(ImageRefused, match="far more pixels than allowed"):  # past Pillow's own limit
        clean_image(claiming(60000, 60000), "PNG", PIXELS)


def claiming(width: int, height: int) -> bytes:
    """A small PNG whose header says it is `width` x `height` (with a correct checksum)."""
    data = bytearray(picture("PNG", (8, 8)))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def test_declared_formats() -> None:
    assert declared_format("image/png") == "PNG" and declared_format("IMAGE/JPG; x=1") == "JPEG"
    assert declared_format("image/svg+xml") is None and declared_format(None) is None


def test_the_store_keeps_each_image_once_under_its_hash(tmp_path: Path) -> None:
    store = ImageStore(tmp_path / "images")
    image = clean_image(picture("PNG"), "PNG", PIXELS)
    assert store.save(image) == store.save(image) == image.name
    assert [path.name for path in (tmp_path / "images").iterdir()] == [image.name]
    assert store.path(image.name) == tmp_path / "images" / image.name
    for name in ("../secret_key", image.name.upper(), image.name + "\n", "0" * 64 + ".png", "x.png"):
        assert store.path(name) is None


# ---- REST ---------------------------------------------------------------------------------------

@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(env="test", secret_key=TEST_SECRET, node_id="test-node", seed_demo=False,
                    data_dir=tmp_path, image_max_bytes=200_000, image_max_pixels=1_000_000)


@pytest.fixture
def author(client: httpx.AsyncClient, signup: Signup, db: Database) -> Callable[..., Awaitable[Author]]:
    async def make(name: str) -> Author:
        return await new_author(client, signup, db, name)

    return make


async def upload(client: httpx.AsyncClient, who: Author, data: bytes, media_type: str) -> httpx.Response:
    return await client.post("/images", content=data, headers={**who.headers, "Content-Type": media_type})


async def test_upload_then_fetch_with_long_cache(
    client: httpx.AsyncClient, author: Any, tmp_path: Path
) -> None:
    alice = await author("alice")
    response = await upload(client, alice, picture("PNG", (300, 200)), "image/png")
    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"/images/[0-9a-f]{64}\.png", body["url"])
    assert (body["media_type"], body["width"], body["height"]) == ("image/png", 300, 200)
    stored = tmp_path / "images" / body["url"].rsplit("/", 1)[1]
    assert stored.stat().st_size == body["bytes"]
    again = await upload(client, alice, picture("PNG", (300, 200)), "image/png")
    assert again.json()["url"] == body["url"]

    fetched = await client.get(body["url"])  # no token: players' phones fetch it
    assert fetched.status_code == 200
    assert fetched.content == stored.read_bytes()
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert fetched.headers["x-content-type-options"] == "nosniff"


async def test_upload_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/images", content=picture("PNG"), headers={"Content-Type": "image/png"})
    assert response.status_code == 401


@pytest.mark.parametrize(("data", "media_type", "status", "message"), [
    (picture("PNG"), "image/jpeg", 422, "is a PNG image but was sent as JPEG"),
    (b"not an image at all", "image/png", 422, "not an image"),
    (picture("PNG", (1200, 1000)), "image/png", 422, "1200 x 1000 pixels"),
    (picture("PNG", (400, 400), noise=True), "image/png", 413, "larger than 0.190735 MB"),
    (picture("PNG"), "image/svg+xml", 400, "Content-Type"),
    (b"", "image/png", 400, "empty"),
])
async def test_a_bad_upload_is_refused_in_plain_words(
    client: httpx.AsyncClient, author: Any, tmp_path: Path, data: bytes, media_type: str, status: int,
    message: str,
) -> None:
    alice = await author("alice")
    response = await upload(client, alice, data, media_type)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]["message"]
    assert not (tmp_path / "images").exists() or not any((tmp_path / "images").iterdir())


async def test_a_truncated_upload_is_a_422(client: httpx.AsyncClient, author: Any) -> None:
    alice = await author("alice")
    whole = picture("JPEG", (200, 150), noise=True)
    response = await upload(client, alice, whole[: len(whole) // 2], "image/jpeg")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "This image is damaged or cut short and cannot be read"


async def test_only_image_names_are_served(client: httpx.AsyncClient) -> None:
    for path in ("/images/" + "0" * 64 + ".png", "/images/secret_key", "/images/..%2Fsecret_key"):
        response = await client.get(path)
        assert response.status_code == 404, path


# ---- quiz documents -------------------------------------------------------------------------------

def illustrated(question_image: str, option_image: str) -> dict[str, Any]:
    return {
        "title": "Pictures", "description": "", "tags": [], "published": True,
        "questions": [
            {"kind": "single", "text": "Which country is shaded?", "image": question_image,
             "image_alt": "A map of Europe, one country shaded", "time_limit": 20, "points": 1000,
             "options": [{"text": "France", "correct": True, "image": option_image},
                         {"text": "Spain", "correct": False}]},
            {"kind": "poll", "text": "Nicest flag?", "time_limit": 20, "points": 0,
             "options": [{"text": "This one", "image": option_image}, {"text": "No flag"}]},
            {"kind": "true_false", "text": "No picture here", "time_limit": 20, "points": 1000,
             "correct": True},
        ],
    }


async def test_a_quiz_with_images_round_trips_through_json_and_csv(
    client: httpx.AsyncClient, author: Any
) -> None:
    alice = await author("alice")
    question_image = (await upload(client, alice, picture("JPEG", (320, 240)), "image/jpeg")).json()["url"]
    option_image = (await upload(client, alice, picture("GIF"), "image/gif")).json()["url"]
    document = illustrated(question_image, option_image)
    created = await client.post("/quizzes", json=document, headers=alice.headers)
    assert created.status_code == 201, created.text
    assert without_ids(created.json()) == document  # no `image: null` where there is none

    exported = await export(client, alice, created.json()["id"], "json")
    assert exported.json() == document
    imported = await client.post("/quizzes/import", content=exported.content,
                                 headers={**alice.headers, "Content-Type": "application/json"})
    assert imported.status_code == 201 and without_ids(imported.json()) == document

    sheet = await export(client, alice, created.json()["id"], "csv")
    assert question_image in sheet.text and "A map of Europe, one country shaded" in sheet.text
    from_csv = await import_csv(client, alice, sheet.content)
    assert from_csv.status_code == 201, from_csv.text
    assert without_ids(from_csv.json()) == document

    # players who are not the owner see the pictures too, without the solution
    bob = await author("bob")
    public = (await client.get(f"/quizzes/{created.json()['id']}", headers=bob.headers)).json()
    first = public["questions"][0]
    assert first["image"] == question_image
    assert first["options"][0] == {"text": "France", "image": option_image}


@pytest.mark.parametrize(("image", "message"), [
    ("https://elsewhere.example/a.png", "uploaded to this server"),
    ("/images/" + "a" * 64 + ".svg", "uploaded to this server"),
    ("/images/" + "a" * 64 + ".png\n", "uploaded to this server"),
])
async def test_a_document_names_only_images_of_this_server(
    client: httpx.AsyncClient, author: Any, image: str, message: str
) -> None:
    alice = await author("alice")
    document = illustrated(image, "/images/" + "b" * 64 + ".gif")
    response = await client.post("/quizzes", json=document, headers=alice.headers)
    assert response.status_code == 422
    fields = {field["path"]: field["message"] for field in response.json()["error"]["fields"]}
    assert message in fields["questions.0.image"]


async def test_csv_option_image_needs_its_option(client: httpx.AsyncClient, author: Any) -> None:
    alice = await author("alice")
    sheet = "title,T\nkind,text,option1,option2,option3_image\npoll,x,a,b,/images/" + "c" * 64 + ".png\n"
    response = await import_csv(client, alice, sheet)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {"path": "option3_image", "message": "an image needs its option's text in option3", "line": 3}]



async def test_a_live_game_lists_its_pictures_for_the_lobby(client: httpx.AsyncClient, author: Any) -> None:
    alice = await author("alice")
    map_url = (await upload(client, alice, picture("PNG", (320, 200)), "image/png")).json()["url"]
    flag_url = (await upload(client, alice, picture("GIF"), "image/gif")).json()["url"]
    document = illustrated(map_url, flag_url)
    quiz_id = (await client.post("/quizzes", json=document, headers=alice.headers)).json()["id"]

    async def pictures(**settings: Any) -> httpx.Response:
        body = {"quiz_id": quiz_id, "settings": settings}
        created = await client.post("/games", json=body, headers=alice.headers)
        assert created.status_code == 201, created.text
        return await client.get(f"/images?pin={created.json()['pin']}")  # no token: a phone in the lobby

    listed = await pictures()
    assert listed.status_code == 200 and listed.json() == {"images": [map_url, flag_url]}  # in order, once
    assert (await pictures(question_on_devices=False)).json() == {"images": []}  # phones show none
    assert (await client.get("/images?pin=000000")).status_code == 404
    assert (await client.get("/images?pin=12ab")).status_code == 422


def test_the_upload_limit_counts_a_sliding_minute_per_account() -> None:
    limit = UploadLimit(per_minute=2)
    assert limit.wait_s(1, 0.0) == 0 and limit.wait_s(1, 10.0) == 0
    assert limit.wait_s(1, 20.0) == 40.0  # the first upload leaves the window at 60 s
    assert limit.wait_s(2, 20.0) == 0  # another account is not held back
    assert limit.wait_s(1, 60.5) == 0


async def test_too_many_uploads_are_a_429(client: httpx.AsyncClient, author: Any, app: Any) -> None:
    app.state.upload_limit = UploadLimit(per_minute=2)
    alice = await author("alice")
    for _ in range(2):
        assert (await upload(client, alice, picture("PNG"), "image/png")).status_code == 201
    refused = await upload(client, alice, picture("PNG"), "image/png")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 59
