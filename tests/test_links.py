"""Presigned-style links: URL shapes, lifetime, signatures, the storage's XML answers, memory bounds."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit
from xml.etree import ElementTree

import httpx
import pytest

from mockserver import MockServer
from mockserver.clock import Clock
from mockserver.exchange import Outcome
from mockserver.simulator.links import (
    GCS_PREFIX,
    IMAGINEPDF_PREFIX,
    LINK_TTL,
    PREFIXES,
    LinkStore,
    StorageFull,
    Style,
    owns,
)
from mockserver.simulator.storage import GCS_BUCKET

BASE = "http://127.0.0.1:8123"
T0 = datetime(2026, 6, 8, 12, 0, tzinfo=UTC)
PDF = b"%PDF-1.4 test\n%%EOF\n"
GCS_PARAMS = [
    "X-Goog-Algorithm",
    "X-Goog-Credential",
    "X-Goog-Date",
    "X-Goog-Expires",
    "X-Goog-SignedHeaders",
    "X-Goog-Signature",
]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


CLOCK = Clock(lambda: T0)
"""The one clock the store's links are issued and fetched by in these tests, moved to each call's time."""


def moved(seconds: float) -> Clock:
    """CLOCK, set to read `seconds` after T0."""
    CLOCK.set(at(seconds))
    return CLOCK


def issue(
    store: LinkStore,
    key: object = "k",
    *,
    style: Style = "imaginepdf",
    when: float = 0,
    filename: str = "Invoice.pdf",
    render: Callable[[], bytes] = lambda: PDF,
) -> str:
    return store.issue(
        BASE,
        style=style,
        key=key,
        filename=filename,
        media_type="application/pdf",
        now=at(when),
        clock=moved(when),
        render=render,
    )


def fetch(store: LinkStore, url: str, when: float = 0, method: str = "GET") -> Outcome:
    """What the store answers for `url`, with the path decoded as the ASGI server hands it over."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE
    return store.serve(method, unquote(parts.path), parts.query, moved(when))


def xml_code(outcome: Outcome, status: int) -> ElementTree.Element:
    """The XML error element, after checking it is a storage answer, not the API's envelope."""
    assert outcome.status == status
    assert outcome.media_type == "application/xml"
    assert (outcome.answered_by, outcome.code) == ("simulator", None)
    assert outcome.body.startswith(b"<?xml")
    with pytest.raises(json.JSONDecodeError):
        json.loads(outcome.body)
    root = ElementTree.fromstring(outcome.body)
    assert root.tag == "Error"
    return root


def with_query(url: str, change: Callable[[list[tuple[str, str]]], list[tuple[str, str]]]) -> str:
    parts = urlsplit(url)
    return parts._replace(query=urlencode(change(parse_qsl(parts.query)))).geturl()


# --- shapes and round trips --------------------------------------------------------------------------


def test_imaginepdf_link_shape_and_round_trip() -> None:
    store = LinkStore()
    url = issue(store, filename="Hello Invoice.pdf")
    parts = urlsplit(url)
    segments = parts.path.split("/")
    assert segments[1] == "storage.imaginepdf.com"
    assert re.fullmatch(r"[0-9a-f]{32}", segments[2])
    assert segments[3] == "Hello%20Invoice.pdf"
    query = parse_qsl(parts.query)
    assert [name for name, _ in query] == ["expires", "signature"]
    assert int(query[0][1]) == int(T0.timestamp()) + LINK_TTL
    assert re.fullmatch(r"[0-9a-f]{64}", query[1][1])

    answer = fetch(store, url, 10)
    assert (answer.status, answer.body, answer.media_type) == (200, PDF, "application/pdf")
    assert (answer.answered_by, answer.code) == ("simulator", None)
    headers = dict(answer.headers)
    assert headers["content-disposition"] == (
        "inline; filename=\"Hello Invoice.pdf\"; filename*=UTF-8''Hello%20Invoice.pdf"
    )
    assert re.fullmatch(r'"[0-9a-f]{32}"', headers["etag"])
    assert headers["last-modified"] == "Mon, 08 Jun 2026 12:00:00 GMT"


