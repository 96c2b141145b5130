"""Conditional processing: requiredExtensions, requiredFeatures and systemLanguage.

An element whose conditions fail is not rendered; `<switch>` draws its first child whose
conditions pass. Feature strings and language matching follow resvg (SVG 1.1 § 5.8)."""

from __future__ import annotations

from lxml import etree

from .document import local_name

CONDITIONS = frozenset(("requiredExtensions", "requiredFeatures", "systemLanguage"))

# The SVG 1.1 feature strings resvg claims to support.
FEATURES = frozenset("http://www.w3.org/TR/SVG11/feature#" + name for name in (
    "SVGDOM-static", "SVG-static", "CoreAttribute", "Structure", "BasicStructure",
    "ContainerAttribute", "ConditionalProcessing", "Image", "Style", "Shape", "Text",
    "BasicText", "PaintAttribute", "BasicPaintAttribute", "OpacityAttribute",
    "GraphicsAttribute", "BasicGraphicsAttribute", "Marker", "Gradient", "Pattern", "Clip",
    "BasicClip", "Mask", "Filter", "BasicFilter", "XlinkAttribute"))


def conditions_pass(el: etree._Element, languages: tuple[str, ...]) -> bool:
    """Whether the element's conditional attributes all evaluate to true."""
    if el.get("requiredExtensions") is not None:
        return False  # no extension is supported
    features = el.get("requiredFeatures")
    if features is not None and any(f not in FEATURES for f in features.split(" ")):
        return False
    langs = el.get("systemLanguage")
    return langs is None or language_matches(langs, languages)


def language_matches(spec: str, languages: tuple[str, ...]) -> bool:
    """True if a user language equals one listed, or equals its prefix before a `-`
    (`en` matches `en-GB`)."""
    for lang in spec.split(","):
        lang = lang.strip()
        if lang in languages or ("-" in lang and lang.split("-", 1)[0] in languages):
            return True
    return False


# The elements resvg knows; a <switch> skips anything else (foreign or unknown elements).
SVG_ELEMENTS = frozenset((
    "a", "circle", "clipPath", "defs", "ellipse", "feBlend", "feColorMatrix",
    "feComponentTransfer", "feComposite", "feConvolveMatrix", "feDiffuseLighting",
    "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB",
    "feFuncG", "feFuncR", "feGaussianBlur", "feImage", "feMerge", "feMergeNode",
    "feMorphology", "feOffset", "fePointLight", "feSpecularLighting", "feSpotLight", "feTile",
    "feTurbulence", "filter", "g", "image", "line", "linearGradient", "marker", "mask", "path",
    "pattern", "polygon", "polyline", "radialGradient", "rect", "stop", "style", "svg",
    "switch", "symbol", "text", "textPath", "tref", "tspan", "use"))


def switch_choice(switch: etree._Element, languages: tuple[str, ...]) -> etree._Element | None:
    """The one child a <switch> renders: its first SVG element whose conditions pass."""
    for child in switch:
        if local_name(child) in SVG_ELEMENTS and conditions_pass(child, languages):
            return child
    return None
