"""Render speed on creative-like SVGs: ours against cairosvg and skia.SVGDOM, in one run.

Why this exists: a batch of creatives is rasterised and encoded per request, so the cost that
matters is SVG bytes → encoded PNG/JPEG for documents shaped like ours (gradient backdrop,
photos as data URIs, a clipped image, a few lines of text, one blur or drop shadow), not
micro-benchmarks of single primitives. The baselines run in the same process and session so
their ratios to ours are comparable; absolute times depend on the machine.

The documents are built in code (deterministically) from product photos read at run time
from ../shared/data/products-grocery; nothing of that data is copied into the repo.

    .venv/bin/python benchmarks/render_speed.py               # 15 repetitions, writes results
    .venv/bin/python benchmarks/render_speed.py --reps 3 --no-write --save-renders /tmp/r
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import gc
import os
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import skia
from provenance import ddm_lang_source, machine, versions, write_results

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PHOTOS = REPO.parent / "shared" / "data" / "products-grocery"
DEFAULT_OUT = REPO / "benchmarks" / "results"
SIZES = ((1080, 1080), (1200, 628))
FONT = "Inter, sans-serif"


# ---- documents -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Design:
    """One creative's content; the layout follows from the canvas size."""

    name: str
    top: str  # gradient colours
    bottom: str
    accent: str
    ink: str
    headline: str
    subline: str
    small: str
    effect: str  # "blur" (feGaussianBlur on a glow disc) or "shadow" (feDropShadow on the CTA)


DESIGNS = (
    Design("fresh-fruit", "#fff4d6", "#ffc46b", "#e2571e", "#2b1a0e",
           "Summer is here", "Fresh fruit, picked this week", "Order by 6 pm, delivered today",
           "blur"),
    Design("veg-box", "#e8f6e9", "#8fd19e", "#1f7a3a", "#0f2a17",
           "Veg box −20%", "Seasonal greens in every box", "Offer ends Sunday. T&Cs apply.",
           "shadow"),
    Design("breakfast", "#f3ecff", "#b79cf2", "#5a2ca0", "#1d0f33",
           "Better mornings", "Oats, juice and more from €2", "While stocks last",
           "blur"),
    Design("dairy-deal", "#e6f3ff", "#7fb8ef", "#0b5cab", "#061d36",
           "2 for 1 on dairy", "Milk, yogurt and cheese", "Members only, in store and online",
           "shadow"),
    Design("night-market", "#1d2430", "#3b4a63", "#ffb703", "#ffffff",
           "Late-night deals", "Open until midnight, every day", "Prices valid this week",
           "blur"),
)


def find_photos(folder: Path, count: int) -> list[Path]:
    """`count` product photos spread evenly over the sorted JPEGs: deterministic, varied."""
    photos = sorted(folder.rglob("*.jpg"))
    if len(photos) < count:
        raise SystemExit(f"error: need {count} JPEGs under {folder}, found {len(photos)}")
    step = len(photos) / count
    return [photos[int(i * step)] for i in range(count)]


