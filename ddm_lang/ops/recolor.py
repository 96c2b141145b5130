"""recolor: a duotone of the image in a colour of its own palette (or one the template names).

A photo behind copy fights the copy: its colours compete with the brand's and its busy
tones make text contrast unpredictable. A duotone keeps the photo's light and shape but
paints it in one hue, from a deep shade of the scheme colour in the shadows to a pale
tint in the highlights, so the picture reads as part of a designed palette and what is
under the text stays within a known range of tones.

The scheme colour is taken from the material's perception record, so the creative keeps
the product's own colours: `with dominant` (the subject's most frequent colour, the
default), `accent` (its most saturated frequent colour), `complement` (the dominant's
opposite hue in OKLCH) or `background` (the backdrop's colour); or any colour expression
(`with #1f3b73`, `with brand-blue`). `amount` blends the duotone with the original
(1 = full duotone).

It is resolved to the 20 numbers of one feColorMatrix in sRGB space: a matrix is linear
arithmetic every SVG renderer does identically (ours, resvg, browsers), unlike blend
modes or lookup tables. A second recolor in a pipeline applies on top of the first.
"""

from __future__ import annotations

from typing import Any

from ddm_lang.scene import ImageNode
from ddm_lang.semantics.functions import EvalError, _color, from_oklch, scheme, to_oklch
from ddm_lang.semantics.operations import RECOLOR_SCHEMES, UNIT_INTERVAL
from ddm_lang.values import Color, format_number

from .context import OpContext
from .registry import register

SCHEMES = RECOLOR_SCHEMES         # the words `with` takes (ddm check knows them too)
LUMA = (0.2126, 0.7152, 0.0722)   # Rec. 709 weights on sRGB values: the photo's light
DARK_L, LIGHT_L = 0.22, 0.96      # OKLCH lightness of the duotone's two ends
LIGHT_CHROMA = 0.35               # the highlights keep this share of the colour's chroma

Matrix = tuple[float, ...]        # 4 rows of 5, as feColorMatrix `values` lists them


def scheme_colour(spec: Any, record: dict[str, Any]) -> Color:
    """The colour a `with` clause names, read from the perception record when it is a word."""
    try:
        if isinstance(spec, str) and spec in SCHEMES:
            if spec == "background":
                return _color(record.get("background.color"), "the background colour")
            dominant = _color(record.get("palette.dominant"), "the dominant colour")
            if spec == "dominant":
                return dominant
            if spec == "complement":
                return scheme(dominant, "complementary")[1]
            return _color(record.get("palette.accent"), "the accent colour")
        return _color(spec, "`with`")
    except EvalError as err:
        raise ValueError(f"`with` takes {', '.join(SCHEMES)} or a colour ({err})") from None


def duotone(colour: Color, amount: float = 1.0) -> Matrix:
    """The matrix mapping each pixel's luma to a deep shade (black) … pale tint (white) of
    `colour`, blended with the identity by `amount`; alpha is kept."""
    _, chroma, hue = to_oklch(colour)
    dark = from_oklch(DARK_L, chroma, hue)
    light = from_oklch(LIGHT_L, chroma * LIGHT_CHROMA, hue)
    rows: list[float] = []
    for i, (d, lt) in enumerate(zip(dark.rgba()[:3], light.rgba()[:3], strict=True)):
        row = [(lt - d) * w * amount for w in LUMA] + [0.0, d * amount]
        row[i] += 1.0 - amount
        rows += row
    return (*rows, 0.0, 0.0, 0.0, 1.0, 0.0)


def compose(after: Matrix, before: Matrix) -> Matrix:
    """`after` applied to the output of `before` (both 4×5 affine colour matrices)."""
    def full(m: Matrix) -> list[list[float]]:
        return [list(m[r * 5:r * 5 + 5]) for r in range(4)] + [[0.0, 0.0, 0.0, 0.0, 1.0]]
    a, b = full(after), full(before)
    return tuple(sum(a[r][k] * b[k][c] for k in range(5)) for r in range(4) for c in range(5))


def values_text(m: Matrix) -> str:
    return " ".join(format_number(v) for v in m)


def resolve(node: ImageNode, *, context: OpContext, amount: float = 1.0,
            **clauses: Any) -> ImageNode:
    # `with` is a Python keyword, so the clause arrives in **clauses.
    if amount not in UNIT_INTERVAL:
        raise ValueError(f"amount must be a number between 0 and 1, not {amount!r}")
    colour = scheme_colour(clauses.get("with", "dominant"), context.record)
    matrix = duotone(colour, float(amount))
    if node.recolor is not None:
        matrix = compose(matrix, tuple(float(v) for v in node.recolor.split()))
    return node.with_(recolor=values_text(matrix))


register("recolor", resolve)
