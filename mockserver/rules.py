"""Compiled rules, the index that finds candidates, and choosing the rule that answers.

A rule's counters (sequence step, `times` used) live in the session, so a
scenario's compiled rules are shared read-only data.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from . import model
from .exchange import Incoming, Outcome
from .matching import LEAD, LITERAL, REST, RequestMatcher, compile_matcher, path_segments, shared
from .replies import prepare


@dataclass(slots=True, unsafe_hash=True)
class Rule:
    """One rule, ready to match: `replies` holds rendered Outcomes (None = simulator).

    Never changed once made, but not frozen: a file may make 10,000, and a frozen dataclass's
    `__init__` costs three times as much (the same holds for PathPattern and RequestMatcher)."""

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


RECENT = 256
"""Requests whose buckets an index remembers (a few KB of lists it already holds; cleared when full)."""
RECENT_PATH = 512
"""Paths longer than this are not remembered (a long path is rare and would make the memory grow)."""

Bucket = list[Rule]
"""Rules filed at one place of the index, in file order."""


_NONE: dict[Any, Any] = {}
"""The empty mapping every node starts with (never written to): an index of 10,000 rules has tens of
thousands of nodes, most of which use one or two of their four mappings."""


_LENGTHS: dict[tuple[int, ...], tuple[int, ...]] = {}
"""`lead_lengths` tuples, one of each (`shared`), for the nodes that have it: most have one of the
same few."""


class _Node:
    """One place in the segment trie: what the next segment may be, and the rules filed here.

    Its mappings are the shared empty `_NONE` until something is filed in them (`_own`)."""

    __slots__ = ("any", "children", "ends", "lead_lengths", "leads", "rests")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = _NONE
        """The next segment, written out."""
        self.any: _Node | None = None
        """A next segment of any text (a lead of none: `{name}`, `*`): the commonest lead, kept
        without a mapping of its own (10,000 rules ending in `/{id}` would make 10,000 of them)."""
        self.leads: dict[str, _Node] = _NONE
        """A next segment that begins with this text (a glob or `{name}` segment)."""
        self.lead_lengths: tuple[int, ...] = ()
        """The distinct lengths of `leads`' keys: the few prefixes of a segment to look up."""
        self.ends: dict[str | None, Bucket] = _NONE
        """Rules whose route ends here, by method (None: any)."""
        self.rests: dict[str | None, Bucket] = _NONE
        """Rules that take whatever follows (`**`, a regular expression), by method."""

    def child(self, text: str) -> _Node:
        """The child for the literal segment `text`, made if new."""
        if self.children is _NONE:
            self.children = {}
        child = self.children.get(text)
        if child is None:
            child = self.children[text] = _Node()
        return child

    def lead(self, text: str) -> _Node:
        """The child for segments beginning with `text`, made if new."""
        if not text:
            if self.any is None:
                self.any = _Node()
            return self.any
        if self.leads is _NONE:
            self.leads = {}
        led = self.leads.get(text)
        if led is None:
            led = self.leads[text] = _Node()
            self.lead_lengths = shared(_LENGTHS, tuple(sorted({*self.lead_lengths, len(text)})))
        return led

    def file(self, rule: Rule, rest: bool) -> None:
        """File `rule` here: among the rules taking any rest, or those ending here."""
        if rest:
            if self.rests is _NONE:
                self.rests = {}
            place = self.rests
        else:
            if self.ends is _NONE:
                self.ends = {}
            place = self.ends
        place.setdefault(rule.matcher.method, []).append(rule)


