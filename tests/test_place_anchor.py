"""`place ... fit subject anchor SIDE`: the perceived subject's box is set against that side
of the region (a product standing on a floor line), at the size `fit subject` gives it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ddm_lang import template_from_string
from ddm_lang.layout import elements as le
from ddm_lang.ops import place
from ddm_lang.ops.context import OpContext
from ddm_lang.scene import Box, ImageNode, Material
from ddm_lang.semantics.operations import ANCHORS
from ddm_lang.stdlib_templates import stdlib_dir

SAMPLES = stdlib_dir() / "samples"
CATALOGUE = {p["id"]: p for p in json.loads((SAMPLES / "catalogue.json").read_text())}

STAGE = """template stage "A product standing on a floor"
formats feed 1080x1080, banner 1200x628, story 1080x1920

object hero = image from product.images where subject.found prefer index asc
image hero | cutout | place in slot(30% 10% 40% 60%) fit subject ANCHOR
"""
# The region of `slot(30% 10% 40% 60%)` in each format, px.
REGIONS = {"feed": Box(324, 108, 432, 648), "banner": Box(360, 62.8, 480, 376.8),
           "story": Box(324, 192, 432, 1152)}


def _hero(creative) -> ImageNode:
    return next(n for n in creative.scene.children if isinstance(n, ImageNode))


def _subject_on_canvas(creative) -> Box:
    node = _hero(creative)
    placed = le.image_subject_box(node, le.library_subjects(node))
    assert placed is not None
    return placed


@pytest.mark.parametrize("product", ["sample-bottle", "sample-mug", "sample-sneaker",
                                     "sample-coffee", "sample-headphones", "sample-lamp"])
@pytest.mark.parametrize("fmt", ["feed", "banner", "story"])
def test_anchor_bottom_stands_the_subject_on_the_regions_bottom(product: str, fmt: str) -> None:
    creative = template_from_string(STAGE.replace("ANCHOR", "anchor bottom")).compile(
        CATALOGUE[product], fmt, base_dir=SAMPLES)
    region, subject, drawn = REGIONS[fmt], _subject_on_canvas(creative), _hero(creative).box
    assert abs(subject.bottom - region.bottom) <= 1.0, (subject, region)
    centre = subject.x + subject.width / 2
    assert abs(centre - (region.x + region.width / 2)) <= 1.0, (subject, region)
    # The image stays inside the region, and the subject is whole.
    assert drawn.x >= region.x - 1e-6 and drawn.right <= region.right + 1e-6
    assert drawn.y >= region.y - 1e-6 and drawn.bottom <= region.bottom + 1e-6
    assert subject.y >= drawn.y - 1e-6 and subject.bottom <= drawn.bottom + 1e-6


def test_anchor_bottom_measured_in_the_rendered_alpha() -> None:
    """The drawn product's lowest opaque row is the region's bottom edge."""
    template = template_from_string(STAGE.replace("ANCHOR", "anchor bottom"))
    for product in ("sample-bottle", "sample-mug", "sample-coffee"):
        creative = template.compile(CATALOGUE[product], "feed", base_dir=SAMPLES)
        alpha = creative.pixels()[..., 3]
        rows = np.nonzero((alpha > 127).any(axis=1))[0]
        region = REGIONS["feed"]
        assert abs((rows.max() + 1) - region.bottom) <= 2, (product, rows.max(), region)
        cols = np.nonzero((alpha > 127).any(axis=0))[0]
        assert cols.min() >= region.x - 1 and cols.max() + 1 <= region.right + 1


def test_without_anchor_the_placement_is_unchanged() -> None:
    """`fit subject` with no anchor (or `anchor center`) places as it always has: the
    subject centred, the crop sliding to fill the region where the image allows."""
    plain = template_from_string(STAGE.replace("ANCHOR", ""))
    centre = template_from_string(STAGE.replace("ANCHOR", "anchor center"))
    for product in ("sample-bottle", "sample-mug"):
        for fmt in ("feed", "banner"):
            a = plain.compile(CATALOGUE[product], fmt, base_dir=SAMPLES)
            b = centre.compile(CATALOGUE[product], fmt, base_dir=SAMPLES)
            assert a.svg == b.svg
    # The mug in the feed square, as placed before anchors counted with `fit subject`.
    mug = _hero(plain.compile(CATALOGUE["sample-mug"], "feed", base_dir=SAMPLES))
    anchored = _hero(template_from_string(STAGE.replace("ANCHOR", "anchor bottom")).compile(
        CATALOGUE["sample-mug"], "feed", base_dir=SAMPLES))
    assert anchored.box != mug.box
    assert mug.box.y == pytest.approx(108) and mug.box.x == pytest.approx(324)


# ---- the resolver on its own -------------------------------------------------------------------

def _context(subject_box: list[float]) -> OpContext:
    record = {"subject.found": True, "subject.box": subject_box}
    return OpContext(record, b"", Box(0, 0, 1000, 1000), Path("/nonexistent"))


def _photo(w: int = 1000, h: int = 1000) -> ImageNode:
    return ImageNode(Material("/x/p.png", "3" * 64, w, h, "png", True), Box(0, 0, 10, 10),
                     Box(0, 0, w, h))


def _subject_box(node: ImageNode, subject: list[float]) -> Box:
    placed = le.image_subject_box(node, le.Subject((subject[0], subject[1], subject[2],
                                                    subject[3])))
    assert placed is not None
    return placed


@pytest.mark.parametrize("anchor", [a for a in ANCHORS if a != "center"])
def test_every_anchor_sets_the_subject_against_its_sides(anchor: str) -> None:
    subject = [0.3, 0.2, 0.3, 0.5]
    region = Box(100, 50, 600, 400)
    node = place.resolve(_photo(), context=_context(subject), region=region, fit="subject",
                         anchor=anchor)
    s = _subject_box(node, subject)
    expect_x = {"left": region.x, "right": region.right - s.width}.get(
        "left" if "left" in anchor else "right" if "right" in anchor else "",
        region.x + (region.width - s.width) / 2)
    expect_y = {"top": region.y, "bottom": region.bottom - s.height}.get(
        "top" if "top" in anchor else "bottom" if "bottom" in anchor else "",
        region.y + (region.height - s.height) / 2)
    assert s.x == pytest.approx(expect_x, abs=1e-6) and s.y == pytest.approx(expect_y, abs=1e-6)
    # The same size as without an anchor: only the position changes.
    centred = place.resolve(_photo(), context=_context(subject), region=region, fit="subject")
    assert s.height == pytest.approx(_subject_box(centred, subject).height)
    # Drawn inside the region, showing a part of the image that exists.
    box, crop = node.box, node.crop
    assert box.x >= region.x - 1e-6 and box.right <= region.right + 1e-6
    assert box.y >= region.y - 1e-6 and box.bottom <= region.bottom + 1e-6
    assert crop.x >= 0 and crop.y >= 0 and crop.right <= 1000 + 1e-6 and crop.bottom <= 1000 + 1e-6


def test_anchor_bottom_with_a_subject_high_in_its_photo() -> None:
    """A subject at the very top of its photo: the image runs out above it, and the subject
    still stands on the region's bottom (the empty part is above), where the centred fit
    slides the crop and leaves it at the region's top."""
    subject = [0.35, 0.0, 0.3, 0.45]
    region = Box(0, 0, 500, 500)
    node = place.resolve(_photo(), context=_context(subject), region=region, fit="subject",
                         anchor="bottom")
    s = _subject_box(node, subject)
    assert s.bottom == pytest.approx(500) and s.x + s.width / 2 == pytest.approx(250)
    centred = place.resolve(_photo(), context=_context(subject), region=region, fit="subject")
    assert _subject_box(centred, subject).bottom < 499
    assert node.box.bottom == pytest.approx(500) and node.box.y > 0 and node.crop.y == 0


def test_unanchored_fit_subject_is_the_centred_fit() -> None:
    subject = [0.4, 0.3, 0.2, 0.4]
    region = Box(100, 100, 300, 600)
    expected = place.fit_subject(1000, 1000, place.subject_pixels(subject, 1000, 1000), region)
    for anchor in (None, "center"):
        kwargs = {} if anchor is None else {"anchor": anchor}
        node = place.resolve(_photo(), context=_context(subject), region=region, fit="subject",
                             **kwargs)
        assert (node.crop, node.box) == expected
