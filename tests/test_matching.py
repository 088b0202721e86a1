"""Every matcher kind, positive and negative, and the reasons a rule gives for not matching."""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.exchange import Incoming
from mockserver.matching import (
    PatternError,
    _template,
    compile_body,
    compile_glob,
    compile_matcher,
    compile_path,
    leading_text,
    path_segments,
    plain_regex,
)


def request(
    method: str = "GET",
    path: str = "/x",
    query: str = "",
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> Incoming:
    """An Incoming; `body` is sent as JSON unless it is bytes already."""
    raw = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    return Incoming(method, path, query, headers or {}, raw)


# --- paths ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "captured"),
    [
        # literal
        ("/api/v1/designs", "/api/v1/designs", {}),
        ("/api/v1/designs", "/api/v1/designs/", None),
        ("/api/v1/designs", "/api/v1/designs/x", None),
        ("/api/v1/designs", "/api/v1", None),
        ("/api/v1/designs", "/api/v1/Designs", None),
        ("/api/v1/designs", "/api/v1/designsX", None),
        ("/api/v1/a.b", "/api/v1/a.b", {}),
        ("/api/v1/a.b", "/api/v1/axb", None),  # '.' is not special in a literal path
        ("/", "/", {}),
        ("/", "/x", None),
        # {name} templates: one whole, non-empty segment
        ("/api/v1/designs/{designId}", "/api/v1/designs/dsg_1", {"designId": "dsg_1"}),
        ("/api/v1/designs/{designId}", "/api/v1/designs/a/b", None),
        ("/api/v1/designs/{designId}", "/api/v1/designs/", None),
        ("/api/v1/designs/{designId}", "/api/v1/designs", None),
        ("/api/v1/batch/{jobId}/{what}", "/api/v1/batch/job_1/status", {"jobId": "job_1", "what": "status"}),
        ("/api/v1/batch/{jobId}/{what}", "/api/v1/batch/job_1", None),
        ("/api/v1/pdfs/{pdfId}.pdf", "/api/v1/pdfs/p7.pdf", {"pdfId": "p7"}),
        ("/api/v1/pdfs/{pdfId}.pdf", "/api/v1/pdfs/p7.png", None),
        ("/{a}/{b}", "/x/y", {"a": "x", "b": "y"}),
        ("/{a}/{b}", "/x/y/z", None),
        # `*` within one segment
        ("/api/v1/designs/dsg_*", "/api/v1/designs/dsg_invoice", {}),
        ("/api/v1/designs/dsg_*", "/api/v1/designs/dsg_", {}),
        ("/api/v1/designs/dsg_*", "/api/v1/designs/other", None),
        ("/api/v1/designs/dsg_*", "/api/v1/designs/dsg_a/b", None),
        ("/api/v1/*/x", "/api/v1/a/x", {}),
        ("/api/v1/*/x", "/api/v1/a/b/x", None),
        ("/files/*.pdf", "/files/report.pdf", {}),
        ("/files/*.pdf", "/files/report.pdfx", None),
        ("/files/*.pdf", "/files/reportxpdf", None),
        # `**`: any number of segments, including none
        ("/api/**", "/api", {}),
        ("/api/**", "/api/", {}),
        ("/api/**", "/api/v1/designs/dsg_1", {}),
        ("/api/**", "/apix", None),
        ("/api/**", "/apix/v1", None),
        ("/api/**", "/other/api/v1", None),
        ("/api/**/status", "/api/status", {}),
        ("/api/**/status", "/api/v1/batch/job/status", {}),
        ("/api/**/status", "/api/v1/batch/job/status/x", None),
        ("/api/**/status", "/api/v1/batch/jobstatus", None),
        ("/**", "/", {}),
        ("/**", "/anything/at/all", {}),
        ("/api/**/{last}", "/api/a/b/c", {"last": "c"}),
        # ^regex: matched against the whole path
        ("^/api/v1/designs/dsg_[0-9]+$", "/api/v1/designs/dsg_42", {}),
        ("^/api/v1/designs/dsg_[0-9]+$", "/api/v1/designs/dsg_x", None),
        ("^/api/v1/designs/dsg_[0-9]+$", "/api/v1/designs/dsg_42/x", None),
        ("^/api/v1/designs/(?P<n>\\d+)", "/api/v1/designs/7", {"n": "7"}),
        ("^/api/v1/designs/(?P<n>\\d+)", "/api/v1/designs/7/more", None),
        ("^/api/v1/(designs|assets)$", "/api/v1/assets", {}),
        ("^/api/v1/(designs|assets)$", "/api/v1/links", None),
        ("^/api/.*", "/api/v1/anything", {}),
        ("^/api/.*", "/v2/api/x", None),
    ],
)
def test_path_patterns(pattern: str, path: str, captured: dict[str, str] | None) -> None:
    assert compile_path(pattern).match(path) == captured


