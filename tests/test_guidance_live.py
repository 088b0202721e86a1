"""The guidance checks live: every API request goes through the session's checker as it is answered.

Through the real pipeline (MockAsgi in-process, one MockServer over a socket, the real CLI): each finding
kind is raised by a client that breaks the rule and not by a careful client doing the same work; findings
are per session and cleared by reset; the admin API and the Python API agree; the console line, the
plugin's fail-on-finding, and thresholds from a scenario's `guidance:` and from `--guidance`.
"""

from __future__ import annotations

import asyncio
import io
import re
import sys
import time
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from mockserver import MockAsgi, MockServer, ScenarioError, ServerStartError, Settings
from mockserver.cli import main
from mockserver.faults import ConnectionDropped
from mockserver.guidance import HELP, RULES, Thresholds
from mockserver.loader import load
from mockserver.pipeline import TARGET_LIMIT
from tests.conftest import DEMO_KEY, RunningCli, WriteScenario

pytest_plugins = ["pytester"]

GENERATE = "/api/v1/designs/dsg_invoice/generate"
DESIGNS = "/api/v1/designs"
INVOICE = {"data": {"customer_name": "Ada"}}
SPARE_KEY = "pc_live_spare000000000000042"
FAST = {"min_delay": 0.05, "clock_slack": 0.02}
"""Thresholds that let a careful client back off in tenths of seconds instead of seconds."""


def kinds(mock: MockAsgi | MockServer) -> list[str]:
    return [finding.id for finding in mock.guidance()]


@pytest.fixture
def mock() -> MockAsgi:
    return MockAsgi(batch_seconds=0, guidance=FAST)


async def send(client: httpx.AsyncClient, method: str, path: str, **options: Any) -> httpx.Response | None:
    """One request; None when the connection was reset (the in-process form of a reset)."""
    try:
        return await client.request(method, path, **options)
    except ConnectionDropped:
        return None


# --- each finding kind: the naive client raises it, the careful one doing the same work does not ---------


@pytest.mark.anyio
async def test_a_400_sent_again_unchanged_is_found_and_a_changed_request_is_not(mock: MockAsgi) -> None:
    mock.fail("generate", "VALIDATION_ERROR", times=1)
    async with mock.client() as client:
        assert (await client.post(GENERATE, json=INVOICE)).status_code == 400
        assert (await client.post(GENERATE, json=INVOICE)).status_code == 201
    [finding] = mock.guidance()
    assert finding.id == "retried-4xx"
    assert [(ref.status, ref.code) for ref in finding.requests] == [(400, "VALIDATION_ERROR"), (201, None)]
    assert finding.client == "pc_live_…0001"

    mock.reset()
    mock.fail("generate", "VALIDATION_ERROR", times=1)
    async with mock.client() as client:
        assert (await client.post(GENERATE, json=INVOICE)).status_code == 400
        fixed = {"data": {"customer_name": "Ada", "items": []}}  # the request was corrected
        assert (await client.post(GENERATE, json=fixed)).status_code == 201
    assert mock.guidance() == []


@pytest.mark.anyio
async def test_a_402_retried_is_found_and_a_client_that_asks_for_a_top_up_is_not(mock: MockAsgi) -> None:
    mock.fail("generate", "INSUFFICIENT_CREDITS", times=2)
    async with mock.client() as client:
        for _ in range(2):
            assert (await client.post(GENERATE, json=INVOICE)).status_code == 402
    assert kinds(mock) == ["retried-402"]

    mock.reset()
    mock.fail("generate", "INSUFFICIENT_CREDITS", times=1)
    async with mock.client() as client:
        assert (await client.post(GENERATE, json=INVOICE)).status_code == 402
        mock.set_credits(100)  # the user topped up; the client is asked again, by the user
        assert (await client.get(DESIGNS)).status_code == 200
    assert mock.guidance() == []


