"""Build the labelled set for the suitability model from real photos.

Every sample is an image made from real source photos by one recipe (photo as-is, subject
re-composited onto a flat colour or onto a street scene, a grid of photos, rendered
advertising text, a caption overlay, ...), then possibly degraded. Each sample carries four
independent binary labels; -1 marks a head the recipe says nothing reliable about (is a
collage of street photos a "scene"?) and is left out of that head's loss and metrics.

Only the features are stored (training/.cache/), never the images: the photos stay where
they are and the set is rebuilt bit for bit from the seed. The split into train and
validation is by source photo: a photo's pool is fixed by a hash of its path, and every
sample draws all its photos from one pool, so no photo feeds both sides.

Run `python training/suitability_data.py --preview DIR` to write a few samples per recipe
as JPEG files for looking at.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ddm_lang.perception.features import FEATURE_DIM, FEATURE_VERSION, image_features  # noqa: E402

DATA = Path(os.environ.get("DDM_TRAIN_DATA", "/work/shared/data"))
GROCERY_DIR = DATA / "products-grocery" / "iconic-images-and-descriptions"
CCP_DIR = DATA / "segmentation-ccp"
FONT_DIR = DATA / "svg-conformance" / "fonts"
CACHE_DIR = Path(__file__).resolve().parent / ".cache"

SEED = 20261123
VAL_PERCENT = 25
N_TRAIN = 5000
N_VAL = 1500
HEADS = ("scene", "pure_text", "collage", "low_quality")

# Share of samples per recipe (out of 100); the order is part of the recipe.
RECIPES: tuple[tuple[str, int], ...] = (
    ("grocery_plain", 9), ("grocery_recolour", 11), ("person_plain", 12),
    ("ccp_scene", 13), ("grocery_on_scene", 10), ("card_on_scene", 5),
    ("collage", 14), ("pure_text", 13), ("caption", 9), ("framed", 4),
)
# Fonts from the conformance set; two are held out for validation text.
TRAIN_FONTS = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Black.ttf",
               "NotoSans-Light.ttf", "NotoSans-Italic.ttf", "NotoSans-Thin.ttf",
               "NotoMono-Regular.ttf", "SourceSansPro-Regular.ttf", "MPLUS1p-Regular.ttf",
               "SedgwickAveDisplay-Regular.ttf", "Amiri-Regular.ttf")
VAL_FONTS = ("NotoSerif-Regular.ttf", "Yellowtail-Regular.ttf")

HEADLINES = ("Fresh Summer Deals", "Weekend Sale", "New Arrivals", "Organic & Local",
             "Limited Edition", "Back to School", "Veckans erbjudande", "Only Today",
             "Big Savings", "Taste the Season", "Healthy Choices", "Grab & Go",
             "Home Delivery", "Black Friday", "Spring Collection", "Mega Offer")
PRICES = ("$4.99", "€2,49", "19:90 kr", "2 for $5", "-30%", "50% OFF", "Save 20%",
          "£1.25", "Now $12", "3 för 2", "Only 9.99", "-15% today", "79:-", "$0.99/lb")
PROMOS = ("Buy 2 get 1 free", "Free shipping over $50", "While stocks last",
          "Use code SPRING24", "Shop now", "Members only", "Ends Sunday",
          "Order online, pick up in store", "Fri frakt", "Max 2 per household",
          "Valid until 31 May", "Scan the QR code", "New recipe", "In store and online")


@dataclass(frozen=True)
class Sources:
    grocery: tuple[Path, ...]
    ccp: tuple[Path, ...]
    fonts: tuple[Path, ...]


def _pool_of(path: Path) -> str:
    rel = path.relative_to(DATA).as_posix()
    h = int(hashlib.sha256(rel.encode()).hexdigest()[:8], 16)
    return "val" if h % 100 < VAL_PERCENT else "train"


@cache
def all_sources() -> dict[str, Sources]:
    grocery = sorted(GROCERY_DIR.rglob("*_Iconic.jpg"))
    ccp = sorted((CCP_DIR / "images").glob("*.jpg"))
    if not grocery or not ccp:
        raise SystemExit(f"source photos not found under {DATA} (set DDM_TRAIN_DATA)")
    out = {}
    for split, font_names in (("train", TRAIN_FONTS), ("val", VAL_FONTS)):
        out[split] = Sources(tuple(p for p in grocery if _pool_of(p) == split),
                             tuple(p for p in ccp if _pool_of(p) == split),
                             tuple(FONT_DIR / f for f in font_names))
    return out


def recipe_hash() -> str:
    """Digest of everything that determines the set: this file, the feature code, and the
    names and sizes of the source photos and fonts."""
    h = hashlib.sha256()
    here = Path(__file__).resolve()
    h.update(here.read_bytes())
    h.update((ROOT / "ddm_lang" / "perception" / "features.py").read_bytes())
    for split, src in sorted(all_sources().items()):
        for p in (*src.grocery, *src.ccp, *src.fonts):
            h.update(f"{split}:{p.relative_to(DATA).as_posix()}:{p.stat().st_size}\n".encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------- sources


@lru_cache(maxsize=48)
def _load_rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


@lru_cache(maxsize=48)
def _ccp_mask(path: Path) -> np.ndarray:
    mask = Image.open(CCP_DIR / "masks" / (path.stem + ".png")).convert("L")
    return np.asarray(mask.filter(ImageFilter.GaussianBlur(1.0)))


@lru_cache(maxsize=96)
def _grocery_cut(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The product and an alpha mask: everything not connected to the corners through
    near-white pixels (so white labels inside the product stay opaque)."""
    rgb = _load_rgb(path)
    dist = np.abs(rgb.astype(np.int16) - 255).max(axis=2)
    fg = Image.fromarray(np.where(dist > 22, 255, 0).astype(np.uint8)).filter(
        ImageFilter.MedianFilter(3))
    pad = Image.new("L", (fg.width + 2, fg.height + 2), 0)
    pad.paste(fg, (1, 1))
    ImageDraw.floodfill(pad, (0, 0), 128)
    m = np.asarray(pad)[1:-1, 1:-1]
    alpha = Image.fromarray(np.where(m == 128, 0, 255).astype(np.uint8))
    alpha = alpha.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.GaussianBlur(0.8))
    return rgb, np.asarray(alpha)


