"""Workspace state over simulated time, and seeding it from scenario files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from mockserver import ScenarioError, Settings
from mockserver.app import MockApp
from mockserver.loader import load
from tests.conftest import WriteScenario, client

KEY = {"X-API-Key": "pc_live_demo0000000000000001"}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 6, 8, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def api(clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the default revision (C2): the state over time does not depend on the routes."""
    async with client(MockApp(Settings(batch_seconds=10), clock=clock)) as made:
        made.headers.update(KEY)
        yield made


def code_of(response: httpx.Response) -> str | None:
    error: dict[str, Any] | None = response.json()["error"]
    return error["code"] if error else None


@pytest.mark.anyio
async def test_links_expire_after_expires_in(api: httpx.AsyncClient, clock: Clock) -> None:
    # C2's generate links in the Google Cloud Storage form, its previews in the imaginepdf (S3) form.
    generated = (await api.post("/api/v1/designs/dsg_invoice/generate")).json()["data"]
    preview = (await api.get("/api/v1/designs/dsg_invoice/preview")).json()["data"]
    clock.advance(3599)
    for link in (generated["downloadUrl"], preview["previewUrl"]):
        assert (await api.get(link)).status_code == 200
    clock.advance(1)
    answers = {}
    for link in (generated["downloadUrl"], preview["previewUrl"]):
        expired = await api.get(link)
        assert expired.status_code == 403
        assert expired.headers["content-type"] == "application/xml"
        error = ElementTree.fromstring(expired.content)
        answers[link.split("/")[3]] = (error.findtext("Code"), error.findtext("Message"))
    assert answers == {
        "storage.googleapis.com": ("ExpiredToken", "Invalid argument."),
        "storage.imaginepdf.com": ("AccessDenied", "Request has expired"),
    }


@pytest.mark.anyio
async def test_batch_moves_from_queued_through_processing_to_completed(
    api: httpx.AsyncClient, clock: Clock
) -> None:
    rows = [{"recipient": str(n)} for n in range(9)] + [{"verify_url": 5}]
    job = await api.post("/api/v1/designs/dsg_certificate/batch", json={"rows": rows})
    job_id = job.json()["data"]["jobId"]
    seen = []
    for _ in range(12):
        status = (await api.get(f"/api/v1/batches/{job_id}")).json()["data"]
        assert status["completed"] + status["failed"] <= status["total"] == 10
        seen.append((status["status"], status["completed"], status["failed"]))
        if status["status"] in ("queued", "processing"):
            early = await api.get(f"/api/v1/batches/{job_id}/download")
            assert (early.status_code, code_of(early)) == (404, "PDF_NOT_FOUND")
        clock.advance(1)
    states = [state for state, _, _ in seen]
    assert states[0] == "queued"
    assert "processing" in states
    assert states[-1] == "completed"
    assert seen[-1][1:] == (9, 1)
    done = [completed + failed for _, completed, failed in seen]
    assert done == sorted(done)
    assert (await api.get(f"/api/v1/batches/{job_id}/download")).status_code == 200


@pytest.mark.anyio
async def test_a_batch_whose_rows_all_fail_is_failed_with_no_download(
    api: httpx.AsyncClient, clock: Clock
) -> None:
    rows: list[Any] = [1, "x"]
    job = await api.post("/api/v1/designs/dsg_invoice/batch", json={"rows": rows})
    job_id = job.json()["data"]["jobId"]
    clock.advance(10)
    status = (await api.get(f"/api/v1/batches/{job_id}")).json()["data"]
    assert (status["status"], status["completed"], status["failed"]) == ("failed", 0, 2)
    assert code_of(await api.get(f"/api/v1/batches/{job_id}/download")) == "PDF_NOT_FOUND"


@pytest.mark.anyio
async def test_scenario_workspace_is_merged_over_the_default_seed(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario(
        "poor",
        """
        workspace:
          credits: 0
          plan: {batchGenerate: false}
          designs:
            - {id: dsg_only, name: Only, variables: {who: {type: text}}}
        """,
    )
    # Revision A: its asset list shows the seeded asset kept from the default seed.
    async with client(MockApp(Settings(scenarios=scenario_dir, scenario="poor", api_revision="A"))) as api:
        api.headers.update(KEY)
        listing = (await api.get("/api/v1/designs")).json()["data"]["items"]
        assert [d["designId"] for d in listing] == ["dsg_only"]
        assert (
            code_of(await api.post("/api/v1/generate", params={"design": "dsg_only"}))
            == "INSUFFICIENT_CREDITS"
        )
        batch = await api.post("/api/v1/batch/generate", params={"design": "dsg_only"}, json={"rows": [{}]})
        assert code_of(batch) == "INSUFFICIENT_PERMISSIONS"
        assets = (await api.get("/api/v1/assets")).json()["data"]["items"]
        assert [a["id"] for a in assets] == ["asset_logo"]  # not overridden: kept from the default


def test_extends_merges_workspaces_key_by_key(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    write_scenario("base", "workspace: {credits: 5, plan: {useApiKeys: true, batchGenerate: false}}\n")
    write_scenario("child", "extends: base\nworkspace: {plan: {batchGenerate: true}}\n")
    seed = load(scenario_dir).get("child").start
    assert seed.credits == 5
    assert seed.plan is not None
    assert (seed.plan.useApiKeys, seed.plan.batchGenerate) == (True, True)


@pytest.mark.parametrize(
    ("workspace", "line", "column", "message"),
    [
        ("{credits: -1}", 1, 22, "workspace.credits: Input should be greater than or equal to 0"),
        ("{credit: 5}", 1, 13, "workspace: unknown key 'credit' (did you mean 'credits'?)"),
        ("{api_keys: [{key: abc}]}", 1, 30, "an API key is 'pc_live_' followed by 20 letters or digits"),
        ("{designs: [{id: x, name: X, variables: {v: {type: chart}}}]}", 1, 62,
         "workspace.designs[0].variables.v.type"),
        ("{tokens: [{token: t, expires: soon}]}", 1, 42, "workspace.tokens[0].expires"),
    ],
)  # fmt: skip
def test_bad_workspace_seeds_are_reported_where_written(
    scenario_dir: Path, write_scenario: WriteScenario, workspace: str, line: int, column: int, message: str
) -> None:
    path = write_scenario("seeded", f"workspace: {workspace}\n")
    with pytest.raises(ScenarioError) as caught:
        load(scenario_dir)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), line, column)
    assert message in str(problem)
