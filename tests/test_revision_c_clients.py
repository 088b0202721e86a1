"""The C-era vendor client's requests (revisions.md §3.5.6) replayed against C2, and a C client
against the older revisions (A, B1, B2), where its routes do not exist.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from tests.contract_c import (
    A4,
    API,
    QUICKSTART_ACTIONS,
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
    tree,
)

pytestmark = pytest.mark.anyio


async def first_page(client: Any, design_id: str) -> tuple[float, float]:
    page = (await tree(client, design_id))["pages"][0]
    return page["width"], page["height"]


# --- the C2-era vendor client's requests (revisions.md §3.5.6) --------------------------------------


@pytest.mark.parametrize(("revision", "sheet"), [("C2", (792, 612)), ("C1", A4)])
async def test_the_vendor_clients_design_and_generate_calls(
    revision: str, sheet: tuple[float, float]
) -> None:
    """P@dbcb46e's calls: JSON calls carry Content-Type even on GET, the tree is read raw without it,
    uploads are typed from the extension, generate sends `{data}` without pdfProfile. They succeed in
    C1 too, where create ignores `size`/`orientation` and the page stays A4."""
    async with session(revision) as (_, client):
        json_headers = {"Content-Type": "application/json"}
        assert data(await client.get(f"{API}/actions", headers=json_headers), 200)["actions"]
        assert data(await client.get(f"{API}/fonts", headers=json_headers), 200)["fonts"]
        body = {
            "name": "Price List",
            "description": "Spring prices",
            "size": "Letter",
            "orientation": "landscape",
        }
        design_id = data(await client.post(f"{API}/designs", json=body), 201)["designId"]
        assert (
            data(await client.get(f"{API}/designs/{design_id}", headers=json_headers), 200)["name"]
            == "Price List"
        )
        assert await first_page(client, design_id) == sheet
        upload = data(
            await client.post(
                f"{API}/uploads", files={"file": ("logo.jpg", _jpeg(), "image/jpeg")}, data={"name": "Logo"}
            ),
            201,
        )
        assert upload["mimeType"] == "image/jpeg"
        logo = {"type": "image", "name": "logo", "position": {"x": 36, "y": 36, "w": 120, "h": 60}}
        await patch_tree(
            client,
            design_id,
            [{"type": "add_element", "args": {**logo, "data": {"src": upload["ref"]}}}, *QUICKSTART_ACTIONS],
        )
        update = {"name": "Price List 2026"}
        assert (
            data(await client.patch(f"{API}/designs/{design_id}", json=update), 200)["name"] == update["name"]
        )
        shown = data(await client.get(f"{API}/designs/{design_id}/preview?page=0", headers=json_headers), 200)
        assert png_size(await fetch(client, shown["previewUrl"], "image/png")) > (0, 0)
        made = data(
            await client.post(
                f"{API}/designs/{design_id}/generate", json={"data": {"customer_name": "Umbrella"}}
            ),
            201,
        )
        assert made["filename"] == "Price List 2026.pdf"
        pdf = await fetch(client, made["downloadUrl"], "application/pdf")
        assert media_boxes(pdf) == [sheet]
        assert b"/MarkInfo" not in pdf_text(pdf)  # no pdfProfile: a standard file
        job = data(
            await client.post(f"{API}/designs/{design_id}/batch", json={"rows": [{"customer_name": "A"}]}),
            202,
        )
        assert (
            data(await client.get(f"{API}/batches/{job['jobId']}", headers=json_headers), 200)["status"]
            == "completed"
        )
        assert "downloadUrl" in data(await client.get(f"{API}/batches/{job['jobId']}/download"), 200)


async def test_the_vendor_clients_two_sided_id_card() -> None:
    """P@aa2ccec's id_card gallery pattern: size the first page with update_page, append the back with
    add_page {width, height}, put back-side elements on `page: 1`, bind text and barcode, fill both."""
    async with session("C2") as (_, client):
        design_id = await create(client, name="Staff Badge")

        def text(name: str, x: float, y: float, content: str, page: int = 0) -> dict[str, Any]:
            args = {"type": "text", "name": name, "position": {"x": x, "y": y}, "data": {"content": content}}
            return {
                "type": "add_element",
                "args": {**args, "styles": {"fontFamily": "Inter", "fontSize": 9}}
                | ({"page": page} if page else {}),
            }

        barcode = {
            "type": "barcode",
            "name": "badge_code",
            "page": 1,
            "position": {"x": 40, "y": 50, "w": 160, "h": 44},
            "data": {"content": "BX-0001", "format": "CODE128"},
        }
        actions = [
            {"type": "update_page", "args": {"page": 0, "width": 243, "height": 153}},
            text("holder", 80, 40, "Sample Person"),
            text("badge_no", 80, 90, "BX-0001"),
            {"type": "add_page", "args": {"width": 243, "height": 153}},
            text("back_note", 20, 110, "Return to reception if found", page=1),
            {"type": "add_element", "args": barcode},
            *(
                {"type": "bind_variable", "args": {"name": name}}
                for name in ("holder", "badge_no", "badge_code")
            ),
        ]
        answer = await patch_tree(client, design_id, actions)
        assert all(result["status"] == "success" for result in answer["results"])
        raw = await tree(client, design_id)
        assert [(p["width"], p["height"]) for p in raw["pages"]] == [(243, 153), (243, 153)]
        assert set(raw["variables"]) == {"holder", "badge_no", "badge_code"}
        for page in (0, 1):
            shown = data(await client.get(f"{API}/designs/{design_id}/preview?page={page}"), 200)
            width, height = png_size(await fetch(client, shown["previewUrl"], "image/png"))
            assert abs(width / height - 243 / 153) < 0.02  # the card's landscape shape
        values = {"holder": "Jordan Lee", "badge_no": "BX-2042", "badge_code": "BX-2042"}
        made = data(await client.post(f"{API}/designs/{design_id}/generate", json={"data": values}), 201)
        pdf = await fetch(client, made["downloadUrl"], "application/pdf")
        assert media_boxes(pdf) == [(243, 153), (243, 153)]
        assert b"Jordan Lee" in pdf_text(pdf)
        assert b"Sample Person" not in pdf_text(pdf)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(png(60, 30))).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


# --- a C client against the older revisions ---------------------------------------------------------


@pytest.mark.parametrize("older", ["A", "B1", "B2"])
@pytest.mark.parametrize(
    "route",
    [
        "POST /designs/dsg_invoice/generate",
        "GET /designs/dsg_invoice/preview",
        "POST /designs/dsg_invoice/batch",
        "GET /batches/job_abc123xyz",
        "GET /batches/job_abc123xyz/download",
        "POST /uploads",
        "GET /designs/dsg_invoice/tree",
        "PATCH /designs/dsg_invoice/tree",
        "GET /me",
    ],
)
async def test_c_routes_are_404_in_older_revisions(older: str, route: str) -> None:
    async with session(older) as (mock, client):
        method, path = route.split(" ")
        body: dict[str, Any] = (
            {"actions": QUICKSTART_ACTIONS} if method == "PATCH" else {"data": {}, "rows": [{}]}
        )
        error(await client.request(method, f"{API}{path}", json=body), 404, "NOT_FOUND")
        assert mock.workspace["credits"] == 100
