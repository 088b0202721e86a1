"""The simulator over real HTTP: every endpoint's success path and documented error paths."""

from __future__ import annotations

import io
import zipfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from mockserver import MockServer

DEMO_KEY = "pc_live_demo0000000000000001"
EXPIRED_KEY = "pc_live_expired0000000000001"
KEY = {"X-API-Key": DEMO_KEY}
PNG_1x2 = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x02\x08\x02\x00\x00\x00"


def data(response: httpx.Response, status: int) -> Any:
    """The envelope's data, after checking the status and the success envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "success"
    assert body["error"] is None
    assert set(body) == {"status", "data", "error"}
    return body["data"]


def error(response: httpx.Response, status: int, code: str) -> str:
    """The error message, after checking the status, the code and the error envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error"
    assert body["data"] is None
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code, body
    message: str = body["error"]["message"]
    assert message
    return message


def types_of(document: dict[str, Any]) -> dict[str, type]:
    return {key: type(value) for key, value in document.items()}


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
    listing = data(api.get("/api/v1/designs"), 200)
    assert listing["nextCursor"] is None
    assert [d["designId"] for d in listing["items"]] == [
        "dsg_invoice",
        "dsg_certificate",
        "dsg_shipping_label",
    ]
    assert types_of(listing["items"][0]) == {
        "designId": str,
        "name": str,
        "description": str,
        "fileSize": int,
        "createdAt": str,
        "modifiedAt": str,
    }
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


def test_get_design_has_config_and_variable_schemas(api: httpx.Client) -> None:
    design = data(api.get("/api/v1/designs/dsg_invoice"), 200)
    assert set(design) == {"designId", "name", "config", "variables", "fileSize", "createdAt", "modifiedAt"}
    assert design["variables"]["customer_name"]["type"] == "string"
    assert design["variables"]["items"]["type"] == "array"
    assert design["variables"]["items"]["columns"] == ["Item", "Qty", "Price"]
    assert isinstance(design["config"]["pages"], list)
    error(api.get("/api/v1/designs/dsg_missing"), 404, "DESIGN_NOT_FOUND")


def test_create_design_with_tools_then_get_it(api: httpx.Client) -> None:
    created = data(
        api.post(
            "/api/v1/designs",
            json={
                "name": "Receipt",
                "description": "A till receipt",
                "tools": [
                    {"tool": "add_page", "input": {}},
                    {"tool": "add_element", "input": {"page": 1, "type": "text", "text": "Thanks {{buyer}}"}},
                ],
            },
        ),
        201,
    )
    assert types_of(created) == {
        "designId": str,
        "name": str,
        "description": str,
        "createdAt": str,
        "results": list,
    }
    assert [r["tool"] for r in created["results"]] == ["add_page", "add_element"]
    design = data(api.get(f"/api/v1/designs/{created['designId']}"), 200)
    assert len(design["config"]["pages"]) == 2
    assert "buyer" in design["variables"]
    without_tools = data(api.post("/api/v1/designs", json={"name": "Blank"}), 201)
    assert without_tools["results"] is None


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        ({}, "MISSING_REQUIRED_FIELD", "name"),
        ({"name": 5}, "VALIDATION_ERROR", "name"),
        ({"name": ""}, "INVALID_INPUT", "name"),
        ({"name": "X", "tools": [{"tool": "add_pag"}]}, "VALIDATION_ERROR", "did you mean 'add_page'"),
        ({"name": "X", "tools": [{"tool": "add_element", "input": {"type": "text", "page": 3, "text": "a"}}]},
         "INVALID_INPUT", "page"),
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


def test_duplicate_design_names_conflict(api: httpx.Client) -> None:
    assert "Invoice" in error(api.post("/api/v1/designs", json={"name": "Invoice"}), 409, "DUPLICATE_ENTRY")
    error(api.patch("/api/v1/designs/dsg_certificate", json={"name": "Invoice"}), 409, "DUPLICATE_ENTRY")
    data(api.patch("/api/v1/designs/dsg_invoice", json={"name": "Invoice"}), 200)  # its own name is fine


