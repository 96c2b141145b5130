"""The concrete SVG vocabulary a template may use, and the DDM properties layered on it.

Element kinds map to SVG tags (`group` is `g`). Properties that are not DDM's own pass
through as SVG attributes, so designers keep the whole of SVG; event handlers and
external references never pass.
"""

from __future__ import annotations

import re

ELEMENT_TAGS: dict[str, str] = {
    "rect": "rect", "circle": "circle", "ellipse": "ellipse", "line": "line",
    "polyline": "polyline", "polygon": "polygon", "path": "path", "text": "text",
    "tspan": "tspan", "image": "image", "group": "g", "g": "g", "defs": "defs", "use": "use",
    "symbol": "symbol", "pattern": "pattern", "linearGradient": "linearGradient",
    "radialGradient": "radialGradient", "stop": "stop", "clipPath": "clipPath", "mask": "mask",
    "filter": "filter", "feGaussianBlur": "feGaussianBlur", "feDropShadow": "feDropShadow",
    "feOffset": "feOffset", "feFlood": "feFlood", "feComposite": "feComposite",
    "feMerge": "feMerge", "feMergeNode": "feMergeNode", "feColorMatrix": "feColorMatrix",
    "feBlend": "feBlend", "title": "title", "desc": "desc",
}

# Kinds that may hold child elements.
CONTAINERS = frozenset({"group", "g", "defs", "symbol", "pattern", "clipPath", "mask", "filter",
                        "linearGradient", "radialGradient", "feMerge", "text"})

# DDM's own properties: consumed by bind, never emitted as attributes.
DDM_PROPERTIES: dict[str, str] = {
    "box": "x y width height, or `ANCHOR [margin L] size W [H]`",
    "content": "the text of a text element",
    "font": "family [weight] [italic]",
    "size": "font size: a length or fit(min, max)",
    "max-lines": "most lines a text may wrap to",
    "align": "start, center or end",
    "valign": "top, middle or bottom inside the box",
    "line-height": "line height as a multiple of the font size",
    "fit": "how an image fills its box: contain, cover or fill",
    "anchor": "which part of an image to keep: center, top, left...",
    "flow": "below|above|after|before NAME [gap LENGTH] [align start|center|end]",
    "text-mode": "text (an SVG text element) or path (glyph outlines, drawn alike everywhere)",
    "bleed": "canvas edges the element crosses on purpose: top, right, bottom, left or all",
}

# `bleed`: the canvas edges an element may name (`all` is every one), in this order.
BLEED_EDGES = ("top", "right", "bottom", "left")
BLEED_WORDS = (*BLEED_EDGES, "all")
BLEED_HINT = "write `bleed: bottom`, `bleed: left right` or `bleed: all`"


def bleed_problem(shown: str) -> str:
    """What `ddm check` and the binder say of a `bleed` item that names no canvas edge."""
    return f"`bleed` names canvas edges ({', '.join(BLEED_EDGES)} or all), not `{shown}`"

# Attributes whose % values refer to the slot's width, height, or its normalised diagonal.
HORIZONTAL = frozenset({"x", "cx", "x1", "x2", "dx", "width", "rx", "fx"})
VERTICAL = frozenset({"y", "cy", "y1", "y2", "dy", "height", "ry", "fy"})
DIAGONAL = frozenset({"r", "stroke-width", "font-size", "letter-spacing", "stdDeviation"})

ATTRIBUTE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_:-]*\Z")

# Functional notations of SVG and CSS attribute text (transforms, references, colours,
# filters, clip shapes). A template writes such text in quotes (`transform: "scale(1, -1)"`):
# unquoted, it reads as a call to a DDM function of that name, and DDM has none of these.
SVG_FUNCTIONS = frozenset({
    "matrix", "translate", "translateX", "translateY", "scale", "scaleX", "scaleY", "rotate",
    "skewX", "skewY", "url", "rgba", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color-mix",
    "calc", "var", "attr", "linear-gradient", "radial-gradient", "conic-gradient", "inset",
    "circle", "ellipse", "polygon", "path", "blur", "brightness", "drop-shadow", "grayscale",
    "hue-rotate", "invert", "opacity", "saturate", "sepia",
})
ANCHORS = ("top-left", "top", "top-right", "left", "center", "right", "bottom-left", "bottom",
           "bottom-right")


def attribute_problem(name: str) -> str | None:
    """Why an attribute may not be emitted, or None when it is fine."""
    if not ATTRIBUTE_NAME.match(name):
        return f"`{name}` is not a valid SVG attribute name"
    if name.lower().startswith("on"):
        return f"event handler attribute `{name}` is not allowed: templates run no scripts"
    return None


def axis_of(attribute: str) -> str:
    """Which slot dimension a % value of this attribute refers to: w, h or d (diagonal)."""
    if attribute in HORIZONTAL:
        return "w"
    if attribute in VERTICAL:
        return "h"
    return "d"
