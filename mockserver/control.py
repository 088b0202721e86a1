"""Steering a mock from Python: the admin API's operations as methods.

`MockControl` acts directly on a MockApp's session (under its lock), so a
call takes microseconds and works the same for a server on a socket
(`MockServer`) and for the in-process app (`MockAsgi`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .app import MockApp
from .guidance import Finding
from .operations import Operations
from .sessions import DEFAULT_SESSION, Session
from .settings import Settings, configure

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
    """Operations on one session of a mock, as Python methods: the same operations as the admin API.

    Each method is a thin adapter over `Operations` (the app's `operations`), so a refusal comes
    with the same catalog code and message as over HTTP: an `OperationError` (a ValueError).
    """

    app: MockApp
    session_id: str = DEFAULT_SESSION

    @property
    def operations(self) -> Operations:
        return self.app.operations

    @property
    def session(self) -> Session:
        return self.operations.session(self.session_id)

    @property
    def api_key(self) -> str:
        """The session's first API key: the demo key, unless the scenario's workspace has others."""
        return next(iter(self.session.workspace.api_keys))

    # --- scenarios and rules ---------------------------------------------------------------------

    def use(self, name: str, seed: int | None = None, api_revision: str | None = None) -> None:
        """Activate scenario `name`: workspace, counters, injected rules, clock and random draws start over.

        `seed` seeds `chance` and delay draws; None: the server's `--seed`. `api_revision` pins the
        docs revision for this session (None: the scenario's, else the server's).
        """
        self.operations.use(self.session_id, _choice(name, seed, api_revision))

    @property
    def api_revision(self) -> str:
        """The docs revision this session is answered by."""
        return self.session.revision.name

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
        Its id is `python-N`.
        """
        steps = reply.pop("sequence", None)
        rule: dict[str, Any] = {"when": when, "reply": steps if steps is not None else reply}
        if times is not None:
            rule["times"] = times
        return self.operations.add_rules(self.session_id, [rule], "python")[0]

    def add_rules(self, *rules: dict[str, Any]) -> list[str]:
        """Add rules written as in a scenario file (`{"when": ..., "reply": ...}`); returns their ids."""
        return self.operations.add_rules(self.session_id, list(rules), "python")

    def rules(self) -> list[dict[str, Any]]:
        """The rules added at run time, as given, with how often each answered."""
        return self.operations.rules(self.session_id)

    def remove_rule(self, rule_id: str) -> None:
        self.operations.remove_rule(self.session_id, rule_id)

    def clear_rules(self) -> None:
        """Remove the rules added with `fail` and `reply` (and through the admin API)."""
        self.operations.clear_rules(self.session_id)

    # --- workspace -------------------------------------------------------------------------------

    @property
    def workspace(self) -> dict[str, Any]:
        """Credits, plan, keys, tokens and designs of the session's workspace."""
        described = self.operations.workspace(self.session_id)
        del described["scenario"]
        return described

    def set_credits(self, credits: int) -> None:
        self.operations.patch_workspace(self.session_id, {"credits": credits})

    def set_plan(self, *, useApiKeys: bool | None = None, batchGenerate: bool | None = None) -> None:
        """Turn plan features on or off (the documented names)."""
        plan = {name: value for name, value in (("useApiKeys", useApiKeys), ("batchGenerate", batchGenerate))}
        self.operations.patch_workspace(
            self.session_id, {"plan": {name: value for name, value in plan.items() if value is not None}}
        )

    # --- the clock -------------------------------------------------------------------------------

    @property
    def clock(self) -> dict[str, Any]:
        """The session's time: `{"now": "...Z", "offsetSeconds": ...}`."""
        return self.operations.clock(self.session_id)

    def advance(self, by: str | float | timedelta) -> dict[str, Any]:
        """Move the session's clock forward by `by` ("1h", "90s", "1h30m", seconds, or a timedelta)."""
        amount = by.total_seconds() if isinstance(by, timedelta) else by
        return self.operations.move_clock(self.session_id, {"advance": amount})

    def set_time(self, moment: str | datetime) -> dict[str, Any]:
        """Set the session's clock to `moment`: "2027-01-01T00:00:00Z", a date, or an aware datetime."""
        text = moment.isoformat() if isinstance(moment, datetime) else moment
        return self.operations.move_clock(self.session_id, {"set": text})

    def reset_clock(self) -> dict[str, Any]:
        """The session's clock back to the real time."""
        return self.operations.move_clock(self.session_id, {"reset": True})

    # --- journal ---------------------------------------------------------------------------------

    def requests(
        self,
        when: str | dict[str, Any] | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        code: str | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        """Journal entries, oldest first, as `GET /__mock/requests` filters them: `when` is a rule's
        `when` ("POST /x/{id}" or a mapping), `method` and `path` its parts on their own."""
        given = {"when": when, "method": method, "path": path, "status": status, "code": code, "limit": limit}
        filters = {name: value for name, value in given.items() if value is not None}
        return [_entry(entry.to_json()) for entry in self.operations.requests(self.session_id, filters)]

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

    def clear_requests(self) -> None:
        self.operations.clear_requests(self.session_id)

    # --- the guidance checks ----------------------------------------------------------------------

    def guidance(self) -> list[Finding]:
        """Where the clients of this session broke the API's error-handling guidance, oldest first (the
        newest 1,000): each `Finding` with its id, the requests that show it and how to fix the client."""
        return list(self.operations.guidance(self.session_id).findings)

    def clear_guidance(self) -> None:
        """Forget the session's findings (and what the checks remember of earlier requests)."""
        self.operations.clear_guidance(self.session_id)

    def assert_guidance_followed(self) -> None:
        """Raise AssertionError showing each finding, with its requests and the fix, if there is one."""
        report = self.operations.guidance(self.session_id)
        if not report.findings:
            return
        count = report.total
        lines = [f"the client broke the API's error-handling guidance ({count} finding{'s' * (count != 1)}):"]
        if report.total > len(report.findings):
            lines.append(f"(the {report.total - len(report.findings)} oldest are not kept)")
        raise AssertionError("\n\n".join(["\n".join(lines), *(str(finding) for finding in report.findings)]))

    # --- state -----------------------------------------------------------------------------------

    def reset(
        self, scenario: str | None = None, seed: int | None = None, api_revision: str | None = None
    ) -> None:
        """Workspace, counters, injected rules, clock, journal and recorded internal errors back to the
        starting state of the active scenario, or of `scenario` (switched to as `use` does) in the same
        step; `api_revision` as in `use`.
        """
        self.operations.reset(self.session_id, _choice(scenario, seed, api_revision))

    def check(self) -> None:
        """Raise if the session met an internal error or a reload failed: a test must not pass silently."""
        problems = self.operations.check(self.session_id)
        if problems:
            raise AssertionError("the mock server had problems:\n  " + "\n  ".join(problems))


def _choice(name: str | None, seed: int | None, api_revision: str | None) -> dict[str, Any]:
    given = {"name": name, "seed": seed, "apiRevision": api_revision}
    return {key: value for key, value in given.items() if value is not None}


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
        """`settings`, or any of its fields as keywords, as MockServer takes them."""
        self.settings = configure(settings, options)
        self.app = MockApp(self.settings)

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
