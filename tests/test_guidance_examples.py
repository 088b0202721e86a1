"""The two example clients against a real server with failures injected: the naive one breaks the
guidance where expected, the careful one never does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from mockserver import JournalEntry, MockServer
from mockserver.guidance import Exchange, Finding, body_digest, check, request_target
from mockserver.simulator.starting import StartingKey

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXPIRED_KEY = "pc_live_expired0000000000001"
ADDRESS = "127.0.0.1"
"""The journal does not record the client's address yet; every request here comes from loopback."""


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(batch_seconds=0) as mock:
        yield mock


@pytest.fixture
def mock(server: MockServer) -> MockServer:
    server.reset()
    return server


RetryAfter = Callable[[JournalEntry], float | None]


def exchange(entry: JournalEntry, retry_after: RetryAfter) -> Exchange:
    """A journal entry as the guidance engine reads it (the journal's time is when it was answered)."""
    answered = datetime.fromisoformat(entry.time.replace("Z", "+00:00")).timestamp()
    duration = entry.duration_ms / 1000
    key = entry.headers.get("x-api-key")  # masked by the journal: enough to tell these keys apart
    return Exchange(
        request_id=entry.id,
        at=answered - duration,
        duration=duration,
        client=key or ADDRESS,
        credential=key,
        method=entry.method,
        path=request_target(entry.path, entry.query),
        operation=entry.operation,
        body_digest=body_digest(entry.body.encode("utf-8"), entry.headers.get("content-type")),
        status=entry.status or None,
        code=entry.code,
        fault=entry.fault,
        retry_after=retry_after(entry),
    )


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str
    findings: list[Finding]
    requests: list[JournalEntry]

    def calls(self, operation: str) -> list[JournalEntry]:
        return [entry for entry in self.requests if entry.operation == operation]


def run(
    mock: MockServer,
    script: str,
    tmp_path: Path,
    key: str | None = None,
    retry_after: RetryAfter = lambda entry: None,
    **env: str,
) -> Run:
    environment = {
        **os.environ,
        "IMAGINEPDF_API_URL": mock.url,
        "IMAGINEPDF_API_KEY": key or mock.api_key,
        **env,
    }
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script), str(tmp_path / "invoice.pdf")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    entries = mock.requests()
    findings = check([exchange(entry, retry_after) for entry in entries])
    return Run(done.returncode, done.stdout, done.stderr, findings, entries)


def kinds(run: Run) -> set[str]:
    return {finding.id for finding in run.findings}


def test_without_failures_both_clients_do_the_work_and_follow_the_guidance(
    mock: MockServer, tmp_path: Path
) -> None:
    for script in ("naive_client.py", "careful_client.py"):
        mock.reset()
        done = run(mock, script, tmp_path)
        assert done.status == 0, done.stderr
        assert (tmp_path / "invoice.pdf").read_bytes().startswith(b"%PDF")
        assert [entry.operation for entry in done.requests] == ["designs.list", "generate", "files.get"]
        assert done.findings == []


def test_two_server_errors(mock: MockServer, tmp_path: Path) -> None:
    mock.fail("generate", "INTERNAL_ERROR", times=2)
    naive = run(mock, "naive_client.py", tmp_path)
    assert naive.status == 0
    assert kinds(naive) == {"retry-too-soon"}
    mock.reset()
    mock.fail("generate", "INTERNAL_ERROR", times=2)
    careful = run(mock, "careful_client.py", tmp_path)
    assert careful.status == 0, careful.stderr
    assert [entry.status for entry in careful.calls("generate")] == [500, 500, 201]
    assert careful.findings == []


def test_a_server_error_that_never_ends(mock: MockServer, tmp_path: Path) -> None:
    mock.fail("generate", "INTERNAL_ERROR", times=None)
    naive = run(mock, "naive_client.py", tmp_path)
    assert naive.status == 1
    assert kinds(naive) == {"retry-too-soon", "no-backoff", "retry-storm"}
    storm = next(finding for finding in naive.findings if finding.id == "retry-storm")
    assert storm.client == "pc_live_…0001"
    assert all(ref.status == 500 and ref.code == "INTERNAL_ERROR" for ref in storm.requests)
    mock.reset()
    mock.fail("generate", "INTERNAL_ERROR", times=None)
    careful = run(mock, "careful_client.py", tmp_path)
    assert careful.status == 1
    assert "try again later" in careful.stderr
    assert len(careful.calls("generate")) == 4
    assert careful.findings == []


