"""Shared fixtures: a scenario-folder factory and in-process clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from textwrap import dedent
from typing import Any

import httpx
import pytest

from mockserver import Settings
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
