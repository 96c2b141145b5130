"""caption: copy for a text box, written from the product's data.

`text headline = caption(kind: headline)` asks the copy writer (`ddm_lang.copy`) for copy
that fits the box and states only facts of the product. The box is turned into the
writer's budget here: the size the text could take with `max_lines` lines in the box's
height (within the element's `size` range) gives the characters a line holds, and when
nothing fits that budget, the range's minimum does; the text's own fitting then sets the
final size, so what is written also fits when drawn.
The captions of one creative share the facts they used, so selling points are not
repeated from box to box. A generation backend is the environment's `copy_backend`
(built from `DDM_COPY_BACKEND` by default); without one the offline writer writes alone.
"""

from __future__ import annotations

from typing import Any

from ddm_lang.copy import Caption, Facts, write
from ddm_lang.copy.writer import Backend
from ddm_lang.scene import Box

from .registry import register


def resolve(product: dict[str, Any], box: Box, *, sizes: tuple[float, float],
            line_height: float, kind: str = "headline", max_lines: int = 2,
            lang: str | None = None, used: frozenset[str] = frozenset(),
            backend: Backend | None = None, seed: int = 0) -> Caption:
    """The caption for `box`, whose text is drawn at a size in `sizes` (px) with
    `line_height` (a multiple of the size) between baselines; `backend` (the
    environment's) may propose the text, the offline writer checks and completes it."""
    lo, hi = sizes
    lines = max(1, max_lines)
    size = max(lo, min(hi, box.height / (lines * max(line_height, 1.0))))
    facts = Facts.from_product(product)
    caption = write(kind, facts, chars_per_line=box.width / size, max_lines=lines, lang=lang,
                    used=used, backend=backend, variant=seed)
    if not caption.text and size > lo:
        # Nothing fits at the size the box suggests (a long head noun): the text may be
        # set as small as its minimum, so write for that budget before giving up.
        caption = write(kind, facts, chars_per_line=box.width / lo, max_lines=lines,
                        lang=lang, used=used, backend=backend, variant=seed)
    return caption


register("caption", resolve)
