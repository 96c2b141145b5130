"""Perception quality: how well the subject and text perceivers do their jobs on real
photos, against simple baselines, and what each costs per image on the CPU.

Why this exists: layout decisions (where text may go, what to crop, whether a photo already
carries text) rest on the subject mask and the text boxes, so their error rates bound how
good a creative can be. Three parts, in one run:

1. Segmentation on segmentation-ccp (305 street-fashion photos with person masks): mask IoU
   and boundary F-measure of u2netp (`subject.saliency` ≥ 0.5), of GrabCut initialised
   with a rectangle inset 5 % from the border, and of a fixed centred ellipse (for scale).
   Everything is scored at one working size (long side 512; the masks resized with nearest
   neighbour).
2. Text detection on a labelled set made by `text_detection_set.py`: known ad strings drawn
   on the grocery photos (81 × 2 variants). Detections (`perceive_text`'s line boxes) are
   matched greedily to labelled lines at IoU ≥ 0.5; precision, recall, F1, and the rate of
   matched lines whose text is read exactly (case-insensitive). Package text already printed
   on the photos is not labelled: precision is reported counting every unmatched detection
   as false, and excluding unmatched detections that lie on text the detector finds in the
   untouched photo.
3. Speed: `perceive_subject` and `perceive_text` per grocery photo, as `decode_file` gives
   it, median and p90.

Data are read from ../shared/data at run time and never copied into the repo.

    .venv/bin/python benchmarks/perception_quality.py             # everything, writes results/
    .venv/bin/python benchmarks/perception_quality.py --limit 10  # quick look, prints only
    .venv/bin/python benchmarks/perception_quality.py --parts speed  # retake one part, keep
                                                                     # the others' records
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image
from provenance import ddm_lang_source, machine, versions

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
DEFAULT_SEG = DATA / "segmentation-ccp"
DEFAULT_GROCERY = DATA / "products-grocery"
DEFAULT_OUT = REPO / "benchmarks" / "results"
PARTS = ("seg", "text", "speed")
EXTRA_PACKAGES = ("onnxruntime", "onnxruntime-gpu", "rapidocr", "opencv-python-headless")

WORK_SIDE = 512           # segmentation is scored at this long side
BOUNDARY_TOL = 0.0075     # boundary match tolerance, fraction of the image diagonal
GRABCUT_SIDE = 320        # GrabCut runs at this long side (its cost grows with pixels)
GRABCUT_INSET = 0.05      # the initial rectangle is inset this much from each border
GRABCUT_ITERS = 5
ELLIPSE_AXES = (0.30, 0.45)  # centre ellipse semi-axes, fractions of width and height
MATCH_IOU = 0.5           # a detection matches a labelled line at this box IoU
LOOSE_IOU = 0.3           # also reported: recall at this IoU (boxes found, loosely drawn)
PACKAGE_COVER = 0.5       # an unmatched detection is package text when this much of it
                          # lies inside one box found on the untouched photo


# ---- metrics ---------------------------------------------------------------------------------
def mask_iou(pred: np.ndarray, gt: np.ndarray) -> float:
    """Intersection over union of two boolean masks; two empty masks agree perfectly."""
    union = np.logical_or(pred, gt).sum()
    if union == 0:
        return 1.0
    return float(np.logical_and(pred, gt).sum() / union)


def boundary(mask: np.ndarray) -> np.ndarray:
    """The mask's boundary pixels: mask pixels with a neighbour (of 8) outside the mask.
    The image frame is not a boundary (erosion pads with foreground), so a person cut by
    the bottom edge is not charged for the edge, as in the DAVIS benchmark."""
    m = mask.astype(np.uint8)
    eroded = cv2.erode(m, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT,
                       borderValue=1)
    return (m & (1 - eroded)).astype(bool)


def boundary_f(pred: np.ndarray, gt: np.ndarray,
               tolerance: float = BOUNDARY_TOL) -> tuple[float, float, float]:
    """Boundary precision, recall and F-measure (Perazzi et al. 2016, the DAVIS F): a
    boundary pixel of one mask counts as matched when a boundary pixel of the other lies
    within `tolerance` × the image diagonal. Region IoU barely notices a ragged or shifted
    outline on a large subject; this does, and outlines are what cut-outs show."""
    pb, gb = boundary(pred), boundary(gt)
    n_p, n_g = int(pb.sum()), int(gb.sum())
    if n_p == 0 and n_g == 0:
        return 1.0, 1.0, 1.0
    if n_p == 0:
        return 1.0, 0.0, 0.0
    if n_g == 0:
        return 0.0, 1.0, 0.0
    tol = tolerance * float(np.hypot(*pred.shape))
    # distanceTransform: distance of each pixel to the nearest zero pixel, i.e. boundary.
    to_gt = cv2.distanceTransform((~gb).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    to_pred = cv2.distanceTransform((~pb).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    precision = float((to_gt[pb] <= tol).sum() / n_p)
    recall = float((to_pred[gb] <= tol).sum() / n_g)
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f


Box = Sequence[float]  # x, y, w, h


def box_iou(a: Box, b: Box) -> float:
    """IoU of two axis-aligned boxes given as (x, y, w, h)."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def match_boxes(pred: Sequence[Box], gt: Sequence[Box],
                threshold: float = MATCH_IOU) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching: pairs taken in decreasing IoU while IoU ≥ threshold and
    neither side is taken yet (ties in index order). Returns (pred index, gt index, IoU)."""
    pairs = sorted(((box_iou(p, g), i, j) for i, p in enumerate(pred) for j, g in enumerate(gt)),
                   key=lambda t: (-t[0], t[1], t[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for iou, i, j in pairs:
        if iou < threshold:
            break
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((i, j, iou))
    return out


def prf(tp: int, n_pred: int, n_gt: int) -> tuple[float, float, float]:
    """Precision, recall, F1 from counts. Nothing predicted is precision 1 (nothing claimed
    wrongly), nothing to find is recall 1."""
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gt if n_gt else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def covered_fraction(box: Box, others: Sequence[Box]) -> float:
    """The largest fraction of `box`'s area lying inside any one of `others`."""
    area = box[2] * box[3]
    if area <= 0 or not others:
        return 0.0
    best = 0.0
    for o in others:
        ix = max(0.0, min(box[0] + box[2], o[0] + o[2]) - max(box[0], o[0]))
        iy = max(0.0, min(box[1] + box[3], o[1] + o[3]) - max(box[1], o[1]))
        best = max(best, ix * iy / area)
    return best


