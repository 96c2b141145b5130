"""Safe parsing of untrusted SVG and the document's size.

Templates and designer assets are untrusted: no entity expansion (a DOCTYPE that declares
entities is refused outright, internal ones included), no DTD loading, no network, bounded
bytes and element counts, so a hostile file is a clear RenderError, never a hang. Parsing ends with the CSS
cascade (css.py), so the tree the renderer walks holds every property as an attribute.
"""

from __future__ import annotations

import math
import re

from lxml import etree

from ..namespaces import SVG_TAG, XLINK_TAG, XML_TAG
from .css import cascade
from .errors import RenderError
from .units import num, numbers

XLINK_HREF = XLINK_TAG + "href"
XML_SPACE = XML_TAG + "space"
MAX_BYTES = 50_000_000
MAX_ELEMENTS = 200_000
MAX_ATTRIBUTES = 1_000  # on one element
MAX_DRAWN = 1_000_000  # elements drawn after expanding <use>: stops "billion laughs" via use
MAX_DEPTH = 256
MAX_PIXELS = 50_000_000
MAX_OUTPUT = 16384
MAX_IMAGE_NESTING = 4
MAX_HREF_CHAIN = 16  # href inheritance links followed (gradients, patterns, filters)


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def parse_svg(svg: str | bytes) -> etree._Element:
    """Parse untrusted SVG: size-bounded, entity declarations refused, no network,
    element-count cap; then the CSS cascade (`css.cascade`)."""
    if isinstance(svg, str):
        data = svg.encode("utf-8")
    elif isinstance(svg, bytes | bytearray | memoryview):
        data = bytes(svg)
    else:
        raise RenderError(f"SVG must be str or bytes, not {type(svg).__name__}")
    if len(data) > MAX_BYTES:
        raise RenderError(f"SVG is larger than {MAX_BYTES // 1_000_000} MB")
    start = data.find(b"<svg")
    prolog = data[:start] if start >= 0 else data[:65536]
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
    if root.tag not in (f"{SVG_TAG}svg", "svg"):
        raise RenderError(f"root element is <{etree.QName(root).localname}>, not <svg>")
    for count, el in enumerate(root.iter(), 1):
        if count > MAX_ELEMENTS:
            raise RenderError(f"SVG has more than {MAX_ELEMENTS} elements")
        if len(el.attrib) > MAX_ATTRIBUTES:   # lxml reads attributes in quadratic time
            raise RenderError(f"<{etree.QName(el).localname}> has more than {MAX_ATTRIBUTES} "
                              "attributes")
    return cascade(root)


def local_name(el: etree._Element) -> str:
    """The element's name when it is an SVG element (SVG namespace or none), else "":
    elements of other namespaces are not SVG and are not drawn, as in resvg."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    if tag[0] != "{":
        return tag
    return tag[len(SVG_TAG):] if tag.startswith(SVG_TAG) else ""


def href_of(el: etree._Element) -> str:
    return (el.get("href") or el.get(XLINK_HREF) or "").strip()



LENGTH_RE = re.compile(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%|px|pt|pc|mm|cm|in|em|ex|)",
                       re.I)
DEFAULT_SIZE = 100.0  # resvg's fallback for a percentage size with no viewBox


def root_length(root: etree._Element, name: str) -> tuple[float, bool] | None:
    """The root's width/height: (value, is a percentage), or None when absent or not a
    length ("auto", garbage): resvg then takes 100 %."""
    m = LENGTH_RE.fullmatch((root.get(name) or "").strip())
    if m is None or not math.isfinite(float(m.group(1))):
        return None
    if m.group(2) == "%":
        return float(m.group(1)), True
    return num(m.group(0), 0.0), False


def sized_by_content(root: etree._Element) -> bool:
    """Whether the document's size is its content's extent: no viewBox, and a width or
    height that is a percentage or absent (resvg measures the drawing then)."""
    if len(view_box(root)) == 4:
        return False
    w, h = root_length(root, "width"), root_length(root, "height")
    return w is None or w[1] or h is None or h[1]


def view_box(root: etree._Element) -> list[float]:
    """The viewBox as four numbers, or [] when absent or degenerate."""
    vb = numbers(root.get("viewBox"))
    return vb if len(vb) == 4 and vb[2] > 0 and vb[3] > 0 else []


def intrinsic_size(root: etree._Element) -> tuple[float, float] | None:
    """The document's declared size in px, as resvg resolves it: width/height (percentages
    of the viewBox), one missing side from the viewBox's aspect ratio, the viewBox size,
    else percentages of 100 px. None when the size is zero or negative: nothing is drawn.
    A document `sized_by_content` is measured by the renderer instead."""
    vb = view_box(root)
    wl, hl = root_length(root, "width"), root_length(root, "height")
    wv = wl or (100.0, True)
    hv = hl or (100.0, True)
    ref_w, ref_h = (vb[2], vb[3]) if vb else (DEFAULT_SIZE, DEFAULT_SIZE)
    w = wv[0] * ref_w / 100 if wv[1] else wv[0]
    h = hv[0] * ref_h / 100 if hv[1] else hv[0]
    if vb and wl is not None and hl is None and w > 0:
        h = vb[3] * w / vb[2]
    elif vb and hl is not None and wl is None and h > 0:
        w = vb[2] * h / vb[3]
    if not (w > 0 and h > 0 and math.isfinite(w) and math.isfinite(h)):
        return None
    return w, h


def output_size(size: tuple[float, float] | None, width: int | None,
                height: int | None) -> tuple[int, int]:
    """Pixels: the arguments, else the document's size; one argument keeps the aspect ratio.
    A document without a valid size (nothing to draw) defaults to 100×100."""
    w0, h0 = size or (DEFAULT_SIZE, DEFAULT_SIZE)
    if width and not height:
        height = max(1, round(width * h0 / w0))
    if height and not width:
        width = max(1, round(height * w0 / h0))
    w, h = int(width or round(w0)), int(height or round(h0))
    if not (0 < w <= MAX_OUTPUT and 0 < h <= MAX_OUTPUT):
        raise RenderError(f"output size {w}x{h} is outside 1..{MAX_OUTPUT} px")
    return w, h

