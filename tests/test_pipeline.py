"""The pipeline owns a request's whole life: whatever happens, it is answered and journaled."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import Message

from mockserver import MockApp, MockAsgi, MockServer, Settings
from mockserver.exchange import Incoming, Outcome
from mockserver.pipeline import Pipeline
from mockserver.sessions import Session

from .conftest import DEMO_KEY, WriteScenario, http_scope

KEY = {"X-API-Key": DEMO_KEY}


async def _get(mock: MockAsgi, path: str, **kwargs: Any) -> httpx.Response:
    async with mock.client() as client:
        return await client.get(path, **kwargs)


def test_a_simulator_crash_is_answered_500_and_journaled(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: Pipeline, incoming: Incoming, session: Session) -> Outcome:
        raise RuntimeError("boom")

    monkeypatch.setattr(Pipeline, "simulate", explode)
    mock = MockAsgi()
    response = asyncio.run(_get(mock, "/api/v1/designs"))
    assert response.status_code == 500
    (entry,) = mock.requests()
    assert (entry.method, entry.path, entry.status, entry.code) == (
        "GET",
        "/api/v1/designs",
        500,
        "INTERNAL_ERROR",
    )
    assert entry.answered_by == "mockserver"
    assert entry.operation == "designs.list"
    with pytest.raises(AssertionError, match="internal error: GET /api/v1/designs: RuntimeError"):
        mock.check()
    mock.reset()  # a reset forgets the session's internal errors with the rest of its state
    mock.check()


@pytest.mark.parametrize("failing", ["http.response.start", "http.response.body"])
def test_a_send_that_fails_once_the_answer_began_gets_no_second_answer(failing: str) -> None:
    """Once the start of an answer may have gone out, the catch-all journals the failure and sends
    nothing more: a second response start on the connection would be a protocol error."""
    app = MockApp(Settings(log_requests=False, reload=False))
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == failing:
            raise OSError("the client went away")

    asyncio.run(app(http_scope("/api/v1/designs"), receive, send))
    starts = [message for message in sent if message["type"] == "http.response.start"]
    assert [start["status"] for start in starts] == [200]
    (entry,) = app.operations.requests(None, {})
    assert (entry.outcome.status, entry.outcome.code) == (500, "INTERNAL_ERROR")
    assert "OSError" in app.internal_errors[0]


def test_an_in_process_connection_reset_is_journaled() -> None:
    mock = MockAsgi()
    rule_id = mock.reply("GET /api/v1/designs", fault="connection_reset")
    with pytest.raises(ConnectionResetError):
        asyncio.run(_get(mock, "/api/v1/designs", headers=KEY))
    (entry,) = mock.requests()
    assert (entry.fault, entry.answered_by, entry.status) == ("connection_reset", rule_id, 0)
    assert rule_id.startswith("python-")


def test_a_reset_over_a_socket_is_journaled_the_same_way() -> None:
    with MockServer() as mock:
        rule_id = mock.reply("GET /api/v1/designs", fault="connection_reset")
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{mock.url}/api/v1/designs", headers=KEY, timeout=5)
        (entry,) = mock.requests()
        assert (entry.fault, entry.answered_by, entry.status) == ("connection_reset", rule_id, 0)


def test_an_oversize_body_and_a_bad_override_are_journaled() -> None:
    mock = MockAsgi(max_body_bytes=10)

    async def send() -> list[httpx.Response]:
        async with mock.client() as client:
            big = await client.post("/api/v1/designs", content=b"x" * 11)
            bad = await client.get("/api/v1/designs", headers={"X-Mock-Error": "NOPE"})
            return [big, bad]

    big, bad = asyncio.run(send())
    assert (big.status_code, bad.status_code) == (400, 400)
    assert [(e.code, e.answered_by) for e in mock.requests()] == [
        ("INVALID_INPUT", "mockserver"),
        ("VALIDATION_ERROR", "override"),
    ]


# --- MockServer and MockAsgi take the same settings ------------------------------------------------------


def test_both_constructors_take_every_setting_by_the_same_name(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario("mine", "rules:\n  - {when: GET /api/v1/designs, reply: {error: S3_ERROR}}\n")
    options: dict[str, Any] = {
        "scenarios": str(scenario_dir),
        "scenario": "mine",
        "journal_limit": 5,
        "seed": 3,
    }
    in_process = MockAsgi(**options)
    with MockServer(**options) as on_socket:
        for mock in (in_process, on_socket):
            assert mock.app.settings.scenarios == scenario_dir
            assert (mock.app.settings.journal_limit, mock.app.settings.seed) == (5, 3)
            assert mock.session.scenario.name == "mine"
        assert on_socket.app.settings.port == 0  # MockServer's own default: any free port
    base = Settings(journal_limit=9)
    assert MockAsgi(base, seed=1).app.settings.journal_limit == 9
    assert MockServer(base, seed=1).settings.seed == 1


def test_an_unknown_setting_is_named_the_same_way_by_both() -> None:
    messages = []
    for make in (MockAsgi, MockServer):
        with pytest.raises(TypeError) as caught:
            make(jurnal_limit=5)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("unknown setting 'jurnal_limit'; the settings are: host, port,")
