"""Sessions: the mutable state requests act on.

Each session has its own active scenario, workspace, rule counters, random
generator, rules added at run time, clock, journal, and guidance checks, so parallel test workers
and several developers can share one server (`X-Mock-Session`).
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from . import model
from .clock import Clock, utc_now
from .guidance import Checker, Finding, Thresholds, thresholds_from
from .guidance.checker import TrackBudget
from .journal import Journal, JournalBudget
from .loader import CompiledScenario, ScenarioSet
from .rules import Rule, RuleIndex, compile_rule
from .settings import DEFAULT_MAX_SESSIONS, DEFAULT_REVISION
from .simulator.revisions import REVISIONS, Revision
from .simulator.workspace import Workspace

DEFAULT_SESSION = "default"
MAX_INTERNAL_ERRORS = 100
"""Internal errors a session keeps for `check()` (the newest); the total count is kept beside them."""


class InternalErrors:
    """Exceptions that escaped while answering, newest last, at most MAX_INTERNAL_ERRORS of them."""

    def __init__(self) -> None:
        self.kept: deque[str] = deque(maxlen=MAX_INTERNAL_ERRORS)
        self.total = 0

    def add(self, text: str) -> None:
        self.kept.append(text[:2000])
        self.total += 1

    def clear(self) -> None:
        self.kept.clear()
        self.total = 0

    def lines(self) -> list[str]:
        dropped = self.total - len(self.kept)
        return [*([f"(and {dropped} earlier ones)"] if dropped else []), *self.kept]

    def __bool__(self) -> bool:
        return self.total > 0


MAX_FINDINGS = 1000
"""Guidance findings a session keeps (the newest); the total count is kept beside them."""


class GuidanceLog:
    """A session's guidance checks: the checker fed every API request, and the findings it made (the
    newest MAX_FINDINGS; `total` counts all since the session started over)."""

    def __init__(self, thresholds: Thresholds, budget: TrackBudget) -> None:
        self.checker = Checker(thresholds, budget)
        self.kept: deque[Finding] = deque(maxlen=MAX_FINDINGS)
        self.total = 0
        self.serial = 0
        """Requests checked; numbers them when the journal is off."""
        self.shown: tuple[str, str, str] = ("", "", "")
        """The latest credential given to the checks (its header's name and value) and its masked form:
        a client sends the same one again and again, so it is masked once."""

    @property
    def thresholds(self) -> Thresholds:
        return self.checker.thresholds

    def keep(self, findings: list[Finding]) -> None:
        self.kept.extend(findings)
        self.total += len(findings)

    def clear(self) -> None:
        """Forget the findings and what the checker remembers (the thresholds stay)."""
        self.checker.release()
        self.checker = Checker(self.checker.thresholds, self.checker.budget)
        self.kept.clear()
        self.total = 0


class Session:
    """One isolated set of state. `lock` guards it: control calls may come from other threads."""

    def __init__(
        self,
        scenario: CompiledScenario,
        seed: int | None,
        journal_limit: int,
        revision: str = DEFAULT_REVISION,
        budget: JournalBudget | None = None,
        source: Callable[[], datetime] = utc_now,
        guidance: Mapping[str, Any] | None = None,
        track_budget: TrackBudget | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.track_budget = track_budget or TrackBudget()
        """What the guidance checkers of all sessions remember together (shared by the store)."""
        self.guidance_settings: Mapping[str, Any] = guidance or {}
        """Guidance thresholds the server sets (`Settings.guidance`): they win over the scenario's."""
        self.clock = Clock(source)
        """The session's time (the app's source clock plus an offset a test moves); reset with the session."""
        self.busy = 0
        """Requests being answered in this session now; a busy session is never evicted."""
        self.seed = seed
        self.default_revision = revision
        """The server's revision, used when the active scenario does not pin one (`api_revision`)."""
        self.pinned_revision: str | None = None
        """A revision chosen for this session (a test's marker, `use(..., api_revision=)`): wins over both."""
        self.journal = Journal(journal_limit, budget)
        self.internal_errors = InternalErrors()
        """Exceptions that escaped while answering this session's requests (tests fail on them)."""
        self.activate(scenario)

    def activate(self, scenario: CompiledScenario) -> None:
        """Switch scenario: workspace, counters, added rules, the random sequence and the clock start over."""
        with self.lock:
            self.clock.reset()
            self.scenario = scenario
            self.workspace = Workspace.from_start(scenario.start)
            self.hits: dict[str, int] = {}
            self.rng = random.Random(self.seed)
            self.added: list[Rule] = []
            self.added_index = RuleIndex(())
            self.sources: dict[str, dict[str, Any]] = {}
            self._added_serial = 0
            previous = getattr(self, "guidance", None)
            if previous is not None:
                previous.checker.release()
            thresholds = thresholds_from({**scenario.guidance, **self.guidance_settings})
            self.guidance = GuidanceLog(thresholds, self.track_budget)

    @property
    def revision(self) -> Revision:
        """The docs revision this session's requests are answered by."""
        return REVISIONS[self.pinned_revision or self.scenario.api_revision or self.default_revision]

    def reset(self, scenario: CompiledScenario | None = None) -> None:
        """Back to the starting workspace of the active scenario, or of `scenario` (switching);
        empties the journal."""
        with self.lock:
            self.activate(scenario or self.scenario)
            self.journal.clear()
            self.internal_errors.clear()

    def rescope(self, scenario: CompiledScenario) -> None:
        """Serve a reloaded version of the active scenario; state and counters are kept."""
        with self.lock:
            self.scenario = scenario

    def add_rules(self, rules: list[model.Rule], sources: list[dict[str, Any]], origin: str) -> list[str]:
        """Add run-time rules, checked before the scenario's; the newest first. Returns their ids,
        `<origin>-N` (`admin-3`, `python-4`; URL-safe, for DELETE /__mock/rules/{id})."""
        with self.lock:
            added = []
            for rule, source in zip(rules, sources, strict=False):
                self._added_serial += 1
                rule_id = f"{origin}-{self._added_serial}"
                added.append(compile_rule(rule, rule_id, -self._added_serial))
                self.sources[rule_id] = source
            self.set_added([*added, *self.added])
            return [rule.id for rule in added]

    def set_added(self, rules: list[Rule]) -> None:
        """Replace the run-time rules (checked before the scenario's), in the order given."""
        with self.lock:
            self.added = sorted(rules, key=lambda rule: rule.order)
            self.added_index = RuleIndex(self.added)
            self.sources = {rule.id: self.sources[rule.id] for rule in self.added if rule.id in self.sources}


class SessionStore:
    """Sessions by id, created on first use with the store's default scenario, at most `max_sessions`.

    When a new session would exceed the bound, the least recently used idle ones are evicted:
    idle means no request of theirs is being answered (`checkout` .. `release`). The default
    session is never evicted. Each look-up is O(1): an ordered dict moved to its end on use.
    """

    def __init__(
        self,
        scenarios: ScenarioSet,
        scenario: str,
        seed: int | None,
        journal_limit: int = 1000,
        revision: str = DEFAULT_REVISION,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        clock: Callable[[], datetime] = utc_now,
        guidance: Mapping[str, Any] | None = None,
    ) -> None:
        self.scenarios = scenarios
        self.guidance = dict(guidance or {})
        """Guidance thresholds set for every session (they win over a scenario's)."""
        self.clock = clock
        """The source of every session's clock (real time unless a test gives another)."""
        self.revision = revision
        self.default_scenario = scenarios.get(scenario)
        self.seed = seed
        self.journal_limit = journal_limit
        self.max_sessions = max(1, max_sessions)
        self.evicted = 0
        """Sessions evicted to stay within `max_sessions`, since start."""
        self.journal_budget = JournalBudget()
        self.track_budget = TrackBudget()
        """Request identities the guidance checkers of all sessions remember together."""
        """Bytes kept by the journals of all sessions together."""
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()
        self._touch(DEFAULT_SESSION)  # always there: it is never evicted

    def get(self, session_id: str = DEFAULT_SESSION) -> Session:
        """The session `session_id`, created if need be (which may evict the least recently used idle one)."""
        with self._lock:
            return self._touch(session_id)

    def checkout(self, session_id: str) -> Session:
        """`get` for a request: the session counts as busy (not evictable) until `release`."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                session = self._touch(session_id)
            else:  # the common case, without _touch's call
                self._sessions.move_to_end(session_id)
            session.busy += 1
            return session

    def release(self, session: Session) -> None:
        # Only the server's event loop checks sessions out and in, so `busy` needs no lock here;
        # the store's lock guards the ordered dict, which control threads change too.
        session.busy -= 1

    def _touch(self, session_id: str) -> Session:
        sessions = self._sessions
        session = sessions.get(session_id)
        if session is not None:
            sessions.move_to_end(session_id)
            return session
        session = Session(
            self.default_scenario,
            self.seed,
            self.journal_limit,
            self.revision,
            self.journal_budget,
            self.clock,
            self.guidance,
            self.track_budget,
        )
        sessions[session_id] = session
        if len(sessions) > self.max_sessions:
            self._evict(keep=session_id)
        return session

    def _evict(self, keep: str) -> None:
        """Drop least recently used idle sessions until within bound; busy ones go to the back.

        A busy session met is moved behind the idle ones, so the cost is the requests in flight at
        worst (usually one step); when every session is busy, the bound is exceeded until some are
        idle again rather than a request losing its state mid-answer.
        """
        sessions = self._sessions
        for _ in range(len(sessions)):
            if len(sessions) <= self.max_sessions:
                return
            oldest, session = next(iter(sessions.items()))
            if oldest in (DEFAULT_SESSION, keep) or session.busy:
                sessions.move_to_end(oldest)
                continue
            del sessions[oldest]
            session.journal.clear()  # its bytes back to the shared budget; idle, so nothing records into it
            session.guidance.checker.release()
            self.evicted += 1

    def delete(self, session_id: str) -> bool:
        """Forget session `session_id` (False: no such session); the default session is reset instead."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return False
            if session_id != DEFAULT_SESSION:
                del self._sessions[session_id]
        with session.lock:  # not under the store's lock: control code takes them in the other order
            if session_id == DEFAULT_SESSION:
                session.pinned_revision = None
                session.reset(self.default_scenario)
            else:
                session.journal.clear()
                session.guidance.checker.release()
        return True

    def __len__(self) -> int:
        return len(self._sessions)

    def all(self) -> dict[str, Session]:
        return dict(self._sessions)

    def reload(self, scenarios: ScenarioSet) -> None:
        """Take a new scenario set; sessions keep their state and move to their scenario's new version."""
        with self._lock:
            self.scenarios = scenarios
            if self.default_scenario.name in scenarios:
                self.default_scenario = scenarios.get(self.default_scenario.name)
            for session in self._sessions.values():
                if session.scenario.name in scenarios:
                    session.rescope(scenarios.get(session.scenario.name))
