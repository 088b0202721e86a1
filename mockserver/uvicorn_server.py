"""How mockserver runs under uvicorn: the one place for server settings (CLI, MockServer, benchmarks).

uvicorn answers a request its HTTP parser rejects (an unknown method such as
`BREW`, a malformed request line or header) itself, with a plain-text 400.
The protocol below answers those in the catalog's envelope instead, so a
client never meets a body it cannot parse.

`Server` stops promptly: as soon as uvicorn begins to shut down it ends the
app's pending `hang` faults and delays (which would otherwise hold their
connections open for up to `--hang-seconds` or 600 s), and whatever still runs
after `shutdown_seconds` is cancelled by uvicorn.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from . import catalog
from .app import MockApp


class EnvelopeHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with its 400 for unparsable requests in the envelope."""

    def send_400_response(self, msg: str) -> None:
        body = catalog.encode(
            catalog.error_envelope("VALIDATION_ERROR", f"Not a valid HTTP request ({msg.rstrip('.')}).")
        )
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head += [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"x-mock-answered-by: mockserver\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


class Server(uvicorn.Server):
    """uvicorn's server, calling `on_stop` as it begins to shut down (before it waits for requests)."""

    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], None] | None = None) -> None:
        super().__init__(config)
        self.on_stop = on_stop

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.on_stop is not None:
            self.on_stop()
        await super().shutdown(sockets)


def server(app: MockApp, **options: Any) -> Server:
    """A server for `app`: its hangs and delays end when it stops, which takes at most shutdown_seconds."""
    return Server(
        config(app, timeout_graceful_shutdown=app.settings.shutdown_seconds, **options), app.stopping.begin
    )


def config(app: Any, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration every mockserver process uses."""
    settings: dict[str, Any] = {
        "log_level": "warning",
        "access_log": False,
        "lifespan": "on",
        "http": EnvelopeHttpToolsProtocol,
    }
    settings.update(options)
    return uvicorn.Config(app, **settings)
