"""The console line per request, written off the request path.

A request only appends what it was and what answered it to a bounded buffer
(no formatting, no I/O); a writer thread turns the buffer into lines and
writes them a few times a second, and once more when the server stops. A
terminal that cannot keep up never slows the mock: past `LIMIT` waiting
lines the oldest are dropped, and the console says how many.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import TextIO

from .exchange import Incoming, Outcome

LIMIT = 10_000
"""Lines waiting to be written at most; beyond it the oldest are dropped (and counted)."""
INTERVAL = 0.05
"""Seconds between two writes of the waiting lines."""


def line(incoming: Incoming, outcome: Outcome) -> str:
    """`GET /api/v1/designs [designs.list] → 200 (simulator)`: one request and what answered it."""
    status, code = outcome.status, outcome.code
    if outcome.fault:
        what = outcome.fault
    elif status and code:
        what = f"{status} {code}"
    else:  # the one given, or neither (a join of the two, not on the request path, cost a third more)
        what = str(status) if status else code or ""
    by = outcome.answered_by
    source = by if by == "simulator" or by.startswith(("override", "mockserver")) else f"rule {by}"
    operation = f" [{incoming.operation}]" if incoming.operation else ""
    return f"{incoming.method} {incoming.path}{operation} → {what} ({source})"


class Console:
    """Request lines waiting for the writer thread, at most LIMIT of them."""

    def __init__(self, stream: TextIO, limit: int = LIMIT, interval: float = INTERVAL) -> None:
        self.stream = stream
        self.interval = interval
        self._waiting: deque[tuple[float, Incoming | str, Outcome | None]] = deque(maxlen=limit)
        self.dropped = 0
        """Lines dropped because the stream fell behind by more than `limit` (since the last write)."""
        self._wake = threading.Event()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def add(self, incoming: Incoming, outcome: Outcome) -> None:
        """Keep one request's line for the writer (called on the request path: no formatting here)."""
        self._keep(incoming, outcome)

    def note(self, text: str) -> None:
        """Keep a line already worded (a guidance finding), in its place among the request lines."""
        self._keep(text, None)

    def _keep(self, what: Incoming | str, outcome: Outcome | None) -> None:
        waiting = self._waiting
        if len(waiting) == waiting.maxlen:
            self.dropped += 1
        waiting.append((time.time(), what, outcome))

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mockserver-console", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Write what is waiting and end the writer."""
        self._stopped = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stopped:
            self._wake.wait(self.interval)
            self.flush()

    def flush(self) -> None:
        """Format and write every waiting line (in the writer thread, or at stop)."""
        waiting = self._waiting
        if not waiting and not self.dropped:
            return
        lines = []
        if self.dropped:
            lines.append(
                f"{_clock(time.time())} ({self.dropped} request lines dropped: the console fell behind)"
            )
            self.dropped = 0
        second, stamp = -1, ""
        while waiting:
            at, incoming, outcome = waiting.popleft()
            if int(at) != second:  # one time stamp per second, not one per line
                second, stamp = int(at), _clock(at)
            text = incoming if isinstance(incoming, str) or outcome is None else line(incoming, outcome)
            lines.append(f"{stamp} {text}")
        try:
            self.stream.write("\n".join(lines) + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: the mock keeps serving
            pass


def _clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(at))
