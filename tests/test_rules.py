"""Choosing the rule that answers: file order, extends, sequences, times, chance, delay, the index."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from mockserver import catalog, loader
from mockserver.exchange import Incoming
from mockserver.loader import CompiledScenario
from mockserver.rules import Choice, Rule, RuleIndex, choose
from tests.conftest import WriteScenario

SIMULATOR = "simulator"
"""What `answer` says when a rule hands the request to the simulator."""


def scenario(folder: Path, name: str) -> CompiledScenario:
    return loader.load(folder).get(name)


def pick(
    compiled: CompiledScenario,
    hits: dict[str, int],
    method: str = "GET",
    path: str = "/x",
    rng: random.Random | None = None,
    query: str = "",
) -> Choice | None:
    return choose(compiled.rules, Incoming(method, path, query), hits, rng or random.Random(0))


def answer(
    compiled: CompiledScenario,
    hits: dict[str, int],
    method: str = "GET",
    path: str = "/x",
    rng: random.Random | None = None,
) -> str | None:
    """The error code (or status) of the reply, SIMULATOR for a hand-off, None when no rule takes it."""
    choice = pick(compiled, hits, method, path, rng)
    if choice is None:
        return None
    if choice.outcome is None:
        return SIMULATOR
    return choice.outcome.code or str(choice.outcome.status)


def answered_by(compiled: CompiledScenario, method: str, path: str) -> str | None:
    choice = pick(compiled, {}, method, path)
    return None if choice is None else choice.rule.id


# --- order ------------------------------------------------------------------------


ORDER = """
rules:
  - {when: GET /x, reply: {error: S3_ERROR}}
  - {when: GET /x, reply: {error: DATABASE_ERROR}}
  - {when: "GET /api/**", reply: {error: NOT_FOUND}}
  - {when: "GET /api/v1/designs/{designId}", reply: {error: DESIGN_NOT_FOUND}}
  - {when: "GET /api/v1/designs/dsg_special", reply: {error: FORBIDDEN}}
  - {when: "POST /api/v1/designs/dsg_special", reply: {error: ALREADY_EXISTS}}
  - {when: "/api/v1/designs/{designId}", reply: {error: INTERNAL_ERROR}}
  - {when: {path: /y, query: {v: "2"}}, reply: {error: INVALID_INPUT}}
  - {when: {path: /y}, reply: {error: VALIDATION_ERROR}}
