"""Sanitising designer-supplied SVG markup (`raw` blocks).

Templates are untrusted: raw markup may not run scripts, load anything from outside the
document, declare entities, or smuggle non-SVG content. Rather than cleaning silently we
refuse, so the author learns what was wrong and nothing unexpected reaches an output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..namespaces import SVG_NS, SVG_TAG, XLINK_NS, XLINK_TAG

if TYPE_CHECKING:  # lxml is loaded by the first raw block, not by every `ddm check`
    from lxml import etree

FORBIDDEN_TAGS = frozenset({"script", "foreignObject", "iframe", "object", "embed", "audio",
                            "video", "handler", "listener", "set", "animate", "animateMotion",
                            "animateTransform"})
_SAFE_DATA_URI = re.compile(r"data:image/(png|jpeg|webp);base64,[A-Za-z0-9+/=\s]*\Z")
_ENTITY_REF = re.compile(r"&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)[A-Za-z_][\w.-]*;")
_URL_IN_STYLE = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import|expression\(|javascript:", re.I)
MAX_MARKUP = 1_000_000
# Elements one raw block may draw with every `<use>` expanded (the creative's own element
# limit): nested `<use>` multiplies, so 4 KB of markup can otherwise ask the renderer for
# hundreds of thousands of shapes on every render of every compile.
MAX_RAW_DRAWN = 20_000


@dataclass(frozen=True)
class RawProblem:
    message: str
    line: int          # 1-based line inside the markup
    hint: str | None = None


def _parser() -> etree.XMLParser:
    from lxml import etree
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _parse(markup: str) -> etree._Element:
    """`markup` inside an `<svg>` root that declares the SVG and XLink namespaces."""
    from lxml import etree
    wrapped = f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}">{markup}</svg>'
    return etree.fromstring(wrapped.encode("utf-8"), _parser())


def check_raw_svg(markup: str) -> RawProblem | None:
    """The first reason `markup` may not be emitted, or None when it is safe."""
    from lxml import etree
    if len(markup) > MAX_MARKUP:
        return RawProblem(f"raw SVG is larger than {MAX_MARKUP} characters", 1)
    if re.search(r"<!(DOCTYPE|ENTITY)", markup, re.I):
        return RawProblem("raw SVG may not declare a DOCTYPE or entities", 1,
                          "remove the <!DOCTYPE>/<!ENTITY> declaration")
    m = _ENTITY_REF.search(markup)
    if m:
        return RawProblem(f"entity reference `{m.group(0)}` is not allowed",
                          markup.count("\n", 0, m.start()) + 1, "write the character itself")
    try:
        root = _parse(markup)
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
            if (attr == "style" or el.tag == f"{SVG_TAG}style") and _URL_IN_STYLE.search(value):
                return RawProblem("styles may not load external resources", line)
            if "url(" in value and _URL_IN_STYLE.search(value):
                return RawProblem(f"attribute `{attr}` refers outside the document", line)
        if qname.localname == "style" and el.text and _URL_IN_STYLE.search(el.text):
            return RawProblem("styles may not load external resources", line)
    return _expansion_problem(root)


@lru_cache(maxsize=256)
def drawn_count(markup: str) -> int:
    """Elements a (checked) raw block draws with `<use>` expanded: what it adds to the
    creative's element count each time a loop repeats it."""
    root = _parse(markup)
    return expanded_sizes(root)[root] - 1


def _expansion_problem(root: etree._Element) -> RawProblem | None:
    """Refuse markup that draws more than `MAX_RAW_DRAWN` elements once `<use>` is
    expanded, naming the line of the first `<use>` that alone draws too many."""
    drawn = expanded_sizes(root)
    if drawn[root] - 1 <= MAX_RAW_DRAWN:
        return None
    uses = [el for el in root.iter(f"{SVG_TAG}use") if drawn[el] > MAX_RAW_DRAWN]
    line = max(1, uses[0].sourceline or 1) if uses else 1
    return RawProblem(f"raw SVG draws more than {MAX_RAW_DRAWN:,} elements once `<use>` is "
                      "expanded", line,
                      "draw repeated shapes with a DDM `for` loop, or reference each shape once")


_CAP = 10 * MAX_RAW_DRAWN  # counts stop growing here: the answer is "too many" already


def expanded_sizes(root: etree._Element) -> dict[etree._Element, int]:
    """How many elements drawing each element of `root` visits with every `<use>`
    expanded (itself included), capped at `_CAP`. Iterative and memoised, so linear in the
    markup whatever the nesting; a `<use>` in a reference cycle, or of an id outside the
    markup, counts 1 (the renderer draws neither)."""
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    size: dict[etree._Element, int] = {}
    active: set[etree._Element] = set()
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, ready = stack.pop()
        if el in size:
            continue
        parts = _parts(el, ids)
        if not ready:
            if el in active:
                continue  # a reference cycle: left uncounted
            active.add(el)
            stack.append((el, True))
            stack.extend((p, False) for p in parts if p not in size and p not in active)
            continue
        active.discard(el)
        size[el] = min(_CAP, 1 + sum(size.get(p, 1 if p in active else 0) for p in parts))
    return size


def _parts(el: etree._Element, ids: dict[str | None, etree._Element]) -> list[etree._Element]:
    """What drawing `el` draws next: its element children, and a `<use>`'s target."""
    parts = [c for c in el if isinstance(c.tag, str)]
    if el.tag.rpartition("}")[2] == "use":  # the local name, as etree.QName gives it
        href = el.get("href") or el.get(f"{XLINK_TAG}href") or ""
        target = ids.get(href[1:]) if href.startswith("#") else None
        if target is not None:
            parts.append(target)
    return parts
