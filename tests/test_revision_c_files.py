"""Contract of the files C1 and C2 take and make: inline images, generate, preview, batch, their links.

Every test runs against both revisions, in-process; the per-revision differences (generationId,
pdfProfile, the link's host) are in test_revision_c1.py and test_revision_c2.py.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import pytest

from mockserver import MockAsgi
from tests.contract_c import (
    A4,
    API,
    QUICKSTART_ACTIONS,
    SVG_BLANK,
    SVG_SWATCH,
    create,
    data,
    error,
    fetch,
    media_boxes,
    patch_tree,
    pdf_text,
    png,
    png_size,
    session,
    shaped,
    tree,
    zip_members,
)

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("revision", ["C1", "C2"])]


def freeze(mock: MockAsgi, moment: datetime) -> None:
    """Stop the session's clock at `moment` (batch progress and link expiry follow it)."""
    mock.session.clock.source = lambda: moment


JOB_STATUS = {
    "jobId": str,
    "status": str,
    "total": int,
    "completed": int,
    "failed": int,
    "createdAt": str,
    "updatedAt": str,
}


# --- generate and preview ---------------------------------------------------------------------------


async def test_generate_fills_the_values_into_a_pdf_of_the_designs_pages(revision: str) -> None:
    async with session(revision) as (mock, client):
        body = {"data": {"address": "221B Baker Street", "tracking": "TRK-2026-0001"}}
        made = data(await client.post(f"{API}/designs/dsg_shipping_label/generate", json=body), 201)
        assert (made["designId"], made["filename"]) == ("dsg_shipping_label", "Shipping Label.pdf")
        assert (made["expiresIn"], made["status"]) == (3600, "completed")
        pdf = await fetch(client, made["downloadUrl"], "application/pdf")
        assert media_boxes(pdf) == [A4, A4]
        text = pdf_text(pdf)
        assert b"221B Baker Street" in text
        assert b"TRK-2026-0001" in text
        assert mock.workspace["credits"] == 99


async def test_a_table_variable_takes_the_variables_pages_2d_array(revision: str) -> None:
    """The variables page's table example: a header row, then one row per line; the table grows."""
    async with session(revision) as (_, client):
        design_id = await create(client, name="Quote")
        table = {
            "type": "table",
            "name": "line_items",
            "position": {"x": 48, "y": 120},
            "data": {
                "columnWidths": [250, 80, 120],
                "headerRow": True,
                "cells": [["Description", "Qty", "Amount"], ["Sample item", "1", "$0.00"]],
            },
        }
        answer = await patch_tree(
            client,
            design_id,
            [
                {"type": "add_element", "args": table},
                {"type": "bind_variable", "args": {"name": "line_items"}},
            ],
        )
        assert answer["results"][0]["data"]["position"]["w"] == 450  # the column widths' sum
        body = {
            "data": {
                "line_items": [
                    ["Description", "Qty", "Amount"],
                    ["Design work", "2", "$400.00"],
                    ["Hosting", "1", "$25.00"],
                ]
            }
        }
        made = data(await client.post(f"{API}/designs/{design_id}/generate", json=body), 201)
        text = pdf_text(await fetch(client, made["downloadUrl"], "application/pdf"))
        for cell in (b"Design work", b"$400.00", b"Hosting", b"$25.00"):
            assert cell in text
        assert b"Sample item" not in text


@pytest.mark.parametrize(
    ("design", "body", "status", "code"),
    [
        ("design_abc123", {"data": {}}, 404, "DESIGN_NOT_FOUND"),
        ("dsg_invoice", b"{not json", 400, "VALIDATION_ERROR"),
        ("dsg_invoice", {"data": ["Globex Inc"]}, 400, "VALIDATION_ERROR"),
        ("dsg_invoice", {"data": {"items": "not a table"}}, 400, "VALIDATION_ERROR"),
    ],
    ids=["unknown-design", "not-json", "data-not-an-object", "table-not-2d"],
)
async def test_generate_errors_cost_nothing(
    revision: str, design: str, body: Any, status: int, code: str
) -> None:
    async with session(revision) as (mock, client):
        url = f"{API}/designs/{design}/generate"
        if isinstance(body, bytes):
            response = await client.post(url, content=body, headers={"Content-Type": "application/json"})
        else:
            response = await client.post(url, json=body)
        error(response, status, code)
        assert mock.workspace["credits"] == 100


async def test_generate_without_credits_is_402_with_the_documented_message(revision: str) -> None:
    async with session(revision) as (mock, client):
        mock.set_credits(0)
        response = await client.post(f"{API}/designs/dsg_invoice/generate", json={"data": {}})
        assert error(response, 402, "INSUFFICIENT_CREDITS").startswith(
            "Workspace does not have enough credits."
        )
        mock.set_credits(1)
        data(await client.post(f"{API}/designs/dsg_invoice/generate"), 201)  # no body: `data` is optional
        assert mock.workspace["credits"] == 0


