"""Assets: workspace images referenced as `assets:<id>`.

Assumptions where the documentation is silent: a file that is not PNG, JPEG,
WebP or SVG, or is over 10 MB, answers 400 INVALID_INPUT; an unknown asset id
answers 404 NOT_FOUND.
"""

from __future__ import annotations

from pathlib import PurePath

from . import files
from .endpoints import API, CURSOR, LIMIT, ApiError, Call, Endpoint, json_body, page
from .images import sniff
from .multipart import form
from .schemas import AssetList, AssetOut, CreatePlaceholder, Dimensions
from .workspace import Asset, stamp

MAX_ASSET_BYTES = 10 * 1024 * 1024
THUMBNAIL = 200


def find(call: Call, asset_id: str) -> Asset:
    asset = call.workspace.assets.get(asset_id)
    if asset is None:
        raise ApiError("NOT_FOUND", f"No asset {asset_id!r} in this workspace.")
    return asset


def out(call: Call, asset: Asset) -> AssetOut:
    content = asset.content if asset.mime_type == "image/png" else None
    scale = min(1.0, THUMBNAIL / max(asset.width, asset.height, 1))
    width, height = max(1, round(asset.width * scale)), max(1, round(asset.height * scale))
    label = asset.label or asset.name
    thumbnail = call.links.issue(
        call.base_url,
        style="imaginepdf",
        key=("thumbnail", content) if content is not None else ("thumbnail", width, height, label),
        filename=f"{PurePath(asset.name).stem or asset.id}-thumbnail.png",
        media_type="image/png",
        now=call.now,
        render=(lambda: content) if content is not None else (lambda: files.png(width, height, label)),
    )
    return AssetOut(
        id=asset.id,
        ref=asset.ref,
        name=asset.name,
        mimeType=asset.mime_type,
        fileSize=asset.file_size,
        dimensions=Dimensions(width=asset.width, height=asset.height),
        thumbnailUrl=thumbnail,
        isPlaceholder=asset.is_placeholder,
        createdAt=stamp(asset.created_at),
    )


def _upload(call: Call) -> tuple[bytes, str, int, int, str | None, str | None]:
    """(bytes, mimeType, width, height, filename, name) of the multipart upload."""
    parts = form(call)
    upload = parts.get("file")
    if upload is None:
        raise ApiError("MISSING_REQUIRED_FIELD", "The multipart body needs a 'file' part.")
    if len(upload.data) > MAX_ASSET_BYTES:
        raise ApiError("INVALID_INPUT", f"The file is {len(upload.data)} bytes; assets are at most 10 MB.")
    found = sniff(upload.data)
    if found is None:
        raise ApiError("INVALID_INPUT", "The file is not a PNG, JPEG, WebP or SVG image.")
    mime_type, width, height = found
    name_part = parts.get("name")
    name = name_part.data.decode("utf-8", "replace").strip() if name_part else None
    return upload.data, mime_type, width, height, upload.filename, name or None


def create(call: Call) -> AssetOut:
    data, mime_type, width, height, filename, name = _upload(call)
    asset = Asset(
        id=call.workspace.new_id("asset"),
        name=name or filename or "upload",
        mime_type=mime_type,
        file_size=len(data),
        width=width,
        height=height,
        is_placeholder=False,
        created_at=call.now,
        content=data,
    )
    call.workspace.assets[asset.id] = asset
    return out(call, asset)


def placeholder(call: Call) -> AssetOut:
    body = json_body(call, CreatePlaceholder)
    label = body.label if body.label is not None else body.name[:40]
    content = files.png(body.width, body.height, label)
    asset = Asset(
        id=call.workspace.new_id("asset"),
        name=body.name,
        mime_type="image/png",
        file_size=len(content),
        width=body.width,
        height=body.height,
        is_placeholder=True,
        created_at=call.now,
        label=label,
        content=content,
    )
    call.workspace.assets[asset.id] = asset
    return out(call, asset)


def replace_content(call: Call) -> AssetOut:
    asset = find(call, call.params["id"])
    data, mime_type, width, height, _, _ = _upload(call)
    asset.content, asset.mime_type, asset.file_size = data, mime_type, len(data)
    asset.width, asset.height, asset.is_placeholder = width, height, False
    return out(call, asset)


def list_assets(call: Call) -> AssetList:
    assets = sorted(call.workspace.assets.values(), key=lambda a: (a.created_at, a.id))
    items, next_cursor = page(call, assets)
    return AssetList(items=[out(call, a) for a in items], nextCursor=next_cursor)


def get(call: Call) -> AssetOut:
    return out(call, find(call, call.params["id"]))


_UPLOAD_ERRORS = ("VALIDATION_ERROR", "INVALID_INPUT", "MISSING_REQUIRED_FIELD")

ENDPOINTS = [
    Endpoint(
        "POST", f"{API}/assets", "Upload an image", create, AssetOut, status=201,
        multipart=("file", "name"), errors=_UPLOAD_ERRORS,
    ),
    Endpoint(
        "POST", f"{API}/assets/placeholder", "Create a placeholder image", placeholder, AssetOut,
        status=201, body=CreatePlaceholder, errors=_UPLOAD_ERRORS,
    ),
    Endpoint(
        "PUT", f"{API}/assets/{{id}}/content", "Replace an image's bytes (the ref stays)", replace_content,
        AssetOut, multipart=("file",), errors=(*_UPLOAD_ERRORS, "NOT_FOUND"),
    ),
    Endpoint(
        "GET", f"{API}/assets", "List assets", list_assets, AssetList, query=(CURSOR, LIMIT),
        errors=("VALIDATION_ERROR", "INVALID_INPUT"),
    ),
    Endpoint("GET", f"{API}/assets/{{id}}", "Get an asset", get, AssetOut, errors=("NOT_FOUND",)),
]  # fmt: skip