@pytest.mark.anyio
async def test_a_rejected_key_sent_again_is_found_and_a_new_key_after_rotation_is_not(mock: MockAsgi) -> None:
    mock.operations.patch_workspace(
        None, {"api_keys": [{"key": DEMO_KEY, "name": "Old"}, {"key": SPARE_KEY, "name": "New"}]}
    )
    mock.fail("designs.list", "API_KEY_EXPIRED", times=1)
    async with mock.client() as client:
        assert (await client.get(DESIGNS)).status_code == 401
        assert (await client.get(DESIGNS)).status_code == 200  # the same key again
    [finding] = mock.guidance()
    assert finding.id == "reused-rejected-credential"
    assert [ref.code for ref in finding.requests] == ["API_KEY_EXPIRED", None]

    mock.clear_guidance()
    mock.fail("designs.list", "API_KEY_EXPIRED", times=1)
    async with mock.client() as client:
        assert (await client.get(DESIGNS)).status_code == 401
        rotated = await client.get(DESIGNS, headers={"X-API-Key": SPARE_KEY})
        assert rotated.status_code == 200
    assert mock.guidance() == []


@pytest.mark.anyio
async def test_a_rejected_bearer_token_is_told_apart_by_the_token(mock: MockAsgi) -> None:
    mock.fail("designs.list", "INVALID_TOKEN", times=2)
    async with mock.client() as client:
        for _ in range(2):
            answer = await client.get(
                DESIGNS, headers={"X-API-Key": "", "Authorization": "Bearer tok-12345678-x"}
            )
            assert answer.status_code == 401
    [finding] = mock.guidance()
    assert finding.id == "reused-rejected-credential"
    assert finding.client == "Bearer …78-x"


@pytest.mark.anyio
async def test_a_retry_sooner_than_retry_after_seconds_is_found_and_one_after_it_is_not(
    mock: MockAsgi,
) -> None:
    mock.reply("generate", error="S3_ERROR", retry_after=1, times=1)
    async with mock.client() as client:
        assert (await client.post(GENERATE, json=INVOICE)).headers["retry-after"] == "1"
        await client.post(GENERATE, json=INVOICE)
    [finding] = mock.guidance()
    assert finding.id == "ignored-retry-after"
    assert finding.requests[0].retry_after == 1.0

    mock.reset()
    mock.reply("generate", error="S3_ERROR", retry_after=1, times=1)
    async with mock.client() as client:
        first = await client.post(GENERATE, json=INVOICE)
        await asyncio.sleep(float(first.headers["retry-after"]))
        assert (await client.post(GENERATE, json=INVOICE)).status_code == 201
    assert mock.guidance() == []


@pytest.mark.anyio
async def test_retry_after_as_a_date_is_read_against_the_session_clock(mock: MockAsgi) -> None:
    mock.set_time("2020-01-01T00:00:00Z")  # a moved clock: the date is years before the real time
    mock.reply("generate", error="S3_ERROR", retry_after_date=2, times=1)
    async with mock.client() as client:
        first = await client.post(GENERATE, json=INVOICE)
        assert first.headers["retry-after"].endswith("2020 00:00:02 GMT")
        await client.post(GENERATE, json=INVOICE)
    [finding] = mock.guidance()
    assert finding.id == "ignored-retry-after"
    assert 1.0 < (finding.requests[0].retry_after or 0) <= 2.0

    mock.reset()  # the real time: a client that waits until the date is careful
    mock.reply("generate", error="S3_ERROR", retry_after_date=2, times=1)
    async with mock.client() as client:
        first = await client.post(GENERATE, json=INVOICE)
        wait = parsedate_to_datetime(first.headers["retry-after"]).timestamp() - time.time()
        await asyncio.sleep(max(0.0, wait) + 0.05)
        assert (await client.post(GENERATE, json=INVOICE)).status_code == 201
    assert mock.guidance() == []


@pytest.mark.anyio
async def test_5xx_retried_at_once_is_found_and_with_growing_waits_is_not(mock: MockAsgi) -> None:
    mock.fail("generate", "INTERNAL_ERROR", times=None)
    async with mock.client() as client:
        for _ in range(7):
            await client.post(GENERATE, json=INVOICE)
    assert set(kinds(mock)) == {"retry-too-soon", "no-backoff", "retry-storm"}
    storm = next(finding for finding in mock.guidance() if finding.id == "retry-storm")
    assert all((ref.status, ref.code) == (500, "INTERNAL_ERROR") for ref in storm.requests)

    mock.reset()
    mock.fail("generate", "INTERNAL_ERROR", times=3)
    async with mock.client() as client:
        answers = []
        for wait in (0.0, 0.06, 0.12, 0.24):
            await asyncio.sleep(wait)
            answers.append((await client.post(GENERATE, json=INVOICE)).status_code)
    assert answers == [500, 500, 500, 201]
    assert mock.guidance() == []


