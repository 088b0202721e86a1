"""The admin JSON API under /__mock/: HTTP adapters over `operations`, plus the control page's files.

Every call acts on the session named by `X-Mock-Session` (or
`?__mock_session=`), the default session otherwise. Answers use the
envelope; what an operation refuses comes back as its catalog error and
message, worded once in `operations`/`validation` for every surface.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import catalog, safejson
from .operations import OperationError, Operations
from .settings import ADMIN_PREFIX as PREFIX
from .simulator.revisions import REVISIONS

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


def _json(document: Any, status: int = 200) -> Response:
    return Response(catalog.encode(document), status, media_type="application/json")


def ok(data: Any, status: int = 200) -> Response:
    return _json(catalog.success_envelope(data), status)


def fail(code: str, message: str | None = None) -> Response:
    entry = catalog.CODES[code]
    return _json(entry.envelope(message), entry.status)


async def _body(request: Request, limit: int, required: bool = True) -> Any:
    """The JSON body, read a chunk at a time and refused past `limit` bytes (never buffered beyond it).

    An empty body is None when not `required`.
    """
    too_large = OperationError(
        "INVALID_INPUT", f"Admin request body is larger than the limit of {limit} bytes."
    )
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
        if not required:
            return None
        raise OperationError("VALIDATION_ERROR", "This admin call takes a JSON body.")
    try:
        return safejson.loads(raw)
    except safejson.JsonProblem as exc:
        detail = f": its {exc.reason} (the limit)" if exc.reason == safejson.TOO_DEEP else "."
        raise OperationError("VALIDATION_ERROR", f"The request body is not valid JSON{detail}") from None


def build(operations: Operations) -> Starlette:
    """The admin API's Starlette app over `operations`."""
    limit = operations.state.settings.max_admin_body_bytes

    def session_of(request: Request) -> str | None:
        return request.headers.get("x-mock-session") or request.query_params.get("__mock_session")

    async def body(request: Request, required: bool = True) -> Any:
        return await _body(request, limit, required)

    async def health(request: Request) -> Response:
        return ok(operations.health(session_of(request)))

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
        return ok(operations.scenarios(session_of(request)))

    async def switch(request: Request) -> Response:
        return ok(operations.use(session_of(request), await body(request)))

    async def workspace(request: Request) -> Response:
        if request.method == "PATCH":
            return ok(operations.patch_workspace(session_of(request), await body(request)))
        return ok(operations.workspace(session_of(request)))

    async def rules(request: Request) -> Response:
        session_id = session_of(request)
        if request.method == "DELETE":
            operations.clear_rules(session_id)
            return ok({"rules": []})
        if request.method == "POST":
            return ok({"ids": operations.add_rules(session_id, await body(request), "admin")}, 201)
        return ok({"rules": operations.rules(session_id)})

    async def rule(request: Request) -> Response:
        return ok(operations.remove_rule(session_of(request), request.path_params["rule_id"]))

    async def requests(request: Request) -> Response:
        session_id = session_of(request)
        if request.method == "DELETE":
            operations.clear_requests(session_id)
            return ok({"requests": []})
        filters = {name: value for name, value in request.query_params.items() if name not in ADMIN_PARAMS}
        entries = operations.requests(session_id, filters)
        return ok({"requests": [entry.to_json() for entry in entries]})

    async def guidance(request: Request) -> Response:
        if request.method == "DELETE":
            return ok(operations.clear_guidance(session_of(request)).to_json())
        return ok(operations.guidance(session_of(request)).to_json())

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            return ok(operations.move_clock(session_of(request), await body(request)))
        return ok(operations.clock(session_of(request)))

    async def forget_session(request: Request) -> Response:
        return ok(operations.forget_session(request.path_params["session_id"]))

    async def reset(request: Request) -> Response:
        return ok(operations.reset(session_of(request), await body(request, required=False)))

    async def page(request: Request) -> Response:
        return Response(_ui("index.html"), media_type="text/html; charset=utf-8")

    async def try_page(request: Request) -> Response:
        return Response(_ui("try.html"), media_type="text/html; charset=utf-8")

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in UI_ASSETS:
            raise OperationError("NOT_FOUND", f"No file {name[:200]!r} in the control page.")
        return Response(_ui(name), media_type=UI_ASSETS[name])

    async def openapi(request: Request) -> Response:
        # The one admin answer without the envelope: OpenAPI tools read the document itself.
        name = request.query_params.get("revision") or operations.session(session_of(request)).revision.name
        if name not in REVISIONS:
            raise OperationError(
                "VALIDATION_ERROR",
                f"?revision: unknown API revision {name[:200]!r}; known: {', '.join(REVISIONS)}",
            )
        from .simulator.openapi import document  # JSON Schema generation: loaded when first asked for

        return _json(document(name))

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, OperationError)
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
            Route(f"{PREFIX}/guidance", guidance, methods=["GET", "DELETE"]),
            Route(f"{PREFIX}/clock", clock, methods=["GET", "POST"]),
            Route(f"{PREFIX}/reset", reset, methods=["POST"]),
            Route(f"{PREFIX}/sessions/{{session_id}}", forget_session, methods=["DELETE"]),
            Route(f"{PREFIX}/openapi.json", openapi),
        ],
        # An Exception handler answers in the envelope; Starlette then re-raises, and
        # MockApp's catch-all logs and records the error.
        exception_handlers={OperationError: refused, HTTPException: http_error, Exception: internal_error},
    )
