"""Steering a mock from Python: the admin API's operations as methods.

`MockControl` acts directly on a MockApp's session (under its lock), so a
call takes microseconds and works the same for a server on a socket
(`MockServer`) and for the in-process app (`MockAsgi`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from . import model
from .app import MockApp
from .loader import CompiledScenario
from .rules import compile_when
from .sessions import DEFAULT_SESSION, Session
from .settings import Settings
from .simulator.revisions import REVISIONS

if TYPE_CHECKING:
    import httpx  # only MockAsgi.client needs it, and it is not a runtime dependency


@dataclass(frozen=True)
class JournalEntry:
    """One request the mock received, and what answered it."""

    id: int
    time: str
    method: str
    path: str
    operation: str | None
    revision: str | None
    query: dict[str, Any]
    headers: dict[str, str]
    body: str
    answered_by: str
    scenario: str
    status: int
    code: str | None
    fault: str | None
    duration_ms: float
    closest_rule: dict[str, str] | None = None

    def json(self) -> Any:
        """The request body parsed as JSON."""
        return json.loads(self.body)

    def __str__(self) -> str:
        outcome = self.fault or " ".join(str(part) for part in (self.status, self.code) if part)
        return f"#{self.id} {self.method} {self.path} → {outcome} ({self.answered_by})"


class MockControl:
    """Operations on one session of a MockApp: scenarios, injected replies, workspace, journal."""

    app: MockApp
    session_id: str = DEFAULT_SESSION

    @property
    def session(self) -> Session:
        return self.app.sessions.get(self.session_id)

    @property
    def api_key(self) -> str:
        """The session's first API key: the demo key, unless the scenario seeds others."""
        return next(iter(self.session.workspace.api_keys))

    # --- scenarios and rules ---------------------------------------------------------------------

    def use(self, name: str, seed: int | None = None, api_revision: str | None = None) -> None:
        """Activate scenario `name`: workspace, counters, injected rules and random sequence start over.

        `seed` seeds `chance` and delay draws; None: the server's `--seed`. `api_revision` pins the
        docs revision for this session (None: the scenario's, else the server's).
        """
        session = self.session
        with session.lock:
            session.activate(self._seeded(name, seed))
            session.pinned_revision = _revision(api_revision)

    @property
    def api_revision(self) -> str:
        """The docs revision this session is answered by."""
        return self.session.revision.name

    def _seeded(self, name: str, seed: int | None) -> CompiledScenario:
        """Scenario `name`, with the session's seed set for it (caller holds the session lock)."""
        try:
            scenario = self.app.scenarios.get(name)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
        self.session.seed = seed if seed is not None else self.app.settings.seed
        return scenario

    def fail(
        self, when: str | dict[str, Any], code: str, times: int | None = 1, message: str | None = None
    ) -> str:
        """Answer error `code` to the next `times` requests matching `when` (None: all); returns its id."""
        reply: dict[str, Any] = {"error": code}
        if message is not None:
            reply["message"] = message
        return self.reply(when, times=times, **reply)

    def reply(self, when: str | dict[str, Any], times: int | None = None, **reply: Any) -> str:
        """Add a rule answering `when` with any reply kind, checked before the scenario's.

        `reply` is the YAML reply as keywords: `error="S3_ERROR"`, `status=200, data={...}`,
        `fault="connection_reset"`, `body="<html>"`, `simulator=True`; or `sequence=[{...}, {...}]`.
        """
        steps = reply.pop("sequence", None)
        rule: dict[str, Any] = {"when": when, "reply": steps if steps is not None else reply}
        if times is not None:
            rule["times"] = times
        try:
            parsed = model.RULES.validate_python([rule])
        except ValidationError as exc:
            raise ValueError(f"bad rule {rule!r}: {exc}") from None
        return self.session.add_rules(parsed, [rule])[0]

    def clear_rules(self) -> None:
        """Remove the rules added with `fail` and `reply`."""
        self.session.set_added([])

    # --- workspace -------------------------------------------------------------------------------

    @property
    def workspace(self) -> dict[str, Any]:
        """Credits, plan, keys, tokens and designs of the session's workspace."""
        session = self.session
        with session.lock:
            return session.workspace.describe()

    def set_credits(self, credits: int) -> None:
        if credits < 0:
            raise ValueError("credits cannot be negative")
        session = self.session
        with session.lock:
            session.workspace.credits = credits

    def set_plan(self, *, useApiKeys: bool | None = None, batchGenerate: bool | None = None) -> None:
        """Turn plan features on or off (the documented names)."""
        session = self.session
        with session.lock:
            if useApiKeys is not None:
                session.workspace.use_api_keys = useApiKeys
            if batchGenerate is not None:
                session.workspace.batch_generate = batchGenerate

    # --- journal ---------------------------------------------------------------------------------

    def requests(
        self,
        when: str | dict[str, Any] | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        """Journal entries, oldest first; `when` is a rule's `when` ("POST /x/{id}" or a mapping)."""
        session = self.session
        with session.lock:
            entries = list(session.journal.entries())
        if when is not None:
            try:
                matcher = compile_when(model.WHEN.validate_python(when))
            except ValidationError as exc:
                raise ValueError(f"bad pattern {when!r}: {exc}") from None
            entries = [e for e in entries if matcher.matches(e.incoming)]
        if status is not None:
            entries = [e for e in entries if e.outcome.status == status]
        if code is not None:
            entries = [e for e in entries if e.outcome.code == code]
        if limit is not None:
            entries = entries[-limit:] if limit > 0 else []
        return [_entry(e.to_json()) for e in entries]

    def assert_called(self, when: str | dict[str, Any], times: int | None = None) -> list[JournalEntry]:
        """Assert that requests matching `when` arrived (exactly `times` of them, if given); returns them."""
        found = self.requests(when)
        if (times is None and found) or (times is not None and len(found) == times):
            return found
        wanted = "at least once" if times is None else f"{times} time{'s' * (times != 1)}"
        seen = self.requests()
        lines = "\n".join(f"  {entry}" for entry in seen) or "  (none)"
        raise AssertionError(
            f"expected {when} {wanted}, got {len(found)}.\nRequests the mock received ({len(seen)}):\n{lines}"
        )

    def assert_not_called(self, when: str | dict[str, Any]) -> None:
        self.assert_called(when, times=0)

    # --- state -----------------------------------------------------------------------------------

    def reset(
        self, scenario: str | None = None, seed: int | None = None, api_revision: str | None = None
    ) -> None:
        """Workspace, counters, injected rules and journal back to the starting workspace of the
        active scenario, or of `scenario` (switched to as `use` does) in the same step;
        `api_revision` as in `use`.
        """
        session = self.session
        with session.lock:
            session.reset(None if scenario is None else self._seeded(scenario, seed))
            session.pinned_revision = _revision(api_revision)
        self.app.internal_errors.clear()

    def check(self) -> None:
        """Raise if the app met an internal error or a reload failed: a test must not pass silently."""
        problems = [f"internal error: {error}" for error in self.app.internal_errors]
        problems += [f"scenario reload failed: {problem}" for problem in self.app.reload_problems]
        if problems:
            raise AssertionError("the mock server had problems:\n  " + "\n  ".join(problems))


def _revision(name: str | None) -> str | None:
    if name is not None and name not in REVISIONS:
        raise ValueError(f"unknown API revision {name!r}; known: {', '.join(REVISIONS)}")
    return name


def _entry(data: dict[str, Any]) -> JournalEntry:
    return JournalEntry(
        id=data["id"],
        time=data["time"],
        method=data["method"],
        path=data["path"],
        operation=data["operation"],
        revision=data["revision"],
        query=data["query"],
        headers=data["headers"],
        body=data["body"],
        answered_by=data["answeredBy"],
        scenario=data["scenario"],
        status=data["status"],
        code=data["code"],
        fault=data["fault"],
        duration_ms=data["durationMs"],
        closest_rule=data.get("closestRule"),
    )


class MockAsgi(MockControl):
    """The mock in-process, no sockets: `app` for `httpx.ASGITransport`, and the same controls.

    >>> mock = MockAsgi(scenario="out-of-credits")
    >>> async with mock.client() as client:
    ...     await client.post("/api/v1/designs/dsg_invoice/generate")
    """

    url = "http://mockserver.test"

    def __init__(self, settings: Settings | None = None, **options: Any) -> None:
        self.app = MockApp(settings or Settings(**options))

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An httpx.AsyncClient bound to the app, sending the demo API key.

        httpx is not a dependency of mockserver itself; without it this raises a RuntimeError that says
        what to install.
        """
        try:
            import httpx
        except ModuleNotFoundError:
            raise RuntimeError(
                "MockAsgi.client() needs the httpx package, which mockserver does not install on its own."
                " Install it with:\n    pip install httpx\n(or install mockserver with its test extra:"
                " pip install 'mockserver[test]')"
            ) from None
        headers = {"X-API-Key": self.api_key, **kwargs.pop("headers", {})}
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url=self.url, headers=headers, **kwargs)
