"""Drawing design trees: the PDF of a design, PNG previews of its pages, and what uploaded images are.

Public entry points: `pdf`, `png`, `rasterize_svg`, `image_info`, `thumbnail`, `placeholder`. Nothing
here imports the rest of mockserver; the only input is the tree format of the design documents and
image bytes.

The entry points are imported on first use (PEP 562): Pillow and the drawing code load when the
first file is drawn or read, not when the simulator is imported (serving JSON needs none of it).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .images import image_info
    from .pdf import pdf
    from .png import png
    from .svg import rasterize as rasterize_svg
    from .thumbnails import placeholder, thumbnail

_HOMES = {
    "image_info": ("images", "image_info"),
    "pdf": ("pdf", "pdf"),
    "png": ("png", "png"),
    "rasterize_svg": ("svg", "rasterize"),
    "placeholder": ("thumbnails", "placeholder"),
    "thumbnail": ("thumbnails", "thumbnail"),
}
"""Each entry point's module and name there."""

__all__ = ["image_info", "pdf", "placeholder", "png", "rasterize_svg", "thumbnail"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = home
    value = getattr(import_module(f".{module}", __name__), attribute)
    globals()[name] = value
    return value
