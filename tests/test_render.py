"""The rendered PDF: structure, page sizes, text, hidden elements, images, profiles, determinism."""

from __future__ import annotations

import copy
import re

import pytest

from mockserver.simulator.render import pdf

from .render_trees import RED, every_type_tree, node, page_contents, png_bytes, xref_objects

LOGO = png_bytes((20, 10), RED)


def image(ref: str) -> bytes | None:
    return LOGO if ref == "uploads:upl_logo" else None


def test_every_element_type_gives_a_valid_pdf_with_pages_at_their_sizes() -> None:
    document = pdf(every_type_tree(), title="Invoice", image=image)
    assert document.startswith(b"%PDF-1.7\n")
    assert document.rstrip().endswith(b"%%EOF")
    pages = page_contents(document)
    assert len(pages) == 2
    assert b"/MediaBox [0 0 595.28 841.89]" in pages[0][0]
    assert b"/MediaBox [0 0 792 612]" in pages[1][0]
    first, second = pages[0][1], pages[1][1]
    for text in (rb"(INVOICE \(draft\))", b"(1. First item)", b"(2. Second item)", b"(Widget)", b"(star)"):
        assert text in first, text
    assert b"(uploads:upl_missing)" in first  # the placeholder's label
    assert b"(https://pay.example/42)" in first
    assert b"(ABC-123)" in first
    assert b"HIDDEN SECRET" not in document
    assert b"(Second page text)" in second
    assert b"(Second page text)" not in first


def test_text_styles_fonts_and_colours_reach_the_content() -> None:
    first = page_contents(pdf(every_type_tree(), title="t"))[0][1]
    assert re.search(rb"/F2 24 Tf 0\.067 0\.094 0\.153 rg [\d.]+ [\d.]+ Td \(INVOICE", first)  # bold title
    assert re.search(rb"/F2 10 Tf [^\n]*\(Item\)", first)  # the header row is bold
    assert re.search(rb"/F1 10 Tf [^\n]*\(Widget\)", first)
    assert b"0.863 0.078 0.235 rg" in first  # the rectangle's fill #dc143c
    assert b"0.118 0.235 0.784 RG\n3 w" in first  # the circle's stroke and width
    assert b"0.98 0.969 0.949 rg\n0 0 595.28 841.89 re f" in first  # the document background
    second = page_contents(pdf(every_type_tree(), title="t"))[1][1]
    assert b"0.667 0.733 0.8 rg\n0 0 792 612 re f" in second  # the page's own #abc wins


def test_uploaded_image_is_embedded_and_missing_one_is_a_placeholder() -> None:
    document = pdf(every_type_tree(), title="Invoice", image=image)
    images = [head for head, _ in xref_objects(document).values() if b"/Subtype /Image" in head]
    assert len(images) == 1
    assert b"/Width 20 /Height 10" in images[0]
    assert b"/Im1 Do" in page_contents(document)[0][1]
    without = pdf(every_type_tree(), title="Invoice")
    assert b"/Subtype /Image" not in without
    assert b"(uploads:upl_logo)" in page_contents(without)[0][1]


def test_an_image_lookup_that_fails_draws_a_placeholder() -> None:
    def broken(ref: str) -> bytes | None:
        raise RuntimeError("storage down")

    assert b"(uploads:upl_logo)" in page_contents(pdf(every_type_tree(), title="t", image=broken))[0][1]


def test_metadata_goes_into_the_info_dictionary() -> None:
    document = pdf(every_type_tree(), title="Invoice (June)")
    info = re.search(rb"/Info (\d+) 0 R", document)
    assert info is not None
    head = xref_objects(document)[int(info[1])][0]
    for entry in (
        rb"/Title (Invoice \(June\))",
        b"/Author (Ada Lovelace)",
        b"/Subject (Invoices)",
        b"/Keywords (a, b)",
    ):
        assert entry in head, entry
    assert b"/Creator (tests)" in head
    assert b"/CreationDate" not in head


def test_output_is_deterministic_and_the_id_follows_the_content() -> None:
    one, two = pdf(every_type_tree(), title="A"), pdf(every_type_tree(), title="A")
    assert one == two
    other = pdf(every_type_tree(), title="B")
    ids = [re.search(rb"/ID \[<([0-9a-f]{32})> <\1>\]", doc) for doc in (one, other)]
    assert ids[0] is not None
    assert ids[1] is not None
    assert ids[0][1] != ids[1][1]


