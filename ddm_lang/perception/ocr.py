"""The text perceiver: where an image carries text and what it says.

PP-OCRv6 detection and recognition (bundled with rapidocr; contracts in models.SPECS)
through rapidocr's pipeline, one engine per process, on the CUDA provider when
onnxruntime-gpu sees a GPU. The orientation classifier is off: product photos and ads
carry upright text, and the classifier would be a third model run per line.

The detector runs on a copy DET_SIDE px on its long side: its cost grows with the pixels
(a 2000 px photo, read at the 1024 px working size, took 0.37 s of single-thread compute
and takes 0.11 s at 512), and ad-sized print stays findable at that size
(benchmarks/text_detection_precision.py). Every read then passes two
screens: `legible` (confidence, punctuation, lone characters) and `plausible` (the box
holds print, not a product's shape), because on plain packshots the detector boxes the
product itself and the recogniser reads it as "19" or "0".
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from ddm_lang.perception import models

MIN_SCORE = 0.5        # recognition confidence below which a line is not reported
LONE_CHAR_SCORE = 0.9  # a one-character read needs this confidence
FRAME_SPAN = 0.85      # a line box this large in both directions spans the frame...
FRAME_CHARS = 3        # ...and with this few characters it is a subject, not a line
AREA_GRID = 256        # text area is measured on a grid this size (boxes may overlap)
DET_SIDE = 512         # the detector sees the image this long on its long side
UNCLIP = 1.4           # DB box growth at DET_SIDE (rapidocr's 1.6 boxes loosely at this size)
THREADS: int | None = None  # onnxruntime intra-op threads; None: its default, every core
SCREEN_VERSION = 2     # DET_SIDE and the plausibility screen; part of version()
# The plausibility screen (see `plausible`), set on benchmarks/text_detection_precision.py:
# real lines there have ink contrast >= 92 grey levels, strokes <= 0.26 of the line height
# (weight 800 at 80 px) and 0.42..0.75 line lengths per glyph (in line heights).
MIN_INK_CONTRAST = 40.0  # grey levels between ink and paper
MAX_STROKE = 0.35        # mean stroke width, in line heights
MIN_GLYPH_ASPECT = 0.2   # line length per glyph, in line heights: "1" at its narrowest...
MAX_GLYPH_ASPECT = 1.6   # ..."W" with letter spacing at its widest
SHORT_CHARS = 3          # a read this short...
TALL_LINE = 0.25         # ...in a line this tall (of the image's short side)...
SURE_SCORE = 0.95        # ...needs this confidence

_engines: dict[tuple[str, str, int | None, int | None], Any] = {}
_lock = threading.Lock()


def version() -> str:
    return (f"{models.model_version('ocr-det')}+{models.model_version('ocr-rec')}"
            f"+screen-{SCREEN_VERSION}")


def engine(det_side: int | None = DET_SIDE) -> Any:
    """The process's rapidocr engine for the registry's current det/rec files, its detector
    run with the image's long side at most `det_side` (None: rapidocr's own sizing, short
    side at least 736 px, which is what perception used before SCREEN_VERSION 2), on THREADS
    onnxruntime threads (a batch of one-process-per-core workers wants 1)."""
    det, rec = models.model_path("ocr-det"), models.model_path("ocr-rec")
    key = (str(det), str(rec), det_side, THREADS)
    with _lock:
        if key not in _engines:
            _engines[key] = _new_engine(*key)
        return _engines[key]


def _new_engine(det: str, rec: str, det_side: int | None, threads: int | None) -> Any:
    try:
        from rapidocr import RapidOCR
    except ImportError:
        raise models.ModelError("the text perceiver needs rapidocr; install "
                                "ddm_lang[cpu] or ddm_lang[gpu]") from None
    cuda = "CUDAExecutionProvider" in models.providers()
    params: dict[str, Any] = {"Global.log_level": "error", "Global.use_cls": False,
                              "Global.text_score": MIN_SCORE, "Det.model_path": det,
                              "Rec.model_path": rec, "EngineConfig.onnxruntime.use_cuda": cuda}
    if det_side is not None:
        params |= {"Det.limit_type": "max", "Det.limit_side_len": det_side,
                   "Det.unclip_ratio": UNCLIP}
    if threads is not None:
        params |= {"EngineConfig.onnxruntime.intra_op_num_threads": threads,
                   "EngineConfig.onnxruntime.inter_op_num_threads": 1}
    try:
        return RapidOCR(params=params)
    except Exception as err:  # rapidocr wraps onnxruntime's own errors
        raise models.ModelError(f"cannot load the OCR models ({err})") from None


def read_lines(rgb: np.ndarray, det_side: int | None = DET_SIDE
               ) -> list[tuple[np.ndarray, str, float]]:
    """Every line rapidocr reads, unscreened: (quad in `rgb`'s pixels, text, confidence).
    An image smaller than `det_side` is enlarged to it first (the detector misses small
    print on a small image; recognition reads the enlarged crops better too)."""
    h, w = rgb.shape[:2]
    scale = 1.0
    if det_side is not None and max(h, w) < det_side:
        scale = det_side / max(h, w)
        rgb = np.asarray(Image.fromarray(rgb).resize(
            (round(w * scale), round(h * scale)), Image.Resampling.BICUBIC))
    result = engine(det_side)(np.ascontiguousarray(rgb[..., ::-1]))
    if result.boxes is None or result.txts is None:
        return []
    return [(np.asarray(quad, np.float64) / scale, str(text), float(score))
            for quad, text, score in zip(result.boxes, result.txts, result.scores,
                                         strict=False)]


def perceive_text(rgb: np.ndarray, det_side: int | None = DET_SIDE,
                  screen: bool = True) -> dict[str, Any]:
    """Text lines as boxes (x, y, w, h as fractions of the image), their text and
    confidence, the fraction of the image they cover and the text in reading order.
    `det_side` and `screen` exist for the benchmarks: `det_side=None, screen=False` is the
    perceiver before SCREEN_VERSION 2 (full-size detection, legibility rule only)."""
    h, w = rgb.shape[:2]
    grey = np.asarray(Image.fromarray(rgb).convert("L")) if screen else None
    lines: list[dict[str, Any]] = []
    for q, text, score in read_lines(rgb, det_side):
        x0, y0 = max(q[:, 0].min(), 0.0), max(q[:, 1].min(), 0.0)
        x1, y1 = min(q[:, 0].max(), w), min(q[:, 1].max(), h)
        if x1 <= x0 or y1 <= y0 or not legible(text, score, (x1 - x0) / w, (y1 - y0) / h):
            continue
        if grey is not None and not plausible(text, score, q, grey):
            continue
        lines.append({"box": [_frac(x0, w), _frac(y0, h), _frac(x1 - x0, w), _frac(y1 - y0, h)],
                      "quad": [[_frac(x, w), _frac(y, h)] for x, y in q],
                      "text": text, "score": round(score, 4)})
    return {
        "text.found": bool(lines),
        "text.area": round(covered_area([line["quad"] for line in lines]), 5),
        "text.content": " ".join(line["text"] for line in lines),
        "text.boxes": [line["box"] for line in lines],
        "text.lines": lines,
    }


def plausible(text: str, score: float, quad: np.ndarray, grey: np.ndarray) -> bool:
    """Whether a legible read is a line of print rather than a product's shape. On a plain
    packshot the detector boxes the subject itself (a bottle read as "19" in a box over half
    the photo, a mug as "G0", a fruit as "0"): such a box holds no ink on paper, or "strokes"
    as thick as a third of the line, or a few huge glyphs read without conviction. Real print
    has all three right: ink contrast, thin strokes, and a box that n glyphs could fill."""
    glyphs = max(len("".join(text.split())), 1)
    q = np.asarray(quad, np.float64)
    sides = sorted((float(np.hypot(*(q[1] - q[0]))), float(np.hypot(*(q[2] - q[1])))))
    height, length = max(sides[0], 1.0), sides[1]
    if not MIN_GLYPH_ASPECT <= length / height / glyphs <= MAX_GLYPH_ASPECT:
        return False
    if glyphs <= SHORT_CHARS and height >= TALL_LINE * min(grey.shape) and score < SURE_SCORE:
        return False
    contrast, stroke = ink(grey, q)
    return contrast >= MIN_INK_CONTRAST and stroke <= MAX_STROKE * height


def ink(grey: np.ndarray, quad: np.ndarray) -> tuple[float, float]:
    """Inside a line's box: the grey-level gap between ink and paper (Otsu's split of the
    box, paper being the side most of the box's edge lies on) and the ink's mean stroke
    width in pixels (twice its area over its outline)."""
    import cv2  # rapidocr's dependency, present whenever the perceiver runs

    h, w = grey.shape
    x0, y0 = (max(int(v), 0) for v in quad.min(axis=0))
    x1, y1 = min(int(np.ceil(quad[:, 0].max())), w), min(int(np.ceil(quad[:, 1].max())), h)
    crop = np.ascontiguousarray(grey[y0:y1, x0:x1])
    if crop.shape[0] < 2 or crop.shape[1] < 2:
        return 0.0, 0.0
    _, split = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    light = split.astype(bool)
    if light.all() or not light.any():
        return 0.0, 0.0
    contrast = float(crop[light].mean()) - float(crop[~light].mean())
    rim = np.concatenate([light[0], light[-1], light[:, 0], light[:, -1]])
    ink_mask = ~light if rim.mean() >= 0.5 else light
    inner = cv2.erode(ink_mask.astype(np.uint8), np.ones((3, 3), np.uint8),
                      borderType=cv2.BORDER_REPLICATE).astype(bool)
    outline = int(np.count_nonzero(ink_mask & ~inner))
    return contrast, 2.0 * float(np.count_nonzero(ink_mask)) / max(outline, 1)


def legible(text: str, score: float, width: float = 0.0, height: float = 0.0) -> bool:
    """Whether a read is text rather than texture. Punctuation alone ("_", "|") never is;
    a lone character needs high confidence; and a read of a few characters whose box spans
    the whole frame is the detector's known failure on a big round subject (a fruit read
    as "O", "8" or "60"), not a line of text. `width` and `height` are the line's box as
    fractions of the image."""
    chars = sum(c.isalnum() for c in text)
    if score < MIN_SCORE or chars == 0 or (chars == 1 and score < LONE_CHAR_SCORE):
        return False
    return not (chars <= FRAME_CHARS and width >= FRAME_SPAN and height >= FRAME_SPAN)


def _frac(v: float, size: int) -> float:
    return round(float(v) / size, 5)


def covered_area(quads: list[list[list[float]]]) -> float:
    """The fraction of the image the (possibly overlapping) quads cover."""
    if not quads:
        return 0.0
    grid = Image.new("1", (AREA_GRID, AREA_GRID), 0)
    draw = ImageDraw.Draw(grid)
    for quad in quads:
        draw.polygon([(x * AREA_GRID, y * AREA_GRID) for x, y in quad], fill=1)
    return float(np.asarray(grid).mean())
