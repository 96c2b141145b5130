"""Sanitising designer-supplied SVG markup (`raw` blocks).

Templates are untrusted: raw markup may not run scripts, load anything from outside the
document, declare entities, or smuggle non-SVG content. Rather than cleaning silently we
refuse, so the author learns what was wrong and nothing unexpected reaches an output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

FORBIDDEN_TAGS = frozenset({"script", "foreignObject", "iframe", "object", "embed", "audio",
                            "video", "handler", "listener", "set", "animate", "animateMotion",
                            "animateTransform"})
_SAFE_DATA_URI = re.compile(r"data:image/(png|jpeg|webp);base64,[A-Za-z0-9+/=\s]*\Z")
_ENTITY_REF = re.compile(r"&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)[A-Za-z_][\w.-]*;")
_URL_IN_STYLE = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import|expression\(|javascript:", re.I)
MAX_MARKUP = 1_000_000


@dataclass(frozen=True)
class RawProblem:
    message: str
    line: int          # 1-based line inside the markup
    hint: str | None = None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def check_raw_svg(markup: str) -> RawProblem | None:
    """The first reason `markup` may not be emitted, or None when it is safe."""
    if len(markup) > MAX_MARKUP:
        return RawProblem(f"raw SVG is larger than {MAX_MARKUP} characters", 1)
    if re.search(r"<!(DOCTYPE|ENTITY)", markup, re.I):
        return RawProblem("raw SVG may not declare a DOCTYPE or entities", 1,
                          "remove the <!DOCTYPE>/<!ENTITY> declaration")
    m = _ENTITY_REF.search(markup)
    if m:
        return RawProblem(f"entity reference `{m.group(0)}` is not allowed",
                          markup.count("\n", 0, m.start()) + 1, "write the character itself")
    wrapped = f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}">{markup}</svg>'
    try:
        root = etree.fromstring(wrapped.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as err:
        line = max(1, (err.lineno or 1))
        return RawProblem(f"raw SVG is not well-formed XML: {err.msg}", line)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        line = max(1, (el.sourceline or 1))
        qname = etree.QName(el)
        if qname.namespace != SVG_NS:
            return RawProblem(f"element `{qname.localname}` is not in the SVG namespace", line)
        if qname.localname in FORBIDDEN_TAGS:
            return RawProblem(f"element `{qname.localname}` is not allowed in templates", line,
                              "templates produce static images: no scripts, animation or embedded documents")
        for name, value in el.attrib.items():
            attr = etree.QName(name).localname
            if attr.lower().startswith("on"):
                return RawProblem(f"event handler attribute `{attr}` is not allowed", line)
            if attr == "href" and not (value.startswith("#") or _SAFE_DATA_URI.match(value)):
                return RawProblem(f"reference `{value[:60]}` leaves the document", line,
                                  "only #id references and data:image/png|jpeg|webp URIs are allowed")
            if (attr == "style" or el.tag == f"{{{SVG_NS}}}style") and _URL_IN_STYLE.search(value):
                return RawProblem("styles may not load external resources", line)
            if "url(" in value and _URL_IN_STYLE.search(value):
                return RawProblem(f"attribute `{attr}` refers outside the document", line)
        if qname.localname == "style" and el.text and _URL_IN_STYLE.search(el.text):
            return RawProblem("styles may not load external resources", line)
    return None
