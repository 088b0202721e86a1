"""Page and document operations shared by Era A tools and Era B/C actions.

Pages: add, update, remove. Backgrounds: the flat longhands of C2 (`backgroundColor`,
`backgroundImage`, `backgroundSize`) merged field by field, or a whole `background` object in
the earlier shapes (`{color, image: {src} | imageRef, size}`) converted to the longhands.
Document metadata.
"""

from __future__ import annotations

from typing import Any

from .content import check_src
from .errors import AuthoringError
from .guard import array, choice, keys, need, number, obj, string
from .limits import MAX_NAME, MAX_PAGE_SIDE, MAX_STRING
from .tree import PAPER, Tree, check_page_room, detach, new_page, orient, page_index
from .vocabulary import Vocabulary

FLAT = ("backgroundColor", "backgroundImage", "backgroundSize")
NESTED = frozenset({*FLAT, "color", "image", "imageRef", "size"})
SIZES = ("cover", "contain", "fill")
METADATA = ("author", "subject", "keywords", "creator")


def _longhand(key: str, value: Any, where: str, vocab: Vocabulary) -> Any:
    if value is None:
        return None
    if key == "backgroundColor":
        return string(value, where, 1_000, non_empty=True)
    if key == "backgroundImage":
        return check_src(value, where, vocab.src_schemes)
    return choice(value, where, SIZES)


def _nested(raw: Any, where: str, vocab: Vocabulary) -> dict[str, Any] | None:
    """A whole `background` object (any era's shape) as longhands; null clears the background."""
    if raw is None:
        return None
    background = obj(raw, where)
    keys(background, NESTED, where)
    image = background.get("image")
    if isinstance(image, dict):
        keys(image, ("src", "imageRef"), f"{where}.image")
        image = image.get("src", image.get("imageRef"))
    flat = {
        "backgroundColor": background.get("backgroundColor", background.get("color")),
        "backgroundImage": background.get("backgroundImage", image or background.get("imageRef")),
        "backgroundSize": background.get("backgroundSize", background.get("size")),
    }
    out = {key: _longhand(key, value, f"{where}.{key}", vocab) for key, value in flat.items()}
    return {key: value for key, value in out.items() if value is not None} or None


def background(args: dict[str, Any], current: Any, where: str, vocab: Vocabulary) -> dict[str, Any] | None:
    """The new background from `args`: a whole `background` (replace) or longhands (merge)."""
    flat = [key for key in FLAT if key in args]
    if "background" in args:
        if flat:
            raise AuthoringError(
                "VALIDATION_ERROR", f"{where}: send either background or {', '.join(FLAT)}, not both"
            )
        return _nested(args["background"], f"{where}.background", vocab)
    if not flat:
        raise AuthoringError(
            "MISSING_REQUIRED_FIELD", f"{where}.background (or one of {', '.join(FLAT)}) is required"
        )
    merged = dict(current or {})
    for key in flat:
        value = _longhand(key, args[key], f"{where}.{key}", vocab)
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged or None


def _side(args: dict[str, Any], key: str, where: str) -> float:
    return number(args[key], f"{where}.{key}", 0, MAX_PAGE_SIDE, above=True)


def _dimensions(args: dict[str, Any], base: tuple[float, float], where: str) -> tuple[float, float]:
    """Width and height from `size`, `width`/`height` and `orientation`; custom sizes are literal."""
    has_width, has_height = args.get("width") is not None, args.get("height") is not None
    if args.get("size") is not None:
        if has_width or has_height:
            raise AuthoringError(
                "VALIDATION_ERROR", f"{where}: send either size or width and height, not both"
            )
        base = PAPER[choice(args["size"], f"{where}.size", PAPER)]
    if has_width != has_height:
        missing = "height" if has_width else "width"
        raise AuthoringError(
            "MISSING_REQUIRED_FIELD", f"{where}.{missing} is required together with the other side"
        )
    if has_width:
        return _side(args, "width", where), _side(args, "height", where)
    if args.get("orientation") is not None:
        return orient(*base, choice(args["orientation"], f"{where}.orientation", ("portrait", "landscape")))
    return base


