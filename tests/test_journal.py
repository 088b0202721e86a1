"""The journal: the answer kept for the details view, the closest rule (once, from plausible rules only),
and selecting entries with a rule's `when` language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from mockserver import MockAsgi, journal, model
from mockserver.exchange import Incoming, Outcome
from mockserver.journal import (
    NO_RULES,
    RESPONSE_BYTES,
    RESPONSE_TEXT_LIMIT,
    Entry,
    Journal,
    JournalBudget,
    is_binary,
)
from mockserver.loader import CompiledScenario, load
from mockserver.operations import OperationError, RequestQuery
from mockserver.rules import Rule, RuleIndex, compile_rule
from tests.conftest import DEMO_KEY

DESIGN = "/api/v1/designs/dsg_invoice"


def rule(when: str | dict[str, Any], order: int, rule_id: str | None = None) -> Rule:
    return compile_rule(
        model.Rule.model_validate({"when": when, "reply": {"error": "S3_ERROR"}}),
        rule_id or f"r{order}",
        order,
    )


def default_scenario() -> CompiledScenario:
    return load(None).get("default")


def recorded(
    outcome: Outcome,
    incoming: Incoming | None = None,
    scenario: CompiledScenario | None = None,
    added: RuleIndex = NO_RULES,
) -> Entry:
    book = Journal(10)
    book.record(incoming or Incoming("GET", DESIGN), outcome, 0.0, scenario or default_scenario(), added)
    return book.entries()[-1]


# --- the answer ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_response_is_what_was_sent() -> None:
    """Headers, body and length in the entry are those the client received, for every kind of reply."""
    mock = MockAsgi()
    mock.reply("GET /raw", status=200, body="hé", headers={"X-Thing": "1", "Retry-After": "3"})
    mock.reply("GET /empty", status=204)
    mock.reply("GET /busy", error="S3_ERROR", retry_after=7)
    mock.reply("GET /gateway", fault="gateway_html", status=503)
    async with mock.client() as client:
        sent = [
            await client.get(DESIGN),
            await client.head(DESIGN),
            await client.get("/raw"),
            await client.get("/empty"),
            await client.get("/busy"),
            await client.get("/gateway"),
            await client.get("/api/v1/designs/nope"),
        ]
        entries = (await client.get("/__mock/requests")).json()["data"]["requests"]
    assert len(entries) == len(sent)
    for answer, entry in zip(sent, entries, strict=True):
        response = entry["response"]
        assert response["headers"] == dict(answer.headers), entry["path"]
        assert response["body"] == answer.text
        assert response["bodyLength"] == len(answer.content)
        assert (response["bodyTruncated"], response["binary"]) == (False, False)
    head = entries[1]["response"]  # HEAD: the headers of the answer, no body
    assert (head["bodyLength"], head["body"]) == (0, "")
    assert int(head["headers"]["content-length"]) > 0
    assert entries[2]["response"]["headers"]["x-thing"] == "1"
    assert entries[4]["response"]["headers"]["retry-after"] == "7"


def test_a_long_text_answer_is_cut_to_4096_characters_and_kept_cut() -> None:
    body = ("é" * 10_000).encode()  # 20,000 bytes: more than an entry keeps
    entry = recorded(Outcome(200, body, "simulator", media_type="text/plain; charset=utf-8"))
    assert len(entry.outcome.body) == RESPONSE_BYTES  # a cut copy: the whole answer is not kept alive
    response = entry.to_json()["response"]
    assert response["body"] == "é" * RESPONSE_TEXT_LIMIT
    assert response["bodyLength"] == len(body)
    assert response["bodyTruncated"] is True
    assert response["binary"] is False


def test_a_text_answer_of_more_than_4096_characters_but_few_bytes_is_shown_cut() -> None:
    body = b"x" * (RESPONSE_TEXT_LIMIT + 1)
    outcome = Outcome(200, body, "simulator")
    entry = recorded(outcome)
    assert entry.outcome is outcome  # within RESPONSE_BYTES: no copy
    response = entry.to_json()["response"]
    assert len(response["body"]) == RESPONSE_TEXT_LIMIT
    assert response["bodyTruncated"] is True


def test_a_small_answer_is_kept_without_a_copy_and_counted() -> None:
    outcome = Outcome(200, b'{"ok": true}', "simulator")
    bare = recorded(Outcome(200, b"", "simulator"))
    entry = recorded(outcome)
    assert entry.outcome is outcome
    assert entry.size == bare.size + len(outcome.body)


@pytest.mark.parametrize("media_type", ["application/pdf", "image/png", "application/octet-stream"])
def test_a_binary_answer_shows_no_body(media_type: str) -> None:
    large = recorded(Outcome(200, b"%PDF-" + b"\x00" * 1_000_000, "simulator", media_type=media_type))
    assert large.outcome.body == b""  # nothing of a large binary answer is kept
    response = large.to_json()["response"]
    assert (response["body"], response["binary"], response["bodyTruncated"]) == ("", True, False)
    assert response["bodyLength"] == 1_000_005
    assert response["headers"]["content-length"] == "1000005"
    small = recorded(Outcome(200, b"\x89PNG....", "simulator", media_type=media_type)).to_json()
    assert (small["response"]["body"], small["response"]["binary"]) == ("", True)


def test_what_is_text() -> None:
    texts = ["application/json", "text/html; charset=utf-8", "application/problem+json", "image/svg+xml"]
    assert not any(map(is_binary, texts))
    assert all(map(is_binary, ["application/pdf", "image/png", "application/zip", "font/woff2"]))


@pytest.mark.parametrize("fault", ["connection_reset", "hang"])
def test_a_fault_sent_nothing(fault: str) -> None:
    entry = recorded(Outcome(0, b"", "r1", fault=fault)).to_json()
    assert entry["status"] == 0
    assert entry["response"] == {
        "headers": {},
        "body": "",
        "bodyLength": 0,
        "bodyTruncated": False,
        "binary": False,
    }


def test_credentials_in_the_answer_are_masked() -> None:
    key = "pc_live_abcdefghij0123456789"
    token = "a-bearer-token-of-the-request"
    body = f'{{"key": "{key}", "echo": "{token}"}}'.encode()
    incoming = Incoming("GET", DESIGN, headers={"Authorization": f"Bearer {token}"})
    outcome = Outcome(200, body, "simulator", headers=(("x-echo", token),))
    response = recorded(outcome, incoming).to_json()["response"]
    assert key not in response["body"]
    assert token not in response["body"]
    assert "pc_live_…6789" in response["body"]
    assert token not in response["headers"]["x-echo"]


@pytest.mark.anyio
async def test_a_generated_pdf_is_journaled_as_binary_and_not_kept() -> None:
    mock = MockAsgi(batch_seconds=0)
    async with mock.client() as client:
        made = await client.post(f"{DESIGN}/generate", json={"data": {}})
        assert made.status_code == 201, made.text
        link = made.json()["data"]["downloadUrl"]
        pdf = await client.get(link)
        assert pdf.headers["content-type"] == "application/pdf"
        entries = (await client.get("/__mock/requests")).json()["data"]["requests"]
    download = entries[-1]["response"]
    assert (download["body"], download["binary"], download["bodyLength"]) == ("", True, len(pdf.content))
    assert download["headers"]["content-type"] == "application/pdf"
    kept = mock.app.sessions.get().journal.entries()[-1].outcome.body
    assert len(kept) <= RESPONSE_BYTES


def test_a_journal_of_large_answers_stays_within_its_budget() -> None:
    """Each answer is a fresh 1 MB (as a simulator's PDF or a large listing is): kept, they would hold
    500 MB; the journal keeps a bounded part of each and counts it."""
    scenario = default_scenario()
    budget = JournalBudget(limit=1_000_000)
    book = Journal(1000, budget)
    for n in range(500):
        media = "application/pdf" if n % 2 else "application/json"
        answer = Outcome(200, bytes([48 + n % 10]) * 1_000_000, "simulator", media_type=media)
        book.record(Incoming("GET", DESIGN), answer, 0.0, scenario)
    entries = book.entries()
    assert budget.used == book.bytes == sum(entry.size for entry in entries)
    assert budget.used <= 1_000_000
    held = sum(len(entry.outcome.body) for entry in entries)
    assert held <= budget.used
    assert all(len(entry.outcome.body) <= RESPONSE_BYTES for entry in entries)
    assert len(entries) > 50  # bounded copies: many entries fit in 1 MB


# --- the closest rule -----------------------------------------------------------------------------


def index(*rules: Rule) -> RuleIndex:
    return RuleIndex(rules)


def test_plausible_rules_are_those_on_the_requests_path_under_any_method() -> None:
    near = [
        rule("GET /api/v1/designs/{id}", 1),
        rule("POST /api/v1/designs/*", 2),
        rule("DELETE /api/v1/designs/dsg_invoice", 3),
        rule("/api/v1/des*", 4),  # stops short of the request's path, along its way: a near miss
        rule("^/api/.*$", 5),  # a regular expression is filed under the plain text it starts with
        rule("GET /**", 6),
        rule({"operation": "designs.get"}, 7),
    ]
    far = [
        rule("GET /api/v1/designs/{id}/pages", 8),  # one segment deeper than the request
        rule("GET /api/v1/other/{id}", 20),
        rule("GET /api/v1/designs/dsg_other/pages", 21),
        rule({"operation": "designs.list"}, 22),
        rule("GET /api/v2/designs/{id}", 23),
    ]
    found = index(*far, *near).plausible(DESIGN, "designs.get")
    assert [r.id for r in found] == [r.id for r in near]
    assert [r.id for r in index(*far).plausible(DESIGN, "designs.get")] == []
    assert "r7" not in [r.id for r in index(*near).plausible(DESIGN, None)]


def test_plausible_covers_every_method_candidates_would_find() -> None:
    rules = index(
        rule("GET /api/v1/designs/{id}", 1),
        rule("/api/v1/designs/dsg_invoice", 2),
        rule("PATCH /api/v1/designs/dsg_invoice", 3),
        rule({"method": "GET", "operation": "designs.get"}, 4),
    )
    plausible = rules.plausible(DESIGN, "designs.get")
    for method in ("GET", "POST", "PATCH", "DELETE"):
        assert set(rules.candidates(method, DESIGN, "designs.get")) <= set(plausible)
    assert len(plausible) == 4


def near_misses(count: int) -> list[Rule]:
    return [rule(f"GET /api/v1/other-{n}/{{id}}", n) for n in range(count)]


def test_the_closest_rule_looks_only_at_plausible_rules_and_only_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_at: list[int] = []
    real = journal.closest_rule

    def counting(rules: Sequence[Rule], incoming: Incoming) -> dict[str, str] | None:
        looked_at.append(len(rules))
        return real(rules, incoming)

    monkeypatch.setattr(journal, "closest_rule", counting)
    scenario = default_scenario()
    rules = index(*near_misses(10_000), rule("POST /api/v1/designs/{id}", 10_000, "near"))
    entry = recorded(Outcome(200, b"{}", "simulator"), scenario=scenario, added=rules)
    first = entry.to_json()["closestRule"]
    assert first == {"rule": "near", "why": "method is GET, rule wants POST"}
    assert looked_at == [1]  # one plausible rule looked at, not 10,001
    first["why"] = "changed by a caller"
    assert entry.to_json()["closestRule"] == {"rule": "near", "why": "method is GET, rule wants POST"}
    assert looked_at == [1]  # the second read did not work it out again


def test_no_plausible_rule_means_no_closest_rule() -> None:
    entry = recorded(Outcome(200, b"{}", "simulator"), added=index(*near_misses(100)))
    assert entry.to_json()["closestRule"] is None


def test_a_rule_answer_has_no_closest_rule() -> None:
    entry = recorded(Outcome(402, b"{}", "r1"), added=index(rule("POST /api/v1/designs/{id}", 1)))
    assert "closestRule" not in entry.to_json()


@pytest.mark.parametrize(
    ("rules", "closest", "why"),
    [
        # path right beats method right
        (
            ["GET /api/v1/designs/{id}/pages", "POST /api/v1/designs/{id}"],
            "r1",
            "method is GET, rule wants POST",
        ),
        # path and method right: the first condition that failed
        (
            [
                {"method": "GET", "path": "/api/v1/designs/{id}", "query": {"x": "1"}},
                "POST /api/v1/designs/*",
            ],
            "r0",
            "query parameter 'x' is missing",
        ),
        # a tie: the earlier rule
        (["POST /api/v1/designs/{id}", "PUT /api/v1/designs/*"], "r0", "method is GET, rule wants POST"),
        # by operation
        ([{"method": "POST", "operation": "designs.get"}], "r0", "method is GET, rule wants POST"),
    ],
)
def test_closest_keeps_its_meaning_among_plausible_rules(rules: list[Any], closest: str, why: str) -> None:
    incoming = Incoming("GET", DESIGN)
    incoming.operation, incoming.revision = "designs.get", "C2"
    entry = recorded(
        Outcome(200, b"{}", "simulator"),
        incoming,
        added=index(*(rule(when, n) for n, when in enumerate(rules))),
    )
    assert entry.to_json()["closestRule"] == {"rule": closest, "why": why}


def test_run_time_rules_come_before_the_scenarios_in_a_tie(write_scenario: Any, scenario_dir: Any) -> None:
    write_scenario("s", "rules:\n  - {when: POST /api/v1/designs/dsg_invoice, reply: {error: S3_ERROR}}\n")
    scenario = load(scenario_dir).get("s")
    added = index(rule("PUT /api/v1/designs/{id}", -1, "admin-1"))
    entry = recorded(Outcome(200, b"{}", "simulator"), scenario=scenario, added=added)
    assert entry.to_json()["closestRule"] == {"rule": "admin-1", "why": "method is GET, rule wants PUT"}
    alone = recorded(Outcome(200, b"{}", "simulator"), scenario=scenario)
    assert alone.to_json()["closestRule"]["why"] == "method is GET, rule wants POST"


# --- selecting ------------------------------------------------------------------------------------

PATHS = [DESIGN, f"{DESIGN}/pages", "/api/v1/designs", "/api/v1/designs/dsg_other"]


def filled() -> Journal:
    book = Journal(100)
    scenario = default_scenario()
    for n, path in enumerate(PATHS):
        method = "POST" if n == 2 else "GET"
        outcome = (
            Outcome(404, b"{}", "simulator", code="NOT_FOUND") if n == 3 else Outcome(200, b"{}", "simulator")
        )
        book.record(Incoming(method, path), outcome, 0.0, scenario)
    return book


def paths(entries: Sequence[Entry]) -> list[str]:
    return [entry.incoming.path for entry in entries]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, PATHS),
        ({"path": "/api/v1/designs/*"}, [DESIGN, "/api/v1/designs/dsg_other"]),  # * stays in one segment
        ({"path": "/api/v1/designs/**"}, PATHS),
        ({"path": "/api/v1/designs/{id}/pages"}, [f"{DESIGN}/pages"]),
        ({"path": "^/api/v1/designs/dsg_[a-z]+$"}, [DESIGN, "/api/v1/designs/dsg_other"]),
        ({"when": "GET /api/v1/designs/*"}, [DESIGN, "/api/v1/designs/dsg_other"]),
        ({"when": "POST /api/v1/designs"}, ["/api/v1/designs"]),
        ({"method": "post"}, ["/api/v1/designs"]),
        ({"method": "GET", "path": "/api/v1/**"}, [DESIGN, f"{DESIGN}/pages", "/api/v1/designs/dsg_other"]),
        ({"when": "/api/v1/designs/*", "method": "POST"}, []),
        ({"status": "404"}, ["/api/v1/designs/dsg_other"]),
        ({"status": "200", "limit": "2"}, [f"{DESIGN}/pages", "/api/v1/designs"]),
        ({"code": "NOT_FOUND"}, ["/api/v1/designs/dsg_other"]),
        ({"limit": "0"}, []),
    ],
)
def test_select_with_the_rule_pattern_language(params: dict[str, str], expected: list[str]) -> None:
    book = filled()
    query = RequestQuery.parse(params)
    assert (
        paths(book.select(*query.matchers, status=query.status, code=query.code, limit=query.limit))
        == expected
    )


def test_select_takes_compiled_matchers_and_returns_entries() -> None:
    book = filled()
    (matcher,) = RequestQuery.parse({"when": {"method": "GET", "path": "/api/v1/designs/{id}"}}).matchers
    selected = book.select(matcher, status=200, limit=5)
    assert paths(selected) == [DESIGN]
    assert isinstance(selected[0], Entry)
    assert paths(book.select(code="NOT_FOUND")) == ["/api/v1/designs/dsg_other"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"colour": "red"}, "Unknown filter 'colour'; use when, method, path, status, code, limit."),
        ({"path": "designs/*"}, "path: path pattern 'designs/*' must start with '/'"),
        ({"when": "GET"}, "when"),
        ({"status": "abc"}, "status must be a whole number from 100 to 599."),
        ({"code": "NOPE"}, "code: 'NOPE' is not a catalog error code"),
        ({"limit": "-1"}, "limit must be a whole number from 0 to 1000000."),
        ({"limit": "9" * 30}, "limit must be a whole number"),
    ],
)
def test_a_bad_filter_says_what_is_wrong(params: dict[str, str], message: str) -> None:
    with pytest.raises(OperationError) as raised:
        RequestQuery.parse(params)
    assert str(raised.value).startswith(message)


@pytest.mark.anyio
async def test_the_admin_api_path_filter_is_the_rule_pattern() -> None:
    """`?path=/api/v1/designs/*` no longer matches the pages of a design (issue 15)."""
    async with MockAsgi().client() as client:
        await client.get(DESIGN)
        await client.get(f"{DESIGN}/pages")
        found = await client.get("/__mock/requests", params={"path": "/api/v1/designs/*"})
    assert [entry["path"] for entry in found.json()["data"]["requests"]] == [DESIGN]


def test_the_demo_key_is_masked_in_the_request_and_in_the_answer() -> None:
    incoming = Incoming("GET", DESIGN, headers={"X-API-Key": DEMO_KEY})
    entry = recorded(Outcome(200, f'{{"you": "{DEMO_KEY}"}}'.encode(), "simulator"), incoming).to_json()
    assert DEMO_KEY not in str(entry)
