"""Layers: a lower module never imports a higher one, not even for type annotations, and no import loops.

Read bottom to top, the file names say where a request is matched, answered and
recorded (`rules`, `simulator/`, `journal`), what holds the state (`sessions`,
`state`), what steers it (`operations`) or answers through it (`pipeline`), and
the surfaces on top (`admin`, `app`, `control`, `server`, `cli`, `pytest_plugin`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import mockserver

PACKAGE = Path(mockserver.__file__).parent

LAYERS: list[set[str]] = [
    {"state"},
    {"operations", "pipeline"},
    {"admin", "reload"},
    {"app"},
    {"control", "uvicorn_server"},
    {"server"},
    {"sweep"},
    {"pytest_plugin", "cli", "__init__", "__main__"},
]
"""Top-level modules above the foundations, lowest first; every other module is a foundation (rank 0).
A package named here (`sweep`) ranks with all its modules."""

LAYERED_PACKAGES = {"sweep"}
"""Packages that sit in a layer as a whole (the others, like `simulator` and `guidance`, are foundations)."""

SIMULATOR_MAY_USE = {
    "catalog", "clock", "credentials", "errors", "exchange", "matching", "packaged", "replies",
    "safejson", "statuses", "validation", "version",
}  # fmt: skip
"""The only top-level modules the simulator builds on: it knows nothing of sessions, rules or journals."""


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """The package modules `name` imports (anywhere in it, TYPE_CHECKING blocks included), with lines."""
    package = name.split(".")[:-1]  # a package's __init__ sits in the package itself
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
            elif node.module and node.module.split(".")[0] == "mockserver":
                base = []
                node_module = node.module.split(".", 1)[1] if "." in node.module else ""
                yield from _resolve(base + ([node_module] if node_module else []), node, modules)
                continue
            else:
                continue
            yield from _resolve(base + ([node.module] if node.module else []), node, modules)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("mockserver."):
                    target = alias.name.split(".", 1)[1]
                    if target in modules:
                        yield target, node.lineno


def _resolve(base: list[str], node: ast.ImportFrom, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    module = ".".join(part for part in base if part)
    for alias in node.names:
        submodule = f"{module}.{alias.name}" if module else alias.name
        if submodule in modules:
            yield submodule, node.lineno
        elif module in modules:
            yield module, node.lineno
        elif f"{module}.__init__" in modules:
            yield f"{module}.__init__", node.lineno
        elif not module:
            yield "__init__", node.lineno


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {target for target, _ in _imports(name, path, modules) if target != name}
    return graph


def _rank(module: str) -> int:
    top = module.split(".")[0]
    for rank, layer in enumerate(LAYERS, start=1):
        if top in layer and ("." not in module or top in LAYERED_PACKAGES):
            return rank
    return 0


def test_no_module_imports_a_higher_layer() -> None:
    wrong = [
        f"{name} (layer {_rank(name)}) imports {target} (layer {_rank(target)})"
        for name, targets in _graph().items()
        for target in targets
        if _rank(target) > _rank(name)
        and not (name.endswith("__init__") and "." not in name)  # the package exports the surfaces
    ]
    assert wrong == []


def test_the_simulator_builds_only_on_the_foundations() -> None:
    wrong = [
        f"{name} imports {target}"
        for name, targets in _graph().items()
        if name.startswith("simulator.")
        for target in targets
        if not target.startswith("simulator.") and target not in SIMULATOR_MAY_USE
    ]
    assert wrong == []


def test_there_are_no_import_loops() -> None:
    graph = _graph()
    loops: list[list[str]] = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert loops == []


def test_the_checks_see_imports_under_type_checking(tmp_path: Path) -> None:
    """The checker itself: an import under `if TYPE_CHECKING:` counts (a loop hidden there is a loop)."""
    source = tmp_path / "admin.py"
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .app import MockApp\n")
    found = {target for target, _ in _imports("admin", source, {"app": source, "admin": source})}
    assert found == {"app"}
    assert _rank("app") > _rank("admin")
    assert _rank("sweep.runner") > _rank("server")
    assert _rank("simulator.auth") == 0
