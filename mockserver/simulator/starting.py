"""The `workspace:` key of a scenario file: the state the simulator starts from.

Every field is optional, because a scenario's starting workspace is merged over the
built-in default (`default_workspace.yaml`) and over those of the scenarios it
extends. Validated like the rest of the file, so mistakes are reported with
their line and column.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from .. import packaged

KEY_PATTERN = re.compile(r"pc_live_[A-Za-z0-9]{20}\Z")
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
VARIABLE_KINDS = ("text", "qr", "barcode", "image", "table")


def _moment(value: Any) -> Any:
    """A date means the start of that day, UTC; a datetime without zone is UTC."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        value = date.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(), UTC)
    return value


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


Moment = Annotated[datetime | None, BeforeValidator(_moment), AfterValidator(_utc)]


class _Starting(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StartingPlan(_Starting):
    """Plan features, by their documented names."""

    useApiKeys: bool | None = Field(None, description="Without it, requests with an API key answer 403.")
    batchGenerate: bool | None = Field(None, description="Without it, batch endpoints answer 403.")


class StartingKey(_Starting):
    """An API key of the workspace."""

    key: str = Field(description="'pc_live_' followed by 20 letters or digits.")
    name: str = ""
    expires: Moment = Field(None, description="Date or date-time (UTC) the key stops working.")

    @field_validator("key")
    @classmethod
    def _shape(cls, value: str) -> str:
        if not KEY_PATTERN.match(value):
            raise PydanticCustomError(
                "bad_key",
                "an API key is 'pc_live_' followed by 20 letters or digits, got {key!r}",
                {"key": value},
            )
        return value


class StartingToken(_Starting):
    """A bearer token of the browser path."""

    token: str = Field(min_length=1)
    name: str = ""
    expires: Moment = None


class StartingVariable(_Starting):
    """A design variable: its kind and the value used when a request does not give one."""

    type: Literal["text", "qr", "barcode", "image", "table"] = "text"
    default: str | list[list[str | None]] | None = None
    columns: list[str] | None = Field(None, description="Column titles of a table variable.")


class StartingDesign(_Starting):
    """A design of the workspace."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    description: str = ""
    pages: int = Field(1, ge=1, le=100)
    parentId: str | None = None
    variables: dict[str, StartingVariable] = Field(default_factory=dict)


class StartingAsset(_Starting):
    """An image asset of the workspace."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    mimeType: Literal["image/png", "image/jpeg", "image/webp", "image/svg+xml"] = "image/png"
    width: int = Field(400, ge=1, le=20000)
    height: int = Field(300, ge=1, le=20000)
    isPlaceholder: bool = False


class StartingWorkspace(_Starting):
    """Starting state: identity, credits, plan, credentials, designs and assets."""

    id: str | None = Field(None, pattern=ID_PATTERN, description="workspaceId of GET /me.")
    name: str | None = Field(None, min_length=1, max_length=200, description="workspaceName of GET /me.")
    user_email: str | None = Field(None, min_length=3, max_length=320, description="userEmail of GET /me.")
    credits: int | None = Field(None, ge=0, description="Credit balance.")
    plan: StartingPlan | None = None
    api_keys: list[StartingKey] | None = None
    tokens: list[StartingToken] | None = None
    designs: list[StartingDesign] | None = None
    assets: list[StartingAsset] | None = None


@cache
def default_workspace() -> dict[str, Any]:
    """The built-in starting workspace, as plain data (validated once)."""
    data: dict[str, Any] = packaged.data("simulator/default_workspace.yaml")
    StartingWorkspace.model_validate(data)
    return data


STARTING_MODELS: tuple[type[BaseModel], ...] = (
    StartingWorkspace,
    StartingPlan,
    StartingKey,
    StartingToken,
    StartingVariable,
    StartingDesign,
    StartingAsset,
)
"""Every model of the `workspace:` key (the loader suggests key names from them)."""