class RuleIndex:
    """Rules filed in a segment trie by their path's route, or by operation, so that finding the
    rules that could take a request costs the same however many rules cannot.

    A request walks the trie one path segment at a time, following the segment written out and
    every lead it begins with; it collects the buckets of rules that take any rest on the way, and
    those that end where it ends. The cost is the request's depth times the branches its segments
    open (one, plus one per matching lead length), never the number of rules. No sorting happens
    per request: each bucket is in file order and `choose` takes the earliest match across them.
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: r.order))
        self._root = _Node()
        self._operations: dict[str, dict[str | None, Bucket]] = {}
        self._recent: dict[tuple[str, str, str | None], list[Bucket]] = {}
        """`buckets` of the latest requests (at most RECENT): a client asks for the same few paths."""
        for rule in self.rules:
            matcher = rule.matcher
            if matcher.operation is not None:
                by_method = self._operations.setdefault(matcher.operation, {})
                by_method.setdefault(matcher.method, []).append(rule)
                continue
            node = self._root
            route = matcher.path.route
            for kind, text in route:
                if kind == LITERAL:
                    node = node.child(text)
                elif kind == LEAD:
                    node = node.lead(text)
            node.file(rule, rest=bool(route) and route[-1][0] == REST)

    def __len__(self) -> int:
        return len(self.rules)

    def _places(
        self, path: str, operation: str | None, shorter: bool = False
    ) -> list[dict[str | None, Bucket]]:
        """Every place whose rules could take a request for `path` performing `operation`; with
        `shorter`, also the rules whose path ends before the request's does (near misses)."""
        found: list[dict[str | None, Bucket]] = []
        if operation is not None and (by_operation := self._operations.get(operation)):
            found.append(by_operation)
        nodes = [self._root]
        for segment in path_segments(path):
            reached: list[_Node] = []
            for node in nodes:
                if node.rests:
                    found.append(node.rests)
                if shorter and node.ends and node is not self._root:
                    found.append(node.ends)
                child = node.children.get(segment)
                if child is not None:
                    reached.append(child)
                if node.any is not None:
                    reached.append(node.any)
                for length in node.lead_lengths:
                    if length > len(segment):
                        break
                    led = node.leads.get(segment[:length])
                    if led is not None:
                        reached.append(led)
            nodes = reached
            if not nodes:
                return found
        for node in nodes:
            if node.rests:
                found.append(node.rests)
            if node.ends:
                found.append(node.ends)
        return found

    def buckets(self, method: str, path: str, operation: str | None = None) -> list[Bucket]:
        """The buckets of rules that could take `method path` (performing `operation`), each in file order.

        The index never changes once made, so the answer for a request seen lately is reused (the
        caller only reads it)."""
        if not self.rules:
            return []
        recent = self._recent
        request = (method, path, operation)
        found = recent.get(request)
        if found is not None:
            return found
        found = []
        for place in self._places(path, operation):
            for key in (method, None):
                bucket = place.get(key)
                if bucket:
                    found.append(bucket)
        if len(path) <= RECENT_PATH:
            if len(recent) >= RECENT:
                recent.clear()  # a client walking many distinct paths: start over rather than track age
            recent[request] = found
        return found

    def candidates(self, method: str, path: str, operation: str | None = None) -> list[Rule]:
        """The rules that could match `method path` (performing `operation`), in file order.

        For reading (tests, explanations): `choose` works on the buckets and never sorts.
        """
        return sorted(
            (rule for bucket in self.buckets(method, path, operation) for rule in bucket),
            key=lambda r: r.order,
        )

    def plausible(self, path: str, operation: str | None = None) -> list[Rule]:
        """The rules that come near a request for `path` (performing `operation`), in file order:
        `candidates` for every method at once, and the rules whose path stops short of the request's
        along its way (`/api/v1/designs/*` for `/api/v1/designs/dsg_invoice/pages`)."""
        places = self._places(path, operation, shorter=True)
        found = [rule for place in places for bucket in place.values() for rule in bucket]
        return sorted(found, key=lambda r: r.order)


@dataclass(slots=True)
class Choice:
    """The rule that takes a request, its reply (None = hand off to the simulator), its delay; made for
    each request a rule takes, so not frozen (a frozen dataclass's `__init__` costs 3 times as much)."""

    rule: Rule
    outcome: Outcome | None
    delay: float = 0.0


def choose(
    index: RuleIndex,
    incoming: Incoming,
    hits: MutableMapping[str, int],
    rng: random.Random,
) -> Choice | None:
    """The first rule in file order that matches and still has uses left; advances its counter.

    The index gives a few buckets, each in file order. Each bucket's first rule that is unspent and
    matches is its head; the earliest head is tried (its `chance` drawn); one whose draw fails
    gives way to its bucket's next match. So `chance` is drawn for exactly the rules that a walk
    over all the rules in file order would draw for, with no sorting and no rule looked at twice.
    """
    buckets = index.buckets(incoming.method, incoming.path, incoming.operation)
    if not buckets:
        return None
    if len(buckets) == 1:  # the common case: the bucket's order is file order, no heads to compare
        bucket = buckets[0]
        position = _next_match(bucket, 0, incoming, hits)
        while position is not None:
            rule = bucket[position]
            if rule.chance is None or rng.random() < rule.chance:
                return _take(rule, hits, rng)
            position = _next_match(bucket, position + 1, incoming, hits)
        return None
    heads: list[tuple[int, int, int]] = []  # (order, bucket, position) of each bucket's next match
    for number, bucket in enumerate(buckets):
        position = _next_match(bucket, 0, incoming, hits)
        if position is not None:
            heads.append((bucket[position].order, number, position))
    while heads:
        head = min(heads) if len(heads) > 1 else heads[0]
        _, number, position = head
        rule = buckets[number][position]
        if rule.chance is None or rng.random() < rule.chance:
            return _take(rule, hits, rng)
        heads.remove(head)
        following = _next_match(buckets[number], position + 1, incoming, hits)
        if following is not None:
            heads.append((buckets[number][following].order, number, following))
    return None


def _take(rule: Rule, hits: MutableMapping[str, int], rng: random.Random) -> Choice:
    """`rule` takes the request: count the use, pick its reply and its delay."""
    used = hits.get(rule.id, 0)
    hits[rule.id] = used + 1
    outcome = rule.replies[used if rule.sequence else 0]
    if rule.delay is None:
        return Choice(rule, outcome)
    low, high = rule.delay
    return Choice(rule, outcome, low if low == high else rng.uniform(low, high))


def _next_match(bucket: Bucket, start: int, incoming: Incoming, hits: MutableMapping[str, int]) -> int | None:
    """The position of the first rule from `start` that has uses left and matches `incoming`."""
    for position in range(start, len(bucket)):
        rule = bucket[position]
        if rule.limit is not None and hits.get(rule.id, 0) >= rule.limit:
            continue
        if rule.matcher.matches(incoming):
            return position
    return None
