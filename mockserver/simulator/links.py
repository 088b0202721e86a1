"""Presigned file links (`downloadUrl`, `previewUrl`, thumbnails, batch ZIPs) and the files behind them.

A link is a presigned-style storage URL on the mock's own host (see `storage`). The URL carries its
expiry under an HMAC signature, so a link needs no record of its own: the store keeps one entry per
distinct content (the caller's `key`) holding what renders the file, and an entry lives as long as the
newest link issued for it. A link therefore works for its whole LINK_TTL whatever else is issued, and
memory follows the number of distinct files alive, not the number of links handed out. At the hard cap
of entries the store drops the expired ones, and if every entry is still live it refuses to issue
(StorageFull; the caller answers 500 S3_ERROR) rather than break a live link.

Time is the issuing session's: an entry keeps the Clock it was issued by, and that clock decides when
its links expire and when it may be dropped, whoever fetches them (a browser fetches a link with no
session header). Moving a session's clock therefore expires its links, and no other session's.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from email.utils import formatdate
from typing import Final
from urllib.parse import quote

from ..clock import Clock
from ..exchange import Outcome
from .storage import (
    ANSWERED_BY,
    GCS_PREFIX,
    IMAGINEPDF_PREFIX,
    PREFIXES,
    STYLES,
    Refused,
    Signer,
    Style,
    expired,
    no_such_key,
    owns,
    refused,
    style_of,
    wrong_method,
)

__all__ = [
    "GCS_PREFIX",
    "IMAGINEPDF_PREFIX",
    "LINK_TTL",
    "MAX_ENTRIES",
    "PREFIXES",
    "LinkStore",
    "StorageFull",
    "Style",
    "owns",
]

LINK_TTL: Final = 3600
"""Seconds a link works (`expiresIn` in every revision's examples)."""
MAX_ENTRIES: Final = 100_000
"""Distinct live files at most; beyond it issuing fails instead of breaking a live link."""
CACHE_FILES: Final = 8
CACHE_BYTES: Final = 32 * 1024 * 1024


class StorageFull(Exception):
    """Every one of the store's entries is live: no new file can be stored until some expire."""


@dataclass(slots=True)
class _Entry:
    key: Hashable
    media_type: str
    render: Callable[[], bytes]
    created: int
    expires: int
    """The expiry (unix seconds, on `clock`) of the newest link issued for this entry."""
    clock: Clock
    """The clock of the session that issued the entry: its links expire by this clock's time."""


class LinkStore:
    """Issues and serves presigned-style links; one per process, shared by every session."""

    def __init__(self, secret: bytes | None = None, max_entries: int = MAX_ENTRIES) -> None:
        """`secret` signs the URLs (random per process by default: links do not outlive the process)."""
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._signer = Signer(secret if secret is not None else secrets.token_bytes(32))
        self._max = max_entries
        # By object id, in the order of each entry's newest issue: with one TTL for all links and one
        # clock, the earliest expiry is at the front, so pruning on issue only looks at the front.
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._ids: dict[Hashable, str] = {}
        self._earliest: dict[Clock, int] = {}
        """By clock, no later than the earliest expiry of its entries: `prune` has nothing to drop
        while every clock reads earlier (so at the cap, refusing costs one look per clock)."""
        self._cache: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._cached_bytes = 0

    def __len__(self) -> int:
        """The number of stored entries (distinct files), live or not yet pruned."""
        return len(self._entries)

    def issue(
        self,
        base_url: str,
        *,
        style: Style,
        key: Hashable,
        filename: str,
        media_type: str,
        now: datetime,
        clock: Clock,
        render: Callable[[], bytes],
    ) -> str:
        """A URL to the file `render` makes, valid for LINK_TTL seconds from `now` by `clock`.

        `now` is the moment of issue (the request's time, read from `clock` once per request);
        `clock` is the issuing session's, kept with the entry to decide when its links expire.
        `key` identifies the content: links issued with an equal key share one entry (the first
        `render`, `media_type` and `clock` are kept) and keep it alive until the newest of them
        expires. `render` is called lazily, when the link is fetched. Raises StorageFull at the cap.
        """
        if style not in STYLES:
            raise ValueError(f"unknown storage style {style!r}; use one of {', '.join(STYLES)}")
        issued = math.floor(now.timestamp())
        expires = issued + LINK_TTL
        self._prune_front()
        object_id = self._ids.get(key)
        if object_id is None:
            if len(self._entries) >= self._max:
                self.prune()
            if len(self._entries) >= self._max:
                raise StorageFull(
                    f"Object storage holds {len(self._entries)} live files, its limit; "
                    "new links can be issued when older ones expire."
                )
            object_id = secrets.token_hex(16)
            entry = self._entries[object_id] = _Entry(key, media_type, render, issued, expires, clock)
            self._ids[key] = object_id
        else:
            entry = self._entries[object_id]
            entry.expires = max(entry.expires, expires)
            self._entries.move_to_end(object_id)
        earliest = self._earliest.get(entry.clock)
        if earliest is None or entry.expires < earliest:
            self._earliest[entry.clock] = entry.expires
            if len(self._earliest) > 2 * len(self._entries) + 16:  # clocks of sessions long gone
                self._earliest = self._earliest_by_clock()
        return base_url + self._signer.sign(style, object_id, filename, issued, LINK_TTL)

    def prune(self) -> int:
        """Drop every entry whose newest link has expired by its clock; the number dropped."""
        if all(clock.now().timestamp() < earliest for clock, earliest in self._earliest.items()):
            return 0
        moments: dict[Clock, float] = {}
        earliest: dict[Clock, int] = {}
        dead = []
        for object_id, entry in self._entries.items():
            clock = entry.clock
            moment = moments.get(clock)
            if moment is None:
                moment = moments[clock] = clock.now().timestamp()
            if entry.expires <= moment:
                dead.append(object_id)
            elif entry.expires < earliest.get(clock, entry.expires + 1):
                earliest[clock] = entry.expires
        for object_id in dead:
            self._drop(object_id)
        self._earliest = earliest
        return len(dead)

    def _earliest_by_clock(self) -> dict[Clock, int]:
        earliest: dict[Clock, int] = {}
        for entry in self._entries.values():
            if entry.expires < earliest.get(entry.clock, entry.expires + 1):
                earliest[entry.clock] = entry.expires
        return earliest

    def serve(self, method: str, path: str, query_string: str, clock: Clock) -> Outcome:
        """The storage's answer to `method path?query_string` (`path` decoded, the query raw).

        200 with the file (GET or HEAD); 403 XML for an unsigned, wrongly signed, other-method or
        expired request; 404 XML NoSuchKey for a correctly signed URL whose file is not stored.
        Expiry is judged by the clock that issued the link; `clock` (the request's session's) only
        when the link's file is not stored, and for the server time the refusals show.
        """
        moment = clock.now().timestamp()
        style = style_of(path) or "imaginepdf"
        if method not in ("GET", "HEAD"):
            return wrong_method(style, method, path, moment)
        try:
            link = self._signer.verify(style, path, query_string)
        except Refused as refusal:
            return refused(style, refusal, path, moment)
        entry = self._entries.get(link.object_id)
        if entry is not None and entry.clock is not clock:
            moment = entry.clock.now().timestamp()
        if moment >= link.expires:
            return expired(style, link.expires, path, moment)
        if entry is None:
            return no_such_key(link, path, moment)
        body, etag = self._rendered(link.object_id, entry)
        headers = (
            ("content-disposition", _disposition(link.filename)),
            ("etag", etag),
            ("last-modified", formatdate(entry.created, usegmt=True)),
        )
        return Outcome(200, body, ANSWERED_BY, headers=headers, media_type=entry.media_type)

    def _prune_front(self) -> None:
        """Drop expired entries from the front of the issue order (cheap and usually all there is;
        with several clocks an expired entry may sit behind a live one until `prune`)."""
        while self._entries:
            object_id, entry = next(iter(self._entries.items()))
            if entry.expires > entry.clock.now().timestamp():
                return
            self._drop(object_id)

    def _drop(self, object_id: str) -> None:
        entry = self._entries.pop(object_id)
        del self._ids[entry.key]
        cached = self._cache.pop(object_id, None)
        if cached is not None:
            self._cached_bytes -= len(cached[0])

    def _rendered(self, object_id: str, entry: _Entry) -> tuple[bytes, str]:
        """The file's bytes and ETag, from a small LRU of recent renders (files are not kept for good)."""
        cached = self._cache.get(object_id)
        if cached is not None:
            self._cache.move_to_end(object_id)
            return cached
        body = entry.render()
        made = (body, f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"')
        if len(body) <= CACHE_BYTES:
            self._cache[object_id] = made
            self._cached_bytes += len(body)
            while len(self._cache) > CACHE_FILES or self._cached_bytes > CACHE_BYTES:
                _, (old, _) = self._cache.popitem(last=False)
                self._cached_bytes -= len(old)
        return made


def _disposition(filename: str) -> str:
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
