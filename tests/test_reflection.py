"""`reflect`: a floor reflection — what is drawn, flipped about its base, placed right under
it and fading out — emitted as plain SVG that our renderer and resvg draw alike."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
from _resvg import difference, resvg_pixels
from PIL import Image

from ddm_lang import DiagnosticError, template_from_string
from ddm_lang.emit import emit
from ddm_lang.ops import reflect
from ddm_lang.ops.context import OpContext
from ddm_lang.renderer import render
from ddm_lang.scene import Box, ImageNode, Material, Reflection, Scene
from ddm_lang.stdlib_templates import stdlib_dir

W = H = 600
FLOOR = 360  # the bottom of slot(20% 10% 60% 50%) at 600 px


@pytest.fixture
def cutout_studio(tmp_path: Path) -> Path:
    """A cut-out product (transparent around it): red growing down its height, green
    growing to the right, so a flip in either direction shows."""
    img = np.zeros((300, 200, 4), np.uint8)
    ys, xs = np.mgrid[40:280, 50:150]
    img[40:280, 50:150, 0] = (40 + (ys - 40) * 0.8).astype(np.uint8)
    img[40:280, 50:150, 1] = (20 + (xs - 50) * 2).astype(np.uint8)
    img[40:280, 50:150, 2] = 90
    img[40:280, 50:150, 3] = 255
    Image.fromarray(img, "RGBA").save(tmp_path / "tall.png")
    photo = Image.new("RGB", (400, 300), (230, 230, 230))
    photo.paste((30, 90, 200), (150, 60, 250, 240))
    photo.save(tmp_path / "photo.jpg", quality=95)
    return tmp_path


PRODUCT = {"id": "tall", "title": "Tall", "images": ["tall.png"]}

FLOOR_TEMPLATE = """template floor "A product standing on a floor, reflected"
formats feed 600x600

