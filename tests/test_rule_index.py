"""The rule index: the same choice as reading every rule in file order, at a cost that does not grow
with the rules that cannot match, whatever their shape (literal, template, glob, `**`, regex)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver import model
from mockserver.exchange import Incoming
from mockserver.matching import RequestMatcher
from mockserver.rules import RECENT, RECENT_PATH, Choice, Rule, RuleIndex, choose, compile_rule

SEGMENTS = ["api", "v1", "designs", "dsg_1", "dsg_22", "x", "", "pages"]
PATTERNS = [
    "/api/v1/designs",
    "/api/v1/designs/{id}",
    "/api/v1/designs/dsg_*",
    "/api/v1/designs/*/pages",
    "/api/**",
    "/**",
    "/api/v1/*",
    "/x",
    "/",
    "^/api/v1/designs/dsg_[0-9]+$",
    "^/api/.*$",
    "^/a(pi)?/v1",
    "^/api/v1/designs|^/x",
    "/api/v1/designs/{id}/**",
]


def make_rule(when: Any, order: int, **options: Any) -> Rule:
    parsed = model.RULES.validate_python([{"when": when, "reply": {"error": "S3_ERROR"}, **options}])[0]
    return compile_rule(parsed, f"r{order}", order)


def linear_choose(
    rules: list[Rule], incoming: Incoming, hits: dict[str, int], rng: random.Random
) -> Rule | None:
    """What the index must agree with: every rule, in file order."""
    for rule in sorted(rules, key=lambda r: r.order):
        # The true/false check agrees with the worded one, which only the journal uses.
        assert rule.matcher.matches(incoming) == (rule.matcher.mismatch(incoming) is None)
        used = hits.get(rule.id, 0)
        if rule.limit is not None and used >= rule.limit:
            continue
        if not rule.matcher.matches(incoming):
            continue
        if rule.chance is not None and rng.random() >= rule.chance:
            continue
        hits[rule.id] = used + 1
        return rule
    return None


rule_specs = st.lists(
    st.tuples(
        st.sampled_from(PATTERNS),
        st.sampled_from([None, "GET", "POST"]),
        st.sampled_from([None, 1, 2]),
        st.sampled_from([None, 0.5]),
    ),
    min_size=1,
    max_size=12,
)
requests = st.lists(
    st.tuples(st.sampled_from(["GET", "POST"]), st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=5)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(rule_specs, requests, st.integers(0, 2**32))
def test_the_index_chooses_what_reading_every_rule_in_order_would(
    specs: list[tuple[str, str | None, int | None, float | None]],
    sent: list[tuple[str, list[str]]],
    seed: int,
) -> None:
    rules = []
    for order, (path, method, times, chance) in enumerate(specs, start=1):
        options = {k: v for k, v in (("times", times), ("chance", chance)) if v is not None}
        when = {"path": path, **({"method": method} if method else {})}
        rules.append(make_rule(when, order, **options))
    index = RuleIndex(reversed(rules))  # filed in any order: file order is the rule's `order`
    indexed_hits: dict[str, int] = {}
    linear_hits: dict[str, int] = {}
    indexed_rng, linear_rng = random.Random(seed), random.Random(seed)
    for method, segments in sent:
        incoming = Incoming(method, "/" + "/".join(segments))
        choice = choose(index, incoming, indexed_hits, indexed_rng)
        expected = linear_choose(rules, incoming, linear_hits, linear_rng)
        assert (choice.rule.id if choice else None) == (expected.id if expected else None), incoming.path
        assert indexed_hits == linear_hits
        assert indexed_rng.random() == linear_rng.random()  # the same draws were made


SHAPES = {
    "literal": ("/api/v1/things/{n}", "/api/v1/things/{n}"),
    "template": ("/api/v1/things/{n}/items/{{id}}", "/api/v1/things/{n}/items/abc"),
    "glob": ("/api/v1/things/{n}-*", "/api/v1/things/{n}-abc"),
    "double glob": ("/api/v1/things/{n}/**", "/api/v1/things/{n}/a/b"),
    "regex": ("^/api/v1/things/{n}/[a-z]+$", "/api/v1/things/{n}/abc"),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_ten_thousand_rules_of_one_shape_look_at_a_handful(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matched rule last in file order; no timing: count the rules whose matcher runs."""
    pattern, request = SHAPES[shape]
    rules = [make_rule({"method": "GET", "path": pattern.format(n=n)}, n) for n in range(10_000)]
    index = RuleIndex(rules)
    looked: list[RequestMatcher] = []
    original = RequestMatcher.matches

    def counting(self: RequestMatcher, incoming: Incoming) -> bool:
        looked.append(self)
        return original(self, incoming)

    monkeypatch.setattr(RequestMatcher, "matches", counting)
    choice: Choice | None = choose(index, Incoming("GET", request.format(n=9_999)), {}, random.Random(1))
    assert choice is not None
    assert choice.rule.id == "r9999"
    assert 1 <= len(looked) <= 5, f"{len(looked)} rules looked at for one request"
    assert len(index.buckets("GET", request.format(n=9_999))) <= 5


conditions = st.fixed_dictionaries(
    {},
    optional={
        "query": st.dictionaries(
            st.sampled_from(["page", "q"]), st.sampled_from(["1", "2*", None]), max_size=2
        ),
        "headers": st.dictionaries(
            st.sampled_from(["x-trace", "accept"]), st.sampled_from(["a*", "b", None]), max_size=2
        ),
        "body": st.dictionaries(
            st.sampled_from(["name", "a.b"]), st.sampled_from(["X*", 1, True]), max_size=2
        ),
    },
)


@settings(max_examples=300, deadline=None)
@given(
    conditions,
    st.sampled_from(["", "page=1", "page=22&q=2x", "q=1"]),
    st.dictionaries(st.sampled_from(["x-trace", "accept"]), st.sampled_from(["abc", "b", "z"]), max_size=2),
    st.sampled_from(
        [b"", b"{}", b'{"name": "Xy"}', b'{"a": {"b": 1}}', b'{"name": 5, "a": {"b": true}}', b"[1"]
    ),
)
def test_the_true_false_check_agrees_with_the_worded_one(
    when: dict[str, Any], query: str, headers: dict[str, str], body: bytes
) -> None:
    """`matches` runs per candidate rule and words nothing; `mismatch` words why, for the journal."""
    rule = make_rule({"method": "POST", "path": "/x", **when}, 1)
    incoming = Incoming("POST", "/x", query, {"content-type": "application/json", **headers}, body)
    assert rule.matcher.matches(incoming) == (rule.matcher.mismatch(incoming) is None)


def test_the_buckets_of_recent_requests_are_reused_and_their_memory_is_bounded() -> None:
    rules = [make_rule({"method": "GET", "path": f"/api/v1/things/{n}/*"}, n) for n in range(100)]
    index = RuleIndex(rules)
    first = index.buckets("GET", "/api/v1/things/7/x")
    assert index.buckets("GET", "/api/v1/things/7/x") is first  # the same request: not walked again
    assert index.buckets("POST", "/api/v1/things/7/x") == []  # the method is part of what is remembered
    for n in range(5 * RECENT):  # a client walking ever new paths
        assert len(index.buckets("GET", f"/api/v1/things/{n % 100}/{n}")) == 1
        assert len(index._recent) <= RECENT
    long_path = "/api/v1/things/7/" + "x" * RECENT_PATH
    assert index.buckets("GET", long_path) == first
    assert all(path != long_path for _, path, _ in index._recent)
