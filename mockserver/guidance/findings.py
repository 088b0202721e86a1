"""Findings: which piece of the error-handling guidance a client broke, with the requests that show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .exchange import Exchange

RULES: dict[str, tuple[str, str]] = {
    "retried-4xx": (
        "A 400, 401, 403, 404 or 409 answer is deterministic: the same request gets it again, so change the"
        " request before sending it again.",
        "Do not retry client errors; correct the request, or report the error to the caller.",
    ),
    "retried-402": (
        "A 402 means the workspace has to pay or top up its credits: show a top-up prompt instead of"
        " retrying.",
        "On 402 stop and ask the user to add credits; try again only after they did.",
    ),
    "retry-too-soon": (
        "A 5xx or a broken connection is usually transient: wait a moment before retrying.",
        "Sleep before each retry, starting at a few hundred milliseconds.",
    ),
    "no-backoff": (
        "Retry a 5xx or a broken connection with backoff: each wait longer than the one before.",
        "Grow the wait between retries, e.g. double it each time (0.5 s, 1 s, 2 s, ...).",
    ),
    "ignored-retry-after": (
        "When an answer carries Retry-After, wait at least that long before trying again.",
        "Read the Retry-After header and sleep that many seconds before the next attempt.",
    ),
    "retry-storm": (
        "Bound the retries of one request: after a few attempts give up and report the failure.",
        "Cap the attempts (3 to 5 is usual) and surface the error after the last one.",
    ),
    "reused-rejected-credential": (
        "A key answered API_KEY_EXPIRED or INVALID_API_KEY (or a token answered TOKEN_EXPIRED or"
        " INVALID_TOKEN) will not start working again: rotate it instead of sending it again.",
        "On a rejected key switch to a new one (for a token, get a new one); stop if there is none.",
    ),
}
"""Finding id → (the guidance it breaks, in our words; one line on how to fix the client)."""


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class RequestRef:
    """One request shown as evidence; `waited` is the seconds since the previous answer to the same
    request (None for the first of them)."""

    id: int
    at: float
    method: str
    path: str
    operation: str | None
    status: int | None
    code: str | None
    fault: str | None
    retry_after: float | None = None
    waited: float | None = None

    @classmethod
    def of(cls, exchange: Exchange, waited: float | None = None) -> RequestRef:
        x = exchange
        return cls(x.request_id, x.at, x.method, x.path, x.operation, x.status, x.code, x.fault,
                   x.retry_after, waited)  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": _iso(self.at),
            "method": self.method,
            "path": self.path,
            "operation": self.operation,
            "status": self.status,
            "code": self.code,
            "fault": self.fault,
            "retryAfter": self.retry_after,
            "waited": None if self.waited is None else round(self.waited, 3),
        }

    def __str__(self) -> str:
        outcome = self.fault or " ".join(str(p) for p in (self.status, self.code) if p is not None)
        waited = "" if self.waited is None else f" after {self.waited:.3f} s"
        return f"#{self.id} {_iso(self.at)} {self.method} {self.path}{waited} → {outcome}"


@dataclass(frozen=True, slots=True)
class Finding:
    """A client broke one piece of the guidance; `requests` show it, oldest first."""

    id: str
    client: str
    request: str
    detail: str
    requests: tuple[RequestRef, ...]

    @property
    def rule(self) -> str:
        """The guidance sentence the client broke."""
        return RULES[self.id][0]

    @property
    def fix(self) -> str:
        """One line on how to fix the client."""
        return RULES[self.id][1]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "client": self.client,
            "request": self.request,
            "detail": self.detail,
            "fix": self.fix,
            "requests": [ref.to_json() for ref in self.requests],
        }

    def __str__(self) -> str:
        lines = [f"[{self.id}] {self.client}: {self.request}: {self.detail}", f"  rule: {self.rule}"]
        lines += [f"  {ref}" for ref in self.requests]
        lines.append(f"  fix: {self.fix}")
        return "\n".join(lines)