"""


@pytest.mark.parametrize(
    ("method", "path", "code", "rule_id"),
    [
        ("GET", "/x", "S3_ERROR", "order.yaml#1"),  # the first of two identical rules
        ("GET", "/api/v1/designs/dsg_1", "NOT_FOUND", "order.yaml#3"),  # broader, but earlier
        ("GET", "/api/v1/designs/dsg_special", "NOT_FOUND", "order.yaml#3"),  # a later literal does not win
        ("POST", "/api/v1/designs/dsg_special", "ALREADY_EXISTS", "order.yaml#6"),
        ("PUT", "/api/v1/designs/dsg_special", "INTERNAL_ERROR", "order.yaml#7"),  # any method
        ("DELETE", "/api/v1/designs/dsg_1", "INTERNAL_ERROR", "order.yaml#7"),
        ("POST", "/x", None, None),
        ("GET", "/elsewhere", None, None),
        ("GET", "/y", "VALIDATION_ERROR", "order.yaml#9"),  # the query condition of #8 does not hold
    ],
)
def test_the_first_matching_rule_in_file_order_answers(
    scenario_dir: Path,
    write_scenario: WriteScenario,
    method: str,
    path: str,
    code: str | None,
    rule_id: str | None,
) -> None:
    write_scenario("order", ORDER)
    compiled = scenario(scenario_dir, "order")
    assert answer(compiled, {}, method, path) == code
    assert answered_by(compiled, method, path) == rule_id


def test_a_condition_beyond_the_path_decides_between_rules(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario("order", ORDER)
    compiled = scenario(scenario_dir, "order")
    choice = pick(compiled, {}, "GET", "/y", query="v=2")
    assert choice is not None
    assert choice.rule.id == "order.yaml#8"


def test_repeated_requests_keep_going_to_the_first_rule(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario("order", ORDER)
    compiled = scenario(scenario_dir, "order")
    hits: dict[str, int] = {}
    assert [answer(compiled, hits) for _ in range(4)] == ["S3_ERROR"] * 4
    assert hits == {"order.yaml#1": 4}


# --- extends ----------------------------------------------------------------------


@pytest.fixture
def family(scenario_dir: Path, write_scenario: WriteScenario) -> CompiledScenario:
    write_scenario(
        "grandparent",
        """
        rules:
          - {when: "GET /**", reply: {error: NOT_FOUND}}
        """,
    )
    write_scenario(
        "parent",
        """
        extends: grandparent
        rules:
          - {when: GET /x, reply: {error: S3_ERROR}}
          - {when: GET /p, reply: {error: FORBIDDEN}}
          - {when: GET /shared, reply: {error: DATABASE_ERROR}}
        """,
    )
    write_scenario(
        "child",
        """
        extends: parent
        rules:
          - {when: GET /x, reply: {error: INTERNAL_ERROR}}
          - {when: "GET /**", times: 1, reply: {error: UNAUTHORIZED}}
        """,
    )
    return scenario(scenario_dir, "child")


def test_own_rules_come_before_the_parents(family: CompiledScenario) -> None:
    assert [rule.id for rule in family.rules.rules] == [
        "child.yaml#1",
        "child.yaml#2",
        "parent.yaml#1",
        "parent.yaml#2",
        "parent.yaml#3",
        "grandparent.yaml#1",
    ]
    assert [rule.order for rule in family.rules.rules] == list(range(6))


def test_inherited_rules_answer_what_own_rules_leave(family: CompiledScenario) -> None:
    hits: dict[str, int] = {}
    assert pick(family, hits, path="/x") is not None
    assert answer(family, hits, path="/x") == "INTERNAL_ERROR"  # own rule beats the parent's /x
    assert answer(family, hits, path="/p") == "UNAUTHORIZED"  # own catch-all, once
    assert answer(family, hits, path="/p") == "FORBIDDEN"  # then the parent's
    assert answer(family, hits, path="/shared") == "DATABASE_ERROR"
    assert answer(family, hits, path="/other") == "NOT_FOUND"  # the grandparent's
    assert answer(family, hits, "POST", "/x") is None


def test_a_parent_rule_is_named_by_its_own_file(family: CompiledScenario) -> None:
    choice = pick(family, {"child.yaml#2": 1}, path="/p")
    assert choice is not None
    assert choice.outcome is not None
    assert (choice.rule.id, choice.outcome.answered_by) == ("parent.yaml#2", "parent.yaml#2")


# --- sequences and times -------------------------------------------------------------


def test_a_sequence_answers_in_order_then_the_next_rule_takes_over(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario(
        "steps",
        """
        rules:
          - when: GET /x
            reply: [{error: INTERNAL_ERROR}, {simulator: true}, {status: 201, data: {ok: true}}]
          - {when: GET /x, reply: {error: NOT_FOUND}}
        """,
    )
    compiled = scenario(scenario_dir, "steps")
    hits: dict[str, int] = {}
    assert [answer(compiled, hits) for _ in range(5)] == [
        "INTERNAL_ERROR",
        SIMULATOR,
        "201",
        "NOT_FOUND",
        "NOT_FOUND",
    ]
    assert hits == {"steps.yaml#1": 3, "steps.yaml#2": 2}


def test_after_a_sequence_with_no_further_rule_the_simulator_answers(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario(
        "flaky",
        """
        rules:
          - when: POST /api/v1/generate
            reply: [{error: INTERNAL_ERROR}, {error: S3_ERROR}]
        """,
    )
    compiled = scenario(scenario_dir, "flaky")
    hits: dict[str, int] = {}
    got = [answer(compiled, hits, "POST", "/api/v1/generate") for _ in range(4)]
    assert got == ["INTERNAL_ERROR", "S3_ERROR", None, None]


def test_a_sequence_advances_only_on_matching_calls(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario(
        "steps",
        """
        rules:
          - {when: GET /x, reply: [{error: INTERNAL_ERROR}, {error: S3_ERROR}]}
        """,
    )
    compiled = scenario(scenario_dir, "steps")
    hits: dict[str, int] = {}
    assert answer(compiled, hits, "POST", "/x") is None
    assert answer(compiled, hits, "GET", "/y") is None
    assert answer(compiled, hits) == "INTERNAL_ERROR"
    assert answer(compiled, hits, "GET", "/x/y") is None
    assert answer(compiled, hits) == "S3_ERROR"
    assert answer(compiled, hits) is None


def test_sequence_counters_live_in_the_hits_mapping(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario(
        "steps", "rules:\n  - {when: GET /x, reply: [{error: INTERNAL_ERROR}, {error: S3_ERROR}]}\n"
    )
    compiled = scenario(scenario_dir, "steps")
    first: dict[str, int] = {}
    second: dict[str, int] = {}
    assert answer(compiled, first) == "INTERNAL_ERROR"
    assert answer(compiled, second) == "INTERNAL_ERROR"  # a separate session starts at the first step
    assert answer(compiled, first) == "S3_ERROR"
    assert answer(compiled, {"steps.yaml#1": 1}) == "S3_ERROR"


@pytest.mark.parametrize("times", [1, 2, 3, 5])
def test_times_limits_a_rule(scenario_dir: Path, write_scenario: WriteScenario, times: int) -> None:
    write_scenario(
        "limited",
        f"""
        rules:
          - {{when: GET /x, times: {times}, reply: {{error: S3_ERROR}}}}
          - {{when: "GET /**", reply: {{error: NOT_FOUND}}}}
        """,
    )
    compiled = scenario(scenario_dir, "limited")
    hits: dict[str, int] = {}
    assert [answer(compiled, hits) for _ in range(times + 2)] == ["S3_ERROR"] * times + ["NOT_FOUND"] * 2


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        (1, ["S3_ERROR", None, None]),
        (2, ["S3_ERROR", "FORBIDDEN", None]),
        (5, ["S3_ERROR", "FORBIDDEN", None]),  # a sequence ends at its last step anyway
        (None, ["S3_ERROR", "FORBIDDEN", None]),
    ],
)
def test_times_and_a_sequence_the_shorter_wins(
    scenario_dir: Path, write_scenario: WriteScenario, times: int | None, expected: list[str | None]
) -> None:
    limit = "" if times is None else f"times: {times}, "
    write_scenario(
        "short", f"rules:\n  - {{when: GET /x, {limit}reply: [{{error: S3_ERROR}}, {{error: FORBIDDEN}}]}}\n"
    )
    compiled = scenario(scenario_dir, "short")
    hits: dict[str, int] = {}
    assert [answer(compiled, hits) for _ in expected] == expected


def test_a_rule_without_times_answers_forever(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    write_scenario("forever", "rules:\n  - {when: GET /x, reply: {error: S3_ERROR}}\n")
    compiled = scenario(scenario_dir, "forever")
    hits: dict[str, int] = {}
    assert {answer(compiled, hits) for _ in range(100)} == {"S3_ERROR"}
    assert hits == {"forever.yaml#1": 100}


# --- chance -------------------------------------------------------------------------


def coin(write_scenario: WriteScenario, folder: Path, chance: float, extra: str = "") -> CompiledScenario:
    write_scenario(
        "coin",
        f"""
        rules:
          - {{when: GET /x, chance: {chance}, {extra}reply: {{error: S3_ERROR}}}}
          - {{when: GET /x, reply: {{error: NOT_FOUND}}}}
        """,
    )
    return scenario(folder, "coin")


@pytest.mark.parametrize(
    ("chance", "expected"),
    [(0, {"NOT_FOUND"}), (0.0, {"NOT_FOUND"}), (1, {"S3_ERROR"}), (1.0, {"S3_ERROR"})],
)
def test_chance_zero_never_and_one_always(
    scenario_dir: Path, write_scenario: WriteScenario, chance: float, expected: set[str]
) -> None:
    compiled = coin(write_scenario, scenario_dir, chance)
    for seed in range(5):
        rng = random.Random(seed)
        assert {answer(compiled, {}, rng=rng) for _ in range(200)} == expected


class Fixed(random.Random):
    """A Random whose `random()` always returns `value`: the edges a seed rarely reaches."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


