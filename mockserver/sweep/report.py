"""What a sweep found: each run's outcome, the cell states, the exit-status policy, the console matrix
and the JSON report."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from ..control import JournalEntry
from ..guidance import Finding
from .injections import INJECTIONS, Injection

PASSED, STOPPED, FAILED, GUIDANCE, TIMEOUT = "passed", "stopped", "failed", "guidance", "timeout"
STATES: dict[str, str] = {
    PASSED: "exit status 0 and no guidance finding",
    STOPPED: "a non-zero exit after an error that must not be retried (4xx): the client gave up, as it"
    " should; no guidance finding",
    FAILED: "a non-zero exit after a failure a retry gets past (5xx, gateway page, network fault), or in"
    " the baseline run",
    GUIDANCE: "the mock saw the client break the error-handling guidance (see the findings)",
    TIMEOUT: "still running at --timeout: its process group was killed",
}
"""Every cell state and what it means, most severe last; a cell shows the most severe that applies."""
SEVERITY = (PASSED, STOPPED, FAILED, GUIDANCE, TIMEOUT)
LABELS = {PASSED: "passed", STOPPED: "stopped", FAILED: "FAILED", GUIDANCE: "GUIDANCE", TIMEOUT: "TIMEOUT"}
FAIL_ON_CHOICES = (FAILED, GUIDANCE, TIMEOUT, STOPPED)
DEFAULT_FAIL_ON = frozenset({FAILED, GUIDANCE, TIMEOUT})


@dataclass(frozen=True, slots=True)
class Seen:
    """One request the mock saw during a run, as the reports show it."""

    id: int
    time: str
    method: str
    path: str
    operation: str | None
    status: int | None
    code: str | None
    fault: str | None
    answered_by: str
    duration_ms: float
    injected: bool

    @classmethod
    def of(cls, entry: JournalEntry, rule_id: str | None) -> Seen:
        query = "&".join(
            f"{name}={value}"
            for name, values in entry.query.items()
            for value in (values if isinstance(values, list) else [values])
        )
        return cls(
            entry.id, entry.time, entry.method, f"{entry.path}?{query}" if query else entry.path,
            entry.operation, entry.status or None, entry.code, entry.fault, entry.answered_by,
            entry.duration_ms, rule_id is not None and entry.answered_by == rule_id,
        )  # fmt: skip

    @property
    def outcome(self) -> str:
        return self.fault or " ".join(str(part) for part in (self.status, self.code) if part) or "no answer"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "operation": self.operation,
            "status": self.status,
            "code": self.code,
            "fault": self.fault,
            "answeredBy": self.answered_by,
            "durationMs": self.duration_ms,
            "injected": self.injected,
        }


@dataclass(frozen=True, slots=True)
class Run:
    """One run of the command: the baseline (no operation, no injection) or one cell of the matrix."""

    operation: str | None
    injection: Injection | None
    exit_status: int | None
    timed_out: bool
    seconds: float
    output: str
    output_cut: bool
    requests: tuple[Seen, ...]
    findings: tuple[Finding, ...]
    injected: int = 0
    """How many requests the injected rule answered (0: the command never called the operation)."""

    @property
    def conditions(self) -> frozenset[str]:
        """Every state that applies (a run can both fail and break the guidance)."""
        found = set()
        if self.timed_out:
            found.add(TIMEOUT)
        if self.findings:
            found.add(GUIDANCE)
        if not self.timed_out and self.exit_status != 0:
            transient = self.injection is None or self.injection.transient
            found.add(FAILED if transient else STOPPED)
        return frozenset(found)

    @property
    def state(self) -> str:
        """The most severe of `conditions`, else passed."""
        return max(self.conditions, key=SEVERITY.index, default=PASSED)

    @property
    def title(self) -> str:
        if self.operation is None or self.injection is None:
            return "baseline (nothing injected)"
        return f"{self.operation} \u00d7 {self.injection.name}"

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "injection": None if self.injection is None else self.injection.name,
            "state": self.state,
            "conditions": sorted(self.conditions, key=SEVERITY.index),
            "exitStatus": self.exit_status,
            "timedOut": self.timed_out,
            "seconds": round(self.seconds, 3),
            "injected": self.injected,
            "requests": [seen.to_json() for seen in self.requests],
            "findings": [finding.to_json() for finding in self.findings],
            "output": self.output,
            "outputTruncated": self.output_cut,
        }


@dataclass
class SweepReport:
    """Everything one sweep did, in the order the matrix shows it."""

    command: tuple[str, ...]
    settings: dict[str, Any]
    """The options the sweep ran with (scenario, revision, timeout, jobs, times, ...)."""
    baseline: Run
    operations: list[str] = field(default_factory=list)
    """The operations swept (the called ones, as --only/--skip left them), in the order first called."""
    called: list[str] = field(default_factory=list)
    """Every operation the baseline run called."""
    injections: dict[str, list[Injection]] = field(default_factory=dict)
    """Per operation, the injections swept."""
    cells: list[Run] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    """Things the user should know: operations named in --only that were never called, a failed baseline."""

    @property
    def aborted(self) -> bool:
        """The baseline run failed or timed out, so nothing was swept."""
        return self.baseline.timed_out or self.baseline.exit_status != 0

    def runs(self) -> list[Run]:
        return [self.baseline, *self.cells]

    def cell(self, operation: str, injection: str) -> Run | None:
        for run in self.cells:
            if run.operation == operation and run.injection is not None and run.injection.name == injection:
                return run
        return None

    def rows(self) -> list[Injection]:
        """The injections of the matrix's rows: each injection swept for any operation, in order."""
        seen: dict[str, Injection] = {}
        for operation in self.operations:
            for injection in self.injections.get(operation, []):
                seen.setdefault(injection.name, injection)
        order = list(INJECTIONS)
        return sorted(seen.values(), key=lambda injection: order.index(injection.name))

    def counts(self) -> dict[str, int]:
        counted = dict.fromkeys(SEVERITY, 0)
        for run in self.cells:
            counted[run.state] += 1
        return counted

    def exit_status(self, fail_on: Iterable[str]) -> int:
        """2 when the baseline failed (nothing swept); 1 when any run has a condition in `fail_on`
        (the baseline included); else 0."""
        if self.aborted:
            return 2
        wanted = set(fail_on)
        return 1 if any(run.conditions & wanted for run in self.runs()) else 0

    def to_json(self, fail_on: Iterable[str]) -> dict[str, Any]:
        fail_on = sorted(fail_on, key=SEVERITY.index)
        return {
            "command": list(self.command),
            "settings": self.settings,
            "seconds": round(self.seconds, 3),
            "states": STATES,
            "failOn": fail_on,
            "exitStatus": self.exit_status(fail_on),
            "summary": self.counts(),
            "notes": self.notes,
            "called": self.called,
            "operations": self.operations,
            "injections": {op: [i.name for i in found] for op, found in self.injections.items()},
            "injectionDetails": {i.name: i.to_json() for i in self.rows()},
            "baseline": self.baseline.to_json(),
            "cells": [run.to_json() for run in self.cells],
        }

    def write_json(self, path: Path, fail_on: Iterable[str]) -> None:
        path.write_text(json.dumps(self.to_json(fail_on), indent=2, ensure_ascii=False) + "\n", "utf-8")


