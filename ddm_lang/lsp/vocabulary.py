"""The words the editor offers, grouped by where they may be written.

Keywords come from the grammar's quoted literals, element kinds and DDM properties from
the SVG vocabulary, functions and operations from their signature tables, so a word added
to the language is offered without touching this module. What the compiler does not list
itself (the SVG attributes each kind takes, the words some attribute values accept) is
kept here, next to the rules that choose among them.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from ddm_lang.semantics import checker, operations
from ddm_lang.semantics.functions import SCHEMES, SIDES, WCAG_LEVELS
from ddm_lang.semantics.svg_vocab import ANCHORS, DDM_PROPERTIES, ELEMENT_TAGS

# Words that start a statement, at the top level or in a block.
STATEMENT_KEYWORDS = ("let", "for", "when", "raw")
TOP_LEVEL_KEYWORDS = ("template", "formats", "import", "object", "component")
CLAUSE_KEYWORDS = ("to", "in", "fit", "avoid", "anchor", "with", "at", "by", "side")
EXPRESSION_KEYWORDS = ("and", "or", "not", "in", "if", "else", "true", "false", "none")
ROOT_NAMES = tuple(checker.ROOT_NAMES)
FORMAT_FIELDS = dict(checker.FORMAT_FIELDS)
PARAM_TYPES = checker.PARAM_TYPES
# The font weights `font:` accepts by name (the binder's table, as docs/language.md lists).
FONT_WORDS = ("thin", "light", "normal", "regular", "medium", "semibold", "bold", "extrabold",
              "black", "italic")

_LITERAL = re.compile(r'"([a-z]+)"')


@cache
def keywords() -> frozenset[str]:
    """Every keyword of the grammar (the quoted lowercase literals of `ddm.lark`)."""
    grammar = resources.files("ddm_lang.grammar").joinpath("ddm.lark").read_text("utf-8")
    code = "\n".join(line for line in grammar.splitlines() if not line.lstrip().startswith("//"))
    return frozenset(_LITERAL.findall(code))


def element_kinds() -> list[str]:
    return sorted(ELEMENT_TAGS)


# SVG attributes every drawn element takes (presentation attributes).
PRESENTATION = ("fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
                "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
                "stroke-miterlimit", "opacity", "transform", "filter", "clip-path", "mask",
                "visibility", "display", "paint-order", "style", "class")
_TEXT_ATTRS = ("x", "y", "dx", "dy", "font-size", "font-family", "font-weight", "font-style",
               "letter-spacing", "word-spacing", "text-anchor", "dominant-baseline",
               "text-decoration")
_PRIMITIVE = ("x", "y", "width", "height", "result")
# The attributes of each kind beyond the presentation ones.
KIND_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "rect": ("x", "y", "width", "height", "rx", "ry"),
    "circle": ("cx", "cy", "r"),
    "ellipse": ("cx", "cy", "rx", "ry"),
    "line": ("x1", "y1", "x2", "y2"),
    "polyline": ("points",),
    "polygon": ("points",),
    "path": ("d", "pathLength"),
    "text": _TEXT_ATTRS,
    "tspan": _TEXT_ATTRS,
    "image": ("x", "y", "width", "height", "preserveAspectRatio"),
    "use": ("href", "x", "y", "width", "height"),
    "group": (),
    "g": (),
    "defs": (),
    "symbol": ("viewBox", "preserveAspectRatio", "x", "y", "width", "height"),
    "pattern": ("x", "y", "width", "height", "patternUnits", "patternContentUnits",
                "patternTransform", "viewBox", "href"),
    "linearGradient": ("x1", "y1", "x2", "y2", "gradientUnits", "gradientTransform",
                       "spreadMethod", "href"),
    "radialGradient": ("cx", "cy", "r", "fx", "fy", "fr", "gradientUnits", "gradientTransform",
                       "spreadMethod", "href"),
    "stop": ("offset", "stop-color", "stop-opacity"),
    "clipPath": ("clipPathUnits",),
    "mask": ("x", "y", "width", "height", "maskUnits", "maskContentUnits"),
    "filter": ("x", "y", "width", "height", "filterUnits", "primitiveUnits"),
    "feGaussianBlur": ("in", "stdDeviation", "edgeMode", *_PRIMITIVE),
    "feDropShadow": ("in", "dx", "dy", "stdDeviation", "flood-color", "flood-opacity",
                     *_PRIMITIVE),
    "feOffset": ("in", "dx", "dy", *_PRIMITIVE),
    "feFlood": ("flood-color", "flood-opacity", *_PRIMITIVE),
    "feComposite": ("in", "in2", "operator", "k1", "k2", "k3", "k4", *_PRIMITIVE),
    "feMerge": _PRIMITIVE,
    "feMergeNode": ("in",),
    "feColorMatrix": ("in", "type", "values", *_PRIMITIVE),
    "feBlend": ("in", "in2", "mode", *_PRIMITIVE),
    "title": (),
    "desc": (),
}
# Kinds that draw nothing themselves: no presentation attributes offered.
_UNPAINTED = frozenset({"defs", "stop", "title", "desc", "feMergeNode", "clipPath"})

# The words an attribute's value may be, where it is a closed set.
VALUE_WORDS: dict[str, tuple[str, ...]] = {
    "align": checker.FLOW_ALIGN,
    "valign": ("top", "middle", "bottom"),
    "fit": ("contain", "cover", "fill"),
    "anchor": ANCHORS,
    "text-mode": ("text", "path"),
    "font": FONT_WORDS,
    "flow": (*checker.FLOW_DIRECTIONS, "gap", "align", *checker.FLOW_ALIGN),
    "box": (*ANCHORS, "margin", "size"),
    "fill": ("none",),
    "stroke": ("none",),
    "stroke-linecap": ("butt", "round", "square"),
    "stroke-linejoin": ("miter", "round", "bevel"),
    "fill-rule": ("nonzero", "evenodd"),
    "text-anchor": ("start", "middle", "end"),
    "dominant-baseline": ("auto", "middle", "central", "hanging", "alphabetic"),
    "text-decoration": ("none", "underline", "overline", "line-through"),
    "visibility": ("visible", "hidden"),
    "spreadMethod": ("pad", "reflect", "repeat"),
    "gradientUnits": ("userSpaceOnUse", "objectBoundingBox"),
    "patternUnits": ("userSpaceOnUse", "objectBoundingBox"),
    "filterUnits": ("userSpaceOnUse", "objectBoundingBox"),
    "operator": ("over", "in", "out", "atop", "xor", "arithmetic"),
    "mode": ("normal", "multiply", "screen", "overlay", "darken", "lighten"),
    "type": ("matrix", "saturate", "hueRotate", "luminanceToAlpha"),
    "in": ("SourceGraphic", "SourceAlpha"),
    "in2": ("SourceGraphic", "SourceAlpha"),
    "edgeMode": ("duplicate", "wrap", "none"),
}

# Words some function arguments take: (function, parameter) → words.
ARGUMENT_WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("scheme", "kind"): SCHEMES,
    ("readable", "level"): tuple(WCAG_LEVELS),
    ("slot", "area"): SIDES,
}

# What a `recolor with` clause names besides a colour expression.
RECOLOR_SOURCES = ("dominant", "accent", "complement", "background")


def properties_for(kind: str | None) -> list[tuple[str, str]]:
    """(name, what it is) for every property an element of `kind` may set: DDM's own
    that apply to it, then its SVG attributes. An unknown kind (a component instance is
    handled by the caller) gets DDM's general properties and the presentation ones."""
    out: list[tuple[str, str]] = []
    for name, doc in DDM_PROPERTIES.items():
        if name in checker.TEXT_ONLY and kind not in ("text", None):
            continue
        if name in checker.IMAGE_ONLY and kind not in ("image", None):
            continue
        out.append((name, f"DDM property: {doc}"))
    seen = {name for name, _ in out}
    attrs = KIND_ATTRIBUTES.get(kind or "", ())
    painted = () if kind in _UNPAINTED else PRESENTATION
    for name in (*attrs, *painted):
        if name not in seen:
            seen.add(name)
            out.append((name, "SVG attribute"))
    return out


def operation_clauses(op: str) -> list[str]:
    spec = operations.get(op)
    return list(spec.clauses) if spec else []


def clause_words(op: str, clause: str) -> tuple[str, ...]:
    """The words a clause of an operation accepts (`fit contain`), if a closed set."""
    spec = operations.get(op)
    if spec is None or clause not in spec.clauses:
        return ()
    if op == "recolor" and clause == "with":
        return RECOLOR_SOURCES
    return spec.clauses[clause].choices