@pytest.mark.parametrize(
    ("pattern", "prefix", "literal"),
    [
        ("/api/v1/designs", ("api", "v1", "designs"), True),
        ("/api/v1/designs/{designId}", ("api", "v1", "designs"), False),
        ("/api/v1/designs/dsg_*", ("api", "v1", "designs"), False),
        ("/api/**", ("api",), False),
        ("/api/**/status", ("api",), False),
        ("/{a}/literal", (), False),
        ("/**", (), False),
        ("^/api/v1/designs$", (), False),
        ("/", ("",), True),
    ],
)
def test_prefix_is_the_leading_literal_segments(pattern: str, prefix: tuple[str, ...], literal: bool) -> None:
    compiled = compile_path(pattern)
    assert compiled.prefix == prefix
    assert (compiled.regex is None) is literal
    assert compiled.source == pattern


@pytest.mark.parametrize(
    ("path", "segments"),
    [("/api/v1/x", ["api", "v1", "x"]), ("/", [""]), ("/a/", ["a", ""])],
)
def test_path_segments(path: str, segments: list[str]) -> None:
    assert path_segments(path) == segments


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("api/v1", "path pattern 'api/v1' must start with '/' (or '^' for a regular expression)"),
        ("", "path pattern '' must start with '/' (or '^' for a regular expression)"),
        ("/a/{id", "unclosed '{' in path pattern '/a/{id'"),
        ("/a/id}", "unmatched '}' in path pattern '/a/id}'"),
        (
            "/a/{1x}",
            "{1x} in path pattern '/a/{1x}' is not a valid parameter name"
            " (letters, digits and '_', not starting with a digit)",
        ),
        (
            "/a/{}",
            "{} in path pattern '/a/{}' is not a valid parameter name"
            " (letters, digits and '_', not starting with a digit)",
        ),
        (
            "/a/{my-id}",
            "{my-id} in path pattern '/a/{my-id}' is not a valid parameter name"
            " (letters, digits and '_', not starting with a digit)",
        ),
        ("/a/{id}/{id}", "parameter {id} appears twice in path pattern '/a/{id}/{id}'"),
        ("/a/{id}-{id}", "parameter {id} appears twice in path pattern '/a/{id}-{id}'"),
        ("/a**", "'**' must be a whole segment in path pattern '/a**'"),
        ("/a/**b/c", "'**' must be a whole segment in path pattern '/a/**b/c'"),
        ("/a?b=c", "path pattern '/a?b=c' contains '?': put query conditions in 'query'"),
    ],
)
def test_bad_path_patterns_say_why(pattern: str, message: str) -> None:
    with pytest.raises(PatternError) as caught:
        compile_path(pattern)
    assert str(caught.value) == message


@pytest.mark.parametrize("pattern", ["^/a((", "^/a[", "^/a/(?P<1>x)"])
def test_bad_regular_expression_says_why(pattern: str) -> None:
    with pytest.raises(PatternError) as caught:
        compile_path(pattern)
    assert str(caught.value).startswith(f"invalid regular expression {pattern!r}: ")


@pytest.mark.parametrize(
    "pattern", ["/a/{id}", "/a/{_id2}", "/a/*/b", "/a/**", "/**/b", "/a/{x}-{y}", "^/a?b", "/a/b.c"]
)
def test_good_path_patterns_compile(pattern: str) -> None:
    assert compile_path(pattern).source == pattern


# --- values: exact or `*` globs ---------------------------------------------------


@pytest.mark.parametrize(
    ("glob", "value", "matches"),
    [
        ("pc_live_*", "pc_live_abc", True),
        ("pc_live_*", "pc_live_", True),
        ("pc_live_*", "pc_test_abc", False),
        ("pc_live_*", "xpc_live_abc", False),
        ("*", "", True),
        ("*", "any thing/at all", True),
        ("*_old", "key_old", True),
        ("*_old", "key_old_new", False),
        ("a*c", "abbbc", True),
        ("a*c", "ac", True),
        ("a*c", "abbbd", False),
        ("a*b*c", "a-b-c", True),
        ("a*b*c", "a-c-b", False),
        ("line*", "line1\nline2", True),
        ("exact", "exact", True),
        ("exact", "Exact", False),
        ("exact", "exact ", False),
        ("", "", True),
        ("", "x", False),
        ("a.c", "abc", False),  # only `*` is special
        ("a+", "aa", False),
        ("[ab]", "a", False),
        ("[ab]", "[ab]", True),
        ("?", "x", False),
    ],
)
def test_globs(glob: str, value: str, matches: bool) -> None:
    assert compile_glob(glob).matches(value) is matches


