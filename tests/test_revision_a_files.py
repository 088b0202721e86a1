"""Revision A's contract: generate, preview and batch, and the files their links serve."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from mockserver import MockServer

from .contract_checks import (
    DEMO_KEY,
    GENERATED,
    PREVIEW,
    QUEUED,
    STAMP,
    STATUS,
    data,
    error,
    fetch,
    pdf_pages,
    pdf_text_of_design,
    png_size,
    same_aspect,
    shape,
)

KEY = {"X-API-Key": DEMO_KEY}


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    """A real server answering revision A (batches complete at once)."""
    with MockServer(batch_seconds=0, api_revision="A") as mock:
        yield mock


def credits(server: MockServer) -> int:
    return server.app.sessions.get().workspace.credits


def check_pdf_matches(api: httpx.Client, design_id: str, pdf: bytes) -> str:
    """The PDF has the design's pages at their sizes; returns all of its text."""
    return pdf_text_of_design(data(api.get(f"/api/v1/designs/{design_id}"), 200)["config"], pdf)


# --- generate and preview ----------------------------------------------------------------------------


def test_generate_costs_one_credit_and_the_pdf_is_the_design_filled(
    server: MockServer, api: httpx.Client
) -> None:
    before = credits(server)
    body = {"data": {"customer_name": "Ada Lovelace", "items": [["Pen", "2", None]]}}
    generated = data(api.post("/api/v1/generate", params={"design": "dsg_invoice"}, json=body), 201)
    shape(generated, GENERATED)
    assert generated["designId"] == "dsg_invoice"
    assert generated["filename"] == "Invoice.pdf"
    assert (generated["expiresIn"], generated["status"]) == (3600, "completed")
    assert credits(server) == before - 1
    pdf = fetch(generated["downloadUrl"])
    assert pdf.headers["content-type"] == "application/pdf"
    text = check_pdf_matches(api, "dsg_invoice", pdf.content)
    assert "Ada Lovelace" in text
    assert "Pen" in text
    assert "INV-0001" in text  # an unfilled variable keeps its design-time content
    two_pages = data(api.post("/api/v1/generate", params={"design": "dsg_shipping_label"}, json={}), 201)
    assert len(pdf_pages(fetch(two_pages["downloadUrl"]).content)) == 2


