"""Uploads (revision C): `POST /uploads`, images referenced as `uploads:<id>`.

As documented: at most 1 MB; PNG, JPEG, WebP or SVG; an SVG is kept as sent
and rasterised to PNG, and one that draws nothing is refused; each of these
failures, and a missing file, is 400 VALIDATION_ERROR. The upload's `name`
defaults to the file name as sent, extension included (an assumption).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from . import bodies, render
from .endpoints import API, ApiError, Call, Endpoint
from .multipart import form
from .publish import image_fields
from .schemas import UploadOut
from .workspace import Image

MAX_UPLOAD_BYTES = 1024 * 1024


def make(call: Call, data: bytes, name: str) -> Image:
    """An upload of `data` (not yet stored); ValueError says why the bytes are refused."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(f"the file is {len(data)} bytes; uploads are at most 1 MB")
    found = render.image_info(data)
    if found is None:
        raise ValueError("the file is not a PNG, JPEG, WebP or SVG image")
    mime_type, width, height = found
    png = data
    if mime_type == "image/svg+xml":
        try:
            made = render.rasterize_svg(data)
        except ValueError as exc:
            raise ValueError(f"the SVG cannot be read: {exc}") from None
        if made is None:
            raise ValueError("the SVG draws nothing: its rasterised image is blank")
        png, width, height = made
    return Image(
        id=call.workspace.new_id("upl"),
        scheme="uploads",
        name=name,
        mime_type=mime_type,
        file_size=len(data),
        width=width,
        height=height,
        created_at=call.now,
        content=data,
        png=png,
    )


def adopter(call: Call, pending: dict[str, Image]) -> Callable[[str], str]:
    """C2: a `data:` image in `data.src` becomes an upload; kept in `pending` until the request succeeds."""

    def adopt(uri: str) -> str:
        head, comma, payload = uri.partition(",")
        if not (comma and head.startswith("data:image/") and head.endswith(";base64")):
            raise ValueError("a data: image must be 'data:image/<type>;base64,<data>'")
        try:
            data = base64.b64decode(payload, validate=True)
        except binascii.Error:
            raise ValueError("the data: image is not valid base64") from None
        image = make(call, data, "inline image")
        pending[image.ref] = image
        return image.ref

    return adopt


def create(call: Call) -> UploadOut:
    parts = form(call)
    upload = parts.get("file")
    if upload is None:
        raise ApiError("VALIDATION_ERROR", "The multipart body needs a 'file' part.")
    name_part = parts.get("name")
    name = name_part.data.decode("utf-8", "replace").strip()[: bodies.MAX_NAME] if name_part else ""
    try:
        image = make(call, upload.data, name or upload.filename or "upload")
    except ValueError as exc:
        message = str(exc)
        raise ApiError("VALIDATION_ERROR", message[:1].upper() + message[1:] + ".") from None
    call.workspace.images[image.ref] = image
    return UploadOut.model_validate(image_fields(call, image))


CREATE = Endpoint(
    "uploads.create", "POST", f"{API}/uploads", "Upload an image (at most 1 MB)", create, UploadOut,
    status=201, multipart=("file", "name"), errors=("VALIDATION_ERROR",),
)  # fmt: skip
