"""yamldoc's readers agree: libyaml or the pure-Python parser, the plain reader or the general one.

Every text here is read four ways (libyaml's events or PyYAML's pure-Python parser, each through the
plain reader first or straight through the general reader) and must give the same data, the same
positions, or the same problem at the same place. The data and positions are also checked against
PyYAML itself (`safe_load`, `compose`), which read scenario files before.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest.mock import patch

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver import yamldoc, yamlnodes
from mockserver.yamldoc import MAX_DEPTH, TOO_DEEP, Document, YamlProblem, read
from mockserver.yamlscalars import Parser

Result = tuple[str, dict[Any, Any], dict[Any, Any]] | tuple[tuple[int, int], str]


def _general_only(parser: Parser) -> Document:
    raise yamldoc._General


@contextmanager
def _way(fast: bool, general: bool) -> Iterator[None]:
    with ExitStack() as stack:
        if not fast:
            stack.enter_context(patch.object(yamldoc, "FAST_PARSER", None))
        if general:
            stack.enter_context(patch.object(yamldoc, "_plain", _general_only))
        yield


WAYS = [(fast, general) for fast in (True, False) for general in (False, True)]


def read_way(text: str, fast: bool, general: bool) -> Result:
    """`text` read one way: the data (as its repr, so that NaN equals NaN) and positions, or the problem."""
    with _way(fast, general):
        try:
            doc = read(text)
        except YamlProblem as exc:
            return exc.mark, exc.message
    return repr(doc.data), doc.values, doc.keys


def read_every_way(text: str) -> Result:
    """What every way reads in `text`; they must all agree."""
    results = [read_way(text, fast, general) for fast, general in WAYS]
    for (fast, general), result in zip(WAYS, results, strict=True):
        assert result == results[0], (fast, general)
    return results[0]


def data_of(text: str) -> Any:
    return read(text).data


# --- a corpus: every way gives the same, and what PyYAML's composer gave ------------------------------

CORPUS = [
    "",
    "# only a comment\n",
    "---\n",
    "--- {a: 1}\n...\n",
    "a: 1\nb: [x, 'y', \"z\"]\nc: {d: null, e: ~}\n",
    "- a\n- - b\n  - c\n- {d: [e, {f: g}]}\n",
    "a: |\n  two\n  lines\nb: >\n  folded\n  text\nc: plain\n  continued\n",
    "x: café\ny: [1, é, 3]\nz: {ü: ß}\n",
    "a: 1\r\nb: 2\r\n",
    "\ufeffa: 1\n",
    "? complex\n: value\n? [not, a, string]\n: x\n",
    "1: one\ntrue: yes\nnull: n\n2001-12-14: day\n1.5: half\n",
    "a: ! 12\nb: !!str 12\nc: !!int '12'\nd: !!float 1\ne: !!bool 'yes'\nf: !!null x\n",
    "a: !foo 1\n",
    "a: !!python/object/apply:os.system [echo]\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!int abc\n",
    "a: !!bool maybe\n",
    "a: !!timestamp x\n",
    "a: 2001-02-30\n",
    "a: " + "9" * 5000 + "\n",
    "? !!int abc\n: 1\n",
    "description: a\ndescription: b\n",
    "{a: 1, a: 2}\n",
    "a: <<\n",
    "a: =\n",
    "a: {<<: 1}\n",
    "a: {b: 1}\nc: {<<: {b: 2, d: 3}, b: 4}\n",
    "base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\nm: {<<: [*b, *o], x: 0}\n",
    "base: &b {x: 1}\nm: {<<: *b, <<: {y: 2}}\n",
    "a: &a [1, 2]\nb: *a\nc: [*a, *a]\n",
    "a: &a 1\nb: &a 2\n",
    "a: *nope\n",
    "a: &a [*a]\n",
    "a: &a {b: *a}\n",
    "a: &a {<<: *a}\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n--- [\n",
    "rules:\n  - when: GET /x\n    reply: [unclosed\n",
    "a: [1, 2\nb: 3\n",
    "a: 'unclosed\n",
    "a:\n  b: 1\n c: 2\n",
    "a: \x07\n",
    "a: b\x00c\n",
    "a: 1\nb: {c: \x1b}\n",
    "s: 'it''s'\nt: \"tab\\there\"\nu: \"\\u00e9\"\n",
    "n: [0, 010, 0x1F, 0b101, 1_000, -5, +5, 1:30, 0o7]\n",
    "f: [1.5, .5, 1.0e+3, 1e3, .inf, -.Inf, .nan, 1_0.5]\n",
    "b: [yes, No, on, OFF, true, False, y, n]\n",
    "t: [2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10, 2002-12-14 21:59:43Z]\n",
    "k: {2001-12-14 21:59:43.10: a, 0x10: b, ~: c, '': d, 1.0: e}\n",
    "e: [~, null, '', \"\"]\n",
    "a:\n  - b:\n      c: [d]\n  -\n  - ''\n",
    "key with spaces: value with spaces\n'quoted: key': \"x: y\"\n",
    "a: {b: [1, {c: 2}], d: []}\ne: {}\n",
]


@pytest.mark.parametrize("text", CORPUS, ids=range(len(CORPUS)))
def test_every_way_reads_the_same(text: str) -> None:
    read_every_way(text)


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("", {}),
        ("---\n", None),
        ("n: [0, 010, 0x1F, 0b101, 1_000, -5, +5, 1:30]\n", {"n": [0, 8, 31, 5, 1000, -5, 5, 90]}),
        ("f: [1.5, .5, 1.0e+3, 1e3, -.Inf]\n", {"f": [1.5, 0.5, 1000.0, "1e3", float("-inf")]}),
        ("b: [yes, No, on, OFF, y, n]\n", {"b": [True, False, True, False, "y", "n"]}),
        (
            "t: [2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10]\n",
            {"t": ["2001-12-14", "2001-12-14T21:59:43.100000-05:00", "2001-12-14T21:59:43.100000"]},
        ),
        (
            "k: {2001-12-14 21:59:43.10: a, 0x10: b, ~: c, '': d, 1.0: e, true: f}\n",
            {
                "k": {
                    "2001-12-14 21:59:43.100000": "a",
                    "16": "b",
                    "None": "c",
                    "": "d",
                    "1.0": "e",
                    "True": "f",
                }
            },
        ),
        ("a: ! 12\nb: !!str 12\nc: !!int '12'\nd: '12'\n", {"a": 12, "b": "12", "c": 12, "d": "12"}),
        ("a: {b: 1}\nc: {<<: {b: 2, d: 3}, b: 4}\n", {"a": {"b": 1}, "c": {"d": 3, "b": 4}}),
        ("b: &b {x: 1, y: 2}\no: &o {y: 3}\nm: {<<: [*b, *o], x: 0}\n", None),
    ],
)
def test_scalars_resolve_as_yaml_1_1(text: str, data: Any) -> None:
    if data is None and text != "---\n":
        data = yaml.safe_load(text)
    assert data_of(text) == data


@pytest.mark.parametrize(
    ("text", "mark", "message"),
    [
        ("a: !foo 1\n", (1, 4), "unsupported YAML tag '!foo': only plain data is allowed"),
        ("a: !!int abc\n", (1, 4), "'abc' is not a valid !!int"),
        ("a: !!bool maybe\n", (1, 4), "'maybe' is not a valid !!bool"),
        ("a: 2001-02-30\n", (1, 4), "'2001-02-30' is not a valid !!timestamp"),
        ("a: " + "9" * 5000 + "\n", (1, 4), f"'{'9' * 37}...' is not a valid !!int"),
        ("a: 1\nb: {c: d, c: e}\n", (2, 11), "duplicate key 'c'"),
        ("{[a]: 1}\n", (1, 2), "a mapping key must be plain text"),
        ("a: <<\n", (1, 4), "unsupported YAML tag 'tag:yaml.org,2002:merge': only plain data is allowed"),
        ("a: {<<: 1}\n", (1, 9), "'<<' must merge a mapping or a list of mappings"),
        ("a: &a [*a]\n", (1, 4), "an alias refers to a node that contains it"),
        (
            "a: &a 1\nb: &a 2\n",
            (2, 4),
            "YAML syntax error: found duplicate anchor 'a'; first occurrence second occurrence",
        ),
        ("a: *nope\n", (1, 4), "YAML syntax error: found undefined alias 'nope'"),
        (
            "a: 1\n---\nb: 2\n",
            (2, 1),
            "YAML syntax error: expected a single document in the stream but found another document",
        ),
        (
            "a: [1, 2\nb: 3\n",
            (2, 2),
            "YAML syntax error: while parsing a flow sequence expected ',' or ']', but got ':'",
        ),
        ("a: b\x00c\n", (1, 5), "YAML error: special characters are not allowed"),
        ("a: 1\nb: {c: \x1b}\n", (2, 8), "YAML error: special characters are not allowed"),
    ],
)
def test_problems_are_worded_with_their_position(text: str, mark: tuple[int, int], message: str) -> None:
    assert read_every_way(text) == (mark, message)


def test_a_syntax_error_after_a_problem_wins_as_before() -> None:
    """The whole text is parsed before its values are checked, so a syntax error is reported first."""
    assert read_every_way("a: 1\na: 2\nb: [\n")[1].startswith("YAML syntax error: ")  # type: ignore[union-attr]


# --- generated documents: every way agrees, and with PyYAML ----------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n"), max_size=12)
_SCALAR = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, width=32)
    | _TEXT
    | st.sampled_from(["yes", "~", "010", "1:30", "2001-12-14", "0x1F", "<<", "- a", "a: b", "#", "&a", "*a"])
)
_DATA = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=24,
)


def _positions(node: yaml.Node, path: tuple[Any, ...], doc: Document) -> None:
    """Where PyYAML's composer puts each value and key (the positions read before the fast reader)."""
    doc.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            doc.keys[(*path, key.value)] = (key.start_mark.line + 1, key.start_mark.column + 1)
            _positions(value, (*path, key.value), doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _positions(item, (*path, i), doc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.dictionaries(_TEXT, _DATA, max_size=5),
    flow=st.sampled_from([None, True, False]),
    unicode=st.booleans(),
    width=st.sampled_from([20, 80]),
)
def test_generated_documents_read_alike(
    data: dict[str, Any], flow: bool | None, unicode: bool, width: int
) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=unicode, width=width, sort_keys=False)
    shown, values, keys = read_every_way(text)  # type: ignore[misc]
    assert shown == repr(yaml.safe_load(text))
    expected = Document(data=None)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    assert root is not None
    _positions(root, (), expected)
    assert (values, keys) == (expected.values, expected.keys)


