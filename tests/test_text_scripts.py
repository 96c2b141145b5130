"""Text in any script: every character has a face that draws it (no missing-glyph boxes),
the compiler writes each script run with its own family so Latin stays in the chosen face
and CJK is set in Noto Sans CJK at the requested weight, and what the binder measures is
what the renderer draws."""

from __future__ import annotations

import numpy as np
import pytest
from _resvg import difference, resvg_pixels

from ddm_lang.api import load_template
from ddm_lang.renderer import render
from ddm_lang.renderer.fonts import FontRegistry

SAMPLES = {
    "latin": "Fresh olive oil", "digits": "0123456789", "symbols": "★ ✓ € £ ¥ % → ©",
    "cjk": "新鲜水果，今日特价。", "japanese": "ひらがなカタカナ", "korean": "신선한 과일",
    "emoji": "😀🍎🔥", "arabic": "مرحبا بكم", "hebrew": "שלום", "thai": "สวัสดี",
    "devanagari": "नमस्ते",
}


@pytest.mark.parametrize("script", sorted(SAMPLES))
def test_every_character_has_a_face(script: str) -> None:
    fonts = FontRegistry.default()
    for run, family in fonts.script_runs(SAMPLES[script], "Inter", 700):
        face = fonts.shaping_face(family or "Inter", 700)
        missing = [ch for ch in run if not ch.isspace() and not face.has_char(ch)]
        assert not missing, (script, family, missing)


def test_latin_stays_in_the_chosen_face_between_other_scripts() -> None:
    runs = FontRegistry.default().script_runs("轻盈跑步鞋 Aero Runner 😀", "Inter", 800)
    assert runs == [("轻盈跑步鞋", "Noto Sans CJK SC"), (" Aero Runner ", None),
                    ("😀", "Noto Emoji")]


TEMPLATE = """template scripts "Scripts"
formats banner 1200x628
rect { box: 0 0 100% 100%; fill: #ffffff }
text line = product.title { box: 4% 10% 92% 30%; font: "Inter" 800; size: fit(20, 64); max-lines: 2; fill: #111111 }
"""


def _creative(title: str):
    return load_template(TEMPLATE).compile({"id": "p", "title": title, "images": []}, "banner")


def test_mixed_scripts_are_written_as_runs_and_agree_with_resvg() -> None:
    creative = _creative("Aero 轻盈跑步鞋 😀 שלום")
    assert '<tspan font-family="Noto Sans CJK SC">轻盈跑步鞋</tspan>' in creative.svg
    assert '<tspan font-family="Noto Emoji">😀</tspan>' in creative.svg
    mean, over = difference(render(creative.svg), resvg_pixels(creative.svg, registry_fonts=True))
    assert mean < 0.01 and over < 0.005


def _ink_columns(pixels: np.ndarray) -> np.ndarray:
    return np.nonzero((pixels[..., :3] < 128).any(axis=(0, 2)))[0]


@pytest.mark.parametrize("title", ["Fresh olive oil", "新鲜水果今日特价", "Aero 轻盈跑步鞋"])
def test_measured_width_is_the_drawn_width(title: str) -> None:
    creative = _creative(title)
    (node,) = [c for c in creative.scene.children if getattr(c, "lines", None)]
    assert len(node.lines) == 1
    width = FontRegistry.default().measure(title, "Inter", 800, False, node.size)
    ink = _ink_columns(render(creative.svg))
    # The advance includes the side bearings: ink ends within a few px of it.
    assert abs((ink[-1] + 1) - (node.lines[0].x + width)) < 0.12 * node.size


def test_cjk_is_set_at_the_requested_weight() -> None:
    def ink(weight: int) -> float:
        svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100">'
               f'<text x="10" y="70" font-family="Noto Sans CJK SC" font-size="60" '
               f'font-weight="{weight}">新鲜水果</text></svg>')
        return float((render(svg)[..., 3] > 128).mean())
    assert ink(800) > 1.3 * ink(400) > 1.3 * ink(100)
