"""Operations that look at their material: cutout, mirror, shadow — their decisions from
perception records, and what the compiled creative shows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ddm_lang import template_from_string
from ddm_lang.ops import cutout, mirror, place, shadow
from ddm_lang.ops.context import OpContext
from ddm_lang.renderer import render
from ddm_lang.scene import Box, ImageNode, Material

CANVAS = Box(0, 0, 1000, 1000)


def node(x: float = 550, flip: bool = False) -> ImageNode:
    material = Material("/x/photo.jpg", "0" * 64, 400, 400, "jpeg")
    return ImageNode(material, Box(x, 100, 400, 400), Box(0, 0, 400, 400), flip)


def ctx(**record: object) -> OpContext:
    base = {"subject.found": True, "subject.facing": "front", "text.found": False,
            "subject.box": [0.25, 0.25, 0.5, 0.5], "light.direction": 0.0,
            "light.strength": 0.0, "subject.source": "model"}
    return OpContext({**base, **record}, b"matte-png", CANVAS, Path("/nonexistent/generated"))


def test_mirror_turns_the_subject_toward_the_copy():
    # Image on the right: the copy is on the left.
    assert mirror.resolve(node(), context=ctx(**{"subject.facing": "right"})).flip
    assert not mirror.resolve(node(), context=ctx(**{"subject.facing": "left"})).flip
    assert not mirror.resolve(node(), context=ctx(**{"subject.facing": "front"})).flip
    # Image on the left: the copy is on the right.
    assert mirror.resolve(node(x=50), context=ctx(**{"subject.facing": "left"})).flip
    # Centred: no copy side.
    assert not mirror.resolve(node(x=300), context=ctx(**{"subject.facing": "left"})).flip
    # Said explicitly.
    assert mirror.resolve(node(x=300), context=ctx(**{"subject.facing": "left"}),
                          toward="right").flip
    # Already flipped by an earlier step: its current facing counts.
    assert not mirror.resolve(node(flip=True), context=ctx(**{"subject.facing": "left"})).flip


def test_mirror_never_flips_text():
    record = {"subject.facing": "right", "text.found": True}
    assert not mirror.resolve(node(), context=ctx(**record)).flip


def test_cutout_masks_with_the_matte_unless_already_transparent():
    assert cutout.resolve(node(), context=ctx()).matte == b"matte-png"
    assert cutout.resolve(node(), context=ctx(**{"subject.source": "alpha"})).matte is None
    with pytest.raises(ValueError, match="no subject"):
        cutout.resolve(node(), context=ctx(**{"subject.found": False}))


def test_shadow_falls_away_from_the_light():
    lit_from_left = ctx(**{"light.direction": 270.0, "light.strength": 0.5})
    s = shadow.resolve(node(), context=lit_from_left).shadow
    assert s.kind == "drop" and s.dx > 0 and s.dy > 0
    lit_from_right = ctx(**{"light.direction": 90.0, "light.strength": 0.5})
    assert shadow.resolve(node(), context=lit_from_right).shadow.dx < 0
    frontal = shadow.resolve(node(), context=ctx()).shadow
    assert frontal.dx == 0 and frontal.dy > 0
    contact = shadow.resolve(node(), context=lit_from_left, kind="contact", opacity=0.3).shadow
    assert contact.dy == 0 and contact.opacity == 0.3 and contact.subject == (0.25, 0.25, 0.5, 0.5)
    # Inside a mirrored image the offset is mirrored back, so it still falls away.
    assert shadow.resolve(node(flip=True), context=lit_from_left).shadow.dx < 0
    with pytest.raises(ValueError, match="opacity"):
        shadow.resolve(node(), context=ctx(), opacity=2)


TEMPLATE = """template ops "Cut out, mirrored, shadowed"
formats feed 600x600

object hero = image from product.images where subject.found

