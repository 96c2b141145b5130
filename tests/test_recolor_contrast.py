"""Colour harmony and readability functions, the `recolor` duotone, and the text contrast
guarantee measured on rendered creatives."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ddm_lang import template_from_string
from ddm_lang.bind import binder
from ddm_lang.emit import emit
from ddm_lang.layout import contrast
from ddm_lang.ops import recolor
from ddm_lang.ops.context import OpContext
from ddm_lang.perception.materials import load_material
from ddm_lang.renderer import render
from ddm_lang.renderer.fonts import FontRegistry
from ddm_lang.scene import Box, ImageNode, Scene, TextNode
from ddm_lang.semantics.functions import EvalError, readable, scheme, to_oklch
from ddm_lang.values import Color


def hue_gap(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


# ---- functions ---------------------------------------------------------------------------

def test_scheme_turns_the_hue_in_oklch_at_the_same_lightness() -> None:
    base = Color.parse("#2e6e54")
    lightness, _, hue = to_oklch(base)
    turns = {"complementary": [180], "analogous": [-30, 30], "triadic": [120, 240],
             "split": [150, 210], "square": [90, 180, 270]}
    for kind, expected in turns.items():
        colours = scheme(base, kind)
        assert colours[0] == base and len(colours) == len(expected) + 1, kind
        for colour, turn in zip(colours[1:], expected, strict=True):
            l2, _, h2 = to_oklch(colour)
            assert hue_gap(h2, hue + turn) < 1.0, (kind, turn)
            assert abs(l2 - lightness) < 0.01, (kind, turn)
    # Pure red's complement is a cyan-teal, its triad a green and a blue.
    _, teal = scheme(Color.parse("#ff0000"), "complementary")
    assert teal.g > teal.r and teal.b > teal.r
    _, green, blue = scheme(Color.parse("#ff0000"), "triadic")
    assert green.g > max(green.r, green.b) and blue.b > max(blue.r, blue.g)
    # Monochrome keeps the hue and moves far in lightness (dark colour: lighter).
    dark = Color.parse("#1f3b73")
    _, far, mid = scheme(dark, "monochrome")
    assert hue_gap(to_oklch(far)[2], to_oklch(dark)[2]) < 2 and to_oklch(far)[0] > 0.9
    assert to_oklch(dark)[0] < to_oklch(mid)[0] < to_oklch(far)[0]
    with pytest.raises(EvalError, match="kind"):
        scheme(base, "rainbow")


@pytest.mark.parametrize("fg,bg", [("#ffffff", "#f0e0c0"), ("#e11d48", "#ffe4e6"),
                                   ("#2060ff", "#101010"), ("#1f3b73", "#2a3a5a"),
                                   ("#777777", "#777777"), ("#ffcc00", "#ffffff")])
def test_readable_meets_the_ratio_and_keeps_the_hue(fg: str, bg: str) -> None:
    colour, ground = Color.parse(fg), Color.parse(bg)
    for level, ratio in ((4.5, 4.5), ("aaa", 7.0), ("large", 3.0)):
        out = readable(colour, ground, level)
        best = max(ground.contrast(Color.parse("#000000")), ground.contrast(Color.parse("#ffffff")))
        if best < ratio:  # out of reach (mid grey at 7:1): the better of black and white
            assert out.hex() in ("#000000", "#ffffff") and out.contrast(ground) == best
            continue
        assert Color.parse(out.hex()).contrast(ground) >= ratio, (fg, bg, level)
        _, c0, h0 = to_oklch(colour)
        _, c1, h1 = to_oklch(out)
        if c0 > 0.03 and c1 > 0.03:
            assert hue_gap(h0, h1) < 3.0, (fg, bg, level, out.hex())
    # Already readable: unchanged.
    assert readable(Color.parse("#111111"), Color.parse("#ffffff")) == Color.parse("#111111")
    # The nearest lightness: white on cream turns a grey, not black.
    assert readable(Color.parse("#ffffff"), Color.parse("#f0e0c0")).hex() != "#000000"


def test_readable_in_a_template() -> None:
    template = template_from_string('template t "T"\nformats feed 200x200\n'
                             'let ink = readable(#ffffff, #f4f1ea, aa)\n'
                             'rect { box: 0 0 100% 100%; fill: scheme(ink, triadic)[1] }\n')
    svg = template.compile({"id": "p"}, "feed").svg
    assert re.search(r'fill="#[0-9a-f]{6}"', svg)


# ---- recolor -----------------------------------------------------------------------------

@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A light studio photo with a red product and a dark stripe."""
    img = Image.new("RGB", (300, 200), (235, 232, 225))
    draw = ImageDraw.Draw(img)
    draw.rectangle((100, 50, 200, 150), fill=(210, 40, 40))
    draw.rectangle((0, 170, 300, 200), fill=(20, 20, 20))
    img.save(tmp_path / "photo.png")
    return tmp_path


