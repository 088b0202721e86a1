"""The simulated workspace: identity, credits, plan, credentials, designs, assets, uploads and jobs.

One Workspace per session, built from a validated starting workspace. The simulator's
handlers run without awaiting between a check and the change it guards, so
a balance is never overspent by concurrent requests. A design's tree is
replaced, never edited in place, so a job or a link can keep the tree it was
made from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from . import authoring
from .rendered import Rendered
from .starting import StartingAsset, StartingDesign, StartingKey, StartingToken, StartingWorkspace

START_EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""Creation time of starting designs and assets (one minute apart, in listed order)."""


def stamp(moment: datetime) -> str:
    """ISO-8601 UTC with a Z and no fractional seconds, as the API writes times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Design:
    id: str
    name: str
    description: str
    parent_id: str | None
    tree: dict[str, Any]
    created_at: datetime
    modified_at: datetime
    version: int = 0
    """Counts changes to the tree: links to previews name the version they show."""
    rendered: tuple[str, Rendered] | None = None
    """GET /designs/{id}'s answer for one revision (its name, the encoded answer); None after any change."""
    _size: int | None = None

    @property
    def pages(self) -> int:
        return len(self.tree["pages"])

    @property
    def file_size(self) -> int:
        """Bytes of the stored tree as compact JSON (the docs leave `fileSize` unexplained)."""
        if self._size is None:
            self._size = len(json.dumps(self.tree, separators=(",", ":")))
        return self._size

    def change(self, tree: dict[str, Any], now: datetime) -> None:
        """Replace the tree (never edit it in place: jobs and links keep the old one)."""
        self.tree, self.version, self.modified_at = tree, self.version + 1, now
        self.rendered, self._size = None, None

    def rename(self, name: str | None, description: str | None, now: datetime) -> None:
        self.name = name if name is not None else self.name
        self.description = description if description is not None else self.description
        self.modified_at, self.rendered = now, None

    @classmethod
    def from_start(cls, start: StartingDesign, created: datetime) -> Design:
        tree = authoring.tree_for_variables(start.pages, start.variables)
        return cls(start.id, start.name, start.description, start.parentId, tree, created, created)


@dataclass
class Image:
    """An image of the workspace: an asset (A, B; `assets:` refs) or an upload (C; `uploads:`)."""

    id: str
    scheme: str
    name: str
    mime_type: str
    file_size: int
    width: float
    height: float
    created_at: datetime
    is_placeholder: bool = False
    label: str = ""
    content: bytes | None = None
    """The bytes as uploaded (None for a starting asset: a plain picture is drawn)."""
    png: bytes | None = None
    """What is drawn: the PNG of an SVG upload, else the content itself."""
    version: int = 0

    @property
    def ref(self) -> str:
        return f"{self.scheme}:{self.id}"

    @classmethod
    def from_start(cls, start: StartingAsset, created: datetime) -> Image:
        size = int(start.width * start.height) // 8
        return cls(
            start.id, "assets", start.name, start.mimeType, size, start.width, start.height, created,
            start.isPlaceholder,
        )  # fmt: skip


@dataclass
class Job:
    """A batch job. Its progress is a function of time: nothing runs in the background.

    It keeps the design's tree and the rows as they were submitted, so the ZIP
    shows what was asked for even if the design changes (or goes) later.
    """

    id: str
    design_id: str
    design_name: str
    tree: dict[str, Any]
    rows: list[dict[str, Any]]
    failed_rows: frozenset[int]
    created_at: datetime
    duration: float
    profile: str = "standard"

    @property
    def total(self) -> int:
        return len(self.rows)

    def progress(self, now: datetime) -> tuple[str, int, int, datetime]:
        """(status, completed, failed, updatedAt) at `now`.

        Queued for the first tenth of the duration, then rows finish evenly.
        """
        elapsed = (now - self.created_at).total_seconds()
        if self.duration <= 0 or elapsed >= self.duration:
            done = self.total
            updated = self.created_at + timedelta(seconds=max(self.duration, 0))
        elif elapsed < self.duration / 10:
            return "queued", 0, 0, self.created_at
        else:
            done = min(self.total, int(self.total * elapsed / self.duration))
            updated = now
        failed = sum(1 for row in self.failed_rows if row < done)
        if done < self.total:
            return "processing", done - failed, failed, updated
        status = "failed" if failed == self.total else "completed"
        return status, done - failed, failed, updated


@dataclass
class Workspace:
    id: str
    name: str
    user_email: str
    credits: int
    use_api_keys: bool
    batch_generate: bool
    api_keys: dict[str, StartingKey]
    tokens: dict[str, StartingToken]
    designs: dict[str, Design]
    images: dict[str, Image]
    """Assets and uploads by ref (`assets:asset_logo`, `uploads:upl_…`)."""
    jobs: dict[str, Job] = field(default_factory=dict)
    _serial: int = 0
    files: object = field(default_factory=object, compare=False, repr=False)
    """Names this workspace's files in the process-wide link store: ids restart with every workspace."""

    @classmethod
    def from_start(cls, start: StartingWorkspace) -> Workspace:
        plan = start.plan
        designs = {
            design.id: Design.from_start(design, START_EPOCH + timedelta(minutes=number))
            for number, design in enumerate(start.designs or ())
        }
        assets = [
            Image.from_start(a, START_EPOCH + timedelta(minutes=n)) for n, a in enumerate(start.assets or ())
        ]
        return cls(
            id=start.id or "ws_demo",
            name=start.name or "Demo Workspace",
            user_email=start.user_email or "dev@example.com",
            credits=start.credits or 0,
            use_api_keys=bool(plan and plan.useApiKeys),
            batch_generate=bool(plan and plan.batchGenerate),
            api_keys={key.key: key for key in start.api_keys or ()},
            tokens={token.token: token for token in start.tokens or ()},
            designs=designs,
            images={asset.ref: asset for asset in assets},
        )

    def new_id(self, prefix: str) -> str:
        """A fresh id, deterministic within the workspace (`dsg_000000000001`, …)."""
        self._serial += 1
        return f"{prefix}_{self._serial:012x}"

    def mint_element(self, kind: str) -> str:
        """A fresh element id in the docs' style (`text-0000b`), deterministic within the workspace."""
        self._serial += 1
        return f"{kind}-{self._serial:05x}"

    def images_of(self, scheme: str) -> list[Image]:
        return [image for image in self.images.values() if image.scheme == scheme]

    def spend(self, amount: int) -> bool:
        """Take `amount` credits if the balance covers all of it; never part of it."""
        if amount > self.credits:
            return False
        self.credits -= amount
        return True

    def describe(self) -> dict[str, Any]:
        """Credentials, balance and plan: what a user needs to make requests."""
        return {
            "workspace": {"id": self.id, "name": self.name, "userEmail": self.user_email},
            "credits": self.credits,
            "plan": {"useApiKeys": self.use_api_keys, "batchGenerate": self.batch_generate},
            "api_keys": [_credential(k.key, k.name, k.expires) for k in self.api_keys.values()],
            "tokens": [_credential(t.token, t.name, t.expires) for t in self.tokens.values()],
            "designs": [{"designId": d.id, "name": d.name} for d in self.designs.values()],
        }


def _credential(value: str, name: str, expires: datetime | None) -> Mapping[str, Any]:
    return {"value": value, "name": name, "expires": stamp(expires) if expires else None}
