"""Fault injection and run-time control over real sockets: retries, seeds, sessions, faults, reload."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import MockServer
from tests.conftest import WriteScenario

KEY = {"X-API-Key": "pc_live_demo0000000000000001"}
# The default revision's (C2) routes: these tests are about rules, faults and control, not routes.
GENERATE = "/api/v1/designs/dsg_invoice/generate"
BATCH = "/api/v1/designs/dsg_invoice/batch"


class RetryTransport(httpx.BaseTransport):
    """Retry 5xx and dropped connections with exponential backoff; never 4xx (the documented guidance)."""

    def __init__(self, attempts: int = 5, backoff: float = 0.01) -> None:
        self._inner = httpx.HTTPTransport()
        self.attempts, self.backoff = attempts, backoff

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(self.attempts):
            last = attempt == self.attempts - 1
            try:
                response = self._inner.handle_request(request)
            except httpx.TransportError:
                if last:
                    raise
            else:
                if response.status_code < 500 or last:
                    return response
                response.close()
            time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._inner.close()


def journal(client: httpx.Client, **filters: Any) -> list[dict[str, Any]]:
    response = client.get("/__mock/requests", params=filters)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["data"]["requests"]
    return entries


def code_of(response: httpx.Response) -> str | None:
    body = response.json()
    return body["error"]["code"] if body["error"] else None


def test_a_retrying_client_gets_through_flaky_5xx(server: MockServer, api: httpx.Client) -> None:
    assert api.put("/__mock/scenario", json={"name": "flaky-5xx"}).status_code == 200
    with httpx.Client(base_url=server.url, headers=KEY, transport=RetryTransport()) as retrying:
        response = retrying.post(GENERATE)
        assert response.status_code == 201
        design = retrying.get("/api/v1/designs/dsg_invoice")
        assert design.status_code == 200
    attempts = journal(api, path=GENERATE)
    assert [(e["status"], e["code"]) for e in attempts] == [
        (500, "INTERNAL_ERROR"),
        (500, "S3_ERROR"),
        (201, None),
    ]
    assert [e["answeredBy"] for e in attempts] == ["flaky-5xx.yaml#1", "flaky-5xx.yaml#1", "simulator"]
    assert [e["status"] for e in journal(api, path="/api/v1/designs/dsg_invoice")] == [500, 200]


def test_a_retrying_client_does_not_retry_4xx(server: MockServer, api: httpx.Client) -> None:
    api.put("/__mock/scenario", json={"name": "out-of-credits"})
    with httpx.Client(base_url=server.url, headers=KEY, transport=RetryTransport()) as retrying:
        assert retrying.post(GENERATE).status_code == 402
    assert len(journal(api, path=GENERATE)) == 1


def statuses(seed: int, scenarios: Path) -> list[int]:
    with (
        MockServer(scenarios=scenarios, scenario="coin", seed=seed) as mock,
        httpx.Client(headers=KEY) as client,
    ):
        return [client.get(f"{mock.url}/api/v1/actions").status_code for _ in range(30)]


def test_chance_replays_exactly_with_the_same_seed(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    write_scenario(
        "coin", "rules:\n  - when: GET /api/v1/actions\n    chance: 0.5\n    reply: {error: DATABASE_ERROR}\n"
    )
    first, again, other = statuses(7, scenario_dir), statuses(7, scenario_dir), statuses(8, scenario_dir)
    assert set(first) == {200, 500}
    assert first == again
    assert first != other


def test_times_and_delay(api: httpx.Client) -> None:
    rule = {"when": "GET /api/v1/actions", "times": 2, "delay": "150ms", "reply": {"error": "S3_ERROR"}}
    assert api.post("/__mock/rules", json=rule).status_code == 201
    began = time.perf_counter()
    assert [code_of(api.get("/api/v1/actions")) for _ in range(3)] == ["S3_ERROR", "S3_ERROR", None]
    assert time.perf_counter() - began >= 0.3


def test_a_delay_does_not_block_other_requests(server: MockServer, api: httpx.Client) -> None:
    api.post(
        "/__mock/rules", json={"when": "GET /api/v1/actions", "delay": "1s", "reply": {"simulator": True}}
    )

    def slow() -> float:
        began = time.perf_counter()
        httpx.get(f"{server.url}/api/v1/actions", headers=KEY, timeout=5)
        return time.perf_counter() - began

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(slow)
        time.sleep(0.1)
        began = time.perf_counter()
        assert api.get("/api/v1/designs").status_code == 200
        fast = time.perf_counter() - began
        assert pending.result() >= 1.0
    assert fast < 0.9  # answered while the delayed one was still waiting


def test_sessions_are_isolated_in_parallel(server: MockServer, api: httpx.Client) -> None:
    def work(session: str) -> tuple[int, ...]:
        headers = {**KEY, "X-Mock-Session": session}
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
            client.post("/__mock/reset")
            client.patch("/__mock/workspace", json={"credits": 5})
            client.post(
                "/__mock/rules",
                json={"when": "GET /api/v1/actions", "times": 1, "reply": {"error": "S3_ERROR"}},
            )
            created = sum(client.post(GENERATE).status_code == 201 for _ in range(8))
            tools = [client.get("/api/v1/actions").status_code for _ in range(2)]
            credits = client.get("/__mock/workspace").json()["data"]["credits"]
            return created, credits, len(journal(client)), *tools

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, ["alpha", "beta", "gamma", "delta"]))
    assert results == [(5, 0, 10, 500, 200)] * 4
    default = httpx.get(f"{server.url}/__mock/workspace").json()["data"]["credits"]
    assert default == 100


def test_header_and_query_overrides(server: MockServer, api: httpx.Client) -> None:
    forced = api.get("/api/v1/designs", headers={"X-Mock-Error": "INSUFFICIENT_CREDITS"})
    assert (forced.status_code, code_of(forced)) == (402, "INSUFFICIENT_CREDITS")
    assert forced.headers["x-mock-answered-by"] == "override X-Mock-Error"
    by_query = httpx.get(f"{server.url}/api/v1/designs?__mock_error=TOKEN_EXPIRED")
    assert (by_query.status_code, code_of(by_query)) == (401, "TOKEN_EXPIRED")
    other = api.get("/api/v1/designs", headers={"X-Mock-Scenario": "maintenance"})
    assert other.status_code == 503
    assert other.headers["content-type"].startswith("text/html")
    began = time.perf_counter()
    assert api.get("/api/v1/actions?__mock_delay=200ms").status_code == 200
    assert time.perf_counter() - began >= 0.2
    entry = journal(api, limit=1)[0]
    assert entry["query"] == {}  # __mock_* parameters are stripped before matching and recording


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({"X-Mock-Error": "INSUFICIENT_CREDITS"}, "X-Mock-Error: unknown error code 'INSUFICIENT_CREDITS'"),
        (
            {"X-Mock-Scenario": "flaky"},
            "X-Mock-Scenario: unknown scenario 'flaky'; did you mean 'flaky-5xx'?",
        ),
        ({"X-Mock-Delay": "soon"}, "X-Mock-Delay: 'soon' is not a duration"),
        ({"X-Mock-Session": "a b"}, "X-Mock-Session: a session id is"),
    ],
)
def test_bad_overrides_name_the_header(api: httpx.Client, headers: dict[str, str], fragment: str) -> None:
    response = api.get("/api/v1/designs", headers=headers)
    assert (response.status_code, code_of(response)) == (400, "VALIDATION_ERROR")
    assert fragment in response.json()["error"]["message"]


def test_retry_after_on_5xx(api: httpx.Client) -> None:
    api.put("/__mock/scenario", json={"name": "storage-outage"})
    response = api.post(GENERATE)
    assert (response.status_code, code_of(response)) == (500, "S3_ERROR")
    assert response.headers["retry-after"] == "30"


# --- faults, observed from the client side ----------------------------------------------------------


def add(api: httpx.Client, reply: dict[str, Any]) -> None:
    assert api.post("/__mock/rules", json={"when": "GET /api/v1/designs", "reply": reply}).status_code == 201


def test_connection_reset_closes_without_a_response(api: httpx.Client) -> None:
    add(api, {"fault": "connection_reset"})
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        api.get("/api/v1/designs")
    assert journal(api, path="/api/v1/designs")[-1]["fault"] == "connection_reset"


def test_empty_reply_has_headers_but_no_body(api: httpx.Client) -> None:
    add(api, {"fault": "empty_reply"})
    response = api.get("/api/v1/designs")
    assert response.status_code == 200
    assert response.headers["content-length"] == "0"
    assert response.content == b""


def test_malformed_json_cannot_be_parsed(api: httpx.Client) -> None:
    add(api, {"fault": "malformed_json"})
    response = api.get("/api/v1/designs")
    assert response.status_code == 200
    assert response.content.startswith(b'{"status":"success"')
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        response.json()


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_html_is_a_proxy_page_without_envelope(api: httpx.Client, status: int) -> None:
    add(api, {"fault": "gateway_html", "status": status})
    response = api.get("/api/v1/designs")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<html>")
    assert str(status) in response.text


def test_hang_answers_nothing_until_the_client_gives_up(server: MockServer, api: httpx.Client) -> None:
    add(api, {"fault": "hang"})
    with pytest.raises(httpx.ReadTimeout):
        api.get("/api/v1/designs", timeout=0.3)
    assert api.get("/api/v1/actions").status_code == 200  # the server is fine


def test_hang_is_bounded_server_side(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    write_scenario("stuck", "rules:\n  - when: GET /api/v1/designs\n    reply: {fault: hang}\n")
    with MockServer(scenarios=scenario_dir, scenario="stuck") as mock:
        mock.app.settings = type(mock.app.settings)(**{**mock.app.settings.__dict__, "hang_seconds": 0.3})
        began = time.perf_counter()
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            httpx.get(f"{mock.url}/api/v1/designs", headers=KEY, timeout=5)
        assert time.perf_counter() - began < 3


# --- admin API -------------------------------------------------------------------------------------


def test_admin_rules_are_listed_checked_first_and_deleted(api: httpx.Client) -> None:
    first = api.post("/__mock/rules", json={"when": "GET /api/v1/actions", "reply": {"error": "S3_ERROR"}})
    second = api.post(
        "/__mock/rules", json={"rules": [{"when": "GET /api/v1/actions", "reply": {"error": "FORBIDDEN"}}]}
    )
    (first_id,), (second_id,) = first.json()["data"]["ids"], second.json()["data"]["ids"]
    assert code_of(api.get("/api/v1/actions")) == "FORBIDDEN"  # the newest rule first
    listed = api.get("/__mock/rules").json()["data"]["rules"]
    assert [(r["id"], r["used"]) for r in listed] == [(second_id, 1), (first_id, 0)]
    assert api.delete(f"/__mock/rules/{second_id}").status_code == 200
    assert code_of(api.get("/api/v1/actions")) == "S3_ERROR"
    missing = api.delete(f"/__mock/rules/{second_id}")
    assert (missing.status_code, code_of(missing)) == (404, "NOT_FOUND")
    api.delete("/__mock/rules")
    assert api.get("/api/v1/actions").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/__mock/rules", {"when": "GET /x", "reply": {"error": "NOPE"}}, 400, "VALIDATION_ERROR"),
        ("POST", "/__mock/rules", {"reply": {"error": "S3_ERROR"}}, 400, "MISSING_REQUIRED_FIELD"),
        ("PATCH", "/__mock/workspace", {"credits": "5"}, 400, "VALIDATION_ERROR"),
        ("PATCH", "/__mock/workspace", {"credit": 5}, 400, "VALIDATION_ERROR"),
        ("PUT", "/__mock/scenario", {"name": "nope"}, 404, "NOT_FOUND"),
        ("PUT", "/__mock/scenario", {}, 400, "MISSING_REQUIRED_FIELD"),
        ("GET", "/__mock/nothing", None, 404, "NOT_FOUND"),
        ("DELETE", "/__mock/workspace", None, 404, "NOT_FOUND"),
    ],
)
def test_bad_admin_input_gets_catalog_errors(
    api: httpx.Client, method: str, path: str, body: Any, status: int, code: str
) -> None:
    response = api.request(method, path, json=body)
    assert (response.status_code, code_of(response)) == (status, code)


def test_workspace_patch_and_reset(api: httpx.Client) -> None:
    state = api.get("/__mock/workspace").json()["data"]
    assert state["api_keys"][0]["value"] == KEY["X-API-Key"]
    api.patch("/__mock/workspace", json={"credits": 0, "plan": {"batchGenerate": False}})
    assert code_of(api.post(GENERATE)) == "INSUFFICIENT_CREDITS"
    rows: dict[str, Any] = {"rows": [{}]}
    assert code_of(api.post(BATCH, json=rows)) == ("INSUFFICIENT_PERMISSIONS")
    assert api.post("/__mock/reset").status_code == 200
    assert api.get("/__mock/workspace").json()["data"]["credits"] == 100
    assert journal(api) == []


def test_journal_filters_and_explains_misses(api: httpx.Client) -> None:
    rule = {
        "when": {"method": "POST", "path": "/api/v1/designs", "body": {"name": "X*"}},
        "reply": {"error": "ALREADY_EXISTS"},
    }
    api.post("/__mock/rules", json=rule)
    api.post("/api/v1/designs", json={"name": "Yes"})
    api.get("/api/v1/designs")
    entry = journal(api, method="POST")[0]
    assert entry["answeredBy"] == "simulator"
    assert entry["status"] == 201
    assert entry["body"] == '{"name":"Yes"}'
    assert entry["headers"]["x-api-key"] != KEY["X-API-Key"]  # never the full key
    assert entry["closestRule"]["why"] == "body field 'name' is 'Yes', expected 'X*'"
    assert len(journal(api, status="200")) == 1
    assert len(journal(api, limit=1)) == 1
    bad = api.get("/__mock/requests", params={"colour": "red"})
    assert code_of(bad) == "VALIDATION_ERROR"
    api.delete("/__mock/requests")
    assert journal(api) == []


def test_journal_is_bounded(scenario_dir: Path) -> None:
    from mockserver import Settings

    with MockServer(settings=Settings(journal_limit=5)) as mock, httpx.Client(base_url=mock.url) as client:
        for _ in range(12):
            client.get("/api/v1/actions")
        assert len(journal(client)) == 5


def test_hot_reload_takes_effect_and_a_broken_file_keeps_the_old_one(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    path = write_scenario("live", "rules:\n  - when: GET /api/v1/actions\n    reply: {error: S3_ERROR}\n")
    with (
        MockServer(scenarios=scenario_dir, scenario="live") as mock,
        httpx.Client(base_url=mock.url, headers=KEY) as client,
    ):
        client.patch("/__mock/workspace", json={"credits": 7})
        assert code_of(client.get("/api/v1/actions")) == "S3_ERROR"
        path.write_text("rules:\n  - when: GET /api/v1/actions\n    reply: {error: DATABASE_ERROR}\n")
        assert wait_for(lambda: code_of(client.get("/api/v1/actions")) == "DATABASE_ERROR")
        path.write_text("rules:\n  - when: GET /api/v1/actions\n    reply: {error: DATABSE_ERROR}\n")
        assert wait_for(lambda: bool(client.get("/__mock/scenarios").json()["data"]["problems"]))
        problems = client.get("/__mock/scenarios").json()["data"]["problems"]
        assert problems == [
            f"{path}:3:20: rules[0].reply.error: unknown error code 'DATABSE_ERROR'"
            " (did you mean 'DATABASE_ERROR'?)"
        ]
        assert code_of(client.get("/api/v1/actions")) == "DATABASE_ERROR"  # the last good set still serves
        assert client.get("/__mock/workspace").json()["data"]["credits"] == 7  # state survived the reloads


def wait_for(condition: Any, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_every_answer_names_what_answered_it(server: MockServer, api: httpx.Client) -> None:
    assert api.get("/__mock/health").headers["x-mock-answered-by"] == "admin"
    assert api.get("/api/v1/designs").headers["x-mock-answered-by"] == "simulator"
    preflight = api.options(
        "/api/v1/designs", headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.headers["x-mock-answered-by"] == "cors"
    bad = httpx.get(f"{server.url}/api/v1/designs", headers={"X-Mock-Error": "NOPE"})
    assert bad.headers["x-mock-answered-by"] == "override"