def catalog(document: bytes) -> bytes:
    return xref_objects(document)[1][0]


def test_standard_profile_has_no_tagging_or_archival_markers() -> None:
    document = pdf(every_type_tree(), title="Invoice")
    head = catalog(document)
    assert b"/Type /Catalog" in head
    for marker in (b"/MarkInfo", b"/StructTreeRoot", b"/Metadata", b"/OutputIntents", b"/Lang"):
        assert marker not in head


def test_accessible_profile_is_tagged_with_title_language_and_structure() -> None:
    document = pdf(every_type_tree(), title="Invoice", profile="accessible", image=image)
    head = catalog(document)
    assert b"/MarkInfo << /Marked true >>" in head
    assert b"/Lang (en)" in head
    assert b"/ViewerPreferences << /DisplayDocTitle true >>" in head
    assert b"/OutputIntents" not in head
    objects = xref_objects(document)
    metadata = next(data for h, data in objects.values() if b"/Type /Metadata" in h)
    assert metadata is not None
    assert b'<rdf:li xml:lang="x-default">Invoice</rdf:li>' in metadata
    assert b"<pdfuaid:part>1</pdfuaid:part>" in metadata
    assert b"pdfaid:part>" not in metadata
    elements = [h for h, _ in objects.values() if b"/Type /StructElem" in h]
    first_page = page_contents(document)[0][1]
    mcids = re.findall(rb"/(P|Figure|Div) <</MCID (\d+)>> BDC", first_page)
    assert len(elements) == 1 + len(mcids) + 1  # the Document element, page 1's blocks, page 2's text
    assert any(b"/S /Figure" in h and b"/Alt (logo)" in h for h in elements)
    assert b"/StructParents 0" in page_contents(document)[0][0]


def test_pdf_a_profile_declares_part_3b_with_an_srgb_output_intent_and_is_tagged() -> None:
    document = pdf(every_type_tree(), title="Invoice", profile="pdf-a")
    head = catalog(document)
    assert b"/MarkInfo << /Marked true >>" in head
    assert b"/StructTreeRoot" in head
    objects = xref_objects(document)
    metadata = next(data for h, data in objects.values() if b"/Type /Metadata" in h)
    assert metadata is not None
    assert b"<pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>" in metadata
    assert b"pdfuaid" not in metadata.replace(b'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"', b"")
    intent = next(h for h, _ in objects.values() if b"/Type /OutputIntent" in h)
    icc_number = re.search(rb"/DestOutputProfile (\d+) 0 R", intent)
    assert icc_number is not None
    assert b"/S /GTS_PDFA1" in intent
    icc = objects[int(icc_number[1])][1]
    assert icc is not None
    assert icc[36:40] == b"acsp"
    assert icc[16:20] == b"RGB "


def test_page_content_is_identical_in_every_profile() -> None:
    contents = [
        [stream for _, stream in page_contents(pdf(every_type_tree(), title="T", profile=p, image=image))]
        for p in ("standard", "accessible", "pdf-a")
    ]
    assert contents[0] == contents[1] == contents[2]


def test_an_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="profile"):
        pdf(every_type_tree(), title="T", profile="pdf-x")


def test_text_is_escaped_and_non_latin_1_becomes_a_question_mark() -> None:
    tree = every_type_tree()
    tree["nodes"]["title"]["data"]["content"] = "a(b)c\\d \x01\x7f 日本 é € \u2022"
    document = pdf(tree, title="T\x00(\u20ac")
    assert b"(a\\(b\\)c\\\\d ?? ?? \xe9 \\200 \\225)" in page_contents(document)[0][1]
    assert b"/Title (T?\\(?)" in document  # the Info dictionary keeps to Latin-1


def test_text_overflowing_its_box_is_cut_and_lists_get_bullets() -> None:
    tree = every_type_tree()
    words = " ".join(f"word{i}" for i in range(200))
    tree["nodes"]["title"].update(
        position={"x": 48, "y": 48, "w": 200, "h": 40, "maxWidth": 200},
        fixedHeight=True,
        styles={"fontSize": 10},
    )
    tree["nodes"]["title"]["data"]["content"] = words
    tree["nodes"]["items"]["data"] = {"content": ["Tea", "Cake"]}
    first = page_contents(pdf(tree, title="T"))[0][1]
    assert b"word0 " in first
    assert b"word199" not in first
    assert len(re.findall(rb"\(word", first)) == 2  # 40 pt of box holds two 15 pt lines
    assert b"(\\225 Tea)" in first
    assert b"(\\225 Cake)" in first


