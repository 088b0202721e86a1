"""Designs: create, list, read, update, and the tree (C) — per revision, one handler each.

A handler reads the active revision's `Profile` for what the request may
carry, and answers through the endpoint's data model, which keeps exactly
the fields that revision documents. Design names need not be unique (the
documentation states no such constraint).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pydantic import BaseModel

from .. import catalog
from . import authoring, bodies, uploads
from .endpoints import API, CURSOR, LIMIT, ApiError, Call, Endpoint, Param, json_body, page
from .rendered import Rendered
from .schemas import (
    DesignCreated,
    DesignCreatedWithResults,
    DesignList,
    DesignSummary,
    DesignUpdated,
    DesignUpdatedWithResults,
    DesignWithTree,
    Tree,
    TreeUpdated,
)
from .workspace import Design, stamp


def find(call: Call, design_id: str) -> Design:
    """The design `design_id`, or 404 DESIGN_NOT_FOUND."""
    design = call.workspace.designs.get(design_id)
    if design is None:
        raise ApiError("DESIGN_NOT_FOUND", f"No design {design_id!r} in this workspace.")
    return design


def design_id(call: Call) -> str:
    """The design a request names: the `{designId}` of a C route, else the `design` query parameter."""
    if "designId" in call.params:
        return call.params["designId"]
    design = call.query("design")
    if not design:
        raise ApiError("VALIDATION_ERROR", "Query parameter 'design' is required (a designId).")
    return design


def answer(call: Call, fields: dict[str, Any]) -> BaseModel:
    """The endpoint's data model from `fields`: a revision's model keeps only the fields it documents."""
    return call.endpoint.data.model_validate(fields)


def author(call: Call, tree: dict[str, Any], kind: str, steps: list[Any]) -> tuple[dict[str, Any], list[Any]]:
    """Apply tool calls (A) or actions (B, C) to `tree`; all or nothing, the 400 family on failure.

    In C2 a `data:` image becomes an upload; uploads made by a failing request are not kept.
    """
    limit = call.profile.max_actions
    if len(steps) > limit:
        raise ApiError("INVALID_INPUT", f"{kind}: at most {limit} in one request, got {len(steps)}.")
    apply = authoring.apply_tools if kind == "tools" else authoring.apply_actions
    try:
        images = call.workspace.images
        authored, results = apply(
            tree, steps, call.profile.vocabulary, call.workspace.mint_element, ref_exists=images.__contains__
        )
    except authoring.AuthoringError as error:
        raise ApiError(error.code, error.message) from None
    if call.profile.era == "C":
        # C: "a data: URI is auto-converted to an upload"; one refused fails the action that sent it
        uploads.store_inline_images(call, authored, partial(authoring.failed_action, steps))
    return authored, results


def _refuse_actions(call: Call, where: str) -> None:
    document = call.incoming.json()
    if isinstance(document, dict) and "actions" in document:
        raise ApiError(
            "VALIDATION_ERROR",
            f"{where} does not take 'actions': apply them with PATCH {_authoring_route(call)}.",
        )


def _authoring_route(call: Call) -> str:
    return f"{API}/designs/{{id}}/tree" if call.profile.era == "C" else f"{API}/designs/{{id}}"


def _paper(body: bodies.CreateStrict) -> tuple[float, float]:
    if body.width is not None or body.height is not None:
        if body.size is not None:
            raise ApiError(
                "VALIDATION_ERROR", "Send either 'size' or a custom 'width' and 'height', not both."
            )
        if body.width is None or body.height is None:
            missing = "height" if body.height is None else "width"
            raise ApiError(
                "MISSING_REQUIRED_FIELD", f"A custom page size needs both width and height: {missing}."
            )
        return body.width, body.height
    return authoring.page_size(body.size or "A4", body.orientation or "portrait")


def create(call: Call) -> BaseModel:
    mode = call.profile.create
    if mode == "plain":
        _refuse_actions(call, "Creating a design")
    body = json_body(call, call.endpoint.body or bodies.CreatePlain)
    width, height = (
        _paper(body) if isinstance(body, bodies.CreateStrict) else authoring.page_size("A4", "portrait")
    )
    tree = authoring.new_tree(width, height)
    results = None
    fields = dict(body)
    steps = fields.get(mode)
    if steps is not None:
        tree, results = author(call, tree, mode, steps)
    name, description = fields["name"], fields["description"]
    design = Design(call.workspace.new_id("dsg"), name, description, None, tree, call.now, call.now)
    call.workspace.designs[design.id] = design
    return answer(
        call,
        {
            "designId": design.id,
            "name": design.name,
            "description": design.description,
            "createdAt": stamp(design.created_at),
            "results": results,
        },
    )


def summary(design: Design) -> dict[str, Any]:
    return {
        "designId": design.id,
        "name": design.name,
        "description": design.description,
        "fileSize": design.file_size,
        "createdAt": stamp(design.created_at),
        "modifiedAt": stamp(design.modified_at),
    }


def list_designs(call: Call) -> DesignList:
    parent = call.query("parentId")
    designs = [d for d in call.workspace.designs.values() if parent is None or d.parent_id == parent]
    designs.sort(key=lambda d: (d.created_at, d.id))
    items, next_cursor = page(call, designs)
    return DesignList(items=[DesignSummary(**summary(d)) for d in items], nextCursor=next_cursor)


def get(call: Call) -> Rendered:
    """The design, encoded once per version: reads are the hot path of a frontend."""
    design = find(call, call.params["id"])
    profile = call.profile.name
    if design.rendered is None or design.rendered[0] != profile:
        fields = summary(design)
        if call.profile.tree_in_get:
            fields["config"] = design.tree
            fields["variables"] = authoring.variables(design.tree, call.profile.vocabulary)
        data = answer(call, fields).model_dump(mode="json")
        design.rendered = (profile, Rendered(catalog.encode(catalog.success_envelope(data))))
    return design.rendered[1]


def tree(call: Call) -> Rendered:
    """C: the raw tree, no envelope (the documented exception); errors stay enveloped."""
    design = find(call, call.params["id"])
    return Rendered(catalog.encode(design.tree))


def update(call: Call) -> BaseModel:
    design = find(call, call.params["id"])
    mode = call.profile.update
    if mode == "metadata":
        _refuse_actions(call, "PATCH /designs/{id}")
    body = json_body(call, call.endpoint.body or bodies.UpdateMetadata)
    fields = dict(body)
    steps, name, description = fields.get(mode), fields["name"], fields["description"]
    if name is None and description is None and steps is None:
        wanted = "name, description" + ("" if mode == "metadata" else f", {mode}")
        raise ApiError("MISSING_REQUIRED_FIELD", f"Send at least one of {wanted}.")
    results = None
    if steps is not None:
        changed, results = author(call, design.tree, mode, steps)
        design.change(changed, call.now)
    design.rename(name, description, call.now)
    return answer(call, {**summary(design), "results": results})


def update_tree(call: Call) -> TreeUpdated:
    design = find(call, call.params["id"])
    body = json_body(call, bodies.TreePatch)
    changed, results = author(call, design.tree, "actions", body.actions)
    design.change(changed, call.now)
    return TreeUpdated(
        designId=design.id,
        name=design.name,
        fileSize=design.file_size,
        modifiedAt=stamp(design.modified_at),
        results=results,
    )


_VALIDATION = ("VALIDATION_ERROR", "INVALID_INPUT", "MISSING_REQUIRED_FIELD")
_PATH = f"{API}/designs/{{id}}"


def _create(data: type[BaseModel], body: type[BaseModel]) -> Endpoint:
    return Endpoint(
        "designs.create", "POST", f"{API}/designs", "Create a design", create, data, status=201,
        body=body, errors=_VALIDATION,
    )  # fmt: skip


def _update(data: type[BaseModel], body: type[BaseModel], summary: str) -> Endpoint:
    return Endpoint(
        "designs.update", "PATCH", _PATH, summary, update, data, body=body,
        errors=(*_VALIDATION, "DESIGN_NOT_FOUND"),
    )  # fmt: skip


CREATE_WITH_TOOLS = _create(DesignCreatedWithResults, bodies.CreateWithTools)
CREATE_WITH_ACTIONS = _create(DesignCreatedWithResults, bodies.CreateWithActions)
CREATE_PLAIN = _create(DesignCreated, bodies.CreatePlain)
CREATE_STRICT = _create(DesignCreated, bodies.CreateStrict)
LIST = Endpoint(
    "designs.list", "GET", f"{API}/designs", "List designs (cursor pagination; folders excluded)",
    list_designs, DesignList,
    query=(Param("parentId", "Only designs in this folder.", {"type": "string"}), CURSOR, LIMIT),
    errors=("VALIDATION_ERROR", "INVALID_INPUT"),
)  # fmt: skip
GET_WITH_TREE = Endpoint(
    "designs.get", "GET", _PATH, "Get a design with its tree and variables", get, DesignWithTree,
    errors=("DESIGN_NOT_FOUND",),
)  # fmt: skip
GET_METADATA = Endpoint(
    "designs.get", "GET", _PATH, "Get a design's metadata", get, DesignSummary, errors=("DESIGN_NOT_FOUND",)
)
UPDATE_WITH_TOOLS = _update(DesignUpdatedWithResults, bodies.UpdateWithTools, "Rename, describe or edit")
UPDATE_WITH_ACTIONS = _update(DesignUpdatedWithResults, bodies.UpdateWithActions, "Rename, describe or edit")
UPDATE_METADATA = _update(DesignUpdated, bodies.UpdateMetadata, "Rename or describe a design")
TREE = Endpoint(
    "designs.tree", "GET", f"{_PATH}/tree", "A design's tree, raw (no envelope)", tree, Tree,
    errors=("DESIGN_NOT_FOUND",), enveloped=False,
)  # fmt: skip
UPDATE_TREE = Endpoint(
    "designs.tree.update", "PATCH", f"{_PATH}/tree", "Apply 1 to 500 actions, all or nothing", update_tree,
    TreeUpdated, body=bodies.TreePatch, errors=(*_VALIDATION, "DESIGN_NOT_FOUND"),
)  # fmt: skip
