"""What the object stores look like: presigned URL shapes per style, their signatures, their XML errors.

Two styles, after the hosts in the docs' examples (revisions.md §2.1):

- "imaginepdf": `/storage.imaginepdf.com/<object>/<filename>?expires=<unix>&signature=<64 hex>`
  answered like S3 (`<?xml …?>\\n<Error><Code>…</Code><Message>…</Message>…<RequestId>…</Error>`);
- "gcs": `/storage.googleapis.com/<bucket>/<object>/<filename>?X-Goog-Algorithm=…&X-Goog-Signature=<512 hex>`
  (a V4 signed URL's parameters) answered like Google Cloud Storage (`<Error><Code/><Message/><Details/>`).

The mock serves both itself: the storage host is the first path segment under the mock's own base URL.
A signature is an HMAC over the style, the decoded path and every other query parameter, so the URL
itself carries its expiry and nothing per link is stored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal
from urllib.parse import parse_qsl, quote

from ..exchange import Outcome

Style = Literal["imaginepdf", "gcs"]
STYLES: Final[tuple[Style, ...]] = ("imaginepdf", "gcs")

IMAGINEPDF_HOST: Final = "storage.imaginepdf.com"
GCS_HOST: Final = "storage.googleapis.com"
IMAGINEPDF_PREFIX: Final = f"/{IMAGINEPDF_HOST}/"
GCS_PREFIX: Final = f"/{GCS_HOST}/"
PREFIXES: Final = (IMAGINEPDF_PREFIX, GCS_PREFIX)
"""Every path the storage answers starts with one of these."""

GCS_BUCKET: Final = "imaginepdf-mock-files"
GCS_SIGNER: Final = "url-signer@imaginepdf-mock.iam.gserviceaccount.com"
GCS_ALGORITHM: Final = "GOOG4-RSA-SHA256"
XML: Final = "application/xml"
ANSWERED_BY: Final = "simulator"

_SIGNATURE_PARAM: Final[dict[Style, str]] = {"imaginepdf": "signature", "gcs": "X-Goog-Signature"}
_SAFE: Final = "-_.~"


def escape(text: str) -> str:
    """`text` as XML character data (`&`, `<`, `>` escaped); xml.sax.saxutils would do the same, but
    importing it imports urllib.request, http.client and ssl, which a server that never serves a
    storage refusal need not load."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def owns(path: str) -> bool:
    """True when `path` is a storage path (a prefix check; nothing else is looked at)."""
    return path.startswith(PREFIXES)


def style_of(path: str) -> Style | None:
    if path.startswith(IMAGINEPDF_PREFIX):
        return "imaginepdf"
    if path.startswith(GCS_PREFIX):
        return "gcs"
    return None


@dataclass(frozen=True, slots=True)
class Presigned:
    """What a correctly signed storage URL names."""

    style: Style
    object_id: str
    filename: str
    expires: int
    """Unix seconds; the URL works while now < expires."""


