"""A whole design tree as a PDF document: pages, fonts, images, metadata, and the profile markers.

The profiles are honest markers, not validated conformance: "accessible" adds the tagging a PDF/UA
reader looks for (MarkInfo, a structure tree with one element per text/image/table, /Lang,
DisplayDocTitle, the title in XMP), "pdf-a" adds PDF/A-3b identification (XMP `pdfaid`) and an sRGB
output intent and is tagged too. The standard 14 fonts are not embedded, so a validator would reject
either claim; the output is meant for testing clients, not for archiving.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image, ImageCms

from .elements import ImageSource
from .layout import build_page, page_entries
from .pdfdraw import content
from .pdfobjects import latin, pdf_text, stream, write
from .values import mapping, text

PROFILES = ("standard", "accessible", "pdf-a")
PRODUCER = "mockserver"
LANGUAGE = "en"
_FONTS = b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"


class _Objects:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def add(self, body: bytes = b"") -> int:
        self.bodies.append(body)
        return len(self.bodies)

    def set(self, number: int, body: bytes) -> None:
        self.bodies[number - 1] = body


def _metadata(tree: dict[str, Any], title: str) -> dict[str, str]:
    meta = mapping(tree.get("metadata"))
    keywords = meta.get("keywords")
    fields = {
        "Title": title,
        "Author": text(meta.get("author")),
        "Subject": text(meta.get("subject")),
        "Keywords": ", ".join(text(k) for k in keywords) if isinstance(keywords, list) else text(keywords),
        "Creator": text(meta.get("creator")),
        "Producer": PRODUCER,
    }
    return {key: latin(value[:1000]) for key, value in fields.items() if value}


def _info(fields: dict[str, str]) -> bytes:
    entries = b" ".join(b"/%s (%s)" % (k.encode(), pdf_text(v).encode("latin-1")) for k, v in fields.items())
    return b"<< " + entries + b" >>"


def _xmp(fields: dict[str, str], profile: str) -> bytes:
    def tag(name: str, value: str) -> str:
        return f"<{name}>{escape(value)}</{name}>"

    def alt(name: str, value: str) -> str:
        return f'<{name}><rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt></{name}>'

    parts = [alt("dc:title", fields.get("Title", ""))]
    if "Author" in fields:
        parts.append(
            f"<dc:creator><rdf:Seq><rdf:li>{escape(fields['Author'])}</rdf:li></rdf:Seq></dc:creator>"
        )
    if "Subject" in fields:
        parts.append(alt("dc:description", fields["Subject"]))
    if "Keywords" in fields:
        parts.append(tag("pdf:Keywords", fields["Keywords"]))
    if "Creator" in fields:
        parts.append(tag("xmp:CreatorTool", fields["Creator"]))
    parts.append(tag("pdf:Producer", fields["Producer"]))
    if profile == "pdf-a":
        parts += [tag("pdfaid:part", "3"), tag("pdfaid:conformance", "B")]
    else:
        parts.append(tag("pdfuaid:part", "1"))
    namespaces = (
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" '
        'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"'
    )
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" {namespaces}>{"".join(parts)}</rdf:Description>'
        "</rdf:RDF></x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def srgb_profile() -> bytes:
    """An sRGB ICC profile from LittleCMS, its creation date zeroed so the output stays deterministic."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[24:36] = bytes(12)
    return bytes(profile)


def _image(objects: _Objects, image: Image.Image) -> int:
    rgba = image.convert("RGBA")
    size = b"/Width %d /Height %d /BitsPerComponent 8" % rgba.size
    smask = b""
    alpha = rgba.getchannel("A")
    low, _high = alpha.getextrema()
    if isinstance(low, int | float) and low < 255:
        mask = zlib.compress(alpha.tobytes(), 6)
        number = objects.add(
            stream(
                b"/Type /XObject /Subtype /Image %s /ColorSpace /DeviceGray /Filter /FlateDecode" % size, mask
            )
        )
        smask = b" /SMask %d 0 R" % number
    pixels = zlib.compress(rgba.convert("RGB").tobytes(), 6)
    dictionary = b"/Type /XObject /Subtype /Image %s /ColorSpace /DeviceRGB /Filter /FlateDecode%s" % (
        size,
        smask,
    )
    return objects.add(stream(dictionary, pixels))


