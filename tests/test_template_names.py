"""One resolver of template arguments for every command: a file that exists, else a bundled
template's name, else one error naming the nearest bundled templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddm_lang.batch.plan import BatchError, template_paths
from ddm_lang.cli import main
from ddm_lang.serve.config import ConfigError
from ddm_lang.serve.registry import Registry
from ddm_lang.stdlib_templates import (
    TemplateNotFoundError,
    bundled_names,
    bundled_templates,
    resolve_template,
    stdlib_dir,
    template_files,
)

SAMPLES = stdlib_dir() / "samples" / "catalogue.json"
SMALL = 'template small "S"\nformats chip 40x40\nrect bg { box: 0 0 100% 100%; fill: #123456 }\n'


def test_a_bundled_name_with_or_without_its_suffix() -> None:
    hero = stdlib_dir() / "product_hero.ddm"
    assert resolve_template("product_hero") == hero
    assert resolve_template("product_hero.ddm") == hero
    assert len(bundled_names()) == len(bundled_templates()) >= 20
    assert "product_hero" in bundled_names()


def test_a_path_that_exists_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("product_hero.ddm").write_text(SMALL)
    assert resolve_template("product_hero.ddm") == Path("product_hero.ddm")
    assert resolve_template("product_hero") == stdlib_dir() / "product_hero.ddm"
    Path("plain").write_text(SMALL)  # any file, whatever its suffix
    assert resolve_template("plain") == Path("plain")


def test_neither_is_one_error_with_the_nearest_names(tmp_path: Path) -> None:
    with pytest.raises(TemplateNotFoundError) as caught:
        resolve_template("prodct_hero")
    assert str(caught.value) == ("template `prodct_hero` not found: no such file and no "
                                 "bundled template of that name; did you mean `product_hero`, "
                                 "`cjk_hero`?")
    with pytest.raises(TemplateNotFoundError, match=r"did you mean `price_tag`"):
        resolve_template("templates/price_tg.ddm")   # a path's name is matched too
    with pytest.raises(TemplateNotFoundError, match="the bundled templates are brand_led, "):
        resolve_template("zzzz")                     # nothing near: every name
    with pytest.raises(TemplateNotFoundError, match="is a folder"):
        resolve_template(tmp_path)
    with pytest.raises(TemplateNotFoundError, match=r"no such file \(the bundled template of "
                                                    r"that name is .*product_hero\.ddm\)"):
        resolve_template("product_hero", bundled=False)  # `ddm fmt`: files only


def test_batch_and_serve_share_the_resolver(tmp_path: Path) -> None:
    assert template_paths(["tiny_price,price_tag.ddm"]) == [
        stdlib_dir() / "tiny_price.ddm", stdlib_dir() / "price_tag.ddm"]
    assert template_files("stdlib") == bundled_templates()
    with pytest.raises(BatchError, match=r"template `tiny_prize` not found: .* did you mean "
                                         r"`tiny_price`"):
        template_paths(["tiny_prize"])
    with pytest.raises(BatchError, match=r"no \.ddm templates in this folder"):
        template_paths([str(tmp_path)])
    registry = Registry((Path("tiny_price"),), SAMPLES)
    assert set(registry.snapshot.templates) == {"tiny_price"}
    with pytest.raises(ConfigError, match=r"did you mean `tiny_price`"):
        Registry((Path("tiny_prise"),), SAMPLES)


def test_check_takes_a_bundled_name(capsys: pytest.CaptureFixture[str]) -> None:
    # (`ddm gallery` and `ddm check --product` with a bundled name: tests/test_cli.py)
    assert main(["check", "tiny_price", "product_hero.ddm"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "tiny_price: ok (tiny_price; formats: mobile 320x50, leaderboard 728x90, "
        "skyscraper 160x600, rectangle 300x250)",
        "product_hero.ddm: ok (product_hero; formats: feed 1080x1080, portrait 1080x1350, "
        "story 1080x1920, banner 1200x628, landscape 1920x1080, rectangle 300x250, "
        "leaderboard 728x90, mobile 320x50)"]


def test_an_unknown_name_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gallery", "product_heros", "--catalogue", str(SAMPLES)]) == 1
    assert capsys.readouterr().err == (
        "ddm: error: template `product_heros` not found: no such file and no bundled template "
        "of that name; did you mean `product_hero`, `cjk_hero`?\n")
    assert main(["check", "price_tga", "tiny_price"]) == 1   # the others are still checked
    captured = capsys.readouterr()
    assert "did you mean `price_tag`" in captured.err and "tiny_price: ok" in captured.out