def same_text(read: str, truth: str, spaces: bool = True) -> bool:
    """Exact match, case-insensitive, runs of whitespace as one (or ignored)."""
    a, b = " ".join(read.casefold().split()), " ".join(truth.casefold().split())
    if not spaces:
        a, b = a.replace(" ", ""), b.replace(" ", "")
    return a == b


def summary(values: Sequence[float]) -> dict[str, float]:
    v = np.asarray(values, np.float64)
    if v.size == 0:
        return {"mean": float("nan"), "median": float("nan"), "p90": float("nan")}
    return {"mean": float(v.mean()), "median": float(np.median(v)),
            "p90": float(np.percentile(v, 90))}


def spread(items: list[Any], count: int | None) -> list[Any]:
    """`count` items spread evenly over the list (all when None): a quick run still sees
    the whole range of the data, not its alphabetical start."""
    if count is None or count >= len(items):
        return items
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


# ---- 1. segmentation -------------------------------------------------------------------------
def to_long_side(rgb: np.ndarray, side: int, interpolation: int = cv2.INTER_AREA) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = side / max(h, w)
    return cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))),
                      interpolation=interpolation)


def seg_u2netp(rgb: np.ndarray) -> np.ndarray:
    """The subject perceiver's mask: u2netp saliency at the image's size, ≥ 0.5."""
    from ddm_lang.perception import subject

    return subject.saliency(rgb) >= 0.5