def test_a_table_stops_at_the_bottom_of_the_page() -> None:
    tree = every_type_tree()
    rows = [[f"row{i}", str(i)] for i in range(500)]
    tree["nodes"]["table"]["data"] = {"cells": rows, "columnWidths": [100, 60]}
    first = page_contents(pdf(tree, title="T"))[0][1]
    drawn = len(re.findall(rb"\(row\d+\)", first))
    assert drawn == int((841.89 - 170) // 23)  # the room below the table's top at 10 * 1.5 + 2 * 4 pt per row
    assert b"(row0)" in first
    assert b"(row499)" not in first


def test_a_tree_without_pages_is_one_blank_a4_page() -> None:
    pages = page_contents(pdf({"pages": [], "nodes": {}}, title="Empty"))
    assert len(pages) == 1
    assert b"/MediaBox [0 0 595.28 841.89]" in pages[0][0]


GARBAGE_NODES: list[object] = [
    None, 7, "text", [], {}, {"type": "text"}, {"type": "nope", "position": {"x": 1, "y": 1, "w": 5, "h": 5}},
    {"type": "text", "position": {"x": "1", "y": None, "w": float("nan"), "h": True}, "data": {"content": 5}},
    {"type": "text", "position": {"x": 1, "y": 1, "w": 50, "h": 9}, "data": {"content": [1, None, {"a": 1}]},
     "styles": {"fontSize": "big", "fontWeight": [], "color": 12, "lineHeight": -4, "textAlign": {}}},
    {"type": "table", "position": {"x": 1, "y": 1, "w": 50, "h": 9},
     "data": {"cells": [None, ["a", {"type": "qr"}, {"data": 3}, 4.5], "row"],
              "columnWidths": ["x", -3, 1e9]}},
    {"type": "table", "position": {"x": 1, "y": 1}, "data": {"cells": "oops", "width": "wide"}},
    {"type": "image", "position": {"x": 1, "y": 1, "w": 50, "h": 9}, "data": {"src": 42, "crop": {"x": "a"}}},
    {"type": "image", "position": {"x": 1, "y": 1, "w": 50, "h": 9},
     "data": {"src": "uploads:upl_logo", "crop": {"x": 2, "width": 0}}},
    {"type": "shape", "position": {"x": -5e9, "y": 1e12, "w": 1e30, "h": 9}, "data": {"shapeType": None},
     "styles": {"fill": "linear-gradient(90deg, nonsense)", "stroke": "#12345", "strokeWidth": "3"}},
    {"type": "qr", "position": {"x": 1, "y": 1, "size": 30}, "data": {}},
    {"type": "barcode", "position": {"x": 1, "y": 1, "w": 0.001, "h": 0.001}, "data": {"content": ["x"]}},
    {"type": "icon", "position": {"x": 1, "y": 1, "w": 2, "h": 2}, "data": {"iconId": None}},
]  # fmt: skip


@pytest.mark.parametrize("garbage", GARBAGE_NODES, ids=range(len(GARBAGE_NODES)))
def test_odd_values_inside_a_tree_never_make_the_render_fail(garbage: object) -> None:
    tree = every_type_tree()
    tree["nodes"]["odd"] = garbage
    tree["pages"][0]["children"].append("odd")
    tree["pages"].append({"width": "A4", "height": None, "background": 5, "children": "all"})
    tree["document"] = {"background": "#00f"}
    tree["metadata"] = {"keywords": ["x", 1], "author": {"no": 1}}
    assert len(page_contents(pdf(copy.deepcopy(tree), title="T", image=image))) == 3


def test_elements_on_a_page_are_bounded() -> None:
    tree = every_type_tree()
    for i in range(2500):
        tree["nodes"][f"n{i}"] = node(f"n{i}", "text", (10, 10, 100, 20), {"content": f"t{i}x"})
    tree["pages"][0]["children"] = [f"n{i}" for i in range(2500)]
    first = page_contents(pdf(tree, title="T"))[0][1]
    assert b"(t1999x)" in first
    assert b"(t2000x)" not in first
