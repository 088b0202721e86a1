"""The guidance checks: a stream of exchanges in, the findings they show out, in bounded memory."""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..budget import SharedBudget
from .exchange import Exchange
from .findings import Finding, RequestRef
from .identity import CREDENTIAL_REJECTED, DETERMINISTIC, READS, is_failure, is_transient
from .thresholds import Thresholds

EVIDENCE = 10
"""Requests of one burst kept as evidence (the newest)."""

Key = tuple[str, str, str, str]
"""client (its credential, else its name), method, request target, body digest."""
Route = tuple[str, str, str]
"""A key without its body digest."""


@dataclass(slots=True)
class _Track:
    """What is remembered about one client and request identity: its last answer and the current burst."""

    last: Exchange
    writes: int
    attempts: int = 0
    waits: int = 0
    last_wait: float | None = None
    grew: bool = False
    evidence: deque[tuple[Exchange, float | None]] = field(default_factory=lambda: deque(maxlen=EVIDENCE))
    """The burst's requests with their waits; made into RequestRefs only when a finding shows them."""
    reported: set[str] = field(default_factory=set)

    def shown(self, x: Exchange, waited: float) -> list[RequestRef]:
        """The burst's evidence and `x` (arriving after `waited` s), as a finding shows them."""
        return [*(RequestRef.of(e, w) for e, w in self.evidence), RequestRef.of(x, waited)]


@dataclass(slots=True)
class _Rejected:
    evidence: RequestRef
    answered: float
    reported: bool = False


TOTAL_TRACKED = 200_000
"""Request identities and credentials all the checkers sharing a TrackBudget remember together."""


class TrackBudget(SharedBudget):
    """What the checkers of one server remember together, so memory stays bounded however many
    sessions there are: a checker over the budget forgets its own oldest first."""

    def __init__(self, limit: int = TOTAL_TRACKED) -> None:
        super().__init__(limit)


