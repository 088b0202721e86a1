"""Network faults: answers that are not HTTP responses, or are broken ones.

`connection_reset` and `hang` act on the connection itself; the other faults
(`empty_reply`, `malformed_json`, `gateway_html`) are ordinary Outcomes made
by `replies.prepare`. Over a real socket (uvicorn) a reset closes the TCP
connection with RST and no response at all; in-process (httpx.ASGITransport)
there is no connection, so the app raises ConnectionDropped, which the
client sees as a ConnectionResetError.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any

from starlette.types import Receive, Scope, Send

RAW_SEND = "mockserver.raw_send"
"""Scope key under which MockApp keeps the server's own `send` (it carries the transport)."""


class ConnectionDropped(ConnectionResetError):
    """Raised in-process, where there is no connection to reset."""


def _transport(scope: Scope) -> Any:
    """The connection's asyncio transport under uvicorn; None in-process (no connection to reset).

    uvicorn's `send` is a method of its per-request cycle object, which holds the transport; that is
    an internal of uvicorn (pyproject bounds its version, tests/test_packaging.py watches it). Should a
    new uvicorn move it, this raises instead of quietly answering a response where a reset belongs.
    """
    owner = getattr(scope.get(RAW_SEND), "__self__", None)
    if owner is None:
        return None
    transport = getattr(owner, "transport", None)
    if not callable(getattr(transport, "abort", None)):
        raise RuntimeError(
            f"connection_reset: the server's send belongs to {type(owner).__qualname__}, which has no"
            " transport to abort; this uvicorn version is not one mockserver supports (see pyproject.toml)"
        )
    return transport


async def reset(scope: Scope) -> None:
    """Close the connection with a TCP reset and no response."""
    transport = _transport(scope)
    if transport is None:
        raise ConnectionDropped("mockserver fault: connection_reset")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    await asyncio.sleep(0)  # let the server notice, so it does not try to answer


class Stopping:
    """Set once the server begins to stop: pending hangs and delays end at once instead of holding it up.

    Used from the server's event loop only (waiters are futures of the loop that made them).
    """

    def __init__(self) -> None:
        self.begun = False
        self._waiters: set[asyncio.Future[None]] = set()

    def begin(self) -> None:
        """The server is stopping: wake every pending `sleep`."""
        self.begun = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def sleep(self, seconds: float) -> bool:
        """Wait `seconds`, or until the server begins to stop; True when cut short by the stop."""
        if self.begun:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            async with asyncio.timeout(seconds):
                await waiter
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters.discard(waiter)


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def hang(scope: Scope, receive: Receive, send: Send, bound: float, stopping: Stopping) -> None:
    """Answer nothing until the client gives up; reset after `bound` seconds or when the server stops."""
    gone = asyncio.ensure_future(_disconnect(receive))
    held = asyncio.ensure_future(stopping.sleep(bound))
    try:
        await asyncio.wait((gone, held), return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        held.cancel()
    if gone.done() and not gone.cancelled() and gone.exception() is None:
        return
    await reset(scope)
