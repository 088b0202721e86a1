"""Contract of what only revision C2 does: strict create with paper formats, pdfProfile, generationId,
GET /me, the fonts catalog, update_page/remove_page/icon/isHidden, and the C2-era vendor client's calls.
"""

from __future__ import annotations

import re
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
    png_size,
    session,
    shaped,
    tree,
    zip_members,
)

pytestmark = pytest.mark.anyio

GENERATED = {
    "generationId": str,
    "designId": str,
    "filename": str,
    "downloadUrl": str,
    "expiresIn": int,
    "status": str,
}
PAPER = {
    "A4": A4,
    "A3": (841.89, 1190.55),
    "A5": (419.53, 595.28),
    "Letter": (612, 792),
    "Legal": (612, 1008),
}
GCS_PARAMETERS = [
    "X-Goog-Algorithm",
    "X-Goog-Credential",
    "X-Goog-Date",
    "X-Goog-Expires",
    "X-Goog-SignedHeaders",
    "X-Goog-Signature",
]


async def first_page(client: Any, design_id: str) -> tuple[float, float]:
    page = (await tree(client, design_id))["pages"][0]
    return page["width"], page["height"]


# --- the quickstart and the API pages' examples ------------------------------------------------------


async def test_the_c2_quickstart_as_written() -> None:
    """Create "Hello Invoice", PATCH /tree with add_element + bind_variable, generate, download, preview."""
    async with session("C2") as (_, client):
        created = data(await client.post(f"{API}/designs", json={"name": "Hello Invoice"}), 201)
        assert list(created) == ["designId", "name", "description", "createdAt"]
        design_id = created["designId"]
        answer = await patch_tree(client, design_id, QUICKSTART_ACTIONS)
        assert (answer["designId"], answer["name"]) == (design_id, "Hello Invoice")
        added, bound = answer["results"]
        shaped(added, {"type": str, "status": str, "data": dict})
        assert (added["type"], added["status"], bound["type"], bound["status"]) == (
            "add_element",
            "success",
            "bind_variable",
            "success",
        )
        shaped(added["data"], {"id": str, "name": str, "type": str, "position": dict})
        assert re.fullmatch(r"text-\w+", added["data"]["id"])
        assert (added["data"]["name"], added["data"]["type"]) == ("customer_name", "text")
        box = added["data"]["position"]
        assert list(box) == ["x", "y", "w", "h"]
        assert (box["x"], box["y"]) == (48, 48)
        assert box["w"] > 0
        assert box["h"] > 0
        assert set((await tree(client, design_id))["variables"]) == {"customer_name"}

        body = {"data": {"customer_name": "Globex Inc"}}
        made = data(await client.post(f"{API}/designs/{design_id}/generate", json=body), 201)
        shaped(made, GENERATED)
        assert (made["filename"], made["expiresIn"], made["status"]) == (
            "Hello Invoice.pdf",
            3600,
            "completed",
        )
        text = pdf_text(await fetch(client, made["downloadUrl"], "application/pdf"))
        assert b"Globex Inc" in text
        assert b"Acme Corp" not in text  # the value replaces the sample content

        shown = data(await client.get(f"{API}/designs/{design_id}/preview?page=0"), 200)
        assert png_size(await fetch(client, shown["previewUrl"], "image/png")) > (0, 0)


async def test_the_generate_pages_example_with_the_accessible_profile() -> None:
    async with session("C2") as (mock, client):
        body = {
            "data": {"invoice_number": "INV-001", "customer_name": "Acme Corp", "amount": "$1,000.00"},
            "pdfProfile": "accessible",
        }
        made = data(await client.post(f"{API}/designs/dsg_invoice/generate", json=body), 201)
        shaped(made, GENERATED)
        assert made["generationId"].startswith("gen_")
        text = pdf_text(await fetch(client, made["downloadUrl"], "application/pdf"))
        assert b"INV-001" in text
        assert b"Acme Corp" in text
        assert b"/MarkInfo" in text
        assert mock.workspace["credits"] == 99


async def test_the_create_pages_example_and_the_paper_default() -> None:
    async with session("C2") as (_, client):
        design_id = await create(client, name="Invoice", description="Standard invoice template")
        assert await first_page(client, design_id) == A4


