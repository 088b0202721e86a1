"""Per-request controls: `X-Mock-*` headers, or `__mock_*` query parameters for what a browser loads.

| header            | query parameter   | effect                                        |
|-------------------|-------------------|-----------------------------------------------|
| X-Mock-Error      | __mock_error      | answer this catalog error now                 |
| X-Mock-Scenario   | __mock_scenario   | evaluate this request with another scenario   |
| X-Mock-Delay      | __mock_delay      | wait this long first (`500ms`, `2s`)          |
| X-Mock-Session    | __mock_session    | use this isolated session                     |

The query parameters are removed before rules see the request. A value
that names nothing (unknown code, unknown scenario, bad duration) is
answered with VALIDATION_ERROR naming the header or parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from pydantic_core import PydanticCustomError

from . import catalog, model
from .loader import CompiledScenario, ScenarioSet

HEADERS = {
    "error": "x-mock-error",
    "scenario": "x-mock-scenario",
    "delay": "x-mock-delay",
    "session": "x-mock-session",
}
_HEADER_NAMES = frozenset(HEADERS.values())
QUERY_PREFIX = "__mock_"
SESSION_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}\Z")


class OverrideError(Exception):
    """A control value that names nothing: VALIDATION_ERROR with this message."""


@dataclass(frozen=True, slots=True)
class Overrides:
    error: str | None = None
    scenario: CompiledScenario | None = None
    delay: float = 0.0
    session: str | None = None
    source: str = ""
    """Where `error` came from: 'X-Mock-Error' or '__mock_error' (for X-Mock-Answered-By)."""


NONE = Overrides()


def split_query(query_string: str) -> tuple[str, dict[str, str]]:
    """The query without `__mock_*` parameters, and those parameters by name (without the prefix)."""
    if QUERY_PREFIX not in query_string:
        return query_string, {}
    kept, controls = [], {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        if name.startswith(QUERY_PREFIX):
            controls[name[len(QUERY_PREFIX) :]] = value
        else:
            kept.append((name, value))
    return urlencode(kept), controls


def read(headers: dict[str, str], controls: dict[str, str], scenarios: ScenarioSet) -> Overrides:
    """The overrides a request asks for (headers win over query parameters)."""
    if not controls and _HEADER_NAMES.isdisjoint(headers):
        return NONE  # the common case, in one pass over the request's few headers
    values: dict[str, tuple[str, str]] = {}
    for key, header in HEADERS.items():
        if header in headers:
            values[key] = (headers[header].strip(), _title(header))
        elif key in controls:
            values[key] = (controls[key].strip(), QUERY_PREFIX + key)
    if not values:
        return NONE
    error = scenario = session = None
    delay = 0.0
    source = ""
    if "error" in values:
        error, source = values["error"]
        if error not in catalog.CODES:
            hint = catalog.suggest(error)
            extra = f"; did you mean {hint!r}?" if hint else ""
            raise OverrideError(f"{source}: unknown error code {error!r}{extra}")
    if "scenario" in values:
        name, where = values["scenario"]
        try:
            scenario = scenarios.get(name)
        except KeyError as exc:
            raise OverrideError(f"{where}: {exc.args[0]}") from None
    if "delay" in values:
        text, where = values["delay"]
        try:
            delay = model.parse_duration(text)
        except PydanticCustomError as exc:
            raise OverrideError(f"{where}: {exc.message()}") from None
    if "session" in values:
        session, where = values["session"]
        if not SESSION_ID.match(session):
            raise OverrideError(f"{where}: a session id is 1-100 letters, digits or . _ : - characters")
    return Overrides(error, scenario, delay, session, source)


def _title(header: str) -> str:
    return "-".join(part.capitalize() for part in header.split("-"))