RECORD = {"palette.dominant": "#d22828", "palette.accent": "#1f6fd0",
          "background.color": "#ebe8e1"}


def test_recolor_resolves_the_scheme_from_the_record(photo: Path) -> None:
    material = load_material(photo / "photo.png", (photo,))
    node = ImageNode(material, Box(0, 0, 300, 200), Box(0, 0, 300, 200))
    ctx = OpContext(RECORD, b"", Box(0, 0, 300, 200), Path("/nonexistent/generated"))
    toned = recolor.resolve(node, context=ctx, **{"with": "accent"})
    assert toned.recolor is not None and len(toned.recolor.split()) == 20
    assert recolor.resolve(node, context=ctx).recolor == recolor.resolve(
        node, context=ctx, **{"with": "dominant"}).recolor
    assert recolor.resolve(node, context=ctx, **{"with": "#1f6fd0"}).recolor == toned.recolor
    assert recolor.resolve(node, context=ctx, amount=0).recolor.split()[:5] == \
        ["1", "0", "0", "0", "0"]
    with pytest.raises(ValueError, match="with"):
        recolor.resolve(node, context=ctx, **{"with": "sparkly"})
    with pytest.raises(ValueError, match="amount"):
        recolor.resolve(node, context=ctx, amount=2)

    svg = emit(Scene(300, 200, (toned,)))
    assert "feColorMatrix" in svg and 'color-interpolation-filters="sRGB"' in svg
    before = render(emit(Scene(300, 200, (node,))), 300, 200)[..., :3].astype(int)
    after = render(svg, 300, 200)[..., :3].astype(int)
    # The red product and the light backdrop are now blues: blue leads every channel.
    for y, x in ((100, 150), (20, 20)):
        assert before[y, x, 2] < before[y, x, 0] or before[y, x, 0] > 200
        r, g, b = after[y, x]
        assert b > r + 10 and b >= g, (y, x, after[y, x])
    # Light stays light and dark stays dark (a duotone keeps the photo's tones).
    assert after[20, 20].mean() > after[100, 150].mean() > after[185, 150].mean()


def test_recolor_renders_the_same_in_resvg(photo: Path) -> None:
    from _resvg import difference, resvg_pixels
    material = load_material(photo / "photo.png", (photo,))
    node = ImageNode(material, Box(20, 10, 240, 160), Box(50, 0, 250, 200))
    toned = recolor.resolve(node, context=OpContext(RECORD, b"", Box(0, 0, 300, 200), Path("/nonexistent/generated")),
                            amount=0.7, **{"with": "complement"})
    svg = emit(Scene(300, 200, (toned,)))
    mean, over = difference(render(svg, 300, 200), resvg_pixels(svg, width=300, height=200))
    assert mean <= 0.01 and over <= 0.002, (mean, over)


