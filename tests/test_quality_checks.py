"""The creative checks (`ddm_lang.quality`): each fires on a small template built to have
its defect and stays silent on a clean one, with the real judges of the modules that own
the measurement; where a compile cannot produce the defect (the writer never drops the
head noun; a repaired field always separates), a stand-in judge shows the check reports
what its judge says. `ddm check` prints one line per check."""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import pytest

from ddm_lang import template_from_string
from ddm_lang.cli import main
from ddm_lang.quality import CHECKS, Finding, headline_names, run_checks, safe_margin
from ddm_lang.quality import checks as quality_checks

PRODUCT = {"id": "disc-1", "title": "Red Ceramic Disc", "point": "Hand glazed", "cta": "Buy now"}
HEAD = 'template t "A test"\nformats feed 400x400, banner 600x300\n' \
       "rect bg { box: 0 0 100% 100%; fill: #f4f1ea }\n"


CLEAN = "text headline = product.title { box: 10% 10% 80% 30%; size: 24; fill: #222222 }\n"


def findings(body: str, product: dict[str, Any] | None = None, fmt: str = "feed",
             checks: list[str] | None = None) -> list[Finding]:
    template = template_from_string(HEAD + body)
    product = product or PRODUCT
    creative = template.compile(product, fmt)
    return run_checks(creative, product=product, template=template, checks=checks,
                      subjects=None)


def names(found: list[Finding]) -> list[str]:
    return [f.check for f in found]


# ---- safe margin -----------------------------------------------------------------------------

def test_safe_margin_is_8px_or_3_percent_of_the_shorter_side() -> None:
    assert safe_margin(1080, 1920) == pytest.approx(32.4)
    assert safe_margin(320, 50) == 8


def test_safe_margin_fires_on_text_at_the_edge_and_not_on_a_clean_one() -> None:
    near = findings("text headline = product.title { box: 0.5% 40% 60% 20%; size: 20; "
                    "fill: #222222 }\n", checks=["safe-margin"])
    assert names(near) == ["safe-margin"]
    assert near[0].element == "text `headline`" and near[0].value == pytest.approx(2, abs=0.5)
    assert near[0].threshold == pytest.approx(12)
    clean = findings("text headline = product.title { box: 8% 40% 60% 20%; size: 20; "
                     "fill: #222222 }\n", checks=["safe-margin"])
    assert clean == []


def test_safe_margin_measures_a_button_by_its_plate_and_exempts_a_band() -> None:
    button = ("rect plate { box: 1% 80% 30% 12%; fill: #222222 }\n"
              "text cta = product.cta { box: 1% 80% 30% 12%; size: 16; align: center; "
              "valign: middle; fill: #ffffff }\n")
    found = findings(button, checks=["safe-margin"])
    assert names(found) == ["safe-margin"] and "on rect `plate`" in found[0].element
    # A band across the whole width is a bleed: the text on it is what is measured.
    band = ("rect band { box: 0 80% 100% 20%; fill: #222222 }\n"
            "text cta = product.cta { box: 0 80% 100% 20%; size: 16; align: center; "
            "valign: middle; fill: #ffffff }\n")
    assert findings(band, checks=["safe-margin"]) == []


# ---- orphan decoration -------------------------------------------------------------------------

DECORATED = """text headline = product.title { box: 10% 10% 80% 20%; size: 24; fill: #222222 }
circle dot { box: 10% 45% 3% 3%; fill: #cc3300 }
text point { box: 16% 43% 70% 8%; size: 16; content: product.point; fill: #222222 }
rect plate { box: 10% 70% 40% 12%; rx: 8; fill: #222222 }
text cta { box: 10% 70% 40% 12%; size: 16; align: center; valign: middle; content: product.cta; fill: #ffffff }
"""


def test_orphan_decoration_fires_on_a_bullet_and_a_plate_left_empty() -> None:
    assert findings(DECORATED, checks=["orphan-decoration"]) == []
    empty_point = findings(DECORATED, {**PRODUCT, "point": ""}, checks=["orphan-decoration"])
    assert [f.element for f in empty_point] == ["circle `dot`"]
    empty_cta = findings(DECORATED, {**PRODUCT, "cta": ""}, checks=["orphan-decoration"])
    assert [f.element for f in empty_cta] == ["rect `plate`"]
    assert "left out" in empty_cta[0].message


def test_orphan_decoration_leaves_panels_rules_and_details_alone() -> None:
    body = ("rect panel { box: 60% 0 40% 100%; fill: #dddddd }\n"      # a panel, no content
            "line rule { x1: 10%; y1: 90%; x2: 50%; y2: 90%; stroke: #222222 }\n"
            "rect tag { box: 10% 60% 30% 15%; fill: #222222 }\n"
            "circle hole { box: 12% 66% 2% 2%; fill: #ffffff }\n"      # a detail of the tag
            "text cta = product.cta { box: 14% 60% 26% 15%; size: 16; valign: middle; "
            "fill: #ffffff }\n")
    assert findings(body, checks=["orphan-decoration"]) == []
    # A row of dots beside nothing and a disc off the corner are ornaments.
    ornaments = ("circle disc { cx: 4%; cy: 6%; r: 22%; fill: #cc3300 }\n"
                 "for i in range(4) { circle dot { cx: 10% + i * 6%; cy: 94%; r: 0.9%; "
                 "fill: #cc3300 } }\n" + CLEAN)
    assert findings(ornaments, checks=["orphan-decoration"]) == []


