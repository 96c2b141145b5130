"""The product separation guarantee: a product that vanishes into its field is measured as
failing and, at bind time, gets a field it stands out from; one that stands out is left
exactly as it was; text over a moved field stays readable."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ddm_lang import template_from_string
from ddm_lang.bind import binder
from ddm_lang.layout.contrast import BODY_RATIO
from ddm_lang.layout.separation import (
    SEPARATION_THRESHOLD,
    SeparationResult,
    delta_e2000,
    measure_separation,
)
from ddm_lang.quality import run_checks
from ddm_lang.scene import Node, Scene, TextNode
from ddm_lang.semantics.functions import to_oklch
from ddm_lang.values import Color

FIELD_TEMPLATE = """template field "A cut-out product on a field, copy under it"
formats feed 400x400

object hero = image from product.images where subject.found

rect background {{ box: 0 0 100% 100%; fill: {field} }}
text headline = product.title {{
  box: 8% 80% 84% 12%; font: "Inter" 700; size: 22; max-lines: 1; align: center; fill: {ink}
}}
image hero | cutout | place in slot(20% 6% 60% 70%) fit subject
"""


def photo(folder: Path, name: str, colour: tuple[int, int, int]) -> Path:
    """A studio photo: a disc of `colour` on a white backdrop (what cutout is made for)."""
    img = Image.new("RGB", (300, 300), "white")
    ImageDraw.Draw(img).ellipse((60, 60, 240, 240), fill=colour)
    img.save(folder / name)
    return folder / name


def product(name: str) -> dict:
    return {"id": name, "title": "Night Disc", "images": [name]}


def compile_field(folder: Path, name: str, field: str, ink: str, *, repair: bool = True,
                  monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[Scene, str]:
    template = template_from_string(FIELD_TEMPLATE.format(field=field, ink=ink))
    if not repair:
        assert monkeypatch is not None
        monkeypatch.setattr(binder, "ensure_separation", lambda scene, _subjects: scene)
    creative = template.compile(product(name), "feed", base_dir=folder)
    if not repair:
        monkeypatch.undo()
    return creative.scene, creative.svg


def fill_of(scene: Scene, name: str) -> str:
    node = next(c for c in _walk(scene.children) if getattr(c, "name", None) == name)
    return dict(node.attrs)["fill"]


def _walk(items: tuple) -> list:
    out = []
    for item in items:
        out.append(item)
        if isinstance(item, Node):
            out += _walk(item.children)
    return out


# ---- the figure --------------------------------------------------------------------------------

def test_delta_e2000_matches_sharmas_test_pairs() -> None:
    """Pairs 1, 7, 13, 25 and 34 of Sharma, Wu and Dalal's CIEDE2000 test data."""
    lab1 = np.array([(50, 2.6772, -79.7751), (50, 0, 0), (50, 2.49, -0.001),
                     (60.2574, -34.0099, 36.2677), (22.7233, 20.0904, -46.6940)])
    lab2 = np.array([(50, 0, -82.7485), (50, -1, 2), (50, -2.49, 0.0011),
                     (60.4626, -34.1751, 39.4387), (23.0331, 14.9730, -42.5619)])
    expected = [2.0425, 2.3669, 7.2195, 1.2644, 2.0373]
    assert delta_e2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


