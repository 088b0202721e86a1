"""Recognising uploaded images: their type from the bytes, and their dimensions."""

from __future__ import annotations

import re
import struct

_SVG_SIZE = re.compile(rb"""\b(width|height)\s*=\s*["']\s*(\d+(?:\.\d+)?)""")
_SVG_VIEWBOX = re.compile(rb"""viewBox\s*=\s*["'][\d.\s,-]*?(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)\s*["']""")


def sniff(data: bytes) -> tuple[str, int, int] | None:
    """(mimeType, width, height) for PNG, JPEG, WebP and SVG; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", *_jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", *_webp_size(data)
    head = data[:4096].lstrip()
    if b"<svg" in head and (head.startswith((b"<svg", b"<?xml", b"<!--", b"<!DOCTYPE"))):
        return "image/svg+xml", *_svg_size(head)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int]:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            index += 1
            continue
        marker = data[index + 1]
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return 0, 0


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return 0, 0


def _svg_size(head: bytes) -> tuple[int, int]:
    sizes = {name.decode(): round(float(value)) for name, value in _SVG_SIZE.findall(head)}
    if "width" in sizes and "height" in sizes:
        return sizes["width"], sizes["height"]
    box = _SVG_VIEWBOX.search(head)
    return (round(float(box[1])), round(float(box[2]))) if box else (0, 0)
