"""Compiled request matchers: path patterns, header/query globs, JSON body subsets.

Everything here is compiled once, when a scenario is loaded; matching a request
is then plain string and dict work. `RequestMatcher.mismatch()` says which
condition stopped a request from matching, for the journal and error messages.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar, overload

from .credentials import mask_header
from .exchange import NOT_JSON, Incoming
from .safejson import TOO_DEEP

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class PatternError(ValueError):
    """A path pattern or value pattern that cannot be compiled; says why."""


# --- values: exact, or `*` globs -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Glob:
    """A string matcher: exact text, where `*` stands for any run of characters."""

    source: str
    regex: re.Pattern[str] | None

    def matches(self, value: str) -> bool:
        if self.regex is None:
            return value == self.source
        return self.regex.fullmatch(value) is not None


def compile_glob(source: str) -> Glob:
    if "*" not in source:
        return Glob(source, None)
    body = ".*".join(re.escape(part) for part in source.split("*"))
    return Glob(source, re.compile(body, re.DOTALL))


# --- paths: literal, templates, globs, or a regular expression --------------------


LITERAL, LEAD, REST = 0, 1, 2
"""Kinds of a route step: a whole segment as written; a segment that begins with this text (a glob,
a `{name}`, or where a regular expression stops being plain text); anything from here on (`**`)."""

Route = tuple[tuple[int, str], ...]

SHARED_LIMIT = 4096
"""Distinct values a table of `shared` keeps; over it, the table starts again."""
_Shared = TypeVar("_Shared", bound=Hashable)
_Key = TypeVar("_Key", bound=Hashable)
_STEPS: dict[tuple[int, str], tuple[int, str]] = {}
_NAMED: dict[tuple[bool, str], tuple[bool, str]] = {}


def _step(kind: int, text: str) -> tuple[int, str]:
    """The route step (kind, text), one tuple shared by all the patterns that have it, its text interned.

    A file of 10,000 rules has tens of thousands of steps, most of them the same few (`api`, `v1`, a
    `{name}`): shared, they take no memory per rule."""
    return shared(_STEPS, (kind, sys.intern(text)))


def _named(is_name: bool, text: str) -> tuple[bool, str]:
    """A named segment (is a name, text), shared like `_step` (kept apart: False == 0 == LITERAL)."""
    return shared(_NAMED, (is_name, sys.intern(text)))


_LITERALS: dict[str, tuple[tuple[int, str], tuple[bool, str]]] = {}


def _literal(segment: str) -> tuple[tuple[int, str], tuple[bool, str]]:
    """A literal segment's route step and named segment, in one look-up: a file repeats its segments
    (`api`, `v1`) in every rule."""
    found = _LITERALS.get(segment)
    if found is None:
        found = shared(_LITERALS, segment, (_step(LITERAL, segment), _named(False, segment)))
    return found


@overload
def shared(table: dict[_Shared, _Shared], value: _Shared) -> _Shared: ...
@overload
def shared(table: dict[_Key, _Shared], value: _Key, made: _Shared) -> _Shared: ...
def shared(table: dict[Any, Any], value: Any, made: Any = None) -> Any:
    """The one object equal to `value` that `table` hands out (`value` itself when new), so that the
    many compiled rules holding an equal value hold one object; at most SHARED_LIMIT are kept.
    With `made`: the object `table` holds for the key `value`, `made` when it holds none."""
    found = table.get(value)
    if found is None:
        if len(table) >= SHARED_LIMIT:
            table.clear()
        found = table[value] = value if made is None else made
    return found


@dataclass(slots=True, unsafe_hash=True)
class PathPattern:
    """A compiled path pattern.

    `prefix` is its leading run of literal segments; `route` is what the rule index files it under:
    one step per segment, as far as the pattern says something plain about it (see LITERAL, LEAD,
    REST). Every path the pattern matches follows its route; the route may let through paths the
    pattern then refuses. A pattern that is not `literal` matches with a regular expression,
    compiled when first needed (the rule index tries few rules, and a file may have 10,000), or
    when the pattern is for a `^regex` that must be compiled to be checked.
    """

    source: str
    literal: bool
    route: Route = ((REST, ""),)
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    segments: tuple[tuple[bool, str], ...] | None = field(default=None, compare=False, repr=False)
    """For a template whose segments are each plain text or a whole `{name}`, the segments as
    (is a name, text): matched segment by segment, with no regular expression to build."""

    @property
    def prefix(self) -> tuple[str, ...]:
        """The pattern's leading literal segments (worked out from `route`: not kept, to save memory)."""
        if self.source.startswith("^"):
            return ()
        texts = []
        for kind, text in self.route:
            if kind != LITERAL:
                break
            texts.append(text)
        return tuple(texts)

    @property
    def regex(self) -> re.Pattern[str] | None:
        """The regular expression it matches with (None for a literal pattern)."""
        if self._regex is None and not self.literal:
            return self._compile()
        return self._regex

    def _compile(self) -> re.Pattern[str]:
        if self.source.startswith("^"):
            regex = re.compile(self.source)
        else:
            regex = re.compile(_template(self.source, build=True)[1], re.DOTALL)
        self._regex = regex  # the same value whichever thread sets it first
        return regex

    def matches(self, path: str) -> bool:
        regex = self._regex
        if regex is None:
            if self.literal:
                return path == self.source
            if self.segments is not None:
                return self._by_segments(path) is not None
            regex = self._compile()
        return regex.fullmatch(path) is not None

    def _by_segments(self, path: str) -> dict[str, str] | None:
        """`match` for a pattern with `segments` (what its expression would capture)."""
        parts = path_segments(path) if path.startswith("/") else []
        segments = self.segments or ()
        if len(parts) != len(segments):
            return None
        found: dict[str, str] = {}
        for (is_name, text), part in zip(segments, parts, strict=True):
            if is_name:
                if not part:
                    return None
                found[text] = part
            elif part != text:
                return None
        return found

    def match(self, path: str) -> dict[str, str] | None:
        """The captured `{name}` values when `path` matches, else None."""
        if self.segments is not None:
            return self._by_segments(path)
        regex = self.regex
        if regex is None:
            return {} if path == self.source else None
        found = regex.fullmatch(path)
        return None if found is None else found.groupdict()


