"""Single generation (1 credit) and previews (free), and how variables fill a design.

A preview page outside the design answers 400 INVALID_INPUT (an assumption:
the documentation is silent).
"""

from __future__ import annotations

from typing import Any

from . import files
from .designs import find
from .endpoints import API, DESIGN, ApiError, Call, Endpoint, Param, design_param, int_param, json_body
from .links import LINK_TTL
from .schemas import GenerateBody, Generated, Preview
from .workspace import Design

MAX_TABLE_ROWS = 500


def fill(call: Call, design: Design, data: dict[str, Any], where: str = "data") -> list[str]:
    """Check `data` against the design's variables; the lines the PDF shows. ApiError when a value is bad."""
    lines = []
    for name, variable in design.variables.items():
        value = data.get(name)
        if value is None:
            value = variable.default
        elif variable.type == "table":
            _check_table(value, f"{where}.{name}")
        elif not isinstance(value, str):
            raise ApiError("VALIDATION_ERROR", f"{where}.{name}: a {variable.type} variable takes a string.")
        elif variable.type == "image":
            _check_asset(call, value, f"{where}.{name}")
        if variable.type == "table":
            lines.append(f"{name}:")
            lines.extend("  " + " | ".join(cell or "" for cell in row) for row in value or [])
        else:
            lines.append(f"{name}: {value if value is not None else ''}")
    return lines


def _check_table(value: Any, where: str) -> None:
    rows_ok = isinstance(value, list) and all(isinstance(row, list) for row in value)
    if not rows_ok or not all(cell is None or isinstance(cell, str) for row in value for cell in row):
        raise ApiError(
            "VALIDATION_ERROR", f"{where}: a table takes an array of rows, each an array of strings."
        )
    if len(value) > MAX_TABLE_ROWS:
        raise ApiError(
            "INVALID_INPUT", f"{where}: a table has at most {MAX_TABLE_ROWS} rows, got {len(value)}."
        )


def _check_asset(call: Call, value: str, where: str) -> None:
    asset_id = value.removeprefix("assets:")
    if not value.startswith("assets:") or asset_id not in call.workspace.assets:
        raise ApiError("INVALID_INPUT", f"{where}: {value!r} is not the ref of an asset of this workspace.")


def pdf_link(call: Call, design: Design, lines: list[str]) -> str:
    title, pages = design.name, design.pages
    return call.links.issue(
        call.base_url,
        style="imaginepdf",
        key=("pdf", title, tuple(lines), pages),
        filename=f"{design.name}.pdf",
        media_type="application/pdf",
        now=call.now,
        render=lambda: files.pdf(title, lines, pages),
    )


def generate(call: Call) -> Generated:
    design = find(call, design_param(call))
    body = json_body(call, GenerateBody)
    lines = fill(call, design, body.data or {})
    if not call.workspace.spend(1):
        raise ApiError("INSUFFICIENT_CREDITS", "Workspace does not have enough credits.")
    return Generated(
        designId=design.id,
        filename=f"{design.name}.pdf",
        downloadUrl=pdf_link(call, design, lines),
        expiresIn=LINK_TTL,
        status="completed",
    )


def preview(call: Call) -> Preview:
    design = find(call, design_param(call))
    page = int_param(call, "page", 0, 0, 10_000)
    if page >= design.pages:
        raise ApiError(
            "INVALID_INPUT",
            f"Page {page} is outside the design: it has {design.pages} page(s), counted from 0.",
        )
    label = f"{design.name} — page {page + 1} of {design.pages}"
    url = call.links.issue(
        call.base_url,
        style="imaginepdf",
        key=("preview", label),
        filename=f"{design.name}-page-{page}.png",
        media_type="image/png",
        now=call.now,
        render=lambda: files.png(595, 842, label),
    )
    return Preview(previewUrl=url, expiresIn=LINK_TTL, page=page)


ENDPOINTS = [
    Endpoint(
        "POST", f"{API}/generate", "Render one PDF (1 credit)", generate, Generated, status=201,
        query=(DESIGN,), body=GenerateBody,
        errors=("VALIDATION_ERROR", "INVALID_INPUT", "INSUFFICIENT_CREDITS", "DESIGN_NOT_FOUND"),
    ),
    Endpoint(
        "GET", f"{API}/preview", "Render one page to PNG (free)", preview, Preview,
        query=(DESIGN, Param("page", "Zero-based page (default 0).", {"type": "integer", "minimum": 0})),
        errors=("VALIDATION_ERROR", "INVALID_INPUT", "DESIGN_NOT_FOUND"),
    ),
]  # fmt: skip
