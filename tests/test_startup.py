"""Start-up imports only what serving needs (issue 17); the timings are in `benchmarks --only startup`.

Each check runs in a fresh interpreter and looks at `sys.modules`: what a module list says does
not drift with the machine's load, as a timing would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DRAWING = ("PIL", "mockserver.simulator.render.pdf", "mockserver.simulator.render.png")
ON_FIRST_USE = (
    *DRAWING,
    "mockserver.admin",
    "mockserver.simulator.openapi",
    "starlette.applications",
    "watchfiles",
    "httpx",
    "email.parser",
    "email._header_value_parser",
    "urllib.request",
    "xml.sax",
    "yaml",
)
"""Loaded when first needed: drawing a file, the first admin request, OpenAPI, a watched folder, a
client, an upload's multipart body (the email package's parser), a user's scenario file (PyYAML: the
package's own files are read from their JSON twins); never: urllib.request, xml.sax."""
SERVING = (
    "mockserver.app",
    "mockserver.server",
    "mockserver.control",
    "uvicorn",
    "pydantic",
    "asyncio",
)


def printed(code: str, expression: str) -> Any:
    """The value of `expression` (JSON) after a fresh interpreter runs `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps({expression}))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(run.stdout.splitlines()[-1])


def loaded_after(code: str, names: tuple[str, ...]) -> list[str]:
    """Which of `names` are in sys.modules after a fresh interpreter runs `code`."""
    found: list[str] = printed(code, f"[n for n in {list(names)!r} if n in sys.modules]")
    return found


def test_import_mockserver_loads_nothing_heavy() -> None:
    assert loaded_after("import mockserver", ON_FIRST_USE + SERVING) == []


def test_the_pytest_plugin_loads_nothing_heavy_until_a_fixture_is_used() -> None:
    # pytest loads the plugin (the pytest11 entry point) in every run of a user's tests
    assert loaded_after("import mockserver.pytest_plugin", ON_FIRST_USE + SERVING) == []


def test_a_ready_app_has_not_loaded_the_admin_drawing_or_openapi() -> None:
    code = "from mockserver import MockApp, Settings\nMockApp(Settings(log_requests=False))"
    assert loaded_after(code, ON_FIRST_USE) == []


def test_the_cli_loads_neither_admin_nor_drawing_code() -> None:
    # not watchfiles: uvicorn itself imports it (uvicorn.supervisors), whatever mockserver does
    not_uvicorns = tuple(name for name in ON_FIRST_USE if name != "watchfiles")
    assert loaded_after("import mockserver.cli", not_uvicorns) == []


def test_the_cli_serves_without_importing_the_sweep() -> None:
    # `mockserver sweep` imports it when run; the option bounds come from mockserver.sweep.limits
    sweep = ("mockserver.sweep.runner", "mockserver.sweep.report", "mockserver.control")
    assert loaded_after("import mockserver.cli", sweep) == []


def test_the_simulators_models_are_built_when_a_request_first_needs_them() -> None:
    # pydantic's defer_build: a start-up does not build the response and body models of every revision
    code = (
        "from mockserver import MockApp, Settings\n"
        "MockApp(Settings(log_requests=False))\n"
        "from mockserver.simulator import bodies, schemas\n"
        "from mockserver import operations\n"
        "models = [schemas.DesignSummary, schemas.DesignList, bodies.GenerateBody]\n"
        "models.append(operations.WorkspacePatch)"
    )
    assert printed(code, "[m.__name__ for m in models if m.__pydantic_complete__]") == []


@pytest.mark.parametrize(
    ("path", "loads"),
    [
        ("/__mock/health", ("mockserver.admin", "starlette.applications")),
        ("/__mock/openapi.json", ("mockserver.admin", "mockserver.simulator.openapi")),
    ],
)
def test_what_is_loaded_on_first_use_is_loaded_then(path: str, loads: tuple[str, ...]) -> None:
    code = (
        "import asyncio, httpx\n"
        "from mockserver import MockAsgi\n"
        "async def main():\n"
        "    async with MockAsgi().client() as client:\n"
        f"        assert (await client.get({path!r})).status_code == 200\n"
        "asyncio.run(main())"
    )
    assert loaded_after(code, loads + DRAWING) == list(loads)


def test_a_user_folder_is_read_with_pyyaml(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("rules: []\n", encoding="utf-8")
    code = f"from pathlib import Path\nfrom mockserver import loader\nloader.load(Path({str(tmp_path)!r}))"
    assert loaded_after(code, ("yaml",)) == ["yaml"]


def test_drawing_a_file_loads_the_drawing_code() -> None:
    code = (
        "import asyncio, httpx\n"
        "from mockserver import MockAsgi\n"
        "async def main():\n"
        "    async with MockAsgi().client() as client:\n"
        "        key = {'X-API-Key': 'pc_live_demo0000000000000001'}\n"
        "        made = await client.post('/api/v1/designs/dsg_invoice/generate', headers=key, json={})\n"
        "        assert (await client.get(made.json()['data']['downloadUrl'])).status_code == 200\n"
        "asyncio.run(main())"
    )
    assert loaded_after(code, DRAWING) == ["PIL", "mockserver.simulator.render.pdf"]


def test_the_command_loads_its_modules_with_the_collector_paused_and_leaves_it_on() -> None:
    code = (
        "import gc, sys\n"
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: runs.append(phase) if phase == 'start' else None)\n"
        "import mockserver.__main__ as entry\n"
        "sys.argv = ['mockserver', '--version']\n"
        "try:\n"
        "    entry.main()\n"
        "except SystemExit:\n"
        "    pass"
    )
    seen = printed(code, "[len(runs), gc.isenabled(), gc.get_freeze_count()]")
    collections, on, frozen = seen
    assert collections < 10  # loading the command's modules makes about 100 with the collector on
    assert on is True
    assert frozen > 10_000  # what the modules made is out of the collector's way


def test_the_server_modules_load_with_the_collector_paused_when_the_command_serves(tmp_path: Path) -> None:
    # a folder that does not exist: the command imports the server, then stops at loading the scenarios
    code = (
        "import gc, sys\n"
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: runs.append(phase) if phase == 'start' else None)\n"
        "import mockserver.__main__ as entry\n"
        f"sys.argv = ['mockserver', '--port', '0', '--scenarios', {str(tmp_path / 'missing')!r}]\n"
        "try:\n"
        "    entry.main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 1, exc.code"
    )
    probe = "[len(runs), gc.isenabled(), gc.get_freeze_count(), 'mockserver.app' in sys.modules]"
    seen = printed(code, probe)
    collections, on, frozen, served = seen
    assert served is True
    assert collections < 10  # the server's modules make about 100 with the collector on
    assert on is True
    assert frozen > 30_000


def test_the_command_lists_and_describes_without_loading_the_server() -> None:
    # `mockserver --help`, `--version`, `codes` and `guidance` need neither pydantic nor the server
    heavy = ("pydantic", "uvicorn", "mockserver.app", "mockserver.loader", "mockserver.simulator.revisions")
    assert loaded_after("import mockserver.cli", heavy) == []


def test_loading_modules_leaves_a_paused_collector_paused() -> None:
    code = (
        "import gc\nfrom mockserver.collector import loading\ngc.disable()\nwith loading():\n    import csv"
    )
    assert printed(code, "gc.isenabled()") is False
