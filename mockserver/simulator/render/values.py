"""Defensive readers for tree values: numbers, dicts, strings, style flags (garbage gives the default)."""

from __future__ import annotations

import math
from typing import Any

MAX_TEXT = 10_000  # characters of one text value that are drawn


def num(value: object, default: float, low: float = -1e6, high: float = 1e6) -> float:
    """`value` as a finite number clamped to [low, high]; `default` for anything else (bools included)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return min(max(float(value), low), high)


def mapping(value: object) -> dict[str, Any]:
    """`value` when it is a dict, else an empty one."""
    return value if isinstance(value, dict) else {}


def text(value: object) -> str:
    """A text value as a string: str as is, numbers formatted, lists joined by newlines, else empty."""
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return format(value, "g") if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "\n".join(text(item) for item in value[:500])[:MAX_TEXT]
    return ""


def is_bold(styles: dict[str, Any]) -> bool:
    """Bold from `fontWeight` (≥ 600 or "bold") or the older `bold: true` key."""
    weight = styles.get("fontWeight")
    if isinstance(weight, str):
        if weight.strip().lower() in ("bold", "bolder"):
            return True
        weight = int(weight) if weight.strip().isdigit() else None
    if num(weight, 400) >= 600:
        return True
    return styles.get("bold") is True
