"""Revision A's contract: auth, designs, the tool catalog and assets — every field, type and error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockserver import MockServer

from .contract_checks import (
    ASSET,
    DESIGN_WITH_TREE,
    EXPIRED_KEY,
    GENERATED,
    STAMP,
    SUMMARY,
    UPDATED,
    data,
    error,
    fetch,
    png,
    png_size,
    same_aspect,
    shape,
)

LOGO = png(200, 100)
CREATED: dict[str, Any] = {
    "designId": str,
    "name": str,
    "description": str,
    "createdAt": str,
    "results": (list, type(None)),
}
RESULT: dict[str, Any] = {"tool": str, "status": str, "data": dict}


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    """A real server answering revision A (batches complete at once)."""
    with MockServer(batch_seconds=0, api_revision="A") as mock:
        yield mock


# --- authentication ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "UNAUTHORIZED"),
        ({"X-API-Key": "nope"}, "INVALID_API_KEY"),
        ({"X-API-Key": "pc_live_" + "x" * 19}, "INVALID_API_KEY"),
        ({"X-API-Key": "pc_live_" + "z" * 20}, "INVALID_API_KEY"),
        ({"X-API-Key": EXPIRED_KEY}, "API_KEY_EXPIRED"),
        ({"Authorization": "Bearer who-knows"}, "INVALID_TOKEN"),
        ({"Authorization": "Basic abc"}, "INVALID_TOKEN"),
        ({"Authorization": "Bearer expired-browser-token"}, "TOKEN_EXPIRED"),
    ],
)
def test_bad_credentials_answer_the_documented_401(
    server: MockServer, headers: dict[str, str], code: str
) -> None:
    server.app.sessions.get().reset()
    response = httpx.get(f"{server.url}/api/v1/designs", headers=headers)
    message = error(response, 401, code)
    assert "pc_live_z" + "z" * 19 not in message  # a key is never echoed in full


def test_browser_token_works_without_an_api_key(server: MockServer) -> None:
    response = httpx.get(
        f"{server.url}/api/v1/designs", headers={"Authorization": "Bearer demo-browser-token"}
    )
    assert len(data(response, 200)["items"]) == 3


def test_plan_without_api_keys_refuses_keys_but_not_the_browser(
    server: MockServer, api: httpx.Client
) -> None:
    server.app.sessions.get().workspace.use_api_keys = False
    error(api.get("/api/v1/designs"), 403, "INSUFFICIENT_PERMISSIONS")
    browser = httpx.get(
        f"{server.url}/api/v1/designs", headers={"Authorization": "Bearer demo-browser-token"}
    )
    data(browser, 200)


def test_unknown_routes_and_methods_are_not_found_envelopes(api: httpx.Client) -> None:
    assert "No route" in error(api.get("/api/v1/nothing"), 404, "NOT_FOUND")
    assert "supports POST" in error(api.get("/api/v1/generate"), 404, "NOT_FOUND")
    error(api.delete("/api/v1/designs/dsg_invoice"), 404, "NOT_FOUND")


# --- designs -----------------------------------------------------------------------------------------


def test_list_designs_fields_and_types(api: httpx.Client) -> None:
    listing = data(api.get("/api/v1/designs", params={"limit": 50}), 200)  # the docs' example query
    shape(listing, {"items": list, "nextCursor": type(None)})
    assert [d["designId"] for d in listing["items"]] == [
        "dsg_invoice",
        "dsg_certificate",
        "dsg_shipping_label",
    ]
    for item in listing["items"]:
        shape(item, SUMMARY)
        assert STAMP.match(item["createdAt"])
        assert STAMP.match(item["modifiedAt"])
    assert listing["items"][0]["createdAt"] == "2026-01-05T09:00:00Z"


def test_list_designs_paginates_with_a_cursor(api: httpx.Client) -> None:
    first = data(api.get("/api/v1/designs", params={"limit": 2}), 200)
    assert len(first["items"]) == 2
    assert isinstance(first["nextCursor"], str)
    second = data(api.get("/api/v1/designs", params={"limit": 2, "cursor": first["nextCursor"]}), 200)
    assert [d["designId"] for d in second["items"]] == ["dsg_shipping_label"]
    assert second["nextCursor"] is None


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": 0}, "INVALID_INPUT"),
        ({"limit": 201}, "INVALID_INPUT"),
        ({"limit": "ten"}, "VALIDATION_ERROR"),
        ({"cursor": "garbage"}, "INVALID_INPUT"),
    ],
)
def test_list_designs_rejects_bad_paging(api: httpx.Client, params: dict[str, Any], code: str) -> None:
    error(api.get("/api/v1/designs", params=params), 400, code)


def test_get_design_has_its_tree_as_config_and_its_variables(api: httpx.Client) -> None:
    design = data(api.get("/api/v1/designs/dsg_invoice"), 200)
    shape(design, DESIGN_WITH_TREE)
    assert design["description"].startswith("A one-page invoice")
    config = design["config"]
    assert set(config) == {"metadata", "document", "pages", "nodes", "variables"}
    assert config["metadata"]["schemaVersion"] == "v1"
    assert [(p["width"], p["height"]) for p in config["pages"]] == [(595.28, 841.89)]
    children = [child for p in config["pages"] for child in p["children"]]
    assert sorted(children) == sorted(config["nodes"])
    assert set(design["variables"]) == {"customer_name", "invoice_number", "items"}
    assert design["variables"]["customer_name"]["type"] == "text"
    assert design["variables"]["items"]["type"] == "table"
    assert design["variables"]["items"]["columns"] == ["Item", "Qty", "Price"]
    two_pages = data(api.get("/api/v1/designs/dsg_shipping_label"), 200)["config"]["pages"]
    assert len(two_pages) == 2
    error(api.get("/api/v1/designs/dsg_missing"), 404, "DESIGN_NOT_FOUND")


def test_create_the_docs_example_design(api: httpx.Client) -> None:
    body = {
        "name": "Invoice",
        "description": "Standard invoice template",
        "tools": [{"tool": "add_page", "input": {}}],
    }
    created = data(api.post("/api/v1/designs", json=body), 201)
    shape(created, CREATED)
    assert (created["name"], created["description"]) == ("Invoice", "Standard invoice template")
    assert STAMP.match(created["createdAt"])
    assert len(created["results"]) == 1
    shape(created["results"][0], RESULT)
    assert created["results"][0]["tool"] == "add_page"
    assert created["results"][0]["status"] == "success"
    design = data(api.get(f"/api/v1/designs/{created['designId']}"), 200)
    assert len(design["config"]["pages"]) == 2  # a new design starts with a page; add_page appends one
    assert design["createdAt"] == created["createdAt"]
    without_tools = data(api.post("/api/v1/designs", json={"name": "Blank"}), 201)
    shape(without_tools, CREATED)
    assert without_tools["results"] is None
    assert without_tools["description"] == ""


def test_create_design_with_flat_tools_makes_variables(api: httpx.Client) -> None:
    tools = [
        {"tool": "add_page", "input": {}},
        {"tool": "add_element", "input": {"page": 1, "type": "text", "text": "Thanks {{buyer}}"}},
    ]
    created = data(api.post("/api/v1/designs", json={"name": "Receipt", "tools": tools}), 201)
    assert [r["tool"] for r in created["results"]] == ["add_page", "add_element"]
    placed = created["results"][1]["data"]
    assert placed["page"] == 1
    shape(placed["position"], {"x": "number", "y": "number", "w": "number", "h": "number"})
    design = data(api.get(f"/api/v1/designs/{created['designId']}"), 200)
    assert len(design["config"]["pages"]) == 2
    assert design["variables"]["buyer"]["type"] == "text"
    assert design["variables"]["buyer"]["nodeId"] == placed["id"]


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        ({}, "MISSING_REQUIRED_FIELD", "name"),
        ({"name": 5}, "VALIDATION_ERROR", "name"),
        ({"name": ""}, "INVALID_INPUT", "name"),
        ({"name": "X", "tools": [{"tool": "add_pag"}]}, "VALIDATION_ERROR", "did you mean 'add_page'"),
        ({"name": "X", "tools": [{"tool": "add_element", "input": {"type": "text", "page": 3, "text": "a"}}]},
         "INVALID_INPUT", "tools[0] (add_element) failed"),
        ({"name": "X", "tools": "add_page"}, "VALIDATION_ERROR", "tools"),
    ],
)  # fmt: skip
def test_create_design_rejects_bad_bodies(
    api: httpx.Client, body: dict[str, Any], code: str, fragment: str
) -> None:
    assert fragment in error(api.post("/api/v1/designs", json=body), 400, code)
    assert len(data(api.get("/api/v1/designs"), 200)["items"]) == 3  # nothing half-created


def test_malformed_json_and_wrong_content_type(api: httpx.Client) -> None:
    headers = {"Content-Type": "application/json"}
    assert "not valid JSON" in error(
        api.post("/api/v1/designs", content=b'{"name": ', headers=headers), 400, "VALIDATION_ERROR"
    )
    assert "JSON object" in error(api.post("/api/v1/designs", json=[1, 2]), 400, "VALIDATION_ERROR")
    text = {"Content-Type": "text/plain"}
    assert "Content-Type" in error(
        api.post("/api/v1/designs", content=b'{"name": "x"}', headers=text), 400, "VALIDATION_ERROR"
    )


def test_design_names_need_not_be_unique(api: httpx.Client) -> None:
    """The docs state no uniqueness rule, so no DUPLICATE_ENTRY."""
    again = data(api.post("/api/v1/designs", json={"name": "Invoice"}), 201)
    assert again["designId"] != "dsg_invoice"
    renamed = data(api.patch("/api/v1/designs/dsg_certificate", json={"name": "Invoice"}), 200)
    assert renamed["name"] == "Invoice"
    names = [d["name"] for d in data(api.get("/api/v1/designs"), 200)["items"]]
    assert names.count("Invoice") == 3


def test_patch_design_with_the_docs_example(api: httpx.Client) -> None:
    patched = data(api.patch("/api/v1/designs/dsg_invoice", json={"description": "New"}), 200)
    shape(patched, UPDATED)
    assert patched["results"] is None
    assert patched["description"] == "New"
    assert STAMP.match(patched["modifiedAt"])
    element = {
        "type": "text",
        "text": "Invoice #{{invoice_number}}",
        "x": 48,
        "y": 48,
        "width": 400,
        "fontSize": 24,
    }
    with_tools = data(
        api.patch("/api/v1/designs/dsg_invoice", json={"tools": [{"tool": "add_element", "input": element}]}),
        200,
    )
    shape(with_tools, UPDATED)
    (result,) = with_tools["results"]
    shape(result, RESULT)
    assert result["tool"] == "add_element"
    assert result["data"]["position"]["x"] == 48
    assert result["data"]["position"]["w"] == 400
    assert with_tools["fileSize"] > patched["fileSize"]
    design = data(api.get("/api/v1/designs/dsg_invoice"), 200)
    assert result["data"]["id"] in design["config"]["nodes"]
    assert design["variables"]["invoice_number"]["type"] == "text"
    add_page = data(
        api.patch("/api/v1/designs/dsg_invoice", json={"tools": [{"tool": "add_page", "input": {}}]}), 200
    )
    assert add_page["results"][0]["data"]["page"] == 1
    error(api.patch("/api/v1/designs/dsg_invoice", json={}), 400, "MISSING_REQUIRED_FIELD")
    error(api.patch("/api/v1/designs/dsg_nope", json={"name": "x"}), 404, "DESIGN_NOT_FOUND")


def test_a_failing_tool_saves_nothing(api: httpx.Client) -> None:
    before = data(api.get("/api/v1/designs/dsg_invoice"), 200)
    tools = [
        {"tool": "add_page", "input": {}},
        {"tool": "update_elements", "input": {"updates": [{"id": "nope", "data": {"content": "x"}}]}},
    ]
    message = error(api.patch("/api/v1/designs/dsg_invoice", json={"tools": tools}), 400, "INVALID_INPUT")
    assert message.startswith("tools[1] (update_elements) failed:")
    assert data(api.get("/api/v1/designs/dsg_invoice"), 200) == before


def test_tools_catalog(api: httpx.Client) -> None:
    catalog = data(api.get("/api/v1/tools"), 200)
    shape(catalog, {"tools": list})
    for tool in catalog["tools"]:
        shape(tool, {"name": str, "description": str, "input": dict})
        assert tool["description"]
        assert "type" in tool["input"] or "anyOf" in tool["input"]
    names = {tool["name"] for tool in catalog["tools"]}
    documented = {"add_page", "add_element"}
    client = {"add_elements", "update_elements", "remove_elements", "bind_variables", "unbind_variables"}
    assert documented | client | {"set_page_background"} <= names
    error(api.get("/api/v1/actions"), 404, "NOT_FOUND")  # revision B's catalog
    error(api.get("/api/v1/fonts"), 404, "NOT_FOUND")


# --- assets ------------------------------------------------------------------------------------------


def test_upload_list_get_and_replace_an_asset(api: httpx.Client) -> None:
    """The docs' example: `-F file=@logo.png -F "name=Company Logo"`, then replace it in place."""
    files = {"file": ("logo.png", LOGO, "image/png")}
    asset = data(api.post("/api/v1/assets", files=files, data={"name": "Company Logo"}), 201)
    shape(asset, ASSET)
    assert asset["ref"] == f"assets:{asset['id']}"
    assert (asset["name"], asset["mimeType"], asset["isPlaceholder"]) == ("Company Logo", "image/png", False)
    assert asset["dimensions"] == {"width": 200, "height": 100}
    assert asset["fileSize"] == len(LOGO)
    assert STAMP.match(asset["createdAt"])
    assert png_size(fetch(asset["thumbnailUrl"]).content)
    unnamed = data(api.post("/api/v1/assets", files={"file": ("dot.png", png(1, 2), "image/png")}), 201)
    assert unnamed["name"] == "dot.png"  # defaults from the file name
    got = data(api.get(f"/api/v1/assets/{asset['id']}"), 200)
    shape(got, ASSET)
    # Every read signs a fresh thumbnail link whose `expires` counts from that read's second, so a read in
    # a later second than the upload has another query string: the same stored file, a later expiry.
    assert {**got, "thumbnailUrl": None} == {**asset, "thumbnailUrl": None}
    got_link, asset_link = httpx.URL(got["thumbnailUrl"]), httpx.URL(asset["thumbnailUrl"])
    assert got_link.copy_with(query=None) == asset_link.copy_with(query=None)
    assert int(got_link.params["expires"]) >= int(asset_link.params["expires"])
    listing = data(api.get("/api/v1/assets", params={"limit": 50}), 200)
    shape(listing, {"items": list, "nextCursor": (str, type(None))})
    for item in listing["items"]:
        shape(item, ASSET)
    assert {asset["id"], unnamed["id"]} <= {a["id"] for a in listing["items"]}
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="30" height="40"><rect width="30" height="40"/></svg>'
    )
    replaced = data(
        api.put(f"/api/v1/assets/{asset['id']}/content", files={"file": ("new-logo.svg", svg)}), 200
    )
    shape(replaced, ASSET)
    assert (replaced["id"], replaced["ref"]) == (asset["id"], asset["ref"])
    assert replaced["mimeType"] == "image/svg+xml"
    assert replaced["dimensions"] == {"width": 30, "height": 40}


