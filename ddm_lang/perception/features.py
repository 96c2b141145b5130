"""Hand-made image features for the suitability model (background kind, pure text, collage,
low quality).

The same function runs when the labelled set is built (`training/suitability_data.py`) and
at inference (`ddm_lang.perception.suitability`), so a model can only ever see features
computed exactly as it was trained on; `FEATURE_VERSION` changes whenever a feature's
definition changes, and the shipped model's json records the version it was trained with.

Everything is plain numpy (no OpenCV, no torch): the package must run where only its core
dependencies are installed. Most features are measured on a working copy whose longer side
is at most `WORK_SIDE` pixels, so they describe how the image looks at ad-slot size and do
not depend on the file's resolution. Noise and JPEG blockiness are measured on a crop at
the file's own resolution, because downscaling averages noise away and destroys the 8x8
block grid.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

FEATURE_VERSION = "1"
WORK_SIDE = 256
NATIVE_CROP = 256

FEATURE_NAMES: tuple[str, ...] = (
    # border band: a plain/studio background is one colour all around the subject
    "border_std", "border_mad", "border_near_tight", "border_near_loose",
    "side_near_0", "side_near_1", "side_near_2", "side_near_3",
    "border_grad", "bg_fraction", "border_lum", "border_sat", "border_center_dist",
    # colour statistics
    "colour_entropy", "colour_count", "colour_top1", "colour_top2", "colour_top8",
    "lum_entropy",
    # edges and gradients
    "edge_density_lo", "edge_density_hi", "grad_mean", "grad_p90", "grad_p99",
    "axis_aligned", "sharpness",
    # high-frequency energy (blur)
    "lap_var_1", "lap_var_2", "lap_ratio", "lap_grad_ratio",
    # noise and compression, at the file's resolution where the artifacts live
    "noise_work", "noise_native", "blockiness",
    # long straight seams and gutters away from the borders (collages)
    "seam_max", "seam_min", "gutter_max", "gutter_min", "seam_grid",
    "seam_run_max", "seam_run_min", "seam_run_grid",
    # text-likeness
    "stroke_small", "stroke_large", "text_rows", "row_transitions", "row_gaps",
    "otsu_eta",
    # saturation and luminance
    "sat_mean", "sat_std", "sat_high", "lum_mean", "lum_std",
)
FEATURE_DIM = len(FEATURE_NAMES)

_EPS = 1e-6
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def image_features(rgb: np.ndarray, alpha: np.ndarray | None = None) -> np.ndarray:
    """The feature vector (float32, `FEATURE_DIM` long, always finite) of an (H, W, 3)
    uint8 image. A given `alpha` (H, W) uint8 composites the image onto white first, so a
    cut-out reads as a plain background (transparency itself is decided elsewhere)."""
    rgb = _check(rgb, alpha)
    native = _native_gray(rgb)
    work = _downscale(rgb, WORK_SIDE)
    gray = work @ _LUMA
    feats: list[float] = []
    grad, gx, gy = _gradient(gray)
    feats += _border_features(work, gray, grad)
    feats += _colour_features(work, gray)
    feats += _edge_features(gray, grad, gx, gy)
    feats += _blur_features(gray, grad)
    feats += [_noise(gray), _noise(native), _blockiness(native)]
    feats += _line_features(work)
    feats += _text_features(gray)
    feats += _saturation_features(work, gray)
    out = np.asarray(feats, dtype=np.float32)
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)


def _check(rgb: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"image_features wants (H, W, 3) uint8, got {rgb.shape} {rgb.dtype}")
    if min(rgb.shape[:2]) < 8:
        raise ValueError(f"image too small for features: {rgb.shape[1]}x{rgb.shape[0]}")
    if alpha is None:
        return rgb
    alpha = np.asarray(alpha)
    if alpha.shape != rgb.shape[:2]:
        raise ValueError(f"alpha shape {alpha.shape} does not match image {rgb.shape[:2]}")
    a = alpha.astype(np.float32)[..., None] / 255.0
    return np.clip(rgb * a + 255.0 * (1.0 - a) + 0.5, 0, 255).astype(np.uint8)


@lru_cache(maxsize=64)
def _area_taps(src: int, dst: int) -> tuple[np.ndarray, np.ndarray]:
    """Area resampling from `src` to `dst` samples as taps: (dst, K) source indices and
    weights, each output averaging the input span it covers so downscaling does not
    alias. Gathers instead of a matrix product keep BLAS threads (which spin on a busy
    machine) out of it."""
    scale = src / dst
    starts = np.arange(dst, dtype=np.float64) * scale
    first = np.floor(starts).astype(np.int64)
    taps = int(np.ceil(scale)) + 1
    idx = first[:, None] + np.arange(taps)[None, :]
    lo = np.maximum(starts[:, None], idx)
    hi = np.minimum(starts[:, None] + scale, idx + 1)
    weights = np.clip(hi - lo, 0.0, None) / scale
    weights[idx >= src] = 0.0
    return np.minimum(idx, src - 1), weights.astype(np.float32)


def _downscale(rgb: np.ndarray, side: int) -> np.ndarray:
    """Float32 RGB in 0..1 with the longer side at most `side`: an integer box reduction
    (cheap on large files) followed by area resampling for the fractional rest."""
    h, w = rgb.shape[:2]
    scale = max(h, w) / side
    if scale <= 1.0:
        return rgb.astype(np.float32) / 255.0
    k = int(scale)
    if k >= 2:
        hh, ww = h // k * k, w // k * k
        x = rgb[:hh, :ww]
        acc: type[np.unsignedinteger] = np.uint16 if k * k * 255 <= 65535 else np.uint32
        rows = x[0::k].astype(acc)
        for i in range(1, k):
            rows += x[i::k]
        box = rows[:, 0::k].copy()
        for i in range(1, k):
            box += rows[:, i::k]
        img = box.astype(np.float32) * np.float32(1.0 / (k * k * 255))
    else:
        img = rgb.astype(np.float32) / 255.0
    th = max(8, round(h / scale))
    tw = max(8, round(w / scale))
    if img.shape[:2] != (th, tw):
        iy, wy = _area_taps(img.shape[0], th)
        rows = wy[:, 0, None, None] * img[iy[:, 0]]
        for k in range(1, iy.shape[1]):
            rows += wy[:, k, None, None] * img[iy[:, k]]
        ix, wx = _area_taps(img.shape[1], tw)
        img = wx[None, :, 0, None] * rows[:, ix[:, 0]]
        for k in range(1, ix.shape[1]):
            img += wx[None, :, k, None] * rows[:, ix[:, k]]
    return np.ascontiguousarray(img, dtype=np.float32)


def _native_gray(rgb: np.ndarray) -> np.ndarray:
    """A central crop at the file's own resolution, its origin on the 8-pixel grid where
    JPEG blocks start."""
    h, w = rgb.shape[:2]
    ch, cw = min(h, NATIVE_CROP), min(w, NATIVE_CROP)
    y0 = (h - ch) // 2 // 8 * 8
    x0 = (w - cw) // 2 // 8 * 8
    crop = rgb[y0:y0 + ch, x0:x0 + cw].astype(np.float32) / 255.0
    return crop @ _LUMA


def _gradient(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Central differences on the interior (H-2, W-2): magnitude, x and y."""
    gx = (gray[1:-1, 2:] - gray[1:-1, :-2]) * 0.5
    gy = (gray[2:, 1:-1] - gray[:-2, 1:-1]) * 0.5
    return np.sqrt(gx * gx + gy * gy), gx, gy


