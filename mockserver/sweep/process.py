"""Running the team's command once: its own process group, a time limit, and the tail of its output."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO

OUTPUT_BYTES = 64 * 1024
"""Bytes of a run's output (stdout and stderr together) kept: the last ones."""
OUTPUT_LINES = 60
"""Lines of that tail shown in the reports."""
GRACE_SECONDS = 1.0
"""After the time limit, how long the process group has between SIGTERM and SIGKILL."""


@dataclass(frozen=True, slots=True)
class Completed:
    """How one run of the command ended."""

    exit_status: int | None
    """None when it was killed at the time limit."""
    timed_out: bool
    seconds: float
    output: str
    """The last OUTPUT_LINES lines of its output (at most OUTPUT_BYTES)."""
    output_cut: bool
    """Whether earlier output was left out."""


class Tail:
    """The last `limit` bytes of a stream, read on a thread so the process never blocks on a full pipe."""

    def __init__(self, stream: IO[bytes], limit: int = OUTPUT_BYTES) -> None:
        self._chunks: deque[bytes] = deque()
        self._size = 0
        self._limit = limit
        self.cut = False
        self._thread = threading.Thread(target=self._read, args=(stream,), name="sweep-output", daemon=True)
        self._thread.start()

    def _read(self, stream: IO[bytes]) -> None:
        while chunk := os.read(stream.fileno(), 65536):
            self._chunks.append(chunk)
            self._size += len(chunk)
            while self._size - len(self._chunks[0]) >= self._limit:
                self._size -= len(self._chunks.popleft())
                self.cut = True

    def text(self, wait: float) -> tuple[str, bool]:
        """The kept output as text (its last OUTPUT_LINES lines), and whether anything was left out."""
        self._thread.join(wait)
        data = b"".join(self._chunks)
        cut = self.cut
        if len(data) > self._limit:
            data, cut = data[-self._limit :], True
        lines = data.decode("utf-8", "replace").splitlines()
        if len(lines) > OUTPUT_LINES:
            lines, cut = lines[-OUTPUT_LINES:], True
        return "\n".join(lines), cut


class Processes:
    """The process groups running now, so that all of them can be ended at once (Ctrl+C)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[int] = set()
        self.cancelled = False

    def run(self, command: Sequence[str], env: Mapping[str, str], timeout: float) -> Completed:
        """Run `command` in a new session (its own process group) with `env`, for at most `timeout`
        seconds; at the limit the whole group gets SIGTERM, then SIGKILL. Raises OSError when the
        command cannot be started (not found, not executable)."""
        began = time.monotonic()
        process = subprocess.Popen(
            list(command),
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        with self._lock:
            self._running.add(process.pid)
        assert process.stdout is not None
        tail = Tail(process.stdout)
        timed_out = False
        try:
            try:
                status: int | None = process.wait(timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _signal_group(process.pid, signal.SIGTERM)
                try:
                    process.wait(GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    _signal_group(process.pid, signal.SIGKILL)
                    process.wait()
                status = None
        finally:
            _signal_group(process.pid, signal.SIGKILL)  # what it left running in the background
            with self._lock:
                self._running.discard(process.pid)
        seconds = time.monotonic() - began
        output, cut = tail.text(wait=GRACE_SECONDS)
        process.stdout.close()
        return Completed(status, timed_out, seconds, output, cut)

    def cancel(self) -> None:
        """Kill every running group (and refuse to start new runs' work from now on)."""
        self.cancelled = True
        with self._lock:
            running = list(self._running)
        for pid in running:
            _signal_group(pid, signal.SIGKILL)


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)
