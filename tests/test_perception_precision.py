"""Perception faults found on real product photos: a cut-out's transparent pixels are
not colour, a plain packshot carries no text, and text rendered onto one is still read.

The packshots are the sample catalogue's photos (in the package), cut out with the
project's subject matte; no timing is asserted (benchmarks/text_detection_precision.py
measures speed and precision over many more images)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ddm_lang.perception import colour, ocr, record, subject
from ddm_lang.perception.materials import load_material
from ddm_lang.perception.pixels import decode
from ddm_lang.renderer.fonts import FontRegistry
from ddm_lang.values import Color

SAMPLES = Path(__file__).resolve().parent.parent / "ddm_lang" / "stdlib_templates" / "samples" \
    / "images"


def photo(name: str, side: int = 1024) -> np.ndarray:
    """A sample photo as RGB, `side` px on its long side."""
    with Image.open(SAMPLES / name) as img:
        img = img.convert("RGB")
        scale = side / max(img.size)
        return np.asarray(img.resize((round(img.width * scale), round(img.height * scale)),
                                     Image.Resampling.LANCZOS))


def matte(rgb: np.ndarray) -> np.ndarray:
    """The subject matte as 8-bit alpha (soft edges, as a cut-out tool leaves them)."""
    return np.clip(subject.saliency(rgb) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def on_backdrop(rgb: np.ndarray, alpha: np.ndarray, grey: int = 255) -> np.ndarray:
    a = alpha[..., None] / 255.0
    return np.clip(rgb * a + grey * (1.0 - a) + 0.5, 0, 255).astype(np.uint8)


def cutout_png(name: str) -> bytes:
    """A sample photo as a cut-out PNG: alpha from its matte and, as most cut-out tools
    write it, black wherever the pixel is fully transparent."""
    rgb = photo(name, 600)
    alpha = matte(rgb)
    rgb = np.where((alpha == 0)[..., None], 0, rgb).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(np.dstack([rgb, alpha])).save(buf, "PNG")
    return buf.getvalue()


def dark(hex_colour: str | None) -> bool:
    c = Color.parse(hex_colour) if hex_colour else None
    return c is not None and max(c.r, c.g, c.b) < 0.16


# ---- transparency ------------------------------------------------------------------------
@pytest.mark.model
def test_transparent_pixels_are_not_colour():
    px = decode(cutout_png("mug.jpg"), "mug.png")
    assert px.alpha is not None and float(np.mean(px.alpha == 0)) > 0.3
    col = colour.perceive_colour(px.rgb, px.alpha >= 128, px.alpha)
    assert not any(dark(c) for c in col["palette.colors"]), col["palette.colors"]
    assert not any(dark(c) for c in col["palette.subject"])
    assert abs(sum(col["palette.shares"]) - 1.0) < 0.05   # shares of what is visible
    red = Color.parse(col["palette.dominant"])
    assert red.r > 0.6 > red.g                             # the mug's red, not black
    assert col["background.color"] is None                 # a transparent backdrop has none
    assert not any(dark(c) for row in col["region.colors"] for c in row)
    # the same statistics without alpha read the transparent black, as the record used to
    blind = colour.perceive_colour(px.rgb, px.alpha >= 128)
    assert dark(blind["palette.colors"][0]) and dark(blind["background.color"])


def test_an_opaque_image_keeps_its_background_colour():
    rgb = photo("mug.jpg", 400)
    opaque = np.full(rgb.shape[:2], 255, np.uint8)
    with_alpha = colour.perceive_colour(rgb, None, opaque)
    assert with_alpha == colour.perceive_colour(rgb, None)
    assert with_alpha["background.color"] is not None


@pytest.mark.model
def test_record_of_a_cutout_has_no_black_and_no_background_colour(tmp_path):
    path = tmp_path / "mug.png"
    path.write_bytes(cutout_png("mug.jpg"))
    perceived = record.perceive(load_material(path, (tmp_path,)), path.read_bytes()).record
    assert perceived["background.kind"] == "transparent"
    assert perceived["background.color"] is None
    assert not any(dark(c) for c in perceived["palette.colors"])
    assert not dark(perceived["palette.dominant"]) and not dark(perceived["palette.accent"])


# ---- text on plain packshots ----------------------------------------------------------------
@pytest.mark.model
@pytest.mark.parametrize("name", ["bottle.jpg", "mug.jpg", "sneaker.jpg"])
@pytest.mark.parametrize("grey", [255, 128])
def test_a_plain_packshot_carries_no_text(name, grey):
    rgb = photo(name)
    found = ocr.perceive_text(on_backdrop(rgb, matte(rgb), grey))
    assert not found["text.found"], found["text.lines"]
    assert found["text.area"] == 0.0


def write(rgb: np.ndarray, words: str, xy: tuple[int, int], size: int,
          fill: tuple[int, int, int] = (20, 20, 20)) -> np.ndarray:
    font_path = next(p for p in FontRegistry.default().font_files() if "Inter" in p.name)
    img = Image.fromarray(rgb)
    ImageDraw.Draw(img).text(xy, words, fill=fill, font=ImageFont.truetype(str(font_path), size))
    return np.asarray(img)


@pytest.mark.model
@pytest.mark.parametrize(("words", "size"), [("SALE", 64), ("Fresh today", 36), ("-20%", 30)])
def test_a_word_on_a_packshot_is_read(words, size):
    rgb = photo("bottle.jpg")
    flat = on_backdrop(rgb, matte(rgb), 255)
    found = ocr.perceive_text(write(flat, words, (40, 60), size))
    assert [ln["text"] for ln in found["text.lines"]] == [words]
    x, y, w, h = found["text.boxes"][0]
    width = flat.shape[1]
    assert x < 40 / width + 0.02 and y < 0.12 and w > 0.04 and h < 0.12


def subject_quad(alpha: np.ndarray) -> np.ndarray:
    """The subject's bounding box as a line quad (clockwise from top-left), in pixels."""
    ys, xs = np.nonzero(alpha >= 128)
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)


