"""caption: copy for a text box, written from the product's data.

`text headline = caption(kind: headline)` asks the copy writer (`ddm_lang.copy`) for copy
that fits the box and states only facts of the product. The box is turned into the
writer's budget here: the size the text could take with `max_lines` lines in the box's
height (within the element's `size` range) gives the characters a line holds, and when
nothing fits that budget, the range's minimum does; the text's own fitting then sets the
final size, so what is written also fits when drawn.
The captions of one creative share the facts they used, so selling points are not
repeated from box to box. A generation backend (`DDM_COPY_BACKEND`) is loaded once per
process; the offline writer is the default.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ddm_lang.copy import Caption, Facts, write
from ddm_lang.copy.backends import from_env
from ddm_lang.scene import Box

from .registry import OpArgSpec, OperationSpec, register

KINDS = ("headline", "selling_point", "cta", "price", "brand")


@cache
def _backend() -> Any:
    return from_env()


def resolve(product: dict[str, Any], box: Box, *, sizes: tuple[float, float],
            line_height: float, kind: str = "headline", max_lines: int = 2,
            lang: str | None = None, used: frozenset[str] = frozenset(),
            seed: int = 0) -> Caption:
    """The caption for `box`, whose text is drawn at a size in `sizes` (px) with
    `line_height` (a multiple of the size) between baselines."""
    lo, hi = sizes
    lines = max(1, max_lines)
    size = max(lo, min(hi, box.height / (lines * max(line_height, 1.0))))
    facts = Facts.from_product(product)
    caption = write(kind, facts, chars_per_line=box.width / size, max_lines=lines, lang=lang,
                    used=used, backend=_backend(), variant=seed)
    if not caption.text and size > lo:
        # Nothing fits at the size the box suggests (a long head noun): the text may be
        # set as small as its minimum, so write for that budget before giving up.
        caption = write(kind, facts, chars_per_line=box.width / lo, max_lines=lines,
                        lang=lang, used=used, backend=_backend(), variant=seed)
    return caption


SPEC = register(OperationSpec(
    name="caption",
    applies_to=frozenset({"text"}),
    args={
        "kind": OpArgSpec("kind", "word", KINDS, "headline"),
        "max_lines": OpArgSpec("max_lines", "number", (), 2),
        "lang": OpArgSpec("lang", "string", (), None),
    },
    needs=("copy",),
    doc="copy for a text box from the product data: only facts present in it",
    resolve=resolve,
))
