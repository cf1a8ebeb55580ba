"""Question images REST area: authors upload an image, everyone fetches it by its content-hash name,
and phones in a game's lobby ask which pictures the game will show, to fetch them ahead.

An image's URL names its content, so it is served with a year-long immutable cache header: a phone
that fetched it in the lobby or during the read time never asks again, and a proxy or CDN in front
can keep it.
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from persistence.models import Game
from server.api import Api
from server.auth import require_user
from server.config import Settings
from server.errors import BadRequest, FieldError, NotFound, RateLimited, ValidationFailed
from server.images import (
    FORMATS,
    MEDIA_TYPE_OF_EXTENSION,
    ImageRefused,
    ImageStore,
    clean_image,
    declared_format,
    image_url,
)
from server.quiz_document import MAX_OPTIONS, MAX_QUESTIONS

api = Api("images")

UPLOAD_PATH = "/images"
IMMUTABLE = "public, max-age=31536000, immutable"
KINDS = ", ".join(media_type for _, media_type in FORMATS.values())


class StoredImage(BaseModel):
    """An image as the server keeps it: the URL to put in a quiz document's `image`, and what it is."""

    url: str
    media_type: str
    width: int
    height: int
    bytes: int


class GameImagesQuery(BaseModel):
    """Which live game's pictures to list."""

    model_config = ConfigDict(extra="ignore")

    pin: Annotated[str, Field(pattern=r"^\d{6}$", description="the game's 6-digit PIN")]


class GameImages(BaseModel):
    """The pictures a game's players will be shown, in question order, each once."""

    images: list[str] = Field(max_length=MAX_QUESTIONS * (MAX_OPTIONS + 1))


UPLOADS_PER_MINUTE = 60  # per account: a whole quiz of pictures in one go, not a disk-filling loop
LIST_TTL_S = 30.0  # a room's players all ask within moments of joining: one query serves them
LIST_CACHE_SIZE = 1000


def body_limits(settings: Settings) -> dict[str, tuple[int, str]]:
    """The upload's own body limit for `BodySizeLimit`, larger than other requests'."""
    megabytes = settings.image_max_bytes / (1024 * 1024)
    return {UPLOAD_PATH: (settings.image_max_bytes, f"The image is larger than {megabytes:g} MB")}


class UploadLimit:
    """At most `per_minute` uploads per account in any 60 s, in memory (one process), bounded."""

    def __init__(self, per_minute: int = UPLOADS_PER_MINUTE, max_accounts: int = 10_000):
        self.per_minute = per_minute
        self.max_accounts = max_accounts
        self.uploads: dict[int, deque[float]] = {}

    def wait_s(self, user_id: int, now: float) -> float:
        """0 when the upload may go ahead (it is then counted); else the seconds until it may."""
        times = self.uploads.setdefault(user_id, deque())
        while times and times[0] <= now - 60:
            times.popleft()
        if len(times) >= self.per_minute:
            return times[0] + 60 - now
        if len(self.uploads) > self.max_accounts:
            self.uploads = {user_id: times}
        times.append(now)
        return 0.0


def image_store(request: Request) -> ImageStore:
    settings: Settings = request.app.state.settings
    return ImageStore(settings.data_dir / "images")


@api.post(
    UPLOAD_PATH,
    "Upload an image for a question or an option",
    response=StoredImage,
    status=201,
    auth=True,
    raw_body=dict.fromkeys(
        (media_type for _, media_type in FORMATS.values()),
        "the image file; Content-Type must name what it really is",
    ),
    errors=(429,),
)
async def upload_image(request: Request) -> StoredImage:
    """Checks the image by decoding it, re-encodes it without its metadata (still images larger than
    1920 pixels are scaled down to fit), keeps it under its SHA-256 and answers with its `url`.
    Uploading the same image again gives the same `url`. A file that is not what its Content-Type
    says, is damaged or cut short, or has more than `IMAGE_MAX_PIXELS` pixels is a 422; one over
    `IMAGE_MAX_BYTES` a 413; more than 60 uploads a minute from one account a 429."""
    user = await require_user(request)
    state = request.app.state
    if not hasattr(state, "upload_limit"):
        state.upload_limit = UploadLimit()
    wait = state.upload_limit.wait_s(user.id, time.monotonic())
    if wait > 0:
        raise RateLimited("Too many pictures at once; try again shortly", math.ceil(wait))
    declared = declared_format(request.headers.get("content-type"))
    if declared is None:
        raise BadRequest(f"Send the image with its Content-Type: one of {KINDS}")
    data = await request.body()
    if not data:
        raise BadRequest("The image file is empty")
    settings: Settings = request.app.state.settings
    try:
        image = await run_in_threadpool(clean_image, data, declared, settings.image_max_pixels)
    except ImageRefused as exc:
        raise ValidationFailed(str(exc), fields=[FieldError(path="$", message=str(exc))]) from None
    name = await run_in_threadpool(image_store(request).save, image)
    return StoredImage(
        url=image_url(name), media_type=image.media_type, width=image.width, height=image.height,
        bytes=len(image.data),
    )


@api.get(UPLOAD_PATH + "/{name}", "Fetch an image")
async def get_image(request: Request) -> Response:
    """The image file, cacheable for a year: its name is its content's hash, so it never changes."""
    path = image_store(request).path(request.path_params["name"])
    if path is None:
        raise NotFound("No such image")
    return FileResponse(
        path,
        media_type=MEDIA_TYPE_OF_EXTENSION[path.suffix[1:]],
        headers={"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"},
    )


def _pictures(settings: dict[str, Any], snapshot: dict[str, Any]) -> list[str]:
    if not settings.get("question_on_devices", True):
        return []  # the phones show no pictures: nothing to fetch ahead
    urls: list[str] = []
    for question in snapshot.get("questions", ()):
        urls += [question.get("image"), *(option.get("image") for option in question.get("options", ()))]
    return list(dict.fromkeys(url for url in urls if isinstance(url, str)))


@api.get(UPLOAD_PATH, "List a live game's pictures, to fetch them ahead", query=GameImagesQuery,
         response=GameImages)
async def game_images(request: Request, query: GameImagesQuery) -> GameImages:
    """The pictures the players of the live game with this PIN will be shown (none when the game
    shows questions on the big screen only). The play page fetches them while it waits in the lobby,
    so a big room does not ask for the first question's picture all at the same moment. Only the
    pictures: never texts or answers."""
    state = request.app.state
    if not hasattr(state, "game_images"):
        state.game_images = {}
    cache: dict[str, tuple[float, list[str]]] = state.game_images  # PIN -> (until, pictures)
    now = time.monotonic()
    hit = cache.get(query.pin)
    if hit is not None and hit[0] > now:
        return GameImages(images=hit[1])
    async with request.app.state.db.uow() as uow:
        # The newest live game with this PIN (a PIN is reused once its game is over).
        row = (await uow.session.execute(
            select(Game.settings, Game.quiz_snapshot)
            .where(Game.pin == query.pin, Game.status == "live")
            .order_by(Game.id.desc())
            .limit(1)
        )).first()
    if row is None:
        raise NotFound("No live game with this PIN")
    images = _pictures(row.settings or {}, row.quiz_snapshot or {})
    if len(cache) >= LIST_CACHE_SIZE:
        cache.clear()
    cache[query.pin] = (now + LIST_TTL_S, images)
    return GameImages(images=images)
