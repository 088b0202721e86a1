"""TEMPORARY stand-in (the clock helper's version replaces it at merge)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any


def utc_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    def __init__(self, source: Callable[[], datetime] = utc_now) -> None:
        self.source = source
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return self.source() + self.offset

    def advance(self, by: timedelta) -> None:
        self.offset += by

    def set(self, moment: datetime) -> None:
        self.offset = moment - self.source()

    def reset(self) -> None:
        self.offset = timedelta(0)

    def describe(self) -> dict[str, Any]:
        now = self.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return {"now": now, "offsetSeconds": self.offset.total_seconds()}


def parse_duration(text: str) -> timedelta:
    found = re.fullmatch(r"(-?[0-9.]+)(s|m|h|d)", text.strip())
    if not found:
        raise ValueError(f"{text!r} is not a duration")
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[found[2]]
    return timedelta(seconds=float(found[1]) * unit)


def parse_moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