def _border_features(work: np.ndarray, gray: np.ndarray, grad: np.ndarray) -> list[float]:
    h, w = gray.shape
    b = max(3, round(0.05 * min(h, w)))
    sides = [work[:b].reshape(-1, 3), work[-b:].reshape(-1, 3),
             work[:, :b].reshape(-1, 3), work[:, -b:].reshape(-1, 3)]
    band = np.concatenate(sides)
    med = np.median(np.ascontiguousarray(band.T), axis=1)
    dist = _chan_dist(band, med)
    side_near = sorted(float((_chan_dist(s, med) < 0.12).mean()) for s in sides)
    gb = max(1, b - 1)
    border_grad = np.concatenate([grad[:gb].ravel(), grad[-gb:].ravel(),
                                  grad[:, :gb].ravel(), grad[:, -gb:].ravel()]).mean()
    whole = _chan_dist(work, med)
    cy, cx = h // 4, w // 4
    centre = np.median(np.ascontiguousarray(work[cy:h - cy, cx:w - cx].reshape(-1, 3).T),
                       axis=1)
    mx, mn = med.max(), med.min()
    return [float(band.std(axis=0).mean()), float(np.median(dist)),
            float((dist < 0.04).mean()), float((dist < 0.12).mean()),
            *side_near, float(border_grad), float((whole < 0.08).mean()),
            float(med @ _LUMA), float((mx - mn) / (mx + _EPS)),
            float(np.abs(centre - med).max())]


