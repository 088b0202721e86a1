"""Scenario folders → a ScenarioSet, or a ScenarioError listing every problem.

The built-in scenarios ship inside the package; a user folder is laid over
them by name. Each file is read with positions (yamldoc), validated by the
model, checked for `extends` targets and cycles, then compiled into rules.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import model
from .errors import Problem, ScenarioError
from .rules import Rule, RuleIndex, compile_rule
from .simulator.seed import WorkspaceSeed, default_seed
from .yamldoc import Document, YamlProblem, read

SUFFIXES = (".yaml", ".yml")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


@dataclass(frozen=True)
class Source:
    """One scenario file: its name, where it is shown to be, and how to read it."""

    name: str
    display: str
    file: Traversable
    builtin: bool

    @property
    def filename(self) -> str:
        return self.file.name


@dataclass(frozen=True)
class CompiledScenario:
    """A scenario ready to serve: its rules (own first, then inherited) and workspace seed."""

    name: str
    description: str
    source: str
    extends: str | None
    workspace: Mapping[str, Any]
    """The `workspace:` keys of this scenario and the ones it extends, merged."""
    seed: WorkspaceSeed
    """`workspace` merged over the built-in default seed: what a session starts from."""
    rules: RuleIndex
    builtin: bool


@dataclass(frozen=True)
class ScenarioSet:
    """Every loaded scenario by name."""

    scenarios: Mapping[str, CompiledScenario]

    def __contains__(self, name: object) -> bool:
        return name in self.scenarios

    def __len__(self) -> int:
        return len(self.scenarios)

    def get(self, name: str) -> CompiledScenario:
        """The scenario called `name`; KeyError says which names exist."""
        try:
            return self.scenarios[name]
        except KeyError:
            close = difflib.get_close_matches(name, self.scenarios, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise KeyError(
                f"unknown scenario {name!r}; {hint}known: {', '.join(sorted(self.scenarios))}"
            ) from None


def builtin_folder() -> Traversable:
    return resources.files(__package__).joinpath("scenarios")


def load(user_folder: Path | None = None) -> ScenarioSet:
    """The built-in scenarios with `user_folder`'s files laid over them by name."""
    problems: list[Problem] = []
    builtin = builtin_folder()
    sources = {s.name: s for s in _sources(builtin, f"<built-in>/{builtin.name}", True, problems)}
    if user_folder is not None:
        if not user_folder.is_dir():
            raise ScenarioError([Problem(str(user_folder), 1, 1, "scenario folder does not exist")])
        sources.update((s.name, s) for s in _sources(user_folder, str(user_folder), False, problems))
    parsed: dict[str, tuple[model.Scenario, Document, Source]] = {}
    documents: dict[str, tuple[Document, Source]] = {}
    for source in sources.values():
        doc = _read(source, problems)
        if doc is None:
            continue
        documents[source.name] = (doc, source)
        scenario = _validate(doc, source, problems)
        if scenario is not None:
            parsed[source.name] = (scenario, doc, source)
    _check_extends(documents, problems)
    if problems:
        raise ScenarioError(problems)
    return ScenarioSet({name: _compile(name, parsed) for name in sorted(parsed)})


def _sources(
    folder: Traversable | Path, display: str, builtin: bool, problems: list[Problem]
) -> Iterable[Source]:
    entries = sorted(
        (e for e in folder.iterdir() if e.name.endswith(SUFFIXES) and e.is_file()),
        key=lambda e: e.name,
    )
    seen: dict[str, str] = {}
    for entry in entries:
        name = entry.name.rsplit(".", 1)[0]
        shown = f"{display}/{entry.name}"
        if not _NAME.match(name):
            problems.append(
                Problem(shown, 1, 1, f"scenario name {name!r} may only use letters, digits, '.', '-' and '_'")
            )
            continue
        if name in seen:
            problems.append(Problem(shown, 1, 1, f"scenario {name!r} is also defined by {seen[name]}"))
            continue
        seen[name] = entry.name
        yield Source(name, shown, entry, builtin)