def pdf(
    tree: dict[str, Any], *, title: str, profile: str = "standard", image: ImageSource = lambda ref: None
) -> bytes:
    """The (filled) design tree as PDF bytes: one page per tree page at its size in points.

    `image(ref)` gives the bytes behind an image `src` or background image (None → a placeholder box).
    `profile` is "standard", "accessible" or "pdf-a" (see the module docstring; other values raise
    ValueError). The output is deterministic: no clock, and the file ID is a hash of the content.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown PDF profile {profile!r}")
    tree = tree if isinstance(tree, dict) else {}
    tagged = profile != "standard"
    objects = _Objects()
    catalog, pages = objects.add(), objects.add()
    fonts = objects.add(_FONTS % b"Helvetica"), objects.add(_FONTS % b"Helvetica-Bold")
    fields = _metadata(tree, title)
    info = objects.add(_info(fields))
    kids: list[int] = []
    marked: list[tuple[int, list[tuple[str, str]]]] = []  # (page object, tagged blocks) per page
    for index in range(len(page_entries(tree))):
        page = build_page(tree, index, image)
        drawn = content(page)
        stream_number = objects.add(stream(b"/Filter /FlateDecode", zlib.compress(drawn.content, 6)))
        xobjects = b" ".join(
            b"/Im%d %d 0 R" % (n, _image(objects, im)) for n, im in enumerate(drawn.images, start=1)
        )
        resources = b"/Font << /F1 %d 0 R /F2 %d 0 R >>" % fonts + (
            b" /XObject << %s >>" % xobjects if xobjects else b""
        )
        structure = b" /StructParents %d /Tabs /S" % index if tagged else b""
        kids.append(objects.add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R /Resources << %s >>%s >>"
            % (pages, _num(page.width), _num(page.height), stream_number, resources, structure)
        ))  # fmt: skip
        marked.append((kids[-1], drawn.tagged))
    objects.set(
        pages,
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)),
    )
    extra = b""
    if tagged:
        extra += b" /MarkInfo << /Marked true >> /StructTreeRoot %d 0 R /Lang (%s)" % (
            _structure(objects, marked),
            LANGUAGE.encode(),
        )
        extra += b" /Metadata %d 0 R" % objects.add(
            stream(b"/Type /Metadata /Subtype /XML", _xmp(fields, profile))
        )
    if profile == "accessible":
        extra += b" /ViewerPreferences << /DisplayDocTitle true >>"
    if profile == "pdf-a":
        icc = objects.add(stream(b"/N 3 /Filter /FlateDecode", zlib.compress(srgb_profile(), 6)))
        intent = objects.add(
            b"<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1)"
            b" /Info (sRGB IEC61966-2.1) /DestOutputProfile %d 0 R >>" % icc
        )
        extra += b" /OutputIntents [%d 0 R]" % intent
    objects.set(catalog, b"<< /Type /Catalog /Pages %d 0 R%s >>" % (pages, extra))
    digest = hashlib.md5(b"".join(objects.bodies), usedforsecurity=False).hexdigest().encode()
    return write(
        objects.bodies, version=b"1.7", trailer=b"/Info %d 0 R /ID [<%s> <%s>]" % (info, digest, digest)
    )


def _num(value: float) -> bytes:
    return (f"{value:.2f}".rstrip("0").rstrip(".")).encode()


def _structure(objects: _Objects, marked: list[tuple[int, list[tuple[str, str]]]]) -> int:
    """The structure tree: a Document element whose kids are one element per tagged block, in page order."""
    root, document = objects.add(), objects.add()
    elements: list[int] = []
    parent_tree: list[bytes] = []
    for index, (page, blocks) in enumerate(marked):
        numbers = []
        for mcid, (role, alt) in enumerate(blocks):
            alt_entry = b" /Alt (%s)" % pdf_text(alt[:500]).encode("latin-1") if role == "Figure" else b""
            entry = (role.encode(), document, page, mcid, alt_entry)
            numbers.append(
                objects.add(b"<< /Type /StructElem /S /%s /P %d 0 R /Pg %d 0 R /K %d%s >>" % entry)
            )
        elements += numbers
        parent_tree.append(b"%d [%s]" % (index, b" ".join(b"%d 0 R" % n for n in numbers)))
    kids = b" ".join(b"%d 0 R" % n for n in elements)
    objects.set(document, b"<< /Type /StructElem /S /Document /P %d 0 R /K [%s] >>" % (root, kids))
    parents = objects.add(b"<< /Nums [%s] >>" % b" ".join(parent_tree))
    objects.set(
        root,
        b"<< /Type /StructTreeRoot /K %d 0 R /ParentTree %d 0 R /ParentTreeNextKey %d >>"
        % (document, parents, len(marked)),
    )
    return root
