"""Bad input of every kind gets a catalog envelope; concurrency keeps totals exact; safe defaults hold."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from mockserver import MockServer, ScenarioError, Settings
from mockserver.app import MockApp
from mockserver.loader import load
from tests.conftest import DEMO_KEY, WriteScenario, client

KEY = {"X-API-Key": DEMO_KEY}


@pytest.fixture(scope="module")
def small() -> Iterator[MockServer]:
    """A server with a 64 KB body limit."""
    with MockServer(settings=Settings(port=0, max_body_bytes=65536, batch_seconds=0)) as mock:
        yield mock


def raw_request(mock: MockServer, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (no client normalising the path); the status and body of the answer."""
    with socket.create_connection(("127.0.0.1", mock.port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def envelope_code(body: bytes) -> str:
    document = json.loads(body)
    assert set(document) == {"status", "data", "error"}
    code: str = document["error"]["code"]
    return code


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b'{"name": ', {"Content-Type": "application/json"}, 400, "VALIDATION_ERROR"),
        (b"\xff\xfe\x00garbage", {"Content-Type": "application/json"}, 400, "VALIDATION_ERROR"),
        (b'"just a string"', {"Content-Type": "application/json"}, 400, "VALIDATION_ERROR"),
        (b'{"name": ["not", "text"]}', {"Content-Type": "application/json"}, 400, "VALIDATION_ERROR"),
        (b'{"name": "x"}', {"Content-Type": "application/xml"}, 400, "VALIDATION_ERROR"),
        (b"name=x", {"Content-Type": "application/x-www-form-urlencoded"}, 400, "VALIDATION_ERROR"),
        (b"x" * 70_000, {"Content-Type": "application/json"}, 400, "INVALID_INPUT"),
    ],
)
def test_bad_bodies_get_400_envelopes(
    small: MockServer, content: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    response = httpx.post(f"{small.url}/api/v1/designs", content=content, headers={**KEY, **headers})
    assert response.status_code == status
    assert envelope_code(response.content) == code
    assert "Traceback" not in response.text
    assert small.app.internal_errors == []


def test_a_json_body_without_content_type_is_read(small: MockServer) -> None:
    small.reset()
    response = httpx.post(f"{small.url}/api/v1/designs", content=b'{"name": "untyped"}', headers=KEY)
    assert response.status_code == 201


def test_the_body_limit_message_names_the_limit(small: MockServer) -> None:
    response = httpx.post(f"{small.url}/api/v1/designs", content=b"x" * 70_000, headers=KEY)
    assert "65536 bytes" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "target",
    [
        "/files/../../etc/passwd",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/..%2f..%2fetc%2fpasswd/x.pdf",
        "/__mock/ui/..%2f..%2fapp.py",
        "/__mock/ui/../../mockserver/app.py",
        "/api/v1/designs/..%2f..%2f__mock%2fworkspace",
    ],
)
def test_path_traversal_finds_nothing(small: MockServer, target: str) -> None:
    status, body = raw_request(
        small, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    assert status == 404
    assert envelope_code(body) in {"NOT_FOUND", "PDF_NOT_FOUND", "DESIGN_NOT_FOUND"}
    assert b"root:" not in body
    assert b"import" not in body


@pytest.mark.parametrize(
    "target",
    [
        "/storage.imaginepdf.com/../../etc/passwd",
        "/storage.googleapis.com/%2e%2e/%2e%2e/etc/passwd",
        "/storage.imaginepdf.com/..%2f..%2fetc%2fpasswd/x.pdf?expires=1&signature=0",
    ],
)
def test_path_traversal_under_the_storage_finds_nothing(small: MockServer, target: str) -> None:
    status, body = raw_request(
        small, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    # The storage answers like storage: an XML refusal (no valid signature), never a file.
    assert status == 403
    assert body.startswith(b"<?xml")
    code = ElementTree.fromstring(body).findtext("Code")
    assert code in {"AccessDenied", "SignatureDoesNotMatch"}
    assert b"root:" not in body


@pytest.mark.parametrize(
    ("request_line", "status", "code"),
    [
        (b"BREW /api/v1/designs HTTP/1.1", 400, "VALIDATION_ERROR"),
        (b"GET /api/v1/designs HTTP/9.9", 400, "VALIDATION_ERROR"),
        (b"GET /" + b"a/" * 4000 + b" HTTP/1.1", 404, "NOT_FOUND"),
        (
            b"GET /api/v1/designs?" + b"&".join(b"p%d=%d" % (n, n) for n in range(3000)) + b" HTTP/1.1",
            401,
            "UNAUTHORIZED",
        ),
        (b"GET /api/v1/designs?limit=%ff%fe&cursor=%00 HTTP/1.1", 401, "UNAUTHORIZED"),
    ],
)
def test_absurd_request_lines_get_envelopes(
    small: MockServer, request_line: bytes, status: int, code: str
) -> None:
    got, body = raw_request(small, request_line + b"\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert (got, envelope_code(body)) == (status, code)


def test_absurd_query_values_with_a_key(small: MockServer) -> None:
    response = httpx.get(f"{small.url}/api/v1/designs", params={"limit": "9" * 500}, headers=KEY)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "INVALID_INPUT")


def test_a_very_long_header_value(small: MockServer) -> None:
    response = httpx.get(f"{small.url}/api/v1/designs", headers={"X-API-Key": "k" * 16_000})
    assert (response.status_code, response.json()["error"]["code"]) == (401, "INVALID_API_KEY")
    assert "k" * 100 not in response.text  # the key is never echoed


def test_no_answer_echoes_an_api_key_in_full(small: MockServer) -> None:
    small.reset()
    unknown = "pc_live_" + "Z" * 20
    answers = [
        httpx.get(f"{small.url}/api/v1/designs", headers={"X-API-Key": unknown}).text,
        httpx.get(f"{small.url}/api/v1/designs", headers=KEY).text,
        httpx.get(f"{small.url}/__mock/requests").text,
    ]
    assert all(unknown not in answer for answer in answers)
    assert DEMO_KEY not in answers[2]  # the journal shortens credentials


# --- concurrency -------------------------------------------------------------------------------------


CLIENTS = 200


async def two_hundred_clients(port: int, jobs: list[tuple[str, str]]) -> Counter[tuple[str, int]]:
    """Open 200 keep-alive connections at once, then send `jobs` over them all concurrently.

    Raw asyncio sockets rather than an HTTP client: a client's connection pool, not the server, would
    set the pace (httpx took ~20 s for this), and here every connection is surely open at the same time.
    """
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    all_connected = asyncio.Barrier(CLIENTS)
    counts: Counter[tuple[str, int]] = Counter()

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            await all_connected.wait()
            while not queue.empty():
                method, path = queue.get_nowait()
                writer.write(
                    f"{method} {path} HTTP/1.1\r\nHost: mock\r\nX-API-Key: {DEMO_KEY}\r\n"
                    "Content-Length: 0\r\n\r\n".encode()
                )
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                length = next(
                    int(line.split(":")[1]) for line in lines if line.lower().startswith("content-length:")
                )
                json.loads(await reader.readexactly(length))  # a whole envelope, nothing cut short
                counts[(path, int(lines[0].split(" ")[1]))] += 1
        finally:
            writer.close()

    async with asyncio.timeout(60):
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return counts


def test_two_hundred_concurrent_clients_keep_totals_exact(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario(
        "counted",
        """
        extends: default
        workspace: {credits: 150}
        rules:
          - when: GET /api/v1/actions
            times: 77
            reply: {error: DATABASE_ERROR}
          - when: GET /api/v1/fonts
            reply: [{error: S3_ERROR}, {error: INTERNAL_ERROR}, {status: 200, data: {third: true}}]
        """,
    )
    settings = Settings(
        port=0, scenarios=scenario_dir, scenario="counted", journal_limit=10_000, reload=False
    )
    with MockServer(settings=settings) as mock:
        jobs = [("POST", "/api/v1/designs/dsg_invoice/generate")] * 300
        jobs += [("GET", "/api/v1/actions")] * 300 + [("GET", "/api/v1/fonts")] * 300
        random.Random(12).shuffle(jobs)  # the three kinds overlap, not one after the other
        counts = asyncio.run(two_hundred_clients(mock.port, jobs))
        generate = "/api/v1/designs/dsg_invoice/generate"
        assert (counts[(generate, 201)], counts[(generate, 402)]) == (150, 150)
        assert (counts[("/api/v1/actions", 500)], counts[("/api/v1/actions", 200)]) == (77, 223)
        assert (counts[("/api/v1/fonts", 500)], counts[("/api/v1/fonts", 200)]) == (2, 298)
        assert mock.workspace["credits"] == 0
        entries = mock.requests()
        assert len(entries) == 900
        assert len({entry.id for entry in entries}) == 900
        assert Counter(entry.code for entry in entries if entry.path == "/api/v1/fonts")["S3_ERROR"] == 1
        assert mock.app.internal_errors == []


# --- safe defaults -------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_admin_token_guards_the_admin_api_and_page() -> None:
    async with client(MockApp(Settings(admin_token="s3cret"))) as api:
        refused = await api.get("/__mock/workspace")
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, "UNAUTHORIZED")
        assert (await api.get("/__mock/")).status_code == 401
        assert (
            await api.get("/__mock/workspace", headers={"X-Mock-Admin-Token": "wrong"})
        ).status_code == 401
        assert (
            await api.get("/__mock/workspace", headers={"X-Mock-Admin-Token": "s3cret"})
        ).status_code == 200
        assert (await api.get("/__mock/?__mock_token=s3cret")).status_code == 200
        assert (await api.get("/__mock/ui/control.js")).status_code == 200  # static, no secrets
        assert (await api.get("/api/v1/designs", headers=KEY)).status_code == 200  # the API is unaffected


@pytest.mark.anyio
async def test_no_admin_removes_the_admin_api_and_page() -> None:
    async with client(MockApp(Settings(admin=False))) as api:
        for path in ("/__mock/", "/__mock/workspace", "/__mock/health"):
            response = await api.get(path)
            assert (response.status_code, response.json()["error"]["code"]) == (404, "NOT_FOUND")


def test_binding_beyond_loopback_without_a_token_warns(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--host", "0.0.0.0", "--port", "0", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    assert process.stderr is not None
    try:
        line = process.stderr.readline()
    finally:
        process.terminate()
        process.wait(10)
        process.stderr.close()
    assert line.startswith("Warning: listening on 0.0.0.0")
    assert "--admin-token" in line


def test_default_bind_is_loopback() -> None:
    assert Settings().host == "127.0.0.1"


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("/etc/passwd", "must be a relative path inside the scenario folder"),
        ("../secret.txt", "must be a relative path inside the scenario folder"),
        ("sub/../../secret.txt", "must be a relative path inside the scenario folder"),
        ("link.txt", "leads outside the scenario folder"),
        ("missing.txt", "does not exist next to the scenario"),
    ],
)
def test_file_replies_cannot_leave_the_scenario_folder(
    scenario_dir: Path, write_scenario: WriteScenario, file: str, message: str
) -> None:
    (scenario_dir.parent / "secret.txt").write_text("top secret")
    (scenario_dir / "link.txt").symlink_to(scenario_dir.parent / "secret.txt")
    path = write_scenario("files", f"rules:\n  - when: GET /x\n    reply: {{file: '{file}'}}\n")
    with pytest.raises(ScenarioError) as caught:
        load(scenario_dir)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == (str(path), 3)
    assert message in problem.message


@pytest.mark.anyio
async def test_a_file_reply_sends_the_file(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    (scenario_dir / "files").mkdir()
    (scenario_dir / "files" / "report.pdf").write_bytes(b"%PDF-1.4 fake")
    write_scenario("files", "rules:\n  - when: GET /report\n    reply: {file: files/report.pdf}\n")
    async with client(MockApp(Settings(scenarios=scenario_dir, scenario="files"))) as api:
        response = await api.get("/report")
    assert response.content == b"%PDF-1.4 fake"
    assert response.headers["content-type"] == "application/pdf"


def test_hang_bound_holds_even_with_a_patient_client() -> None:
    with MockServer(settings=Settings(port=0, hang_seconds=0.2)) as mock:
        mock.reply("GET /slow", fault="hang")
        began = time.perf_counter()
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{mock.url}/slow", timeout=10)
        assert time.perf_counter() - began < 5
