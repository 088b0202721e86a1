"""One control layer: the admin API, MockControl over a socket and MockAsgi in-process drive the same
operations.

The same scenario of operations runs through each surface; the state, the
journal and the words of every refusal must come out the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import httpx
import pytest

from mockserver import MockAsgi, MockServer, OperationError

KEY = {"X-API-Key": "pc_live_demo0000000000000001"}


class Surface(Protocol):
    """What a test does to a mock, whichever way it steers it."""

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response: ...
    def use(self, name: str, seed: int | None = None, api_revision: str | None = None) -> None: ...
    def reset(self) -> None: ...
    def set_credits(self, credits: Any) -> None: ...
    def fail(self, when: Any, code: str) -> str: ...
    def requests(self, **filters: Any) -> list[dict[str, Any]]: ...
    def rules(self) -> list[dict[str, Any]]: ...
    def workspace(self) -> dict[str, Any]: ...
    def advance(self, by: Any) -> dict[str, Any]: ...
    def clock(self) -> dict[str, Any]: ...


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code, self.message = code, message


def _envelope(response: httpx.Response) -> Any:
    body = response.json()
    if body["status"] != "success":
        raise Refused(body["error"]["code"], body["error"]["message"])
    return body["data"]


class AdminSurface:
    """The admin API over a socket (what the control page uses)."""

    def __init__(self, server: MockServer) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=10)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, path, **kwargs)

    def use(self, name: str, seed: int | None = None, api_revision: str | None = None) -> None:
        body = {"name": name, "seed": seed, "apiRevision": api_revision}
        _envelope(self.http.put("/__mock/scenario", json={k: v for k, v in body.items() if v is not None}))

    def reset(self) -> None:
        _envelope(self.http.post("/__mock/reset"))

    def set_credits(self, credits: Any) -> None:
        _envelope(self.http.patch("/__mock/workspace", json={"credits": credits}))

    def fail(self, when: Any, code: str) -> str:
        rule = {"when": when, "reply": {"error": code}, "times": 1}
        ids: list[str] = _envelope(self.http.post("/__mock/rules", json=rule))["ids"]
        return ids[0]

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = _envelope(self.http.get("/__mock/requests", params=filters))[
            "requests"
        ]
        return entries

    def rules(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = _envelope(self.http.get("/__mock/rules"))["rules"]
        return listed

    def workspace(self) -> dict[str, Any]:
        described: dict[str, Any] = _envelope(self.http.get("/__mock/workspace"))
        del described["scenario"]
        return described

    def advance(self, by: Any) -> dict[str, Any]:
        moved: dict[str, Any] = _envelope(self.http.post("/__mock/clock", json={"advance": by}))
        return moved

    def clock(self) -> dict[str, Any]:
        now: dict[str, Any] = _envelope(self.http.get("/__mock/clock"))
        return now


class PythonSurface:
    """MockControl's methods: on a MockServer (socket) or a MockAsgi (in-process)."""

    def __init__(self, mock: MockServer | MockAsgi) -> None:
        self.mock = mock

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        mock = self.mock
        if isinstance(mock, MockServer):
            return httpx.request(method, f"{mock.url}{path}", timeout=10, **kwargs)
        assert isinstance(mock, MockAsgi)

        async def send() -> httpx.Response:
            async with mock.client() as client:
                response = await client.request(method, path, **kwargs)
                await response.aread()
                return response

        return asyncio.run(send())

    def _refusals(self, operation: Callable[[], Any]) -> Any:
        try:
            return operation()
        except OperationError as exc:
            raise Refused(exc.code, exc.message) from None

    def use(self, name: str, seed: int | None = None, api_revision: str | None = None) -> None:
        self._refusals(lambda: self.mock.use(name, seed=seed, api_revision=api_revision))

    def reset(self) -> None:
        self._refusals(self.mock.reset)

    def set_credits(self, credits: Any) -> None:
        self._refusals(lambda: self.mock.set_credits(credits))

    def fail(self, when: Any, code: str) -> str:
        rule_id: str = self._refusals(lambda: self.mock.fail(when, code))
        return rule_id

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        when = filters.pop("when", None)
        found = self._refusals(lambda: self.mock.requests(when, **filters))
        return [
            {
                "method": e.method,
                "path": e.path,
                "operation": e.operation,
                "revision": e.revision,
                "status": e.status,
                "code": e.code,
                "fault": e.fault,
                "answeredBy": e.answered_by,
                "scenario": e.scenario,
                "closestRule": e.closest_rule,
            }
            for e in found
        ]

    def rules(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = self.mock.rules()
        return listed

    def workspace(self) -> dict[str, Any]:
        return self.mock.workspace

    def advance(self, by: Any) -> dict[str, Any]:
        moved: dict[str, Any] = self._refusals(lambda: self.mock.advance(by))
        return moved

    def clock(self) -> dict[str, Any]:
        return self.mock.clock


@pytest.fixture(params=["admin API", "MockControl over a socket", "MockAsgi in-process"])
def surface(request: pytest.FixtureRequest) -> Iterator[Surface]:
    if request.param == "MockAsgi in-process":
        yield PythonSurface(MockAsgi(batch_seconds=0))
        return
    with MockServer(batch_seconds=0) as server:
        if request.param != "admin API":
            yield PythonSurface(server)
            return
        admin = AdminSurface(server)
        yield admin
        admin.http.close()


def _refusal(action: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(Refused) as caught:
        action()
    return caught.value.code, caught.value.message


def _kept(entry: dict[str, Any]) -> dict[str, Any]:
    """What must be equal whichever surface steered: not times, ids, or the transport's own headers."""
    answered_by = entry["answeredBy"].split("-")[0]  # a rule's id names where it was added from
    return {
        "method": entry["method"],
        "path": entry["path"],
        "operation": entry["operation"],
        "revision": entry["revision"],
        "status": entry["status"],
        "code": entry["code"],
        "fault": entry["fault"],
        "answeredBy": "rule" if answered_by in ("admin", "python") else answered_by,
        "scenario": entry["scenario"],
        "closestRule": entry.get("closestRule"),
    }


def run_scenario(surface: Surface) -> dict[str, Any]:
    """The same operations, in the same order; returns everything that must not depend on the surface."""
    seen: dict[str, Any] = {}
    surface.use("out-of-credits", seed=7)
    seen["credits after use"] = surface.workspace()["credits"]
    out = surface.call("POST", "/api/v1/designs/dsg_invoice/generate", headers=KEY, json={})
    seen["generate without credits"] = (out.status_code, out.json()["error"]["code"])
    surface.reset()
    surface.set_credits(7)
    rule_id = surface.fail("GET /api/v1/designs/*", "S3_ERROR")
    seen["rule id origin"] = rule_id.split("-")[0]
    for path in (
        "/api/v1/designs/dsg_invoice",
        "/api/v1/designs/dsg_invoice",
        "/api/v1/designs/dsg_invoice/pages",
    ):
        surface.call("GET", path, headers=KEY)
    seen["rules"] = [{k: v for k, v in rule.items() if k != "id"} for rule in surface.rules()]
    seen["journal"] = [_kept(entry) for entry in surface.requests()]
    seen["journal when designs/*"] = [_kept(e) for e in surface.requests(when="GET /api/v1/designs/*")]
    seen["journal path designs/*"] = [_kept(e) for e in surface.requests(path="/api/v1/designs/*")]
    seen["journal status 500"] = [_kept(e) for e in surface.requests(status=500)]
    seen["journal limit 1"] = [_kept(e) for e in surface.requests(limit=1)]
    before = surface.clock()["offsetSeconds"]
    seen["clock offset after 1h"] = surface.advance("1h")["offsetSeconds"] - before
    seen["workspace"] = surface.workspace()
    seen["refusals"] = {
        "unknown error code": _refusal(lambda: surface.fail("GET /x", "NOPE")),
        "negative credits": _refusal(lambda: surface.set_credits(-1)),
        "credits not a number": _refusal(lambda: surface.set_credits("5")),
        "unknown scenario": _refusal(lambda: surface.use("no-such-scenario")),
        "unknown revision": _refusal(lambda: surface.use("default", api_revision="Z9")),
        "bad when filter": _refusal(lambda: surface.requests(when="FETCH nowhere")),
        "bad status filter": _refusal(lambda: surface.requests(status=1000)),
        "bad duration": _refusal(lambda: surface.advance("soon")),
    }
    return seen


def _entry(path: str, status: int, code: str | None, by: str, why: str | None = None) -> dict[str, Any]:
    return {
        "method": "GET",
        "path": path,
        "operation": None if path.endswith("/pages") else "designs.get",
        "revision": "C2",
        "status": status,
        "code": code,
        "fault": None,
        "answeredBy": by,
        "scenario": "out-of-credits",
        "closestRule": None if why is None else {"rule": "RULE", "why": why},
    }


DESIGN = "/api/v1/designs/dsg_invoice"
FAILED = _entry(DESIGN, 500, "S3_ERROR", "rule")
SPENT = _entry(DESIGN, 200, None, "simulator", "it matches, but its times, sequence or chance were spent")
PAGES = _entry(
    f"{DESIGN}/pages", 404, "NOT_FOUND", "simulator", f"path {DESIGN}/pages does not match /api/v1/designs/*"
)
EXPECTED_REFUSALS = {
    "unknown error code": ("VALIDATION_ERROR", "rules[0].reply.error: unknown error code 'NOPE'"),
    "negative credits": ("INVALID_INPUT", "credits: input should be greater than or equal to 0"),
    "credits not a number": ("VALIDATION_ERROR", "credits: input should be a valid integer"),
    "unknown scenario": (
        "NOT_FOUND",
        "unknown scenario 'no-such-scenario'; known: default, empty-workspace, every-error, expired-key,"
        " flaky-5xx, maintenance, no-batch-plan, out-of-credits, slow-network, storage-outage",
    ),
    "unknown revision": ("INVALID_INPUT", "unknown API revision 'Z9'; known: A, B1, B2, C1, C2"),
    "bad when filter": (
        "VALIDATION_ERROR",
        "when.method: unknown HTTP method 'FETCH'; use one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
        " or '*'; when.path: path pattern 'nowhere' must start with '/' (or '^' for a regular expression)",
    ),
    "bad status filter": ("VALIDATION_ERROR", "status must be a whole number from 100 to 599."),
    "bad duration": ("INVALID_INPUT", "advance: 'soon' is not a duration; use e.g. 90s, 15m, 1h, 2d, 1h30m"),
}


def _without_rule_ids(seen: dict[str, Any]) -> dict[str, Any]:
    """`seen` with the ids of run-time rules named alike (`admin-1`, `python-1`: where they were added)."""
    text = repr(seen).replace("'admin-1'", "'RULE'").replace("'python-1'", "'RULE'")
    result: dict[str, Any] = eval(text)
    return result


def test_every_surface_drives_the_same_operations(surface: Surface) -> None:
    seen = _without_rule_ids(run_scenario(surface))
    assert seen.pop("rule id origin") == ("admin" if isinstance(surface, AdminSurface) else "python")
    assert seen.pop("refusals") == EXPECTED_REFUSALS
    assert seen["credits after use"] == 0
    assert seen["generate without credits"] == (402, "INSUFFICIENT_CREDITS")
    assert seen["rules"] == [
        {"used": 1, "when": "GET /api/v1/designs/*", "reply": {"error": "S3_ERROR"}, "times": 1}
    ]
    assert seen["journal"] == [FAILED, SPENT, PAGES]
    assert seen["journal when designs/*"] == [FAILED, SPENT]
    assert seen["journal path designs/*"] == [FAILED, SPENT]  # the same pattern language as `when`
    assert seen["journal status 500"] == [FAILED]
    assert seen["journal limit 1"] == [PAGES]
    assert seen["clock offset after 1h"] == pytest.approx(3600, abs=1)
    assert seen["workspace"]["credits"] == 7


def test_the_three_surfaces_leave_identical_state() -> None:
    """Everything, the whole workspace included, compared between the surfaces in one go."""
    results = []
    with MockServer(batch_seconds=0) as by_admin, MockServer(batch_seconds=0) as by_python:
        surfaces: list[Surface] = [
            AdminSurface(by_admin),
            PythonSurface(by_python),
            PythonSurface(MockAsgi()),
        ]
        for surface in surfaces:
            seen = _without_rule_ids(run_scenario(surface))
            seen.pop("rule id origin")
            results.append(seen)
        assert isinstance(surfaces[0], AdminSurface)
        surfaces[0].http.close()
    assert results[0] == results[1] == results[2]
