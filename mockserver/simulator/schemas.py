"""Response data of the simulated API, as pydantic models, per revision where they differ.

Handlers answer with these models; `openapi.py` publishes the same ones, so
the document describes exactly what is sent. Field names are the API's.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    """Built on first use (`defer_build`): a start-up does not pay for models no request needed yet."""

    model_config = ConfigDict(defer_build=True)


class Me(_Out):
    workspaceId: str
    workspaceName: str
    userEmail: str
    keyName: str | None


class DesignCreated(_Out):
    """B2, C1, C2: the design is only allocated."""

    designId: str
    name: str
    description: str
    createdAt: str


class DesignCreatedWithResults(DesignCreated):
    """A and B1: one result per tool or action, null when none was sent."""

    results: list[dict[str, Any]] | None


class DesignSummary(_Out):
    designId: str
    name: str
    description: str
    fileSize: int
    createdAt: str
    modifiedAt: str


class DesignList(_Out):
    items: list[DesignSummary]
    nextCursor: str | None


class DesignWithTree(DesignSummary):
    """A and B: the design with its tree (`config`) and its variables."""

    config: dict[str, Any] = Field(description="The design tree: pages, nodes, variables.")
    variables: dict[str, dict[str, Any]] = Field(description="Variable name → what its value must be.")


class DesignUpdated(_Out):
    designId: str
    name: str
    description: str
    fileSize: int
    modifiedAt: str


class DesignUpdatedWithResults(DesignUpdated):
    results: list[dict[str, Any]] | None = Field(description="One per tool or action; null when none.")


class TreeUpdated(_Out):
    designId: str
    name: str
    fileSize: int
    modifiedAt: str
    results: list[dict[str, Any]]


class Tree(_Out):
    """The raw design tree (C): sent without the envelope."""

    metadata: dict[str, Any]
    pages: list[dict[str, Any]]
    nodes: dict[str, Any]
    variables: dict[str, Any]


class ToolList(_Out):
    tools: list[dict[str, Any]] = Field(description="Each {name, description, input (JSON Schema)}.")


class ActionList(_Out):
    actions: list[dict[str, Any]] = Field(description="Each {name, description, args (JSON Schema)}.")


class Font(_Out):
    id: str
    class_: Literal["sans", "serif", "display", "handwriting"] = Field(alias="class")
    source: Literal["google", "bundled"]
    weights: list[int]
    tags: list[Literal["recommended", "popular"]] | None = Field(None, exclude_if=lambda tags: tags is None)
    """Left out when a font has none, as the docs' Playfair Display example shows."""


class FontList(_Out):
    fonts: list[Font]


class Dimensions(_Out):
    width: int | float
    height: int | float


class AssetOut(_Out):
    id: str
    ref: str
    name: str
    mimeType: str
    fileSize: int
    dimensions: Dimensions
    thumbnailUrl: str
    isPlaceholder: bool
    createdAt: str


class AssetList(_Out):
    items: list[AssetOut]
    nextCursor: str | None


class UploadOut(_Out):
    uploadId: str
    ref: str
    name: str
    mimeType: str
    fileSize: int
    dimensions: Dimensions
    thumbnailUrl: str
    createdAt: str


class Generated(_Out):
    designId: str
    filename: str
    downloadUrl: str
    expiresIn: int
    status: Literal["completed"]


class GeneratedWithId(_Out):
    """C2: a stable `generationId` first."""

    generationId: str
    designId: str
    filename: str
    downloadUrl: str
    expiresIn: int
    status: Literal["completed"]


class Preview(_Out):
    previewUrl: str
    expiresIn: int
    page: int


class BatchQueued(_Out):
    jobId: str
    status: Literal["queued"]
    total: int
    designId: str


class BatchStatus(_Out):
    jobId: str
    status: Literal["queued", "processing", "completed", "failed"]
    total: int
    completed: int
    failed: int
    createdAt: str
    updatedAt: str


class BatchUrl(_Out):
    """A, B: the ZIP's link is `url`."""

    url: str
    expiresIn: int


class BatchDownloadUrl(_Out):
    """C: the ZIP's link is `downloadUrl`."""

    downloadUrl: str
    expiresIn: int