# --- method, query and headers ----------------------------------------------------


def check(conditions: dict[str, Any], incoming: Incoming) -> str | None:
    matcher = compile_matcher(
        conditions.get("method"),
        conditions.get("path", "/x"),
        conditions.get("query"),
        conditions.get("headers"),
        conditions.get("body"),
    )
    reason = matcher.mismatch(incoming)
    assert matcher.matches(incoming) is (reason is None)
    return reason


@pytest.mark.parametrize(
    ("method", "incoming", "reason"),
    [
        ("POST", request("POST"), None),
        ("post", request("POST"), None),
        ("POST", request("post"), None),
        ("POST", request("GET"), "method is GET, rule wants POST"),
        ("GET", request("HEAD"), "method is HEAD, rule wants GET"),
        ("delete", request("PUT"), "method is PUT, rule wants DELETE"),
        (None, request("DELETE"), None),
        (None, request("OPTIONS"), None),
        ("*", request("PATCH"), None),
    ],
)
def test_method(method: str | None, incoming: Incoming, reason: str | None) -> None:
    assert check({"method": method}, incoming) == reason


@pytest.mark.parametrize(("method", "wanted"), [(None, None), ("*", None), ("get", "GET"), ("Post", "POST")])
def test_method_is_compiled_uppercase_or_any(method: str | None, wanted: str | None) -> None:
    assert compile_matcher(method, "/x").method == wanted


@pytest.mark.parametrize(
    ("query", "query_string", "reason"),
    [
        ({"design": "dsg_1"}, "design=dsg_1", None),
        ({"design": "dsg_1"}, "page=2&design=dsg_1", None),
        ({"design": "dsg_1"}, "design=dsg_12", "query parameter 'design' is 'dsg_12', expected 'dsg_1'"),
        ({"design": "dsg_1"}, "page=1", "query parameter 'design' is missing"),
        ({"design": "dsg_1"}, "", "query parameter 'design' is missing"),
        ({"design": "dsg_1"}, "Design=dsg_1", "query parameter 'design' is missing"),  # names are exact
        ({"design": "dsg_*"}, "design=dsg_1", None),
        ({"design": "dsg_*"}, "design=x", "query parameter 'design' is 'x', expected 'dsg_*'"),
        ({"design": "*"}, "design=", None),
        ({"design": "*"}, "other=1", "query parameter 'design' is missing"),
        ({"design": ""}, "design=", None),
        ({"design": ""}, "design=x", "query parameter 'design' is 'x', expected ''"),
        ({"cursor": None}, "page=1", None),
        ({"cursor": None}, "", None),
        ({"cursor": None}, "cursor=c1", "query parameter 'cursor' is present, rule wants it absent"),
        ({"cursor": None}, "cursor=", "query parameter 'cursor' is present, rule wants it absent"),
        ({"tag": "b"}, "tag=a&tag=b", None),  # any of the repeated values
        ({"tag": "c"}, "tag=a&tag=b", "query parameter 'tag' is 'a', expected 'c'"),
        ({"q": "a b"}, "q=a+b", None),  # values are URL-decoded
        ({"q": "a/b"}, "q=a%2Fb", None),
        ({"page": "1", "limit": "10"}, "page=1&limit=10", None),
        ({"page": "1", "limit": "10"}, "page=1&limit=20", "query parameter 'limit' is '20', expected '10'"),
        ({"page": "1", "limit": "10"}, "limit=20", "query parameter 'page' is missing"),
    ],
)
def test_query(query: dict[str, str | None], query_string: str, reason: str | None) -> None:
    assert check({"query": query}, request(query=query_string)) == reason