def parse_fail_on(values: Sequence[str]) -> frozenset[str]:
    """`--fail-on` values (comma-separated, repeatable) as states; `none` alone means never fail."""
    names = [part.strip().lower() for value in values for part in value.split(",") if part.strip()]
    if names == ["none"]:
        return frozenset()
    unknown = [name for name in names if name not in FAIL_ON_CHOICES]
    if unknown or not names:
        raise ValueError(
            f"--fail-on takes a comma-separated list of {', '.join(FAIL_ON_CHOICES)}, or none;"
            f" got {', '.join(repr(n[:40]) for n in unknown) or 'nothing'}"
        )
    return frozenset(names)


def matrix(report: SweepReport, color: bool = False) -> str:
    """The matrix as text: one row per injection, one column per operation; `·` where the operation
    does not get that injection."""
    operations = report.operations
    rows = report.rows()
    first = max([len("injection"), *(len(row.name) for row in rows)])
    widths = [max(len(op), max(len(label) for label in LABELS.values())) for op in operations]
    header = "  ".join(
        ["injection".ljust(first), *(op.ljust(w) for op, w in zip(operations, widths, strict=True))]
    )
    lines = [header.rstrip(), "  ".join(["-" * first, *("-" * w for w in widths)])]
    colors = {PASSED: "green", STOPPED: "green", FAILED: "red", GUIDANCE: "magenta", TIMEOUT: "yellow"}
    for row in rows:
        cells = [row.name.ljust(first)]
        for operation, width in zip(operations, widths, strict=True):
            run = report.cell(operation, row.name)
            if run is None:
                cells.append("·".ljust(width))
                continue
            text = LABELS[run.state].ljust(width)
            cells.append(click.style(text, fg=colors[run.state]) if color else text)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def summary(report: SweepReport) -> str:
    counts = report.counts()
    parts = ", ".join(f"{counts[state]} {LABELS[state].lower()}" for state in SEVERITY)
    return f"{len(report.cells)} runs in {report.seconds:.1f} s: {parts}"


def problems(report: SweepReport) -> list[str]:
    """One line per run that did not pass cleanly: what happened, and the first finding."""
    lines = []
    for run in report.runs():
        if run.state in (PASSED, STOPPED):
            continue
        what = {
            FAILED: f"exit status {run.exit_status}",
            TIMEOUT: f"killed after {run.seconds:.1f} s",
            GUIDANCE: "; ".join(f"[{f.id}] {f.request}: {f.detail}" for f in run.findings[:3]),
        }[run.state]
        lines.append(f"{run.title}: {LABELS[run.state]}: {what}")
    return lines