class Refused(Exception):
    """A storage request the signature check turned away; `code` is the storage's XML error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class Signer:
    """Makes and checks presigned storage URLs with one secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def sign(self, style: Style, object_id: str, filename: str, issued: int, ttl: int) -> str:
        """The path and query (percent-encoded) of a URL to the object, valid for `ttl` s after `issued`."""
        path = _object_path(style, object_id, filename)
        if style == "imaginepdf":
            params = [("expires", str(issued + ttl))]
        else:
            day = datetime.fromtimestamp(issued, UTC)
            params = [
                ("X-Goog-Algorithm", GCS_ALGORITHM),
                ("X-Goog-Credential", f"{GCS_SIGNER}/{day:%Y%m%d}/auto/storage/goog4_request"),
                ("X-Goog-Date", f"{day:%Y%m%dT%H%M%SZ}"),
                ("X-Goog-Expires", str(ttl)),
                ("X-Goog-SignedHeaders", "host"),
            ]
        params.append((_SIGNATURE_PARAM[style], self._signature(style, path, params)))
        return f"{quote(path)}?{_encode(params)}"

    def verify(self, style: Style, path: str, query_string: str) -> Presigned:
        """What the URL (decoded `path`, raw `query_string`) names; Refused unless it is ours as issued."""
        params = parse_qsl(query_string, keep_blank_values=True)
        name = _SIGNATURE_PARAM[style]
        given = [value for key, value in params if key == name]
        if not given:
            raise Refused("AccessDenied", "The request carries no signature, and the object is not public.")
        rest = [(key, value) for key, value in params if key != name]
        expected = self._signature(style, path, rest)
        if len(given) != 1 or not hmac.compare_digest(given[0].encode(), expected.encode()):
            raise Refused("SignatureDoesNotMatch", "The signature is not the one computed for this URL.")
        # Signed by us, so the parameters and path have the shape sign() gave them.
        values = dict(rest)
        if style == "imaginepdf":
            expires = int(values["expires"])
            object_id, _, filename = path[len(IMAGINEPDF_PREFIX) :].partition("/")
        else:
            start = datetime.strptime(values["X-Goog-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            expires = int(start.timestamp()) + int(values["X-Goog-Expires"])
            _, _, tail = path[len(GCS_PREFIX) :].partition("/")
            object_id, _, filename = tail.partition("/")
        return Presigned(style, object_id, filename, expires)

    def _signature(self, style: Style, path: str, params: list[tuple[str, str]]) -> str:
        message = f"{style}\n{path}\n{_encode(sorted(params))}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        # A V4 GCS signature is an RSA-2048 one: 256 bytes, so 512 hex digits.
        return digest.hex() if style == "imaginepdf" else hashlib.shake_256(digest).hexdigest(256)


def _object_path(style: Style, object_id: str, filename: str) -> str:
    if style == "imaginepdf":
        return f"{IMAGINEPDF_PREFIX}{object_id}/{filename}"
    return f"{GCS_PREFIX}{GCS_BUCKET}/{object_id}/{filename}"


def _encode(params: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(key, safe=_SAFE)}={quote(value, safe=_SAFE)}" for key, value in params)


# --- the XML answers ---------------------------------------------------------------------------------


def _stamp(unix: float) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _request_id(path: str, now: float) -> str:
    return hashlib.sha256(f"{path}\n{now}".encode()).hexdigest()[:16].upper()


def _xml(status: int, style: Style, fields: list[tuple[str, str]]) -> Outcome:
    inner = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in fields)
    if style == "imaginepdf":
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'
    else:
        body = f"<?xml version='1.0' encoding='UTF-8'?><Error>{inner}</Error>"
    return Outcome(status=status, body=body.encode(), answered_by=ANSWERED_BY, media_type=XML)


def refused(style: Style, refusal: Refused, path: str, now: float) -> Outcome:
    """403 for a request without a valid signature (AccessDenied or SignatureDoesNotMatch)."""
    if style == "imaginepdf":
        message = "Access Denied" if refusal.code == "AccessDenied" else refusal.detail
        fields = [("Code", refusal.code), ("Message", message), ("RequestId", _request_id(path, now))]
    else:
        fields = [("Code", refusal.code), ("Message", "Access denied."), ("Details", refusal.detail)]
    return _xml(403, style, fields)


def wrong_method(style: Style, method: str, path: str, now: float) -> Outcome:
    """A presigned URL binds its method (GET; HEAD let through): any other fails the signature."""
    detail = f"This URL was signed for GET, not {method}."
    return refused(style, Refused("SignatureDoesNotMatch", detail), path, now)


def expired(style: Style, expires: int, path: str, now: float) -> Outcome:
    """403: the URL was signed correctly but its lifetime is over."""
    if style == "imaginepdf":
        fields = [
            ("Code", "AccessDenied"),
            ("Message", "Request has expired"),
            ("Expires", _stamp(expires)),
            ("ServerTime", _stamp(now)),
            ("RequestId", _request_id(path, now)),
        ]
    else:
        fields = [
            ("Code", "ExpiredToken"),
            ("Message", "Invalid argument."),
            ("Details", f"The signed URL's lifetime is over: it stopped working at {_stamp(expires)}."),
        ]
    return _xml(403, style, fields)


def no_such_key(link: Presigned, path: str, now: float) -> Outcome:
    """404: the URL is signed correctly but the store holds no such object (any more)."""
    key = f"{link.object_id}/{link.filename}"
    if link.style == "imaginepdf":
        fields = [
            ("Code", "NoSuchKey"),
            ("Message", "No object is stored under this key."),
            ("Key", key),
            ("RequestId", _request_id(path, now)),
        ]
    else:
        fields = [
            ("Code", "NoSuchKey"),
            ("Message", "The object does not exist."),
            ("Details", f"Nothing is stored at {GCS_BUCKET}/{key}."),
        ]
    return _xml(404, link.style, fields)
