"""How an endpoint is declared, routed and given its request.

An `Endpoint` is the one definition of a route: the router dispatches on it,
the handler is called with a `Call`, and `openapi.py` describes it — so the
OpenAPI document cannot drift from what the simulator does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from .. import validation
from ..clock import Clock
from ..exchange import NOT_JSON, Incoming
from ..matching import PathPattern, compile_path
from ..safejson import TOO_DEEP
from .profile import Profile
from .rendered import Rendered
from .workspace import Workspace

if TYPE_CHECKING:
    from .links import LinkStore

API = "/api/v1"
Model = TypeVar("Model", bound=BaseModel)


class ApiError(Exception):
    """Answer with catalog error `code`; `message` replaces the default."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Param:
    """A query parameter, for the OpenAPI document."""

    name: str
    description: str
    schema: dict[str, Any]
    required: bool = False


@dataclass
class Call:
    """One request as a handler sees it."""

    incoming: Incoming
    params: dict[str, str]
    workspace: Workspace
    now: datetime
    base_url: str
    links: LinkStore
    batch_seconds: float
    profile: Profile
    endpoint: Endpoint
    clock: Clock
    """The session's clock (`now` is its time for this request); links keep it to expire by it."""

    def query(self, name: str) -> str | None:
        values = self.incoming.query.get(name)
        return values[0] if values else None


Handler = Callable[[Call], BaseModel | Rendered]


@dataclass(frozen=True)
class Endpoint:
    operation: str
    """The stable operation name (`operations.OPERATIONS`): the same in every revision."""
    method: str
    path: str
    summary: str
    handler: Handler
    data: type[BaseModel]
    status: int = 200
    query: Sequence[Param] = ()
    body: type[BaseModel] | None = None
    multipart: Sequence[str] = ()
    errors: Sequence[str] = ()
    feature: str | None = None
    """A plan feature the endpoint needs (`batchGenerate`); without it: 403 INSUFFICIENT_PERMISSIONS."""
    enveloped: bool = True
    """False for the one documented answer sent raw (C's `GET /designs/{id}/tree`)."""
    pattern: PathPattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", compile_path(self.path))


Route = tuple[Endpoint, dict[str, str]] | ApiError
"""What a router finds for a method and path: the endpoint and its path parameters, or why not."""


def raise_missing(found: Route) -> tuple[Endpoint, dict[str, str]]:
    """`found`, or its ApiError raised (a fresh one: a raised exception keeps its traceback)."""
    if isinstance(found, ApiError):
        raise ApiError(found.code, found.message)
    return found


RESOLVED_LIMIT = 4096
"""Resolved (method, path) pairs kept; the cache starts over when full, so memory stays flat."""


class Router:
    """Finds the endpoint for a method and path; literal paths by dict, templates in order."""

    def __init__(self, endpoints: Sequence[Endpoint]) -> None:
        self.endpoints = tuple(endpoints)
        self._literal: dict[str, list[Endpoint]] = {}
        self._templated: list[Endpoint] = []
        self._resolved: dict[tuple[str, str], Route] = {}
        for endpoint in self.endpoints:
            if "{" in endpoint.path:
                self._templated.append(endpoint)
            else:
                self._literal.setdefault(endpoint.path, []).append(endpoint)

    def lookup(self, method: str, path: str) -> Route:
        """The endpoint and its path parameters, or the NOT_FOUND ApiError to raise (cached either way)."""
        found = self._resolved.get((method, path))
        if found is None:
            found = self._resolve(method, path)
            if len(self._resolved) >= RESOLVED_LIMIT:
                self._resolved.clear()
            self._resolved[(method, path)] = found
        return found

    def resolve(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]]:
        """The endpoint and its path parameters; ApiError NOT_FOUND for unknown routes and methods."""
        return raise_missing(self.lookup(method, path))

    def _resolve(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]] | ApiError:
        found: list[tuple[Endpoint, dict[str, str]]] = [(e, {}) for e in self._literal.get(path, ())] or [
            (e, params) for e in self._templated if (params := e.pattern.match(path)) is not None
        ]
        for endpoint, params in found:
            if endpoint.method == method:
                return endpoint, params
        if found:
            allowed = ", ".join(sorted({e.method for e, _ in found}))
            return ApiError("NOT_FOUND", f"{method} is not supported on {path}; it supports {allowed}.")
        return ApiError(
            "NOT_FOUND",
            f"No route {method} {path}. The documented routes are listed at /__mock/openapi.json.",
        )