# ---------------------------------------------------------------------------- helpers

Img = np.ndarray  # float32 (H, W, 3) in 0..1


def _resize(img: Img, w: int, h: int, resample: int = Image.BILINEAR) -> Img:
    pil = Image.fromarray(np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8))
    return np.asarray(pil.resize((max(1, w), max(1, h)), resample), dtype=np.float32) / 255


def _resize_mask(a: np.ndarray, w: int, h: int) -> np.ndarray:
    return np.asarray(Image.fromarray(a).resize((max(1, w), max(1, h)), Image.BILINEAR),
                      dtype=np.float32) / 255


def _f(rgb: np.ndarray) -> Img:
    return rgb.astype(np.float32) / 255


def _canvas_size(rng: np.random.Generator, lo: int = 280, hi: int = 900) -> tuple[int, int]:
    side = int(rng.integers(lo, hi))
    aspect = float(np.exp(rng.uniform(np.log(0.6), np.log(1.7))))
    w, h = (side, int(side / aspect)) if aspect >= 1 else (int(side * aspect), side)
    return max(w, 120), max(h, 120)


def _random_colour(rng: np.random.Generator) -> np.ndarray:
    kind = rng.random()
    if kind < 0.3:  # near white / light grey studio
        return np.full(3, rng.uniform(0.85, 1.0), np.float32) - rng.uniform(0, 0.04, 3)
    if kind < 0.45:  # dark
        return rng.uniform(0.0, 0.2, 3).astype(np.float32)
    if kind < 0.75:  # pastel
        return rng.uniform(0.6, 1.0, 3).astype(np.float32)
    return rng.uniform(0.0, 1.0, 3).astype(np.float32)


