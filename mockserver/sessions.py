"""Sessions: the mutable state requests act on (active scenario, rule counters, RNG)."""

from __future__ import annotations

import random
import threading

from .loader import CompiledScenario, ScenarioSet

DEFAULT_SESSION = "default"


class Session:
    """One isolated set of state. `lock` guards it: control calls may come from other threads."""

    def __init__(self, scenario: CompiledScenario, seed: int | None) -> None:
        self.lock = threading.Lock()
        self.seed = seed
        self.scenario = scenario
        self.hits: dict[str, int] = {}
        self.rng = random.Random(seed)

    def activate(self, scenario: CompiledScenario) -> None:
        """Switch scenario; counters and the random sequence start over."""
        with self.lock:
            self.scenario = scenario
            self.hits = {}
            self.rng = random.Random(self.seed)


class SessionStore:
    """Sessions by id, created on first use with the store's default scenario."""

    def __init__(self, scenarios: ScenarioSet, scenario: str, seed: int | None) -> None:
        self.scenarios = scenarios
        self.default_scenario = scenarios.get(scenario)
        self.seed = seed
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str = DEFAULT_SESSION) -> Session:
        session = self._sessions.get(session_id)
        if session is None:
            with self._lock:
                session = self._sessions.setdefault(session_id, Session(self.default_scenario, self.seed))
        return session
