"""The generated files are structurally valid: PDF xref offsets, PNG chunks and CRCs, ZIP round trips."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

import pytest

from mockserver.simulator.files import pdf, png, zip_of

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def xref_offsets(document: bytes) -> list[int]:
    """The in-use offsets of the (single-section) xref table that `startxref` points at."""
    start = int(re.findall(rb"startxref\s+(\d+)\s+%%EOF", document)[-1])
    assert document[start:].startswith(b"xref")
    header = re.match(rb"xref\r?\n0 (\d+)\r?\n", document[start:])
    assert header is not None
    count, body = int(header[1]), start + header.end()
    entries = [document[body + 20 * i : body + 20 * (i + 1)] for i in range(count)]
    assert entries[0] == b"0000000000 65535 f \n"
    assert all(re.fullmatch(rb"\d{10} 00000 n \n", entry) for entry in entries[1:])
    assert document[body + 20 * count :].startswith(b"trailer")
    return [int(entry[:10]) for entry in entries[1:]]


def streams(document: bytes) -> list[bytes]:
    """Every stream's bytes, cut by its own /Length."""
    found = []
    for match in re.finditer(rb"<< /Length (\d+) >>\nstream\n", document):
        data = document[match.end() : match.end() + int(match[1])]
        assert document[match.end() + int(match[1]) :].startswith(b"\nendstream")
        found.append(data)
    return found