rect background {{ box: 0 0 100% 100%; fill: #2040a0 }}
image hero | cutout | place in slot(right 50%) fit contain | {ops}
"""


@pytest.fixture
def arrow_studio(tmp_path: Path) -> Path:
    """A red arrow-like wedge pointing right, on a white studio backdrop."""
    img = Image.new("RGB", (400, 400), "white")
    ImageDraw.Draw(img).polygon([(60, 120), (60, 280), (340, 200)], fill=(220, 20, 20))
    img.save(tmp_path / "wedge.png")
    return tmp_path


@pytest.mark.model
def test_compiled_creative_is_cut_out_mirrored_and_shadowed(arrow_studio: Path):
    product = {"id": "wedge", "title": "Wedge", "images": ["wedge.png"]}

    def draw(ops: str) -> tuple[str, np.ndarray]:
        creative = template_from_string(TEMPLATE.format(ops=ops)).compile(product, "feed",
                                                                   base_dir=arrow_studio)
        pixels = render(creative.svg, 600, 600, allowed_roots=(arrow_studio,))
        return creative.svg, pixels[..., :3].astype(int)

    svg, rgb = draw("mirror | shadow(kind: drop, opacity: 0.8)")
    assert "<mask" in svg and "feDropShadow" in svg
    # The white studio backdrop is gone: the canvas's blue shows around the subject.
    assert tuple(rgb[30, 330]) == (32, 64, 160)
    assert tuple(rgb[300, 590]) == (32, 64, 160)
    # The wedge points toward the copy (left) now: its tip is at the left, its base at the right.
    red = (rgb[..., 0] > 150) & (rgb[..., 1] < 80)
    cols = np.flatnonzero(red[300])
    assert cols.size and cols.min() > 300
    tip_rows, base_rows = red[:, cols.min() + 5].sum(), red[:, cols.max() - 5].sum()
    assert base_rows > 3 * tip_rows
    # The shadow darkens the backdrop around the wedge, shifted the way the record says.
    _, plain = draw("mirror")
    darker = (plain[..., 2] - rgb[..., 2] > 4) & ~red
    assert darker.sum() > 300
    shadow_rows = np.nonzero(darker)[0]
    red_rows = np.nonzero(red)[0]
    assert shadow_rows.mean() > red_rows.mean()  # a drop shadow never rises above its subject


def test_cover_slides_the_crop_to_keep_the_subject_whole():
    wide = ImageNode(Material("/x/wide.jpg", "1" * 64, 1600, 800, "jpeg"), Box(0, 0, 10, 10),
                     Box(0, 0, 1600, 800))
    # The subject stands at the far left; a centred square crop would cut it.
    context = ctx(**{"subject.box": [0.02, 0.2, 0.2, 0.6]})
    placed = place.resolve(wide, context=context, region=Box(0, 0, 500, 500), fit="cover")
    assert placed.box == Box(0, 0, 500, 500)
    assert placed.crop.x <= 0.02 * 1600 and placed.crop.right >= 0.22 * 1600
    assert placed.crop.width == placed.crop.height == 800
    # No subject perceived: the plain anchored crop.
    plain = place.resolve(wide, context=ctx(**{"subject.found": False}),
                          region=Box(0, 0, 500, 500), fit="cover")
    assert plain.crop.x == 400


def test_fit_subject_fills_the_region_with_the_subject():
    photo = ImageNode(Material("/x/p.jpg", "2" * 64, 1000, 1000, "jpeg"), Box(0, 0, 10, 10),
                      Box(0, 0, 1000, 1000))
    context = ctx(**{"subject.box": [0.4, 0.3, 0.2, 0.4]})
    region = Box(100, 100, 300, 600)
    placed = place.resolve(photo, context=context, region=region, fit="subject")
    crop, dest = placed.crop, placed.box
    assert crop.x <= 400 and crop.right >= 600 and crop.y <= 300 and crop.bottom >= 700
    assert abs(crop.width / crop.height - 0.5) < 1e-6 and dest == region
    # The subject's centre lands at the region's centre.
    scale = dest.width / crop.width
    assert abs(dest.x + (500 - crop.x) * scale - 250) < 1e-6
    assert abs(dest.y + (500 - crop.y) * scale - 400) < 1e-6
    # A subject filling the photo: the image runs out, so it is letterboxed, not stretched.
    big = ctx(**{"subject.box": [0.0, 0.0, 1.0, 1.0]})
    boxed = place.resolve(photo, context=big, region=Box(0, 0, 600, 300), fit="subject")
    assert boxed.crop == Box(0, 0, 1000, 1000) and boxed.box == Box(150, 0, 300, 300)