def _plain_background(rng: np.random.Generator, w: int, h: int) -> Img:
    """A flat colour, a soft linear gradient or a soft radial falloff, as on a studio
    sweep; sometimes with a trace of sensor noise."""
    c0 = _random_colour(rng)
    kind = rng.random()
    if kind < 0.45:
        bg = np.broadcast_to(c0, (h, w, 3)).astype(np.float32)
    else:
        c1 = np.clip(c0 + rng.uniform(-0.25, 0.25, 3), 0, 1).astype(np.float32)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        if kind < 0.8:
            ang = rng.uniform(0, 2 * np.pi)
            t = (xx / w - 0.5) * np.cos(ang) + (yy / h - 0.5) * np.sin(ang) + 0.5
        else:
            cx, cy = rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * h
            t = np.hypot(xx - cx, yy - cy) / math.hypot(w, h) * 1.5
        t = np.clip(t, 0, 1)[..., None]
        bg = c0 * (1 - t) + c1 * t
    if rng.random() < 0.3:
        bg = bg + rng.normal(0, rng.uniform(0.002, 0.01), bg.shape).astype(np.float32)
    return np.clip(bg, 0, 1).astype(np.float32)


def _scene_background(rng: np.random.Generator, src: Sources, w: int, h: int) -> Img:
    photo = _f(_load_rgb(src.ccp[rng.integers(len(src.ccp))]))
    return _cover(rng, photo, w, h, min_area=0.35)


def _cover(rng: np.random.Generator, photo: Img, w: int, h: int,
           min_area: float = 0.5) -> Img:
    """A random crop of `photo` with the aspect of (w, h), resized to fill it."""
    ph, pw = photo.shape[:2]
    target = w / h
    area = rng.uniform(min_area, 1.0)
    cw = min(pw, int(math.sqrt(area * pw * ph * target)))
    ch = min(ph, int(cw / target))
    cw = min(pw, int(ch * target))
    x0 = int(rng.integers(0, pw - cw + 1))
    y0 = int(rng.integers(0, ph - ch + 1))
    return _resize(photo[y0:y0 + ch, x0:x0 + cw], w, h)


def _paste(bg: Img, fg: Img, alpha: np.ndarray, x: int, y: int) -> Img:
    """Alpha-composite fg (alpha 0..1) onto bg at (x, y), clipped to the canvas."""
    out = bg.copy()
    h, w = fg.shape[:2]
    bh, bw = bg.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(bw, x + w), min(bh, y + h)
    if x1 <= x0 or y1 <= y0:
        return out
    f = fg[y0 - y:y1 - y, x0 - x:x1 - x]
    a = alpha[y0 - y:y1 - y, x0 - x:x1 - x, None]
    out[y0:y1, x0:x1] = f * a + out[y0:y1, x0:x1] * (1 - a)
    return out


