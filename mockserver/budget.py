"""A count shared by the parts of one server that must stay within one bound together.

The journals of all sessions share one for their bytes; the guidance checkers of
all sessions share one for the requests they remember. Each part counts what it
keeps in and gives it back when it lets go; the one that pushes the total over
the limit drops its own oldest first, so memory stays bounded however many
sessions there are.
"""

from __future__ import annotations

import threading


class SharedBudget:
    """A total that several holders add to and take from, against `limit`; safe from any thread."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def add(self, count: int) -> bool:
        """Count `count` more (negative: fewer); True when the total is now over the limit."""
        with self._lock:
            self.used += count
            return self.used > self.limit
