"""The exceptions mockserver raises to its callers.

- MockServerError: the base; catch this to catch them all.
  - ScenarioError: scenario files are broken; carries every Problem.
  - ServerStartError: the server could not start (e.g. its port is in use).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class MockServerError(Exception):
    """Base class of every error mockserver raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a scenario file, with where it is and how to fix it."""

    file: str
    line: int
    column: int
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ScenarioError(MockServerError):
    """Scenario files could not be loaded; `problems` lists all that is wrong."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class ServerStartError(MockServerError):
    """The server could not start, e.g. because its port is already taken."""
