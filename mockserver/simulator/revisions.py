"""The published revisions of the API's docs, each a complete profile the simulator can serve.

A revision is a small delta over the one before it: which endpoint variants
it serves (by operation) and the values of its `Profile`. The next revision
the vendor publishes is one more `derive(...)` call. The default is the
newest (C2). The facts are in the project's notes on the docs revisions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..exchange import Incoming
from . import assets, authoring, batch, catalogs, designs, generation, links, uploads
from .endpoints import ApiError, Endpoint, Router
from .profile import Profile


@dataclass(frozen=True)
class Revision:
    name: str
    label: str
    docs: str
    """The docs build(s) this revision describes."""
    summary: str
    profile: Profile
    endpoints: tuple[Endpoint, ...]
    choices: tuple[str, ...] = field(default=())
    """What the mock chose where this revision's docs are silent (listed in the README)."""

    @cached_property
    def router(self) -> Router:
        return Router(self.endpoints)

    @cached_property
    def operations(self) -> dict[str, Endpoint]:
        """Operation name → its endpoint in this revision."""
        return {endpoint.operation: endpoint for endpoint in self.endpoints}

    def classify(self, incoming: Incoming) -> None:
        """Note on `incoming` what it is in this revision: its route and its operation (`files.get`
        for a storage link). Rules match on the operation; the simulator answers by the route."""
        incoming.revision = self.name
        if links.owns(incoming.path):
            incoming.operation, incoming.route = "files.get", None
            return
        found = self.router.lookup(incoming.method, incoming.path)
        incoming.route = found
        incoming.operation = None if isinstance(found, ApiError) else found[0].operation

    def derive(
        self,
        name: str,
        label: str,
        docs: str,
        summary: str,
        *,
        serve: Iterable[Endpoint] = (),
        drop: Iterable[str] = (),
        choices: Iterable[str] = (),
        **profile: Any,
    ) -> Revision:
        """The next revision: `serve` adds or replaces endpoints by operation, `drop` removes operations."""
        served = {endpoint.operation: endpoint for endpoint in self.endpoints}
        for operation in drop:
            del served[operation]
        for endpoint in serve:
            served[endpoint.operation] = endpoint
        return Revision(
            name,
            label,
            docs,
            summary,
            dataclasses.replace(self.profile, name=name, **profile),
            tuple(served.values()),
            (*self.choices, *choices),
        )


A = Revision(
    "A",
    "2026-06-A-tools",
    "36e9b6b",
    "Query-string routes, `tools` authoring, `/assets`.",
    Profile(
        name="A",
        era="A",
        create="tools",
        update="tools",
        tree_in_get=True,
        max_batch_rows=1000,
        batch_url_field="url",
        pdf_profile=False,
        generation_id=False,
        generate_link="imaginepdf",
        image_schemes=("assets",),
        max_actions=500,
        vocabulary=authoring.vocabulary("A"),
    ),
    (
        designs.CREATE_WITH_TOOLS,
        designs.LIST,
        designs.GET_WITH_TREE,
        designs.UPDATE_WITH_TOOLS,
        catalogs.TOOLS,
        *assets.ENDPOINTS,
        generation.GENERATE_QUERY,
        generation.PREVIEW_QUERY,
        batch.SUBMIT_QUERY,
        batch.STATUS_QUERY,
        batch.DOWNLOAD_QUERY,
    ),
)
B1 = A.derive(
    "B1",
    "2026-06-08-B1-actions-on-create",
    "69bd6fc",
    "`actions` authoring (on create too), `GET /actions`; otherwise A's routes.",
    serve=(
        designs.CREATE_WITH_ACTIONS,
        designs.UPDATE_WITH_ACTIONS,
        catalogs.ACTIONS,
        catalogs.FONTS_ENDPOINT,
    ),
    drop=("catalog.tools",),
    era="B",
    create="actions",
    update="actions",
    vocabulary=authoring.vocabulary("B1"),
)
B2 = B1.derive(
    "B2",
    "2026-06-11-B2-create-then-patch",
    "c2228f2",
    "Create allocates only (`actions` → 400); authoring through `PATCH /designs/{id}`.",
    serve=(designs.CREATE_PLAIN,),
    create="plain",
    vocabulary=authoring.vocabulary("B2"),
)
C1 = B2.derive(
    "C1",
    "2026-06-C1-path-routes",
    "6d85345, a4039e8, c90f5ee",
    "Path routes, `/designs/{id}/tree`, `/uploads`, `/batches/{jobId}`; no `/assets`.",
    serve=(
        designs.GET_METADATA,
        designs.TREE,
        designs.UPDATE_METADATA,
        designs.UPDATE_TREE,
        uploads.CREATE,
        generation.GENERATE_PATH,
        generation.PREVIEW_PATH,
        batch.SUBMIT_PATH,
        batch.STATUS_PATH,
        batch.DOWNLOAD_PATH,
    ),
    drop=("assets.create", "assets.placeholder", "assets.replace", "assets.list", "assets.get"),
    era="C",
    tree_in_get=False,
    update="metadata",
    max_batch_rows=100,
    batch_url_field="downloadUrl",
    image_schemes=("uploads", "assets"),
    vocabulary=authoring.vocabulary("C1"),
)
C2 = C1.derive(
    "C2",
    "2026-08-25-C2-me-paper-pdfprofile",
    "17670fb",
    "C1 plus `GET /me`, a strict create with paper size, `pdfProfile`, `generationId`, fonts.",
    serve=(designs.CREATE_STRICT, catalogs.ME, generation.GENERATE_WITH_PROFILE, batch.SUBMIT_WITH_PROFILE),
    create="strict",
    pdf_profile=True,
    generation_id=True,
    generate_link="gcs",
    vocabulary=authoring.vocabulary("C2"),
)

REVISIONS: dict[str, Revision] = {revision.name: revision for revision in (A, B1, B2, C1, C2)}
"""Every revision by name, oldest first."""
DEFAULT = C2.name
"""The revision served unless a setting or scenario names another: the newest."""