def test_asset_list_pages(api: httpx.Client) -> None:
    for index in range(2):
        data(api.post("/api/v1/assets", files={"file": (f"{index}.png", LOGO, "image/png")}), 201)
    first = data(api.get("/api/v1/assets", params={"limit": 1}), 200)
    assert len(first["items"]) == 1
    assert isinstance(first["nextCursor"], str)
    rest = data(api.get("/api/v1/assets", params={"limit": 200, "cursor": first["nextCursor"]}), 200)
    assert rest["nextCursor"] is None
    assert first["items"][0]["id"] not in {a["id"] for a in rest["items"]}
    error(api.get("/api/v1/assets", params={"limit": 201}), 400, "INVALID_INPUT")


def test_asset_errors(api: httpx.Client) -> None:
    error(api.post("/api/v1/assets", files={"file": ("a.txt", b"hello")}), 400, "INVALID_INPUT")
    error(api.post("/api/v1/assets", files={"other": ("a.png", LOGO)}), 400, "MISSING_REQUIRED_FIELD")
    error(api.post("/api/v1/assets", json={"file": "x"}), 400, "VALIDATION_ERROR")
    error(api.get("/api/v1/assets/asset_nope"), 404, "NOT_FOUND")
    error(api.put("/api/v1/assets/asset_nope/content", files={"file": ("a.png", LOGO)}), 404, "NOT_FOUND")


