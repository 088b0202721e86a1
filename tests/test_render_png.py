"""The PNG preview of one page: size, background, element pixels, uploaded images, bounds."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from mockserver.simulator.render import png

from .render_trees import BLUE, GREEN, RED, every_type_tree, node, pixel, png_bytes

LOGO = png_bytes((20, 10), BLUE)


def render(tree: dict[str, Any], page: int = 0, scale: float = 1.0) -> Image.Image:
    image = Image.open(
        io.BytesIO(
            png(tree, page, scale=scale, image=lambda ref: LOGO if ref == "uploads:upl_logo" else None)
        )
    )
    image.load()
    return image.convert("RGB")


def test_the_png_has_the_page_size_times_scale() -> None:
    assert render(every_type_tree()).size == (595, 842)
    assert render(every_type_tree(), scale=2).size == (1191, 1684)
    assert render(every_type_tree(), page=1, scale=0.5).size == (396, 306)


def test_a_huge_page_or_scale_is_capped_on_the_long_side() -> None:
    tree = every_type_tree()
    tree["pages"][1].update(width=14400, height=7200)
    assert render(tree, page=1).size == (2000, 1000)
    assert max(render(every_type_tree(), scale=50).size) == 2000


def test_elements_show_where_they_are_and_the_background_where_nothing_is() -> None:
    image = render(every_type_tree())
    assert pixel(image, (5, 5)) == (250, 247, 242)  # the document background #FAF7F2 in an empty corner
    assert pixel(image, (450, 125)) == RED  # inside the filled rectangle (400, 100, 100, 50)
    assert pixel(image, (440, 260)) == BLUE  # the uploaded logo, contained in (400, 240, 80, 40)
    qr = [pixel(image, (48 + dx, 340 + dy)) for dx in range(0, 20) for dy in range(0, 20)]
    assert (0, 0, 0) in qr
    assert (255, 255, 255) in qr
    title = [pixel(image, (x, y)) for x in range(48, 200) for y in range(50, 80)]
    assert any(sum(pixel) < 200 for pixel in title)  # dark text pixels where the title is
    assert pixel(image, (440, 320)) != (250, 247, 242)  # the grey placeholder of the missing image


def test_hidden_elements_leave_the_background() -> None:
    tree = every_type_tree()
    tree["nodes"]["secret"]["styles"] = {"backgroundColor": "#00a000", "fontSize": 16}
    area = [pixel(render(tree), (x, 505)) for x in range(48, 340, 7)]
    assert set(area) == {(250, 247, 242)}
    tree["nodes"]["secret"]["isHidden"] = False
    assert GREEN in [pixel(render(tree), (x, 505)) for x in range(48, 340, 7)]


def test_the_page_background_overrides_the_document_background() -> None:
    assert pixel(render(every_type_tree(), page=1), (700, 600)) == (170, 187, 204)  # #abc
    tree = every_type_tree()
    tree["document"]["background"] = {"backgroundColor": "linear-gradient(90deg, #102030, #ffffff)"}
    assert pixel(render(tree), (5, 5)) == (16, 32, 48)  # a gradient paints its first colour
    tree["document"]["background"] = None
    assert pixel(render(tree), (5, 5)) == (255, 255, 255)


def test_a_background_image_covers_the_page() -> None:
    tree = every_type_tree()
    tree["pages"][1]["background"] = {"backgroundImage": "uploads:upl_logo", "backgroundSize": "cover"}
    image = render(tree, page=1)
    assert pixel(image, (5, 5)) == BLUE
    assert pixel(image, (780, 600)) == BLUE


def test_an_image_with_cover_fit_is_clipped_to_its_box() -> None:
    pic = node("pic", "image", (50, 50, 100, 100), {"src": "uploads:upl_logo"}, objectFit="cover")
    tree: dict[str, Any] = {
        "pages": [{"width": 200, "height": 200, "children": ["pic"]}],
        "nodes": {"pic": pic},
    }
    image = render(tree)
    assert pixel(image, (52, 100)) == BLUE
    assert pixel(image, (148, 100)) == BLUE
    assert pixel(image, (30, 100)) == (255, 255, 255)
    assert pixel(image, (170, 100)) == (255, 255, 255)


def test_a_page_out_of_range_is_an_index_error() -> None:
    with pytest.raises(IndexError, match="page 2"):
        png(every_type_tree(), 2)
    with pytest.raises(IndexError):
        png(every_type_tree(), -1)


def test_a_png_is_deterministic() -> None:
    assert png(every_type_tree(), 0) == png(every_type_tree(), 0)


def test_bold_text_without_a_glyph_in_the_preview_font_uses_a_look_alike() -> None:
    def row(content: str) -> list[tuple[int, ...]]:
        text = node("t", "text", (10, 10, 100, 30), {"content": content}, fontSize=20, fontWeight=700)
        tree: dict[str, Any] = {
            "pages": [{"width": 120, "height": 50, "children": ["t"]}],
            "nodes": {"t": text},
        }
        image = render(tree)
        return [pixel(image, (x, y)) for x in range(10, 40) for y in range(10, 40)]

    assert row("\u20ac 5") == row("E 5")  # the euro sign has no glyph in Pillow's built-in font
