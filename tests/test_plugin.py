"""The pytest plugin, tested with pytester: fixture, marker, ini options, failures, README examples."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parent.parent / "README.md"


def test_fixture_marker_and_ini_options(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        mockserver_scenarios = mocks
        mockserver_scenario = stingy
        """
    )
    mocks = pytester.mkdir("mocks")
    (mocks / "stingy.yaml").write_text("extends: default\nworkspace: {credits: 2}\n")
    pytester.makepyfile(
        test_uses_plugin="""
        import httpx
        import pytest

        def generate(mock):
            return httpx.post(f"{mock.url}/api/v1/designs/dsg_invoice/generate",
                              headers={"X-API-Key": mock.api_key})

        def test_ini_scenario_is_the_default(mockserver):
            assert mockserver.workspace["credits"] == 2
            assert [generate(mockserver).status_code for _ in range(3)] == [201, 201, 402]

        def test_state_was_reset_between_tests(mockserver):
            assert mockserver.workspace["credits"] == 2
            assert mockserver.requests() == []

        @pytest.mark.mockserver(scenario="out-of-credits")
        def test_marker_picks_the_scenario(mockserver):
            assert generate(mockserver).json()["error"]["code"] == "INSUFFICIENT_CREDITS"

        def test_injected_error_once(mockserver):
            mockserver.fail("generate", "S3_ERROR")
            assert [generate(mockserver).status_code for _ in range(2)] == [500, 201]

        def test_deliberately_failing(mockserver):
            generate(mockserver)
            mockserver.assert_called("GET /api/v1/designs", times=1)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: expected GET /api/v1/designs 1 time, got 0.",
            "*Requests the mock received (1):",
            "*#1 POST /api/v1/designs/dsg_invoice/generate → 201 (simulator)",
        ]
    )


def test_the_api_revision_from_ini_and_marker(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmockserver_api_revision = A\n")
    pytester.makepyfile(
        test_revisions="""
        import httpx
        import pytest

        def status(mock, method, path):
            return httpx.request(method, f"{mock.url}{path}", headers={"X-API-Key": mock.api_key}).status_code

        def test_the_ini_revision_serves(mockserver):
            assert mockserver.api_revision == "A"
            assert status(mockserver, "POST", "/api/v1/generate?design=dsg_invoice") == 201
            assert status(mockserver, "POST", "/api/v1/designs/dsg_invoice/generate") == 404

        @pytest.mark.mockserver(api_revision="C1")
        def test_the_marker_wins(mockserver):
            assert mockserver.api_revision == "C1"
            assert status(mockserver, "POST", "/api/v1/designs/dsg_invoice/generate") == 201
            assert status(mockserver, "GET", "/api/v1/me") == 404  # C2 only

        def test_the_next_test_is_back_on_the_ini_revision(mockserver):
            assert mockserver.api_revision == "A"
            mockserver.reset(api_revision="C2")
            assert status(mockserver, "GET", "/api/v1/me") == 200
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_a_server_error_during_a_test_fails_it_loudly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx

        def test_app_breaks(mockserver, monkeypatch):
            def boom(*args):
                raise RuntimeError("simulated bug")
            monkeypatch.setattr(mockserver.app.simulator, "answer", boom)
            response = httpx.get(f"{mockserver.url}/api/v1/designs")
            assert response.status_code == 500
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*the mock server had problems:*", "*internal error: GET /api/v1/designs*simulated bug*"]
    )


def test_marker_with_bad_options_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mockserver(scenaro="default")
        def test_typo(mockserver):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*unknown option 'scenaro'*"])


def test_two_hundred_tests_on_two_workers_stay_isolated(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_many="""
        import httpx
        import pytest

        http = httpx.Client(timeout=10)  # one client: a new one per call costs more than the calls

        @pytest.mark.parametrize("n", range(200))
        def test_isolated(mockserver, n):
            # Every test starts from the seed, whatever the previous test on this worker did.
            assert mockserver.workspace["credits"] == 100
            assert mockserver.requests() == []
            headers = {"X-API-Key": mockserver.api_key}
            listed = http.get(f"{mockserver.url}/api/v1/designs", headers=headers).json()["data"]["items"]
            assert len(listed) == 3
            mockserver.set_credits(n % 7)
            mockserver.fail("GET /api/v1/actions", "S3_ERROR", times=None)
            http.post(f"{mockserver.url}/api/v1/designs", json={"name": f"made by {n}"}, headers=headers)
            assert http.get(f"{mockserver.url}/api/v1/actions", headers=headers).status_code == 500
        """
    )
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=200)


def readme_python_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Testing with pytest") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


def test_readme_pytest_examples_run_as_written(pytester: pytest.Pytester) -> None:
    examples = readme_python_examples()
    files = {}
    for example in examples:
        first = example.splitlines()[0]
        named = re.match(r"# (test_\w+\.py) —", first)
        if named:
            files[named.group(1).removesuffix(".py")] = textwrap.dedent(example)
    assert len(files) == 4
    pytester.makepyfile(**files)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_readme_context_manager_example_runs(pytester: pytest.Pytester) -> None:
    (script,) = [e for e in readme_python_examples() if e.startswith("from mockserver import MockServer")]
    result = pytester.run(sys.executable, pytester.makepyfile(script))
    assert result.ret == 0
    assert re.match(r"http://127\.0\.0\.1:\d+ pc_live_\w{20}$", result.outlines[-1])


def test_a_scenario_broken_mid_run_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmockserver_scenarios = mocks\n")
    mocks = pytester.mkdir("mocks")
    (mocks / "live.yaml").write_text("extends: default\n")
    pytester.makepyfile(
        """
        import time
        from pathlib import Path

        def test_breaks_a_file(mockserver):
            Path("mocks/live.yaml").write_text("rules: [oops\\n")
            deadline = time.monotonic() + 5
            while not mockserver.app.reload_problems and time.monotonic() < deadline:
                time.sleep(0.05)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*scenario reload failed:*live.yaml:*YAML syntax error*"])


def test_the_server_stops_cleanly_and_frees_its_port() -> None:
    import socket
    import threading

    from mockserver import MockServer

    before = threading.active_count()
    with MockServer() as mock:
        port = mock.port
        assert threading.active_count() == before + 1
    assert threading.active_count() == before
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # the port is free again