def test_placeholder_asset_the_docs_example_and_defaults(api: httpx.Client) -> None:
    body = {"name": "Company Logo", "label": "LOGO", "width": 200, "height": 100}
    asset = data(api.post("/api/v1/assets/placeholder", json=body), 201)
    shape(asset, ASSET)
    assert asset["isPlaceholder"] is True
    assert asset["name"] == "Company Logo"
    assert asset["dimensions"] == {"width": 200, "height": 100}
    assert same_aspect(png_size(fetch(asset["thumbnailUrl"]).content), 200, 100)
    default = data(api.post("/api/v1/assets/placeholder", json={"name": "Logo here"}), 201)
    assert default["dimensions"] == {"width": 400, "height": 300}
    fraction = data(
        api.post("/api/v1/assets/placeholder", json={"name": "x", "width": 16.5, "height": 2000}), 201
    )
    assert fraction["dimensions"] == {"width": 16.5, "height": 2000}
    replaced = data(api.put(f"/api/v1/assets/{asset['id']}/content", files={"file": ("l.png", LOGO)}), 200)
    assert replaced["isPlaceholder"] is False
    assert replaced["ref"] == asset["ref"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "x", "width": 15}, "INVALID_INPUT"),
        ({"name": "x", "height": 2000.5}, "INVALID_INPUT"),
        ({"name": "x", "label": "y" * 41}, "INVALID_INPUT"),
        ({"name": "x", "width": "200"}, "VALIDATION_ERROR"),
        ({}, "MISSING_REQUIRED_FIELD"),
    ],
)
def test_placeholder_errors(api: httpx.Client, body: dict[str, Any], code: str) -> None:
    error(api.post("/api/v1/assets/placeholder", json=body), 400, code)


