"""Revisions as a choice: how one is selected, shown and described; operations in rules and the journal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockserver import MockAsgi, ScenarioError, Settings, loader, model, settings
from mockserver.cli import main
from mockserver.exchange import Incoming
from mockserver.simulator.operations import OPERATIONS
from mockserver.simulator.revisions import DEFAULT, REVISIONS
from tests.conftest import WriteScenario

pytestmark = pytest.mark.anyio

ROUTES = {
    # operation → (method, path) in A and in C2: the same operation, moved
    "generate": (("POST", "/api/v1/generate"), ("POST", "/api/v1/designs/{designId}/generate")),
    "batch.status": (("GET", "/api/v1/batch/{jobId}/status"), ("GET", "/api/v1/batches/{jobId}")),
    "designs.get": (("GET", "/api/v1/designs/{id}"), ("GET", "/api/v1/designs/{id}")),
}


def test_the_newest_revision_is_the_default_and_every_revision_is_listed_oldest_first() -> None:
    assert list(REVISIONS) == ["A", "B1", "B2", "C1", "C2"]
    assert DEFAULT == "C2"
    # what the settings and the command line name without loading the simulator
    assert tuple(REVISIONS) == settings.API_REVISIONS
    assert settings.DEFAULT_REVISION == DEFAULT
    assert Settings().api_revision == "C2"


@pytest.mark.parametrize(("operation", "routes"), ROUTES.items())
def test_an_operation_keeps_its_name_when_its_route_moves(
    operation: str, routes: tuple[tuple[str, str], tuple[str, str]]
) -> None:
    for name, (method, path) in zip(("A", "C2"), routes, strict=True):
        endpoint = REVISIONS[name].operations[operation]
        assert (endpoint.method, endpoint.path) == (method, path)


def test_every_endpoint_names_a_known_operation_once_per_revision() -> None:
    for revision in REVISIONS.values():
        operations = [endpoint.operation for endpoint in revision.endpoints]
        assert len(operations) == len(set(operations)), revision.name
        assert set(operations) <= set(OPERATIONS)


def test_each_revision_is_a_delta_of_the_one_before() -> None:
    a, b1, b2, c1, c2 = REVISIONS.values()
    assert "catalog.tools" in a.operations
    assert "catalog.tools" not in b1.operations
    assert b1.operations["designs.create"] is not b2.operations["designs.create"]
    assert b1.operations["generate"] is b2.operations["generate"] is a.operations["generate"]
    assert "assets.list" in b2.operations
    assert "assets.list" not in c1.operations
    assert "me" in c2.operations
    assert "me" not in c1.operations
    assert (c1.profile.max_batch_rows, c1.profile.batch_url_field) == (100, "downloadUrl")
    assert (c2.profile.generation_id, c1.profile.generation_id) == (True, False)


# --- choosing a revision ---------------------------------------------------------


async def test_a_scenario_pins_its_revision_and_extends_inherits_it(write_scenario: WriteScenario) -> None:
    write_scenario("old-client", "api_revision: A\n")
    write_scenario("older-still", "extends: old-client\n")
    folder = write_scenario("plain", "description: no revision\n").parent
    scenarios = loader.load(folder)
    assert scenarios.get("old-client").api_revision == "A"
    assert scenarios.get("older-still").api_revision == "A"
    assert scenarios.get("plain").api_revision is None
    mock = MockAsgi(scenarios=folder, scenario="older-still")
    assert mock.api_revision == "A"
    async with mock.client() as client:
        assert (await client.get("/api/v1/tools")).status_code == 200
        assert (await client.get("/api/v1/actions")).status_code == 404


def test_an_unknown_revision_in_a_scenario_is_reported_with_its_position(
    write_scenario: WriteScenario,
) -> None:
    folder = write_scenario("bad", "description: x\napi_revision: D1\n").parent
    with pytest.raises(ScenarioError) as caught:
        loader.load(folder)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 15)
    assert "api_revision" in problem.message


async def test_a_session_pin_beats_the_scenario_which_beats_the_server(write_scenario: WriteScenario) -> None:
    folder = write_scenario("b-client", "api_revision: B1\n").parent
    mock = MockAsgi(scenarios=folder, api_revision="C1")
    assert mock.api_revision == "C1"
    mock.use("b-client")
    assert mock.api_revision == "B1"
    mock.use("b-client", api_revision="A")
    assert mock.api_revision == "A"
    mock.reset()  # a plain reset keeps nothing pinned
    assert mock.api_revision == "B1"
    with pytest.raises(ValueError, match="unknown API revision 'Z'"):
        mock.use("default", api_revision="Z")


def test_an_unknown_server_revision_is_a_start_up_error() -> None:
    result = CliRunner().invoke(main, ["--api-revision", "Z", "--port", "0"])
    assert result.exit_code == 2
    assert "'Z' is not one of 'A', 'B1', 'B2', 'C1', 'C2'" in result.output


async def test_health_and_the_scenario_list_show_the_active_revision() -> None:
    mock = MockAsgi(api_revision="B2")
    async with mock.client() as client:
        health = (await client.get("/__mock/health")).json()["data"]
        listed = (await client.get("/__mock/scenarios")).json()["data"]
    assert (health["apiRevision"], health["apiRevisionLabel"]) == ("B2", "2026-06-11-B2-create-then-patch")
    assert listed["apiRevision"] == "B2"


async def test_the_openapi_document_describes_the_active_revision_or_the_one_asked_for() -> None:
    async with MockAsgi().client() as client:
        default = (await client.get("/__mock/openapi.json")).json()
        older = (await client.get("/__mock/openapi.json", params={"revision": "A"})).json()
        wrong = await client.get("/__mock/openapi.json", params={"revision": "Q"})
    assert default["info"]["x-api-revision"] == "C2"
    assert "/api/v1/designs/{designId}/generate" in default["paths"]
    assert "/api/v1/generate" not in default["paths"]
    assert default["paths"]["/api/v1/me"]["get"]["operationId"] == "me"
    tree = default["paths"]["/api/v1/designs/{id}/tree"]["get"]["responses"]["200"]
    assert tree["description"] == "Success, without the envelope"
    assert older["info"]["x-api-revision"] == "A"
    assert "/api/v1/generate" in older["paths"]
    assert "/api/v1/me" not in older["paths"]
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "VALIDATION_ERROR")


# --- operations in rules ----------------------------------------------------------


@pytest.mark.parametrize("revision", list(REVISIONS))
async def test_a_rule_naming_an_operation_takes_that_operation_in_every_revision(
    revision: str, write_scenario: WriteScenario
) -> None:
    folder = write_scenario(
        "broke",
        """
        rules:
          - when: generate
            reply: {error: S3_ERROR}
          - when: {operation: designs.list, headers: {X-Trace: "yes"}}
            reply: {error: DATABASE_ERROR}
        """,
    ).parent
    mock = MockAsgi(scenarios=folder, scenario="broke", api_revision=revision)
    generate = REVISIONS[revision].operations["generate"]
    path = generate.path.replace("{designId}", "dsg_invoice")
    async with mock.client() as client:
        failed = await client.post(path, params={"design": "dsg_invoice"}, json={})
        listed = await client.get("/api/v1/designs")
        traced = await client.get("/api/v1/designs", headers={"X-Trace": "yes"})
    assert (failed.status_code, failed.json()["error"]["code"]) == (500, "S3_ERROR")
    assert failed.headers["x-mock-answered-by"] == "broke.yaml#1"
    assert listed.status_code == 200
    assert traced.json()["error"]["code"] == "DATABASE_ERROR"
    entries = mock.requests()
    assert [e.operation for e in entries] == ["generate", "designs.list", "designs.list"]
    assert {e.revision for e in entries} == {revision}
    assert [e.answered_by for e in mock.requests("generate")] == ["broke.yaml#1"]


def test_an_operation_rule_never_takes_a_route_of_another_operation() -> None:
    scenarios = loader.load()
    rules = scenarios.get("flaky-5xx").rules
    preview = Incoming("GET", "/api/v1/designs/dsg_invoice/preview")
    preview.operation = "preview"
    assert rules.candidates("GET", preview.path, preview.operation) == []
    read = Incoming("GET", "/api/v1/designs/dsg_invoice")
    read.operation = "designs.get"
    assert [rule.id for rule in rules.candidates("GET", read.path, "designs.get")] == ["flaky-5xx.yaml#2"]


def test_an_unknown_operation_is_reported_with_a_suggestion(write_scenario: WriteScenario) -> None:
    folder = write_scenario("typo", "rules:\n  - when: generat\n    reply: {error: S3_ERROR}\n").parent
    with pytest.raises(ScenarioError) as caught:
        loader.load(folder)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 11)
    assert "unknown operation 'generat'" in problem.message
    assert problem.hint == "did you mean 'generate'?"


def test_a_when_with_both_a_path_and_an_operation_is_refused(write_scenario: WriteScenario) -> None:
    folder = write_scenario(
        "both", "rules:\n  - when: {path: /x, operation: generate}\n    reply: {error: S3_ERROR}\n"
    ).parent
    with pytest.raises(ScenarioError, match="exactly one of 'path' and 'operation', not both"):
        loader.load(folder)


def test_the_json_schema_lists_the_operations_and_the_revisions() -> None:
    schema = model.json_schema()
    when = schema["$defs"]["When"]["properties"]
    assert when["operation"]["enum"] == list(OPERATIONS)
    revision = schema["properties"]["api_revision"]
    assert json.dumps(revision).count('"C2"') == 1


def test_the_operations_command_prints_each_operation_with_its_route_per_revision() -> None:
    result = CliRunner().invoke(main, ["operations"])
    assert result.exit_code == 0, result.output
    assert "generate  — Render one PDF (1 credit)." in result.output
    assert "    A   POST /api/v1/generate" in result.output
    assert "    C2  POST /api/v1/designs/{designId}/generate" in result.output
    assert "    A   (not in this revision)" in result.output  # `me` exists in C2 only
    table = json.loads(CliRunner().invoke(main, ["operations", "--json"]).output)
    assert set(table) == set(OPERATIONS)
    assert table["batch.download"]["routes"]["C1"] == "GET /api/v1/batches/{jobId}/download"
    assert table["me"]["routes"]["B2"] is None


def test_every_builtin_scenario_names_operations_not_paths_of_one_revision() -> None:
    for entry in loader.builtin_folder().iterdir():
        text = entry.read_text(encoding="utf-8") if entry.name.endswith(".yaml") else ""
        for needle in ("/api/v1/generate", "/batch/", "/assets", "/files/"):
            assert needle not in text, (entry.name, needle)


def test_the_readme_has_a_section_per_revision_and_every_route_of_each() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for revision in REVISIONS.values():
        assert f"### Revision {revision.name}\n" in readme
        assert revision.label in readme
        for endpoint in revision.endpoints:
            assert f"`{endpoint.method} {endpoint.path.removeprefix('/api/v1')}" in readme, endpoint