def test_gcs_link_shape_and_round_trip() -> None:
    store = LinkStore()
    url = issue(store, style="gcs", filename="output.pdf", when=0.25)
    parts = urlsplit(url)
    assert parts.path.startswith(f"/storage.googleapis.com/{GCS_BUCKET}/")
    assert parts.path.endswith("/output.pdf")
    assert len(parts.path.split("/")) == 5
    query = dict(parse_qsl(parts.query))
    assert [name for name, _ in parse_qsl(parts.query)] == GCS_PARAMS
    assert query["X-Goog-Algorithm"] == "GOOG4-RSA-SHA256"
    assert re.fullmatch(r"[^/]+@[^/]+\.iam\.gserviceaccount\.com/20260608/auto/storage/goog4_request",
                        query["X-Goog-Credential"])  # fmt: skip
    assert query["X-Goog-Date"] == "20260608T120000Z"
    assert query["X-Goog-Expires"] == str(LINK_TTL)
    assert query["X-Goog-SignedHeaders"] == "host"
    assert re.fullmatch(r"[0-9a-f]{512}", query["X-Goog-Signature"])
    answer = fetch(store, url, 3599)
    assert (answer.status, answer.body) == (200, PDF)


def test_unusual_filenames_round_trip() -> None:
    store = LinkStore()
    for name in ["Façade & <co>.pdf", "a/b.pdf", "100%?#.pdf"]:
        answer = fetch(store, issue(store, key=name, filename=name))
        assert answer.status == 200, answer.body
        disposition = dict(answer.headers)["content-disposition"]
        assert disposition.isascii()
        assert disposition.endswith("''" + quote(name, safe=""))


def test_head_answers_like_get() -> None:
    store = LinkStore()
    url = issue(store)
    get, head = fetch(store, url), fetch(store, url, method="HEAD")
    assert (head.status, head.media_type, head.headers) == (get.status, get.media_type, get.headers)
    assert len(head.body) == len(get.body)  # the server sends no body for HEAD, but its length


def test_other_methods_fail_the_signature() -> None:
    store = LinkStore()
    url = issue(store)
    for method in ("PUT", "POST", "DELETE"):
        assert xml_code(fetch(store, url, method=method), 403).findtext("Code") == "SignatureDoesNotMatch"


def test_owns_is_a_prefix_check() -> None:
    assert (
        PREFIXES
        == (IMAGINEPDF_PREFIX, GCS_PREFIX)
        == ("/storage.imaginepdf.com/", "/storage.googleapis.com/")
    )
    assert owns("/storage.imaginepdf.com/x/a.pdf")
    assert owns("/storage.googleapis.com/bucket/x/a.pdf")
    assert not owns("/files/x/a.pdf")
    assert not owns("/api/v1/storage.imaginepdf.com/x")
    assert not owns("/storage.imaginepdf.comx/a.pdf")


def test_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown storage style"):
        issue(LinkStore(), style="s3")  # type: ignore[arg-type]


# --- lifetime ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("style", "code"), [("imaginepdf", "AccessDenied"), ("gcs", "ExpiredToken")])
def test_a_link_expires_at_exactly_expires_in(style: Style, code: str) -> None:
    store = LinkStore()
    url = issue(store, style=style)
    assert fetch(store, url, LINK_TTL - 0.001).status == 200
    error = xml_code(fetch(store, url, LINK_TTL), 403)
    assert error.findtext("Code") == code
    if style == "imaginepdf":
        assert error.findtext("Message") == "Request has expired"
        assert error.findtext("Expires") == "2026-06-08T13:00:00Z"
        assert error.findtext("ServerTime") == "2026-06-08T13:00:00Z"
    else:
        assert "2026-06-08T13:00:00Z" in (error.findtext("Details") or "")