# --- strict create ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"prompt": "An invoice for a design studio"},
        {"actions": QUICKSTART_ACTIONS},
        {"tools": [{"tool": "add_page", "input": {}}]},
        {"parentId": "folder_1"},
        {"Size": "A4"},
    ],
    ids=["prompt", "actions", "era-A-tools", "parentId", "wrong-case"],
)
async def test_create_is_strict_about_unknown_keys(extra: dict[str, Any]) -> None:
    """Every key outside name, description, size, orientation, width and height is a 400.

    `prompt` is what the vendor client P@aa2ccec adds to create: the C2 docs declare the body strict,
    so the real API refuses it, and a mock that took it would hide that failure.
    """
    async with session("C2") as (mock, client):
        message = error(
            await client.post(f"{API}/designs", json={"name": "x", **extra}), 400, "VALIDATION_ERROR"
        )
        assert next(iter(extra)) in message
        assert len(mock.workspace["designs"]) == 3


@pytest.mark.parametrize("size", list(PAPER))
@pytest.mark.parametrize("orientation", [None, "portrait", "landscape"])
async def test_size_and_orientation_set_the_first_page(size: str, orientation: str | None) -> None:
    async with session("C2") as (_, client):
        body = {"name": "Paper", "size": size} | ({"orientation": orientation} if orientation else {})
        width, height = PAPER[size]
        expected = (height, width) if orientation == "landscape" else (width, height)
        assert await first_page(client, await create(client, **body)) == expected


async def test_orientation_alone_turns_the_default_a4() -> None:
    async with session("C2") as (_, client):
        assert (
            await first_page(client, await create(client, name="Wide", orientation="landscape")) == A4[::-1]
        )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"width": 660, "height": 360}, (660, 360)),  # P@aa2ccec's custom sheet
        ({"width": 243, "height": 153, "orientation": "portrait"}, (243, 153)),
        ({"width": 153, "height": 243, "orientation": "landscape"}, (153, 243)),
        ({"width": 14400, "height": 72.5}, (14400, 72.5)),
    ],
)
async def test_custom_width_and_height_are_taken_literally(
    body: dict[str, Any], expected: tuple[float, float]
) -> None:
    async with session("C2") as (_, client):
        design_id = await create(client, name="Ticket", **body)
        assert await first_page(client, design_id) == expected
        made = data(await client.post(f"{API}/designs/{design_id}/generate"), 201)
        assert media_boxes(await fetch(client, made["downloadUrl"], "application/pdf")) == [expected]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"size": "A4", "width": 300, "height": 300}, "VALIDATION_ERROR"),
        ({"size": "Letter", "width": 300}, "VALIDATION_ERROR"),
        ({"size": "A4", "height": 300}, "VALIDATION_ERROR"),
        ({"width": 300}, "MISSING_REQUIRED_FIELD"),
        ({"height": 300}, "MISSING_REQUIRED_FIELD"),
        ({"size": "B5"}, "INVALID_INPUT"),
        ({"size": "a4"}, "INVALID_INPUT"),
        ({"orientation": "sideways"}, "INVALID_INPUT"),
        ({"width": 0, "height": 300}, "INVALID_INPUT"),
        ({"width": 14401, "height": 300}, "INVALID_INPUT"),
        ({"width": "300", "height": 300}, "VALIDATION_ERROR"),
    ],
)
async def test_conflicting_or_bad_paper_is_a_400(body: dict[str, Any], code: str) -> None:
    async with session("C2") as (mock, client):
        error(await client.post(f"{API}/designs", json={"name": "Paper", **body}), 400, code)
        assert len(mock.workspace["designs"]) == 3


# --- C2-only authoring ------------------------------------------------------------------------------