@pytest.mark.model
def test_recolor_compiles_from_perception(photo: Path) -> None:
    template = template_from_string('template t "T"\nformats feed 300x200\n'
                             'object hero = image from product.images\n'
                             'image hero | recolor(amount: 0.9) with accent\n')
    creative = template.compile({"id": "p", "images": ["photo.png"]}, "feed", base_dir=photo)
    assert "feColorMatrix" in creative.svg
    pixels = render(creative.svg, 300, 200, allowed_roots=(photo,))
    assert pixels.shape == (200, 300, 4)


# ---- the contrast guarantee --------------------------------------------------------------

@pytest.fixture
def light_photo(tmp_path: Path) -> Path:
    """A light, slightly textured photo (white copy on it is unreadable)."""
    rng = np.random.default_rng(7)
    base = np.array([236, 226, 205], np.float32)
    noise = rng.normal(0, 8, (300, 400, 3))
    Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8)).save(tmp_path / "light.jpg",
                                                                        quality=90)
    return tmp_path


def measured(svg: str, node: TextNode, fill: str, w: int, h: int, root: Path) -> float:
    """10th-percentile contrast of `fill` against the creative's own pixels under the
    text's lines, text removed (rendered at full size, independent of the pass)."""
    ground = render(re.sub(r"<text\b.*?</text>", "", svg), w, h,
                    allowed_roots=(root,))[..., :3].astype(np.float32)
    fonts = FontRegistry.default()
    ascent, descent, _ = fonts.metrics(node.family, node.weight, node.italic, node.size)
    ratios = []
    y_fill = Color.parse(fill).luminance()
    for line in node.lines:
        width = fonts.measure(line.text, node.family, node.weight, node.italic, node.size)
        x0 = line.x - {"middle": width / 2, "end": width}.get(node.anchor, 0)
        box = ground[int(line.y - ascent):int(line.y + descent) + 1, int(x0):int(x0 + width) + 1]
        y = contrast._luminance(box.reshape(-1, 3))
        ratios.append((np.maximum(y, y_fill) + 0.05) / (np.minimum(y, y_fill) + 0.05))
    return float(np.percentile(np.concatenate(ratios), 10))


def texts(scene: Scene) -> dict[str, TextNode]:
    return {n.name: n for n in scene.children if isinstance(n, TextNode) and n.name}


def test_white_text_on_a_light_photo_gets_a_readable_fill(light_photo: Path) -> None:
    template = template_from_string(
        'template t "T"\nformats feed 800x600\n'
        'image photo = "light.jpg" { box: 0 0 100% 100%; fit: cover }\n'
        'text body = "Pressed the day it was picked" { box: 5% 70% 90% 10%; size: 20px; '
        'fill: #ffffff }\n'
        'rect { box: 0 0 50% 20%; fill: #f4f1ea }\n'
        'text label = "Evergreen" { box: 2% 2% 40% 10%; size: 16px; fill: #fff8e0 }\n')
    creative = template.compile({"id": "p"}, "feed", base_dir=light_photo)
    nodes = texts(creative.scene)
    for name in ("body", "label"):
        fill = dict(nodes[name].attrs)["fill"]
        assert fill != "#ffffff" and fill != "#fff8e0"
        assert measured(creative.svg, nodes[name], fill, 800, 600, light_photo) >= 4.5, name
    assert len(creative.scene.notes) == 2
    assert all("contrast: text `" in n and "4.5:1" in n for n in creative.scene.notes)


