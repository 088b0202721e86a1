"""Look-alike QR and barcode drawings: recognisable patterns derived from the content, NOT scannable codes."""

from __future__ import annotations

import hashlib

from .colors import RGB
from .ops import Box

_MODULES = 21  # the module grid of the smallest QR version
_FINDERS = ((0, 0), (_MODULES - 7, 0), (0, _MODULES - 7))


def _bits(content: str, count: int) -> list[bool]:
    seed, out = content.encode("utf-8", "replace"), list[bool]()
    counter = 0
    while len(out) < count:
        digest = hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        out += [bool(byte >> shift & 1) for byte in digest for shift in range(8)]
        counter += 1
    return out[:count]


def _in_finder(col: int, row: int) -> bool | None:
    """True/False for a module inside a finder pattern (with its separator); None outside all of them."""
    for left, top in _FINDERS:
        dx, dy = col - left, row - top
        if -1 <= dx <= 7 and -1 <= dy <= 7:
            if not (0 <= dx <= 6 and 0 <= dy <= 6):
                return False
            ring = max(abs(dx - 3), abs(dy - 3))
            return ring != 2
    return None


def qr(content: str, x: float, y: float, size: float, ink: RGB) -> list[Box]:
    """A 21x21 module grid with the three corner finder squares, the rest filled from a hash of `content`."""
    module = size / _MODULES
    bits = _bits(content, _MODULES * _MODULES)
    boxes = []
    for row in range(_MODULES):
        col = 0
        while col < _MODULES:
            start = col
            while col < _MODULES and _dark(col, row, bits):
                col += 1
            if col > start:
                boxes.append(
                    Box(x + start * module, y + row * module, (col - start) * module, module, fill=ink)
                )
            col += 1
    return boxes


def _dark(col: int, row: int, bits: list[bool]) -> bool:
    finder = _in_finder(col, row)
    if finder is not None:
        return finder
    if row == 6 or col == 6:  # the timing lines
        return (row + col) % 2 == 0
    return bits[row * _MODULES + col]


def barcode(content: str, x: float, y: float, w: float, h: float, ink: RGB) -> list[Box]:
    """Vertical bars of 1 to 3 units from a hash of `content`, with guard bars at both ends."""
    widths = [1, 1] + [1 + (a << 1 | b) % 3 for a, b in _pairs(_bits(content, 2 * 40))] + [1, 1]
    units = sum(widths)
    unit = w / units
    boxes, cursor = [], x
    for index, bar in enumerate(widths):
        if index % 2 == 0:
            boxes.append(Box(cursor, y, bar * unit, h, fill=ink))
        cursor += bar * unit
    return boxes


def _pairs(bits: list[bool]) -> list[tuple[int, int]]:
    return [(int(bits[i]), int(bits[i + 1])) for i in range(0, len(bits) - 1, 2)]