def _shadow(bg: Img, alpha: np.ndarray, x: int, y: int, rng: np.random.Generator) -> Img:
    h, w = alpha.shape
    blur = max(2.0, 0.04 * max(h, w))
    sh = Image.fromarray((alpha * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(blur))
    strength = rng.uniform(0.15, 0.4)
    a = np.asarray(sh, dtype=np.float32) / 255 * strength
    dx, dy = int(rng.integers(-w // 20 - 1, w // 20 + 2)), int(rng.integers(0, h // 15 + 2))
    return _paste(bg, np.zeros((h, w, 3), np.float32), a, x + dx, y + dy)


def _place(rng: np.random.Generator, bg: Img, fg: Img, alpha: np.ndarray,
           cover: tuple[float, float], shadow: bool = False) -> Img:
    """Scale the subject to cover a share of the canvas's shorter side and put it at a
    random position that keeps most of it inside."""
    bh, bw = bg.shape[:2]
    fh, fw = fg.shape[:2]
    s = rng.uniform(*cover) * min(bw, bh) / max(fh, fw)
    nw, nh = max(8, int(fw * s)), max(8, int(fh * s))
    fg2 = _resize(fg, nw, nh)
    a2 = _resize_mask((alpha * 255).astype(np.uint8) if alpha.dtype != np.uint8 else alpha,
                      nw, nh)
    x = int(rng.integers(-nw // 10, max(1, bw - nw + nw // 10)))
    y = int(rng.integers(-nh // 10, max(1, bh - nh + nh // 10)))
    if shadow:
        bg = _shadow(bg, a2, x, y, rng)
    return _paste(bg, fg2, a2, x, y)


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _contrasting(rng: np.random.Generator, bg_lum: float) -> tuple[int, int, int]:
    for _ in range(20):
        c = _random_colour(rng)
        if abs(float(c @ [0.299, 0.587, 0.114]) - bg_lum) > 0.4:
            return tuple(int(v * 255) for v in c)  # type: ignore[return-value]
    return (0, 0, 0) if bg_lum > 0.5 else (255, 255, 255)


def _text_lines(rng: np.random.Generator, src: Sources, n: int) -> list[str]:
    names = [p.parent.name.replace("-", " ") for p in src.grocery] or ["Apples"]
    lines = []
    for i in range(n):
        kind = rng.random()
        if i == 0 and kind < 0.6:
            line = HEADLINES[rng.integers(len(HEADLINES))]
        elif kind < 0.35:
            line = PRICES[rng.integers(len(PRICES))]
        elif kind < 0.7:
            line = PROMOS[rng.integers(len(PROMOS))]
        else:
            line = f"{names[rng.integers(len(names))]} {PRICES[rng.integers(len(PRICES))]}"
        if rng.random() < 0.25:
            line = line.upper()
        lines.append(line)
    return lines


def _draw_text_block(rng: np.random.Generator, img: Img, src: Sources, lines: list[str],
                     box: tuple[int, int, int, int], badge: float = 0.2) -> Img:
    """Render lines of text filling most of `box` (x, y, w, h): each line sized to the
    box width within limits, several fonts and colours, sometimes on a badge."""
    pil = Image.fromarray(np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    bx, by, bw, bh = box
    align = rng.choice(["left", "center"])
    fonts = [src.fonts[rng.integers(len(src.fonts))] for _ in range(2)]
    y = by
    slot = bh / len(lines)
    for i, line in enumerate(lines):
        font_path = fonts[0] if i == 0 else fonts[1]
        size = int(min(slot * rng.uniform(0.55, 0.85), 400))
        size = max(size, 9)
        font = _font(font_path, size)
        tw = draw.textlength(line, font=font)
        fit = bw * rng.uniform(0.55, 1.0)
        if tw > fit:
            size = max(9, int(size * fit / tw))
            font = _font(font_path, size)
            tw = draw.textlength(line, font=font)
        x = bx if align == "left" else bx + (bw - tw) / 2
        region = img[int(y):int(y + slot) + 1, int(x):int(x + tw) + 1]
        lum = float(region.mean(axis=(0, 1)) @ [0.299, 0.587, 0.114]) if region.size else 0.5
        if rng.random() < badge:
            colour = _random_colour(rng)
            pad = size * 0.25
            draw.rounded_rectangle((x - pad, y, x + tw + pad, y + size * 1.3),
                                   radius=int(pad), fill=tuple(int(v * 255) for v in colour))
            lum = float(colour @ [0.299, 0.587, 0.114])
        draw.text((x, y), line, font=font, fill=_contrasting(rng, lum))
        y += slot
    return np.asarray(pil, dtype=np.float32) / 255


# ---------------------------------------------------------------------------- recipes

Labels = tuple[int, int, int, int]  # scene, pure_text, collage, low_quality (-1: unknown)
Recipe = Callable[[np.random.Generator, Sources], tuple[Img, Labels, list[str]]]


def r_grocery_plain(rng: np.random.Generator, src: Sources) -> tuple[Img, Labels, list[str]]:
    p = src.grocery[rng.integers(len(src.grocery))]
    img = _f(_load_rgb(p))
    if rng.random() < 0.5:  # a wider or taller canvas of the same studio white
        h, w = img.shape[:2]
        nw, nh = int(w * rng.uniform(1.0, 1.8)), int(h * rng.uniform(1.0, 1.4))
        bg = np.broadcast_to(img[2:6, 2:6].reshape(-1, 3).mean(axis=0), (nh, nw, 3))
        img = _paste(bg.astype(np.float32), img, np.ones((h, w), np.float32),
                     int(rng.integers(0, nw - w + 1)), int(rng.integers(0, nh - h + 1)))
    return img, (0, 0, 0, -1), [p.name]


def r_grocery_recolour(rng: np.random.Generator, src: Sources) -> tuple[Img, Labels, list[str]]:
    w, h = _canvas_size(rng)
    bg = _plain_background(rng, w, h)
    names = []
    for _ in range(1 if rng.random() < 0.8 else 2):
        p = src.grocery[rng.integers(len(src.grocery))]
        rgb, alpha = _grocery_cut(p)
        bg = _place(rng, bg, _f(rgb), alpha, (0.35, 0.85), shadow=rng.random() < 0.4)
        names.append(p.name)
    return bg, (0, 0, 0, -1), names


def r_person_plain(rng: np.random.Generator, src: Sources) -> tuple[Img, Labels, list[str]]:
    p = src.ccp[rng.integers(len(src.ccp))]
    rgb, mask = _f(_load_rgb(p)), _ccp_mask(p)
    h, w = rgb.shape[:2]
    if rng.random() < 0.5:  # the photo's own frame, background replaced
        bg = _plain_background(rng, w, h)
        img = _paste(bg, rgb, mask.astype(np.float32) / 255, 0, 0)
        s = rng.uniform(0.4, 1.0)
        return _resize(img, int(w * s), int(h * s)), (0, 0, 0, -1), [p.name]
    cw, ch = _canvas_size(rng)
    bg = _plain_background(rng, cw, ch)
    ys, xs = np.nonzero(mask > 127)
    if len(ys) == 0:
        return bg, (0, 0, 0, -1), [p.name]
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    img = _place(rng, bg, rgb[y0:y1, x0:x1], mask[y0:y1, x0:x1], (0.6, 1.0),
                 shadow=rng.random() < 0.3)
    return img, (0, 0, 0, -1), [p.name]


def r_ccp_scene(rng: np.random.Generator, src: Sources) -> tuple[Img, Labels, list[str]]:
    p = src.ccp[rng.integers(len(src.ccp))]
    w, h = _canvas_size(rng)
    return _cover(rng, _f(_load_rgb(p)), w, h, min_area=0.4), (1, 0, 0, -1), [p.name]


def r_grocery_on_scene(rng: np.random.Generator, src: Sources) -> tuple[Img, Labels, list[str]]:
    w, h = _canvas_size(rng)
    bg = _scene_background(rng, src, w, h)
    if rng.random() < 0.2:  # shallow depth of field behind a sharp product
        sigma = rng.uniform(1.5, 5.0) * max(w, h) / 256
        bg = _resize(_f(np.asarray(Image.fromarray((bg * 255).astype(np.uint8)).filter(
            ImageFilter.GaussianBlur(sigma)))), w, h)
    p = src.grocery[rng.integers(len(src.grocery))]
    rgb, alpha = _grocery_cut(p)
    return _place(rng, bg, _f(rgb), alpha, (0.3, 0.75)), (1, 0, 0, -1), [p.name]


def r_card_on_scene(rng: np.random.Generator, src: Sources) -> tuple[Img, Labels, list[str]]:
    w, h = _canvas_size(rng)
    bg = _scene_background(rng, src, w, h)
    p = src.grocery[rng.integers(len(src.grocery))]
    card = _f(_load_rgb(p))
    img = _place(rng, bg, card, np.ones(card.shape[:2], np.float32), (0.25, 0.55),
                 shadow=rng.random() < 0.5)
    return img, (1, 0, 0, -1), [p.name]


def _layout(rng: np.random.Generator) -> list[tuple[float, float, float, float]]:
    """Cells (x, y, w, h) in unit coordinates for 2-4 photos."""
    kind = int(rng.integers(7))
    if kind == 0:
        return [(0, 0, 0.5, 1), (0.5, 0, 0.5, 1)]
    if kind == 1:
        return [(0, 0, 1, 0.5), (0, 0.5, 1, 0.5)]
    if kind == 2:
        return [(0, 0, 0.5, 0.5), (0.5, 0, 0.5, 0.5), (0, 0.5, 0.5, 0.5), (0.5, 0.5, 0.5, 0.5)]
    if kind == 3:
        return [(i / 3, 0, 1 / 3, 1) for i in range(3)]
    if kind == 4:
        return [(0, i / 3, 1, 1 / 3) for i in range(3)]
    s = rng.uniform(0.5, 0.67)
    if kind == 5:
        return [(0, 0, s, 1), (s, 0, 1 - s, 0.5), (s, 0.5, 1 - s, 0.5)]
    return [(0, 0, 1, s), (0, s, 1 / 3, 1 - s), (1 / 3, s, 1 / 3, 1 - s),
            (2 / 3, s, 1 / 3, 1 - s)]


def r_collage(rng: np.random.Generator, src: Sources) -> tuple[Img, Labels, list[str]]:
    w, h = _canvas_size(rng, 360, 900)
    cells = _layout(rng)
    gutter = 0 if rng.random() < 0.35 else int(rng.uniform(0.01, 0.06) * min(w, h)) + 1
    if gutter == 0:
        g_colour = np.zeros(3, np.float32)
    elif rng.random() < 0.4:
        g_colour = np.ones(3, np.float32)
    elif rng.random() < 0.33:
        g_colour = np.zeros(3, np.float32)
    else:
        g_colour = _random_colour(rng)
    light_gutter = gutter > 0 and float(g_colour.min()) > 0.85
    canvas = np.broadcast_to(g_colour, (h, w, 3)).astype(np.float32).copy()
    outer = gutter if rng.random() < 0.5 else 0
    names, grocery_tiles = [], 0
    for cx, cy, cw, chh in cells:
        x0 = outer + int(cx * (w - 2 * outer)) + (gutter // 2 if cx > 0 else 0)
        y0 = outer + int(cy * (h - 2 * outer)) + (gutter // 2 if cy > 0 else 0)
        x1 = outer + int((cx + cw) * (w - 2 * outer)) - (gutter // 2 if cx + cw < 0.999 else 0)
        y1 = outer + int((cy + chh) * (h - 2 * outer)) - (gutter // 2 if cy + chh < 0.999 else 0)
        tw, th = max(8, x1 - x0), max(8, y1 - y0)
        # a studio-white product tile disappears against a white gutter or a touching
        # white tile; keep those rare so the label stays visible in the image
        use_grocery = gutter > 0 and not light_gutter and rng.random() < 0.35
        use_grocery = use_grocery or (gutter > 0 and grocery_tiles == 0 and rng.random() < 0.1)
        if use_grocery:
            p = src.grocery[rng.integers(len(src.grocery))]
            grocery_tiles += 1
        else:
            p = src.ccp[rng.integers(len(src.ccp))]
        tile = _cover(rng, _f(_load_rgb(p)), tw, th, min_area=0.3)
        canvas[y0:y0 + th, x0:x0 + tw] = tile[:h - y0, :w - x0]
        names.append(p.name)
    return canvas, (-1, 0, 1, -1), names


def r_pure_text(rng: np.random.Generator, src: Sources) -> tuple[Img, Labels, list[str]]:
    w, h = _canvas_size(rng, 220, 900)
    bg = _plain_background(rng, w, h)
    n = int(rng.integers(1, 7))
    mx, my = rng.uniform(0.04, 0.15) * w, rng.uniform(0.04, 0.2) * h
    box_h = (h - 2 * my) * min(1.0, rng.uniform(0.45, 1.0) if n < 3 else 1.0)
    lines = _text_lines(rng, src, n)
    img = _draw_text_block(rng, bg, src, lines,
                           (int(mx), int(my + rng.uniform(0, h - 2 * my - box_h + 1)),
                            int(w - 2 * mx), int(box_h)))
    return img, (0, 1, 0, -1), ["text"]


def r_caption(rng: np.random.Generator, src: Sources) -> tuple[Img, Labels, list[str]]:
    base = (r_grocery_plain, r_grocery_recolour, r_person_plain, r_ccp_scene,
            r_grocery_on_scene)[rng.integers(5)]
    img, labels, names = base(rng, src)
    h, w = img.shape[:2]
    band = int(h * rng.uniform(0.05, 0.11))
    y = int(rng.uniform(0.02, 0.2) * h) if rng.random() < 0.3 else h - band - int(0.03 * h)
    x = int(rng.uniform(0.03, 0.2) * w)
    if rng.random() < 0.4:  # a translucent caption strip
        strip = np.broadcast_to(_random_colour(rng), (band, w, 3)).astype(np.float32)
        img = _paste(img, strip, np.full((band, w), rng.uniform(0.5, 0.9), np.float32), 0, y)
    lines = _text_lines(rng, src, 1)
    img = _draw_text_block(rng, img, src, lines, (x, y, int(w * rng.uniform(0.3, 0.6)), band),
                           badge=0.3)
    return img, (labels[0], 0, 0, -1), names


def r_framed(rng: np.random.Generator, src: Sources) -> tuple[Img, Labels, list[str]]:
    """A single photo on a flat mat: straight edges and a flat border, but no grid."""
    p = src.ccp[rng.integers(len(src.ccp))]
    w, h = _canvas_size(rng)
    bg = _plain_background(rng, w, h)
    m = rng.uniform(0.04, 0.15)
    pw, ph = int(w * (1 - 2 * m)), int(h * (1 - 2 * m))
    photo = _cover(rng, _f(_load_rgb(p)), pw, ph)
    img = _paste(bg, photo, np.ones((ph, pw), np.float32), (w - pw) // 2, (h - ph) // 2)
    return img, (-1, 0, 0, -1), [p.name]


RECIPE_FUNCS: dict[str, Recipe] = {
    "grocery_plain": r_grocery_plain, "grocery_recolour": r_grocery_recolour,
    "person_plain": r_person_plain, "ccp_scene": r_ccp_scene,
    "grocery_on_scene": r_grocery_on_scene, "card_on_scene": r_card_on_scene,
    "collage": r_collage, "pure_text": r_pure_text, "caption": r_caption, "framed": r_framed,
}


# ---------------------------------------------------------------------------- quality


def _to_u8(img: Img) -> np.ndarray:
    return np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8)


def _jpeg(u8: np.ndarray, q: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(u8).save(buf, "JPEG", quality=int(q))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def degrade(rng: np.random.Generator, img: Img) -> tuple[np.ndarray, int, str]:
    """Heavy damage (low_quality 1) to about a third of the samples, mild damage or none
    (low_quality 0) to the rest; strengths are in units of the feature working size, so
    they mean the same at every file resolution."""
    u8 = _to_u8(img)
    h, w = u8.shape[:2]
    k = max(1.0, max(h, w) / 256)  # file pixels per working pixel
    roll = rng.random()
    heavy = roll < 0.32
    mild = 0.32 <= roll < 0.67
    if not heavy:
        tag = "clean"
        if mild:
            kind = int(rng.integers(4))
            tag = ("blur", "downup", "jpeg", "noise")[kind] + "-mild"
            u8 = _damage(rng, u8, kind, k, heavy=False)
        if rng.random() < 0.6:
            u8 = _jpeg(u8, int(rng.integers(72, 96)))
        return u8, 0, tag
    kinds = [int(rng.integers(4))]
    if rng.random() < 0.2:
        kinds.append(int(rng.integers(4)))
    for kind in kinds:
        u8 = _damage(rng, u8, kind, k, heavy=True)
    return u8, 1, "+".join(("blur", "downup", "jpeg", "noise")[i] for i in kinds)


def _damage(rng: np.random.Generator, u8: np.ndarray, kind: int, k: float,
            heavy: bool) -> np.ndarray:
    h, w = u8.shape[:2]
    pil = Image.fromarray(u8)
    if kind == 0:  # defocus / motion-free blur
        sigma = rng.uniform(1.8, 5.0) if heavy else rng.uniform(0.2, 0.6)
        return np.asarray(pil.filter(ImageFilter.GaussianBlur(sigma * k)))
    if kind == 1:  # an upscaled thumbnail
        eff = rng.uniform(40, 90) if heavy else rng.uniform(200, 256)
        s = min(1.0, eff / max(h, w))
        small = pil.resize((max(4, int(w * s)), max(4, int(h * s))),
                           [Image.BILINEAR, Image.BOX, Image.NEAREST][rng.integers(3)])
        up = [Image.BILINEAR, Image.BICUBIC, Image.NEAREST][rng.integers(3)]
        return np.asarray(small.resize((w, h), up))
    if kind == 2:  # heavy compression
        return _jpeg(u8, int(rng.integers(5, 16)) if heavy else int(rng.integers(45, 80)))
    sigma = rng.uniform(14, 40) if heavy else rng.uniform(1.5, 5)
    if rng.random() < 0.5:
        noise = rng.normal(0, sigma, (h, w, 1))
    else:
        noise = rng.normal(0, sigma, (h, w, 3))
    return np.clip(u8 + noise, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------- build


def _plan(n: int) -> list[str]:
    """Recipe per sample index: shares as in RECIPES, interleaved deterministically."""
    total = sum(share for _, share in RECIPES)
    out = []
    for name, share in RECIPES:
        out += [name] * round(n * share / total)
    out = (out + [RECIPES[0][0]] * n)[:n]
    order = np.random.default_rng(SEED).permutation(n)
    return [out[i] for i in order]


def make_sample(split: str, index: int) -> tuple[np.ndarray, Labels, str, str, list[str]]:
    """Sample `index` of `split`: the image (uint8), its labels, recipe, degradation and
    source photo names. Seeded by (SEED, split, index), so any sample can be remade."""
    recipe = _plan(N_TRAIN if split == "train" else N_VAL)[index]
    rng = np.random.default_rng([SEED, 0 if split == "train" else 1, index])
    img, labels, names = RECIPE_FUNCS[recipe](rng, all_sources()[split])
    u8, lq, tag = degrade(rng, img)
    labels = (labels[0], labels[1], labels[2], lq)
    return u8, labels, recipe, tag, names


def _work(job: tuple[str, int]) -> tuple[np.ndarray, Labels, str, str, list[str]]:
    split, index = job
    u8, labels, recipe, tag, names = make_sample(split, index)
    return image_features(u8), labels, recipe, tag, names


def build(workers: int | None = None, quiet: bool = False) -> dict[str, np.ndarray]:
    """The labelled feature set, from the cache when the recipe is unchanged."""
    digest = recipe_hash()
    path = CACHE_DIR / f"suitability-{digest[:16]}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    jobs = [("train", i) for i in range(N_TRAIN)] + [("val", i) for i in range(N_VAL)]
    t0 = time.perf_counter()
    with Pool(workers or os.cpu_count() or 1) as pool:
        rows = pool.map(_work, jobs, chunksize=16)
    seconds = time.perf_counter() - t0
    data = {
        "features": np.stack([r[0] for r in rows]).astype(np.float32),
        "labels": np.array([r[1] for r in rows], dtype=np.int8),
        "split": np.array([s for s, _ in jobs]),
        "recipe": np.array([r[2] for r in rows]),
        "degradation": np.array([r[3] for r in rows]),
        "sources": np.array(["|".join(r[4]) for r in rows]),
        "recipe_sha256": np.array(digest),
        "feature_version": np.array(FEATURE_VERSION),
        "seconds": np.array(seconds),
    }
    assert data["features"].shape[1] == FEATURE_DIM
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **data)
    os.replace(tmp, path)
    if not quiet:
        print(f"built {len(jobs)} samples in {seconds:.1f} s -> {path}")
    return data


def summary(data: dict[str, np.ndarray]) -> dict:
    """Counts per split, recipe and label, for the README and the results file."""
    out: dict = {}
    for split in ("train", "val"):
        sel = data["split"] == split
        lab = data["labels"][sel]
        rec = data["recipe"][sel]
        out[split] = {
            "samples": int(sel.sum()),
            "recipes": {r: int((rec == r).sum()) for r in sorted(set(rec.tolist()))},
            "labels": {h: {"pos": int((lab[:, i] == 1).sum()), "neg": int((lab[:, i] == 0).sum()),
                           "unlabelled": int((lab[:, i] < 0).sum())}
                       for i, h in enumerate(HEADS)},
        }
    src = all_sources()
    out["source_photos"] = {s: {"grocery": len(src[s].grocery), "ccp": len(src[s].ccp),
                                "fonts": [f.name for f in src[s].fonts]} for s in src}
    return out


def preview(dest: Path, per_recipe: int = 4) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    plan = _plan(N_TRAIN)
    for name, _ in RECIPES:
        idx = [i for i, r in enumerate(plan) if r == name][:per_recipe]
        for i in idx:
            u8, labels, recipe, tag, _ = make_sample("train", i)
            lab = "".join("x" if v < 0 else str(v) for v in labels)
            Image.fromarray(u8).save(dest / f"{recipe}-{i:04d}-{lab}-{tag}.jpg", quality=90)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preview", type=Path, help="write sample images here instead")
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    if args.preview:
        preview(args.preview)
        return
    data = build(args.workers)
    print(json.dumps(summary(data), indent=1))


if __name__ == "__main__":
    main()
