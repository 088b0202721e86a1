"""The closed font catalog of `GET /fonts`, and the canonical spelling of a font name.

C2 documents the catalog as closed and deterministic and says `styles.fontFamily`
is checked against it. The docs name only Inter and Playfair Display (with
their fields); the vendor's client adds DM Sans, Source Serif 4 and Poppins
and says names match case-insensitively; the rest is the mock's choice of
common families.
"""

from __future__ import annotations

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
_BY_LOWER = {str(font["id"]).lower(): str(font["id"]) for font in FONTS}


def canonical(name: str) -> str | None:
    """The catalog's spelling of `name` (matched case-insensitively), None when it is not in the catalog."""
    return _BY_LOWER.get(name.strip().lower())
