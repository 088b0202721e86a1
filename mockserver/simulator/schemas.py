"""Response data of the simulated API, as pydantic models, per revision where they differ.

Handlers answer with these models; `openapi.py` publishes the same ones, so
the document describes exactly what is sent. Field names are the API's.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, field_serializer, model_serializer


class Me(BaseModel):
    workspaceId: str
    workspaceName: str
    userEmail: str
    keyName: str | None


class DesignCreated(BaseModel):
    """B2, C1, C2: the design is only allocated."""

    designId: str
    name: str
    description: str
    createdAt: str


class DesignCreatedWithResults(DesignCreated):
    """A and B1: one result per tool or action, null when none was sent."""

    results: list[dict[str, Any]] | None


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


class DesignWithTree(DesignSummary):
    """A and B: the design with its tree (`config`) and its variables."""

    config: dict[str, Any] = Field(description="The design tree: pages, nodes, variables.")
    variables: dict[str, dict[str, Any]] = Field(description="Variable name → what its value must be.")


class DesignUpdated(BaseModel):
    designId: str
    name: str
    description: str
    fileSize: int
    modifiedAt: str


class DesignUpdatedWithResults(DesignUpdated):
    results: list[dict[str, Any]] | None = Field(description="One per tool or action; null when none.")


class TreeUpdated(BaseModel):
    designId: str
    name: str
    fileSize: int
    modifiedAt: str
    results: list[dict[str, Any]]


class Tree(BaseModel):
    """The raw design tree (C): sent without the envelope."""

    metadata: dict[str, Any]
    pages: list[dict[str, Any]]
    nodes: dict[str, Any]
    variables: dict[str, Any]


class ToolList(BaseModel):
    tools: list[dict[str, Any]] = Field(description="Each {name, description, input (JSON Schema)}.")


class ActionList(BaseModel):
    actions: list[dict[str, Any]] = Field(description="Each {name, description, args (JSON Schema)}.")


class Font(BaseModel):
    id: str
    class_: Literal["sans", "serif", "display", "handwriting"] = Field(alias="class")
    source: Literal["google", "bundled"]
    weights: list[int]
    tags: list[Literal["recommended", "popular"]] | None = None

    @model_serializer(mode="wrap")
    def _tags_only_where_present(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # The docs show `tags` only on the fonts that have some (Playfair Display has no key), and a
        # client validating an optional array refuses `"tags": null`.
        out: dict[str, Any] = handler(self)
        if out.get("tags") is None:
            out.pop("tags", None)
        return out


class FontList(BaseModel):
    fonts: list[Font]


class Dimensions(BaseModel):
    width: float
    height: float

    @field_serializer("width", "height")
    def _whole_as_integer(self, value: float) -> int | float:
        # A pixel size is written 200, as the docs show, not 200.0 (which clients typed `int` refuse);
        # a placeholder's size may keep a fraction.
        return int(value) if value.is_integer() else value


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


class UploadOut(BaseModel):
    uploadId: str
    ref: str
    name: str
    mimeType: str
    fileSize: int
    dimensions: Dimensions
    thumbnailUrl: str
    createdAt: str


class Generated(BaseModel):
    designId: str
    filename: str
    downloadUrl: str
    expiresIn: int
    status: Literal["completed"]


class GeneratedWithId(BaseModel):
    """C2: a stable `generationId` first."""

    generationId: str
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


class BatchUrl(BaseModel):
    """A, B: the ZIP's link is `url`."""

    url: str
    expiresIn: int


class BatchDownloadUrl(BaseModel):
    """C: the ZIP's link is `downloadUrl`."""

    downloadUrl: str
    expiresIn: int
