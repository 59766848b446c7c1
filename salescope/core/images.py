"""Uploaded pictures (visit photos, expense receipts), judged by their content and re-encoded.

A fresh file carries no metadata: no EXIF (camera, GPS position, time), no text chunks. The
caller names the field and words its own refusal; this module only says what the bytes are.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

# Formats accepted, by Pillow's name → (content type, file extension).
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
MAX_SIDE = 2560  # pixels on the longer side kept: legible, and far smaller than a phone's photo


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str
    extension: str


def clean_image(data: bytes, *, max_side: int = MAX_SIDE) -> CleanImage | None:
    """The picture re-encoded without its metadata and at most ``max_side`` pixels on a side,
    or None when the bytes are not a JPEG, PNG or WebP picture."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    if kind not in IMAGE_FORMATS:
        return None
    image.thumbnail((max_side, max_side))
    clean = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(clean, "JPEG", quality=85)
    else:
        image.save(clean, kind)  # a fresh file: no EXIF, no text chunks carried over
    content_type, extension = IMAGE_FORMATS[kind]
    return CleanImage(clean.getvalue(), content_type, extension)
