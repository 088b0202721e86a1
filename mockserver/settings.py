"""Settings: the one list of knobs that the CLI, MockServer and the pytest plugin fill."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 3100
"""The port the vendor's own tooling uses for a local backend (IMAGINEPDF_API_URL)."""


@dataclass(frozen=True)
class Settings:
    """How a mock server is configured.

    `scenarios` is a user folder laid over the built-in scenarios by name
    (None: built-ins only); `scenario` is the one active at start.
    """

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    scenarios: Path | None = None
    scenario: str = "default"
    seed: int | None = None
    max_body_bytes: int = 5 * 1024 * 1024
