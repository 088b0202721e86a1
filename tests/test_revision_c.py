"""Contract of what revisions C1 and C2 share: designs, tree, uploads, generate, preview, batch, links, auth.

Every test runs against both revisions, in-process. What only one of them does is in
test_revision_c1.py and test_revision_c2.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.contract_c import (
    A4,
    API,
    EXPIRED_KEY,
    QUICKSTART_ACTIONS,
    SVG_BLANK,
    SVG_LOGO,
    SVG_SWATCH,
    TIMESTAMP,
    create,
    data,
    error,
    fetch,
    patch_tree,
    pdf_text,
    png,
    png_of_exactly,
    png_size,
    session,
    shaped,
    tree,
)

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("revision", ["C1", "C2"])]

DESIGN = {
    "designId": str,
    "name": str,
    "description": str,
    "fileSize": int,
    "createdAt": str,
    "modifiedAt": str,
}
UPLOAD = {
    "uploadId": str,
    "ref": str,
    "name": str,
    "mimeType": str,
    "fileSize": int,
    "dimensions": dict,
    "thumbnailUrl": str,
    "createdAt": str,
}
JOB_STATUS = {
    "jobId": str,
    "status": str,
    "total": int,
    "completed": int,
    "failed": int,
    "createdAt": str,
    "updatedAt": str,
}
TEN_ACTIONS = {
    "add_element",
    "update_element",
    "remove_element",
    "reorder_element",
    "bind_variable",
    "unbind_variable",
    "add_page",
    "set_page_background",
    "set_document_background",
    "set_metadata",
}


# --- designs: create, list, get, metadata patch ---------------------------------------------------


async def test_create_answers_the_api_pages_example_fields(revision: str) -> None:
    async with session(revision) as (_, client):
        body = {"name": "Invoice", "description": "Standard invoice template"}
        created = data(await client.post(f"{API}/designs", json=body), 201)
        shaped(created, {"designId": str, "name": str, "description": str, "createdAt": str})
        assert (created["name"], created["description"]) == ("Invoice", "Standard invoice template")
        assert TIMESTAMP.fullmatch(created["createdAt"])
        page = (await tree(client, created["designId"]))["pages"]
        assert [(p["width"], p["height"]) for p in page] == [A4]  # one blank A4 page
        assert page[0]["children"] == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "Invoice", "actions": QUICKSTART_ACTIONS}, 400, "VALIDATION_ERROR"),
        ({"name": "Invoice", "actions": []}, 400, "VALIDATION_ERROR"),
        ({"description": "no name"}, 400, "MISSING_REQUIRED_FIELD"),
        ({"name": 7}, 400, "VALIDATION_ERROR"),
        (["Invoice"], 400, "VALIDATION_ERROR"),
    ],
    ids=["actions", "empty-actions", "no-name", "name-not-a-string", "not-an-object"],
)
async def test_create_refuses_actions_and_bad_bodies(
    revision: str, body: Any, status: int, code: str
) -> None:
    async with session(revision) as (mock, client):
        error(await client.post(f"{API}/designs", json=body), status, code)
        assert len(mock.workspace["designs"]) == 3  # nothing was created


async def test_list_pages_through_every_design_with_cursors(revision: str) -> None:
    async with session(revision) as (_, client):
        first = data(await client.get(f"{API}/designs?limit=50"), 200)
        assert list(first) == ["items", "nextCursor"]
        assert first["nextCursor"] is None
        for item in first["items"]:
            shaped(item, DESIGN)
        everything = [item["designId"] for item in first["items"]]
        assert set(everything) == {"dsg_invoice", "dsg_certificate", "dsg_shipping_label"}
        walked: list[str] = []
        cursor: str | None = None
        while True:
            query = "limit=1" + (f"&cursor={cursor}" if cursor else "")
            page = data(await client.get(f"{API}/designs?{query}"), 200)
            assert len(page["items"]) == 1
            walked += [item["designId"] for item in page["items"]]
            cursor = page["nextCursor"]
            if cursor is None:
                break
            assert isinstance(cursor, str)
        assert walked == everything
        assert len(data(await client.get(f"{API}/designs?limit=200"), 200)["items"]) == 3


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=201", "limit=-1", "limit=ten", "limit=", "cursor=not-a-cursor"]
)
async def test_list_refuses_a_limit_outside_1_to_200_and_a_foreign_cursor(revision: str, query: str) -> None:
    async with session(revision) as (_, client):
        response = await client.get(f"{API}/designs?{query}")
        assert response.status_code == 400
        assert response.json()["error"]["code"] in {"INVALID_INPUT", "VALIDATION_ERROR"}


async def test_get_is_metadata_only(revision: str) -> None:
    async with session(revision) as (_, client):
        design = data(await client.get(f"{API}/designs/dsg_invoice"), 200)
        shaped(design, DESIGN)  # exactly these keys: no config, no variables
        assert design["designId"] == "dsg_invoice"
        assert TIMESTAMP.fullmatch(design["createdAt"])
        assert TIMESTAMP.fullmatch(design["modifiedAt"])
        error(await client.get(f"{API}/designs/design_abc123"), 404, "DESIGN_NOT_FOUND")


async def test_metadata_patch_renames_without_touching_the_tree(revision: str) -> None:
    async with session(revision) as (_, client):
        before = await tree(client, "dsg_invoice")
        body = {"name": "Invoice (2026)", "description": "Updated template"}  # the API page's example
        updated = data(await client.patch(f"{API}/designs/dsg_invoice", json=body), 200)
        shaped(
            updated, {"designId": str, "name": str, "description": str, "fileSize": int, "modifiedAt": str}
        )
        assert (updated["name"], updated["description"]) == ("Invoice (2026)", "Updated template")
        assert await tree(client, "dsg_invoice") == before
        assert data(await client.get(f"{API}/designs/dsg_invoice"), 200)["name"] == "Invoice (2026)"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"actions": QUICKSTART_ACTIONS}, "VALIDATION_ERROR"),
        ({"name": "Renamed", "actions": QUICKSTART_ACTIONS}, "VALIDATION_ERROR"),
        ({}, "MISSING_REQUIRED_FIELD"),
    ],
    ids=["actions", "name-and-actions", "empty"],
)
async def test_metadata_patch_refuses_actions_and_an_empty_body(revision: str, body: Any, code: str) -> None:
    async with session(revision) as (_, client):
        before = await tree(client, "dsg_invoice")
        error(await client.patch(f"{API}/designs/dsg_invoice", json=body), 400, code)
        assert await tree(client, "dsg_invoice") == before
        assert data(await client.get(f"{API}/designs/dsg_invoice"), 200)["name"] == "Invoice"
        error(await client.patch(f"{API}/designs/nope", json={"name": "x"}), 404, "DESIGN_NOT_FOUND")


# --- the tree ---------------------------------------------------------------------------------------


async def test_tree_is_raw_with_schema_version_pages_nodes_and_variables(revision: str) -> None:
    async with session(revision) as (_, client):
        raw = await tree(client, "dsg_shipping_label")
        assert raw["metadata"]["schemaVersion"] == "v1"
        assert isinstance(raw["pages"], list)
        assert len(raw["pages"]) == 2
        assert isinstance(raw["nodes"], dict)
        assert raw["nodes"]
        assert set(raw["variables"]) == {"address", "tracking", "logo"}
        for page in raw["pages"]:
            assert set(page["children"]) <= set(raw["nodes"])


async def test_tree_of_an_unknown_design_is_an_enveloped_404(revision: str) -> None:
    async with session(revision) as (_, client):
        error(await client.get(f"{API}/designs/design_abc123/tree"), 404, "DESIGN_NOT_FOUND")
        patch = await client.patch(f"{API}/designs/design_abc123/tree", json={"actions": QUICKSTART_ACTIONS})
        error(patch, 404, "DESIGN_NOT_FOUND")


async def test_tree_patch_replays_the_api_pages_example(revision: str) -> None:
    """The designs page's PATCH /tree example: update the `title` element's content, then bind it."""
    async with session(revision) as (_, client):
        design_id = await create(client, name="Invoice", description="Standard invoice template")
        title = {
            "type": "text",
            "name": "title",
            "position": {"x": 48, "y": 48},
            "data": {"content": "INVOICE"},
        }
        await patch_tree(client, design_id, [{"type": "add_element", "args": title}])
        answer = await patch_tree(
            client,
            design_id,
            [
                {
                    "type": "update_element",
                    "args": {"name": "title", "data": {"content": "INVOICE #2026-001"}},
                },
                {"type": "bind_variable", "args": {"name": "title"}},
            ],
        )
        shaped(answer, {"designId": str, "name": str, "fileSize": int, "modifiedAt": str, "results": list})
        assert [(r["type"], r["status"]) for r in answer["results"]] == [
            ("update_element", "success"),
            ("bind_variable", "success"),
        ]
        raw = await tree(client, design_id)
        assert set(raw["variables"]) == {"title"}
        (node,) = raw["nodes"].values()
        assert node["data"]["content"] == "INVOICE #2026-001"


async def test_a_tree_patch_updates_size_and_time_everywhere_they_are_shown(revision: str) -> None:
    async with session(revision) as (mock, client):
        design_id = await create(client, name="Hello Invoice")
        before = data(await client.get(f"{API}/designs/{design_id}"), 200)
        mock.session.clock.advance(timedelta(minutes=5))
        answer = await patch_tree(client, design_id, QUICKSTART_ACTIONS)
        after = data(await client.get(f"{API}/designs/{design_id}"), 200)
        (listed,) = [
            item
            for item in data(await client.get(f"{API}/designs"), 200)["items"]
            if item["designId"] == design_id
        ]
        assert answer["fileSize"] == after["fileSize"] == listed["fileSize"] > before["fileSize"]
        assert answer["modifiedAt"] == after["modifiedAt"] == listed["modifiedAt"] > before["modifiedAt"]
        assert after["createdAt"] == before["createdAt"]


@pytest.mark.parametrize(("count", "status"), [(0, 400), (1, 200), (500, 200), (501, 400)])
async def test_tree_patch_takes_1_to_500_actions(revision: str, count: int, status: int) -> None:
    async with session(revision) as (_, client):
        actions = [{"type": "set_metadata", "args": {"author": f"Author {n}"}} for n in range(count)]
        response = await client.patch(f"{API}/designs/dsg_invoice/tree", json={"actions": actions})
        if status == 200:
            assert len(data(response, 200)["results"]) == count
        else:
            error(response, 400, "INVALID_INPUT")


async def test_tree_patch_is_atomic_and_names_the_failing_action(revision: str) -> None:
    async with session(revision) as (_, client):
        design_id = await create(client, name="Hello Invoice")
        before = await tree(client, design_id)
        actions = [QUICKSTART_ACTIONS[0], {"type": "bind_variable", "args": {"name": "customer_nam"}}]
        response = await client.patch(f"{API}/designs/{design_id}/tree", json={"actions": actions})
        message = error(response, 400, "INVALID_INPUT")
        assert message.startswith("actions[1] (bind_variable) failed: ")
        assert await tree(client, design_id) == before  # the add_element before it was not kept


@pytest.mark.parametrize(
    "body",
    [{}, {"actions": "add_element"}, {"tools": [{"tool": "add_page", "input": {}}]}],
    ids=["empty", "not-a-list", "era-A-tools"],
)
async def test_tree_patch_refuses_a_body_without_an_actions_list(revision: str, body: dict[str, Any]) -> None:
    async with session(revision) as (_, client):
        response = await client.patch(f"{API}/designs/dsg_invoice/tree", json=body)
        assert response.status_code == 400
        assert response.json()["error"]["code"] in {"VALIDATION_ERROR", "MISSING_REQUIRED_FIELD"}


async def test_action_catalog_lists_each_action_with_its_args_schema(revision: str) -> None:
    async with session(revision) as (_, client):
        catalog = data(await client.get(f"{API}/actions"), 200)
        assert list(catalog) == ["actions"]
        for action in catalog["actions"]:
            shaped(action, {"name": str, "description": str, "args": dict})
        names = {action["name"] for action in catalog["actions"]}
        assert names == (TEN_ACTIONS if revision == "C1" else TEN_ACTIONS | {"update_page", "remove_page"})


# --- uploads ----------------------------------------------------------------------------------------


async def test_a_png_upload_answers_an_uploads_ref_with_its_dimensions(revision: str) -> None:
    async with session(revision) as (_, client):
        image = png(200, 100)
        files = {"file": ("logo.png", image, "image/png")}  # the vendor client's Blob type from the extension
        response = await client.post(f"{API}/uploads", files=files, data={"name": "Company Logo"})
        upload = data(response, 201)
        shaped(upload, UPLOAD)
        assert upload["ref"] == f"uploads:{upload['uploadId']}"
        assert (upload["name"], upload["mimeType"], upload["fileSize"]) == (
            "Company Logo",
            "image/png",
            len(image),
        )
        assert upload["dimensions"] == {"width": 200, "height": 100}
        assert '"dimensions":{"width":200,"height":100}' in response.text  # integers, as in the docs' example
        assert TIMESTAMP.fullmatch(upload["createdAt"])
        assert png_size(await fetch(client, upload["thumbnailUrl"], "image/png"))[0] > 0


async def test_an_svg_upload_is_kept_as_svg_with_a_png_thumbnail(revision: str) -> None:
    async with session(revision) as (_, client):
        # The vendor client names inline markup `<slug>.svg` and types it image/svg+xml.
        files = {"file": ("teal-badge.svg", SVG_LOGO, "image/svg+xml")}
        upload = data(await client.post(f"{API}/uploads", files=files), 201)
        assert (upload["mimeType"], upload["fileSize"]) == ("image/svg+xml", len(SVG_LOGO))
        assert upload["name"] == "teal-badge.svg"
        assert upload["dimensions"] == {"width": 120, "height": 60}
        assert png_size(await fetch(client, upload["thumbnailUrl"], "image/png"))[0] > 0
        design_id = await create(client, name="Badge")
        image = {"type": "image", "name": "mark", "position": {"x": 10, "y": 10, "w": 120, "h": 60}}
        await patch_tree(
            client, design_id, [{"type": "add_element", "args": {**image, "data": {"src": upload["ref"]}}}]
        )
        made = data(await client.post(f"{API}/designs/{design_id}/generate"), 201)
        assert b"/Subtype /Image" in pdf_text(await fetch(client, made["downloadUrl"], "application/pdf"))


async def test_an_svg_of_one_colour_all_over_is_not_blank(revision: str) -> None:
    # A colour swatch: the docs refuse a blank result, and a filled square is something to see.
    files = {"file": ("swatch.svg", SVG_SWATCH, "image/svg+xml")}
    async with session(revision) as (_, client):
        upload = data(await client.post(f"{API}/uploads", files=files), 201)
        assert (upload["mimeType"], upload["dimensions"]) == ("image/svg+xml", {"width": 10, "height": 10})


@pytest.mark.parametrize(
    "files",
    [
        {"file": ("blank.svg", SVG_BLANK, "image/svg+xml")},
        {"file": ("big.png", png_of_exactly(1024 * 1024 + 1), "image/png")},
        {"name": (None, b"Company Logo")},
        {"file": ("notes.png", b"just some text, not an image", "image/png")},
        {"file": ("report.pdf", b"%PDF-1.7\n%%EOF\n", "application/octet-stream")},
    ],
    ids=["blank-svg", "over-1-MB", "no-file", "text-named-png", "pdf"],
)
async def test_upload_errors_are_validation_errors(revision: str, files: dict[str, Any]) -> None:
    async with session(revision) as (_, client):
        error(await client.post(f"{API}/uploads", files=files), 400, "VALIDATION_ERROR")


async def test_an_upload_that_is_not_multipart_is_a_validation_error(revision: str) -> None:
    async with session(revision) as (mock, client):
        response = await client.post(f"{API}/uploads", json={"file": "logo.png", "name": "Company Logo"})
        error(response, 400, "VALIDATION_ERROR")
        assert mock.workspace["credits"] == 100


async def test_an_upload_of_exactly_1_mb_is_accepted(revision: str) -> None:
    async with session(revision) as (_, client):
        image = png_of_exactly(1024 * 1024)
        upload = data(
            await client.post(f"{API}/uploads", files={"file": ("edge.png", image, "image/png")}), 201
        )
        assert upload["fileSize"] == 1024 * 1024


async def test_an_uploads_ref_is_an_image_src_and_an_image_variable_value(revision: str) -> None:
    async with session(revision) as (_, client):
        first = data(
            await client.post(f"{API}/uploads", files={"file": ("a.png", png(40, 20), "image/png")}), 201
        )
        second = data(
            await client.post(
                f"{API}/uploads", files={"file": ("b.png", png(40, 20, (200, 30, 30)), "image/png")}
            ),
            201,
        )
        design_id = await create(client, name="Badge")
        logo = {"type": "image", "name": "logo", "position": {"x": 20, "y": 20, "w": 80, "h": 40}}
        answer = await patch_tree(
            client,
            design_id,
            [
                {"type": "add_element", "args": {**logo, "data": {"src": first["ref"]}}},
                {"type": "bind_variable", "args": {"name": "logo"}},
            ],
        )
        assert answer["results"][1]["status"] == "success"
        made = data(
            await client.post(f"{API}/designs/{design_id}/generate", json={"data": {"logo": second["ref"]}}),
            201,
        )
        pdf = await fetch(client, made["downloadUrl"], "application/pdf")
        assert b"/Subtype /Image" in pdf_text(pdf)
        unknown = {"data": {"logo": "uploads:upl_missing"}}
        error(await client.post(f"{API}/designs/{design_id}/generate", json=unknown), 400, "INVALID_INPUT")


# --- auth, foreign routes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "UNAUTHORIZED"),
        ({"X-API-Key": "pc_live_short"}, 401, "INVALID_API_KEY"),
        ({"X-API-Key": "pc_live_" + "q" * 20}, 401, "INVALID_API_KEY"),
        ({"X-API-Key": EXPIRED_KEY}, 401, "API_KEY_EXPIRED"),
    ],
    ids=["no-key", "malformed", "unknown", "expired"],
)
@pytest.mark.parametrize(
    "route",
    ["GET /designs", "GET /designs/dsg_invoice/tree", "POST /uploads", "POST /designs/dsg_invoice/generate"],
)
async def test_the_authentication_table(
    revision: str, route: str, headers: dict[str, str], status: int, code: str
) -> None:
    async with session(revision) as (mock, client):
        method, path = route.split(" ")
        request = client.build_request(method, f"{API}{path}", headers=headers)
        if not headers:
            del request.headers["X-API-Key"]
        error(await client.send(request), status, code)
        assert mock.workspace["credits"] == 100


async def test_a_plan_without_api_keys_is_403_on_every_key_route(revision: str) -> None:
    async with session(revision) as (mock, client):
        mock.set_plan(useApiKeys=False)
        for method, path in [
            ("GET", "/designs"),
            ("GET", "/actions"),
            ("GET", "/designs/dsg_invoice/tree"),
            ("PATCH", "/designs/dsg_invoice/tree"),
            ("POST", "/designs/dsg_invoice/generate"),
            ("GET", "/designs/dsg_invoice/preview"),
        ]:
            body = {"actions": QUICKSTART_ACTIONS} if method == "PATCH" else None
            error(await client.request(method, f"{API}{path}", json=body), 403, "INSUFFICIENT_PERMISSIONS")
        files = {"file": ("logo.png", png(4, 4), "image/png")}
        error(await client.post(f"{API}/uploads", files=files), 403, "INSUFFICIENT_PERMISSIONS")
        assert mock.workspace["credits"] == 100


@pytest.mark.parametrize(
    "route",
    [
        "GET /tools",
        "POST /generate?design=dsg_invoice",
        "GET /preview?design=dsg_invoice",
        "POST /batch/generate?design=dsg_invoice",
        "GET /batch/job_abc123xyz/status",
        "GET /assets",
        "POST /assets/placeholder",
    ],
)
async def test_routes_of_eras_a_and_b_do_not_exist_in_c(revision: str, route: str) -> None:
    async with session(revision) as (mock, client):
        method, path = route.split(" ")
        error(await client.request(method, f"{API}{path}", json={}), 404, "NOT_FOUND")
        assert mock.workspace["credits"] == 100
