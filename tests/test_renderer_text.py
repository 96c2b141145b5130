"""Text: fonts resolve and measure as they draw, anchors centre whole chunks, whitespace
collapses, tspans position, and characters outside Latin fall back to a font that has them."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import skia

from ddm_lang.renderer import render
from ddm_lang.renderer.fonts import FontRegistry

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">{}</svg>'


def ink(img: np.ndarray, threshold: int = 100) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the drawn pixels."""
    ys, xs = np.nonzero(img[..., 3] > threshold)
    assert len(xs), "nothing was drawn"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def text(body: str, x: int = 100, size: int = 30, **attrs: str) -> np.ndarray:
    extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return render(SVG.format(f'<text x="{x}" y="60" font-size="{size}" {extra}>{body}</text>'))


# ---- the registry --------------------------------------------------------------------------
def test_registry_is_shared_and_caches_typefaces() -> None:
    fonts = FontRegistry.default()
    assert FontRegistry.default() is fonts
    assert fonts.typeface("Inter", 700) is fonts.typeface("inter", 700)
    assert {"inter", "noto sans"} <= set(fonts.families)


def test_family_resolution_is_case_insensitive_with_generic_and_unknown_fallback() -> None:
    fonts = FontRegistry.default()
    assert fonts.resolve_family("NOTO SANS") == "noto sans"
    assert fonts.resolve_family("'Nope', Noto Sans, serif") == "noto sans"
    assert fonts.resolve_family("sans-serif") == "inter"
    assert fonts.resolve_family("system-ui") == "inter"
    assert fonts.resolve_family("Comic Nope") == "inter"
    assert fonts.typeface("Inter").getFamilyName() == "Inter"
    assert fonts.typeface("Noto Sans").getFamilyName() == "Noto Sans"


def test_weight_axis_and_italic_change_the_glyphs() -> None:
    fonts = FontRegistry.default()
    regular = fonts.measure("Headline", "Inter", 400, size=40)
    bold = fonts.measure("Headline", "Inter", 800, size=40)
    assert bold > regular * 1.04  # the wght axis is applied, not a fixed default instance
    assert fonts.typeface("Inter", 400, True).isItalic()
    assert fonts.measure("Hi", "Noto Sans", size=20) * 2 == pytest.approx(
        fonts.measure("Hi", "Noto Sans", size=40), rel=1e-3)  # unhinted: linear in size
    # Inter's optical size follows the font size: display sizes are set tighter
    assert fonts.measure("Headline", "Inter", size=32) < 0.98 * 32 / 14 * fonts.measure(
        "Headline", "Inter", size=14)


def test_measure_and_metrics() -> None:
    fonts = FontRegistry.default()
    assert fonts.measure("", "Inter", size=20) == 0
    width = fonts.measure("Hello", "Inter", size=20)
    assert 40 < width < 60
    # spacing goes between letters: four gaps in five letters
    assert fonts.measure("Hello", "Inter", size=20, letter_spacing=2) == pytest.approx(width + 8)
    ascent, descent, gap = fonts.metrics("Inter", size=20)
    assert 15 < ascent < 22 and 3 < descent < 7 and gap >= 0
    assert isinstance(fonts.font("Inter", 400, False, 12), skia.Font)


def test_fallback_splits_runs_per_character() -> None:
    fonts = FontRegistry.default()
    runs = fonts.runs("Ab漢字c", "Inter")
    assert [r for r, _ in runs] == ["Ab", "漢字", "c"]
    assert runs[0][1] is runs[2][1] and runs[1][1].getFamilyName() != "Inter"
    assert fonts.measure("漢", "Inter", size=20) > 15  # a full-width CJK advance, not tofu's


def test_add_directory_registers_user_fonts(tmp_path: Path) -> None:
    import fontpkg_noto_sans

    source = Path(fontpkg_noto_sans.__file__).parent / "files"
    shutil.copy(next(source.glob("NotoSans[[]*.ttf")), tmp_path / "Custom.ttf")
    fonts = FontRegistry(packages=("fontpkg_inter",))
    assert fonts.resolve_family("Noto Sans") == "inter"
    fonts.add_directory(tmp_path)
    assert fonts.resolve_family("noto sans") == "noto sans"
    with pytest.raises(FileNotFoundError):
        fonts.add_directory(tmp_path / "missing")


