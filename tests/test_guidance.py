"""The guidance engine: each finding raised by a client breaking the advice, none for a careful one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from mockserver.guidance import (
    RULES,
    Checker,
    Exchange,
    Finding,
    Thresholds,
    body_digest,
    check,
    parse_retry_after,
    request_target,
    thresholds_from,
)

KEY = "pc_live_demo0000000000000001"
EXPIRED = "pc_live_expired0000000000001"
NEW_KEY = "pc_live_abcdefghij0123456789"
GENERATE = "/api/v1/designs/dsg_invoice/generate"


def masked(credential: str) -> str:
    return f"{credential[:12]}…{credential[-4:]}"


@dataclass
class Client:
    """Writes a synthetic journal: each request `after` seconds after the previous answer."""

    credential: str | None = KEY
    address: str = "127.0.0.1"
    now: float = 1_700_000_000.0
    seq: int = 0
    sent: list[Exchange] = field(default_factory=list)

    def send(
        self,
        method: str,
        path: str,
        status: int | None,
        code: str | None = None,
        *,
        after: float = 0.001,
        body: bytes = b"",
        fault: str | None = None,
        retry_after: float | None = None,
        credential: str | bool | None = True,
        operation: str | None = None,
        duration: float = 0.01,
    ) -> Exchange:
        used = self.credential if credential is True else (None if credential is False else credential)
        self.seq += 1
        self.now += after
        exchange = Exchange(
            request_id=self.seq,
            at=self.now,
            client=masked(used) if isinstance(used, str) else self.address,
            method=method,
            path=path,
            operation=operation,
            body_digest=body_digest(body),
            status=status,
            code=code,
            fault=fault,
            retry_after=retry_after,
            credential=used if isinstance(used, str) else None,
            duration=duration,
        )
        self.now += duration
        self.sent.append(exchange)
        return exchange

    def generate(self, status: int | None, code: str | None = None, **options: Any) -> Exchange:
        options.setdefault("body", b'{"data": {"customer_name": "Ada"}}')
        return self.send("POST", GENERATE, status, code, operation="generate", **options)

    def retries(
        self, waits: list[float], status: int | None = 500, code: str | None = "INTERNAL_ERROR"
    ) -> None:
        """A generation failing with `status`, retried after each of `waits`, the last one succeeding."""
        self.generate(status, code)
        for number, wait in enumerate(waits, 1):
            last = number == len(waits)
            self.generate(201 if last else status, None if last else code, after=wait)


def ids(findings: list[Finding]) -> list[str]:
    return [finding.id for finding in findings]


# --- retried-4xx ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "credential"),
    [
        (400, "VALIDATION_ERROR", True),
        (401, "UNAUTHORIZED", False),
        (403, "INSUFFICIENT_PERMISSIONS", True),
        (404, "DESIGN_NOT_FOUND", True),
        (409, "DUPLICATE_ENTRY", True),
    ],
)
def test_a_deterministic_4xx_sent_again_unchanged_is_a_finding(
    status: int, code: str, credential: bool
) -> None:
    client = Client()
    client.send("POST", "/api/v1/designs", status, code, body=b'{"name": "x"}', credential=credential)
    client.send("POST", "/api/v1/designs", status, code, body=b'{"name": "x"}', credential=credential)
    [finding] = check(client.sent)
    assert finding.id == "retried-4xx"
    assert [ref.id for ref in finding.requests] == [1, 2]
    assert finding.requests[0].status == status
    assert finding.requests[0].code == code
    assert finding.client == (masked(KEY) if credential else "127.0.0.1")


def test_json_key_order_and_spacing_do_not_make_a_new_request() -> None:
    client = Client()
    client.send("POST", "/api/v1/designs", 400, "INVALID_INPUT", body=b'{"name": "x", "size": "A4"}')
    client.send("POST", "/api/v1/designs", 400, "INVALID_INPUT", body=b'{"size":"A4","name":"x"}')
    assert ids(check(client.sent)) == ["retried-4xx"]


def test_a_changed_request_after_a_4xx_is_no_finding() -> None:
    client = Client()
    client.send("POST", "/api/v1/designs", 400, "VALIDATION_ERROR", body=b'{"name": "x", "prompt": "p"}')
    client.send("POST", "/api/v1/designs", 201, body=b'{"name": "x"}')
    client.send("GET", "/api/v1/designs/dsg_nope", 404, "DESIGN_NOT_FOUND")
    client.send("GET", "/api/v1/designs/dsg_invoice", 200)
    assert check(client.sent) == []


def test_a_request_repeated_after_a_successful_write_is_no_finding() -> None:
    client = Client()
    client.send("DELETE", "/api/v1/designs/dsg_a", 404, "DESIGN_NOT_FOUND")
    client.send("POST", "/api/v1/designs", 201, body=b'{"name": "a"}')
    client.send("DELETE", "/api/v1/designs/dsg_a", 404, "DESIGN_NOT_FOUND")
    client.send("GET", "/api/v1/designs/dsg_a", 200)  # a read changes nothing
    client.send("DELETE", "/api/v1/designs/dsg_a", 404, "DESIGN_NOT_FOUND")
    [finding] = check(client.sent)
    assert finding.id == "retried-4xx"
    assert [ref.id for ref in finding.requests] == [3, 5]


def test_unauthorized_then_the_same_request_with_a_credential_is_no_finding() -> None:
    client = Client()
    client.send("GET", "/api/v1/designs", 401, "UNAUTHORIZED", credential=False)
    client.send("GET", "/api/v1/designs", 200)
    assert check(client.sent) == []


def test_a_repeat_outside_the_window_or_alongside_the_first_is_not_a_retry() -> None:
    late = Client()
    late.send("GET", "/api/v1/designs/dsg_x", 404, "DESIGN_NOT_FOUND")
    late.send("GET", "/api/v1/designs/dsg_x", 404, "DESIGN_NOT_FOUND", after=61)
    assert check(late.sent) == []
    assert ids(check(late.sent, Thresholds(retry_window=120))) == ["retried-4xx"]
    together = Client()
    together.send("GET", "/api/v1/designs/dsg_x", 404, "DESIGN_NOT_FOUND", duration=0.5)
    together.send("GET", "/api/v1/designs/dsg_x", 404, "DESIGN_NOT_FOUND", after=-0.4)
    assert check(together.sent) == []


def test_the_query_is_part_of_the_request() -> None:
    client = Client()
    client.send("POST", request_target("/api/v1/generate", "design=dsg_nope"), 404, "DESIGN_NOT_FOUND")
    client.send("POST", request_target("/api/v1/generate", "design=dsg_invoice"), 201)
    assert check(client.sent) == []
    client.send("POST", request_target("/api/v1/generate", {"design": "dsg_nope"}), 404, "DESIGN_NOT_FOUND")
    client.send("POST", request_target("/api/v1/generate", {"design": ["dsg_nope"]}), 404, "DESIGN_NOT_FOUND")
    assert ids(check(client.sent)) == ["retried-4xx"]


# --- retried-402 ---------------------------------------------------------------------------------


def test_a_generation_retried_after_402_is_a_finding() -> None:
    client = Client()
    client.generate(402, "INSUFFICIENT_CREDITS")
    client.generate(402, "INSUFFICIENT_CREDITS", after=2.0)
    [finding] = check(client.sent)
    assert finding.id == "retried-402"
    assert finding.request == f"POST {GENERATE} (generate)"
    assert [(ref.status, ref.code) for ref in finding.requests] == [(402, "INSUFFICIENT_CREDITS")] * 2


def test_stopping_at_402_is_no_finding() -> None:
    client = Client()
    client.send("GET", "/api/v1/designs", 200)
    client.generate(402, "INSUFFICIENT_CREDITS")
    client.send("GET", "/api/v1/designs", 200)
    assert check(client.sent) == []


# --- transient failures: too soon, no backoff, Retry-After, storm ---------------------------------


def test_immediate_retries_after_a_5xx_are_too_soon_from_the_second_one() -> None:
    client = Client()
    client.retries([0.001, 0.001])
    [finding] = check(client.sent)
    assert finding.id == "retry-too-soon"
    assert [ref.id for ref in finding.requests] == [1, 2, 3]
    assert finding.requests[-1].waited == pytest.approx(0.001, abs=1e-6)
    assert "retry 2" in finding.detail


def test_one_immediate_retry_is_tolerated_unless_the_thresholds_say_otherwise() -> None:
    client = Client()
    client.retries([0.001])
    assert check(client.sent) == []
    assert ids(check(client.sent, Thresholds(immediate_retries=0))) == ["retry-too-soon"]


def test_a_constant_wait_is_no_backoff_and_a_growing_one_is() -> None:
    constant = Client()
    constant.retries([0.5, 0.5, 0.5, 0.5])
    [finding] = check(constant.sent)
    assert finding.id == "no-backoff"
    assert [ref.id for ref in finding.requests] == [1, 2, 3, 4]
    careful = Client()
    careful.retries([0.25, 0.5, 1.0, 2.0])
    assert check(careful.sent) == []
    assert ids(check(careful.sent, Thresholds(backoff_growth=3))) == ["no-backoff"]


def test_a_shrinking_wait_is_no_backoff() -> None:
    client = Client()
    client.retries([1.0, 0.5])
    [finding] = check(client.sent)
    assert finding.id == "no-backoff"
    assert "less than" in finding.detail
    assert check(client.sent, Thresholds(backoff_slack=0.6)) == []


def test_urllib3_retry_is_a_careful_client() -> None:
    # urllib3's Retry(backoff_factor=0.5): the first retry at once, then 1 s, 2 s, 4 s.
    client = Client()
    client.retries([0.0, 1.0, 2.0, 4.0])
    assert check(client.sent) == []


def test_the_retries_of_a_naive_client_break_everything_at_once() -> None:
    client = Client()
    for wait in [0.0] + [0.001] * 9:
        client.generate(None, fault="connection_reset", after=wait)
    assert ids(check(client.sent)) == ["retry-too-soon", "no-backoff", "retry-storm"]


def test_retrying_before_retry_after_is_a_finding_and_after_it_is_not() -> None:
    eager = Client()
    eager.generate(500, "S3_ERROR", retry_after=1)
    eager.generate(201, after=0.3)
    [finding] = check(eager.sent)
    assert finding.id == "ignored-retry-after"
    assert finding.requests[0].retry_after == 1
    patient = Client()
    patient.generate(500, "S3_ERROR", retry_after=1)
    patient.generate(503, retry_after=1, after=1.0)
    patient.generate(503, retry_after=1, after=1.01)
    patient.generate(503, retry_after=1, after=0.99)  # within the clock slack
    patient.generate(201, after=1.0)
    assert check(patient.sent) == []


def test_a_retry_after_longer_than_the_window_still_links_the_retry() -> None:
    client = Client()
    client.generate(503, retry_after=120)
    client.generate(503, after=30)
    assert ids(check(client.sent)) == ["ignored-retry-after"]


def test_more_attempts_than_the_maximum_is_a_storm() -> None:
    client = Client()
    client.retries([0.25 * 2**n for n in range(7)])  # 8 attempts, properly spaced
    [finding] = check(client.sent)
    assert finding.id == "retry-storm"
    assert "7 attempts" in finding.detail
    assert finding.requests[-1].id == 7
    assert check(client.sent, Thresholds(max_attempts=8)) == []


@pytest.mark.parametrize(
    "fault", ["connection_reset", "empty_reply", "malformed_json", "gateway_html", "hang"]
)
def test_network_faults_count_as_transient_failures(fault: str) -> None:
    client = Client()
    status = {"connection_reset": None, "hang": None, "gateway_html": 502}.get(fault, 200)
    for wait in (0.0, 0.001, 0.001):
        client.generate(status, fault=fault, after=wait)
    assert ids(check(client.sent)) == ["retry-too-soon"]


def test_a_success_ends_the_burst() -> None:
    client = Client()
    for _ in range(4):
        client.retries([0.3, 0.6])
    assert check(client.sent) == []


# --- reused-rejected-credential -----------------------------------------------------------------


@pytest.mark.parametrize("code", ["API_KEY_EXPIRED", "INVALID_API_KEY", "TOKEN_EXPIRED", "INVALID_TOKEN"])
def test_a_rejected_credential_sent_again_is_a_finding(code: str) -> None:
    client = Client(credential=EXPIRED)
    client.send("GET", "/api/v1/designs", 401, code)
    client.send("GET", "/api/v1/me", 401, code, after=5)
    [finding] = check(client.sent)
    assert finding.id == "reused-rejected-credential"
    assert finding.client == masked(EXPIRED)
    assert [ref.path for ref in finding.requests] == ["/api/v1/designs", "/api/v1/me"]
    assert EXPIRED not in json.dumps(finding.to_json(), ensure_ascii=False)
    assert EXPIRED not in str(finding)


def test_rotating_to_a_new_key_is_no_finding() -> None:
    client = Client(credential=EXPIRED)
    client.send("GET", "/api/v1/designs", 401, "API_KEY_EXPIRED")
    client.send("GET", "/api/v1/designs", 200, credential=NEW_KEY)
    client.send("GET", "/api/v1/designs", 200, credential=NEW_KEY)
    assert check(client.sent) == []


def test_requests_in_flight_when_the_key_was_rejected_are_no_finding() -> None:
    client = Client(credential=EXPIRED)
    client.send("GET", "/api/v1/designs", 401, "API_KEY_EXPIRED", duration=0.2)
    client.send("GET", "/api/v1/me", 401, "API_KEY_EXPIRED", after=-0.15)
    assert check(client.sent) == []


def test_two_keys_with_the_same_mask_are_told_apart() -> None:
    twin = EXPIRED[:12] + "x" * 12 + EXPIRED[-4:]
    assert masked(twin) == masked(EXPIRED)
    client = Client(credential=EXPIRED)
    client.send("GET", "/api/v1/designs", 401, "INVALID_API_KEY")
    client.send("GET", "/api/v1/designs", 200, credential=twin)
    assert check(client.sent) == []


# --- legitimate patterns ------------------------------------------------------------------------


def test_polling_a_batch_and_repeating_reads_is_no_finding() -> None:
    client = Client()
    client.send("POST", "/api/v1/designs/dsg_certificate/batch", 202, body=b'{"rows": [{}]}')
    for _state in ["queued", "processing", "processing", "completed"]:
        client.send("GET", "/api/v1/batch/job_1", 200, operation="batch.status", after=0.1)
    for _ in range(5):
        client.send("GET", "/api/v1/designs", 200, after=0.0)
    assert check(client.sent) == []


# --- dedupe, incremental form, memory -------------------------------------------------------------


def test_each_finding_is_reported_once_per_client_and_request() -> None:
    client = Client()
    for _ in range(5):
        client.send("GET", "/api/v1/designs/dsg_x", 404, "DESIGN_NOT_FOUND")
    for _ in range(2):
        client.send("GET", "/api/v1/designs/dsg_y", 404, "DESIGN_NOT_FOUND")
    for _ in range(2):
        client.send("GET", "/api/v1/designs/dsg_x", 404, "DESIGN_NOT_FOUND", credential=NEW_KEY)
    found = check(client.sent)
    assert [(f.id, f.request, f.client) for f in found] == [
        ("retried-4xx", "GET /api/v1/designs/dsg_x", masked(KEY)),
        ("retried-4xx", "GET /api/v1/designs/dsg_y", masked(KEY)),
        ("retried-4xx", "GET /api/v1/designs/dsg_x", masked(NEW_KEY)),
    ]


def mixed_stream() -> list[Exchange]:
    client = Client()
    client.retries([0.001] * 8)
    client.generate(402, "INSUFFICIENT_CREDITS")
    client.generate(402, "INSUFFICIENT_CREDITS")
    client.send("GET", "/api/v1/designs/dsg_x", 404, "DESIGN_NOT_FOUND")
    client.send("GET", "/api/v1/designs/dsg_x", 404, "DESIGN_NOT_FOUND")
    client.send("GET", "/api/v1/me", 401, "API_KEY_EXPIRED", credential=EXPIRED)
    client.send("GET", "/api/v1/me", 401, "API_KEY_EXPIRED", credential=EXPIRED)
    client.generate(500, retry_after=2)
    client.generate(201, after=0.5)
    return client.sent


def test_the_incremental_checker_finds_what_check_finds() -> None:
    stream = mixed_stream()
    checker = Checker()
    incremental = [finding for exchange in stream for finding in checker.add(exchange)]
    expected = check(stream)
    assert incremental == expected
    assert sorted(set(ids(expected))) == sorted(RULES)
    assert checker.add(stream[-1]) == []


def test_the_checker_forgets_the_oldest_identities_beyond_its_bound() -> None:
    checker = Checker(Thresholds(max_tracked=100))
    client = Client()
    first = client.send("GET", "/api/v1/designs/dsg_0", 404, "DESIGN_NOT_FOUND")
    checker.add(first)
    for n in range(1, 5000):
        checker.add(client.send("GET", f"/api/v1/designs/dsg_{n}", 404, "DESIGN_NOT_FOUND", after=0))
        checker.add(client.send("GET", "/api/v1/me", 401, "INVALID_API_KEY", credential=f"k{n}", after=0))
    assert checker.tracked <= 200
    forgotten = client.send("GET", "/api/v1/designs/dsg_0", 404, "DESIGN_NOT_FOUND")
    assert checker.add(forgotten) == []
    recent = client.send("GET", "/api/v1/designs/dsg_4999", 404, "DESIGN_NOT_FOUND")
    assert ids(checker.add(recent)) == ["retried-4xx"]


def test_a_long_storm_keeps_bounded_evidence() -> None:
    client = Client()
    client.retries([0.001] * 1000)
    checker = Checker()
    found = [finding for exchange in client.sent for finding in checker.add(exchange)]
    assert ids(found) == ["retry-too-soon", "no-backoff", "retry-storm"]
    assert checker.tracked == 1
    assert all(len(finding.requests) <= 11 for finding in found)


# --- findings, thresholds, identity helpers -------------------------------------------------------


def test_a_finding_as_json_says_what_was_broken_and_how_to_fix_it() -> None:
    client = Client()
    client.generate(402, "INSUFFICIENT_CREDITS")
    client.generate(402, "INSUFFICIENT_CREDITS", after=0.25)
    document = check(client.sent)[0].to_json()
    assert document["id"] == "retried-402"
    assert document["rule"] == RULES["retried-402"][0]
    assert document["fix"] == RULES["retried-402"][1]
    assert document["client"] == masked(KEY)
    assert [(r["id"], r["status"], r["code"]) for r in document["requests"]] == [
        (1, 402, "INSUFFICIENT_CREDITS"),
        (2, 402, "INSUFFICIENT_CREDITS"),
    ]
    assert document["requests"][0]["time"] == "2023-11-14T22:13:20.001Z"
    assert document["requests"][1]["waited"] == 0.25
    assert json.loads(json.dumps(document)) == document


def test_thresholds_are_bounded_and_set_by_name() -> None:
    assert thresholds_from({"min_delay": "0.5", "max_attempts": 4}) == Thresholds(
        min_delay=0.5, max_attempts=4
    )
    assert thresholds_from(None) == Thresholds()
    with pytest.raises(ValueError, match="unknown guidance threshold min_wait"):
        thresholds_from({"min_wait": 1})
    with pytest.raises(ValueError, match="max_attempts"):
        thresholds_from({"max_attempts": 0})
    with pytest.raises(ValueError, match="immediate_retries"):
        thresholds_from({"immediate_retries": 1.5})
    with pytest.raises(ValueError, match="max_tracked must be between 1 and 1e"):
        Thresholds(max_tracked=10**9)
    with pytest.raises(ValueError, match="must be a number"):
        Thresholds(min_delay=True)


def test_body_digest_normalises_json_and_multipart_boundaries() -> None:
    assert body_digest(b'{"a": 1, "b": [1, 2]}') == body_digest(b'{"b":[1,2],"a":1}\n')
    assert body_digest(b'{"a": 1}') != body_digest(b'{"a": 2}')
    assert body_digest(b"[1, 2]") != body_digest(b"[2, 1]")
    first = b"--aaa\r\nContent-Disposition: form-data; name=f\r\n\r\nx\r\n--aaa--\r\n"
    second = first.replace(b"aaa", b"bbb")
    assert body_digest(first, "multipart/form-data; boundary=aaa") == body_digest(
        second, "multipart/form-data; boundary=bbb"
    )
    assert body_digest(b"{not json") != body_digest(b"{not json!")


def test_retry_after_reads_seconds_and_dates() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now) == 30.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_the_checkers_of_a_server_remember_within_one_shared_budget() -> None:
    from mockserver.guidance.checker import TrackBudget

    budget = TrackBudget(limit=10)
    first, second = Checker(budget=budget), Checker(budget=budget)
    for n in range(50):
        for checker, client in ((first, "a"), (second, "b")):
            checker.add(Exchange(n, float(n), client, "GET", f"/x/{n}", None, "", 500, "INTERNAL_ERROR"))
    assert budget.used <= 11  # over by one at most, for the moment before the oldest is dropped
    assert first.tracked >= 1
    assert second.tracked >= 1
    first.release()
    assert first.tracked == 0
    assert budget.used == second.tracked


def test_sessions_give_their_guidance_memory_back_when_reset_or_evicted() -> None:
    from mockserver import MockAsgi

    mock = MockAsgi(max_sessions=2)
    store = mock.app.sessions
    session = store.get("x")
    for n in range(5):
        session.guidance.checker.add(
            Exchange(n, float(n), "c", "GET", f"/y/{n}", None, "", 500, "INTERNAL_ERROR")
        )
    assert store.track_budget.used == 5
    session.reset()
    assert store.track_budget.used == 0
    for n in range(3):
        session.guidance.checker.add(
            Exchange(n, float(n), "c", "GET", f"/y/{n}", None, "", 500, "INTERNAL_ERROR")
        )
    store.get("y")
    store.get("z")  # evicts the least recently used idle session: x
    assert "x" not in store.all()
    assert store.track_budget.used == 0
