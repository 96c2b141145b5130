"""The `ddm` command as a user runs it: exit codes, messages, files; never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ddm_lang.stdlib_templates import bundled_names

pytestmark = pytest.mark.slow  # every test runs `ddm` in a fresh interpreter

GOOD = ('template t "T"\nformats feed 200x200, banner 300x100\n'
        "object hero = image from product.images\n"
        "rect bg { box: 0 0 100% 100%; fill: #fafafa }\n"
        "image hero | place in slot(right 50%) fit cover\n"
        "text t = product.title { box: 5% 10% 40% 60%; size: fit(6, 40); fill: #111111 }\n")


def ddm(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ddm_lang.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(studio: Path, product: dict) -> Path:
    (studio / "good.ddm").write_text(GOOD)
    (studio / "bad.ddm").write_text(GOOD.replace("fill: #111111", "fill: #11"))
    (studio / "product.json").write_text(json.dumps(product))
    return studio


def test_check_ok_and_error(project: Path) -> None:
    ok = ddm("check", "good.ddm", cwd=project)
    assert ok.returncode == 0 and "good.ddm: ok" in ok.stdout
    bad = ddm("check", "good.ddm", "bad.ddm", cwd=project)
    assert bad.returncode == 1
    assert "bad.ddm:6:" in bad.stderr and "^" in bad.stderr and "Traceback" not in bad.stderr


def test_fmt_check_write_and_print(project: Path) -> None:
    (project / "ugly.ddm").write_text(GOOD.replace("; ", ";"))
    assert ddm("fmt", "--check", "ugly.ddm", cwd=project).returncode == 1
    assert ddm("fmt", "--write", "ugly.ddm", cwd=project).returncode == 0
    assert ddm("fmt", "--check", "ugly.ddm", cwd=project).returncode == 0
    printed = ddm("fmt", "ugly.ddm", cwd=project).stdout
    assert printed == (project / "ugly.ddm").read_text()


@pytest.mark.parametrize(("ext", "magic"), [("svg", b"<svg"), ("png", b"\x89PNG"),
                                            ("jpg", b"\xff\xd8\xff"), ("webp", b"RIFF")])
def test_compile_writes_each_output_type(project: Path, ext: str, magic: bytes) -> None:
    out = project / f"out.{ext}"
    r = ddm("compile", "good.ddm", "--product", "product.json", "--format", "feed", "-o",
            str(out), cwd=project)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(magic)


def test_compile_all_formats(project: Path) -> None:
    r = ddm("compile", "good.ddm", "--product", "product.json", "--format", "all", "-o",
            "c.png", cwd=project)
    assert r.returncode == 0, r.stderr
    assert (project / "c-feed.png").exists() and (project / "c-banner.png").exists()


def test_bad_product_json_names_file_line_and_column(project: Path) -> None:
    (project / "broken.json").write_text('{"id": "x",\n "title": }')
    r = ddm("compile", "good.ddm", "--product", "broken.json", "--format", "feed", "-o", "o.svg",
            cwd=project)
    assert r.returncode == 1 and "broken.json:2:11: invalid JSON" in r.stderr
    assert "Traceback" not in r.stderr


def test_render_an_svg_file(project: Path) -> None:
    (project / "in.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" '
                                    'height="10"><rect width="10" height="10" fill="red"/></svg>')
    r = ddm("render", "in.svg", "-o", "out.png", "--width", "40", cwd=project)
    assert r.returncode == 0 and (project / "out.png").read_bytes().startswith(b"\x89PNG")
    (project / "evil.svg").write_text('<!DOCTYPE svg [<!ENTITY x "y">]><svg/>')
    r = ddm("render", "evil.svg", "-o", "x.png", cwd=project)
    assert r.returncode == 1 and "evil.svg: " in r.stderr and "entities" in r.stderr
    assert "Traceback" not in r.stderr


def test_missing_template_file(project: Path) -> None:
    r = ddm("check", "nope.ddm", "good.ddm", cwd=project)
    assert r.returncode == 1 and "good.ddm: ok" in r.stdout  # the next template is checked
    assert r.stderr == ("ddm: error: template `nope.ddm` not found: no such file and no bundled "
                        "template of that name; the bundled templates are "
                        f"{', '.join(bundled_names())}\n")


def test_bundled_template_names(project: Path) -> None:
    """Every command takes a bundled template's name where it takes a file."""
    r = ddm("check", "tiny_price", cwd=project)
    assert r.returncode == 0 and r.stdout.startswith("tiny_price: ok (tiny_price; "), r.stderr
    r = ddm("gallery", "tiny_price", "--catalogue", "product.json", cwd=project)
    assert r.returncode == 0, r.stderr
    assert (project / "tiny_price-sheet.jpg").read_bytes().startswith(b"\xff\xd8\xff")
    r = ddm("compile", "prodct_hero", "--product", "product.json", "--format", "feed",
            "-o", "x.svg", cwd=project)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and "did you mean `product_hero`" in r.stderr


