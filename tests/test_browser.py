"""In a real headless Chromium: cross-origin reads of every status, and the control page steering the mock.

Without a Chromium these tests skip, saying what to install; with the CI variable set, they fail instead.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from mockserver import MockServer

CHROMIUM_VARIABLE = "MOCKSERVER_CHROMIUM"
MISSING = (
    "no Chromium for the browser tests: install it (Debian/Ubuntu: apt-get install chromium)"
    f" or set {CHROMIUM_VARIABLE} to a Chromium or Chrome executable"
)


def chromium() -> str:
    """The Chromium to drive: $MOCKSERVER_CHROMIUM, else `chromium` on PATH; none: skip (under CI: fail)."""
    given = os.environ.get(CHROMIUM_VARIABLE)
    found = (given if Path(given).is_file() else None) if given else shutil.which("chromium")
    if found is not None:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{MISSING}. CI is set, so a missing browser is a failure, not a skip.", pytrace=False)
    pytest.skip(MISSING)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def laptop(browser: Browser) -> Iterator[Page]:
    """A page at 1366x768, the laptop screen the control page is laid out for."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[MockServer, MockServer]]:
    """The API, and a second server on another port that only serves the client page."""
    with MockServer() as api, MockServer() as other:
        yield api, other


def test_a_page_on_another_port_reads_every_status(page: Page, sites: tuple[MockServer, MockServer]) -> None:
    api, other = sites
    api.reset()
    page.goto(f"{other.url}/__mock/try?api={api.url}")
    results: dict[str, Any] = {
        name: page.evaluate(f"call('{name}')") for name in ("ok", "unauthorized", "credits", "outage")
    }
    assert (results["ok"]["status"], results["ok"]["code"]) == (200, None)
    assert (results["unauthorized"]["status"], results["unauthorized"]["code"]) == (401, "UNAUTHORIZED")
    assert (results["credits"]["status"], results["credits"]["code"]) == (402, "INSUFFICIENT_CREDITS")
    assert results["credits"]["answeredBy"] == "override X-Mock-Error"  # an exposed header
    assert results["outage"]["status"] == 503
    assert "503" in results["outage"]["text"]  # the gateway page's body is readable too


def test_the_control_page_steers_what_the_next_cross_origin_call_sees(
    page: Page, sites: tuple[MockServer, MockServer], tmp_path: Path
) -> None:
    api, other = sites
    api.reset()
    page.goto(f"{api.url}/__mock/")
    page.get_by_role("button", name="Use scenario out-of-credits").click()
    page.wait_for_selector("#scenarios li.active >> text=out-of-credits")
    assert api.session.scenario.name == "out-of-credits"

    client = page.context.new_page()
    client.goto(f"{other.url}/__mock/try?api={api.url}")
    assert client.evaluate("call('generate')")["code"] == "INSUFFICIENT_CREDITS"
    api.use("out-of-credits", api_revision="A")  # the page follows the revision's generate route
    assert client.evaluate("call('generate')")["code"] == "INSUFFICIENT_CREDITS"

    page.get_by_role("button", name="Use scenario default").click()
    page.wait_for_selector("#scenarios li.active >> text=default")
    page.get_by_role("combobox", name="Error").select_option("S3_ERROR")
    page.get_by_role("textbox", name="Path", exact=True).fill("/api/v1/designs")
    page.get_by_role("button", name="Inject").click()
    page.wait_for_selector("#rules li")
    failed = client.evaluate("call('ok')")
    assert (failed["status"], failed["code"]) == (500, "S3_ERROR")
    assert client.evaluate("call('ok')")["status"] == 200  # times: 1

    page.get_by_role("spinbutton", name="Credits").fill("7")
    page.get_by_role("button", name="Save").click()
    page.wait_for_function("document.getElementById('status').textContent === 'Workspace saved'")
    assert api.workspace["credits"] == 7

    page.wait_for_selector("#journal tr >> text=S3_ERROR")  # the live journal refreshed on its own
    shot = tmp_path / "control-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"control page screenshot: {shot}")


# --- the control page at 1366x768: the live requests in view, each one opens ---------------------------


def call_api(api: MockServer, method: str, path: str, **headers: str) -> httpx.Response:
    return httpx.request(method, api.url + path, headers={"X-API-Key": api.api_key, **headers})


def inside(box: Any, outer: Any) -> bool:
    """Whether bounding box `box` lies within `outer` (both {x, y, width, height})."""
    return bool(
        box["x"] >= outer["x"]
        and box["y"] >= outer["y"]
        and box["x"] + box["width"] <= outer["x"] + outer["width"] + 0.5
        and box["y"] + box["height"] <= outer["y"] + outer["height"] + 0.5
    )


