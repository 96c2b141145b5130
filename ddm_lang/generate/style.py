"""Style: the colours, type and finishes of a design, estimated from the product's photo.

A style is written into the template as named `let`s whose values are DDM expressions
over the hero's perceived palette (`tint(hero.palette.accent, 0.86)`, `readable(...)`),
not as the colours they come to for this product: the template then restyles itself for
any other product, and a designer edits one line to change a colour everywhere. What is
estimated here from the perception record is which variants suit the photo (a pale field
loses a white product; a deep field swallows a black one) and how far to tint; the
binder's contrast and separation guarantees then fix what the estimate cannot see.

Each variant differs in more than colour — field (flat, gradient, glow), type weights,
button shape, shadow, reflection — so that designs sharing a layout still look unlike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ddm_lang.semantics.functions import to_oklch
from ddm_lang.values import Color

CJK_LANGS = ("zh", "ja", "ko")


@dataclass(frozen=True)
class Colour:
    """A named colour of the design: its `let` name, DDM expression and what it is for."""

    name: str
    expression: str
    role: str


@dataclass(frozen=True)
class Style:
    """A design's look. `colours` are `let`s in order (later ones may use earlier ones);
    the writer relies on the names `paper` (the field), `ink` (headline), `soft` (support
    copy), `pop` (the price), `plate`/`plate-ink` (the button), `deco` (floor, panel,
    disc), `badge-tone`/`badge-ink` (the discount badge) and, for a gradient field,
    `wash-start`/`wash-end`."""

    name: str
    description: str
    colours: tuple[Colour, ...]
    field: str                    # flat | linear | radial
    display_weight: int           # the headline's weight
    body_weight: int              # support copy
    price_weight: int
    display_face: str             # Latin family of the headline (CJK: the CJK face)
    body_face: str                # Latin family of the copy
    button: str                   # pill | rounded | square | outline
    shadow: str                   # contact | drop
    reflect: bool                 # a floor reflection when the product stands on a floor
    kicker_spacing: float = 0.0   # letter-spacing of the brand line, vmin
    headline_fill: str = "ink"    # the colour name the headline is set in

    def colour(self, name: str) -> str:
        return next(c.expression for c in self.colours if c.name == name)


@dataclass(frozen=True)
class Looks:
    """What the style estimate reads from the hero's perception record."""

    accent_lightness: float
    accent_chroma: float
    subject_lightness: float     # of the subject's main colour
    scene: bool                  # the photo is a scene, not a pack shot

    @classmethod
    def of(cls, record: dict[str, Any]) -> Looks:
        accent = _oklch(record.get("palette.accent"))
        subject_colours = record.get("palette.subject") or [record.get("palette.dominant")]
        subject = _oklch(subject_colours[0] if subject_colours else None)
        return cls(accent[0], accent[1], subject[0], record.get("background.kind") == "scene")


def _oklch(hex_colour: Any) -> tuple[float, float, float]:
    try:
        return to_oklch(Color.parse(str(hex_colour)))
    except ValueError:
        return (0.6, 0.0, 0.0)


def _c(name: str, expression: str, role: str) -> Colour:
    return Colour(name, expression, role)


def _badge(field: str) -> tuple[Colour, ...]:
    return (_c("badge-tone", f"readable(scheme(tone, split)[1], {field}, large)",
               "the discount badge"),
            _c("badge-ink", "contrast(badge-tone, #111111, #ffffff)", "its label"))


def _tinted(looks: Looks, faces: tuple[str, str]) -> Style:
    # A white or pale product needs a field with some colour in it to stand out.
    amount = 0.62 if looks.subject_lightness > 0.88 else 0.86
    return Style(
        "tinted", "a pale tint of the product's accent, deep copy, a deep pill button",
        (_c("paper", f"tint(tone, {amount})", "the field"),
         _c("glow", f"tint(tone, {amount - 0.2:.2f})", "the glow behind the product"),
         _c("ink", "readable(shade(tone, 0.8), paper, aa)", "the headline"),
         _c("soft", "readable(shade(tone, 0.55), paper, aa)", "support copy"),
         _c("pop", "readable(shade(tone, 0.7), paper, aa)", "the price"),
         _c("plate", "shade(tone, 0.45)", "the button"),
         _c("plate-ink", "contrast(plate, #111111, #ffffff)", "the button's label"),
         _c("deco", f"tint(tone, {amount - 0.18:.2f})", "floor, panel and disc"),
         *_badge("paper")),
        "radial", 800, 500, 800, faces[0], faces[1], "pill", "contact", True)


def _deep(looks: Looks, faces: tuple[str, str]) -> Style:
    # A dark product keeps some light in the field around it.
    amount = 0.3 if looks.subject_lightness < 0.35 else 0.55
    return Style(
        "deep", "a deep field of the accent, light copy, a pale button and a bright price",
        (_c("paper", f"shade(tone, {amount})", "the field"),
         _c("ink", "contrast(paper, #111111, #ffffff)", "the headline"),
         _c("soft", "readable(tint(tone, 0.6), paper, aa)", "support copy"),
         _c("pop", "readable(tint(tone, 0.72), paper, aaa)", "the price"),
         _c("plate", "readable(tint(tone, 0.82), paper, large)", "the button"),
         _c("plate-ink", "readable(shade(tone, 0.6), plate, aa)", "the button's label"),
         _c("deco", f"shade(tone, {max(0.0, amount - 0.22):.2f})", "floor, panel and disc"),
         *_badge("paper")),
        "flat", 900, 500, 900, faces[0], faces[1], "rounded", "drop", False)


