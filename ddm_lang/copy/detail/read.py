"""Reading a detail page: the project's OCR engine over overlapping square tiles.

The text perceiver (`perception.ocr`) runs its detector with the image's long side at
DET_SIDE = 512 px, right for an ad photo; a 750 × 4000 detail page squeezed to 512 px
tall would make its 24 px body text 3 px high. So the page is cut into square tiles as
wide as the page (the detector sees each at TILE_DET_SIDE, about the page's own width, so
body text keeps its size) that overlap by more than the tallest line a page sets, and
every line is then read whole in at least one tile:

- a line touching a tile's cut edge (not the image border) was cut by the tile and is
  dropped: the tile beside it holds it whole;
- a line read whole in two tiles (it lies in their overlap) is kept once: the longer
  read (a detector may split a line in one tile and not in the other), then the surer.

The engine is asked for word boxes too (a character box for CJK, a word box for Latin
text; they cost nothing extra), and a line whose words stand apart by CELL_GAP line
heights or more is split there: the detector sometimes boxes a table's key cell and value
cell as one line ("类型上衣"), and the table stage needs them apart.

Lines then pass the perceiver's own screens (`ocr.legible`, `ocr.plausible`), so a page
and a photo are read by one rule, and each box is tightened to the ink inside it
(`tighten`): the detector pads its boxes by a share of the line height that varies with
the line's length, and the later stages compare heights (type size), gaps (paragraphs,
table gutters) and edges (alignment) between lines.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image

from ddm_lang.perception import ocr
from ddm_lang.perception.pixels import decode_file

from .model import Line, iou, join_wrapped, overlap

TILE_DET_SIDE = 800   # detector size per tile: a 750 px page is read at its own scale
MAX_WIDTH = 1600      # a wider page is read at this width (its print is larger too)
OVERLAP = 0.25        # tiles overlap by this fraction of their side (200 px at 800)...
MIN_OVERLAP = 160     # ...and at least this many pixels: more than a banner heading's line
EDGE = 3.0            # px: a line this close to a cut edge was cut by it
SAME_LINE = 0.5       # IoU above which two reads from neighbouring tiles are one line
CELL_GAP = 0.8        # line heights of white inside a read line that split it in two
RULE = 0.9            # a row (column) of a line's box this full of ink is a rule, not text
PAD = 0.3             # share of a box's height the detector pads it by, at most
MAX_SIDE = 40_000     # longest side decoded (a 750 × 40,000 page is 30 megapixels)


def load(path: Path) -> np.ndarray:
    """The page as RGB at full resolution (transparency composited on white), scaled to
    MAX_WIDTH when it is wider. Undecodable and oversized files raise `MaterialError`
    naming the file."""
    pixels = decode_file(path, MAX_SIDE)
    rgb = pixels.rgb
    if pixels.alpha is not None:
        a = pixels.alpha[..., None].astype(np.float32) / 255.0
        rgb = (rgb.astype(np.float32) * a + 255.0 * (1.0 - a)).round().astype(np.uint8)
    h, w = rgb.shape[:2]
    if w > MAX_WIDTH:
        size = (MAX_WIDTH, max(1, round(h * MAX_WIDTH / w)))
        rgb = np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))
    return np.ascontiguousarray(rgb)


def tiles(height: int, width: int) -> list[tuple[int, int, int, int]]:
    """Square tiles (x0, y0, x1, y1) covering the page, side = the page's width (at most
    MAX_WIDTH), overlapping by OVERLAP of the side (at least MIN_OVERLAP px), spread evenly
    so that the last one ends at the bottom edge."""
    side = min(width, MAX_WIDTH)
    return [(x0, y0, x1, y1) for y0, y1 in _spans(height, side)
            for x0, x1 in _spans(width, side)]


def _spans(length: int, side: int) -> list[tuple[int, int]]:
    if length <= side:
        return [(0, length)]
    step = side - max(round(side * OVERLAP), min(MIN_OVERLAP, side // 2))
    count = math.ceil((length - side) / step) + 1
    stride = (length - side) / (count - 1)
    return [(round(i * stride), round(i * stride) + side) for i in range(count)]


def read_page(rgb: np.ndarray) -> list[Line]:
    """Every legible line of the page, once, top to bottom: (box in page pixels, text,
    confidence)."""
    h, w = rgb.shape[:2]
    grey = np.asarray(Image.fromarray(rgb).convert("L"))
    found: list[Line] = []
    for x0, y0, x1, y1 in tiles(h, w):
        tile = np.ascontiguousarray(rgb[y0:y1, x0:x1])
        for quad, text, score in read_tile(tile):
            line = _screened(quad, text, score, (x0, y0, x1, y1), grey)
            if line is not None and not _cut(line, (x0, y0, x1, y1), w, h):
                found.append(line)
    return _once(found)


def read_tile(rgb: np.ndarray) -> list[tuple[np.ndarray, str, float]]:
    """The tile's lines as `ocr.read_lines` reads them (a tile smaller than the detector
    size is enlarged first), each split at wide gaps between its words."""
    h, w = rgb.shape[:2]
    scale = TILE_DET_SIDE / max(h, w) if max(h, w) < TILE_DET_SIDE else 1.0
    if scale != 1.0:
        rgb = np.asarray(Image.fromarray(rgb).resize(
            (round(w * scale), round(h * scale)), Image.Resampling.BICUBIC))
    result = ocr.engine(TILE_DET_SIDE)(np.ascontiguousarray(rgb[..., ::-1]),
                                       return_word_box=True)
    if result.boxes is None or result.txts is None:
        return []
    words = getattr(result, "word_results", None) or [()] * len(result.txts)
    out = []
    for quad, text, score, line_words in zip(result.boxes, result.txts, result.scores, words,
                                             strict=False):
        for q, t in split_cells(np.asarray(quad, np.float64), str(text), line_words):
            out.append((q / scale, t, float(score)))
    return out


def split_cells(quad: np.ndarray, text: str, words: object
                ) -> list[tuple[np.ndarray, str]]:
    """A read line cut where its words stand CELL_GAP line heights apart or more (each
    part keeps the line's top and bottom); the line as it is otherwise."""
    try:
        spans = sorted((float(np.min(np.asarray(b)[:, 0])), float(np.max(np.asarray(b)[:, 0])),
                        str(t)) for t, _, b in words)  # type: ignore[attr-defined]
    except (TypeError, ValueError, IndexError):
        return [(quad, text)]
    y0, y1 = float(quad[:, 1].min()), float(quad[:, 1].max())
    if len(spans) < 2 or "".join(t for *_, t in spans).replace(" ", "") != text.replace(" ", ""):
        return [(quad, text)]
    parts: list[list[tuple[float, float, str]]] = [[spans[0]]]
    for span in spans[1:]:
        if span[0] - parts[-1][-1][1] >= CELL_GAP * (y1 - y0):
            parts.append([span])
        else:
            parts[-1].append(span)
    if len(parts) == 1:
        return [(quad, text)]
    out = []
    for part in parts:
        x0, x1 = part[0][0], part[-1][1]
        piece = ""
        for *_, t in part:
            piece = t if not piece else join_wrapped(piece, t) if not (
                piece[-1].isascii() and t[0].isascii()) else f"{piece} {t}"
        out.append((np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]), piece))
    return out


