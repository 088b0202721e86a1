"""Which failures a sweep injects into each operation, and how `--only` / `--skip` pick among them.

The list for an operation is derived from what the simulator itself can answer for it in the active
revision, so it stays honest as revisions change:

- **credential errors** (`simulator/auth.py`): every API route checks the `X-API-Key` first, so it can
  answer `UNAUTHORIZED` (no key), `INVALID_API_KEY` and `API_KEY_EXPIRED`. The bearer-token errors
  (`INVALID_TOKEN`, `TOKEN_EXPIRED`) answer only a browser's `Authorization: Bearer`, and the sweep
  hands the command an API key, so they are left out.
- **plan errors**: `INSUFFICIENT_PERMISSIONS` (403) on every API route, because `auth.py` refuses a key
  whose workspace plan lacks `useApiKeys` whatever the route (batch routes are also gated by
  `batchGenerate`). `FORBIDDEN` is documented but no route of the simulator answers it: left out.
- **the route's own errors**: `Endpoint.errors` of the operation's endpoint in the revision (the same
  list the OpenAPI document publishes): validation errors, the `*_NOT_FOUND` of the resource it reads,
  and `INSUFFICIENT_CREDITS` (402) only where a call spends credits (`generate`, `batch.create`).
  `PAYMENT_REQUIRED`, `ALREADY_EXISTS` and `DUPLICATE_ENTRY` are answered by no route: left out. The
  router's generic `NOT_FOUND` (an unknown route or method) is not an answer *of* the operation.
- **the 5xx family**: the catalog's 500s (`INTERNAL_ERROR`, `DATABASE_ERROR`, `S3_ERROR`) on every API
  route: any of them can fail on the server's side.
- **gateway pages** (`gateway_502`, `gateway_503`, `gateway_504`: a proxy's HTML page) and **network
  faults** (`connection_reset`, `empty_reply`, `malformed_json`, `hang`) on every operation.

`files.get` (a presigned storage link) is not the API: it checks no key and refuses in storage's own
XML, never with the error envelope, so it gets only the gateway pages and the network faults.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import catalog
from ..simulator.operations import OPERATIONS
from ..simulator.revisions import Revision

CREDENTIAL_CODES = ("UNAUTHORIZED", "INVALID_API_KEY", "API_KEY_EXPIRED")
PLAN_CODES = ("INSUFFICIENT_PERMISSIONS",)
SERVER_CODES = tuple(code for code, entry in catalog.CODES.items() if entry.status >= 500)
GATEWAY_STATUSES = (502, 503, 504)
NETWORK_FAULTS = ("connection_reset", "empty_reply", "malformed_json", "hang")
STORAGE_OPERATIONS = frozenset({"files.get"})
"""Operations that are not API routes (no key checked, no error envelope)."""

GROUPS: dict[str, str] = {
    "4xx": "every documented 4xx the operation can answer (401, 402, 403, 404, 400, 409)",
    "5xx": "the catalog's 500 errors (INTERNAL_ERROR, DATABASE_ERROR, S3_ERROR)",
    "gateway": "a proxy's HTML error page: gateway_502, gateway_503, gateway_504",
    "network": "connection_reset, empty_reply, malformed_json, hang",
}
"""Names that stand for several injections in `--only` / `--skip`."""


@dataclass(frozen=True, slots=True)
class Injection:
    """One failure to inject: its name (a catalog code or a fault), its group and the rule's reply."""

    name: str
    group: str
    reply: dict[str, Any] = field(hash=False, compare=False)
    status: int | None
    """The HTTP status the client sees (None: no HTTP answer)."""
    transient: bool
    """True when a retry may succeed (5xx, gateway page, network fault): a run that then exits non-zero
    failed. False for a 4xx: the client should stop, so a non-zero exit is how it handled it."""
    description: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "group": self.group,
            "status": self.status,
            "transient": self.transient,
            "reply": self.reply,
            "description": self.description,
        }


def _code(code: str) -> Injection:
    entry = catalog.CODES[code]
    group = "5xx" if entry.status >= 500 else "4xx"
    return Injection(code, group, {"error": code}, entry.status, entry.status >= 500,
                     f"{entry.status} {code}: {entry.when}")  # fmt: skip


_FAULT_TEXT = {
    "connection_reset": "the connection is closed with a TCP reset and no answer",
    "empty_reply": "200 with an empty body",
    "malformed_json": "200 with a JSON body cut in half",
    "hang": "no answer at all; the connection is reset after the sweep's --hang-seconds",
}


