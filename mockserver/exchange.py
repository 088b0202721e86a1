"""The two values that flow through one request: Incoming and Outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qs

from .safejson import JsonProblem, loads

NOT_JSON: Final = object()
"""What `Incoming.json()` returns when the body is empty or not valid JSON."""

_UNPARSED: Final = object()


class Incoming:
    """A request as the matchers and the simulator see it; the body is read once."""

    __slots__ = (
        "_json",
        "_json_problem",
        "_query",
        "body",
        "headers",
        "method",
        "operation",
        "path",
        "query_string",
        "revision",
        "route",
        "server",
    )

    def __init__(
        self,
        method: str,
        path: str,
        query_string: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> None:
        self.method = method.upper()
        self.path = path
        self.query_string = query_string
        self.headers: Mapping[str, str] = {k.lower(): v for k, v in headers.items()} if headers else {}
        self.body = body
        self.operation: str | None = None
        """The API operation the request performs in `revision` (None: no route); set before matching."""
        self.revision = ""
        self.route: Any = None
        """What the router of `revision` found for the request (set with `operation`), for the simulator."""
        self.server: tuple[str, int] | None = None
        """The (host, port) the request arrived at (ASGI `scope["server"]`), when known."""
        self._query: dict[str, list[str]] | None = None
        self._json: Any = _UNPARSED
        self._json_problem = ""

    @property
    def query(self) -> dict[str, list[str]]:
        """Query parameters, each name with all of its values, parsed on first use."""
        if self._query is None:
            self._query = parse_qs(self.query_string, keep_blank_values=True)
        return self._query

    def json(self) -> Any:
        """The body parsed as JSON (once), or NOT_JSON (see `json_problem`)."""
        if self._json is _UNPARSED:
            try:
                self._json = loads(self.body) if self.body else NOT_JSON
            except JsonProblem as exc:
                self._json, self._json_problem = NOT_JSON, exc.reason
        return self._json

    @property
    def json_problem(self) -> str:
        """Why the body is NOT_JSON ('' when it is JSON or empty); says so when it nests too deeply."""
        self.json()
        return self._json_problem


@dataclass(slots=True, unsafe_hash=True)
class Outcome:
    """What answers a request: status, ready-encoded body, and who decided it; not changed once made
    (`dataclasses.replace` makes a changed copy), but for `wire`, a cache.

    Not a frozen dataclass: the simulator makes one per answer, and a frozen one's `__init__` sets each
    field through `object.__setattr__`, which made building it cost 4 times as much. Hashable all the
    same (a Rule, which is, holds its replies), from the fields `wire` is not one of.
    """

    status: int
    body: bytes
    answered_by: str
    code: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    media_type: str = "application/json"
    fault: str | None = None
    """`connection_reset` or `hang`: act on the connection instead of sending this Outcome."""
    broken: str | None = None
    """The fault an answer that is sent acts out (`gateway_html`, `empty_reply`, `malformed_json`): the
    answer goes out as it is; this only names it, for the guidance checks (transient, like a 5xx)."""
    retry_after_date: int | None = None
    """Seconds: before sending, `replies.stamped` adds `Retry-After: <date>` that many seconds after the
    session clock's now (a rule reply's `retry_after_date`); None for every other Outcome."""
    wire: tuple[tuple[bytes, bytes], ...] | None = field(default=None, init=False, compare=False, repr=False)
    """The response headers as sent, made by `replies.send_outcome` on first send: a rule's reply is
    one Outcome sent again and again (not copied by `dataclasses.replace`: it is not an init field)."""
