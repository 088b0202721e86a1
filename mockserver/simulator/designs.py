"""Designs: create, list, get, patch, and the tools catalog that builds them.

Design names are unique within a folder (`parentId`): creating or renaming
to a name that is taken answers 409 DUPLICATE_ENTRY (an assumption: the
documentation names no conflict for designs).
"""

from __future__ import annotations

import copy
import difflib
import re
import secrets
from typing import Any

from pydantic import ValidationError

from .. import catalog
from .endpoints import (
    API,
    CURSOR,
    LIMIT,
    ApiError,
    Call,
    Endpoint,
    Param,
    Rendered,
    explain,
    json_body,
    page,
)
from .schemas import (
    TOOLS,
    AddElement,
    AddPage,
    CreateDesign,
    DesignCreated,
    DesignDetail,
    DesignList,
    DesignPatched,
    DesignSummary,
    PatchDesign,
    RemoveElement,
    ToolCall,
    ToolInfo,
    ToolList,
    ToolResult,
)
from .seed import VariableSeed
from .workspace import Design, stamp

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def find(call: Call, design_id: str) -> Design:
    """The design `design_id`, or 404 DESIGN_NOT_FOUND."""
    design = call.workspace.designs.get(design_id)
    if design is None:
        raise ApiError("DESIGN_NOT_FOUND", f"No design {design_id!r} in this workspace.")
    return design


def variable_schema(variable: VariableSeed) -> dict[str, Any]:
    """The JSON Schema of a variable's value, as GET /designs/{id} reports it."""
    if variable.type == "table":
        schema: dict[str, Any] = {
            "type": "array",
            "items": {"type": "array", "items": {"type": ["string", "null"]}},
            "maxItems": 500,
            "kind": "table",
        }
        if variable.columns:
            schema["columns"] = list(variable.columns)
    else:
        schema = {"type": "string", "kind": variable.type}
        if variable.type == "image":
            schema["pattern"] = "^assets:"
    if variable.default is not None:
        schema["default"] = variable.default
    return schema


def _check_name(call: Call, name: str, parent: str | None, keep: str | None = None) -> None:
    for other in call.workspace.designs.values():
        if other.name == name and other.parent_id == parent and other.id != keep:
            raise ApiError("DUPLICATE_ENTRY", f"A design named {name!r} already exists ({other.id}).")


