"""The Skia renderer: pixels where they belong, safe parsing, agreement with resvg."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from _pixels import px
from PIL import Image

from ddm_lang import template_from_string
from ddm_lang.renderer import RenderError, encode, render

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">{}</svg>'


def test_shapes_fill_stroke_and_opacity() -> None:
    img = render(SVG.format('<rect x="10" y="10" width="30" height="30" fill="#ff0000"/>'
                            '<circle cx="70" cy="70" r="20" fill="blue" opacity="0.5"/>'
                            '<line x1="0" y1="95" x2="100" y2="95" stroke="lime" stroke-width="4"/>'))
    assert px(img, 25, 25) == (255, 0, 0, 255)
    assert px(img, 70, 70)[2] == 255 and 120 <= px(img, 70, 70)[3] <= 135
    assert px(img, 50, 95)[:3] == (0, 255, 0)
    assert px(img, 5, 5)[3] == 0


def test_gradient_clip_and_nested_viewport() -> None:
    img = render(SVG.format(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/>'
        '<stop offset="1" stop-color="#fff"/></linearGradient>'
        '<clipPath id="c"><rect width="50" height="100"/></clipPath></defs>'
        '<rect width="100" height="50" fill="url(#g)"/>'
        '<rect y="50" width="100" height="50" fill="red" clip-path="url(#c)"/>'))
    assert px(img, 1, 25)[0] < 20 and px(img, 98, 25)[0] > 235
    assert 100 < px(img, 50, 25)[0] < 156
    assert px(img, 25, 75) == (255, 0, 0, 255) and px(img, 75, 75)[3] == 0
    nested = render(SVG.format('<svg x="50" y="0" width="50" height="50" viewBox="0 0 10 10">'
                               '<rect width="20" height="20" fill="red"/></svg>'))
    assert px(nested, 75, 25)[0] == 255 and px(nested, 25, 25)[3] == 0 and px(nested, 75, 75)[3] == 0


def test_images_from_data_uris_with_aspect_ratio() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 0, 255)).save(buf, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    img = render(SVG.format(f'<image href="{uri}" x="0" y="0" width="100" height="100"/>'))
    assert px(img, 50, 50)[:3] == (0, 0, 255) and px(img, 50, 10)[3] == 0  # letterboxed


def test_text_is_drawn_inside_its_anchor_box_with_cjk_fallback() -> None:
    img = render(SVG.format('<text x="50" y="60" font-size="30" text-anchor="middle" '
                            'fill="#000">轻A</text>'))
    ys, xs = np.nonzero(img[..., 3] > 128)
    assert len(xs) > 100
    assert xs.min() >= 20 and xs.max() <= 80 and abs((xs.min() + xs.max()) / 2 - 50) < 6
    assert ys.max() <= 62 and ys.min() >= 30


def test_hostile_input_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="entities"):
        render('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>')
    with pytest.raises(RenderError, match="well-formed"):
        render("<svg")
    with pytest.raises(RenderError, match="outside"):
        render(SVG.format('<image href="/etc/passwd" width="10" height="10"/>'))
    with pytest.raises(RenderError, match="network"):
        render(SVG.format('<image href="http://example.com/a.png" width="10" height="10"/>'))


def test_encoders_produce_their_formats() -> None:
    img = render(SVG.format('<rect width="100" height="100" fill="#336699"/>'))
    assert encode(img, "png").startswith(b"\x89PNG")
    jpg = encode(img, "jpg", 80)
    assert jpg.startswith(b"\xff\xd8")
    assert encode(img, "webp", 80)[8:12] == b"WEBP"
    decoded = np.asarray(Image.open(io.BytesIO(jpg)).convert("RGB"))
    assert np.abs(decoded[50, 50].astype(int) - [0x33, 0x66, 0x99]).max() <= 3


def test_compiler_output_matches_resvg(tmp_path: Path) -> None:
    """Our renderer and resvg agree on what the compiler emits (shapes, images, gradients)."""
    resvg_py = pytest.importorskip("resvg_py")
    stdlib = Path(__file__).parents[1] / "ddm_lang" / "stdlib_templates"
    products = json.loads((stdlib / "samples" / "catalogue.json").read_text())
    source = ('template t "T"\nformats feed 400x400\nobject hero = image from product.images\n'
              'defs { linearGradient g { stop { offset: 0; stop-color: #f4f1ea }'
              ' stop { offset: 1; stop-color: #c9d6cf } } }\n'
              'rect bg { box: 0 0 100% 100%; fill: "url(#g)" }\n'
              'circle { box: top-right margin 4% size 20%; fill: #d64545 }\n'
              'image hero | place in slot(10% 10% 60% 80%) fit cover\n')
    svg = template_from_string(source).compile(products[0], "feed",
                                        base_dir=stdlib / "samples").svg
    ours = render(svg, 400, 400, "#ffffff")[..., :3].astype(float)
    theirs = np.asarray(Image.open(io.BytesIO(bytes(resvg_py.svg_to_bytes(svg_string=svg))))
                        .convert("RGBA")).astype(float)
    alpha = theirs[..., 3:4] / 255
    theirs = theirs[..., :3] * alpha + 255 * (1 - alpha)
    diff = np.abs(ours - theirs).max(axis=2) / 255
    assert diff.mean() < 0.01 and (diff > 0.25).mean() < 0.005