def _read(source: Source, problems: list[Problem]) -> Document | None:
    try:
        doc = read(source.file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.append(Problem(source.display, 1, 1, "file is not UTF-8 text"))
        return None
    except YamlProblem as exc:
        problems.append(Problem(source.display, *exc.mark, exc.message))
        return None
    if not isinstance(doc.data, dict):
        problems.append(
            Problem(source.display, 1, 1, "a scenario file must be a mapping (description, rules, ...)")
        )
        return None
    return doc


def _validate(doc: Document, source: Source, problems: list[Problem]) -> model.Scenario | None:
    try:
        return model.Scenario.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(_explain(exc, doc, source.display))
        return None


def _explain(exc: ValidationError, doc: Document, display: str) -> Iterable[Problem]:
    seen: set[tuple[tuple[int, int], str]] = set()
    for error in exc.errors(include_url=False):
        kind = error["type"]
        loc = [step for step in error["loc"] if not str(step).startswith(model.TAG_PREFIX)]
        path, mark, missing = doc.locate(loc)
        hint = (error.get("ctx") or {}).get("hint")
        if kind == "extra_forbidden":
            key = str(path[-1])
            mark = doc.keys.get(path, mark)
            message = f"unknown key {key!r}"
            close = difflib.get_close_matches(key, model.KNOWN_KEYS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else None
            path = path[:-1]
        elif kind == "missing" and missing:
            message = f"missing required key {loc[-1]!r}"
        else:
            message = error["msg"]
        where = _dotted(path)
        text = f"{where}: {message}" if where else message
        if (mark, text) not in seen:
            seen.add((mark, text))
            yield Problem(display, mark[0], mark[1], text, hint)


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def _extends(doc: Document) -> str | None:
    target = doc.data.get("extends")
    return target if isinstance(target, str) else None


def _check_extends(documents: Mapping[str, tuple[Document, Source]], problems: list[Problem]) -> None:
    """Every `extends` names a scenario that exists, and no chain comes back to itself."""
    names = set(documents)
    for name, (doc, source) in documents.items():
        target = _extends(doc)
        if target is None:
            continue
        line, column = doc.values.get(("extends",), (1, 1))
        if target not in names:
            close = difflib.get_close_matches(target, names, n=1)
            hint = f"did you mean {close[0]!r}?" if close else None
            problems.append(
                Problem(source.display, line, column, f"extends unknown scenario {target!r}", hint)
            )
            continue
        chain = [name]
        current: str | None = target
        while current is not None and current in documents and current not in chain:
            chain.append(current)
            current = _extends(documents[current][0])
        if current == name:
            loop = " → ".join([*chain, name])
            problems.append(Problem(source.display, line, column, f"extends makes a cycle: {loop}"))


def _compile(name: str, parsed: Mapping[str, tuple[model.Scenario, Document, Source]]) -> CompiledScenario:
    lineage: list[str] = []
    current: str | None = name
    while current is not None:
        lineage.append(current)
        current = parsed[current][0].extends
    workspace: dict[str, Any] = {}
    rules: list[Rule] = []
    for ancestor in reversed(lineage):
        seed = parsed[ancestor][0].workspace
        workspace = _merge(workspace, seed.model_dump(exclude_unset=True) if seed else {})
    for ancestor in lineage:
        scenario, _, source = parsed[ancestor]
        for number, rule in enumerate(scenario.rules, start=1):
            rules.append(compile_rule(rule, f"{source.filename}#{number}", len(rules)))
    scenario, _, source = parsed[name]
    return CompiledScenario(
        name=name,
        description=scenario.description or "",
        source=source.display,
        extends=scenario.extends,
        workspace=workspace,
        seed=WorkspaceSeed.model_validate(_merge(default_seed(), workspace)),
        rules=RuleIndex(rules),
        builtin=source.builtin,
    )


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge of mappings: `over` wins; nested mappings merge key by key."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