def test_openapi_lists_every_endpoint(server: MockServer) -> None:
    document = httpx.get(f"{server.url}/__mock/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert operations == {
        ("POST", "/api/v1/designs"),
        ("GET", "/api/v1/designs"),
        ("GET", "/api/v1/designs/{id}"),
        ("PATCH", "/api/v1/designs/{id}"),
        ("GET", "/api/v1/tools"),
        ("POST", "/api/v1/assets"),
        ("POST", "/api/v1/assets/placeholder"),
        ("PUT", "/api/v1/assets/{id}/content"),
        ("GET", "/api/v1/assets"),
        ("GET", "/api/v1/assets/{id}"),
        ("POST", "/api/v1/generate"),
        ("GET", "/api/v1/preview"),
        ("POST", "/api/v1/batch/generate"),
        ("GET", "/api/v1/batch/{jobId}/status"),
        ("GET", "/api/v1/batch/{jobId}/download"),
    }
    generate = document["paths"]["/api/v1/generate"]["post"]
    assert set(generate["responses"]) >= {"201", "400", "401", "402", "403", "404"}
    assert "INSUFFICIENT_CREDITS" in generate["responses"]["402"]["description"]
    schemas = document["components"]["schemas"]
    assert set(schemas["Generated"]["properties"]) == set(GENERATED)
