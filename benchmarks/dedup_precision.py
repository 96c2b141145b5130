"""Near-duplicate grouping: pair precision and recall of the pHash grouping that
`ddm materials harvest` uses to keep one copy of each product photo.

Why this exists: a product page shows each photo several times (thumbnail, gallery, zoom and
share copies, the same shot in the video), and harvesting must keep one of each and only
one; merging two different products instead loses a photo without a trace. The threshold in
`ddm_lang/perception/harvest/dedup.py` (`THRESHOLD`) is chosen from this run.

The set: the grocery photos (`../shared/data/products-grocery`, `**/*_Iconic.jpg`, read in
place, never copied) and, for each, the alterations a shop's copies go through:

- `resize50`, `resize200`: resized to 50 % and 200 % (Lanczos);
- `jpeg40`, `jpeg70`: re-encoded as JPEG at quality 40 and 70;
- `webp`: re-encoded as WebP (Pillow's default quality, 80);
- `crop5`: 5 % of the width cut from the left and 5 % of the height from the top (a
  one-sided crop shifts the picture, which is harder for the hash than a centred one);
- `bright`: brightness raised by 10 %;
- `watermark`: a small semi-opaque "© shop.example" in the lower right corner.

Every photo and its copies are grouped together with `dedup.group_duplicates` (best copy
first, each image joins the nearest kept copy within the pHash threshold whose colour layout
also agrees). A pair of images is a
true pair when both come from the same photo; precision and recall count pairs in one group.
Distinct products grouped together are listed by name: some grocery photos are genuinely
alike (milk cartons of one brand, apples of two kinds).

Two checks of the fingerprint's parts: the same grouping with every pHash bit counted (no
stable-bit mask), and the project's sample packshots (`ddm_lang/stdlib_templates/samples/
images/*.jpg`, drawn and mostly symmetric, where the mask matters most), each against its
50 % resize and its quality-70 JPEG: bits apart with and without the mask.

    .venv/bin/python benchmarks/dedup_precision.py              # writes results/dedup_precision.{md,json}
    .venv/bin/python benchmarks/dedup_precision.py --no-write
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import itertools
import shlex
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont
from provenance import ddm_lang_source, machine, run_lines, versions, write_results

from ddm_lang.perception.harvest import dedup

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PHOTOS = REPO.parent / "shared" / "data" / "products-grocery"
DEFAULT_OUT = REPO / "benchmarks" / "results"
SAMPLES = REPO / "ddm_lang" / "stdlib_templates" / "samples" / "images"
ALL_BITS = (1 << 64) - 1
SWEEP = range(0, 21)
COLOUR_SWEEP = (2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, float("inf"))


def _encoded(img: Image.Image, fmt: str, **params: Any) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return out


def _resize(scale: float) -> Callable[[Image.Image], Image.Image]:
    def run(img: Image.Image) -> Image.Image:
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        return img.resize(size, Image.Resampling.LANCZOS)
    return run


def _crop(img: Image.Image) -> Image.Image:
    return img.crop((round(img.width * 0.05), round(img.height * 0.05), img.width, img.height))


def _watermark(img: Image.Image) -> Image.Image:
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font = ImageFont.load_default(size=max(7, img.width // 28))
    text = "© shop.example"
    box = draw.textbbox((0, 0), text, font=font)
    x = img.width - (box[2] - box[0]) - img.width // 40
    y = img.height - (box[3] - box[1]) - img.height // 30
    draw.text((x, y), text, font=font, fill=(255, 255, 255, 170), stroke_width=1,
              stroke_fill=(0, 0, 0, 170))
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


ALTERATIONS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "resize50": _resize(0.5),
    "resize200": _resize(2.0),
    "jpeg40": lambda img: _encoded(img, "JPEG", quality=40),
    "jpeg70": lambda img: _encoded(img, "JPEG", quality=70),
    "webp": lambda img: _encoded(img, "WEBP"),
    "crop5": _crop,
    "bright": lambda img: ImageEnhance.Brightness(img).enhance(1.1),
    "watermark": _watermark,
}


def _name(path: Path) -> str:
    return path.name.removesuffix("_Iconic.jpg")


def build(photos: list[Path]
          ) -> tuple[list[dedup.Fingerprint], list[int], list[int], list[str], float]:
    """(fingerprint, pixel count, source index, alteration) of every image; ms per
    fingerprint."""
    hashes: list[dedup.Fingerprint] = []
    pixels: list[int] = []
    sources: list[int] = []
    kinds: list[str] = []
    seconds = 0.0
    for s, path in enumerate(photos):
        with Image.open(path) as img:
            original = img.convert("RGB")
        variants = {"original": original, **{k: f(original) for k, f in ALTERATIONS.items()}}
        for kind, img in variants.items():
            start = time.perf_counter()
            hashes.append(dedup.fingerprint(img))
            seconds += time.perf_counter() - start
            pixels.append(img.width * img.height)
            sources.append(s)
            kinds.append(kind)
    return hashes, pixels, sources, kinds, 1000 * seconds / max(1, len(hashes))


def pairs_in_groups(duplicate_of: list[int | None]) -> set[tuple[int, int]]:
    groups: dict[int, list[int]] = {}
    for i, d in enumerate(duplicate_of):
        groups.setdefault(i if d is None else d, []).append(i)
    return {(a, b) for members in groups.values()
            for a, b in itertools.combinations(sorted(members), 2)}


def evaluate(hashes: list[dedup.Fingerprint], pixels: list[int], sources: list[int],
             kinds: list[str], names: list[str], threshold: int,
             colour_threshold: float = dedup.COLOUR_THRESHOLD) -> dict[str, Any]:
    duplicate_of = dedup.group_duplicates(hashes, pixels, threshold=threshold,
                                          colour_threshold=colour_threshold)
    predicted = pairs_in_groups(duplicate_of)
    true_pairs = {(a, b) for a, b in itertools.combinations(range(len(hashes)), 2)
                  if sources[a] == sources[b]}
    tp = len(predicted & true_pairs)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(true_pairs) if true_pairs else 1.0
    merged = Counter(tuple(sorted((names[sources[a]], names[sources[b]])))
                     for a, b in predicted - true_pairs)
    missed = Counter(kinds[b] if kinds[a] == "original" else kinds[a]
                     for a, b in true_pairs - predicted
                     if "original" in (kinds[a], kinds[b]))
    groups = sum(1 for d in duplicate_of if d is None)
    return {"threshold": threshold,
            "colour_threshold": None if colour_threshold == float("inf") else colour_threshold,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(2 * precision * recall / (precision + recall), 4)
            if precision + recall else 0.0,
            "true_pairs": len(true_pairs), "predicted_pairs": len(predicted), "tp": tp,
            "groups": groups, "photos": len(names),
            "merged_products": [{"products": list(k), "pairs": v}
                                for k, v in sorted(merged.items())],
            "originals_split_from": dict(sorted(missed.items()))}


def distances(hashes: list[dedup.Fingerprint], sources: list[int], kinds: list[str],
              names: list[str]) -> dict[str, Any]:
    """How far each alteration moves the hash from its original, and the nearest distinct
    photos: the margin a threshold has to fit in."""
    originals = {sources[i]: i for i, k in enumerate(kinds) if k == "original"}
    per_kind: dict[str, list[tuple[int, float]]] = {}
    for i, k in enumerate(kinds):
        if k != "original":
            o = hashes[originals[sources[i]]]
            per_kind.setdefault(k, []).append((dedup.bits_apart(hashes[i], o),
                                               dedup.colour_distance(hashes[i], o)))
    nearest = sorted(
        (dedup.bits_apart(hashes[originals[a]], hashes[originals[b]]),
         round(dedup.colour_distance(hashes[originals[a]], hashes[originals[b]]), 1),
         names[a], names[b])
        for a, b in itertools.combinations(sorted(originals), 2))

    def spread(values: list[float]) -> dict[str, float]:
        return {"median": round(float(np.median(values)), 2),
                "p95": round(float(np.percentile(values, 95)), 2),
                "max": round(float(max(values)), 2)}
    return {
        "alteration_bits": {k: spread([b for b, _ in v]) for k, v in per_kind.items()},
        "alteration_colour": {k: spread([c for _, c in v]) for k, v in per_kind.items()},
        "nearest_distinct": [{"bits": d, "colour": c, "products": [a, b]}
                             for d, c, a, b in nearest[:15]],
    }


def _brief(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sweep rows with the merged products counted, not listed (the shipped row lists
    them)."""
    return [{**{k: v for k, v in row.items() if k != "merged_products"},
             "merged_products": len(row["merged_products"])} for row in rows]