async def test_preview_links_a_png_of_the_page_and_is_free(revision: str) -> None:
    async with session(revision) as (mock, client):
        for page in (0, 1):
            shown = data(await client.get(f"{API}/designs/dsg_shipping_label/preview?page={page}"), 200)
            shaped(shown, {"previewUrl": str, "expiresIn": int, "page": int})
            assert (shown["expiresIn"], shown["page"]) == (3600, page)
            assert png_size(await fetch(client, shown["previewUrl"], "image/png"))[0] > 0
        assert data(await client.get(f"{API}/designs/dsg_invoice/preview"), 200)["page"] == 0
        for outside in ("2", "-1"):
            error(
                await client.get(f"{API}/designs/dsg_shipping_label/preview?page={outside}"),
                400,
                "INVALID_INPUT",
            )
        error(await client.get(f"{API}/designs/design_abc123/preview?page=0"), 404, "DESIGN_NOT_FOUND")
        assert mock.workspace["credits"] == 100


async def test_an_inline_data_image_is_stored_as_an_upload(revision: str) -> None:
    """C1's assets page and C2's designs page: a `data:` source becomes an upload, so the tree never
    carries the bytes; a page background image is treated the same way."""
    async with session(revision) as (_, client):
        inline = "data:image/png;base64," + base64.b64encode(png(30, 20)).decode()
        design_id = await create(client, name="Inline")
        image = {"type": "image", "name": "pic", "position": {"x": 10, "y": 10, "w": 60, "h": 40}}
        await patch_tree(
            client,
            design_id,
            [
                {"type": "add_element", "args": {**image, "data": {"src": inline}}},
                {"type": "set_page_background", "args": {"page": 0, "backgroundImage": inline}},
            ],
        )
        raw = await tree(client, design_id)
        (node,) = raw["nodes"].values()
        assert node["data"]["src"].startswith("uploads:upl_")
        assert raw["pages"][0]["background"]["backgroundImage"] == node["data"]["src"]
        assert "base64" not in json.dumps(raw)
        made = data(await client.post(f"{API}/designs/{design_id}/generate"), 201)
        assert b"/Subtype /Image" in pdf_text(await fetch(client, made["downloadUrl"], "application/pdf"))


@pytest.mark.parametrize(
    "inline",
    [
        "data:image/png;base64," + base64.b64encode(b"not an image").decode(),
        "data:image/svg+xml," + quote(SVG_BLANK.decode()),
        "data:image/png;base64,***",
    ],
    ids=["not-an-image", "blank-svg", "bad-base64"],
)
async def test_a_refused_inline_image_fails_the_whole_patch(revision: str, inline: str) -> None:
    async with session(revision) as (_, client):
        design_id = await create(client, name="Inline")
        before = await tree(client, design_id)
        image = {"type": "image", "name": "pic", "position": {"x": 10, "y": 10, "w": 60, "h": 40}}
        actions = [QUICKSTART_ACTIONS[0], {"type": "add_element", "args": {**image, "data": {"src": inline}}}]
        response = await client.patch(f"{API}/designs/{design_id}/tree", json={"actions": actions})
        message = error(response, 400, "VALIDATION_ERROR")
        # The docs' form for a failing action, naming the one that sent the image, and where it went once.
        assert message.startswith("actions[1] (add_element) failed: element 'pic' data.src: "), message
        assert message.count("data.src") == 1, message
        assert await tree(client, design_id) == before


async def test_an_inline_svg_of_one_colour_is_a_page_background(revision: str) -> None:
    async with session(revision) as (_, client):
        design_id = await create(client, name="Swatch")
        swatch = "data:image/svg+xml," + quote(SVG_SWATCH.decode())
        action = {"type": "set_page_background", "args": {"page": 0, "backgroundImage": swatch}}
        await patch_tree(client, design_id, [action])
        raw = await tree(client, design_id)
        assert raw["pages"][0]["background"]["backgroundImage"].startswith("uploads:upl_")


# --- batch ------------------------------------------------------------------------------------------


