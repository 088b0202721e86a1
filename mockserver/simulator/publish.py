"""Handing out files: the presigned links that generate, preview, batch and image reads return.

Every link is issued through `link`, which names the content (`key`, within
its workspace: ids restart with each one) so that the same file issued again
shares one stored entry, and turns a full store
into the API's 500 S3_ERROR (object storage failed) instead of breaking
links already handed out.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import PurePath
from typing import Any

from . import render
from .endpoints import ApiError, Call
from .links import LINK_TTL, StorageFull, Style
from .workspace import Image, stamp

THUMBNAIL = 200
"""Longest side of an image's thumbnail, in pixels."""

__all__ = ["LINK_TTL", "image_bytes", "image_fields", "link", "thumbnail"]


def link(
    call: Call,
    key: Hashable,
    filename: str,
    media_type: str,
    render_file: Callable[[], bytes],
    style: Style = "imaginepdf",
) -> str:
    """A presigned link to the file `render_file` makes, valid for LINK_TTL seconds."""
    try:
        return call.links.issue(
            call.base_url, style=style, key=(call.workspace.files, key), filename=filename,
            media_type=media_type, now=call.now, clock=call.clock, render=render_file,
        )  # fmt: skip
    except StorageFull:
        raise ApiError("S3_ERROR", "Object storage is full; try again later.") from None


def image_bytes(images: dict[str, Image]) -> Callable[[str], bytes | None]:
    """What the renderer draws for an image ref: the stored PNG/JPEG/WebP, else None (a placeholder box)."""

    def lookup(ref: str) -> bytes | None:
        image = images.get(ref)
        if image is None:
            return None
        return image.png or image.content

    return lookup


def thumbnail(call: Call, image: Image) -> str:
    """The link to a thumbnail of `image` (one stored entry per image version)."""
    data = image.png or image.content
    scale = min(1.0, THUMBNAIL / max(image.width, image.height, 1))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    label = image.label or image.name

    def make() -> bytes:
        return render.thumbnail(data, size, label)

    name = f"{PurePath(image.name).stem or image.id}-thumbnail.png"
    return link(call, ("thumbnail", image.ref, image.version), name, "image/png", make)


def image_fields(call: Call, image: Image) -> dict[str, Any]:
    """Every field an asset (A, B) or an upload (C) answer may have; each answer model keeps its own."""
    return {
        "id": image.id,
        "uploadId": image.id,
        "ref": image.ref,
        "name": image.name,
        "mimeType": image.mime_type,
        "fileSize": image.file_size,
        "dimensions": {"width": _number(image.width), "height": _number(image.height)},
        "thumbnailUrl": thumbnail(call, image),
        "isPlaceholder": image.is_placeholder,
        "createdAt": stamp(image.created_at),
    }


def _number(value: float) -> int | float:
    """A whole number as an integer (`200`, as the docs show dimensions), else as given (`200.5`)."""
    return int(value) if float(value).is_integer() else value
