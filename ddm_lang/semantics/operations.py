"""The abstract operations' signatures: what the checker validates a pipeline against.

This table is declarative — names, the element kinds each operation applies to, its
clauses and arguments with their types and allowed words, the perception it relies on —
so checking a template loads no operation's code (and none of the imaging libraries
behind it). The binder looks up each operation's resolver by name (`ops/registry.py`);
a resolver registers under a name this table has, and every name here has one.

Each argument and clause declares what a literal value written for it may be: its `type`
(`word`: one of `choices`; `number`: a number without a unit, within `bounds` when given;
`length`: a number or a length, within `bounds` when given; `color`: a colour, or one of
`choices`; `string`: a string or a bare word; `bool`; `region`; `names`: element names;
`expr`: anything). The checker refuses any other literal, with the choices and a
did-you-mean; a computed value (a name bound to a value, a call, arithmetic, a
conditional) is checked when it is bound. The accepted sets and ranges are defined here
once and the resolvers in `ops/` import them, so `ddm check` and the resolvers cannot
disagree; tests/test_op_arguments.py walks the whole table to hold them to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Interval:
    """The numbers an argument accepts: from `low` to `high`, both included, except `low`
    when `open_low`."""

    low: float = -math.inf
    high: float = math.inf
    open_low: bool = False

    def __contains__(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        above = self.low < value if self.open_low else self.low <= value
        return above and value <= self.high

    def describe(self) -> str:
        """`from 0 to 1`, `above 0 and at most 1`, `0 or more`."""
        low, high = format(self.low, "g"), format(self.high, "g")
        if math.isinf(self.high):
            return f"above {low}" if self.open_low else f"{low} or more"
        return f"above {low} and at most {high}" if self.open_low else f"from {low} to {high}"


@dataclass(frozen=True)
class ClauseSpec:
    """A clause keyword the operation accepts, the type of its values and how many."""

    keyword: str
    type: str                  # region | name | names | word | color | expr
    choices: tuple[str, ...] = ()  # allowed words (type "word"; also accepted by "color")
    doc: str = ""
    bounds: Interval | None = None  # numbers accepted (types "number" and "length")


@dataclass(frozen=True)
class OpArgSpec:
    name: str
    type: str                  # number | length | color | string | word | bool
    choices: tuple[str, ...] = ()  # allowed words (type "word"; also accepted by "color")
    default: Any = None
    doc: str = ""
    bounds: Interval | None = None  # numbers accepted (types "number" and "length")
    # words an author reaches for that another operation does, with the hint that says so
    elsewhere: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OperationSpec:
    """One operation's signature. `default_box` names the clause (or argument) that
    receives the element's own box when the template gives none: the region `place`
    fills and `extend` grows to."""

    name: str
    applies_to: frozenset[str]          # element kinds, e.g. {"image"}
    clauses: dict[str, ClauseSpec] = field(default_factory=dict)
    args: dict[str, OpArgSpec] = field(default_factory=dict)
    needs: tuple[str, ...] = ()          # perception providers it relies on
    doc: str = ""
    default_box: str | None = None


CAPTION_KINDS = ("headline", "selling_point", "cta", "price", "brand")
SHADOW_KINDS = ("drop", "contact")
MIRROR_SIDES = ("left", "right")
REFLECT_OPACITY = 0.35   # `reflect`: opacity at the base
REFLECT_FADE = 0.4       # `reflect`: fades out over this fraction of the height
RECOLOR_SCHEMES = ("dominant", "accent", "complement", "background")
UNIT_INTERVAL = Interval(0.0, 1.0)   # opacities and amounts
FRACTION = Interval(0.0, 1.0, open_low=True)  # a part of something, more than none of it
NOT_NEGATIVE = Interval(0.0)
FITS = ("contain", "cover", "fill", "subject")
ANCHORS = ("center", "top", "bottom", "left", "right", "top-left", "top-right",
           "bottom-left", "bottom-right")

OPERATIONS: dict[str, OperationSpec] = {spec.name: spec for spec in (
    OperationSpec(
        name="caption",
        applies_to=frozenset({"text"}),
        args={
            "kind": OpArgSpec("kind", "word", CAPTION_KINDS, "headline"),
            "max_lines": OpArgSpec("max_lines", "number", (), 2),
            "lang": OpArgSpec("lang", "string", (), None),
        },
        needs=("copy",),
        doc="copy for a text box from the product data: only facts present in it"),
    OperationSpec(
        name="cutout",
        applies_to=frozenset({"image"}),
        needs=("subject",),
        doc="replace the background by transparency using the subject matte"),
    OperationSpec(
        name="extend",
        applies_to=frozenset({"image"}),
        clauses={
            "to": ClauseSpec("to", "region", (), "the region whose aspect ratio to reach"),
        },
        needs=("subject", "background"),
        doc="outpaint the image to the target region's aspect ratio",
        default_box="to"),
    OperationSpec(
        name="mirror",
        applies_to=frozenset({"image"}),
        args={"toward": OpArgSpec(
            "toward", "word", MIRROR_SIDES, None,
            "where the copy is (default: the other half of the canvas)",
            elsewhere=tuple((side, "`mirror` flips sideways; a floor reflection below the "
                             "product is `| reflect` (after `place`)") for side in ("down", "up")))},
        needs=("subject", "ocr"),
        doc="horizontal flip when the subject faces away from the copy; never an image that "
            "carries text"),
    OperationSpec(
        name="place",
        applies_to=frozenset({"image"}),
        clauses={
            "in": ClauseSpec("in", "region",
                             doc="the region to place into (default: the element's box)"),
            "fit": ClauseSpec("fit", "word", FITS, "contain (whole image), cover (fill, crop, "
                              "keep the subject), fill (stretch), subject (crop to the subject)"),
            "anchor": ClauseSpec("anchor", "word", ANCHORS,
                                 "which side to keep when cropping or letterboxing"),
            "avoid": ClauseSpec("avoid", "names",
                                doc="elements whose boxes the image must not cover"),
        },
        needs=("subject",),
        doc="crop, scale and position the image in a box, never cutting its subject",
        default_box="region"),
    OperationSpec(
        name="recolor",
        applies_to=frozenset({"image"}),
        clauses={
            "with": ClauseSpec("with", "color", RECOLOR_SCHEMES, "dominant, accent, "
                               "complement, background or a colour"),
        },
        args={
            "amount": OpArgSpec("amount", "number", (), 1.0, "how much duotone, 0..1",
                                bounds=UNIT_INTERVAL),
        },
        needs=("palette",),
        doc="duotone of the image in a colour of its palette (dominant, accent, complement, "
            "background) or a given colour"),
    OperationSpec(
        name="reflect",
        applies_to=frozenset({"image"}),
        args={
            "opacity": OpArgSpec("opacity", "number", (), REFLECT_OPACITY,
                                 "the reflection's opacity at the base, 0..1",
                                 bounds=UNIT_INTERVAL),
            "fade": OpArgSpec("fade", "number", (), REFLECT_FADE,
                              "how far down it fades to nothing, a fraction of the height, "
                              "0..1", bounds=FRACTION),
            "gap": OpArgSpec("gap", "length", (), None,
                             "room between the base and the reflection (default 0)",
                             bounds=NOT_NEGATIVE),
        },
        needs=("subject",),
        doc="a floor reflection: the image as drawn, flipped about its base (the subject's, "
            "once cut out) and fading out below it"),
    OperationSpec(
        name="shadow",
        applies_to=frozenset({"image"}),
        args={
            "kind": OpArgSpec("kind", "word", SHADOW_KINDS, "drop"),
            "blur": OpArgSpec("blur", "length", (), None),
            "opacity": OpArgSpec("opacity", "number", (), None, bounds=UNIT_INTERVAL),
        },
        needs=("subject", "light"),
        doc="drop or contact shadow matching the estimated light direction"),
)}


def get(name: str) -> OperationSpec | None:
    return OPERATIONS.get(name)


def names() -> list[str]:
    return sorted(OPERATIONS)
