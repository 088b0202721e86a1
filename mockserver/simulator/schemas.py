"""Request bodies and response data of the simulated API, as pydantic models.

Handlers validate requests with the request models and answer with the data
models; `openapi.py` publishes the same models. Field names are the API's.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# --- requests ------------------------------------------------------------------------------------


class _Body(BaseModel):
    """JSON request bodies: no type coercion ("5" is not 5); unknown keys are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class ToolCall(_Body):
    tool: str = Field(
        description="A tool name from GET /api/v1/tools.",
        json_schema_extra={"enum": ["add_page", "add_element", "remove_element"]},
    )
    input: dict[str, Any] = Field(default_factory=dict)


class CreateDesign(_Body):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    tools: list[ToolCall] | None = None


class PatchDesign(_Body):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    tools: list[ToolCall] | None = None


class CreatePlaceholder(_Body):
    name: str = Field(min_length=1, max_length=200)
    label: str | None = Field(None, max_length=40, description="Defaults to the name.")
    width: int = Field(400, ge=16, le=2000)
    height: int = Field(300, ge=16, le=2000)


class GenerateBody(_Body):
    data: dict[str, Any] | None = Field(None, description="Variable name → value; unknown names are ignored.")


class BatchBody(_Body):
    rows: list[Any] = Field(min_length=1, description="One data object per PDF.")


class AddPage(_Body):
    size: Literal["A4", "Letter"] = "A4"


class AddElement(_Body):
    page: int = Field(0, ge=0)
    type: Literal["text", "table", "image", "qr", "barcode", "shape"]
    x: float = 0
    y: float = 0
    width: float | None = Field(None, gt=0)
    height: float | None = Field(None, gt=0)
    text: str | None = Field(None, description="For text: may hold {{variable}} placeholders.")
    variable: str | None = Field(
        None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="For table, image, qr, barcode."
    )
    columns: list[str] | None = Field(None, description="Column titles of a table.")


class RemoveElement(_Body):
    elementId: str


TOOLS: dict[str, tuple[str, type[_Body]]] = {
    "add_page": ("Append a page to the design.", AddPage),
    "add_element": ("Place an element (text, table, image, QR code, barcode, shape) on a page.", AddElement),
    "remove_element": ("Remove an element by its id.", RemoveElement),
}

# --- responses -----------------------------------------------------------------------------------


class ToolResult(BaseModel):
    tool: str
    ok: bool
    output: dict[str, Any]


class DesignCreated(BaseModel):
    designId: str
    name: str
    description: str
    createdAt: str
    results: list[ToolResult] | None


class DesignSummary(BaseModel):
    designId: str
    name: str
    description: str
    fileSize: int
    createdAt: str
    modifiedAt: str


class DesignList(BaseModel):
    items: list[DesignSummary]
    nextCursor: str | None


class DesignDetail(BaseModel):
    designId: str
    name: str
    config: dict[str, Any] = Field(description="The design tree: pages and their elements.")
    variables: dict[str, dict[str, Any]] = Field(description="Variable name → JSON Schema of its value.")
    fileSize: int
    createdAt: str
    modifiedAt: str


class DesignPatched(BaseModel):
    designId: str
    name: str
    description: str
    fileSize: int
    modifiedAt: str
    results: list[ToolResult] | None = Field(description="One per tool call; null when none was sent.")


class ToolInfo(BaseModel):
    name: str
    description: str
    input: dict[str, Any] = Field(description="JSON Schema of the tool's input.")


class ToolList(BaseModel):
    tools: list[ToolInfo]


class Dimensions(BaseModel):
    width: int
    height: int


class AssetOut(BaseModel):
    id: str
    ref: str
    name: str
    mimeType: str
    fileSize: int
    dimensions: Dimensions
    thumbnailUrl: str
    isPlaceholder: bool
    createdAt: str


class AssetList(BaseModel):
    items: list[AssetOut]
    nextCursor: str | None


class Generated(BaseModel):
    designId: str
    filename: str
    downloadUrl: str
    expiresIn: int
    status: Literal["completed"]


class Preview(BaseModel):
    previewUrl: str
    expiresIn: int
    page: int


class BatchQueued(BaseModel):
    jobId: str
    status: Literal["queued"]
    total: int
    designId: str


class BatchStatus(BaseModel):
    jobId: str
    status: Literal["queued", "processing", "completed", "failed"]
    total: int
    completed: int
    failed: int
    createdAt: str
    updatedAt: str


class BatchDownload(BaseModel):
    url: str
    expiresIn: int
