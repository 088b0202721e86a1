"""The ASGI application: admin under /__mock/, every other request through `dispatch`.

`dispatch` is the request path: read the body, let a rule answer, else the
simulator; the outermost layer turns any escaped exception into the
catalog's INTERNAL_ERROR envelope, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from . import faults
from .admin import PREFIX
from .admin import build as build_admin
from .cors import CorsPolicy
from .errors import ServerStartError
from .exchange import Incoming, Outcome
from .faults import RAW_SEND, ConnectionDropped
from .loader import LoadCache, ScenarioSet, load
from .overrides import NONE as NO_OVERRIDES
from .overrides import OverrideError, Overrides, split_query
from .overrides import read as read_overrides
from .reload import watch
from .replies import error_outcome, send_outcome
from .rules import choose
from .sessions import DEFAULT_SESSION, Session, SessionStore
from .settings import Settings
from .simulator.dispatch import Simulator
from .simulator.revisions import REVISIONS

logger = logging.getLogger("mockserver")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class BodyTooLarge(Exception):
    pass


class MockApp:
    """One mock server's application and all of its state."""

    def __init__(
        self,
        settings: Settings | None = None,
        scenarios: ScenarioSet | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.settings = settings or Settings()
        self.cors = CorsPolicy(self.settings.cors_origins)
        self.simulator = Simulator(clock, self.settings.batch_seconds)
        watched = self.settings.reload and self.settings.scenarios is not None
        self.load_cache = LoadCache() if watched else None
        """Files read so far, by path and stamp, so a reload parses only the files that changed."""
        self.scenarios = (
            scenarios if scenarios is not None else load(self.settings.scenarios, self.load_cache)
        )
        if self.settings.api_revision not in REVISIONS:
            raise ServerStartError(
                f"unknown API revision {self.settings.api_revision!r}; known: {', '.join(REVISIONS)}"
            )
        try:
            self.sessions = SessionStore(
                self.scenarios,
                self.settings.scenario,
                self.settings.seed,
                self.settings.journal_limit,
                self.settings.api_revision,
                self.settings.max_sessions,
            )
        except KeyError as exc:
            raise ServerStartError(str(exc.args[0])) from None
        self.internal_errors: list[str] = []
        """Every exception that escaped while answering (the pytest plugin fails tests on them)."""
        self.reload_problems: list[str] = []
        """Problems of the last failed reload (`file:line:col: message`); empty when the files are good."""
        self.removed_scenarios: dict[str, str] = {}
        """Scenarios whose file a reload found gone, by name: the file they came from."""
        self.stopping = faults.Stopping()
        """Begun when the server stops: pending hangs and delays end at once."""
        self._admin = build_admin(self)

    def _admin_allowed(self, scope: Scope, headers: dict[str, str]) -> bool:
        token = self.settings.admin_token
        if token is None or scope["path"].startswith(f"{PREFIX}/ui/"):  # static files hold no secrets
            return True
        given = headers.get("x-mock-admin-token")
        if given is None:
            _, controls = split_query(scope["query_string"].decode("latin-1"))
            given = controls.get("token")
        return given is not None and hmac.compare_digest(given.encode(), token.encode())

    def use_scenarios(self, scenarios: ScenarioSet) -> None:
        """Serve a new scenario set (after a reload); session state is kept."""
        for name, old in self.scenarios.scenarios.items():
            if name not in scenarios:
                self.removed_scenarios[name] = old.source
        for name in scenarios.scenarios:
            self.removed_scenarios.pop(name, None)
        self.scenarios = scenarios
        self.sessions.reload(scenarios)
        self.reload_problems = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                await self._http(scope, receive, send)
            except asyncio.CancelledError:
                if not self.stopping.begun:
                    raise
                # Cut off by uvicorn after shutdown_seconds: end the connection quietly, no traceback.
                logger.warning("stopping: cut off %s %s, still running", scope["method"], scope["path"])
                await faults.reset(scope)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, raw_send: Send) -> None:
        started = False
        headers = _headers(scope)
        origin = headers.get("origin")
        cors = self.cors.headers(origin)

        async def send(message: Message) -> None:
            # The outermost layer: every response, the catch-all's included, gets the CORS headers.
            if message["type"] == "http.response.start" and cors:
                message = {**message, "headers": [*message.get("headers", ()), *cors]}
            await raw_send(message)

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        scope[RAW_SEND] = raw_send
        path: str = scope["path"]
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            preflight = [
                *self.cors.preflight(origin),
                (b"content-length", b"0"),
                (b"x-mock-answered-by", b"cors"),
            ]
            await raw_send({"type": "http.response.start", "status": 204, "headers": preflight})
            await raw_send({"type": "http.response.body", "body": b""})
            return
        try:
            if self.settings.admin and (path == PREFIX or path.startswith(PREFIX + "/")):
                if self._admin_allowed(scope, headers):
                    await self._admin(scope, receive, _answered_by(tracked, b"admin"))
                else:
                    refusal = error_outcome(
                        "UNAUTHORIZED",
                        "mockserver",
                        "The admin API needs the admin token: header X-Mock-Admin-Token, or ?__mock_token=.",
                    )
                    await send_outcome(refusal, tracked, scope["method"])
            else:
                await self.dispatch(scope, receive, tracked, headers)
        except ConnectionDropped:
            raise
        except Exception as exc:  # the catch-all: a client never sees a traceback
            logger.exception("internal error answering %s %s", scope.get("method"), path)
            self.internal_errors.append(f"{scope.get('method')} {path}: {exc!r}")
            if not started:
                outcome = error_outcome(
                    "INTERNAL_ERROR", "mockserver", "The mock server failed unexpectedly; see its log."
                )
                await send_outcome(outcome, send, scope["method"])

    async def dispatch(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        """Read the request, apply its overrides, answer it, record it (`headers`: lowercased names)."""
        began = time.perf_counter()
        query_string, controls = split_query(scope["query_string"].decode("latin-1"))
        refused: Outcome | None = None
        try:
            overrides = read_overrides(headers, controls, self.scenarios)
        except OverrideError as exc:
            overrides, refused = NO_OVERRIDES, error_outcome("VALIDATION_ERROR", "override", str(exc))
        session = self.sessions.checkout(overrides.session or DEFAULT_SESSION)
        try:  # busy until recorded: a session is not evicted while one of its requests is answered
            try:
                body = await _read_body(receive, self.settings.max_body_bytes)
            except BodyTooLarge:
                body = b""
                limit = self.settings.max_body_bytes
                refused = refused or error_outcome(
                    "INVALID_INPUT", "mockserver", f"Request body is larger than the limit of {limit} bytes."
                )
            incoming = Incoming(scope["method"], scope["path"], query_string, headers, body)
            incoming.server = scope.get("server")
            outcome = refused or await self.answer(incoming, session, overrides)
            if outcome.fault == "connection_reset":
                await faults.reset(scope)
            elif outcome.fault == "hang":
                await faults.hang(scope, receive, send, self.settings.hang_seconds, self.stopping)
            else:
                await send_outcome(outcome, send, incoming.method)
            if session.journal.limit:
                scenario = overrides.scenario or session.scenario
                with session.lock:
                    session.journal.record(incoming, outcome, began, scenario, session.added_index)
        finally:
            self.sessions.release(session)
        if self.settings.log_requests:
            _log(incoming, outcome)

    async def answer(
        self, incoming: Incoming, session: Session, overrides: Overrides = NO_OVERRIDES
    ) -> Outcome:
        """An override's answer, else a rule's reply (run-time rules first), else the simulator's."""
        session.revision.classify(incoming)
        if overrides.delay:
            await self.stopping.sleep(overrides.delay)
        if overrides.error is not None:
            return error_outcome(overrides.error, f"override {overrides.source}")
        scenario = overrides.scenario or session.scenario
        with session.lock:
            choice = (
                choose(session.added_index, incoming, session.hits, session.rng) if session.added else None
            )
            if choice is None:
                choice = choose(scenario.rules, incoming, session.hits, session.rng)
        if choice is not None:
            if choice.delay:
                await self.stopping.sleep(choice.delay)
            if choice.outcome is not None:
                return choice.outcome
        return self.simulate(incoming, session)

    def simulate(self, incoming: Incoming, session: Session) -> Outcome:
        """The simulator's answer from the session's workspace.

        Links are made under the request's Host; without one (HTTP/1.0), under the address the
        request arrived at (`incoming.server`), never the configured port, which is 0 when the
        system picked it.
        """
        host = incoming.headers.get("host") or _authority(incoming.server, self.settings)
        with session.lock:
            return self.simulator.answer(incoming, session.workspace, f"http://{host}", session.revision)

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
        headers = [
            (b"content-type", outcome.media_type.encode("latin-1")),
            (b"content-length", str(len(outcome.body)).encode("latin-1")),
            (b"x-mock-answered-by", outcome.answered_by.encode("latin-1")),
            *self.cors.headers(_headers(scope).get("origin")),
        ]
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
                    watcher = asyncio.create_task(watch(self, folder))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if watcher is not None:
                    watcher.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await watcher
                await send({"type": "lifespan.shutdown.complete"})
                return


def _answered_by(send: Send, who: bytes) -> Send:
    """`send` that adds X-Mock-Answered-By to the response start (for answers not made from an Outcome)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), (b"x-mock-answered-by", who)]}
        await send(message)

    return sending


def _authority(server: Sequence[Any] | None, settings: Settings) -> str:
    """`host:port` for links when a request has no Host header: where it arrived, else the settings.

    A configured port of 0 (the system picks one) is never written: only `server` knows the port.
    """
    if server is not None and len(server) == 2 and server[1]:
        host, port = str(server[0]), int(server[1])
    else:
        host, port = settings.host, settings.port
    name = f"[{host}]" if ":" in host else host
    return f"{name}:{port}" if port else name


def _log(incoming: Incoming, outcome: Outcome) -> None:
    what = outcome.fault or " ".join(str(part) for part in (outcome.status, outcome.code) if part)
    by = outcome.answered_by
    source = by if by == "simulator" or by.startswith(("override", "mockserver")) else f"rule {by}"
    operation = f" [{incoming.operation}]" if incoming.operation else ""
    logger.info("%s %s%s → %s (%s)", incoming.method, incoming.path, operation, what, source)


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def create_app(settings: Settings | None = None) -> MockApp:
    """Load the scenarios named by `settings` and build the application.

    Raises ScenarioError when a scenario file is broken and ServerStartError
    when the chosen scenario does not exist.
    """
    return MockApp(settings)
