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

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

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
