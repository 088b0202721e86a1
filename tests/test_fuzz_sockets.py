"""Random input over a real socket to every API route of two revisions and every admin route: no 5xx.

A seeded loop (reproducible, bounded to a few hundred requests) sends random query strings, random
header values (valid header syntax), JSON of random depth (very deep included) and non-JSON bytes.
Every answer must be below 500 (no rule here asks for a 5xx) and be the JSON envelope, or one of
the documented non-envelope answers: storage's XML errors, C's raw design tree, the admin page and
its files, the OpenAPI document, or no body at all.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_from_bytes

import httpx
import pytest

from mockserver import MockServer
from mockserver.admin import build as build_admin
from mockserver.simulator.endpoints import Param
from mockserver.simulator.revisions import REVISIONS

from .conftest import DEMO_KEY

SEED = 20240514
REVISIONS_FUZZED = ("A", "C2")
ROUNDS = 4
"""Requests of each kind per route (per method)."""
DEEP = 100_000
"""Nesting of the deepest JSON body: far past any recursion limit."""

ENVELOPE_TYPES = ("application/json",)
PAGE_TYPES = ("text/html", "text/css", "text/javascript")
FUZZED_HEADERS = (
    "X-API-Key",
    "Authorization",
    "Content-Type",
    "Accept",
    "Origin",
    "X-Mock-Session",
    "X-Mock-Scenario",
    "X-Mock-Error",
    "X-Idempotency-Key",
    "X-Anything",
)
"""Header names whose values are fuzzed. X-Mock-Delay is left out: a valid random delay would only wait."""
IDS = ("dsg_invoice", "dsg_certificate", "job_000000000001", "asset_logo", "0", "%00", "é", "a" * 300)


QUERY_NAMES = ("cursor", "limit", "design", "page", "status", "code", "method", "path", "__mock_error")
"""Query names tried on every route (the API's paging, the journal's filters, a control), besides its own."""


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    params: tuple[Param, ...] = ()
    raw_json: bool = False
    """The documented answer is JSON without the envelope (C's design tree, the OpenAPI document)."""
    page: bool = False
    """An admin page or one of its files: HTML, CSS or JavaScript."""


def _api_routes(revision: str) -> list[Route]:
    return [
        Route(e.method, e.path, tuple(e.query), raw_json=not e.enveloped)
        for e in REVISIONS[revision].endpoints
    ]


def _admin_routes(mock: MockServer) -> list[Route]:
    routes = []
    for route in build_admin(mock.app.operations).routes:
        path: str = route.path  # type: ignore[attr-defined]
        methods = sorted(route.methods or {"GET"})  # type: ignore[attr-defined]
        page = path in ("/__mock", "/__mock/", "/__mock/try") or path.startswith("/__mock/ui/")
        for method in methods:
            routes.append(Route(method, path, raw_json=path.endswith("openapi.json"), page=page))
    return routes


SPECIALS = ("²".encode(), "٣".encode(), b"9" * 5000, b"-1", b"1e999", b"NaN", b"%zz", b"\xff\xfe", b"")
"""Values that broke number and text parsing before: non-ASCII digits, huge numbers, bad escapes."""
SWEPT = ("%C2%B2", "9" * 5000, "%zz")
"""Sent alone in each of a route's query parameters and in NUMERIC (query-encoded)."""
NUMERIC = ("cursor", "limit", "page")


def _text(rng: random.Random, size: int) -> bytes:
    """Random bytes, weighted towards the characters that break parsers (digits, escapes, non-ASCII)."""
    pool = [*string.printable.encode(), *b"%&=+;#?\\\x00\x7f", *range(0x80, 0x100)]
    if rng.random() < 0.3:
        return rng.choice(SPECIALS)
    prefix = rng.choice([b"", b"c", b"1", b"dsg_"])
    out = prefix + bytes(rng.choice(pool) for _ in range(size))
    return out + (rng.choice(SPECIALS) if rng.random() < 0.3 else b"")


def _query(rng: random.Random, names: list[str]) -> str:
    pairs = []
    for _ in range(rng.randint(1, 5)):
        name = rng.choice(names) if rng.random() < 0.7 else _text(rng, rng.randint(0, 8))
        key = quote_from_bytes(name.encode() if isinstance(name, str) else name, safe="")
        value = _text(rng, rng.randint(0, 40))
        # Leave some '%' unescaped, so that invalid escapes reach the server as they are.
        pairs.append(f"{key}={quote_from_bytes(value, safe='%')}")
    return "&".join(pairs)


def _header_value(rng: random.Random) -> bytes:
    """Any bytes a header value may hold: visible latin-1 and inner spaces, no CR, LF or NUL."""
    allowed = [b for b in range(0x20, 0x100) if b != 0x7F]
    value = bytes(rng.choice(allowed) for _ in range(rng.randint(1, 60)))
    return value.strip() or b"x"


def _json_value(rng: random.Random, depth: int) -> Any:
    if depth <= 0:
        return rng.choice(
            [None, True, 0, -1, 10**30, 1.5, "", "x" * rng.randint(0, 50), "²", "dsg_invoice", [], {}]
        )
    if rng.random() < 0.5:
        return [_json_value(rng, depth - 1) for _ in range(rng.randint(1, 3))]
    keys = ["data", "name", "tree", "rows", "designId", "actions", "when", "reply", "credits", _rand_key(rng)]
    return {rng.choice(keys): _json_value(rng, depth - 1) for _ in range(rng.randint(1, 3))}


def _rand_key(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + "._-²") for _ in range(rng.randint(1, 10)))