object hero = image from product.images
image hero | place in slot(20% 10% 60% 50%) fit subject anchor bottom {ops}
"""


def _compile(studio: Path, ops: str, product: dict = PRODUCT) -> str:
    template = template_from_string(FLOOR_TEMPLATE.format(ops=ops))
    return template.compile(product, "feed", base_dir=studio).svg


def _pixels(studio: Path, svg: str) -> np.ndarray:
    return render(svg, W, H, allowed_roots=(studio,)).astype(np.float64)


def test_the_reflection_is_the_subject_flipped_below_its_base_and_faded(cutout_studio: Path):
    plain = _pixels(cutout_studio, _compile(cutout_studio, ""))
    svg = _compile(cutout_studio, "| reflect(opacity: 0.35, fade: 0.4)")
    shown = _pixels(cutout_studio, svg)
    # Above the floor nothing changed; without the operation nothing is drawn below it.
    assert np.abs(shown[:FLOOR] - plain[:FLOOR]).max() <= 1
    assert plain[FLOOR:, :, 3].max() == 0
    rows = np.nonzero(plain[:, :, 3].max(axis=1) > 0)[0]
    height = FLOOR - rows.min()                     # the product's drawn height
    fade = 0.4 * height
    cols = np.nonzero(plain[FLOOR - 1, :, 3] > 200)[0]
    inner = slice(cols.min() + 2, cols.max() - 1)
    for k in (0, 3, int(fade * 0.25), int(fade * 0.5), int(fade * 0.8)):
        below, above = shown[FLOOR + k, inner], plain[FLOOR - 1 - k, inner]
        weight = 0.35 * (1 - (k + 0.5) / fade)
        # alpha ≈ opacity × the subject's alpha of the mirrored row, fading linearly
        assert np.abs(below[:, 3] - weight * above[:, 3]).max() <= 3, k
        # the colours are the mirrored row's: red grows down the product, so up the reflection
        # (the renderer's pixels are not premultiplied)
        assert np.abs(below[:, :3] - above[:, :3]).mean() <= 6, k
    # Nothing past the fade length, nor beside the product.
    assert shown[int(FLOOR + fade) + 2:, :, 3].max() == 0
    assert shown[FLOOR:, : cols.min() - 2, 3].max() == 0
    # The reflection of the row nearest the floor: about 0.35 of it.
    assert abs(shown[FLOOR, inner, 3].mean() - 0.35 * 255) <= 4


def test_a_gap_moves_the_reflection_down(cutout_studio: Path):
    shown = _pixels(cutout_studio, _compile(cutout_studio, "| reflect(opacity: 0.5, fade: 0.3, gap: 12px)"))
    assert shown[FLOOR:FLOOR + 11, :, 3].max() == 0
    assert shown[FLOOR + 13, :, 3].max() > 0.45 * 255


def test_a_mirrored_product_is_reflected_mirrored(cutout_studio: Path):
    """`mirror` flips the image inside its box; the reflection shows it as drawn."""
    path = cutout_studio / "tall.png"
    material = Material(str(path), hashlib.sha256(path.read_bytes()).hexdigest(), 200, 300,
                        "png", True)
    shine = Reflection(0.6, 0.5, 0.0, (0.25, 40 / 300, 0.5, 0.8))

    def drawn(flip: bool) -> np.ndarray:
        node = ImageNode(material, Box(150, 60, 200, 300), Box(0, 0, 200, 300), flip,
                         reflection=shine)
        return _pixels(cutout_studio, emit(Scene(W, H, (node,))))

    straight, mirrored = drawn(False), drawn(True)
    base = 60 + 280  # the product's base: row 280 of the image
    assert straight[base + 3, :, 3].max() > 0
    # Mirrored about the box's centre column (x = 250): column 250 + d shows 250 - d.
    row_s, row_m = straight[base + 3], mirrored[base + 3]
    for d in (-40, -20, 10, 35):
        assert np.abs(row_m[250 + d] - row_s[250 - d - 1]).max() <= 3, d
    assert row_s[210, 1] < row_s[290, 1] and row_m[210, 1] > row_m[290, 1]


def test_an_opaque_photo_is_reflected_about_its_own_bottom_edge(cutout_studio: Path):
    template = template_from_string("""template photo "A photo on a shelf"
formats feed 600x600

object hero = image from product.images
image hero | reflect(opacity: 0.4, fade: 0.25) { box: 100 100 400 300 }
""")
    svg = template.compile({**PRODUCT, "id": "photo", "images": ["photo.jpg"]}, "feed",
                           base_dir=cutout_studio).svg
    shown = _pixels(cutout_studio, svg)
    assert shown[401, 300, 3] == pytest.approx(0.4 * 255 * (1 - 1.5 / 75), abs=4)
    assert shown[400 + 76, 300, 3] == 0
    assert np.abs(shown[402, 300, :3] - shown[397, 300, :3]).max() <= 6


def test_the_svg_is_plain_deterministic_and_drawn_alike_by_resvg(cutout_studio: Path):
    ops = "| reflect(opacity: 0.35, fade: 0.4)"
    svg = _compile(cutout_studio, ops)
    assert svg == _compile(cutout_studio, ops)
    assert re.search(r'transform="matrix\(1 0 0 -1 0 [0-9.]+\)"', svg)
    assert "<linearGradient" in svg and 'mask="url(#reflection-' in svg
    assert svg.count('id="hero"') <= 1  # the copy in the reflection carries no id
    ours = render(svg, W, H, allowed_roots=(cutout_studio,))
    theirs = resvg_pixels(svg, resources_dir=str(cutout_studio))
    mean, far = difference(ours, theirs)
    assert mean < 0.005 and far < 0.001, (mean, far)
    # The reflection itself, where the two renderers could part ways.
    def premultiplied(rgba: np.ndarray) -> np.ndarray:
        x = rgba[FLOOR:].astype(np.float64)
        return np.concatenate([x[..., :3] * x[..., 3:] / 255, x[..., 3:]], axis=-1)

    assert np.abs(premultiplied(ours) - premultiplied(theirs)).max() <= 4


def test_two_reflections_get_their_own_ids(cutout_studio: Path):
    template = template_from_string("""template pair "Two reflected products"
