"""The perception attributes a template may ask about, with their types and providers.

This is the contract between templates and perception: the checker validates `where`,
`prefer` and `object.attr` expressions against it (so `subject.aera` gets "did you mean
`subject.area`?"), and the binder asks the provider named here for the value. A provider
that is not installed makes the attribute a clear per-compile error, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attribute:
    path: str       # dotted name as written in templates
    type: str       # number | bool | string | color | box | list
    provider: str   # which perceiver computes it
    doc: str


_ATTRIBUTES = (
    Attribute("width", "number", "header", "image width in pixels"),
    Attribute("height", "number", "header", "image height in pixels"),
    Attribute("aspect", "number", "header", "width / height"),
    Attribute("megapixels", "number", "header", "width × height / 1e6"),
    Attribute("format", "string", "header", "file format: png, jpeg, webp, svg"),
    Attribute("has_alpha", "bool", "header", "the file carries an alpha channel"),
    Attribute("src", "string", "header", "the material's file path"),
    Attribute("index", "number", "header",
              "position in the object's source list, 0 for the first (the feed's main image)"),
    Attribute("subject.found", "bool", "subject", "a salient subject was segmented"),
    Attribute("subject.area", "number", "subject", "subject mask area / image area"),
    Attribute("subject.box", "box", "subject", "subject bounding box, 0..1 of the image"),
    Attribute("subject.centroid", "box", "subject", "subject centroid, 0..1 of the image"),
    Attribute("subject.facing", "string", "subject", "left, right or front"),
    Attribute("subject.source", "string", "subject",
              "where the mask came from: model, or alpha for a cut-out image"),
    Attribute("text.found", "bool", "ocr", "the image carries text"),
    Attribute("text.area", "number", "ocr", "area of detected text boxes / image area"),
    Attribute("text.content", "string", "ocr", "recognised text"),
    Attribute("text.boxes", "list", "ocr", "detected text boxes, 0..1 of the image"),
    Attribute("background.kind", "string", "background", "transparent, plain or scene"),
    Attribute("background.transparent", "bool", "background", "background is transparent"),
    Attribute("background.plain", "bool", "background", "background is one flat colour"),
    Attribute("background.color", "color", "background",
              "background colour; none for a transparent background"),
    Attribute("palette.dominant", "color", "palette", "most frequent colour"),
    Attribute("palette.accent", "color", "palette", "most saturated frequent colour"),
    Attribute("palette.colors", "list", "palette", "dominant colours, most frequent first"),
    Attribute("palette.shares", "list", "palette", "each palette colour's share of the image"),
    Attribute("palette.subject", "list", "palette", "the subject's own colours"),
    Attribute("region.colors", "list", "palette",
              "mean colour of each cell of a 3 × 3 grid, rows top to bottom"),
    Attribute("background.uniformity", "number", "palette",
              "share of border pixels close to the background colour"),
    Attribute("quality", "number", "quality", "overall quality 0..1"),
    Attribute("sharpness", "number", "quality", "sharpness 0..1"),
    Attribute("light.direction", "number", "light",
              "where the light comes from, degrees clockwise from the top"),
    Attribute("light.strength", "number", "light", "how directional the light is, 0..1"),
    Attribute("suitability.pure_text", "bool", "suitability", "the image is mostly text"),
    Attribute("suitability.collage", "bool", "suitability", "the image is a collage"),
    Attribute("suitability.too_small", "bool", "suitability", "too small for large slots"),
    Attribute("suitability.low_quality", "bool", "suitability", "blurred or noisy"),
)

ATTRIBUTES: dict[str, Attribute] = {a.path: a for a in _ATTRIBUTES}
ROOTS: frozenset[str] = frozenset(a.path.split(".")[0] for a in _ATTRIBUTES)


def lookup(path: str) -> Attribute | None:
    return ATTRIBUTES.get(path)


def children(prefix: str) -> list[str]:
    """Attribute names one level below `prefix` (for hints and completion)."""
    depth = prefix.count(".") + 1 if prefix else 0
    out = set()
    for p in ATTRIBUTES:
        parts = p.split(".")
        if (not prefix or p.startswith(prefix + ".")) and len(parts) > depth:
            out.add(parts[depth])
    return sorted(out)
