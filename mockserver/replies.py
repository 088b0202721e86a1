"""Turning replies into Outcomes, and Outcomes into HTTP responses.

Rule replies are rendered once, when a scenario is loaded: answering from a
rule only copies ready bytes onto the socket.
"""

from __future__ import annotations

import dataclasses
import mimetypes
from collections.abc import Mapping
from datetime import datetime
from email.utils import formatdate
from functools import lru_cache
from typing import Any

from starlette.types import Message, Send

from . import catalog, model
from .exchange import Outcome
from .statuses import forbids_body

HANDOFF = None
"""A prepared reply that hands the request to the simulator."""


@lru_cache(maxsize=4096)
def _error_body(code: str, message: str | None) -> bytes:
    """The encoded error envelope (the same bytes for the many rules and answers that share it)."""
    return catalog.encode(catalog.CODES[code].envelope(message))


def error_outcome(code: str, answered_by: str, message: str | None = None, **extra: Any) -> Outcome:
    """The catalog error `code` as an Outcome."""
    entry = catalog.CODES[code]
    return Outcome(
        status=entry.status,
        body=_error_body(code, message),
        answered_by=answered_by,
        code=code,
        **extra,
    )


def success_outcome(data: Any, answered_by: str, status: int = 200, **extra: Any) -> Outcome:
    """`data` in the success envelope as an Outcome."""
    return Outcome(
        status=status,
        body=catalog.encode(catalog.success_envelope(data)),
        answered_by=answered_by,
        **extra,
    )


AnyReply = model.ErrorReply | model.SuccessReply | model.RawReply | model.SimulatorReply | model.FaultReply

GATEWAY_TITLES = {
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    504: "504 Gateway Time-out",
}


def gateway_page(status: int) -> bytes:
    """The HTML error page a load balancer (nginx) sends: no envelope, not JSON."""
    title = GATEWAY_TITLES[status]
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


def fault_outcome(reply: model.FaultReply, answered_by: str) -> Outcome:
    """A fault as an Outcome: broken bodies are bytes; resets and hangs are flagged for the app."""
    if reply.fault == "gateway_html":
        status = reply.status or 502
        return Outcome(status, gateway_page(status), answered_by, media_type="text/html", broken=reply.fault)
    if reply.fault == "empty_reply":
        return Outcome(reply.status or 200, b"", answered_by, broken=reply.fault)
    if reply.fault == "malformed_json":
        whole = catalog.encode(catalog.success_envelope({"designId": "dsg_invoice", "status": "completed"}))
        return Outcome(reply.status or 200, whole[: len(whole) // 2], answered_by, broken=reply.fault)
    return Outcome(0, b"", answered_by, fault=reply.fault)


def prepare(reply: AnyReply, answered_by: str, files: Mapping[str, bytes] | None = None) -> Outcome | None:
    """Render a reply from a scenario file; None means "hand off to the simulator".

    `files` holds the contents of the `file:` replies, read by the loader.
    """
    if isinstance(reply, model.SimulatorReply):
        return HANDOFF
    if isinstance(reply, model.FaultReply):
        return fault_outcome(reply, answered_by)
    headers, media_type = _split_content_type(reply.headers)
    if isinstance(reply, model.ErrorReply | model.SuccessReply):
        # The envelope is JSON, but a Content-Type the reply gives is sent, not dropped.
        typed = {"media_type": media_type} if media_type else {}
        if isinstance(reply, model.SuccessReply):
            return success_outcome(reply.data, answered_by, reply.status, headers=headers, **typed)
        if reply.retry_after is not None:
            headers = (*headers, ("retry-after", str(reply.retry_after)))
        return error_outcome(
            reply.error, answered_by, reply.message, headers=headers, retry_after_date=reply.retry_after_date,
            **typed,
        )  # fmt: skip
    if reply.file is not None:
        if files is None or reply.file not in files:
            raise ValueError(f"file reply {reply.file!r}: file replies work in scenario files only")
        body = files[reply.file]
        default_type = mimetypes.guess_type(reply.file)[0] or "application/octet-stream"
    elif reply.body is None:
        body, default_type = b"", "text/plain; charset=utf-8"
    elif isinstance(reply.body, str):
        body, default_type = reply.body.encode("utf-8"), "text/plain; charset=utf-8"
    else:
        body, default_type = catalog.encode(reply.body), "application/json"
    return Outcome(
        status=reply.status,
        body=body,
        answered_by=answered_by,
        headers=headers,
        media_type=media_type or default_type,
    )


def stamped(outcome: Outcome, now: datetime) -> Outcome:
    """`outcome` as sent at `now` (the session clock's time): with its `Retry-After` date, when it has
    one (`retry_after_date`), as an IMF-fixdate (`Wed, 25 Nov 2026 19:31:11 GMT`); else `outcome` itself.
    """
    if outcome.retry_after_date is None:
        return outcome
    date = formatdate(now.timestamp() + outcome.retry_after_date, usegmt=True)
    headers = (*outcome.headers, ("retry-after", date))
    return dataclasses.replace(outcome, headers=headers, retry_after_date=None)


def _split_content_type(headers: Mapping[str, str]) -> tuple[tuple[tuple[str, str], ...], str | None]:
    rest = tuple((k, v) for k, v in headers.items() if k.lower() != "content-type")
    media = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    return rest, media


@lru_cache(maxsize=256)
def _content_type(media_type: str) -> tuple[bytes, bytes]:
    return (b"content-type", media_type.encode("latin-1"))


@lru_cache(maxsize=256)
def _answered_by_header(who: str) -> tuple[bytes, bytes]:
    return (b"x-mock-answered-by", who.encode("latin-1", "replace"))


def wire_headers(outcome: Outcome) -> tuple[tuple[bytes, bytes], ...]:
    """The headers `send_outcome` sends for `outcome` (the same for a HEAD request: only the body goes).

    Made for every answer the simulator makes, so the few header pairs every answer shares (content
    type, who answered) are encoded once (media types and answerers are a few dozen strings)."""
    framing: tuple[tuple[bytes, bytes], ...] = ()
    if forbids_body(outcome.status):
        if outcome.status == 205:
            framing = ((b"content-length", b"0"),)
    else:
        framing = (_content_type(outcome.media_type), (b"content-length", b"%d" % len(outcome.body)))
    if not outcome.headers:
        return (*framing, _answered_by_header(outcome.answered_by))
    return (
        *framing,
        _answered_by_header(outcome.answered_by),
        *((k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in outcome.headers),
    )


async def send_outcome(outcome: Outcome, send: Send, method: str = "GET") -> None:
    """Write `outcome` as an HTTP response to a `method` request.

    Whatever made the Outcome, a status that forbids a body (1xx, 204, 205, 304) is sent without
    one and without Content-Type/Content-Length (205: Content-Length 0), and a HEAD request gets the
    headers of the answer but not its body: a keep-alive client would read stray bytes as the next
    response.
    """
    start, body = response_messages(outcome, method)
    await send(start)
    await send(body)


def response_messages(outcome: Outcome, method: str = "GET") -> tuple[Message, Message]:
    """The ASGI response start and body messages `send_outcome` sends (for a caller that sends them
    itself: the pipeline, which must know when the start has gone out)."""
    status, body = outcome.status, outcome.body
    headers = outcome.wire
    if headers is None:
        headers = wire_headers(outcome)
        outcome.wire = headers  # a cache: see Outcome.wire
    if method == "HEAD" or forbids_body(status):
        body = b""
    return (
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body},
    )