@lru_cache(maxsize=32_768)
def compile_path(source: str) -> PathPattern:
    """Compile `/literal/{name}/*/**` or `^regex$`; PatternError says what is wrong.

    Remembered (a pattern is validated, then compiled into its rule: once is enough), up to 32,768
    patterns: a file of 10,000 rules loads without compiling each path twice. `loader.load` clears
    it when done: by then each rule holds its pattern.
    """
    if source.startswith("^"):
        if plain_regex(source):  # valid as it stands: compiled when first needed
            return PathPattern(source, False, _regex_route(source))
        try:
            regex = re.compile(source)
        except re.error as exc:
            raise PatternError(f"invalid regular expression {source!r}: {exc}") from None
        return PathPattern(source, False, _regex_route(source), _regex=regex)
    if not source.startswith("/"):
        raise PatternError(f"path pattern {source!r} must start with '/' (or '^' for a regular expression)")
    if "?" in source:
        raise PatternError(f"path pattern {source!r} contains '?': put query conditions in 'query'")
    if "*" not in source and "{" not in source and "}" not in source:
        return PathPattern(source, True, tuple(_step(LITERAL, segment) for segment in path_segments(source)))
    route, _, segments = _template(source, build=False)
    return PathPattern(source, False, route, segments=segments)


_WHOLE_NAME = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")


_LEAD_END = re.compile(r"[*{]")


