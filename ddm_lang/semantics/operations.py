"""The abstract operations' signatures: what the checker validates a pipeline against.

This table is declarative — names, the element kinds each operation applies to, its
clauses and arguments with their types and allowed words, the perception it relies on —
so checking a template loads no operation's code (and none of the imaging libraries
behind it). The binder looks up each operation's resolver by name (`ops/registry.py`);
a resolver registers under a name this table has, and every name here has one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ClauseSpec:
    """A clause keyword the operation accepts, the type of its values and how many."""

    keyword: str
    type: str                  # region | name | names | word | expr
    choices: tuple[str, ...] = ()  # allowed words for type "word"
    doc: str = ""


@dataclass(frozen=True)
class OpArgSpec:
    name: str
    type: str                  # number | length | color | string | word | bool
    choices: tuple[str, ...] = ()
    default: Any = None
    doc: str = ""


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
        args={"toward": OpArgSpec("toward", "word", MIRROR_SIDES, None,
                                  "where the copy is (default: the other half of the canvas)")},
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
            "with": ClauseSpec("with", "expr", (), "dominant, accent, complement, background "
                               "or a colour"),
        },
        args={
            "amount": OpArgSpec("amount", "number", (), 1.0, "how much duotone, 0..1"),
        },
        needs=("palette",),
        doc="duotone of the image in a colour of its palette (dominant, accent, complement, "
            "background) or a given colour"),
    OperationSpec(
        name="shadow",
        applies_to=frozenset({"image"}),
        args={
            "kind": OpArgSpec("kind", "word", SHADOW_KINDS, "drop"),
            "blur": OpArgSpec("blur", "length", (), None),
            "opacity": OpArgSpec("opacity", "number", (), None),
        },
        needs=("subject", "light"),
        doc="drop or contact shadow matching the estimated light direction"),
)}


def get(name: str) -> OperationSpec | None:
    return OPERATIONS.get(name)


def names() -> list[str]:
    return sorted(OPERATIONS)
