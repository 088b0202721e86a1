"""The life of one API request: read it, answer it, deliver the answer, record it — whatever happens.

`Pipeline.handle` owns all of it, so the catch-all and the journal write sit
together: a request that makes the simulator raise is answered with the
catalog's INTERNAL_ERROR and journaled as such; a `connection_reset` is
journaled whether it resets a socket or, in-process, raises ConnectionDropped;
a `hang` is journaled when it ends.

Beside the journal write, the exchange goes to the session's guidance checker
(`guidance.Checker`, see `_check`), and a finding it makes is logged at once.
The added cost per request is small: the body digest is computed only when the
checker can use it (a failed answer, or a request to where a failure is
remembered); a success that follows nothing remembered is not even tracked.

The order of precedence for the answer: a refusal (bad override, oversize
body), then the request's overrides, then the session's run-time rules, then
the scenario's rules, then the simulator.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from . import faults
from .credentials import mask, mask_header
from .exchange import Incoming, Outcome
from .guidance import Exchange, Finding, body_digest, is_failure, parse_retry_after, request_target
from .overrides import NONE as NO_OVERRIDES
from .overrides import OverrideError, Overrides, split_query
from .overrides import read as read_overrides
from .replies import error_outcome, response_messages, send_outcome, stamped
from .rules import choose
from .sessions import DEFAULT_SESSION, Session
from .settings import Settings
from .state import MockState

logger = logging.getLogger("mockserver")

INTERNAL_ERROR_MESSAGE = "The mock server failed unexpectedly; see its log."
TARGET_LIMIT = 2048
"""Characters of a request target (path and query) the guidance checks keep; a longer one is cut."""


class BodyTooLarge(Exception):
    pass


class Pipeline:
    """Answers and records the API requests of one mock (everything outside /__mock/)."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    async def handle(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        """Answer one request and journal it (`headers`: lowercased names, repeated ones joined)."""
        state = self.state
        settings = state.settings
        arrived = time.time()
        began = time.perf_counter()
        started = False  # True once an answer may have begun to go out: a second one must not follow

        query_string, controls = split_query(scope["query_string"].decode("latin-1"))
        incoming = Incoming(scope["method"], scope["path"], query_string)
        incoming.headers = headers  # already lowercased by the app: not copied again per request
        incoming.server = scope.get("server")
        refused: Outcome | None = None
        overrides = NO_OVERRIDES
        try:
            overrides = read_overrides(headers, controls, state.scenarios)
        except OverrideError as exc:
            refused = error_outcome("VALIDATION_ERROR", "override", str(exc))
        session = state.sessions.checkout(overrides.session or DEFAULT_SESSION)
        outcome: Outcome | None = None
        try:  # busy until recorded: a session is not evicted while one of its requests is answered
            try:
                incoming.body = await _read_body(receive, settings.max_body_bytes)
                outcome = refused or await self.answer(incoming, session, overrides)
                if outcome.fault is None:  # the common case: sent here, with no layer over `send`
                    start, body = response_messages(outcome, incoming.method)
                    started = True
                    await send(start)
                    await send(body)
                else:

                    async def tracked(message: Message) -> None:
                        nonlocal started
                        started = started or message["type"] == "http.response.start"
                        await send(message)

                    await self.deliver(outcome, scope, receive, tracked, incoming.method)
            except BodyTooLarge:
                limit = settings.max_body_bytes
                outcome = error_outcome(
                    "INVALID_INPUT", "mockserver", f"Request body is larger than the limit of {limit} bytes."
                )
                await send_outcome(outcome, send, incoming.method)
            except faults.ConnectionDropped:
                raise  # an in-process reset: the client sees it; the finally below journals it
            except Exception as exc:  # the catch-all: a client never sees a traceback
                logger.exception("internal error answering %s %s", incoming.method, incoming.path)
                state.internal_error(session, f"{incoming.method} {incoming.path}: {exc!r}")
                outcome = error_outcome("INTERNAL_ERROR", "mockserver", INTERNAL_ERROR_MESSAGE)
                if not started:
                    await send_outcome(outcome, send, incoming.method)
        finally:
            if outcome is None:  # cancelled (the server stopped) before an answer was chosen
                outcome = error_outcome("INTERNAL_ERROR", "mockserver", "The mock server stopped first.")
            duration = time.perf_counter() - began
            with session.lock:
                request_id = None
                if session.journal.limit:
                    scenario = overrides.scenario or session.scenario
                    added = session.added_index
                    request_id = session.journal.record(incoming, outcome, duration, scenario, added)
                found = _check(session, incoming, outcome, scope, arrived, duration, request_id)
            state.sessions.release(session)
            if state.console is not None:
                state.console.add(incoming, outcome)
                for finding in found:
                    state.console.note(_finding_line(finding))

    async def deliver(
        self, outcome: Outcome, scope: Scope, receive: Receive, send: Send, method: str
    ) -> None:
        """Act out `outcome`'s fault on the connection (the pipeline sends an answer without one itself);
        a fault that is neither a reset nor a hang is sent as the answer it is."""
        if outcome.fault == "connection_reset":
            await faults.reset(scope)
        elif outcome.fault == "hang":
            await faults.hang(scope, receive, send, self.state.settings.hang_seconds, self.state.stopping)
        else:
            await send_outcome(outcome, send, method)

    async def answer(
        self, incoming: Incoming, session: Session, overrides: Overrides = NO_OVERRIDES
    ) -> Outcome:
        """An override's answer, else a rule's reply (run-time rules first), else the simulator's."""
        session.revision.classify(incoming)
        stopping = self.state.stopping
        if overrides.delay:
            await stopping.sleep(overrides.delay)
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
                await stopping.sleep(choice.delay)
            outcome = choice.outcome
            if outcome is not None:
                return outcome if outcome.retry_after_date is None else stamped(outcome, session.clock.now())
        return self.simulate(incoming, session)

    def simulate(self, incoming: Incoming, session: Session) -> Outcome:
        """The simulator's answer from the session's workspace, at the session's time.

        Links are made under the request's Host; without one (HTTP/1.0), under the address the
        request arrived at (`incoming.server`), never the configured port, which is 0 when the
        system picked it.
        """
        host = incoming.headers.get("host") or _authority(incoming.server, self.state.settings)
        with session.lock:
            return self.state.simulator.answer(
                incoming, session.workspace, f"http://{host}", session.revision, session.clock
            )


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


