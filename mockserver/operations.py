"""The operations that steer a running mock: the one place that changes session state or reads the journal.

Every control surface is a thin adapter over `Operations`: the admin API
(`admin.py`, and the control page, which calls it), and the Python controls
(`control.py`, behind `MockServer`, `MockAsgi` and the pytest fixture). Each
operation takes what a surface was given as plain data (a JSON document, or
keyword values), validates it the same way for all of them, and raises
`OperationError` with a catalog code and one message, so a surface never words
a problem on its own. (The simulator's API operations, like `generate`, are
another thing: see `simulator/operations.py`.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from . import catalog, model, validation
from .clock import parse_duration, parse_moment
from .guidance import Finding, Thresholds
from .journal import Entry
from .loader import CompiledScenario, ScenarioSet
from .matching import RequestMatcher
from .overrides import SESSION_ID
from .rules import compile_when
from .sessions import DEFAULT_SESSION, Session
from .simulator.revisions import REVISIONS
from .simulator.starting import StartingKey, StartingToken
from .state import MockState
from .version import __version__

MAX_TEXT = 200
"""Characters of a name given to a control (scenario, key or token name)."""
MAX_TOKEN = 4096
"""Characters of a bearer token given to a control."""
MAX_CREDENTIALS = 100
"""API keys, or bearer tokens, one workspace change may set."""
MAX_CREDITS = 1_000_000_000
MAX_LIMIT = 1_000_000
"""The largest `limit` of a journal query (the largest journal)."""
MAX_RULES = 1000
"""Rules one call may add."""
MAX_SEED = 2**63 - 1
REQUEST_FILTERS = ("when", "method", "path", "status", "code", "limit")
"""What a journal query may filter by."""


class OperationError(ValueError):
    """An operation refused what it was given: a catalog `code` (400 family or 404) and one message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message

    @property
    def status(self) -> int:
        return catalog.CODES[self.code].status


# --- what the operations accept ------------------------------------------------------------------------


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class PlanPatch(_Input):
    useApiKeys: bool | None = None
    batchGenerate: bool | None = None


class ControlKey(StartingKey):
    model_config = ConfigDict(defer_build=True)

    key: str = Field(max_length=64, description="'pc_live_' followed by 20 letters or digits.")
    name: str = Field("", max_length=MAX_TEXT)


class ControlToken(StartingToken):
    model_config = ConfigDict(defer_build=True)

    token: str = Field(min_length=1, max_length=MAX_TOKEN)
    name: str = Field("", max_length=MAX_TEXT)


class WorkspacePatch(_Input):
    credits: int | None = Field(None, ge=0, le=MAX_CREDITS)
    plan: PlanPatch | None = None
    api_keys: list[ControlKey] | None = Field(
        None, max_length=MAX_CREDENTIALS, description="Replaces the workspace's API keys."
    )
    tokens: list[ControlToken] | None = Field(
        None, max_length=MAX_CREDENTIALS, description="Replaces the workspace's bearer tokens."
    )


class ScenarioChoice(_Input):
    """Which scenario a session uses from now on (`use`), or starts over with (`reset`)."""

    name: str | None = Field(None, min_length=1, max_length=MAX_TEXT)
    seed: int | None = Field(None, ge=-MAX_SEED, le=MAX_SEED)
    apiRevision: str | None = Field(None, max_length=MAX_TEXT)


class ClockMove(_Input):
    """One of: advance by a duration, set to a moment, or back to the real time."""

    advance: str | int | float | None = None
    set: str | None = Field(None, max_length=MAX_TEXT)
    reset: bool | None = None


_RULES = TypeAdapter(list[Any])


def _validate(adapter: type[BaseModel] | TypeAdapter[Any], document: Any, root: str = "") -> Any:
    try:
        if isinstance(adapter, TypeAdapter):
            return adapter.validate_python(document)
        return adapter.model_validate(document)
    except ValidationError as exc:
        raise OperationError(validation.code_for(exc), validation.message(exc, root)) from None


def _removed(name: str) -> str:
    return f"scenario {name!r} was removed from disk; sessions using it keep their copy until they switch"


def _revision(name: str | None) -> str | None:
    if name is not None and name not in REVISIONS:
        raise OperationError("INVALID_INPUT", f"unknown API revision {name!r}; known: {', '.join(REVISIONS)}")
    return name


