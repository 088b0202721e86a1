"""Uploads (revision C): `POST /uploads`, images referenced as `uploads:<id>`.

As documented: at most 1 MB; PNG, JPEG, WebP or SVG; an SVG is kept as sent
and rasterised to PNG, and one that draws nothing is refused; each of these
failures, and a missing file, is 400 VALIDATION_ERROR. The upload's `name`
defaults to the file name as sent, extension included (an assumption).
An inline `data:` image source in an authored tree is stored the same way
and replaced by its `uploads:` ref, as C's docs describe.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from . import bodies, render
from .endpoints import API, ApiError, Call, Endpoint
from .multipart import form
from .publish import image_fields
from .schemas import UploadOut
from .workspace import Image

MAX_UPLOAD_BYTES = 1024 * 1024


def create(call: Call) -> UploadOut:
    parts = form(call)
    upload = parts.get("file")
    if upload is None:
        raise ApiError("VALIDATION_ERROR", "The multipart body needs a 'file' part.")
    name_part = parts.get("name")
    name = name_part.data.decode("utf-8", "replace").strip()[: bodies.MAX_NAME] if name_part else ""
    image = _image(call, upload.data, name or upload.filename or "upload")
    call.workspace.images[image.ref] = image
    return UploadOut.model_validate(image_fields(call, image))


def _image(call: Call, data: bytes, name: str) -> Image:
    """An upload of `data` (not yet stored); the documented VALIDATION_ERROR when it is refused."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApiError("VALIDATION_ERROR", f"The file is {len(data)} bytes; uploads are at most 1 MB.")
    found = render.image_info(data)
    if found is None:
        raise ApiError("VALIDATION_ERROR", "The file is not a PNG, JPEG, WebP or SVG image.")
    mime_type, width, height = found
    png = data
    if mime_type == "image/svg+xml":
        try:
            made = render.rasterize_svg(data)
        except ValueError as exc:
            raise ApiError("VALIDATION_ERROR", f"The SVG cannot be read: {exc}") from None
        if made is None:
            raise ApiError("VALIDATION_ERROR", "The SVG draws nothing: its rasterised image is blank.")
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


def store_inline_images(call: Call, tree: dict[str, Any], blame: Callable[[str], str]) -> None:
    """Replace each inline `data:` image source in `tree` by the `uploads:` ref of a new upload.

    C documents this (the tree never carries image bytes). Every source is checked as an upload is
    before any is stored, so a refused one leaves the workspace as it was; the same URI twice is one
    upload. A refused source's message starts with `blame(source)` (the action that sent it).
    """
    made: dict[str, Image] = {}
    for holder, key, where in _image_sources(tree):
        src = holder[key]
        if not (isinstance(src, str) and src.startswith("data:")):
            continue
        if src not in made:
            try:
                made[src] = _image(call, _inline_bytes(src), "inline image")
            except ApiError as error:
                raise ApiError(error.code, f"{blame(src)}{where}: {error.message}") from None
        holder[key] = made[src].ref
    for image in made.values():
        call.workspace.images[image.ref] = image


def _inline_bytes(src: str) -> bytes:
    header, _, payload = src.partition(",")
    if not header.endswith(";base64"):
        return unquote_to_bytes(payload)
    try:
        return base64.b64decode(payload, validate=True)
    except binascii.Error:
        raise ApiError("VALIDATION_ERROR", "the data: URI is not valid base64.") from None


def _image_sources(tree: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(the mapping holding an image source, its key, where it is) for every image source in a tree."""
    for node in (tree.get("nodes") or {}).values():
        data = node.get("data") if isinstance(node, dict) else None
        if not isinstance(data, dict):
            continue
        where = f"element {node.get('name')!r}"
        if "src" in data:
            yield data, "src", f"{where} data.src"
        for r, row in enumerate(data.get("cells") or []):
            for c, cell in enumerate(row if isinstance(row, list) else []):
                if isinstance(cell, dict) and isinstance(cell.get("data"), dict) and "src" in cell["data"]:
                    yield cell["data"], "src", f"{where} data.cells[{r}][{c}].data.src"
    backgrounds = [(page.get("background"), f"pages[{n}]") for n, page in enumerate(tree.get("pages") or [])]
    backgrounds.append(((tree.get("document") or {}).get("background"), "document"))
    for background, where in backgrounds:
        if isinstance(background, dict) and "backgroundImage" in background:
            yield background, "backgroundImage", f"{where} backgroundImage"


CREATE = Endpoint(
    "uploads.create", "POST", f"{API}/uploads", "Upload an image (at most 1 MB)", create, UploadOut,
    status=201, multipart=("file", "name"), errors=("VALIDATION_ERROR",),
)  # fmt: skip
