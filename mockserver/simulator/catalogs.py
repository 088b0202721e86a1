"""The catalogs a client reads before authoring: tools (A), actions (B, C), fonts, and `GET /me` (C2).

The font list is closed and deterministic, as C2 documents it. The docs
name only Inter and Playfair Display (with their fields); the vendor's
client adds DM Sans, Source Serif 4 and Poppins; the rest of the list is
the mock's choice of common families. B1, B2 and C1 serve the same list
(the vendor's client calls `GET /fonts` from B1 on; C1 lists the route).
"""

from __future__ import annotations

from . import authoring
from .auth import credential_name
from .endpoints import API, Call, Endpoint
from .schemas import ActionList, Font, FontList, Me, ToolList

FONTS: tuple[dict[str, object], ...] = (
    {"id": "Inter", "class": "sans", "source": "google", "weights": [400, 500, 600, 700],
     "tags": ["recommended"]},
    {"id": "DM Sans", "class": "sans", "source": "google", "weights": [400, 500, 700], "tags": ["popular"]},
    {"id": "Poppins", "class": "sans", "source": "google", "weights": [400, 500, 600, 700],
     "tags": ["popular"]},
    {"id": "Roboto", "class": "sans", "source": "google", "weights": [400, 500, 700]},
    {"id": "Open Sans", "class": "sans", "source": "google", "weights": [400, 600, 700]},
    {"id": "Lato", "class": "sans", "source": "google", "weights": [400, 700]},
    {"id": "Montserrat", "class": "sans", "source": "google", "weights": [400, 500, 600, 700]},
    {"id": "Playfair Display", "class": "serif", "source": "google", "weights": [400, 700]},
    {"id": "Source Serif 4", "class": "serif", "source": "google", "weights": [400, 600, 700],
     "tags": ["recommended"]},
    {"id": "Merriweather", "class": "serif", "source": "google", "weights": [400, 700]},
    {"id": "Oswald", "class": "display", "source": "google", "weights": [400, 500, 700]},
    {"id": "Bebas Neue", "class": "display", "source": "google", "weights": [400]},
    {"id": "Caveat", "class": "handwriting", "source": "google", "weights": [400, 700]},
    {"id": "Dancing Script", "class": "handwriting", "source": "google", "weights": [400, 700]},
    {"id": "Noto Sans", "class": "sans", "source": "bundled", "weights": [400, 700]},
)  # fmt: skip
FONT_IDS: frozenset[str] = frozenset(str(font["id"]) for font in FONTS)


def fonts(call: Call) -> FontList:
    return FontList(fonts=[Font.model_validate(font) for font in FONTS])


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
