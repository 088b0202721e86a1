"""MockServer: the mock on a real socket, in a background thread, for tests and scripts."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from . import uvicorn_server
from .app import MockApp
from .control import MockControl
from .errors import ServerStartError
from .settings import Settings, configure

START_TIMEOUT = 10.0


class MockServer(MockControl):
    """Serve a MockApp with uvicorn on a loopback port until `stop()` (or the `with` block ends).

    >>> with MockServer(scenario="out-of-credits") as mock:
    ...     httpx.post(f"{mock.url}/api/v1/designs/dsg_invoice/generate", headers={"X-API-Key": mock.api_key})
    """

    def __init__(self, settings: Settings | None = None, **options: Any) -> None:
        """`settings`, or any of its fields as keywords (`scenario="out-of-credits"`, `journal_limit=5`,
        `scenarios="tests/scenarios"`); keywords win. The port defaults to 0: any free port."""
        self.settings = configure(settings, options, port=0)
        self.app = MockApp(self.settings)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:54321` (what IMAGINEPDF_API_URL should be)."""
        if self._server is None:
            raise ServerStartError("the mock server is not running; call start() or use it in a with block")
        return f"http://{self.settings.host}:{self.port}"

    def start(self) -> MockServer:
        if self._server is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.settings.host, self.settings.port))
        except OSError as exc:
            sock.close()
            raise ServerStartError(
                f"cannot listen on {self.settings.host}:{self.settings.port}: {exc.strerror}"
            ) from None
        self.port = sock.getsockname()[1]
        server = uvicorn_server.server(self.app)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="mockserver", daemon=True
        )
        self._server, self._thread, self._socket = server, thread, sock
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerStartError("the mock server did not start; see the log above")
            time.sleep(0.002)
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        server, thread, sock = self._server, self._thread, self._socket
        self._server = self._thread = self._socket = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=START_TIMEOUT)
        if sock is not None:
            sock.close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
