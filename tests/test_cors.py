"""CORS headers on every kind of response, and preflights for every path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver import Settings
from mockserver.app import MockApp
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

    app.pipeline.simulate = fail  # type: ignore[method-assign]


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
