"""HTTP over real sockets: bodiless statuses, links without Host, WebSocket handshakes, bad file replies."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any

import httpx
import pytest
import uvicorn
from uvicorn.config import WS_PROTOCOLS
from uvicorn.importer import ImportFromStringError, import_from_string

from mockserver import MockServer, uvicorn_server
from mockserver.app import MockApp
from mockserver.exchange import Outcome
from mockserver.replies import send_outcome

from .conftest import DEMO_KEY, RunningCli

GENERATE = "/api/v1/designs/dsg_invoice/generate"


# --- raw HTTP helpers --------------------------------------------------------------------------


def _raw(port: int, request: bytes, timeout: float = 10.0) -> bytes:
    """Send `request` on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _split(response: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


# --- 1. statuses that forbid a body ------------------------------------------------------------


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer(batch_seconds=0) as server:
        yield server


@pytest.mark.parametrize("status", [204, 205, 304])
def test_a_bodiless_reply_keeps_a_keep_alive_connection_usable(mock: MockServer, status: int) -> None:
    mock.reply("GET /api/v1/designs", times=1, status=status)
    with httpx.Client(base_url=mock.url, headers={"X-API-Key": DEMO_KEY}, timeout=10) as client:
        first = client.get("/api/v1/designs")
        second = client.get("/api/v1/designs")
        pool = client._transport._pool  # type: ignore[attr-defined]
        connections = len(pool.connections)
    assert first.status_code == status
    assert first.content == b""
    assert "content-type" not in first.headers
    assert second.status_code == 200
    assert second.json()["status"] == "success"
    assert connections == 1, "both requests went over one connection"


def test_a_bodiless_outcome_is_sent_without_its_body_whoever_made_it(
    mock: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: an Outcome built with a 204 and a body still goes out without the body."""
    original = mock.app.pipeline.answer
    calls = 0

    async def answer(*args: Any, **kwargs: Any) -> Outcome:
        nonlocal calls
        calls += 1
        if calls == 1:
            return Outcome(204, b'{"status":"success","data":{"x":1}}', "test")
        return await original(*args, **kwargs)

    monkeypatch.setattr(mock.app.pipeline, "answer", answer)
    request = f"GET /api/v1/designs HTTP/1.1\r\nHost: mock\r\nX-API-Key: {DEMO_KEY}\r\n\r\n".encode()
    closing = request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    data = _raw(mock.port, request + closing)
    first, _, rest = data.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 204 ")
    assert b"content-length" not in first.lower()
    status, _, body = _split(rest)
    assert status == 200
    assert json.loads(body)["status"] == "success"


def test_head_gets_the_headers_of_the_answer_and_no_body(mock: MockServer) -> None:
    request = f"HEAD /api/v1/designs HTTP/1.1\r\nHost: mock\r\nX-API-Key: {DEMO_KEY}\r\n\r\n".encode()
    follow = (
        f"GET /api/v1/designs HTTP/1.1\r\nHost: mock\r\nX-API-Key: {DEMO_KEY}\r\nConnection: close\r\n\r\n"
    )
    data = _raw(mock.port, request + follow.encode())
    head, _, rest = data.partition(b"\r\n\r\n")
    assert rest.startswith(b"HTTP/1.1 200 ")
    assert json.loads(_split(rest)[2])["status"] == "success"
    assert int(_split(head + b"\r\n\r\n")[1]["content-length"]) > 0


@pytest.mark.anyio
async def test_send_outcome_writes_no_body_for_any_bodiless_status_or_head() -> None:
    sent: list[dict[str, Any]] = []

    async def capture(message: Any) -> None:
        sent.append(message)

    body = b'{"status":"success","data":{}}'
    for status, method in [(204, "GET"), (304, "GET"), (101, "GET"), (205, "POST"), (200, "HEAD")]:
        sent.clear()
        await send_outcome(Outcome(status, body, "test"), capture, method)
        start, end = sent
        assert end["body"] == b"", (status, method)
        lengths = [value for name, value in start["headers"] if name == b"content-length"]
        expected = {200: [str(len(body)).encode()], 205: [b"0"]}.get(status, [])
        assert lengths == expected, (status, method)


def _check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "check", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_rejects_bodies_on_bodiless_statuses_and_interim_statuses_with_positions(
    tmp_path: Path,
) -> None:
    (tmp_path / "bodies.yaml").write_text(
        dedent(
            """\
            rules:
              - when: GET /api/v1/designs
                reply: {status: 204, data: {items: []}}
              - when: GET /api/v1/designs
                reply: {status: 304, body: "cached"}
              - when: GET /api/v1/designs
                reply: {status: 101, body: upgrade}
              - when: GET /api/v1/designs
                reply: {fault: empty_reply, status: 100}
              - when: GET /api/v1/designs
                reply: {fault: malformed_json, status: 204}
              - when: GET /api/v1/designs
                reply: {status: 204, file: empty.txt}
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    result = _check(tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    shown = f"{tmp_path}/bodies.yaml"
    expected = [
        f"{shown}:3:", "rules[0].reply.data: status 204 forbids a body; drop 'data'",
        f"{shown}:5:", "rules[1].reply.body: status 304 forbids a body; drop 'body'",
        f"{shown}:7:", "rules[2].reply.status: status 101 is an interim (1xx) response",
        f"{shown}:9:", "rules[3].reply: status 100 is an interim (1xx) response",
        f"{shown}:11:", "rules[4].reply: malformed_json sends a body, which status 204 forbids",
        f"{shown}:13:", "rules[5].reply.file: status 204 forbids a body; drop 'file'",
    ]  # fmt: skip
    for line, text in zip(expected[::2], expected[1::2], strict=True):
        assert any(row.startswith(line) and text in row for row in result.stderr.splitlines()), (
            f"{line} {text}\n{result.stderr}"
        )
    assert "6 problems in 1 file" in result.stderr


def test_check_accepts_a_bodiless_status_without_a_body(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(
        "rules:\n  - when: DELETE /api/v1/designs/dsg_invoice\n    reply: {status: 204}\n"
        "  - when: GET /api/v1/designs\n    reply: {status: 304, headers: {ETag: '\"v1\"'}}\n"
        "  - when: GET /api/v1/me\n    reply: {fault: empty_reply, status: 204}\n",
        encoding="utf-8",
    )
    result = _check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK:")


def test_the_admin_api_rejects_a_body_on_a_204(mock: MockServer) -> None:
    rule = {"when": "GET /api/v1/designs", "reply": {"status": 204, "data": {"x": 1}}}
    answer = httpx.post(f"{mock.url}/__mock/rules", json=[rule], timeout=10)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert "status 204 forbids a body; drop 'data'" in error["message"]
    with pytest.raises(ValueError, match="interim"):
        mock.reply("GET /api/v1/designs", status=101, body="x")


# --- 2. links without a Host header -------------------------------------------------------------


def _generate_without_host(port: int) -> dict[str, Any]:
    body = json.dumps({"data": {"customer_name": "Ada"}}).encode()
    request = (
        f"POST {GENERATE} HTTP/1.0\r\nX-API-Key: {DEMO_KEY}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    status, _, answer = _split(_raw(port, request))
    assert status == 201, answer
    data: dict[str, Any] = json.loads(answer)["data"]
    return data


def test_links_for_a_request_without_host_name_the_real_port_of_a_mockserver(mock: MockServer) -> None:
    assert mock.settings.port == 0
    url = _generate_without_host(mock.port)["downloadUrl"]
    assert url.startswith(f"http://127.0.0.1:{mock.port}/"), url
    status, _, pdf = _split(_raw(mock.port, f"GET {url[len(mock.url) :]} HTTP/1.0\r\n\r\n".encode()))
    assert status == 200
    assert pdf.startswith(b"%PDF")


def test_links_for_a_request_without_host_name_the_real_port_of_the_cli() -> None:
    cli = RunningCli([sys.executable, "-m", "mockserver", "--port", "0", "--quiet"])
    try:
        address = cli.address()
        port = int(address.rsplit(":", 1)[1])
        url = _generate_without_host(port)["downloadUrl"]
    finally:
        cli.stop()
    assert ":0/" not in url
    assert url.startswith(f"http://127.0.0.1:{port}/"), url


# --- 3. WebSocket handshakes ---------------------------------------------------------------------


def _handshake(port: int, path: str, origin: str) -> tuple[int, dict[str, str], bytes]:
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    ).encode()
    return _split(_raw(port, request))


class _Served:
    """MockApp under uvicorn with a chosen WebSocket implementation."""

    def __init__(self, ws: str) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn_server.config(MockApp(), ws=ws))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> _Served:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.005)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def _ws_implementations() -> list[str]:
    """uvicorn's WebSocket implementations that this environment can load (wsproto is optional)."""
    names = []
    for name, target in WS_PROTOCOLS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the legacy `websockets` implementation warns on import
            try:
                if target is not None and import_from_string(target) is not None:
                    names.append(name)
            except (ImportFromStringError, ImportError):
                continue
    return names


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore:The `websockets` implementation")
@pytest.mark.parametrize("ws", _ws_implementations())
@pytest.mark.parametrize("path", ["/api/v1/designs", "/socket", "/__mock/requests"])
def test_a_websocket_handshake_is_refused_like_any_unknown_route(ws: str, path: str) -> None:
    with _Served(ws) as served:
        status, headers, body = _handshake(served.port, path, "http://localhost:5173")
    assert status == 404
    assert headers["content-type"] == "application/json"
    assert headers["x-mock-answered-by"] == "mockserver"
    assert headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "upgrade" not in headers
    envelope = json.loads(body)
    assert envelope["status"] == "error"
    assert envelope["error"]["code"] == "NOT_FOUND"
    assert "WebSocket" in envelope["error"]["message"]


@pytest.mark.anyio
async def test_without_the_denial_extension_a_websocket_is_closed() -> None:
    sent: list[dict[str, Any]] = []
    incoming = asyncio.Queue[dict[str, Any]]()
    await incoming.put({"type": "websocket.connect"})

    async def capture(message: Any) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/x", "headers": [], "query_string": b"", "extensions": {}}
    await MockApp()(scope, incoming.get, capture)
    assert [m["type"] for m in sent] == ["websocket.close"]


# --- 4. file replies that are not readable files -------------------------------------------------


def test_check_reports_file_replies_that_are_loops_folders_or_fifos(tmp_path: Path) -> None:
    (tmp_path / "loop.bin").symlink_to(tmp_path / "loop.bin")
    (tmp_path / "a.bin").symlink_to(tmp_path / "b.bin")
    (tmp_path / "b.bin").symlink_to(tmp_path / "a.bin")
    (tmp_path / "folder.bin").mkdir()
    os.mkfifo(tmp_path / "pipe.bin")
    (tmp_path / "files.yaml").write_text(
        "rules:\n"
        + "".join(
            f"  - when: GET /f{i}\n    reply: {{file: {name}}}\n"
            for i, name in enumerate(["loop.bin", "a.bin", "folder.bin", "pipe.bin"])
        ),
        encoding="utf-8",
    )
    result = _check(tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    rows = result.stderr.splitlines()
    shown = f"{tmp_path}/files.yaml"
    for index, (line, text) in enumerate(
        [
            (3, "file 'loop.bin' cannot be read"),
            (5, "file 'a.bin' cannot be read"),
            (7, "file 'folder.bin' is a folder"),
            (9, "file 'pipe.bin' is not a regular file"),
        ]
    ):
        where = f"{shown}:{line}:"
        assert any(r.startswith(where) and f"rules[{index}].reply.file: {text}" in r for r in rows), (
            f"{where} {text}\n{result.stderr}"
        )
    assert "4 problems in 1 file" in result.stderr