def _template(source: str, build: bool) -> tuple[Route, str, tuple[tuple[bool, str], ...] | None]:
    """The route, (when `build`) regular expression and named segments of `/a/{name}/*.pdf/**`,
    a pattern that is not all literal; PatternError says what is wrong, whether or not the expression
    is built. The named segments (`/a/{id}/b` → (False, 'a'), (True, 'id'), (False, 'b')) are None
    when a segment has a glob or a `{name}` with text around it: those match with the expression."""
    names: set[str] = set()
    parts: list[str] = []
    route: list[tuple[int, str]] = []
    named: list[tuple[bool, str]] | None = []
    for segment in path_segments(source):
        if segment == "**":
            parts.append("(?:/.*)?")
            named = None
            if not route or route[-1][0] != REST:
                route.append((REST, ""))
            continue
        if "{" not in segment and "}" not in segment and "*" not in segment:
            step, literal = _literal(segment)
            if build:
                parts.append("/" + re.escape(segment))
            if named is not None:
                named.append(literal)
        else:
            if "**" in segment:
                raise PatternError(f"'**' must be a whole segment in path pattern {source!r}")
            parts.append("/" + _compile_segment(segment, source, names, build))
            lead_end = _LEAD_END.search(segment)
            step = _step(LEAD, segment[: lead_end.start()] if lead_end else segment)
            if named is not None:
                whole = _WHOLE_NAME.match(segment)
                if whole is None:
                    named = None
                else:
                    named.append(_named(True, whole[1]))
        if not route or route[-1][0] != REST:
            route.append(step)
    return tuple(route), "".join(parts), None if named is None else tuple(named)


_ESCAPE = r"\\[!-/:-@\[-`{-~ dDwWsS]"
_CLASS = rf"\[\^?(?:[A-Za-z0-9]-[A-Za-z0-9]|[A-Za-z0-9_./:@!,;=%]|{_ESCAPE})+\]"
_ATOM = rf"(?:[^\\\[\](){{}}|*+?.^$]|\.|{_ESCAPE}|{_CLASS})"
_QUANTIFIER = r"(?:(?:[*+?]|\{[0-9]{1,3}(?:,[0-9]{0,3})?\})\??)"
_BRANCH = rf"(?:{_ATOM}{_QUANTIFIER}?)*"
_PIECES = rf"(?:(?:{_ATOM}|\((?:\?:)?{_BRANCH}(?:\|{_BRANCH})*\)){_QUANTIFIER}?)*"
_PLAIN_REGEX = rf"\^{_PIECES}(?:\|{_PIECES})*\$?"
"""Compiled on first use (3 ms, a tenth of this module's import): only `^regex` rules need it."""
_ORDERED = re.compile(rf"{_ESCAPE}|(\[\^?(?:{_ESCAPE}|[^]\\])+\])|\{{([0-9]+),([0-9]+)\}}")
"""The tokens of a plain regex where an order can be wrong: a class (its ranges), a `{m,n}`."""
_RANGE = re.compile(rf"{_ESCAPE}|([A-Za-z0-9])-([A-Za-z0-9])|.", re.DOTALL)


@lru_cache(maxsize=1)
def _plain_regex() -> re.Pattern[str]:
    return re.compile(_PLAIN_REGEX)


def plain_regex(source: str) -> bool:
    """Whether `source` is a `^regex` of a plain kind that is valid as it stands, checked at C speed.

    Characters, escaped punctuation, `\\d \\w \\s` (and their capitals), `.`, classes of characters
    and ranges, quantifiers, groups (not nested, not named) and alternatives, with `$` at the end
    only: nothing that can fail to compile or warn, once each range and `{m,n}` is in order. Other
    regular expressions are compiled to be checked.
    """
    if not _plain_regex().fullmatch(source):
        return False
    for token in _ORDERED.finditer(source):
        if token[1] is not None:
            if any(found[1] is not None and found[1] > found[2] for found in _RANGE.finditer(token[1])):
                return False
        elif token[2] is not None and int(token[2]) > int(token[3]):
            return False
    return True


_LEADING_TEXT = re.compile(r"(?:(?:\\[\W_]|[^\\.^$*+?{}\[\]|()])(?![*+?{]))*")
"""Plain characters, or punctuation escaped (`\\.`), each not followed by a quantifier."""
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)


def leading_text(source: str) -> str:
    """The plain text `^regex` starts with: up to the first character that is not plain (a class, a
    group, `.`, an anchor, an escape such as `\\d`), leaving out a character a quantifier follows."""
    taken = _LEADING_TEXT.match(source, 1)
    text = taken[0] if taken else ""
    return _UNESCAPE.sub(r"\1", text) if "\\" in text else text


