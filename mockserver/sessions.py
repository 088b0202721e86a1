"""Sessions: the mutable state requests act on.

Each session has its own active scenario, workspace, rule counters, random
generator, rules added at run time, and journal, so parallel test workers
and several developers can share one server (`X-Mock-Session`).
"""

from __future__ import annotations

import random
import threading
from typing import Any

from . import model
from .journal import Journal
from .loader import CompiledScenario, ScenarioSet
from .rules import Rule, RuleIndex, compile_rule
from .settings import DEFAULT_REVISION
from .simulator.revisions import REVISIONS, Revision
from .simulator.workspace import Workspace

DEFAULT_SESSION = "default"
ADMIN_RULES = "admin"
"""Rule ids of rules added at run time are `admin-N` (URL-safe, for DELETE /__mock/rules/{id})."""


class Session:
    """One isolated set of state. `lock` guards it: control calls may come from other threads."""

    def __init__(
        self,
        scenario: CompiledScenario,
        seed: int | None,
        journal_limit: int,
        revision: str = DEFAULT_REVISION,
    ) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.default_revision = revision
        """The server's revision, used when the active scenario does not pin one (`api_revision`)."""
        self.pinned_revision: str | None = None
        """A revision chosen for this session (a test's marker, `use(..., api_revision=)`): wins over both."""
        self.journal = Journal(journal_limit)
        self.activate(scenario)

    def activate(self, scenario: CompiledScenario) -> None:
        """Switch scenario: workspace, counters, added rules and the random sequence start over."""
        with self.lock:
            self.scenario = scenario
            self.workspace = Workspace.from_seed(scenario.seed)
            self.hits: dict[str, int] = {}
            self.rng = random.Random(self.seed)
            self.added: list[Rule] = []
            self.added_index = RuleIndex(())
            self.sources: dict[str, dict[str, Any]] = {}
            self._added_serial = 0

    @property
    def revision(self) -> Revision:
        """The docs revision this session's requests are answered by."""
        return REVISIONS[self.pinned_revision or self.scenario.api_revision or self.default_revision]

    def reset(self, scenario: CompiledScenario | None = None) -> None:
        """Back to the seed of the active scenario, or of `scenario` (switching); empties the journal."""
        with self.lock:
            self.activate(scenario or self.scenario)
            self.journal.clear()

    def rescope(self, scenario: CompiledScenario) -> None:
        """Serve a reloaded version of the active scenario; state and counters are kept."""
        with self.lock:
            self.scenario = scenario

    def add_rules(self, rules: list[model.Rule], sources: list[dict[str, Any]]) -> list[str]:
        """Add run-time rules, checked before the scenario's; the newest first. Returns their ids."""
        with self.lock:
            added = []
            for rule, source in zip(rules, sources, strict=False):
                self._added_serial += 1
                rule_id = f"{ADMIN_RULES}-{self._added_serial}"
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
    """Sessions by id, created on first use with the store's default scenario."""

    def __init__(
        self,
        scenarios: ScenarioSet,
        scenario: str,
        seed: int | None,
        journal_limit: int = 1000,
        revision: str = DEFAULT_REVISION,
    ) -> None:
        self.scenarios = scenarios
        self.revision = revision
        self.default_scenario = scenarios.get(scenario)
        self.seed = seed
        self.journal_limit = journal_limit
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str = DEFAULT_SESSION) -> Session:
        session = self._sessions.get(session_id)
        if session is None:
            with self._lock:
                session = self._sessions.get(session_id)
                if session is None:
                    session = Session(self.default_scenario, self.seed, self.journal_limit, self.revision)
                    self._sessions[session_id] = session
        return session

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
