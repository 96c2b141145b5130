"""Product records are checked by one set of rules wherever they arrive: a catalogue, a product
file (`ddm compile --product`, `ddm check --product`, `ddm_lang.load_product`) or a server's
catalogue; a refusal names the file, the product, the field and what is wrong, and never a
server's absolute folders or a Python object's repr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ddm_lang
from ddm_lang.cli import main
from ddm_lang.perception import catalogue as cat
from ddm_lang.perception import records
from ddm_lang.perception.catalogue import CatalogueError, load_catalogue
from ddm_lang.perception.materials import MaterialError, load_material
from ddm_lang.syntax.diagnostics import DiagnosticError

TEMPLATE = ('template t "T"\nformats feed 200x200\n'
            "object hero = image from product.images\n"
            "rect bg { box: 0 0 100% 100%; fill: #fafafa }\n"
            "image hero | place in slot(right 50%) fit cover\n"
            "text t = product.title { box: 5% 10% 40% 60%; size: fit(6, 40); fill: #111111 }\n")

BASE = {"id": "sku-1", "title": "Olive Oil", "images": ["small.png"]}


def write_product(folder: Path, name: str = "p.json", **fields: object) -> Path:
    path = folder / name
    path.write_text(json.dumps({**BASE, **fields}), "utf-8")
    return path


def compile_cli(studio: Path, product: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """`ddm compile --product` as a user runs it; the refusal's text (exit 1, no output)."""
    (studio / "t.ddm").write_text(TEMPLATE)
    code = main(["compile", str(studio / "t.ddm"), "--product", str(product), "--format",
                 "feed", "-o", str(studio / "out.svg")])
    err = capsys.readouterr().err
    assert code == 1 and not (studio / "out.svg").exists(), err
    return err


# ---- one rule for every entry point ---------------------------------------------------------

REFUSED: list[tuple[dict, str]] = [
    ({"price": {"amount": float("inf")}},
     'product "sku-1": field "price.amount" must be a number ≥ 0, got the non-finite number '
     "Infinity"),
    ({"price": {"amount": 3, "discount": 1000}},
     'product "sku-1": field "price.discount" must be a percentage 0..100, got the number 1000'),
    ({"imgaes": ["small.png"]},
     'product "sku-1": field "imgaes" is not a product field; did you mean "images"?'),
    ({"title": "Olive\u0007 Oil"},
     'product "sku-1": field "title" contains the control character U+0007 (BELL) at '
     "character 6"),
    ({"title": "x" * (records.MAX_TEXT + 1)},
     f'product "sku-1": field "title" is {records.MAX_TEXT + 1:,} characters long; the most '
     f"is {records.MAX_TEXT:,}"),
    ({"description": "x" * (records.MAX_DESCRIPTION + 1)},
     'product "sku-1": field "description" is 20,001 characters long'),
    ({"selling_points": ["a"] * (records.MAX_SELLING_POINTS + 1)},
     'product "sku-1": field "selling_points" has 51 entries; the most is 50'),
    ({"images": ["small.png"] * (records.MAX_IMAGES + 1)},
     'product "sku-1": field "images" has 101 entries; the most is 100'),
    ({"attributes": {f"k{i}": i for i in range(records.MAX_ATTRIBUTES + 1)}},
     'product "sku-1": field "attributes" has 201 entries; the most is 200'),
    ({"attributes": {"note": "a\x1bb"}},
     'product "sku-1": field "attributes.note" contains the control character U+001B'),
    ({"brand": {"name": "Grove", "logso": []}},
     'product "sku-1": field "brand.logso" is not a brand field; did you mean "logos"?'),
    ({"images": ["photos"]},
     'product "sku-1": field "images[0]" is a directory, not an image file, got "photos"'),
]


