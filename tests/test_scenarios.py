"""Every built-in scenario keeps the promise of its header comment, under every docs revision.

The tests name operations, never routes: `Api.call` looks the route up in the revision
(`REVISIONS[name].operations[op]`), so one test runs unchanged against A, B1, B2, C1 and C2.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import MockAsgi, catalog
from mockserver.faults import ConnectionDropped, Stopping
from mockserver.simulator.revisions import REVISIONS, Revision

pytestmark = pytest.mark.anyio
every_revision = pytest.mark.parametrize("revision", list(REVISIONS))

DESIGN = "dsg_invoice"
SEEDED = {"dsg_invoice", "dsg_certificate", "dsg_shipping_label"}
ROWS = {"rows": [{"customer_name": "Ada", "invoice_number": "INV-1"}]}
PNG_FILE = {"file": ("logo.png", b"\x89PNG\r\n\x1a\n", "image/png")}
STORAGE_WRITES = ("uploads.create", "assets.create", "assets.placeholder", "assets.replace")
"""The operations that store a file, whichever of them the revision has."""


@dataclass
class Api:
    """One revision's API over an in-process mock, addressed by operation."""

    mock: MockAsgi
    http: httpx.AsyncClient
    revision: Revision

    def has(self, operation: str) -> bool:
        return operation in self.revision.operations

    async def call(
        self, operation: str, *, ids: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Send `operation` the way this revision routes it, for design DESIGN unless `ids` says otherwise."""
        endpoint = self.revision.operations[operation]
        values = {"id": DESIGN, "designId": DESIGN, "jobId": "job_000000000001", **(ids or {})}
        path = re.sub(r"\{(\w+)\}", lambda found: values[found.group(1)], endpoint.path)
        if any(param.name == "design" for param in endpoint.query):
            kwargs["params"] = {"design": values["designId"], **kwargs.get("params", {})}
        return await self.http.request(endpoint.method, path, **kwargs)


@asynccontextmanager
async def scenario(name: str, revision: str, **settings: Any) -> AsyncIterator[Api]:
    mock = MockAsgi(scenario=name, api_revision=revision, batch_seconds=0, **settings)
    async with mock.client() as http:
        yield Api(mock, http, REVISIONS[revision])
    assert mock.app.internal_errors == []


def by(response: httpx.Response) -> str | None:
    answered: str | None = response.headers.get("x-mock-answered-by")
    return answered


def envelope_error(code: str, message: str | None = None) -> dict[str, Any]:
    text = message or catalog.CODES[code].message
    return {"status": "error", "data": None, "error": {"code": code, "message": text}}


def without_key(api: Api) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api.mock.app), base_url=api.mock.url)


# --- default ---------------------------------------------------------------------------------------


@every_revision
async def test_default_sends_everything_to_the_simulator(revision: str) -> None:
    async with scenario("default", revision) as api:
        assert api.mock.app.scenarios.get("default").rules.rules == ()
        listed = await api.call("designs.list")
        assert (listed.status_code, by(listed)) == (200, "simulator")
        assert {item["designId"] for item in listed.json()["data"]["items"]} == SEEDED
        design = await api.call("designs.get")
        assert (design.status_code, design.json()["data"]["designId"]) == (200, DESIGN)
        generated = await api.call("generate")
        assert (generated.status_code, by(generated)) == (201, "simulator")
        pdf = await api.http.get(generated.json()["data"]["downloadUrl"])
        assert (pdf.status_code, pdf.content[:5]) == (200, b"%PDF-")
        batch = await api.call("batch.create", json=ROWS)
        assert (batch.status_code, by(batch)) == (202, "simulator")


# --- out-of-credits --------------------------------------------------------------------------------


@every_revision
async def test_out_of_credits_refuses_paid_calls_and_keeps_free_ones(revision: str) -> None:
    async with scenario("out-of-credits", revision) as api:
        generated = await api.call("generate")
        assert (generated.status_code, by(generated)) == (402, "out-of-credits.yaml#1")
        assert generated.json() == envelope_error("INSUFFICIENT_CREDITS")
        batch = await api.call("batch.create", json=ROWS)
        assert (batch.status_code, by(batch)) == (402, "out-of-credits.yaml#2")
        assert batch.json() == envelope_error("INSUFFICIENT_CREDITS")
        for operation in ("preview", "designs.list", "designs.get"):
            free = await api.call(operation)
            assert (free.status_code, by(free)) == (200, "simulator"), operation
        assert api.mock.workspace["credits"] == 0


# --- expired-key -----------------------------------------------------------------------------------


EXPIRED_MESSAGE = "This API key expired. Create a new key in the dashboard and rotate it in."


@every_revision
async def test_expired_key_answers_every_keyed_request_401(revision: str) -> None:
    async with scenario("expired-key", revision) as api:
        for key in (api.mock.api_key, "anything at all"):
            for operation in ("designs.list", "generate", "preview"):
                expired = await api.call(operation, headers={"X-API-Key": key})
                assert (expired.status_code, by(expired)) == (401, "expired-key.yaml#1"), operation
                assert expired.json() == envelope_error("API_KEY_EXPIRED", EXPIRED_MESSAGE)
        async with without_key(api) as anonymous:
            api.http = anonymous
            for operation in ("designs.list", "generate"):
                refused = await api.call(operation)
                assert (refused.status_code, by(refused)) == (401, "expired-key.yaml#2"), operation
                assert refused.json() == envelope_error("UNAUTHORIZED")


# --- no-batch-plan ---------------------------------------------------------------------------------


@every_revision
async def test_no_batch_plan_refuses_batches_from_state(revision: str) -> None:
    async with scenario("no-batch-plan", revision) as api:
        assert api.mock.app.scenarios.get("no-batch-plan").rules.rules == ()
        assert api.mock.workspace["plan"]["batchGenerate"] is False
        for operation in ("batch.create", "batch.status", "batch.download"):
            refused = await api.call(operation, json=ROWS if operation == "batch.create" else None)
            assert (refused.status_code, by(refused)) == (403, "simulator"), operation
            assert refused.json()["error"]["code"] == "INSUFFICIENT_PERMISSIONS"
        assert (await api.call("generate")).status_code == 201
        working = ["preview", "designs.list", "designs.get"] + (["assets.list"] * api.has("assets.list"))
        for operation in working:
            assert (await api.call(operation)).status_code == 200, operation


# --- flaky-5xx -------------------------------------------------------------------------------------


@every_revision
async def test_flaky_5xx_fails_twice_then_recovers(revision: str) -> None:
    async with scenario("flaky-5xx", revision) as api:
        attempts = [await api.call("generate") for _ in range(4)]
        assert [r.status_code for r in attempts] == [500, 500, 201, 201]
        assert attempts[0].json() == envelope_error("INTERNAL_ERROR")
        assert attempts[1].json() == envelope_error("S3_ERROR")
        assert attempts[2].json()["data"]["status"] == "completed"
        assert [by(r) for r in attempts] == ["flaky-5xx.yaml#1"] * 2 + ["simulator"] * 2
        reads = [await api.call("designs.get") for _ in range(2)]
        assert [(r.status_code, by(r)) for r in reads] == [(500, "flaky-5xx.yaml#2"), (200, "simulator")]
        assert reads[0].json() == envelope_error("DATABASE_ERROR")
        assert reads[1].json()["data"]["designId"] == DESIGN


# --- storage-outage --------------------------------------------------------------------------------


@every_revision
async def test_storage_outage_fails_writes_and_links_but_not_reads(revision: str) -> None:
    async with scenario("storage-outage", revision) as api:
        writes = [op for op in STORAGE_WRITES if api.has(op)]
        assert writes == (["uploads.create"] if api.revision.profile.era == "C" else list(STORAGE_WRITES[1:]))
        calls: list[tuple[str, dict[str, Any]]] = [("generate", {}), ("batch.create", {"json": ROWS})]
        calls += [(op, {"files": PNG_FILE, "ids": {"id": "asset_logo"}}) for op in writes]
        for operation, kwargs in calls:
            failed = await api.call(operation, **kwargs)
            assert failed.status_code == 500, operation
            assert failed.json() == envelope_error("S3_ERROR")
            assert failed.headers["retry-after"] == "30"
        # Reading works, and even hands out a link; fetching the file meets the load balancer's page.
        preview = await api.call("preview")
        assert (preview.status_code, by(preview)) == (200, "simulator")
        assert (await api.call("designs.list")).status_code == 200
        link = preview.json()["data"]["previewUrl"]
        for url in (link, f"{api.mock.url}/storage.googleapis.com/bucket/x/Invoice.pdf"):
            page = await api.http.get(url)
            assert (page.status_code, by(page)) == (503, "storage-outage.yaml#7")
            assert page.headers["content-type"].startswith("text/html")
            assert "503 Service Temporarily Unavailable" in page.text


# --- slow-network ----------------------------------------------------------------------------------


@every_revision
async def test_slow_network_hangs_the_first_generation_then_delays_everything(
    revision: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with scenario("slow-network", revision, hang_seconds=0.1) as api:
        began = time.perf_counter()
        with pytest.raises(ConnectionDropped):  # in-process, the dropped connection is this exception
            await api.call("generate")
        assert time.perf_counter() - began >= 0.1  # no answer at all until the hang's bound

        # Every later API call waits 0.3-1.5 s: record the waits instead of sleeping through them.
        waits: list[float] = []

        async def recorded(stopping: Stopping, delay: float) -> bool:
            waits.append(delay)
            return False

        monkeypatch.setattr(Stopping, "sleep", recorded)  # the app's delays wait through Stopping
        answered = [await api.call(op) for op in ("generate", "designs.list", "preview")]
        monkeypatch.undo()
        assert [(r.status_code, by(r)) for r in answered] == [
            (201, "simulator"),
            (200, "simulator"),
            (200, "simulator"),
        ]
        slow = [wait for wait in waits if wait > 0]
        assert len(slow) == 3
        assert all(0.3 <= wait <= 1.5 for wait in slow), slow
        assert len(set(slow)) == 3  # drawn, not fixed


@every_revision
async def test_slow_network_keeps_a_short_client_timeout_waiting(revision: str) -> None:
    async with scenario("slow-network", revision, hang_seconds=5) as api:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.25):  # shorter than the smallest delay, let alone the hang
                await api.call("designs.list")


# --- empty-workspace -------------------------------------------------------------------------------


EMPTY: dict[str, Any] = {"status": "success", "data": {"items": [], "nextCursor": None}, "error": None}


@every_revision
async def test_empty_workspace_lists_nothing(revision: str) -> None:
    async with scenario("empty-workspace", revision) as api:
        designs = await api.call("designs.list")
        assert (designs.status_code, designs.json(), by(designs)) == (200, EMPTY, "empty-workspace.yaml#1")
        if api.has("assets.list"):
            assets = await api.call("assets.list")
            assert (assets.status_code, assets.json(), by(assets)) == (200, EMPTY, "empty-workspace.yaml#2")
        else:
            assert api.revision.profile.era == "C"  # C has no asset list to empty


# --- maintenance -----------------------------------------------------------------------------------


@every_revision
async def test_maintenance_answers_a_raw_html_page_to_every_api_call(revision: str) -> None:
    async with scenario("maintenance", revision) as api:
        for operation in ("designs.list", "designs.get", "generate", "batch.create", "preview"):
            page = await api.call(operation)
            assert (page.status_code, by(page)) == (503, "maintenance.yaml#1"), operation
            assert page.headers["content-type"] == "text/html; charset=utf-8"
            assert page.headers["retry-after"] == "120"
            assert "Down for maintenance" in page.text
            with pytest.raises(ValueError, match="Expecting value"):
                page.json()
        assert by(await api.http.get("/__mock/health")) == "admin"  # outside /api/ nothing changed


# --- every-error -----------------------------------------------------------------------------------


@every_revision
async def test_every_error_answers_the_twenty_codes_in_catalog_order(revision: str) -> None:
    async with scenario("every-error", revision) as api:
        operations = ["designs.list", "generate", "preview", "designs.get", "batch.create"]
        for i, entry in enumerate(catalog.CODES.values()):
            operation = operations[i % len(operations)]
            answer = await api.call(operation)
            assert (answer.status_code, by(answer)) == (entry.status, "every-error.yaml#1"), entry.code
            assert answer.json() == envelope_error(entry.code)
        after = await api.call("designs.list")
        assert (after.status_code, by(after)) == (200, "simulator")


async def test_every_built_in_scenario_is_tested_here() -> None:
    called = set(re.findall(r'scenario\("([\w-]+)"', Path(__file__).read_text(encoding="utf-8")))
    built_in = {s.name for s in MockAsgi().app.scenarios.scenarios.values() if s.builtin}
    assert built_in == called
