"""Checks shared by the revision contract modules: envelopes, exact field types, and generated files."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import httpx
from PIL import Image

from .render_trees import page_contents

DEMO_KEY = "pc_live_demo0000000000000001"
EXPIRED_KEY = "pc_live_expired0000000000001"
NUMBER = "number"
"""A JSON number: an int or a float, never a bool."""
Spec = dict[str, Any]
"""Field name → a type, NUMBER, a tuple of those (e.g. `(str, type(None))`), or a nested Spec."""


def data(response: httpx.Response, status: int) -> Any:
    """The envelope's data, after checking the status and the success envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "data", "error"}, body
    assert body["status"] == "success"
    assert body["error"] is None
    return body["data"]


def error(response: httpx.Response, status: int, code: str) -> str:
    """The error message, after checking the status, the code and the error envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "data", "error"}, body
    assert body["status"] == "error"
    assert body["data"] is None
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code, body
    message: str = body["error"]["message"]
    assert message
    return message


def _fits(value: Any, expected: Any) -> bool:
    if isinstance(expected, tuple):
        return any(_fits(value, one) for one in expected)
    if expected == NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    assert isinstance(expected, type), expected
    return isinstance(value, expected)


def shape(document: Any, spec: Spec, where: str = "data") -> None:
    """Assert `document` has exactly the keys of `spec`, each of its type (nested specs recurse)."""
    assert isinstance(document, dict), f"{where}: {document!r} is not an object"
    assert set(document) == set(spec), f"{where}: keys {sorted(document)} != {sorted(spec)}"
    for key, expected in spec.items():
        if isinstance(expected, dict):
            shape(document[key], expected, f"{where}.{key}")
        else:
            assert _fits(document[key], expected), f"{where}.{key}: {document[key]!r} is not {expected}"


ASSET: Spec = {
    "id": str,
    "ref": str,
    "name": str,
    "mimeType": str,
    "fileSize": int,
    "dimensions": {"width": NUMBER, "height": NUMBER},
    "thumbnailUrl": str,
    "isPlaceholder": bool,
    "createdAt": str,
}
SUMMARY: Spec = {
    "designId": str,
    "name": str,
    "description": str,
    "fileSize": int,
    "createdAt": str,
    "modifiedAt": str,
}
DESIGN_WITH_TREE: Spec = {**SUMMARY, "config": dict, "variables": dict}
UPDATED: Spec = {
    "designId": str,
    "name": str,
    "description": str,
    "fileSize": int,
    "modifiedAt": str,
    "results": (list, type(None)),
}
GENERATED: Spec = {"designId": str, "filename": str, "downloadUrl": str, "expiresIn": int, "status": str}
PREVIEW: Spec = {"previewUrl": str, "expiresIn": int, "page": int}
QUEUED: Spec = {"jobId": str, "status": str, "total": int, "designId": str}
STATUS: Spec = {
    "jobId": str,
    "status": str,
    "total": int,
    "completed": int,
    "failed": int,
    "createdAt": str,
    "updatedAt": str,
}
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@dataclass(frozen=True)
class PdfPage:
    width: float
    height: float
    text: str
    """Every shown string of the page, in drawing order, joined by newlines."""


def _unescape(literal: bytes) -> str:
    out = re.sub(rb"\\([()\\])", rb"\1", literal)
    return out.decode("latin-1")


def pdf_pages(document: bytes) -> list[PdfPage]:
    """The pages of a PDF: MediaBox size and shown text (content streams inflated)."""
    assert document.startswith(b"%PDF-"), document[:20]
    assert document.rstrip().endswith(b"%%EOF")
    pages = []
    for dictionary, content in page_contents(document):
        box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", dictionary)
        assert box is not None, dictionary
        shown = re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", content)
        pages.append(PdfPage(float(box[1]), float(box[2]), "\n".join(_unescape(s) for s in shown)))
    return pages


def fetch(url: str) -> httpx.Response:
    """A plain GET of a presigned link on a socket: no key, as a browser or the vendor client fetches it."""
    response = httpx.get(url)
    assert response.status_code == 200, response.text
    return response


def pdf_text_of_design(config: dict[str, Any], pdf: bytes) -> str:
    """Check that `pdf` has the pages of the design tree `config` at their sizes; all of its text."""
    pages = pdf_pages(pdf)
    assert [(p.width, p.height) for p in pages] == [(pg["width"], pg["height"]) for pg in config["pages"]]
    return "\n".join(page.text for page in pages)


def png_size(content: bytes) -> tuple[int, int]:
    """The pixel size of a PNG (and that it is one)."""
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "PNG"
        return image.size


def same_aspect(size: tuple[int, int], width: float, height: float) -> bool:
    """Whether a raster of `size` pixels shows a `width` x `height` page (a pixel of rounding allowed)."""
    pixels_wide, pixels_high = size
    return abs(pixels_wide / pixels_high - width / height) <= 1.5 / min(pixels_wide, pixels_high)


def png(width: int, height: int, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG of `width` x `height` pixels (the API decodes what it is sent)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()
