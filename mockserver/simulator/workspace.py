"""The simulated workspace: credits, plan, credentials, designs, assets, outputs and jobs.

One Workspace per session, built from a validated seed. The simulator's
handlers run on the event loop without awaiting between a check and the
change it guards, so a balance is never overspent by concurrent requests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .seed import AssetSeed, DesignSeed, KeySeed, TokenSeed, VariableSeed, WorkspaceSeed

SEED_EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""Creation time of seeded designs and assets (one minute apart, in seed order)."""


def stamp(moment: datetime) -> str:
    """ISO-8601 UTC with a Z and no fractional seconds, as the API writes times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Design:
    id: str
    name: str
    description: str
    parent_id: str | None
    config: dict[str, Any]
    variables: dict[str, VariableSeed]
    created_at: datetime
    modified_at: datetime
    rendered: bytes | None = None
    """GET /designs/{id}'s answer, encoded; None after any change."""

    @property
    def pages(self) -> int:
        return len(self.config["pages"])

    @property
    def file_size(self) -> int:
        """Size of the stored design document (the config as compact JSON)."""
        return len(json.dumps(self.config, separators=(",", ":")))

    @classmethod
    def from_seed(cls, seed: DesignSeed, created: datetime) -> Design:
        pages: list[dict[str, Any]] = [{"elements": []} for _ in range(seed.pages)]
        design = cls(
            seed.id, seed.name, seed.description, seed.parentId, {"pages": pages}, {}, created, created
        )
        for number, (name, variable) in enumerate(seed.variables.items(), start=1):
            element: dict[str, Any] = {"id": f"el_{number}", "type": variable.type, "x": 40, "y": 40 * number}
            if variable.type == "text":
                element["text"] = variable.default if isinstance(variable.default, str) else f"{{{{{name}}}}}"
            if variable.type != "text":
                element["variable"] = name
            if variable.columns:
                element["columns"] = list(variable.columns)
            pages[0]["elements"].append(element)
            design.variables[name] = variable
        return design


@dataclass
class Asset:
    id: str
    name: str
    mime_type: str
    file_size: int
    width: int
    height: int
    is_placeholder: bool
    created_at: datetime
    label: str = ""
    content: bytes | None = None

    @property
    def ref(self) -> str:
        return f"assets:{self.id}"

    @classmethod
    def from_seed(cls, seed: AssetSeed, created: datetime) -> Asset:
        size = seed.width * seed.height // 8
        return cls(
            seed.id, seed.name, seed.mimeType, size, seed.width, seed.height, seed.isPlaceholder, created
        )


@dataclass
class Job:
    """A batch job. Its progress is a function of time: nothing runs in the background."""

    id: str
    design_id: str
    design_name: str
    rows: list[dict[str, Any]]
    failed_rows: frozenset[int]
    created_at: datetime
    duration: float

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
    credits: int
    use_api_keys: bool
    batch_generate: bool
    api_keys: dict[str, KeySeed]
    tokens: dict[str, TokenSeed]
    designs: dict[str, Design]
    assets: dict[str, Asset]
    jobs: dict[str, Job] = field(default_factory=dict)
    _serial: int = 0

    @classmethod
    def from_seed(cls, seed: WorkspaceSeed) -> Workspace:
        plan = seed.plan
        designs = {
            design.id: Design.from_seed(design, SEED_EPOCH + timedelta(minutes=number))
            for number, design in enumerate(seed.designs or ())
        }
        assets = {
            asset.id: Asset.from_seed(asset, SEED_EPOCH + timedelta(minutes=number))
            for number, asset in enumerate(seed.assets or ())
        }
        return cls(
            credits=seed.credits or 0,
            use_api_keys=bool(plan and plan.useApiKeys),
            batch_generate=bool(plan and plan.batchGenerate),
            api_keys={key.key: key for key in seed.api_keys or ()},
            tokens={token.token: token for token in seed.tokens or ()},
            designs=designs,
            assets=assets,
        )

    def new_id(self, prefix: str) -> str:
        """A fresh id, deterministic within the workspace (`dsg_000000000001`, …)."""
        self._serial += 1
        return f"{prefix}_{self._serial:012x}"

    def spend(self, amount: int) -> bool:
        """Take `amount` credits if the balance covers all of it; never part of it."""
        if amount > self.credits:
            return False
        self.credits -= amount
        return True

    def describe(self) -> dict[str, Any]:
        """Credentials, balance and plan: what a user needs to make requests."""
        return {
            "credits": self.credits,
            "plan": {"useApiKeys": self.use_api_keys, "batchGenerate": self.batch_generate},
            "api_keys": [_credential(k.key, k.name, k.expires) for k in self.api_keys.values()],
            "tokens": [_credential(t.token, t.name, t.expires) for t in self.tokens.values()],
            "designs": [{"designId": d.id, "name": d.name} for d in self.designs.values()],
        }


def _credential(value: str, name: str, expires: datetime | None) -> Mapping[str, Any]:
    return {"value": value, "name": name, "expires": stamp(expires) if expires else None}
