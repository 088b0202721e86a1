"""The admin JSON API under /__mock/: read and steer the running mock.

Every operation acts on the session named by `X-Mock-Session` (or
`?__mock_session=`), the default session otherwise. Answers use the
envelope, and bad input gets catalog errors like the API's.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import catalog, model, safejson
from .overrides import SESSION_ID
from .sessions import DEFAULT_SESSION, Session
from .simulator.openapi import document as openapi_document
from .simulator.revisions import REVISIONS
from .simulator.starting import StartingKey, StartingToken
from .version import __version__

if TYPE_CHECKING:
    from .app import MockApp

PREFIX = "/__mock"
ADMIN_PARAMS = frozenset({"__mock_session", "__mock_token"})
"""Query parameters every admin route takes (the session, the admin token): never a route's own filter."""


UI_ASSETS = {
    "control.css": "text/css; charset=utf-8",
    "control.js": "text/javascript; charset=utf-8",
    "try.js": "text/javascript; charset=utf-8",
}


@cache
def _ui(name: str) -> bytes:
    """A file of the control page, shipped in the package (no build step, no CDN)."""
    return resources.files("mockserver").joinpath("ui", name).read_bytes()


class AdminError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _json(document: Any, status: int = 200) -> Response:
    return Response(catalog.encode(document), status, media_type="application/json")


def ok(data: Any, status: int = 200) -> Response:
    return _json(catalog.success_envelope(data), status)


def fail(code: str, message: str | None = None) -> Response:
    entry = catalog.CODES[code]
    return _json(entry.envelope(message), entry.status)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PlanPatch(_Input):
    useApiKeys: bool | None = None
    batchGenerate: bool | None = None


MAX_TEXT = 200
"""Characters of a name given to the admin API (scenario, key or token name)."""
MAX_TOKEN = 4096
"""Characters of a bearer token given to the admin API."""
MAX_CREDENTIALS = 100
"""API keys, or bearer tokens, one PATCH may set."""
MAX_CREDITS = 1_000_000_000
MAX_LIMIT = 1_000_000
"""The largest `limit` of GET /__mock/requests (the largest journal)."""


class AdminKey(StartingKey):
    key: str = Field(max_length=64, description="'pc_live_' followed by 20 letters or digits.")
    name: str = Field("", max_length=MAX_TEXT)


class AdminToken(StartingToken):
    token: str = Field(min_length=1, max_length=MAX_TOKEN)
    name: str = Field("", max_length=MAX_TEXT)


class WorkspacePatch(_Input):
    credits: int | None = Field(None, ge=0, le=MAX_CREDITS)
    plan: PlanPatch | None = None
    api_keys: list[AdminKey] | None = Field(
        None, max_length=MAX_CREDENTIALS, description="Replaces the workspace's API keys."
    )
    tokens: list[AdminToken] | None = Field(
        None, max_length=MAX_CREDENTIALS, description="Replaces the workspace's bearer tokens."
    )


class ScenarioChoice(_Input):
    name: str = Field(max_length=MAX_TEXT)


def _problems(exc: ValidationError, prefix: str = "") -> str:
    parts = []
    for error in exc.errors(include_url=False)[:10]:
        loc = [str(step) for step in error["loc"] if not str(step).startswith(model.TAG_PREFIX)]
        hint = (error.get("ctx") or {}).get("hint")
        where = prefix + ".".join(loc)
        parts.append(f"{where}: {error['msg']}" + (f" ({hint})" if hint else ""))
    return "; ".join(parts)


def _code_for(exc: ValidationError) -> str:
    kind = exc.errors(include_url=False)[0]["type"]
    return "MISSING_REQUIRED_FIELD" if kind == "missing" else "VALIDATION_ERROR"


async def _body(request: Request, limit: int) -> Any:
    """The JSON body, read a chunk at a time and refused past `limit` bytes (never buffered beyond it)."""
    too_large = AdminError("INVALID_INPUT", f"Admin request body is larger than the limit of {limit} bytes.")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise AdminError("VALIDATION_ERROR", "This admin call takes a JSON body.")
    try:
        return safejson.loads(raw)
    except safejson.JsonProblem as exc:
        detail = f": its {exc.reason} (the limit)" if exc.reason == safejson.TOO_DEEP else "."
        raise AdminError("VALIDATION_ERROR", f"The request body is not valid JSON{detail}") from None


def _validate(adapter: type[BaseModel] | TypeAdapter[Any], document: Any, prefix: str = "") -> Any:
    try:
        if isinstance(adapter, TypeAdapter):
            return adapter.validate_python(document)
        return adapter.model_validate(document)
    except ValidationError as exc:
        raise AdminError(_code_for(exc), _problems(exc, prefix)) from None