@pytest.mark.anyio
async def test_network_faults_and_broken_answers_count_as_transient_failures(mock: MockAsgi) -> None:
    for fault in ("connection_reset", "gateway_html", "empty_reply", "malformed_json"):
        mock.reset()
        mock.reply("designs.list", fault=fault, times=None)
        async with mock.client() as client:
            for _ in range(3):
                await send(client, "GET", DESIGNS)
        found = mock.guidance()
        assert [finding.id for finding in found] == ["retry-too-soon"], fault
        assert found[0].requests[0].fault == fault

        mock.reset()
        mock.reply("designs.list", fault=fault, times=2)
        async with mock.client() as client:
            for wait in (0.0, 0.06, 0.12):
                await asyncio.sleep(wait)
                await send(client, "GET", DESIGNS)
        assert mock.guidance() == [], fault


@pytest.mark.anyio
async def test_polling_a_batch_status_is_not_a_retry() -> None:
    mock = MockAsgi(batch_seconds=0.3)
    async with mock.client() as client:
        queued = await client.post("/api/v1/designs/dsg_invoice/batch", json={"rows": [{}, {}]})
        assert queued.status_code == 202, queued.text
        job = queued.json()["data"]["jobId"]
        states = []
        for _ in range(20):
            states.append((await client.get(f"/api/v1/batches/{job}")).json()["data"]["status"])
            await asyncio.sleep(0.02)
    assert states[0] != "completed"
    assert mock.guidance() == []


@pytest.mark.anyio
async def test_a_long_request_target_is_kept_cut_and_still_told_apart(mock: MockAsgi) -> None:
    long = f"{DESIGNS}/dsg_{'x' * 5000}"
    async with mock.client() as client:
        assert (await client.get(long + "a")).status_code == 404
        assert (await client.get(long + "b")).status_code == 404  # another request: no finding
        assert mock.guidance() == []
        assert (await client.get(long + "b")).status_code == 404
    [finding] = mock.guidance()
    assert finding.id == "retried-4xx"
    assert all(len(ref.path) <= TARGET_LIMIT for ref in finding.requests)
    assert finding.requests[0].path.startswith(f"{DESIGNS}/dsg_xxx")


# --- where findings show -------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_findings_are_per_session_and_reset_with_it(mock: MockAsgi) -> None:
    mock.fail("generate", "INSUFFICIENT_CREDITS", times=None)
    async with mock.client() as client:
        for _ in range(2):
            await client.post(GENERATE, json=INVOICE)
        other = {"X-Mock-Session": "other"}
        await client.post(GENERATE, json=INVOICE, headers=other)
        await client.post(GENERATE, json=INVOICE, headers=other)  # no rule there: 201 after a 201
    assert kinds(mock) == ["retried-402"]
    assert mock.operations.guidance("other").findings == ()
    mock.use("default")
    assert mock.guidance() == []
    async with mock.client() as client:
        mock.fail("generate", "INSUFFICIENT_CREDITS", times=None)
        for _ in range(2):
            await client.post(GENERATE, json=INVOICE)
    assert kinds(mock) == ["retried-402"]
    mock.reset()
    assert mock.guidance() == []


@pytest.mark.anyio
async def test_the_admin_api_and_the_python_api_show_the_same_findings(mock: MockAsgi) -> None:
    mock.fail("designs.list", "FORBIDDEN", times=None)
    async with mock.client() as client:
        for _ in range(2):
            await client.get(DESIGNS)
        shown = (await client.get("/__mock/guidance")).json()
        assert shown["status"] == "success"
        assert shown["data"]["findings"] == [finding.to_json() for finding in mock.guidance()]
        assert shown["data"]["findings"][0]["id"] == "retried-4xx"
        assert shown["data"]["findings"][0]["requests"][0]["id"] == mock.requests()[0].id
        assert shown["data"]["thresholds"] == Thresholds(**FAST).to_json()  # type: ignore[arg-type]
        assert shown["data"]["total"] == 1
        cleared = await client.delete("/__mock/guidance")
        assert cleared.status_code == 200
        assert cleared.json()["data"]["findings"] == []
        assert mock.guidance() == []
        refused = await client.put("/__mock/guidance")
        assert refused.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.anyio