class Checker:
    """Checks exchanges one at a time, in the order they are added (the journal's order).

    Memory is bounded: at most `thresholds.max_tracked` request identities and as many rejected
    credentials are remembered, and all the checkers sharing `budget` together at most its limit; the
    least recently seen are forgotten first (a finding about a forgotten one can then be reported
    again). Call `release` when a checker is dropped, to give its share back.
    """

    def __init__(self, thresholds: Thresholds | None = None, budget: TrackBudget | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self.budget = budget or TrackBudget()
        self._tracks: OrderedDict[Key, _Track] = OrderedDict()
        self._rejected: OrderedDict[str, _Rejected] = OrderedDict()
        self._routes: Counter[Route] = Counter()
        """Tracked keys by client, method and target: where a body digest can tell requests apart."""
        self._writes = 0
        """Successful writes seen (any client): one may have changed what a repeated request gets."""

    def release(self) -> None:
        """Forget everything and give this checker's share of the budget back."""
        self.budget.add(-(len(self._tracks) + len(self._rejected)))
        self._tracks.clear()
        self._rejected.clear()
        self._routes.clear()

    @property
    def tracked(self) -> int:
        """Request identities and credentials remembered now."""
        return len(self._tracks) + len(self._rejected)

    def quick(
        self,
        client: str,
        credential: str | None,
        method: str,
        path: str,
        status: int | None,
    ) -> bool:
        """Take a success (not `failed`: the caller has checked) whose exchange could make no finding,
        without building it: its credential not rejected, to where nothing is remembered (`client`: the
        credential, else the client's name). True when taken so; False: give it to `add`."""
        if credential is not None and credential in self._rejected:
            return False
        if (client, method, path) in self._routes:
            return False
        assert status is not None  # a success has a status
        if 200 <= status < 300 and method not in READS:
            self._writes += 1
        return True

    def wants_digest(self, client: str, method: str, path: str) -> bool:
        """Whether `add` will read the body digest of a success (`client`: its credential, else its name):
        only when a request to where it went is remembered. A failure's it always reads. A caller that
        computes digests lazily passes "" when neither holds."""
        return (client, method, path) in self._routes

    def add(self, exchange: Exchange) -> list[Finding]:
        """Take one exchange; the findings it makes that were not reported before."""
        found = self._credential(exchange) if exchange.credential is not None else []
        found += self._repeat(exchange)
        if exchange.status is not None and 200 <= exchange.status < 300 and exchange.method not in READS:
            self._writes += 1
        return found

    def _credential(self, x: Exchange) -> list[Finding]:
        """What sending `x.credential` (not None) again after it was rejected makes."""
        assert x.credential is not None
        found: list[Finding] = []
        rejected = self._rejected.get(x.credential)
        if rejected is not None:
            self._rejected.move_to_end(x.credential)
            if not rejected.reported and x.at >= rejected.answered:
                rejected.reported = True
                detail = f"sent again a credential that was answered {rejected.evidence.code}"
                shown = [rejected.evidence, RequestRef.of(x)]
                found.append(_finding("reused-rejected-credential", x, detail, shown))
        elif x.code in CREDENTIAL_REJECTED:
            self._rejected[x.credential] = _Rejected(RequestRef.of(x), x.answered)
            over = self.budget.add(1)
            if len(self._rejected) > self.thresholds.max_tracked or (over and len(self._rejected) > 1):
                self._rejected.popitem(last=False)
                self.budget.add(-1)
        return found

    def _repeat(self, x: Exchange) -> list[Finding]:
        key: Key = (x.credential or x.client, x.method, x.path, x.body_digest)
        track = self._tracks.get(key)
        if track is None:
            if not failed(x):
                return []  # a success to nowhere remembered: a track of it could never make a finding
            track = self._tracks[key] = _Track(x, self._writes)
            self._routes[key[:3]] += 1
            over = self.budget.add(1)
            if len(self._tracks) > self.thresholds.max_tracked or (over and len(self._tracks) > 1):
                gone, _ = self._tracks.popitem(last=False)
                self.budget.add(-1)
                self._routes[gone[:3]] -= 1
                if not self._routes[gone[:3]]:
                    del self._routes[gone[:3]]
            retry, waited = False, 0.0
        else:
            self._tracks.move_to_end(key)
            previous, limits = track.last, self.thresholds
            waited = x.at - previous.answered  # since the answer to the previous one went out
            # A retry: sent after that answer (not alongside it; a little below 0 is the clocks'
            # slack), and soon enough.
            allowed = limits.retry_window + (previous.retry_after or 0.0)
            retry = -limits.clock_slack <= waited <= allowed
        found = self._judge(track, x, max(0.0, waited)) if retry else []
        self._remember(track, x, retry, waited)
        return [finding for finding in found if _first(track, finding)] if found else found

    def _judge(self, track: _Track, x: Exchange, waited: float) -> list[Finding]:
        """The findings `x`, a retry of `track.last` sent `waited` s (at least 0) after its answer,
        makes. A kind this track has reported already is not built again (`_first` would drop it): a
        client repeating a failure costs little."""
        previous, limits, reported = track.last, self.thresholds, track.reported
        rejected_credential = previous.credential is not None and previous.code in CREDENTIAL_REJECTED
        if previous.status in DETERMINISTIC and not rejected_credential:
            if track.writes != self._writes or "retried-4xx" in reported:
                return []
            detail = f"sent again unchanged after {previous.outcome}"
            return [_finding("retried-4xx", x, detail, track.shown(x, waited)[-2:])]
        if previous.status == 402:
            if "retried-402" in reported:
                return []
            detail = f"sent again after {previous.outcome}"
            return [_finding("retried-402", x, detail, track.shown(x, waited)[-2:])]
        if not is_transient(previous.status, previous.fault):
            return []
        found: list[Finding] = []
        retries = track.attempts  # the one arriving now is retry number `attempts`
        if previous.retry_after is not None:
            late = waited < previous.retry_after - limits.clock_slack
            if late and "ignored-retry-after" not in reported:
                asked = previous.retry_after
                detail = f"retried after {waited:.3f} s; the answer asked for {asked:g} s (Retry-After)"
                found.append(_finding("ignored-retry-after", x, detail, track.shown(x, waited)))
        else:
            soon = waited < limits.min_delay - limits.clock_slack
            if soon and retries > limits.immediate_retries and "retry-too-soon" not in reported:
                detail = (
                    f"retry {retries} came {waited:.3f} s after {previous.outcome};"
                    f" wait at least {limits.min_delay:g} s"
                )
                found.append(_finding("retry-too-soon", x, detail, track.shown(x, waited)))
            found += self._backoff(track, x, waited, 0.0 if soon else waited)
        if retries + 1 > limits.max_attempts and "retry-storm" not in reported:
            detail = f"{retries + 1} attempts in one burst of failures; at most {limits.max_attempts}"
            found.append(_finding("retry-storm", x, detail, track.shown(x, waited)))
        return found

    def _backoff(self, track: _Track, x: Exchange, waited: float, wait: float) -> list[Finding]:
        """Judge a wait not set by Retry-After (`wait`: `waited`, or 0 when too short) against the ones
        before; the track's backoff state moves on whether or not a finding is made."""
        limits, previous = self.thresholds, track.last_wait
        detail = None
        if previous is not None:
            if wait < previous * (1 - limits.backoff_slack):
                detail = f"waited {wait:.3f} s, less than the {previous:.3f} s before"
            if previous > 0 and wait >= previous * limits.backoff_growth:
                track.grew = True
        track.waits += 1
        track.last_wait = wait
        if detail is None and track.waits >= limits.backoff_after and not track.grew:
            detail = f"{track.waits} waits between retries and none grew {limits.backoff_growth:g} times"
        if detail is None or "no-backoff" in track.reported:
            return []
        return [_finding("no-backoff", x, detail, track.shown(x, waited))]

    def _remember(self, track: _Track, x: Exchange, retry: bool, waited: float) -> None:
        last = track.last
        if retry and is_transient(last.status, last.fault):  # the burst goes on
            track.evidence.append((x, waited if waited > 0.0 else 0.0))
        else:  # a new burst begins with `x`
            track.attempts, track.waits, track.last_wait, track.grew = 0, 0, None, False
            track.evidence.clear()
            track.evidence.append((x, None))
        track.last, track.writes = x, self._writes
        track.attempts += 1


def failed(x: Exchange) -> bool:
    """No answer, a fault, or a status of 400 or more: what a later request may be a retry of.

    A success that follows nothing remembered is not tracked: a request after it is judged as a
    first one either way (a success ends a burst), so forgetting it changes no finding.
    """
    return is_failure(x.status, x.fault)


def _first(track: _Track, finding: Finding) -> bool:
    if finding.id in track.reported:
        return False
    track.reported.add(finding.id)
    return True


def _finding(kind: str, x: Exchange, detail: str, shown: Sequence[RequestRef]) -> Finding:
    target = x.path if x.operation is None else f"{x.path} ({x.operation})"
    return Finding(kind, x.client, f"{x.method} {target}", detail, tuple(shown))


def check(exchanges: Sequence[Exchange], thresholds: Thresholds | None = None) -> list[Finding]:
    """Every finding the exchanges show, in the order they became visible; each finding kind at most
    once per client and request identity (and once per rejected credential)."""
    checker = Checker(thresholds)
    return [finding for exchange in exchanges for finding in checker.add(exchange)]
