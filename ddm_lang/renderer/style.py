"""Computed style: presentation attributes, the style attribute and inheritance."""

from __future__ import annotations

from lxml import etree

from .colors import parse_color
from .units import num

INHERITED = frozenset((
    "fill", "fill-opacity", "fill-rule", "clip-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
    "stroke-dashoffset", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
    "letter-spacing", "visibility", "color", "dominant-baseline", "color-interpolation-filters"))
NOT_INHERITED = frozenset((
    "opacity", "clip-path", "mask", "filter", "display", "stop-color", "stop-opacity",
    "flood-color", "flood-opacity", "overflow", "mask-type", "alignment-baseline"))
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
WEIGHTS = {"normal": 400, "bold": 700, "bolder": 700, "lighter": 300}


class StyleMixin:
    """Style computation for the renderer."""

    def style(self, el: etree._Element, parent: dict[str, str]) -> dict[str, str]:
        """Computed style: inherited properties from the parent, then presentation
        attributes, then the style attribute (which wins, as in CSS)."""
        st = {k: v for k, v in parent.items() if k in INHERITED}
        own: dict[str, str] = {}
        for key, value in el.attrib.items():
            if key in PROPERTIES:
                own[key] = value.strip()
        style_attr = el.get("style")
        if style_attr:
            for decl in style_attr.split(";"):
                k, sep, v = decl.partition(":")
                k = k.strip().lower()
                if sep and k in PROPERTIES:
                    own[k] = v.replace("!important", "").strip()
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
        return st

    @staticmethod
    def font_size(spec: str, parent: dict[str, str]) -> float:
        """Font size in px; em and % are relative to the parent's font size."""
        base = num(parent.get("font-size"), 16.0)
        keywords = {"xx-small": 9, "x-small": 10, "small": 13, "medium": 16, "large": 18,
                    "x-large": 24, "xx-large": 32, "larger": base * 1.2, "smaller": base / 1.2}
        if spec in keywords:
            return float(keywords[spec])
        return max(0.0, num(spec, base, base, base))



def valid_paint(value: str) -> bool:
    """Whether a paint value parses; an invalid one is ignored, so the inherited one holds."""
    v = value.strip().lower()
    return v in ("none", "inherit", "currentcolor", "transparent") or v.startswith("url(") or \
        parse_color(v) is not None


def font_weight(st: dict[str, str]) -> int:
    text = st.get("font-weight", "400").strip()
    if text in WEIGHTS:
        return WEIGHTS[text]
    return max(1, min(1000, int(num(text, 400.0))))


def is_italic(st: dict[str, str]) -> bool:
    return st.get("font-style", "normal").split()[0] in ("italic", "oblique") \
        if st.get("font-style") else False