async def test_assert_guidance_followed_shows_each_finding_with_its_requests_and_the_fix(
    mock: MockAsgi,
) -> None:
    mock.assert_guidance_followed()  # nothing yet
    mock.fail("generate", "INSUFFICIENT_CREDITS", times=None)
    async with mock.client() as client:
        for _ in range(2):
            await client.post(GENERATE, json=INVOICE)
    with pytest.raises(AssertionError) as failed:
        mock.assert_guidance_followed()
    text = str(failed.value)
    assert "(1 finding)" in text
    assert f"[retried-402] pc_live_…0001: POST {GENERATE} (generate)" in text
    assert text.count("→ 402 INSUFFICIENT_CREDITS") == 2
    assert "Z POST" in text  # each request with its time
    assert "fix: On 402 stop and ask the user to add credits" in text


@pytest.mark.anyio
async def test_a_finding_is_written_on_the_console_right_after_its_request() -> None:
    mock = MockAsgi(log_requests=True)
    console = mock.app.state.console
    assert console is not None
    console.stream = io.StringIO()  # instead of stderr
    mock.fail("generate", "INSUFFICIENT_CREDITS", times=None)
    async with mock.client() as client:
        await client.post(GENERATE, json=INVOICE)
        console.flush()
        assert "guidance" not in console.stream.getvalue()
        await client.post(GENERATE, json=INVOICE)
    console.flush()
    written = [line.split(" ", 1)[1] for line in console.stream.getvalue().splitlines()]
    assert [line.startswith("guidance") for line in written] == [False, False, True]  # after its request
    assert written[2].startswith(f"guidance [retried-402] pc_live_…0001: POST {GENERATE} (generate) (#1 #2):")
    assert "fix: On 402 stop" in written[2]

    quiet = MockAsgi()  # log_requests off: what --quiet gives
    assert quiet.app.state.console is None
    quiet.fail("generate", "INSUFFICIENT_CREDITS", times=None)
    async with quiet.client() as client:
        for _ in range(2):
            await client.post(GENERATE, json=INVOICE)
    assert [finding.id for finding in quiet.guidance()] == ["retried-402"]


def test_over_a_socket_a_client_without_credentials_is_named_by_its_address() -> None:
    with MockServer(guidance=FAST) as server:
        server.reply("designs.list", fault="connection_reset", times=None)
        with httpx.Client(base_url=server.url, timeout=5) as client:
            for _ in range(3):
                with pytest.raises(httpx.TransportError):
                    client.get(DESIGNS)
        [finding] = server.guidance()
        assert (finding.id, finding.client) == ("retry-too-soon", "127.0.0.1")
        assert [ref.fault for ref in finding.requests] == ["connection_reset"] * 3
        assert httpx.get(f"{server.url}/__mock/guidance").json()["data"]["findings"] == [finding.to_json()]


# --- thresholds ----------------------------------------------------------------------------------------