def _screened(quad: np.ndarray, text: str, score: float, tile: tuple[int, int, int, int],
              grey: np.ndarray) -> Line | None:
    """The read as a page `Line`, or None when the perceiver's screens refuse it."""
    tx0, ty0, tx1, ty1 = tile
    q = np.asarray(quad, np.float64) + np.array([tx0, ty0], np.float64)
    x0, y0 = max(float(q[:, 0].min()), tx0), max(float(q[:, 1].min()), ty0)
    x1, y1 = min(float(q[:, 0].max()), tx1), min(float(q[:, 1].max()), ty1)
    text = " ".join(text.split())
    if x1 <= x0 or y1 <= y0:
        return None
    if not ocr.legible(text, score, (x1 - x0) / (tx1 - tx0), (y1 - y0) / (ty1 - ty0)):
        return None
    if not ocr.plausible(text, score, q, grey):
        return None
    x0, y0, x1, y1 = tighten(grey, (x0, y0, x1, y1))
    return Line((round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)), text, round(score, 4))


def tighten(grey: np.ndarray, box: tuple[float, float, float, float]
            ) -> tuple[float, float, float, float]:
    """The box shrunk to the ink of its line. Paper and ink are split by Otsu's threshold
    (paper is the side most of the box's rim lies on); rows and columns where ink spans
    nearly the whole box (a table's rules, a card's edge) do not count; and ink at the
    box's ends that white separates from the rest, that touches the box's edge and lies
    in the detector's padding (PAD of the box height: the descenders of the line above,
    the start of the next table cell) is not the line's. The box as it is when it holds no clear ink."""
    import cv2  # rapidocr's dependency, present whenever OCR runs

    x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
    x1 = min(math.ceil(box[2]), grey.shape[1])
    y1 = min(math.ceil(box[3]), grey.shape[0])
    crop = np.ascontiguousarray(grey[y0:y1, x0:x1])
    if crop.shape[0] < 4 or crop.shape[1] < 4:
        return box
    _, split = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    light = split.astype(bool)
    if light.all() or not light.any():
        return box
    rim = np.concatenate([light[0], light[-1], light[:, 0], light[:, -1]])
    ink = ~light if rim.mean() >= 0.5 else light
    pad = PAD * crop.shape[0]
    rows = _core(ink.mean(axis=1), pad, gap=max(2, round(0.08 * crop.shape[0])))
    if rows is None:
        return box
    cols = _core(ink[rows[0]:rows[1]].mean(axis=0), pad, gap=max(3, round(0.5 * (rows[1] - rows[0]))))
    if cols is None:
        return box
    return (x0 + float(cols[0]), y0 + float(rows[0]), x0 + float(cols[1]), y0 + float(rows[1]))