def test_patch_design(api: httpx.Client) -> None:
    patched = data(api.patch("/api/v1/designs/dsg_invoice", json={"description": "New"}), 200)
    assert types_of(patched) == {
        "designId": str,
        "name": str,
        "description": str,
        "fileSize": int,
        "modifiedAt": str,
        "results": type(None),
    }
    assert patched["description"] == "New"
    with_tools = data(
        api.patch("/api/v1/designs/dsg_invoice", json={"tools": [{"tool": "add_page", "input": {}}]}), 200
    )
    assert with_tools["results"][0]["output"] == {"pageIndex": 1}
    error(api.patch("/api/v1/designs/dsg_invoice", json={}), 400, "MISSING_REQUIRED_FIELD")
    error(api.patch("/api/v1/designs/dsg_nope", json={"name": "x"}), 404, "DESIGN_NOT_FOUND")


def test_tools_catalog(api: httpx.Client) -> None:
    tools = data(api.get("/api/v1/tools"), 200)["tools"]
    names = {tool["name"] for tool in tools}
    assert {"add_page", "add_element"} <= names
    assert all(tool["input"]["type"] == "object" and tool["description"] for tool in tools)


# --- assets ------------------------------------------------------------------------------------------


def test_upload_list_get_and_replace_an_asset(api: httpx.Client) -> None:
    asset = data(api.post("/api/v1/assets", files={"file": ("dot.png", PNG_1x2, "image/png")}), 201)
    assert types_of(asset) == {
        "id": str,
        "ref": str,
        "name": str,
        "mimeType": str,
        "fileSize": int,
        "dimensions": dict,
        "thumbnailUrl": str,
        "isPlaceholder": bool,
        "createdAt": str,
    }
    assert asset["ref"] == f"assets:{asset['id']}"
    assert asset["name"] == "dot.png"
    assert asset["dimensions"] == {"width": 1, "height": 2}
    assert data(api.get(f"/api/v1/assets/{asset['id']}"), 200)["id"] == asset["id"]
    listing = data(api.get("/api/v1/assets"), 200)
    assert asset["id"] in [a["id"] for a in listing["items"]]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="30" height="40"></svg>'
    replaced = data(api.put(f"/api/v1/assets/{asset['id']}/content", files={"file": ("x.svg", svg)}), 200)
    assert replaced["ref"] == asset["ref"]
    assert replaced["mimeType"] == "image/svg+xml"
    assert replaced["dimensions"] == {"width": 30, "height": 40}


def test_asset_errors(api: httpx.Client) -> None:
    error(api.post("/api/v1/assets", files={"file": ("a.txt", b"hello")}), 400, "INVALID_INPUT")
    error(api.post("/api/v1/assets", files={"other": ("a.png", PNG_1x2)}), 400, "MISSING_REQUIRED_FIELD")
    error(api.post("/api/v1/assets", json={"file": "x"}), 400, "VALIDATION_ERROR")
    error(api.get("/api/v1/assets/asset_nope"), 404, "NOT_FOUND")
    error(api.put("/api/v1/assets/asset_nope/content", files={"file": ("a.png", PNG_1x2)}), 404, "NOT_FOUND")


def test_placeholder_asset(api: httpx.Client) -> None:
    asset = data(api.post("/api/v1/assets/placeholder", json={"name": "Logo here"}), 201)
    assert asset["isPlaceholder"] is True
    assert asset["dimensions"] == {"width": 400, "height": 300}
    thumbnail = httpx.get(asset["thumbnailUrl"])
    assert thumbnail.status_code == 200
    assert thumbnail.content.startswith(b"\x89PNG")
    error(api.post("/api/v1/assets/placeholder", json={"name": "x", "width": 15}), 400, "INVALID_INPUT")
    error(api.post("/api/v1/assets/placeholder", json={"name": "x", "label": "y" * 41}), 400, "INVALID_INPUT")
    error(api.post("/api/v1/assets/placeholder", json={}), 400, "MISSING_REQUIRED_FIELD")


