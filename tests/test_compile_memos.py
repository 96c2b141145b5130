"""What compiling fast must not change: memoised font answers equal fresh ones (and are
keyed on everything that decides them), and the contrast check's clipped ground has the
very pixels of a whole render under every line of text."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ddm_lang.api import load_template
from ddm_lang.demo import sample_catalogue
from ddm_lang.emit import emit
from ddm_lang.layout import contrast
from ddm_lang.ops import extend
from ddm_lang.renderer.fonts import FontRegistry
from ddm_lang.renderer.raster import render
from ddm_lang.scene import without_text
from ddm_lang.stdlib_templates import stdlib_dir

MIXED = ("Aero Runner 轻盈跑步鞋", "שלום Shalom", "Fresh 😀 fruit", "مرحبا 12", "ffi fl Wave")


def test_memoised_measurements_equal_fresh_ones() -> None:
    fonts = FontRegistry()
    for text in MIXED:
        for weight, size, spacing in ((400, 16.0, 0.0), (800, 41.5, 1.25)):
            memo = fonts.measure(text, "Inter", weight, False, size, spacing)
            assert memo == fonts.measure(text, "Inter", weight, False, size, spacing)
            fonts.forget()
            assert fonts.measure(text, "Inter", weight, False, size, spacing) == memo
            # a different size or spacing is a different answer, not a stale hit
            assert fonts.measure(text, "Inter", weight, False, size + 1, spacing) > memo
            assert fonts.measure(text, "Inter", weight, False, size, spacing + 1) > memo


def test_fallback_choice_depends_on_the_faces_already_used() -> None:
    fonts = FontRegistry()
    primary = fonts.shaping_face("Inter", 400, False, 20.0)
    first = fonts.fallback_face("中", [primary], 400, 20.0)
    assert first is not None and first.has_char("中")
    # with that face used up, the next one that has the character answers (not the memo)
    second = fonts.fallback_face("中", [primary, first], 400, 20.0)
    assert second is None or (second.file != first.file and second.has_char("中"))
    assert fonts.fallback_face("中", [primary], 400, 20.0) is first
    # the instance follows the weight and size asked for, not the first answer's
    heavy = fonts.fallback_face("中", [primary], 900, 20.0)
    assert heavy is not None and heavy.file == first.file
    assert heavy.coords != first.coords or not first.file.variable


def test_script_runs_are_not_shared_between_lists() -> None:
    fonts = FontRegistry()
    runs = fonts.script_runs("Aero 跑步", "Inter")
    runs.append(("junk", None))  # a caller's list is its own
    assert fonts.script_runs("Aero 跑步", "Inter")[-1] != ("junk", None)


def _scene(template: str, format_name: str, product: int):
    products, base = sample_catalogue()
    tpl = load_template(stdlib_dir() / f"{template}.ddm")
    return tpl.compile(products[product], format_name, base_dir=base).scene


@pytest.mark.model
@pytest.mark.parametrize(("template", "product"), [("seasonal_sale", 0), ("spotlight", 3),
                                                    ("lifestyle_overlay", 5),
                                                    ("gradient_wash", 1), ("brand_led", 0),
                                                    ("product_hero", 2)])
def test_clipped_ground_has_the_pixels_of_a_whole_render(template: str, product: int) -> None:
    scene = _scene(template, "feed", product)
    w, h = contrast._ground_size(scene)
    sx, sy = w / scene.width, h / scene.height
    fonts = FontRegistry.default()
    windows = [win for t in contrast._texts(scene.children, (), contrast.skia.Matrix(),
                                            contrast.BLACK, 1.0, "") if not t.problem
               for box in contrast._line_boxes(t.node, fonts)
               if (win := contrast._window(t.matrix, box, sx, sy, (h, w)))]
    assert windows and sum((r1 - r0) * (c1 - c0) for r0, r1, c0, c1 in windows) < w * h / 2
    clipped = contrast._ground(scene, w, h, windows)
    rgba = render(emit(replace(without_text(scene), notes=())), w, h).astype(np.float32)
    a = rgba[..., 3:4] / 255.0
    whole = rgba[..., :3] * a + 255.0 * (1.0 - a)
    for r0, r1, c0, c1 in windows:
        assert np.array_equal(clipped[r0:r1, c0:c1], whole[r0:r1, c0:c1])


def test_ground_leaves_out_images_far_from_every_text() -> None:
    """brand_led's product sits in its card below the copy: the ground need not draw it
    (its pixels are checked equal to a whole render above), but the backdrop stays."""
    scene = _scene("brand_led", "feed", 0)
    w, h = contrast._ground_size(scene)
    sx, sy = w / scene.width, h / scene.height
    top = [(0, round(60 * sy), 0, w)]
    kept = contrast._clear_of(without_text(scene), top, sx, sy).children
    images = [i for i in without_text(scene).children if isinstance(i, contrast.ImageNode)]
    assert images and len(kept) < len(without_text(scene).children)
    assert all(i.box.y * sy < 70 * sy for i in kept if isinstance(i, contrast.ImageNode))
    everything = [(0, h, 0, w)]
    assert contrast._clear_of(without_text(scene), everything, sx, sy).children == \
        without_text(scene).children


@pytest.mark.model
def test_extend_decodes_a_photo_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The grown image's key needs only the photo's decoded shape: compiling again (the
    generated image stored) reads no pixels, and gives the same creative."""
    calls: list[str] = []
    real = extend.decode
    monkeypatch.setattr(extend, "decode", lambda m: calls.append(m.path) or real(m))
    monkeypatch.setattr(extend, "_shapes", {})
    first = _scene("lifestyle_overlay", "feed", 2)
    decoded = len(calls)
    again = _scene("lifestyle_overlay", "feed", 2)
    assert decoded >= 1 and len(calls) == decoded and again == first
