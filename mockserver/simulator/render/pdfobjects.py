"""Low-level PDF writing: safe string literals and a file from numbered objects with its xref table."""

from __future__ import annotations

import io
from collections.abc import Sequence

# Characters outside Latin-1 that WinAnsiEncoding still has (byte 0x80..0x9f), written as octal escapes.
_WIN_ANSI = {
    "\u20ac": 0o200, "\u201a": 0o202, "\u0192": 0o203, "\u201e": 0o204, "\u2026": 0o205, "\u2020": 0o206,
    "\u2021": 0o207, "\u02c6": 0o210, "\u2030": 0o211, "\u0160": 0o212, "\u2039": 0o213, "\u0152": 0o214,
    "\u017d": 0o216, "\u2018": 0o221, "\u2019": 0o222, "\u201c": 0o223, "\u201d": 0o224, "\u2022": 0o225,
    "\u2013": 0o226, "\u2014": 0o227, "\u02dc": 0o230, "\u2122": 0o231, "\u0161": 0o232, "\u203a": 0o233,
    "\u0153": 0o234, "\u017e": 0o236, "\u0178": 0o237,
}  # fmt: skip


def latin(text: str) -> str:
    """`text` with every character that is not printable Latin-1 (controls included) replaced by `?`."""
    return "".join(c if " " <= c <= "~" or "\xa0" <= c <= "\xff" else "?" for c in text)


def pdf_text(text: str) -> str:
    """A PDF string literal's content: printable Latin-1 only (else `?`), `\\`, `(` and `)` escaped."""
    return latin(text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def win_ansi_text(text: str) -> str:
    """Like `pdf_text`, but the WinAnsi extras (euro, bullet, dashes, curly quotes) keep their glyphs."""
    return "".join(f"\\{_WIN_ANSI[c]:03o}" if c in _WIN_ANSI else pdf_text(c) for c in text)


def literal(text: str) -> bytes:
    """`text` as a complete PDF string literal `(…)` in Latin-1 bytes."""
    return b"(" + win_ansi_text(text).encode("latin-1") + b")"


def write(objects: Sequence[bytes], *, version: bytes = b"1.4", trailer: bytes = b"") -> bytes:
    """A PDF file whose object N is `objects[N-1]` (object 1 is the catalog), with a classic xref table.

    `trailer` holds extra trailer dictionary entries (e.g. `/Info 5 0 R /ID [...]`).
    """
    out = io.BytesIO()
    out.write(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    extra = b" " + trailer if trailer else b""
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, extra, xref)
    )
    return out.getvalue()


def stream(dictionary: bytes, data: bytes) -> bytes:
    """A stream object body: `dictionary` entries (without `<<>>`) plus the right /Length."""
    inner = b" " + dictionary if dictionary else b""
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), inner, data)
