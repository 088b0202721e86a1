"""Memory one client cannot exhaust: sessions bounded and evicted, journal and admin bodies bounded."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest

from mockserver import MockServer, Settings
from mockserver.exchange import Incoming, Outcome
from mockserver.journal import BODY_LIMIT, HEADERS_LIMIT, TEXT_LIMIT, Journal, JournalBudget
from mockserver.loader import load
from tests.conftest import DEMO_KEY, RunningCli, http_scope

DESIGNS = "/api/v1/designs"


@pytest.fixture
def small() -> Iterator[MockServer]:
    """A real server keeping at most 4 sessions."""
    with MockServer(settings=Settings(port=0, max_sessions=4, batch_seconds=0, reload=False)) as mock:
        yield mock


def _health(base: str) -> dict[str, object]:
    data = httpx.get(f"{base}/__mock/health").json()["data"]
    assert isinstance(data, dict)
    return data


def test_cli_bounds_sessions_and_counts_evictions() -> None:
    cli = RunningCli([sys.executable, "-m", "mockserver", "--port", "0", "--max-sessions", "5", "--quiet"])
    try:
        base = cli.address()
        with httpx.Client(base_url=base, headers={"X-API-Key": DEMO_KEY}, timeout=10) as client:
            client.patch("/__mock/workspace", json={"credits": 7})  # the default session: never evicted
            for n in range(20):
                assert client.get(DESIGNS, headers={"X-Mock-Session": f"s{n}"}).status_code == 200
            health = _health(base)
            assert health["sessions"] == 5
            assert health["maxSessions"] == 5
            assert health["sessionsEvicted"] == 16  # default + 20 sessions, 5 kept
            assert client.get("/__mock/workspace").json()["data"]["credits"] == 7
            newest = client.get("/__mock/requests", headers={"X-Mock-Session": "s19"}).json()["data"]
            assert [entry["path"] for entry in newest["requests"]] == [DESIGNS]
            oldest = client.get("/__mock/requests", headers={"X-Mock-Session": "s0"}).json()["data"]
            assert oldest["requests"] == []  # s0 was evicted: asking for it starts a fresh session
    finally:
        cli.stop()


def test_eviction_is_least_recently_used(small: MockServer) -> None:
    with httpx.Client(base_url=small.url, headers={"X-API-Key": DEMO_KEY}, timeout=10) as client:
        for name in ("a", "b", "c"):
            client.get(DESIGNS, headers={"X-Mock-Session": name})
        client.get(DESIGNS, headers={"X-Mock-Session": "a"})  # a is now more recent than b
        client.get(DESIGNS, headers={"X-Mock-Session": "d"})  # default, a, b, c, d: one too many
    kept = set(small.app.sessions.all())
    assert kept == {"default", "a", "c", "d"}
    assert small.app.sessions.evicted == 1


def test_a_session_answering_a_request_is_not_evicted(small: MockServer) -> None:
    answered: list[int] = []

    def slow() -> None:
        headers = {"X-API-Key": DEMO_KEY, "X-Mock-Session": "slow", "X-Mock-Delay": "800ms"}
        answered.append(httpx.get(f"{small.url}{DESIGNS}", headers=headers, timeout=10).status_code)

    thread = threading.Thread(target=slow)
    thread.start()
    with httpx.Client(base_url=small.url, headers={"X-API-Key": DEMO_KEY}, timeout=10) as client:
        while "slow" not in small.app.sessions.all():
            pass
        for n in range(10):  # far beyond the bound while "slow" is in flight
            client.get(DESIGNS, headers={"X-Mock-Session": f"other{n}"})
        assert "slow" in small.app.sessions.all()
        thread.join()
        assert answered == [200]
        journal = client.get("/__mock/requests", headers={"X-Mock-Session": "slow"}).json()["data"]
    assert len(journal["requests"]) == 1  # recorded in the session kept, not in a lost copy


def test_delete_session(small: MockServer) -> None:
    with httpx.Client(base_url=small.url, headers={"X-API-Key": DEMO_KEY}, timeout=10) as client:
        client.patch("/__mock/workspace", json={"credits": 3}, headers={"X-Mock-Session": "x"})
        before = _health(small.url)["sessions"]
        gone = client.delete("/__mock/sessions/x")
        assert gone.status_code == 200
        assert gone.json()["data"] == {"deleted": "x", "reset": False}
        assert _health(small.url)["sessions"] == before - 1  # type: ignore[operator]
        fresh = client.get("/__mock/workspace", headers={"X-Mock-Session": "x"}).json()["data"]
        assert fresh["credits"] == 100
        missing = client.delete("/__mock/sessions/nobody")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "NOT_FOUND"
        bad = client.delete("/__mock/sessions/" + "x" * 101)
        assert bad.status_code == 400
        client.patch("/__mock/workspace", json={"credits": 1})
        reset = client.delete("/__mock/sessions/default")
        assert reset.json()["data"] == {"deleted": "default", "reset": True}
        assert client.get("/__mock/workspace").json()["data"]["credits"] == 100
        assert "default" in small.app.sessions.all()


def test_journal_keeps_the_first_4_kb_of_a_body(small: MockServer) -> None:
    body = json.dumps({"name": "big", "padding": "x" * 1_000_000}).encode()
    with httpx.Client(base_url=small.url, headers={"X-API-Key": DEMO_KEY}, timeout=30) as client:
        client.post(DESIGNS, content=body, headers={"Content-Type": "application/json"})
        listed = client.get("/__mock/requests").json()["data"]["requests"]
    stored = small.app.sessions.get().journal.entries()[-1]
    assert len(stored.incoming.body) == BODY_LIMIT
    assert stored.body_length == len(body)
    assert listed[-1]["bodyTruncated"] is True
    assert listed[-1]["bodyLength"] == len(body)
    assert len(listed[-1]["body"]) == BODY_LIMIT


def test_journal_bounds_headers_path_and_query(small: MockServer) -> None:
    headers = {"X-API-Key": DEMO_KEY, **{f"X-Big-{n}": chr(97 + n) * 6000 for n in range(4)}}
    query = "q=" + "z" * 20_000
    with httpx.Client(base_url=small.url, timeout=30) as client:
        client.get(f"{DESIGNS}?{query}", headers=headers)
        listed = client.get("/__mock/requests").json()["data"]["requests"]
    stored = small.app.sessions.get().journal.entries()[-1]
    kept = stored.incoming.headers
    assert sum(len(name) + len(value) for name, value in kept.items()) <= HEADERS_LIMIT
    assert all(len(value) <= TEXT_LIMIT + 1 for value in kept.values())
    assert kept["x-api-key"] == DEMO_KEY  # small headers come first and are kept whole
    assert len(stored.incoming.query_string) <= TEXT_LIMIT + 1
    assert listed[-1]["headersTruncated"] is True


def test_journals_share_one_byte_budget() -> None:
    scenario = load(None).get("default")
    budget = JournalBudget(limit=100_000)
    journals = [Journal(1000, budget) for _ in range(5)]
    outcome = Outcome(200, b"{}", "simulator")
    for n in range(200):
        incoming = Incoming("POST", "/api/v1/designs", "", {}, b"x" * 10_000)
        journals[n % 5].record(incoming, outcome, 0.0, scenario)
    assert budget.used == sum(journal.bytes for journal in journals)
    assert budget.used <= 100_000 + 5 * (BODY_LIMIT + 1000)
    assert all(len(journal) >= 1 for journal in journals)  # each keeps at least its newest entry
    journals[0].clear()
    assert budget.used == sum(journal.bytes for journal in journals[1:])


def test_admin_body_limit(small: MockServer) -> None:
    limit = small.settings.max_admin_body_bytes
    rule = {"when": "GET /x", "reply": {"status": 200, "body": "y" * (limit + 10)}}
    with httpx.Client(base_url=small.url, timeout=30) as client:
        sized = client.post("/__mock/rules", json=rule)
        assert sized.status_code == 400
        assert sized.json()["error"]["code"] == "INVALID_INPUT"
        assert str(limit) in sized.json()["error"]["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: read and counted as it comes
            yield b'{"when": "GET /x", "reply": {"status": 200, "body": "'
            for _ in range(40):
                yield b"y" * 65536
            yield b'"}}'

        streamed = client.post("/__mock/rules", content=chunks())
        assert streamed.status_code == 400
        assert streamed.json()["error"]["code"] == "INVALID_INPUT"
    assert small.app.sessions.get().added == []


def test_big_token_refused(small: MockServer) -> None:
    with httpx.Client(base_url=small.url, timeout=60) as client:
        huge = client.patch("/__mock/workspace", json={"tokens": [{"token": "t" * 13_000_000}]})
        assert huge.status_code == 400
        assert huge.json()["error"]["code"] == "INVALID_INPUT"
        long = client.patch("/__mock/workspace", json={"tokens": [{"token": "t" * 100_000}]})
        assert long.status_code == 400
        assert "tokens[0].token" in long.json()["error"]["message"]
        assert len(long.content) < 2000  # not echoed back
        many = [{"token": f"t{n}"} for n in range(101)]
        assert client.patch("/__mock/workspace", json={"tokens": many}).status_code == 400
        name = client.put("/__mock/scenario", json={"name": "n" * 1000})
        assert name.status_code == 400
        tokens = client.get("/__mock/workspace").json()["data"]["tokens"]
    assert all(len(str(token)) < 1000 for token in tokens)


def test_a_served_request_leaves_no_reference_cycle() -> None:
    """Like uvicorn, the server's `send` is a method of an object that holds the scope. Freed by
    reference counting alone (the collector off), that object must die with the request: a cycle
    through the scope made the collector run six times as often under load."""
    import asyncio
    import gc
    import weakref

    from starlette.types import Message

    from mockserver import MockApp

    app = MockApp(Settings(reload=False))

    class Cycle:  # uvicorn's RequestResponseCycle, in short
        def __init__(self, path: str) -> None:
            self.scope = http_scope(path)
            self.statuses: list[int] = []

        async def receive(self) -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(self, message: Message) -> None:
            if message["type"] == "http.response.start":
                self.statuses.append(message["status"])

    async def serve(path: str) -> tuple[weakref.ref[Cycle], list[int]]:
        cycle = Cycle(path)
        await app(cycle.scope, cycle.receive, cycle.send)
        return weakref.ref(cycle), cycle.statuses

    was_on = gc.isenabled()
    gc.disable()
    try:
        for path in (f"{DESIGNS}/dsg_invoice", f"{DESIGNS}/dsg_nope", "/nowhere"):
            gone, statuses = asyncio.run(serve(path))
            assert statuses[:1] in ([200], [404])
            assert gone() is None, f"GET {path}: the request's objects outlived it (a reference cycle)"
    finally:
        if was_on:
            gc.enable()