def test_at_1366x768_the_newest_request_is_in_view_and_opens_to_its_answer(
    laptop: Page, sites: tuple[MockServer, MockServer], tmp_path: Path
) -> None:
    api, _ = sites
    api.reset()
    for _ in range(40):  # more requests than fit: the panel scrolls inside, the newest stays on top
        assert call_api(api, "GET", "/api/v1/designs?limit=2").status_code == 200
    assert call_api(api, "GET", "/api/v1/designs/dsg_nope").status_code == 404
    assert call_api(api, "GET", "/api/v1/designs/dsg_invoice").status_code == 200  # the newest

    laptop.goto(f"{api.url}/__mock/")
    newest = laptop.locator("#journal tr.entry").first
    expect(newest).to_contain_text("/api/v1/designs/dsg_invoice")
    viewport = {"x": 0, "y": 0, "width": 1366, "height": 768}
    assert inside(newest.bounding_box(), viewport)  # in view without scrolling

    # Beside the controls, taking the rest of the width and the full height; the page itself does not scroll.
    controls = laptop.locator(".controls").bounding_box()
    requests = laptop.locator("section.requests").bounding_box()
    assert controls is not None
    assert requests is not None
    assert requests["x"] >= controls["x"] + controls["width"]
    assert requests["x"] + requests["width"] >= 1366 - 24  # no empty right third
    assert requests["width"] >= 1366 * 0.6
    assert requests["y"] + requests["height"] >= 768 - 24
    assert laptop.evaluate("document.scrollingElement.scrollHeight <= innerHeight")
    error_picker = laptop.get_by_role("combobox", name="Error").bounding_box()
    assert inside(error_picker, laptop.locator("#fail").bounding_box())  # the picker stays in its panel

    opener = newest.get_by_role("button", name="GET /api/v1/designs/dsg_invoice")
    expect(opener).to_have_attribute("aria-expanded", "false")
    opener.click()
    expect(opener).to_have_attribute("aria-expanded", "true")
    details = laptop.locator("#" + str(opener.get_attribute("aria-controls")))
    expect(details).to_be_visible()
    expect(details.locator(".part").first).to_contain_text("x-api-key")
    assert api.api_key not in details.inner_text()  # credentials are masked
    expect(details).to_contain_text("designs.get")  # what answered it: the operation
    shot = tmp_path / "control-page-1366x768.png"
    laptop.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    print(f"control page screenshot: {shot}")

    answer_body = details.locator(".answer pre.body")
    expect(answer_body).to_contain_text('"dsg_invoice"')
    expect(details.locator(".answer")).to_contain_text("content-type")


def test_a_request_opens_and_closes_from_the_keyboard_and_stays_open_while_new_ones_arrive(
    laptop: Page, sites: tuple[MockServer, MockServer]
) -> None:
    api, _ = sites
    api.reset()
    call_api(api, "GET", "/api/v1/designs/dsg_nope")
    laptop.goto(f"{api.url}/__mock/")
    opener = laptop.get_by_role("button", name="GET /api/v1/designs/dsg_nope")
    expect(opener).to_be_visible()
    laptop.get_by_role("combobox", name="Filter by code").focus()
    laptop.keyboard.press("Tab")  # the next stop after the filters is the newest request
    assert laptop.evaluate("document.activeElement.matches('#journal button.open:focus-visible')")
    laptop.keyboard.press("Enter")
    expect(opener).to_have_attribute("aria-expanded", "true")
    details = laptop.locator("#" + str(opener.get_attribute("aria-controls")))
    expect(details).to_contain_text("DESIGN_NOT_FOUND")
    laptop.keyboard.press("Space")
    expect(opener).to_have_attribute("aria-expanded", "false")
    expect(details).to_be_hidden()
    laptop.keyboard.press("Enter")
    expect(details).to_be_visible()

    details.evaluate("node => { node.dataset.reading = 'yes' }")  # the very element the user reads
    call_api(api, "GET", "/api/v1/designs?limit=1")
    expect(laptop.locator("#journal tr.entry").first).to_contain_text("/api/v1/designs?limit=1")
    assert details.get_attribute("data-reading") == "yes"  # not rebuilt by the refresh
    expect(details).to_be_visible()
    expect(opener).to_have_attribute("aria-expanded", "true")

    details.locator("td").focus()  # reading inside the details: Escape closes them, the focus goes back
    assert details.evaluate("node => node.contains(document.activeElement)")
    laptop.keyboard.press("Escape")
    expect(details).to_be_hidden()
    focused = laptop.evaluate("document.activeElement.getAttribute('aria-controls')")
    assert focused == details.get_attribute("id")
    laptop.keyboard.press("Enter")
    laptop.keyboard.press("Escape")  # from the button itself
    expect(opener).to_have_attribute("aria-expanded", "false")