def _regex_route(source: str) -> Route:
    """The route of `^regex`: its `leading_text`, cut into whole segments and a lead. A regular
    expression with an alternation anywhere gets the empty route: it is tried for every path."""
    if "|" in source:
        return ((REST, ""),)
    pieces = leading_text(source).split("/")
    if len(pieces) < 2 or pieces[0] != "":
        return ((REST, ""),)
    whole, lead = pieces[1:-1], pieces[-1]
    route = [_step(LITERAL, segment) for segment in whole]
    if lead:
        route.append(_step(LEAD, lead))
    route.append((REST, ""))
    return tuple(route)


_SEGMENT_PART = re.compile(r"\{([^}]*)\}|(\{)|(\})|\*")
"""In a segment: a `{name}`, an unclosed `{`, an unmatched `}`, or a `*`."""


def _compile_segment(segment: str, source: str, names: set[str], build: bool = True) -> str:
    """Regex for one segment with a `{`, `}` or `*` (checked, but "" unless `build`)."""
    out: list[str] = []
    done = 0
    for found in _SEGMENT_PART.finditer(segment):
        if build:
            out.append(re.escape(segment[done : found.start()]))
        done = found.end()
        if found[2]:
            raise PatternError(f"unclosed '{{' in path pattern {source!r}")
        if found[3]:
            raise PatternError(f"unmatched '}}' in path pattern {source!r}")
        if found[1] is None:
            out.append("[^/]*")
            continue
        name = found[1]
        if not _NAME.match(name):
            raise PatternError(
                f"{{{name}}} in path pattern {source!r} is not a valid parameter name"
                " (letters, digits and '_', not starting with a digit)"
            )
        if name in names:
            raise PatternError(f"parameter {{{name}}} appears twice in path pattern {source!r}")
        names.add(name)
        out.append(f"(?P<{name}>[^/]+)")
    if build:
        out.append(re.escape(segment[done:]))
    return "".join(out)


def path_segments(path: str) -> list[str]:
    """`/api/v1/x` → `['api', 'v1', 'x']`: the keys the rule index walks."""
    return path[1:].split("/")


# --- JSON bodies: a subset, keys may be dotted paths --------------------------------

_MISSING = object()


@dataclass(frozen=True, slots=True)
class BodyMatcher:
    """Matches when every expected field is present in the JSON body with a matching value."""

    fields: tuple[tuple[str, tuple[str, ...], Any], ...]  # (dotted key, path, expected)

    def matches(self, document: Any) -> bool:
        for _, path, expected in self.fields:
            actual = _walk(document, path)
            if actual is _MISSING or not _value_matches(expected, actual):
                return False
        return True

    def mismatch(self, document: Any) -> str | None:
        for key, path, expected in self.fields:
            actual = _walk(document, path)
            if actual is _MISSING:
                return f"body field {key!r} is missing"
            if not _value_matches(expected, actual):
                return f"body field {key!r} is {_short(actual)}, expected {_short(_plain(expected))}"
        return None


def compile_body(expected: Mapping[str, Any]) -> BodyMatcher:
    fields = tuple((key, tuple(key.split(".")), _compile_value(value)) for key, value in expected.items())
    return BodyMatcher(fields)


def _compile_value(value: Any) -> Any:
    if isinstance(value, str):
        return compile_glob(value)
    if isinstance(value, Mapping):
        return compile_body(value)
    if isinstance(value, list):
        return tuple(_compile_value(item) for item in value)
    return value


def _walk(document: Any, path: tuple[str, ...]) -> Any:
    for step in path:
        if isinstance(document, dict):
            document = document.get(step, _MISSING)
        elif isinstance(document, list) and step.isascii() and step.isdigit() and int(step) < len(document):
            document = document[int(step)]
        else:
            return _MISSING
        if document is _MISSING:
            return _MISSING
    return document


def _value_matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, Glob):
        return isinstance(actual, str) and expected.matches(actual)
    if isinstance(expected, BodyMatcher):
        return isinstance(actual, dict) and expected.mismatch(actual) is None
    if isinstance(expected, tuple):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_value_matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if expected is None or isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, int | float):
        return isinstance(actual, int | float) and not isinstance(actual, bool) and actual == expected
    return bool(expected == actual)


