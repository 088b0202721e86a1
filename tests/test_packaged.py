"""The package's own YAML files are read from JSON twins made from them, and never wrongly."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

import mockserver
from mockserver import packaged, yamldoc

PACKAGE = Path(mockserver.__file__).parent


def _text(relative: str) -> str:
    return (PACKAGE / relative).read_text(encoding="utf-8")


def test_every_packaged_yaml_file_has_a_fresh_twin_and_no_twin_is_left_over() -> None:
    folder = PACKAGE / packaged.TWINS
    shipped = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.json"))
    wanted = sorted(f"{relative}.json" for relative in packaged.sources())
    assert shipped == wanted, "run `python -m mockserver.packaged` to make the twins again"
    stale = [
        relative
        for relative in packaged.sources()
        if (folder / f"{relative}.json").read_text("utf-8") != packaged.made(relative, _text(relative))
    ]
    assert stale == [], "run `python -m mockserver.packaged` to make the twins again"


def test_the_twins_cover_the_catalog_the_default_workspace_and_every_built_in_scenario() -> None:
    scenarios = sorted(p.name for p in (PACKAGE / "scenarios").iterdir() if p.suffix == ".yaml")
    assert len(scenarios) >= 10
    assert packaged.sources() == [
        "catalog.yaml",
        "simulator/default_workspace.yaml",
        *(f"scenarios/{name}" for name in scenarios),
    ]


@pytest.mark.parametrize("relative", packaged.sources())
def test_a_twin_holds_what_the_yaml_reader_reads(relative: str) -> None:
    text = _text(relative)
    doc = packaged.document(relative, text)
    assert doc.data == yamldoc.read(text).data
    # JSON keeps the kinds apart: 1, 1.0 and true stay an int, a float and a bool
    assert json.dumps(doc.data) == json.dumps(yamldoc.read(text).data)


def test_a_twin_made_from_other_text_is_passed_over_for_the_yaml() -> None:
    text = _text("catalog.yaml").replace("status: 402", "status: 499", 1)
    assert text != _text("catalog.yaml")
    statuses = [row["status"] for row in packaged.document("catalog.yaml", text).data]
    assert 499 in statuses
    assert 499 not in [row["status"] for row in packaged.data("catalog.yaml")]


def test_a_missing_or_broken_twin_is_passed_over(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    copy = tmp_path / "mockserver"
    (copy / "scenarios").mkdir(parents=True)
    (copy / "simulator").mkdir()
    (copy / "simulator" / "default_workspace.yaml").write_text("credits: 1\n", encoding="utf-8")
    (copy / "catalog.yaml").write_text("- {code: A, status: 400}\n", encoding="utf-8")
    (copy / packaged.TWINS).mkdir()
    monkeypatch.setattr(packaged, "_root", lambda: copy)
    assert packaged.data("catalog.yaml") == [{"code": "A", "status": 400}]  # no twin
    (copy / packaged.TWINS / "catalog.yaml.json").write_text("{not json", encoding="utf-8")
    assert packaged.data("catalog.yaml") == [{"code": "A", "status": 400}]
    assert f"{packaged.TWINS}/catalog.yaml.json" in packaged.write(copy)
    twin = json.loads((copy / packaged.TWINS / "catalog.yaml.json").read_text(encoding="utf-8"))
    assert twin["data"] == [{"code": "A", "status": 400}]
    twin["data"] = [{"code": "FROM_TWIN"}]
    (copy / packaged.TWINS / "catalog.yaml.json").write_text(json.dumps(twin), encoding="utf-8")
    assert packaged.data("catalog.yaml") == [{"code": "FROM_TWIN"}]  # a fresh twin is what is read


def test_write_removes_the_twin_of_a_file_that_is_gone(tmp_path: Path) -> None:
    copy = tmp_path / "mockserver"
    (copy / "scenarios").mkdir(parents=True)
    (copy / "simulator").mkdir()
    for relative in ("catalog.yaml", "simulator/default_workspace.yaml", "scenarios/a.yaml"):
        (copy / relative).write_text("description: x\n", encoding="utf-8")
    old = copy / packaged.TWINS / "scenarios" / "gone.yaml.json"
    old.parent.mkdir(parents=True)
    old.write_text("{}", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(packaged, "_root", lambda: copy)
        written = packaged.write(copy)
        assert packaged.write(copy) == []  # nothing left to do
    assert f"{packaged.TWINS}/scenarios/gone.yaml.json" in written
    assert not old.exists()
    assert (copy / packaged.TWINS / "scenarios" / "a.yaml.json").is_file()


def test_positions_of_a_built_in_file_are_found_from_its_text_when_asked_for() -> None:
    relative = "scenarios/every-error.yaml"
    text = _text(relative)
    doc = packaged.document(relative, text)
    read = yamldoc.read(text)
    assert doc.values == read.values
    assert doc.keys == read.keys
    assert doc.values[("rules",)][0] > 1


def test_the_package_resources_are_where_the_twins_are_made() -> None:
    # the twins are read through importlib.resources: the folder they are written to must be the same
    assert Path(str(resources.files("mockserver"))) == PACKAGE
