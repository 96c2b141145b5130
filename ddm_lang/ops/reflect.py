"""reflect: a floor reflection, the way designers draw one under a product on a stage.

The image as drawn (cut out, recoloured, mirrored) is flipped upside down about its base
and set directly below it, `gap` further down when given, fading from `opacity` at the base
to nothing over `fade` of its height. The base is the perceived subject's bottom edge when
the image shows only its subject (after `cutout`, or a cut-out file), so a product
placed with `fit subject anchor bottom` on a floor line is reflected in that floor; an
opaque photo is reflected about its own bottom edge. The emitted SVG is a flipped copy under
a linear-gradient mask (`emit/svg.py`), which every SVG renderer draws.
"""

from __future__ import annotations

from ddm_lang.scene import ImageNode, Reflection
from ddm_lang.semantics.operations import (
    FRACTION,
    NOT_NEGATIVE,
    REFLECT_FADE,
    REFLECT_OPACITY,
    UNIT_INTERVAL,
)

from .context import OpContext
from .registry import register


def resolve(node: ImageNode, *, context: OpContext, opacity: float = REFLECT_OPACITY,
            fade: float = REFLECT_FADE, gap: float | None = None) -> ImageNode:
    # the bounds `ddm check` applies to literal arguments (semantics/operations.py)
    if opacity not in UNIT_INTERVAL:
        raise ValueError(f"opacity must be a number {UNIT_INTERVAL.describe()}, not {opacity}")
    if fade not in FRACTION:
        raise ValueError(f"fade must be a fraction of the height {FRACTION.describe()}, "
                         f"not {fade}")
    if gap is not None and gap not in NOT_NEGATIVE:
        raise ValueError(f"gap must be {NOT_NEGATIVE.describe()}, not {gap}")
    subject = None
    box = context.record.get("subject.box")
    shows_subject = node.matte is not None or context.record.get("subject.source") == "alpha"
    if shows_subject and context.record.get("subject.found") and box:
        subject = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    return node.with_(reflection=Reflection(round(float(opacity), 4), round(float(fade), 4),
                                            round(float(gap or 0.0), 4), subject))


register("reflect", resolve)