def _deep(rng: random.Random) -> bytes:
    opener, closer = rng.choice([(b"[", b"]"), (b'{"a":', b"}")])
    return opener * DEEP + b"1" + closer * DEEP


def _bodies(rng: random.Random) -> Iterator[tuple[bytes, str]]:
    """(body, content type) pairs: JSON of random depth, deep JSON, and bytes that are not JSON."""
    for _ in range(ROUNDS):
        document = _json_value(rng, rng.randint(0, 12))
        yield json.dumps(document).encode(), "application/json"
    yield _deep(rng), "application/json"
    yield (
        _text(rng, rng.randint(1, 200)),
        rng.choice(["application/json", "text/plain", "multipart/form-data"]),
    )


def _fill(path: str, rng: random.Random) -> str:
    def value(_: re.Match[str]) -> str:
        if rng.random() < 0.6:
            return quote_from_bytes(rng.choice(IDS).encode(), safe="%")
        return quote_from_bytes(_text(rng, rng.randint(1, 20)), safe="")

    return re.sub(r"\{[^}]+\}", value, path)


def _problem(route: Route, response: httpx.Response) -> str | None:
    """Why `response` breaks the promise, or None."""
    status = response.status_code
    if status >= 500:
        return f"status {status}: {response.text[:200]!r}"
    if status in (204, 304) or response.request.method == "HEAD":
        return None if response.content == b"" else "a body where none is allowed"
    kind = response.headers.get("content-type", "").split(";")[0].strip()
    if kind == "application/xml":
        return None if response.content.startswith(b"<?xml") else "XML without a declaration"
    if route.page and kind in PAGE_TYPES:
        return None
    if kind not in ENVELOPE_TYPES:
        return f"content type {kind!r}"
    try:
        document = response.json()
    except ValueError:
        return "not JSON"
    if route.raw_json and status < 300:
        return None
    if not isinstance(document, dict):
        return "JSON that is not an envelope"
    if document.get("status") == "success" and "data" in document:
        return None
    error = document.get("error")
    if document.get("status") == "error" and isinstance(error, dict) and {"code", "message"} <= set(error):
        return None
    return f"JSON that is not an envelope: {response.text[:200]!r}"


def _fuzz(mock: MockServer, routes: list[Route], rng: random.Random) -> list[str]:
    problems: list[str] = []
    base = {"X-API-Key": DEMO_KEY, "X-Mock-Session": "fuzz"}

    def send(client: httpx.Client, route: Route, url: str, **kwargs: Any) -> None:
        try:
            response = client.request(route.method, url, **kwargs)
        except httpx.HTTPError as exc:
            problems.append(f"{route.method} {url[:120]}: {type(exc).__name__}: {exc}")
            return
        problem = _problem(route, response)
        if problem is not None:
            sent = kwargs.get("content", b"")[:60]
            problems.append(f"{route.method} {url[:120]} (body {sent!r}...): {problem}")

    with httpx.Client(base_url=mock.url, timeout=30) as client:
        for route in routes:
            names = list(dict.fromkeys([*QUERY_NAMES, *(p.name for p in route.params)]))
            for _ in range(ROUNDS):
                url = f"{_fill(route.path, rng)}?{_query(rng, names)}"
                send(client, route, url, headers=base)
                fuzzed = [(name.encode(), _header_value(rng)) for name in rng.sample(FUZZED_HEADERS, 4)]
                send(client, route, _fill(route.path, rng), headers=[*base.items(), *fuzzed])
            swept = (
                [] if route.method == "HEAD" else dict.fromkeys([*NUMERIC, *(p.name for p in route.params)])
            )
            for name in swept:  # each name alone with each value that broke number parsing before
                for value in SWEPT:
                    send(client, route, f"{_fill(route.path, rng)}?{name}={value}", headers=base)
            if route.method in ("POST", "PUT", "PATCH", "DELETE"):
                for body, media in _bodies(rng):
                    headers = {**base, "Content-Type": media}
                    send(client, route, _fill(route.path, rng), headers=headers, content=body)
    return problems


@pytest.mark.parametrize("revision", REVISIONS_FUZZED)
def test_random_input_to_every_route_gets_no_5xx_and_a_documented_shape(revision: str) -> None:
    rng = random.Random(f"{SEED}-{revision}")
    with MockServer(api_revision=revision, batch_seconds=0) as mock:
        routes = [
            *_api_routes(revision),
            Route("GET", "/storage.googleapis.com/imaginepdf-mock-files/{id}/x.pdf"),
        ]
        if revision == REVISIONS_FUZZED[-1]:
            routes += _admin_routes(mock)
        problems = _fuzz(mock, routes, rng)
        internal = list(mock.app.internal_errors)
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(problems[:40])
    assert internal == []
