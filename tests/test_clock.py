"""The session clock: parsing and limits, and everything time-dependent following it, with no sleep."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import formatdate
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from mockserver import MockAsgi, Settings
from mockserver.app import MockApp
from mockserver.cli import _credentials
from mockserver.clock import EARLIEST, LATEST, MAX_DURATION, Clock, parse_duration, parse_moment
from mockserver.errors import ScenarioError
from mockserver.loader import load
from mockserver.simulator.links import LINK_TTL, LinkStore, StorageFull

from .conftest import WriteScenario

API = "/api/v1"
T0 = datetime(2026, 6, 8, 12, 0, tzinfo=UTC)
LATER_KEY = "pc_live_later000000000000001"


def fixed(moment: datetime) -> Clock:
    return Clock(lambda: moment)


# --- parse_duration ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("15m", 900),
        ("1h", 3600),
        ("2d", 172800),
        ("1h30m", 5400),
        ("1d2h3m4s", 93784),
        ("1.5h", 5400),
        ("90", 90),
        ("0.25", 0.25),
        ("0", 0),
        ("-1h", -3600),
        ("+2m", 120),
        ("  15m ", 900),
        ("3653d", 3653 * 86400),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["1x", "", " ", "h", "1 h", "1e3", "--1h", "1h-", "one hour", "1.h", "1,5h"])
def test_what_is_not_a_duration_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a duration; use e\.g\. 90s, 15m, 1h, 2d, 1h30m") as caught:
        parse_duration(text)
    assert str(caught.value).startswith(repr(text))


@pytest.mark.parametrize("text", ["1m1h", "1h1h", "30s2m"])
def test_units_go_largest_first_and_once(text: str) -> None:
    with pytest.raises(ValueError, match=r"each unit at most once, largest first \(d, h, m, s\)"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["3654d", "-3654d", "99999999h", str(3654 * 86400)])
def test_a_duration_is_at_most_ten_years(text: str) -> None:
    with pytest.raises(ValueError, match=r"too long: a clock moves at most 3653 days \(10 years\) at once"):
        parse_duration(text)


def test_a_long_text_is_refused_and_quoted_short() -> None:
    text = "1" * 10_000 + "s"
    with pytest.raises(ValueError, match="is not a duration") as caught:
        parse_duration(text)
    assert len(str(caught.value)) < 200


def test_a_duration_that_is_not_text_is_refused() -> None:
    with pytest.raises(ValueError, match="a int is not a duration"):
        parse_duration(5)  # type: ignore[arg-type]


# --- parse_moment ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2027-01-01T00:00:00Z", datetime(2027, 1, 1, tzinfo=UTC)),
        ("2027-01-01", datetime(2027, 1, 1, tzinfo=UTC)),
        ("2027-01-01T09:30:00+02:00", datetime(2027, 1, 1, 7, 30, tzinfo=UTC)),
        ("2027-01-01T00:00:00.250Z", datetime(2027, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)),
        ("2027-01-01 10:00Z", datetime(2027, 1, 1, 10, tzinfo=UTC)),
        ("2000-01-01T00:00:00Z", EARLIEST),
        ("2100-12-31T23:59:59Z", datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_moments(text: str, moment: datetime) -> None:
    parsed = parse_moment(text)
    assert parsed == moment
    assert parsed.tzinfo is UTC


def test_a_moment_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match=r"has no time zone; add Z for UTC \(2027-01-01T00:00:00Z\)"):
        parse_moment("2027-01-01T00:00:00")


@pytest.mark.parametrize(
    "text", ["1999-12-31T23:59:59Z", "2101-01-01", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
)
def test_a_moment_lies_in_the_years_2000_to_2100(text: str) -> None:
    with pytest.raises(
        ValueError, match=r"out of range: the clock reads from 2000-01-01 to 2100-12-31 \(UTC\)"
    ):
        parse_moment(text)


@pytest.mark.parametrize("text", ["x", "", "2027-02-30", "tomorrow", "2027-01-01T25:00:00Z", "2" * 100])
def test_what_is_not_a_moment_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a moment; use e\.g\. 2027-01-01T00:00:00Z or 2027-01-01"):
        parse_moment(text)


# --- Clock -------------------------------------------------------------------------------------------


def test_a_clock_is_its_source_plus_an_offset() -> None:
    clock = fixed(T0)
    assert (clock.now(), clock.offset) == (T0, timedelta(0))
    clock.advance(timedelta(hours=1))
    clock.advance(parse_duration("30m"))
    assert (clock.now(), clock.offset) == (T0 + timedelta(minutes=90), timedelta(minutes=90))
    clock.set(parse_moment("2027-01-01"))
    assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)
    clock.advance(-timedelta(days=1))
    assert clock.now() == datetime(2026, 12, 31, tzinfo=UTC)
    clock.reset()
    assert (clock.now(), clock.offset) == (T0, timedelta(0))


def test_a_set_clock_runs_on_with_its_source() -> None:
    real = [T0]
    clock = Clock(lambda: real[0])
    clock.set(datetime(2030, 1, 1, tzinfo=UTC))
    real[0] += timedelta(seconds=5)
    assert clock.now() == datetime(2030, 1, 1, 0, 0, 5, tzinfo=UTC)


def test_describe_shows_the_time_to_the_millisecond() -> None:
    clock = fixed(datetime(2026, 11, 25, 19, 30, 41, 123456, tzinfo=UTC))
    assert clock.describe() == {"now": "2026-11-25T19:30:41.123Z", "offsetSeconds": 0.0}
    clock.advance(timedelta(seconds=-1.5))
    assert clock.describe() == {"now": "2026-11-25T19:30:39.623Z", "offsetSeconds": -1.5}


def test_now_is_aware_utc_whatever_the_source_gives() -> None:
    naive = Clock(lambda: datetime(2026, 6, 8, 12, 0))
    assert naive.now() == T0
    assert naive.now().tzinfo is UTC
    other_zone = Clock(lambda: datetime(2026, 6, 8, 14, 0, tzinfo=timezone(timedelta(hours=2))))
    assert other_zone.now() == T0
    assert other_zone.now().tzinfo is UTC
    assert Clock().now().tzinfo is UTC  # the real time by default


def test_a_clock_does_not_move_out_of_its_range() -> None:
    clock = fixed(datetime(2099, 6, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match=r"would take the clock to 2109-\S+, which is out of range"):
        clock.advance(timedelta(days=3650))
    with pytest.raises(ValueError, match="too long"):
        clock.advance(MAX_DURATION + timedelta(seconds=1))
    with pytest.raises(ValueError, match="out of range"):
        clock.set(LATEST + timedelta(microseconds=1))
    with pytest.raises(ValueError, match="out of range"):
        clock.set(EARLIEST - timedelta(microseconds=1))
    assert clock.offset == timedelta(0)  # refused moves change nothing
    clock.set(LATEST)
    assert clock.now() == LATEST


def test_setting_a_clock_needs_an_aware_moment() -> None:
    with pytest.raises(ValueError, match=r"has no time zone; give one \(tzinfo=UTC, or Z in text\)"):
        fixed(T0).set(datetime(2027, 1, 1))
    with pytest.raises(ValueError, match="is not a moment"):
        fixed(T0).set("2027-01-01")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is not a duration"):
        fixed(T0).advance(60)  # type: ignore[arg-type]


def plain_client(mock: MockAsgi, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """A client of `mock` sending only `headers` (`mock.client()` adds the session's API key)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app), base_url=mock.url, headers=headers)


# --- the app: links ----------------------------------------------------------------------------------


@pytest.fixture
async def mock() -> AsyncIterator[MockAsgi]:
    """An in-process mock of revision C2 with a long batch (1000 s: queued for the first 100)."""
    made = MockAsgi(batch_seconds=1000)
    yield made
    made.check()


def storage_code(response: httpx.Response) -> str | None:
    """The storage's XML error code (after checking it is the storage's 403, not the API's envelope)."""
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/xml"
    return ElementTree.fromstring(response.content).findtext("Code")


async def links_of(client: httpx.AsyncClient) -> list[str]:
    """A generated PDF's link (C2: the GCS form) and a preview's (the imaginepdf form)."""
    made = await client.post(f"{API}/designs/dsg_invoice/generate")
    preview = await client.get(f"{API}/designs/dsg_invoice/preview")
    assert (made.status_code, preview.status_code) == (201, 200), (made.text, preview.text)
    return [made.json()["data"]["downloadUrl"], preview.json()["data"]["previewUrl"]]


@pytest.mark.anyio
async def test_a_download_link_expires_when_the_clock_passes_its_hour(mock: MockAsgi) -> None:
    async with mock.client() as client:
        urls = await links_of(client)
        mock.session.clock.advance(timedelta(seconds=3000))
        for url in urls:
            assert (await client.get(url)).status_code == 200
        mock.session.clock.advance(timedelta(seconds=601))  # 3601 s after issue
        assert [storage_code(await client.get(url)) for url in urls] == ["ExpiredToken", "AccessDenied"]
        mock.session.clock.reset()
        assert [(await client.get(url)).status_code for url in urls] == [200, 200]


@pytest.mark.anyio
async def test_a_link_expires_at_exactly_expires_in_on_a_stopped_clock(mock: MockAsgi) -> None:
    mock.session.clock.source = lambda: T0
    async with mock.client() as client:
        (url, _) = await links_of(client)
        mock.session.clock.advance(timedelta(seconds=LINK_TTL - 1))
        assert (await client.get(url)).status_code == 200
        mock.session.clock.advance(timedelta(seconds=1))
        assert storage_code(await client.get(url)) == "ExpiredToken"


@pytest.mark.anyio
async def test_a_link_expires_by_the_clock_of_the_session_that_issued_it(mock: MockAsgi) -> None:
    async with (
        mock.client(headers={"X-Mock-Session": "x"}) as in_x,
        plain_client(mock) as plain,
    ):  # as a browser fetches a link: no session header, no key
        urls = await links_of(in_x)
        mock.session.clock.advance(timedelta(seconds=LINK_TTL + 1))  # the default session's clock
        assert [(await plain.get(url)).status_code for url in urls] == [200, 200]
        mock.session.clock.reset()
        x = mock.app.sessions.get("x")
        x.clock.advance(timedelta(seconds=LINK_TTL + 1))
        assert [storage_code(await plain.get(url)) for url in urls] == ["ExpiredToken", "AccessDenied"]
        assert [storage_code(await in_x.get(url)) for url in urls] == ["ExpiredToken", "AccessDenied"]


# --- LinkStore with several clocks -------------------------------------------------------------------


def issue_on(store: LinkStore, clock: Clock, key: str) -> str:
    return store.issue(
        "http://mock.test", style="imaginepdf", key=key, filename=f"{key}.pdf", media_type="application/pdf",
        now=clock.now(), clock=clock, render=lambda: b"%PDF-1.4\n",
    )  # fmt: skip


def test_pruning_drops_the_entries_of_the_clock_that_moved_only() -> None:
    store = LinkStore()
    a, b = fixed(T0), fixed(T0)
    for n in range(3):
        issue_on(store, a, f"a{n}")
        issue_on(store, b, f"b{n}")
    assert store.prune() == 0
    b.advance(timedelta(seconds=LINK_TTL))
    assert store.prune() == 3
    assert len(store) == 3
    a.advance(timedelta(seconds=LINK_TTL - 1))
    assert store.prune() == 0
    a.advance(timedelta(seconds=1))
    assert store.prune() == 3
    assert len(store) == 0


def test_at_the_cap_a_clock_moving_on_makes_room_though_no_other_clock_did() -> None:
    store = LinkStore(max_entries=2)
    a, b = fixed(T0), fixed(T0)
    issue_on(store, a, "a")
    issue_on(store, b, "b")
    with pytest.raises(StorageFull):
        issue_on(store, a, "a2")  # every entry is live: refused, and the store remembers it was full
    with pytest.raises(StorageFull):
        issue_on(store, a, "a2")
    b.advance(timedelta(seconds=LINK_TTL))  # b's entry expires by b's clock, not by a's
    issue_on(store, a, "a2")
    assert len(store) == 2


def test_a_clock_set_back_then_forward_still_prunes_what_it_issued_meanwhile() -> None:
    store = LinkStore(max_entries=2)
    a = fixed(T0)
    issue_on(store, a, "late")  # expires at T0 + 1 h
    a.advance(-timedelta(days=1))
    issue_on(store, a, "early")  # expires a day earlier than "late"
    with pytest.raises(StorageFull):
        issue_on(store, a, "third")
    a.advance(timedelta(seconds=LINK_TTL))  # "early" has expired, "late" has not
    issue_on(store, a, "third")
    assert len(store) == 2


# --- the app: keys, tokens, batches, timestamps ------------------------------------------------------


@pytest.fixture
def expiring(scenario_dir: Path, write_scenario: WriteScenario) -> MockAsgi:
    write_scenario(
        "expiring",
        f"""
        workspace:
          api_keys:
            - {{key: {LATER_KEY}, name: Later, expires: "2030-01-01T00:00:00Z"}}
          tokens:
            - {{token: later-browser-token, name: Later session, expires: "2030-01-01T00:00:00Z"}}
        """,
    )
    return MockAsgi(Settings(scenarios=scenario_dir, scenario="expiring"))


def code_of(response: httpx.Response) -> str | None:
    error: dict[str, Any] | None = response.json()["error"]
    return error["code"] if error else None


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("header", "value", "code"),
    [
        ("X-API-Key", LATER_KEY, "API_KEY_EXPIRED"),
        ("Authorization", "Bearer later-browser-token", "TOKEN_EXPIRED"),
    ],
)
async def test_a_credential_stops_working_when_the_clock_reaches_its_expiry(
    expiring: MockAsgi, header: str, value: str, code: str
) -> None:
    clock = expiring.session.clock
    async with plain_client(expiring, {header: value}) as client:
        assert (await client.get(f"{API}/designs")).status_code == 200
        clock.set(parse_moment("2029-12-31T23:59:00Z"))
        assert (await client.get(f"{API}/designs")).status_code == 200
        clock.set(parse_moment("2030-01-01T00:00:00Z"))
        expired = await client.get(f"{API}/designs")
        assert (expired.status_code, code_of(expired)) == (401, code)
        assert "2030-01-01T00:00:00Z" in expired.json()["error"]["message"]
        clock.reset()
        assert (await client.get(f"{API}/designs")).status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("header", "value", "code"),
    [
        ("X-API-Key", "pc_live_expired0000000000001", "API_KEY_EXPIRED"),
        ("Authorization", "Bearer expired-browser-token", "TOKEN_EXPIRED"),
    ],
)
async def test_an_expired_credential_works_again_when_the_clock_goes_back(
    mock: MockAsgi, header: str, value: str, code: str
) -> None:
    async with plain_client(mock, {header: value}) as client:
        assert (
            code_of(await client.get(f"{API}/designs")) == code
        )  # the default workspace's: expired 2025-01-01
        mock.session.clock.set(parse_moment("2024-12-31T23:00:00Z"))
        assert (await client.get(f"{API}/designs")).status_code == 200