def png_chunks(image: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking each CRC on the way."""
    assert image.startswith(PNG_SIGNATURE)
    chunks, position = [], len(PNG_SIGNATURE)
    while position < len(image):
        (length,) = struct.unpack(">I", image[position : position + 4])
        kind = image[position + 4 : position + 8]
        data = image[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", image[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + data), kind
        chunks.append((kind, data))
        position += 12 + length
    assert position == len(image)
    return chunks


# --- PDF ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pages", [1, 2, 5])
def test_pdf_structure_and_xref_offsets(pages: int) -> None:
    document = pdf("Invoice", ["Ada Lovelace", "Total: 42.00"], pages)
    assert document.startswith(b"%PDF-1.4")
    assert document.rstrip(b"\n").endswith(b"%%EOF")
    offsets = xref_offsets(document)
    assert len(offsets) == 3 + 2 * pages  # catalog, page tree, font, then a content stream and a page each
    for number, offset in enumerate(offsets, start=1):
        assert document[offset:].startswith(b"%d 0 obj\n" % number), number
    assert re.search(rb"/Size %d /Root 1 0 R" % (len(offsets) + 1), document)
    (count,) = re.findall(rb"/Type /Pages /Kids \[[^\]]*\] /Count (\d+)", document)
    assert int(count) == pages
    assert len(re.findall(rb"/Type /Page\b(?!s)", document)) == pages
    assert b"/MediaBox [0 0 595 842]" in document
    assert b"/BaseFont /Helvetica" in document


def test_pdf_draws_the_title_larger_and_the_lines_on_page_one() -> None:
    first, second = streams(pdf("Invoice", ["Ada Lovelace", "Total: 42.00"], 2))
    assert b"/F1 20 Tf" in first
    assert b"(Invoice) Tj" in first
    assert b"(Ada Lovelace) Tj" in first
    assert b"(Total: 42.00) Tj" in first
    assert b"Ada Lovelace" not in second
    assert b"(Page 2 of 2) Tj" in second


def test_pdf_is_deterministic() -> None:
    assert pdf("Same", ["a", "b"], 3) == pdf("Same", ["a", "b"], 3)
    assert pdf("Same", ["a"]) != pdf("Other", ["a"])


def test_pdf_escapes_string_literals() -> None:
    (content,) = streams(pdf("Title (draft)", ["back\\slash", "a) b( c"]))
    assert rb"(Title \(draft\)) Tj" in content
    assert rb"(back\\slash) Tj" in content
    assert rb"(a\) b\( c) Tj" in content


@pytest.mark.parametrize("text", ["Price: 5 €", "Party 🎉🎉", "日本語", "tab\tnew\nline\r\x00", "\ud800"])
def test_pdf_replaces_what_latin_1_cannot_say(text: str) -> None:
    document = pdf(text, [text])
    (content,) = streams(document)
    assert all(0x20 <= byte < 0x7F or byte == 0x0A for byte in content)  # no control or stray high bytes
    assert b"?" in content
    for number, offset in enumerate(xref_offsets(document), start=1):
        assert document[offset:].startswith(b"%d 0 obj" % number)


def test_pdf_keeps_latin_1_text() -> None:
    (content,) = streams(pdf("Café", ["Müller & Søn"]))
    assert "(Café) Tj".encode("latin-1") in content
    assert "(Müller & Søn) Tj".encode("latin-1") in content


def test_pdf_wraps_long_lines_and_stops_at_the_page_bottom() -> None:
    long_line = " ".join(f"word{i:03d}" for i in range(60))
    many = [f"line {i}" for i in range(200)]
    (content,) = streams(pdf("T" * 200, [long_line, *many]))
    shown = re.findall(rb"\((.*?)\) Tj T\*", content)
    assert all(len(text) <= 80 for text in shown)
    assert b" ".join(shown[:2]).startswith(long_line[:150].encode())
    assert b"line 0" in shown
    assert b"line 199" not in content
    assert 30 < len(shown) < 60
    (title,) = re.findall(rb"/F1 20 Tf \d+ \d+ Td \((.*?)\) Tj", content)
    assert title.endswith(b"...")
    assert len(title) < 60


def test_pdf_with_no_lines_or_pages_is_still_one_page() -> None:
    document = pdf("", [], 0)
    assert re.search(rb"/Count 1\b", document)
    assert len(xref_offsets(document)) == 5


# --- PNG ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1, 1), (2, 3), (5, 5), (37, 19), (595, 842)])
def test_png_chunks_crcs_and_pixels(width: int, height: int) -> None:
    chunks = png_chunks(png(width, height, "Invoice — page 1"))
    kinds = [kind for kind, _ in chunks]
    assert kinds[0] == b"IHDR"
    assert kinds[-1] == b"IEND"
    header = chunks[0][1]
    assert struct.unpack(">IIBBBBB", header) == (width, height, 8, 2, 0, 0, 0)
    pixels = zlib.decompress(b"".join(data for kind, data in chunks if kind == b"IDAT"))
    stride = 1 + 3 * width
    assert len(pixels) == height * stride
    assert all(pixels[row * stride] == 0 for row in range(height))  # filter type "none"
    assert dict(chunks)[b"tEXt"] == b"Title\x00Invoice ? page 1"


def test_png_is_visibly_an_image() -> None:
    chunks = dict(png_chunks(png(40, 40)))
    pixels = zlib.decompress(chunks[b"IDAT"])
    colours = {pixels[i : i + 3] for row in range(40) for i in range(row * 121 + 1, row * 121 + 121, 3)}
    assert len(colours) >= 3  # border, background, stripe


@pytest.mark.parametrize(
    ("asked", "got"), [((0, 0), (1, 1)), ((-5, 10), (1, 10)), ((5000, 2001), (2000, 2000))]
)
def test_png_clamps_its_size(asked: tuple[int, int], got: tuple[int, int]) -> None:
    header = png_chunks(png(*asked))[0][1]
    assert struct.unpack(">II", header[:8]) == got


def test_png_is_deterministic_and_label_safe() -> None:
    assert png(10, 10, "x") == png(10, 10, "x")
    text = dict(png_chunks(png(3, 3, "a\x00b🎉")))[b"tEXt"]
    assert text == b"Title\x00a?b?"


# --- ZIP ---------------------------------------------------------------------------------------------


def test_zip_round_trips_names_and_contents() -> None:
    files = {"a.pdf": pdf("A", ["x"]), "dir/b.png": png(4, 4), "empty.txt": b""}
    with zipfile.ZipFile(io.BytesIO(zip_of(files))) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == list(files)
        assert {name: archive.read(name) for name in archive.namelist()} == files
        infos = archive.infolist()
    assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos)
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos)


def test_zip_is_deterministic() -> None:
    files = {"a.pdf": b"one", "b.pdf": b"two"}
    assert zip_of(files) == zip_of(dict(files))


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../evil.pdf", "evil.pdf"),
        ("/etc/passwd", "etc/passwd"),
        ("a/../../b.pdf", "a/b.pdf"),
        ("..\\..\\win.pdf", "win.pdf"),
        ("x..y.pdf", "x.y.pdf"),
        ("./ok.pdf", "ok.pdf"),
        ("..", "file"),
    ],
)
def test_zip_sanitises_names(name: str, safe: str) -> None:
    with zipfile.ZipFile(io.BytesIO(zip_of({name: b"data"}))) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [safe]
        assert archive.read(safe) == b"data"


def test_zip_keeps_names_that_collide_after_sanitising_apart() -> None:
    files = {"evil.pdf": b"1", "../evil.pdf": b"2", "/evil.pdf": b"3", "..": b"4", "/": b"5"}
    with zipfile.ZipFile(io.BytesIO(zip_of(files))) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == ["evil.pdf", "evil-2.pdf", "evil-3.pdf", "file", "file-2"]
        assert [archive.read(name) for name in names] == [b"1", b"2", b"3", b"4", b"5"]
        assert all(".." not in name and not name.startswith("/") for name in names)