# --- reading requests --------------------------------------------------------------------------------


def json_body(call: Call, model: type[Model]) -> Model:
    """The JSON body validated by `model`; the 400 family for anything else."""
    incoming = call.incoming
    content_type = incoming.headers.get("content-type", "").split(";")[0].strip().lower()
    if incoming.body.strip():
        if content_type and not (content_type == "application/json" or content_type.endswith("+json")):
            raise ApiError(
                "VALIDATION_ERROR", f"Content-Type must be application/json, got {content_type!r}."
            )
        document = incoming.json()
        if document is NOT_JSON:
            raise ApiError("VALIDATION_ERROR", _not_json(incoming.json_problem))
    else:
        document = {}
    if not isinstance(document, dict):
        raise ApiError("VALIDATION_ERROR", "Request body must be a JSON object.")
    return validate(model, document)


def _not_json(problem: str) -> str:
    if problem == TOO_DEEP:
        return f"Request body is not accepted as JSON: its {problem} (the mock's limit)."
    return "Request body is not valid JSON."


def validate(model: type[Model], document: Any) -> Model:
    """`document` as `model`, or the 400 that fits (see `explain`)."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise explain(exc) from None


def explain(exc: ValidationError) -> ApiError:
    """The catalog code `validation.code_for` gives, with the documented-fields wording for unknown keys."""
    errors = exc.errors(include_url=False)
    unknown = [str(error["loc"][-1]) for error in errors if error["type"] == "extra_forbidden"]
    if unknown:
        keys = ", ".join(repr(key) for key in unknown[:5])
        return ApiError(
            "VALIDATION_ERROR",
            f"unknown field{'s' * (len(unknown) > 1)} {keys}; only the documented fields are accepted.",
        )
    return ApiError(validation.code_for(exc), validation.message(exc) + ".")


_INTEGER = re.compile(r"-?[0-9]+")


def int_param(call: Call, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter: not a number → VALIDATION_ERROR, out of range → INVALID_INPUT.

    Absent, it takes `default`; sent empty (`?limit=`), it is not a number: the docs type it an integer
    and say nothing of an empty one, so the mock does not accept what the real API may refuse."""
    raw = call.query(name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise ApiError("VALIDATION_ERROR", f"Query parameter '{name}' must be an integer, got {raw[:40]!r}.")
    value = int(raw) if len(raw) <= 18 else (high + 1 if raw[0] != "-" else low - 1)
    if not low <= value <= high:
        raise ApiError(
            "INVALID_INPUT", f"Query parameter '{name}' must be between {low} and {high}, got {raw[:40]}."
        )
    return value


LIMIT = Param("limit", "Page size, 1 to 200 (default 50).", {"type": "integer", "minimum": 1, "maximum": 200})
CURSOR = Param("cursor", "The `nextCursor` of the previous page.", {"type": "string"})
DESIGN = Param("design", "The designId.", {"type": "string"}, required=True)


def page(call: Call, items: Sequence[Any]) -> tuple[Sequence[Any], str | None]:
    """Cursor pagination: the slice for this request, and the cursor of the next page (None on the last)."""
    limit = int_param(call, "limit", 50, 1, 200)
    cursor = call.query("cursor")
    start = 0
    if cursor:
        digits = cursor[1:]
        issued = cursor.startswith("c") and 0 < len(digits) <= 12 and digits.isascii() and digits.isdigit()
        if not (issued and int(digits) <= len(items)):
            raise ApiError(
                "INVALID_INPUT", f"Query parameter 'cursor' is not a cursor this API issued: {cursor!r}."
            )
        start = int(cursor[1:])
    end = start + limit
    return items[start:end], (f"c{end}" if end < len(items) else None)