def test_a_link_issued_mid_second_expires_no_later_than_expires_in() -> None:
    store = LinkStore()
    url = issue(store, when=0.7)
    assert fetch(store, url, 0.7 + LINK_TTL - 0.8).status == 200
    assert fetch(store, url, 0.7 + LINK_TTL).status == 403


def test_a_link_outlives_twenty_thousand_other_files() -> None:
    store = LinkStore()
    first = issue(store, "first")
    for n in range(20_000):
        issue(store, ("other", n), when=n / 10)
    assert len(store) == 20_001
    assert fetch(store, first, LINK_TTL - 1).body == PDF


def test_the_same_content_issued_twenty_thousand_times_is_one_entry() -> None:
    store = LinkStore()
    urls = [issue(store, ("preview", "dsg_1", 3, 0), when=n / 10) for n in range(20_000)]
    assert len(store) == 1
    assert len({urlsplit(url).path for url in urls}) == 1  # one object, many signed URLs
    assert fetch(store, urls[0], 1).status == 200
    assert fetch(store, urls[-1], 1999 + LINK_TTL - 1).status == 200


def test_reissuing_extends_the_entry_but_not_the_older_link() -> None:
    store = LinkStore()
    old = issue(store, when=0)
    new = issue(store, when=1800)
    assert fetch(store, old, LINK_TTL).status == 403
    assert fetch(store, new, LINK_TTL).status == 200
    assert fetch(store, new, 1800 + LINK_TTL).status == 403


# --- signatures and unknown objects ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "name", "value"),
    [
        ("imaginepdf", "expires", "9999999999"),
        ("imaginepdf", "signature", "0" * 64),
        ("gcs", "X-Goog-Expires", "604800"),
        ("gcs", "X-Goog-Date", "20300101T000000Z"),
        ("gcs", "X-Goog-Signature", "0" * 512),
    ],
)
def test_a_tampered_parameter_fails_the_signature(style: Style, name: str, value: str) -> None:
    store = LinkStore()
    url = issue(store, style=style)
    forged = with_query(url, lambda query: [(k, value if k == name else v) for k, v in query])
    assert forged != url
    error = xml_code(fetch(store, forged), 403)
    assert error.findtext("Code") == "SignatureDoesNotMatch"


def test_other_tampering_fails_the_signature() -> None:
    store = LinkStore()
    url = issue(store)
    renamed = url.replace("/Invoice.pdf?", "/Other.pdf?")
    added = url + "&x=1"
    doubled = url + "&signature=" + dict(parse_qsl(urlsplit(url).query))["signature"]
    moved = url.replace("/storage.imaginepdf.com/", "/storage.googleapis.com/")
    for forged in (renamed, added, doubled):
        assert xml_code(fetch(store, forged), 403).findtext("Code") == "SignatureDoesNotMatch"
    assert xml_code(fetch(store, moved), 403).findtext("Code") == "AccessDenied"  # no X-Goog-Signature


@pytest.mark.parametrize("style", ["imaginepdf", "gcs"])
def test_an_unsigned_request_is_denied(style: Style) -> None:
    store = LinkStore()
    url = issue(store, style=style).partition("?")[0]
    assert xml_code(fetch(store, url), 403).findtext("Code") == "AccessDenied"


def test_another_secret_fails_the_signature() -> None:
    url = issue(LinkStore())
    assert xml_code(fetch(LinkStore(), url), 403).findtext("Code") == "SignatureDoesNotMatch"


@pytest.mark.parametrize("style", ["imaginepdf", "gcs"])
def test_a_correctly_signed_url_to_no_stored_object_is_no_such_key(style: Style) -> None:
    url = issue(LinkStore(b"shared"), style=style, filename="a<&>.pdf")
    error = xml_code(fetch(LinkStore(b"shared"), url), 404)  # as after a restart with the same secret
    assert error.findtext("Code") == "NoSuchKey"
    where = error.findtext("Key") if style == "imaginepdf" else error.findtext("Details")
    assert "a<&>.pdf" in (where or "")


