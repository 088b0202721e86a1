"""In a real headless Chromium: a page on another origin calls the mock with headers that need a preflight.

`traceparent` and `X-Request-Id` are not CORS-safelisted, so Chromium first sends a preflight naming them
in Access-Control-Request-Headers, and sends the request only if the preflight allows them. The page is
served by a tiny HTTP server on its own port (another origin than the mock's). Without a Chromium these
tests skip, with the CI variable set they fail (the helpers come from test_browser).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from mockserver import MockServer, Settings
from tests.conftest import DEMO_KEY
from tests.test_browser import browser

__all__ = ["browser"]  # the Chromium fixture, imported: it skips, or fails under CI, without a Chromium

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
REQUEST_ID = "req-7f3a"

FETCH = """async ([url, headers]) => {
  try {
    const response = await fetch(url, {headers});
    return {status: response.status, body: await response.json(),
            answeredBy: response.headers.get("X-Mock-Answered-By")};
  } catch (error) {
    return {failed: String(error)};
  }
}"""


class _AppPage(BaseHTTPRequestHandler):
    """Answers every GET with an empty HTML page: the frontend app's origin."""

    def do_GET(self) -> None:
        body = b"<!doctype html><html><head><title>frontend app</title></head><body></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def app_origin() -> Iterator[str]:
    """The origin of a frontend app: a tiny page server on its own loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AppPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def app_page(browser: Browser, app_origin: str) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{app_origin}/")
    yield page
    context.close()


def journal(mock: MockServer) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = httpx.get(f"{mock.url}/__mock/requests").json()["data"]["requests"]
    return requests


def test_a_page_on_another_origin_sends_tracing_headers_through_a_preflight(
    app_page: Page, app_origin: str
) -> None:
    with MockServer() as api:
        assert app_origin != api.url  # another port: another origin
        headers = {"X-API-Key": DEMO_KEY, "traceparent": TRACEPARENT, "X-Request-Id": REQUEST_ID}
        seen = app_page.evaluate(FETCH, [f"{api.url}/api/v1/designs?limit=1", headers])
        assert "failed" not in seen, (
            seen
        )  # the browser would refuse the request if the preflight had not allowed it
        assert seen["status"] == 200
        assert seen["answeredBy"] == "simulator"
        assert seen["body"]["status"] == "success"
        assert len(seen["body"]["data"]["items"]) == 1
        (entry,) = journal(api)  # the preflight is answered before the journal: only the request itself
        assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/api/v1/designs", 200)
        assert entry["headers"]["traceparent"] == TRACEPARENT
        assert entry["headers"]["x-request-id"] == REQUEST_ID
        assert entry["headers"]["origin"] == app_origin


def test_a_page_on_a_disallowed_origin_never_gets_its_request_through(app_page: Page) -> None:
    with MockServer(settings=Settings(port=0, cors_origins=("https://app.example",))) as api:
        headers = {"X-API-Key": DEMO_KEY, "traceparent": TRACEPARENT, "X-Request-Id": REQUEST_ID}
        seen = app_page.evaluate(FETCH, [f"{api.url}/api/v1/designs?limit=1", headers])
        assert "failed" in seen  # a TypeError in the page: the preflight did not allow this origin
        assert journal(api) == []  # so Chromium never sent the request
