"""emit: Scene → SVG text, byte-identical for identical scenes.

Emit makes no decisions: every position, colour and line break was settled by bind. Images
are embedded as data URIs of the original file bytes (no re-encoding), so the SVG is self-
contained and renders the same in our renderer, resvg and a browser. Text is written run
by run with the family that draws each script, or as glyph outlines (`text-mode: path`),
from the same font registry the binder measured with.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import skia
from lxml import etree

from ddm_lang.namespaces import NOT_XML_CHARS, SVG_NS, XLINK_TAG
from ddm_lang.renderer.fonts import FontRegistry
from ddm_lang.renderer.outline_text import line_outline, path_data
from ddm_lang.scene import ImageNode, Material, Node, RawNode, Scene, SceneItem, TextNode
from ddm_lang.values import format_number


def _n(v: float) -> str:
    return format_number(v)


# A template's strings or a product given as a dict (not checked as a catalogue's records
# are) may carry characters a document may not.
_NOT_XML = re.compile(f"[{NOT_XML_CHARS}]")


def _xml(text: str) -> str:
    """`text` without the characters an XML document cannot contain (they draw nothing)."""
    return _NOT_XML.sub("", text)


@lru_cache(maxsize=64)
def _data_uri(path: str, sha256: str, mime: str) -> str:
    """Keyed by content hash, so an edited file never reuses a stale URI."""
    return f"data:{mime};base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def data_uri(material: Material) -> str:
    return _data_uri(material.path, material.sha256, material.mime)


def _set(el: etree._Element, attrs: tuple[tuple[str, str], ...]) -> None:
    for k, v in attrs:
        if k.startswith("xlink:"):
            k = XLINK_TAG + k[6:]
        el.set(k, _xml(v))


Href = Callable[[Material], str]  # how a material is referenced from the document


def _emit(parent: etree._Element, item: SceneItem, href: Href,
          fonts: FontRegistry | None) -> None:
    if isinstance(item, Node):
        el = etree.SubElement(parent, item.tag)
        _set(el, item.attrs)
        if item.text is not None:
            el.text = _xml(item.text)
        for child in item.children:
            _emit(el, child, href, fonts)
    elif isinstance(item, ImageNode):
        _image(parent, item, href)
    elif isinstance(item, TextNode):
        _text(parent, item, fonts)
    elif isinstance(item, RawNode):
        fragment = etree.fromstring(f'<g xmlns="{SVG_NS}">{item.markup}</g>'.encode(),
                                    etree.XMLParser(resolve_entities=False, no_network=True))
        for child in fragment:
            parent.append(child)


def _image(parent: etree._Element, node: ImageNode, href: Href) -> None:
    if node.reflection is not None:
        _reflection(parent, node, href)
    host = parent
    if node.flip:
        host = etree.SubElement(parent, "g")
        host.set("transform", f"matrix(-1 0 0 1 {_n(2 * node.box.x + node.box.width)} 0)")
    if node.shadow is not None:
        host = _shadow(host, node)
    if node.matte is not None:
        key = hashlib.sha256(node.matte).hexdigest()[:12]
        mask_id = _unique_id(parent, f"cutout-{key}")
        mask = etree.SubElement(host, "mask")
        mask.set("id", mask_id)
        mask.set("maskUnits", "userSpaceOnUse")
        for k, v in (("x", node.box.x), ("y", node.box.y), ("width", node.box.width),
                     ("height", node.box.height)):
            mask.set(k, _n(v))
        _placed(mask, node, "data:image/png;base64," + base64.b64encode(node.matte).decode())
        host = etree.SubElement(host, "g")
        host.set("mask", f"url(#{mask_id})")
    if node.recolor is not None:
        host = _recolor(host, node.recolor)
    _placed(host, node, href(node.material), node.attrs)


def _recolor(host: etree._Element, values: str) -> etree._Element:
    """A filter with the recolor matrix, in sRGB so every renderer does the same arithmetic
    on the same numbers; returns the group the image goes into."""
    key = hashlib.sha256(values.encode()).hexdigest()[:12]
    filter_id = _unique_id(host, f"recolor-{key}")
    filt = etree.SubElement(host, "filter")
    filt.set("id", filter_id)
    filt.set("color-interpolation-filters", "sRGB")
    matrix = etree.SubElement(filt, "feColorMatrix")
    matrix.set("type", "matrix")
    matrix.set("values", values)
    group = etree.SubElement(host, "g")
    group.set("filter", f"url(#{filter_id})")
    return group


def _placed(parent: etree._Element, node: ImageNode, href: str,
            attrs: tuple[tuple[str, str], ...] = ()) -> None:
    """An <image> showing `href` (the material, or a picture covering it pixel for pixel,
    like its matte) cropped to node.crop and stretched over node.box."""
    m, box, crop = node.material, node.box, node.crop
    whole = crop.x == 0 and crop.y == 0 and crop.width == m.width and crop.height == m.height
    if whole:
        el = etree.SubElement(parent, "image")
        el.set("x", _n(box.x))
        el.set("y", _n(box.y))
        el.set("width", _n(box.width))
        el.set("height", _n(box.height))
    else:
        viewport = etree.SubElement(parent, "svg")
        for k, v in (("x", box.x), ("y", box.y), ("width", box.width), ("height", box.height)):
            viewport.set(k, _n(v))
        viewport.set("viewBox", " ".join(_n(v) for v in (crop.x, crop.y, crop.width, crop.height)))
        viewport.set("preserveAspectRatio", "none")
        el = etree.SubElement(viewport, "image")
        el.set("width", str(m.width))
        el.set("height", str(m.height))
    el.set("preserveAspectRatio", "none")
    _set(el, attrs)
    el.set("href", href)


def _shadow(host: etree._Element, node: ImageNode) -> etree._Element:
    """Emit the node's shadow; returns the element the image itself goes into."""
    shadow, box = node.shadow, node.box
    assert shadow is not None
    side = min(box.width, box.height)
    dx, dy, blur = shadow.dx * side, shadow.dy * side, shadow.blur * side
    key = hashlib.sha256(repr(shadow).encode()).hexdigest()[:12]
    filter_id = _unique_id(host, f"shadow-{key}")
    filt = etree.SubElement(host, "filter")
    filt.set("id", filter_id)
    filt.set("x", "-50%")
    filt.set("y", "-50%")
    filt.set("width", "200%")
    filt.set("height", "200%")
    if shadow.kind == "drop":
        drop = etree.SubElement(filt, "feDropShadow")
        drop.set("dx", _n(dx))
        drop.set("dy", _n(dy))
        drop.set("stdDeviation", _n(blur / 2))
        drop.set("flood-color", shadow.color)
        drop.set("flood-opacity", _n(shadow.opacity))
        group = etree.SubElement(host, "g")
        group.set("filter", f"url(#{filter_id})")
        return group
    etree.SubElement(filt, "feGaussianBlur").set("stdDeviation", _n(blur / 2))
    sx, sy, sw, sh = _subject_in_box(node)
    ellipse = etree.SubElement(host, "ellipse")
    ellipse.set("cx", _n(sx + sw / 2 + dx))
    ellipse.set("cy", _n(sy + sh - 0.01 * side))
    ellipse.set("rx", _n(sw * 0.46))
    ellipse.set("ry", _n(max(sw * 0.045, 0.012 * side)))
    ellipse.set("fill", shadow.color)
    ellipse.set("fill-opacity", _n(shadow.opacity))
    ellipse.set("filter", f"url(#{filter_id})")
    return host