def _wash(looks: Looks, faces: tuple[str, str]) -> Style:
    return Style(
        "wash", "a two-colour wash from an analogous harmony of the accent",
        (_c("pair", "scheme(tone, analogous)", "the accent's neighbours on the colour wheel"),
         _c("wash-start", "tint(pair[1], 0.55)", "where the wash starts"),
         _c("wash-end", "tint(pair[2], 0.2)", "where it ends"),
         _c("paper", "mix(wash-start, wash-end)", "the field, as copy is judged against it"),
         _c("ink", "readable(shade(tone, 0.85), paper, aaa)", "the headline"),
         _c("soft", "readable(shade(tone, 0.6), paper, aa)", "support copy"),
         _c("pop", "readable(shade(tone, 0.75), paper, aa)", "the price"),
         _c("plate", "readable(shade(tone, 0.55), paper, large)", "the button"),
         _c("plate-ink", "contrast(plate, #111111, #ffffff)", "the button's label"),
         _c("deco", "alpha(#ffffff, 0.4)", "floor, panel and disc: a veil of white"),
         *_badge("paper")),
        "linear", 800, 500, 800, faces[0], faces[1], "rounded", "drop", False)


def _studio(looks: Looks, faces: tuple[str, str]) -> Style:
    return Style(
        "studio", "a quiet warm grey, light type, a thin rule and an outlined button",
        (_c("paper", "tint(mix(tone, #8a8276, 0.6), 0.9)", "the field"),
         _c("ink", "readable(shade(mix(tone, #333333, 0.7), 0.55), paper, aaa)", "the headline"),
         _c("soft", "readable(mix(ink, paper, 0.35), paper, aa)", "support copy"),
         _c("pop", "readable(tone, paper, aa)", "the price and the rule"),
         _c("plate", "ink", "the button's outline"),
         _c("plate-ink", "ink", "the button's label"),
         _c("deco", "tint(mix(tone, #8a8276, 0.6), 0.74)", "floor, panel and disc"),
         *_badge("paper")),
        "flat", 500, 400, 600, faces[1], faces[1], "outline", "contact", True,
        kicker_spacing=0.3)


def _poster(looks: Looks, faces: tuple[str, str]) -> Style:
    return Style(
        "poster", "an off-white field, a black headline, the price and button in the accent",
        (_c("paper", "mix(#f7f5f0, tone, 0.05)", "the field"),
         _c("ink", "readable(shade(tone, 0.92), paper, aaa)", "the headline"),
         _c("soft", "readable(shade(tone, 0.6), paper, aa)", "support copy"),
         _c("pop", "readable(tone, paper, aa)", "the price"),
         _c("plate", "readable(tone, paper, large)", "the button"),
         _c("plate-ink", "contrast(plate, #111111, #ffffff)", "the button's label"),
         _c("deco", "tint(scheme(tone, split)[1], 0.6)", "floor, panel and disc"),
         *_badge("paper")),
        "flat", 900, 600, 900, faces[0], faces[1], "square", "drop", False)


_VARIANTS = {"tinted": _tinted, "deep": _deep, "wash": _wash, "studio": _studio,
             "poster": _poster}
VARIANT_NAMES = tuple(_VARIANTS)


def faces(category: str | None) -> tuple[str, str]:
    """The Latin (display, body) pairing for a category: a grotesque for technical and
    everyday goods, a humanist headline for what sells on feel (beauty, home, fashion).
    Chinese, Japanese and Korean copy is set in Noto Sans CJK whatever the pairing (the
    template chooses by the product's language, `let display`)."""
    soft = {"beauty", "home", "apparel", "fashion", "jewelry", "jewellery", "furniture"}
    if (category or "").lower() in soft:
        return ("Noto Sans", "Inter")
    return ("Inter", "Noto Sans")


def estimate_styles(record: dict[str, Any], category: str | None = None) -> list[Style]:
    """Every style variant for a hero photo's perception record, the best suited first:
    deep fields last for dark products and pale ones last for white products; neutral
    looks first for products without colour of their own."""
    looks = Looks.of(record)
    pair = faces(category)
    order = ["tinted", "deep", "wash", "poster", "studio"]
    if looks.accent_chroma < 0.05:          # black, grey, white goods: neutral looks lead
        order = ["poster", "studio", "tinted", "deep", "wash"]
    if looks.subject_lightness < 0.35:      # a dark product on a dark field disappears
        order.remove("deep")
        order.append("deep")
    if looks.subject_lightness > 0.88:      # a white product on a pale field too
        for pale in ("studio", "poster"):
            order.remove(pale)
            order.append(pale)
    return [_VARIANTS[name](looks, pair) for name in order]


def style_named(name: str, record: dict[str, Any], category: str | None = None) -> Style:
    """One variant by name (for tests and for restyling a design)."""
    return _VARIANTS[name](Looks.of(record), faces(category))
