"""Contract of what only revision C1 does: a lenient create, five-field generate with imaginepdf-style
links, no /me, the C2 actions refused, and a C2-era client's extra fields ignored.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

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
    shaped,
    tree,
    zip_members,
)

pytestmark = pytest.mark.anyio

GENERATED = {"designId": str, "filename": str, "downloadUrl": str, "expiresIn": int, "status": str}


def imaginepdf_link(url: str, filename: str) -> None:
    """A C1 presigned link: the storage.imaginepdf.com form with `expires` and `signature`."""
    link = urlsplit(url)
    assert "/storage.imaginepdf.com/" in link.path
    assert link.path.endswith("/" + filename.replace(" ", "%20"))
    query = parse_qs(link.query)
    assert list(query) == ["expires", "signature"]
    assert not any(name.startswith("X-Goog-") for name in query)


async def test_the_c1_quickstart_as_written() -> None:
    """C1's quickstart step 3 sends the actions to PATCH /designs/:id, which C1's own API page makes
    metadata only: that call is a 400 naming /tree, and the same actions on /tree then succeed."""
    async with session("C1") as (_, client):
        created = data(await client.post(f"{API}/designs", json={"name": "Hello Invoice"}), 201)
        assert list(created) == ["designId", "name", "description", "createdAt"]
        design_id = created["designId"]
        before = await tree(client, design_id)
        stale = await client.patch(f"{API}/designs/{design_id}", json={"actions": QUICKSTART_ACTIONS})
        assert "/tree" in error(stale, 400, "VALIDATION_ERROR")
        assert await tree(client, design_id) == before

        answer = await patch_tree(client, design_id, QUICKSTART_ACTIONS)
        assert [(r["type"], r["status"]) for r in answer["results"]] == [
            ("add_element", "success"),
            ("bind_variable", "success"),
        ]
        added = answer["results"][0]["data"]
        assert list(added) == ["id", "name", "type", "position"]
        assert list(added["position"]) == ["x", "y", "w", "h"]

        body = {"data": {"customer_name": "Globex Inc"}}
        made = data(await client.post(f"{API}/designs/{design_id}/generate", json=body), 201)
        shaped(made, GENERATED)  # five fields: no generationId in C1
        assert (made["filename"], made["expiresIn"], made["status"]) == (
            "Hello Invoice.pdf",
            3600,
            "completed",
        )
        imaginepdf_link(made["downloadUrl"], "Hello Invoice.pdf")
        text = pdf_text(await fetch(client, made["downloadUrl"], "application/pdf"))
        assert b"Globex Inc" in text
        assert b"Acme Corp" not in text

        shown = data(await client.get(f"{API}/designs/{design_id}/preview?page=0"), 200)
        imaginepdf_link(shown["previewUrl"], "preview.png")
        assert png_size(await fetch(client, shown["previewUrl"], "image/png")) > (0, 0)


async def test_the_generate_pages_example() -> None:
    async with session("C1") as (mock, client):
        body = {"data": {"invoice_number": "INV-001", "customer_name": "Acme Corp", "amount": "$1,000.00"}}
        made = data(await client.post(f"{API}/designs/dsg_invoice/generate", json=body), 201)
        shaped(made, GENERATED)
        assert (made["designId"], made["filename"]) == ("dsg_invoice", "Invoice.pdf")
        text = pdf_text(await fetch(client, made["downloadUrl"], "application/pdf"))
        assert b"INV-001" in text
        assert b"Acme Corp" in text
        assert mock.workspace["credits"] == 99


@pytest.mark.parametrize(
    "extra",
    [
        {"size": "A3", "orientation": "landscape"},  # P@dbcb46e's create
        {"prompt": "A price list", "width": 660, "height": 360},  # P@aa2ccec's create
        {"size": "A4", "width": 10},  # a 400 in C2, not in C1
        {"tools": [{"tool": "add_page", "input": {}}], "parentId": "folder_1"},
    ],
    ids=["size-orientation", "prompt-width-height", "size-and-width", "other-keys"],
)
async def test_create_ignores_keys_it_does_not_document(extra: dict[str, Any]) -> None:
    """C1 declares only `actions` refused on create; other keys are ignored and the page stays A4."""
    async with session("C1") as (_, client):
        design_id = await create(client, name="Lenient", description="C2 client", **extra)
        raw = await tree(client, design_id)
        assert [(p["width"], p["height"]) for p in raw["pages"]] == [A4]
        assert data(await client.get(f"{API}/designs/{design_id}"), 200)["description"] == "C2 client"


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ({"type": "update_page", "args": {"page": 0, "width": 243, "height": 153}}, "VALIDATION_ERROR"),
        ({"type": "remove_page", "args": {"page": 0}}, "VALIDATION_ERROR"),
        (
            {
                "type": "add_element",
                "args": {
                    "type": "icon",
                    "name": "star",
                    "position": {"x": 0, "y": 0, "w": 9, "h": 9},
                    "data": {"iconId": "star"},
                },
            },
            "INVALID_INPUT",
        ),
        ({"type": "update_element", "args": {"name": "customer_name", "isHidden": True}}, "VALIDATION_ERROR"),
        ({"type": "update_element", "args": {"name": "customer_name", "isLocked": True}}, "VALIDATION_ERROR"),
    ],
    ids=["update_page", "remove_page", "icon", "isHidden", "isLocked"],
)
async def test_the_c2_only_authoring_is_refused(action: dict[str, Any], code: str) -> None:
    async with session("C1") as (_, client):
        design_id = await create(client, name="Hello Invoice")
        await patch_tree(client, design_id, QUICKSTART_ACTIONS)
        before = await tree(client, design_id)
        body = {"actions": [QUICKSTART_ACTIONS[1], action]}
        message = error(await client.patch(f"{API}/designs/{design_id}/tree", json=body), 400, code)
        assert message.startswith("actions[1]")
        assert await tree(client, design_id) == before


async def test_the_id_card_gallery_pattern_stops_at_update_page() -> None:
    """P@aa2ccec's two-sided card begins with update_page, which C1 does not have: nothing is saved."""
    async with session("C1") as (_, client):
        design_id = await create(client, name="Staff Badge")
        actions = [
            {"type": "update_page", "args": {"page": 0, "width": 243, "height": 153}},
            {"type": "add_page", "args": {"width": 243, "height": 153}},
        ]
        response = await client.patch(f"{API}/designs/{design_id}/tree", json={"actions": actions})
        assert "update_page" in error(response, 400, "VALIDATION_ERROR")
        assert len((await tree(client, design_id))["pages"]) == 1
        await patch_tree(client, design_id, actions[1:])  # add_page {width, height} itself is C1 too
        assert [(p["width"], p["height"]) for p in (await tree(client, design_id))["pages"]] == [
            A4,
            (243, 153),
        ]