@pytest.mark.parametrize(
    ("headers", "sent", "reason"),
    [
        ({"X-API-Key": "pc_live_1"}, {"X-API-Key": "pc_live_1"}, None),
        ({"X-API-Key": "pc_live_1"}, {"x-api-key": "pc_live_1"}, None),
        ({"x-api-key": "pc_live_1"}, {"X-Api-KEY": "pc_live_1"}, None),
        (
            {"X-API-KEY": "pc_live_1"},
            {"x-api-key": "PC_LIVE_1"},
            "header 'x-api-key' is '…', expected 'pc_live_1'",
        ),
        ({"X-API-Key": "pc_live_1"}, {}, "header 'x-api-key' is missing"),
        ({"X-API-Key": "pc_live_1"}, {"X-Other": "pc_live_1"}, "header 'x-api-key' is missing"),
        ({"X-API-Key": "pc_live_old*"}, {"x-api-key": "pc_live_old1"}, None),
        (
            {"X-API-Key": "pc_live_old*"},
            {"x-api-key": "pc_live_new"},
            "header 'x-api-key' is 'pc_live_…', expected 'pc_live_old*'",
        ),
        ({"Authorization": "Bearer *"}, {"Authorization": "Bearer tok"}, None),
        (
            {"Authorization": "Bearer *"},
            {"Authorization": "Basic abc"},
            "header 'authorization' is 'Basic …', expected 'Bearer *'",
        ),
        ({"Authorization": None}, {"X-API-Key": "k"}, None),
        (
            {"Authorization": None},
            {"authorization": "Bearer t"},
            "header 'authorization' is present, rule wants it absent",
        ),
        (
            {"AUTHORIZATION": None},
            {"Authorization": ""},
            "header 'authorization' is present, rule wants it absent",
        ),
        ({"X-A": "1", "X-B": "2"}, {"x-a": "1", "x-b": "2"}, None),
        ({"X-A": "1", "X-B": "2"}, {"x-a": "1", "x-b": "3"}, "header 'x-b' is '3', expected '2'"),
    ],
)
def test_headers(headers: dict[str, str | None], sent: dict[str, str], reason: str | None) -> None:
    assert check({"headers": headers}, request(headers=sent)) == reason


def test_header_names_are_folded_when_compiled() -> None:
    matcher = compile_matcher(None, "/x", headers={"X-API-Key": "k", "Authorization": None})
    assert [name for name, _ in matcher.headers] == ["x-api-key", "authorization"]
    assert [None if glob is None else glob.source for _, glob in matcher.headers] == ["k", None]


def test_query_names_keep_their_case_when_compiled() -> None:
    matcher = compile_matcher(None, "/x", query={"designId": "d"})
    assert [name for name, _ in matcher.query] == ["designId"]


def test_long_values_are_shortened_in_reasons() -> None:
    reason = check({"headers": {"X-Long": "short"}}, request(headers={"X-Long": "v" * 100}))
    assert reason == f"header 'x-long' is '{'v' * 56}..., expected 'short'"


