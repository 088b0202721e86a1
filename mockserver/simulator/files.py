"""The files the links serve: a small valid PDF, a PNG, a ZIP; deterministic (PDF writer from render)."""

from __future__ import annotations

import io
import struct
import textwrap
import zipfile
import zlib
from collections.abc import Mapping, Sequence

from .render.pdfobjects import pdf_text as _pdf_text
from .render.pdfobjects import stream, write

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
_MARGIN, _LEADING = 56, 16
_WRAP, _TITLE_MAX = 80, 44  # characters that roughly fit the text width at 11 pt and at 20 pt


def _page_stream(title: str | None, lines: Sequence[str], page: int, pages: int) -> bytes:
    ops = ["BT"]
    y = PAGE_HEIGHT - _MARGIN
    if title is not None:
        if len(title) > _TITLE_MAX:
            title = title[: _TITLE_MAX - 3] + "..."
        ops += [f"/F1 20 Tf {_MARGIN} {y} Td ({_pdf_text(title)}) Tj", "ET", "BT"]
        y -= 2 * _LEADING
    ops.append(f"/F1 11 Tf {_MARGIN} {y} Td {_LEADING} TL")
    room = (y - _MARGIN - _LEADING) // _LEADING + 1  # body lines above the footer
    wrapped = [part for line in lines for part in textwrap.wrap(line, _WRAP) or [""]]
    ops += [f"({_pdf_text(part)}) Tj T*" for part in wrapped[:room]]
    ops += ["ET", f"BT /F1 9 Tf {_MARGIN} {_MARGIN // 2} Td (Page {page + 1} of {pages}) Tj ET"]
    return "\n".join(ops).encode("latin-1")


def pdf(title: str, lines: Sequence[str], pages: int = 1) -> bytes:
    """A valid PDF 1.4 of `pages` A4 pages: the title and `lines` on the first, page numbers on all."""
    pages = max(1, pages)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for page in range(pages):
        content_stream = _page_stream(title if page == 0 else None, lines if page == 0 else (), page, pages)
        objects.append(stream(b"", content_stream))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R"
            b" /Resources << /Font << /F1 3 0 R >> >> >>" % (PAGE_WIDTH, PAGE_HEIGHT, content)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    return write(objects)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, label: str = "") -> bytes:
    """A valid 8-bit RGB PNG: a light page with a border and stripes; `label` goes in a tEXt chunk."""
    width, height = min(max(width, 1), 2000), min(max(height, 1), 2000)
    paper, ink, stripe = b"\xf7\xf7\xf2", b"\x44\x55\x66", b"\xe4\xe8\xee"
    rows = []
    for y in range(height):
        if y < 2 or y >= height - 2:
            row = ink * width
        else:
            fill = stripe if (y // 12) % 2 else paper
            row = ink * min(2, width) + fill * max(0, width - 4) + ink * min(2, max(0, width - 2))
        rows.append(b"\x00" + row)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    text = b"Title\x00" + label.replace("\x00", "?").encode("latin-1", "replace")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"tEXt", text)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + _chunk(b"IEND", b"")
    )


def _safe_name(name: str, taken: set[str]) -> str:
    """`name` as a relative path without `..` or empty parts, made unique among `taken` (then added)."""
    parts = []
    for part in name.replace("\\", "/").split("/"):
        while ".." in part:
            part = part.replace("..", ".")
        if part not in ("", "."):
            parts.append(part)
    safe = "/".join(parts) or "file"
    stem, dot, ext = safe.rpartition(".")
    if not stem or stem.endswith("/") or "/" in ext:
        stem, dot, ext = safe, "", ""
    candidate, number = safe, 2
    while candidate in taken:
        candidate, number = f"{stem}-{number}{dot}{ext}", number + 1
    taken.add(candidate)
    return candidate


def zip_of(files: Mapping[str, bytes]) -> bytes:
    """A ZIP (deflated, fixed timestamps) of `files`; names are made safe (no `..`, no leading `/`)."""
    out, taken = io.BytesIO(), set[str]()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(_safe_name(name, taken), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system, info.external_attr = 3, 0o644 << 16  # the same bytes on every OS
            archive.writestr(info, data)
    return out.getvalue()
