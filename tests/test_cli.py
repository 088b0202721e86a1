"""The `mockserver` command: check, codes, schema, start-up errors, and serving for real in a subprocess."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mockserver import catalog, loader
from mockserver.cli import main
from tests.conftest import DEMO_KEY, RunningCli, WriteScenario


@cache
def builtin_count() -> int:
    """How many scenarios ship with the package."""
    return len(loader.load(None))


def at(path: Path, line: int, column: int) -> str:
    """The text of `path` from LINE:COLUMN (both 1-based) to the end of that line."""
    return path.read_text(encoding="utf-8").splitlines()[line - 1][column - 1 :]


# --- check -------------------------------------------------------------------------------------------


def test_check_says_ok_with_the_counts(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    write_scenario("mine", "extends: default\nrules:\n  - {when: GET /x, reply: {error: S3_ERROR}}\n")
    write_scenario("default", "description: our own default replaces the built-in one\n")
    result = CliRunner().invoke(main, ["check", str(scenario_dir)])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == f"OK: {builtin_count() + 1} scenarios (2 in {scenario_dir}, {builtin_count() - 1} built-in)\n"
    )
    assert result.stderr == ""


def test_check_without_a_folder_uses_dot_scenarios_when_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["check"]).stdout == f"OK: {builtin_count()} scenarios (built-in)\n"
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "team.yaml").write_text("extends: default\n", encoding="utf-8")
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0
    assert (
        result.stdout == f"OK: {builtin_count() + 1} scenarios (1 in scenarios, {builtin_count()} built-in)\n"
    )


def test_check_reports_every_problem_of_three_broken_files(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    syntax = write_scenario(
        "syntax",
        """
        description: a flow mapping that never closes
        rules:
          - when: GET /x
            reply: {error: S3_ERROR
        """,
    )
    typos = write_scenario(
        "typos",
        """
        descripton: a misspelt key
        extends: default
        rules:
          - when: POST /api/v1/generate
            reply: {error: INSUFICIENT_CREDITS}
          - when: "GET /api/v1/designs/{id"
            reply: {error: NOT_FOUND}
          - when: GET /api/v1/assets
            reply: {error: NOT_FOUND, mesage: Gone}
        """,
    )
    circle = write_scenario("circle", "description: extends itself\nextends: circle\n")
    write_scenario("fine", "extends: default\nrules:\n  - {when: GET /ok, reply: {error: S3_ERROR}}\n")

    result = CliRunner().invoke(main, ["check", str(scenario_dir)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"{circle}:2:10: extends makes a cycle: circle → circle",
        f"{syntax}:5:1: YAML syntax error: while parsing a flow mapping expected ',' or '}}',"
        " but got '<stream end>'",
        f"{typos}:1:1: unknown key 'descripton' (did you mean 'description'?)",
        f"{typos}:5:20: rules[0].reply.error: unknown error code 'INSUFICIENT_CREDITS'"
        " (did you mean 'INSUFFICIENT_CREDITS'?)",
        f"{typos}:6:11: rules[1].when: unclosed '{{' in path pattern '/api/v1/designs/{{id'",
        f"{typos}:9:31: rules[2].reply: unknown key 'mesage' (did you mean 'message'?)",
        "6 problems in 3 files",
    ]
    # Each position points at what is wrong.
    assert at(circle, 2, 10) == "circle"
    assert len(syntax.read_text(encoding="utf-8").splitlines()) == 4  # 5:1 is the end of the stream
    assert at(typos, 1, 1).startswith("descripton:")
    assert at(typos, 5, 20).startswith("INSUFICIENT_CREDITS")
    assert at(typos, 6, 11).startswith('"GET /api/v1/designs/{id"')
    assert at(typos, 9, 31).startswith("mesage:")


def test_check_of_a_missing_folder_is_one_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(main, ["check", str(missing)])
    assert result.exit_code == 1
    assert result.stderr == f"{missing}:1:1: scenario folder does not exist\n1 problem in 1 file\n"


# --- codes and schema --------------------------------------------------------------------------------


def test_codes_prints_the_table_of_all_20_codes() -> None:
    result = CliRunner().invoke(main, ["codes"])
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["HTTP", "CODE", "WHEN"]
    assert len(rows) == 20
    parsed = [row.split(maxsplit=2) for row in rows]
    assert [(int(status), code, when) for status, code, when in parsed] == [
        (e.status, e.code, e.when) for e in catalog.CODES.values()
    ]
    assert parsed[9] == ["402", "INSUFFICIENT_CREDITS", "Not enough credits for this generation."]
    # The WHEN column is aligned.
    assert len({row.index(when) for row, (_, _, when) in zip(rows, parsed, strict=True)}) == 1


def test_codes_json() -> None:
    result = CliRunner().invoke(main, ["codes", "--json"])
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert len(listed) == 20
    assert listed == [
        {"status": e.status, "code": e.code, "message": e.message, "when": e.when}
        for e in catalog.CODES.values()
    ]
    assert listed[5] == {
        "status": 401,
        "code": "API_KEY_EXPIRED",
        "message": "The API key has expired. Create a new key and rotate it in.",
        "when": "API key passed its expiration date.",
    }


def test_schema_is_a_json_schema_of_scenario_files() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["type"] == "object"
    assert set(document["properties"]) == {
        "description",
        "extends",
        "api_revision",
        "workspace",
        "guidance",
        "rules",
    }
    assert document["properties"]["rules"]["type"] == "array"
    assert document["additionalProperties"] is False
    codes = document["$defs"]["ErrorReply"]["properties"]["error"]["enum"]
    assert codes == list(catalog.CODES)
    revision = document["properties"]["api_revision"]
    assert {"enum": ["A", "B1", "B2", "C1", "C2"], "type": "string"} in revision["anyOf"]


# --- serving: start-up errors ------------------------------------------------------------------------


def test_an_unknown_scenario_is_a_clean_error(scenario_dir: Path) -> None:
    result = CliRunner().invoke(
        main, ["--scenarios", str(scenario_dir), "--scenario", "flaky", "--port", "0"]
    )
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: unknown scenario 'flaky'; did you mean 'flaky-5xx'? known: default, ")
    assert "Traceback" not in result.output


def test_broken_scenarios_stop_the_server_with_exit_1(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    bad = write_scenario("bad", "rules: 5\n")
    result = CliRunner().invoke(main, ["--scenarios", str(scenario_dir), "--port", "0"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{bad}:1:8: rules: Input should be a valid list",
        "1 problem in 1 file",
    ]


def mockserver(*args: str) -> list[str]:
    return [sys.executable, "-m", "mockserver", *args]


def test_a_port_in_use_is_one_line_on_stderr_and_exit_2(scenario_dir: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(
            mockserver("--port", str(port), "--scenarios", str(scenario_dir)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: port {port} on 127.0.0.1 is already in use; stop the other server or pass --port"
    ]
    assert "Traceback" not in result.stderr


# --- serving for real ---------------------------------------------------------------------------------


@dataclass
class Served:
    url: str
    folder: Path
    cli: RunningCli


STARTUP_SECONDS = 10.0


@pytest.fixture
def served(scenario_dir: Path, write_scenario: WriteScenario) -> Iterator[Served]:
    """The real CLI in a subprocess on a port of its choice (--port 0), serving the scenario `broke`."""
    write_scenario(
        "broke",
        """
        description: Out of credits, and old keys have expired.
        extends: default
        rules:
          - when: generate
            reply: {error: INSUFFICIENT_CREDITS}
          - when: {path: /api/v1/designs, headers: {X-API-Key: "pc_live_old*"}}
            reply: {error: API_KEY_EXPIRED}
        """,
    )
    cli = RunningCli(mockserver("--port", "0", "--scenarios", str(scenario_dir), "--scenario", "broke"))
    try:
        url = cli.address(STARTUP_SECONDS)
        assert httpx.get(f"{url}/__mock/health", timeout=STARTUP_SECONDS).status_code == 200
        yield Served(url, scenario_dir, cli)
    finally:
        cli.stop()


def test_the_real_cli_serves_rule_driven_errors(served: Served) -> None:
    url = served.url
    with httpx.Client(base_url=url, timeout=10) as http:
        credits = http.post("/api/v1/designs/dsg_invoice/generate", headers={"X-API-Key": DEMO_KEY})
        assert credits.status_code == 402
        assert credits.headers["x-mock-answered-by"] == "broke.yaml#1"
        assert credits.json() == {
            "status": "error",
            "data": None,
            "error": {"code": "INSUFFICIENT_CREDITS", "message": "Workspace does not have enough credits."},
        }

        expired = http.get("/api/v1/designs", headers={"X-API-Key": "pc_live_old0000000000000001"})
        assert expired.status_code == 401
        assert expired.headers["x-mock-answered-by"] == "broke.yaml#2"
        assert expired.json() == {
            "status": "error",
            "data": None,
            "error": {
                "code": "API_KEY_EXPIRED",
                "message": "The API key has expired. Create a new key and rotate it in.",
            },
        }

        fine = http.get("/api/v1/designs", headers={"X-API-Key": DEMO_KEY})
        assert (fine.status_code, fine.headers["x-mock-answered-by"]) == (200, "simulator")

    out, err = served.cli.stop()
    assert f"  API        {url}/api/v1\n" in out
    assert f"  export IMAGINEPDF_API_URL={url}\n" in out
    assert f"  export IMAGINEPDF_API_KEY={DEMO_KEY}\n" in out
    assert "  Revision   C2 (2026-08-25-C2-me-paper-pdfprofile; --api-revision to change)\n" in out
    assert f"  Scenario   broke ({builtin_count() + 1} loaded, 1 from {served.folder})\n" in out
    # One console line per request, naming the operation and who answered.
    assert (
        "POST /api/v1/designs/dsg_invoice/generate [generate] → 402 INSUFFICIENT_CREDITS (rule broke.yaml#1)"
        in err
    )
    assert "GET /api/v1/designs [designs.list] → 401 API_KEY_EXPIRED (rule broke.yaml#2)" in err
    assert "GET /api/v1/designs [designs.list] → 200 (simulator)" in err
    assert "Traceback" not in err
