"""Request bodies of the simulated API, as pydantic models, per revision where they differ.

No type coercion ("5" is not 5). Unknown keys are ignored except where a
revision's docs say the body is strict (C2's create), as the docs describe.
Lengths are bounded generously: the docs name no limits, and a mock must
still bound what it keeps.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_NAME = 1000
MAX_DESCRIPTION = 10_000
MAX_LIST = 10_000
"""Tools, actions or rows in one request beyond any revision's own limit (the mock's bound)."""
PAGE_SIZES = ("A4", "A3", "A5", "Letter", "Legal")
PDF_PROFILES = ("standard", "accessible", "pdf-a")
MAX_POINTS = 14_400
"""A PDF page side is at most 200 inches (the format's own limit); a custom size beyond it is refused."""


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", defer_build=True)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", defer_build=True)


def _name() -> Any:
    return Field(min_length=1, max_length=MAX_NAME)


def _description() -> Any:
    return Field("", max_length=MAX_DESCRIPTION)


def _tools() -> Any:
    return Field(None, max_length=MAX_LIST, description="Tool calls {tool, input}, applied in order.")


def _actions() -> Any:
    return Field(None, max_length=MAX_LIST, description="Actions {type, args}, applied in order.")


class CreateWithTools(_Body):
    """Revision A: a design, optionally built by tool calls."""

    name: str = _name()
    description: str = _description()
    tools: list[dict[str, Any]] | None = _tools()


class CreateWithActions(_Body):
    """Revision B1: a design, optionally built by actions."""

    name: str = _name()
    description: str = _description()
    actions: list[dict[str, Any]] | None = _actions()


class CreatePlain(_Body):
    """Revisions B2 and C1: name and description only; authoring is a separate call."""

    name: str = _name()
    description: str = _description()


class CreateStrict(_Strict):
    """Revision C2: name, description and the paper; any other key is refused."""

    name: str = _name()
    description: str = _description()
    size: Literal["A4", "A3", "A5", "Letter", "Legal"] | None = None
    orientation: Literal["portrait", "landscape"] | None = None
    width: float | None = Field(None, gt=0, le=MAX_POINTS, description="Custom page width in points.")
    height: float | None = Field(None, gt=0, le=MAX_POINTS, description="Custom page height in points.")


class UpdateWithTools(_Body):
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    tools: list[dict[str, Any]] | None = _tools()


class UpdateWithActions(_Body):
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    actions: list[dict[str, Any]] | None = _actions()


class UpdateMetadata(_Body):
    """Revision C: name and description; the tree changes through PATCH /designs/{id}/tree."""

    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)


class TreePatch(_Body):
    actions: list[dict[str, Any]] = Field(min_length=1, max_length=500, description="1 to 500 actions.")


class CreatePlaceholder(_Body):
    name: str = _name()
    label: str | None = Field(None, max_length=40, description="Defaults to the name.")
    width: float = Field(400, ge=16, le=2000)
    height: float = Field(300, ge=16, le=2000)


class GenerateBody(_Body):
    data: dict[str, Any] | None = Field(None, description="Variable name → value; unknown names are ignored.")


class GenerateWithProfile(GenerateBody):
    pdfProfile: Literal["standard", "accessible", "pdf-a"] | None = None


class BatchBody(_Body):
    rows: list[Any] = Field(min_length=1, max_length=MAX_LIST, description="One data object per PDF.")


class BatchWithProfile(BatchBody):
    pdfProfile: Literal["standard", "accessible", "pdf-a"] | None = None
