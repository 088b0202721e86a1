"""What a handler needs to know about the active docs revision: its request rules and answer shapes.

A `Profile` is plain data; `revisions.py` pairs one with the revision's routes.
Handlers read it instead of branching on revision names, so a new revision
is a new set of values, not new code paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .authoring import Vocabulary

Era = Literal["A", "B", "C"]
LinkStyle = Literal["imaginepdf", "gcs"]


@dataclass(frozen=True)
class Profile:
    name: str
    """The revision's short name: A, B1, B2, C1 or C2."""
    era: Era
    create: Literal["tools", "actions", "plain", "strict"]
    """What `POST /designs` takes: A `tools`; B1 `actions`; B2 and C1 name and description only
    (`actions` → 400, other keys ignored); C2 a strict body with the paper format."""
    update: Literal["tools", "actions", "metadata"]
    """What `PATCH /designs/{id}` takes besides name and description."""
    tree_in_get: bool
    """`GET /designs/{id}` carries `config` and `variables` (A, B); in C it is metadata only."""
    max_batch_rows: int
    batch_url_field: Literal["url", "downloadUrl"]
    pdf_profile: bool
    """Generate and batch take `pdfProfile` (C2)."""
    generation_id: bool
    """Generate answers a `generationId` (C2)."""
    generate_link: LinkStyle
    """How a generated PDF's presigned link looks (C2's example is a Google Cloud Storage URL)."""
    image_schemes: tuple[str, ...]
    """Ref schemes an image variable's value may use."""
    max_actions: int
    """Actions (or tools) in one request."""
    vocabulary: Vocabulary
    """The authoring vocabulary: tools or actions, element types, style keys."""
