"""Fuzzing: schemathesis against the OpenAPI document; hypothesis against the matchers and the loader."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
)

from mockserver import MockApp, Problem, ScenarioError, Settings, catalog
from mockserver.loader import load
from mockserver.matching import PatternError, compile_body, compile_glob, compile_path
from tests.conftest import DEMO_KEY

APP = MockApp(Settings(batch_seconds=0))
schema = schemathesis.openapi.from_asgi("/__mock/openapi.json", APP)
schema.config.generation.update(max_examples=15)

ENVELOPE_KEYS = {"status", "data", "error"}
RAW_SUCCESS = {("GET", "/api/v1/designs/{id}/tree")}
"""Operations whose success is documented without the envelope (README: C's raw tree); their errors
are enveloped, and schemathesis checks their success bodies against the documented schema above."""


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_generated_request_gets_a_documented_envelope(case: Any) -> None:
    APP.sessions.get().reset()
    response = case.call(headers={"X-API-Key": DEMO_KEY})
    # Schemathesis' own checks: no 5xx, documented status, content type, and the body against its schema.
    # Not "405 for undeclared methods": the catalog has no 405, so those are 404 NOT_FOUND (documented).
    # Not "schema-valid data is accepted": a design's variables and a tool's input are checked against the
    # design and the tool, which one schema for all designs cannot express (they answer the 400 family).
    # Not "schema-violating data is rejected" for multipart bodies: every form field is text on the
    # wire, so a `name` of -1.1 "as a number" arrives as the text "-1.1", a valid name.
    excluded = [unsupported_method, positive_data_acceptance]
    if case.media_type == "multipart/form-data":
        excluded.append(negative_data_rejection)
    case.validate_response(response, excluded_checks=excluded)
    assert response.status_code < 500, response.text  # no rule asked for a 5xx
    body = json.loads(response.content)
    if response.status_code < 400 and (case.method.upper(), case.path) in RAW_SUCCESS:
        return  # the documented exception, when the generated id names an existing design
    assert set(body) == ENVELOPE_KEYS
    if response.status_code < 400:
        assert body["status"] == "success"
        assert body["error"] is None
        documented = case.operation.definition.raw["responses"]
        assert str(response.status_code) in documented
    else:
        assert body["status"] == "error"
        assert body["data"] is None
        code = body["error"]["code"]
        assert catalog.CODES[code].status == response.status_code
    assert APP.internal_errors == []


# --- matchers ------------------------------------------------------------------------------------

SEGMENT = st.text(alphabet=string.ascii_letters + string.digits + "-_.~", min_size=1, max_size=8)


@given(st.lists(SEGMENT, min_size=1, max_size=6))
def test_a_literal_path_matches_itself_only(segments: list[str]) -> None:
    path = "/" + "/".join(segments)
    pattern = compile_path(path)
    assert pattern.match(path) == {}
    assert pattern.match(path + "/x") is None


@given(st.lists(SEGMENT, min_size=1, max_size=6), st.data())
def test_a_template_captures_exactly_its_segment(segments: list[str], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(segments) - 1))
    template = "/" + "/".join("{var}" if i == index else s for i, s in enumerate(segments))
    path = "/" + "/".join(segments)
    assert compile_path(template).match(path) == {"var": segments[index]}
    if len(segments) > 1:
        shorter = "/" + "/".join(segments[:-1])
        assert compile_path(template).match(shorter) is None or index < len(segments) - 1


@given(st.text(max_size=30), st.text(max_size=10), st.text(max_size=10))
def test_a_glob_matches_what_it_surrounds(middle: str, prefix: str, suffix: str) -> None:
    glob = compile_glob(prefix.replace("*", "") + "*" + suffix.replace("*", ""))
    assert glob.matches(prefix.replace("*", "") + middle + suffix.replace("*", ""))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=5), JSON, max_size=4))
def test_a_document_contains_itself_as_a_subset(document: dict[str, Any]) -> None:
    literal = json.loads(json.dumps(document).replace("*", ""))  # `*` would be a glob
    assert compile_body(literal).mismatch(literal) is None


@given(st.text(max_size=40))
def test_any_path_pattern_compiles_or_says_why(source: str) -> None:
    reason = ""
    try:
        compile_path(source)
    except PatternError as exc:
        reason = str(exc) or "(empty message)"
    assert reason != "(empty message)"


# --- the loader never crashes ----------------------------------------------------------------------

YAML_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 700)
    | st.sampled_from(
        ["GET /api/v1/designs", "S3_ERROR", "INSUFFICIENT_CREDITS", "800ms", "x", "/a/{id}", "default", "**"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "when",
                    "reply",
                    "rules",
                    "error",
                    "status",
                    "data",
                    "body",
                    "fault",
                    "times",
                    "chance",
                    "delay",
                    "extends",
                    "workspace",
                    "credits",
                    "method",
                    "path",
                    "min",
                    "max",
                    "oops",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(YAML_VALUES)
def test_random_scenario_documents_load_or_report_positions(tmp_path: Path, document: Any) -> None:
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    path = folder / "random.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    problems: tuple[Problem, ...] = ()
    try:
        assert "random" in load(folder)
    except ScenarioError as exc:
        problems = exc.problems
    for problem in problems:
        assert problem.file == str(path)
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.message


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_random_bytes_never_crash_the_loader(tmp_path: Path, raw: bytes) -> None:
    folder = tmp_path / "bytes"
    folder.mkdir(exist_ok=True)
    (folder / "noise.yaml").write_bytes(raw)
    problems: tuple[Problem, ...] = ()
    try:
        load(folder)
    except ScenarioError as exc:
        problems = exc.problems
    assert all(p.line >= 1 and p.message for p in problems)


def test_loader_rejects_object_constructing_tags(tmp_path: Path) -> None:
    (tmp_path / "evil.yaml").write_text("rules: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(ScenarioError, match="unsupported YAML tag"):
        load(tmp_path)