@pytest.mark.parametrize(
    ("params", "body", "status", "code"),
    [
        ({}, {}, 400, "VALIDATION_ERROR"),
        ({"design": "dsg_nope"}, {}, 404, "DESIGN_NOT_FOUND"),
        ({"design": "dsg_invoice"}, {"data": "x"}, 400, "VALIDATION_ERROR"),
        ({"design": "dsg_invoice"}, {"data": {"customer_name": 5}}, 400, "VALIDATION_ERROR"),
        ({"design": "dsg_invoice"}, {"data": {"items": ["not", "rows"]}}, 400, "VALIDATION_ERROR"),
        ({"design": "dsg_invoice"}, {"data": {"items": [["a"]] * 501}}, 400, "INVALID_INPUT"),
        ({"design": "dsg_shipping_label"}, {"data": {"logo": "assets:nope"}}, 400, "INVALID_INPUT"),
    ],
)
def test_generate_errors_cost_nothing(
    server: MockServer,
    api: httpx.Client,
    params: dict[str, str],
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    before = credits(server)
    error(api.post("/api/v1/generate", params=params, json=body), status, code)
    assert credits(server) == before


def test_generate_malformed_body_is_a_validation_error(api: httpx.Client) -> None:
    headers = {"Content-Type": "application/json"}
    response = api.post("/api/v1/generate", params={"design": "dsg_invoice"}, content=b"{", headers=headers)
    error(response, 400, "VALIDATION_ERROR")


def test_generate_ignores_unknown_variables_and_accepts_an_asset_ref(api: httpx.Client) -> None:
    body = {"data": {"logo": "assets:asset_logo", "not_a_variable": 1}}
    data(api.post("/api/v1/generate", params={"design": "dsg_shipping_label"}, json=body), 201)


def test_running_out_of_credits(server: MockServer, api: httpx.Client) -> None:
    server.app.sessions.get().workspace.credits = 1
    data(api.post("/api/v1/generate", params={"design": "dsg_certificate"}), 201)
    message = error(
        api.post("/api/v1/generate", params={"design": "dsg_certificate"}), 402, "INSUFFICIENT_CREDITS"
    )
    assert message == "Workspace does not have enough credits."
    data(api.get("/api/v1/preview", params={"design": "dsg_certificate"}), 200)  # previews are free
    assert credits(server) == 0


def test_preview_serves_a_png_of_the_page(server: MockServer, api: httpx.Client) -> None:
    before = credits(server)
    preview = data(api.get("/api/v1/preview", params={"design": "dsg_shipping_label", "page": 1}), 200)
    shape(preview, PREVIEW)
    assert (preview["page"], preview["expiresIn"]) == (1, 3600)
    png_file = fetch(preview["previewUrl"])
    assert png_file.headers["content-type"] == "image/png"
    page = data(api.get("/api/v1/designs/dsg_shipping_label"), 200)["config"]["pages"][1]
    assert same_aspect(png_size(png_file.content), page["width"], page["height"])
    first = data(api.get("/api/v1/preview", params={"design": "dsg_invoice"}), 200)
    assert first["page"] == 0  # the default page
    assert same_aspect(png_size(fetch(first["previewUrl"]).content), 595.28, 841.89)
    assert credits(server) == before
    error(
        api.get("/api/v1/preview", params={"design": "dsg_shipping_label", "page": 2}), 400, "INVALID_INPUT"
    )
    error(api.get("/api/v1/preview", params={"design": "dsg_invoice", "page": "x"}), 400, "VALIDATION_ERROR")
    error(api.get("/api/v1/preview"), 400, "VALIDATION_ERROR")
    error(api.get("/api/v1/preview", params={"design": "dsg_nope"}), 404, "DESIGN_NOT_FOUND")


def test_fifty_parallel_generates_with_ten_credits(server: MockServer, api: httpx.Client) -> None:
    server.app.sessions.get().workspace.credits = 10

    def generate(_: int) -> int:
        response = httpx.post(
            f"{server.url}/api/v1/generate", params={"design": "dsg_invoice"}, headers=KEY, timeout=30
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(generate, range(50)))
    assert statuses.count(201) == 10
    assert statuses.count(402) == 40
    assert credits(server) == 0


# --- batch -------------------------------------------------------------------------------------------


def test_batch_the_docs_example_runs_and_downloads_a_zip(server: MockServer, api: httpx.Client) -> None:
    before = credits(server)
    rows = [
        {"invoice_number": "INV-001", "customer_name": "Acme Corp", "amount": "$100"},
        {"invoice_number": "INV-002", "customer_name": "Globex Inc", "amount": "$250"},
        "not a row",
    ]
    queued = data(
        api.post("/api/v1/batch/generate", params={"design": "dsg_invoice"}, json={"rows": rows}), 202
    )
    shape(queued, QUEUED)
    assert (queued["status"], queued["total"], queued["designId"]) == ("queued", 3, "dsg_invoice")
    assert queued["jobId"].startswith("job_")
    assert credits(server) == before - 3
    status = data(api.get(f"/api/v1/batch/{queued['jobId']}/status"), 200)
    shape(status, STATUS)
    assert status["jobId"] == queued["jobId"]
    assert (status["status"], status["completed"], status["failed"], status["total"]) == (
        "completed",
        2,
        1,
        3,
    )
    assert STAMP.match(status["createdAt"])
    assert STAMP.match(status["updatedAt"])
    download = data(api.get(f"/api/v1/batch/{queued['jobId']}/download"), 200)
    shape(download, {"url": str, "expiresIn": int})
    assert download["expiresIn"] == 3600
    with zipfile.ZipFile(io.BytesIO(fetch(download["url"]).content)) as bundle:
        assert bundle.testzip() is None
        texts = [check_pdf_matches(api, "dsg_invoice", bundle.read(name)) for name in bundle.namelist()]
    assert len(texts) == 2
    assert any("Acme Corp" in text and "INV-001" in text for text in texts)
    assert any("Globex Inc" in text and "INV-002" in text for text in texts)


@pytest.mark.parametrize(
    ("params", "body", "status", "code"),
    [
        ({}, {"rows": [{}]}, 400, "VALIDATION_ERROR"),
        ({"design": "dsg_nope"}, {"rows": [{}]}, 404, "DESIGN_NOT_FOUND"),
        ({"design": "dsg_invoice"}, {}, 400, "MISSING_REQUIRED_FIELD"),
        ({"design": "dsg_invoice"}, {"rows": []}, 400, "INVALID_INPUT"),
        ({"design": "dsg_invoice"}, {"rows": {"a": 1}}, 400, "VALIDATION_ERROR"),
        ({"design": "dsg_invoice"}, {"rows": [{}] * 1001}, 400, "INVALID_INPUT"),
    ],
)
def test_batch_request_errors(
    api: httpx.Client, params: dict[str, str], body: dict[str, Any], status: int, code: str
) -> None:
    error(api.post("/api/v1/batch/generate", params=params, json=body), status, code)


def test_batch_is_rejected_whole_without_enough_credits(server: MockServer, api: httpx.Client) -> None:
    server.app.sessions.get().workspace.credits = 2
    body: dict[str, Any] = {"rows": [{}, {}, {}]}
    error(
        api.post("/api/v1/batch/generate", params={"design": "dsg_invoice"}, json=body),
        402,
        "INSUFFICIENT_CREDITS",
    )
    assert credits(server) == 2


def test_every_batch_endpoint_needs_the_plan_feature(server: MockServer, api: httpx.Client) -> None:
    queued = data(
        api.post("/api/v1/batch/generate", params={"design": "dsg_invoice"}, json={"rows": [{}]}), 202
    )
    server.app.sessions.get().workspace.batch_generate = False
    body: dict[str, Any] = {"rows": [{}]}
    for response in (
        api.post("/api/v1/batch/generate", params={"design": "dsg_invoice"}, json=body),
        api.get(f"/api/v1/batch/{queued['jobId']}/status"),
        api.get(f"/api/v1/batch/{queued['jobId']}/download"),
    ):
        error(response, 403, "INSUFFICIENT_PERMISSIONS")
    data(api.post("/api/v1/generate", params={"design": "dsg_invoice"}), 201)  # single generation still works


def test_unknown_jobs(api: httpx.Client) -> None:
    error(api.get("/api/v1/batch/job_nope/status"), 404, "PDF_NOT_FOUND")
    error(api.get("/api/v1/batch/job_nope/download"), 404, "PDF_NOT_FOUND")


def test_storage_links_that_were_never_issued(server: MockServer) -> None:
    for path, code in [
        ("/storage.imaginepdf.com/forged/Invoice.pdf", "AccessDenied"),
        ("/storage.imaginepdf.com/forged/page.png?expires=9999999999&signature=00", "SignatureDoesNotMatch"),
    ]:
        answer = httpx.get(f"{server.url}{path}")
        assert (answer.status_code, answer.headers["content-type"]) == (403, "application/xml")
        assert ElementTree.fromstring(answer.content).findtext("Code") == code


def test_a_tampered_link_is_a_storage_error_not_an_api_error(api: httpx.Client) -> None:
    generated = data(api.post("/api/v1/generate", params={"design": "dsg_invoice"}), 201)
    url = httpx.URL(generated["downloadUrl"])
    assert url.path.startswith("/storage.imaginepdf.com/")
    tampered = httpx.get(url.copy_set_param("signature", "0" * 64))
    assert (tampered.status_code, tampered.headers["content-type"]) == (403, "application/xml")
    assert ElementTree.fromstring(tampered.content).findtext("Code") == "SignatureDoesNotMatch"


def test_a_link_issued_after_a_reset_serves_the_new_file(server: MockServer, api: httpx.Client) -> None:
    """Ids restart with each workspace; a new generation must not be served an older one's file."""
    first = data(api.post("/api/v1/generate", params={"design": "dsg_invoice"}, json={}), 201)
    server.reset()
    second = data(api.post("/api/v1/generate", params={"design": "dsg_certificate"}, json={}), 201)
    assert fetch(second["downloadUrl"]).content != fetch(first["downloadUrl"]).content
    check_pdf_matches(api, "dsg_certificate", fetch(second["downloadUrl"]).content)
    assert "INV-0001" in check_pdf_matches(api, "dsg_invoice", fetch(first["downloadUrl"]).content)