async def test_update_page_add_page_with_page_index_and_remove_page() -> None:
    async with session("C2") as (_, client):
        design_id = await create(client, name="Card")
        answer = await patch_tree(
            client,
            design_id,
            [
                {"type": "update_page", "args": {"page": 0, "width": 243, "height": 153}},
                {"type": "add_page", "args": {"width": 243, "height": 153}},
                {"type": "add_page", "args": {"orientation": "portrait"}},
                {
                    "type": "add_element",
                    "args": {
                        "type": "text",
                        "name": "back",
                        "page": 1,
                        "position": {"x": 10, "y": 10},
                        "data": {"content": "Back side"},
                    },
                },
            ],
        )
        assert [r["status"] for r in answer["results"]] == ["success"] * 4
        raw = await tree(client, design_id)
        assert [(p["width"], p["height"]) for p in raw["pages"]] == [(243, 153), (243, 153), (153, 243)]
        assert [len(p["children"]) for p in raw["pages"]] == [0, 1, 0]
        await patch_tree(client, design_id, [{"type": "remove_page", "args": {"page": 2}}])
        await patch_tree(client, design_id, [{"type": "remove_page", "args": {"page": 1}}])
        raw = await tree(client, design_id)
        assert len(raw["pages"]) == 1
        assert raw["nodes"] == {}  # the page's element went with it
        last = {"actions": [{"type": "remove_page", "args": {"page": 0}}]}
        error(await client.patch(f"{API}/designs/{design_id}/tree", json=last), 400, "INVALID_INPUT")
        assert len((await tree(client, design_id))["pages"]) == 1


async def test_icons_and_hidden_elements() -> None:
    async with session("C2") as (_, client):
        design_id = await create(client, name="Flyer")
        star = {
            "type": "icon",
            "name": "star",
            "position": {"x": 20, "y": 20, "w": 24, "h": 24},
            "data": {"iconId": "star"},
        }
        note = {
            "type": "text",
            "name": "note",
            "position": {"x": 60, "y": 20},
            "data": {"content": "Internal note"},
        }
        answer = await patch_tree(
            client,
            design_id,
            [
                {"type": "add_element", "args": star},
                {"type": "add_element", "args": note},
                {"type": "update_element", "args": {"name": "note", "isHidden": True, "isLocked": True}},
            ],
        )
        assert answer["results"][0]["data"]["type"] == "icon"
        made = data(await client.post(f"{API}/designs/{design_id}/generate"), 201)
        assert b"Internal note" not in pdf_text(await fetch(client, made["downloadUrl"], "application/pdf"))


@pytest.mark.parametrize(
    ("family", "stored"),
    [
        ("Inter", "Inter"),
        ("playfair display", "Playfair Display"),
        ("DM SANS", "DM Sans"),
        ("Comic Sans", None),
    ],
)
async def test_font_family_is_checked_against_the_fonts_catalog(family: str, stored: str | None) -> None:
    """C2: the catalog is closed and styles.fontFamily is validated against it (matched without regard
    to case, kept in the catalog's case)."""
    async with session("C2") as (_, client):
        design_id = await create(client, name="Fonts")
        args = {**QUICKSTART_ACTIONS[0]["args"], "styles": {"fontFamily": family, "fontSize": 12}}
        response = await client.patch(
            f"{API}/designs/{design_id}/tree", json={"actions": [{"type": "add_element", "args": args}]}
        )
        if stored is None:
            assert "GET /fonts" in error(response, 400, "INVALID_INPUT")
            assert (await tree(client, design_id))["nodes"] == {}
        else:
            data(response, 200)
            (node,) = (await tree(client, design_id))["nodes"].values()
            assert node["styles"]["fontFamily"] == stored


# --- generate, batch and their files ----------------------------------------------------------------


async def test_generation_ids_are_first_and_distinct_and_the_link_is_gcs_shaped() -> None:
    async with session("C2") as (_, client):
        first = data(await client.post(f"{API}/designs/dsg_invoice/generate", json={"data": {}}), 201)
        second = data(await client.post(f"{API}/designs/dsg_invoice/generate", json={"data": {}}), 201)
        shaped(first, GENERATED)
        assert first["generationId"] != second["generationId"]
        link = urlsplit(first["downloadUrl"])
        assert "/storage.googleapis.com/" in link.path
        assert link.path.endswith("/Invoice.pdf")
        query = parse_qs(link.query)
        assert list(query) == GCS_PARAMETERS
        assert query["X-Goog-Expires"] == ["3600"]
        assert "signature" not in query