# --- which reader reads what --------------------------------------------------------------------------


def test_a_plain_document_never_reaches_the_general_reader() -> None:
    with patch.object(yamlnodes, "document", side_effect=AssertionError("general reader used")):
        assert read("a: [1, {b: c}]\n").data == {"a": [1, {"b": "c"}]}
    with (
        patch.object(yamlnodes, "document", side_effect=AssertionError("general reader used")),
        pytest.raises(AssertionError),
    ):
        read("a: &x 1\nb: *x\n")


def test_without_libyaml_the_pure_python_parser_reads() -> None:
    with (
        patch.object(yamldoc, "FAST_PARSER", None),
        patch.object(yaml, "SafeLoader", wraps=yaml.SafeLoader) as pure,
    ):
        assert read("a: 1\n").data == {"a": 1}
    assert pure.called


@pytest.mark.skipif(yamldoc.FAST_PARSER is None, reason="PyYAML without libyaml")
def test_libyaml_reads_a_clean_document_alone() -> None:
    with patch.object(yaml, "SafeLoader", side_effect=AssertionError("pure-Python parser used")):
        assert read("a: [1, 2]\n").data == {"a": [1, 2]}


# --- depth ---------------------------------------------------------------------------------------------


def _nested(depth: int, flow: bool) -> str:
    if flow:
        return "[" * depth + "]" * depth + "\n"
    return "".join("  " * i + "-\n" for i in range(depth))


