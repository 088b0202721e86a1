"""The bounds of `mockserver sweep`'s options (the CLI checks them without importing the sweep itself)."""

from __future__ import annotations

MAX_TIMEOUT = 3600.0
MIN_TIMEOUT = 0.1
MAX_JOBS = 32
MAX_TIMES = 20
