"""The ASGI application: CORS outermost, the admin API under /__mock/, every other request to the pipeline.

`MockApp` holds a mock's state (`state.py`), the operations that steer it
(`operations.py`, behind the admin API and the Python controls) and the
pipeline that answers API requests (`pipeline.py`). This module only routes:
CORS preflights, the admin API (with its token), the pipeline; plus the ASGI
lifespan (hot reload) and WebSocket refusals. An exception that escapes the
admin API is answered with the catalog's INTERNAL_ERROR, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from starlette.types import Message, Receive, Scope, Send

from . import faults
from .clock import utc_now
from .cors import CorsPolicy
from .faults import RAW_SEND
from .loader import ScenarioSet
from .operations import Operations
from .overrides import split_query
from .pipeline import INTERNAL_ERROR_MESSAGE, Pipeline
from .reload import watch
from .replies import error_outcome, send_outcome, wire_headers
from .sessions import SessionStore
from .settings import ADMIN_PREFIX as PREFIX
from .settings import Settings
from .simulator.dispatch import Simulator
from .state import MockState

if TYPE_CHECKING:
    from starlette.applications import Starlette

logger = logging.getLogger("mockserver")


class MockApp:
    """One mock server's application: the ASGI entry over its state, operations and pipeline."""

    def __init__(
        self,
        settings: Settings | None = None,
        scenarios: ScenarioSet | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.state = MockState(settings or Settings(), scenarios, clock)
        self.operations = Operations(self.state)
        self.pipeline = Pipeline(self.state)
        self.cors = CorsPolicy(self.settings.cors_origins)
        self._admin: Starlette | None = None  # built on the first admin request: serving needs none of it

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.state.settings = settings

    @property
    def sessions(self) -> SessionStore:
        return self.state.sessions

    @property
    def scenarios(self) -> ScenarioSet:
        return self.state.scenarios

    @property
    def simulator(self) -> Simulator:
        return self.state.simulator

    @property
    def stopping(self) -> faults.Stopping:
        return self.state.stopping

    @property
    def internal_errors(self) -> list[str]:
        """Exceptions that escaped while answering, in any session (the newest 100)."""
        return self.state.internal_errors.lines()

    @property
    def reload_problems(self) -> list[str]:
        """Problems of the last failed reload (`file:line:col: message`); empty when the files are good."""
        return self.state.reload_problems

    @property
    def admin(self) -> Starlette:
        """The admin API's Starlette app, built on first use: serving the API needs none of it."""
        if self._admin is None:
            from .admin import build

            self._admin = build(self.operations)
        return self._admin

    def _admin_allowed(self, scope: Scope, headers: dict[str, str]) -> bool:
        token = self.settings.admin_token
        if token is None or scope["path"].startswith(f"{PREFIX}/ui/"):  # static files hold no secrets
            return True
        given = headers.get("x-mock-admin-token")
        if given is None:
            _, controls = split_query(scope["query_string"].decode("latin-1"))
            given = controls.get("token")
        return given is not None and hmac.compare_digest(given.encode(), token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[RAW_SEND] = send
            try:
                await self._http(scope, receive, send)
            except asyncio.CancelledError:
                if not self.stopping.begun:
                    raise
                # Cut off by uvicorn after shutdown_seconds: end the connection quietly, no traceback.
                logger.warning("stopping: cut off %s %s, still running", scope["method"], scope["path"])
                await faults.reset(scope)
            finally:
                # uvicorn's send is a method of its per-request object, which holds this scope: left in,
                # it makes a reference cycle per request, and the garbage collector's passes to free
                # them cost about a quarter of the throughput (benchmarks/RESULTS.md, issue 17).
                del scope[RAW_SEND]
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, raw_send: Send) -> None:
        headers = _headers(scope)
        origin = headers.get("origin")
        cors = self.cors.headers(origin)

        send = raw_send
        if cors:  # a request from a browser page: one more layer, no cost to the others

            async def send(message: Message) -> None:
                # The outermost layer: every response, the catch-all's included, gets the CORS headers.
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", ()), *cors]}
                await raw_send(message)

        path: str = scope["path"]
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            preflight = [
                *self.cors.preflight(origin, headers.get("access-control-request-headers")),
                (b"content-length", b"0"),
                (b"x-mock-answered-by", b"cors"),
            ]
            await raw_send({"type": "http.response.start", "status": 204, "headers": preflight})
            await raw_send({"type": "http.response.body", "body": b""})
            return
        if not (self.settings.admin and (path == PREFIX or path.startswith(PREFIX + "/"))):
            await self.pipeline.handle(scope, receive, send, headers)
        elif self._admin_allowed(scope, headers):
            await self._admin_call(scope, receive, send, headers)
        else:
            refusal = error_outcome(
                "UNAUTHORIZED",
                "mockserver",
                "The admin API needs the admin token: header X-Mock-Admin-Token, or ?__mock_token=.",
            )
            await send_outcome(refusal, send, scope["method"])

    async def _admin_call(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        """The admin API; an exception that escapes it is answered in the envelope and recorded."""
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.admin(scope, receive, _answered_by(tracked, b"admin"))
        except Exception as exc:  # the catch-all: a client never sees a traceback
            logger.exception("internal error answering %s %s", scope["method"], scope["path"])
            session_id = headers.get("x-mock-session") or split_query(
                scope["query_string"].decode("latin-1")
            )[1].get("session")
            self.operations.internal_error(session_id, f"{scope['method']} {scope['path']}: {exc!r}")
            if not started:
                outcome = error_outcome("INTERNAL_ERROR", "mockserver", INTERNAL_ERROR_MESSAGE)
                await send_outcome(outcome, send, scope["method"])

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """No route speaks WebSocket: refuse the handshake with the catalog's 404, like any unknown path.

        The refusal goes out as an HTTP response through the ASGI "WebSocket Denial Response"
        extension (uvicorn offers it with all of its WebSocket implementations); without it, all an
        app can do is close, which the server turns into a bare 403.
        """
        if (await receive())["type"] != "websocket.connect":
            return
        if "websocket.http.response" not in (scope.get("extensions") or {}):
            await send({"type": "websocket.close", "code": 1008})
            return
        outcome = error_outcome(
            "NOT_FOUND", "mockserver", "This server has no WebSocket endpoints; its API is plain HTTP."
        )
        headers = [*wire_headers(outcome), *self.cors.headers(_headers(scope).get("origin"))]
        await send({"type": "websocket.http.response.start", "status": outcome.status, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": outcome.body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        watcher: asyncio.Task[None] | None = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # Scenarios, compiled rules and the catalog live as long as the server: keep the
                # garbage collector from walking them again and again (matters with 10,000 rules).
                gc.freeze()
                folder = self.settings.scenarios
                if self.settings.reload and folder is not None and folder.is_dir():
                    watcher = asyncio.create_task(watch(self.operations, folder))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if watcher is not None:
                    watcher.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await watcher
                if self.state.console is not None:
                    self.state.console.stop()  # the last request lines out before the process ends
                await send({"type": "lifespan.shutdown.complete"})
                return


def _answered_by(send: Send, who: bytes) -> Send:
    """`send` that adds X-Mock-Answered-By to the response start (for answers not made from an Outcome)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), (b"x-mock-answered-by", who)]}
        await send(message)

    return sending


def _headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lowercase name, a repeated name's values joined with ", "."""
    raw = scope["headers"]
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in raw}
    if len(headers) < len(raw):  # a name came more than once: join its values, in order
        headers = {}
        for raw_name, raw_value in raw:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def create_app(settings: Settings | None = None) -> MockApp:
    """Load the scenarios named by `settings` and build the application.

    Raises ScenarioError when a scenario file is broken and ServerStartError
    when the chosen scenario does not exist.
    """
    return MockApp(settings)