@pytest.mark.anyio
async def test_a_batch_moves_through_its_stages_as_the_clock_advances(mock: MockAsgi) -> None:
    clock = mock.session.clock
    clock.source = lambda: T0
    async with mock.client() as client:
        rows = [{"recipient": str(n)} for n in range(10)]
        queued = await client.post(f"{API}/designs/dsg_certificate/batch", json={"rows": rows})
        assert queued.status_code == 202, queued.text
        job = queued.json()["data"]["jobId"]

        async def state() -> tuple[str, int, str]:
            status = (await client.get(f"{API}/batches/{job}")).json()["data"]
            return status["status"], status["completed"], status["updatedAt"]

        assert await state() == ("queued", 0, "2026-06-08T12:00:00Z")
        clock.advance(timedelta(seconds=99))
        assert await state() == ("queued", 0, "2026-06-08T12:00:00Z")  # the first tenth of 1000 s
        clock.advance(timedelta(seconds=401))
        assert await state() == ("processing", 5, "2026-06-08T12:08:20Z")
        assert code_of(await client.get(f"{API}/batches/{job}/download")) == "PDF_NOT_FOUND"
        clock.advance(timedelta(seconds=500))
        assert await state() == ("completed", 10, "2026-06-08T12:16:40Z")
        download = await client.get(f"{API}/batches/{job}/download")
        assert download.status_code == 200, download.text
        zipped = await client.get(download.json()["data"]["downloadUrl"])
        assert zipped.status_code == 200
        assert zipped.headers["content-type"] == "application/zip"


