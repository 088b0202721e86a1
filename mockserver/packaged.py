"""The package's own YAML files, read at every start without PyYAML.

The error catalog, the default workspace and the built-in scenarios are read each time a server
starts. Each has a JSON twin under `prebuilt/` (its path with `.json` added), made from what yamldoc
reads of it by `python -m mockserver.packaged`, holding the SHA-256 of the text it was made from. A
twin whose hash is not the text's (the YAML edited since, in a checkout) is passed over and the YAML
read: a twin makes a start faster, never different. Importing PyYAML alone takes about 90 M
instructions (57 M of them compiling its reader's pattern of unprintable characters), about 8% of a
start; a test keeps the shipped twins fresh.
"""

from __future__ import annotations

import hashlib
import json
from functools import partial
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from .yamlbase import Document

TWINS = "prebuilt"
SCENARIOS = "scenarios"
SUFFIXES = (".yaml", ".yml")
"""What a scenario file's name ends with (the built-in ones and a user's)."""
_FILES = ("catalog.yaml", "simulator/default_workspace.yaml")
"""The packaged YAML files besides the built-in scenarios."""


def _root() -> Traversable:
    """Where the package's files are."""
    return resources.files(__package__)


def _digest(text: str) -> str:
    """The SHA-256 of `text` (UTF-8), in hex: what a twin names the text it was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document(relative: str, text: str) -> Document:
    """The packaged file at `relative` (its `text` given) as yamldoc reads it: from its twin when the
    twin was made from this text, its positions found from the text when a message asks for them."""
    data = _twin(relative, text)
    if data is _STALE:
        return _read(text)
    return Document(data, positions=partial(_read, text))


def data(relative: str) -> Any:
    """The data of the packaged file at `relative`."""
    text = _root().joinpath(relative).read_text(encoding="utf-8")
    return document(relative, text).data


_STALE = object()


def _read(text: str) -> Document:
    from . import yamldoc  # PyYAML: imported only when a twin cannot be used or a message needs positions

    return yamldoc.read(text)


def _twin(relative: str, text: str) -> Any:
    """The twin's data, or _STALE when there is no twin made from `text`."""
    try:
        twin = json.loads(_root().joinpath(TWINS, f"{relative}.json").read_bytes())
    except (OSError, ValueError):
        return _STALE
    if not isinstance(twin, dict) or twin.get("sha256") != _digest(text) or "data" not in twin:
        return _STALE
    return twin["data"]


def scenarios_folder() -> Traversable:
    """The folder of the built-in scenarios."""
    return _root().joinpath(SCENARIOS)


def scenario_files(folder: Traversable) -> list[Traversable]:
    """The scenario files of `folder` (the built-in one or a user's), by name: files only."""
    return sorted(
        (e for e in folder.iterdir() if e.name.endswith(SUFFIXES) and e.is_file()), key=lambda e: e.name
    )


def sources() -> list[str]:
    """Every packaged YAML file a twin is made for, relative to the package."""
    scenarios = (f"{SCENARIOS}/{entry.name}" for entry in scenario_files(scenarios_folder()))
    return [*_FILES, *scenarios]


def made(relative: str, text: str) -> str:
    """The twin of the packaged file at `relative` whose text is `text`, as written to its file."""
    twin = {"sha256": _digest(text), "data": _read(text).data}
    return json.dumps(twin, ensure_ascii=False, indent=1) + "\n"


def write(package: Path) -> list[str]:
    """Every twin made again under `package` (the source folder), and twins with no file removed;
    returns the twins written or removed, relative to `package`."""
    folder = package / TWINS
    wanted = {f"{relative}.json": relative for relative in sources()}
    changed: list[str] = []
    for name, relative in wanted.items():
        target = folder / name
        content = made(relative, (package / relative).read_text(encoding="utf-8"))
        if not target.is_file() or target.read_text(encoding="utf-8") != content:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
            changed.append(f"{TWINS}/{name}")
    for old in sorted(folder.rglob("*.json")):
        if old.relative_to(folder).as_posix() not in wanted:
            old.unlink()
            changed.append(f"{TWINS}/{old.relative_to(folder).as_posix()}")
    return changed


if __name__ == "__main__":
    for line in write(Path(__file__).parent) or ["every twin is fresh"]:
        print(line)
