"""Who is calling: an API key (`X-API-Key`) or a browser bearer token (`Authorization: Bearer`).

Either credential is accepted on every endpoint (the documentation does not
say which endpoints take the browser path). An API key is checked first when
both are sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ..credentials import mask
from .endpoints import ApiError
from .starting import KEY_PATTERN
from .workspace import Workspace, stamp


def authenticate(headers: Mapping[str, str], workspace: Workspace, now: datetime) -> str:
    """'key' or 'token'; raises the documented 401 or 403 otherwise."""
    key = headers.get("x-api-key")
    if key is not None:
        return _check_key(key.strip(), workspace, now)
    authorization = headers.get("authorization")
    if authorization is not None:
        return _check_token(authorization.strip(), workspace, now)
    raise ApiError("UNAUTHORIZED", "No credential: send your API key in the X-API-Key header.")


def _check_key(key: str, workspace: Workspace, now: datetime) -> str:
    if not KEY_PATTERN.match(key):
        raise ApiError("INVALID_API_KEY", "The API key is malformed: expected 'pc_live_' and 20 characters.")
    known = workspace.api_keys.get(key)
    if known is None:
        raise ApiError("INVALID_API_KEY", f"The API key {mask(key)} is not a key of this workspace.")
    if known.expires is not None and known.expires <= now:
        raise ApiError("API_KEY_EXPIRED", f"The API key {mask(key)} expired at {stamp(known.expires)}.")
    if not workspace.use_api_keys:
        raise ApiError(
            "INSUFFICIENT_PERMISSIONS", "The workspace plan does not include API access (useApiKeys)."
        )
    return "key"


def _check_token(authorization: str, workspace: Workspace, now: datetime) -> str:
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError("INVALID_TOKEN", "The Authorization header must be 'Bearer <token>'.")
    known = workspace.tokens.get(token)
    if known is None:
        raise ApiError("INVALID_TOKEN", "The bearer token is not valid.")
    if known.expires is not None and known.expires <= now:
        raise ApiError("TOKEN_EXPIRED", f"The bearer token expired at {stamp(known.expires)}.")
    return "token"


def credential_name(headers: Mapping[str, str], workspace: Workspace) -> str | None:
    """The name of the API key a request authenticated with ("" when it has none); None for a token."""
    key = headers.get("x-api-key")
    known = workspace.api_keys.get(key.strip()) if key is not None else None
    return known.name if known is not None else None