def test_a_scenarios_guidance_key_sets_thresholds_through_extends_and_settings_win(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario("patient", "extends: default\nguidance: {min_delay: 0.5, max_attempts: 3}\n")
    write_scenario("strict", "extends: patient\nguidance: {max_attempts: 2}\n")
    mock = MockAsgi(scenarios=scenario_dir, scenario="strict")
    thresholds = mock.operations.guidance(None).thresholds
    assert (thresholds.min_delay, thresholds.max_attempts, thresholds.backoff_after) == (0.5, 2, 3)
    mock.use("default")
    assert mock.operations.guidance(None).thresholds == Thresholds()
    ruled = MockAsgi(scenarios=scenario_dir, scenario="strict", guidance={"max_attempts": 5})
    thresholds = ruled.operations.guidance(None).thresholds
    assert (thresholds.min_delay, thresholds.max_attempts) == (0.5, 5)


@pytest.mark.anyio
async def test_thresholds_change_what_is_found(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    write_scenario("strict", "extends: default\nguidance: {max_attempts: 2, min_delay: 0.01}\n")
    mock = MockAsgi(scenarios=scenario_dir, scenario="strict")
    mock.fail("generate", "INTERNAL_ERROR", times=2)
    async with mock.client() as client:
        for wait in (0.0, 0.03, 0.09):
            await asyncio.sleep(wait)
            await client.post(GENERATE, json=INVOICE)
    assert kinds(mock) == ["retry-storm"]  # 3 attempts where 2 are allowed; the default allows 6
    mock.use("default")
    mock.fail("generate", "INTERNAL_ERROR", times=2)
    async with mock.client() as client:
        for wait in (0.0, 0.25, 0.5):
            await asyncio.sleep(wait)
            await client.post(GENERATE, json=INVOICE)
    assert kinds(mock) == []


def test_a_bad_threshold_in_a_scenario_names_the_file_line_and_column(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    bad = write_scenario("bad", "extends: default\nguidance:\n  min_delay: -1\n  max_attemps: 3\n")
    with pytest.raises(ScenarioError) as refused:
        load(scenario_dir)
    assert [str(problem) for problem in refused.value.problems] == [
        f"{bad}:3:14: guidance.min_delay: Input should be greater than or equal to 0",
        f"{bad}:4:3: guidance: unknown key 'max_attemps' (did you mean 'max_attempts'?)",
    ]


def test_a_bad_threshold_in_settings_is_refused_at_start() -> None:
    with pytest.raises(ServerStartError, match="guidance threshold max_attempts must be between 1 and 1000"):
        MockAsgi(guidance={"max_attempts": 0})
    with pytest.raises(ServerStartError, match="unknown guidance threshold min_dely"):
        MockAsgi(Settings(guidance={"min_dely": 1}))


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("min_delay", "'min_delay': write KEY=VALUE, e.g. min_delay=0.5"),
        ("min_delay=soon", "'min_delay=soon': 'soon' is not a number"),
        ("max_attempts=0", "guidance threshold max_attempts must be between 1 and 1000, got 0"),
        ("max_attempts=2.5", "max_attempts: Input should be a valid integer"),
        ("min_dely=1", "unknown guidance threshold min_dely; known: min_delay,"),
    ],
)
def test_the_cli_refuses_a_bad_guidance_option_with_a_clear_message(given: str, message: str) -> None:
    result = CliRunner().invoke(main, ["--port", "0", "--guidance", given])
    assert result.exit_code == 2
    assert "Invalid value for '--guidance'" in result.stderr
    assert message in " ".join(result.stderr.split())


def test_the_cli_lists_the_findings_and_thresholds() -> None:
    result = CliRunner().invoke(main, ["guidance"])
    assert result.exit_code == 0
    assert "  retried-402\n" in result.stdout
    assert "  min_delay = 0.2  (0 to 3600)\n" in result.stdout
    assert "--guidance KEY=VALUE" in CliRunner().invoke(main, ["--help"]).stdout


def test_the_cli_guidance_option_wins_over_the_scenario_and_findings_reach_the_console(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario("picky", "extends: default\nguidance: {min_delay: 0.5, max_attempts: 4}\n")
    cli = RunningCli(
        [
            *(sys.executable, "-m", "mockserver", "--port", "0", "--scenarios", str(scenario_dir)),
            *("--scenario", "picky", "--guidance", "max_attempts=2", "--guidance", "backoff_after=5"),
        ]
    )
    try:
        url = cli.address(10.0)
        shown = httpx.get(f"{url}/__mock/guidance", timeout=10).json()["data"]["thresholds"]
        assert (shown["min_delay"], shown["max_attempts"], shown["backoff_after"]) == (0.5, 2, 5)
        rule = {"when": "generate", "reply": {"error": "INSUFFICIENT_CREDITS"}}
        assert httpx.post(f"{url}/__mock/rules", json=rule, timeout=10).status_code == 201
        for _ in range(2):
            httpx.post(f"{url}{GENERATE}", json=INVOICE, headers={"X-API-Key": DEMO_KEY}, timeout=10)
        findings = httpx.get(f"{url}/__mock/guidance", timeout=10).json()["data"]["findings"]
        assert [finding["id"] for finding in findings] == ["retried-402"]
    finally:
        _, err = cli.stop()
    assert f"guidance [retried-402] pc_live_…0001: POST {GENERATE} (generate) (#1 #2):" in err


# --- the pytest plugin ---------------------------------------------------------------------------------


def test_the_plugin_fails_a_test_whose_client_broke_the_guidance(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmockserver_guidance = fail\n")
    pytester.makepyfile(
        test_clients="""
        import httpx
        import pytest

        GENERATE = "/api/v1/designs/dsg_invoice/generate"

        def post(mock):
            return httpx.post(mock.url + GENERATE, headers={"X-API-Key": mock.api_key}, json={})

        def test_naive(mockserver):
            mockserver.fail("generate", "INSUFFICIENT_CREDITS", times=None)
            assert [post(mockserver).status_code for _ in range(2)] == [402, 402]

        def test_careful(mockserver):
            mockserver.fail("generate", "INSUFFICIENT_CREDITS", times=None)
            assert post(mockserver).status_code == 402

        @pytest.mark.mockserver(guidance="off")
        def test_naive_but_allowed(mockserver):
            mockserver.fail("generate", "INSUFFICIENT_CREDITS", times=None)
            assert [post(mockserver).status_code for _ in range(2)] == [402, 402]

        async def test_naive_in_process(mockserver_app):
            mockserver_app.fail("designs.list", "FORBIDDEN", times=None)
            async with mockserver_app.client() as client:
                for _ in range(2):
                    await client.get("/api/v1/designs")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "anyio", "-o", "anyio_mode=auto")
    outcomes = result.parseoutcomes()
    assert (outcomes.get("passed"), outcomes.get("errors")) == (4, 2), result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_naive *",
            "*the client broke the API's error-handling guidance (1 finding)*",
            "*[[]retried-402] pc_live_…0001: POST /api/v1/designs/dsg_invoice/generate (generate)*",
            "*→ 402 INSUFFICIENT_CREDITS",
            "*fix: On 402 stop and ask the user to add credits*",
        ]
    )
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_naive_in_process*", "*[[]retried-4xx]*"])


def test_the_marker_turns_the_check_on_and_a_bad_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marked="""
        import httpx
        import pytest

        def post(mock):
            return httpx.post(mock.url + "/api/v1/designs/dsg_invoice/generate",
                              headers={"X-API-Key": mock.api_key}, json={})

        def test_off_by_default(mockserver):
            mockserver.fail("generate", "INSUFFICIENT_CREDITS", times=None)
            post(mockserver), post(mockserver)

        @pytest.mark.mockserver(guidance="fail")
        def test_marked(mockserver):
            mockserver.fail("generate", "INSUFFICIENT_CREDITS", times=None)
            post(mockserver), post(mockserver)

        @pytest.mark.mockserver(guidance="loud")
        def test_bad_value(mockserver):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_marked*",
            "*[[]retried-402]*",
            "*ERROR at setup of test_bad_value*",
            "*@pytest.mark.mockserver(guidance=...): 'loud' is not one of off, fail*",
        ]
    )
    outcomes = result.parseoutcomes()
    assert (outcomes.get("passed"), outcomes.get("errors")) == (2, 2), result.stdout.str()


# --- the README ----------------------------------------------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"


def guidance_section() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Guidance: grading the client's error handling") :]
    return section[: section.index("\n## ", 1)]


def test_the_readme_names_every_finding_and_every_threshold_with_its_default() -> None:
    section = guidance_section()
    for kind in RULES:
        assert f"| `{kind}` |" in section
    defaults = Thresholds()
    for name in HELP:
        value = getattr(defaults, name)
        shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        assert re.search(rf"`{name}` \({re.escape(shown)}\b", " ".join(section.split())), name


def test_the_readme_guidance_example_runs_as_written(pytester: pytest.Pytester) -> None:
    [example] = re.findall(r"```python\n(.*?)```", guidance_section(), re.DOTALL)
    pytester.makepyfile(test_guidance=example)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    retrying = example.replace(
        "assert response.status_code == 402", "httpx.post(url, headers={'X-API-Key': mockserver.api_key})"
    )
    pytester.makepyfile(test_guidance=retrying.replace("    assert mockserver.guidance() == []\n", ""))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*[[]retried-402]*"])


@pytest.mark.anyio
async def test_each_client_is_named_by_its_own_credential_when_two_take_turns(mock: MockAsgi) -> None:
    """The checks mask the credential they saw last only once; a second client between two requests
    of the first must not be named after either of them wrongly."""
    mock.operations.patch_workspace(
        None, {"api_keys": [{"key": DEMO_KEY, "name": "One"}, {"key": SPARE_KEY, "name": "Two"}]}
    )
    mock.fail("generate", "INSUFFICIENT_CREDITS", times=4)
    async with mock.client() as client:
        for key in (DEMO_KEY, SPARE_KEY, DEMO_KEY, SPARE_KEY):
            answer = await client.post(GENERATE, json=INVOICE, headers={"X-API-Key": key})
            assert answer.status_code == 402
    named = sorted((finding.id, finding.client) for finding in mock.guidance())
    assert named == [
        ("retried-402", f"pc_live_…{DEMO_KEY[-4:]}"),
        ("retried-402", f"pc_live_…{SPARE_KEY[-4:]}"),
    ]
