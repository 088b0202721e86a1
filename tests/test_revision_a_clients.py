"""Revision A's contract as its clients use it: the docs' quickstart, the vendor client, other revisions."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockserver import MockAsgi, MockServer

from .contract_checks import (
    DEMO_KEY,
    data,
    error,
    fetch,
    pdf_text_of_design,
    png,
    png_size,
    same_aspect,
)

LOGO = png(200, 100)


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


# --- the docs' quickstart, the vendor client, other revisions -------------------------------------------


def test_the_quickstart_as_written(server: MockServer, api: httpx.Client) -> None:
    """A quickstart: create "Hello Invoice" with tools, generate for Acme Corp, preview page 0."""
    body = {
        "name": "Hello Invoice",
        "tools": [
            {"tool": "add_page", "input": {}},
            {
                "tool": "add_element",
                "input": {
                    "type": "text",
                    "text": "Invoice for {{customer_name}}",
                    "x": 48, "y": 48, "width": 400, "fontSize": 24,
                },
            },
        ],
    }  # fmt: skip
    created = data(api.post("/api/v1/designs", json=body), 201)
    assert created["name"] == "Hello Invoice"
    assert [r["tool"] for r in created["results"]] == ["add_page", "add_element"]
    design_id = created["designId"]
    assert "customer_name" in data(api.get(f"/api/v1/designs/{design_id}"), 200)["variables"]
    before = credits(server)
    values = {"data": {"customer_name": "Acme Corp"}}
    generated = data(api.post(f"/api/v1/generate?design={design_id}", json=values), 201)
    assert generated["filename"] == "Hello Invoice.pdf"
    assert generated["designId"] == design_id
    assert credits(server) == before - 1
    text = check_pdf_matches(api, design_id, fetch(generated["downloadUrl"]).content)
    assert "Invoice for Acme Corp" in " ".join(text.split())
    assert "{{customer_name}}" not in text
    preview = data(api.get(f"/api/v1/preview?design={design_id}&page=0"), 200)
    assert preview["page"] == 0
    assert same_aspect(png_size(fetch(preview["previewUrl"]).content), 595.28, 841.89)
    assert credits(server) == before - 1


class VendorClientA:
    """The requests the Era A vendor client sends: the key and a JSON content type on every JSON call
    (GET included); multipart with no content type of its own; presigned links fetched without a key."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.json = {"X-API-Key": DEMO_KEY, "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = httpx.request(method, self.url + path, headers=self.json, json=body, timeout=10)
        assert response.is_success, response.text
        document = response.json()
        assert document["error"] is None
        return document["data"]

    def form(self, method: str, path: str, name: str, content: bytes, fields: dict[str, str]) -> Any:
        # a Blob without a type: the part's content type is the generic one
        files = {"file": (name, content, "application/octet-stream")}
        response = httpx.request(
            method, self.url + path, headers={"X-API-Key": DEMO_KEY}, files=files, data=fields, timeout=10
        )
        assert response.is_success, response.text
        return response.json()["data"]