# ---- picking a product from a catalogue --------------------------------------------------

def _write_feeds(project: Path, product: dict) -> Path:
    """feeds/ beside the photos' folder: catalogues whose image paths are relative to it."""
    feeds = project / "feeds"
    (feeds / "img").mkdir(parents=True)
    for name in ("small.png", "big.jpg", "logo.png"):
        (feeds / "img" / name).write_bytes((project / name).read_bytes())
    record = {**product, "images": ["img/small.png", "img/big.jpg"],
              "brand": {"name": "Grove", "logos": ["img/logo.png"]}}
    other = {**record, "id": "sku-2", "title": "Stoneware Mug", "images": ["img/big.jpg"]}
    (feeds / "one.json").write_text(json.dumps(other))
    (feeds / "one.jsonl").write_text(json.dumps(other) + "\n")
    (feeds / "two.jsonl").write_text(json.dumps(record) + "\n" + json.dumps(other) + "\n")
    (feeds / "two.json").write_text(json.dumps([record, other], indent=1))
    (feeds / "wrapped.json").write_text(json.dumps({"products": [record, other]}))
    (feeds / "two.csv").write_text(
        "id,title,images,brand,logos,price,currency,discount,selling_points\n"
        "sku-1,Evergreen Olive Oil,img/small.png,Grove,img/logo.png,12.9,USD,20,Cold pressed\n"
        "sku-2,Stoneware Mug,img/big.jpg,Grove,img/logo.png,12.9,USD,20,"
        "Cold pressed|Single estate|Glass bottle|Fourth\n")
    return feeds


def test_compile_picks_a_product_from_a_catalogue(project: Path, product: dict) -> None:
    _write_feeds(project, product)
    made = {}
    for name, source in (("product", ["--product", "feeds/one.json"]),
                         ("jsonl", ["--catalogue", "feeds/two.jsonl", "--id", "sku-2"]),
                         ("csv", ["--catalogue", "feeds/two.csv", "--id", "sku-2"]),
                         ("json", ["--catalogue", "feeds/two.json", "--id", "sku-2"]),
                         ("one-line", ["--product", "feeds/one.jsonl"])):
        r = ddm("compile", "good.ddm", *source, "--format", "banner", "-o", f"{name}.svg",
                cwd=project)
        assert r.returncode == 0, r.stderr
        made[name] = (project / f"{name}.svg").read_text()
    assert ">Stoneware</tspan>" in made["product"]  # the second product, not the first
    assert made["jsonl"] == made["product"] == made["csv"] == made["json"] == made["one-line"]


