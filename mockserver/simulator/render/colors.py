"""Reading colours out of design styles: hex, rgb()/rgba(), CSS names, gradients (first stop)."""

from __future__ import annotations

import re

from PIL import ImageColor

RGB = tuple[int, int, int]
_MAX_COLOUR_TEXT = 200
_GRADIENT_STOP = re.compile(r"#[0-9a-fA-F]{3,8}\b|rgba?\([^)]*\)|hsla?\([^)]*\)|\b[a-zA-Z]+\b")


def parse(value: object) -> RGB | None:
    """An opaque RGB colour from a style value, or None (missing, garbage, `transparent`, alpha 0).

    A gradient string gives its first colour stop; partial alpha is ignored (drawn opaque).
    """
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_COLOUR_TEXT:
        return None
    text = value.strip()
    if "gradient(" in text.lower():
        inner = text[text.index("(") + 1 :]
        for match in _GRADIENT_STOP.finditer(inner):
            colour = _single(match.group(0))
            if colour is not None:
                return colour
        return None
    return _single(text)


def _single(text: str) -> RGB | None:
    if text.lower() in ("transparent", "none"):
        return None
    try:
        parsed = ImageColor.getrgb(text)
    except (ValueError, AttributeError):
        return None
    if len(parsed) == 4 and parsed[3] == 0:
        return None
    return parsed[0], parsed[1], parsed[2]


def first(styles: dict[str, object], *keys: str) -> RGB | None:
    """The first of `keys` in `styles` that holds a usable colour."""
    for key in keys:
        colour = parse(styles.get(key))
        if colour is not None:
            return colour
    return None
