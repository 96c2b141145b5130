"""Layout quality metrics: each on hand-built scenes with known answers, and `ddm check
--product ... --all-formats` passing a clean template and failing one with text over the
product."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ddm_lang.cli import main
from ddm_lang.layout import elements as le
from ddm_lang.quality import layout_metrics as lm
from ddm_lang.scene import Box, ImageNode, Material, Node, Scene, TextLine, TextNode

W = H = 100


def rect(x: float, y: float, w: float, h: float, name: str | None = None,
         **attrs: str) -> Node:
    values = {"x": x, "y": y, "width": w, "height": h}
    pairs = tuple((k, f"{v:g}") for k, v in values.items()) + tuple(attrs.items())
    return Node("rect", pairs, name=name)


def text(x: float, y: float, content: str = "Hi", size: float = 10, name: str = "t",
         box: Box | None = None) -> TextNode:
    """One line starting at x with its baseline at y."""
    return TextNode(box or Box(x, y - size, 80, size * 1.5), (TextLine(content, x, y),),
                    "Inter", 400, size, name=name)


def photo(box: Box, *, flip: bool = False, crop: Box | None = None) -> ImageNode:
    material = Material("/nowhere/photo.png", "a" * 64, 200, 200, "png")
    return ImageNode(material, box, crop or Box(0, 0, 200, 200), flip, name="hero")


def scene(*items: object, width: int = W, height: int = H) -> Scene:
    return Scene(width, height, tuple(items))  # type: ignore[arg-type]


def measured(s: Scene, subject: le.Subject | None = None) -> lm.LayoutMetrics:
    return lm.measure_scene(s, subjects=lambda _node: subject, render=False)


# ---- boxes ---------------------------------------------------------------------------------

def test_iou_and_overlap_of_two_boxes() -> None:
    a, b = Box(10, 10, 40, 40), Box(30, 10, 40, 40)
    assert le.iou(a, b) == pytest.approx(800 / 2400)
    assert le.iou(a, Box(60, 60, 10, 10)) == 0
    m = measured(scene(rect(10, 10, 40, 40), rect(30, 10, 40, 40)))
    # PosterLayout's Ove: the sum of pairwise IoU divided by the number of elements.
    assert m.overlap == pytest.approx((1 / 3) / 2)
    assert measured(scene(rect(0, 0, 20, 20), rect(50, 50, 20, 20))).overlap == 0


def test_background_and_underlay_are_not_collisions() -> None:
    s = scene(rect(0, 0, W, H, "bg"), rect(5, 70, 60, 20, "plate"), text(10, 84, "Buy"))
    elements = le.flatten(s)
    assert [e.role for e in elements] == ["background", "underlay", "content"]
    m = measured(s)
    assert m.overlap == 0 and m.underlay == 1.0 and m.elements == 2
    # The same text beside the plate is not on one.
    assert measured(scene(rect(5, 70, 20, 20), text(40, 30, "Buy"))).underlay == 0.0


def test_alignment_is_zero_for_left_aligned_elements() -> None:
    s = scene(rect(10, 10, 30, 10), rect(10, 40, 50, 15), rect(10, 70, 20, 20))
    assert measured(s).alignment == 0


def test_alignment_follows_the_posterlayout_formula() -> None:
    a, b = Box(10, 10, 20, 20), Box(50, 60, 30, 10)
    # Nearest coordinates: left .1 vs .5 and bottom .3 vs .7, both 0.4 apart.
    expected = -math.log10(1 - 0.4)
    m = measured(scene(rect(a.x, a.y, a.width, a.height), rect(b.x, b.y, b.width, b.height)))
    assert m.alignment == pytest.approx(expected)
    assert lm.alignment_posterlayout([a, b], W, H) == pytest.approx(2 * expected)
    assert lm.alignment_posterlayout([a], W, H) == 0


def test_group_transforms_move_elements() -> None:
    group = Node("g", (("transform", "translate(20 30)"),), (rect(0, 0, 10, 10),))
    (element,) = le.flatten(scene(group))
    assert element.box == Box(20, 30, 10, 10)


def test_invisible_shapes_are_not_elements() -> None:
    s = scene(rect(0, 0, 10, 10, fill="none"), rect(20, 20, 10, 10, opacity="0"),
              Node("defs", (), (rect(0, 0, 50, 50),)))
    assert le.flatten(s) == []


# ---- text ----------------------------------------------------------------------------------

def test_text_box_follows_the_anchor() -> None:
    start = le.text_box(text(10, 50, "Hello"))
    assert start is not None and start.x == pytest.approx(10) and start.width > 10
    middle = TextNode(Box(0, 30, 100, 30), (TextLine("Hello", 50, 50),), "Inter", 400, 10,
                      anchor="middle")
    box = le.text_box(middle)
    assert box is not None and box.x + box.width / 2 == pytest.approx(50)
    assert box.y < 50 < box.bottom


def test_overflow_is_an_ellipsis_or_a_line_past_the_box() -> None:
    fits = text(10, 20, "Short", box=Box(10, 5, 80, 20))
    assert not le.text_overflows(fits)
    assert le.text_overflows(text(10, 20, "Cut sho…", box=Box(10, 5, 80, 20)))
    too_wide = text(10, 20, "A line far wider than its box", box=Box(10, 5, 20, 20))
    assert le.text_overflows(too_wide)
    m = measured(scene(too_wide))
    assert m.overflow == 1 and m.failed and "does not fit" in m.problems[0]


# ---- subject ---------------------------------------------------------------------------------

def test_text_fully_over_the_subject_is_occlusion_one() -> None:
    s = scene(photo(Box(0, 0, W, H)), text(20, 50, "Over"))
    m = measured(s, le.Subject((0.0, 0.0, 1.0, 1.0)))
    assert m.occlusion == pytest.approx(1.0) and m.occlusion_max == pytest.approx(1.0)
    assert m.failed and "covers the product" in m.problems[0]
    # No subject perceived: nothing to cover.
    assert measured(s, None).occlusion == 0 and not measured(s, None).failed


def test_occlusion_reads_the_matte_through_crop_box_and_mirror() -> None:
    mask = np.zeros((200, 200), np.float32)
    mask[:, :100] = 1.0                        # the subject is the material's left half
    subject = le.Subject((0.0, 0.0, 0.5, 1.0), mask)
    left, right = text(5, 50, "Hi"), text(60, 50, "Hi")
    image = photo(Box(0, 0, W, H))
    assert measured(scene(image, left), subject).occlusion == pytest.approx(1.0)
    assert measured(scene(image, right), subject).occlusion == pytest.approx(0.0)
    # Mirrored, the subject is on the right.
    flipped = photo(Box(0, 0, W, H), flip=True)
    assert measured(scene(flipped, left), subject).occlusion == pytest.approx(0.0)
    assert measured(scene(flipped, right), subject).occlusion == pytest.approx(1.0)
    # Cropped to the material's right half, the subject is not shown at all.
    cropped = photo(Box(0, 0, W, H), crop=Box(100, 0, 100, 200))
    assert measured(scene(cropped, left), subject).occlusion == pytest.approx(0.0)


def test_off_canvas_elements_and_cut_subjects() -> None:
    m = measured(scene(text(-30, 50, "Gone")))
    assert m.off_canvas == 1 and m.failed and "canvas edge" in m.problems[0]
    # A shape may bleed off the canvas: a design device.
    assert measured(scene(rect(60, 60, 80, 80))).off_canvas == 0
    # An image whose subject runs past the right edge.
    half_out = photo(Box(50, 0, 100, 100))
    m = measured(scene(half_out), le.Subject((0.25, 0.25, 0.5, 0.5)))
    assert m.off_canvas == 1 and m.subject_cut == pytest.approx(0.5)
    inside = measured(scene(photo(Box(0, 0, 100, 100))), le.Subject((0.25, 0.25, 0.5, 0.5)))
    assert inside.off_canvas == 0 and inside.subject_cut == 0


# ---- pixels ----------------------------------------------------------------------------------

def test_unreadability_is_the_gradient_under_the_text() -> None:
    flat = np.full((H, W, 4), 255, np.uint8)
    busy = flat.copy()
    busy[(np.arange(H) // 2) % 2 == 0, :, :3] = 0   # stripes two pixels high everywhere
    elements = le.flatten(scene(text(10, 50, "Read me")))
    assert lm.unreadability(elements, flat, 1.0) == 0
    assert lm.unreadability(elements, busy, 1.0) > 0.5
    stripes_elsewhere = flat.copy()
    stripes_elsewhere[80:, :, :3] = 0
    assert lm.unreadability(elements, stripes_elsewhere, 1.0) == 0
    assert lm.unreadability([], busy, 1.0) is None
    # Normalised by the image's own strongest edge.
    assert lm.gradient_magnitude(busy).max() == pytest.approx(1.0)


def test_without_text_keeps_everything_else() -> None:
    s = scene(rect(0, 0, 10, 10), Node("g", (), (text(10, 50), rect(5, 5, 5, 5))), text(1, 2))
    stripped = lm.without_text(s)
    assert [type(c).__name__ for c in stripped.children] == ["Node", "Node"]
    assert len(stripped.children[1].children) == 1  # type: ignore[union-attr]


# ---- ddm check ---------------------------------------------------------------------------------

CLEAN = """template clean "Copy left, product right"
formats feed 400x400, banner 600x300

