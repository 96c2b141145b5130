"""The compiler's own output renders pixel-faithfully: every stdlib template × sample product
× format, drawn by our renderer and by resvg with the same font files, must agree under the
conformance rule (mean max-RGB difference ≤ 0.02, ≤ 0.5 % of pixels off by more than 0.25)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ddm_lang import load_template
from ddm_lang.demo import sample_catalogue, stdlib_dir
from ddm_lang.renderer import render
from ddm_lang.renderer.fonts import FontRegistry

resvg_py = pytest.importorskip("resvg_py")

PRODUCTS, BASE = sample_catalogue()
CASES = [(path.stem, product["id"], fmt.name)
         for path in sorted(stdlib_dir().glob("*.ddm"))
         for product in PRODUCTS
         for fmt in load_template(path).formats]


def _on_white(rgba: np.ndarray) -> np.ndarray:
    x = rgba.astype(np.float32) / 255
    return x[..., :3] * x[..., 3:4] + (1 - x[..., 3:4])


@pytest.mark.parametrize(("template", "product_id", "fmt"), CASES)
def test_stdlib_creative_matches_resvg(template: str, product_id: str, fmt: str) -> None:
    tpl = load_template(stdlib_dir() / f"{template}.ddm")
    product = next(p for p in PRODUCTS if p["id"] == product_id)
    creative = tpl.compile(product, fmt, base_dir=BASE)
    w, h = creative.format.width, creative.format.height
    ours = render(creative.svg, w, h, allowed_roots=(BASE,))
    fonts = [str(p) for p in FontRegistry.default().font_files()]
    png = resvg_py.svg_to_bytes(svg_string=creative.svg, width=w, height=h,
                                skip_system_fonts=True, font_files=fonts,
                                font_family="Inter", sans_serif_family="Inter")
    theirs = np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGBA"))
    assert theirs.shape == ours.shape
    diff = np.abs(_on_white(ours) - _on_white(theirs)).max(axis=2)
    mean, over = float(diff.mean()), float((diff > 0.25).mean())
    assert mean <= 0.02 and over <= 0.005, f"mean {mean:.4f}, {over:.2%} pixels off by > 0.25"
