"""Assets (revisions A and B): workspace images referenced as `assets:<id>`.

Assumptions where the documentation is silent: a file that is not PNG, JPEG,
WebP or SVG, or is over 10 MB, answers 400 INVALID_INPUT; a missing file part
400 MISSING_REQUIRED_FIELD; an unknown asset id 404 NOT_FOUND.
"""

from __future__ import annotations

from . import bodies, render
from .endpoints import API, CURSOR, LIMIT, ApiError, Call, Endpoint, json_body, page
from .multipart import form
from .publish import image_fields
from .schemas import AssetList, AssetOut
from .workspace import Image

MAX_ASSET_BYTES = 10 * 1024 * 1024


def find(call: Call, asset_id: str) -> Image:
    image = call.workspace.images.get(f"assets:{asset_id}")
    if image is None:
        raise ApiError("NOT_FOUND", f"No asset {asset_id!r} in this workspace.")
    return image


def out(call: Call, asset: Image) -> AssetOut:
    return AssetOut.model_validate(image_fields(call, asset))


def _upload(call: Call) -> tuple[bytes, str, int, int, str | None, str | None]:
    """(bytes, mimeType, width, height, filename, name) of the multipart upload."""
    parts = form(call)
    upload = parts.get("file")
    if upload is None:
        raise ApiError("MISSING_REQUIRED_FIELD", "The multipart body needs a 'file' part.")
    if len(upload.data) > MAX_ASSET_BYTES:
        raise ApiError("INVALID_INPUT", f"The file is {len(upload.data)} bytes; assets are at most 10 MB.")
    found = render.image_info(upload.data)
    if found is None:
        raise ApiError("INVALID_INPUT", "The file is not a PNG, JPEG, WebP or SVG image.")
    mime_type, width, height = found
    name_part = parts.get("name")
    name = name_part.data.decode("utf-8", "replace").strip()[: bodies.MAX_NAME] if name_part else None
    return upload.data, mime_type, width, height, upload.filename, name or None


def _drawable(data: bytes, mime_type: str) -> bytes | None:
    if mime_type != "image/svg+xml":
        return data
    try:
        made = render.rasterize_svg(data)
    except ValueError:
        return None  # drawn as a placeholder box: revision A/B documents no SVG checks
    return made[0] if made is not None else None


def create(call: Call) -> AssetOut:
    data, mime_type, width, height, filename, name = _upload(call)
    asset = Image(
        id=call.workspace.new_id("asset"),
        scheme="assets",
        name=name or filename or "upload",
        mime_type=mime_type,
        file_size=len(data),
        width=width,
        height=height,
        created_at=call.now,
        content=data,
        png=_drawable(data, mime_type),
    )
    call.workspace.images[asset.ref] = asset
    return out(call, asset)


def placeholder(call: Call) -> AssetOut:
    body = json_body(call, bodies.CreatePlaceholder)
    label = body.label if body.label is not None else body.name[:40]
    content = render.placeholder(body.width, body.height, label)
    asset = Image(
        id=call.workspace.new_id("asset"),
        scheme="assets",
        name=body.name,
        mime_type="image/png",
        file_size=len(content),
        width=body.width,
        height=body.height,
        created_at=call.now,
        is_placeholder=True,
        label=label,
        content=content,
    )
    call.workspace.images[asset.ref] = asset
    return out(call, asset)


def replace_content(call: Call) -> AssetOut:
    asset = find(call, call.params["id"])
    data, mime_type, width, height, _, _ = _upload(call)
    asset.content, asset.mime_type, asset.file_size = data, mime_type, len(data)
    asset.png = _drawable(data, mime_type)
    asset.width, asset.height, asset.is_placeholder = width, height, False
    asset.version += 1
    return out(call, asset)


def list_assets(call: Call) -> AssetList:
    assets = sorted(call.workspace.images_of("assets"), key=lambda a: (a.created_at, a.id))
    items, next_cursor = page(call, assets)
    return AssetList(items=[out(call, a) for a in items], nextCursor=next_cursor)


def get(call: Call) -> AssetOut:
    return out(call, find(call, call.params["id"]))


_UPLOAD_ERRORS = ("VALIDATION_ERROR", "INVALID_INPUT", "MISSING_REQUIRED_FIELD")

ENDPOINTS = (
    Endpoint(
        "assets.create", "POST", f"{API}/assets", "Upload an image", create, AssetOut, status=201,
        multipart=("file", "name"), errors=_UPLOAD_ERRORS,
    ),
    Endpoint(
        "assets.placeholder", "POST", f"{API}/assets/placeholder", "Create a placeholder image", placeholder,
        AssetOut, status=201, body=bodies.CreatePlaceholder, errors=_UPLOAD_ERRORS,
    ),
    Endpoint(
        "assets.replace", "PUT", f"{API}/assets/{{id}}/content", "Replace an image's bytes (the ref stays)",
        replace_content, AssetOut, multipart=("file",), errors=(*_UPLOAD_ERRORS, "NOT_FOUND"),
    ),
    Endpoint(
        "assets.list", "GET", f"{API}/assets", "List assets", list_assets, AssetList, query=(CURSOR, LIMIT),
        errors=("VALIDATION_ERROR", "INVALID_INPUT"),
    ),
    Endpoint(
        "assets.get", "GET", f"{API}/assets/{{id}}", "Get an asset", get, AssetOut, errors=("NOT_FOUND",)
    ),
)  # fmt: skip
