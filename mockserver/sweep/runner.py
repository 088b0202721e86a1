"""A sweep: a clean baseline run, then one run per operation and injection, each against a mock of its own.

Isolation: the command cannot send `X-Mock-Session`, so each run gets a whole MockServer (its own
port). There are `jobs` of them, one per parallel run, each reset between runs (workspace, rules,
journal, clock and findings start over); a server whose run timed out is replaced, so that requests
still arriving from the killed command cannot land in the next run's journal.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..server import MockServer
from ..settings import Settings
from ..simulator.revisions import REVISIONS
from .grading import findings
from .injections import Injection, Selection, injections_for
from .limits import MAX_JOBS, MAX_TIMEOUT, MAX_TIMES, MIN_TIMEOUT
from .process import Processes
from .report import Run, Seen, SweepReport

MAX_COMMAND_ARGS = 1000
JOURNAL_LIMIT = 2000
"""Requests kept per run (a retry storm beyond it keeps its newest)."""
SHUTDOWN_SECONDS = 0.5
SETTLE_SECONDS = 2.0
"""After the command ends, how long the requests it left in flight may take to be answered and recorded
(a client that exits the moment it reads an answer is ahead of the mock's journal by a moment)."""
URL_VARIABLE, KEY_VARIABLE = "IMAGINEPDF_API_URL", "IMAGINEPDF_API_KEY"
CELL_VARIABLE = "MOCKSERVER_SWEEP_RUN"
"""Set for the command: `baseline`, or `OPERATION:INJECTION` (for logs; a client should not act on it)."""


def default_hang(timeout: float) -> float:
    """The hang's length when not given: 5 s, or a third of a shorter time limit."""
    return min(5.0, timeout / 3)


@dataclass(frozen=True)
class SweepOptions:
    """What one sweep runs and how; `check` bounds every number."""

    command: tuple[str, ...]
    scenario: str = "default"
    api_revision: str | None = None
    scenarios: Path | None = None
    timeout: float = 60.0
    jobs: int = 2
    times: int = 1
    """Calls of the operation the failure answers, from the first (1: the first call only)."""
    hang_seconds: float | None = None
    """How long a `hang` holds the connection before resetting it (None: `default_hang(timeout)`)."""
    batch_seconds: float = 0.0
    seed: int | None = None
    selection: Selection = field(default_factory=Selection)
    guidance: Mapping[str, float] = field(default_factory=dict)
    """Thresholds of the guidance checks for every run (`--guidance KEY=VALUE`), over the scenario's."""
    env: Mapping[str, str] | None = None
    """The command's environment before the sweep's variables are added (None: this process's)."""

    @property
    def hang(self) -> float:
        return default_hang(self.timeout) if self.hang_seconds is None else self.hang_seconds

    def check(self) -> None:
        """Raise ValueError naming the first option out of bounds."""
        if not self.command:
            raise ValueError("no command given: put it after `--`, e.g. mockserver sweep -- pytest tests/")
        if len(self.command) > MAX_COMMAND_ARGS:
            raise ValueError(f"the command has {len(self.command)} arguments; at most {MAX_COMMAND_ARGS}")
        if not MIN_TIMEOUT <= self.timeout <= MAX_TIMEOUT:
            raise ValueError(f"--timeout must be between {MIN_TIMEOUT:g} and {MAX_TIMEOUT:g} seconds")
        if not 1 <= self.jobs <= MAX_JOBS:
            raise ValueError(f"--jobs must be between 1 and {MAX_JOBS}")
        if not 1 <= self.times <= MAX_TIMES:
            raise ValueError(f"--times must be between 1 and {MAX_TIMES}")
        if not 0 < self.hang < self.timeout:
            raise ValueError(
                f"--hang-seconds must be more than 0 and shorter than --timeout ({self.timeout:g} s),"
                " so that a client that waits the hang out can still finish"
            )
        if self.api_revision is not None and self.api_revision not in REVISIONS:
            raise ValueError(f"unknown --api-revision {self.api_revision!r}; known: {', '.join(REVISIONS)}")

    def settings(self) -> Settings:
        given: dict[str, Any] = {"api_revision": self.api_revision} if self.api_revision else {}
        return Settings(
            port=0, scenarios=self.scenarios, scenario=self.scenario, seed=self.seed, reload=False,
            hang_seconds=self.hang, shutdown_seconds=SHUTDOWN_SECONDS, batch_seconds=self.batch_seconds,
            journal_limit=JOURNAL_LIMIT, guidance=dict(self.guidance), **given,
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "apiRevision": self.api_revision,
            "scenarios": None if self.scenarios is None else str(self.scenarios),
            "timeout": self.timeout,
            "jobs": self.jobs,
            "times": self.times,
            "hangSeconds": self.hang,
            "batchSeconds": self.batch_seconds,
            "seed": self.seed,
            "guidance": dict(self.guidance),
            "selection": self.selection.to_json(),
        }


Progress = Callable[[Run, int, int], None]
"""Told of each finished run: the run, how many are done (the baseline is 0), how many cells in all."""


class _Servers:
    """At most `size` mock servers, handed to one run at a time."""

    def __init__(self, settings: Settings, size: int) -> None:
        self._settings = settings
        self._idle: queue.Queue[MockServer] = queue.Queue()
        self._all: list[MockServer] = []
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> MockServer:
        server = MockServer(self._settings).start()
        self._all.append(server)
        return server

    def take(self) -> MockServer:
        return self._idle.get()

    def give(self, server: MockServer, *, replace: bool) -> None:
        if replace:
            server.stop()
            self._all.remove(server)
            server = self._start()
        self._idle.put(server)

    def stop(self) -> None:
        for server in self._all:
            server.stop()


def _settle(server: MockServer) -> None:
    """Wait (at most SETTLE_SECONDS) until no request of the run is still being answered or recorded."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while server.session.busy and time.monotonic() < deadline:
        time.sleep(0.005)


class Sweeper:
    """Runs one sweep; `cancel()` (from another thread, or a signal handler) kills the running commands."""

    def __init__(self, options: SweepOptions, progress: Progress | None = None) -> None:
        options.check()
        self.options = options
        self.progress = progress
        self.processes = Processes()

    def cancel(self) -> None:
        self.processes.cancel()

    def sweep(self) -> SweepReport:
        """The whole sweep. Raises ScenarioError / ServerStartError when the mock cannot start, and
        OSError when the command cannot be run at all."""
        began = time.monotonic()
        servers = _Servers(self.options.settings(), self.options.jobs)
        try:
            report = self._sweep(servers)
        finally:
            servers.stop()
        report.seconds = time.monotonic() - began
        return report

    def _sweep(self, servers: _Servers) -> SweepReport:
        options = self.options
        server = servers.take()
        revision = REVISIONS[server.api_revision]
        baseline = self._run(server, servers, None, None)
        report = SweepReport(options.command, {**options.to_json(), "apiRevision": revision.name}, baseline)
        if self.progress:
            self.progress(baseline, 0, 0)
        if report.aborted:
            what = "timed out" if baseline.timed_out else f"exited with status {baseline.exit_status}"
            report.notes.append(
                f"the baseline run (nothing injected) {what}: the command has to pass against the mock"
                " before failures can be swept through it"
            )
            return report
        report.called = list(dict.fromkeys(seen.operation for seen in baseline.requests if seen.operation))
        report.operations = options.selection.operations(report.called)
        missing = sorted(options.selection.only_operations - set(report.called))
        if missing:
            report.notes.append(f"--only names operations the command never called: {', '.join(missing)}")
        for operation in report.operations:
            report.injections[operation] = options.selection.injections(injections_for(operation, revision))
        cells = [(op, injection) for op in report.operations for injection in report.injections[op]]
        report.cells = self._cells(servers, cells)
        return report

    def _cells(self, servers: _Servers, cells: Sequence[tuple[str, Injection]]) -> list[Run]:
        done = 0
        lock = threading.Lock()

        def one(cell: tuple[str, Injection]) -> Run:
            nonlocal done
            server = servers.take()
            run = self._run(server, servers, *cell)
            with lock:
                done += 1
                if self.progress:
                    self.progress(run, done, len(cells))
            return run

        with ThreadPoolExecutor(self.options.jobs, thread_name_prefix="sweep") as pool:
            futures = [pool.submit(one, cell) for cell in cells]
            try:
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                self.cancel()
                raise

    def _run(
        self, server: MockServer, servers: _Servers, operation: str | None, injection: Injection | None
    ) -> Run:
        """One run on `server` (then handed back to `servers`)."""
        replace = True
        try:
            if self.processes.cancelled:
                raise KeyboardInterrupt
            server.reset()
            rule_id = None
            if operation is not None and injection is not None:
                rule = {
                    "when": {"operation": operation},
                    "times": self.options.times,
                    "reply": injection.reply,
                }
                [rule_id] = server.add_rules(rule)
            name = "baseline" if injection is None else f"{operation}:{injection.name}"
            scratch = tempfile.mkdtemp(prefix="mockserver-sweep-")
            try:
                env = {
                    **(os.environ if self.options.env is None else self.options.env),
                    URL_VARIABLE: server.url,
                    KEY_VARIABLE: server.api_key,
                    CELL_VARIABLE: name,
                    "TMPDIR": scratch,
                }
                completed = self.processes.run(self.options.command, env, self.options.timeout)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            _settle(server)
            entries = server.requests()
            used = next((rule["used"] for rule in server.rules() if rule["id"] == rule_id), 0)
            replace = completed.timed_out
            return Run(
                operation, injection, completed.exit_status, completed.timed_out, completed.seconds,
                completed.output, completed.output_cut, tuple(Seen.of(entry, rule_id) for entry in entries),
                tuple(findings(server)), int(used),
            )  # fmt: skip
        finally:
            servers.give(server, replace=replace)
