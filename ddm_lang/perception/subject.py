"""The subject perceiver: what the photo is of, as a soft mask, and what follows from it.

U²-Net-p (see models.SPECS["subject"] for its contract) gives a salient-object map; an
image that carries real transparency already says where its subject is, so its alpha is
the mask and no model runs. From the mask: found, area, box, centroid and facing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

import cv2
import numpy as np
from PIL import Image

from ddm_lang.perception import models

SIDE = 320
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
MIN_AREA = 0.005       # a speck is not a subject
MAX_AREA = 0.985       # nor is the whole frame
FACING_SKEW = 0.25     # |skewness| below this reads as facing the viewer
VERSION_ALPHA = "alpha-1"
VERSION_MATTE = "core-1"   # the model's matte with a solid core (`solid_core`)
CORE_DEPTH = 0.04          # the core starts this far inside the outline (share of the
#                            subject box's shorter side): the edge keeps the model's softness
SPECK_HOLE = 0.005         # holes in the mask smaller than this share of it are filled
CORE_LEVEL = 48            # the matte level that bounds the body the core fills
HOLE_LEVEL = 16            # an enclosed hole with a median matte above this is body


@dataclass(frozen=True)
class SubjectResult:
    mask: np.ndarray       # (h, w) uint8 soft matte at the working resolution
    source: str            # "model" or "alpha"
    record: dict[str, Any]


def has_transparency(alpha: np.ndarray | None) -> TypeGuard[np.ndarray]:
    """True when at least 2 % of the pixels are mostly transparent: a cut-out image,
    not an opaque PNG that merely carries an alpha channel."""
    return alpha is not None and float(np.mean(alpha < 128)) >= 0.02


def saliency(rgb: np.ndarray, session: Any | None = None) -> np.ndarray:
    """The model's saliency map for an RGB image, float32 0..1 at the image's size."""
    session = session or models.role_session("subject")
    h, w = rgb.shape[:2]
    small = np.asarray(Image.fromarray(rgb).resize((SIDE, SIDE), Image.Resampling.BILINEAR),
                       np.float32)
    small /= max(float(small.max()), 1e-6)
    x = ((small - MEAN) / STD).transpose(2, 0, 1)[None].astype(np.float32)
    inputs = session.get_inputs()
    if len(inputs) != 1 or (len(inputs[0].shape) == 4 and inputs[0].shape[1] not in (3, None)):
        raise models.ModelError("subject model: expected one input of shape [1, 3, H, W]")
    out = session.run(None, {inputs[0].name: x})[0]
    pred = np.asarray(out, np.float32).reshape(out.shape[-2], out.shape[-1])
    lo, hi = float(pred.min()), float(pred.max())
    pred = (pred - lo) / (hi - lo) if hi > lo else np.zeros_like(pred)
    return np.asarray(Image.fromarray(pred, mode="F").resize((w, h), Image.Resampling.BILINEAR),
                      np.float32)


def perceive_subject(rgb: np.ndarray, alpha: np.ndarray | None) -> SubjectResult:
    if has_transparency(alpha):
        matte = alpha
        source = "alpha"
    else:
        matte = solid_core(np.clip(saliency(rgb) * 255.0 + 0.5, 0, 255).astype(np.uint8))
        source = "model"
    return SubjectResult(matte, source, describe(matte >= 128))


def solid_core(matte: np.ndarray) -> np.ndarray:
    """The matte with the inside of the subject opaque. A saliency map is sure of the
    outline but not of the body: a white carton shot on white comes back at 50–80 % over
    its white panels, and cut out onto a field it shows that field through itself, a
    ghost of the product. Pixels deeper inside the mask than CORE_DEPTH, and specks of
    hole in it, are made opaque; the edge keeps the model's soft fall-off, and a real
    hole (a mug's handle, the gap under a chair) stays transparent."""
    mask = (matte >= CORE_LEVEL).astype(np.uint8)
    area = int(mask.sum())
    if area == 0:
        return matte
    # holes that are body: enclosed and tiny, or where the model half saw the subject (a
    # real hole, a handle's, reads as background: a matte near 0)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(1 - mask, connectivity=4)
    h, w = mask.shape
    x, y, bw, bh, n = stats.T
    enclosed = (x > 0) & (y > 0) & (x + bw < w) & (y + bh < h)
    enclosed[0] = False   # the background the mask lies on
    body = enclosed & (n < SPECK_HOLE * area)   # specks, decided on their size alone
    # the few larger holes are read one by one (a noisy matte has many specks)
    for k in np.flatnonzero(enclosed & ~body):
        body[k] = float(np.median(matte[labels == k])) >= HOLE_LEVEL
    mask[body[labels]] = 1
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    depth = max(1, round(CORE_DEPTH * min(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)))
    inside = cv2.distanceTransform(mask, cv2.DIST_L2, 3)
    # opaque from `depth` inwards, rising over the `depth` before it: no seam in the body
    core = np.clip(inside / depth - 1.0, 0.0, 1.0) * 255.0
    return np.maximum(matte, core.astype(np.uint8))


def describe(mask: np.ndarray) -> dict[str, Any]:
    """Area, box and centroid as fractions of the image; facing from the mask's shape."""
    h, w = mask.shape
    area = float(mask.mean()) if mask.size else 0.0
    found = MIN_AREA <= area <= MAX_AREA
    if not mask.any():
        return {"subject.found": False, "subject.area": 0.0, "subject.box": [0.0, 0.0, 0.0, 0.0],
                "subject.centroid": [0.5, 0.5], "subject.facing": "front"}
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    ys, xs = np.nonzero(mask)
    return {
        "subject.found": found,
        "subject.area": round(area, 5),
        "subject.box": [round(float(x0) / w, 5), round(float(y0) / h, 5),
                        round(float(x1 - x0) / w, 5), round(float(y1 - y0) / h, 5)],
        "subject.centroid": [round(float(xs.mean()) / w, 5), round(float(ys.mean()) / h, 5)],
        "subject.facing": facing(xs, x0, x1),
    }


def facing(xs: np.ndarray, x0: int, x1: int) -> str:
    """Which way the subject points, from the skew of its mass across its box: a shoe,
    a bottle on its side or a car tapers toward where it faces (its mass sits at the back
    and its tail of thin columns runs forward). Symmetric subjects face the viewer."""
    if x1 - x0 < 4 or xs.size < 16:
        return "front"
    u = (xs - (x0 + x1 - 1) / 2.0) / ((x1 - x0) / 2.0)
    d = u - u.mean()
    var = float(np.mean(d * d))
    if var <= 1e-9:
        return "front"
    skew = float(np.mean(d ** 3)) / var ** 1.5
    if skew > FACING_SKEW:
        return "right"
    if skew < -FACING_SKEW:
        return "left"
    return "front"