@pytest.mark.parametrize(
    ("profile", "present", "absent"),
    [
        (None, [], [b"/MarkInfo", b"pdfaid:part"]),
        ("standard", [], [b"/MarkInfo", b"pdfaid:part"]),
        ("accessible", [b"/MarkInfo", b"/StructTreeRoot"], [b"pdfaid:part"]),
        ("pdf-a", [b"pdfaid:part", b"/MarkInfo"], []),
    ],
)
async def test_pdf_profiles_cost_one_credit_and_mark_the_file(
    profile: str | None, present: list[bytes], absent: list[bytes]
) -> None:
    async with session("C2") as (mock, client):
        body: dict[str, Any] = {"data": {"customer_name": "Globex Inc"}}
        if profile:
            body["pdfProfile"] = profile
        made = data(await client.post(f"{API}/designs/dsg_invoice/generate", json=body), 201)
        text = pdf_text(await fetch(client, made["downloadUrl"], "application/pdf"))
        assert b"Globex Inc" in text
        assert all(marker in text for marker in present)
        assert not any(marker in text for marker in absent)
        assert mock.workspace["credits"] == 99


@pytest.mark.parametrize("profile", ["pdf/a", "PDF-A", "ua", ""])
async def test_an_unknown_pdf_profile_is_refused_on_generate_and_batch(profile: str) -> None:
    async with session("C2") as (mock, client):
        body = {"data": {}, "pdfProfile": profile}
        error(await client.post(f"{API}/designs/dsg_invoice/generate", json=body), 400, "INVALID_INPUT")
        batch = {"rows": [{}], "pdfProfile": profile}
        error(await client.post(f"{API}/designs/dsg_invoice/batch", json=batch), 400, "INVALID_INPUT")
        assert mock.workspace["credits"] == 100


async def test_a_batch_profile_applies_to_every_row() -> None:
    async with session("C2") as (mock, client):
        body = {"rows": [{"recipient": "Ada"}, {"recipient": "Grace"}], "pdfProfile": "pdf-a"}
        job = data(await client.post(f"{API}/designs/dsg_certificate/batch", json=body), 202)["jobId"]
        link = data(await client.get(f"{API}/batches/{job}/download"), 200)["downloadUrl"]
        members = zip_members(await fetch(client, link, "application/zip"))
        assert len(members) == 2
        assert all(b"pdfaid:part" in pdf_text(pdf) for pdf in members.values())
        assert mock.workspace["credits"] == 98


# --- /me and the fonts catalog ----------------------------------------------------------------------


async def test_me_names_the_workspace_and_the_key() -> None:
    async with session("C2") as (mock, client):
        me = data(await client.get(f"{API}/me"), 200)
        shaped(me, {"workspaceId": str, "workspaceName": str, "userEmail": str, "keyName": str})
        assert me == {
            "workspaceId": "ws_demo",
            "workspaceName": "Demo Workspace",
            "userEmail": "dev@example.com",
            "keyName": "Demo key",
        }
        request = client.build_request("GET", f"{API}/me")
        del request.headers["X-API-Key"]
        error(await client.send(request), 401, "UNAUTHORIZED")
        request.headers["Authorization"] = "Bearer demo-browser-token"
        browser = data(await client.send(request), 200)
        assert browser["workspaceId"] == "ws_demo"
        assert browser["keyName"] is None  # a browser session has no key to name
        mock.set_plan(useApiKeys=False)
        error(await client.get(f"{API}/me"), 403, "INSUFFICIENT_PERMISSIONS")


async def test_the_fonts_catalog_has_the_documented_shape_and_entries() -> None:
    async with session("C2") as (_, client):
        fonts = data(await client.get(f"{API}/fonts"), 200)["fonts"]
        by_id = {font["id"]: font for font in fonts}
        assert len(by_id) == len(fonts)
        assert by_id["Inter"] == {
            "id": "Inter",
            "class": "sans",
            "source": "google",
            "weights": [400, 500, 600, 700],
            "tags": ["recommended"],
        }
        assert by_id["Playfair Display"] == {
            "id": "Playfair Display",
            "class": "serif",
            "source": "google",
            "weights": [400, 700],
        }
        assert {"DM Sans", "Source Serif 4", "Poppins"} <= set(by_id)  # the vendor client's examples
        for font in fonts:
            assert list(font)[:4] == ["id", "class", "source", "weights"]
            assert set(font) <= {"id", "class", "source", "weights", "tags"}
            assert font["class"] in {"sans", "serif", "display", "handwriting"}
            assert font["source"] in {"google", "bundled"}
            assert font["weights"]
            assert all(type(weight) is int for weight in font["weights"])
            assert set(font.get("tags", [])) <= {"recommended", "popular"}
