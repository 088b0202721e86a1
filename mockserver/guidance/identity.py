"""What makes two requests "the same request", and how answers are classed for the guidance checks."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

from ..safejson import loads

DETERMINISTIC = frozenset({400, 401, 403, 404, 409})
"""Statuses the same request will get again unless the request (or the data behind it) changes."""
CREDENTIAL_REJECTED = frozenset({"API_KEY_EXPIRED", "INVALID_API_KEY", "TOKEN_EXPIRED", "INVALID_TOKEN"})
"""Codes saying the credential itself is no good: a new one is needed, not another try."""
FAULTS = frozenset({"connection_reset", "empty_reply", "malformed_json", "gateway_html", "hang"})
"""Network faults the mock can inject; each counts as a transient failure, like a 5xx."""
READS = frozenset({"GET", "HEAD", "OPTIONS"})

_BOUNDARY = re.compile(rb"boundary=\"?([^\";\s]+)\"?", re.IGNORECASE)


_EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()


def body_digest(body: bytes, content_type: str | None = None) -> str:
    """sha256 (hex) of a request body, so that equal requests get equal digests.

    A JSON body is hashed in a canonical form (keys sorted, no insignificant whitespace), so key order
    and spacing do not matter. A multipart body has its boundary replaced by a fixed one first (clients
    draw a new boundary per request). Any other body (JSON nested too deeply to parse safely included)
    is hashed as sent; an empty body hashes as b"".
    """
    if not body:
        return _EMPTY_DIGEST
    stripped = body.strip()
    if stripped[:1] in (b"{", b"["):
        try:
            document = loads(stripped)
        except ValueError:
            pass
        else:
            canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    if content_type and (found := _BOUNDARY.search(content_type.encode("latin-1", "replace"))):
        body = body.replace(found.group(1), b"boundary")
    return hashlib.sha256(body).hexdigest()


def request_target(path: str, query: Mapping[str, str | Iterable[str]] | str = "") -> str:
    """`path` with its query parameters in a stable order: `/api/v1/generate?design=dsg_invoice`.

    The query is a query string or a mapping of names to a value or a list of values (the journal's
    shape); parameter order does not matter, the order of repeated values does.
    """
    if isinstance(query, str):
        if "&" not in query and "=" in query:  # one parameter (the common case): already in order
            return f"{path}?{query}"
        pairs = [
            tuple(part.split("=", 1)) if "=" in part else (part, "") for part in query.split("&") if part
        ]
        text = "&".join("=".join(pair) for pair in sorted(pairs, key=lambda pair: pair[0]))
    else:
        flat = [
            (name, value)
            for name in sorted(query)
            for value in ([query[name]] if isinstance(query[name], str) else query[name])
        ]
        text = urlencode(flat)
    return f"{path}?{text}" if text else path


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds a Retry-After header value asks for (delay-seconds or an HTTP date, `now` being epoch
    seconds); None when absent or unreadable. A date in the past asks for 0.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when: datetime = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def is_failure(status: int | None, fault: str | None) -> bool:
    """No answer, a fault, or a status of 400 or more: what a later request may be a retry of."""
    return fault is not None or status is None or status >= 400


def is_transient(status: int | None, fault: str | None) -> bool:
    """A failure worth retrying with backoff: a 5xx, a 429, a gateway page or a network fault."""
    return fault is not None or (status is not None and (status >= 500 or status == 429))
