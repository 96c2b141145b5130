"""emit: Scene → SVG text, byte-identical for identical scenes.

Emit makes no decisions: every position, colour and line break was settled by bind. Images
are embedded as data URIs of the original file bytes (no re-encoding), so the SVG is self-
contained and renders the same in our renderer, resvg and a browser.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ddm_lang.scene import ImageNode, Material, Node, RawNode, Scene, SceneItem, TextNode
from ddm_lang.semantics.values import format_number

SVG_NS = "http://www.w3.org/2000/svg"


def _n(v: float) -> str:
    return format_number(v)


@lru_cache(maxsize=64)
def _data_uri(path: str, sha256: str, mime: str) -> str:
    """Keyed by content hash, so an edited file never reuses a stale URI."""
    return f"data:{mime};base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def data_uri(material: Material) -> str:
    return _data_uri(material.path, material.sha256, material.mime)


def _set(el: etree._Element, attrs: tuple[tuple[str, str], ...]) -> None:
    for k, v in attrs:
        if k.startswith("xlink:"):
            k = "{http://www.w3.org/1999/xlink}" + k[6:]
        el.set(k, v)


def _emit(parent: etree._Element, item: SceneItem) -> None:
    if isinstance(item, Node):
        el = etree.SubElement(parent, item.tag)
        _set(el, item.attrs)
        if item.text is not None:
            el.text = item.text
        for child in item.children:
            _emit(el, child)
    elif isinstance(item, ImageNode):
        _image(parent, item)
    elif isinstance(item, TextNode):
        _text(parent, item)
    elif isinstance(item, RawNode):
        fragment = etree.fromstring(f'<g xmlns="{SVG_NS}">{item.markup}</g>'.encode(),
                                    etree.XMLParser(resolve_entities=False, no_network=True))
        for child in fragment:
            parent.append(child)


def _image(parent: etree._Element, node: ImageNode) -> None:
    m, box, crop = node.material, node.box, node.crop
    host = parent
    if node.flip:
        host = etree.SubElement(parent, "g")
        host.set("transform", f"matrix(-1 0 0 1 {_n(2 * box.x + box.width)} 0)")
    whole = crop.x == 0 and crop.y == 0 and crop.width == m.width and crop.height == m.height
    if whole:
        el = etree.SubElement(host, "image")
        el.set("x", _n(box.x))
        el.set("y", _n(box.y))
        el.set("width", _n(box.width))
        el.set("height", _n(box.height))
    else:
        viewport = etree.SubElement(host, "svg")
        for k, v in (("x", box.x), ("y", box.y), ("width", box.width), ("height", box.height)):
            viewport.set(k, _n(v))
        viewport.set("viewBox", " ".join(_n(v) for v in (crop.x, crop.y, crop.width, crop.height)))
        viewport.set("preserveAspectRatio", "none")
        el = etree.SubElement(viewport, "image")
        el.set("width", str(m.width))
        el.set("height", str(m.height))
    el.set("preserveAspectRatio", "none")
    _set(el, node.attrs)
    el.set("href", data_uri(m))


def _text(parent: etree._Element, node: TextNode) -> None:
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
        span.text = line.text


def emit(scene: Scene) -> str:
    """The scene as an SVG document string."""
    root = etree.Element("svg", nsmap={None: SVG_NS})
    root.set("width", str(scene.width))
    root.set("height", str(scene.height))
    root.set("viewBox", f"0 0 {scene.width} {scene.height}")
    if scene.title:
        etree.SubElement(root, "title").text = scene.title
    for item in scene.defs:
        _emit(root, item)
    for item in scene.children:
        _emit(root, item)
    return etree.tostring(root, encoding="unicode")
