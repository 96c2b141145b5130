"""Extend quality: how close `extend`'s outpainting comes to the real pixels it replaces.

Why this exists: `extend` invents pixels beside a photo so it can fill a slot of another
shape; whether a creative looks right depends on how plausible those pixels are and on
the seam being invisible. Real photos give a ground truth: crop the middle of each photo
(60 % of its width, or of its height), extend the crop back to the photo's size and
compare the regenerated area with the pixels that were really there.

Methods compared in one run (all from `ddm_lang.ops.outpaint`): `backdrop` (robust
quadratic fit of the border band, for plain/studio photos), `scene` (mirror with a blur
growing with distance from the seam), `auto` (what `extend` picks: backdrop when the
suitability classifier calls the crop's background plain, scene otherwise), and the
baselines `replicate` (edge pixels smeared, like a clamp or `ImageOps.pad`'s edge mode),
`constant` (the border band's median colour) and `mirror` (reflection, no blending).

Figures, over the regenerated area of every image, then averaged over images:
- MAE: mean absolute error per channel, 0..255 (lower is better);
- PSNR in dB of the squared error pooled over the dataset (higher is better);
- seam step: the mean step across the seam, |first new pixel − last original pixel| per
  channel (0..255), next to the real photo's step at the same place: well above the
  photo's is a visible edge, far below it a seam smoother than the photo (a mirror
  repeats the border pixel, so its step is 0).

Data are read from ../shared/data at run time and never copied into the repo.

    .venv/bin/python benchmarks/extend_quality.py                 # everything, writes results/
    .venv/bin/python benchmarks/extend_quality.py --limit 10 --sheet /tmp/extend.png
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps
from provenance import ddm_lang_source, machine, versions, write_results

from ddm_lang.ops import outpaint
from ddm_lang.ops.outpaint import Pad

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
DATASETS = {
    "grocery (plain studio)": (DATA / "products-grocery", "**/*_Iconic.jpg"),
    "ccp (street scenes)": (DATA / "segmentation-ccp" / "images", "*.jpg"),
}
DEFAULT_OUT = REPO / "benchmarks" / "results"
KEEP = 0.6                    # the crop keeps this share of the width (or height)
METHODS = ("auto", "backdrop", "scene", "mirror", "replicate", "constant")
AXES = ("width", "height")


def crop_pad(shape: tuple[int, int], axis: str) -> tuple[tuple[slice, slice], Pad]:
    """The centred crop keeping KEEP of one axis, and the padding that restores it."""
    h, w = shape
    if axis == "width":
        x0, x1 = round(w * (1 - KEEP) / 2), round(w * (1 + KEEP) / 2)
        return (slice(0, h), slice(x0, x1)), Pad(left=x0, right=w - x1)
    y0, y1 = round(h * (1 - KEEP) / 2), round(h * (1 + KEEP) / 2)
    return (slice(y0, y1), slice(0, w)), Pad(top=y0, bottom=h - y1)


def auto_method(rgb: np.ndarray) -> str:
    """What `extend` chooses for an opaque photo, from the same record attributes: the
    suitability classifier's background kind and the border's uniformity."""
    from ddm_lang.ops.extend import method_for
    from ddm_lang.perception import suitability
    from ddm_lang.perception.colour import background
    return method_for({"background.kind": suitability.suitability(rgb, None)["background"],
                       "background.uniformity": background(rgb)[1]})


def seam_steps(image: np.ndarray, pad: Pad, shape: tuple[int, int]) -> float:
    """Mean absolute step across the seams between the original area and the new one."""
    h, w = shape
    img = image.astype(np.float32)
    steps = []
    if pad.left:
        steps.append(np.abs(img[pad.top:pad.top + h, pad.left] - img[pad.top:pad.top + h, pad.left - 1]))
    if pad.right:
        x = pad.left + w
        steps.append(np.abs(img[pad.top:pad.top + h, x] - img[pad.top:pad.top + h, x - 1]))
    if pad.top:
        steps.append(np.abs(img[pad.top, pad.left:pad.left + w] - img[pad.top - 1, pad.left:pad.left + w]))
    if pad.bottom:
        y = pad.top + h
        steps.append(np.abs(img[y, pad.left:pad.left + w] - img[y - 1, pad.left:pad.left + w]))
    return float(np.mean(np.concatenate([s.reshape(-1) for s in steps])))


def score(original: np.ndarray, result: np.ndarray, pad: Pad,
          shape: tuple[int, int]) -> dict[str, float]:
    area = outpaint.new_area(shape, pad)
    diff = original.astype(np.float32)[area] - result.astype(np.float32)[area]
    mse = float(np.mean(diff ** 2))
    return {
        "mae": float(np.mean(np.abs(diff))),
        "mse": mse,
        "step": seam_steps(result, pad, shape),
        "photo_step": seam_steps(original, pad, shape),
    }


def psnr(mse: float) -> float:
    """PSNR of the pooled squared error (a per-image mean is dominated by the images
    whose regenerated area is flat white and comes out exact)."""
    return 10 * float(np.log10(255.0 ** 2 / max(mse, 1e-6)))


def load(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(ImageOps.exif_transpose(img).convert("RGB"))


def run(files: dict[str, list[Path]], sheet: Path | None = None) -> dict[str, Any]:
    results: dict[str, Any] = {}
    examples: list[np.ndarray] = []
    for dataset, paths in files.items():
        for axis in AXES:
            per: dict[str, list[dict[str, float]]] = {m: [] for m in METHODS}
            seconds: dict[str, float] = dict.fromkeys(METHODS, 0.0)
            chosen: dict[str, int] = {"backdrop": 0, "scene": 0}
            for i, path in enumerate(paths):
                original = load(path)
                where, pad = crop_pad(original.shape[:2], axis)
                crop = np.ascontiguousarray(original[where])
                shape = crop.shape[:2]
                outputs = {}
                for method in METHODS:
                    start = time.perf_counter()
                    name = auto_method(crop) if method == "auto" else method
                    if method == "auto":
                        chosen[name] += 1
                    outputs[method] = outpaint.outpaint(crop, pad, name)
                    seconds[method] += time.perf_counter() - start
                    per[method].append(score(original, outputs[method], pad, shape))
                if sheet is not None and axis == "width" and i < 3:
                    examples.append(np.concatenate(
                        [original, *(outputs[m] for m in METHODS)], axis=1))
            results[f"{dataset}, {axis}"] = {
                "images": len(paths),
                "photo_seam_step": round(float(np.mean([s["photo_step"] for s in per["auto"]])), 2),
                "auto_chose": chosen,
                "methods": {m: {
                    "mae": round(float(np.mean([s["mae"] for s in per[m]])), 2),
                    "psnr": round(psnr(float(np.mean([s["mse"] for s in per[m]]))), 2),
                    "seam_step": round(float(np.mean([s["step"] for s in per[m]])), 2),
                    "ms_per_image": round(1000 * seconds[m] / max(len(paths), 1), 1),
                } for m in METHODS},
            }
    if sheet is not None and examples:
        width = max(e.shape[1] for e in examples)
        rows = [np.asarray(Image.fromarray(e).resize((width, round(e.shape[0] * width / e.shape[1]))))
                for e in examples]
        Image.fromarray(np.concatenate(rows, axis=0)).save(sheet)
    return results


def markdown(report: dict[str, Any]) -> str:
    lines = ["# Extend quality", "",
             f"Measured {report['date']} on {report['machine']['processor']} "
             f"({report['machine']['cpus']} CPUs), ddm_lang {report['source']['commit']}, "
             f"by `{report['command']}` in {report['seconds']:.0f} s.", "",
             f"Each photo is cropped to its middle {round(KEEP * 100)} % (of the width, or of "
             "the height), extended back to its size, and the regenerated area is compared "
             "with the real pixels. MAE: mean absolute error per channel (0..255, lower is "
             "better); PSNR in dB over the pooled squared error (higher is better); seam: the "
             "mean step across the seam per channel (0..255), to compare with the real "
             "photo's step there (in each heading); ms: time per image. `auto` is what "
             "`extend` does: `backdrop` when the suitability classifier calls the crop plain "
             "or its border is mostly one colour (uniformity ≥ 0.7), `scene` otherwise.", ""]
    for name, res in report["results"].items():
        chose = res["auto_chose"]
        lines += [f"## {name} ({res['images']} images; auto chose backdrop {chose['backdrop']}, "
                  f"scene {chose['scene']}; the photo's own seam step {res['photo_seam_step']:.2f})",
                  "",
                  "| method | MAE | PSNR | seam | ms |", "|---|---|---|---|---|"]
        for method, m in res["methods"].items():
            lines.append(f"| `{method}` | {m['mae']:.2f} | {m['psnr']:.2f} | {m['seam_step']:.2f} | "
                         f"{m['ms_per_image']:.1f} |")
        lines.append("")
    lines += ["Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()), ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="images per dataset (0: all)")
    parser.add_argument("--sheet", type=Path, help="write a side-by-side PNG of examples")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    files = {}
    for name, (root, pattern) in DATASETS.items():
        found = sorted(root.glob(pattern))
        if not found:
            print(f"{root}: no {pattern} files", file=sys.stderr)
            return 1
        files[name] = found[:args.limit] if args.limit else found
    start = time.perf_counter()
    results = run(files, args.sheet)
    report = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "versions": versions(), "source": ddm_lang_source(),
        "command": "python benchmarks/extend_quality.py" + (f" --limit {args.limit}"
                                                            if args.limit else ""),
        "outpaint_version": outpaint.VERSION,
        "seconds": round(time.perf_counter() - start, 1),
        "results": results,
    }
    text = markdown(report)
    print(text)
    if not args.limit:
        write_results(args.out, "extend_quality", report, text, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
