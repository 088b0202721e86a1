"""mockserver: an offline simulator of the ImaginePDF REST API.

The public API is what `__all__` lists; every other module is internal.
"""

from __future__ import annotations

from .app import MockApp, create_app
from .control import JournalEntry, MockAsgi, MockControl
from .errors import MockServerError, Problem, ScenarioError, ServerStartError
from .operations import OperationError
from .server import MockServer
from .settings import Settings
from .version import __version__

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
