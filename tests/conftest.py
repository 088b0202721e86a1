"""Shared fixtures: a scenario-folder factory and in-process clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any

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
