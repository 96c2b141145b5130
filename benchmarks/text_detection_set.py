"""A labelled text-detection set: known ad text rendered onto real product photos.

Why this exists: no labelled set of "ad text over product photos" ships with the data, and
the text perceiver's job is exactly to find such lines (a price, "SALE", a brand word) on a
photo. Rendering known strings gives exact line boxes and transcriptions, on backgrounds
that are real photos rather than flat colour. Everything follows from a seed, so the set is
the same on every machine and never needs storing; `--out DIR` writes it for a person to
look at (PNGs plus labels.json).

Each photo (the grocery set's `*_Iconic.jpg`, 198 px) is upscaled to 800 px on its long
side and gets 1–3 lines of 24–80 px text in Inter or Noto Sans, in a palette colour that is
legible where the line sits (WCAG contrast ≥ 4.5 against 90 % of the pixels under it; spots
where no colour is legible are not used), placed so the lines neither overlap nor touch the
border. Two
variants per photo: "quiet" puts each line on the plainest of several candidate spots (as a
designer would), "anywhere" on the first free one (over the product too). A line's label is
its tight ink box, measured from the rendered glyphs' coverage, and its string.

The photos may already carry package text ("Arla", "Tropicana"); it is not labelled. How
the benchmark treats it is documented in perception_quality.py.

    .venv/bin/python benchmarks/text_detection_set.py --out /tmp/textset          # all 162
    .venv/bin/python benchmarks/text_detection_set.py --out /tmp/textset --limit 5
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PHOTOS = REPO.parent / "shared" / "data" / "products-grocery"
SIDE = 800                 # long side the photos are upscaled to
SIZES = (24, 80)           # font size range, px
LINES = (1, 3)             # lines per image
MARGIN = 16                # px kept free at the image border
GAP = 16                   # px kept free between lines
CANDIDATES = 40            # positions tried per line
VARIANTS = ("quiet", "anywhere")
MIN_CONTRAST = 4.5         # WCAG contrast ratio of ink against the local background
COVERAGE = 32              # glyph coverage (0..255) that counts as ink for the label box


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Relative luminance (WCAG) of sRGB colours, last axis RGB 0..255."""
    c = np.asarray(rgb, np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


# Product-ad strings: offers, prices, claims and brand-like words, as a creative carries them.
PHRASES = (
    "SALE", "-20%", "-35%", "Fresh today", "€2.49", "€0.99", "$3.99", "2 for 1", "NEW",
    "Organic", "Buy now", "Limited offer", "Only €1.29", "Save 15%", "Best price",
    "Shop now", "Summer deal", "Farm fresh", "100% natural", "Today only", "Nordhavn",
    "Greenleaf", "Valley Farms", "Sunny Acres", "BIG DEAL", "Half price", "New recipe",
    "From €4", "Free delivery", "Kestrel & Co", "Hello Juice", "Orchard Gold",
)
# Ink colours; each line takes one of those with enough contrast against its background.
PALETTE = ((20, 20, 20), (255, 255, 255), (200, 16, 46), (0, 70, 150), (16, 100, 50),
           (255, 214, 0), (120, 40, 140), (235, 120, 20))
WEIGHTS = (400, 600, 700, 800)
PALETTE_LUMINANCE = tuple(float(luminance(np.array(c))) for c in PALETTE)


@dataclass(frozen=True)
class Line:
    """One rendered line: its string and tight ink box in pixels (x, y, w, h)."""

    text: str
    box: tuple[int, int, int, int]
    font: str
    size: int
    weight: int
    colour: tuple[int, int, int]


@dataclass
class Sample:
    name: str
    photo: Path                 # the source photo
    variant: str
    image: np.ndarray           # (h, w, 3) uint8 RGB with the text drawn
    lines: list[Line] = field(default_factory=list)

    def label(self) -> dict:
        """The JSON form of the labels (boxes in pixels and as fractions of the image)."""
        h, w = self.image.shape[:2]
        return {"name": self.name, "photo": str(self.photo), "variant": self.variant,
                "width": w, "height": h,
                "lines": [{**asdict(ln), "box_frac": [round(ln.box[0] / w, 5),
                                                      round(ln.box[1] / h, 5),
                                                      round(ln.box[2] / w, 5),
                                                      round(ln.box[3] / h, 5)]}
                          for ln in self.lines]}


def find_photos(folder: Path = DEFAULT_PHOTOS) -> list[Path]:
    """The grocery set's iconic photos, sorted (the order fixes each one's seed)."""
    photos = sorted(folder.rglob("*_Iconic.jpg"))
    if not photos:
        raise FileNotFoundError(f"no *_Iconic.jpg under {folder}")
    return photos


def font_files() -> dict[str, Path]:
    """The upright variable fonts of the fontpkg-inter and fontpkg-noto-sans packages."""
    out = {}
    for package, family in (("fontpkg_inter", "Inter"), ("fontpkg_noto_sans", "NotoSans")):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError(f"font package {package} is not installed")
        root = Path(next(iter(spec.submodule_search_locations))) / "files"
        found = sorted(p for p in root.glob(f"{family}[[]*.ttf"))
        if not found:
            raise FileNotFoundError(f"no {family} font under {root}")
        out[family] = found[0]
    return out


@cache
def font(family: str, size: int, weight: int) -> ImageFont.FreeTypeFont:
    """One FreeType face per (family, size, weight); variable axes set by name, so the
    optical size of Inter follows the font size as a browser would set it."""
    face = ImageFont.truetype(str(font_files()[family]), size)
    values = []
    for axis in face.get_variation_axes():
        name = axis["name"].decode() if isinstance(axis["name"], bytes) else axis["name"]
        wanted = {"Weight": weight, "Optical size": size}.get(name, axis["default"])
        values.append(min(max(wanted, axis["minimum"]), axis["maximum"]))
    face.set_variation_by_axes(values)
    return face


def upscale(photo: Path, side: int = SIDE) -> np.ndarray:
    """The photo as RGB, resized (Lanczos) so its long side is `side`: the untouched base
    image that the text is drawn on."""
    with Image.open(photo) as img:
        rgb = img.convert("RGB")
    scale = side / max(rgb.size)
    size = (round(rgb.width * scale), round(rgb.height * scale))
    return np.asarray(rgb.resize(size, Image.Resampling.LANCZOS))


def legible_colours(background: np.ndarray) -> list[tuple[int, int, int]]:
    """The palette colours legible on a background (its relative luminances): WCAG contrast
    against each pixel at least MIN_CONTRAST at the 10th percentile. Per pixel, not against
    the mean colour: a line half on a dark carton and half on white paper would pass on the
    mean and be unreadable on one half, which no designer would ship."""
    bg = background.ravel()
    out = []
    for colour, ink in zip(PALETTE, PALETTE_LUMINANCE, strict=True):
        ratio = (np.maximum(bg, ink) + 0.05) / (np.minimum(bg, ink) + 0.05)
        if float(np.percentile(ratio, 10)) >= MIN_CONTRAST:
            out.append(colour)
    return out


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int], gap: int) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return not (ax + aw + gap <= bx or bx + bw + gap <= ax or
                ay + ah + gap <= by or by + bh + gap <= ay)


