"""C2's authoring rules that reach outside the tree: the closed font list, and data: images as uploads.

Refused inline images are covered by tests/test_revision_c_files.py.
"""

from __future__ import annotations

import base64
import io
import re
import zlib
from typing import Any

import pytest
from PIL import Image

from mockserver import MockAsgi
from mockserver.simulator import authoring, render

pytestmark = pytest.mark.anyio


def png_uri(size: tuple[int, int] = (20, 10)) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 0, 0)).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def add(kind: str, name: str, **args: Any) -> dict[str, Any]:
    return {"type": "add_element", "args": {"type": kind, "name": name, **args}}


async def patch(mock: MockAsgi, actions: list[dict[str, Any]]) -> tuple[int, Any, dict[str, Any]]:
    async with mock.client() as client:
        design = (await client.post("/api/v1/designs", json={"name": "Card"})).json()["data"]["designId"]
        answer = await client.patch(f"/api/v1/designs/{design}/tree", json={"actions": actions})
        tree = (await client.get(f"/api/v1/designs/{design}/tree")).json()
    return answer.status_code, answer.json(), tree


async def test_c2_font_names_match_the_catalog_in_any_case_and_are_stored_as_the_catalog_spells_them() -> (
    None
):
    text = add(
        "text", "t", position={"x": 1, "y": 1}, data={"content": "hi"}, styles={"fontFamily": "dm SANS"}
    )
    status, _, tree = await patch(MockAsgi(), [text])
    assert status == 200
    (node,) = tree["nodes"].values()
    assert node["styles"]["fontFamily"] == "DM Sans"


@pytest.mark.parametrize("family", ["google:inter", "Helvetica", "Comic Neue"])
async def test_c2_refuses_a_font_outside_the_catalog(family: str) -> None:
    text = add("text", "t", position={"x": 1, "y": 1}, data={"content": "hi"}, styles={"fontFamily": family})
    status, answer, _ = await patch(MockAsgi(), [text])
    assert (status, answer["error"]["code"]) == (400, "INVALID_INPUT")
    assert "GET /fonts lists them" in answer["error"]["message"]


async def test_before_c2_a_font_name_is_kept_as_sent() -> None:
    text = add(
        "text", "t", position={"x": 1, "y": 1}, data={"content": "hi"}, styles={"fontFamily": "google:inter"}
    )
    status, _, tree = await patch(MockAsgi(api_revision="C1"), [text])
    assert status == 200
    assert next(iter(tree["nodes"].values()))["styles"]["fontFamily"] == "google:inter"


async def test_c2_stores_a_data_image_as_an_upload_and_draws_it() -> None:
    mock = MockAsgi()
    image = add("image", "logo", position={"x": 0, "y": 0, "w": 200, "h": 100}, data={"src": png_uri()})
    status, _, tree = await patch(mock, [image])
    assert status == 200
    (node,) = tree["nodes"].values()
    ref = node["data"]["src"]
    assert re.fullmatch(r"uploads:upl_[0-9a-f]+", ref)
    stored = mock.session.workspace.images[ref]
    assert (stored.mime_type, stored.width, stored.height) == ("image/png", 20, 10)
    preview = Image.open(io.BytesIO(render.png(tree, 0, image=lambda r: stored.png if r == ref else None)))
    assert preview.convert("RGB").getpixel((100, 50)) == (200, 0, 0)


async def test_a_failing_request_keeps_none_of_the_uploads_it_made() -> None:
    mock = MockAsgi()
    before = set(mock.session.workspace.images)
    image = add("image", "logo", position={"x": 0, "y": 0, "w": 20, "h": 10}, data={"src": png_uri()})
    broken = {"type": "bind_variable", "args": {"name": "nobody"}}
    status, answer, _ = await patch(mock, [image, broken])
    assert (status, answer["error"]["code"]) == (400, "INVALID_INPUT")
    assert set(mock.session.workspace.images) == before


def test_text_whose_box_hugs_its_content_is_never_cut_when_drawn() -> None:
    """The box is sized by a simple glyph model; the renderer's real widths may be larger."""
    vocabulary, serial = authoring.vocabulary("C2"), iter(range(100))
    text = add(
        "text",
        "dept",
        position={"x": 10, "y": 10},
        data={"content": "R&D WMD"},
        styles={"fontSize": 20, "fontWeight": 700},
    )
    tree, _ = authoring.apply_actions(
        authoring.new_tree(243, 153), [text], vocabulary, lambda k: f"{k}-{next(serial)}"
    )
    document = render.pdf(tree, title="card")
    streams = [zlib.decompress(s) for s in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", document, re.S)]
    assert any(b"(R&D WMD) Tj" in stream for stream in streams)
