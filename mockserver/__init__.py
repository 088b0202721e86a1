"""mockserver: an offline simulator of the ImaginePDF REST API.

The public API is what `__all__` lists; every other module is internal.

The names are imported on first use (PEP 562), so `import mockserver` (and the
pytest plugin, which pytest loads in every run) costs next to nothing until a
mock is made.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from .app import MockApp, create_app
    from .control import JournalEntry, MockAsgi, MockControl
    from .errors import MockServerError, Problem, ScenarioError, ServerStartError
    from .operations import OperationError
    from .server import MockServer
    from .settings import Settings

_HOMES = {
    "JournalEntry": "control",
    "MockApp": "app",
    "MockAsgi": "control",
    "MockControl": "control",
    "MockServer": "server",
    "MockServerError": "errors",
    "OperationError": "operations",
    "Problem": "errors",
    "ScenarioError": "errors",
    "ServerStartError": "errors",
    "Settings": "settings",
    "create_app": "app",
}
"""The module each public name lives in."""

__all__ = [
    "JournalEntry",
    "MockApp",
    "MockAsgi",
    "MockControl",
    "MockServer",
    "MockServerError",
    "OperationError",
    "Problem",
    "ScenarioError",
    "ServerStartError",
    "Settings",
    "__version__",
    "create_app",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