def _place(rng: random.Random, grey: np.ndarray, lum: np.ndarray, size: tuple[int, int],
           taken: list[tuple[int, int, int, int]], quiet: bool
           ) -> tuple[int, int, tuple[int, int, int]] | None:
    """A free spot for an ink box of `size` (w, h) where some palette colour is legible,
    and that colour: (x, y, colour), or None. "anywhere" takes the first such candidate,
    "quiet" the one whose background varies least."""
    h, w = grey.shape
    iw, ih = size
    if iw + 2 * MARGIN > w or ih + 2 * MARGIN > h:
        return None
    best, best_std = None, float("inf")
    for _ in range(CANDIDATES):
        x = rng.randint(MARGIN, w - MARGIN - iw)
        y = rng.randint(MARGIN, h - MARGIN - ih)
        if any(_overlaps((x, y, iw, ih), t, GAP) for t in taken):
            continue
        std = float(grey[y:y + ih, x:x + iw].std()) if quiet else 0.0
        if std >= best_std:
            continue
        colours = legible_colours(lum[max(y - 4, 0):y + ih + 4, max(x - 4, 0):x + iw + 4])
        if not colours:
            continue
        best, best_std = (x, y, rng.choice(colours)), std
        if not quiet:
            break
    return best


def render(photo: Path, variant: str, seed: int = 0, side: int = SIDE,
           base: np.ndarray | None = None) -> Sample:
    """One labelled image. The random stream is seeded by (seed, photo name, variant), so a
    sample does not depend on which other samples were generated."""
    rng = random.Random(f"{seed}:{photo.name}:{variant}")
    base = upscale(photo, side) if base is None else base
    canvas = Image.fromarray(base.copy())
    h, w = base.shape[:2]
    families = sorted(font_files())
    grey = base.mean(axis=2)
    lum = luminance(base)
    taken: list[tuple[int, int, int, int]] = []
    lines = []
    for text in rng.sample(PHRASES, rng.randint(*LINES)):
        family, weight = rng.choice(families), rng.choice(WEIGHTS)
        size = rng.randint(*SIZES)
        while size >= SIZES[0]:
            face = font(family, size, weight)
            x0, y0, x1, y1 = face.getbbox(text)
            spot = _place(rng, grey, lum, (x1 - x0, y1 - y0), taken, variant == "quiet")
            if spot is not None:
                break
            size = int(size * 0.8)
        else:
            continue  # no legible free spot for this line at any allowed size
        x, y, colour = spot
        # Draw the glyph coverage on its own layer: its bounding box is the exact ink box.
        layer = Image.new("L", (w, h), 0)
        ImageDraw.Draw(layer).text((x - x0, y - y0), text, font=face, fill=255)
        ys, xs = np.nonzero(np.asarray(layer) >= COVERAGE)
        if xs.size == 0:
            continue
        box = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
               int(ys.max() - ys.min() + 1))
        canvas.paste(Image.new("RGB", (w, h), colour), (0, 0), layer)
        taken.append(box)
        lines.append(Line(text, box, family, size, weight, colour))
    name = f"{photo.stem.removesuffix('_Iconic')}-{variant}"
    return Sample(name, photo, variant, np.asarray(canvas), lines)


