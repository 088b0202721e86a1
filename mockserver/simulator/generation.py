"""Single generation (1 credit) and previews (free), on the query routes (A, B) and path routes (C).

A preview page outside the design answers 400 INVALID_INPUT (an assumption:
the documentation is silent). A generated PDF and a preview PNG are drawn
from the design's tree: the PDF with the request's values filled in, the
preview with each element's design-time content.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from . import authoring, bodies, render
from .designs import answer, design_id, find
from .endpoints import API, DESIGN, ApiError, Call, Endpoint, Param, int_param, json_body
from .publish import LINK_TTL, image_bytes, link
from .schemas import Generated, GeneratedWithId, Preview
from .workspace import Design

MAX_PREVIEW_PAGE = 10_000


def check_values(call: Call, tree: dict[str, Any], values: dict[str, Any], where: str = "data") -> None:
    """The 400 family when a value does not fit its variable (unknown names are ignored)."""
    try:
        authoring.check_values(
            tree, values, call.profile.vocabulary, lambda ref: ref in call.workspace.images, where
        )
    except authoring.AuthoringError as error:
        raise ApiError(error.code, error.message) from None


def pdf_maker(call: Call, title: str, tree: dict[str, Any], values: dict[str, Any], profile: str) -> Any:
    """A function that draws the PDF later, when its link is fetched (from this tree, these values)."""
    images, vocabulary = image_bytes(dict(call.workspace.images)), call.profile.vocabulary

    def make() -> bytes:
        return render.pdf(
            authoring.fill(tree, values, vocabulary), title=title, profile=profile, image=images
        )

    return make


def generate(call: Call) -> BaseModel:
    design = find(call, design_id(call))
    body = json_body(call, call.endpoint.body or bodies.GenerateBody)
    assert isinstance(body, bodies.GenerateBody)
    values = body.data or {}
    check_values(call, design.tree, values)
    profile = dict(body).get("pdfProfile") or "standard"
    if not call.workspace.spend(1):
        raise ApiError("INSUFFICIENT_CREDITS", "Workspace does not have enough credits.")
    generation = call.workspace.new_id("gen")
    filename = f"{design.name}.pdf"
    url = link(
        call,
        ("pdf", generation),
        filename,
        "application/pdf",
        pdf_maker(call, design.name, design.tree, values, profile),
        style=call.profile.generate_link,
    )
    return answer(
        call,
        {
            "generationId": generation,
            "designId": design.id,
            "filename": filename,
            "downloadUrl": url,
            "expiresIn": LINK_TTL,
            "status": "completed",
        },
    )


def preview(call: Call) -> Preview:
    design = find(call, design_id(call))
    number = int_param(call, "page", 0, 0, MAX_PREVIEW_PAGE)
    if number >= design.pages:
        raise ApiError(
            "INVALID_INPUT",
            f"Page {number} is outside the design: it has {design.pages} page(s), counted from 0.",
        )
    url = link(call, ("preview", design.id, design.version, number), "preview.png", "image/png",
               _preview_maker(call, design, number))  # fmt: skip
    return Preview(previewUrl=url, expiresIn=LINK_TTL, page=number)


def _preview_maker(call: Call, design: Design, number: int) -> Any:
    tree, images = design.tree, image_bytes(dict(call.workspace.images))

    def make() -> bytes:
        return render.png(tree, number, image=images)

    return make


_GENERATE_ERRORS = ("VALIDATION_ERROR", "INVALID_INPUT", "INSUFFICIENT_CREDITS", "DESIGN_NOT_FOUND")
_PREVIEW_ERRORS = ("VALIDATION_ERROR", "INVALID_INPUT", "DESIGN_NOT_FOUND")
_PAGE = Param("page", "Zero-based page (default 0).", {"type": "integer", "minimum": 0})
_PATH = f"{API}/designs/{{designId}}"

GENERATE_QUERY = Endpoint(
    "generate", "POST", f"{API}/generate", "Render one PDF (1 credit)", generate, Generated, status=201,
    query=(DESIGN,), body=bodies.GenerateBody, errors=_GENERATE_ERRORS,
)  # fmt: skip
GENERATE_PATH = Endpoint(
    "generate", "POST", f"{_PATH}/generate", "Render one PDF (1 credit)", generate, Generated, status=201,
    body=bodies.GenerateBody, errors=_GENERATE_ERRORS,
)  # fmt: skip
GENERATE_WITH_PROFILE = Endpoint(
    "generate", "POST", f"{_PATH}/generate", "Render one PDF (1 credit)", generate, GeneratedWithId,
    status=201, body=bodies.GenerateWithProfile, errors=_GENERATE_ERRORS,
)  # fmt: skip
PREVIEW_QUERY = Endpoint(
    "preview", "GET", f"{API}/preview", "Render one page to PNG (free)", preview, Preview,
    query=(DESIGN, _PAGE), errors=_PREVIEW_ERRORS,
)  # fmt: skip
PREVIEW_PATH = Endpoint(
    "preview", "GET", f"{_PATH}/preview", "Render one page to PNG (free)", preview, Preview,
    query=(_PAGE,), errors=_PREVIEW_ERRORS,
)  # fmt: skip