# ---- drawing -------------------------------------------------------------------------------
def test_text_is_drawn_on_its_baseline_inside_its_measured_box() -> None:
    fonts = FontRegistry.default()
    width = fonts.measure("Hello", "Inter", 400, False, 30)
    img = text("Hello", fill="black")
    left, top, right, bottom = ink(img)
    assert 99 <= left <= 104 and abs(right - (100 + width)) <= 4
    assert 35 <= top <= 41 and 57 <= bottom <= 61  # cap height above the baseline at y=60


@pytest.mark.parametrize(("anchor", "expected_centre"), [("start", None), ("middle", 100),
                                                         ("end", None)])
def test_text_anchor(anchor: str, expected_centre: int | None) -> None:
    left, _, right, _ = ink(text("Wide text", text_anchor=anchor))
    if anchor == "middle":
        assert abs((left + right) / 2 - 100) <= 2
    elif anchor == "end":
        assert 96 <= right <= 101
    else:
        assert 99 <= left <= 103


def test_anchor_centres_the_whole_chunk_across_tspans() -> None:
    img = render(SVG.format('<text x="100" y="60" font-size="30" text-anchor="middle">'
                            'AB<tspan fill="red">CD</tspan></text>'))
    left, _, right, _ = ink(img)
    assert abs((left + right) / 2 - 100) <= 2
    red = (img[..., 0] > 200) & (img[..., 1] < 60) & (img[..., 3] > 200)
    xs = np.nonzero(red)[1]
    assert xs.min() >= 98  # the red tspan follows the black text, in the right half


def test_whitespace_is_collapsed_and_trimmed() -> None:
    plain = text("A B", text_anchor="middle")
    messy = text("\n    A  \t\n  B   \n", text_anchor="middle")
    assert np.array_equal(plain, messy)
    preserved = render(SVG.format('<text x="10" y="60" font-size="30" xml:space="preserve">'
                                  'A    B</text>'))
    assert ink(preserved)[2] > ink(render(SVG.format(
        '<text x="10" y="60" font-size="30">A    B</text>')))[2] + 20


def test_tspan_lines_with_x_y_dx_dy() -> None:
    img = render(SVG.format('<text font-size="20" fill="black">'
                            '<tspan x="10" y="25">One</tspan>'
                            '<tspan x="10" y="75">Two</tspan>'
                            '<tspan dx="40" dy="-50" fill="blue">Three</tspan></text>'))
    rows = np.nonzero(img[..., 3] > 100)[0]
    assert rows.min() < 15 and rows.max() > 70 and not np.any(img[35:55, :, 3] > 100)
    blue = np.nonzero((img[..., 2] > 200) & (img[..., 0] < 60) & (img[..., 3] > 200))
    assert blue[0].max() <= 27 and blue[1].min() > 80  # after "Two" + 40, back on line one


def test_per_character_x_positions() -> None:
    img = render(SVG.format('<text x="10 100 190" y="60" font-size="30" '
                            'text-anchor="middle">III</text>'))
    cols = np.nonzero(img[..., 3].max(axis=0) > 100)[0]
    groups = np.split(cols, np.nonzero(np.diff(cols) > 5)[0] + 1)
    centres = [g.mean() for g in groups]
    assert len(centres) == 3 and all(abs(c - e) <= 3 for c, e in zip(centres, (10, 100, 190),
                                                                     strict=True))


def test_weight_style_size_and_letter_spacing_widen_or_change_ink() -> None:
    base = ink(text("Sample", 10))
    assert ink(text("Sample", 10, font_weight="bold"))[2] > base[2] + 3
    assert ink(text("Sample", 10, letter_spacing="5"))[2] >= base[2] + 25
    assert ink(text("Sample", 10, size=40))[2] > base[2] + 20
    assert not np.array_equal(text("Sample"), text("Sample", font_style="italic"))