# --- JSON bodies --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "document", "reason"),
    [
        # flat fields, subset semantics
        ({"name": "Invoice"}, {"name": "Invoice", "extra": 1}, None),
        ({"name": "Invoice"}, {"name": "Other"}, "body field 'name' is 'Other', expected 'Invoice'"),
        ({"name": "Invoice"}, {}, "body field 'name' is missing"),
        ({"name": "Invoice"}, {"Name": "Invoice"}, "body field 'name' is missing"),
        ({"a": "1", "b": "2"}, {"a": "1", "b": "3"}, "body field 'b' is '3', expected '2'"),
        ({"a": "1", "b": "2"}, {"b": "3"}, "body field 'a' is missing"),
        # globs in strings, and only in strings
        ({"name": "Inv*"}, {"name": "Invoice"}, None),
        ({"name": "Inv*"}, {"name": "Receipt"}, "body field 'name' is 'Receipt', expected 'Inv*'"),
        ({"name": "*"}, {"name": ""}, None),
        ({"name": "*"}, {"name": 5}, "body field 'name' is 5, expected '*'"),
        ({"name": "*"}, {"name": None}, "body field 'name' is None, expected '*'"),
        ({"name": "*"}, {}, "body field 'name' is missing"),
        ({"count": "5"}, {"count": 5}, "body field 'count' is 5, expected '5'"),
        # nested mappings are subsets too
        (
            {"data": {"customer": {"name": "Ada"}}},
            {"data": {"customer": {"name": "Ada", "x": 1}, "y": 2}},
            None,
        ),
        ({"data": {"customer": {"name": "A*"}}}, {"data": {"customer": {"name": "Ada"}}}, None),
        (
            {"data": {"customer": {"name": "Ada"}}},
            {"data": {"customer": {"name": "Bob"}}},
            "body field 'data' is {'customer': {'name': 'Bob'}}, expected {'customer': {'name': 'Ada'}}",
        ),
        (
            {"data": {"customer": {"name": "Ada"}}},
            {"data": {}},
            "body field 'data' is {}, expected {'customer': {'name': 'Ada'}}",
        ),
        ({"data": {}}, {"data": {"any": 1}}, None),
        ({"data": {}}, {"data": "text"}, "body field 'data' is 'text', expected {}"),
        ({"data": {}}, {"data": []}, "body field 'data' is [], expected {}"),
        ({"data": {"0": "a"}}, {"data": ["a"]}, "body field 'data' is ['a'], expected {'0': 'a'}"),
        # dotted paths
        ({"design.id": "dsg_1"}, {"design": {"id": "dsg_1", "name": "x"}}, None),
        ({"design.id": "dsg_*"}, {"design": {"id": "dsg_1"}}, None),
        (
            {"design.id": "dsg_1"},
            {"design": {"id": "dsg_2"}},
            "body field 'design.id' is 'dsg_2', expected 'dsg_1'",
        ),
        ({"design.id": "dsg_1"}, {"design": {}}, "body field 'design.id' is missing"),
        ({"design.id": "dsg_1"}, {"design": "dsg_1"}, "body field 'design.id' is missing"),
        ({"design.id": "dsg_1"}, {"design.id": "dsg_1"}, "body field 'design.id' is missing"),
        ({"data.customer.name": "Ada"}, {"data": {"customer": {"name": "Ada"}}}, None),
        ({"data.customer": {"name": "Ada"}}, {"data": {"customer": {"name": "Ada", "age": 3}}}, None),
        # list indexes in dotted paths
        ({"rows.0": "a"}, {"rows": ["a", "b"]}, None),
        ({"rows.1.name": "b"}, {"rows": [{"name": "a"}, {"name": "b"}]}, None),
        (
            {"rows.1.name": "a"},
            {"rows": [{"name": "a"}, {"name": "b"}]},
            "body field 'rows.1.name' is 'b', expected 'a'",
        ),
        ({"rows.2.name": "b"}, {"rows": [{"name": "a"}]}, "body field 'rows.2.name' is missing"),
        ({"rows.-1": "a"}, {"rows": ["a"]}, "body field 'rows.-1' is missing"),
        ({"rows.x": "a"}, {"rows": ["a"]}, "body field 'rows.x' is missing"),
        (
            {"rows.\u00b2": "c"},
            {"rows": ["a", "b", "c"]},
            "body field 'rows.\u00b2' is missing",
        ),  # not a digit 2
        ({"rows.0": "a"}, {"rows": {"0": "a"}}, None),  # a mapping key that looks like an index
        # lists: same length, each item matching
        ({"tags": ["a", "b"]}, {"tags": ["a", "b"]}, None),
        ({"tags": ["a", "b*"]}, {"tags": ["a", "bee"]}, None),
        ({"tags": ["a", "b"]}, {"tags": ["a"]}, "body field 'tags' is ['a'], expected ['a', 'b']"),
        (
            {"tags": ["a", "b"]},
            {"tags": ["a", "b", "c"]},
            "body field 'tags' is ['a', 'b', 'c'], expected ['a', 'b']",
        ),
        ({"tags": ["a", "b"]}, {"tags": ["b", "a"]}, "body field 'tags' is ['b', 'a'], expected ['a', 'b']"),
        ({"tags": ["a"]}, {"tags": "a"}, "body field 'tags' is 'a', expected ['a']"),
        ({"rows": [{"id": 1}]}, {"rows": [{"id": 1, "x": 2}]}, None),
        (
            {"rows": [{"id": 1}]},
            {"rows": [{"id": 2}]},
            "body field 'rows' is [{'id': 2}], expected [{'id': 1}]",
        ),
        ({"tags": []}, {"tags": []}, None),
        ({"tags": []}, {"tags": ["a"]}, "body field 'tags' is ['a'], expected []"),
        # numbers, booleans and null: bool is not int
        ({"count": 1}, {"count": 1}, None),
        ({"count": 1}, {"count": 1.0}, None),
        ({"count": 1.5}, {"count": 1.5}, None),
        ({"count": 1}, {"count": 2}, "body field 'count' is 2, expected 1"),
        ({"count": 1}, {"count": True}, "body field 'count' is True, expected 1"),
        ({"count": 0}, {"count": False}, "body field 'count' is False, expected 0"),
        ({"count": 1}, {"count": "1"}, "body field 'count' is '1', expected 1"),
        ({"flag": True}, {"flag": True}, None),
        ({"flag": False}, {"flag": False}, None),
        ({"flag": True}, {"flag": 1}, "body field 'flag' is 1, expected True"),
        ({"flag": False}, {"flag": 0}, "body field 'flag' is 0, expected False"),
        ({"flag": True}, {"flag": "true"}, "body field 'flag' is 'true', expected True"),
        ({"flag": False}, {"flag": None}, "body field 'flag' is None, expected False"),
        ({"gone": None}, {"gone": None}, None),
        ({"gone": None}, {"gone": 0}, "body field 'gone' is 0, expected None"),
        ({"gone": None}, {"gone": False}, "body field 'gone' is False, expected None"),
        ({"gone": None}, {}, "body field 'gone' is missing"),  # null is a value, not "absent"
    ],
)
def test_body_subset(expected: dict[str, Any], document: Any, reason: str | None) -> None:
    assert compile_body(expected).mismatch(document) == reason
    assert check({"body": expected}, request("POST", body=document)) == reason


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b'{"name": ', b"\xff\xfe{}", b"{'name': 'Invoice'}"],
    ids=["empty", "text", "truncated", "not-utf8", "python-repr"],
)
def test_a_body_that_is_not_json_never_matches_a_body_condition(body: bytes) -> None:
    assert check({"body": {"name": "*"}}, request("POST", body=body)) == "body is not JSON"
    assert check({"body": {}}, request("POST", body=body)) == "body is not JSON"
    assert check({}, request("POST", body=body)) is None  # no body condition: the body is not looked at