object hero = image from product.images where subject.found
rect bg { box: 0 0 100% 100%; fill: #f4f1ea }
text headline = product.title { box: 6% 20% 40% 40%; size: fit(10, 40); fill: #222222 }
image hero | cutout | place in slot(right 50%) fit subject avoid headline
"""

OVER = """template over "Copy across the product"
formats feed 400x400, banner 600x300

object hero = image from product.images where subject.found
rect bg { box: 0 0 100% 100%; fill: #f4f1ea }
image hero | place in slot(0 0 100% 100%) fit contain
text headline = product.title { box: 30% 40% 40% 20%; size: fit(10, 40); align: center; valign: middle; fill: #222222 }
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """Two products sharing one photo: a big red disc on a white studio backdrop."""
    img = Image.new("RGB", (300, 300), "white")
    ImageDraw.Draw(img).ellipse((60, 60, 240, 240), fill=(210, 40, 40))
    img.save(tmp_path / "disc.png")
    products = [{"id": "disc-1", "title": "Red Disc", "images": ["disc.png"]},
                {"id": "disc-2", "title": "Another Red Disc", "images": ["disc.png"]}]
    (tmp_path / "catalogue.json").write_text(json.dumps(products))
    (tmp_path / "one.json").write_text(json.dumps(products[0]))
    (tmp_path / "clean.ddm").write_text(CLEAN)
    (tmp_path / "over.ddm").write_text(OVER)
    return tmp_path


@pytest.mark.model
def test_check_all_formats_reports_metrics(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(shop / "clean.ddm"), "--product", str(shop / "catalogue.json"),
                 "--all-formats"])
    out = capsys.readouterr().out
    assert code == 0, out
    for product in ("disc-1", "disc-2"):
        for fmt in ("feed 400x400", "banner 600x300"):
            assert f"{product} · {fmt}: ove " in out
    assert "ali " in out and "occ " in out and "rea " in out and "4 creatives, 0 failed" in out
    # One product file, first format only.
    assert main(["check", str(shop / "clean.ddm"), "--product", str(shop / "one.json")]) == 0
    out = capsys.readouterr().out
    assert "disc-1 · feed" in out and "banner" not in out.split("ok (")[1].split("\n", 1)[1]


def test_check_fails_text_over_the_product(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(shop / "over.ddm"), "--product", str(shop / "catalogue.json"),
                 "--all-formats"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in out and "covers the product" in out and "4 creatives, 4 failed" in out
    # A looser limit lets it pass.
    assert main(["check", str(shop / "over.ddm"), "--product", str(shop / "one.json"),
                 "--max-occlusion", "1"]) == 0


def test_all_formats_needs_a_product(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(shop / "clean.ddm"), "--all-formats"]) == 2
    assert "--product" in capsys.readouterr().err


def test_check_prints_what_the_contrast_guarantee_changed(
        shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pale = ('template pale "Pale copy on a pale backdrop"\nformats feed 400x400\n'
            "rect bg { box: 0 0 100% 100%; fill: #f4f1ea }\n"
            "text headline = product.title { box: 10% 10% 80% 20%; size: 16; fill: #eeeeee }\n")
    (shop / "pale.ddm").write_text(pale)
    assert main(["check", str(shop / "pale.ddm"), "--product", str(shop / "one.json")]) == 0
    out = capsys.readouterr().out
    assert "note:" in out and "headline" in out


def test_one_line_set_solid_is_not_an_overflow() -> None:
    """A line fitted with `line-height: 1` that fills its box's height exactly fits."""
    from ddm_lang.layout.elements import text_overflows
    from ddm_lang.scene import Box, TextLine, TextNode
    node = TextNode(Box(0, 0, 400, 60), (TextLine("$12", 0, 48),), "Inter", 800, 60.0,
                    line_height=1.0)
    assert not text_overflows(node)
    assert text_overflows(TextNode(Box(0, 0, 400, 60), (TextLine("$12", 0, 48),), "Inter", 800,
                                   60.0, line_height=1.2))
