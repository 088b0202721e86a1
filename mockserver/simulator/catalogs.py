"""The catalogs a client reads before authoring: tools (A), actions (B, C), fonts, and `GET /me` (C2).

The font list (`authoring.fonts`) is served by B1, B2 and C1 too: the
vendor's client calls `GET /fonts` from B1 on, and C1 lists the route.
"""

from __future__ import annotations

from . import authoring
from .auth import credential_name
from .endpoints import API, Call, Endpoint
from .schemas import ActionList, Font, FontList, Me, ToolList


def fonts(call: Call) -> FontList:
    return FontList(fonts=[Font.model_validate(font) for font in authoring.FONTS])


def tools(call: Call) -> ToolList:
    return ToolList(tools=authoring.tool_catalog(call.profile.vocabulary))


def actions(call: Call) -> ActionList:
    return ActionList(actions=authoring.action_catalog(call.profile.vocabulary))


def me(call: Call) -> Me:
    workspace = call.workspace
    return Me(
        workspaceId=workspace.id,
        workspaceName=workspace.name,
        userEmail=workspace.user_email,
        keyName=credential_name(call.incoming.headers, workspace),
    )


TOOLS = Endpoint("catalog.tools", "GET", f"{API}/tools", "The tools that build designs", tools, ToolList)
ACTIONS = Endpoint(
    "catalog.actions", "GET", f"{API}/actions", "The actions that build designs", actions, ActionList
)
FONTS_ENDPOINT = Endpoint(
    "catalog.fonts", "GET", f"{API}/fonts", "The fonts designs may use", fonts, FontList
)
ME = Endpoint("me", "GET", f"{API}/me", "Who this key belongs to", me, Me)