def iter_samples(photos: list[Path] | None = None, seed: int = 0,
                 variants: tuple[str, ...] = VARIANTS, side: int = SIDE) -> Iterator[Sample]:
    """Every photo × variant, photo by photo (one base image upscaled per photo)."""
    for photo in photos if photos is not None else find_photos():
        base = upscale(photo, side)
        for variant in variants:
            yield render(photo, variant, seed, side, base)


def generate(photos: list[Path] | None = None, seed: int = 0,
             variants: tuple[str, ...] = VARIANTS, side: int = SIDE) -> list[Sample]:
    """The whole set in memory (162 images of 800×800 are about 300 MB: prefer
    `iter_samples` when going through it once)."""
    return list(iter_samples(photos, seed, variants, side))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="folder for the PNGs and labels.json")
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS,
                    help="folder searched for *_Iconic.jpg (default ../shared/data/products-grocery)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, help="only the first N photos")
    args = ap.parse_args(argv)
    photos = find_photos(args.photos)[:args.limit]
    args.out.mkdir(parents=True, exist_ok=True)
    labels = []
    for sample in iter_samples(photos, args.seed):
        Image.fromarray(sample.image).save(args.out / f"{sample.name}.png")
        labels.append(sample.label())
    (args.out / "labels.json").write_text(json.dumps(
        {"seed": args.seed, "side": SIDE, "images": labels}, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(labels)} images and labels.json to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
