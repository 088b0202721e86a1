"""`mockserver sweep`: which failures each operation gets, picking them, time limits, the exit-status
policy, and the real CLI over the two example clients (with the HTML report in a headless Chromium)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from mockserver import catalog
from mockserver.guidance import Finding, RequestRef
from mockserver.simulator.openapi import document
from mockserver.simulator.revisions import REVISIONS
from mockserver.sweep import (
    INJECTIONS,
    Selection,
    SelectionError,
    Sweeper,
    SweepOptions,
    SweepReport,
    injections_for,
    parse_fail_on,
)
from mockserver.sweep.process import OUTPUT_LINES, Processes
from mockserver.sweep.report import Run
from tests.test_browser import browser, page  # noqa: F401  (the fixtures, with their skip/fail-under-CI)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ONLY = (
    "designs.list,generate,INVALID_API_KEY,INSUFFICIENT_CREDITS,INTERNAL_ERROR,gateway_503,connection_reset"
)
"""The quick selection the CLI tests sweep: 2 operations x 5 injections (402 on generate only): 9 runs."""


def names(operation: str, revision: str = "C2") -> list[str]:
    return [injection.name for injection in injections_for(operation, REVISIONS[revision])]


# --- which failures an operation gets ----------------------------------------------------------------


def test_402_only_where_a_call_spends_credits() -> None:
    spending = {"generate", "batch.create"}
    for revision in REVISIONS.values():
        for operation in revision.operations:
            assert ("INSUFFICIENT_CREDITS" in names(operation, revision.name)) == (operation in spending)
    assert all("PAYMENT_REQUIRED" not in names(op) for op in REVISIONS["C2"].operations)


def test_every_api_operation_gets_the_key_errors_the_plan_error_and_the_5xx_family() -> None:
    for operation in ("me", "designs.list", "designs.get", "generate", "batch.status"):
        got = names(operation)
        for code in ("UNAUTHORIZED", "INVALID_API_KEY", "API_KEY_EXPIRED", "INSUFFICIENT_PERMISSIONS"):
            assert code in got, (operation, code)
        for code in ("INTERNAL_ERROR", "DATABASE_ERROR", "S3_ERROR"):
            assert code in got
        assert got[-7:] == [
            "gateway_502", "gateway_503", "gateway_504", "connection_reset", "empty_reply", "malformed_json",
            "hang",
        ]  # fmt: skip
        # the browser's token errors answer a bearer token, which a sweep never hands out
        assert "INVALID_TOKEN" not in got
        assert "TOKEN_EXPIRED" not in got


def test_an_operation_gets_its_own_route_errors_and_no_others() -> None:
    assert "DESIGN_NOT_FOUND" in names("generate")
    assert "DESIGN_NOT_FOUND" not in names("designs.list")
    assert "MISSING_REQUIRED_FIELD" in names("batch.create")
    assert "VALIDATION_ERROR" not in names("designs.get")  # reads no body and no query
    assert "PDF_NOT_FOUND" in names("batch.status")
    assert "NOT_FOUND" in names("assets.get", "A")
    assert "NOT_FOUND" not in names("designs.get")  # an unknown route is not an answer of the operation


def test_a_storage_link_gets_only_the_gateway_pages_and_the_network_faults() -> None:
    assert {INJECTIONS[name].group for name in names("files.get")} == {"gateway", "network"}


def test_every_error_injected_is_one_the_published_openapi_document_lists_for_that_route() -> None:
    for revision in REVISIONS.values():
        paths = document(revision.name)["paths"]
        for operation, endpoint in revision.operations.items():
            responses = paths[endpoint.path.split("?")[0]][endpoint.method.lower()]["responses"]
            listed = {code for answer in responses.values() for code in answer["description"].split(" or ")}
            codes = {name for name in names(operation, revision.name) if name in catalog.CODES}
            four = {code for code in codes if catalog.CODES[code].status < 500}
            assert four <= listed, (revision.name, operation, four - listed)


def test_an_operation_the_revision_does_not_serve_is_refused() -> None:
    with pytest.raises(KeyError, match="not served in revision C2"):
        injections_for("assets.get", REVISIONS["C2"])


# --- --only and --skip -------------------------------------------------------------------------------


def test_only_and_skip_take_operations_injections_and_groups() -> None:
    selection = Selection.parse(["generate", "5xx,gateway_503"], ["s3_error"])
    assert selection.only_operations == {"generate"}
    assert selection.only_injections == {"INTERNAL_ERROR", "DATABASE_ERROR", "S3_ERROR", "gateway_503"}
    assert selection.skip_injections == {"S3_ERROR"}
    assert selection.operations(["designs.list", "generate", "files.get"]) == ["generate"]
    picked = selection.injections(injections_for("generate", REVISIONS["C2"]))
    assert [injection.name for injection in picked] == ["INTERNAL_ERROR", "DATABASE_ERROR", "gateway_503"]
    assert Selection.parse([], ["files.get"]).operations(["files.get", "generate"]) == ["generate"]


def test_an_unknown_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(SelectionError) as refused:
        Selection.parse(["generate,INTERNAL_EROR"])
    message = str(refused.value)
    assert message.startswith("--only: unknown name 'INTERNAL_EROR'")
    for known in ("designs.list", "INTERNAL_ERROR", "gateway_502", "hang", "network"):
        assert known in message


def test_the_cli_refuses_an_unknown_name_before_running_anything(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    done = sweep_cli(tmp_path, "--skip", "nope", "--", sys.executable, "-c", f"open({str(marker)!r}, 'w')")
    assert done.returncode == 2
    assert "--skip: unknown name 'nope'" in done.stderr
    assert not marker.exists()


def test_guidance_thresholds_reach_every_run_and_a_bad_one_is_refused_first(tmp_path: Path) -> None:
    chosen = SweepOptions(("true",), guidance={"min_delay": 0.5}).settings()
    assert chosen.guidance == {"min_delay": 0.5}
    marker = tmp_path / "ran"
    done = sweep_cli(
        tmp_path, "--guidance", "min_delay=-1", "--", sys.executable, "-c", f"open({str(marker)!r}, 'w')"
    )
    assert done.returncode == 2
    assert "min_delay" in done.stderr
    assert not marker.exists()


def test_options_out_of_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="shorter than --timeout"):
        SweepOptions(("true",), timeout=2, hang_seconds=2).check()
    with pytest.raises(ValueError, match="--jobs"):
        SweepOptions(("true",), jobs=0).check()
    with pytest.raises(ValueError, match="no command"):
        SweepOptions(()).check()
    assert SweepOptions(("true",), timeout=3).hang == 1.0


# --- cell states and the exit status -----------------------------------------------------------------


def run(injection: str | None, exit_status: int | None, findings: int = 0) -> Run:
    ref = RequestRef(1, 0.0, "POST", "/x", "generate", 402, "INSUFFICIENT_CREDITS", None)
    found = tuple(Finding("retried-402", "me", "POST /x", "again", (ref,)) for _ in range(findings))
    chosen = None if injection is None else INJECTIONS[injection]
    return Run(
        None if chosen is None else "generate", chosen, exit_status, exit_status is None, 1.0, "", False, (),
        found,
    )  # fmt: skip


def report(*cells: Run, baseline: Run | None = None) -> SweepReport:
    made = SweepReport(("client",), {}, baseline or run(None, 0))
    made.operations = ["generate"]
    made.injections = {"generate": [cell.injection for cell in cells if cell.injection is not None]}
    made.cells = list(cells)
    return made


def test_a_cell_shows_its_most_severe_state() -> None:
    assert run("INTERNAL_ERROR", 0).state == "passed"
    assert run("INTERNAL_ERROR", 1).state == "failed"  # a retry would have got past it
    assert run("INSUFFICIENT_CREDITS", 3).state == "stopped"  # gave up on a 402, as it should
    assert run("INSUFFICIENT_CREDITS", 0, findings=1).state == "guidance"
    both = run("INTERNAL_ERROR", 1, findings=1)
    assert both.state == "guidance"
    assert both.conditions == {"guidance", "failed"}
    assert run("hang", None).state == "timeout"


def test_the_exit_status_follows_fail_on() -> None:
    default = parse_fail_on(["failed,guidance,timeout"])
    assert report(run("INTERNAL_ERROR", 0), run("INSUFFICIENT_CREDITS", 3)).exit_status(default) == 0
    assert report(run("INTERNAL_ERROR", 1)).exit_status(default) == 1
    assert report(run("INTERNAL_ERROR", 1)).exit_status(parse_fail_on(["guidance"])) == 0
    assert report(run("INTERNAL_ERROR", 1, findings=1)).exit_status(parse_fail_on(["failed"])) == 1
    assert report(run("hang", None)).exit_status(parse_fail_on(["guidance", "failed"])) == 0
    assert report(run("INSUFFICIENT_CREDITS", 3)).exit_status(parse_fail_on(["stopped"])) == 1
    assert report(run("INTERNAL_ERROR", 1, findings=1)).exit_status(parse_fail_on(["none"])) == 0
    assert report(baseline=run(None, 1)).exit_status(parse_fail_on(["none"])) == 2  # nothing was swept


def test_fail_on_refuses_unknown_states() -> None:
    with pytest.raises(ValueError, match="--fail-on takes"):
        parse_fail_on(["failed,broken"])
    with pytest.raises(ValueError, match="--fail-on takes"):
        parse_fail_on(["none,failed"])


# --- running the command: time limit, process group, output ------------------------------------------


def test_a_command_past_its_time_limit_is_killed_with_its_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script = f"sleep 30 & echo $! > {pid_file}; echo started; wait"
    done = Processes().run(["sh", "-c", script], dict(os.environ), timeout=0.5)
    assert (done.timed_out, done.exit_status) == (True, None)
    assert done.output == "started"
    child = int(pid_file.read_text())
    assert not running(child)  # the background child went with it


def running(pid: int) -> bool:
    """Whether `pid` still runs (a zombie left for its new parent to reap does not), given a few
    seconds to end: SIGKILL is delivered, not awaited."""
    stat = Path(f"/proc/{pid}/stat")
    for _ in range(100):
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.05)
    return True


def test_the_output_kept_is_its_end_and_says_so() -> None:
    script = "for i in range(100000): print('line', i)"
    done = Processes().run([sys.executable, "-c", script], dict(os.environ), timeout=30)
    lines = done.output.splitlines()
    assert (done.exit_status, done.output_cut) == (0, True)
    assert len(lines) == OUTPUT_LINES
    assert lines[-1] == "line 99999"


GIVES_UP_NEVER = textwrap.dedent(
    """
    import os, time, urllib.request, urllib.error
    request = urllib.request.Request(
        os.environ["IMAGINEPDF_API_URL"] + "/api/v1/designs",
        headers={"X-API-Key": os.environ["IMAGINEPDF_API_KEY"]},
    )
    try:
        urllib.request.urlopen(request, timeout=10).read()
    except urllib.error.HTTPError as error:
        print("got", error.code, "- waiting for ever")
        time.sleep(60)
    """
)
"""A client that lists designs and, on an error answer, sleeps far past any time limit."""


def test_a_run_that_outlives_the_time_limit_is_a_timeout_cell(tmp_path: Path) -> None:
    script = tmp_path / "client.py"
    script.write_text(GIVES_UP_NEVER, "utf-8")
    selection = Selection.parse(["designs.list,INTERNAL_ERROR,connection_reset"])
    options = SweepOptions((sys.executable, str(script)), timeout=2.0, jobs=2, selection=selection)
    swept = Sweeper(options).sweep()
    assert swept.baseline.state == "passed"
    states = {run.injection.name: run.state for run in swept.cells if run.injection}
    assert states == {"INTERNAL_ERROR": "timeout", "connection_reset": "failed"}
    timed_out = swept.cell("designs.list", "INTERNAL_ERROR")
    assert timed_out is not None
    assert timed_out.exit_status is None
    assert "got 500 - waiting for ever" in timed_out.output
    assert [seen.outcome for seen in timed_out.requests] == ["500 INTERNAL_ERROR"]
    assert timed_out.requests[0].injected
    assert swept.exit_status({"failed"}) == 1
    assert swept.exit_status({"guidance"}) == 0


def test_a_baseline_that_fails_stops_the_sweep(tmp_path: Path) -> None:
    done = sweep_cli(tmp_path, "--", sys.executable, "-c", "print('no luck'); raise SystemExit(5)")
    assert done.returncode == 2
    assert "the baseline run (nothing injected) exited with status 5" in done.stderr
    assert "no luck" in done.stderr


def test_each_run_gets_the_mock_and_its_own_environment(tmp_path: Path) -> None:
    script = tmp_path / "env.py"
    script.write_text(
        "import os, tempfile, urllib.request\n"
        "print(os.environ['MOCKSERVER_SWEEP_RUN'], tempfile.gettempdir())\n"
        "urllib.request.urlopen(urllib.request.Request(os.environ['IMAGINEPDF_API_URL'] + '/api/v1/me',"
        " headers={'X-API-Key': os.environ['IMAGINEPDF_API_KEY']}), timeout=10).read()\n",
        "utf-8",
    )
    selection = Selection.parse(["INTERNAL_ERROR,S3_ERROR"])
    swept = Sweeper(SweepOptions((sys.executable, str(script)), selection=selection)).sweep()
    assert swept.called == ["me"]
    outputs = [run.output.split() for run in swept.runs()]
    assert [words[0] for words in outputs] == ["baseline", "me:INTERNAL_ERROR", "me:S3_ERROR"]
    assert len({words[1] for words in outputs}) == 3  # a temporary folder of its own per run
    assert [run.state for run in swept.cells] == ["failed", "failed"]  # this client does not retry


# --- the real CLI over the example clients -----------------------------------------------------------


def sweep_cli(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "sweep", *arguments],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def matrix_of(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(cell["operation"], cell["injection"]): cell["state"] for cell in report["cells"]}


@pytest.fixture(scope="module")
def naive(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The naive client swept once for the module: its output, and the folder with report.json/.html."""
    folder = tmp_path_factory.mktemp("naive")
    done = sweep_cli(
        folder, "--only", ONLY, "--json", "report.json", "--html", "report.html",
        "--", sys.executable, str(EXAMPLES / "naive_client.py"),
    )  # fmt: skip
    return done, folder