def _credential(headers: Mapping[str, str]) -> tuple[str | None, str]:
    """The API key or bearer token a request carries, and the header it came in ((None, "") without)."""
    key = headers.get("x-api-key")
    if key is not None:
        key = key.strip()
        if key:
            return key, "x-api-key"
    value = headers.get("authorization")
    if value is not None:
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip(), "authorization"
    return None, ""


def _check(
    session: Session,
    incoming: Incoming,
    outcome: Outcome,
    scope: Scope,
    arrived: float,
    duration: float,
    request_id: int | None,
) -> list[Finding]:
    """Feed one answered request to the session's guidance checker (under the session's lock); the new
    findings, kept in the session. `arrived`: epoch seconds; `request_id`: the journal entry's id.

    A success that concerns nothing the checker remembers (the common case) costs a few look-ups:
    `Checker.quick` takes it before any Exchange, digest or masked name is made.
    """
    log = session.guidance
    log.serial += 1
    credential, header = _credential(incoming.headers)
    if credential is None:
        address = scope.get("client")
        name = str(address[0]) if address else "unknown client"
    else:
        name = credential  # shown masked, below
    fault = outcome.fault or outcome.broken
    status = outcome.status or None  # 0: a reset or a hang sent no answer
    method, query = incoming.method, incoming.query_string
    target = request_target(incoming.path, query) if query else incoming.path
    if len(target) > TARGET_LIMIT:  # kept in findings: cut, with a digest of the rest to tell them apart
        target = target[: TARGET_LIMIT - 20] + "…" + hashlib.sha256(target.encode()).hexdigest()[:16]
    checker = log.checker
    failed = is_failure(status, fault)
    if not failed and checker.quick(name, credential, method, target, status):
        return []
    digest = ""
    if failed or checker.wants_digest(name, method, target):
        digest = body_digest(incoming.body, incoming.headers.get("content-type"))
    retry_after = None
    for header_name, value in outcome.headers:
        if header_name.lower() == "retry-after":  # a date is against the session's clock, which stamped it
            now = 0.0 if value.strip().isdigit() else session.clock.now().timestamp()
            retry_after = parse_retry_after(value, now)
    if credential is not None:
        sent = incoming.headers[header]
        shown_header, shown_value, name = log.shown
        if shown_value != sent or shown_header != header:
            name = mask_header(header, sent) if header == "authorization" else mask(credential)
            log.shown = (header, sent, name)
    exchange = Exchange(
        request_id if request_id is not None else log.serial,
        arrived,
        name,
        method,
        target,
        incoming.operation,
        digest,
        status,
        outcome.code,
        fault,
        retry_after,
        credential,
        duration,
    )
    found = checker.add(exchange)
    if found:
        log.keep(found)
    return found


def _finding_line(finding: Finding) -> str:
    ids = " ".join(f"#{ref.id}" for ref in finding.requests)
    return (
        f"guidance [{finding.id}] {finding.client}: {finding.request} ({ids}): {finding.detail}"
        f" — fix: {finding.fix}"
    )


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