class Operations:
    """The operations on one mock's state. Safe to call from any thread (each takes the session's lock)."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    # --- sessions --------------------------------------------------------------------------------

    def session(self, session_id: str | None = None) -> Session:
        """The session `session_id` (None: the default one), created on first use."""
        return self.state.sessions.get(_session_id(session_id))

    def forget_session(self, session_id: str) -> dict[str, Any]:
        """Forget a session (its state and journal); the default session is reset instead."""
        if not self.state.sessions.delete(_session_id(session_id)):
            raise OperationError("NOT_FOUND", f"No session {session_id!r}.")
        return {"deleted": session_id, "reset": session_id == DEFAULT_SESSION}

    def health(self, session_id: str | None = None) -> dict[str, Any]:
        revision = self.session(session_id).revision
        sessions = self.state.sessions
        return {
            "status": "ok",
            "version": __version__,
            "sessions": len(sessions),
            "maxSessions": sessions.max_sessions,
            "sessionsEvicted": sessions.evicted,
            "inFlight": sum(session.busy for session in sessions.all().values()),
            "apiRevision": revision.name,
            "apiRevisionLabel": revision.label,
        }

    def internal_error(self, session_id: str | None, text: str) -> None:
        """Record an exception that escaped while serving `session_id` (an unusable id: the default)."""
        if session_id is None or not SESSION_ID.match(session_id):
            session_id = DEFAULT_SESSION
        self.state.internal_error(self.state.sessions.get(session_id), text)

    def check(self, session_id: str | None = None) -> list[str]:
        """What went wrong that a test must not pass over: internal errors of the session, a failed reload."""
        session = self.session(session_id)
        with session.lock:
            problems = [f"internal error: {error}" for error in session.internal_errors.lines()]
        return problems + [f"scenario reload failed: {problem}" for problem in self.state.reload_problems]

    # --- scenarios -------------------------------------------------------------------------------

    def scenarios(self, session_id: str | None = None) -> dict[str, Any]:
        """The scenarios there are, which one the session uses, and the problems of the last reload."""
        state = self.state
        session = self.session(session_id)
        active = session.scenario.name
        # A scenario whose file was deleted still serves the sessions that use it: list it, say so.
        kept = {s.scenario.name: s.scenario for s in state.sessions.all().values()}
        removed = [s for name, s in sorted(kept.items()) if name not in state.scenarios]
        return {
            "active": active,
            "apiRevision": session.revision.name,
            "scenarios": [
                {
                    "name": s.name,
                    "description": s.description,
                    "source": s.source,
                    "builtin": s.builtin,
                    "rules": len(s.rules),
                    "apiRevision": s.api_revision,
                    "active": s.name == active,
                    "removed": s.name not in state.scenarios,
                }
                for s in [*state.scenarios.scenarios.values(), *removed]
            ],
            "problems": [*state.reload_problems, *(_removed(s.name) for s in removed)],
        }

    def _scenario(self, name: str) -> CompiledScenario:
        try:
            return self.state.scenarios.get(name)
        except KeyError as exc:
            if name in self.state.removed_scenarios:
                source = self.state.removed_scenarios[name]
                raise OperationError(
                    "NOT_FOUND", f"{_removed(name)}; restore {source} to switch to it again."
                ) from None
            raise OperationError("NOT_FOUND", str(exc.args[0])) from None

    def use(self, session_id: str | None, document: Any) -> dict[str, Any]:
        """Switch scenario (`{"name", "seed"?, "apiRevision"?}`): state, counters, rules, clock start over.

        `seed` seeds `chance` and delay draws (absent: the server's `--seed`); `apiRevision` pins the
        docs revision for the session (absent: the scenario's, else the server's).
        """
        choice = _validate(ScenarioChoice, document)
        if choice.name is None:
            raise OperationError("MISSING_REQUIRED_FIELD", "name: is required")
        return self._start_over(session_id, choice, journal=False)

    def reset(self, session_id: str | None, document: Any = None) -> dict[str, Any]:
        """Back to the starting state of the active scenario, or of `name` (switching in the same step).

        Workspace, counters, run-time rules, clock, journal and recorded internal errors all start over.
        """
        choice = _validate(ScenarioChoice, document if document is not None else {})
        return self._start_over(session_id, choice, journal=True)

    def _start_over(self, session_id: str | None, choice: ScenarioChoice, journal: bool) -> dict[str, Any]:
        revision = _revision(choice.apiRevision)
        scenario = None if choice.name is None else self._scenario(choice.name)
        session = self.session(session_id)
        with session.lock:
            session.seed = choice.seed if choice.seed is not None else self.state.settings.seed
            session.pinned_revision = revision
            if journal:
                session.reset(scenario)
            else:
                session.activate(scenario or session.scenario)
            return {"active": session.scenario.name, "apiRevision": session.revision.name}

    # --- workspace -------------------------------------------------------------------------------

    def workspace(self, session_id: str | None = None) -> dict[str, Any]:
        """The session's workspace: credits, plan, keys, tokens, designs."""
        session = self.session(session_id)
        with session.lock:
            return {"scenario": session.scenario.name, **session.workspace.describe()}

    def patch_workspace(self, session_id: str | None, document: Any) -> dict[str, Any]:
        """Change credits, plan features, API keys or bearer tokens; returns the workspace."""
        patch = _validate(WorkspacePatch, document)
        session = self.session(session_id)
        with session.lock:
            state = session.workspace
            if patch.credits is not None:
                state.credits = patch.credits
            if patch.plan is not None and patch.plan.useApiKeys is not None:
                state.use_api_keys = patch.plan.useApiKeys
            if patch.plan is not None and patch.plan.batchGenerate is not None:
                state.batch_generate = patch.plan.batchGenerate
            if patch.api_keys is not None:
                state.api_keys = {key.key: key for key in patch.api_keys}
            if patch.tokens is not None:
                state.tokens = {token.token: token for token in patch.tokens}
        return self.workspace(session_id)

    # --- rules added at run time -----------------------------------------------------------------

    def rules(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """The session's run-time rules, as given, with how often each answered."""
        session = self.session(session_id)
        with session.lock:
            return [
                {"id": rule.id, "used": session.hits.get(rule.id, 0), **session.sources[rule.id]}
                for rule in session.added
            ]

    def add_rules(self, session_id: str | None, document: Any, origin: str) -> list[str]:
        """Add rules (one, a list, or `{"rules": [...]}`), checked before the scenario's, newest first.

        Their ids are `<origin>-N` (`admin-3`, `python-4`): where they were added from.
        """
        if isinstance(document, dict) and set(document) == {"rules"}:
            document = document["rules"]
        listed = document if isinstance(document, list) else [document]
        if len(listed) > MAX_RULES:
            raise OperationError("INVALID_INPUT", f"rules: at most {MAX_RULES} rules in one call")
        parsed: list[model.Rule] = _validate(model.RULES, listed, "rules")
        session = self.session(session_id)
        try:
            with session.lock:
                return session.add_rules(parsed, [item for item in listed if isinstance(item, dict)], origin)
        except ValueError as exc:
            raise OperationError("VALIDATION_ERROR", str(exc)) from None

    def remove_rule(self, session_id: str | None, rule_id: str) -> dict[str, Any]:
        session = self.session(session_id)
        with session.lock:
            remaining = [rule for rule in session.added if rule.id != rule_id]
            if len(remaining) == len(session.added):
                raise OperationError("NOT_FOUND", f"No run-time rule {rule_id[:MAX_TEXT]!r} in this session.")
            session.set_added(remaining)
        return {"deleted": rule_id}

    def clear_rules(self, session_id: str | None = None) -> None:
        session = self.session(session_id)
        with session.lock:
            session.set_added([])

    # --- the journal -----------------------------------------------------------------------------

    def requests(self, session_id: str | None, filters: Mapping[str, Any]) -> list[Entry]:
        """Journal entries, oldest first, that pass every filter (see `RequestQuery.parse`).

        Render them with `Entry.to_json()`: outside the session's lock, which is held only to pick them.
        """
        query = RequestQuery.parse(filters)
        session = self.session(session_id)
        with session.lock:
            return session.journal.select(
                *query.matchers, status=query.status, code=query.code, limit=query.limit
            )

    def clear_requests(self, session_id: str | None = None) -> None:
        session = self.session(session_id)
        with session.lock:
            session.journal.clear()

    # --- the guidance checks ----------------------------------------------------------------------

    def guidance(self, session_id: str | None = None) -> GuidanceReport:
        """The session's guidance findings (the newest kept, oldest first) and its thresholds."""
        session = self.session(session_id)
        with session.lock:
            log = session.guidance
            return GuidanceReport(tuple(log.kept), log.total, log.thresholds)

    def clear_guidance(self, session_id: str | None = None) -> GuidanceReport:
        """Forget the session's findings and what its checker remembers; the thresholds stay."""
        session = self.session(session_id)
        with session.lock:
            session.guidance.clear()
        return self.guidance(session_id)

    # --- the clock -------------------------------------------------------------------------------

    def clock(self, session_id: str | None = None) -> dict[str, Any]:
        """The session's time (`now`) and how far it was moved from the real time (`offsetSeconds`)."""
        session = self.session(session_id)
        with session.lock:
            return session.clock.describe()

    def move_clock(self, session_id: str | None, document: Any) -> dict[str, Any]:
        """`{"advance": "1h"}`, `{"set": "2027-01-01T00:00:00Z"}` or `{"reset": true}`: one of them."""
        move = _validate(ClockMove, document)
        given = [name for name in ("advance", "set", "reset") if getattr(move, name) is not None]
        if len(given) != 1:
            raise OperationError(
                "VALIDATION_ERROR", 'Give one of advance (e.g. "1h"), set (a date-time) or reset (true).'
            )
        session = self.session(session_id)
        try:
            with session.lock:
                if move.advance is not None:
                    session.clock.advance(_duration(move.advance))
                elif move.set is not None:
                    session.clock.set(parse_moment(move.set))
                elif move.reset:
                    session.clock.reset()
                return session.clock.describe()
        except ValueError as exc:
            raise OperationError("INVALID_INPUT", f"{given[0]}: {exc}") from None

    # --- the scenario files (hot reload) ---------------------------------------------------------

    def serve_scenarios(self, scenarios: ScenarioSet) -> None:
        """Serve a reloaded scenario set; every session keeps its state."""
        state = self.state
        for name, old in state.scenarios.scenarios.items():
            if name not in scenarios:
                state.removed_scenarios[name] = old.source
        for name in scenarios.scenarios:
            state.removed_scenarios.pop(name, None)
        state.scenarios = scenarios
        state.sessions.reload(scenarios)
        state.reload_problems = []

    def reload_failed(self, problems: list[str]) -> None:
        """A reload found broken files: the last good set keeps serving; `check` reports them."""
        self.state.reload_problems = problems


@dataclass(frozen=True, slots=True)
class GuidanceReport:
    """A session's guidance findings: `findings` kept (oldest first), `total` made since the session started
    over (or was cleared), and the `thresholds` they were judged by."""

    findings: tuple[Finding, ...]
    total: int
    thresholds: Thresholds

    def to_json(self) -> dict[str, Any]:
        return {
            "findings": [finding.to_json() for finding in self.findings],
            "total": self.total,
            "dropped": self.total - len(self.findings),
            "thresholds": self.thresholds.to_json(),
        }


@dataclass(frozen=True, slots=True)
class RequestQuery:
    """A parsed journal query: what every matcher matches, with `status` and `code`, the newest `limit`."""

    matchers: tuple[RequestMatcher, ...] = ()
    status: int | None = None
    code: str | None = None
    limit: int | None = None

    @classmethod
    def parse(cls, filters: Mapping[str, Any]) -> RequestQuery:
        """From filters named in REQUEST_FILTERS, as query-string text (admin API) or values (Python).

        `when` is a rule's `when` (`"POST /x/{id}"`, or a mapping); `method` and `path` are its parts
        on their own, in the same pattern language (`*` within one segment, `**` across several);
        `status` and `code` are the answer's; `limit` keeps the newest N.
        """
        unknown = sorted(set(filters) - set(REQUEST_FILTERS))
        if unknown:
            raise OperationError(
                "VALIDATION_ERROR", f"Unknown filter {unknown[0]!r}; use {', '.join(REQUEST_FILTERS)}."
            )
        matchers = []
        if (when := filters.get("when")) not in (None, ""):
            matchers.append(compile_when(_validate(model.WHEN, when, "when")))
        parts = {name: filters[name] for name in ("method", "path") if filters.get(name) not in (None, "")}
        if parts:
            parts.setdefault("path", "/**")  # a method on its own: any path
            matchers.append(compile_when(_validate(model.WHEN, parts)))
        code = filters.get("code") or None
        if code is not None and code not in catalog.CODES:
            shown = str(code)[:MAX_TEXT]
            raise OperationError("INVALID_INPUT", f"code: {shown!r} is not a catalog error code")
        return cls(
            tuple(matchers),
            _whole(filters.get("status"), "status", 100, 599),
            code,
            _whole(filters.get("limit"), "limit", 0, MAX_LIMIT),
        )


def _session_id(given: str | None) -> str:
    if given is None:
        return DEFAULT_SESSION
    if not isinstance(given, str) or not SESSION_ID.match(given):
        raise OperationError("VALIDATION_ERROR", "A session id is 1-100 letters, digits or . _ : -")
    return given


def _whole(value: Any, name: str, low: int, high: int) -> int | None:
    """A whole number filter given as an int (Python) or digits (a query string), within [low, high]."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise OperationError("VALIDATION_ERROR", f"{name} must be a whole number from {low} to {high}.")
    return value


def _duration(value: str | int | float) -> timedelta:
    """A duration given as text (`"1h30m"`) or as seconds."""
    if isinstance(value, str):
        return parse_duration(value)
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a duration")
    return parse_duration(f"{value:.6f}".rstrip("0").rstrip(".") + "s")
