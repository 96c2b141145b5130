"""Outpainting without a learned model: grow an image on its sides with plausible pixels.

`extend` needs new pixels beside a photo so a later `place fit cover` fills its slot
without cutting the subject. Without a generative model the best a deterministic method
can do is continue what the border says, and the two kinds of background say different
things:

- `backdrop` (plain/studio photos): the backdrop is smooth (flat, a gradient, a
  vignette), so a low-order polynomial fitted robustly to the border band (subject pixels
  that touch the border are rejected as outliers) is extrapolated into the new area. The
  border's own texture (noise, JPEG grain, a shadow reaching the edge) is mirrored across
  the seam and fades out over a few pixels, so the seam is invisible and the far area is
  the clean backdrop.
- `scene` (photographs of places): the border pixels are continued outward and blurred
  more the further a pixel lies from the seam (a Gaussian whose sigma is half the
  distance, interpolated between a few blur levels). Near the seam it continues the
  structure that crosses it (a street, a kerb, a horizon); far from it only the colours
  and light of that side remain, which reads as out-of-focus surroundings. Mirroring the
  border instead copies a ghost of whatever stands near it (the subject) and measured
  worse on street photos (benchmarks/results/extend_quality.md).
- a transparent image grows transparent pixels (their colour continues the border so
  resampling never bleeds dark fringes).

`replicate` (edge pixels smeared outward), `constant` (the border's median colour) and
`mirror` (plain reflection) are the baselines the quality benchmark compares against.

An ONNX inpainting model (the `inpaint` role, e.g. LaMa) can replace these: see
`inpaint_onnx` for its contract. Everything works on uint8 arrays, is deterministic, and
leaves the original pixels untouched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

VERSION = "outpaint-1"      # part of every generated image's cache key
METHODS = ("backdrop", "scene", "replicate", "constant", "mirror")
BAND = 0.05                 # border band for the backdrop fit, fraction of the shorter side
FADE = 0.03                 # the mirrored border texture fades over this (shorter side)
BLUR_GROWTH = 0.5           # scene: blur sigma per pixel of distance from the seam
BLUR_LEVELS = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)
CLAMP = 0.5                 # backdrop polynomial: evaluated at most this far (in half-widths)
                            # outside the image, so it never runs away


@dataclass(frozen=True)
class Pad:
    """Pixels added on each side."""

    left: int = 0
    top: int = 0
    right: int = 0
    bottom: int = 0

    @property
    def empty(self) -> bool:
        return not (self.left or self.top or self.right or self.bottom)

    def widths(self) -> tuple[tuple[int, int], tuple[int, int]]:
        return (self.top, self.bottom), (self.left, self.right)


def plan(width: int, height: int, aspect: float, subject: tuple[float, ...] | None = None,
         *, tolerance: float = 0.01, max_area: float = 3.0) -> Pad:
    """The padding that brings a width×height image to `aspect` (w/h), split so the subject
    (a box in fractions of the image) ends up centred on the grown axis.

    A side the subject touches gets nothing (its continuation cannot be invented, and a
    cut product should stay cut by the frame, not end in the middle of invented space);
    a subject touching both sides of the axis to grow means no growth at all (the
    placement's crop then keeps the subject as the photo framed it); without a subject the
    padding is split evenly. The result never exceeds `max_area` times the
    original area: beyond that the image is grown as far as allowed and the placement
    crops the rest. Within `tolerance` of the aspect nothing is added.
    """
    if width <= 0 or height <= 0 or aspect <= 0:
        raise ValueError("cannot extend an empty image or to an empty region")
    current = width / height
    if abs(current / aspect - 1.0) <= tolerance:
        return Pad()
    if aspect > current:   # wider: add columns
        total = min(round(height * aspect), math.floor(width * max_area)) - width
        lo, hi = _split(total, width, subject[0], subject[2]) if subject else _even(total)
        return Pad(left=lo, right=hi)
    total = min(round(width / aspect), math.floor(height * max_area)) - height
    lo, hi = _split(total, height, subject[1], subject[3]) if subject else _even(total)
    return Pad(top=lo, bottom=hi)


def _even(total: int) -> tuple[int, int]:
    return total // 2, total - total // 2


def _split(total: int, size: int, start: float, extent: float) -> tuple[int, int]:
    """(before, after) on one axis for a subject at [start, start+extent] (fractions)."""
    touches_lo, touches_hi = start <= 0.01, start + extent >= 0.99
    if touches_lo and touches_hi:
        return 0, 0
    if touches_lo:
        return 0, total
    if touches_hi:
        return total, 0
    centre = (start + extent / 2) * size
    before = round(min(max((size + total) / 2 - centre, 0), total))
    return before, total - before


# ---- methods ----------------------------------------------------------------------------

def outpaint(image: np.ndarray, pad: Pad, method: str = "scene") -> np.ndarray:
    """`image` (H, W, 3 or 4 uint8) grown by `pad` with `method` (one of METHODS). An image
    with an alpha channel gets transparent new pixels whatever the method."""
    if method not in METHODS:
        raise ValueError(f"unknown outpainting method {method!r}; methods: {', '.join(METHODS)}")
    if pad.empty:
        return image.copy()
    rgb = np.ascontiguousarray(image[..., :3])
    filled = _METHODS[method](rgb, pad)
    h, w = rgb.shape[:2]
    filled[pad.top:pad.top + h, pad.left:pad.left + w] = rgb  # never touch the original
    if image.shape[2] == 4:
        alpha = np.zeros(filled.shape[:2], np.uint8)
        alpha[pad.top:pad.top + h, pad.left:pad.left + w] = image[..., 3]
        filled = np.dstack([filled, alpha])
    return filled


def new_area(shape: tuple[int, int], pad: Pad) -> np.ndarray:
    """Boolean (H', W') mask of the pixels `pad` adds to an image of `shape` (h, w)."""
    h, w = shape
    mask = np.ones((h + pad.top + pad.bottom, w + pad.left + pad.right), bool)
    mask[pad.top:pad.top + h, pad.left:pad.left + w] = False
    return mask


def distance(shape: tuple[int, int], pad: Pad) -> np.ndarray:
    """Euclidean distance (px) of every pixel of the grown image from the original's
    rectangle (0 inside it)."""
    h, w = shape
    ys = np.arange(h + pad.top + pad.bottom, dtype=np.float32) - pad.top
    xs = np.arange(w + pad.left + pad.right, dtype=np.float32) - pad.left
    dy = np.maximum(np.maximum(-ys, ys - (h - 1)), 0)
    dx = np.maximum(np.maximum(-xs, xs - (w - 1)), 0)
    return np.hypot(dy[:, None], dx[None, :])


def _replicate(rgb: np.ndarray, pad: Pad) -> np.ndarray:
    return np.pad(rgb, (*pad.widths(), (0, 0)), mode="edge")


def _mirror(rgb: np.ndarray, pad: Pad) -> np.ndarray:
    return np.pad(rgb, (*pad.widths(), (0, 0)), mode="symmetric")


def border_band(rgb: np.ndarray) -> np.ndarray:
    """Boolean (H, W) mask of the border band the backdrop is estimated from."""
    h, w = rgb.shape[:2]
    b = max(2, round(min(h, w) * BAND))
    band = np.zeros((h, w), bool)
    band[:b], band[-b:], band[:, :b], band[:, -b:] = True, True, True, True
    return band


def _constant(rgb: np.ndarray, pad: Pad) -> np.ndarray:
    colour = np.median(rgb[border_band(rgb)], axis=0).round().astype(np.uint8)
    out = np.empty((rgb.shape[0] + pad.top + pad.bottom, rgb.shape[1] + pad.left + pad.right, 3),
                   np.uint8)
    out[...] = colour
    return out


def _terms(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The quadratic polynomial's terms in normalised coordinates."""
    return np.stack([np.ones_like(u), u, v, u * u, u * v, v * v], axis=-1)


def fit_backdrop(rgb: np.ndarray, max_samples: int = 20_000) -> np.ndarray | None:
    """Coefficients (6, 3) of a quadratic in normalised coordinates (-1..1 across the image)
    fitted to the border band, rejecting outliers (a subject touching the border, a logo)
    over three rounds; None when too little of the band is backdrop."""
    h, w = rgb.shape[:2]
    ys, xs = np.nonzero(border_band(rgb))
    if ys.size > max_samples:  # a fixed stride keeps it deterministic
        step = ys.size // max_samples + 1
        ys, xs = ys[::step], xs[::step]
    u, v = (xs + 0.5) / w * 2 - 1, (ys + 0.5) / h * 2 - 1
    a = _terms(u, v)
    y = rgb[ys, xs].astype(np.float64)
    # Start from the pixels near the band's median colour: a subject filling much of one
    # side would otherwise drag the first fit (and so the outlier test) toward itself.
    spread = np.linalg.norm(y - np.median(y, axis=0), axis=1)
    keep = spread <= max(12.0, 3.0 * 1.4826 * float(np.median(spread)))
    coef = None
    for _ in range(3):
        if keep.sum() < max(12, 0.3 * len(y)):
            return None
        coef, *_ = np.linalg.lstsq(a[keep], y[keep], rcond=None)
        residual = np.linalg.norm(y - a @ coef, axis=1)
        spread = 1.4826 * np.median(residual[keep])
        keep = residual <= max(8.0, 3.0 * spread)
    return coef


def _backdrop(rgb: np.ndarray, pad: Pad) -> np.ndarray:
    h, w = rgb.shape[:2]
    coef = fit_backdrop(rgb)
    if coef is None:   # no backdrop to fit: too busy a border for a studio photo
        return _scene(rgb, pad)
    big_h, big_w = h + pad.top + pad.bottom, w + pad.left + pad.right
    u = np.clip((np.arange(big_w) - pad.left + 0.5) / w * 2 - 1, -1 - CLAMP, 1 + CLAMP)
    v = np.clip((np.arange(big_h) - pad.top + 0.5) / h * 2 - 1, -1 - CLAMP, 1 + CLAMP)
    uu, vv = np.meshgrid(u.astype(np.float32), v.astype(np.float32))
    smooth = _terms(uu, vv) @ coef.astype(np.float32)
    inside = smooth[pad.top:pad.top + h, pad.left:pad.left + w]
    texture = np.pad(rgb.astype(np.float32) - inside, (*pad.widths(), (0, 0)), mode="symmetric")
    fade = max(2.0, FADE * min(h, w))
    weight = np.exp(-np.maximum(distance((h, w), pad) - 1, 0) / fade)[..., None]
    return np.clip(smooth + texture * weight, 0, 255).round().astype(np.uint8)


def _scene(rgb: np.ndarray, pad: Pad) -> np.ndarray:
    return growing_blur(_replicate(rgb, pad), (rgb.shape[0], rgb.shape[1]), pad)


def growing_blur(grown: np.ndarray, shape: tuple[int, int], pad: Pad,
                 growth: float = BLUR_GROWTH) -> np.ndarray:
    """`grown` (the padded image) with every new pixel blurred by a Gaussian of sigma
    `growth` × its distance from the seam, interpolated between the two blur levels
    around that sigma. Each level is computed only over the part of the image whose
    pixels use it (plus the blur's reach), so the cost stays near two blurs per pixel."""
    dist = distance(shape, pad)
    ys, xs = np.nonzero(dist > 0)
    target = growth * dist[ys, xs]
    levels = [s for s in BLUR_LEVELS if s <= max(float(target.max()), 1.0) * 2]
    acc = np.zeros((len(ys), 3), np.float32)
    for i, level in enumerate(levels):
        lo = levels[i - 1] if i else -1.0
        hi = levels[i + 1] if i + 1 < len(levels) else math.inf
        sel = np.flatnonzero((target > lo) & (target < hi))
        if not sel.size:
            continue
        t, sy, sx = target[sel], ys[sel], xs[sel]
        # Tent weights in sigma between neighbouring levels (the last level takes the rest).
        rising = (t - lo) / (level - lo)
        falling = (hi - t) / (hi - level) if hi < math.inf else np.ones_like(t)
        weight = np.where(t <= level, rising, falling)
        if level == 0:
            values = grown[sy, sx]
        else:
            reach = int(3 * level) + 2
            y0, x0 = max(int(sy.min()) - reach, 0), max(int(sx.min()) - reach, 0)
            y1 = min(int(sy.max()) + reach + 1, grown.shape[0])
            x1 = min(int(sx.max()) + reach + 1, grown.shape[1])
            values = blur(Image.fromarray(grown[y0:y1, x0:x1]), level)[sy - y0, sx - x0]
        acc[sel] += weight[:, None] * values.astype(np.float32)
    out = grown.copy()
    out[ys, xs] = np.clip(acc, 0, 255).round().astype(np.uint8)
    return out


def blur(image: Image.Image, sigma: float) -> np.ndarray:
    """A Gaussian blur; a wide one is computed on a copy scaled down so its sigma there is
    4 px and scaled back up (the result is smooth at that scale anyway), which keeps a
    12-megapixel scene's blur levels to a second or so."""
    factor = sigma / 4.0
    if factor <= 1.0:
        return np.asarray(image.filter(ImageFilter.GaussianBlur(sigma)))
    small = image.resize((max(1, round(image.width / factor)), max(1, round(image.height / factor))),
                         Image.Resampling.BOX)
    return np.asarray(small.filter(ImageFilter.GaussianBlur(4.0)).resize(
        image.size, Image.Resampling.BILINEAR))


_METHODS = {"backdrop": _backdrop, "scene": _scene, "replicate": _replicate,
            "constant": _constant, "mirror": _mirror}


# ---- the ONNX inpainting contract ------------------------------------------------------

INPAINT_SIDE = 1024   # the model sees a copy at most this large (LaMa-class models are
                      # trained near 512 px; larger inputs cost time, not quality)


def inpaint_onnx(session: Any, rgb: np.ndarray, mask: np.ndarray,
                 max_side: int = INPAINT_SIDE) -> np.ndarray:
    """Fill `mask` (H, W bool, True = to fill) in `rgb` (H, W, 3 uint8) with an ONNX model
    honouring the `inpaint` contract: inputs `image` float32 [1, 3, H, W] RGB in 0..1 with
    the masked pixels zeroed and `mask` float32 [1, 1, H, W] (1 = to fill), H and W
    multiples of 8; output 0 float32 [1, 3, H, W] in 0..1 (values above 1.5 are taken as
    0..255). The image is scaled down to `max_side` and padded (reflect) to multiples of 8;
    the output is cropped, scaled back and composited into the masked pixels only."""
    h, w = mask.shape
    scale = min(1.0, max_side / max(h, w))
    sh, sw = max(1, round(h * scale)), max(1, round(w * scale))
    small = rgb if scale == 1.0 else np.asarray(
        Image.fromarray(rgb).resize((sw, sh), Image.Resampling.LANCZOS))
    small_mask = mask if scale == 1.0 else np.asarray(
        Image.fromarray(mask.astype(np.uint8) * 255).resize((sw, sh), Image.Resampling.BILINEAR)) > 0
    ph, pw = (-sh) % 8, (-sw) % 8
    image = np.pad(small.astype(np.float32) / 255.0, ((0, ph), (0, pw), (0, 0)), mode="reflect"
                   if min(sh, sw) > max(ph, pw) else "edge")
    m = np.pad(small_mask.astype(np.float32), ((0, ph), (0, pw)), mode="edge")
    image = image * (1 - m[..., None])
    names = [i.name for i in session.get_inputs()]
    feeds = {"image": image.transpose(2, 0, 1)[None], "mask": m[None, None]}
    if set(names) != set(feeds):
        from ddm_lang.perception.models import ModelError
        raise ModelError(f"the inpaint model's inputs are {names}, the contract says "
                         "`image` and `mask`")
    out = np.asarray(session.run(None, feeds)[0], np.float32)
    if out.ndim != 4 or out.shape[:2] != (1, 3) or out.shape[2:] != image.shape[:2]:
        from ddm_lang.perception.models import ModelError
        raise ModelError(f"the inpaint model returned shape {list(out.shape)}, the contract "
                         f"says [1, 3, {image.shape[0]}, {image.shape[1]}]")
    if float(out.max()) > 1.5:
        out = out / 255.0
    fill = (np.clip(out[0].transpose(1, 2, 0)[:sh, :sw], 0, 1) * 255).round().astype(np.uint8)
    if scale != 1.0:
        fill = np.asarray(Image.fromarray(fill).resize((w, h), Image.Resampling.BICUBIC))
    result = rgb.copy()
    result[mask] = fill[mask]
    return result