async def test_batch_replays_the_batch_pages_loop(revision: str) -> None:
    """The batch page's example rows (one key the design does not have is ignored), polled and downloaded."""
    async with session(revision) as (mock, client):
        rows = [
            {"invoice_number": "INV-001", "customer_name": "Acme Corp", "amount": "$100"},
            {"invoice_number": "INV-002", "customer_name": "Globex Inc", "amount": "$250"},
        ]
        queued = data(await client.post(f"{API}/designs/dsg_invoice/batch", json={"rows": rows}), 202)
        shaped(queued, {"jobId": str, "status": str, "total": int, "designId": str})
        assert (queued["status"], queued["total"], queued["designId"]) == ("queued", 2, "dsg_invoice")
        assert mock.workspace["credits"] == 98
        status = data(await client.get(f"{API}/batches/{queued['jobId']}"), 200)
        shaped(status, JOB_STATUS)
        assert (status["status"], status["completed"], status["failed"]) == ("completed", 2, 0)
        link = data(await client.get(f"{API}/batches/{queued['jobId']}/download"), 200)
        shaped(link, {"downloadUrl": str, "expiresIn": int})  # `downloadUrl`, no longer A's `url`
        members = zip_members(await fetch(client, link["downloadUrl"], "application/zip"))
        assert len(members) == 2
        assert all(name.endswith(".pdf") for name in members)
        texts = sorted(pdf_text(pdf) for pdf in members.values())
        assert sum(b"Acme Corp" in text for text in texts) == 1
        assert sum(b"Globex Inc" in text for text in texts) == 1


@pytest.mark.parametrize(("count", "status"), [(0, 400), (1, 202), (100, 202), (101, 400)])
async def test_batch_takes_1_to_100_rows(revision: str, count: int, status: int) -> None:
    async with session(revision) as (mock, client):
        mock.set_credits(200)
        response = await client.post(f"{API}/designs/dsg_certificate/batch", json={"rows": [{}] * count})
        if status == 202:
            assert data(response, 202)["total"] == count
            assert mock.workspace["credits"] == 200 - count
        else:
            error(response, 400, "INVALID_INPUT")
            assert mock.workspace["credits"] == 200


async def test_a_batch_the_credits_do_not_cover_is_refused_whole(revision: str) -> None:
    async with session(revision) as (mock, client):
        mock.set_credits(2)
        rows = {"rows": [{"recipient": name} for name in ("Ada", "Grace", "Edsger")]}
        error(
            await client.post(f"{API}/designs/dsg_certificate/batch", json=rows), 402, "INSUFFICIENT_CREDITS"
        )
        assert mock.workspace["credits"] == 2


async def test_batch_endpoints_need_the_batch_generate_feature(revision: str) -> None:
    async with session(revision) as (mock, client):
        job = data(await client.post(f"{API}/designs/dsg_certificate/batch", json={"rows": [{}]}), 202)[
            "jobId"
        ]
        mock.set_plan(batchGenerate=False)
        for response in (
            await client.post(f"{API}/designs/dsg_certificate/batch", json={"rows": [{}]}),
            await client.get(f"{API}/batches/{job}"),
            await client.get(f"{API}/batches/{job}/download"),
        ):
            error(response, 403, "INSUFFICIENT_PERMISSIONS")
        data(
            await client.post(f"{API}/designs/dsg_certificate/generate"), 201
        )  # single generation is not gated


async def test_batch_errors_for_unknown_designs_and_jobs(revision: str) -> None:
    async with session(revision) as (_, client):
        error(
            await client.post(f"{API}/designs/design_abc123/batch", json={"rows": [{}]}),
            404,
            "DESIGN_NOT_FOUND",
        )
        error(await client.get(f"{API}/batches/job_abc123xyz"), 404, "PDF_NOT_FOUND")
        error(await client.get(f"{API}/batches/job_abc123xyz/download"), 404, "PDF_NOT_FOUND")
        error(await client.post(f"{API}/designs/dsg_invoice/batch", json={}), 400, "MISSING_REQUIRED_FIELD")


async def test_a_batch_renders_the_design_and_rows_as_submitted(revision: str) -> None:
    """Edits made while the job is still queued do not reach its ZIP."""
    async with session(revision, batch_seconds=10) as (mock, client):
        start = mock.session.clock.now()
        freeze(mock, start)
        design_id = await create(client, name="Letter")
        heading = {
            "type": "text",
            "name": "heading",
            "position": {"x": 40, "y": 40},
            "data": {"content": "Old heading"},
        }
        await patch_tree(client, design_id, [{"type": "add_element", "args": heading}, *QUICKSTART_ACTIONS])
        rows = {"rows": [{"customer_name": "Initech"}]}
        job = data(await client.post(f"{API}/designs/{design_id}/batch", json=rows), 202)["jobId"]
        assert data(await client.get(f"{API}/batches/{job}"), 200)["status"] == "queued"
        edits = [
            {"type": "update_element", "args": {"name": "heading", "data": {"content": "New heading"}}},
            {"type": "remove_element", "args": {"name": "customer_name"}},
        ]
        await patch_tree(client, design_id, edits)
        data(await client.patch(f"{API}/designs/{design_id}", json={"name": "Renamed"}), 200)
        freeze(mock, start + timedelta(seconds=10))
        assert data(await client.get(f"{API}/batches/{job}"), 200)["status"] == "completed"
        link = data(await client.get(f"{API}/batches/{job}/download"), 200)["downloadUrl"]
        (pdf,) = zip_members(await fetch(client, link, "application/zip")).values()
        text = pdf_text(pdf)
        assert b"Old heading" in text
        assert b"New heading" not in text
        assert b"Initech" in text