def seg_grabcut(rgb: np.ndarray) -> np.ndarray:
    """Classical baseline: GrabCut from a rectangle inset GRABCUT_INSET from the border
    (outside it is background), GRABCUT_ITERS iterations at GRABCUT_SIDE, upscaled."""
    h, w = rgb.shape[:2]
    small = to_long_side(rgb, GRABCUT_SIDE)
    sh, sw = small.shape[:2]
    dx, dy = round(sw * GRABCUT_INSET), round(sh * GRABCUT_INSET)
    mask = np.zeros((sh, sw), np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut seeds its GMMs with k-means: keep runs repeatable
    cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), mask, (dx, dy, sw - 2 * dx, sh - 2 * dy),
                bgd, fgd, GRABCUT_ITERS, cv2.GC_INIT_WITH_RECT)
    fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)
    return cv2.resize(fg, (w, h), interpolation=cv2.INTER_NEAREST).astype(bool)


def seg_ellipse(rgb: np.ndarray) -> np.ndarray:
    """Trivial baseline: a centred ellipse (semi-axes ELLIPSE_AXES of width and height),
    fixed in advance, not fitted to the data. It shows what a score is worth when it
    needs no look at the image."""
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    ax, ay = ELLIPSE_AXES[0] * w, ELLIPSE_AXES[1] * h
    return ((xx + 0.5 - w / 2) / ax) ** 2 + ((yy + 0.5 - h / 2) / ay) ** 2 <= 1.0


SEG_METHODS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "u2netp": seg_u2netp, "grabcut": seg_grabcut, "centre ellipse": seg_ellipse}


def load_seg_pair(image: Path, mask: Path) -> tuple[np.ndarray, np.ndarray]:
    """The photo (decoded as perception decodes it) and its person mask, both at the
    working size: image with area averaging, mask with nearest neighbour."""
    from ddm_lang.perception import pixels

    px = pixels.decode_file(image)
    with Image.open(mask) as m:
        gt = np.asarray(m.convert("L")) >= 128
    if gt.shape != px.rgb.shape[:2]:
        gt = cv2.resize(gt.astype(np.uint8), (px.rgb.shape[1], px.rgb.shape[0]),
                        interpolation=cv2.INTER_NEAREST).astype(bool)
    rgb = to_long_side(px.rgb, WORK_SIDE)
    gt = cv2.resize(gt.astype(np.uint8), (rgb.shape[1], rgb.shape[0]),
                    interpolation=cv2.INTER_NEAREST).astype(bool)
    return rgb, gt


def run_segmentation(folder: Path, limit: int | None) -> dict[str, Any]:
    images = spread(sorted((folder / "images").glob("*.jpg")), limit)
    if not images:
        raise SystemExit(f"error: no images under {folder / 'images'}")
    warm, _ = load_seg_pair(images[0], folder / "masks" / (images[0].stem + ".png"))
    seg_u2netp(warm)  # session creation is not a per-image cost
    rows = []
    for k, image in enumerate(images):
        rgb, gt = load_seg_pair(image, folder / "masks" / (image.stem + ".png"))
        row: dict[str, Any] = {"name": image.stem, "size": [rgb.shape[1], rgb.shape[0]],
                               "gt_area": round(float(gt.mean()), 4), "methods": {}}
        for name, method in SEG_METHODS.items():
            start = time.perf_counter()
            pred = method(rgb)
            elapsed = time.perf_counter() - start
            bp, br, bf = boundary_f(pred, gt)
            row["methods"][name] = {"iou": round(mask_iou(pred, gt), 4), "bf": round(bf, 4),
                                    "bp": round(bp, 4), "br": round(br, 4),
                                    "time_s": round(elapsed, 4)}
        rows.append(row)
        if (k + 1) % 50 == 0:
            print(f"segmentation: {k + 1}/{len(images)}", file=sys.stderr)
    methods = {}
    for name in SEG_METHODS:
        col = [r["methods"][name] for r in rows]
        ious = [c["iou"] for c in col]
        methods[name] = {
            "iou": summary(ious), "bf": summary([c["bf"] for c in col]),
            "bp_mean": float(np.mean([c["bp"] for c in col])),
            "br_mean": float(np.mean([c["br"] for c in col])),
            "iou_below_0_5": int(sum(i < 0.5 for i in ious)),
            "time_s": summary([c["time_s"] for c in col])}
    return {"images": len(rows), "methods": methods, "per_image": rows}


