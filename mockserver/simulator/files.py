"""The ZIP a batch download serves: deterministic, with names that cannot escape the archive."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping


def _safe_name(name: str, taken: set[str]) -> str:
    """`name` as a relative path without `..` or empty parts, made unique among `taken` (then added)."""
    parts = []
    for part in name.replace("\\", "/").split("/"):
        while ".." in part:
            part = part.replace("..", ".")
        if part not in ("", "."):
            parts.append(part)
    safe = "/".join(parts) or "file"
    stem, dot, ext = safe.rpartition(".")
    if not stem or stem.endswith("/") or "/" in ext:
        stem, dot, ext = safe, "", ""
    candidate, number = safe, 2
    while candidate in taken:
        candidate, number = f"{stem}-{number}{dot}{ext}", number + 1
    taken.add(candidate)
    return candidate


def zip_of(files: Mapping[str, bytes]) -> bytes:
    """A ZIP (deflated, fixed timestamps) of `files`; names are made safe (no `..`, no leading `/`)."""
    out, taken = io.BytesIO(), set[str]()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(_safe_name(name, taken), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system, info.external_attr = 3, 0o644 << 16  # the same bytes on every OS
            archive.writestr(info, data)
    return out.getvalue()