def data_uri(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def build_svg(design: Design, width: int, height: int, hero: bytes, thumb: bytes) -> bytes:
    """A creative: gradient backdrop, hero photo, rounded-rect clipped thumbnail, headline /
    subline / small print at 64 / 36 / 24 px, and a blurred glow or a drop-shadowed CTA."""
    wide = width / height > 1.3
    pad = round(0.06 * min(width, height))
    if wide:  # text column on the left, photo on the right
        hero_box = (round(width * 0.52), pad, round(width * 0.48) - pad, height - 2 * pad)
        text_x, head_y = pad, round(height * 0.30)
        thumb_box = (pad, height - pad - 150, 150, 150)
        cta = (pad + 180, height - pad - 110, 300, 84)
    else:  # photo on top, text below
        hero_box = (pad, pad, width - 2 * pad, round(height * 0.50))
        text_x, head_y = pad, round(height * 0.50) + pad + 80
        thumb_box = (width - pad - 220, height - pad - 220, 220, 220)
        cta = (pad, height - pad - 96, 340, 96)
    hx, hy, hw, hh = hero_box
    tx, ty, tw, th = thumb_box
    cx, cy, cw, ch = cta
    glow_r = round(min(hw, hh) * 0.45)
    if design.effect == "blur":
        filt = ('<filter id="fx" x="-50%" y="-50%" width="200%" height="200%">'
                '<feGaussianBlur stdDeviation="36"/></filter>')
        glow = (f'<circle cx="{hx + hw * 0.2}" cy="{hy + hh * 0.8}" r="{glow_r}" '
                f'fill="{design.accent}" fill-opacity="0.55" filter="url(#fx)"/>')
        cta_filter = ""
    else:
        filt = ('<filter id="fx" x="-20%" y="-20%" width="140%" height="160%">'
                '<feDropShadow dx="0" dy="10" stdDeviation="14" flood-color="#000" '
                'flood-opacity="0.35"/></filter>')
        glow = ""
        cta_filter = ' filter="url(#fx)"'
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="{width}" height="{height}" viewBox="0 0 {width} {height}">
 <defs>
  <linearGradient id="bg" x1="0" y1="0" x2="0.4" y2="1">
   <stop offset="0" stop-color="{design.top}"/><stop offset="1" stop-color="{design.bottom}"/>
  </linearGradient>
  <clipPath id="thumbclip"><rect x="{tx}" y="{ty}" width="{tw}" height="{th}" rx="28"/></clipPath>
  {filt}
 </defs>
 <rect width="{width}" height="{height}" fill="url(#bg)"/>
 {glow}
 <image x="{hx}" y="{hy}" width="{hw}" height="{hh}" preserveAspectRatio="xMidYMid meet"
  href="{data_uri(hero)}"/>
 <image x="{tx}" y="{ty}" width="{tw}" height="{th}" preserveAspectRatio="xMidYMid slice"
  clip-path="url(#thumbclip)" href="{data_uri(thumb)}"/>
 <g font-family="{FONT}" fill="{design.ink}">
  <text x="{text_x}" y="{head_y}" font-size="64" font-weight="700">{escape(design.headline)}</text>
  <text x="{text_x}" y="{head_y + 56}" font-size="36">{escape(design.subline)}</text>
  <text x="{text_x}" y="{head_y + 100}" font-size="24" fill-opacity="0.75">{escape(design.small)}</text>
 </g>
 <rect x="{cx}" y="{cy}" width="{cw}" height="{ch}" rx="{ch / 2}" fill="{design.accent}"{cta_filter}/>
 <text x="{cx + cw / 2}" y="{cy + ch / 2 + 12}" font-family="{FONT}" font-size="36"
  font-weight="700" text-anchor="middle" fill="#ffffff">Shop now</text>
</svg>
"""
    return svg.encode("utf-8")


@dataclass(frozen=True)
class Document:
    name: str
    width: int
    height: int
    svg: bytes
    effect: str


def build_documents(photos: list[Path]) -> list[Document]:
    """Every design at every size; design i uses photos 2i (hero) and 2i+1 (thumbnail)."""
    docs = []
    for i, design in enumerate(DESIGNS):
        hero, thumb = photos[2 * i].read_bytes(), photos[2 * i + 1].read_bytes()
        for w, h in SIZES:
            docs.append(Document(f"{design.name} {w}×{h}", w, h,
                                 build_svg(design, w, h, hero, thumb), design.effect))
    return docs


# ---- the renderers, as timed -----------------------------------------------------------------
def ours_raster(doc: Document) -> np.ndarray:
    from ddm_lang.renderer.raster import render

    return render(doc.svg)


def ours_encode(fmt: str) -> Callable[[Document], bytes]:
    def run(doc: Document) -> bytes:
        from ddm_lang.renderer.encode import encode

        return encode(ours_raster(doc), fmt)
    return run


def cairosvg_raster(doc: Document) -> Any:
    """Parse and draw onto cairo's in-memory surface; `output=None` skips the PNG writer."""
    from cairosvg.parser import Tree
    from cairosvg.surface import PNGSurface

    surface = PNGSurface(Tree(bytestring=doc.svg), None, 96, output_width=doc.width,
                         output_height=doc.height)
    surface.finish()
    return surface


def cairosvg_png(doc: Document) -> bytes:
    import cairosvg

    return cairosvg.svg2png(bytestring=doc.svg, output_width=doc.width, output_height=doc.height)


def svgdom_image(doc: Document) -> skia.Image:
    dom = skia.SVGDOM.MakeFromStream(skia.MemoryStream(doc.svg, True))
    if dom is None:
        raise ValueError("SVGDOM could not parse the document")
    dom.setContainerSize(skia.Size(doc.width, doc.height))
    surface = skia.Surface.MakeRaster(skia.ImageInfo.Make(
        doc.width, doc.height, skia.ColorType.kRGBA_8888_ColorType,
        skia.AlphaType.kPremul_AlphaType))
    surface.getCanvas().clear(skia.ColorTRANSPARENT)
    dom.render(surface.getCanvas())
    return surface.makeImageSnapshot()


def svgdom_raster(doc: Document) -> np.ndarray:
    """Read back to the same unpremultiplied RGBA array that ours returns."""
    return svgdom_image(doc).toarray(colorType=skia.ColorType.kRGBA_8888_ColorType,
                                     alphaType=skia.AlphaType.kUnpremul_AlphaType)


def svgdom_png(doc: Document) -> bytes:
    return bytes(svgdom_image(doc).encodeToData(skia.EncodedImageFormat.kPNG, 90))


MEASURES: dict[str, Callable[[Document], Any]] = {
    "ours raster": ours_raster,
    "ours +png": ours_encode("png"),
    "ours +jpg": ours_encode("jpg"),
    "cairosvg raster": cairosvg_raster,
    "cairosvg svg2png": cairosvg_png,
    "svgdom raster": svgdom_raster,
    "svgdom +png": svgdom_png,
}
RATIOS = {  # name: (baseline measure, our measure)
    "cairosvg/ours raster": ("cairosvg raster", "ours raster"),
    "cairosvg/ours +png": ("cairosvg svg2png", "ours +png"),
    "svgdom/ours raster": ("svgdom raster", "ours raster"),
    "svgdom/ours +png": ("svgdom +png", "ours +png"),
}


def time_all(doc: Document, reps: int) -> dict[str, list[float]]:
    """One warm-up call of every measure (imports, font loading, caches), then `reps` rounds
    that each time every measure once. Interleaving means a burst of load from elsewhere on
    the machine hits all renderers alike instead of one renderer's whole block, so the
    ratios stay fair on a shared host. The garbage collector is paused while timing so a
    collection lands in no single sample."""
    for fn in MEASURES.values():
        fn(doc)
    samples: dict[str, list[float]] = {name: [] for name in MEASURES}
    gc.collect()
    gc.disable()
    try:
        for _ in range(reps):
            for name, fn in MEASURES.items():
                start = time.perf_counter()
                fn(doc)
                samples[name].append(time.perf_counter() - start)
    finally:
        gc.enable()
    return samples


def save_renders(folder: Path, doc: Document) -> None:
    """Write each renderer's PNG for one document, to check what is being timed."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = doc.name.replace(" ", "_").replace("×", "x")
    (folder / f"{stem}.svg").write_bytes(doc.svg)
    (folder / f"{stem}.ours.png").write_bytes(MEASURES["ours +png"](doc))
    (folder / f"{stem}.cairosvg.png").write_bytes(cairosvg_png(doc))
    (folder / f"{stem}.svgdom.png").write_bytes(svgdom_png(doc))


# ---- reporting -------------------------------------------------------------------------------






def geomean(values: list[float]) -> float:
    return float(np.exp(np.mean(np.log(values))))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def markdown(record: dict[str, Any]) -> str:
    docs, meta = record["documents"], record["meta"]
    names = list(MEASURES)
    lines = [
        "# Render speed: creative-like SVGs", "",
        f"Median of {meta['reps']} timed repetitions after one warm-up, milliseconds, one "
        "process, one thread; the measures are interleaved round by round. Ratios are baseline time / our time from the same run "
        "(above 1 = ours is faster).", "",
        "**skia.SVGDOM draws no text and no images** (skia-python gives it no font manager and "
        "no resource loader), so its columns time less work than the others: a lower bound, "
        "not a like-for-like figure. cairosvg draws text with the host's fonts "
        "(fontconfig; Inter is not installed system-wide) and ignores feGaussianBlur and "
        "feDropShadow, so it also does less work on the filter.", "",
        "| document | SVG KiB | " + " | ".join(names) + " |",
        "|---|---:|" + "---:|" * len(names)]
    for d in docs:
        lines.append(f"| {d['name']} | {d['svg_bytes'] / 1024:.0f} | "
                     + " | ".join(ms(d["median_s"][n]) for n in names) + " |")
    lines.append("| **median** | | " + " | ".join(
        ms(statistics.median(d["median_s"][n] for d in docs)) for n in names) + " |")
    lines += ["", "| document | " + " | ".join(RATIOS) + " |", "|---|" + "---:|" * len(RATIOS)]
    for d in docs:
        lines.append(f"| {d['name']} | " + " | ".join(f"{d['ratios'][r]:.2f}×" for r in RATIOS)
                     + " |")
    lines.append("| **geometric mean** | " + " | ".join(
        f"{record['summary']['geomean_ratios'][r]:.2f}×" for r in RATIOS) + " |")
    lines += [
        "", "## What is timed", "",
        "- **ours raster**: `ddm_lang.renderer.raster.render(svg)` with the default fonts: "
        "parse, draw, read back an RGBA array. **+png / +jpg**: that plus "
        "`ddm_lang.renderer.encode.encode(pixels, fmt)` (JPEG quality 90).",
        "- **cairosvg raster**: parse and draw onto cairo's in-memory surface (no PNG). "
        "**svg2png**: `cairosvg.svg2png`, i.e. raster and PNG encoding.",
        "- **svgdom raster**: `skia.SVGDOM` parse, draw, read back an RGBA array. **+png**: "
        "parse, draw, `Image.encodeToData(PNG)`.",
        "",
        "Each document has a linear-gradient backdrop, a product photo as a data-URI JPEG "
        "(198×198 source, scaled up), a second photo clipped by a rounded rect, text at "
        "64/36/24 px in Inter (plus a CTA label), and a feGaussianBlur glow or a feDropShadow "
        "CTA; five designs at 1080×1080 and 1200×628. Photos: "
        + ", ".join(f"`{p}`" for p in meta["photos"]) + ".",
        "", "## Run", "",
        f"- date: {meta['date']}", f"- command: `{meta['command']}`",
        f"- machine: {meta['machine']['platform']}, {meta['machine']['processor']}, "
        f"{meta['machine']['cpus']} CPUs; 1-minute load average "
        f"{meta['machine']['load_1min'][0]} before, {meta['machine']['load_1min'][1]} after "
        "(the run itself adds about 1 to the second; more means other work shared the "
        "CPUs: absolute times are then inflated, ratios less so as measures are interleaved)",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        f"- ddm_lang measured: commit {meta['ddm_lang']['commit']} "
        f"(imported from `{meta['ddm_lang']['path']}`)", ""]
    return "\n".join(lines)


# ---- CLI -------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS,
                    help="folder searched for product JPEGs (default ../shared/data/products-grocery)")
    ap.add_argument("--reps", type=int, default=15, help="timed repetitions per measure")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results folder")
    ap.add_argument("--no-write", action="store_true", help="print only; keep the recorded results")
    ap.add_argument("--save-renders", type=Path, metavar="DIR",
                    help="also write each document and each renderer's PNG there")
    args = ap.parse_args(argv)
    if args.reps < 1:
        ap.error("--reps must be at least 1")
    args.photos = args.photos.resolve()
    load_before = os.getloadavg()[0]
    photos = find_photos(args.photos, 2 * len(DESIGNS))
    docs = build_documents(photos)
    results = []
    for doc in docs:
        if args.save_renders:
            save_renders(args.save_renders, doc)
        medians = {name: statistics.median(times)
                   for name, times in time_all(doc, args.reps).items()}
        ratios = {r: medians[b] / medians[o] for r, (b, o) in RATIOS.items()}
        results.append({"name": doc.name, "width": doc.width, "height": doc.height,
                        "effect": doc.effect, "svg_bytes": len(doc.svg),
                        "median_s": {k: round(v, 6) for k, v in medians.items()},
                        "ratios": {k: round(v, 4) for k, v in ratios.items()}})
        print(f"{doc.name:28s} " + "  ".join(f"{k} {ms(v)}" for k, v in medians.items()),
              file=sys.stderr)
    command = "python " + " ".join(shlex.quote(a) for a in
                                   [os.path.relpath(__file__, REPO), *sys.argv[1:]])
    record = {
        "meta": {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                 "command": command, "reps": args.reps,
                 "machine": {**machine(), "load_1min": [round(load_before, 2),
                                                        round(os.getloadavg()[0], 2)]},
                 "versions": versions(), "ddm_lang": ddm_lang_source(),
                 "photos": [p.relative_to(args.photos.parent).as_posix()
                            if p.is_relative_to(args.photos.parent) else str(p)
                            for p in photos],
                 "notes": "skia.SVGDOM draws no text and no images; cairosvg ignores "
                          "feGaussianBlur/feDropShadow and uses host fonts"},
        "summary": {"geomean_ratios": {r: round(geomean([d["ratios"][r] for d in results]), 4)
                                       for r in RATIOS}},
        "documents": results}
    text = markdown(record)
    print(text)
    if not args.no_write:
        write_results(args.out, "render_speed", record, text)
        print(f"wrote {os.path.relpath(args.out / 'render_speed.md')} and .json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
