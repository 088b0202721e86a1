"""The pytest plugin, registered through the `pytest11` entry point: installing is all the set-up.

Fixtures:
- `mockserver` — a MockServer on a loopback port, one per test session (per
  xdist worker), reset before every test: scenario, workspace, counters,
  injected rules and journal start from the scenario's starting workspace, so tests are independent
  in any order.
- `mockserver_app` — the same controls in-process (`MockAsgi`), no sockets.

Marker: `@pytest.mark.mockserver(scenario="out-of-credits", seed=7, api_revision="A", guidance="fail")`.
ini options: `mockserver_scenarios` (folder), `mockserver_scenario` (default
scenario), `mockserver_batch_seconds` (default 0: batches complete at once),
`mockserver_api_revision` (default C2, the newest), `mockserver_guidance`
(`off`, the default, or `fail`).

A test that leaves an internal server error or a failed scenario reload
behind fails in teardown, naming it. With guidance `fail` (the ini option, or
the marker's `guidance=`, which wins), so does a test whose client broke the
API's error-handling guidance: the teardown shows each finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .settings import DEFAULT_REVISION, Settings

if TYPE_CHECKING:  # imported when a fixture is first used: pytest loads this plugin in every run
    from .control import MockAsgi
    from .server import MockServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("mockserver_scenarios", "Folder of scenario files laid over the built-ins.", default="")
    parser.addini("mockserver_scenario", "Scenario active at the start of each test.", default="default")
    parser.addini("mockserver_batch_seconds", "How long batch jobs take (default 0: at once).", default="0")
    parser.addini(
        "mockserver_api_revision",
        "Docs revision served: A, B1, B2, C1 or C2 (default: the newest, C2).",
        default=DEFAULT_REVISION,
    )
    parser.addini(
        "mockserver_guidance",
        "fail: a test whose client broke the API's error-handling guidance fails in teardown (default: off).",
        default="off",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mockserver(scenario=None, seed=None, api_revision=None, guidance=None): scenario, random seed,"
        " docs revision of the mockserver fixture for this test, and whether a guidance finding fails it"
        " ('fail' or 'off')",
    )


def _settings(config: pytest.Config) -> Settings:
    folder = str(config.getini("mockserver_scenarios"))
    scenarios = (Path(config.rootpath) / folder) if folder else None
    return Settings(
        port=0,
        scenarios=scenarios,
        scenario=str(config.getini("mockserver_scenario")),
        batch_seconds=float(config.getini("mockserver_batch_seconds")),
        api_revision=str(config.getini("mockserver_api_revision")),
    )


def _marked(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("mockserver")
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError(
            "@pytest.mark.mockserver takes keywords: scenario=..., seed=..., api_revision=..., guidance=..."
        )
    unknown = set(marker.kwargs) - {"scenario", "seed", "api_revision", "guidance"}
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.mockserver: unknown option {sorted(unknown)[0]!r}")
    return dict(marker.kwargs)


@pytest.fixture(scope="session")
def _mockserver_process(pytestconfig: pytest.Config) -> Iterator[MockServer]:
    from .server import MockServer

    with MockServer(settings=_settings(pytestconfig)) as server:
        yield server


GUIDANCE_MODES = ("off", "fail")


def _guidance_mode(request: pytest.FixtureRequest) -> str:
    """`fail` or `off`: the marker's `guidance=`, else the ini option."""
    marked = _marked(request).get("guidance")
    mode = str(request.config.getini("mockserver_guidance")).strip() if marked is None else marked
    if mode not in GUIDANCE_MODES:
        where = "@pytest.mark.mockserver(guidance=...)" if marked is not None else "ini mockserver_guidance"
        raise pytest.UsageError(f"{where}: {mode!r} is not one of {', '.join(GUIDANCE_MODES)}")
    return str(mode)


def _finish(mock: MockServer | MockAsgi, mode: str) -> None:
    mock.check()
    if mode == "fail":
        mock.assert_guidance_followed()


def _prepare(mock: MockServer | MockAsgi, request: pytest.FixtureRequest, default: str) -> None:
    options = _marked(request)
    try:
        mock.reset(
            options.get("scenario", default),
            seed=options.get("seed"),
            api_revision=options.get("api_revision"),
        )
    except ValueError as exc:
        raise pytest.UsageError(f"@pytest.mark.mockserver: {exc}") from None


@pytest.fixture
def mockserver(_mockserver_process: MockServer, request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A mock ImaginePDF on a loopback port: `.url`, `.api_key`, and the controls of MockControl."""
    server = _mockserver_process
    mode = _guidance_mode(request)
    _prepare(server, request, server.settings.scenario)
    yield server
    _finish(server, mode)


@pytest.fixture
def mockserver_app(pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Iterator[MockAsgi]:
    """The mock in-process: `.app` for httpx.ASGITransport, `.client()`, and the same controls."""
    from .control import MockAsgi

    settings = _settings(pytestconfig)
    mock = MockAsgi(settings)
    mode = _guidance_mode(request)
    _prepare(mock, request, settings.scenario)
    yield mock
    _finish(mock, mode)
