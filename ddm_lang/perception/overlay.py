"""The picture `ddm materials inspect` writes: a perception record drawn over its image,
so a person can see at a glance whether the models saw what is there.

Drawn: the subject matte's outline (green) and box (yellow), text boxes with what was read
(magenta), an arrow from the subject's centroid the way it faces (cyan), an arrow for the
light direction (amber), and below the image the palette and region colours as swatches
with the background kind and flags.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ddm_lang.perception.pixels import Pixels
from ddm_lang.renderer.fonts import FontRegistry

SIDE = 720          # the picture's image part, long side
STRIP = 150         # height of the swatch strip below it


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FontRegistry.default().font_files():
        if "Inter" in path.name or "NotoSans-" in path.name:
            try:
                return ImageFont.truetype(str(path), size)
            except OSError:
                continue
    return ImageFont.load_default()


def overlay(pixels: Pixels, record: dict[str, Any], mask: np.ndarray | None) -> Image.Image:
    base = Image.fromarray(pixels.rgb)
    if pixels.alpha is not None:  # show transparency over a checkerboard
        board = _checkerboard(base.size)
        board.paste(base, mask=Image.fromarray(pixels.alpha))
        base = board
    scale = SIDE / max(base.size)
    w, h = round(base.width * scale), round(base.height * scale)
    canvas = Image.new("RGB", (max(w, 760), h + STRIP), "#1d1f24")
    canvas.paste(base.resize((w, h), Image.Resampling.BILINEAR), (0, 0))
    draw = ImageDraw.Draw(canvas)
    small, label = _font(14), _font(16)

    if mask is not None and mask.any():
        m = Image.fromarray(mask).resize((w, h), Image.Resampling.BILINEAR).point(
            lambda v: 255 if v >= 128 else 0)
        edge = np.asarray(m.filter(ImageFilter.FIND_EDGES)) > 0
        edge = np.asarray(Image.fromarray(edge.astype(np.uint8) * 255).filter(
            ImageFilter.MaxFilter(3))) > 0
        ys, xs = np.nonzero(edge)
        canvas_px = canvas.load()
        assert canvas_px is not None  # an RGB image in memory has pixel access
        for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
            canvas_px[x, y] = (40, 230, 90)
    if record.get("subject.found"):
        bx, by, bw, bh = record["subject.box"]
        draw.rectangle([bx * w, by * h, (bx + bw) * w, (by + bh) * h], outline="#ffd400", width=2)
        cx, cy = record["subject.centroid"]
        facing = record.get("subject.facing", "front")
        dx = {"left": -1, "right": 1}.get(facing, 0)
        _arrow(draw, (cx * w, cy * h), (cx * w + dx * 0.18 * w, cy * h + (0 if dx else -1)),
               "#00e5ff", 4)
        draw.text((cx * w + 6, cy * h + 6), f"facing {facing}", fill="#00e5ff", font=small)
    for line in record.get("text.lines", []):
        quad = [(x * w, y * h) for x, y in line["quad"]]
        draw.polygon(quad, outline="#ff3df2", width=2)
        x0, y0 = min(p[0] for p in quad), min(p[1] for p in quad)
        draw.text((x0, max(0, y0 - 17)), f"{line['text']} ({line['score']:.2f})",
                  fill="#ff3df2", font=small)
    if record.get("light.strength", 0) > 0:
        a = math.radians(record["light.direction"])
        r = 0.08 * min(w, h)
        ox, oy = w - 1.6 * r, 1.6 * r
        start = (ox + math.sin(a) * r, oy - math.cos(a) * r)
        _arrow(draw, start, (ox, oy), "#202020", 7)
        _arrow(draw, start, (ox, oy), "#ffb000", 3)
        draw.text((ox - r, oy + r * 0.7), "light", fill="#ffb000", font=small, stroke_width=2,
                  stroke_fill="#202020")

    y = h + 10
    draw.text((10, y), "palette", fill="#e8e8e8", font=label)
    for i, colour in enumerate(record.get("palette.colors", [])):
        draw.rectangle([90 + i * 44, y, 90 + i * 44 + 38, y + 24], fill=colour, outline="#888")
    draw.text((10, y + 36), "regions", fill="#e8e8e8", font=label)
    for i, row in enumerate(record.get("region.colors", [])):
        for j, colour in enumerate(row):
            draw.rectangle([90 + j * 16, y + 32 + i * 12, 90 + j * 16 + 15, y + 32 + i * 12 + 11],
                           fill=colour)
    flags = [k.split(".")[1] for k in ("suitability.pure_text", "suitability.collage",
                                       "suitability.too_small", "suitability.low_quality")
             if record.get(k)]
    facts = (f"background {record.get('background.kind', '?')} "
             f"{record.get('background.color') or 'none'}   subject area "
             f"{record.get('subject.area', 0):.2f}   text area {record.get('text.area', 0):.3f}   "
             f"sharpness {record.get('sharpness', 0):.2f}")
    draw.text((150, y + 36), facts, fill="#e8e8e8", font=small)
    draw.text((150, y + 58), "flags: " + (", ".join(flags) or "none"), fill="#e8e8e8",
              font=small)
    draw.text((10, y + 90), record.get("text.content", "")[:110], fill="#ff3df2", font=small)
    return canvas


def _arrow(draw: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float],
           colour: str, width: int) -> None:
    draw.line([start, end], fill=colour, width=width)
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    for side in (-0.5, 0.5):
        tip = (end[0] - 12 * math.cos(angle + side), end[1] - 12 * math.sin(angle + side))
        draw.line([end, tip], fill=colour, width=width)


def _checkerboard(size: tuple[int, int], cell: int = 12) -> Image.Image:
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    board = np.where(((xx // cell + yy // cell) % 2)[..., None] == 0, 235, 200)
    return Image.fromarray(np.repeat(board, 3, axis=2).astype(np.uint8))