def _fault(name: str) -> Injection:
    status = None if name in ("connection_reset", "hang") else 200
    return Injection(name, "network", {"fault": name}, status, True, _FAULT_TEXT[name])


def _gateway(status: int) -> Injection:
    reply = {"fault": "gateway_html", "status": status}
    return Injection(f"gateway_{status}", "gateway", reply, status, True,
                     f"{status} with a proxy's HTML error page instead of the API's JSON")  # fmt: skip


INJECTIONS: dict[str, Injection] = {
    **{code: _code(code) for code in catalog.CODES},
    **{f"gateway_{status}": _gateway(status) for status in GATEWAY_STATUSES},
    **{name: _fault(name) for name in NETWORK_FAULTS},
}
"""Every injection any operation may get, by name (catalog order, then gateway pages, then faults)."""


def injections_for(operation: str, revision: Revision) -> list[Injection]:
    """The injections for `operation` in `revision`, in catalog order, then gateway pages and faults.

    Raises KeyError for an operation the revision does not serve (it cannot have been called).
    """
    codes: set[str] = set()
    if operation not in STORAGE_OPERATIONS:
        endpoint = revision.operations.get(operation)
        if endpoint is None:
            raise KeyError(f"operation {operation!r} is not served in revision {revision.name}")
        codes.update(CREDENTIAL_CODES, PLAN_CODES, SERVER_CODES, endpoint.errors)
    chosen = [INJECTIONS[code] for code in catalog.CODES if code in codes]
    chosen += [INJECTIONS[f"gateway_{status}"] for status in GATEWAY_STATUSES]
    chosen += [INJECTIONS[name] for name in NETWORK_FAULTS]
    return chosen


class SelectionError(ValueError):
    """An `--only` or `--skip` name that is neither an operation, an injection nor a group."""


def _split(values: Iterable[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def known_names() -> str:
    """The names `--only` and `--skip` accept, for help and error messages."""
    return (
        f"operations: {', '.join(OPERATIONS)}; injections: {', '.join(INJECTIONS)};"
        f" groups: {', '.join(GROUPS)}"
    )


@dataclass(frozen=True, slots=True)
class Selection:
    """What `--only` and `--skip` picked: empty `only_*` means all."""

    only_operations: frozenset[str] = frozenset()
    only_injections: frozenset[str] = frozenset()
    skip_operations: frozenset[str] = frozenset()
    skip_injections: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, only: Sequence[str] = (), skip: Sequence[str] = ()) -> Selection:
        """From the option values (each may hold several comma-separated names; case does not matter
        for injections). An unknown name raises SelectionError listing the known ones."""
        only_ops, only_inj = _classify(_split(only), "--only")
        skip_ops, skip_inj = _classify(_split(skip), "--skip")
        return cls(only_ops, only_inj, skip_ops, skip_inj)

    def operations(self, called: Sequence[str]) -> list[str]:
        """The called operations to sweep, in the order they were first called."""
        return [
            op
            for op in called
            if (not self.only_operations or op in self.only_operations) and op not in self.skip_operations
        ]

    def injections(self, offered: Sequence[Injection]) -> list[Injection]:
        return [
            injection
            for injection in offered
            if (not self.only_injections or injection.name in self.only_injections)
            and injection.name not in self.skip_injections
        ]

    def to_json(self) -> dict[str, list[str]]:
        return {
            "onlyOperations": sorted(self.only_operations),
            "onlyInjections": sorted(self.only_injections),
            "skipOperations": sorted(self.skip_operations),
            "skipInjections": sorted(self.skip_injections),
        }


_BY_LOWER = {name.lower(): name for name in INJECTIONS}


def _classify(names: Sequence[str], option: str) -> tuple[frozenset[str], frozenset[str]]:
    operations: set[str] = set()
    injections: set[str] = set()
    unknown: list[str] = []
    for name in names:
        if name in OPERATIONS:
            operations.add(name)
        elif name.lower() in GROUPS:
            injections.update(i.name for i in INJECTIONS.values() if i.group == name.lower())
        elif name.lower() in _BY_LOWER:
            injections.add(_BY_LOWER[name.lower()])
        else:
            unknown.append(name)
    if unknown:
        shown = ", ".join(repr(name[:60]) for name in unknown[:5])
        raise SelectionError(
            f"{option}: unknown name{'s' * (len(unknown) > 1)} {shown}. Known {known_names()}"
        )
    return frozenset(operations), frozenset(injections)
