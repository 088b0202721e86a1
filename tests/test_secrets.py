"""Credentials never appear in full in an answer, over a real socket: one masker for every place.

The documented exceptions: `GET /__mock/workspace` lists the workspace's keys and tokens in full (the
control page shows them, ready to paste), and the try page's script carries the public demo key.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.routing import Route

from mockserver import MockServer, Settings
from mockserver.credentials import mask, mask_header, scrub
from tests.conftest import DEMO_KEY

EXPIRED_KEY = "pc_live_expired0000000000001"
TOKEN = "demo-browser-token"
EXPIRED_TOKEN = "expired-browser-token"
ADMIN_TOKEN = "admin-token-never-shown-0042"
SECRETS = (DEMO_KEY, EXPIRED_KEY, TOKEN, EXPIRED_TOKEN, ADMIN_TOKEN)
SHOWN_IN_FULL = {"/__mock/workspace", "/__mock/ui/try.js"}
"""Where credentials are shown on purpose (SECURITY.md says so)."""
ADMIN = {"X-Mock-Admin-Token": ADMIN_TOKEN}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(settings=Settings(port=0, admin_token=ADMIN_TOKEN)) as server:
        yield server


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def admin_gets(mock: MockServer) -> list[str]:
    """A GET of every admin route that answers GET (a route with a `{name}` gets each of its names)."""
    paths = []
    for route in mock.app.admin.routes:
        assert isinstance(route, Route)
        if "GET" not in (route.methods or ()):
            continue
        if route.path.endswith("{name}"):
            paths += [route.path.replace("{name}", name) for name in ("control.css", "control.js", "try.js")]
        else:
            assert "{" not in route.path, f"a new admin route with a parameter: {route.path}; test it here"
            paths.append(route.path)
    return paths


def test_no_admin_answer_holds_a_credential_in_full(mock: MockServer) -> None:
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        near_miss = {"when": {"operation": "designs.list", "headers": {"X-API-Key": "pc_live_other*"}}}
        near_miss["reply"] = {"error": "S3_ERROR"}
        assert client.post("/__mock/rules", json=near_miss, headers=ADMIN).status_code == 201
        api_answers = [
            client.get("/api/v1/designs", headers={"X-API-Key": DEMO_KEY}),
            client.get("/api/v1/designs", headers={"Authorization": f"Bearer {TOKEN}"}),
            client.get("/api/v1/designs", headers={"X-API-Key": EXPIRED_KEY}),
            client.get("/api/v1/designs", headers={"Authorization": f"Bearer {EXPIRED_TOKEN}"}),
            client.get("/api/v1/designs", headers={"X-API-Key": "pc_live_unknown0000000000001"}),
            client.get("/api/v1/designs", headers={"X-API-Key": DEMO_KEY, **ADMIN}),
        ]
        codes = [(answer.json().get("error") or {}).get("code") for answer in api_answers]
        assert codes == [None, None, "API_KEY_EXPIRED", "TOKEN_EXPIRED", "INVALID_API_KEY", None]
        for answer in api_answers:
            assert leaks(answer.text) == [], answer.text

        answers = {path: client.get(path, headers=ADMIN) for path in admin_gets(mock)}
        answers["?__mock_token="] = client.get(f"/__mock/requests?limit=50&__mock_token={ADMIN_TOKEN}")
    assert len(answers) >= 14
    for path, answer in answers.items():
        assert answer.status_code == 200, (path, answer.text)
        if path not in SHOWN_IN_FULL:
            assert leaks(answer.text) == [], f"{path} shows a credential in full: {answer.text[:2000]}"
    assert set(leaks(answers["/__mock/workspace"].text)) == {DEMO_KEY, EXPIRED_KEY, TOKEN, EXPIRED_TOKEN}

    journal = answers["?__mock_token="].json()["data"]["requests"]
    assert journal == answers["/__mock/requests"].json()["data"]["requests"]
    first, second = journal[0], journal[1]
    assert first["headers"]["x-api-key"] == "pc_live_…0001"
    assert first["closestRule"]["why"] == "header 'x-api-key' is 'pc_live_…0001', expected 'pc_live_other*'"
    assert second["headers"]["authorization"] == "Bearer …oken"
    assert journal[5]["headers"]["x-mock-admin-token"] == "…0042"
    # The auth errors name the key the way the journal does.
    assert "pc_live_…0001" in api_answers[2].json()["error"]["message"]


def test_the_near_miss_explains_a_bearer_token_masked(mock: MockServer) -> None:
    with httpx.Client(base_url=mock.url, headers=ADMIN, timeout=10) as client:
        client.delete("/__mock/rules")
        client.delete("/__mock/requests")
        rule = {"when": {"operation": "designs.list", "headers": {"Authorization": "Basic *"}}, "reply": {}}
        rule["reply"] = {"error": "S3_ERROR"}
        client.post("/__mock/rules", json=rule)
        client.get("/api/v1/designs", headers={"Authorization": f"Bearer {TOKEN}"})
        (entry,) = client.get("/__mock/requests").json()["data"]["requests"]
    assert entry["closestRule"]["why"] == "header 'authorization' is 'Bearer …oken', expected 'Basic *'"


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        (DEMO_KEY, "pc_live_…0001"),
        (TOKEN, "…oken"),
        ("pc_live_short", "pc_live_…"),
        ("abcdefghijk", "…"),
        ("abcdefghijkl", "…ijkl"),
        ("", "…"),
    ],
)
def test_mask_shows_at_most_the_key_prefix_and_four_of_at_least_twelve(secret: str, shown: str) -> None:
    assert mask(secret) == shown


def test_mask_header_keeps_the_scheme_and_leaves_other_headers_alone() -> None:
    assert mask_header("authorization", f"Bearer {TOKEN}") == "Bearer …oken"
    assert mask_header("authorization", TOKEN) == "…oken"
    assert mask_header("x-api-key", f" {DEMO_KEY} ") == "pc_live_…0001"
    assert mask_header("accept", DEMO_KEY) == DEMO_KEY


def test_scrub_masks_api_keys_and_the_secrets_named() -> None:
    text = f"body field 'key' is {DEMO_KEY!r}, token {TOKEN}"
    assert scrub(text, [TOKEN]) == "body field 'key' is 'pc_live_…0001', token …oken"
