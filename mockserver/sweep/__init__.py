"""`mockserver sweep -- COMMAND...`: push every documented failure through a client's own command.

A clean baseline run learns which operations the command calls; then each pair of an operation and
an injection gets a run of its own against a fresh mock, the failure answering the operation's first
call. Each run is judged by its exit status and by the guidance findings of the requests the mock
saw; the reports are a console matrix, JSON and a self-contained HTML page.

- `injections`: which failures each operation gets (and how that list is derived), `--only`/`--skip`;
- `process`: one run of the command (process group, time limit, output tail);
- `grading`: the guidance findings of a run;
- `runner`: the baseline, the servers and the parallel runs;
- `report`: cell states, exit-status policy, console matrix, JSON; `html`: the HTML report.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import html, report, runner
    from .injections import GROUPS, INJECTIONS, Injection, Selection, SelectionError, injections_for
    from .report import DEFAULT_FAIL_ON, STATES, Run, SweepReport, parse_fail_on
    from .runner import Sweeper, SweepOptions

_HOMES = {
    "DEFAULT_FAIL_ON": "report",
    "GROUPS": "injections",
    "INJECTIONS": "injections",
    "STATES": "report",
    "Injection": "injections",
    "Run": "report",
    "Selection": "injections",
    "SelectionError": "injections",
    "SweepOptions": "runner",
    "SweepReport": "report",
    "Sweeper": "runner",
    "injections_for": "injections",
    "parse_fail_on": "report",
}
"""Where each name lives: the package imports them on first use (PEP 562), so the `mockserver`
command can read the option bounds in `limits` without importing the sweep."""

__all__ = [
    "DEFAULT_FAIL_ON",
    "GROUPS",
    "INJECTIONS",
    "STATES",
    "Injection",
    "Run",
    "Selection",
    "SelectionError",
    "SweepOptions",
    "SweepReport",
    "Sweeper",
    "html",
    "injections_for",
    "parse_fail_on",
    "report",
    "runner",
]


def __getattr__(name: str) -> Any:
    if name in ("html", "report", "runner"):
        return import_module(f".{name}", __name__)
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