def test_fill_and_stroke_on_text_and_gradient_fill() -> None:
    img = render(SVG.format(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/>'
        '<stop offset="1" stop-color="blue"/></linearGradient></defs>'
        '<text x="10" y="70" font-size="60" font-weight="900" fill="url(#g)">MMMM</text>'))
    solid = img[..., 3] > 250
    xs = np.nonzero(solid)[1]
    left = img[solid & (np.arange(200)[None, :] < xs.min() + 15)]
    right = img[solid & (np.arange(200)[None, :] > xs.max() - 15)]
    assert left[:, 0].mean() > 180 and right[:, 2].mean() > 180  # the bbox of the text
    stroked = render(SVG.format('<text x="10" y="70" font-size="60" fill="none" '
                                'stroke="black" stroke-width="2">O</text>'))
    _, top, _, bottom = ink(stroked)
    assert stroked[(top + bottom) // 2, :, 3].max() > 100
    assert stroked[(top + bottom) // 2, ink(stroked)[0] + 15, 3] < 50  # hollow inside


def test_cjk_is_drawn_with_a_fallback_font_not_as_tofu() -> None:
    fonts = FontRegistry.default()
    face = fonts.runs("漢", "Inter")[0][1]
    family = face.getFamilyName()
    assert family != "Inter"
    via_fallback = text("漢字", fill="black")
    direct = text("漢字", fill="black", font_family=family)
    assert np.abs(via_fallback.astype(int) - direct.astype(int)).mean() < 0.5
    tofu = text("\u0378\u0379", fill="black")  # unassigned: no font has them
    assert np.abs(via_fallback.astype(int) - tofu.astype(int)).mean() > 1
    # tofu draws every missing character as the same box; real glyphs differ
    assert np.array_equal(text("\u0378"), text("\u0379"))
    assert not np.array_equal(text("漢"), text("字"))


def test_dominant_baseline_middle_centres_on_y() -> None:
    _, top, _, bottom = ink(text("HHH", dominant_baseline="middle"))
    assert abs((top + bottom) / 2 - 60) <= 4


def test_text_agrees_with_resvg_on_placement() -> None:
    """Same font file for both: the ink boxes must coincide within a couple of pixels."""
    resvg_py = pytest.importorskip("resvg_py")
    import fontpkg_inter

    font_dir = str(Path(fontpkg_inter.__file__).parent / "files")
    doc = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
           '<text x="100" y="60" font-family="Inter" font-size="30" text-anchor="middle">'
           'Hello world</text></svg>')
    ours = render(doc)
    import io

    from PIL import Image

    png = bytes(resvg_py.svg_to_bytes(svg_string=doc, font_dirs=[font_dir],
                                      skip_system_fonts=True))
    theirs = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    a, b = ink(ours), ink(theirs)
    assert all(abs(p - q) <= 3 for p, q in zip(a, b, strict=True)), (a, b)


def test_a_variable_font_glyph_has_the_same_outline_whatever_was_drawn_before() -> None:
    """skia's FreeType outlines of a variable instance changed with the glyphs loaded
    before (Noto Sans 700 "t" came out wider than at 900 after "h"), so text weight
    depended on what the process had drawn earlier; outlines now come from HarfBuzz."""
    from ddm_lang.renderer.fonts import FontRegistry
    from ddm_lang.renderer.textshape import ShapingFace
    registry = FontRegistry.default()
    face_file = registry.select("Noto Sans", 700, False)
    widths = []
    for before in ((), tuple("hello"), tuple("Hwo")):
        face = ShapingFace(face_file, {int.from_bytes(b"wght", "big"): 700.0})
        for ch in before:
            face.outline(face.shape(ch)[0].gid)
        t = face.shape("t")[0].gid
        path = face.outline(t)
        assert path is not None
        widths.append(round(path.computeTightBounds().width(), 1))
        extents = face.hb_font.get_glyph_extents(t)
        assert abs(path.computeTightBounds().width() - extents.width) <= 1
    assert len(set(widths)) == 1, widths
