"""The text perceiver: where an image carries text and what it says.

PP-OCRv6 detection and recognition (bundled with rapidocr; contracts in models.SPECS)
through rapidocr's pipeline, one engine per process, on the CUDA provider when
onnxruntime-gpu sees a GPU. The orientation classifier is off: product photos and ads
carry upright text, and the classifier would be a third model run per line.
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

_engine: Any = None
_engine_key: tuple[str, str] | None = None
_lock = threading.Lock()


def version() -> str:
    return f"{models.model_version('ocr-det')}+{models.model_version('ocr-rec')}"


def engine() -> Any:
    """The process's rapidocr engine for the registry's current det/rec files."""
    global _engine, _engine_key
    det, rec = models.model_path("ocr-det"), models.model_path("ocr-rec")
    key = (str(det), str(rec))
    with _lock:
        if _engine is None or _engine_key != key:
            try:
                from rapidocr import RapidOCR
            except ImportError:
                raise models.ModelError("the text perceiver needs rapidocr; install "
                                        "ddm_lang[cpu] or ddm_lang[gpu]") from None
            cuda = "CUDAExecutionProvider" in models.providers()
            params = {"Global.log_level": "error", "Global.use_cls": False,
                      "Global.text_score": MIN_SCORE, "Det.model_path": key[0],
                      "Rec.model_path": key[1],
                      "EngineConfig.onnxruntime.use_cuda": cuda}
            try:
                _engine = RapidOCR(params=params)
            except Exception as err:  # rapidocr wraps onnxruntime's own errors
                raise models.ModelError(f"cannot load the OCR models ({err})") from None
            _engine_key = key
        return _engine


def perceive_text(rgb: np.ndarray) -> dict[str, Any]:
    """Text lines as boxes (x, y, w, h as fractions of the image), their text and
    confidence, the fraction of the image they cover and the text in reading order."""
    h, w = rgb.shape[:2]
    result = engine()(np.ascontiguousarray(rgb[..., ::-1]))
    lines = []
    if result.boxes is not None and result.txts is not None:
        for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=False):
            q = np.asarray(quad, np.float64)
            x0, y0 = max(q[:, 0].min(), 0.0), max(q[:, 1].min(), 0.0)
            x1, y1 = min(q[:, 0].max(), w), min(q[:, 1].max(), h)
            if x1 <= x0 or y1 <= y0 or not legible(str(text), float(score), (x1 - x0) / w,
                                                   (y1 - y0) / h):
                continue
            lines.append({"box": [_frac(x0, w), _frac(y0, h), _frac(x1 - x0, w), _frac(y1 - y0, h)],
                          "quad": [[_frac(x, w), _frac(y, h)] for x, y in q],
                          "text": str(text), "score": round(float(score), 4)})
    return {
        "text.found": bool(lines),
        "text.area": round(covered_area([line["quad"] for line in lines]), 5),
        "text.content": " ".join(line["text"] for line in lines),
        "text.boxes": [line["box"] for line in lines],
        "text.lines": lines,
    }


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
