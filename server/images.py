"""Question images: an upload decoded and re-encoded by Pillow, then kept under its content hash.

Nothing an author sends is served as sent. Pillow must recognise the file as PNG, JPEG, WebP or GIF
(the one the upload says it is), decode every pixel of it within the size limits, and write it out
again: a crafted or cut-short file fails to decode and is refused, and the re-encoded copy carries
no metadata (a phone photo's location stays on the phone). Still images larger than a projector
needs are scaled down, so a room of phones does not each fetch a 12-megapixel photo.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's format name -> (file extension, media type)
FORMATS: dict[str, tuple[str, str]] = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}
MEDIA_TYPES = {media_type: fmt for fmt, (_, media_type) in FORMATS.items()}
MEDIA_TYPE_OF_EXTENSION = dict(FORMATS.values())
ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}
KIND_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "GIF": "GIF"}
MAX_SIDE = 1920  # a still image wider or taller than a full-HD projector is scaled down to fit
MAX_FRAMES = 300
JPEG_QUALITY = 85
WEBP_QUALITY = 85
URL_PREFIX = "/images/"
NAME_PATTERN = r"[0-9a-f]{64}\.(?:png|jpg|webp|gif)"
URL_PATTERN = f"^{URL_PREFIX}{NAME_PATTERN}$"
_NAME = re.compile(f"^{NAME_PATTERN}$")


class ImageRefused(ValueError):
    """An upload that is not an image this server keeps; the message says why in plain words."""


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded image, ready to store: its bytes and what they are."""

    data: bytes
    format: str  # a key of FORMATS
    width: int
    height: int

    @property
    def media_type(self) -> str:
        return FORMATS[self.format][1]

    @property
    def name(self) -> str:
        """The stored file's name: the SHA-256 of the bytes, so the same image is kept once and a
        name never changes its content (which makes it safe to cache for ever)."""
        return f"{hashlib.sha256(self.data).hexdigest()}.{FORMATS[self.format][0]}"


def declared_format(media_type: str | None) -> str | None:
    """The Pillow format an upload's Content-Type names, None when it names none we take."""
    if not media_type:
        return None
    media_type = media_type.split(";")[0].strip().lower()
    return MEDIA_TYPES.get(ALIASES.get(media_type, media_type))


def clean_image(data: bytes, declared: str | None, max_pixels: int) -> CleanImage:
    """`data` decoded and re-encoded in its own format, or ImageRefused.

    `declared` is the format the upload claims (from its Content-Type, which a browser takes from
    the file name): a PNG sent as a JPEG is refused rather than guessed at. `max_pixels` bounds
    width x height x frames before any pixel is decoded."""
    allowed = ", ".join(KIND_NAMES.values())
    if declared is None:
        raise ImageRefused(f"Send the image as one of {allowed}")
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own bomb limit; ours is lower and checked below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except Image.DecompressionBombError:
        raise ImageRefused(f"This image has far more pixels than allowed (at most {max_pixels:,})") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRefused(f"This file is not an image of a kind we take ({allowed})") from None
    with image:
        fmt = image.format or ""
        if fmt != declared:
            raise ImageRefused(
                f"This file is a {KIND_NAMES.get(fmt, fmt)} image but was sent as {KIND_NAMES[declared]}:"
                " check its file name"
            )
        frames = getattr(image, "n_frames", 1)
        width, height = image.size
        if width < 1 or height < 1 or frames > MAX_FRAMES or width * height * frames > max_pixels:
            raise ImageRefused(
                f"This image is {width} x {height} pixels"
                + (f" in {frames} frames" if frames > 1 else "")
                + f"; at most {max_pixels:,} pixels in all are allowed"
            )
        try:
            return _reencode(image, fmt, frames)
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
            raise ImageRefused("This image is damaged or cut short and cannot be read") from None


def _reencode(image: Image.Image, fmt: str, frames: int) -> CleanImage:
    out = io.BytesIO()
    if frames > 1:  # an animation keeps its size and timing; its pixels were bounded above
        image.load()
        image.save(out, format=fmt, save_all=True, loop=image.info.get("loop", 0),
                   **({"quality": WEBP_QUALITY} if fmt == "WEBP" else {}))
        size = image.size
    else:
        image.load()
        still = ImageOps.exif_transpose(image)  # a phone photo stands the way it was taken
        if max(still.size) > MAX_SIDE:
            still.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        if fmt == "JPEG" and still.mode not in ("RGB", "L"):
            still = still.convert("RGB")
        elif fmt == "WEBP" and still.mode not in ("RGB", "RGBA"):
            still = still.convert("RGBA" if still.has_transparency_data else "RGB")
        elif fmt == "GIF" and still.mode not in ("P", "L"):
            still = still.convert("P", palette=Image.Palette.ADAPTIVE)
        options: dict[str, Any] = {
            "JPEG": {"quality": JPEG_QUALITY, "optimize": True, "progressive": True},
            "WEBP": {"quality": WEBP_QUALITY},
            "PNG": {"optimize": False, "compress_level": 9},
            "GIF": {},
        }[fmt]
        still.save(out, format=fmt, **options)
        size = still.size
    return CleanImage(out.getvalue(), fmt, size[0], size[1])


def image_url(name: str) -> str:
    """The path an image is served at; quiz documents and question frames carry it."""
    return URL_PREFIX + name


class ImageStore:
    """Images as files named by their content hash in one directory (`QUIZARENA_DATA_DIR/images`)."""

    def __init__(self, directory: Path):
        self.directory = directory

    def save(self, image: CleanImage) -> str:
        """Keeps `image` (once: the same bytes have the same name) and returns its name."""
        path = self.directory / image.name
        if not path.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed, so a reader never sees half a file under the final name.
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".upload-")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(image.data)
                os.chmod(temporary, 0o644)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return image.name

    def path(self, name: str) -> Path | None:
        """The file of a stored image, or None (also for anything that is not an image name)."""
        if not _NAME.fullmatch(name):
            return None
        path = self.directory / name
        return path if path.is_file() else None
