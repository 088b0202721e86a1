"""Everything one mock server holds: settings, scenarios, sessions, the simulator, and what went wrong.

This sits below every part that acts on it: `operations` is the only code that
steers it, `pipeline` answers requests from it, and neither the admin API nor
the Python controls reach into it around them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime

from . import faults
from .clock import utc_now
from .console import Console
from .errors import ServerStartError
from .guidance import thresholds_from
from .loader import LoadCache, ScenarioSet, load
from .sessions import InternalErrors, Session, SessionStore
from .settings import Settings
from .simulator.dispatch import Simulator
from .simulator.revisions import REVISIONS


class MockState:
    """One mock server's state. Raises ServerStartError for a setting that names nothing."""

    def __init__(
        self,
        settings: Settings,
        scenarios: ScenarioSet | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        if settings.api_revision not in REVISIONS:
            raise ServerStartError(
                f"unknown API revision {settings.api_revision!r}; known: {', '.join(REVISIONS)}"
            )
        try:
            thresholds_from(settings.guidance)
        except ValueError as exc:
            raise ServerStartError(str(exc)) from None
        self.simulator = Simulator(settings.batch_seconds)
        watched = settings.reload and settings.scenarios is not None
        self.load_cache = LoadCache() if watched else None
        """Files read so far, by path and stamp, so a reload parses only the files that changed."""
        self.scenarios = scenarios if scenarios is not None else load(settings.scenarios, self.load_cache)
        try:
            self.sessions = SessionStore(
                self.scenarios,
                settings.scenario,
                settings.seed,
                settings.journal_limit,
                settings.api_revision,
                settings.max_sessions,
                clock,
                settings.guidance,
            )
        except KeyError as exc:
            raise ServerStartError(str(exc.args[0])) from None
        self.reload_problems: list[str] = []
        """Problems of the last failed reload (`file:line:col: message`); empty when the files are good."""
        self.removed_scenarios: dict[str, str] = {}
        """Scenarios whose file a reload found gone, by name: the file they came from."""
        self.stopping = faults.Stopping()
        """Begun when the server stops: pending hangs and delays end at once."""
        self.console = Console(sys.stderr) if settings.log_requests else None
        """The request lines, written by a thread of their own (`--quiet`: None)."""
        if self.console is not None:
            self.console.start()
        self.internal_errors = InternalErrors()
        """Every exception that escaped while answering, in any session (each session keeps its own too)."""

    def internal_error(self, session: Session, text: str) -> None:
        """Record an exception that escaped while answering a request of `session`."""
        self.internal_errors.add(text)
        with session.lock:
            session.internal_errors.add(text)
