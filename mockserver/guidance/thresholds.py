"""The numbers the guidance checks judge a client by, with their defaults and bounds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import TypeAdapter

HELP: dict[str, str] = {
    "min_delay": "seconds a client waits at least before retrying after a 5xx or a broken connection",
    "immediate_retries": (
        "retries at the start of a burst allowed with no wait (urllib3 makes its first one at once)"
    ),
    "backoff_growth": "how much longer than the one before a wait must be to count as backing off",
    "backoff_after": "waits in a burst after which at least one of them must have grown",
    "backoff_slack": "fraction by which a wait may be shorter than the one before (timer noise, jitter)",
    "clock_slack": "seconds of timer noise allowed against min_delay and Retry-After",
    "max_attempts": "attempts of one request in one burst of transient failures (the first included)",
    "retry_window": "seconds after an answer within which the same request again counts as its retry",
    "max_tracked": "request identities and credentials remembered at once (the oldest are forgotten)",
}
"""One line per threshold, for command-line help and the README."""

BOUNDS: dict[str, tuple[float, float]] = {
    "min_delay": (0.0, 3600.0),
    "immediate_retries": (0, 100),
    "backoff_growth": (1.0, 100.0),
    "backoff_after": (2, 100),
    "backoff_slack": (0.0, 0.99),
    "clock_slack": (0.0, 60.0),
    "max_attempts": (1, 1000),
    "retry_window": (0.001, 86400.0),
    "max_tracked": (1, 1_000_000),
}
"""Each threshold's lowest and highest value (both allowed)."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What counts as too soon, too flat or too many; every field has a default and a bound."""

    min_delay: float = 0.2
    immediate_retries: int = 1
    backoff_growth: float = 1.5
    backoff_after: int = 3
    backoff_slack: float = 0.1
    clock_slack: float = 0.05
    max_attempts: int = 6
    retry_window: float = 60.0
    max_tracked: int = 10_000

    def __post_init__(self) -> None:
        for name, (low, high) in BOUNDS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"guidance threshold {name} must be a number, got {value!r}")
            if not low <= value <= high:
                raise ValueError(
                    f"guidance threshold {name} must be between {low:g} and {high:g}, got {value!r}"
                )

    def to_json(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


@cache
def _adapter() -> TypeAdapter[Thresholds]:
    """Built on first use: a start-up without `--guidance` or a `guidance:` key does not need it (nor
    does `mockserver --help`, which lists the thresholds: pydantic is imported here)."""
    from pydantic import TypeAdapter

    return TypeAdapter(Thresholds)


def thresholds_from(data: Mapping[str, Any] | None, base: Thresholds | None = None) -> Thresholds:
    """`base` (default: the defaults) with the keys of `data` changed, e.g. a scenario's `guidance:`.

    An unknown key or a value out of bounds raises ValueError naming it.
    """
    if not data:
        return base or Thresholds()
    merged = (base or Thresholds()).to_json()
    unknown = sorted(set(data or {}) - set(merged))
    if unknown:
        raise ValueError(f"unknown guidance threshold {', '.join(unknown)}; known: {', '.join(merged)}")
    merged.update(data or {})
    adapter = _adapter()
    from pydantic import ValidationError  # imported by _adapter

    try:
        return adapter.validate_python(merged)
    except ValidationError as exc:
        problems = "; ".join(_problem(e) for e in exc.errors())
        raise ValueError(f"bad guidance thresholds: {problems}") from None


def _problem(error: Any) -> str:
    if error["type"] == "value_error":  # from __post_init__: the message names the threshold
        return str(error["ctx"]["error"])
    return f"{'.'.join(map(str, error['loc'])) or 'value'}: {error['msg']}"
