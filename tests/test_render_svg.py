"""SVG uploads rasterised (simplified), blank and hostile SVGs, and image_info for uploads."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from mockserver.simulator.render import image_info, png, rasterize_svg

from .render_trees import node, pixel, png_bytes

SVG = b'xmlns="http://www.w3.org/2000/svg"'
LOGO = (
    b"<svg " + SVG + b' viewBox="0 0 100 50" width="200">'
    b'<rect width="50" height="50" fill="red"/>'
    b'<path d="M60 5 h30 v40 h-30 z m10 10 h10 v20 h-10 z" fill="#00f"/>'
    b'<g transform="translate(25 25)"><circle r="10" style="fill: rgb(0, 255, 0)"/></g>'
    b"</svg>"
)


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_simple_logo_is_drawn_at_its_size() -> None:
    result = rasterize_svg(LOGO)
    assert result is not None
    data, width, height = result
    image = decode(data)
    assert (width, height) == image.size == (200, 100)
    assert image.mode == "RGBA"
    assert pixel(image, (10, 90)) == (255, 0, 0, 255)  # the red square
    assert pixel(image, (50, 50)) == (0, 255, 0, 255)  # the translated green circle
    assert pixel(image, (125, 20)) == (0, 0, 255, 255)  # the blue frame
    assert pixel(image, (150, 50))[3] == 0  # the frame's hole (relative subpath, even-odd)
    assert pixel(image, (195, 5))[3] == 0  # nothing drawn there


def test_strokes_lines_polygons_curves_and_text_draw_something() -> None:
    svg = (
        b"<svg " + SVG + b' width="100" height="100">'
        b'<line x1="0" y1="5" x2="100" y2="5" stroke="black" stroke-width="4"/>'
        b'<polygon points="10,20 40,20 25,45" fill="orange"/>'
        b'<path d="M50 50 C 60 20, 90 20, 95 50 A 20 20 0 0 1 55 90 Q 50 70 50 50"'
        b' fill="none" stroke="purple"/>'
        b'<text x="10" y="90" font-size="10">Logo</text></svg>'
    )
    result = rasterize_svg(svg)
    assert result is not None
    image = decode(result[0])
    assert pixel(image, (50, 5)) == (0, 0, 0, 255)
    assert pixel(image, (25, 25)) == (255, 165, 0, 255)
    assert pixel(image, (15, 86))[3] == 255  # the text's dark box
    assert any(pixel(image, (x, y))[3] for x in range(50, 100) for y in range(20, 95))  # the curve


@pytest.mark.parametrize(
    "svg",
    [
        b"<svg " + SVG + b"/>",
        b"<svg " + SVG + b' width="10" height="10"><defs><rect width="10" height="10"/></defs></svg>',
        b"<svg " + SVG + b'><rect width="50" height="50" fill="none"/><circle r="9" fill="transparent"/>'
        b'<rect width="9" height="9" opacity="0"/><rect width="9" height="9" fill="rgba(1,2,3,0)"/></svg>',
    ],
    ids=["empty", "only-defs", "transparent-shapes"],
)
def test_a_blank_drawing_is_none(svg: bytes) -> None:
    assert rasterize_svg(svg) is None


def test_a_drawing_of_one_colour_all_over_is_not_blank() -> None:
    # A swatch or a full-bleed background: every pixel the same, and something to see.
    swatch = b"<svg " + SVG + b' width="20" height="20"><rect width="20" height="20" fill="#123456"/></svg>'
    result = rasterize_svg(swatch)
    assert result is not None
    image = decode(result[0])
    assert {pixel(image, (x, y)) for x in range(20) for y in range(20)} == {(0x12, 0x34, 0x56, 255)}


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><svg ' + SVG + b"><text>&c;</text></svg>"
)


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        (BOMB, "ENTITY"),
        (b'<!DOCTYPE svg [<!ATTLIST svg x CDATA "1">]><svg ' + SVG + b"/>", "internal DTD"),
        (b"<svg " + SVG + b"><rect></svg>", "does not parse"),
        (b"<?xml version='1.0'?><html><svg/></html>", "not <svg>"),
    ],
    ids=["entity-bomb", "internal-subset", "malformed", "wrong-root"],
)
def test_hostile_or_broken_documents_are_refused(svg: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rasterize_svg(svg)
    assert image_info(svg) is None


def test_a_public_doctype_without_an_internal_subset_is_accepted() -> None:
    svg = (
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
        + LOGO
    )
    assert rasterize_svg(svg) is not None


def test_a_giant_size_is_capped_keeping_the_aspect() -> None:
    svg = (
        b"<svg "
        + SVG
        + b' width="100000" height="50000"><rect width="50000" height="50000" fill="red"/></svg>'
    )
    result = rasterize_svg(svg, max_pixels=1_000_000)
    assert result is not None
    _, width, height = result
    assert width * height <= 1_000_000
    assert abs(width / height - 2) < 0.01
    assert pixel(decode(result[0]), (width // 4, height // 2)) == (255, 0, 0, 255)


def test_element_count_is_bounded() -> None:
    shapes = b"".join(b'<rect x="%d" width="1" height="1" fill="red"/>' % i for i in range(6000))
    result = rasterize_svg(b"<svg " + SVG + b' width="6000" height="2">' + shapes + b"</svg>")
    assert result is not None
    image = decode(result[0])
    assert pixel(image, (4999, 0))[3] == 255
    assert pixel(image, (5001, 0))[3] == 0


def raster(kind: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (9, 9, 9)).save(out, format=kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "mime"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_image_info_reads_rasters_that_decode(kind: str, mime: str) -> None:
    data = raster(kind, (31, 17))
    assert image_info(data) == (mime, 31, 17)
    assert image_info(data[: len(data) // 2]) is None  # truncated: does not decode


def test_image_info_reads_svg_sizes_and_refuses_other_bytes() -> None:
    assert image_info(LOGO) == ("image/svg+xml", 200, 100)
    assert image_info(b"<svg " + SVG + b' viewBox="0 0 40 30"/>') == ("image/svg+xml", 40, 30)
    assert image_info(b"<svg " + SVG + b' width="2in" height="10mm"/>') == ("image/svg+xml", 192, 38)
    assert image_info(b"GIF89a\x01\x00\x01\x00") is None
    assert image_info(b"") is None


def test_an_svg_upload_is_drawn_into_a_design() -> None:
    logo = node("logo", "image", (0, 0, 100, 50), {"src": "uploads:upl_svg"})
    tree: dict[str, Any] = {
        "pages": [{"width": 100, "height": 100, "children": ["logo"]}],
        "nodes": {"logo": logo},
    }
    preview = decode(png(tree, 0, image=lambda ref: LOGO)).convert("RGB")
    assert pixel(preview, (10, 40)) == (255, 0, 0)
    black = decode(png(tree, 0, image=lambda ref: png_bytes((4, 4), (0, 0, 0)))).convert("RGB")
    assert pixel(black, (50, 25)) == (0, 0, 0)