# ---- the judges of other modules ----------------------------------------------------------------

def test_separation_reports_what_the_separation_module_failed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The measurement itself is tested in test_separation.py; here, which of its results
    become findings: failures that apply, not passes nor an uncut photo's own backdrop."""
    def result(element: str, value: float, passed: bool, applies: bool = True) -> object:
        return types.SimpleNamespace(element=element, value=value, threshold=18.0,
                                     passed=passed, applies=applies,
                                     describe=lambda: f"{element}: ΔE {value}")
    monkeypatch.setattr(quality_checks, "measure_separation", lambda creative, **_: [
        result("image `hero`", 4.0, False), result("image `logo`", 30.0, True),
        result("image `photo`", 6.0, False, applies=False)])
    creative = template_from_string(HEAD + CLEAN).compile(PRODUCT, "feed")
    found = run_checks(creative, checks=["separation"], subjects=lambda node: None)
    assert names(found) == ["separation"] and found[0].element == "image `hero`"
    assert found[0].value == 4.0 and found[0].threshold == 18.0
    assert run_checks(creative, checks=["separation"], subjects=None) == []


HEADLINE = """text headline = caption(kind: headline) { box: 10% 10% 80% 30%; size: fit(12, 32); fill: #222222 }
text cta = caption(kind: cta) { box: 10% 70% 40% 12%; size: fit(12, 20); fill: #222222 }
"""


def test_head_noun_judges_headline_captions_only(monkeypatch: pytest.MonkeyPatch) -> None:
    template = template_from_string(HEAD + HEADLINE)
    assert headline_names(template) == {"headline"}
    assert findings(HEADLINE, checks=["head-noun"]) == []   # the writer keeps the noun
    seen: list[tuple[str, str, str]] = []

    def lost(title: str, text: str, lang: str, brand: str | None = None) -> bool:
        seen.append((title, text, lang))
        return False
    monkeypatch.setattr(quality_checks, "keeps_head_noun", lost)
    found = findings(HEADLINE, checks=["head-noun"])
    assert names(found) == ["head-noun"] and found[0].element == "text `headline`"
    assert [(title, lang) for title, _, lang in seen] == [("Red Ceramic Disc", "en")]


def _lines(content: str) -> str:
    return ("text headline = " + json.dumps(content) +
            " { box: 5% 10% 90% 40%; size: 20; fill: #222222 }\n")


@pytest.mark.parametrize(("content", "check"), [
    ("Evergreen Cold-Pressed Olive\nOil", "orphan-line"),
    ("Classic Cotton T-\nShirt in Navy", "hyphen-break"),
    ("Brand Snapback Cap\n- Black", "dash-start"),
])
def test_line_checks_find_the_defects_of_drawn_lines(content: str, check: str) -> None:
    """Lines an author broke by hand (the fitter never makes these breaks itself)."""
    every = ["orphan-line", "hyphen-break", "dash-start", "word-split"]
    assert names(findings(_lines(content), checks=every)) == [check]
    assert findings(_lines(content.replace("\n", " ")), checks=every) == []


# ---- ddm check ---------------------------------------------------------------------------------

@pytest.fixture
def shop(tmp_path: Path) -> Path:
    # A product file follows the catalogue's record rules (custom data under "attributes",
    # an image path); the templates here read only the title.
    record = {"id": PRODUCT["id"], "title": PRODUCT["title"], "images": ["disc.png"],
              "attributes": {"point": PRODUCT["point"], "cta": PRODUCT["cta"]}}
    (tmp_path / "one.json").write_text(json.dumps(record))
    (tmp_path / "clean.ddm").write_text(HEAD + CLEAN)
    (tmp_path / "edge.ddm").write_text(
        HEAD + "text headline = product.title { box: 0.5% 40% 60% 20%; size: 20; "
        "fill: #222222 }\n")
    return tmp_path


def test_check_prints_a_line_per_check_and_fails_on_findings(
        shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(shop / "clean.ddm"), "--product", str(shop / "one.json"),
                 "--all-formats"]) == 0
    out = capsys.readouterr().out
    for name in CHECKS:
        assert f"  {name} " in out
    assert "safe-margin" in out and "0 findings in 0 creatives" in out
    assert "threshold: max(8 px, 3% of the shorter side)" in out
    assert "2 creatives, 0 failed" in out

    assert main(["check", str(shop / "edge.ddm"), "--product", str(shop / "one.json")]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "safe-margin: text `headline` is 2 px from the canvas edge" in out
    assert "1 finding in 1 creative " in out and "1 creatives, 1 failed" in out


def test_check_runs_the_chosen_checks_only(shop: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(shop / "edge.ddm"), "--product", str(shop / "one.json"),
                 "--checks", "overflow,orphan-decoration"]) == 0
    out = capsys.readouterr().out
    assert "orphan-decoration" in out and "safe-margin" not in out
    assert main(["check", str(shop / "edge.ddm"), "--product", str(shop / "one.json"),
                 "--checks", "margins"]) == 2
    assert "unknown check margins" in capsys.readouterr().err
