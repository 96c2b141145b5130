"""The compiler's own output renders pixel-faithfully: every stdlib template × every format it
serves (for one sample product, taken in turn across templates as for the goldens), drawn by
our renderer and by resvg with the same font files, must agree under the conformance rule
(mean max-RGB difference ≤ 0.02, ≤ 0.5 % of pixels off by more than 0.25)."""

from __future__ import annotations

import pytest
from _goldens import cases
from _resvg import difference, resvg_pixels

from ddm_lang import load_template
from ddm_lang.demo import sample_catalogue
from ddm_lang.renderer import render
from ddm_lang.stdlib_templates import stdlib_dir

# every stdlib creative, drawn twice; compiling the sample photos perceives them
pytestmark = [pytest.mark.slow, pytest.mark.model]

pytest.importorskip("resvg_py")

PRODUCTS, BASE = sample_catalogue()
CASES = cases()


@pytest.mark.parametrize(("template", "product_id", "fmt"), CASES)
def test_stdlib_creative_matches_resvg(template: str, product_id: str, fmt: str) -> None:
    tpl = load_template(stdlib_dir() / f"{template}.ddm")
    product = next(p for p in PRODUCTS if p["id"] == product_id)
    creative = tpl.compile(product, fmt, base_dir=BASE)
    w, h = creative.format.width, creative.format.height
    ours = render(creative.svg, w, h, allowed_roots=(BASE,))
    theirs = resvg_pixels(creative.svg, registry_fonts=True, width=w, height=h,
                          font_family="Inter", sans_serif_family="Inter")
    mean, over = difference(ours, theirs)
    assert mean <= 0.02 and over <= 0.005, f"mean {mean:.4f}, {over:.2%} pixels off by > 0.25"