def test_a_retry_after_on_a_server_error(mock: MockServer, tmp_path: Path) -> None:
    def asked(entry: JournalEntry) -> float | None:
        return 1.0 if entry.code == "S3_ERROR" else None  # what the rule below sends as Retry-After

    mock.reply("generate", error="S3_ERROR", retry_after=1, times=1)
    naive = run(mock, "naive_client.py", tmp_path, retry_after=asked)
    assert kinds(naive) == {"ignored-retry-after"}
    mock.reset()
    mock.reply("generate", error="S3_ERROR", retry_after=1, times=1)
    careful = run(mock, "careful_client.py", tmp_path, retry_after=asked)
    assert careful.status == 0, careful.stderr
    assert [entry.code for entry in careful.calls("generate")] == ["S3_ERROR", None]
    assert careful.findings == []


def test_out_of_credits(mock: MockServer, tmp_path: Path) -> None:
    mock.fail("generate", "INSUFFICIENT_CREDITS")
    naive = run(mock, "naive_client.py", tmp_path)
    assert naive.status == 0
    [finding] = naive.findings
    assert finding.id == "retried-402"
    assert [(ref.status, ref.code) for ref in finding.requests] == [
        (402, "INSUFFICIENT_CREDITS"),
        (201, None),
    ]
    mock.reset()
    mock.fail("generate", "INSUFFICIENT_CREDITS")
    careful = run(mock, "careful_client.py", tmp_path)
    assert careful.status == 3
    assert "Top up" in careful.stderr
    assert len(careful.calls("generate")) == 1
    assert careful.findings == []


def test_a_client_error(mock: MockServer, tmp_path: Path) -> None:
    mock.fail("designs.list", "FORBIDDEN")
    naive = run(mock, "naive_client.py", tmp_path)
    assert kinds(naive) == {"retried-4xx"}
    mock.reset()
    mock.fail("designs.list", "FORBIDDEN")
    careful = run(mock, "careful_client.py", tmp_path)
    assert careful.status == 2
    assert "403 FORBIDDEN" in careful.stderr
    assert len(careful.requests) == 1
    assert careful.findings == []


def test_an_expired_key(mock: MockServer, tmp_path: Path) -> None:
    naive = run(mock, "naive_client.py", tmp_path, key=EXPIRED_KEY)
    assert naive.status == 1
    [finding] = naive.findings
    assert finding.id == "reused-rejected-credential"
    assert finding.client == "pc_live_…0001"
    mock.reset()
    # The journal masks keys to their last 4 characters, and the demo and expired keys both end in
    # 0001: rotate to a key whose masked form differs, as the test's adapter reads masked headers.
    spare = "pc_live_spare000000000000042"
    mock.session.workspace.api_keys[spare] = StartingKey(key=spare, name="Spare")
    rotated = run(mock, "careful_client.py", tmp_path, key=EXPIRED_KEY, IMAGINEPDF_NEXT_API_KEYS=spare)
    assert rotated.status == 0, rotated.stderr
    assert [entry.status for entry in rotated.calls("designs.list")] == [401, 200]
    assert rotated.findings == []
    mock.reset()
    stopped = run(mock, "careful_client.py", tmp_path, key=EXPIRED_KEY)
    assert stopped.status == 4
    assert len(stopped.requests) == 1
    assert stopped.findings == []


def test_connection_resets(mock: MockServer, tmp_path: Path) -> None:
    mock.reply("designs.list", fault="connection_reset", times=2)
    naive = run(mock, "naive_client.py", tmp_path)
    assert naive.status == 0
    assert kinds(naive) == {"retry-too-soon"}
    mock.reset()
    mock.reply("designs.list", fault="connection_reset", times=2)
    careful = run(mock, "careful_client.py", tmp_path)
    assert careful.status == 0, careful.stderr
    assert [entry.fault for entry in careful.calls("designs.list")] == ["connection_reset"] * 2 + [None]
    assert careful.findings == []
