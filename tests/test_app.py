"""The ASGI app in-process: rule replies, hand-off, limits, the catch-all, admin, shipped scenarios."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import Settings, catalog
from mockserver.app import MockApp
from mockserver.exchange import Incoming, Outcome
from mockserver.pipeline import Pipeline
from mockserver.sessions import Session
from tests.conftest import DEMO_KEY, ClientFor, WriteScenario, client

pytestmark = pytest.mark.anyio

KEY = {"X-API-Key": DEMO_KEY}


def envelope_error(code: str, message: str | None = None) -> dict[str, Any]:
    default = catalog.CODES[code].message
    return {"status": "error", "data": None, "error": {"code": code, "message": message or default}}


def by(response: httpx.Response) -> str | None:
    """Who answered: a rule id (`file.yaml#N`), `simulator` or `mockserver`."""
    answered: str | None = response.headers.get("x-mock-answered-by")
    return answered


# --- rule replies ------------------------------------------------------------------------------------


async def test_an_error_reply_has_the_catalog_status_and_the_exact_envelope(
    scenario_dir: Path, write_scenario: WriteScenario, client_for: ClientFor
) -> None:
    write_scenario(
        "errs",
        """
        rules:
          - when: POST /api/v1/generate
            reply: {error: INSUFFICIENT_CREDITS}
          - when: GET /api/v1/designs/{id}
            reply: {error: DESIGN_NOT_FOUND, message: This design was archived.}
        """,
    )
    mock = client_for(scenarios=scenario_dir, scenario="errs")

    credits = await mock.post("/api/v1/generate", params={"design": "dsg_invoice"}, headers=KEY)
    assert credits.status_code == 402
    assert credits.headers["content-type"] == "application/json"
    assert credits.content == (
        b'{"status":"error","data":null,"error":'
        b'{"code":"INSUFFICIENT_CREDITS","message":"Workspace does not have enough credits."}}'
    )
    assert by(credits) == "errs.yaml#1"

    archived = await mock.get("/api/v1/designs/dsg_invoice")
    assert archived.status_code == 404
    assert archived.json() == {
        "status": "error",
        "data": None,
        "error": {"code": "DESIGN_NOT_FOUND", "message": "This design was archived."},
    }
    assert by(archived) == "errs.yaml#2"


@pytest.mark.parametrize("code", list(catalog.CODES))
async def test_every_catalog_code_answers_its_documented_status(
    code: str, scenario_dir: Path, write_scenario: WriteScenario, client_for: ClientFor
) -> None:
    write_scenario("one", f"rules:\n  - {{when: GET /x, reply: {{error: {code}}}}}\n")
    response = await client_for(scenarios=scenario_dir, scenario="one").get("/x")
    assert response.status_code == catalog.CODES[code].status
    assert response.json() == envelope_error(code)


async def test_a_success_reply_is_wrapped_in_the_success_envelope(
    scenario_dir: Path, write_scenario: WriteScenario, client_for: ClientFor
) -> None:
    write_scenario(
        "ok",
        """
        rules:
          - when: POST /api/v1/designs
            reply: {status: 201, data: {id: dsg_new, tags: [a, b], draft: true, parentId: null}}
          - when: GET /api/v1/designs
            reply: {data: {items: [], nextCursor: null}}
        """,
    )
    mock = client_for(scenarios=scenario_dir, scenario="ok")

    created = await mock.post("/api/v1/designs", json={"name": "whatever"})
    assert created.status_code == 201
    assert created.headers["content-type"] == "application/json"
    assert created.json() == {
        "status": "success",
        "data": {"id": "dsg_new", "tags": ["a", "b"], "draft": True, "parentId": None},
        "error": None,
    }
    assert by(created) == "ok.yaml#1"

    listed = await mock.get("/api/v1/designs")
    assert listed.status_code == 200
    assert listed.json() == {"status": "success", "data": {"items": [], "nextCursor": None}, "error": None}


async def test_raw_replies_send_the_body_as_it_is(
    scenario_dir: Path, write_scenario: WriteScenario, client_for: ClientFor
) -> None:
    write_scenario(
        "raw",
        """
        rules:
          - when: GET /text
            reply: {status: 418, body: "I'm a teapot — ünïcode"}
          - when: GET /json
            reply: {status: 202, body: {queued: true, items: [1, 2]}}
          - when: GET /list
            reply: {body: [a, 1, null]}
          - when: GET /html
            reply:
              status: 503
              headers: {Content-Type: text/html; charset=utf-8}
              body: <h1>Down</h1>
        """,
    )
    mock = client_for(scenarios=scenario_dir, scenario="raw")

    text = await mock.get("/text")
    assert text.status_code == 418
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.content == "I'm a teapot — ünïcode".encode()
    assert by(text) == "raw.yaml#1"

    mapping = await mock.get("/json")
    assert mapping.status_code == 202
    assert mapping.headers["content-type"] == "application/json"
    assert mapping.content == b'{"queued":true,"items":[1,2]}'  # no envelope

    listed = await mock.get("/list")
    assert (listed.status_code, listed.json()) == (200, ["a", 1, None])

    html = await mock.get("/html")
    assert html.status_code == 503
    assert html.headers.get_list("content-type") == ["text/html; charset=utf-8"]
    assert html.text == "<h1>Down</h1>"
    assert int(html.headers["content-length"]) == len(html.content)


async def test_reply_headers_are_sent_with_every_kind_of_reply(
    scenario_dir: Path, write_scenario: WriteScenario, client_for: ClientFor
) -> None:
    write_scenario(
        "headers",
        """
        rules:
          - when: GET /error
            reply: {error: S3_ERROR, retry_after: 30, headers: {X-Request-Id: req-1, X-Attempt: 2}}
          - when: GET /success
            reply: {data: {}, headers: {ETag: '"v1"', Cache-Control: no-store}}
          - when: GET /raw
            reply: {body: x, headers: {Set-Cookie: session=abc, X-Flag: true}}
        """,
    )
    mock = client_for(scenarios=scenario_dir, scenario="headers")

    error = await mock.get("/error")
    assert error.status_code == 500
    assert error.headers["x-request-id"] == "req-1"
    assert error.headers["x-attempt"] == "2"
    assert error.headers["retry-after"] == "30"
    assert error.json() == envelope_error("S3_ERROR")

    success = await mock.get("/success")
    assert success.headers["etag"] == '"v1"'
    assert success.headers["cache-control"] == "no-store"

    raw = await mock.get("/raw")
    assert raw.headers["set-cookie"] == "session=abc"
    assert raw.headers["x-flag"] == "true"


async def test_a_content_type_header_on_an_envelope_reply_is_sent_once(
    scenario_dir: Path, write_scenario: WriteScenario, client_for: ClientFor
) -> None:
    write_scenario(
        "typed",
        """
        rules:
          - when: GET /error
            reply: {error: NOT_FOUND, headers: {Content-Type: application/problem+json}}
          - when: GET /success
            reply: {data: 1, headers: {content-type: application/json; charset=utf-8}}
        """,
    )
    mock = client_for(scenarios=scenario_dir, scenario="typed")
    error = await mock.get("/error")
    assert error.headers.get_list("content-type") == ["application/problem+json"]
    assert error.json() == envelope_error("NOT_FOUND")
    success = await mock.get("/success")
    assert success.headers.get_list("content-type") == ["application/json; charset=utf-8"]


async def test_a_sequence_answers_in_order_then_falls_through(
    scenario_dir: Path, write_scenario: WriteScenario, client_for: ClientFor
) -> None:
    write_scenario(
        "seq",
        """
        rules:
          - when: GET /api/v1/designs
            reply:
              - error: INTERNAL_ERROR
              - {status: 200, data: {step: 2}}
              - {status: 299, body: third}
          - when: POST /api/v1/generate
            reply:
              - error: DATABASE_ERROR
          - when: POST /api/v1/generate
            reply: {error: S3_ERROR}
        """,
    )
    mock = client_for(scenarios=scenario_dir, scenario="seq")

    first, second, third, fourth = [await mock.get("/api/v1/designs", headers=KEY) for _ in range(4)]
    assert (first.status_code, first.json()) == (500, envelope_error("INTERNAL_ERROR"))
    assert (second.status_code, second.json()["data"]) == (200, {"step": 2})
    assert (third.status_code, third.text) == (299, "third")
    assert [by(r) for r in (first, second, third)] == ["seq.yaml#1"] * 3
    # Spent: the simulator answers the real design list.
    assert fourth.status_code == 200
    assert by(fourth) == "simulator"
    assert "dsg_invoice" in [item["designId"] for item in fourth.json()["data"]["items"]]

    # Falls through to the next matching rule, which keeps answering.
    answers = [await mock.post("/api/v1/generate", params={"design": "dsg_invoice"}) for _ in range(3)]
    assert [(r.json()["error"]["code"], by(r)) for r in answers] == [
        ("DATABASE_ERROR", "seq.yaml#2"),
        ("S3_ERROR", "seq.yaml#3"),
        ("S3_ERROR", "seq.yaml#3"),
    ]


async def test_the_simulator_reply_hands_the_request_off(
    scenario_dir: Path, write_scenario: WriteScenario, client_for: ClientFor
) -> None:
    write_scenario(
        "handoff",
        """
        rules:
          - when: GET /api/v1/designs/{id}
            reply: {simulator: true}
          - when: GET /api/v1/designs/**
            reply: {error: S3_ERROR}
          - when: POST /api/v1/designs/{id}/generate
            reply: [{simulator: true}, {error: INTERNAL_ERROR}]
        """,
    )
    mock = client_for(scenarios=scenario_dir, scenario="handoff")  # the default revision, C2

    design = await mock.get("/api/v1/designs/dsg_invoice", headers=KEY)
    assert design.status_code == 200
    assert design.json()["data"]["designId"] == "dsg_invoice"
    assert by(design) == "simulator"  # the later S3_ERROR rule is not consulted
    unknown = await mock.get("/api/v1/designs/dsg_missing", headers=KEY)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "DESIGN_NOT_FOUND")
    assert by(unknown) == "simulator"
    deeper = await mock.get("/api/v1/designs/dsg_invoice/pages", headers=KEY)
    assert (deeper.status_code, by(deeper)) == (500, "handoff.yaml#2")

    generated = await mock.post("/api/v1/designs/dsg_invoice/generate", headers=KEY)
    assert (generated.status_code, by(generated)) == (201, "simulator")
    failed = await mock.post("/api/v1/designs/dsg_invoice/generate", headers=KEY)
    assert (failed.status_code, by(failed)) == (500, "handoff.yaml#3")


async def test_answered_by_names_the_rule_of_the_file_it_comes_from(
    scenario_dir: Path, write_scenario: WriteScenario, client_for: ClientFor
) -> None:
    write_scenario(
        "parent",
        """
        rules:
          - {when: GET /a, reply: {error: FORBIDDEN}}
          - {when: GET /b, reply: {error: S3_ERROR}}
        """,
    )
    (scenario_dir / "child.yml").write_text(
        "extends: parent\nrules:\n  - {when: GET /a, reply: {error: NOT_FOUND}}\n", encoding="utf-8"
    )
    mock = client_for(scenarios=scenario_dir, scenario="child")
    own, inherited, neither = await mock.get("/a"), await mock.get("/b"), await mock.get("/c")
    assert (own.status_code, by(own)) == (404, "child.yml#1")
    assert (inherited.status_code, by(inherited)) == (500, "parent.yaml#2")
    assert by(neither) == "simulator"


async def test_a_request_no_rule_takes_is_the_simulators_404(client_for: ClientFor) -> None:
    response = await client_for().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert by(response) == "simulator"
    assert response.json() == envelope_error(
        "NOT_FOUND",
        "No route GET /api/v1/nothing-here. The documented routes are listed at /__mock/openapi.json.",
    )


async def test_a_body_over_the_limit_is_refused_before_any_rule(
    scenario_dir: Path, write_scenario: WriteScenario, client_for: ClientFor
) -> None:
    write_scenario("sink", "rules:\n  - {when: POST /upload, reply: {status: 201, data: ok}}\n")
    mock = client_for(scenarios=scenario_dir, scenario="sink", max_body_bytes=16)

    at_limit = await mock.post("/upload", content=b"x" * 16)
    assert (at_limit.status_code, by(at_limit)) == (201, "sink.yaml#1")

    over = await mock.post("/upload", content=b"x" * 17)
    assert over.status_code == 400
    assert by(over) == "mockserver"
    assert over.json() == envelope_error(
        "INVALID_INPUT", "Request body is larger than the limit of 16 bytes."
    )

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"12345"

    streamed = await mock.post("/upload", content=chunks())
    assert (streamed.status_code, streamed.json()["error"]["code"]) == (400, "INVALID_INPUT")


# --- the catch-all -----------------------------------------------------------------------------------


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged() -> Iterator[list[logging.LogRecord]]:
    """The ERROR records of the `mockserver` logger (however other tests configured it)."""
    handler = Records()
    log = logging.getLogger("mockserver")
    log.addHandler(handler)
    try:
        yield handler.records
    finally:
        log.removeHandler(handler)


INTERNAL = envelope_error("INTERNAL_ERROR", "The mock server failed unexpectedly; see its log.")


async def test_an_exception_in_the_simulator_is_a_500_envelope_and_recorded(
    monkeypatch: pytest.MonkeyPatch, logged: list[logging.LogRecord]
) -> None:
    def explode(self: Pipeline, incoming: Incoming, session: Session) -> Outcome:
        raise RuntimeError("secret detail in /srv/mock/simulator.py")

    monkeypatch.setattr(Pipeline, "simulate", explode)
    app = MockApp(Settings())
    async with client(app) as mock:
        response = await mock.get("/api/v1/designs", headers=KEY)
        assert response.status_code == 500
        assert response.json() == INTERNAL
        assert by(response) == "mockserver"
        assert "Traceback" not in response.text
        assert "secret" not in response.text
        assert app.internal_errors == [
            "GET /api/v1/designs: RuntimeError('secret detail in /srv/mock/simulator.py')"
        ]
        assert [r.exc_info is not None for r in logged] == [True]

        # The app keeps serving; rule answers never reach the broken simulator.
        assert (await mock.get("/__mock/health")).status_code == 200
    assert len(app.internal_errors) == 1


async def test_an_exception_in_the_admin_api_is_one_500_envelope(
    monkeypatch: pytest.MonkeyPatch, logged: list[logging.LogRecord]
) -> None:
    app = MockApp(Settings())

    def explode(session_id: str | None = None) -> dict[str, Any]:
        raise ValueError("admin broke")

    monkeypatch.setattr(app.operations, "health", explode)
    async with client(app) as mock:
        response = await mock.get("/__mock/health")
    assert response.status_code == 500
    assert response.json() == INTERNAL
    assert "Traceback" not in response.text
    assert app.internal_errors == ["GET /__mock/health: ValueError('admin broke')"]
    assert len(logged) == 1


# --- admin -------------------------------------------------------------------------------------------


async def test_admin_health(client_for: ClientFor) -> None:
    response = await client_for().get("/__mock/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert body["error"] is None
    assert body["data"]["status"] == "ok"
    assert isinstance(body["data"]["version"], str)


async def test_admin_errors_lists_the_20_codes_in_catalog_order(client_for: ClientFor) -> None:
    response = await client_for().get("/__mock/errors")
    assert response.status_code == 200
    codes = response.json()["data"]["codes"]
    assert len(codes) == 20
    assert [(c["code"], c["status"]) for c in codes] == [(e.code, e.status) for e in catalog.CODES.values()]
    assert codes[9] == {
        "code": "INSUFFICIENT_CREDITS",
        "status": 402,
        "message": "Workspace does not have enough credits.",
        "when": "Not enough credits for this generation.",
    }


async def test_admin_scenarios_lists_built_ins_and_the_folder(
    scenario_dir: Path, write_scenario: WriteScenario, client_for: ClientFor
) -> None:
    write_scenario(
        "mine",
        "description: Mine.\nextends: out-of-credits\nrules:\n  - {when: GET /x, reply: {error: S3_ERROR}}\n",
    )
    response = await client_for(scenarios=scenario_dir, scenario="mine").get("/__mock/scenarios")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["active"] == "mine"
    assert data["problems"] == []
    listed = {s["name"]: s for s in data["scenarios"]}
    assert set(listed) >= {"default", "out-of-credits", "expired-key", "flaky-5xx", "every-error", "mine"}
    assert listed["mine"] == {
        "name": "mine",
        "description": "Mine.",
        "source": f"{scenario_dir}/mine.yaml",
        "builtin": False,
        "rules": 3,  # its own and the two it inherits
        "apiRevision": None,  # pins none: the server's revision answers
        "active": True,
        "removed": False,
    }
    assert data["apiRevision"] == "C2"
    assert listed["default"]["builtin"] is True
    assert [s["name"] for s in data["scenarios"] if s["active"]] == ["mine"]


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("GET", "/__mock/nope", "No admin endpoint at /__mock/nope."),
        ("GET", "/__mock/health/extra", "No admin endpoint at /__mock/health/extra."),
        ("POST", "/__mock/health", "POST is not supported on /__mock/health."),
        ("DELETE", "/__mock/errors", "DELETE is not supported on /__mock/errors."),
        ("GET", "/__mock/scenario", "GET is not supported on /__mock/scenario."),
    ],
)
async def test_admin_unknown_paths_and_methods_answer_the_envelope(
    client_for: ClientFor, method: str, path: str, message: str
) -> None:
    response = await client_for().request(method, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == envelope_error("NOT_FOUND", message)


async def test_without_admin_the_prefix_is_just_another_path(client_for: ClientFor) -> None:
    response = await client_for(admin=False).get("/__mock/health")
    assert (response.status_code, by(response)) == (404, "simulator")


# --- the shipped scenarios, each as its comment header says ---------------------------------------------
# Those that reach the simulator are pinned to revision A, whose routes they call;
# tests/test_scenarios.py checks every scenario under every revision.


async def test_out_of_credits(client_for: ClientFor) -> None:
    mock = client_for(scenario="out-of-credits", api_revision="A")
    params = {"design": "dsg_invoice"}
    for path in ("/api/v1/generate", "/api/v1/batch/generate"):
        response = await mock.post(path, params=params, json={"rows": [{}]}, headers=KEY)
        assert response.status_code == 402
        assert response.json() == envelope_error("INSUFFICIENT_CREDITS")
        assert by(response) == "out-of-credits.yaml#" + ("1" if path.endswith("/v1/generate") else "2")
    # Previews and designs keep working (they are free).
    designs = await mock.get("/api/v1/designs", headers=KEY)
    assert (designs.status_code, by(designs)) == (200, "simulator")
    preview = await mock.get("/api/v1/preview", params=params, headers=KEY)
    assert (preview.status_code, by(preview)) == (200, "simulator")
    workspace = await mock.get("/__mock/workspace")
    assert workspace.json()["data"]["credits"] == 0


async def test_expired_key(client_for: ClientFor) -> None:
    mock = client_for(scenario="expired-key")
    for headers in (KEY, {"X-API-Key": "anything at all"}):
        expired = await mock.get("/api/v1/designs", headers=headers)
        assert expired.status_code == 401
        assert expired.json() == envelope_error(
            "API_KEY_EXPIRED", "This API key expired. Create a new key in the dashboard and rotate it in."
        )
        assert by(expired) == "expired-key.yaml#1"
    no_key = await mock.post("/api/v1/generate", params={"design": "dsg_invoice"})
    assert no_key.status_code == 401
    assert no_key.json() == envelope_error("UNAUTHORIZED")
    assert by(no_key) == "expired-key.yaml#2"


async def test_flaky_5xx(client_for: ClientFor) -> None:
    mock = client_for(scenario="flaky-5xx", api_revision="A")
    params = {"design": "dsg_invoice"}
    attempts = [await mock.post("/api/v1/generate", params=params, headers=KEY) for _ in range(3)]
    assert [r.status_code for r in attempts] == [500, 500, 201]
    assert attempts[0].json() == envelope_error("INTERNAL_ERROR")
    assert attempts[1].json() == envelope_error("S3_ERROR")
    assert attempts[2].json()["data"]["status"] == "completed"
    assert [by(r) for r in attempts] == ["flaky-5xx.yaml#1", "flaky-5xx.yaml#1", "simulator"]
    again = await mock.post("/api/v1/generate", params=params, headers=KEY)
    assert (again.status_code, by(again)) == (201, "simulator")

    reads = [await mock.get("/api/v1/designs/dsg_invoice", headers=KEY) for _ in range(2)]
    assert [r.status_code for r in reads] == [500, 200]
    assert reads[0].json() == envelope_error("DATABASE_ERROR")
    assert reads[1].json()["data"]["designId"] == "dsg_invoice"


async def test_empty_workspace(client_for: ClientFor) -> None:
    mock = client_for(scenario="empty-workspace", api_revision="A")
    for path in ("/api/v1/designs", "/api/v1/assets"):
        response = await mock.get(path, headers=KEY)
        assert response.status_code == 200
        assert response.json() == {
            "status": "success",
            "data": {"items": [], "nextCursor": None},
            "error": None,
        }
    assert [by(r) for r in [await mock.get("/api/v1/designs"), await mock.get("/api/v1/assets")]] == [
        "empty-workspace.yaml#1",
        "empty-workspace.yaml#2",
    ]


async def test_maintenance(client_for: ClientFor) -> None:
    mock = client_for(scenario="maintenance")
    for method, path in [("GET", "/api/v1/designs"), ("POST", "/api/v1/generate"), ("DELETE", "/api/x/y")]:
        response = await mock.request(method, path, headers=KEY)
        assert response.status_code == 503
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["retry-after"] == "120"
        assert response.text.startswith("<!DOCTYPE html>")
        assert "Down for maintenance" in response.text
        with pytest.raises(ValueError, match="Expecting value"):
            response.json()
    outside = await mock.get("/elsewhere")
    assert by(outside) == "simulator"


async def test_every_error(client_for: ClientFor) -> None:
    mock = client_for(scenario="every-error")
    requests = [("GET", "/api/v1/designs"), ("POST", "/api/v1/generate"), ("PATCH", "/api/anything/at/all")]
    for i, entry in enumerate(catalog.CODES.values()):
        method, path = requests[i % len(requests)]
        response = await mock.request(method, path, headers=KEY)
        assert response.status_code == entry.status, entry.code
        assert response.json() == envelope_error(entry.code)
        assert by(response) == "every-error.yaml#1"
    after = await mock.get("/api/v1/designs", headers=KEY)
    assert (after.status_code, by(after)) == (200, "simulator")


async def test_no_batch_plan(client_for: ClientFor) -> None:
    mock = client_for(scenario="no-batch-plan", api_revision="A")
    batch = await mock.post(
        "/api/v1/batch/generate", params={"design": "dsg_invoice"}, json={"rows": [{}]}, headers=KEY
    )
    assert (batch.status_code, batch.json()["error"]["code"]) == (403, "INSUFFICIENT_PERMISSIONS")
    single = await mock.post("/api/v1/generate", params={"design": "dsg_invoice"}, headers=KEY)
    assert single.status_code == 201


async def test_storage_outage(client_for: ClientFor) -> None:
    mock = client_for(scenario="storage-outage", api_revision="A")
    generate = await mock.post("/api/v1/generate", params={"design": "dsg_invoice"}, headers=KEY)
    assert generate.status_code == 500
    assert generate.json() == envelope_error("S3_ERROR")
    assert generate.headers["retry-after"] == "30"
    files = await mock.get("/storage.imaginepdf.com/anything/Invoice.pdf")
    assert files.status_code == 503
    assert files.headers["content-type"].startswith("text/html")
    assert "503 Service Temporarily Unavailable" in files.text
    designs = await mock.get("/api/v1/designs", headers=KEY)
    assert (designs.status_code, by(designs)) == (200, "simulator")
