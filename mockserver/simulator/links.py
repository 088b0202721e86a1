"""Presigned file links: the `downloadUrl`, `previewUrl`, thumbnail and ZIP URLs.

A link points at the mock itself (`/files/<token>/<filename>`), needs no
credential, and serves a real file rendered when it is fetched. After its
lifetime it answers 403 FORBIDDEN, as an expired presigned storage URL
refuses access; a token the mock never issued (or has forgotten: it keeps
the newest LINK_LIMIT) answers 404 PDF_NOT_FOUND for PDFs and ZIPs and
404 NOT_FOUND for images.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from ..exchange import Outcome
from .endpoints import ApiError
from .workspace import stamp

PREFIX = "/files/"
LINK_TTL = 3600
LINK_LIMIT = 10_000


@dataclass(frozen=True)
class Link:
    filename: str
    media_type: str
    expires: datetime
    render: Callable[[], bytes]


class LinkStore:
    """Links by token, shared by all sessions (a token is unguessable), bounded in number."""

    def __init__(self, limit: int = LINK_LIMIT) -> None:
        self._links: OrderedDict[str, Link] = OrderedDict()
        self._limit = limit

    def issue(
        self, base_url: str, filename: str, media_type: str, now: datetime, render: Callable[[], bytes]
    ) -> str:
        """A new link to the file `render` makes, valid for LINK_TTL seconds from `now`."""
        token = secrets.token_urlsafe(16)
        self._links[token] = Link(filename, media_type, now + timedelta(seconds=LINK_TTL), render)
        while len(self._links) > self._limit:
            self._links.popitem(last=False)
        return f"{base_url}{PREFIX}{token}/{quote(filename)}"

    def serve(self, path: str, now: datetime) -> Outcome:
        """The file behind `path` (`/files/<token>/<name>`), or the error an expired or unknown link gives."""
        token, _, name = path[len(PREFIX) :].partition("/")
        link = self._links.get(token)
        if link is None:
            document = name.lower().endswith((".pdf", ".zip"))
            raise ApiError(
                "PDF_NOT_FOUND" if document else "NOT_FOUND",
                "No file at this link; it was never issued here.",
            )
        if link.expires <= now:
            raise ApiError(
                "FORBIDDEN", f"This link expired at {stamp(link.expires)}; request a new one from the API."
            )
        body = link.render()
        disposition = f"inline; filename*=UTF-8''{quote(link.filename)}"
        return Outcome(
            status=200,
            body=body,
            answered_by="simulator",
            headers=(("content-disposition", disposition),),
            media_type=link.media_type,
        )