@pytest.mark.model
def test_a_dark_product_on_a_dark_field_fails_and_bind_moves_the_field(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo(tmp_path, "night.png", (28, 28, 30))
    before, _ = compile_field(tmp_path, "night.png", "#141414", "#ffffff", repair=False,
                              monkeypatch=monkeypatch)
    [result] = measure_separation(before)
    assert isinstance(result, SeparationResult)
    assert result.element == "image `hero`" and result.name == "hero"
    assert not result.passed and result.value < SEPARATION_THRESHOLD
    assert result.threshold == SEPARATION_THRESHOLD
    assert "does not stand out" in result.describe()

    after, _ = compile_field(tmp_path, "night.png", "#141414", "#ffffff")
    field = fill_of(after, "background")
    assert field != "#141414"
    # Moved in lightness, away from the dark product: lighter, and still a neutral grey.
    assert to_oklch(Color.parse(field))[0] > to_oklch(Color.parse("#141414"))[0]
    assert to_oklch(Color.parse(field))[1] < 0.01
    [fixed] = measure_separation(after)
    assert fixed.passed and fixed.value >= SEPARATION_THRESHOLD
    note = next(n for n in after.notes if n.startswith("separation: image `hero`"))
    assert f"#141414 → {field}" in note and "ΔE" in note
    # The product itself is untouched: same material, box, crop and matte.
    image = next(c for c in after.children if getattr(c, "name", None) == "hero")
    image_before = next(c for c in before.children if getattr(c, "name", None) == "hero")
    assert image == image_before


@pytest.mark.model
def test_a_red_product_on_a_red_field_keeps_the_fields_hue(tmp_path: Path) -> None:
    photo(tmp_path, "red.png", (200, 36, 36))
    scene, _ = compile_field(tmp_path, "red.png", "#b82a2a", "#ffffff")
    field = Color.parse(fill_of(scene, "background"))
    assert field.hex() != "#b82a2a"
    hue_before = to_oklch(Color.parse("#b82a2a"))[2]
    assert abs((to_oklch(field)[2] - hue_before + 180) % 360 - 180) < 3.0
    assert all(r.passed for r in measure_separation(scene))


def test_a_product_that_stands_out_is_left_exactly_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo(tmp_path, "red.png", (210, 40, 40))
    _, without = compile_field(tmp_path, "red.png", "#f4f1ea", "#222222", repair=False,
                               monkeypatch=monkeypatch)
    scene, svg = compile_field(tmp_path, "red.png", "#f4f1ea", "#222222")
    assert svg == without
    assert not any(n.startswith("separation") for n in scene.notes)
    [result] = measure_separation(scene)
    assert result.passed and result.value > 2 * SEPARATION_THRESHOLD
    assert "stands out" in result.describe()


def test_text_over_the_moved_field_still_meets_its_contrast(tmp_path: Path) -> None:
    """A grey that reads on the dark field (5:1) would not on the lighter field the
    product needs: the contrast pass, run after, sees the new field and fixes the text."""
    photo(tmp_path, "night.png", (28, 28, 30))
    assert Color.parse("#8a8a8a").contrast(Color.parse("#141414")) > BODY_RATIO
    scene, svg = compile_field(tmp_path, "night.png", "#141414", "#8a8a8a")
    field = Color.parse(fill_of(scene, "background"))
    assert field.hex() != "#141414"
    text = next(c for c in scene.children if isinstance(c, TextNode))
    ink = Color.parse(dict(text.attrs)["fill"])
    assert ink.contrast(field) >= 3.0   # 22 px bold is large text: AA is 3:1
    assert any(n.startswith("contrast: text `headline`") for n in scene.notes) or \
        Color.parse("#8a8a8a").contrast(field) >= 3.0
    assert re.search(rf'fill="{field.hex()}"', svg)


GRADIENT_TEMPLATE = """template t "A cut-out product on a gradient field"
formats feed 400x400

object hero = image from product.images where subject.found

defs {{ linearGradient wash {{ x2: 0; y2: 1;
  stop {{ offset: 0; stop-color: {top} }}
  stop {{ offset: 1; stop-color: {bottom} }} }} }}
rect background {{ box: 0 0 100% 100%; fill: "url(#wash)" }}
image hero | cutout | place in slot(20% 6% 60% 70%) fit subject
"""


def stops(scene: Scene) -> list[str]:
    gradient = next(c for c in _walk(scene.children) if getattr(c, "tag", "") == "linearGradient")
    return [dict(stop.attrs)["stop-color"] for stop in gradient.children]


@pytest.mark.model
def test_a_white_product_on_a_pale_gradient_gets_a_darker_gradient_that_passes_the_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """product_hero's case: a white bottle on a pale grey wash (ΔE ~2). Every stop moves
    by the same OKLCH lightness step, away from the product (darker), hue kept; the shape
    still paints the gradient, and the repaired creative passes `ddm check`."""
    photo(tmp_path, "white.png", (246, 246, 244))
    template = template_from_string(GRADIENT_TEMPLATE.format(top="#e4e4e2", bottom="#f2f2f0"))
    monkeypatch.setattr(binder, "ensure_separation", lambda scene, _subjects: scene)
    before = template.compile(product("white.png"), "feed", base_dir=tmp_path)
    monkeypatch.undo()
    assert not measure_separation(before)[0].passed

    creative = template.compile(product("white.png"), "feed", base_dir=tmp_path)
    scene = creative.scene
    assert fill_of(scene, "background") == "url(#wash)"
    moved = [Color.parse(c) for c in stops(scene)]
    steps = [to_oklch(m)[0] - to_oklch(Color.parse(o))[0]
             for m, o in zip(moved, ("#e4e4e2", "#f2f2f0"), strict=True)]
    assert all(step < -0.05 for step in steps) and abs(steps[0] - steps[1]) < 0.01
    [fixed] = measure_separation(creative)
    assert fixed.passed and fixed.applies and fixed.value >= SEPARATION_THRESHOLD
    note = next(n for n in scene.notes if n.startswith("separation: image `hero`"))
    assert "gradient `wash` stop 0 #e4e4e2 →" in note
    assert f"→ {fixed.value:.1f} between" in note   # the note's figure is the check's
    assert run_checks(creative, checks=["separation"]) == []
    # The gradient changed in this creative's scene only: the template still draws its own.
    monkeypatch.setattr(binder, "ensure_separation", lambda scene, _subjects: scene)
    again = template.compile(product("white.png"), "feed", base_dir=tmp_path).scene
    assert stops(again) == ["#e4e4e2", "#f2f2f0"]


def test_a_dark_product_on_a_dark_gradient_gets_a_lighter_one_of_the_same_hue(
        tmp_path: Path) -> None:
    photo(tmp_path, "night.png", (28, 28, 30))
    scene = template_from_string(GRADIENT_TEMPLATE.format(top="#101018", bottom="#181828")) \
        .compile(product("night.png"), "feed", base_dir=tmp_path).scene
    moved = [Color.parse(c) for c in stops(scene)]
    for colour, origin in zip(moved, ("#101018", "#181828"), strict=True):
        assert to_oklch(colour)[0] > to_oklch(Color.parse(origin))[0]
    hue = to_oklch(Color.parse("#181828"))[2]
    assert abs((to_oklch(moved[1])[2] - hue + 180) % 360 - 180) < 5.0
    assert measure_separation(scene)[0].passed


@pytest.mark.model
def test_an_opaque_photos_own_backdrop_is_not_applicable(tmp_path: Path) -> None:
    """A white disc on its own white studio backdrop, placed uncut: the figure compares
    the product with the photo's own pixels, which no field can change. It is reported as
    not applicable (and passes), `ddm check` has no finding, and bind leaves it alone."""
    photo(tmp_path, "tee.png", (236, 236, 236))
    template = template_from_string('template t "An uncut packshot"\nformats feed 400x400\n'
                             "object hero = image from product.images where subject.found\n"
                             "rect bg { box: 0 0 100% 100%; fill: #ffffff }\n"
                             "image hero | place in slot(10% 10% 80% 80%) fit contain\n")
    creative = template.compile(product("tee.png"), "feed", base_dir=tmp_path)
    [result] = measure_separation(creative)
    assert result.value < SEPARATION_THRESHOLD
    assert not result.applies and result.passed
    assert "own photo's backdrop" in result.describe() and "not applicable" in result.describe()
    assert run_checks(creative, checks=["separation"]) == []
    assert not any(n.startswith("separation") for n in creative.scene.notes)
    assert fill_of(creative.scene, "bg") == "#ffffff"


def test_bind_measures_only_what_the_compile_perceived(tmp_path: Path) -> None:
    """An image whose perception the template never asked for is not perceived just for
    this check (it would cost more than the compile): no note, nothing changed."""
    photo(tmp_path, "night.png", (28, 28, 30))
    template = template_from_string('template t "Plain"\nformats feed 200x200\n'
                             "object hero = image from product.images\n"
                             "rect bg { box: 0 0 100% 100%; fill: #141414 }\n"
                             "image hero | place fit contain\n")
    scene = template.compile(product("night.png"), "feed", base_dir=tmp_path).scene
    assert not any(n.startswith("separation") for n in scene.notes)
    assert fill_of(scene, "bg") == "#141414"
    assert measure_separation(scene, subjects=None) == []


def test_a_dark_product_half_on_black_fails_though_half_its_outline_stands_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Half the field pale, half near-black: the median colour around the product is
    ambiguous, but half its outline is invisible, and the figure says so."""
    photo(tmp_path, "night.png", (28, 28, 30))
    template = template_from_string(
        'template t "Half and half"\nformats feed 400x400\n'
        "object hero = image from product.images where subject.found\n"
        "rect background { box: 0 0 100% 100%; fill: #d8d8d8 }\n"
        "rect dark { box: 0 0 50% 100%; fill: #141414 }\n"
        "image hero | cutout | place in slot(20% 15% 60% 70%) fit subject\n")
    monkeypatch.setattr(binder, "ensure_separation", lambda scene, _subjects: scene)
    before = template.compile(product("night.png"), "feed", base_dir=tmp_path).scene
    monkeypatch.undo()
    [result] = measure_separation(before)
    assert not result.passed
    after = template.compile(product("night.png"), "feed", base_dir=tmp_path).scene
    assert fill_of(after, "dark") != "#141414"
    assert measure_separation(after)[0].passed


@pytest.mark.model
def test_a_repair_never_loses_a_logo_that_stood_out(tmp_path: Path) -> None:
    """The nearest lightness that lets the product stand out would put the field right
    on the mid-grey logo drawn on it: the repair takes one that keeps both."""
    photo(tmp_path, "night.png", (30, 30, 32))
    photo(tmp_path, "mark.png", (96, 96, 96))
    template = template_from_string(
        'template t "A product and a logo on one field"\nformats feed 400x400\n'
        "object hero = image from product.images where subject.found and index == 0\n"
        "object mark = image from product.images where subject.found and index == 1\n"
        "rect background { box: 0 0 100% 100%; fill: #141414 }\n"
        "image mark | cutout | place in slot(4% 4% 20% 20%) fit subject\n"
        "image hero | cutout | place in slot(30% 20% 60% 70%) fit subject\n")
    item = {"id": "p", "title": "Night Disc", "images": ["night.png", "mark.png"]}
    scene = template.compile(item, "feed", base_dir=tmp_path).scene
    assert fill_of(scene, "background") != "#141414"
    results = measure_separation(scene)
    assert len(results) == 2 and all(r.passed for r in results), [r.describe() for r in results]


@pytest.mark.model
def test_a_brand_logo_is_not_held_to_the_products_guarantee(tmp_path: Path) -> None:
    """A dark logo on a dark field is the brand's own mark on the brand's choice of field:
    the field is not moved for it and the check does not count it as a product; the
    product beside it still is measured."""
    photo(tmp_path, "mark.png", (26, 26, 28))
    photo(tmp_path, "red.png", (200, 36, 36))
    template = template_from_string(
        'template t "A product and its brand\'s logo on one field"\nformats feed 400x400\n'
        "object hero = image from product.images where subject.found\n"
        "object logo = image from brand.logos\n"
        "rect background { box: 0 0 100% 100%; fill: #141414 }\n"
        "image logo | cutout | place in slot(4% 4% 20% 20%) fit subject\n"
        "image hero | cutout | place in slot(30% 20% 60% 70%) fit subject\n")
    item = {"id": "p", "title": "Red Disc", "images": ["red.png"],
            "brand": {"name": "Mark", "logos": ["mark.png"]}}
    creative = template.compile(item, "feed", base_dir=tmp_path)
    scene = creative.scene
    assert fill_of(scene, "background") == "#141414"
    images = {n.name: n for n in _walk(scene.children) if getattr(n, "material", None)}
    assert images["logo"].logo and not images["hero"].logo
    assert [r.name for r in measure_separation(scene)] == ["hero"]
    assert not [f for f in run_checks(creative, product=item) if f.check == "separation"]
