"""Hot reload: watch the user scenario folder and serve the new files as soon as they are good.

A broken file never takes the server down: the last good set keeps serving,
the problems are logged as `file:line:col: message` and shown by
`GET /__mock/scenarios` until the files are fixed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from watchfiles import awatch

from .errors import ScenarioError
from .loader import load

if TYPE_CHECKING:
    from .app import MockApp

logger = logging.getLogger("mockserver")


def reload_now(app: MockApp, folder: Path) -> bool:
    """Load `folder` again; True when the new set is now served."""
    try:
        scenarios = load(folder)
    except ScenarioError as exc:
        app.reload_problems = [str(problem) for problem in exc.problems]
        for line in app.reload_problems:
            logger.error("reload failed, still serving the last good scenarios: %s", line)
        return False
    app.use_scenarios(scenarios)
    logger.info("reloaded %d scenarios from %s", len(scenarios), folder)
    return True


async def watch(app: MockApp, folder: Path) -> None:
    """Reload on every change under `folder` (debounced to 100 ms)."""
    async for _ in awatch(folder, debounce=100, step=25, recursive=False):
        reload_now(app, folder)
