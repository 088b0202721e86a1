"""Compiled rules, the index that finds candidates, and choosing the rule that answers.

A rule's counters (sequence step, `times` used) live in the session, so a
scenario's compiled rules are shared read-only data.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field

from . import model
from .exchange import Incoming, Outcome
from .matching import RequestMatcher, compile_matcher, path_segments
from .replies import prepare


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule, ready to match: `replies` holds rendered Outcomes (None = simulator)."""

    id: str
    order: int
    matcher: RequestMatcher
    replies: tuple[Outcome | None, ...]
    sequence: bool
    limit: int | None
    chance: float | None
    delay: tuple[float, float] | None


def compile_when(when: model.When) -> RequestMatcher:
    """The matcher for a validated `when`."""
    return compile_matcher(when.method, when.path, when.query, when.headers, when.body, when.operation)


def compile_rule(
    rule: model.Rule, rule_id: str, order: int, files: Mapping[str, bytes] | None = None
) -> Rule:
    when = rule.when
    steps = rule.reply if isinstance(rule.reply, list) else [rule.reply]
    sequence = isinstance(rule.reply, list)
    limits = [n for n in (rule.times, len(steps) if sequence else None) if n is not None]
    return Rule(
        id=rule_id,
        order=order,
        matcher=compile_when(when),
        replies=tuple(prepare(step, rule_id, files) for step in steps),
        sequence=sequence,
        limit=min(limits) if limits else None,
        chance=rule.chance,
        delay=None if rule.delay is None else (rule.delay.min, rule.delay.max),
    )


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    by_method: dict[str | None, list[Rule]] = field(default_factory=dict)


class RuleIndex:
    """Rules bucketed by operation, or by method and literal path prefix, so lookup cost stays flat."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: r.order))
        self._root = _Node()
        self._operations: dict[str, list[Rule]] = {}
        for rule in self.rules:
            if rule.matcher.operation is not None:
                self._operations.setdefault(rule.matcher.operation, []).append(rule)
                continue
            node = self._root
            for segment in rule.matcher.path.prefix:
                node = node.children.setdefault(segment, _Node())
            node.by_method.setdefault(rule.matcher.method, []).append(rule)

    def __len__(self) -> int:
        return len(self.rules)

    def candidates(self, method: str, path: str, operation: str | None = None) -> list[Rule]:
        """The rules that could match `method path` (performing `operation`), in file order."""
        found: list[list[Rule]] = []
        if operation is not None and (by_operation := self._operations.get(operation)):
            found.append(by_operation)
        node: _Node | None = self._root
        segments = iter(path_segments(path))
        while node is not None:
            for key in (method, None):
                bucket = node.by_method.get(key)
                if bucket:
                    found.append(bucket)
            node = node.children.get(next(segments, "/")) if node.children else None
        if len(found) == 1:
            return found[0]
        return sorted((rule for bucket in found for rule in bucket), key=lambda r: r.order)

    def plausible(self, path: str, operation: str | None = None) -> list[Rule]:
        """The rules whose path or operation could take a request for `path` (performing `operation`)
        under any method, in file order: `candidates` for every method at once.

        A rule with a path pattern sits at the node of its literal prefix (a glob or `{name}`
        segment ends the prefix; a `^regex` has none, so it sits at the root and is always here).
        """
        found: list[Rule] = []
        if operation is not None:
            found += self._operations.get(operation, ())
        node: _Node | None = self._root
        segments = iter(path_segments(path))
        while node is not None:
            for bucket in node.by_method.values():
                found += bucket
            node = node.children.get(next(segments, "/")) if node.children else None
        return sorted(found, key=lambda r: r.order)


@dataclass(frozen=True, slots=True)
class Choice:
    """The rule that takes a request, its reply (None = hand off to the simulator), its delay."""

    rule: Rule
    outcome: Outcome | None
    delay: float = 0.0


def choose(
    index: RuleIndex,
    incoming: Incoming,
    hits: MutableMapping[str, int],
    rng: random.Random,
) -> Choice | None:
    """The first rule that matches and still has uses left; advances its counter."""
    for rule in index.candidates(incoming.method, incoming.path, incoming.operation):
        used = hits.get(rule.id, 0)
        if rule.limit is not None and used >= rule.limit:
            continue
        if not rule.matcher.matches(incoming):
            continue
        if rule.chance is not None and rng.random() >= rule.chance:
            continue
        hits[rule.id] = used + 1
        outcome = rule.replies[used if rule.sequence else 0]
        if rule.delay is None:
            return Choice(rule, outcome)
        low, high = rule.delay
        return Choice(rule, outcome, low if low == high else rng.uniform(low, high))
    return None