def add_page(tree: Tree, args: dict[str, Any], where: str, vocab: Vocabulary) -> dict[str, Any]:
    """Append a page (the last page's size unless told otherwise); returns the result data."""
    allowed = {"width", "height", "orientation", "background", "name"} | (
        {"size"} if vocab.era == "A" else set()
    )
    keys(args, allowed, where)
    check_page_room(tree)
    last = tree["pages"][-1]
    width, height = _dimensions(args, (last["width"], last["height"]), where)
    page = new_page(tree, width, height)
    if args.get("name") is not None:
        page["name"] = string(args["name"], f"{where}.name", MAX_NAME)
    if "background" in args:
        page["background"] = _nested(args["background"], f"{where}.background", vocab)
    tree["pages"].append(page)
    return {"page": len(tree["pages"]) - 1, "id": page["id"], "width": width, "height": height}


def update_page(tree: Tree, args: dict[str, Any], where: str, vocab: Vocabulary) -> dict[str, Any]:
    """Resize, rename or re-background a page (`page` defaults to 0); elements keep their places."""
    keys(args, ("page", "width", "height", "orientation", "name", "background"), where)
    index = page_index(tree, args.get("page", 0), f"{where}.page")
    page = tree["pages"][index]
    width = _side(args, "width", where) if args.get("width") is not None else page["width"]
    height = _side(args, "height", where) if args.get("height") is not None else page["height"]
    if args.get("orientation") is not None:
        width, height = orient(
            width, height, choice(args["orientation"], f"{where}.orientation", ("portrait", "landscape"))
        )
    page["width"], page["height"] = width, height
    if "name" in args:
        page["name"] = None if args["name"] is None else string(args["name"], f"{where}.name", MAX_NAME)
    if "background" in args:
        page["background"] = _nested(args["background"], f"{where}.background", vocab)
    return {"page": index, "id": page["id"], "width": width, "height": height, "name": page["name"]}


def remove_page(tree: Tree, args: dict[str, Any], where: str) -> dict[str, Any]:
    """Remove a page with its elements and their variables; the last remaining page stays."""
    keys(args, ("page",), where)
    index = page_index(tree, need(args, "page", where), f"{where}.page")
    if len(tree["pages"]) == 1:
        raise AuthoringError(
            "INVALID_INPUT", f"{where}.page: a design keeps at least one page; this is its last"
        )
    page = tree["pages"][index]
    for node_id in list(page["children"]):
        detach(tree, node_id)
    del tree["pages"][index]
    for node in tree["nodes"].values():
        if node["page"] > index:
            node["page"] -= 1
    return {"page": index, "id": page["id"]}


def set_page_background(tree: Tree, args: dict[str, Any], where: str, vocab: Vocabulary) -> dict[str, Any]:
    keys(args, ("page", "background", *FLAT), where)
    index = page_index(tree, args.get("page", 0), f"{where}.page")
    page = tree["pages"][index]
    page["background"] = background(args, page["background"], where, vocab)
    return {"page": index, "background": page["background"]}


def set_document_background(
    tree: Tree, args: dict[str, Any], where: str, vocab: Vocabulary
) -> dict[str, Any]:
    keys(args, ("background", *FLAT), where)
    document = tree["document"]
    document["background"] = background(args, document["background"], where, vocab)
    return {"background": document["background"]}


def set_metadata(tree: Tree, args: dict[str, Any], where: str) -> dict[str, Any]:
    """Set (or, with null, clear) author, subject, keywords, creator; keywords may be a list."""
    keys(args, METADATA, where)
    if not args:
        raise AuthoringError("MISSING_REQUIRED_FIELD", f"{where}: send at least one of {', '.join(METADATA)}")
    metadata = tree["metadata"]
    for key, value in args.items():
        if key == "keywords" and isinstance(value, list):
            words = [
                string(w, f"{where}.keywords[{i}]", 200)
                for i, w in enumerate(array(value, f"{where}.keywords", 100))
            ]
            value = ", ".join(words)
        metadata[key] = None if value is None else string(value, f"{where}.{key}", MAX_STRING // 10)
    return {key: metadata.get(key) for key in METADATA}