# ---- 2. text detection -----------------------------------------------------------------------
def detect(rgb: np.ndarray) -> tuple[list[list[float]], list[str], float]:
    """`perceive_text`'s lines as pixel boxes, their texts, and the call's time."""
    from ddm_lang.perception import ocr

    h, w = rgb.shape[:2]
    start = time.perf_counter()
    found = ocr.perceive_text(rgb)
    elapsed = time.perf_counter() - start
    boxes = [[ln["box"][0] * w, ln["box"][1] * h, ln["box"][2] * w, ln["box"][3] * h]
             for ln in found["text.lines"]]
    return boxes, [ln["text"] for ln in found["text.lines"]], elapsed


SIZE_BUCKETS = ((24, 39), (40, 59), (60, 80))


def run_text(grocery: Path, limit: int | None, seed: int) -> dict[str, Any]:
    import text_detection_set as tds

    photos = spread(tds.find_photos(grocery), limit)
    detect(tds.upscale(photos[0]))  # engine creation is not a per-image cost
    rows = []
    for photo in photos:
        base = tds.upscale(photo)
        pkg_boxes, pkg_texts, _ = detect(base)
        for variant in tds.VARIANTS:
            sample = tds.render(photo, variant, seed, base=base)
            boxes, texts, elapsed = detect(sample.image)
            gts = [ln.box for ln in sample.lines]
            matches = match_boxes(boxes, gts)
            by_gt = {j: (i, iou) for i, j, iou in matches}
            matched_p = {i for i, _, _ in matches}
            loose = {j for _, j, _ in match_boxes(boxes, gts, LOOSE_IOU)}
            labels = []
            for j, ln in enumerate(sample.lines):
                i, iou = by_gt.get(j, (None, 0.0))
                labels.append({"text": ln.text, "box": list(ln.box), "size": ln.size,
                               "font": ln.font, "read": None if i is None else texts[i],
                               "iou": round(iou, 4), "loose": j in loose})
            extra = [{"text": texts[i], "box": [round(v, 1) for v in boxes[i]],
                      "package": covered_fraction(boxes[i], pkg_boxes) >= PACKAGE_COVER}
                     for i in range(len(boxes)) if i not in matched_p]
            rows.append({"name": sample.name, "variant": variant, "time_s": round(elapsed, 4),
                         "package_text": pkg_texts, "labels": labels, "unmatched": extra})
    return {"images": len(rows), "photos": len(photos), **text_scores(rows),
            "per_image": rows}


