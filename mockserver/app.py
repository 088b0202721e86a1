"""The ASGI application: admin under /__mock/, every other request through `dispatch`.

`dispatch` is the request path: read the body, let a rule answer, else the
simulator; the outermost layer turns any escaped exception into the
catalog's INTERNAL_ERROR envelope, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import Message, Receive, Scope, Send

from .admin import PREFIX
from .admin import build as build_admin
from .errors import ServerStartError
from .exchange import Incoming, Outcome
from .loader import ScenarioSet, load
from .replies import error_outcome, send_outcome
from .rules import choose
from .sessions import Session, SessionStore
from .settings import Settings

logger = logging.getLogger("mockserver")


class BodyTooLarge(Exception):
    pass


class MockApp:
    """One mock server's application and all of its state."""

    def __init__(self, settings: Settings | None = None, scenarios: ScenarioSet | None = None) -> None:
        self.settings = settings or Settings()
        self.scenarios = scenarios if scenarios is not None else load(self.settings.scenarios)
        try:
            self.sessions = SessionStore(self.scenarios, self.settings.scenario, self.settings.seed)
        except KeyError as exc:
            raise ServerStartError(str(exc.args[0])) from None
        self.internal_errors: list[str] = []
        self._admin = build_admin(self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await _lifespan(receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        path: str = scope["path"]
        try:
            if path == PREFIX or path.startswith(PREFIX + "/"):
                await self._admin(scope, receive, tracked)
            else:
                await self.dispatch(scope, receive, tracked)
        except Exception as exc:  # the catch-all: a client never sees a traceback
            logger.exception("internal error answering %s %s", scope.get("method"), path)
            self.internal_errors.append(f"{scope.get('method')} {path}: {exc!r}")
            if not started:
                outcome = error_outcome(
                    "INTERNAL_ERROR", "mockserver", "The mock server failed unexpectedly; see its log."
                )
                await send_outcome(outcome, send, [])

    async def dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            body = await _read_body(receive, self.settings.max_body_bytes)
        except BodyTooLarge:
            limit = self.settings.max_body_bytes
            outcome = error_outcome(
                "INVALID_INPUT", "mockserver", f"Request body is larger than the limit of {limit} bytes."
            )
            await send_outcome(outcome, send, [])
            return
        incoming = Incoming(
            scope["method"],
            scope["path"],
            scope["query_string"].decode("latin-1"),
            _headers(scope),
            body,
        )
        outcome = await self.answer(incoming, self.sessions.get())
        await send_outcome(outcome, send, [])

    async def answer(self, incoming: Incoming, session: Session) -> Outcome:
        """A rule's reply, or the simulator's."""
        with session.lock:
            choice = choose(session.scenario.rules, incoming, session.hits, session.rng)
        if choice is not None:
            if choice.delay:
                await asyncio.sleep(choice.delay)
            if choice.outcome is not None:
                return choice.outcome
        return self.simulate(incoming, session)

    def simulate(self, incoming: Incoming, session: Session) -> Outcome:
        """Until the simulator exists: no rule took the request, so it is not found."""
        return error_outcome(
            "NOT_FOUND",
            "simulator",
            f"No rule in scenario '{session.scenario.name}' matches {incoming.method} {incoming.path}.",
        )


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


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_app(settings: Settings | None = None) -> MockApp:
    """Load the scenarios named by `settings` and build the application.

    Raises ScenarioError when a scenario file is broken and ServerStartError
    when the chosen scenario does not exist.
    """
    return MockApp(settings)
