"""CORS on every response, so a web app on another localhost port can read all of them, errors included.

MockApp applies it as its outermost layer (it wraps `send`), so catalog
errors, rule replies, faults with a body, admin answers and the answer to an
unexpected exception all carry the headers. By default any loopback origin
(`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`) is allowed,
with credentials; `--cors-origin` replaces that list (`*` allows any origin,
without credentials).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

LOOPBACK = re.compile(r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?\Z")
METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = (
    b"X-API-Key, Authorization, Content-Type, X-Mock-Error, X-Mock-Scenario, X-Mock-Delay, X-Mock-Session"
)
EXPOSE_HEADERS = b"X-Mock-Answered-By, Retry-After, Content-Disposition"
MAX_AGE = b"600"

Headers = list[tuple[bytes, bytes]]


class CorsPolicy:
    """Which origins may read responses, and the headers that tell the browser so."""

    def __init__(self, origins: Sequence[str] = ()) -> None:
        self.any = "*" in origins
        self.origins = frozenset(origin.rstrip("/") for origin in origins if origin != "*")
        self.loopback = not origins

    def allowed(self, origin: str | None) -> bool:
        if not origin:
            return False
        return self.any or origin in self.origins or (self.loopback and LOOPBACK.match(origin) is not None)

    def headers(self, origin: str | None) -> Headers:
        """Headers for an ordinary response to a request from `origin` (none when not allowed)."""
        if not self.allowed(origin):
            return [(b"vary", b"Origin")] if origin else []
        assert origin is not None
        if self.any and origin not in self.origins:
            return [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-expose-headers", EXPOSE_HEADERS),
            ]
        return [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-expose-headers", EXPOSE_HEADERS),
            (b"vary", b"Origin"),
        ]

    def preflight(self, origin: str | None) -> Headers:
        """Headers for the answer to a preflight (OPTIONS with Access-Control-Request-Method)."""
        if not self.allowed(origin):
            return self.headers(origin)
        return [
            *self.headers(origin),
            (b"access-control-allow-methods", METHODS),
            (b"access-control-allow-headers", ALLOW_HEADERS),
            (b"access-control-max-age", MAX_AGE),
        ]