formats feed 600x600

object hero = image from product.images
image hero | place in slot(0 10% 50% 50%) fit subject anchor bottom | reflect(opacity: 0.3, fade: 0.4)
image = hero | place in slot(50% 10% 50% 50%) fit subject anchor bottom | reflect(opacity: 0.3, fade: 0.4)
""")
    svg = template.compile(PRODUCT, "feed", base_dir=cutout_studio).svg
    ids = re.findall(r'id="(reflection-[^"]+)"', svg)
    assert len(ids) == len(set(ids)) >= 2


def test_arguments_out_of_range_are_diagnostics(cutout_studio: Path):
    for ops, word in (("| reflect(opacity: 1.5)", "opacity"), ("| reflect(fade: 0)", "fade"),
                      ("| reflect(fade: 1.5)", "fade")):
        with pytest.raises(DiagnosticError, match=word):
            _compile(cutout_studio, ops)


def test_the_resolver_records_the_subject_it_reflects():
    material = Material("/x/p.png", "4" * 64, 200, 300, "png", True)
    node = ImageNode(material, Box(0, 0, 200, 300), Box(0, 0, 200, 300))
    record = {"subject.found": True, "subject.box": [0.25, 0.1, 0.5, 0.8],
              "subject.source": "alpha"}
    context = OpContext(record, b"", Box(0, 0, 600, 600), Path("/nonexistent"))
    r = reflect.resolve(node, context=context, opacity=0.3, fade=0.5, gap=4.0).reflection
    assert r is not None and (r.opacity, r.fade, r.gap) == (0.3, 0.5, 4.0)
    assert r.subject == (0.25, 0.1, 0.5, 0.8)
    # An opaque photo, not cut out: reflected about its own bottom edge.
    photo = OpContext({**record, "subject.source": "model"}, b"", Box(0, 0, 600, 600),
                      Path("/nonexistent"))
    assert reflect.resolve(node, context=photo).reflection.subject is None  # type: ignore[union-attr]
    cut = reflect.resolve(node.with_(matte=b"png"), context=photo).reflection
    assert cut is not None and cut.subject == (0.25, 0.1, 0.5, 0.8)
    none = OpContext({"subject.found": False}, b"", Box(0, 0, 600, 600), Path("/nonexistent"))
    assert reflect.resolve(node, context=none).reflection.subject is None  # type: ignore[union-attr]


def test_a_product_of_the_sample_catalogue_on_a_reflecting_floor():
    samples = stdlib_dir() / "samples"
    product = json.loads((samples / "catalogue.json").read_text())[0]
    template = template_from_string("""template stage "On a reflecting floor"
formats feed 1080x1080

object hero = image from product.images where subject.found prefer index asc
rect wall { box: 0 0 100% 70%; fill: #e9e4da }
rect floor { box: 0 70% 100% 30%; fill: #d8d0c2 }
image hero | cutout | place in slot(30% 10% 40% 60%) fit subject anchor bottom
  | reflect(opacity: 0.35, fade: 0.4) | shadow(kind: contact)
""")
    creative = template.compile(product, "feed", base_dir=samples)
    pixels = creative.pixels().astype(int)
    floor_colour = np.array([0xd8, 0xd0, 0xc2])
    # Right under the bottle's base, the floor shows the bottle's own dark green faintly.
    under = pixels[760:790, 500:580, :3].reshape(-1, 3).mean(axis=0)
    assert np.abs(under - floor_colour).sum() > 30
    # Far below the fade, the floor is the floor.
    far = pixels[1040:1070, 500:580, :3].reshape(-1, 3).mean(axis=0)
    assert np.abs(far - floor_colour).sum() <= 3