def _plain(expected: Any) -> Any:
    if isinstance(expected, Glob):
        return expected.source
    if isinstance(expected, BodyMatcher):
        return {key: _plain(value) for key, _, value in expected.fields}
    if isinstance(expected, tuple):
        return [_plain(item) for item in expected]
    return expected


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- a whole request ----------------------------------------------------------------


@dataclass(slots=True, unsafe_hash=True)
class RequestMatcher:
    """Method, path, query, headers and body conditions of one rule, compiled.

    In `query` and `headers`, a None value means "must be absent".
    """

    method: str | None
    path: PathPattern
    query: tuple[tuple[str, Glob | None], ...] = ()
    headers: tuple[tuple[str, Glob | None], ...] = ()
    body: BodyMatcher | None = None
    operation: str | None = None
    """An operation name instead of a path: its route in whichever revision answers the request."""

    def matches(self, incoming: Incoming) -> bool:
        """Whether `incoming` matches: `mismatch(incoming) is None`, without wording any reason (this
        runs for every candidate rule of every request)."""
        if self.method is not None and incoming.method != self.method:
            return False
        if self.operation is not None:
            if incoming.operation != self.operation:
                return False
        elif not self.path.matches(incoming.path):
            return False
        for name, glob in self.query:
            if not _values_pass(incoming.query.get(name), glob):
                return False
        for name, glob in self.headers:
            value = incoming.headers.get(name)
            if not _values_pass(None if value is None else [value], glob):
                return False
        if self.body is not None:
            document = incoming.json()
            return document is not NOT_JSON and self.body.matches(document)
        return True

    def mismatch(self, incoming: Incoming) -> str | None:
        """None when `incoming` matches, else the first condition that failed."""
        if self.method is not None and incoming.method != self.method:
            return f"method is {incoming.method}, rule wants {self.method}"
        if self.operation is not None:
            if incoming.operation != self.operation:
                found = incoming.operation or "no operation"
                return f"request is {found} (in revision {incoming.revision}), rule wants {self.operation}"
        elif self.path.match(incoming.path) is None:
            return f"path {incoming.path} does not match {self.path.source}"
        for name, glob in self.query:
            reason = _check_values(f"query parameter {name!r}", incoming.query.get(name), glob)
            if reason:
                return reason
        for name, glob in self.headers:
            value = incoming.headers.get(name)
            reason = _check_values(f"header {name!r}", None if value is None else [value], glob, name)
            if reason:
                return reason
        if self.body is not None:
            document = incoming.json()
            if document is NOT_JSON:
                problem = incoming.json_problem
                return "body is not JSON" + (f" ({problem})" if problem == TOO_DEEP else "")
            return self.body.mismatch(document)
        return None


def _values_pass(values: list[str] | None, glob: Glob | None) -> bool:
    if glob is None:
        return values is None
    return values is not None and any(glob.matches(value) for value in values)


def _check_values(what: str, values: list[str] | None, glob: Glob | None, header: str = "") -> str | None:
    """Why `values` fail `glob` (None: they pass); a credential `header`'s value is shown masked."""
    if glob is None:
        return f"{what} is present, rule wants it absent" if values is not None else None
    if values is None:
        return f"{what} is missing"
    if any(glob.matches(value) for value in values):
        return None
    return f"{what} is {_short(mask_header(header, values[0]))}, expected {glob.source!r}"


ANY_PATH = "/**"


def compile_matcher(
    method: str | None,
    path: str | None,
    query: Mapping[str, str | None] | None = None,
    headers: Mapping[str, str | None] | None = None,
    body: Mapping[str, Any] | None = None,
    operation: str | None = None,
) -> RequestMatcher:
    return RequestMatcher(
        None if method is None or method == "*" else sys.intern(method.upper()),
        compile_path(path or ANY_PATH),
        _globs(query, fold=False) if query else (),
        _globs(headers, fold=True) if headers else (),
        None if body is None else compile_body(body),
        operation,
    )


def _globs(items: Mapping[str, str | None], fold: bool) -> tuple[tuple[str, Glob | None], ...]:
    return tuple(
        (name.lower() if fold else name, None if value is None else compile_glob(value))
        for name, value in items.items()
    )
