"""CORS on every response, so a web app on another localhost port can read all of them, errors included.

MockApp applies it as its outermost layer (it wraps `send`), so catalog
errors, rule replies, faults with a body, admin answers and the answer to an
unexpected exception all carry the headers. By default any loopback origin
(`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`) is allowed,
with credentials; `--cors-origin` replaces that list (`*` allows any origin,
without credentials).

A preflight from an allowed origin is answered 204 on every path, allowing the
mock's own headers (ALLOW_HEADERS) and every header the browser names in
`Access-Control-Request-Headers` (tracing headers such as `traceparent`,
`sentry-trace`, `baggage`, an app's own `X-Request-Id`), as Starlette's
`CORSMiddleware` does with `allow_headers=["*"]`. What is echoed is bounded:
the value must be a comma list of header-name tokens, at most
MAX_REQUESTED_CHARS characters and MAX_REQUESTED_NAMES names. A value that is
not is not echoed at all: the preflight then allows ALLOW_HEADERS only, so the
browser blocks the request unless it carries only those (no browser sends such
a value; a hostile client gets nothing of its own text back). The answer
varies with `Access-Control-Request-Headers`, and says so in `Vary`.

Why not Starlette's `CORSMiddleware` (it is a dependency already):
- it echoes `Access-Control-Request-Headers` whole and unchecked, so bounding
  the echo means overriding its preflight anyway;
- one `allow_credentials` for every origin: it cannot say "credentials for the
  loopback default and for listed origins, none for `*`", and it adds the
  credentials and expose headers to answers for disallowed origins too;
- it answers a disallowed preflight 400 with a text body and an allowed one
  200 "OK", without the documented `X-Mock-Answered-By: cors`;
- it covers HTTP only; the WebSocket refusal (an HTTP answer too) would
  still need this module;
- it must wrap MockApp, so the object uvicorn, `MockServer`, `MockAsgi` and
  the tests hold would be the wrapper, not the app.
The guarantee that matters, CORS on every response the app sends, holds most
simply where it is: the `send` wrapper at the top of MockApp's HTTP path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

LOOPBACK = re.compile(r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?\Z")
METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = (
    b"X-API-Key, Authorization, Content-Type, X-Mock-Error, X-Mock-Scenario, X-Mock-Delay, X-Mock-Session"
)
EXPOSE_HEADERS = b"X-Mock-Answered-By, Retry-After, Content-Disposition"
MAX_AGE = b"600"

MAX_REQUESTED_CHARS: Final = 2048
"""The longest `Access-Control-Request-Headers` value echoed (a browser's is a few dozen characters)."""
MAX_REQUESTED_NAMES: Final = 64
"""The most header names echoed from one preflight."""
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
"""A header name: an RFC 9110 token."""

_OWN = frozenset(name.strip().lower() for name in ALLOW_HEADERS.decode("ascii").split(","))

Headers = list[tuple[bytes, bytes]]


def requested_headers(value: str | None) -> list[str] | None:
    """The header names a preflight asks for, lowercased, each once, in order; None when `value` is refused.

    `value` is a comma list of tokens; spaces or tabs around a name and empty elements are accepted (the
    list syntax allows them). Refused: longer than MAX_REQUESTED_CHARS, more than MAX_REQUESTED_NAMES
    names, or any element that is not a token.
    """
    if value is None:
        return []
    if len(value) > MAX_REQUESTED_CHARS:
        return None
    names: list[str] = []
    for element in value.split(","):
        name = element.strip(" \t")
        if not name:
            continue
        if TOKEN.match(name) is None:
            return None
        name = name.lower()
        if name not in names:
            names.append(name)
    return names if len(names) <= MAX_REQUESTED_NAMES else None


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

    def _wildcard(self, origin: str) -> bool:
        """Whether an allowed `origin` is answered `*` (no credentials) rather than by name."""
        return self.any and origin not in self.origins

    def headers(self, origin: str | None) -> Headers:
        """Headers for an ordinary response to a request from `origin` (none when not allowed)."""
        if not self.allowed(origin):
            return [(b"vary", b"Origin")] if origin else []
        assert origin is not None
        if self._wildcard(origin):
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

    def preflight(self, origin: str | None, requested: str | None = None) -> Headers:
        """Headers for the answer to a preflight (OPTIONS with Access-Control-Request-Method).

        `requested` is the preflight's `Access-Control-Request-Headers`: for an allowed origin, the names
        in it are allowed besides ALLOW_HEADERS, unless `requested_headers` refuses the value (then
        ALLOW_HEADERS alone). A disallowed origin gets no allow headers at all.
        """
        if not self.allowed(origin):
            return self.headers(origin)
        assert origin is not None
        names = requested_headers(requested) or []
        extra = ", ".join(name for name in names if name not in _OWN).encode("latin-1")
        vary = (
            b"Access-Control-Request-Headers"
            if self._wildcard(origin)
            else b"Origin, Access-Control-Request-Headers"
        )
        return [
            *(header for header in self.headers(origin) if header[0] != b"vary"),
            (b"access-control-allow-methods", METHODS),
            (b"access-control-allow-headers", ALLOW_HEADERS + b", " + extra if extra else ALLOW_HEADERS),
            (b"access-control-max-age", MAX_AGE),
            (b"vary", vary),
        ]
