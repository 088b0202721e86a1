"""The cyclic garbage collector paused while long-lived objects pile up: modules loading, scenarios
loading (the loader).

The server's modules make some 40,000 objects the collector tracks as they load, nearly all of them
kept for as long as the process runs; the collector would run about a hundred times while they pile
up (3% of start-up's instructions, about 5% of its time to the first answer here). It is paused
while they load, and what they made is moved out of its way for good (`gc.freeze`, as the server
does again once it has started).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loading() -> Iterator[None]:
    """The collector paused in the block, what the block made frozen for good, the collector on again
    after (if it was on: a process that runs the command in its own, such as a test's, keeps its
    setting)."""
    with paused(for_good=True):
        yield


@contextmanager
def paused(*, for_good: bool) -> Iterator[None]:
    """The collector paused in the block and on again after, if it was on. What the block made is
    frozen (`gc.freeze`): for good, or else moved on to the oldest generation (`gc.unfreeze`, which
    lets go of everything frozen: only for a block when nothing was frozen before it)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if not for_good:
            gc.unfreeze()
        if was_on:
            gc.enable()