def test_the_era_a_vendor_client_replayed(server: MockServer, api: httpx.Client) -> None:
    client = VendorClientA(server.url)
    names = {tool["name"] for tool in client.call("GET", "/api/v1/tools")["tools"]}
    assert {"add_elements", "bind_variables", "set_page_background"} <= names
    tools = [
        {"tool": "set_page_background", "input": {"page": 0, "background": {"color": "#FAF7F2"}}},
        {"tool": "add_elements", "input": {"elements": [
            {"id": "frame", "type": "shape", "position": {"x": 30, "y": 30, "w": 535.28, "h": 781.89},
             "data": {"shapeType": "rectangle"}, "styles": {"fill": "#FFFFFF", "stroke": "#1C1917",
                                                              "strokeWidth": 2, "borderRadius": 4}},
            {"id": "eyebrow", "type": "text", "position": {"x": 80, "y": 150, "w": 435.28, "h": 18},
             "data": {"content": "AWARD OF MERIT"},
             "styles": {"fontFamily": "google:inter", "fontSize": 12, "bold": True, "textAlign": "center"}},
            {"id": "title", "type": "text", "position": {"x": 80, "y": 250, "w": 435.28, "h": 40},
             "data": {"content": "Sample Person"},
             "styles": {"fontFamily": "google:source-serif-4", "fontSize": 34, "italic": True,
                        "color": "#1C1917", "lineHeight": 1.5}},
            {"id": "when", "type": "text", "position": {"x": 110, "y": 676, "w": 160, "h": 18},
             "data": {"content": "1 January 2026"}, "styles": {"fontSize": 13}},
        ]}},
        {"tool": "bind_variables", "input": {"bindings": [
            {"nodeId": "title", "field": "content", "type": "text", "name": "recipient_name"},
            {"nodeId": "when", "field": "content", "type": "text", "name": "date"},
        ]}},
    ]  # fmt: skip
    created = client.call(
        "POST", "/api/v1/designs", {"name": "Award", "description": "An award", "tools": tools}
    )
    design_id = created["designId"]
    assert [r["tool"] for r in created["results"]] == [
        "set_page_background",
        "add_elements",
        "bind_variables",
    ]
    assert [e["id"] for e in created["results"][1]["data"]["elements"]] == [
        "frame",
        "eyebrow",
        "title",
        "when",
    ]
    design = client.call("GET", f"/api/v1/designs/{design_id}")
    assert set(design["variables"]) == {"recipient_name", "date"}
    assert design_id in {d["designId"] for d in client.call("GET", "/api/v1/designs")["items"]}
    placeholder = client.call(
        "POST", "/api/v1/assets/placeholder", {"name": "Seal", "label": "SEAL", "width": 80, "height": 80}
    )
    update = [
        {"tool": "update_elements", "input": {"updates": [
            {"id": "eyebrow", "data": {"content": "CERTIFICATE"}},
        ]}},
        {"tool": "add_elements", "input": {"elements": [
            {"id": "seal", "type": "image", "position": {"x": 257, "y": 560, "w": 80, "h": 80},
             "data": {"src": placeholder["ref"]}, "styles": {}},
        ]}},
        {"tool": "remove_elements", "input": {"ids": ["frame"]}},
    ]  # fmt: skip
    patched = client.call("PATCH", f"/api/v1/designs/{design_id}", {"name": "Award 2026", "tools": update})
    assert patched["name"] == "Award 2026"
    assert len(patched["results"]) == 3
    seal = client.form("PUT", f"/api/v1/assets/{placeholder['id']}/content", "seal.png", png(80, 80), {})
    assert seal["ref"] == placeholder["ref"]
    uploaded = client.form("POST", "/api/v1/assets", "logo.png", LOGO, {"name": "Logo"})
    assert (uploaded["name"], uploaded["mimeType"]) == ("Logo", "image/png")
    preview = client.call("GET", f"/api/v1/preview?design={design_id}&page=0")
    assert same_aspect(png_size(fetch(preview["previewUrl"]).content), 595.28, 841.89)
    generated = client.call(
        "POST", f"/api/v1/generate?design={design_id}", {"data": {"recipient_name": "Grace Hopper"}}
    )
    text = check_pdf_matches(api, design_id, fetch(generated["downloadUrl"]).content)
    assert "Grace Hopper" in text
    assert "CERTIFICATE" in text
    assert "1 January 2026" in text
    assert "Sample Person" not in text
    defaults = client.call("POST", f"/api/v1/generate?design={design_id}", {"data": {}})  # data always sent
    assert "Sample Person" in check_pdf_matches(api, design_id, fetch(defaults["downloadUrl"]).content)
    rows = [{"recipient_name": "Ada"}, {"recipient_name": "Alan", "date": "2 March 2026"}]
    job = client.call("POST", f"/api/v1/batch/generate?design={design_id}", {"rows": rows})
    assert client.call("GET", f"/api/v1/batch/{job['jobId']}/status")["status"] == "completed"
    archive = fetch(client.call("GET", f"/api/v1/batch/{job['jobId']}/download")["url"])
    with zipfile.ZipFile(io.BytesIO(archive.content)) as bundle:
        assert len(bundle.namelist()) == 2


@pytest.mark.anyio
async def test_an_era_a_client_against_the_newest_revision_finds_no_routes() -> None:
    mock = MockAsgi()  # the default: C2
    assert mock.api_revision == "C2"
    async with mock.client() as client:
        calls: list[tuple[str, str, dict[str, Any] | None]] = [
            ("POST", "/api/v1/generate?design=dsg_invoice", {"data": {}}),
            ("GET", "/api/v1/preview?design=dsg_invoice&page=0", None),
            ("POST", "/api/v1/batch/generate?design=dsg_invoice", {"rows": [{}]}),
            ("GET", "/api/v1/tools", None),
            ("GET", "/api/v1/assets", None),
            ("POST", "/api/v1/assets/placeholder", {"name": "Logo"}),
        ]
        for method, path, body in calls:
            error(await client.request(method, path, json=body), 404, "NOT_FOUND")
        form = await client.post(
            "/api/v1/assets", files={"file": ("logo.png", LOGO, "application/octet-stream")}
        )
        error(form, 404, "NOT_FOUND")
        assert mock.workspace["credits"] == 100  # nothing was charged
