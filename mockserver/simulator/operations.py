"""The stable names of the API's operations, the same in every docs revision.

A route moves between revisions (`POST /generate?design=` became
`POST /designs/{designId}/generate`); the operation it performs keeps its
name. Rules can name an operation instead of a path (`when: generate`), so a
scenario keeps working whichever revision is active; the journal and the
console line name it too.
"""

from __future__ import annotations

OPERATIONS: dict[str, str] = {
    "me": "Who the key belongs to: workspace, user, key name.",
    "designs.create": "Create a design.",
    "designs.list": "List designs, a page at a time.",
    "designs.get": "Read one design.",
    "designs.update": "Change a design (its name and description; in A and B also its content).",
    "designs.tree": "Read a design's tree, without the envelope.",
    "designs.tree.update": "Apply authoring actions to a design's tree.",
    "catalog.tools": "The authoring tools (revision A).",
    "catalog.actions": "The authoring actions (revisions B and C).",
    "catalog.fonts": "The fonts a design may use.",
    "assets.create": "Upload an image asset.",
    "assets.placeholder": "Create a placeholder image asset.",
    "assets.replace": "Replace an asset's image, keeping its ref.",
    "assets.list": "List assets, a page at a time.",
    "assets.get": "Read one asset.",
    "uploads.create": "Upload an image (revision C).",
    "generate": "Render one PDF (1 credit).",
    "preview": "Render one page as a PNG (free).",
    "batch.create": "Queue one PDF per row (1 credit per row).",
    "batch.status": "A batch job's progress.",
    "batch.download": "The link to a finished batch's ZIP.",
    "files.get": "Fetch a file from a presigned storage link.",
}
"""Every operation name, with what it does; `mockserver operations` prints them per revision."""