def test_the_requests_filter_by_status_code_and_path(
    laptop: Page, sites: tuple[MockServer, MockServer]
) -> None:
    api, _ = sites
    api.reset()
    call_api(api, "GET", "/api/v1/designs")
    call_api(api, "GET", "/api/v1/designs/dsg_nope")
    call_api(api, "GET", "/api/v1/designs", **{"X-Mock-Error": "INSUFFICIENT_CREDITS"})
    laptop.goto(f"{api.url}/__mock/")
    rows = laptop.locator("#journal tr.entry:visible")
    expect(rows).to_have_count(3)

    laptop.get_by_role("textbox", name="Filter by status").fill("4xx")
    expect(rows).to_have_count(2)
    laptop.get_by_role("combobox", name="Filter by code").fill("design_not")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("/api/v1/designs/dsg_nope")
    laptop.get_by_role("button", name="Clear filters").click()
    expect(rows).to_have_count(3)

    path = laptop.get_by_role("textbox", name="Filter by path")
    path.fill("/api/v1/designs/*")  # a glob: one segment
    expect(rows).to_have_count(1)
    path.fill("/api/v1/designs")  # no glob: a part of the path
    expect(rows).to_have_count(3)
    laptop.get_by_role("textbox", name="Filter by status").fill("402")
    expect(rows).to_have_count(1)
    expect(laptop.locator("#journal-count")).to_have_text("1 of 3 requests shown")
    laptop.get_by_role("textbox", name="Filter by status").fill("201")
    expect(rows).to_have_count(0)
    expect(laptop.locator("#journal-none")).to_be_visible()


def test_without_a_clock_endpoint_the_clock_panel_says_so_and_the_page_works(
    laptop: Page, sites: tuple[MockServer, MockServer]
) -> None:
    api, _ = sites
    api.reset()
    error = {"code": "NOT_FOUND", "message": "No admin endpoint."}
    missing = {"status": "error", "data": None, "error": error}
    laptop.route("**/__mock/clock", lambda route: route.fulfill(status=404, json=missing))
    call_api(api, "GET", "/api/v1/designs")
    laptop.goto(f"{api.url}/__mock/")
    expect(laptop.locator("#clock-missing")).to_contain_text("Clock not available")
    expect(laptop.locator("#clock-missing")).to_contain_text("NOT_FOUND")
    expect(laptop.locator("#clock-badge")).to_have_text("Clock not available")
    expect(laptop.get_by_role("button", name="Advance")).to_be_disabled()
    expect(laptop.locator("#journal tr.entry")).to_have_count(1)  # the rest of the page works
    expect(laptop.locator("#revision")).to_contain_text("API revision")


def test_the_clock_panel_sends_the_clock_contract(laptop: Page, sites: tuple[MockServer, MockServer]) -> None:
    """What the page sends and shows, against a stand-in for the endpoint (the real one: the next test)."""
    api, _ = sites
    now = {"now": "2026-11-25T19:30:41.123Z", "offsetSeconds": 0.0}
    sent: list[Any] = []

    def clock(route: Route) -> None:
        if route.request.method == "POST":
            body = route.request.post_data_json or {}
            sent.append(body)
            if "advance" in body:
                now.update(now="2026-11-25T20:30:41.123Z", offsetSeconds=3600.0)
            elif "set" in body:
                now.update(now="2027-01-01T00:00:00.000Z", offsetSeconds=3_000_000.0)
            else:
                now.update(now="2026-11-25T19:30:41.123Z", offsetSeconds=0.0)
        route.fulfill(status=200, json={"status": "success", "data": now, "error": None})

    laptop.route("**/__mock/clock", clock)
    laptop.goto(f"{api.url}/__mock/")
    expect(laptop.locator("#clock-now")).to_contain_text("2026-11-25 19:30:4")
    expect(laptop.locator("#clock-offset")).to_have_text("(real time)")
    laptop.get_by_role("combobox", name="Advance by").fill("1h")
    laptop.get_by_role("button", name="Advance", exact=True).click()
    expect(laptop.locator("#clock-badge")).to_contain_text("(+1h)")
    laptop.get_by_role("textbox", name="Set to").fill("2027-01-01T00:00:00Z")
    laptop.get_by_role("button", name="Set", exact=True).click()
    expect(laptop.locator("#clock-now")).to_contain_text("2027-01-01 00:00:0")
    laptop.get_by_role("button", name="Back to real time").click()
    expect(laptop.locator("#clock-offset")).to_have_text("(real time)")
    assert sent == [{"advance": "1h"}, {"set": "2027-01-01T00:00:00Z"}, {"reset": True}]