@pytest.mark.parametrize("profile", ["accessible", "pdf-a", "not-a-profile"])
async def test_a_c2_clients_pdf_profile_is_ignored(profile: str) -> None:
    async with session("C1") as (mock, client):
        body = {"data": {"customer_name": "Globex Inc"}, "pdfProfile": profile}
        made = data(await client.post(f"{API}/designs/dsg_invoice/generate", json=body), 201)
        shaped(made, GENERATED)
        text = pdf_text(await fetch(client, made["downloadUrl"], "application/pdf"))
        assert b"/MarkInfo" not in text
        assert b"pdfaid:part" not in text
        rows = {"rows": [{"customer_name": "Initech"}], "pdfProfile": profile}
        job = data(await client.post(f"{API}/designs/dsg_invoice/batch", json=rows), 202)["jobId"]
        link = data(await client.get(f"{API}/batches/{job}/download"), 200)["downloadUrl"]
        imaginepdf_link(link, f"{job}.zip")
        (pdf,) = zip_members(await fetch(client, link, "application/zip")).values()
        assert b"/MarkInfo" not in pdf_text(pdf)
        assert mock.workspace["credits"] == 98


async def test_a_font_family_is_not_checked() -> None:
    """C1 documents no font catalog, so it validates no family."""
    async with session("C1") as (_, client):
        design_id = await create(client, name="Fonts")
        args = {**QUICKSTART_ACTIONS[0]["args"], "styles": {"fontFamily": "Comic Sans", "fontSize": 12}}
        await patch_tree(client, design_id, [{"type": "add_element", "args": args}])
        (node,) = (await tree(client, design_id))["nodes"].values()
        assert node["styles"]["fontFamily"] == "Comic Sans"


async def test_there_is_no_me_in_c1() -> None:
    async with session("C1") as (_, client):
        error(await client.get(f"{API}/me"), 404, "NOT_FOUND")


async def test_fonts_are_served_in_the_c2_shape() -> None:
    """C1 lists GET /fonts in its overview but documents no answer; the mock serves C2's catalog."""
    async with session("C1") as (_, client):
        fonts = data(await client.get(f"{API}/fonts"), 200)["fonts"]
        assert {"Inter", "Playfair Display"} <= {font["id"] for font in fonts}
        assert all(list(font)[:4] == ["id", "class", "source", "weights"] for font in fonts)


@pytest.mark.parametrize(
    ("value", "drawn"),
    [
        ("assets:asset_logo", b"(assets:asset_logo) Tj"),  # the seed holds no bytes: a labelled box
        ("upload", b"/Subtype /Image"),
    ],
)
async def test_image_values_take_assets_and_uploads_refs(value: str, drawn: bytes) -> None:
    """C1's variables page names `assets:<id>` values while C1 itself can only make `uploads:` refs;
    both are taken (the seeded assets:asset_logo stands for an editor-library image)."""
    async with session("C1") as (_, client):
        if value == "upload":
            files = {"file": ("logo.webp", _webp(), "image/webp")}
            upload = data(await client.post(f"{API}/uploads", files=files), 201)
            assert upload["mimeType"] == "image/webp"
            value = upload["ref"]
        body = {"data": {"logo": value, "address": "1 Loop Road"}}
        made = data(await client.post(f"{API}/designs/dsg_shipping_label/generate", json=body), 201)
        pdf = await fetch(client, made["downloadUrl"], "application/pdf")
        assert media_boxes(pdf) == [A4, A4]
        assert drawn in pdf_text(pdf)
        assert b"1 Loop Road" in pdf_text(pdf)


def _webp() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png(30, 30))).save(out, format="WEBP")
    return out.getvalue()