@pytest.mark.parametrize(
    ("chance", "draw", "expected"),
    [
        (0, 0.0, "NOT_FOUND"),  # 0 never, even on the lowest draw
        (1, 0.0, "S3_ERROR"),
        (1, 1 - 2**-53, "S3_ERROR"),  # 1 always, even on the highest draw
        (0.5, 0.49, "S3_ERROR"),
        (0.5, 0.5, "NOT_FOUND"),
        (0.5, 0.51, "NOT_FOUND"),
    ],
)
def test_chance_against_the_draw(
    scenario_dir: Path, write_scenario: WriteScenario, chance: float, draw: float, expected: str
) -> None:
    compiled = coin(write_scenario, scenario_dir, chance)
    assert answer(compiled, {}, rng=Fixed(draw)) == expected


def test_the_same_seed_picks_the_same_requests(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    compiled = coin(write_scenario, scenario_dir, 0.3)

    def run(seed: int) -> list[str | None]:
        rng = random.Random(seed)
        hits: dict[str, int] = {}
        return [answer(compiled, hits, rng=rng) for _ in range(200)]

    first = run(5)
    assert first == run(5)
    assert first != run(6)
    assert set(first) == {"S3_ERROR", "NOT_FOUND"}  # a request the coin skips falls through
    assert 30 < first.count("S3_ERROR") < 90


def test_a_skipped_request_does_not_use_up_times(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    compiled = coin(write_scenario, scenario_dir, 0.5, "times: 3, ")
    rng = random.Random(11)
    hits: dict[str, int] = {}
    got = [answer(compiled, hits, rng=rng) for _ in range(100)]
    assert got.count("S3_ERROR") == 3
    assert got.count("NOT_FOUND") == 97
    assert hits["coin.yaml#1"] == 3


def test_chance_on_a_sequence_steps_only_when_taken(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario(
        "coin",
        "rules:\n  - {when: GET /x, chance: 0.5, reply: [{error: S3_ERROR}, {error: FORBIDDEN}]}\n",
    )
    compiled = scenario(scenario_dir, "coin")
    rng = random.Random(2)
    hits: dict[str, int] = {}
    taken = [code for code in (answer(compiled, hits, rng=rng) for _ in range(60)) if code is not None]
    assert taken == ["S3_ERROR", "FORBIDDEN"]


# --- delay ----------------------------------------------------------------------------


DELAYS = """
rules:
  - {when: GET /fixed, delay: 800ms, reply: {error: S3_ERROR}}
  - {when: GET /seconds, delay: 2s, reply: {error: S3_ERROR}}
  - {when: GET /number, delay: 250, reply: {error: S3_ERROR}}
  - {when: GET /zero, delay: 0ms, reply: {error: S3_ERROR}}
  - {when: GET /same, delay: {min: 1.5s, max: 1.5s}, reply: {error: S3_ERROR}}
  - {when: GET /range, delay: {min: 1s, max: 2s}, reply: {error: S3_ERROR}}
  - {when: GET /handoff, delay: 300ms, reply: {simulator: true}}
  - {when: GET /none, reply: {error: S3_ERROR}}
"""


@pytest.mark.parametrize(
    ("path", "delay"),
    [
        ("/fixed", 0.8),
        ("/seconds", 2.0),
        ("/number", 0.25),
        ("/zero", 0.0),
        ("/same", 1.5),
        ("/handoff", 0.3),
        ("/none", 0.0),
    ],
)
def test_fixed_delays_are_surfaced_in_seconds(
    scenario_dir: Path, write_scenario: WriteScenario, path: str, delay: float
) -> None:
    write_scenario("slow", DELAYS)
    choice = pick(scenario(scenario_dir, "slow"), {}, path=path)
    assert choice is not None
    assert choice.delay == pytest.approx(delay)


def test_a_delay_range_is_drawn_with_the_seeded_random(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario("slow", DELAYS)
    compiled = scenario(scenario_dir, "slow")

    def delays(seed: int) -> list[float]:
        rng = random.Random(seed)
        choices = [pick(compiled, {}, path="/range", rng=rng) for _ in range(50)]
        return [choice.delay for choice in choices if choice is not None]

    drawn = delays(3)
    assert len(drawn) == 50
    assert all(1.0 <= value <= 2.0 for value in drawn)
    assert len(set(drawn)) > 40  # drawn, not fixed
    assert delays(3) == drawn
    assert delays(4) != drawn


# --- what the chosen rule answers ----------------------------------------------------


def test_a_simulator_reply_hands_off_with_no_outcome(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario(
        "handoff",
        """
        rules:
          - {when: "GET /api/**", reply: {simulator: true}}
          - {when: "GET /**", reply: {error: NOT_FOUND}}
        """,
    )
    compiled = scenario(scenario_dir, "handoff")
    hits: dict[str, int] = {}
    choice = pick(compiled, hits, path="/api/v1/designs")
    assert choice is not None
    assert choice.outcome is None
    assert choice.rule.id == "handoff.yaml#1"
    assert hits == {"handoff.yaml#1": 1}
    assert answer(compiled, hits, path="/elsewhere") == "NOT_FOUND"


@pytest.mark.parametrize("code", ["INSUFFICIENT_CREDITS", "API_KEY_EXPIRED", "DESIGN_NOT_FOUND", "S3_ERROR"])
def test_an_error_outcome_has_the_catalog_status_and_code(
    scenario_dir: Path, write_scenario: WriteScenario, code: str
) -> None:
    write_scenario(
        "err",
        f"""
        rules:
          - {{when: GET /other, reply: {{error: NOT_FOUND}}}}
          - {{when: GET /x, reply: {{error: {code}}}}}
        """,
    )
    choice = pick(scenario(scenario_dir, "err"), {})
    assert choice is not None
    outcome = choice.outcome
    assert outcome is not None
    assert (outcome.status, outcome.code, outcome.answered_by) == (
        catalog.CODES[code].status,
        code,
        "err.yaml#2",
    )
    assert json.loads(outcome.body) == {
        "status": "error",
        "data": None,
        "error": {"code": code, "message": catalog.CODES[code].message},
    }
    assert outcome.media_type == "application/json"
    assert choice.rule.id == "err.yaml#2"


def test_an_error_outcome_keeps_its_message_and_retry_after(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario(
        "err",
        """
        rules:
          - {when: GET /x, reply: {error: INSUFFICIENT_CREDITS, message: Top up}}
          - {when: GET /y, reply: {error: INTERNAL_ERROR, retry_after: 3}}
        """,
    )
    compiled = scenario(scenario_dir, "err")
    credits = pick(compiled, {}, path="/x")
    assert credits is not None
    assert credits.outcome is not None
    assert (credits.outcome.status, credits.outcome.answered_by) == (402, "err.yaml#1")
    assert credits.outcome.body == (
        b'{"status":"error","data":null,"error":{"code":"INSUFFICIENT_CREDITS","message":"Top up"}}'
    )
    retry = pick(compiled, {}, path="/y")
    assert retry is not None
    assert retry.outcome is not None
    assert (retry.outcome.status, retry.outcome.code) == (500, "INTERNAL_ERROR")
    assert ("retry-after", "3") in retry.outcome.headers


# --- the index gives the same answers as a linear scan -------------------------------


def many_rules() -> str:
    """500 rules under different literal prefixes, with broad rules in between."""
    lines = ["rules:"]
    shapes = [
        'GET "/svc{n}/items"',
        'POST "/svc{n}/items/{{id}}"',
        '"*" "/svc{n}/files/*.pdf"',
        'GET "/svc{n}/deep/**"',
        'DELETE "/svc{n}/a/b/c"',
    ]
    for n in range(500):
        method, path = shapes[n % 5].format(n=n).split(" ")
        query = ", query: {v: '1'}" if n % 7 == 0 else ""
        lines.append(f"  - {{when: {{method: {method}, path: {path}{query}}}, reply: {{error: NOT_FOUND}}}}")
        if n == 120:
            lines.append('  - {when: {method: PUT, path: "/**"}, reply: {error: FORBIDDEN}}')
        if n == 200:
            lines.append('  - {when: {path: "^/svc3[0-9]{2}/items$"}, reply: {error: INVALID_INPUT}}')
        if n == 300:
            lines.append(
                '  - {when: {method: GET, path: "/{service}/items"}, reply: {error: DATABASE_ERROR}}'
            )
        if n == 350:
            lines.append('  - {when: {path: "/svc4*/files/{name}"}, reply: {error: S3_ERROR}}')
        if n == 420:
            lines.append('  - {when: {method: PATCH, path: "/svc42/**"}, reply: {error: ALREADY_EXISTS}}')
    lines.append('  - {when: {method: HEAD, path: "/**"}, reply: {error: INTERNAL_ERROR}}')
    return "\n".join(lines) + "\n"


def all_requests() -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    tails = ["/items", "/items/7", "/files/a.pdf", "/files/a.png", "/deep", "/deep/x/y", "/a/b/c", "/a/b", ""]
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
    for n in sorted({*range(0, 520, 3), 42, 300, 301, 399, 400, 420, 421, 499}):
        for tail in tails:
            for method in methods:
                for query in ("", "v=1") if n % 7 == 0 else ("",):
                    found.append((method, f"/svc{n}{tail}", query))
    found += [
        ("GET", "/", ""),
        ("GET", "/svc", ""),
        ("GET", "/svc3/items/x", ""),
        ("GET", "/other/items", ""),
        ("POST", "/other/items", ""),
        ("PATCH", "/svc42", ""),
        ("PATCH", "/svc42/anything/else", ""),
        ("POST", "/svc45/files/x", ""),
        ("OPTIONS", "/svc1/files/a.pdf", ""),
    ]
    return found


def linear(rules: Sequence[Rule], incoming: Incoming) -> str | None:
    return next((rule.id for rule in rules if rule.matcher.matches(incoming)), None)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> RuleIndex:
    folder = tmp_path_factory.mktemp("crowded")
    (folder / "many.yaml").write_text(many_rules(), encoding="utf-8")
    return loader.load(folder).get("many").rules


def test_the_crowded_scenario_has_every_rule(crowded: RuleIndex) -> None:
    assert len(crowded) == 506
    assert [rule.order for rule in crowded.rules] == list(range(506))


def test_the_index_agrees_with_a_linear_scan(crowded: RuleIndex) -> None:
    answers: dict[str | None, int] = {}
    for method, path, query in all_requests():
        incoming = Incoming(method, path, query)
        expected = linear(crowded.rules, incoming)
        chosen = choose(crowded, incoming, {}, random.Random(0))
        assert (None if chosen is None else chosen.rule.id) == expected, (method, path, query)
        answers[expected] = answers.get(expected, 0) + 1
    # the requests reach rules of every kind, and some reach none
    assert None in answers
    for broad in (
        "many.yaml#122",
        "many.yaml#203",
        "many.yaml#304",
        "many.yaml#355",
        "many.yaml#426",
        "many.yaml#506",
    ):
        assert broad in answers, broad
    assert len(answers) > 150


def test_candidates_hold_every_matching_rule_in_file_order(crowded: RuleIndex) -> None:
    for method, path, query in all_requests():
        incoming = Incoming(method, path, query)
        candidates = crowded.candidates(method, path)
        assert [rule.order for rule in candidates] == sorted(rule.order for rule in candidates)
        matching = [rule.id for rule in crowded.rules if rule.matcher.matches(incoming)]
        assert [rule.id for rule in candidates if rule.matcher.matches(incoming)] == matching, (method, path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/svc7/items"),
        ("POST", "/svc301/items/1"),
        ("GET", "/nothing/here"),
        ("HEAD", "/svc499/a/b/c"),
    ],
)
def test_the_index_narrows_the_candidates(crowded: RuleIndex, method: str, path: str) -> None:
    assert len(crowded.candidates(method, path)) <= 6


@pytest.mark.parametrize(
    ("method", "path", "query", "rule_id"),
    [
        ("GET", "/svc0/items", "v=1", "many.yaml#1"),  # n % 7 == 0 wants ?v=1
        ("GET", "/svc0/items", "", "many.yaml#304"),  # what the query condition leaves, the template takes
        ("GET", "/svc5/items", "", "many.yaml#6"),
        ("GET", "/svc100/items", "", "many.yaml#101"),  # the later template does not win
        ("PUT", "/svc5/items", "", "many.yaml#122"),
        ("PUT", "/svc200/items", "", "many.yaml#122"),
        ("GET", "/svc300/items", "v=1", "many.yaml#203"),  # the regex precedes svc300's own rule
        ("GET", "/svc405/items", "", "many.yaml#304"),  # the template precedes svc405's own rule
        ("GET", "/svc12/files/a.pdf", "", "many.yaml#13"),
        ("GET", "/svc12/files/a.png", "", None),
        ("GET", "/svc412/files/a.png", "", "many.yaml#355"),
        ("PATCH", "/svc42/x", "", "many.yaml#426"),
        ("HEAD", "/anything", "", "many.yaml#506"),
    ],
)
def test_the_index_picks_known_rules(
    crowded: RuleIndex, method: str, path: str, query: str, rule_id: str | None
) -> None:
    chosen = choose(crowded, Incoming(method, path, query), {}, random.Random(0))
    assert (None if chosen is None else chosen.rule.id) == rule_id