# --- memory ------------------------------------------------------------------------------------------


def test_render_is_lazy_and_recent_renders_are_few() -> None:
    store = LinkStore()
    calls: list[int] = []

    def render(n: int) -> Callable[[], bytes]:
        def make() -> bytes:
            calls.append(n)
            return b"file %d" % n

        return make

    urls = [issue(store, n, render=render(n)) for n in range(20)]
    assert calls == []
    assert fetch(store, urls[0]).body == b"file 0"
    assert fetch(store, urls[0]).body == b"file 0"
    assert calls == [0]  # cached
    for url in urls[1:]:
        fetch(store, url)
    assert fetch(store, urls[0]).body == b"file 0"
    assert calls == [*range(20), 0]  # evicted from the small cache, rendered again


def test_expired_entries_are_pruned_on_issue() -> None:
    store = LinkStore()
    issue(store, "a", when=0)
    issue(store, "b", when=1800)
    issue(store, "c", when=LINK_TTL)
    assert len(store) == 2  # "a" went; its link had expired
    moved(1800 + LINK_TTL)
    assert store.prune() == 1
    assert len(store) == 1


def test_at_the_cap_expired_entries_go_first_then_issuing_is_refused() -> None:
    store = LinkStore(max_entries=2)
    late = issue(store, "late", when=1800)
    early = issue(store, "early", when=0)  # an earlier clock: not at the front of the issue order
    with pytest.raises(StorageFull, match="limit"):
        issue(store, "third", when=10)
    issue(store, "early", when=20)  # the same content still gets links at the cap
    assert len(store) == 2
    third = issue(store, "third", when=20 + LINK_TTL)  # "early" has expired by now and makes room
    assert len(store) == 2
    assert fetch(store, third, 20 + LINK_TTL).status == 200
    assert fetch(store, late, 20 + LINK_TTL).status == 200  # the live one was kept
    assert xml_code(fetch(store, early, 20 + LINK_TTL), 403).findtext("Code") == "AccessDenied"


def test_max_entries_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LinkStore(max_entries=0)


# --- over HTTP ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "route", "field", "host", "signature", "media_type", "magic"),
    [
        # C2 (the default) links a generated PDF in the GCS form and a preview in the imaginepdf form.
        ("POST", "generate", "downloadUrl", "storage.googleapis.com", "X-Goog-Signature=", "application/pdf",
         b"%PDF-"),
        ("GET", "preview", "previewUrl", "storage.imaginepdf.com", "signature=", "image/png", b"\x89PNG"),
    ],
)  # fmt: skip
def test_over_http_the_storage_answers_get_head_and_errors(
    server: MockServer,
    api: httpx.Client,
    method: str,
    route: str,
    field: str,
    host: str,
    signature: str,
    media_type: str,
    magic: bytes,
) -> None:
    url = api.request(method, f"/api/v1/designs/dsg_invoice/{route}").json()["data"][field]
    assert url.startswith(f"{server.url}/{host}/")
    got = httpx.get(url)
    assert (got.status_code, got.headers["content-type"]) == (200, media_type)
    assert got.content.startswith(magic)
    head = httpx.head(url)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(len(got.content))
    assert signature in url
    tampered = httpx.get(url.replace(signature, signature + "0"))
    assert (tampered.status_code, tampered.headers["content-type"]) == (403, "application/xml")
    assert ElementTree.fromstring(tampered.content).findtext("Code") == "SignatureDoesNotMatch"


@pytest.mark.parametrize("text", ["plain", "a<b>&c", "&amp; already", "<Error>\"quoted\" 'x'</Error>", ""])
def test_storage_escapes_xml_text_as_the_standard_library_does(text: str) -> None:
    from xml.sax.saxutils import escape as standard

    from mockserver.simulator import storage

    assert storage.escape(text) == standard(text)
