"""The typed model of a scenario file; the JSON Schema is generated from it.

Validation lives here (unknown keys, types, error codes, path patterns);
positions and file names are added by the loader.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import catalog
from .guidance.thresholds import BOUNDS as GUIDANCE_BOUNDS
from .guidance.thresholds import HELP as GUIDANCE_HELP
from .guidance.thresholds import Thresholds
from .matching import PatternError, compile_path
from .simulator.operations import OPERATIONS
from .simulator.starting import STARTING_MODELS, StartingWorkspace
from .statuses import NO_BODY_STATUSES, final_status, forbids_body, no_body, no_body_for

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MAX_DELAY_SECONDS = 600.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _text(value: Any) -> Any:
    """YAML reads `page: 0` as a number; header and query values are text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


TextOrAbsent = Annotated[str | None, BeforeValidator(_text)]

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")
_SERVER_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "x-mock-answered-by"})


def _reply_headers(value: dict[str, str]) -> dict[str, str]:
    """Header names must be HTTP tokens, values single-line; the server's own headers are not the reply's."""
    for name, text in value.items():
        if not _TOKEN.match(name):
            raise PydanticCustomError(
                "bad_header", "header name '{name}' is not a valid HTTP header name", {"name": name}
            )
        if name.lower() in _SERVER_HEADERS:
            raise PydanticCustomError(
                "server_header",
                "header '{name}' is set by the server; leave it out of the reply",
                {"name": name},
            )
        if any(ch in text for ch in "\r\n\x00"):
            raise PydanticCustomError(
                "bad_header", "the value of header '{name}' must be one line of text", {"name": name}
            )
    return value


ReplyHeaders = Annotated[dict[str, Annotated[str, BeforeValidator(_text)]], AfterValidator(_reply_headers)]


