"""Question images REST area: authors upload an image, everyone fetches it by its content-hash name.

An image's URL names its content, so it is served with a year-long immutable cache header: phones
that preloaded it during the read time never ask again, and a proxy or CDN in front can keep it.
"""

from __future__ import annotations

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from server.api import Api
from server.auth import require_user
from server.config import Settings
from server.errors import BadRequest, FieldError, NotFound, ValidationFailed
from server.images import (
    FORMATS,
    MEDIA_TYPE_OF_EXTENSION,
    ImageRefused,
    ImageStore,
    clean_image,
    declared_format,
    image_url,
)

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


def body_limits(settings: Settings) -> dict[str, tuple[int, str]]:
    """The upload's own body limit for `BodySizeLimit`, larger than other requests'."""
    megabytes = settings.image_max_bytes / (1024 * 1024)
    return {UPLOAD_PATH: (settings.image_max_bytes, f"The image is larger than {megabytes:g} MB")}


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
)
async def upload_image(request: Request) -> StoredImage:
    """Checks the image by decoding it, re-encodes it without its metadata (still images larger than
    1920 pixels are scaled down to fit), keeps it under its SHA-256 and answers with its `url`.
    Uploading the same image again gives the same `url`. A file that is not what its Content-Type
    says, is damaged or cut short, or has more than `IMAGE_MAX_PIXELS` pixels is a 422; one over
    `IMAGE_MAX_BYTES` a 413."""
    await require_user(request)
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


@api.get(UPLOAD_PATH + "/{name:str}", "Fetch an image")
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