@pytest.mark.model
@pytest.mark.parametrize(("name", "text", "score"), [("bottle.jpg", "19", 0.8),
                                                     ("mug.jpg", "G0", 0.9)])
def test_a_product_read_as_a_number_is_not_text(monkeypatch, name, text, score):
    """Issue 17's reads, replayed: the detector boxed the whole product and the recogniser
    read it as a short string. The legibility rule let it through (and the record called the
    photo pure text); the screen does not."""
    rgb = photo(name)
    alpha = matte(rgb)
    flat = on_backdrop(rgb, alpha, 255)
    quad = subject_quad(alpha)
    monkeypatch.setattr(ocr, "read_lines", lambda *args, **kwargs: [(quad, text, score)])
    unscreened = ocr.perceive_text(flat, screen=False)
    assert unscreened["text.content"] == text and unscreened["text.area"] > 0.2
    found = ocr.perceive_text(flat)
    assert not found["text.found"] and found["text.area"] == 0.0


def test_the_screen_keeps_print_and_drops_shapes():
    flat = np.full((400, 600), 255, np.uint8)
    line = np.asarray(Image.fromarray(write(np.dstack([flat] * 3), "Fresh today", (40, 40), 48))
                      .convert("L"))
    quad = np.array([[30, 30], [330, 30], [330, 110], [30, 110]], np.float64)
    assert ocr.plausible("Fresh today", 0.95, quad, line)
    contrast, stroke = ocr.ink(line, quad)
    assert contrast > 150 and stroke < 0.2 * 80
    blob = flat.copy()
    blob[60:340, 200:400] = 90                       # a flat product in the same frame
    tall = np.array([[180, 40], [420, 40], [420, 360], [180, 360]], np.float64)
    assert not ocr.plausible("0", 0.99, tall, blob)  # a stroke as thick as the line
    flat_box = np.array([[220, 80], [380, 80], [380, 120], [220, 120]], np.float64)
    assert ocr.ink(blob, flat_box)[0] == 0.0         # no ink at all inside the product
    assert not ocr.plausible("III", 0.99, flat_box, blob)
    square = np.array([[30, 30], [130, 30], [130, 110], [30, 110]], np.float64)
    assert not ocr.plausible("Fresh today", 0.99, square, line)  # 10 glyphs cannot fit
    wide = np.array([[30, 30], [570, 30], [570, 70], [30, 70]], np.float64)
    assert not ocr.plausible("SALE", 0.99, wide, line)           # 4 glyphs cannot fill it