def _chan_dist(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Chebyshev colour distance of (..., 3) pixels to one colour, channel by channel
    (numpy's reductions over a length-3 last axis are slow)."""
    d = np.abs(x[..., 0] - ref[0])
    np.maximum(d, np.abs(x[..., 1] - ref[1]), out=d)
    np.maximum(d, np.abs(x[..., 2] - ref[2]), out=d)
    return d


def _colour_features(work: np.ndarray, gray: np.ndarray) -> list[float]:
    q = np.minimum((work * 16).astype(np.int32), 15)
    codes = (q[..., 0] << 8) | (q[..., 1] << 4) | q[..., 2]
    hist = np.bincount(codes.ravel(), minlength=4096).astype(np.float64)
    p = hist / hist.sum()
    nz = p[p > 0]
    top = np.sort(p)[::-1]
    lum = np.bincount(np.minimum((gray * 64).astype(np.int32), 63).ravel(), minlength=64)
    lp = lum[lum > 0] / lum.sum()
    return [float(-(nz * np.log2(nz)).sum() / 12.0), float(np.log1p((p > 0.001).sum()) / 8.3),
            float(top[0]), float(top[:2].sum()), float(top[:8].sum()),
            float(-(lp * np.log2(lp)).sum() / 6.0)]


def _edge_features(gray: np.ndarray, grad: np.ndarray, gx: np.ndarray,
                   gy: np.ndarray) -> list[float]:
    edges = grad > 0.05
    ax, ay = np.abs(gx), np.abs(gy)
    aligned = ((ax > 4 * ay) | (ay > 4 * ax)) & edges
    p90, p99 = np.percentile(grad, [90, 99])
    lo, hi = np.percentile(gray, [1, 99])
    return [float(edges.mean()), float((grad > 0.15).mean()), float(grad.mean()),
            float(p90), float(p99), float(aligned.sum() / (edges.sum() + 1.0)),
            float(p99 / (hi - lo + 0.05))]


def _laplacian(gray: np.ndarray) -> np.ndarray:
    return (gray[1:-1, :-2] + gray[1:-1, 2:] + gray[:-2, 1:-1] + gray[2:, 1:-1]
            - 4.0 * gray[1:-1, 1:-1])


def _blur_features(gray: np.ndarray, grad: np.ndarray) -> list[float]:
    lap1 = _laplacian(gray)
    h, w = gray.shape
    half = gray[:h // 2 * 2, :w // 2 * 2].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    lap2 = _laplacian(half)
    v1 = float(np.log10(lap1.var() + 1e-7))
    v2 = float(np.log10(lap2.var() + 1e-7))
    strong = grad > np.percentile(grad, 90)
    ratio = float(np.abs(lap1[strong]).mean() / (grad[strong].mean() + 0.01)) \
        if strong.any() else 0.0
    return [v1 / 7.0, v2 / 7.0, v1 - v2, ratio]


def _noise(gray: np.ndarray) -> float:
    """Immerkaer's fast noise estimate on the flatter half of the image, so texture and
    edges do not count as noise; returned as log10 sigma (in 0..1 units)."""
    if min(gray.shape) < 6:
        return -4.0 / 4.0
    g = gray
    m = (g[:-2, :-2] - 2 * g[:-2, 1:-1] + g[:-2, 2:]
         - 2 * g[1:-1, :-2] + 4 * g[1:-1, 1:-1] - 2 * g[1:-1, 2:]
         + g[2:, :-2] - 2 * g[2:, 1:-1] + g[2:, 2:])
    grad, _, _ = _gradient(g)
    flat = grad <= np.median(grad)
    sigma = np.sqrt(np.pi / 2) * np.abs(m[flat]).mean() / 6.0 if flat.any() else 0.0
    return float(np.log10(sigma + 1e-4) / 4.0)


def _blockiness(gray: np.ndarray) -> float:
    """How much larger the steps across 8-pixel block boundaries are than the steps inside
    blocks (1: no grid; JPEG at low quality: several times larger)."""
    ratios = []
    for axis in (0, 1):
        d = np.abs(np.diff(gray, axis=axis))
        n = d.shape[axis]
        if n < 16:
            continue
        idx = np.arange(n)
        at = (idx % 8) == 7
        across = d.take(idx[at], axis=axis).mean()
        inside = d.take(idx[~at], axis=axis).mean()
        ratios.append((across + 1e-3) / (inside + 1e-3))
    return float(np.log(np.mean(ratios))) if ratios else 0.0


def _line_features(work: np.ndarray) -> list[float]:
    """Evidence of a long straight seam or a flat gutter band crossing the image, away
    from its borders: a grid of photos has them, a single photo almost never. A seam is a
    colour step between the rows (columns) on either side; its strength is both the share
    of the row that steps and the longest unbroken stretch of it (partial seams, as in a
    big-plus-small layout), each relative to the rows nearby."""
    seams, runs, gutters = [], [], []
    for img in (work, work.transpose(1, 0, 2)):  # rows, then columns
        n = img.shape[0]
        lo, hi = max(3, int(0.08 * n)), min(n - 3, int(0.92 * n))
        if hi <= lo:
            seams.append(0.0)
            runs.append(0.0)
            gutters.append(0.0)
            continue
        step = _seam_mask(img)  # index r-2: a seam between rows r-1 and r+1
        frac = step.mean(axis=1)
        k = max(3, n // 20)
        r = np.arange(lo, hi)
        seams.append(_local_peak(frac, r - 2, k))
        runs.append(_local_peak(_longest_run(step) / step.shape[1], r - 2, k))
        gray = img @ _LUMA
        med = np.median(gray, axis=1, keepdims=True)
        flat = (np.abs(gray - med) < 0.03).mean(axis=1)
        gutters.append(_local_peak(flat, r, k))
    return [max(seams), min(seams), max(gutters), min(gutters), seams[0] * seams[1],
            max(runs), min(runs), runs[0] * runs[1]]


def _seam_mask(img: np.ndarray) -> np.ndarray:
    """Pixels of rows 2..n-3 where the two rows below differ from the two rows above by
    much more than each pair differs within itself: a break between two images, which a
    texture, noise or a soft gradient is not (a linear ramp has a ratio of 1.5, so blur
    does not pass the factor of 2.5)."""
    a = (img[3:-1] + img[4:]) * 0.5           # rows r+1, r+2
    b = (img[:-4] + img[1:-3]) * 0.5          # rows r-2, r-1
    across = _step(a, b)
    within = _step(img[1:-3], img[:-4]) + _step(img[4:], img[3:-1])
    return (across > 0.05) & (across > 2.5 * within)


def _step(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pixel Chebyshev colour difference of two equally shaped (..., 3) arrays."""
    d = np.abs(a[..., 0] - b[..., 0])
    np.maximum(d, np.abs(a[..., 1] - b[..., 1]), out=d)
    np.maximum(d, np.abs(a[..., 2] - b[..., 2]), out=d)
    return d


def _longest_run(mask: np.ndarray) -> np.ndarray:
    """Length of the longest run of True in each row of a 2-D boolean array, bridging
    gaps of one or two pixels (a seam crossing a colour the photos share)."""
    bridged = mask.copy()
    bridged[:, 1:-1] |= mask[:, :-2] & mask[:, 2:]
    bridged[:, 1:-2] |= mask[:, :-3] & mask[:, 3:]
    bridged[:, 2:-1] |= mask[:, :-3] & mask[:, 3:]
    mask = bridged
    cs = np.cumsum(mask, axis=1, dtype=np.int32)
    reset = np.maximum.accumulate(np.where(mask, 0, cs), axis=1)
    return (cs - reset).max(axis=1).astype(np.float64)


def _local_peak(values: np.ndarray, at: np.ndarray, k: int) -> float:
    """The largest margin by which values[at] exceeds the mean of the k values on either
    side of it (skipping the two nearest on each side, which a soft seam still touches):
    a narrow line stands out, a uniformly busy or flat area does not."""
    n = len(values)
    cs = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    a0, a1 = np.maximum(0, at - 2 - k), np.maximum(0, at - 2)
    b0, b1 = np.minimum(n, at + 3), np.minimum(n, at + 3 + k)
    ok = (a1 > a0) & (b1 > b0)
    if not ok.any():
        return 0.0
    above = (cs[a1] - cs[a0]) / np.maximum(a1 - a0, 1)
    below = (cs[b1] - cs[b0]) / np.maximum(b1 - b0, 1)
    score = np.where(ok, values[at] - np.maximum(above, below), 0.0)
    return float(max(0.0, score.max()))


def _max_filter(img: np.ndarray, k: int) -> np.ndarray:
    r = k // 2
    p = np.pad(img, r, mode="edge")
    out = p[:, :img.shape[1]].copy()
    for i in range(1, k):
        np.maximum(out, p[:, i:i + img.shape[1]], out=out)
    res = out[:img.shape[0]].copy()
    for i in range(1, k):
        np.maximum(res, out[i:i + img.shape[0]], out=res)
    return res


def _min_filter(img: np.ndarray, k: int) -> np.ndarray:
    return -_max_filter(-img, k)


def _text_features(gray: np.ndarray) -> list[float]:
    """Thin high-contrast strokes (top-hat and black-hat at two sizes) and their layout in
    rows separated by empty bands, the signature of lines of text."""
    dens = []
    strokes = None
    for k in (5, 11):
        opened = _max_filter(_min_filter(gray, k), k)
        closed = _min_filter(_max_filter(gray, k), k)
        s = np.maximum(gray - opened, closed - gray) > 0.2
        dens.append(float(s.mean()))
        strokes = s if strokes is None else strokes | s
    assert strokes is not None
    prof = strokes.mean(axis=1)
    rows = prof > 0.03
    transitions = float(np.count_nonzero(rows[1:] != rows[:-1])) / (len(rows) / 8.0)
    idx = np.flatnonzero(rows)
    gaps = float((~rows[idx[0]:idx[-1] + 1]).mean()) if idx.size >= 2 else 0.0
    hist = np.bincount(np.minimum((gray * 64).astype(np.int32), 63).ravel(),
                       minlength=64).astype(np.float64)
    p = hist / hist.sum()
    levels = (np.arange(64) + 0.5) / 64
    omega = np.cumsum(p)
    mu = np.cumsum(p * levels)
    total = mu[-1]
    between = (total * omega - mu) ** 2 / (omega * (1 - omega) + 1e-12)
    var = float((p * (levels - total) ** 2).sum())
    eta = float(between[:-1].max() / var) if var > 1e-8 else 0.0
    return [*dens, float(rows.mean()), min(transitions, 4.0), gaps, eta]


def _saturation_features(work: np.ndarray, gray: np.ndarray) -> list[float]:
    r, g, b = work[..., 0], work[..., 1], work[..., 2]
    mx = np.maximum(np.maximum(r, g), b)
    sat = (mx - np.minimum(np.minimum(r, g), b)) / (mx + 0.02)
    return [float(sat.mean()), float(sat.std()), float((sat > 0.5).mean()),
            float(gray.mean()), float(gray.std())]
