"""The admin JSON API under /__mock/: read and steer the running mock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import catalog
from .version import __version__

if TYPE_CHECKING:
    from .app import MockApp

PREFIX = "/__mock"


def _json(document: Any, status: int = 200) -> Response:
    return Response(catalog.encode(document), status, media_type="application/json")


def ok(data: Any, status: int = 200) -> Response:
    return _json(catalog.success_envelope(data), status)


def fail(code: str, message: str | None = None) -> Response:
    entry = catalog.CODES[code]
    return _json(entry.envelope(message), entry.status)


def build(mock: MockApp) -> Starlette:
    async def health(request: Request) -> Response:
        return ok({"status": "ok", "version": __version__})

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
        active = mock.sessions.get().scenario.name
        return ok(
            {
                "scenarios": [
                    {
                        "name": s.name,
                        "description": s.description,
                        "source": s.source,
                        "rules": len(s.rules),
                        "active": s.name == active,
                    }
                    for s in mock.scenarios.scenarios.values()
                ]
            }
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status == 405:
            return fail("NOT_FOUND", f"{request.method} is not supported on {request.url.path}.")
        return fail("NOT_FOUND", f"No admin endpoint at {request.url.path}.")

    return Starlette(
        routes=[
            Route(f"{PREFIX}/health", health),
            Route(f"{PREFIX}/errors", errors),
            Route(f"{PREFIX}/scenarios", scenarios),
        ],
        exception_handlers={HTTPException: http_error},
    )