def test_the_clock_panel_moves_the_session_clock(laptop: Page, sites: tuple[MockServer, MockServer]) -> None:
    api, _ = sites
    api.reset()
    laptop.goto(f"{api.url}/__mock/")
    laptop.get_by_role("combobox", name="Advance by").fill("2h")
    laptop.get_by_role("button", name="Advance", exact=True).click()
    expect(laptop.locator("#clock-badge")).to_contain_text("(+2h)")
    assert httpx.get(f"{api.url}/__mock/clock").json()["data"]["offsetSeconds"] == pytest.approx(7200, abs=5)
    laptop.get_by_role("textbox", name="Set to").fill("2030-01-01T00:00:00Z")
    laptop.get_by_role("button", name="Set", exact=True).click()
    expect(laptop.locator("#clock-now")).to_contain_text("2030-01-01 00:00:0")
    laptop.get_by_role("button", name="Back to real time").click()
    expect(laptop.locator("#clock-offset")).to_have_text("(real time)")
    assert httpx.get(f"{api.url}/__mock/clock").json()["data"]["offsetSeconds"] == pytest.approx(0, abs=1)


# --- the guidance panel ---------------------------------------------------------------------------------


def test_the_guidance_panel_lists_findings_with_their_requests_and_fix_and_clears_them(
    laptop: Page, sites: tuple[MockServer, MockServer], tmp_path: Path
) -> None:
    api, _ = sites
    api.reset()
    laptop.goto(f"{api.url}/__mock/")
    panel = laptop.get_by_role("region", name="Guidance")
    expect(panel).to_contain_text("No findings")
    api.fail("generate", "INSUFFICIENT_CREDITS", times=None)
    for _ in range(2):  # a 402 retried: a finding, shown at the next poll
        assert call_api(api, "POST", "/api/v1/designs/dsg_invoice/generate").status_code == 402
    finding = panel.locator("details").first
    expect(finding).to_contain_text("retried-402")
    expect(laptop.locator("#guidance-count")).to_have_text("(1)")
    expect(laptop.locator("#guidance-none")).to_be_hidden()
    finding.locator("summary").click()
    refs = finding.locator(".finding-refs li")
    expect(refs).to_have_count(2)
    expect(refs.first).to_contain_text("POST /api/v1/designs/dsg_invoice/generate → 402 INSUFFICIENT_CREDITS")
    expect(finding.locator(".finding-fix")).to_contain_text(
        "Fix: On 402 stop and ask the user to add credits"
    )

    # Laid out in the controls column at 1366x768: the page does not scroll, the requests keep their room.
    box, viewport = panel.bounding_box(), {"x": 0, "y": 0, "width": 1366, "height": 768}
    assert box is not None
    assert inside(box, viewport)
    controls = laptop.locator(".controls").bounding_box()
    assert controls is not None
    assert inside(box, {**controls, "height": 10_000})
    assert laptop.evaluate("document.scrollingElement.scrollHeight <= innerHeight")
    requests = laptop.locator("section.requests").bounding_box()
    assert requests is not None
    assert requests["width"] >= 1366 * 0.6
    shot = tmp_path / "guidance-panel-1366x768.png"
    laptop.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    print(f"guidance panel screenshot: {shot}")

    assert call_api(api, "GET", "/api/v1/designs").status_code == 200  # a refresh keeps it open
    expect(laptop.locator("#journal tr.entry").first).to_contain_text("GET /api/v1/designs")
    expect(finding).to_have_attribute("open", "")

    panel.get_by_role("button", name="Clear").click()
    expect(panel).to_contain_text("No findings")
    expect(panel.locator("details")).to_have_count(0)
    assert api.guidance() == []


# --- where there is no browser ---------------------------------------------------------------------------


def test_a_missing_chromium_skips_naming_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv(CHROMIUM_VARIABLE, "/nonexistent/chromium")
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        chromium()


def test_a_missing_chromium_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv(CHROMIUM_VARIABLE, "/nonexistent/chromium")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        chromium()


def test_skip_reasons_are_shown_in_the_summary() -> None:
    ini = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert "-ra" in ini["tool"]["pytest"]["ini_options"]["addopts"]  # so the reason above reaches the user
