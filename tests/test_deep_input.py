"""Hostile input gets a catalog 400, never a 500: deep JSON, YAML bombs, odd digits in query parameters."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockserver import MockServer, Settings, safejson
from mockserver.yamldoc import MAX_NODES, YamlProblem, read
from tests.conftest import DEMO_KEY

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(settings=Settings(port=0, batch_seconds=0, reload=False)) as server:
        yield server


@pytest.fixture
def client(mock: MockServer) -> Iterator[httpx.Client]:
    mock.app.sessions.get().reset(mock.app.scenarios.get("default"))
    mock.app.internal_errors.clear()
    with httpx.Client(base_url=mock.url, headers={"X-API-Key": DEMO_KEY}, timeout=30) as http:
        yield http
    assert mock.app.internal_errors == []


# --- the depth limit itself ----------------------------------------------------------------------------


def test_depth_limit_is_exact() -> None:
    limit = safejson.MAX_DEPTH
    assert safejson.loads("[" * limit + "]" * limit) is not None
    with pytest.raises(safejson.JsonProblem) as raised:
        safejson.loads("[" * (limit + 1) + "]" * (limit + 1))
    assert str(limit) in raised.value.reason


def test_brackets_inside_strings_do_not_count() -> None:
    text = '["' + "[" * 500 + '", {"k": "}}}}\\"[[["}, ' + ", ".join(["[]"] * 200) + "]"
    assert safejson.loads(text)[0] == "[" * 500
    hidden = '["]]]]]]]]"' + "," + "[" * 70 + "]" * 70 + "]"  # closing brackets in a string hide nothing
    with pytest.raises(safejson.JsonProblem):
        safejson.loads(hidden)


def test_not_json_is_a_problem_not_an_exception() -> None:
    for raw in (b"\xff\xfe\x00", b"{", b"1" * 5000, "[1,]"):
        with pytest.raises(safejson.JsonProblem):
            safejson.loads(raw)


# --- over a socket -------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_deep_json_to_the_api(client: httpx.Client, body: bytes) -> None:
    answer = client.post("/api/v1/designs", content=body, headers=JSON)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
    assert str(safejson.MAX_DEPTH) in answer.json()["error"]["message"]


def test_deep_json_against_a_body_rule(client: httpx.Client) -> None:
    rule = {
        "when": {"method": "POST", "path": "/api/v1/designs", "body": {"name": "x"}},
        "reply": {"status": 200, "body": {"taken": True}},
    }
    assert client.post("/__mock/rules", json=rule).status_code == 201
    answer = client.post("/api/v1/designs", content=DEEP_OBJECT, headers=JSON)
    assert answer.status_code == 400  # the rule does not match; the simulator refuses the body
    assert answer.headers["x-mock-answered-by"] == "simulator"
    within_journal = b"[" * 1500 + b"]" * 1500  # deep enough to break json.loads, short enough to keep
    assert client.post("/api/v1/designs", content=within_journal, headers=JSON).status_code == 400
    entries = client.get("/__mock/requests").json()["data"]["requests"]
    assert "first 4096 bytes" in entries[-2]["closestRule"]["why"]
    assert str(safejson.MAX_DEPTH) in entries[-1]["closestRule"]["why"]


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_deep_json_to_the_admin_api(client: httpx.Client, body: bytes) -> None:
    for method, path in (
        ("POST", "/__mock/rules"),
        ("PATCH", "/__mock/workspace"),
        ("PUT", "/__mock/scenario"),
    ):
        answer = client.request(method, path, content=body, headers=JSON)
        assert answer.status_code == 400, path
        assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
        assert str(safejson.MAX_DEPTH) in answer.json()["error"]["message"]


# --- YAML expansion ------------------------------------------------------------------------------------


def _merge_bomb(levels: int) -> str:
    lines = ["description: merge keys, ten of each level", "x0: &a0 {k: v}"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"x{level}: &a{level} {{<<: [{refs}], k{level}: v}}")
    return "\n".join([*lines, "rules: []"]) + "\n"


def _alias_bomb(levels: int) -> str:
    lines = ["description: lists of aliases", "l0: &l0 [a, a, a, a, a, a, a, a, a, a]"]
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "\n".join([*lines, "rules: []"]) + "\n"


def _shared_string(rules: int, size: int) -> str:
    """`rules` rules answering the same string of `size` characters, written once and aliased."""
    lines = ["description: one big string", "rules:"]
    lines.append(f"  - {{when: GET /api/v1/r0, reply: {{status: 200, body: &big {'x' * size}}}}}")
    lines += [f"  - {{when: GET /api/v1/r{n}, reply: {{status: 200, body: *big}}}}" for n in range(1, rules)]
    return "\n".join(lines) + "\n"


def test_a_ten_level_merge_bomb_is_refused_quickly() -> None:
    text = _merge_bomb(10)
    assert len(text) < 1500
    began = time.perf_counter()
    with pytest.raises(YamlProblem) as raised:
        read(text)
    assert time.perf_counter() - began < 0.5
    assert "expanded" in raised.value.message
    assert raised.value.mark[0] > 1  # at the line that grows too large, not the top of the file


def test_an_alias_bomb_is_refused_quickly() -> None:
    began = time.perf_counter()
    with pytest.raises(YamlProblem):
        read(_alias_bomb(9))
    assert time.perf_counter() - began < 0.5


def test_a_normal_file_with_aliases_loads() -> None:
    text = """
        description: shared pieces
        base: &base {status: 503, body: {message: down}}
        extra: &extra {headers: {Retry-After: "5"}}
        rules:
          - {when: GET /a, reply: *base}
          - {when: GET /b, reply: {<<: [*base, *extra], status: 502}}
    """
    doc = read("\n".join(line[8:] for line in text.splitlines()))
    assert doc.data["rules"][1]["reply"] == {
        "status": 502,
        "body": {"message": "down"},
        "headers": {"Retry-After": "5"},
    }
    assert doc.data["rules"][0]["reply"]["status"] == 503
    read(_alias_bomb(4))  # 10,000 values: within the budget of MAX_NODES
    assert MAX_NODES > 11_111


def _check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "check", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("merges", _merge_bomb(10)),
        ("aliases", _alias_bomb(9)),
        ("shared", _shared_string(100, 300_000)),
    ],
)
def test_check_refuses_bombs_with_a_position(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    began = time.perf_counter()
    done = _check(tmp_path)
    assert time.perf_counter() - began < 30
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"{tmp_path / name}.yaml:")
    line, column = first.split(":")[1:3]
    assert int(line) >= 2
    assert int(column) >= 1
    assert "too large once aliases and merge keys are expanded" in first
    assert "Traceback" not in done.stderr


def test_check_accepts_a_file_with_a_few_aliases(tmp_path: Path) -> None:
    (tmp_path / "fine.yaml").write_text(_shared_string(20, 1000), encoding="utf-8")
    done = _check(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK:")


# --- digits in query parameters ------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["A", "C2"])
def revision(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    with MockServer(
        settings=Settings(port=0, api_revision=request.param, batch_seconds=0, reload=False)
    ) as srv:
        yield srv


ARABIC_ONE_TWO = "\u0661\u0662"
ODD = ["c²", "c" + "9" * 5000, "c" + ARABIC_ONE_TWO, "c-1", "c1e3"]


def test_odd_cursors_and_limits(revision: MockServer) -> None:
    paths = ["/api/v1/designs"] + (["/api/v1/assets"] if revision.settings.api_revision == "A" else [])
    revision.app.internal_errors.clear()
    with httpx.Client(base_url=revision.url, headers={"X-API-Key": DEMO_KEY}, timeout=30) as http:
        for path in paths:
            assert http.get(path).status_code == 200, path
            for cursor in ODD:
                answer = http.get(path, params={"cursor": cursor})
                assert answer.status_code == 400, (path, cursor[:10])
                assert answer.json()["error"]["code"] == "INVALID_INPUT"
            for limit, code in (
                ("²", "VALIDATION_ERROR"),
                ("9" * 5000, "INVALID_INPUT"),
                (ARABIC_ONE_TWO, "VALIDATION_ERROR"),
            ):
                answer = http.get(path, params={"limit": limit})
                assert answer.status_code == 400, (path, limit[:10])
                assert answer.json()["error"]["code"] == code
    assert revision.app.internal_errors == []


def test_odd_limits_on_the_journal(mock: MockServer) -> None:
    with httpx.Client(base_url=mock.url, timeout=30) as http:
        for limit in ("²", ARABIC_ONE_TWO, "9" * 5000, "-1", "1.5"):
            answer = http.get("/__mock/requests", params={"limit": limit})
            assert answer.status_code == 400, limit[:10]
            assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
        assert http.get("/__mock/requests", params={"limit": "2"}).status_code == 200
    assert mock.app.internal_errors == []
