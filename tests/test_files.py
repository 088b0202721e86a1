"""The batch ZIP: round trips, deterministic bytes, safe names (PDFs and PNGs: tests/test_render*.py)."""

from __future__ import annotations

import io
import zipfile

import pytest

from mockserver.simulator.files import zip_of

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_zip_round_trips_names_and_contents() -> None:
    files = {"a.pdf": b"%PDF-1.7 A", "dir/b.png": b"\x89PNG\r\n\x1a\n", "empty.txt": b""}
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
