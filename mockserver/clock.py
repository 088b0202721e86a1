"""A clock a test can move: real time (the source) plus an offset, one per session.

Everything in the simulator that depends on time reads the session's clock: key and token expiry,
batch progress, the times written on designs, assets and uploads, file link expiry, and the dates of
`Retry-After` headers. Moving it (`advance`, `set`) changes no state by itself: a link issued an hour
ago by this clock answers 403 once the clock says the hour is over.

Limits (every value from outside is bounded):
- a duration (`parse_duration`, `Clock.advance`) is at most MAX_DURATION (10 years) either way, and
  its text at most MAX_TEXT characters;
- a moment (`parse_moment`, `Clock.set`) and wherever `advance` lands lie in the years
  EARLIEST.year to LATEST.year (2000 to 2100), UTC;
- a moment needs a time zone (`Z` or an offset such as `+02:00`); a bare date means midnight UTC.

The ValueError messages are written to be shown as they are (the admin API answers them as 400
VALIDATION_ERROR); the caller puts the name of the field in front (`advance: …`).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_DURATION",
    "MAX_TEXT",
    "Clock",
    "parse_duration",
    "parse_moment",
    "utc_now",
]

MAX_DURATION: Final = timedelta(days=3653)
"""The longest move of a clock, either way (10 years)."""
EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)
"""A clock never reads earlier than this."""
LATEST: Final = datetime(2100, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
"""A clock never reads later than this."""
MAX_TEXT: Final = 64
"""Characters at most in a duration or a moment given as text."""

DURATION_EXAMPLES: Final = "90s, 15m, 1h, 2d, 1h30m"
_UNITS: Final = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_NUMBER: Final = r"\d{1,12}(?:\.\d{1,6})?"
_DURATION = re.compile(rf"([+-]?)(?:({_NUMBER})|((?:{_NUMBER}[dhms])+))")
_PART = re.compile(rf"({_NUMBER})([dhms])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def utc_now() -> datetime:
    """The real time, UTC: the default source of every clock."""
    return datetime.now(UTC)


def parse_duration(text: str) -> timedelta:
    """A duration from text: `90s`, `15m`, `1h`, `2d`, `1h30m`, `1.5h`, a bare number of seconds (`90`,
    `0.5`), each with an optional sign (`-1h` goes back). Units are d, h, m, s, each at most once,
    largest first. At most MAX_DURATION either way.
    """
    if not isinstance(text, str):
        raise ValueError(f"{_shown(text)} is not a duration; use e.g. {DURATION_EXAMPLES}")
    stripped = text.strip()
    matched = _DURATION.fullmatch(stripped) if len(stripped) <= MAX_TEXT else None
    if matched is None:
        raise ValueError(f"{_shown(text)} is not a duration; use e.g. {DURATION_EXAMPLES}")
    sign, number, parts = matched.groups()
    if number is not None:
        seconds = float(number)
    else:
        units = [unit for _, unit in _PART.findall(parts)]
        if units != sorted(set(units), key=list(_UNITS).index):
            raise ValueError(
                f"{_shown(text)} is not a duration: each unit at most once, largest first"
                f" (d, h, m, s); use e.g. {DURATION_EXAMPLES}"
            )
        seconds = sum(float(amount) * _UNITS[unit] for amount, unit in _PART.findall(parts))
    return _bounded(-seconds if sign == "-" else seconds, text)


def parse_moment(text: str) -> datetime:
    """A moment from text: an ISO 8601 date-time with `Z` or an offset (`2027-01-01T00:00:00Z`,
    `2027-01-01T09:30:00+02:00`, fractions of a second allowed), or a date (`2027-01-01`: midnight
    UTC). Returned in UTC; between EARLIEST and LATEST (years 2000 to 2100).
    """
    if not isinstance(text, str) or len(text.strip()) > MAX_TEXT:
        raise ValueError(f"{_shown(text)} is not a moment; use e.g. 2027-01-01T00:00:00Z or 2027-01-01")
    stripped = text.strip()
    try:
        if _DATE.fullmatch(stripped):
            moment = datetime.combine(date.fromisoformat(stripped), time(), UTC)
        else:
            moment = datetime.fromisoformat(stripped)
    except ValueError:
        raise ValueError(
            f"{_shown(text)} is not a moment; use e.g. 2027-01-01T00:00:00Z or 2027-01-01"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(
            f"{_shown(text)} has no time zone; add Z for UTC (2027-01-01T00:00:00Z) or an offset (+02:00)"
        )
    return _in_range(moment, f"{_shown(text)} is")


class Clock:
    """A session's time: `source()` (real time by default) plus an offset that `advance` and `set` move.

    `now()` is aware and in UTC (a source that gives naive datetimes is read as UTC). Moves are
    serialised by a lock of the clock's own; reading is one attribute, safe from any thread.
    """

    __slots__ = ("_lock", "_offset", "source")

    def __init__(self, source: Callable[[], datetime] = utc_now) -> None:
        self.source = source
        """Where the time comes from before the offset (tests may swap in a fixed one)."""
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    @property
    def offset(self) -> timedelta:
        """How far this clock is ahead of its source (negative: behind)."""
        return self._offset

    def real(self) -> datetime:
        """The source's time, aware and UTC."""
        moment = self.source()
        zone = moment.tzinfo
        if zone is UTC:  # the default source's: read once per request, so no conversion
            return moment
        return moment.replace(tzinfo=UTC) if zone is None else moment.astimezone(UTC)

    def now(self) -> datetime:
        """The clock's time: the source's plus the offset, aware and UTC."""
        offset = self._offset
        return self.real() + offset if offset else self.real()

    def advance(self, by: timedelta) -> None:
        """Move the clock by `by` (negative: back); at most MAX_DURATION, landing within the years
        2000 to 2100. Raises ValueError, and the clock does not move, otherwise."""
        if not isinstance(by, timedelta):
            raise ValueError(f"{_shown(by)} is not a duration; use e.g. {DURATION_EXAMPLES}")
        _bounded(by.total_seconds(), by)
        with self._lock:
            target = self.now() + by
            _in_range(target, f"{_shown(by)} would take the clock to {target:%Y-%m-%dT%H:%M:%SZ}, which is")
            self._offset += by

    def set(self, moment: datetime) -> None:
        """Make the clock read `moment` now (then it runs on from there with its source).

        `moment` needs a time zone and must lie within the years 2000 to 2100 (ValueError otherwise).
        """
        if not isinstance(moment, datetime):
            raise ValueError(f"{_shown(moment)} is not a moment; use e.g. 2027-01-01T00:00:00Z or 2027-01-01")
        if moment.tzinfo is None:
            raise ValueError(
                f"{_shown(moment.isoformat())} has no time zone; give one (tzinfo=UTC, or Z in text)"
            )
        target = _in_range(moment, f"{_shown(moment.isoformat())} is")
        with self._lock:
            self._offset = target - self.real()

    def reset(self) -> None:
        """Back to the source's time (offset 0)."""
        with self._lock:
            self._offset = timedelta(0)

    def describe(self) -> dict[str, Any]:
        """`{"now": "2026-11-25T19:30:41.123Z", "offsetSeconds": 0.0}`: the time to the millisecond."""
        offset = self._offset
        now = self.real() + offset
        return {
            "now": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "offsetSeconds": offset.total_seconds(),
        }

    def __repr__(self) -> str:
        return f"Clock(now={self.describe()['now']}, offset={self._offset})"


def _bounded(seconds: float, given: object) -> timedelta:
    if not math.isfinite(seconds) or abs(seconds) > MAX_DURATION.total_seconds():
        raise ValueError(
            f"{_shown(given)} is too long: a clock moves at most {MAX_DURATION.days} days (10 years) at once"
        )
    return timedelta(seconds=seconds)


def _in_range(moment: datetime, what: str) -> datetime:
    """`moment` (aware) in UTC if it lies from EARLIEST to LATEST; else ValueError "`what` out of range"."""
    try:
        utc: datetime | None = moment.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise ValueError(
            f"{what} out of range: the clock reads from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d} (UTC)"
        )
    return utc


def _shown(value: object) -> str:
    """A value as a message quotes it: text in quotes and cut short, anything else by its type's name."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "…")
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        return f"{seconds:.0f}s" if seconds.is_integer() else f"{seconds}s"
    return f"a {type(value).__name__}"