@pytest.mark.anyio
async def test_new_designs_uploads_and_changes_are_stamped_with_the_session_time(mock: MockAsgi) -> None:
    mock.session.clock.set(parse_moment("2031-03-04T05:06:07Z"))
    async with mock.client() as client:
        made = await client.post(f"{API}/designs", json={"name": "Later"})
        assert made.status_code == 201, made.text
        design = made.json()["data"]["designId"]
        shown = (await client.get(f"{API}/designs/{design}")).json()["data"]
        assert shown["createdAt"].startswith("2031-03-04T05:06:0")
        mock.session.clock.advance(timedelta(days=2))
        renamed = await client.patch(f"{API}/designs/{design}", json={"name": "Renamed"})
        assert renamed.status_code == 200, renamed.text
        shown = (await client.get(f"{API}/designs/{design}")).json()["data"]
        assert shown["createdAt"].startswith("2031-03-04T05:06:0")
        assert shown["modifiedAt"].startswith("2031-03-06T05:06:0")
        png = _png()
        uploaded = await client.post(f"{API}/uploads", files={"file": ("a.png", png, "image/png")})
        assert uploaded.status_code == 201, uploaded.text
        assert uploaded.json()["data"]["createdAt"].startswith("2031-03-06T05:06:0")
    workspace = mock.session.workspace
    stamps = [d.created_at for d in workspace.designs.values()] + [
        d.modified_at for d in workspace.designs.values()
    ]
    stamps += [image.created_at for image in workspace.images.values()]
    assert all(moment.tzinfo is not None and moment.utcoffset() == timedelta(0) for moment in stamps)