async def test_a_job_is_queued_then_processing_then_completed(revision: str) -> None:
    async with session(revision, batch_seconds=10) as (mock, client):
        start = mock.session.clock.now()
        freeze(mock, start)
        rows = {"rows": [{"recipient": name} for name in ("Ada", "Grace", "Edsger", "Barbara")]}
        job = data(await client.post(f"{API}/designs/dsg_certificate/batch", json=rows), 202)["jobId"]
        seen: list[tuple[str, int]] = []
        for seconds in (0, 5, 10):
            freeze(mock, start + timedelta(seconds=seconds))
            status = data(await client.get(f"{API}/batches/{job}"), 200)
            shaped(status, JOB_STATUS)
            assert status["completed"] + status["failed"] <= status["total"] == 4
            seen.append((status["status"], status["completed"]))
            if status["status"] != "completed":
                error(await client.get(f"{API}/batches/{job}/download"), 404, "PDF_NOT_FOUND")
        assert seen[0] == ("queued", 0)
        assert seen[1][0] == "processing"
        assert 0 < seen[1][1] < 4
        assert seen[2] == ("completed", 4)
        link = data(await client.get(f"{API}/batches/{job}/download"), 200)["downloadUrl"]
        assert len(zip_members(await fetch(client, link, "application/zip"))) == 4


async def test_the_zip_holds_one_pdf_per_successful_row(revision: str) -> None:
    async with session(revision) as (_, client):
        rows = [
            {"customer_name": "Acme Corp"},
            {"items": "not a table"},
            "not an object",
            {"customer_name": "Hooli"},
        ]
        job = data(await client.post(f"{API}/designs/dsg_invoice/batch", json={"rows": rows}), 202)["jobId"]
        status = data(await client.get(f"{API}/batches/{job}"), 200)
        assert (status["status"], status["total"], status["completed"], status["failed"]) == (
            "completed",
            4,
            2,
            2,
        )
        link = data(await client.get(f"{API}/batches/{job}/download"), 200)["downloadUrl"]
        members = zip_members(await fetch(client, link, "application/zip"))
        assert len(members) == 2
        texts = b"".join(pdf_text(pdf) for pdf in members.values())
        assert b"Acme Corp" in texts
        assert b"Hooli" in texts


# --- links ------------------------------------------------------------------------------------------


async def test_expired_and_tampered_links_answer_storage_xml_not_the_envelope(revision: str) -> None:
    async with session(revision) as (mock, client):
        made = data(await client.post(f"{API}/designs/dsg_invoice/generate"), 201)["downloadUrl"]
        shown = data(await client.get(f"{API}/designs/dsg_invoice/preview"), 200)["previewUrl"]
        tampered = made[:-4] + ("0000" if not made.endswith("0000") else "1111")
        assert storage_error(await client.get(tampered)) == "SignatureDoesNotMatch"
        assert (await client.get(made)).status_code == 200
        freeze(mock, mock.session.clock.now() + timedelta(seconds=3600))  # expiresIn has run out
        # C2's generate link is the Google Cloud Storage form; every other link is storage.imaginepdf.com's.
        assert storage_error(await client.get(made)) == (
            "AccessDenied" if revision == "C1" else "ExpiredToken"
        )
        assert storage_error(await client.get(shown)) == "AccessDenied"


def storage_error(response: Any) -> str | None:
    """The storage's XML error code of a 403, after checking it is XML and not the API's envelope."""
    assert response.status_code == 403, response.text
    assert "xml" in response.headers["content-type"]
    assert not response.text.lstrip().startswith("{")
    return ElementTree.fromstring(response.content).findtext("Code")


async def test_a_batch_download_issues_a_fresh_link_after_the_last_one_expired(revision: str) -> None:
    async with session(revision) as (mock, client):
        job = data(await client.post(f"{API}/designs/dsg_certificate/batch", json={"rows": [{}]}), 202)[
            "jobId"
        ]
        first = data(await client.get(f"{API}/batches/{job}/download"), 200)["downloadUrl"]
        freeze(mock, mock.session.clock.now() + timedelta(seconds=3600))
        assert storage_error(await client.get(first)) == "AccessDenied"
        second = data(await client.get(f"{API}/batches/{job}/download"), 200)["downloadUrl"]
        assert second != first
        assert len(zip_members(await fetch(client, second, "application/zip"))) == 1
