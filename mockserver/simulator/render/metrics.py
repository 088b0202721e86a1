"""Text measuring and line wrapping in points, with Helvetica's widths (shared by the PDF and PNG output)."""

from __future__ import annotations

# Advance widths (1/1000 em) of Helvetica for ASCII 32..126, from the font's published metrics.
_HELVETICA = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 "
    "667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 500 "
    "222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"
)
_WIDTHS = [int(width) for width in _HELVETICA.split()]
_BOLD_FACTOR = 1.07  # Helvetica-Bold runs about this much wider on average
_DEFAULT_WIDTH = 556
ELLIPSIS = "..."


def width(text: str, size: float, bold: bool = False) -> float:
    """The rough width in points of `text` set in Helvetica (or Helvetica-Bold) at `size`."""
    units = sum(_WIDTHS[ord(c) - 32] if " " <= c <= "~" else _DEFAULT_WIDTH for c in text)
    return units * size / 1000 * (_BOLD_FACTOR if bold else 1.0)


def fit(text: str, room: float, size: float, bold: bool = False) -> str:
    """`text` cut (with an ellipsis) so that it fits in `room` points; empty if not even that fits."""
    if width(text, size, bold) <= room:
        return text
    cut = len(text)
    while cut > 0 and width(text[:cut] + ELLIPSIS, size, bold) > room:
        cut -= max(1, cut // 8) if cut > 16 else 1
    return text[:cut].rstrip() + ELLIPSIS if cut > 0 else ""


def wrap(text: str, room: float, size: float, bold: bool = False, max_lines: int = 1000) -> list[str]:
    """`text` broken into lines at most `room` points wide: at spaces, and inside words too long for a line.

    Newlines in `text` start new lines; at most `max_lines` lines come back.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width(candidate, size, bold) <= room or not candidate:
                line = candidate
                continue
            if line:
                lines.append(line)
            while width(word, size, bold) > room and len(word) > 1:
                cut = _longest_prefix(word, room, size, bold)
                lines.append(word[:cut])
                word = word[cut:]
                if len(lines) >= max_lines:
                    return lines[:max_lines]
            line = word
            if len(lines) >= max_lines:
                return lines[:max_lines]
        lines.append(line)
        if len(lines) >= max_lines:
            break
    return lines[:max_lines]


def _longest_prefix(word: str, room: float, size: float, bold: bool) -> int:
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if width(word[:middle], size, bold) <= room:
            low = middle
        else:
            high = middle - 1
    return low
