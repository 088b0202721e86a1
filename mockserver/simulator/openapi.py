"""The OpenAPI document of the simulated API, built from the endpoint declarations.

Served at `GET /__mock/openapi.json`. Paths, parameters, request bodies and
responses come from the same `Endpoint`s and pydantic models the simulator
runs, so the document cannot describe something the simulator does not do.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .. import catalog
from ..version import __version__
from .endpoints import Endpoint
from .revisions import REVISIONS

_AUTH_ERRORS = ("UNAUTHORIZED", "INVALID_API_KEY", "API_KEY_EXPIRED", "INVALID_TOKEN", "TOKEN_EXPIRED")
_REF = "#/components/schemas/{model}"


@cache
def document(revision: str) -> dict[str, Any]:
    """OpenAPI 3.1 for one revision's endpoints (cached: they never change)."""
    described = REVISIONS[revision]
    endpoints = described.endpoints
    models = {e.data for e in endpoints} | {e.body for e in endpoints if e.body is not None}
    _, schemas = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda m: m.__name__)], ref_template=_REF
    )
    components: dict[str, Any] = {
        **schemas.get("$defs", {}),
        "ErrorEnvelope": _error_envelope(),
    }
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"ImaginePDF API, docs revision {described.name} (as simulated by mockserver)",
            "version": __version__,
            "x-api-revision": described.name,
            "x-api-revision-label": described.label,
            "description": f"{described.summary} Every response uses the envelope {{status, data, error}}"
            " (except a design's raw tree in C). Errors come from the documented catalog; see"
            " GET /__mock/errors. Other revisions: ?revision=NAME.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": components,
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
        "security": [{"apiKey": []}, {"bearer": []}],
        "paths": paths,
    }


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": endpoint.summary,
        "operationId": endpoint.operation,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"\{(\w+)\}", endpoint.path)
        ]
        + [
            {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "description": p.description,
                "schema": p.schema,
            }
            for p in endpoint.query
        ],
        "responses": {str(endpoint.status): _success(endpoint.data, endpoint.enveloped)},
    }
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": _REF.format(model=endpoint.body.__name__)}}},
        }
    if endpoint.multipart:
        properties = {
            name: {"type": "string", "format": "binary"} if name == "file" else {"type": "string"}
            for name in endpoint.multipart
        }
        operation["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": properties,
                    }
                }
            },
        }
    # Every route checks the credential and the plan (useApiKeys; batchGenerate for batches).
    codes = [*_AUTH_ERRORS, "INSUFFICIENT_PERMISSIONS", *endpoint.errors, "NOT_FOUND"]
    by_status: dict[int, list[str]] = {}
    for code in dict.fromkeys(codes):
        by_status.setdefault(catalog.CODES[code].status, []).append(code)
    for status, names in sorted(by_status.items()):
        operation["responses"][str(status)] = {
            "description": " or ".join(names),
            "content": {"application/json": {"schema": {"$ref": _REF.format(model="ErrorEnvelope")}}},
        }
    return operation


def _success(model: type[BaseModel], enveloped: bool) -> dict[str, Any]:
    if not enveloped:
        return {
            "description": "Success, without the envelope",
            "content": {"application/json": {"schema": {"$ref": _REF.format(model=model.__name__)}}},
        }
    return {
        "description": "Success",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["status", "data", "error"],
                    "properties": {
                        "status": {"const": "success"},
                        "data": {"$ref": _REF.format(model=model.__name__)},
                        "error": {"type": "null"},
                    },
                }
            }
        },
    }


def _error_envelope() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["status", "data", "error"],
        "properties": {
            "status": {"const": "error"},
            "data": {"type": "null"},
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"enum": list(catalog.CODES)},
                    "message": {"type": "string"},
                },
            },
        },
    }
