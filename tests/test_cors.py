"""CORS headers on every kind of response, and preflights for every path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import Settings
from mockserver.app import MockApp
from mockserver.cors import ALLOW_HEADERS, MAX_REQUESTED_CHARS, MAX_REQUESTED_NAMES, requested_headers
from tests.conftest import DEMO_KEY, WriteScenario, client

ORIGIN = "http://localhost:5173"
KEY = {"X-API-Key": DEMO_KEY, "Origin": ORIGIN}


@pytest.fixture
def app(scenario_dir: Path, write_scenario: WriteScenario) -> MockApp:
    write_scenario(
        "kinds",
        """
        extends: default
        rules:
          - {when: GET /raw, reply: {status: 418, body: teapot}}
          - {when: GET /gateway, reply: {fault: gateway_html, status: 502}}
          - {when: GET /broken-json, reply: {fault: malformed_json}}
          - {when: GET /empty, reply: {fault: empty_reply}}
          - {when: GET /retry, reply: {error: S3_ERROR, retry_after: 5}}
        """,
    )
    return MockApp(Settings(scenarios=scenario_dir, scenario="kinds", max_body_bytes=100))


def boom(app: MockApp) -> None:
    def fail(*args: Any) -> Any:
        raise RuntimeError("unexpected")

    app.pipeline.simulate = fail  # type: ignore[method-assign,assignment]


KINDS: list[tuple[str, str, str, dict[str, str], bytes, Callable[[MockApp], None] | None, int]] = [
    ("success", "GET", "/api/v1/designs", KEY, b"", None, 200),
    ("simulator error", "GET", "/api/v1/designs", {"Origin": ORIGIN}, b"", None, 401),
    ("header-injected error", "GET", "/api/v1/designs", {**KEY, "X-Mock-Error": "FORBIDDEN"}, b"", None, 403),
    ("bad override", "GET", "/api/v1/designs", {**KEY, "X-Mock-Error": "NOPE"}, b"", None, 400),
    ("rule raw reply", "GET", "/raw", KEY, b"", None, 418),
    ("rule error with Retry-After", "GET", "/retry", KEY, b"", None, 500),
    ("gateway html fault", "GET", "/gateway", KEY, b"", None, 502),
    ("malformed json fault", "GET", "/broken-json", KEY, b"", None, 200),
    ("empty reply fault", "GET", "/empty", KEY, b"", None, 200),
    ("body too large", "POST", "/api/v1/designs", KEY, b"x" * 500, None, 400),
    ("unknown route", "GET", "/nowhere", KEY, b"", None, 404),
    ("admin answer", "GET", "/__mock/health", {"Origin": ORIGIN}, b"", None, 200),
    ("admin not found", "GET", "/__mock/nothing", {"Origin": ORIGIN}, b"", None, 404),
    ("control page", "GET", "/__mock/", {"Origin": ORIGIN}, b"", None, 200),
    ("unexpected exception", "GET", "/api/v1/designs", KEY, b"", boom, 500),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kind", "method", "path", "headers", "body", "setup", "status"), KINDS, ids=[k[0] for k in KINDS]
)
async def test_every_response_kind_carries_cors_headers(
    app: MockApp,
    kind: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    setup: Callable[[MockApp], None] | None,
    status: int,
) -> None:
    if setup is not None:
        setup(app)
    async with client(app) as made:
        response = await made.request(method, path, headers=headers, content=body)
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert {"x-mock-answered-by", "retry-after"} <= exposed


@pytest.mark.anyio
@pytest.mark.parametrize(
    "path",
    ["/api/v1/designs/dsg_invoice/generate", "/api/v1/designs/dsg_invoice", "/__mock/rules", "/anything"],
)
async def test_preflight_answers_for_every_path(app: MockApp, path: str) -> None:
    headers = {
        "Origin": "http://127.0.0.1:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-api-key, content-type, x-mock-error",
    }
    async with client(app) as made:
        response = await made.options(path, headers=headers)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"x-api-key", "authorization", "content-type", "x-mock-error", "x-mock-session"} <= allowed
    assert "PATCH" in response.headers["access-control-allow-methods"]


@pytest.mark.anyio
async def test_foreign_origins_are_not_allowed_by_default(app: MockApp) -> None:
    async with client(app) as made:
        response = await made.get("/api/v1/designs", headers={**KEY, "Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Origin"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("origins", "origin", "allowed"),
    [
        (("https://app.example",), "https://app.example", "https://app.example"),
        (("https://app.example",), ORIGIN, None),  # the list replaces the loopback default
        (("*",), "https://anywhere.example", "*"),
    ],
)
async def test_configured_origins(origins: tuple[str, ...], origin: str, allowed: str | None) -> None:
    async with client(MockApp(Settings(cors_origins=origins))) as made:
        response = await made.get("/__mock/health", headers={"Origin": origin})
    assert response.headers.get("access-control-allow-origin") == allowed
    if allowed == "*":
        assert "access-control-allow-credentials" not in response.headers


@pytest.mark.anyio
async def test_no_origin_no_cors_headers(app: MockApp) -> None:
    async with client(app) as made:
        response = await made.get("/api/v1/designs", headers={"X-API-Key": DEMO_KEY})
    assert "access-control-allow-origin" not in response.headers


# --- preflights allow the headers the browser asks for ----------------------------------------------------


def allowed_headers(response: httpx.Response) -> set[str]:
    return {
        name.strip().lower() for name in response.headers.get("access-control-allow-headers", "").split(",")
    }


def vary(response: httpx.Response) -> set[str]:
    return {name.strip().lower() for name in response.headers.get("vary", "").split(",")} - {""}


OWN = {name.strip().lower() for name in ALLOW_HEADERS.decode().split(",")}


async def preflight(app: MockApp, origin: str, requested: str | bytes) -> httpx.Response:
    raw = requested if isinstance(requested, bytes) else requested.encode("latin-1")
    headers = [
        (b"Origin", origin.encode("latin-1")),
        (b"Access-Control-Request-Method", b"GET"),
        (b"Access-Control-Request-Headers", raw),
    ]
    async with client(app) as made:
        return await made.options("/api/v1/designs", headers=headers)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "requested",
    [
        "traceparent,x-request-id",  # as Chromium sends it: lowercase, sorted, no spaces
        "traceparent, X-Request-Id",
        "baggage,sentry-trace",
        "baggage,content-type,sentry-trace,traceparent,tracestate,x-api-key,x-request-id",
        "traceparent,,x-request-id",  # empty list elements are allowed by the list syntax
    ],
)
async def test_a_preflight_from_an_allowed_origin_allows_the_headers_it_asks_for(
    app: MockApp, requested: str
) -> None:
    response = await preflight(app, ORIGIN, requested)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN
    asked = {name.strip().lower() for name in requested.split(",")} - {""}
    assert asked <= allowed_headers(response)
    assert allowed_headers(response) >= OWN  # the mock's own headers stay allowed
    assert vary(response) == {"origin", "access-control-request-headers"}
    assert response.headers["x-mock-answered-by"] == "cors"


@pytest.mark.anyio
async def test_a_preflight_allowed_with_the_wildcard_origin_echoes_the_headers_too() -> None:
    response = await preflight(
        MockApp(Settings(cors_origins=("*",))), "https://anywhere.example", "traceparent"
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert "traceparent" in allowed_headers(response)
    assert vary(response) == {"access-control-request-headers"}


@pytest.mark.anyio
@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost.evil.example:5173"])
async def test_a_preflight_from_a_disallowed_origin_allows_nothing(app: MockApp, origin: str) -> None:
    response = await preflight(app, origin, "traceparent,x-request-id")
    assert response.status_code == 204
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-headers" not in response.headers
    assert "access-control-allow-methods" not in response.headers
    assert vary(response) == {"origin"}


GARBAGE_PREFLIGHTS = [
    ("over the length limit", "x-" + "a" * (MAX_REQUESTED_CHARS - 1)),
    ("too many names", ",".join(f"x-h{index}" for index in range(MAX_REQUESTED_NAMES + 1))),
    ("a space inside a name", "traceparent, x request-id"),
    ("a colon", "traceparent, x-request-id: 1"),
    ("a value, not a list of names", 'traceparent, x-id="a,b"'),
    ("non-ascii", "traceparent, x-caf\xe9".encode("latin-1")),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kind", "requested"), GARBAGE_PREFLIGHTS, ids=[kind for kind, _ in GARBAGE_PREFLIGHTS]
)
async def test_an_oversize_or_malformed_request_headers_list_gets_only_the_mocks_own_headers(
    app: MockApp, kind: str, requested: str | bytes
) -> None:
    response = await preflight(app, ORIGIN, requested)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN  # the origin is still allowed
    assert response.headers["access-control-allow-headers"] == ALLOW_HEADERS.decode()  # nothing echoed
    assert "access-control-request-headers" in vary(response)


def test_the_bounds_on_the_echo_are_exact() -> None:
    longest = "x-" + "a" * (MAX_REQUESTED_CHARS - 2)
    assert requested_headers(longest) == [longest]
    assert requested_headers(longest + "a") is None
    most = ",".join(f"x-h{index}" for index in range(MAX_REQUESTED_NAMES))
    assert requested_headers(most) == most.split(",")
    assert requested_headers(most + ",x-one-more") is None
    assert requested_headers(most + ",X-H0") == most.split(",")  # a name asked for twice counts once
    assert requested_headers(None) == []
    assert requested_headers(" \t") == []
