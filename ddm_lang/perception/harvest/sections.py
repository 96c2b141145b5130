"""Long product detail images cut into the panels they are stacked from.

Shops (Taobao, Tmall, JD, Amazon A+ content, many Shopify themes) publish a product's detail
as one strip 750 px wide and 5,000 to 20,000 px tall: photos, feature callouts and size charts
one below the other, usually separated by bands of the page's background. Whole, such a strip
is useless to a template (no slot is 1:7); its panels are often the best photos the product
has. An image counts as long when it is more than `LONG_ASPECT` times as tall as wide: a
portrait photo is at most 2:1 (9:16 stories are 1.78), and a stack of two square panels is
2:1 as well, so 2.2 leaves both whole.

The cut: a row is a gap row when nearly all its pixels (`GAP_SHARE`) are within
`GAP_TOLERANCE` levels of the gap colour, which is the commonest colour of the image's
uniform rows (the background the panels sit on). A run of at least `min_gap` such rows is a
gap; the rows between gaps are a section. A section shorter than `min_section` (a caption
line, a divider) is merged with the neighbour across the narrower gap. When no gap splits the
image (panels that touch), or a section is itself still long, it is cut into overlapping
windows about as tall as the image is wide (`WINDOW_OVERLAP` of each window is shared with
the next), so that every part of the strip is in some roughly square picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LONG_ASPECT = 2.2
"""Images taller than this many times their width are cut into sections."""
GAP_TOLERANCE = 12
"""How far (in 8-bit levels, per channel) a gap pixel may be from the gap colour: JPEG
ringing beside a panel's edge stays within it, a photo's pale sky does not."""
GAP_SHARE = 0.98
"""The share of a row's pixels that must be gap-coloured for the row to be a gap row (a
thin rule or a stray watermark pixel across a gap does not break it)."""
WINDOW_OVERLAP = 0.2


@dataclass(frozen=True)
class Section:
    """Rows `top` to `bottom` (exclusive) of the source image, found as `cut`: "gap"
    (between background gaps) or "window" (an overlapping window, where no gap was)."""

    top: int
    bottom: int
    cut: str

    @property
    def height(self) -> int:
        return self.bottom - self.top


def is_long(width: int, height: int) -> bool:
    """Whether an image is a long detail strip to be cut into sections."""
    return width > 0 and height > LONG_ASPECT * width


def min_gap_rows(width: int) -> int:
    """The least run of gap rows that separates two panels: 8 px, or 1 % of the width on
    wide strips (a text block's line spacing is narrower than a panel gap)."""
    return max(8, round(width * 0.01))


def min_section_rows(width: int) -> int:
    """The least height of a section: 30 % of the width, at least 120 px."""
    return max(120, round(width * 0.3))


def split_sections(rgb: np.ndarray, *, min_gap: int | None = None,
                   min_section: int | None = None) -> list[Section]:
    """The sections of a long (h, w, 3) uint8 image, top to bottom (see the module's
    docstring); one section covering the whole image when it is not long."""
    h, w = rgb.shape[:2]
    if not is_long(w, h):
        return [Section(0, h, "whole")]
    min_gap = min_gap if min_gap is not None else min_gap_rows(w)
    min_section = min_section if min_section is not None else min_section_rows(w)
    gap = gap_rows(rgb)
    spans = _spans(gap, min_gap)
    spans = _merge_short(spans, min_section)
    if not spans:
        return []
    out: list[Section] = []
    for top, bottom in spans:
        if bottom - top > LONG_ASPECT * w:
            out += windows(top, bottom, w)
        else:
            out.append(Section(top, bottom, "gap"))
    return out


def gap_rows(rgb: np.ndarray) -> np.ndarray:
    """A boolean per row: is it a gap row (near-uniform and near the gap colour)? Every
    column is not needed for that: a wide strip is looked at in at most 512 columns."""
    step = max(1, math.ceil(rgb.shape[1] / 512))
    a = rgb[:, ::step, :3].astype(np.int16)
    median = np.median(a, axis=1)                               # (h, 3): each row's colour
    near_median = (np.abs(a - median[:, None, :]).max(axis=2) <= GAP_TOLERANCE)
    uniform = near_median.mean(axis=1) >= GAP_SHARE
    if not uniform.any():
        return uniform
    colour = _gap_colour(median[uniform])
    near_gap = np.abs(a - colour[None, None, :]).max(axis=2) <= GAP_TOLERANCE
    return uniform & (near_gap.mean(axis=1) >= GAP_SHARE)


def _gap_colour(colours: np.ndarray) -> np.ndarray:
    """The commonest colour of the uniform rows (binned by 16 levels, then the median of the
    commonest bin)."""
    bins = (colours // 16).astype(np.int64)
    keys = bins[:, 0] * 256 + bins[:, 1] * 16 + bins[:, 2]
    values, counts = np.unique(keys, return_counts=True)
    common = values[int(np.argmax(counts))]
    return np.median(colours[keys == common], axis=0)


def _spans(gap: np.ndarray, min_gap: int) -> list[tuple[int, int]]:
    """The row ranges between runs of at least `min_gap` gap rows, with the gap rows at
    their ends trimmed."""
    h = len(gap)
    spans: list[tuple[int, int]] = []
    start: int | None = None
    y = 0
    while y < h:
        if gap[y]:
            run_end = y
            while run_end < h and gap[run_end]:
                run_end += 1
            if run_end - y >= min_gap or y == 0 or run_end == h:
                if start is not None:
                    spans.append((start, y))
                    start = None
            elif start is None:
                start = y
            y = run_end
        else:
            if start is None:
                start = y
            y += 1
    if start is not None:
        spans.append((start, h))
    return spans


def _merge_short(spans: list[tuple[int, int]], min_section: int) -> list[tuple[int, int]]:
    """Spans shorter than `min_section` merged into the neighbour across the narrower gap,
    shortest first, until none is short or one is left."""
    spans = list(spans)
    while len(spans) > 1:
        heights = [b - t for t, b in spans]
        i = min(range(len(spans)), key=lambda k: heights[k])
        if heights[i] >= min_section:
            break
        above = spans[i][0] - spans[i - 1][1] if i > 0 else math.inf
        below = spans[i + 1][0] - spans[i][1] if i + 1 < len(spans) else math.inf
        j = i - 1 if above <= below else i + 1
        a, b = sorted((i, j))
        spans[a:b + 1] = [(spans[a][0], spans[b][1])]
    return spans


def windows(top: int, bottom: int, width: int) -> list[Section]:
    """Overlapping windows as tall as the image is wide covering rows `top` to `bottom`,
    spread evenly so the last ends at `bottom`."""
    size = min(width, bottom - top)
    if size <= 0:
        return []
    step = max(1, round(size * (1 - WINDOW_OVERLAP)))
    count = max(1, math.ceil((bottom - top - size) / step) + 1)
    if count == 1:
        return [Section(top, bottom, "window")]
    tops = np.linspace(top, bottom - size, count).round().astype(int)
    return [Section(int(t), int(t) + size, "window") for t in tops]
