"""Revisions B1 and B2's contract, in-process: actions authoring, the catalogs, A's other routes."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mockserver import MockAsgi

from .contract_checks import (
    ASSET,
    DESIGN_WITH_TREE,
    GENERATED,
    PREVIEW,
    QUEUED,
    STATUS,
    UPDATED,
    data,
    error,
    pdf_text_of_design,
    png,
    png_size,
    same_aspect,
    shape,
)

pytestmark = pytest.mark.anyio

CREATED = {"designId": str, "name": str, "description": str, "createdAt": str}
BOX = {"x": "number", "y": "number", "w": "number", "h": "number"}
PLACED = {"id": str, "name": str, "type": str, "position": BOX}
MINTED = re.compile(r"^text-[0-9a-z]+$")
TITLE: dict[str, Any] = {
    "type": "add_element",
    "args": {
        "type": "text",
        "name": "title",
        "position": {"x": 48, "y": 48},
        "data": {"content": "INVOICE"},
        "styles": {"fontSize": 24, "bold": True},
    },
}  # the B1 designs page's example action
B2_TITLE = {**TITLE, "args": {**TITLE["args"], "styles": {"fontSize": 24, "fontWeight": 700}}}
DOCS_PATCH = [
    {"type": "update_element", "args": {"name": "title", "data": {"content": "INVOICE #2026-001"}}},
    {"type": "bind_variable", "args": {"name": "title"}},
]  # the B designs page's PATCH example
B_ACTIONS = {
    "add_element", "update_element", "remove_element", "reorder_element", "bind_variable",
    "unbind_variable", "add_page", "set_page_background", "set_document_background", "set_metadata",
}  # fmt: skip


@pytest.fixture(scope="module")
def mock() -> MockAsgi:
    return MockAsgi(batch_seconds=0)


@pytest.fixture(params=["B1", "B2"])
async def api(request: pytest.FixtureRequest, mock: MockAsgi) -> AsyncIterator[httpx.AsyncClient]:
    """A client of revision B1 or B2 (the test's parameter), the demo workspace fresh."""
    mock.reset(scenario="default", api_revision=request.param)
    async with mock.client() as client:
        yield client


B1_ONLY = pytest.mark.parametrize("api", ["B1"], indirect=True)
B2_ONLY = pytest.mark.parametrize("api", ["B2"], indirect=True)


async def fetch(mock: MockAsgi, url: str) -> bytes:
    """A plain GET of a presigned link, without the key."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app)) as plain:
        response = await plain.get(url)
    assert response.status_code == 200, response.text
    return response.content


def add(
    kind: str, name: str, position: dict[str, Any], content: dict[str, Any], **styles: Any
) -> dict[str, Any]:
    """An add_element action (styles as keywords)."""
    args = {"type": kind, "name": name, "position": position, "data": content, "styles": styles}
    return {"type": "add_element", "args": args}


async def new_design(api: httpx.AsyncClient, name: str = "Invoice") -> str:
    body = {"name": name, "description": "Standard invoice template"}
    created = data(await api.post("/api/v1/designs", json=body), 201)
    return str(created["designId"])


def title_action(mock: MockAsgi) -> dict[str, Any]:
    """The docs' INVOICE title, with the weight key its revision takes."""
    return TITLE if mock.api_revision == "B1" else B2_TITLE


async def pdf_text(api: httpx.AsyncClient, mock: MockAsgi, design_id: str, values: dict[str, Any]) -> str:
    generated = data(await api.post(f"/api/v1/generate?design={design_id}", json={"data": values}), 201)
    shape(generated, GENERATED)
    config = data(await api.get(f"/api/v1/designs/{design_id}"), 200)["config"]
    return pdf_text_of_design(config, await fetch(mock, generated["downloadUrl"]))


# --- create ------------------------------------------------------------------------------------------


@B1_ONLY
async def test_b1_create_applies_the_docs_example_actions(api: httpx.AsyncClient) -> None:
    body = {"name": "Invoice", "description": "Standard invoice template", "actions": [TITLE]}
    created = data(await api.post("/api/v1/designs", json=body), 201)
    shape(created, {**CREATED, "results": list})
    (result,) = created["results"]
    shape(result, {"type": str, "status": str, "data": PLACED})
    assert (result["type"], result["status"]) == ("add_element", "success")
    placed = result["data"]
    assert MINTED.match(placed["id"])
    assert (placed["name"], placed["type"]) == ("title", "text")
    assert (placed["position"]["x"], placed["position"]["y"], placed["position"]["h"]) == (48, 48, 36)
    assert placed["position"]["w"] > 0
    design = data(await api.get(f"/api/v1/designs/{created['designId']}"), 200)
    shape(design, DESIGN_WITH_TREE)
    assert [(p["width"], p["height"]) for p in design["config"]["pages"]] == [(595.28, 841.89)]
    assert design["config"]["nodes"][placed["id"]]["name"] == "title"
    bare = data(await api.post("/api/v1/designs", json={"name": "Blank"}), 201)
    assert bare["results"] is None


async def test_b2_and_later_refuse_actions_on_create() -> None:
    """A B1 client's create with actions, against B2, C1 and C2: 400, and nothing is created."""
    for revision in ("B2", "C1", "C2"):
        mock = MockAsgi(api_revision=revision)
        async with mock.client() as client:
            body = {"name": "Invoice", "description": "Standard invoice template", "actions": [TITLE]}
            message = error(await client.post("/api/v1/designs", json=body), 400, "VALIDATION_ERROR")
            assert "actions" in message
            assert len(mock.workspace["designs"]) == 3


@B2_ONLY
async def test_b2_create_only_allocates(api: httpx.AsyncClient) -> None:
    body = {"name": "Invoice", "description": "Standard invoice template"}
    created = data(await api.post("/api/v1/designs", json=body), 201)
    shape(created, CREATED)  # no results key at all
    design = data(await api.get(f"/api/v1/designs/{created['designId']}"), 200)
    assert [(p["width"], p["height"]) for p in design["config"]["pages"]] == [(595.28, 841.89)]
    assert design["config"]["nodes"] == {}


# --- patch with actions ------------------------------------------------------------------------------


async def test_patch_authors_the_docs_examples(api: httpx.AsyncClient, mock: MockAsgi) -> None:
    design_id = await new_design(api)
    first = data(await api.patch(f"/api/v1/designs/{design_id}", json={"actions": [title_action(mock)]}), 200)
    shape(first, UPDATED)
    placed = first["results"][0]["data"]
    shape(placed, PLACED)
    assert placed["position"]["h"] == 36
    patched = data(await api.patch(f"/api/v1/designs/{design_id}", json={"actions": DOCS_PATCH}), 200)
    shape(patched, UPDATED)
    assert [(r["type"], r["status"]) for r in patched["results"]] == [
        ("update_element", "success"),
        ("bind_variable", "success"),
    ]
    assert patched["results"][0]["data"]["id"] == placed["id"]
    assert (
        patched["results"][0]["data"]["position"]["w"] > placed["position"]["w"]
    )  # the box follows the text
    design = data(await api.get(f"/api/v1/designs/{design_id}"), 200)
    assert design["variables"]["title"]["type"] == "text"
    assert design["config"]["nodes"][placed["id"]]["data"]["content"] == "INVOICE #2026-001"
    text = await pdf_text(api, mock, design_id, {"title": "INVOICE #2026-777"})
    assert "INVOICE #2026-777" in text
    assert "INVOICE #2026-001" not in text  # the value replaces the design-time content
    assert "INVOICE #2026-001" in await pdf_text(api, mock, design_id, {})


async def test_elements_are_addressed_by_name_or_id_exactly_one(
    api: httpx.AsyncClient, mock: MockAsgi
) -> None:
    design_id = await new_design(api)
    path = f"/api/v1/designs/{design_id}"
    minted = data(await api.patch(path, json={"actions": [title_action(mock)]}), 200)["results"][0]["data"][
        "id"
    ]
    by_id = {"type": "update_element", "args": {"id": minted, "data": {"content": "BY ID"}}}
    assert (
        data(await api.patch(path, json={"actions": [by_id]}), 200)["results"][0]["data"]["name"] == "title"
    )
    both = {"type": "update_element", "args": {"id": minted, "name": "title", "data": {"content": "x"}}}
    neither = {"type": "update_element", "args": {"data": {"content": "x"}}}
    for action in (both, neither):
        message = error(await api.patch(path, json={"actions": [action]}), 400, error_code(action))
        assert message.startswith("actions[0] (update_element) failed:")


def error_code(action: dict[str, Any]) -> str:
    return "MISSING_REQUIRED_FIELD" if set(action["args"]) == {"data"} else "VALIDATION_ERROR"


async def test_a_failing_action_saves_nothing_and_names_its_index(
    api: httpx.AsyncClient, mock: MockAsgi
) -> None:
    design_id = await new_design(api)
    path = f"/api/v1/designs/{design_id}"
    data(await api.patch(path, json={"actions": [title_action(mock)]}), 200)
    before = data(await api.get(path), 200)
    actions = [DOCS_PATCH[0], {"type": "bind_variable", "args": {"name": "titel"}}]
    message = error(await api.patch(path, json={"actions": actions}), 400, "INVALID_INPUT")
    assert message.startswith("actions[1] (bind_variable) failed: ")
    assert "title" in message
    assert data(await api.get(path), 200) == before


async def test_sizes_are_derived(api: httpx.AsyncClient) -> None:
    design_id = await new_design(api)
    path = f"/api/v1/designs/{design_id}"
    actions = [
        add("text", "body", {"x": 48, "y": 100, "maxWidth": 200}, {"content": "A paragraph that will wrap."}),
        add("table", "items", {"x": 48, "y": 300},
            {"columnWidths": [100, 50, 80], "cells": [["Item", "Qty", "Price"], ["Pen", "1", "2"]]}),
        add("qr", "code", {"x": 400, "y": 48, "size": 90}, {"content": "https://example.com"}),
        add("shape", "box", {"x": 0, "y": 0, "w": 20, "h": 10}, {"shapeType": "rectangle"}),
    ]  # fmt: skip
    results = data(await api.patch(path, json={"actions": actions}), 200)["results"]
    text, table, qr, box = (r["data"]["position"] for r in results)
    assert text["w"] == 200
    assert text["h"] > 36  # wrapped
    assert table["w"] == 230
    assert (qr["w"], qr["h"]) == (90, 90)
    assert (box["w"], box["h"]) == (20, 10)
    sized = add("text", "t2", {"x": 1, "y": 1, "w": 100}, {"content": "x"})
    assert "maxWidth" in error(await api.patch(path, json={"actions": [sized]}), 400, "VALIDATION_ERROR")


async def test_bold_is_b1_and_font_weight_is_b2(api: httpx.AsyncClient, mock: MockAsgi) -> None:
    design_id = await new_design(api)
    bold = await api.patch(f"/api/v1/designs/{design_id}", json={"actions": [TITLE]})
    if mock.api_revision == "B1":
        data(bold, 200)
    else:
        assert "fontWeight" in error(bold, 400, "VALIDATION_ERROR")
        data(await api.patch(f"/api/v1/designs/{design_id}", json={"actions": [B2_TITLE]}), 200)


# --- catalogs ----------------------------------------------------------------------------------------


async def test_the_actions_catalog_replaces_tools(api: httpx.AsyncClient) -> None:
    catalog = data(await api.get("/api/v1/actions"), 200)
    shape(catalog, {"actions": list})
    for action in catalog["actions"]:
        shape(action, {"name": str, "description": str, "args": dict})
    assert {action["name"] for action in catalog["actions"]} == B_ACTIONS
    error(await api.get("/api/v1/tools"), 404, "NOT_FOUND")


async def test_the_fonts_catalog(api: httpx.AsyncClient) -> None:
    fonts = data(await api.get("/api/v1/fonts"), 200)["fonts"]
    by_id = {font["id"]: font for font in fonts}
    inter = {"id": "Inter", "class": "sans", "source": "google", "weights": [400, 500, 600, 700]}
    assert by_id["Inter"] == {**inter, "tags": ["recommended"]}
    assert by_id["Playfair Display"] == {
        "id": "Playfair Display",
        "class": "serif",
        "source": "google",
        "weights": [400, 700],
    }
    for font in fonts:
        optional = {"tags": list} if "tags" in font else {}
        shape(font, {"id": str, "class": str, "source": str, "weights": list, **optional})
    assert {"Poppins", "DM Sans", "Source Serif 4"} <= set(by_id)


# --- A's other routes, unchanged in B ----------------------------------------------------------------


async def test_generate_preview_and_batch_keep_the_query_routes(
    api: httpx.AsyncClient, mock: MockAsgi
) -> None:
    text = await pdf_text(api, mock, "dsg_invoice", {"customer_name": "Acme Corp"})
    assert "Acme Corp" in text
    preview = data(await api.get("/api/v1/preview?design=dsg_shipping_label&page=1"), 200)
    shape(preview, PREVIEW)
    page = data(await api.get("/api/v1/designs/dsg_shipping_label"), 200)["config"]["pages"][1]
    assert same_aspect(png_size(await fetch(mock, preview["previewUrl"])), page["width"], page["height"])
    rows = [{"customer_name": "Acme Corp"}, {"customer_name": "Globex Inc"}]
    queued = data(await api.post("/api/v1/batch/generate?design=dsg_invoice", json={"rows": rows}), 202)
    shape(queued, QUEUED)
    shape(data(await api.get(f"/api/v1/batch/{queued['jobId']}/status"), 200), STATUS)
    download = data(await api.get(f"/api/v1/batch/{queued['jobId']}/download"), 200)
    shape(download, {"url": str, "expiresIn": int})
    with zipfile.ZipFile(io.BytesIO(await fetch(mock, download["url"]))) as bundle:
        assert len(bundle.namelist()) == 2
    error(await api.post("/api/v1/generate"), 400, "VALIDATION_ERROR")
    error(await api.post("/api/v1/generate?design=dsg_nope", json={}), 404, "DESIGN_NOT_FOUND")
    mock.set_credits(0)
    error(await api.post("/api/v1/generate?design=dsg_invoice", json={}), 402, "INSUFFICIENT_CREDITS")
    mock.set_plan(batchGenerate=False)
    error(
        await api.post("/api/v1/batch/generate?design=dsg_invoice", json={"rows": [{}]}),
        403,
        "INSUFFICIENT_PERMISSIONS",
    )
    for method, path in [
        ("POST", "/api/v1/designs/dsg_invoice/generate"),
        ("GET", "/api/v1/designs/dsg_invoice/preview"),
        ("GET", "/api/v1/designs/dsg_invoice/tree"),
        ("POST", "/api/v1/uploads"),
        ("GET", "/api/v1/me"),
    ]:
        error(await api.request(method, path), 404, "NOT_FOUND")


async def test_assets_are_as_in_a(api: httpx.AsyncClient, mock: MockAsgi) -> None:
    placeholder = data(
        await api.post("/api/v1/assets/placeholder", json={"name": "Logo", "label": "LOGO"}), 201
    )
    shape(placeholder, ASSET)
    assert placeholder["isPlaceholder"] is True
    files = {"file": ("logo.png", png(200, 100), "application/octet-stream")}
    replaced = data(await api.put(f"/api/v1/assets/{placeholder['id']}/content", files=files), 200)
    assert (replaced["ref"], replaced["dimensions"]) == (placeholder["ref"], {"width": 200, "height": 100})
    uploaded = data(await api.post("/api/v1/assets", files=files, data={"name": "Company Logo"}), 201)
    shape(uploaded, ASSET)
    assert data(await api.get(f"/api/v1/assets/{uploaded['id']}"), 200) == uploaded
    assert {placeholder["id"], uploaded["id"]} <= {
        a["id"] for a in data(await api.get("/api/v1/assets"), 200)["items"]
    }
    image = add("image", "logo", {"x": 400, "y": 40, "w": 100, "h": 50}, {"src": uploaded["ref"]})
    design_id = await new_design(api)
    data(await api.patch(f"/api/v1/designs/{design_id}", json={"actions": [image]}), 200)


# --- the B1-era vendor client ------------------------------------------------------------------------


@B1_ONLY
async def test_the_b1_era_vendor_client_replayed(api: httpx.AsyncClient, mock: MockAsgi) -> None:
    """Plugin 0.1.0: catalogs, a gallery-style create with actions (bold, font names, a table), generate."""
    headers = {"Content-Type": "application/json"}  # sent on every JSON call, GET included
    assert "add_element" in {
        a["name"] for a in data(await api.get("/api/v1/actions", headers=headers), 200)["actions"]
    }
    assert "Poppins" in {f["id"] for f in data(await api.get("/api/v1/fonts", headers=headers), 200)["fonts"]}
    table = {
        "rows": 2,
        "columns": 3,
        "columnWidths": [255, 120, 120],
        "template": "headerRow",
        "headerRow": True,
        "cells": [["Item", "Qty", "Amount"], ["Widget", "1", "$9"]],
    }
    actions = [
        add("shape", "band", {"x": 0, "y": 0, "w": 595.28, "h": 120}, {"shapeType": "rectangle"},
            fill="#0B1220"),
        add("text", "company", {"x": 50, "y": 40}, {"content": "Northwind Traders"},
            fontFamily="Poppins", fontSize=24, bold=True, color="#FFFFFF"),
        add("text", "bill_to_name", {"x": 50, "y": 160, "maxWidth": 260}, {"content": "Sample Customer"},
            fontFamily="Inter", fontSize=13),
        add("table", "line_items", {"x": 50, "y": 220}, table),
        {"type": "bind_variable", "args": {"name": "bill_to_name"}},
        {"type": "bind_variable", "args": {"name": "line_items"}},
    ]  # fmt: skip
    body = {"name": "Invoice", "description": "Gallery invoice", "actions": actions}
    created = data(await api.post("/api/v1/designs", json=body, headers=headers), 201)
    assert len(created["results"]) == len(actions)
    design_id = created["designId"]
    design = data(await api.get(f"/api/v1/designs/{design_id}", headers=headers), 200)
    assert set(design["variables"]) == {"bill_to_name", "line_items"}
    rename = {"type": "update_element", "args": {"name": "company", "data": {"content": "Northwind Ltd"}}}
    body = {"name": "Invoice v2", "actions": [rename]}
    patched = data(await api.patch(f"/api/v1/designs/{design_id}", json=body, headers=headers), 200)
    assert patched["name"] == "Invoice v2"
    values = {
        "bill_to_name": "Acme Corp",
        "line_items": [["Item", "Qty", "Amount"], ["Gadget", "3", "$27"], ["Gizmo", "1", "$5"]],
    }
    text = await pdf_text(api, mock, design_id, values)
    for expected in ("Acme Corp", "Gadget", "Gizmo", "Northwind Ltd"):
        assert expected in text
    assert "Sample Customer" not in text
    assert "Widget" not in text