def test_text_that_passes_is_untouched(light_photo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = template_from_string(
        'template t "T"\nformats feed 800x600\n'
        'image photo = "light.jpg" { box: 0 0 100% 100%; fit: cover }\n'
        'rect { box: 0 60% 100% 40%; fill: #1d2b24 }\n'
        'text a = "Dark on light" { box: 5% 10% 90% 10%; size: 20px; fill: #1d2b24 }\n'
        'text b = "Light on dark" { box: 5% 70% 90% 10%; size: 20px; fill: #f4f1ea }\n'
        'text c = "Default black" { box: 5% 30% 90% 10%; size: 20px }\n')
    checked = template.compile({"id": "p"}, "feed", base_dir=light_photo)
    monkeypatch.setattr(binder, "ensure_contrast", lambda scene, fonts=None: scene)
    unchecked = template.compile({"id": "p"}, "feed", base_dir=light_photo)
    assert checked.svg == unchecked.svg
    assert checked.scene.notes == ()


def test_large_text_needs_three_to_one() -> None:
    # #777777 on white is 4.48:1: enough for large text, not for body text.
    def compile_(size: str, weight: str = "400") -> tuple[str, tuple[str, ...]]:
        template = template_from_string(
            'template t "T"\nformats feed 600x400\n'
            'rect { box: 0 0 100% 100%; fill: #ffffff }\n'
            f'text t = "Sample words" {{ box: 5% 10% 90% 30%; size: {size}; '
            f'font: "Inter" {weight}; fill: #777777 }}\n')
        creative = template.compile({"id": "p"}, "feed")
        return dict(texts(creative.scene)["t"].attrs)["fill"], creative.scene.notes

    assert compile_("24px") == ("#777777", ())
    assert compile_("19px", "700") == ("#777777", ())
    fill, notes = compile_("19px")
    assert fill != "#777777" and Color.parse(fill).contrast(Color.parse("#ffffff")) >= 4.5
    assert "AA 4.5:1 for body text" in notes[0]
    fill, _ = compile_("16px", "700")
    assert fill != "#777777"


def test_a_split_ground_gets_an_underlay() -> None:
    # Half black, half white under one line: no single colour passes both.
    template = template_from_string(
        'template t "T"\nformats feed 600x200\n'
        'rect { box: 0 0 50% 100%; fill: #000000 }\n'
        'rect { box: 50% 0 50% 100%; fill: #ffffff }\n'
        'text t = "Across the divide line" { box: 10% 40% 80% 20%; size: 20px; align: center; '
        'fill: #ffffff }\n')
    creative = template.compile({"id": "p"}, "feed")
    items = creative.scene.children
    plate, text = items[2], items[3]
    assert plate.tag == "rect" and dict(plate.attrs)["fill"] == "#000000"
    assert dict(text.attrs)["fill"] == "#ffffff"
    assert "underlay" in creative.scene.notes[0]
    # Measured on the creative, the plate now counts as ground.
    assert measured(creative.svg, text, "#ffffff", 600, 200, Path(".")) >= 4.5


def test_texts_that_cannot_be_checked_are_reported() -> None:
    template = template_from_string(
        'template t "T"\nformats feed 600x200\n'
        'defs { linearGradient fade { stop { offset: 0; stop-color: #ffffff } } }\n'
        'text g = "Gradient" { box: 5% 10% 90% 30%; size: 20px; fill: "url(#fade)" }\n'
        'text s = "Outlined" { box: 5% 50% 90% 30%; size: 20px; fill: #ffffff; '
        'stroke: #000000 }\n')
    notes = template.compile({"id": "p"}, "feed").scene.notes
    assert len(notes) == 2 and all("not checked" in n for n in notes)


def test_text_in_a_translated_component_is_checked_where_it_lands() -> None:
    template = template_from_string(
        'template t "T"\nformats feed 600x400\n'
        'component tag(label: string) {\n'
        '  text t = label { box: 0 0 100% 100%; size: 18px; fill: #ffffff }\n'
        '}\n'
        'rect { box: 0 0 100% 50%; fill: #101010 }\n'
        'rect { box: 0 50% 100% 50%; fill: #fafafa }\n'
        'tag dark { label: "On dark"; box: 10% 10% 50% 20% }\n'
        'tag light { label: "On light"; box: 10% 60% 50% 20% }\n')
    scene = template.compile({"id": "p"}, "feed").scene
    dark, light = scene.children[2], scene.children[3]
    assert dict(dark.children[0].attrs)["fill"] == "#ffffff"
    assert dict(light.children[0].attrs)["fill"] != "#ffffff"
    assert len(scene.notes) == 1 and "On light" not in scene.notes[0]