def _png() -> bytes:
    from .contract_c import png

    return png(4, 4)


# --- Retry-After dates -------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_retry_after_date_is_the_session_time_plus_its_seconds(mock: MockAsgi) -> None:
    mock.session.clock.source = lambda: T0
    mock.session.clock.advance(timedelta(hours=1))
    mock.reply("generate", error="S3_ERROR", retry_after_date=30)
    async with mock.client() as client:
        failed = await client.post(f"{API}/designs/dsg_invoice/generate")
        assert (failed.status_code, code_of(failed)) == (500, "S3_ERROR")
        assert failed.headers["retry-after"] == "Mon, 08 Jun 2026 13:00:30 GMT"
        assert failed.headers.get_list("retry-after") == ["Mon, 08 Jun 2026 13:00:30 GMT"]
        mock.session.clock.advance(timedelta(days=1))
        again = await client.post(f"{API}/designs/dsg_invoice/generate")
        assert again.headers["retry-after"] == formatdate(
            (T0 + timedelta(days=1, hours=1, seconds=30)).timestamp(), usegmt=True
        )


@pytest.mark.anyio
async def test_retry_after_date_follows_the_real_time_too() -> None:
    mock = MockAsgi()
    mock.reply("generate", error="INTERNAL_ERROR", retry_after_date=0)
    async with mock.client() as client:
        before = mock.session.clock.now().replace(microsecond=0)
        failed = await client.post(f"{API}/designs/dsg_invoice/generate")
        after = mock.session.clock.now()
    header = failed.headers["retry-after"]
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT", header)
    assert before <= datetime.strptime(header, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC) <= after


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (
            {"error": "DESIGN_NOT_FOUND", "retry_after_date": 30},
            "retry_after_date is for transient 5xx errors",
        ),
        (
            {"error": "S3_ERROR", "retry_after": 5, "retry_after_date": 30},
            "retry_after and retry_after_date both",
        ),
        ({"error": "S3_ERROR", "retry_after_date": 86401}, "less than or equal to 86400"),
        ({"error": "S3_ERROR", "retry_after_date": -1}, "greater than or equal to 0"),
    ],
)
def test_a_bad_retry_after_date_is_refused(reply: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MockAsgi().reply("generate", **reply)


def test_a_bad_retry_after_date_in_a_file_says_where(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario(
        "both",
        """
        rules:
          - when: generate
            reply: {error: S3_ERROR, retry_after: 5, retry_after_date: 30}
        """,
    )
    with pytest.raises(
        ScenarioError, match=r"both\.yaml:3.*retry_after and retry_after_date both set Retry-After"
    ):
        load(scenario_dir)


# --- sessions ----------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_resetting_or_switching_a_session_puts_its_clock_back(mock: MockAsgi) -> None:
    clock = mock.session.clock
    clock.advance(timedelta(days=3))
    mock.session.reset()
    assert clock.offset == timedelta(0)
    clock.advance(timedelta(days=3))
    mock.use("out-of-credits")
    assert clock.offset == timedelta(0)
    clock.advance(timedelta(days=3))
    async with mock.client() as client:
        assert (await client.post("/__mock/reset")).status_code == 200
    assert clock.offset == timedelta(0)
    mock.session.clock.advance(timedelta(days=3))
    mock.app.sessions.delete("default")  # forgetting the default session resets it
    assert mock.session.clock.offset == timedelta(0)


@pytest.mark.anyio
async def test_two_sessions_keep_their_own_time(mock: MockAsgi) -> None:
    x, y = mock.app.sessions.get("x"), mock.app.sessions.get("y")
    assert x.clock is not y.clock
    x.clock.set(parse_moment("2035-01-01"))
    assert y.clock.offset == mock.session.clock.offset == timedelta(0)
    async with (
        mock.client(headers={"X-Mock-Session": "x"}) as in_x,
        mock.client(headers={"X-Mock-Session": "y"}) as in_y,
    ):
        made_x = (await in_x.post(f"{API}/designs", json={"name": "X"})).json()["data"]
        made_y = (await in_y.post(f"{API}/designs", json={"name": "Y"})).json()["data"]
    assert made_x["createdAt"].startswith("2035-01-01T00:00:0")
    assert not made_y["createdAt"].startswith("2035")
    y.reset()
    assert x.clock.offset != timedelta(0)


def test_every_session_clock_reads_the_apps_source() -> None:
    app = MockApp(clock=lambda: datetime(2026, 6, 8, 12, 0))  # naive: read as UTC
    assert app.sessions.get().clock.now() == T0
    assert app.sessions.get("other").clock.now() == T0


def test_the_startup_credentials_are_judged_by_the_default_session_clock() -> None:
    app = MockApp(clock=lambda: T0)
    assert "pc_live_expired0000000000001 (expired)" in "\n".join(_credentials(app))
    app.sessions.get().clock.set(parse_moment("2024-06-01"))
    lines = "\n".join(_credentials(app))
    assert "pc_live_expired0000000000001 (expires 2025-01-01)" in lines
