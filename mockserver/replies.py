"""Turning replies into Outcomes, and Outcomes into HTTP responses.

Rule replies are rendered once, when a scenario is loaded: answering from a
rule only copies ready bytes onto the socket.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.types import Send

from . import catalog, model
from .exchange import Outcome

HANDOFF = None
"""A prepared reply that hands the request to the simulator."""


def error_outcome(code: str, answered_by: str, message: str | None = None, **extra: Any) -> Outcome:
    """The catalog error `code` as an Outcome."""
    entry = catalog.CODES[code]
    return Outcome(
        status=entry.status,
        body=catalog.encode(entry.envelope(message)),
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


def prepare(
    reply: model.ErrorReply | model.SuccessReply | model.RawReply | model.SimulatorReply, answered_by: str
) -> Outcome | None:
    """Render a reply from a scenario file; None means "hand off to the simulator"."""
    if isinstance(reply, model.SimulatorReply):
        return HANDOFF
    headers, media_type = _split_content_type(reply.headers)
    if isinstance(reply, model.ErrorReply):
        return error_outcome(reply.error, answered_by, reply.message, headers=headers)
    if isinstance(reply, model.SuccessReply):
        return success_outcome(reply.data, answered_by, reply.status, headers=headers)
    if isinstance(reply.body, str):
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


def _split_content_type(headers: Mapping[str, str]) -> tuple[tuple[tuple[str, str], ...], str | None]:
    rest = tuple((k, v) for k, v in headers.items() if k.lower() != "content-type")
    media = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    return rest, media


async def send_outcome(outcome: Outcome, send: Send, extra_headers: list[tuple[bytes, bytes]]) -> None:
    """Write `outcome` as an HTTP response."""
    headers = [
        (b"content-type", outcome.media_type.encode("latin-1")),
        (b"content-length", str(len(outcome.body)).encode("latin-1")),
        (b"x-mock-answered-by", outcome.answered_by.encode("latin-1", "replace")),
        *((k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in outcome.headers),
        *extra_headers,
    ]
    await send({"type": "http.response.start", "status": outcome.status, "headers": headers})
    await send({"type": "http.response.body", "body": outcome.body})
