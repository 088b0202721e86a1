"""Shared fixtures: a scenario-folder factory, in-process clients, and the CLI served in a subprocess."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from textwrap import dedent
from typing import IO, Any

import httpx
import pytest

from mockserver import MockServer, Settings
from mockserver.app import MockApp

WriteScenario = Callable[[str, str], Path]
ClientFor = Callable[..., httpx.AsyncClient]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    return folder


@pytest.fixture
def write_scenario(scenario_dir: Path) -> WriteScenario:
    """Write `NAME.yaml` (dedented) into the scenario folder; returns its path."""

    def write(name: str, text: str) -> Path:
        path = scenario_dir / f"{name}.yaml"
        path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def client(app: Any) -> httpx.AsyncClient:
    """An httpx client that calls `app` in-process, no sockets."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock.test")


@pytest.fixture
async def client_for() -> AsyncIterator[ClientFor]:
    """Build an in-process client for a MockApp made from Settings fields."""
    clients: list[httpx.AsyncClient] = []

    def build(**settings: Any) -> httpx.AsyncClient:
        made = client(MockApp(Settings(**settings)))
        clients.append(made)
        return made

    yield build
    for made in clients:
        await made.aclose()


DEMO_KEY = "pc_live_demo0000000000000001"


def http_scope(path: str, method: str = "GET") -> dict[str, Any]:
    """An ASGI HTTP scope as uvicorn makes it: a request with the demo key, for driving an app directly."""
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"mock"), (b"x-api-key", DEMO_KEY.encode())],
        "server": ("127.0.0.1", 3100),
        "client": ("127.0.0.1", 5555),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
        "asgi": {"version": "3.0"},
    }


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    """A real server on a loopback port, shared by a test module (batches complete at once)."""
    with MockServer(batch_seconds=0) as mock:
        yield mock


@pytest.fixture
def api(server: MockServer) -> Iterator[httpx.Client]:
    """A client of `server` with the demo key; the default session starts from the default scenario."""
    session = server.app.sessions.get()
    session.activate(server.app.scenarios.get("default"))
    session.journal.clear()
    with httpx.Client(base_url=server.url, headers={"X-API-Key": DEMO_KEY}, timeout=10) as client:
        yield client


ADDRESS_LINE = "  export IMAGINEPDF_API_URL="


class RunningCli:
    """A `mockserver` command in a subprocess, its stdout and stderr collected as they come.

    Start it with `--port 0` and call `address()`: the server picks its own port and prints it, so no
    test races another for a free port.
    """

    def __init__(self, command: list[str], cwd: Path | None = None) -> None:
        self.process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._address = ""
        self._addressed = threading.Event()
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._readers = [
            threading.Thread(target=self._collect, args=(self.process.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._collect, args=(self.process.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _collect(self, stream: IO[str], into: list[str]) -> None:
        for line in stream:
            into.append(line)
            if line.startswith(ADDRESS_LINE) and not self._addressed.is_set():
                self._address = line[len(ADDRESS_LINE) :].strip()
                self._addressed.set()
        self._addressed.set()  # the process ended: no need to wait any longer

    def address(self, timeout: float = 10.0) -> str:
        """The URL the banner prints; fails the test if the process exits or is silent for `timeout` s."""
        if not self._addressed.wait(timeout) or not self._address:
            out, err = self.stop()
            pytest.fail(
                f"the CLI printed no address within {timeout} s"
                f" (exit {self.process.returncode}):\n{out}\n{err}"
            )
        return self._address

    def stop(self) -> tuple[str, str]:
        """Terminate the process (kill it if it lingers); everything it wrote to stdout and stderr."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for reader in self._readers:
            reader.join(10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return "".join(self.stdout), "".join(self.stderr)