def _removed(name: str) -> str:
    return f"scenario {name!r} was removed from disk; sessions using it keep their copy until they switch"


def build(mock: MockApp) -> Starlette:
    def session_of(request: Request) -> Session:
        session_id = request.headers.get("x-mock-session") or request.query_params.get("__mock_session")
        if session_id is None:
            return mock.sessions.get(DEFAULT_SESSION)
        if not SESSION_ID.match(session_id):
            raise AdminError(
                "VALIDATION_ERROR", "X-Mock-Session: a session id is 1-100 letters, digits or . _ : -"
            )
        return mock.sessions.get(session_id)

    async def body(request: Request) -> Any:
        return await _body(request, mock.settings.max_admin_body_bytes)

    async def health(request: Request) -> Response:
        revision = session_of(request).revision
        return ok(
            {
                "status": "ok",
                "version": __version__,
                "sessions": len(mock.sessions.all()),
                "maxSessions": mock.sessions.max_sessions,
                "sessionsEvicted": mock.sessions.evicted,
                "apiRevision": revision.name,
                "apiRevisionLabel": revision.label,
            }
        )

    async def errors(request: Request) -> Response:
        return ok(
            {
                "codes": [
                    {"code": e.code, "status": e.status, "message": e.message, "when": e.when}
                    for e in catalog.CODES.values()
                ]
            }
        )

    async def scenarios(request: Request) -> Response:
        session = session_of(request)
        active = session.scenario.name
        # A scenario whose file was deleted still serves the sessions that use it: list it, say so.
        kept = {s.scenario.name: s.scenario for s in mock.sessions.all().values()}
        removed = [s for name, s in sorted(kept.items()) if name not in mock.scenarios]
        return ok(
            {
                "active": active,
                "apiRevision": session.revision.name,
                "scenarios": [
                    {
                        "name": s.name,
                        "description": s.description,
                        "source": s.source,
                        "builtin": s.builtin,
                        "rules": len(s.rules),
                        "apiRevision": s.api_revision,
                        "active": s.name == active,
                        "removed": s.name not in mock.scenarios,
                    }
                    for s in [*mock.scenarios.scenarios.values(), *removed]
                ],
                "problems": [*mock.reload_problems, *(_removed(s.name) for s in removed)],
            }
        )

    async def switch(request: Request) -> Response:
        choice = _validate(ScenarioChoice, await body(request))
        try:
            scenario = mock.scenarios.get(choice.name)
        except KeyError as exc:
            if choice.name in mock.removed_scenarios:
                source = mock.removed_scenarios[choice.name]
                raise AdminError(
                    "NOT_FOUND", f"{_removed(choice.name)}; restore {source} to switch to it again."
                ) from None
            raise AdminError("NOT_FOUND", str(exc.args[0])) from None
        session_of(request).activate(scenario)
        return ok({"active": scenario.name})

    async def workspace(request: Request) -> Response:
        # The body first: no await between finding the session and acting on it (see SessionStore).
        patch = _validate(WorkspacePatch, await body(request)) if request.method == "PATCH" else None
        session = session_of(request)
        if patch is not None:
            with session.lock:
                state = session.workspace
                if patch.credits is not None:
                    state.credits = patch.credits
                if patch.plan is not None and patch.plan.useApiKeys is not None:
                    state.use_api_keys = patch.plan.useApiKeys
                if patch.plan is not None and patch.plan.batchGenerate is not None:
                    state.batch_generate = patch.plan.batchGenerate
                if patch.api_keys is not None:
                    state.api_keys = {key.key: key for key in patch.api_keys}
                if patch.tokens is not None:
                    state.tokens = {token.token: token for token in patch.tokens}
        with session.lock:
            return ok({"scenario": session.scenario.name, **session.workspace.describe()})

    async def rules(request: Request) -> Response:
        document = await body(request) if request.method == "POST" else None
        session = session_of(request)
        if request.method == "DELETE":
            session.set_added([])
            return ok({"rules": []})
        if request.method == "POST":
            if isinstance(document, dict) and "rules" in document and set(document) == {"rules"}:
                document = document["rules"]
            listed = document if isinstance(document, list) else [document]
            parsed: list[model.Rule] = _validate(model.RULES, listed, "rules.")
            try:
                with session.lock:
                    ids = session.add_rules(parsed, [item for item in listed if isinstance(item, dict)])
            except ValueError as exc:
                raise AdminError("VALIDATION_ERROR", str(exc)) from None
            return ok({"ids": ids}, 201)
        with session.lock:
            listing = [
                {"id": rule.id, "used": session.hits.get(rule.id, 0), **session.sources[rule.id]}
                for rule in session.added
            ]
        return ok({"rules": listing})

    async def rule(request: Request) -> Response:
        session = session_of(request)
        rule_id = request.path_params["rule_id"]
        remaining = [r for r in session.added if r.id != rule_id]
        if len(remaining) == len(session.added):
            raise AdminError("NOT_FOUND", f"No run-time rule {rule_id!r} in this session.")
        session.set_added(remaining)
        return ok({"deleted": rule_id})

    async def requests(request: Request) -> Response:
        session = session_of(request)
        if request.method == "DELETE":
            with session.lock:
                session.journal.clear()
            return ok({"requests": []})
        filters = {name: value for name, value in request.query_params.items() if name not in ADMIN_PARAMS}
        unknown = set(filters) - {"method", "path", "status", "code", "limit"}
        if unknown:
            raise AdminError(
                "VALIDATION_ERROR",
                f"Unknown filter {sorted(unknown)[0]!r}; use method, path, status, code, limit.",
            )
        limit = filters.get("limit")
        if limit is not None and not (limit.isascii() and limit.isdigit() and int(limit[:8]) <= MAX_LIMIT):
            raise AdminError("VALIDATION_ERROR", f"limit must be a whole number from 0 to {MAX_LIMIT}.")
        with session.lock:
            entries = session.journal.select(filters)
        return ok({"requests": entries})

    async def forget_session(request: Request) -> Response:
        session_id = request.path_params["session_id"]
        if not SESSION_ID.match(session_id):
            raise AdminError("VALIDATION_ERROR", "A session id is 1-100 letters, digits or . _ : -")
        if not mock.sessions.delete(session_id):
            raise AdminError("NOT_FOUND", f"No session {session_id!r}.")
        return ok({"deleted": session_id, "reset": session_id == DEFAULT_SESSION})

    async def reset(request: Request) -> Response:
        session = session_of(request)
        session.reset()
        return ok({"scenario": session.scenario.name})

    async def page(request: Request) -> Response:
        return Response(_ui("index.html"), media_type="text/html; charset=utf-8")

    async def try_page(request: Request) -> Response:
        return Response(_ui("try.html"), media_type="text/html; charset=utf-8")

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in UI_ASSETS:
            raise AdminError("NOT_FOUND", f"No file {name!r} in the control page.")
        return Response(_ui(name), media_type=UI_ASSETS[name])

    async def openapi(request: Request) -> Response:
        # The one admin answer without the envelope: OpenAPI tools read the document itself.
        name = request.query_params.get("revision") or session_of(request).revision.name
        if name not in REVISIONS:
            raise AdminError(
                "VALIDATION_ERROR", f"?revision: unknown API revision {name!r}; known: {', '.join(REVISIONS)}"
            )
        return _json(openapi_document(name))

    async def admin_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AdminError)
        return fail(exc.code, exc.message)

    async def internal_error(request: Request, exc: Exception) -> Response:
        return fail("INTERNAL_ERROR", "The mock server failed unexpectedly; see its log.")

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status == 405:
            return fail("NOT_FOUND", f"{request.method} is not supported on {request.url.path}.")
        return fail("NOT_FOUND", f"No admin endpoint at {request.url.path}.")

    return Starlette(
        routes=[
            Route(PREFIX, page),
            Route(f"{PREFIX}/", page),
            Route(f"{PREFIX}/try", try_page),
            Route(f"{PREFIX}/ui/{{name}}", asset),
            Route(f"{PREFIX}/health", health),
            Route(f"{PREFIX}/errors", errors),
            Route(f"{PREFIX}/scenarios", scenarios),
            Route(f"{PREFIX}/scenario", switch, methods=["PUT"]),
            Route(f"{PREFIX}/workspace", workspace, methods=["GET", "PATCH"]),
            Route(f"{PREFIX}/rules", rules, methods=["GET", "POST", "DELETE"]),
            Route(f"{PREFIX}/rules/{{rule_id}}", rule, methods=["DELETE"]),
            Route(f"{PREFIX}/requests", requests, methods=["GET", "DELETE"]),
            Route(f"{PREFIX}/reset", reset, methods=["POST"]),
            Route(f"{PREFIX}/sessions/{{session_id}}", forget_session, methods=["DELETE"]),
            Route(f"{PREFIX}/openapi.json", openapi),
        ],
        # An Exception handler answers in the envelope; Starlette then re-raises, and
        # MockApp's catch-all logs and records the error.
        exception_handlers={AdminError: admin_error, HTTPException: http_error, Exception: internal_error},
    )