def test_a_json_body_that_is_not_an_object_has_no_fields() -> None:
    assert check({"body": {"name": "x"}}, request("POST", body=["x"])) == "body field 'name' is missing"
    assert check({"body": {"name": "x"}}, request("POST", body="x")) == "body field 'name' is missing"


# --- a whole request: which condition failed first ----------------------------------


FULL: dict[str, Any] = {
    "method": "POST",
    "path": "/api/v1/designs/{designId}/generate",
    "query": {"mode": "sync", "dry": None},
    "headers": {"X-API-Key": "pc_live_*", "X-Debug": None},
    "body": {"data.customer": "Ada", "copies": 2},
}
GOOD: dict[str, Any] = {
    "method": "POST",
    "path": "/api/v1/designs/dsg_1/generate",
    "query": "mode=sync",
    "headers": {"X-API-Key": "pc_live_1"},
    "body": {"data": {"customer": "Ada"}, "copies": 2},
}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({}, None),
        ({"method": "GET"}, "method is GET, rule wants POST"),
        ({"method": "GET", "path": "/nope"}, "method is GET, rule wants POST"),
        (
            {"path": "/api/v1/designs/dsg_1"},
            "path /api/v1/designs/dsg_1 does not match /api/v1/designs/{designId}/generate",
        ),
        ({"path": "/nope", "query": ""}, "path /nope does not match /api/v1/designs/{designId}/generate"),
        ({"query": "mode=async"}, "query parameter 'mode' is 'async', expected 'sync'"),
        ({"query": "mode=sync&dry=1"}, "query parameter 'dry' is present, rule wants it absent"),
        ({"query": "", "headers": {}}, "query parameter 'mode' is missing"),
        ({"headers": {"X-API-Key": "pc_test_1"}}, "header 'x-api-key' is '…', expected 'pc_live_*'"),
        (
            {"headers": {"X-API-Key": "pc_live_1", "X-Debug": "1"}},
            "header 'x-debug' is present, rule wants it absent",
        ),
        ({"headers": {}, "body": b"oops"}, "header 'x-api-key' is missing"),
        (
            {"body": {"data": {"customer": "Bob"}, "copies": 2}},
            "body field 'data.customer' is 'Bob', expected 'Ada'",
        ),
        ({"body": {"data": {"customer": "Ada"}, "copies": "2"}}, "body field 'copies' is '2', expected 2"),
        ({"body": {"data": {"customer": "Ada"}}}, "body field 'copies' is missing"),
        ({"body": b"oops"}, "body is not JSON"),
    ],
)
def test_mismatch_names_the_first_failing_condition(change: dict[str, Any], reason: str | None) -> None:
    sent = {**GOOD, **change}
    incoming = request(sent["method"], sent["path"], sent["query"], sent["headers"], sent["body"])
    assert check(FULL, incoming) == reason


