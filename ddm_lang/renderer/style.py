"""Computed style: the element's properties (presentation attributes, into which css.py has
cascaded style sheets and the style attribute), inheritance, and conditional attributes."""

from __future__ import annotations

from lxml import etree

from .colors import parse_color
from .conditions import CONDITIONS, conditions_pass
from .options import RenderOptions
from .units import num

INHERITED = frozenset((
    "fill", "fill-opacity", "fill-rule", "clip-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
    "stroke-dashoffset", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
    "letter-spacing", "visibility", "color", "dominant-baseline", "color-interpolation-filters",
    "marker-start", "marker-mid", "marker-end", "paint-order", "shape-rendering",
    "word-spacing", "writing-mode", "font-variant", "font-stretch", "font-variation-settings",
    "kerning", "font-kerning", "font-optical-sizing", "text-rendering", "direction",
    "image-rendering"))
NOT_INHERITED = frozenset((
    "opacity", "clip-path", "mask", "filter", "display", "stop-color", "stop-opacity",
    "flood-color", "flood-opacity", "overflow", "mask-type", "alignment-baseline",
    "mix-blend-mode", "isolation", "baseline-shift", "text-decoration"))
PROPERTIES = INHERITED | NOT_INHERITED
DEFAULTS = {"fill": "black", "stroke": "none", "stroke-width": "1", "font-family": "sans-serif",
            "font-size": "16", "font-weight": "400", "font-style": "normal",
            "text-anchor": "start", "fill-rule": "nonzero", "visibility": "visible",
            "stroke-linecap": "butt", "stroke-linejoin": "miter", "stroke-miterlimit": "4",
            "color": "black"}
NON_RENDERING = frozenset(("defs", "linearGradient", "radialGradient", "clipPath", "mask",
                           "filter", "symbol", "title", "desc", "metadata", "style", "pattern",
                           "script", "marker", "font", "foreignObject", ""))
PAINTS = frozenset(("fill", "stroke", "stop-color", "flood-color"))
SHAPES = frozenset(("rect", "circle", "ellipse", "line", "polyline", "polygon", "path"))


class StyleMixin:
    """Style computation for the renderer."""

    options: RenderOptions

    def initial_style(self) -> dict[str, str]:
        """The root's parent style: CSS initial values, with the configured default font
        size (16 px as in browsers; resvg's test settings use 12)."""
        return {**DEFAULTS, "font-size": repr(float(self.options.font_size))}

    def style(self, el: etree._Element, parent: dict[str, str]) -> dict[str, str]:
        """Computed style: inherited properties from the parent, then the element's own
        properties. Style sheets and the style attribute were already cascaded into the
        attributes at parse time (css.cascade), so attributes are the whole story. An
        element whose conditional attributes (systemLanguage, requiredFeatures, …) fail
        computes as display:none, so every consumer skips it."""
        st = {k: v for k, v in parent.items() if k in INHERITED}
        own: dict[str, str] = {}
        conditional = False
        for key, value in el.attrib.items():
            if key in PROPERTIES:
                own[key] = value.strip()
            elif key in CONDITIONS:
                conditional = True
        for key, value in own.items():
            if key in PAINTS and not valid_paint(value):
                continue
            if value == "inherit":
                if key in parent:
                    st[key] = parent[key]
            else:
                st[key] = value
        if "font-size" in own:
            st["font-size"] = repr(self.font_size(own["font-size"], parent))
        if conditional and not conditions_pass(el, self.options.languages):
            st["display"] = "none"
        return st

    @staticmethod
    def font_size(spec: str, parent: dict[str, str]) -> float:
        """Font size in px; em and % are relative to the parent's font size."""
        base = num(parent.get("font-size"), 16.0)
        # named sizes step by 1.2 from the parent's size, as resvg resolves them
        steps = {"xx-small": -3, "x-small": -2, "small": -1, "medium": 0, "large": 1,
                 "x-large": 2, "xx-large": 3, "larger": 1, "smaller": -1}
        if spec in steps:
            return base * 1.2 ** steps[spec]
        return max(0.0, num(spec, base, base, base))



def valid_paint(value: str) -> bool:
    """Whether a paint value parses; an invalid one is ignored, so the inherited one holds."""
    v = value.strip().lower()
    return v in ("none", "inherit", "currentcolor", "transparent", "context-fill",
                 "context-stroke") or v.startswith("url(") or \
        parse_color(v) is not None