class When(_Model):
    """Which requests a rule takes. Every condition given must hold."""

    method: str | None = Field(None, description="HTTP method, or '*' (the default) for any.")
    path: str | None = Field(
        None,
        description="'/literal', '/designs/{designId}' (one segment), '*' (within a segment),"
        " '**' (any number of segments), or '^regex'.",
    )
    operation: str | None = Field(
        None,
        description="An API operation (e.g. 'generate', 'designs.get') instead of a path: its route in"
        " whichever docs revision is active. `mockserver operations` lists them.",
        json_schema_extra={"enum": list(OPERATIONS)},
    )
    query: dict[str, TextOrAbsent] = Field(
        default_factory=dict,
        description="Query parameters; '*' in a value is a wildcard, null means absent.",
    )
    headers: dict[str, TextOrAbsent] = Field(
        default_factory=dict,
        description="Request headers (names case-insensitive); '*' is a wildcard, null means absent.",
    )
    body: dict[str, Any] | None = Field(
        None,
        description="A JSON subset the body must contain; keys may be dotted paths (data.customer).",
    )

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str | None) -> str | None:
        if value is None or value == "*":
            return value
        if value.upper() not in HTTP_METHODS:
            raise PydanticCustomError(
                "unknown_method",
                "unknown HTTP method '{method}'; use one of {allowed} or '*'",
                {"method": value, "allowed": ", ".join(HTTP_METHODS)},
            )
        return value.upper()

    @field_validator("path")
    @classmethod
    def _valid_path(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            compile_path(value)
        except PatternError as exc:
            raise PydanticCustomError("bad_path", str(exc)) from None
        return value

    @field_validator("operation")
    @classmethod
    def _known_operation(cls, value: str | None) -> str | None:
        if value is not None and value not in OPERATIONS:
            close = difflib.get_close_matches(value, OPERATIONS, n=1)
            raise PydanticCustomError(
                "unknown_operation",
                "unknown operation '{operation}'; `mockserver operations` lists them",
                {"operation": value, "hint": _did_you_mean(close[0] if close else None)},
            )
        return value

    @model_validator(mode="after")
    def _path_or_operation(self) -> When:
        if (self.path is None) == (self.operation is None):
            raise PydanticCustomError(
                "path_or_operation",
                "'when' needs exactly one of 'path' and 'operation'"
                + (", not both" if self.path is not None else ""),
            )
        return self


def _shorthand(value: Any) -> Any:
    """`"POST /api/v1/generate?design=d1"` → the mapping form of When."""
    if not isinstance(value, str):
        return value
    words = value.split()
    if len(words) == 1 and not words[0].startswith(("/", "^")):
        return {"operation": words[0]}
    if len(words) == 1 and words[0].startswith(("/", "^")):
        method, target = None, words[0]
    elif len(words) == 2:
        method, target = words
    else:
        raise PydanticCustomError(
            "bad_when",
            "'when' must be 'METHOD /path' (e.g. 'GET /api/v1/designs') or an operation"
            " (e.g. 'generate'), got '{value}'",
            {"value": value},
        )
    result: dict[str, Any] = {"method": method, "path": target}
    if "?" in target and not target.startswith("^"):
        path, _, query = target.partition("?")
        pairs = [item.partition("=") for item in query.split("&") if item]
        result.update(path=path, query={name: val for name, _, val in pairs})
    return result


WhenPattern = Annotated[When, BeforeValidator(_shorthand, json_schema_input_type=str | When)]
"""A `when`: the mapping form, the shorthand `"METHOD /path?query"`, or an operation name."""


class ErrorReply(_Model):
    """Answer with a documented error from the catalog."""

    error: str = Field(
        description="A documented error code, e.g. INSUFFICIENT_CREDITS.",
        json_schema_extra={"enum": list(catalog.CODES)},
    )
    message: str | None = Field(None, description="Replaces the catalog's default message.")
    headers: ReplyHeaders = Field(default_factory=dict)
    retry_after: int | None = Field(
        None,
        ge=0,
        le=86400,
        description="Seconds; sent as a Retry-After header in seconds (`Retry-After: 30`; 5xx codes only).",
    )
    retry_after_date: int | None = Field(
        None,
        ge=0,
        le=86400,
        description="Seconds; sent as a Retry-After header in the date form: the session clock's time plus"
        " this many seconds (`Retry-After: Wed, 25 Nov 2026 19:31:11 GMT`; 5xx codes only; not with"
        " retry_after).",
    )

    @model_validator(mode="after")
    def _retry_after_on_5xx(self) -> ErrorReply:
        for name, value in (("retry_after", self.retry_after), ("retry_after_date", self.retry_after_date)):
            if value is not None and catalog.CODES[self.error].status < 500:
                raise PydanticCustomError(
                    "retry_after_4xx",
                    "{name} is for transient 5xx errors; {code} is a {status}",
                    {"name": name, "code": self.error, "status": catalog.CODES[self.error].status},
                )
        if self.retry_after is not None and self.retry_after_date is not None:
            raise PydanticCustomError(
                "retry_after_twice",
                "retry_after and retry_after_date both set Retry-After; give one"
                " (retry_after: seconds, retry_after_date: a date that many seconds ahead)",
            )
        return self

    @field_validator("error")
    @classmethod
    def _documented(cls, value: str) -> str:
        if value not in catalog.CODES:
            raise PydanticCustomError(
                "unknown_error_code",
                "unknown error code '{code}'",
                {"code": value, "hint": _did_you_mean(catalog.suggest(value))},
            )
        return value


class SuccessReply(_Model):
    """Answer with a success: `data` wrapped in the success envelope."""

    status: int = Field(200, description="A 2xx status.", json_schema_extra={"minimum": 200, "maximum": 299})
    data: Annotated[Any, AfterValidator(no_body("data"))] = Field(description="The envelope's data.")
    headers: ReplyHeaders = Field(default_factory=dict)

    @field_validator("status")
    @classmethod
    def _success_status(cls, value: int) -> int:
        if not 200 <= value <= 299:
            raise PydanticCustomError(
                "bad_status",
                "a reply with 'data' is a success and needs a 2xx status, got {status};"
                " use 'error: CODE' for a documented error or 'body' for a raw reply",
                {"status": value},
            )
        return value


class RawReply(_Model):
    """Answer with exactly this body, or this file's bytes, or (`{status: 204}`) nothing; no envelope."""

    status: Annotated[int, AfterValidator(final_status)] = Field(
        200, ge=100, le=599, json_schema_extra={"minimum": 200}
    )
    body: Any = Field(
        None,
        description="Text, or a mapping/list sent as JSON; none with status 204, 205 or 304.",
        json_schema_extra={"type": ["string", "object", "array"]},
    )
    file: Annotated[str | None, AfterValidator(no_body("file"))] = Field(
        None,
        description="A file next to the scenario file (inside its folder), sent as it is;"
        " the content type comes from its name unless headers say.",
    )
    headers: ReplyHeaders = Field(default_factory=dict)

    @field_validator("body")
    @classmethod
    def _text_or_json(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str | dict | list):
            raise PydanticCustomError("bad_body", "body must be text, a mapping or a list")
        no_body_for(info, "body")
        return value


class SimulatorReply(_Model):
    """Hand the request to the simulator (useful as a step in a sequence)."""

    simulator: Literal[True]


FAULTS = ("connection_reset", "empty_reply", "malformed_json", "gateway_html", "hang")
GATEWAY_STATUSES = (502, 503, 504)


class FaultReply(_Model):
    """A network fault: a dropped connection, a broken body, a proxy's HTML page, or no answer."""

    fault: Literal["connection_reset", "empty_reply", "malformed_json", "gateway_html", "hang"] = Field(
        description="connection_reset: closed with no response; empty_reply: headers, empty body;"
        " malformed_json: truncated JSON; gateway_html: a proxy's HTML error page; hang: no answer"
        " until the client gives up."
    )
    status: int | None = Field(
        None, description="gateway_html: 502, 503 or 504 (default 502); empty_reply and malformed_json: 200."
    )

    @model_validator(mode="after")
    def _status_fits(self) -> FaultReply:
        if self.fault == "gateway_html" and self.status not in (None, *GATEWAY_STATUSES):
            raise PydanticCustomError("bad_status", "gateway_html takes status 502, 503 or 504")
        if self.fault in ("connection_reset", "hang") and self.status is not None:
            raise PydanticCustomError(
                "bad_status", "{fault} sends no response, so it takes no status", {"fault": self.fault}
            )
        if self.status is not None:
            final_status(self.status)
            if self.fault == "malformed_json" and forbids_body(self.status):
                raise PydanticCustomError(
                    "body_forbidden",
                    "malformed_json sends a body, which status {status} forbids; use empty_reply",
                    {"status": self.status},
                )
        return self


# Union tags start with validation.TAG_PREFIX, so they never collide with a key of the file and
# are dropped from the error locations people read.
_REPLY_KEYS = {
    "error": "~error",
    "simulator": "~simulator",
    "data": "~success",
    "body": "~raw",
    "file": "~raw",
    "fault": "~fault",
}
_REPLY_CLASSES: dict[type[BaseModel], str] = {
    ErrorReply: "~error",
    FaultReply: "~fault",
    SimulatorReply: "~simulator",
    SuccessReply: "~success",
    RawReply: "~raw",
}


def _one_kind(value: Any) -> Any:
    kinds = [key for key in _REPLY_KEYS if key in value] if isinstance(value, dict) else []
    if len(kinds) > 1:
        raise PydanticCustomError(
            "mixed_reply",
            "a reply has exactly one of the keys error, data, body, file, fault or simulator;"
            " this one has {keys}",
            {"keys": " and ".join(kinds)},
        )
    return value


def _reply_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = next((kind for key, kind in _REPLY_KEYS.items() if key in value), None)
        # `{status: 204}` is complete: a raw reply without a body. Other statuses still need a key,
        # so that a forgotten `error:` or `data:` is reported, not answered with an empty body.
        if kind is None and type(value.get("status")) is int and value["status"] in NO_BODY_STATUSES:
            return "~raw"
        return kind
    return _REPLY_CLASSES.get(type(value)) if isinstance(value, BaseModel) else None


Reply = Annotated[
    Annotated[ErrorReply, Tag("~error")]
    | Annotated[SuccessReply, Tag("~success")]
    | Annotated[RawReply, Tag("~raw")]
    | Annotated[SimulatorReply, Tag("~simulator")]
    | Annotated[FaultReply, Tag("~fault")],
    Discriminator(
        _reply_kind,
        custom_error_type="bad_reply",
        custom_error_message="a reply needs one of the keys error, data, body, file, fault or simulator",
    ),
    BeforeValidator(_one_kind),
]
Replies = Annotated[
    Annotated[Reply, Tag("~single")] | Annotated[list[Reply], Field(min_length=1), Tag("~sequence")],
    Discriminator(lambda v: "~sequence" if isinstance(v, list | tuple) else "~single"),
]

_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*\Z")


def _seconds(value: Any) -> float:
    """`800ms`, `2s`, `1.5s`, or a number of milliseconds → seconds."""
    if isinstance(value, bool):
        raise PydanticCustomError("bad_duration", "a duration cannot be true or false")
    if isinstance(value, int | float):
        seconds = float(value) / 1000
    elif isinstance(value, str) and (found := _DURATION.match(value)):
        number, unit = float(found[1]), found[2]
        seconds = number / 1000 if unit == "ms" else number
    else:
        raise PydanticCustomError(
            "bad_duration",
            "'{value}' is not a duration; write e.g. '800ms' or '2s'",
            {"value": value},
        )
    if not 0 <= seconds <= MAX_DELAY_SECONDS:
        raise PydanticCustomError(
            "bad_duration",
            "duration '{value}' is outside 0ms..{limit}s",
            {"value": value, "limit": int(MAX_DELAY_SECONDS)},
        )
    return seconds


Duration = Annotated[float, BeforeValidator(_seconds, json_schema_input_type=str | float)]


class Delay(_Model):
    """A delay before the reply: fixed, or drawn between `min` and `max`."""

    min: Duration
    max: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Delay:
        if self.min > self.max:
            raise PydanticCustomError("bad_delay", "delay 'min' is larger than 'max'")
        return self


def _delay(value: Any) -> Any:
    if isinstance(value, dict) or value is None:
        return value
    seconds = _seconds(value)
    return {"min": seconds * 1000, "max": seconds * 1000}


class Rule(_Model):
    """A request pattern and how to answer it."""

    when: WhenPattern
    reply: Replies = Field(description="One reply, or a list: one per matching call, in order.")
    times: int | None = Field(
        None, gt=0, description="Answer this many matching requests, then stop matching."
    )
    chance: float | None = Field(
        None, ge=0, le=1, description="Probability that a matching request is taken (drawn using `--seed`)."
    )
    delay: Annotated[
        Delay | None, BeforeValidator(_delay, json_schema_input_type=str | float | Delay | None)
    ] = Field(None, description="'800ms', '2s', or {min, max}.")


RULES: TypeAdapter[list[Rule]] = TypeAdapter(list[Rule], config=ConfigDict(defer_build=True))
"""Validates rules given at run time (admin API, Python API), the same way as in files."""
WHEN: TypeAdapter[When] = TypeAdapter(WhenPattern)
"""Validates a `when` on its own (journal queries)."""


def _guidance_field(name: str) -> tuple[Any, Any]:
    low, high = GUIDANCE_BOUNDS[name]
    kind = int if isinstance(getattr(Thresholds(), name), int) else float
    described = f"{GUIDANCE_HELP[name]} (default {getattr(Thresholds(), name)!r})."
    return kind | None, Field(None, ge=low, le=high, strict=True, description=described)


_GUIDANCE_FIELDS: dict[str, Any] = {name: _guidance_field(name) for name in GUIDANCE_HELP}
GuidanceThresholds: type[_Model] = create_model(  # one field per guidance.Thresholds field, same bounds
    "GuidanceThresholds",
    __base__=_Model,
    __doc__="Thresholds of the guidance checks for this scenario; the rest keep their defaults.",
    **_GUIDANCE_FIELDS,
)


class Scenario(_Model):
    """One scenario file: `NAME.yaml`."""

    model_config = ConfigDict(title="mockserver scenario")

    description: str | None = Field(None, description="One line shown in listings.")
    extends: str | None = Field(
        None, description="Another scenario whose rules and workspace this one builds on."
    )
    api_revision: Literal["A", "B1", "B2", "C1", "C2"] | None = Field(
        None,
        description="The docs revision this scenario is answered by (default: the server's, C2 unless"
        " --api-revision says otherwise); inherited through extends.",
    )
    workspace: StartingWorkspace | None = Field(
        None, description="Starting state for the simulator, merged over the built-in default."
    )
    guidance: GuidanceThresholds | None = Field(
        None,
        description="Thresholds of the guidance checks (min_delay, max_attempts, ...); inherited key by key"
        " through extends; --guidance on the command line wins.",
    )
    rules: list[Rule] = Field(default_factory=list, description="Checked in order; the first match answers.")


def _did_you_mean(candidate: str | None) -> str | None:
    return f"did you mean {candidate!r}?" if candidate else None


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors and `mockserver schema`."""
    schema = Scenario.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


_MODELS: tuple[type[BaseModel], ...] = (
    When,
    ErrorReply,
    SuccessReply,
    RawReply,
    SimulatorReply,
    FaultReply,
    Delay,
    Rule,
    Scenario,
    GuidanceThresholds,
    *STARTING_MODELS,
)
KNOWN_KEYS: frozenset[str] = frozenset(name for model in _MODELS for name in model.model_fields)
"""Every key a scenario file may use; the loader suggests from these."""


def parse_duration(text: str) -> float:
    """`800ms`, `2s` or a number of milliseconds → seconds; PydanticCustomError when it is not one."""
    try:
        return _seconds(float(text))
    except ValueError:
        return _seconds(text)
