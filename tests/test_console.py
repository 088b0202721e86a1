"""The console line per request: kept on the request path without formatting or I/O, written by a thread."""

from __future__ import annotations

import io
import time

import pytest

from mockserver import console
from mockserver.console import Console
from mockserver.exchange import Incoming, Outcome

OK = Outcome(200, b"{}", "simulator")


def test_adding_a_line_formats_nothing_the_flush_writes_them_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    formatted: list[str] = []
    real = console.line

    def counting(incoming: Incoming, outcome: Outcome) -> str:
        formatted.append(incoming.path)
        return real(incoming, outcome)

    monkeypatch.setattr(console, "line", counting)
    stream = io.StringIO()
    lines = Console(stream)
    for path in ("/a", "/b", "/c"):
        lines.add(Incoming("GET", path), OK)
    assert formatted == []  # nothing on the request path
    assert stream.getvalue() == ""
    lines.flush()
    written = stream.getvalue().splitlines()
    assert [entry.split(" ", 1)[1] for entry in written] == [
        "GET /a → 200 (simulator)",
        "GET /b → 200 (simulator)",
        "GET /c → 200 (simulator)",
    ]


def test_the_writer_thread_writes_without_being_asked_and_stop_writes_the_rest() -> None:
    stream = io.StringIO()
    lines = Console(stream, interval=0.01)
    lines.start()
    lines.add(Incoming("GET", "/first"), OK)
    deadline = time.monotonic() + 10
    while "/first" not in stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "/first" in stream.getvalue()
    lines.add(Incoming("GET", "/last"), OK)
    lines.stop()
    assert "/last" in stream.getvalue()


def test_a_console_that_falls_behind_drops_the_oldest_and_says_how_many() -> None:
    stream = io.StringIO()
    lines = Console(stream, limit=2)
    for n in range(5):
        lines.add(Incoming("GET", f"/{n}"), OK)
    lines.flush()
    written = stream.getvalue()
    assert "(3 request lines dropped: the console fell behind)" in written
    assert "/3 " in written
    assert "/4 " in written
    assert "/0 " not in written


def test_a_stream_that_went_away_does_not_stop_the_mock() -> None:
    stream = io.StringIO()
    stream.close()
    lines = Console(stream)
    lines.add(Incoming("GET", "/x"), OK)
    lines.flush()  # no exception
    assert not lines._waiting


def test_the_line_names_the_operation_and_who_answered() -> None:
    incoming = Incoming("POST", "/api/v1/designs/dsg_invoice/generate")
    incoming.operation = "generate"
    refused = Outcome(402, b"{}", "broke.yaml#1", code="INSUFFICIENT_CREDITS")
    assert console.line(incoming, refused) == (
        "POST /api/v1/designs/dsg_invoice/generate [generate] → 402 INSUFFICIENT_CREDITS (rule broke.yaml#1)"
    )
    assert (
        console.line(Incoming("GET", "/x"), Outcome(0, b"", "r1", fault="hang")) == "GET /x → hang (rule r1)"
    )


@pytest.mark.parametrize(
    ("status", "code", "shown"),
    [
        (402, "INSUFFICIENT_CREDITS", "402 INSUFFICIENT_CREDITS"),
        (200, None, "200"),
        (0, "X", "X"),
        (0, None, ""),
    ],
)
def test_the_line_shows_the_status_and_code_it_has(status: int, code: str | None, shown: str) -> None:
    outcome = Outcome(status, b"", "simulator", code=code)
    assert console.line(Incoming("GET", "/x"), outcome) == f"GET /x → {shown} (simulator)"
