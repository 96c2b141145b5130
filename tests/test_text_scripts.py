"""Text in any script: every character has a face that draws it (no missing-glyph boxes),
the compiler writes each script run with its own family so Latin stays in the chosen face
and CJK is set in Noto Sans CJK at the requested weight, and what the binder measures is
what the renderer draws."""

from __future__ import annotations

import numpy as np
import pytest
from _resvg import difference, resvg_pixels

from ddm_lang.api import template_from_string
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
    return template_from_string(TEMPLATE).compile({"id": "p", "title": title, "images": []}, "banner")


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


OUTLINED = """template outlined "Outlines"
formats banner 1200x628
rect { box: 0 0 100% 100%; fill: #f6f1e7 }
text a = "Fresh 轻盈跑步鞋 Aero ★ 😀" { box: 4% 8% 92% 30%; font: "Inter" 800; size: fit(20, 64); max-lines: 2; fill: #222222; text-mode: path }
text b = "Centred, spaced" { box: 4% 50% 92% 12%; font: "Inter" 600; size: fit(20, 48); max-lines: 1; align: center; letter-spacing: 6; fill: #1f7a3a; text-mode: path }
text c = "Right aligned שלום" { box: 4% 70% 92% 12%; size: fit(20, 48); max-lines: 1; align: end; fill: #333333; text-mode: path }
"""


def test_text_as_outlines_draws_what_text_draws_without_fonts() -> None:
    product = {"id": "p", "title": "x", "images": []}
    outlined = template_from_string(OUTLINED).compile(product, "banner")
    as_text = template_from_string(OUTLINED.replace("; text-mode: path", "")).compile(product, "banner")
    assert "<text" not in outlined.svg and "font-family" not in outlined.svg
    assert outlined.svg.count("<path") == 3 and 'fill="#1f7a3a"' in outlined.svg
    ours = render(outlined.svg)
    mean, over = difference(ours, render(as_text.svg))
    assert mean < 0.001 and over == 0.0
    mean, over = difference(ours, resvg_pixels(outlined.svg))  # resvg with no fonts at all
    assert mean < 0.002 and over == 0.0


def _banner(text_element: str) -> np.ndarray:
    """A 1200 × 628 white banner with one text element, rendered."""
    source = (TEMPLATE.split("rect")[0] + "rect { box: 0 0 100% 100%; fill: #ffffff }\n"
              + text_element + "\n")
    return render(template_from_string(source).compile({"id": "p", "title": "x", "images": []},
                                                "banner").svg)


def test_letter_spacing_counts_when_text_is_fitted() -> None:
    ink = _ink_columns(_banner('text t = "Spaced out headline" { box: 10% 10% 50% 20%; '
                               'size: fit(10, 80); max-lines: 1; letter-spacing: 24; '
                               'fill: #000000 }'))
    assert ink[0] >= 120 - 2 and ink[-1] < 120 + 600  # inside the 600 px wide box


def test_an_unknown_text_mode_is_a_bind_error() -> None:
    from ddm_lang import DiagnosticError
    body = 'text t = "Hi" { box: 0 0 50% 20%; size: 20; text-mode: pixels }\n'
    with pytest.raises(DiagnosticError) as info:
        template_from_string(TEMPLATE.split("rect")[0] + body).compile(
            {"id": "p", "title": "x", "images": []}, "banner")
    assert info.value.diagnostics[0].code == "bind.text-mode"


def test_right_to_left_text_starts_at_the_right_edge() -> None:
    ink = _ink_columns(_banner('text t = "مرحبا بكم في متجرنا" { box: 10% 10% 60% 20%; '
                               'size: fit(10, 48); max-lines: 1; fill: #000000 }'))
    assert abs(ink[-1] - (120 + 720)) < 6  # flush with the box's right edge (x 120..840)
    assert ink[0] > 120 + 40  # and not with its left one