def test_compile_product_selection_errors(project: Path, product: dict) -> None:
    _write_feeds(project, product)

    def fails(*source: str) -> str:
        r = ddm("compile", "good.ddm", *source, "--format", "feed", "-o", "x.svg", cwd=project)
        assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
        assert not (project / "x.svg").exists()
        return r.stderr

    assert fails("--catalogue", "feeds/two.jsonl", "--id", "sku-20") == (
        "ddm: error: feeds/two.jsonl: no product with id `sku-20`; did you mean `sku-2`, "
        "`sku-1`?\n")
    assert fails("--catalogue", "feeds/two.csv", "--id", "olive") == (
        "ddm: error: feeds/two.csv: no product with id `olive`; its ids: sku-1, sku-2\n")
    assert fails("--catalogue", "feeds/two.jsonl") == (
        "ddm: error: --catalogue feeds/two.jsonl: holds 2 products; pick one with --id ID "
        "(ids: sku-1, sku-2)\n")
    assert "pick one with --catalogue feeds/two.jsonl --id ID" in fails(
        "--product", "feeds/two.jsonl")
    assert "wrapped.json: holds 2 products" in fails("--product", "feeds/wrapped.json")
    assert "product file not found" in fails("--product", "feeds/none.json")
    r = ddm("compile", "good.ddm", "--product", "product.json", "--catalogue",
            "feeds/two.jsonl", "--format", "feed", "-o", "x.svg", cwd=project)
    assert r.returncode == 2 and "not allowed with argument" in r.stderr


def test_check_product_by_id(project: Path, product: dict) -> None:
    _write_feeds(project, product)
    r = ddm("check", "good.ddm", "--product", "feeds/two.jsonl", "--id", "sku-2", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "sku-2 · feed 200x200" in r.stdout and "sku-1" not in r.stdout
    assert "1 creatives, 0 failed" in r.stdout
    r = ddm("check", "good.ddm", "--id", "sku-2", cwd=project)
    assert r.returncode == 2 and "--id needs --product" in r.stderr


SUITE_FONTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "svg-conformance" / "fonts"


@pytest.mark.skipif(not (SUITE_FONTS / "Yellowtail-Regular.ttf").exists(),
                    reason="needs a font outside the registry (the conformance suite's)")
def test_compile_with_a_user_font_folder(project: Path, tmp_path: Path) -> None:
    """A brand font from --font-dir is the one the text is measured and drawn with."""
    fonts = tmp_path / "brand"
    fonts.mkdir()
    (fonts / "Yellowtail-Regular.ttf").write_bytes((SUITE_FONTS / "Yellowtail-Regular.ttf")
                                                   .read_bytes())
    (project / "brand.ddm").write_text(GOOD.replace(
        "size: fit(6, 40); fill", 'font: "Yellowtail"; size: fit(6, 40); fill'))
    out = {}
    for name, extra in (("plain", []), ("brand", ["--font-dir", str(fonts)])):
        r = ddm("compile", "brand.ddm", "--product", "product.json", "--format", "feed",
                "-o", f"{name}.svg", *extra, cwd=project)
        assert r.returncode == 0, r.stderr
        out[name] = (project / f"{name}.svg").read_text()
    assert 'font-family="Yellowtail, sans-serif"' in out["brand"]
    # Measured with the script face, the same title wraps or sizes differently.
    assert out["plain"] != out["brand"]
    r = subprocess.run([sys.executable, "-c", "from ddm_lang.renderer.fonts import FontRegistry;"
                        "print('yellowtail' in FontRegistry.default().families)"],
                       env={**os.environ, "DDM_FONT_DIRS": str(fonts)},
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "True", r.stderr


def test_gallery_draws_products_by_formats(project: Path) -> None:
    (project / "catalogue.json").write_text(json.dumps([
        {**json.loads((project / "product.json").read_text()), "id": f"p{i}"} for i in range(3)]))
    r = ddm("gallery", "good.ddm", "--catalogue", "catalogue.json", "--limit", "2",
            "-o", "sheet.png", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "2 products × 2 formats" in r.stdout
    from PIL import Image
    sheet = Image.open(project / "sheet.png")
    assert sheet.size == (2 * 360, 2 * 28 + 2 * (360 + 28))  # 2 format columns, 2 rows
    r = ddm("gallery", "good.ddm", "--catalogue", "catalogue.json", "-o", "sheet.gif",
            cwd=project)
    assert r.returncode == 1 and "sheet.gif" in r.stderr and "Traceback" not in r.stderr
