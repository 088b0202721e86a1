"""Hot reload: watch the user scenario folder and serve the new files as soon as they are good.

Files are parsed in a worker thread, never on the event loop, so requests keep
being answered while a large folder reloads; the new set replaces the old one
in one step on the loop. Only files whose mtime, size or inode changed are
parsed again (`loader.LoadCache`).

A broken file never takes the server down: the last good set keeps serving,
the problems are logged as `file:line:col: message` and shown by
`GET /__mock/scenarios` until the files are fixed. A folder that is removed
(and perhaps created again, as `git checkout` does) is looked for every
`POLL_SECONDS` and watched again when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .errors import ScenarioError
from .loader import LoadCache, ScenarioSet, load
from .operations import Operations

logger = logging.getLogger("mockserver")

POLL_SECONDS = 0.5
"""How often the watcher checks that the folder it watches is still the one on disk."""

T = TypeVar("T")


class Reloader:
    """Reloads one folder for one mock: parsed off the loop, swapped in on it when good."""

    def __init__(self, operations: Operations, folder: Path) -> None:
        self.operations = operations
        self.folder = folder
        self.cache = operations.state.load_cache or LoadCache()
        self.seconds = 0.0
        """How long the last reload took, parse and compile (tests compare request latency with it)."""

    async def reload(self) -> bool:
        """Load the folder again; True when the new set is now served."""
        began = time.perf_counter()
        try:
            scenarios = await in_thread(self._load)
        except ScenarioError as exc:
            self._failed([str(problem) for problem in exc.problems])
            return False
        except Exception as exc:  # an unforeseen failure must not end the watching
            self._failed([f"{self.folder}: 1:1: the folder could not be read: {exc!r}"])
            return False
        finally:
            self.seconds = time.perf_counter() - began
        self.operations.serve_scenarios(scenarios)
        logger.info(
            "reloaded %d scenarios from %s (%d files parsed, %.2f s)",
            len(scenarios),
            self.folder,
            self.cache.parsed,
            self.seconds,
        )
        return True

    def _load(self) -> ScenarioSet:
        return load(self.folder, self.cache)

    def _failed(self, problems: list[str]) -> None:
        self.operations.reload_failed(problems)
        for line in problems:
            logger.error("reload failed, still serving the last good scenarios: %s", line)


async def in_thread(call: Callable[[], T]) -> T:
    """`call()` in a daemon thread, awaited without blocking the loop.

    Not `asyncio.to_thread`: the default executor is joined when the loop ends, so a long parse
    would hold up a shutdown. A daemon thread is left behind instead; its result is dropped.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        try:
            result = call()
        except BaseException as exc:
            outcome: tuple[T | None, BaseException | None] = (None, exc)
        else:
            outcome = (result, None)
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=run, name="mockserver-reload", daemon=True).start()
    return await future


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which directory `folder` is now (device, inode); None when there is none."""
    try:
        status = folder.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino) if folder.is_dir() else None


async def watch(operations: Operations, folder: Path) -> None:
    """Reload on every change under `folder` (debounced to 100 ms), for as long as the server runs.

    The OS watch belongs to a directory, not a name: once the folder is removed it reports nothing
    more. So every POLL_SECONDS the watcher checks that the name still leads to the same directory;
    when it does not, the folder is reloaded (a missing folder is reported as a problem, and the last
    good set keeps serving) and the directory now there is watched.
    """
    from watchfiles import awatch  # only a server watching a folder needs it

    reloader = Reloader(operations, folder)
    watched = _identity(folder)
    stale = False
    """The folder changed while nothing watched it: reload once the new watch is in place."""
    while True:
        if watched is None:
            await reloader.reload()
            while (watched := _identity(folder)) is None:
                await asyncio.sleep(POLL_SECONDS)
            stale = True
        try:
            async for changes in awatch(
                folder,
                debounce=100,
                step=25,
                recursive=False,
                rust_timeout=int(POLL_SECONDS * 1000),
                yield_on_timeout=True,
            ):
                if _identity(folder) != watched:
                    break
                if changes or stale:
                    stale = False
                    await reloader.reload()
        except Exception as exc:  # the folder vanished as the watch began, or the OS watch failed
            logger.debug("watching %s stopped: %r", folder, exc)
        current = _identity(folder)
        if current == watched:
            await asyncio.sleep(POLL_SECONDS)  # the watch ended for no reason we know: do not spin
        else:
            stale = True
        watched = current