@pytest.mark.parametrize("flow", [True, False], ids=["flow", "block"])
@pytest.mark.parametrize(("fast", "general"), WAYS)
def test_nesting_up_to_the_limit_reads_and_beyond_is_refused_at_its_place(
    flow: bool, fast: bool, general: bool
) -> None:
    with _way(fast, general):
        assert read(_nested(MAX_DEPTH, flow)).values
        with pytest.raises(YamlProblem) as raised:
            read(_nested(MAX_DEPTH + 1, flow))
    assert raised.value.message == TOO_DEEP
    assert raised.value.mark == ((1, MAX_DEPTH + 1) if flow else (MAX_DEPTH + 1, 2 * MAX_DEPTH + 1))


@pytest.mark.parametrize(("fast", "general"), WAYS)
def test_very_deep_nesting_is_refused_quickly(fast: bool, general: bool) -> None:
    began = time.perf_counter()
    with _way(fast, general), pytest.raises(YamlProblem) as raised:
        read("a: " + "[" * 200_000 + "]" * 200_000 + "\n")
    assert time.perf_counter() - began < 5
    assert raised.value.message == TOO_DEEP


def test_aliases_cannot_nest_deeper_than_the_limit() -> None:
    lines = ["l0: &l0 [x]"] + [f"l{n}: &l{n} [*l{n - 1}]" for n in range(1, MAX_DEPTH + 5)]
    with pytest.raises(YamlProblem) as raised:
        read("\n".join(lines) + "\n")
    assert raised.value.message == TOO_DEEP
    assert raised.value.mark == (1, 5)  # the list that ends up too deep, where it is written
    assert read("\n".join(lines[: MAX_DEPTH - 2]) + "\n").data["l0"] == ["x"]


def test_merge_keys_that_merge_one_another_too_deeply_are_refused() -> None:
    lines = ["m0: &m0 {k0: v}"] + [f"m{n}: &m{n} {{<<: *m{n - 1}, k{n}: v}}" for n in range(1, MAX_DEPTH + 5)]
    with pytest.raises(YamlProblem) as raised:
        read("\n".join(lines) + "\n")
    assert "merge" in raised.value.message
    shallow = read("\n".join(lines[:20]) + "\n").data
    assert shallow["m19"] == {f"k{n}": "v" for n in range(20)}


def test_a_plain_document_finds_its_positions_when_first_asked() -> None:
    doc = read("a: 1\nb: [x, {c: d}]\n")
    assert doc._positions is not None  # not recorded while reading: a valid file never needs them
    assert doc.values == {
        (): (1, 1),
        ("a",): (1, 4),
        ("b",): (2, 4),
        ("b", 0): (2, 5),
        ("b", 1): (2, 8),
        ("b", 1, "c"): (2, 12),
    }
    assert doc.keys == {("a",): (1, 1), ("b",): (2, 1), ("b", 1, "c"): (2, 9)}
    assert doc._positions is None
    assert doc.locate(["b", 1, "c"]) == (("b", 1, "c"), (2, 12), False)