@pytest.mark.parametrize(
    ("pattern", "path", "reason"),
    [
        ("/api/v1/designs/{id}", "/api/v1/designs/d1", None),
        (
            "/api/v1/designs/{id}",
            "/api/v1/assets/1",
            "path /api/v1/assets/1 does not match /api/v1/designs/{id}",
        ),
        ("/api/**", "/v2/x", "path /v2/x does not match /api/**"),
        ("^/a/[0-9]+$", "/a/b", "path /a/b does not match ^/a/[0-9]+$"),
        ("/a", "/b", "path /b does not match /a"),
    ],
)
def test_path_mismatch_is_explained(pattern: str, path: str, reason: str | None) -> None:
    assert check({"path": pattern}, request("GET", path)) == reason


# --- compiling at load: only what must be checked -----------------------------------------------


@pytest.mark.parametrize("pattern", ["/lazy/{id}.pdf", "/lazy/*.pdf", "/lazy/**", "^/lazy/[a-z]+/(x|y)$"])
def test_a_pattern_is_compiled_when_first_matched_not_when_loaded(pattern: str) -> None:
    compiled = compile_path(pattern)
    assert compiled._regex is None
    assert not compiled.matches("/elsewhere")
    assert compiled._regex is not None


@pytest.mark.parametrize(
    "pattern",
    ["^/a/[z-a]", "^/a{3,2}", "^/[a\\]z-a]", "^/a[b-a]c", "^/a/(?P<1>x)", "^/a\\q", "^(?<=a+)b", "^/a**"],
)
def test_a_bad_regular_expression_is_still_refused_when_loaded(pattern: str) -> None:
    with pytest.raises(PatternError) as caught:
        compile_path(pattern)
    assert str(caught.value).startswith(f"invalid regular expression {pattern!r}: ")


@pytest.mark.parametrize(
    ("pattern", "plain"),
    [
        ("^/api/v1/things/5/[a-z]+$", True),
        ("^/api/v1/(designs|templates)/[A-Za-z0-9_]{1,40}$", True),
        ("^/a\\.b\\d+/.*?", True),
        ("^/a/[a\\-z]", True),
        ("^/a/(?P<name>x)", False),  # named: compiled to be checked
        ("^/a/((x))", False),  # nested
        ("^/a/[[:alpha:]]", False),
        ("^/a/[a--z]", False),
        ("^/a$|^/b", False),
    ],
)
def test_plain_regular_expressions_are_recognised(pattern: str, plain: bool) -> None:
    assert plain_regex(pattern) is plain


def _quantified(part: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """`part`, maybe followed by a quantifier; a `{m,n}` may be out of order."""
    repeat = st.tuples(st.integers(0, 12), st.integers(0, 12)).map(lambda mn: f"{{{mn[0]},{mn[1]}}}")
    quantifier = st.sampled_from(["", "", "*", "+", "?", "{3}", "{2,}"]) | repeat
    return st.tuples(part, quantifier, st.sampled_from(["", "", "?"])).map(
        lambda p: p[0] + p[1] + (p[2] if p[1] else "")
    )


_ESCAPES = [r"\.", r"\-", r"\d", r"\W", r"\s", r"\[", r"\]", "\\\\", r"\{", r"\|", r"\ "]
_CLASS_ITEM = (
    st.tuples(st.sampled_from("aAz0Z9m"), st.sampled_from("aAz0Z9m")).map("-".join)  # may be out of order
    | st.sampled_from([*"a0_./:@", *_ESCAPES])
)
_CLASS = st.tuples(st.sampled_from(["", "^"]), st.lists(_CLASS_ITEM, min_size=1, max_size=4)).map(
    lambda c: "[" + c[0] + "".join(c[1]) + "]"
)
_ATOM = st.sampled_from([*"ab/_-z0é.", *_ESCAPES]) | _CLASS
_BRANCH = st.lists(_quantified(_ATOM), max_size=4).map("".join)
_GROUP = st.tuples(st.sampled_from(["(", "(?:"]), st.lists(_BRANCH, min_size=1, max_size=3)).map(
    lambda g: g[0] + "|".join(g[1]) + ")"
)
_PLAIN_KIND = st.tuples(
    st.lists(st.lists(_quantified(_ATOM | _GROUP), max_size=5).map("".join), min_size=1, max_size=2),
    st.sampled_from(["", "$"]),
).map(lambda r: "^" + "|".join(r[0]) + r[1])
"""Regular expressions of the plain kind, some with a range or a `{m,n}` out of order."""


def _compiles(source: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            re.compile(source)
        except re.error:
            return False
    return True


@settings(max_examples=500, deadline=None)
@given(
    _PLAIN_KIND | st.text(alphabet="^$ab09zAZ-_[](){}|*+?.,\\dwsq:~&/", max_size=24).map(lambda t: "^" + t)
)
def test_a_regular_expression_is_taken_as_plain_only_when_it_compiles(source: str) -> None:
    if plain_regex(source):
        assert _compiles(source)


@settings(max_examples=300, deadline=None)
@given(_PLAIN_KIND)
def test_every_plain_regular_expression_that_compiles_is_recognised(source: str) -> None:
    assert plain_regex(source) is _compiles(source)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="/ab1_{}*.-", max_size=24).map(lambda text: "/" + text))