# --- generate and preview ----------------------------------------------------------------------------


def test_generate_costs_one_credit_and_the_link_serves_a_pdf(server: MockServer, api: httpx.Client) -> None:
    before = server.app.sessions.get().workspace.credits
    generated = data(
        api.post(
            "/api/v1/generate",
            params={"design": "dsg_invoice"},
            json={"data": {"customer_name": "Ada Lovelace", "items": [["Pen", "2", None]]}},
        ),
        201,
    )
    assert generated["filename"] == "Invoice.pdf"
    assert generated["expiresIn"] == 3600
    assert generated["status"] == "completed"
    assert server.app.sessions.get().workspace.credits == before - 1
    pdf = httpx.get(generated["downloadUrl"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.content.rstrip().endswith(b"%%EOF")
    assert b"/Type /Page" in pdf.content
    assert b"Ada Lovelace" in pdf.content


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
    before = server.app.sessions.get().workspace.credits
    error(api.post("/api/v1/generate", params=params, json=body), status, code)
    assert server.app.sessions.get().workspace.credits == before


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


def test_preview_serves_a_png_of_the_page(api: httpx.Client) -> None:
    preview = data(api.get("/api/v1/preview", params={"design": "dsg_shipping_label", "page": 1}), 200)
    assert preview["page"] == 1
    assert preview["expiresIn"] == 3600
    png = httpx.get(preview["previewUrl"])
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
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
    assert server.app.sessions.get().workspace.credits == 0


# --- batch -------------------------------------------------------------------------------------------


def test_batch_runs_to_completion_and_downloads_a_zip(server: MockServer, api: httpx.Client) -> None:
    before = server.app.sessions.get().workspace.credits
    rows = [{"recipient": "Ada"}, {"recipient": "Grace"}, "not a row"]
    queued = data(
        api.post("/api/v1/batch/generate", params={"design": "dsg_certificate"}, json={"rows": rows}), 202
    )
    assert queued["status"] == "queued"
    assert queued["total"] == 3
    assert queued["jobId"].startswith("job_")
    assert server.app.sessions.get().workspace.credits == before - 3
    status = data(api.get(f"/api/v1/batch/{queued['jobId']}/status"), 200)
    assert status["status"] == "completed"
    assert (status["completed"], status["failed"], status["total"]) == (2, 1, 3)
    download = data(api.get(f"/api/v1/batch/{queued['jobId']}/download"), 200)
    assert download["expiresIn"] == 3600
    archive = httpx.get(download["url"])
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as bundle:
        assert bundle.testzip() is None
        names = bundle.namelist()
        assert len(names) == 2
        assert all(bundle.read(name).startswith(b"%PDF-") for name in names)


@pytest.mark.parametrize(
    ("params", "body", "status", "code"),
    [
        ({}, {"rows": [{}]}, 400, "VALIDATION_ERROR"),
        ({"design": "dsg_nope"}, {"rows": [{}]}, 404, "DESIGN_NOT_FOUND"),
        ({"design": "dsg_invoice"}, {}, 400, "MISSING_REQUIRED_FIELD"),
        ({"design": "dsg_invoice"}, {"rows": []}, 400, "INVALID_INPUT"),
        ({"design": "dsg_invoice"}, {"rows": {"a": 1}}, 400, "VALIDATION_ERROR"),
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
    assert server.app.sessions.get().workspace.credits == 2


def test_batch_needs_the_plan_feature(server: MockServer, api: httpx.Client) -> None:
    server.app.sessions.get().workspace.batch_generate = False
    body: dict[str, Any] = {"rows": [{}]}
    error(
        api.post("/api/v1/batch/generate", params={"design": "dsg_invoice"}, json=body),
        403,
        "INSUFFICIENT_PERMISSIONS",
    )
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
    assert set(schemas["Generated"]["properties"]) == {
        "designId",
        "filename",
        "downloadUrl",
        "expiresIn",
        "status",
    }
