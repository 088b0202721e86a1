"""Reading `multipart/form-data` bodies (asset uploads) with the standard library."""

from __future__ import annotations

from dataclasses import dataclass

from .endpoints import ApiError, Call


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str
    data: bytes


def form(call: Call) -> dict[str, Part]:
    """The parts of a multipart body by field name; VALIDATION_ERROR when the body is not multipart."""
    content_type = call.incoming.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in content_type:
        raise ApiError(
            "VALIDATION_ERROR",
            "This endpoint takes multipart/form-data with a 'file' part (Content-Type header).",
        )
    # Imported here: the email package (its header parser above all) is large, and only uploads need it.
    from email.message import Message
    from email.parser import BytesParser
    from email.policy import HTTP

    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + call.incoming.body)
    if not message.is_multipart() or message.defects:
        raise ApiError("VALIDATION_ERROR", "The multipart body could not be read.")
    parts: dict[str, Part] = {}
    for item in message.iter_parts():
        assert isinstance(item, Message)
        name = item.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        filename = item.get_filename()
        payload = item.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        parts[name] = Part(name, filename, item.get_content_type(), data)
    return parts
