"""Drawing design trees: the PDF of a design, PNG previews of its pages, and what uploaded images are.

Public entry points: `pdf`, `png`, `rasterize_svg`, `image_info`, `thumbnail`, `placeholder`. Nothing
here imports the rest of mockserver; the only input is the tree format of the design documents and
image bytes.
"""

from __future__ import annotations

from .images import image_info
from .pdf import pdf
from .png import png
from .svg import rasterize as rasterize_svg
from .thumbnails import placeholder, thumbnail

__all__ = ["image_info", "pdf", "placeholder", "png", "rasterize_svg", "thumbnail"]