def _sweep_table(rows: list[dict[str, Any]], key: str, shipped: float, label: str) -> list[str]:
    lines = [f"| {label} | precision | recall | F1 | groups | distinct products merged |",
             "|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        mark = " **(shipped)**" if row[key] == shipped else ""
        value = "off" if row[key] is None else f"{row[key]:g}"   # None: no colour check
        lines.append(f"| {value}{mark} | {row['precision']:.3f} | {row['recall']:.3f} | "
                     f"{row['f1']:.3f} | {row['groups']} | {row['merged_products']} |")
    return [*lines, ""]


def unmasked(prints: list[dedup.Fingerprint]) -> list[dedup.Fingerprint]:
    """The fingerprints with every bit counted as stable: plain Hamming distance."""
    return [dataclasses.replace(p, stable=ALL_BITS) for p in prints]


def packshots() -> dict[str, Any]:
    """Bits apart, with and without the stable-bit mask, of the sample packshots and their
    50 % and JPEG-70 copies."""
    masked: list[int] = []
    plain: list[int] = []
    for path in sorted(SAMPLES.glob("*.jpg")):
        with Image.open(path) as img:
            original = img.convert("RGB")
        a = dedup.fingerprint(original)
        for alter in (ALTERATIONS["resize50"], ALTERATIONS["jpeg70"]):
            b = dedup.fingerprint(alter(original))
            masked.append(dedup.bits_apart(a, b))
            plain.append(dedup.hamming(a.phash, b.phash))
    return {"photos": len(masked) // 2, "pairs": len(masked),
            "masked": {"median": float(np.median(masked)), "max": max(masked),
                       "within": sum(d <= dedup.THRESHOLD for d in masked)},
            "plain": {"median": float(np.median(plain)), "max": max(plain),
                      "within": sum(d <= dedup.THRESHOLD for d in plain)}}


def markdown(record: dict[str, Any]) -> str:
    chosen = record["chosen"]
    lines = [
        "# Near-duplicate grouping: precision and recall", "",
        f"{record['photos']} grocery photos (`products-grocery`, `**/*_Iconic.jpg`, "
        f"{record['photo_size']}) and {len(ALTERATIONS)} altered copies of each "
        f"({', '.join(ALTERATIONS)}): {record['images']} images, grouped with "
        "`ddm_lang.perception.harvest.dedup.group_duplicates` (64-bit DCT pHash and a 4×4 "
        "opponent-colour layout; best copy first, each image joins the nearest kept copy "
        "within both thresholds). A true pair is two images of the same photo; precision and "
        "recall count pairs grouped together. Fingerprint: "
        f"{record['hash_ms']:.2f} ms per image.", "",
        f"## At the shipped thresholds ({chosen['threshold']} bits, colour "
        f"{chosen['colour_threshold']:g})", "",
        "| pairs precision | pairs recall | F1 | true pairs | grouped pairs | groups (photos) |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {chosen['precision']:.3f} | {chosen['recall']:.3f} | {chosen['f1']:.3f} | "
        f"{chosen['true_pairs']:,} | {chosen['predicted_pairs']:,} | {chosen['groups']} "
        f"({chosen['photos']}) |", "",
    ]
    merged = chosen["merged_products"]
    if merged:
        lines += [f"Distinct products grouped together ({len(merged)} pairs of products):", ""]
        lines += [f"- {m['products'][0]} + {m['products'][1]} ({m['pairs']} image pairs)"
                  for m in merged]
        lines.append("")
    else:
        lines += ["No two distinct products were grouped together.", ""]
    split = chosen["originals_split_from"]
    lines += ["Copies left out of their original's group, by alteration (of "
              f"{record['photos']} each): "
              + (", ".join(f"{k} {v}" for k, v in split.items()) or "none") + ".", ""]
    lines += ["## How far each alteration moves the fingerprint from the original", "",
              "| alteration | pHash bits: median | p95 | max | colour: median | p95 | max |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    bits, colour = record["distances"]["alteration_bits"], record["distances"]["alteration_colour"]
    for k, v in bits.items():
        c = colour[k]
        lines.append(f"| {k} | {v['median']:g} | {v['p95']:g} | {v['max']:g} | "
                     f"{c['median']:.1f} | {c['p95']:.1f} | {c['max']:.1f} |")
    lines += ["", "Nearest distinct photos (pHash bits, colour): " + "; ".join(
        f"{n['products'][0]} / {n['products'][1]} {n['bits']}, {n['colour']:g}"
        for n in record["distances"]["nearest_distinct"]) + ".", ""]
    ablation, shots = record["no_mask"], record["packshots"]
    lines += ["## The fingerprint's parts", "",
              "| grouping at the shipped thresholds | precision | recall | F1 | distinct "
              "products merged |", "|---|---:|---:|---:|---:|",
              f"| as shipped | {chosen['precision']:.3f} | {chosen['recall']:.3f} | "
              f"{chosen['f1']:.3f} | {len(chosen['merged_products'])} |",
              f"| every bit counted (no stable-bit mask) | {ablation['precision']:.3f} | "
              f"{ablation['recall']:.3f} | {ablation['f1']:.3f} | "
              f"{len(ablation['merged_products'])} |", "",
              f"Sample packshots ({shots['photos']} photos, {shots['pairs']} copies at 50 % or "
              "JPEG 70): bits apart from the original with the mask median "
              f"{shots['masked']['median']:g}, max {shots['masked']['max']} "
              f"({shots['masked']['within']} of {shots['pairs']} within the threshold); every "
              f"bit counted median {shots['plain']['median']:g}, max {shots['plain']['max']} "
              f"({shots['plain']['within']} within).", ""]
    lines += [f"## pHash threshold sweep (colour threshold {chosen['colour_threshold']:g})", ""]
    lines += _sweep_table(record["sweep"], "threshold", chosen["threshold"], "bits")
    lines += ["## pHash threshold sweep without the colour check", ""]
    lines += _sweep_table(record["sweep_no_colour"], "threshold", -1, "bits")
    lines += [f"## Colour threshold sweep ({chosen['threshold']} bits)", ""]
    lines += _sweep_table(record["colour_sweep"], "colour_threshold",
                          chosen["colour_threshold"], "colour")
    return "\n".join(lines + run_lines(record))


def _source() -> dict[str, str]:
    """`provenance.ddm_lang_source`, with "+untracked" when the harvest package measured is
    not yet in the commit it names (its dirty check looks at tracked files only)."""
    out = ddm_lang_source()
    try:
        status = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--",
                                 "ddm_lang/perception/harvest"], capture_output=True,
                                text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return out
    if "??" in status and out.get("commit", "unknown") != "unknown":
        out["commit"] += "+untracked"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    photos = sorted(args.photos.glob("**/*_Iconic.jpg"))
    if not photos:
        raise SystemExit(f"{args.photos}: no *_Iconic.jpg photos")
    names = [_name(p) for p in photos]
    sizes = Counter(Image.open(p).size for p in photos)
    hashes, pixels, sources, kinds, hash_ms = build(photos)
    sweep = [evaluate(hashes, pixels, sources, kinds, names, t) for t in SWEEP]
    chosen = next(r for r in sweep if r["threshold"] == dedup.THRESHOLD)
    no_colour = [evaluate(hashes, pixels, sources, kinds, names, t, float("inf"))
                 for t in SWEEP]
    colour_sweep = [evaluate(hashes, pixels, sources, kinds, names, dedup.THRESHOLD, c)
                    for c in COLOUR_SWEEP]
    sweep, no_colour, colour_sweep = (_brief(rows) for rows in (sweep, no_colour, colour_sweep))
    record: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": ("python benchmarks/dedup_precision.py " + shlex.join(sys.argv[1:])).rstrip(),
        "machine": machine(),
        "versions": versions(),
        "ddm_lang": _source(),
        "photos": len(photos),
        "photo_size": ", ".join(f"{w}×{h} px ({n})" for (w, h), n in sizes.most_common()),
        "images": len(hashes),
        "alterations": list(ALTERATIONS),
        "hash_ms": round(hash_ms, 3),
        "chosen": chosen,
        "distances": distances(hashes, sources, kinds, names),
        "no_mask": evaluate(unmasked(hashes), pixels, sources, kinds, names, dedup.THRESHOLD),
        "packshots": packshots(),
        "sweep": sweep,
        "sweep_no_colour": no_colour,
        "colour_sweep": colour_sweep,
    }
    text = markdown(record)
    print(text)
    if not args.no_write:
        write_results(args.out, "dedup_precision", record, text)


if __name__ == "__main__":
    main()
