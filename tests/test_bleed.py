"""`bleed`: an element declares the canvas edges it crosses on purpose (a product cut by the
floor line, a reflection, a full-bleed photo, giant type off the edge). The declaration is
the template's own (never an SVG attribute), travels into the scene, and the layout checks
allow those edges only: an undeclared edge is still a finding."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ddm_lang import DiagnosticError, template_from_string
from ddm_lang.layout import elements as le
from ddm_lang.quality import run_checks
from ddm_lang.quality.layout_metrics import measure
from ddm_lang.scene import ImageNode, Node, TextNode

PRODUCT = {"id": "tall", "title": "Tall Amber Bottle", "images": ["tall.png"]}
HEAD = """template bleeds "Bleeds on purpose"
formats feed 600x600

object hero = image from product.images
rect bg { box: 0 0 100% 100%; fill: #f4f1ea }
"""


@pytest.fixture
def studio(tmp_path: Path) -> Path:
    """A cut-out product: an opaque block on a transparent background."""
    img = np.zeros((300, 200, 4), np.uint8)
    img[40:280, 50:150] = (150, 80, 20, 255)
    Image.fromarray(img, "RGBA").save(tmp_path / "tall.png")
    return tmp_path


def compiled(studio: Path, body: str):
    return template_from_string(HEAD + body).compile(PRODUCT, "feed", base_dir=studio)


def off_canvas(studio: Path, body: str) -> list[str]:
    creative = compiled(studio, body)
    return [f.message for f in run_checks(creative, checks=["off-canvas", "safe-margin"])]


# The product's subject runs 60 px past the canvas's bottom edge.
LOW = "image hero {BLEED}| place in slot(30% 50% 40% 60%) fit subject anchor bottom"


def test_an_undeclared_bleed_is_a_finding(studio: Path) -> None:
    found = off_canvas(studio, LOW.replace("{BLEED}", ""))
    assert found == ["image `hero` crosses the canvas edge"]


def test_the_declared_edge_is_allowed_and_no_other(studio: Path) -> None:
    assert off_canvas(studio, LOW.replace("{BLEED}", "") + " { bleed: bottom }") == []
    assert off_canvas(studio, LOW.replace("{BLEED}", "") + " { bleed: all }") == []
    wrong = off_canvas(studio, LOW.replace("{BLEED}", "") + " { bleed: top left right }")
    assert wrong == ["image `hero` crosses the canvas edge"]
    # Moved to cross the right edge as well, a bottom bleed alone is not enough.
    corner = ("image hero | place in slot(80% 50% 40% 60%) fit subject anchor bottom "
              "{ bleed: bottom }")
    assert off_canvas(studio, corner) == ["image `hero` crosses the canvas edge"]
    both = ("image hero | place in slot(80% 50% 40% 60%) fit subject anchor bottom "
            "{ bleed: bottom right }")
    assert off_canvas(studio, both) == []
    metrics = measure(compiled(studio, LOW.replace("{BLEED}", "") + " { bleed: bottom }"),
                      render=False)
    assert metrics.off_canvas == 0 and not metrics.failed


def test_a_bleeding_text_is_neither_off_canvas_nor_in_the_safe_margin(studio: Path) -> None:
    # Giant type set to run off the left and bottom edges (its lines: 60 px past each).
    giant = 'text word = "SALE" {{ box: -10% 70% 80% 40%; size: 200; fill: #e8dcc8{b} }}\n'
    past = re.compile(r"text `word` is -6\d px from the canvas edge; the safe margin is 18 px")
    found = off_canvas(studio, giant.format(b=""))
    assert found[0] == "text `word` crosses the canvas edge" and past.fullmatch(found[1])
    assert off_canvas(studio, giant.format(b="; bleed: left bottom")) == []
    # Declared on one edge only, the other is still measured.
    for edge in ("left", "bottom"):
        found = off_canvas(studio, giant.format(b=f"; bleed: {edge}"))
        assert found[0] == "text `word` crosses the canvas edge" and past.fullmatch(found[1])
    # Its distance to the edges it does not cross is still held to the margin.
    near_top = 'text word = "SALE" { box: -10% 1% 80% 40%; size: 200; bleed: left }\n'
    assert any("safe margin" in f for f in off_canvas(studio, near_top))


def test_a_group_declares_it_for_what_it_holds(studio: Path) -> None:
    group = "group stage { bleed: bottom; " + LOW.replace("{BLEED}", "") + " }"
    assert off_canvas(studio, group) == []
    creative = compiled(studio, group)
    hero = next(e for e in le.flatten(creative.scene) if e.kind == "image")
    assert hero.bleed == frozenset({"bottom"})


def test_bleed_is_carried_into_the_scene_and_never_emitted(studio: Path) -> None:
    creative = compiled(studio, LOW.replace("{BLEED}", "") + " { bleed: bottom }\n"
                        'text t = "Hi" { box: 10% 10% 50% 10%; size: 20; bleed: left right }\n'
                        "rect band { box: 0 90% 100% 20%; fill: #333333; bleed: all }\n")
    assert "bleed" not in creative.svg
    kinds = {type(n).__name__: n for n in creative.scene.children}
    image = kinds["ImageNode"]
    assert isinstance(image, ImageNode) and image.bleed == ("bottom",)
    text = kinds["TextNode"]
    assert isinstance(text, TextNode) and text.bleed == ("right", "left")  # in edge order
    band = next(n for n in creative.scene.children if isinstance(n, Node) and n.name == "band")
    assert band.bleed == ("top", "right", "bottom", "left")
    # Without the property the scene is as it always was.
    plain = compiled(studio, LOW.replace("{BLEED}", ""))
    assert all(getattr(n, "bleed", ()) == () for n in plain.scene.children)


def test_an_unknown_edge_is_a_diagnostic(studio: Path) -> None:
    with pytest.raises(DiagnosticError, match="bleed") as err:
        compiled(studio, LOW.replace("{BLEED}", "") + " { bleed: botom }")
    assert "top, right, bottom, left" in str(err.value)


def test_ddm_check_refuses_an_unknown_edge_without_a_product() -> None:
    source = ('template t\nformats feed 100x100\n'
              'rect r { box: 0 0 10 10; bleed: botom }\nrect q { box: 0 0 10 10; bleed: left right }\n')
    with pytest.raises(DiagnosticError) as err:
        template_from_string(source)
    [problem] = err.value.diagnostics
    assert problem.code == "check.bleed" and problem.span.line == 3
    assert problem.hint == "did you mean `bottom`?"


def test_the_layout_solver_leaves_a_declared_bleed_where_it_is(studio: Path) -> None:
    body = ('text word = "SALE" { box: -10% 70% 80% 40%; size: 200; fill: #e8dcc8; '
            'bleed: left bottom }\n'
            'text headline = product.title { box: 8% 8% 60% 12%; size: fit(12, 40) }\n')
    creative = compiled(studio, body)
    word = next(n for n in creative.scene.children if isinstance(n, TextNode) and n.name == "word")
    assert word.box.x == pytest.approx(-60) and word.box.y == pytest.approx(420)
    assert not any(note.startswith("layout:") for note in creative.scene.notes)