def _reflection(parent: etree._Element, node: ImageNode, href: Href) -> None:
    """The node's floor reflection, beneath everything else it draws: the image as drawn
    (without its shadow or id), flipped about its base and moved `gap` below it, under a
    mask whose linear gradient fades it from `opacity` to nothing over `fade` × its drawn
    height. The mask is in canvas units around the flipped copy, so it fades downwards."""
    r = node.reflection
    assert r is not None
    if r.subject is not None:
        _, y, w, h = _subject_in_box(node, r.subject)
    else:
        y, w, h = node.box.y, node.box.width, node.box.height
    base, length = y + h, r.fade * h
    if length <= 0 or w <= 0 or node.box.width <= 0:
        return
    top = base + r.gap
    key = hashlib.sha256(repr((r, node.box, node.crop, node.material.sha256)).encode())
    mask_id = _unique_id(parent, f"reflection-{key.hexdigest()[:12]}")
    mask = etree.SubElement(parent, "mask")
    mask.set("id", mask_id)
    mask.set("maskUnits", "userSpaceOnUse")
    region = (("x", node.box.x), ("y", top), ("width", node.box.width), ("height", length))
    for k, v in region:
        mask.set(k, _n(v))
    gradient = etree.SubElement(mask, "linearGradient")
    gradient.set("id", f"{mask_id}-fade")
    gradient.set("gradientUnits", "userSpaceOnUse")
    for k, v in (("x1", node.box.x), ("y1", top), ("x2", node.box.x), ("y2", top + length)):
        gradient.set(k, _n(v))
    for offset, opacity in (("0", r.opacity), ("1", 0.0)):
        stop = etree.SubElement(gradient, "stop")
        stop.set("offset", offset)
        stop.set("stop-color", "#ffffff")
        stop.set("stop-opacity", _n(opacity))
    rect = etree.SubElement(mask, "rect")
    for k, v in region:
        rect.set(k, _n(v))
    rect.set("fill", f"url(#{mask_id}-fade)")
    masked = etree.SubElement(parent, "g")
    masked.set("mask", f"url(#{mask_id})")
    flipped = etree.SubElement(masked, "g")
    flipped.set("transform", f"matrix(1 0 0 -1 0 {_n(2 * base + r.gap)})")
    copy = node.with_(reflection=None, shadow=None,
                      attrs=tuple((k, v) for k, v in node.attrs if k != "id"))
    _image(flipped, copy, href)