def text_scores(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Detection and recognition figures, overall and by variant and font size."""
    def score(sel: list[dict[str, Any]]) -> dict[str, Any]:
        labels = [lb for r in sel for lb in r["labels"]]
        tp = sum(lb["read"] is not None for lb in labels)
        fp = sum(len(r["unmatched"]) for r in sel)
        fp_pkg = sum(u["package"] for r in sel for u in r["unmatched"])
        p, rc, f = prf(tp, tp + fp, len(labels))
        p_ex, _, f_ex = prf(tp, tp + fp - fp_pkg, len(labels))
        reads = [lb for lb in labels if lb["read"] is not None]
        loose = sum(lb["loose"] for lb in labels)
        exact = sum(same_text(lb["read"], lb["text"]) for lb in reads)
        nospace = sum(same_text(lb["read"], lb["text"], spaces=False) for lb in reads)
        return {"images": len(sel), "lines": len(labels), "detections": tp + fp,
                "tp": tp, "fp": fp, "fp_package": fp_pkg,
                "precision": p, "precision_ex_package": p_ex, "recall": rc, "f1": f,
                "f1_ex_package": f_ex,
                "recall_loose": loose / len(labels) if labels else 1.0,
                "match_iou_mean": float(np.mean([lb["iou"] for lb in reads])) if reads else 0.0,
                "exact": exact / len(reads) if reads else 0.0,
                "exact_ignoring_spaces": nospace / len(reads) if reads else 0.0}

    by_size = {}
    for lo, hi in SIZE_BUCKETS:
        labels = [lb for r in rows for lb in r["labels"] if lo <= lb["size"] <= hi]
        hit = sum(lb["read"] is not None for lb in labels)
        by_size[f"{lo}-{hi} px"] = {"lines": len(labels),
                                    "recall": hit / len(labels) if labels else 1.0}
    return {"all": score(rows),
            "by_variant": {v: score([r for r in rows if r["variant"] == v])
                           for v in sorted({r["variant"] for r in rows})},
            "recall_by_size": by_size,
            "time_s": summary([r["time_s"] for r in rows])}


# ---- 3. speed --------------------------------------------------------------------------------
def run_speed(grocery: Path, limit: int | None) -> dict[str, Any]:
    """Per-photo time of the two perceivers on the working copy `decode_file` gives (the
    grocery photos are 198 px, below the 1024 px working size, so used as they are). One
    untimed warm-up call each creates the sessions."""
    import text_detection_set as tds

    from ddm_lang.perception import ocr, pixels, subject

    photos = spread(tds.find_photos(grocery), limit)
    first = pixels.decode_file(photos[0])
    subject.perceive_subject(first.rgb, first.alpha)
    ocr.perceive_text(first.rgb)
    times: dict[str, list[float]] = {"subject": [], "text": []}
    sizes = set()
    for photo in photos:
        px = pixels.decode_file(photo)
        sizes.add(f"{px.rgb.shape[1]}×{px.rgb.shape[0]}")
        start = time.perf_counter()
        subject.perceive_subject(px.rgb, px.alpha)
        times["subject"].append(time.perf_counter() - start)
        start = time.perf_counter()
        ocr.perceive_text(px.rgb)
        times["text"].append(time.perf_counter() - start)
    return {"photos": len(photos), "sizes": sorted(sizes),
            "time_s": {k: summary(v) for k, v in times.items()}}


# ---- reporting -------------------------------------------------------------------------------
def model_info() -> dict[str, Any]:
    """Which model files and ONNX providers were measured."""
    from ddm_lang.perception import models

    out: dict[str, Any] = {"providers": models.providers()}
    for role in ("subject", "ocr-det", "ocr-rec"):
        path = models.model_path(role)
        out[role] = {"file": path.name, "version": models.model_version(role)}
    sess = models.role_session("subject")
    out["subject"]["input_shape"] = list(sess.get_inputs()[0].shape)
    return out


def all_versions() -> dict[str, str]:
    out = versions()
    for name in EXTRA_PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def tally(texts: list[str]) -> str:
    """“text” ×count, most frequent first."""
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    return ", ".join(f"“{t}” ×{n}" for t, n in
                     sorted(counts.items(), key=lambda t: (-t[1], t[0])))


def run_line(section: dict[str, Any]) -> list[str]:
    r = section["run"]
    return [f"Run: {r['date']}, `{r['command']}`, {r['wall_s']:.0f} s, load average "
            f"{r['load_1min'][0]} before and {r['load_1min'][1]} after, ddm_lang "
            f"{r['ddm_lang_commit']}.", ""]


def pct(v: float) -> str:
    return f"{100 * v:.1f}"


def ms(v: float) -> str:
    return f"{1000 * v:.0f}"


def markdown(record: dict[str, Any]) -> str:
    meta = record["meta"]
    lines = ["# Perception quality: subject masks, text detection, speed", ""]
    seg = record.get("segmentation")
    if seg:
        lines += [
            f"## Subject masks on segmentation-ccp ({seg['images']} street-fashion photos, "
            "person masks)", "",
            f"Scored at long side {WORK_SIDE} px (ground truth resized with nearest "
            "neighbour). **IoU**: intersection over union of predicted and true person "
            "masks. **Boundary F**: the DAVIS boundary F-measure; a boundary pixel is "
            f"matched when the other mask's boundary lies within {BOUNDARY_TOL} × the "
            "image diagonal (about 4.6 px at 341×512); BP and BR are its precision and "
            "recall (means). **IoU < 0.5**: images where the mask is mostly wrong. "
            "Times are per image, in milliseconds, for the method alone (decoding and "
            "scoring excluded).", "",
            "| method | mean IoU | median IoU | IoU < 0.5 | mean boundary F | median "
            "boundary F | mean BP | mean BR | median ms | p90 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for name, m in seg["methods"].items():
            lines.append(
                f"| {name} | {m['iou']['mean']:.3f} | {m['iou']['median']:.3f} | "
                f"{m['iou_below_0_5']} | {m['bf']['mean']:.3f} | {m['bf']['median']:.3f} | "
                f"{m['bp_mean']:.3f} | {m['br_mean']:.3f} | {ms(m['time_s']['median'])} | "
                f"{ms(m['time_s']['p90'])} |")
        lines += [
            "",
            "- **u2netp**: `ddm_lang.perception.subject.saliency` on the 512 px image (it "
            "resizes to the model's 320×320 input and back), thresholded at 0.5 as "
            "`perceive_subject` does.",
            f"- **grabcut**: `cv2.grabCut` from a rectangle inset {GRABCUT_INSET:.0%} from "
            f"each border (outside = background), {GRABCUT_ITERS} iterations on the image "
            f"at long side {GRABCUT_SIDE}, result upscaled with nearest neighbour.",
            f"- **centre ellipse**: a fixed ellipse, semi-axes {ELLIPSE_AXES[0]:.0%} of the "
            f"width and {ELLIPSE_AXES[1]:.0%} of the height, not fitted to the data: the "
            "score of not looking at the image.",
            "- The people fill a large part of these portrait photos, so region IoU is "
            "forgiving; boundary F separates a clean outline from a blob.", ""]
        lines += run_line(seg)
    text = record.get("text")
    if text:
        a = text["all"]
        lines += [
            f"## Text detection on rendered ad text ({text['images']} images, "
            f"{a['lines']} labelled lines)", "",
            f"The set comes from `benchmarks/text_detection_set.py` (seed {meta['seed']}): "
            f"each of {text['photos']} grocery photos is upscaled to 800 px and gets 1–3 "
            "lines of ad text (offers, prices such as “€2.49”, brand-like words) in Inter or "
            "Noto Sans, 24–80 px, weights 400–800, in a palette colour legible on the "
            "background under it (WCAG contrast ≥ 4.5 against 90 % of its pixels). "
            "Variant **quiet** puts each line on the plainest of 40 free spots, "
            "**anywhere** on the first free legible spot (over the product and its print "
            "too). Labels are tight ink boxes measured from the drawn glyphs.", "",
            f"A detection (`perceive_text` line box, axis-aligned) matches a labelled line "
            f"at IoU ≥ {MATCH_IOU}, greedily by decreasing IoU, one to one. Unmatched "
            "detections are false positives, but the photos carry unlabelled package text "
            "(“Arla”, “YOGHURT”): **precision ex. package** does not count an unmatched "
            f"detection when ≥ {PACKAGE_COVER:.0%} of its box lies inside a box the "
            "detector finds on the same photo without the added text. **Exact read**: "
            "matched lines whose recognised text equals the label, case-insensitive; "
            "**ignoring spaces** also forgives dropped or added spaces. `perceive_text` "
            "drops lines read with confidence < 0.5, so a poor read can also cost recall. "
            f"**Recall at IoU ≥ {LOOSE_IOU}** (matched again at that threshold) tells "
            "lines found but boxed loosely (PP-OCR's boxes are expanded around the ink, "
            "labels are tight) from lines not found at all; **mean match IoU** is over "
            "the matches at 0.5.",
            "",
            "| set | images | lines | detections | precision | precision ex. package | "
            "recall | F1 | F1 ex. package | "
            f"recall at IoU ≥ {LOOSE_IOU} | mean match IoU | exact read | "
            "ignoring spaces |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for name, s in [("all", a), *text["by_variant"].items()]:
            lines.append(
                f"| {name} | {s['images']} | {s['lines']} | {s['detections']} | "
                f"{pct(s['precision'])} % | {pct(s['precision_ex_package'])} % | "
                f"{pct(s['recall'])} % | {pct(s['f1'])} % | {pct(s['f1_ex_package'])} % | "
                f"{pct(s['recall_loose'])} % | {s['match_iou_mean']:.3f} | {pct(s['exact'])} % | "
                f"{pct(s['exact_ignoring_spaces'])} % |")
        lines += ["", "| font size | lines | recall |", "|---|---:|---:|"]
        for name, s in text["recall_by_size"].items():
            lines.append(f"| {name} | {s['lines']} | {pct(s['recall'])} % |")
        misses = [lb for r in text["per_image"] for lb in r["labels"] if lb["read"] is None]
        misreads = [lb for r in text["per_image"] for lb in r["labels"]
                    if lb["read"] is not None and not same_text(lb["read"], lb["text"])]
        lines += ["", f"{a['fp']} unmatched detections, {a['fp_package']} of them on package "
                  f"text. `perceive_text` took {ms(text['time_s']['median'])} ms median, "
                  f"{ms(text['time_s']['p90'])} ms p90 per 800 px image.", ""]
        if misreads:
            lines += ["Misread lines (label → read): " + ", ".join(
                f"“{lb['text']}” → “{lb['read']}”" for lb in misreads[:25])
                + (f", and {len(misreads) - 25} more" if len(misreads) > 25 else "") + ".", ""]
        if misses:
            lines += ["Missed lines (at IoU ≥ 0.5) by string: "
                      + tally([lb["text"] for lb in misses]) + ".", ""]
        strays = [u["text"] for r in text["per_image"] for u in r["unmatched"]
                  if not u["package"]]
        if strays:
            lines += [
                "Unmatched detections not on package text: " + tally(strays) + ". The "
                "per-image records in the JSON show where each comes from; the usual "
                "causes are a labelled line detected as one box per word, a line merged "
                "with package print next to it, a small line boxed too loosely for IoU 0.5, "
                "and package print read only in the edited image (rapidocr recognises lines "
                "in batches of 6 padded to the widest crop, so a line's confidence, and "
                "whether it passes 0.5, depends on the other lines in the image).", ""]
        lines += run_line(text)
    speed = record.get("speed")
    if speed:
        t = speed["time_s"]
        lines += [
            f"## Speed per photo ({speed['photos']} grocery photos, "
            f"{', '.join(speed['sizes'])}, CPU)", "",
            "Milliseconds per call after one untimed warm-up (session creation), on the "
            "working copy `decode_file` returns; one process, onnxruntime's default "
            "threads. **subject**: `perceive_subject` (u2netp at 320×320 plus the mask "
            "description). **text**: `perceive_text` (PP-OCR detection, then recognition "
            "of each found line). PP-OCR detection runs with rapidocr's `limit_type: min, "
            "limit_side_len: 736`: an image whose short side is below 736 px is upscaled to "
            "it, so a 198 px photo costs about what an 800 px one does, and more lines cost "
            "more recognition.", "",
            "| perceiver | median ms | p90 ms | mean ms |", "|---|---:|---:|---:|"]
        for name in ("subject", "text"):
            lines.append(f"| {name} | {ms(t[name]['median'])} | {ms(t[name]['p90'])} | "
                         f"{ms(t[name]['mean'])} |")
        lines += [""]
        lines += run_line(speed)
    mi = meta["models"]
    lines += [
        "## Models", "",
        f"- ONNX providers (`models.providers()`): {', '.join(mi['providers'])}",
        f"- subject: `{mi['subject']['file']}` ({mi['subject']['version']}); its ONNX input "
        f"is fixed at {mi['subject']['input_shape']}: batch 1, so photos go through it one "
        "at a time and a batch costs its size times one call.",
        f"- text: `{mi['ocr-det']['file']}` ({mi['ocr-det']['version']}) and "
        f"`{mi['ocr-rec']['file']}` ({mi['ocr-rec']['version']}), through rapidocr; "
        "orientation classifier off.", "",
        "## Run", "",
        "Each section above ends with its own run line (a run of some `--parts` replaces "
        "those sections and keeps the others). The 1-minute load average is taken before "
        "and after each part: the run itself adds about 1 to the second; more means other "
        "work shared the CPUs, which inflates the times and leaves the quality figures "
        "alone (they are deterministic).", "",
        f"- last written: {meta['date']}, `{meta['command']}`",
        f"- machine: {meta['machine']['platform']}, {meta['machine']['processor']}, "
        f"{meta['machine']['cpus']} CPUs",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        f"- ddm_lang measured: commit {meta['ddm_lang']['commit']} "
        f"(imported from `{meta['ddm_lang']['path']}`)",
        "- data: `../shared/data/segmentation-ccp` (images/*.jpg, masks/*.png) and "
        "`../shared/data/products-grocery` (`*_Iconic.jpg`), read at run time", ""]
    return "\n".join(lines)


def rounded(obj: Any, digits: int = 4) -> Any:
    """Floats rounded for the JSON record (per-image rows are rounded already)."""
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, dict):
        return {k: rounded(v, digits) for k, v in obj.items()}
    if isinstance(obj, list):
        return [rounded(v, digits) for v in obj]
    return obj


# ---- CLI -------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seg", type=Path, default=DEFAULT_SEG,
                    help="segmentation-ccp folder (default ../shared/data/segmentation-ccp)")
    ap.add_argument("--grocery", type=Path, default=DEFAULT_GROCERY,
                    help="folder searched for *_Iconic.jpg (default ../shared/data/products-grocery)")
    ap.add_argument("--parts", default=",".join(PARTS),
                    help=f"comma-separated subset of {','.join(PARTS)}")
    ap.add_argument("--limit", type=int, help="only N images per part, spread over the data")
    ap.add_argument("--seed", type=int, default=0, help="seed of the text set")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results folder")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args(argv)
    parts = [p for p in args.parts.split(",") if p]
    if not parts or any(p not in PARTS for p in parts):
        ap.error(f"--parts takes a comma-separated subset of {','.join(PARTS)}")
    if args.limit is not None and args.limit < 1:
        ap.error("--limit must be at least 1")
    command = "python " + " ".join(shlex.quote(a) for a in
                                   [os.path.relpath(__file__, REPO), *sys.argv[1:]])
    runners: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
        "seg": ("segmentation", lambda: run_segmentation(args.seg.resolve(), args.limit)),
        "text": ("text", lambda: run_text(args.grocery.resolve(), args.limit, args.seed)),
        "speed": ("speed", lambda: run_speed(args.grocery.resolve(), args.limit))}
    sections = {}
    for part in PARTS:
        if part in parts:
            key, fn = runners[part]
            sections[key] = timed_part(fn, command)
    meta = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": command, "seed": args.seed, "machine": machine(),
            "versions": all_versions(), "ddm_lang": ddm_lang_source(), "models": model_info(),
            "settings": settings()}
    record = {"meta": meta, **rounded(sections)}
    out_json = args.out / "perception_quality.json"
    if args.limit is not None or args.no_write:
        print(markdown(record))
        if not args.no_write:
            print("--limit run: recorded results kept", file=sys.stderr)
        return 0
    if len(parts) < len(PARTS):
        # A partial run replaces its parts in the recorded results and keeps the others,
        # each with its own run line: timings can be retaken on a quiet machine alone.
        if not out_json.is_file():
            raise SystemExit(f"error: {out_json} does not exist; run all parts first")
        old = json.loads(out_json.read_text())
        if old["meta"].get("settings") != meta["settings"] or old["meta"].get("seed") != args.seed:
            raise SystemExit("error: the recorded results were made with other settings or "
                             "seed; run all parts")
        record = {"meta": meta, **{k: old[k] for k in ("segmentation", "text", "speed")
                                   if k in old}, **rounded(sections)}
    record = {"meta": meta, **{k: record[k] for k in ("segmentation", "text", "speed")
                               if k in record}}
    text = markdown(record)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    (args.out / "perception_quality.md").write_text(text)
    print(f"wrote {os.path.relpath(args.out / 'perception_quality.md')} and .json",
          file=sys.stderr)
    return 0


def timed_part(fn: Callable[[], dict[str, Any]], command: str) -> dict[str, Any]:
    """Run one part and attach its own run line: date, command, wall time, the load
    average around it (other work on the machine inflates times) and the commit."""
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    result = fn()
    result["run"] = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                     "command": command, "wall_s": round(time.perf_counter() - start, 1),
                     "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                     "ddm_lang_commit": ddm_lang_source()["commit"]}
    return result


def settings() -> dict[str, Any]:
    return {"work_side": WORK_SIDE, "boundary_tol": BOUNDARY_TOL,
            "grabcut": {"side": GRABCUT_SIDE, "inset": GRABCUT_INSET,
                        "iterations": GRABCUT_ITERS},
            "ellipse_axes": list(ELLIPSE_AXES), "match_iou": MATCH_IOU,
            "loose_iou": LOOSE_IOU, "package_cover": PACKAGE_COVER}


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
