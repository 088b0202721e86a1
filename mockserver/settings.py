"""Settings: the one list of knobs that the CLI, MockServer and the pytest plugin fill."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

API_REVISIONS = ("A", "B1", "B2", "C1", "C2")
"""The documented revisions the simulator serves, oldest first: `simulator.revisions.REVISIONS` by name
(a test keeps the two the same), named here so the command line lists them without the simulator."""
DEFAULT_REVISION = "C2"
"""The newest published revision of the API's docs: what is served unless told otherwise."""
DEFAULT_MAX_SESSIONS = 1000
"""Sessions kept at once (each holds a workspace and a journal); least recently used idle ones go first."""
DEFAULT_PORT = 3100
"""The port the vendor's own tooling uses for a local backend (IMAGINEPDF_API_URL)."""
ADMIN_PREFIX = "/__mock"
"""Where the admin API and the control page live; every other path is the simulated API's."""


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
    api_revision: str = DEFAULT_REVISION
    """The docs revision served (A, B1, B2, C1, C2) unless the active scenario pins one."""
    seed: int | None = None
    max_body_bytes: int = 12 * 1024 * 1024
    """Larger request bodies answer 400 INVALID_INPUT (assets may be 10 MB, plus multipart framing)."""
    batch_seconds: float = 3.0
    """How long a batch job takes to complete (0: at once)."""
    max_admin_body_bytes: int = 1024 * 1024
    """Larger bodies sent to the admin API (/__mock/) answer 400 INVALID_INPUT."""
    max_sessions: int = DEFAULT_MAX_SESSIONS
    """Sessions kept at once; a new one beyond it evicts the least recently used idle session."""
    journal_limit: int = 1000
    """Requests kept in each session's journal (the oldest drop off)."""
    hang_seconds: float = 30.0
    """How long a `hang` fault keeps a connection open before resetting it."""
    shutdown_seconds: float = 3.0
    """On stop (Ctrl+C, SIGTERM, `MockServer.stop`), how long requests still running may take before they are
    cancelled; pending hangs and delays end at once."""
    reload: bool = True
    """Watch the user scenario folder and reload on change (needs the ASGI lifespan: a real server)."""
    admin: bool = True
    """Serve the admin API and control page under /__mock/ (False: they do not exist)."""
    admin_token: str | None = None
    """When set, /__mock/ requires it: header X-Mock-Admin-Token, or ?__mock_token= for the page."""
    cors_origins: tuple[str, ...] = ()
    """Origins allowed to read responses; empty: any loopback origin; `*`: any origin."""
    log_requests: bool = False
    """One console line per request, and one per guidance finding (the CLI turns it on unless --quiet)."""
    guidance: Mapping[str, float] = field(default_factory=dict)
    """Guidance thresholds (`guidance.Thresholds` names) set for every session: they win over a scenario's
    `guidance:` keys, which win over the defaults (`mockserver --guidance min_delay=0.5`)."""


def configure(settings: Settings | None, options: dict[str, Any], **defaults: Any) -> Settings:
    """Settings from `settings` and keyword `options` (which win), for MockServer and MockAsgi alike.

    `defaults` are a constructor's own defaults (MockServer: port 0), used when neither gives the
    setting. A folder may be given as text. A name that is not a setting is a TypeError that lists them.
    """
    known = [field.name for field in fields(Settings)]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise TypeError(f"unknown setting {unknown[0]!r}; the settings are: {', '.join(known)}")
    chosen = {**(defaults if settings is None else {}), **options}
    if chosen.get("scenarios") is not None:
        chosen["scenarios"] = Path(chosen["scenarios"])
    return replace(settings or Settings(), **chosen)
