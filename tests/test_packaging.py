"""A plain `pip install mockserver`: imports match the declared dependencies; uvicorn's internals hold."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from mockserver import MockServer
from mockserver.uvicorn_server import EnvelopeHttpToolsProtocol

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mockserver"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# Imports of packages that are not runtime dependencies, each allowed for a reason. The test below also
# fails when one of these stops being true, so the list cannot go stale.
OPTIONAL_IMPORTS = {
    # The plugin is loaded only by pytest itself (the pytest11 entry point), so pytest is there.
    ("pytest_plugin.py", "pytest"): "module",
    # Only MockAsgi.client() needs httpx; it imports it there and names what to install when missing.
    ("control.py", "httpx"): "function",
}


def normalized(name: str) -> str:
    """A distribution name in its canonical form (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert found, f"cannot read the requirement {requirement!r}"
    return normalized(found.group(1))


RUNTIME = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
EXTRAS = (
    {
        requirement_name(r)
        for requirements in PYPROJECT["project"]["optional-dependencies"].values()
        for r in requirements
    }
    - RUNTIME
    - {"mockserver"}
)


def _type_checking_only(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name | ast.Attribute) and ast.unparse(node.test).endswith(
        "TYPE_CHECKING"
    )


def third_party_imports(path: Path) -> list[tuple[str, str, int]]:
    """(top-level module, where: "module" or "function", line) of every absolute import run at runtime."""
    found: list[tuple[str, str, int]] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                for orelse in child.orelse:
                    visit(orelse, where)
                continue
            inner = "function" if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else where
            names: list[str] = []
            line = getattr(child, "lineno", 0)
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                names = [child.module]
            for name in names:
                top = name.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in {"__future__", "mockserver"}:
                    found.append((top, where, line))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), "module")
    return found


def test_every_module_imports_only_declared_runtime_dependencies() -> None:
    providers = importlib.metadata.packages_distributions()
    problems: list[str] = []
    used: set[tuple[str, str]] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        for top, where, line in third_party_imports(path):
            distributions = {normalized(d) for d in providers.get(top, [])}
            if not distributions:
                problems.append(f"mockserver/{relative}:{line}: `{top}` comes from no installed distribution")
            elif distributions & RUNTIME:
                continue
            elif OPTIONAL_IMPORTS.get((relative, top)) == where:
                used.add((relative, top))
            else:
                source = ", ".join(sorted(distributions))
                problems.append(
                    f"mockserver/{relative}:{line}: imports `{top}` (from {source}),"
                    " which [project.dependencies] in pyproject.toml does not declare"
                )
    assert problems == []
    assert used == set(OPTIONAL_IMPORTS), "OPTIONAL_IMPORTS names an import that is no longer there"


def test_the_import_check_sees_what_it_must(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from __future__ import annotations\n"
        "import json, httpx.sync\n"
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "if TYPE_CHECKING:\n    import playwright\n"
        "def f():\n    import hypothesis\n"
        "class C:\n    def g(self):\n        from PIL import Image\n"
    )
    assert third_party_imports(module) == [
        ("httpx", "module", 2),
        ("hypothesis", "function", 8),
        ("PIL", "function", 11),
    ]


# The modules a plain install must import, with every package of the extras made unimportable.
BLOCKED_RUN = """
import importlib, importlib.abc, importlib.metadata, json, pkgutil, sys

blocked = set(json.loads(sys.argv[1]))
providers = importlib.metadata.packages_distributions()
tops = {top for top, dists in providers.items() if {d.lower().replace("_", "-") for d in dists} & blocked}

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in tops:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None

sys.meta_path.insert(0, Block())
import mockserver
names = [m.name for m in pkgutil.walk_packages(mockserver.__path__, "mockserver.")]
for name in names:
    if name not in ("mockserver.pytest_plugin", "mockserver.__main__"):  # __main__ would serve
        importlib.import_module(name)
from click.testing import CliRunner
from mockserver.cli import main
result = CliRunner().invoke(main, ["codes"])
assert result.exit_code == 0, result.output
message = None
try:
    mockserver.MockAsgi().client()
except RuntimeError as exc:
    message = str(exc)
print(json.dumps({"modules": names, "message": message, "tops": sorted(tops)}))
"""


def test_the_package_imports_and_runs_without_any_extra() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKED_RUN, json.dumps(sorted(EXTRAS))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert {"httpx", "pytest", "playwright"} <= set(seen["tops"])  # the block was real
    assert {"mockserver.cli", "mockserver.control", "mockserver.server"} <= set(seen["modules"])
    assert "pip install httpx" in (seen["message"] or "")


def test_the_plugin_loads_without_httpx() -> None:
    code = (
        "import sys; sys.modules['httpx'] = None\n"
        "import mockserver.pytest_plugin as plugin\n"
        "print(plugin.mockserver.__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout.strip()) == (0, "mockserver"), result.stderr


# --- uvicorn's internals, which uvicorn_server.py and faults.py rely on -------------------------------------


def test_uvicorn_is_within_the_tested_range() -> None:
    (declared,) = [r for r in PYPROJECT["project"]["dependencies"] if requirement_name(r) == "uvicorn"]
    upper = re.search(r"<\s*([0-9.]+)", declared)
    assert upper, f"uvicorn must have an upper bound in pyproject.toml: {declared!r}"
    installed = tuple(int(part) for part in uvicorn.__version__.split(".")[:2])
    assert installed < tuple(int(part) for part in upper.group(1).split(".")[:2])


def test_the_uvicorn_internals_used_still_exist() -> None:
    assert callable(HttpToolsProtocol.send_400_response)
    assert EnvelopeHttpToolsProtocol.send_400_response is not HttpToolsProtocol.send_400_response
    assert callable(RequestResponseCycle.send)
    assert "transport" in RequestResponseCycle.__init__.__code__.co_varnames


def exchange(mock: MockServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", mock.port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_an_unparsable_request_gets_the_envelope_over_a_real_socket() -> None:
    with MockServer() as mock:
        answer = exchange(mock, b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"x-mock-answered-by: mockserver" in head.lower()
    assert json.loads(body)["error"]["code"] == "VALIDATION_ERROR"


def test_a_connection_reset_rule_resets_the_tcp_connection() -> None:
    with MockServer() as mock:
        mock.reply("GET /api/v1/designs", fault="connection_reset")
        with pytest.raises(ConnectionResetError):
            exchange(
                mock,
                b"GET /api/v1/designs HTTP/1.1\r\nHost: x\r\nX-API-Key: "
                + mock.api_key.encode()
                + b"\r\n\r\n",
            )
        assert mock.app.internal_errors == []
        assert [entry.fault for entry in mock.requests()] == ["connection_reset"]