def _apply_tools(design: Design, calls: list[ToolCall]) -> list[ToolResult]:
    """Apply tool calls to a copy; the design changes only if every call succeeds."""
    config = copy.deepcopy(design.config)
    variables = dict(design.variables)
    results = []
    for index, tool_call in enumerate(calls):
        where = f"tools[{index}]"
        if tool_call.tool not in TOOLS:
            close = difflib.get_close_matches(tool_call.tool, TOOLS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ApiError("VALIDATION_ERROR", f"{where}.tool: unknown tool {tool_call.tool!r}{hint}.")
        model = TOOLS[tool_call.tool][1]
        try:
            tool_input = model.model_validate(tool_call.input)
        except ValidationError as exc:
            raise explain(exc, f"{where}.input.") from None
        output = _run(tool_input, config, variables, where)
        results.append(ToolResult(tool=tool_call.tool, ok=True, output=output))
    design.config, design.variables = config, variables
    return results


def _run(tool: Any, config: dict[str, Any], variables: dict[str, VariableSeed], where: str) -> dict[str, Any]:
    pages: list[dict[str, Any]] = config["pages"]
    if isinstance(tool, AddPage):
        pages.append({"elements": [], "size": tool.size})
        return {"pageIndex": len(pages) - 1}
    if isinstance(tool, RemoveElement):
        for page_number, page_node in enumerate(pages):
            for element in page_node["elements"]:
                if element["id"] == tool.elementId:
                    page_node["elements"].remove(element)
                    return {"elementId": tool.elementId, "page": page_number}
        raise ApiError(
            "INVALID_INPUT", f"{where}.input.elementId: no element {tool.elementId!r} in the design."
        )
    assert isinstance(tool, AddElement)
    if tool.page >= len(pages):
        raise ApiError("INVALID_INPUT", f"{where}.input.page: the design has {len(pages)} page(s).")
    if tool.type == "text" and tool.text is None:
        raise ApiError("MISSING_REQUIRED_FIELD", f"{where}.input.text: a text element needs 'text'.")
    if tool.type in ("table", "image", "qr", "barcode") and tool.variable is None:
        raise ApiError(
            "MISSING_REQUIRED_FIELD", f"{where}.input.variable: a {tool.type} element needs 'variable'."
        )
    element_id = f"el_{secrets.token_hex(4)}"
    element = {"id": element_id, **tool.model_dump(exclude_none=True, exclude={"page"})}
    pages[tool.page]["elements"].append(element)
    for name in _PLACEHOLDER.findall(tool.text or ""):
        variables.setdefault(name, VariableSeed(type="text", default=f"{{{{{name}}}}}"))
    if tool.variable:
        variables[tool.variable] = VariableSeed(type=tool.type, columns=tool.columns)
    return {"elementId": element_id, "page": tool.page}


def _summary(design: Design) -> DesignSummary:
    return DesignSummary(
        designId=design.id,
        name=design.name,
        description=design.description,
        fileSize=design.file_size,
        createdAt=stamp(design.created_at),
        modifiedAt=stamp(design.modified_at),
    )


def create(call: Call) -> DesignCreated:
    body = json_body(call, CreateDesign)
    _check_name(call, body.name, None)
    design = Design(
        call.workspace.new_id("dsg"), body.name, body.description, None, {"pages": [{"elements": []}]}, {},
        call.now, call.now,
    )  # fmt: skip
    results = _apply_tools(design, body.tools) if body.tools else None
    call.workspace.designs[design.id] = design
    return DesignCreated(
        designId=design.id,
        name=design.name,
        description=design.description,
        createdAt=stamp(design.created_at),
        results=results,
    )


def list_designs(call: Call) -> DesignList:
    parent = call.query("parentId")
    designs = [d for d in call.workspace.designs.values() if parent is None or d.parent_id == parent]
    designs.sort(key=lambda d: (d.created_at, d.id))
    items, next_cursor = page(call, designs)
    return DesignList(items=[_summary(d) for d in items], nextCursor=next_cursor)


def get(call: Call) -> Rendered:
    """The design, encoded once per version: reads are the hot path of a frontend."""
    design = find(call, call.params["id"])
    if design.rendered is None:
        detail = DesignDetail(
            designId=design.id,
            name=design.name,
            config=design.config,
            variables={name: variable_schema(v) for name, v in design.variables.items()},
            fileSize=design.file_size,
            createdAt=stamp(design.created_at),
            modifiedAt=stamp(design.modified_at),
        )
        design.rendered = catalog.encode(catalog.success_envelope(detail.model_dump(mode="json")))
    return Rendered(design.rendered)


def patch(call: Call) -> DesignPatched:
    design = find(call, call.params["id"])
    body = json_body(call, PatchDesign)
    if body.name is None and body.description is None and body.tools is None:
        raise ApiError("MISSING_REQUIRED_FIELD", "Send at least one of name, description, tools.")
    if body.name is not None:
        _check_name(call, body.name, design.parent_id, keep=design.id)
    results = _apply_tools(design, body.tools) if body.tools is not None else None
    design.name = body.name if body.name is not None else design.name
    design.description = body.description if body.description is not None else design.description
    design.modified_at = call.now
    design.rendered = None
    return DesignPatched(
        designId=design.id,
        name=design.name,
        description=design.description,
        fileSize=design.file_size,
        modifiedAt=stamp(design.modified_at),
        results=results,
    )


def tools(call: Call) -> ToolList:
    return ToolList(
        tools=[
            ToolInfo(name=name, description=text, input=model.model_json_schema())
            for name, (text, model) in TOOLS.items()
        ]
    )


_VALIDATION = ("VALIDATION_ERROR", "INVALID_INPUT", "MISSING_REQUIRED_FIELD")

ENDPOINTS = [
    Endpoint(
        "POST", f"{API}/designs", "Create a design", create, DesignCreated, status=201,
        body=CreateDesign, errors=(*_VALIDATION, "DUPLICATE_ENTRY"),
    ),
    Endpoint(
        "GET", f"{API}/designs", "List designs (cursor pagination; folders excluded)", list_designs,
        DesignList, query=(Param("parentId", "Only designs in this folder.", {"type": "string"}),
                           CURSOR, LIMIT),
        errors=("VALIDATION_ERROR", "INVALID_INPUT"),
    ),
    Endpoint("GET", f"{API}/designs/{{id}}", "Get a design", get, DesignDetail, errors=("DESIGN_NOT_FOUND",)),
    Endpoint(
        "PATCH", f"{API}/designs/{{id}}", "Rename, describe or edit a design", patch, DesignPatched,
        body=PatchDesign, errors=(*_VALIDATION, "DESIGN_NOT_FOUND", "DUPLICATE_ENTRY"),
    ),
    Endpoint("GET", f"{API}/tools", "The tools that build designs", tools, ToolList),
]  # fmt: skip