def _subject_in_box(node: ImageNode, subject: tuple[float, float, float, float] | None = None
                    ) -> tuple[float, float, float, float]:
    """The subject box (fractions of the material; the shadow's when not given) where it
    lands on the canvas, clipped to the image box."""
    if subject is None:
        assert node.shadow is not None
        subject = node.shadow.subject
    m, box, crop = node.material, node.box, node.crop
    fx, fy, fw, fh = subject
    kx, ky = box.width / crop.width, box.height / crop.height
    x0 = box.x + (fx * m.width - crop.x) * kx
    y0 = box.y + (fy * m.height - crop.y) * ky
    x1, y1 = x0 + fw * m.width * kx, y0 + fh * m.height * ky
    x0, x1 = max(x0, box.x), min(x1, box.right)
    y0, y1 = max(y0, box.y), min(y1, box.bottom)
    return x0, y0, max(x1 - x0, 0.0), max(y1 - y0, 0.0)


def _unique_id(anchor: etree._Element, base: str) -> str:
    """`base`, or `base-2`, `base-3`... when the document already has that id."""
    root = anchor.getroottree().getroot()
    taken = {el.get("id") for el in root.iter() if el.get("id", "").startswith(base)}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# Attributes of a <text> that mean nothing on the outlines that replace it.
_TEXT_ONLY_ATTRS = frozenset({"x", "y", "width", "height", "letter-spacing", "word-spacing",
                              "text-anchor", "dominant-baseline", "font-family", "font-size",
                              "font-weight", "font-style", "text-decoration"})


def _outlines(parent: etree._Element, node: TextNode, fonts: FontRegistry) -> None:
    """`text-mode: path`: the lines as one path of glyph outlines."""
    path = skia.Path()
    for line in node.lines:
        outline, advance = line_outline(fonts, line.text, node.family, node.weight, node.italic,
                                        node.size, node.letter_spacing)
        shift = {"middle": advance / 2, "end": advance}.get(node.anchor, 0.0)
        path.addPath(outline, line.x - shift, line.y)
    el = etree.SubElement(parent, "path")
    _set(el, tuple((k, v) for k, v in node.attrs if k not in _TEXT_ONLY_ATTRS))
    el.set("d", path_data(path))


def _text(parent: etree._Element, node: TextNode, fonts: FontRegistry | None) -> None:
    fonts = fonts if fonts is not None else FontRegistry.default()
    if node.mode == "path":
        _outlines(parent, node, fonts)
        return
    el = etree.SubElement(parent, "text")
    el.set("font-family", f"{node.family}, sans-serif")
    el.set("font-size", _n(node.size))
    el.set("font-weight", str(node.weight))
    if node.italic:
        el.set("font-style", "italic")
    if node.anchor != "start":
        el.set("text-anchor", node.anchor)
    _set(el, node.attrs)
    for line in node.lines:
        span = etree.SubElement(el, "tspan")
        span.set("x", _n(line.x))
        span.set("y", _n(line.y))
        runs = fonts.script_runs(line.text, node.family, node.weight, node.italic)
        if all(family is None for _, family in runs):
            span.text = _xml(line.text)
            continue
        for run, family in runs:  # one positioned line, each script run in its own face
            part = etree.SubElement(span, "tspan")
            if family is not None:
                part.set("font-family", family)
            part.text = _xml(run)


def emit_tree(scene: Scene, href: Href = data_uri,
              fonts: FontRegistry | None = None) -> etree._Element:
    """The scene as an SVG element tree. `href` references each material: a data URI of
    its bytes for the document handed out; an in-process render of the same scene (the
    contrast check's ground) may reference the file itself and skip the base64 round trip.
    `fonts` must be the registry the scene was bound with (the process's default when
    None): it says which face draws each script run and outlines `text-mode: path`."""
    root = etree.Element("svg", nsmap={None: SVG_NS})
    root.set("width", str(scene.width))
    root.set("height", str(scene.height))
    root.set("viewBox", f"0 0 {scene.width} {scene.height}")
    if scene.title:
        etree.SubElement(root, "title").text = _xml(scene.title)
    for item in scene.defs:
        _emit(root, item, href, fonts)
    for item in scene.children:
        _emit(root, item, href, fonts)
    return root


def emit(scene: Scene, fonts: FontRegistry | None = None) -> str:
    """The scene as an SVG document string (`fonts`: as for `emit_tree`)."""
    return etree.tostring(emit_tree(scene, fonts=fonts), encoding="unicode")
