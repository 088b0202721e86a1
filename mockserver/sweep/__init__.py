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

from . import html, report, runner
from .injections import GROUPS, INJECTIONS, Injection, Selection, SelectionError, injections_for
from .report import DEFAULT_FAIL_ON, STATES, Run, SweepReport, parse_fail_on
from .runner import Sweeper, SweepOptions

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
