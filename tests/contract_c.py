"""Helpers of the C1/C2 contract tests: an in-process mock per test, envelope checks, PDF/ZIP/PNG readers."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from PIL import Image

from mockserver import MockAsgi

API = "/api/v1"
DEMO_KEY = "pc_live_demo0000000000000001"
EXPIRED_KEY = "pc_live_expired0000000000001"
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
A4 = (595.28, 841.89)

# The quickstart of C1 and C2 (step 3): one text element with sample content, bound by its name.
QUICKSTART_ACTIONS: list[dict[str, Any]] = [
    {
        "type": "add_element",
        "args": {
            "type": "text",
            "name": "customer_name",
            "position": {"x": 48, "y": 48},
            "data": {"content": "Acme Corp"},
            "styles": {"fontSize": 24, "fontWeight": 700},
        },
    },
    {"type": "bind_variable", "args": {"name": "customer_name"}},
]


@asynccontextmanager
async def session(revision: str, **settings: Any) -> AsyncIterator[tuple[MockAsgi, httpx.AsyncClient]]:
    """A fresh in-process mock of `revision` (batches complete at once) and a client with the demo key."""
    mock = MockAsgi(api_revision=revision, batch_seconds=settings.pop("batch_seconds", 0), **settings)
    async with mock.client() as client:
        yield mock, client
    mock.check()


def data(response: httpx.Response, status: int) -> Any:
    """The success envelope's `data`, after checking the status and the envelope's exact keys."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["status", "data", "error"], body
    assert body["status"] == "success"
    assert body["error"] is None
    return body["data"]


def error(response: httpx.Response, status: int, code: str) -> str:
    """The error message, after checking the status, the code and the error envelope's exact shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["status", "data", "error"], body
    assert body["status"] == "error"
    assert body["data"] is None
    assert list(body["error"]) == ["code", "message"]
    assert body["error"]["code"] == code, body
    message: str = body["error"]["message"]
    assert isinstance(message, str)
    assert message
    return message


def shaped(document: dict[str, Any], fields: Mapping[str, type | tuple[type, ...]]) -> None:
    """`document` has exactly `fields`, in that order, each of its type (bool is never a number)."""
    assert list(document) == list(fields), document
    for name, kind in fields.items():
        value = document[name]
        assert isinstance(value, kind), f"{name}={value!r} is not {kind}"
        assert not (isinstance(value, bool) and kind in (int, float, (int, float))), name


async def create(client: httpx.AsyncClient, **body: Any) -> str:
    """POST /designs with `body`; the new design's id."""
    design_id: str = data(await client.post(f"{API}/designs", json=body), 201)["designId"]
    return design_id


async def tree(client: httpx.AsyncClient, design_id: str) -> dict[str, Any]:
    """GET /designs/{id}/tree: the raw tree (no envelope)."""
    response = await client.get(f"{API}/designs/{design_id}/tree")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert "status" not in body
    assert "data" not in body
    assert "error" not in body
    return body


async def patch_tree(client: httpx.AsyncClient, design_id: str, actions: list[Any]) -> dict[str, Any]:
    """PATCH /designs/{id}/tree; the 200 answer's data."""
    answer: dict[str, Any] = data(
        await client.patch(f"{API}/designs/{design_id}/tree", json={"actions": actions}), 200
    )
    return answer


async def fetch(client: httpx.AsyncClient, url: str, media_type: str) -> bytes:
    """A presigned link's bytes, fetched without the API key as a browser would."""
    request = client.build_request("GET", url)
    del request.headers["X-API-Key"]
    response = await client.send(request)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    return response.content


def streams(pdf: bytes) -> list[bytes]:
    """Every stream of a PDF, inflated when it is Flate-compressed."""
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    found = []
    for match in re.finditer(rb"<<(.*?)>>\s*stream\r?\n", pdf, re.S):
        length = re.search(rb"/Length (\d+)", match[1])
        assert length is not None
        raw = pdf[match.end() : match.end() + int(length[1])]
        found.append(zlib.decompress(raw) if b"/FlateDecode" in match[1] else raw)
    return found


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's objects and inflated streams together, to look for drawn strings and markers."""
    return pdf + b"\n".join(streams(pdf))


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's MediaBox width and height, in the page tree's order."""
    boxes = re.findall(rb"/Type /Page\b.*?/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf, re.S)
    return [(float(width), float(height)) for width, height in boxes]


def zip_members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.testzip() is None
        return {name: opened.read(name) for name in opened.namelist()}


def png_size(image: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(image)) as opened:
        assert opened.format == "PNG"
        return opened.size


def png(width: int, height: int, colour: tuple[int, int, int] = (15, 118, 110)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def png_of_exactly(size: int) -> bytes:
    """A valid 2 by 2 PNG padded with a private ancillary chunk to exactly `size` bytes."""
    image = png(2, 2)
    padding = size - len(image) - 12  # a chunk is length, type and CRC around its data
    assert padding >= 0
    chunk_type = b"prVt"
    chunk = struct.pack(">I", padding) + chunk_type + b"\0" * padding
    chunk += struct.pack(">I", zlib.crc32(chunk_type + b"\0" * padding))
    made = image[:33] + chunk + image[33:]  # after the signature (8) and IHDR (25)
    assert len(made) == size
    return made


SVG_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">'
    b'<rect x="10" y="10" width="100" height="40" rx="8" fill="#0F766E"/>'
    b'<circle cx="30" cy="30" r="12" fill="#FFFFFF"/></svg>'
)
SVG_BLANK = b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><g/></svg>'
SVG_SWATCH = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10" fill="#0000ff"/></svg>'
)
"""One colour all over (a swatch): not blank."""