def test_a_template_or_glob_that_loads_compiles_when_matched(source: str) -> None:
    try:
        pattern = compile_path(source)
    except PatternError:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pattern.matches("/a/b")  # compiles it
    assert (pattern.regex is None) is pattern.literal


def _route_text_by_hand(source: str) -> str:
    """The plain text a `^regex` starts with, character by character (how routes were first found)."""
    text: list[str] = []
    i = 1
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source) and not source[i + 1].isalnum():
            plain, width = source[i + 1], 2
        elif ch in "\\.^$*+?{}[]|()":
            break
        else:
            plain, width = ch, 1
        if i + width < len(source) and source[i + width] in "*+?{":
            break
        text.append(plain)
        i += width
    return "".join(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="/ab_é1\\.^$*+?{}[]()-\n", max_size=20).map(lambda text: "^" + text))
def test_the_leading_text_of_a_regex_is_read_as_by_hand(source: str) -> None:
    assert leading_text(source) == _route_text_by_hand(source)


template_segments = st.lists(
    st.sampled_from(["api", "v1", "{id}", "{name}", "designs", "x.pdf", ""]), min_size=1
)
request_segments = st.lists(st.sampled_from(["api", "v1", "designs", "dsg_1", "x.pdf", "", "a\nb", "{id}"]))


@settings(max_examples=500, deadline=None)
@given(template_segments, request_segments)
def test_a_template_matched_segment_by_segment_agrees_with_its_regular_expression(
    template: list[str], request: list[str]
) -> None:
    names = [s for s in template if s.startswith("{")]
    if len(names) != len(set(names)):
        return  # a name twice is refused at load
    source = "/" + "/".join(template)
    pattern = compile_path(source)
    path = "/" + "/".join(request)
    regex = re.compile(_template(source, build=True)[1], re.DOTALL)
    expected = None if (found := regex.fullmatch(path)) is None else found.groupdict()
    if pattern.literal:
        assert pattern.match(path) == ({} if path == source else None)
        return
    assert pattern.segments is not None  # whole names and plain text only: no expression is built
    assert pattern.match(path) == expected
    assert pattern.matches(path) is (expected is not None)
    assert pattern._regex is None


def test_patterns_share_their_route_steps_and_named_segments() -> None:
    """10,000 rules under /api/v1/... must not each keep their own ('api', 'v1', '{id}') pieces."""
    import mockserver.matching as matching

    first = matching.compile_path("/api/v1/first-thing/{id}")
    second = matching.compile_path("/api/v1/second-thing/{id}")
    literal = matching.compile_path("/api/v1/third-thing")
    assert first.route[0] is second.route[0] is literal.route[0]  # (LITERAL, "api")
    assert first.route[1] is second.route[1]  # (LITERAL, "v1")
    assert first.route[-1] is second.route[-1]  # (LEAD, "") for {id}
    assert first.route[2] is not second.route[2]
    assert first.segments is not None
    assert second.segments is not None
    assert first.segments[-1] is second.segments[-1]  # (True, "id")
    assert first.segments[0] is second.segments[0]  # (False, "api")
    assert first.prefix == ("api", "v1", "first-thing")
    assert literal.prefix == ("api", "v1", "third-thing")


def test_the_shared_pieces_stay_within_their_limit() -> None:
    import mockserver.matching as matching

    for n in range(matching.SHARED_LIMIT + 50):
        matching.compile_path.__wrapped__(f"/api/v1/thing-{n}/{{id}}")
    assert 0 < len(matching._STEPS) <= matching.SHARED_LIMIT
    assert 0 < len(matching._NAMED) <= matching.SHARED_LIMIT
    again = matching.compile_path.__wrapped__("/api/v1/thing-0/{id}")
    assert again.route == (
        (matching.LITERAL, "api"),
        (matching.LITERAL, "v1"),
        (matching.LITERAL, "thing-0"),
        (matching.LEAD, ""),
    )
