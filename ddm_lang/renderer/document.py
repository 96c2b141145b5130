"""Safe parsing of untrusted SVG and the document's size.

Templates and designer assets are untrusted: no entity expansion, no DTD, no network,
bounded bytes and element counts, so a hostile file is a clear RenderError, never a hang.
"""

from __future__ import annotations

import re

from lxml import etree

from .errors import RenderError
from .units import num, numbers

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
MAX_BYTES = 50_000_000
MAX_ELEMENTS = 200_000
MAX_DRAWN = 1_000_000  # elements drawn after expanding <use>: stops "billion laughs" via use
MAX_DEPTH = 256
MAX_PIXELS = 50_000_000
MAX_OUTPUT = 16384
MAX_IMAGE_NESTING = 4


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def parse_svg(svg: str | bytes) -> etree._Element:
    """Parse untrusted SVG: size-bounded, no DTD entities, no network, element-count cap."""
    if isinstance(svg, str):
        data = svg.encode("utf-8")
    elif isinstance(svg, bytes | bytearray | memoryview):
        data = bytes(svg)
    else:
        raise RenderError(f"SVG must be str or bytes, not {type(svg).__name__}")
    if len(data) > MAX_BYTES:
        raise RenderError(f"SVG is larger than {MAX_BYTES // 1_000_000} MB")
    prolog = data[:data.find(b"<svg")] if b"<svg" in data else data[:65536]
    if re.search(rb"<!ENTITY", prolog, re.I):
        raise RenderError("SVG declares entities in its DOCTYPE, which are refused")
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as err:
        raise RenderError(f"SVG is not well-formed: {err.msg} (line {err.lineno})") from None
    except ValueError as err:
        raise RenderError(f"SVG cannot be parsed: {err}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise RenderError("SVG declares entities in its DOCTYPE, which are refused")
    if root.tag not in (f"{SVG_NS}svg", "svg"):
        raise RenderError(f"root element is <{etree.QName(root).localname}>, not <svg>")
    for count, _ in enumerate(root.iter(), 1):
        if count > MAX_ELEMENTS:
            raise RenderError(f"SVG has more than {MAX_ELEMENTS} elements")
    return root


def local_name(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def href_of(el: etree._Element) -> str:
    return (el.get("href") or el.get(XLINK_HREF) or "").strip()



def root_length(root: etree._Element, name: str) -> float | None:
    """The root's own width/height in px, or None when absent, relative or invalid."""
    text = root.get(name)
    if text is None or text.strip().endswith("%") or text.strip() == "auto":
        return None
    value = num(text, -1.0)
    return value if value > 0 else None


def intrinsic_size(root: etree._Element) -> tuple[float, float]:
    """The document's size in px: width/height, else the viewBox, else 300×150 (CSS)."""
    vb = numbers(root.get("viewBox"))
    has_vb = len(vb) == 4 and vb[2] > 0 and vb[3] > 0
    w, h = root_length(root, "width"), root_length(root, "height")
    if w is None and h is not None and has_vb:
        w = h * vb[2] / vb[3]
    if h is None and w is not None and has_vb:
        h = w * vb[3] / vb[2]
    if w is None:
        w = vb[2] if has_vb else 300.0
    if h is None:
        h = vb[3] if has_vb else 150.0
    return w, h


def output_size(root: etree._Element, width: int | None, height: int | None) -> tuple[int, int]:
    """Pixels: the arguments, else the document's size; one argument keeps the aspect ratio."""
    w0, h0 = intrinsic_size(root)
    if width and not height:
        height = max(1, round(width * h0 / w0))
    if height and not width:
        width = max(1, round(height * w0 / h0))
    w, h = int(width or round(w0)), int(height or round(h0))
    if not (0 < w <= MAX_OUTPUT and 0 < h <= MAX_OUTPUT):
        raise RenderError(f"output size {w}x{h} is outside 1..{MAX_OUTPUT} px")
    return w, h