@pytest.mark.parametrize(("fields", "message"), REFUSED)
def test_compile_product_refuses_what_the_catalogue_refuses(
        studio: Path, capsys: pytest.CaptureFixture[str], fields: dict, message: str) -> None:
    (studio / "photos").mkdir()
    product = write_product(studio, **fields)
    assert f"{product}: {message}" in compile_cli(studio, product, capsys)

    catalogue = studio / "c.jsonl"
    catalogue.write_text(json.dumps({**BASE, **fields}) + "\n", "utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(catalogue)
    assert any(message in p for p in caught.value.problems)


def test_load_product_raises_a_catalogue_error_with_every_problem(studio: Path) -> None:
    product = write_product(studio, title="a\x00b", imgaes=[], price={"amount": -1})
    with pytest.raises(ddm_lang.ProductError) as caught:
        ddm_lang.load_product(product)
    assert isinstance(caught.value, CatalogueError) and len(caught.value.problems) == 3
    assert all(p.startswith(f'{product}: product "sku-1": field "') for p in caught.value.problems)


def test_check_product_uses_the_same_rules(studio: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (studio / "t.ddm").write_text(TEMPLATE)
    product = write_product(studio, imgaes=["small.png"])
    assert main(["check", str(studio / "t.ddm"), "--product", str(product)]) == 1
    assert 'field "imgaes" is not a product field; did you mean "images"?' in \
        capsys.readouterr().err


def test_a_valid_product_file_compiles_as_the_binder_dict(studio: Path) -> None:
    product = write_product(studio, price={"amount": 12.9, "discount": 20})
    data, base = ddm_lang.load_product(product)
    assert data["price"] == {"amount": 12.9, "discount": 20} and base == studio.resolve()
    creative = ddm_lang.template_from_string(TEMPLATE).compile(product, "feed")
    assert ">Olive<" in creative.svg and creative.product_id == "sku-1"


def test_validate_product_names_its_source(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as caught:
        cat.validate_product({**BASE, "title": 7}, source="request body", base=tmp_path)
    assert caught.value.problems == (
        'request body: product "sku-1": field "title" must be a non-empty string, got the '
        "number 7",)
    assert cat.validate_product(BASE, source="x", base=tmp_path).images == ("small.png",)


# ---- JSON nesting ------------------------------------------------------------------------

def deep(levels: int) -> str:
    return ('{"id": "a", "title": "A", "images": ["a.png"],\n "attributes": '
            + "[" * levels + "]" * levels + "}")


@pytest.mark.parametrize("levels", [100, 100_000])
def test_deep_json_is_a_located_error_not_a_recursion_error(
        studio: Path, capsys: pytest.CaptureFixture[str], levels: int) -> None:
    product = studio / "deep.json"
    product.write_text(deep(levels), "utf-8")
    # the object is level one; its first "[" is at column 16
    where = f"{product}:2:{16 + records.MAX_JSON_DEPTH - 1}: JSON nested deeper than 64 levels"
    assert where in compile_cli(studio, product, capsys)
    with pytest.raises(CatalogueError, match="nested deeper than 64"):
        load_catalogue(product)
    (studio / "t.ddm").write_text(TEMPLATE)
    assert main(["check", str(studio / "t.ddm"), "--product", str(product)]) == 1
    assert where in capsys.readouterr().err


def test_deep_jsonl_line_is_reported_and_the_others_checked(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(BASE) + "\n" + deep(100_000).replace("\n", "") + "\n"
                    + json.dumps({"id": "b", "images": ["b.png"]}) + "\n", "utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    problems = caught.value.problems
    assert problems[0].startswith(f"{path}:2:") and "nested deeper than 64" in problems[0]
    assert problems[1] == f'{path}:3: product "b": field "title" is required'


def test_brackets_inside_strings_do_not_count(tmp_path: Path) -> None:
    text = "[" * 70 + "]" * 70
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{**BASE, "title": text, "description": '\\"' + text}]))
    assert load_catalogue(path).products[0].title == text


def test_shallow_catalogues_pass_the_depth_bound(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    items = [{**BASE, "id": f"sku-{i}", "brand": {"logos": ["l.png"]}} for i in range(50)]
    path.write_text(json.dumps({"products": items}))
    assert len(load_catalogue(path)) == 50


# ---- messages name the field value, not the server's folders -------------------------------

def test_unreadable_image_names_the_products_path_only(studio: Path) -> None:
    (studio / "junk.png").write_bytes(b"not an image")
    template = ddm_lang.template_from_string(TEMPLATE)
    with pytest.raises(DiagnosticError) as caught:
        template.compile({**BASE, "images": ["junk.png"]}, "feed", base_dir=studio)
    text = caught.value.render()
    assert 'product "sku-1": junk.png: not a readable PNG, JPEG or WebP image' in text
    assert str(studio) not in text and "BytesIO" not in text and " at 0x" not in text


def test_directory_image_given_as_a_dict_names_product_and_path(studio: Path) -> None:
    (studio / "photos.png").mkdir()
    template = ddm_lang.template_from_string(TEMPLATE)
    with pytest.raises(DiagnosticError) as caught:
        template.compile({**BASE, "images": ["photos.png"]}, "feed", base_dir=studio)
    text = caught.value.render()
    assert 'product "sku-1": photos.png: is a directory, not an image file' in text
    assert str(studio) not in text and "Errno" not in text


def test_load_material_shows_the_given_name(tmp_path: Path) -> None:
    with pytest.raises(MaterialError) as caught:
        load_material(tmp_path / "missing.png", (tmp_path,), shown="missing.png")
    assert str(caught.value) == "missing.png: image file not found"
    with pytest.raises(MaterialError) as caught:
        load_material(tmp_path.parent / "x.png", (tmp_path,), shown="../x.png")
    assert str(caught.value) == "../x.png: outside the allowed folders"


def test_absolute_path_outside_the_catalogue_does_not_show_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({**BASE, "images": ["/etc/passwd"]}) + "\n")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert str(tmp_path.resolve()) not in caught.value.problems[0].split(": ", 1)[1]
    assert "must be inside the catalogue folder (write it relative" in str(caught.value)


def test_product_file_errors(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"nope\.json: product file not found"):
        cat.load_product_file(tmp_path / "nope.json")
    with pytest.raises(CatalogueError, match="is a directory, not a product file"):
        cat.load_product_file(tmp_path)
    (tmp_path / "list.json").write_text("[1]")
    with pytest.raises(CatalogueError, match="holds one JSON object, got a list of 1"):
        cat.load_product_file(tmp_path / "list.json")


def test_text_problem_allows_ordinary_whitespace() -> None:
    assert records.text_problem("line one\n\tline two\r\n", 100) is None
    assert records.text_problem("x\u2028y\x85z", 100) is None
    assert "unpaired surrogate U+D800" in (records.text_problem("a\ud800", 100) or "")


def test_editor_thumbnail_problem_names_the_products_path(studio: Path) -> None:
    from ddm_lang.serve.editor_previews import _thumbnail
    (studio / "junk.png").write_bytes(b"not an image")
    for name in ("junk.png", "gone.png"):
        product = cat.validate_product({**BASE, "images": [name]}, source="c", base=studio)
        problem = _thumbnail(product).problem or {}
        assert problem["message"].startswith(f"sku-1: {name}: ")
        assert str(studio) not in problem["message"] and "0x" not in problem["message"]
