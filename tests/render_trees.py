"""Design trees and PDF-reading helpers shared by the render tests."""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

from PIL import Image

RED, BLUE, GREEN = (220, 20, 60), (30, 60, 200), (0, 160, 0)


def pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    """The pixel at `xy` as a tuple of channel values."""
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def png_bytes(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def node(
    ident: str, kind: str, box: tuple[float, float, float, float], data: dict[str, Any], **styles: Any
) -> dict[str, Any]:
    x, y, w, h = box
    return {
        "id": ident, "type": kind, "name": ident, "page": 0, "position": {"x": x, "y": y, "w": w, "h": h},
        "data": data, "styles": styles, "isLocked": False, "isHidden": False,
    }  # fmt: skip


def every_type_tree() -> dict[str, Any]:
    """Two pages (A4, then Letter landscape) with one element of every type, and a hidden one."""
    nodes = [
        node("title", "text", (48, 48, 300, 36), {"content": "INVOICE (draft)"}, fontSize=24, fontWeight=700),
        node(
            "items",
            "text",
            (48, 100, 200, 60),
            {"content": ["First item", "Second item"], "listFormat": "ordered"},
        ),
        node(
            "table",
            "table",
            (48, 170, 300, 60),
            {"cells": [["Item", "Qty"], ["Widget", "2"]], "headerRow": True},
        ),
        node("box", "shape", (400, 100, 100, 50), {"shapeType": "rectangle"}, fill="#dc143c"),
        node("ring", "shape", (400, 160, 60, 60), {"shapeType": "circle"}, stroke="#1e3cc8", strokeWidth=3),
        node("rule", "shape", (48, 240, 300, 4), {"shapeType": "line"}, stroke="#000000"),
        node("pointer", "shape", (48, 250, 100, 10), {"shapeType": "arrow"}),
        node("logo", "image", (400, 240, 80, 40), {"src": "uploads:upl_logo"}),
        node("lost", "image", (400, 300, 80, 40), {"src": "uploads:upl_missing"}),
        node("star", "icon", (48, 300, 24, 24), {"iconId": "star"}),
        node("pay", "qr", (48, 340, 90, 90), {"content": "https://pay.example/42"}),
        node(
            "ean",
            "barcode",
            (160, 340, 180, 60),
            {"content": "ABC-123", "format": "CODE128", "displayValue": True},
        ),
        node("secret", "text", (48, 500, 300, 20), {"content": "HIDDEN SECRET"}),
        node("second", "text", (40, 40, 300, 20), {"content": "Second page text"}),
    ]
    nodes[-2]["isHidden"] = True
    nodes[-1]["page"] = 1
    return {
        "metadata": {"schemaVersion": "v1", "author": "Ada Lovelace", "subject": "Invoices",
                     "keywords": "a, b", "creator": "tests"},
        "document": {"background": {"backgroundColor": "#FAF7F2"}},
        "pages": [
            {"id": "page-1", "name": None, "width": 595.28, "height": 841.89, "background": None,
             "children": [n["id"] for n in nodes[:-1]]},
            {"id": "page-2", "name": None, "width": 792, "height": 612,
             "background": {"backgroundColor": "#abc"}, "children": ["second"]},
        ],
        "nodes": {n["id"]: n for n in nodes},
        "variables": {},
    }  # fmt: skip


def xref_objects(document: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Every object (dictionary text, stream bytes or None) found through the xref table's offsets."""
    start = int(re.findall(rb"startxref\s+(\d+)\s+%%EOF", document)[-1])
    header = re.match(rb"xref\n0 (\d+)\n", document[start:])
    assert header is not None
    count, body = int(header[1]), start + header.end()
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    for number in range(1, count):
        entry = document[body + 20 * number : body + 20 * (number + 1)]
        assert re.fullmatch(rb"\d{10} 00000 n \n", entry), entry
        offset = int(entry[:10])
        assert document[offset:].startswith(b"%d 0 obj\n" % number), number
        head = document[offset : document.index(b"\nendobj", offset)]
        length = re.search(rb"/Length (\d+)", head)
        if length is not None and b"\nstream\n" in head:
            begin = document.index(b"\nstream\n", offset) + len(b"\nstream\n")
            data = document[begin : begin + int(length[1])]
            assert document[begin + int(length[1]) :].startswith(b"\nendstream\nendobj")
            objects[number] = (
                document[offset:begin],
                zlib.decompress(data) if b"/FlateDecode" in head else data,
            )
        else:
            objects[number] = (head, None)
    assert document[body + 20 * count :].startswith(b"trailer")
    return objects


def page_contents(document: bytes) -> list[tuple[bytes, bytes]]:
    """(page dictionary, decompressed content stream) for each page, in the page tree's order."""
    objects = xref_objects(document)
    kids = re.search(rb"/Type /Pages /Kids \[([^\]]*)\] /Count (\d+)", document)
    assert kids is not None
    numbers = [int(n) for n in re.findall(rb"(\d+) 0 R", kids[1])]
    assert len(numbers) == int(kids[2])
    pages = []
    for number in numbers:
        dictionary = objects[number][0]
        contents = re.search(rb"/Contents (\d+) 0 R", dictionary)
        assert contents is not None
        stream = objects[int(contents[1])][1]
        assert stream is not None
        pages.append((dictionary, stream))
    return pages