def _core(profile: np.ndarray, pad: float, gap: int) -> tuple[int, int] | None:
    """[start, end) of a profile's ink (entries > 0 and below RULE), without runs at
    either end that touch that end, lie within `pad` of it and that a white stretch of
    `gap` or more separates from the rest."""
    inked = (profile > 0) & (profile < RULE)
    idx = np.nonzero(inked)[0]
    if idx.size == 0:
        return None
    runs: list[list[int]] = [[int(idx[0]), int(idx[0]) + 1]]
    for i in idx[1:]:
        if i - runs[-1][1] >= gap:
            runs.append([int(i), int(i) + 1])
        else:
            runs[-1][1] = int(i) + 1
    n = len(profile)
    if len(runs) > 1 and runs[0][0] == 0 and runs[0][1] <= pad:
        runs.pop(0)
    if len(runs) > 1 and runs[-1][1] == n and runs[-1][0] >= n - pad:
        runs.pop()
    return runs[0][0], runs[-1][1]


def _cut(line: Line, tile: tuple[int, int, int, int], width: int, height: int) -> bool:
    """Whether the line touches an edge of the tile that is not the page's edge."""
    x0, y0, x1, y1 = tile
    return ((y0 > 0 and line.y0 <= y0 + EDGE) or (y1 < height and line.y1 >= y1 - EDGE)
            or (x0 > 0 and line.x0 <= x0 + EDGE) or (x1 < width and line.x1 >= x1 - EDGE))


def _once(lines: list[Line]) -> list[Line]:
    """Each line once: of two reads of one line (overlapping tiles), the longer one (a
    detector may split a line in one tile and not in the other), then the surer one."""
    kept: list[Line] = []
    for line in sorted(lines, key=lambda ln: (-round(ln.width / 8), -ln.score)):
        if not any(_same(line, k) for k in kept):
            kept.append(line)
    return sorted(kept, key=lambda ln: (ln.y0, ln.x0))


def _same(a: Line, b: Line) -> bool:
    if iou(a.box, b.box) >= SAME_LINE:
        return True
    # one read may hold the other (a detector split the line in one tile only)
    inter = overlap(a.x0, a.x1, b.x0, b.x1) * overlap(a.y0, a.y1, b.y0, b.y1)
    smaller = min(a.width * a.height, b.width * b.height)
    return inter >= 0.8 * smaller