def test_the_careful_client_is_all_green(tmp_path: Path) -> None:
    done = sweep_cli(
        tmp_path,
        "--only",
        ONLY,
        "--json",
        "report.json",
        "--",
        sys.executable,
        str(EXAMPLES / "careful_client.py"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert report["called"] == ["designs.list", "generate", "files.get"]
    assert report["operations"] == ["designs.list", "generate"]
    assert matrix_of(report) == {
        ("designs.list", "INVALID_API_KEY"): "stopped",
        ("designs.list", "INTERNAL_ERROR"): "passed",
        ("designs.list", "gateway_503"): "passed",
        ("designs.list", "connection_reset"): "passed",
        ("generate", "INVALID_API_KEY"): "stopped",
        ("generate", "INSUFFICIENT_CREDITS"): "stopped",
        ("generate", "INTERNAL_ERROR"): "passed",
        ("generate", "gateway_503"): "passed",
        ("generate", "connection_reset"): "passed",
    }
    assert all(cell["findings"] == [] and cell["injected"] == 1 for cell in report["cells"])
    credits = next(cell for cell in report["cells"] if cell["injection"] == "INSUFFICIENT_CREDITS")
    assert (credits["exitStatus"], "Top up" in credits["output"]) == (3, True)
    assert "9 runs" in done.stdout
    assert "exit status 0" in done.stdout


def test_the_naive_client_breaks_the_guidance_where_expected(
    naive: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    done, folder = naive
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads((folder / "report.json").read_text("utf-8"))
    assert matrix_of(report) == {
        ("designs.list", "INVALID_API_KEY"): "guidance",
        ("designs.list", "INTERNAL_ERROR"): "passed",  # one immediate retry is allowed
        ("designs.list", "gateway_503"): "passed",
        ("designs.list", "connection_reset"): "passed",
        ("generate", "INVALID_API_KEY"): "guidance",
        ("generate", "INSUFFICIENT_CREDITS"): "guidance",
        ("generate", "INTERNAL_ERROR"): "passed",
        ("generate", "gateway_503"): "passed",
        ("generate", "connection_reset"): "passed",
    }
    credits = next(cell for cell in report["cells"] if cell["injection"] == "INSUFFICIENT_CREDITS")
    assert [finding["id"] for finding in credits["findings"]] == ["retried-402"]
    assert [
        (seen["status"], seen["injected"]) for seen in credits["requests"] if seen["operation"] == "generate"
    ] == [
        (402, True),
        (201, False),
    ]
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["injection", "designs.list", "generate"]
    assert lines[3].split() == ["INSUFFICIENT_CREDITS", "·", "GUIDANCE"]
    assert "generate \u00d7 INSUFFICIENT_CREDITS: GUIDANCE: [retried-402]" in done.stdout


def test_a_burst_of_two_server_errors_catches_the_naive_client_retrying_at_once(tmp_path: Path) -> None:
    done = sweep_cli(
        tmp_path, "--only", "generate,INTERNAL_ERROR", "--times", "2", "--json", "report.json",
        "--", sys.executable, str(EXAMPLES / "naive_client.py"),
    )  # fmt: skip
    assert done.returncode == 1
    [cell] = json.loads((tmp_path / "report.json").read_text("utf-8"))["cells"]
    assert (cell["state"], cell["injected"]) == ("guidance", 2)
    assert [finding["id"] for finding in cell["findings"]] == ["retry-too-soon"]


def test_the_html_report_shows_the_grid_and_opens_a_cell_from_the_keyboard(
    naive: tuple[subprocess.CompletedProcess[str], Path],
    page: Page,  # noqa: F811
    tmp_path: Path,
) -> None:
    _, folder = naive
    html = (folder / "report.html").read_text("utf-8")
    assert "<link" not in html
    assert "src=" not in html  # self-contained: nothing is fetched
    page.goto((folder / "report.html").as_uri())
    grid = page.locator("#matrix")
    expect(grid.locator("thead th")).to_have_text(["injection", "designs.list", "generate"])
    expect(grid.locator("button.cell")).to_have_count(9)
    expect(grid.locator("button.cell.guidance")).to_have_count(3)
    expect(grid.locator("button.cell.passed")).to_have_count(6)
    expect(grid.locator(".na")).to_have_count(1)  # designs.list does not spend credits

    grid_shot = tmp_path / "sweep-grid.png"
    page.screenshot(path=str(grid_shot), full_page=True)
    print(f"sweep report screenshot (grid): {grid_shot}")

    cell = page.get_by_role("button", name="generate \u00d7 INSUFFICIENT_CREDITS: guidance")
    cell.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="generate \u00d7 INSUFFICIENT_CREDITS")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".finding")).to_contain_text("[retried-402]")
    expect(dialog.locator("tr.injected")).to_contain_text("402 INSUFFICIENT_CREDITS")
    expect(dialog.locator("pre")).to_contain_text("saved")
    shot = tmp_path / "sweep-report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"sweep report screenshot (a cell opened): {shot}")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(cell).to_be_focused()  # the focus goes back to the cell that opened it
