"""Product catalogues: every format loads the same products, folders follow the sidecar
convention, and every error names the file, line, product and field."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ddm_lang.perception.catalogue import (
    Brand,
    Catalogue,
    CatalogueError,
    Price,
    Product,
    load_catalogue,
)
from ddm_lang.perception.catalogue_errors import MAX_SHOWN

SAMPLE = Path(__file__).parents[1] / "ddm_lang" / "stdlib_templates" / "samples" / "catalogue.json"

PRODUCTS: list[dict[str, Any]] = [
    {"id": "sku-1", "title": "Evergreen Olive Oil", "category": "grocery", "lang": "en",
     "description": "Pressed in Crete.",
     "brand": {"name": "Grove & Co", "logos": ["images/logo.png"]},
     "price": {"amount": 12.9, "currency": "USD", "discount": 20},
     "selling_points": ["First cold press", "Glass bottle"],
     "attributes": {"volume": "500 ml", "origin": "Crete"},
     "images": ["images/bottle.jpg", "images/side.png"]},
    {"id": "sku-2", "title": "轻盈跑步鞋 Aero Runner", "lang": "zh-Hans",
     "price": {"amount": 499, "currency": "CNY"},
     "images": ["shoe.webp"]},
    {"id": "shelf/sku-3", "title": "Bare product", "images": ["a/./b/../c.png"]},
]
# What the loader makes of PRODUCTS: paths normalised, list/map fields always present.
EXPECTED = [
    {**PRODUCTS[0]},
    {**PRODUCTS[1], "selling_points": [], "attributes": {}},
    {**PRODUCTS[2], "images": ["a/c.png"], "selling_points": [], "attributes": {}},
]


def write_csv(path: Path, products: list[dict[str, Any]]) -> None:
    """The CSV form of JSON-shaped products (attributes must be strings there)."""
    attr_keys = sorted({k for p in products for k in p.get("attributes", {})})
    header = ["id", "title", "category", "description", "lang", "price", "currency",
              "discount", "images", "brand", "logos", "selling_points"]
    header += [f"attr.{k}" for k in attr_keys]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for p in products:
            price = p.get("price") or {}
            brand = p.get("brand") or {}
            row = [p["id"], p["title"], p.get("category", ""), p.get("description", ""),
                   p.get("lang", ""), price.get("amount", ""), price.get("currency", ""),
                   price.get("discount", ""), "|".join(p["images"]), brand.get("name", ""),
                   "|".join(brand.get("logos", [])), "|".join(p.get("selling_points", []))]
            row += [p.get("attributes", {}).get(k, "") for k in attr_keys]
            w.writerow(["" if v is None else str(v) for v in row])


def write_all(folder: Path, products: list[dict[str, Any]], *, with_csv: bool = True
              ) -> dict[str, Path]:
    files = {"json": folder / "catalogue.json", "wrapped": folder / "wrapped.json",
             "jsonl": folder / "catalogue.jsonl"}
    files["json"].write_text(json.dumps(products, ensure_ascii=False, indent=2), "utf-8")
    files["wrapped"].write_text(json.dumps({"products": products}), "utf-8")
    files["jsonl"].write_text("".join(json.dumps(p, ensure_ascii=False) + "\n"
                                      for p in products), "utf-8")
    if with_csv:
        files["csv"] = folder / "catalogue.csv"
        write_csv(files["csv"], products)
    return files


def problems(path: Path) -> tuple[str, ...]:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    assert str(info.value)  # the message itself is never empty
    return info.value.problems


# ---- formats -----------------------------------------------------------------------------

def test_every_format_loads_the_same_products(tmp_path: Path) -> None:
    files = write_all(tmp_path, PRODUCTS)
    loaded = {kind: load_catalogue(path) for kind, path in files.items()}
    first = loaded["json"]
    assert [p.as_dict() for p in first] == EXPECTED
    for kind, cat in loaded.items():
        assert cat.products == first.products, kind
        # 499 and 499.0 compare equal but print differently in a template: types must agree
        assert json.dumps(cat.as_dicts(), sort_keys=True) == json.dumps(
            first.as_dicts(), sort_keys=True), kind
        assert cat.base_dir == tmp_path.resolve()
    assert loaded["csv"].kind == "csv" and loaded["jsonl"].kind == "jsonl"


def test_product_objects_and_paths(tmp_path: Path) -> None:
    cat = load_catalogue(write_all(tmp_path, PRODUCTS)["json"])
    assert isinstance(cat, Catalogue) and len(cat) == 3
    olive = cat.get("sku-1")
    assert olive is not None and cat.get("nope") is None
    assert olive.price == Price(12.9, "USD", 20)
    assert olive.brand == Brand("Grove & Co", ("images/logo.png",))
    assert olive.selling_points == ("First cold press", "Glass bottle")
    assert olive.image_paths() == (tmp_path.resolve() / "images/bottle.jpg",
                                   tmp_path.resolve() / "images/side.png")
    assert olive.logo_paths() == (tmp_path.resolve() / "images/logo.png",)
    assert cat.get("sku-2").logo_paths() == ()  # type: ignore[union-attr]
    assert all(p.is_absolute() for p in olive.image_paths())
    with pytest.raises(TypeError):
        olive.attributes["volume"] = "1 l"  # type: ignore[index]
    with pytest.raises(AttributeError):
        olive.title = "x"  # type: ignore[misc]
    hash(olive)  # frozen products can key caches


def test_as_dict_round_trips_and_matches_the_sample_catalogue(tmp_path: Path) -> None:
    cat = load_catalogue(SAMPLE)
    raw = json.loads(SAMPLE.read_text("utf-8"))
    assert cat.as_dicts() == raw  # the binder's dict shape, unchanged
    again = tmp_path / "again.json"
    again.write_text(json.dumps(cat.as_dicts()), "utf-8")
    assert [p.as_dict() for p in load_catalogue(again)] == raw


def test_number_price_becomes_an_amount_and_absolute_paths_inside_are_relative(
        tmp_path: Path) -> None:
    inside = tmp_path / "img" / "x.png"
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "A", "price": 5, "images": [str(inside)]})
                    + "\n\n", "utf-8")
    (product,) = load_catalogue(path)
    assert product.price == Price(5)
    assert product.as_dict()["price"] == {"amount": 5}
    assert product.images == ("img/x.png",)


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("\ufeffid,title,images,attr.size\r\nx,Ä,a.png | b.png ,10\r\n".encode())
    (product,) = load_catalogue(path)
    assert product.images == ("a.png", "b.png")
    assert dict(product.attributes) == {"size": "10"}  # CSV attributes stay strings


# ---- folders -----------------------------------------------------------------------------

def tiny(path: Path, fmt: str = "PNG") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 3), (200, 40, 40)).save(path, fmt)


def test_folder_catalogue_reads_sidecars(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    apple = root / "Fruit" / "Apple" / "Granny-Smith"
    tiny(apple / "Granny-Smith_Iconic.jpg", "JPEG")
    (apple / "Granny-Smith_Information.txt").write_text(
        "\ufeffTitle: Apple Granny Smith Class 1 \n"
        "Country and volume: Italy, ca 180g\n"
        "Nutrition values per 100 gram:\n   energy 250 kJ\n   fat 1 g\n"
        "Description: from the info file\n", "utf-8")
    (apple / "Granny-Smith_Description.txt").write_text("  A green apple.\n", "utf-8")
    tiny(root / "Vegetables" / "red_beet-raw.png")               # no sidecar at all
    tiny(root / "Vegetables" / "Cabbage" / "Cabbage_iconic.webp", "WEBP")
    (root / "Vegetables" / "Cabbage" / "Cabbage-Information.txt").write_text(
        "Title: White cabbage\nDescription: Crunchy.\n", "utf-8")
    tiny(root / ".hidden" / "skip.png")
    tiny(root / "._resource.png")
    (root / "notes.txt").write_text("not an image", "utf-8")

    cat = load_catalogue(root)
    assert cat.kind == "folder" and cat.base_dir == root.resolve()
    assert [p.id for p in cat] == ["Fruit/Apple/Granny-Smith/Granny-Smith_Iconic",
                                   "Vegetables/Cabbage/Cabbage_iconic",
                                   "Vegetables/red_beet-raw"]
    granny, cabbage, beet = cat.products
    assert granny.title == "Apple Granny Smith Class 1"
    assert granny.description == "A green apple."               # the Description file wins
    assert dict(granny.attributes) == {"country_and_volume": "Italy, ca 180g",
                                       "nutrition_values_per_100_gram": "energy 250 kJ\nfat 1 g"}
    assert granny.images == ("Fruit/Apple/Granny-Smith/Granny-Smith_Iconic.jpg",)
    assert granny.image_paths()[0].is_file()
    assert (cabbage.title, cabbage.description) == ("White cabbage", "Crunchy.")
    assert (beet.title, beet.description, beet.brand) == ("red beet raw", None, None)


def test_folder_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("x", "utf-8")
    assert problems(empty) == (f"{empty}: no PNG, JPEG or WebP images in this folder",)

    dup = tmp_path / "dup"
    tiny(dup / "a.png")
    tiny(dup / "a.jpg", "JPEG")
    (dup / "a_Information.txt").write_bytes(b"Title: \xff\n")
    found = problems(dup)
    assert any("a_Information.txt: not UTF-8" in p for p in found)
    assert f'{dup / "a.png"}: product "a": field "id" duplicates the product at a.jpg' in found


# ---- errors ------------------------------------------------------------------------------

ERRORS: list[tuple[str, str, list[str]]] = [
    ("c.jsonl",
     '{"id": "sku-1", "title": "A", "images": ["a.png"]}\n'
     '{"id": "sku-12", "title": "B", "images": []}\n',
     ['c.jsonl:2: product "sku-12": field "images" must be a non-empty list of paths']),
    ("c.jsonl",
     '{"id": "a", "title": "A", "images": ["a.png"]}\n\n{"id": "a", "title": "B", "images": ["b.png"]}\n',
     ['c.jsonl:3: product "a": field "id" duplicates the product at line 1']),
    ("c.jsonl", '{"title": "A", "images": ["a.png"]}\n',
     ['c.jsonl:1: field "id" is required']),
    ("c.jsonl", '{"id": 7, "title": "A", "images": ["a.png"]}\n',
     ['c.jsonl:1: field "id" must be a non-empty string, got the number 7']),
    ("c.jsonl", '{"id": "../up", "title": "A", "images": ["a.png"]}\n',
     ['c.jsonl:1: product "../up": field "id" must not contain']),
    ("c.jsonl", '{"id": "a", "images": ["a.png"]}\n',
     ['c.jsonl:1: product "a": field "title" is required']),
    ("c.jsonl", '{"id": "a", "title": "A", "images": ["../secret.png"]}\n',
     ['c.jsonl:1: product "a": field "images[0]" must stay inside the catalogue folder, '
      'got "../secret.png"']),
    ("c.jsonl", '{"id": "a", "title": "A", "images": ["/etc/passwd"]}\n',
     ['c.jsonl:1: product "a": field "images[0]" must be inside the catalogue folder']),
    ("c.jsonl", '{"id": "a", "title": "A", "images": ["https://x.test/a.png"]}\n',
     ['c.jsonl:1: product "a": field "images[0]" must be a file path relative to the '
      'catalogue, not a URL']),
    ("c.jsonl", '{"id": "a", "title": "A", "images": ["a.png"], "colour": "red"}\n',
     ['c.jsonl:1: product "a": field "colour" is not a product field (put custom data under '
      '"attributes")']),
    ("c.jsonl", '{"id": "a", "title": "A", "images": ["a.png"], '
                '"price": {"amount": "3", "discount": 120, "tax": 1}}\n',
     ['c.jsonl:1: product "a": field "price.amount" must be a number ≥ 0, got the string "3"',
      'c.jsonl:1: product "a": field "price.discount" must be a percentage 0..100',
      'c.jsonl:1: product "a": field "price.tax" is not a price field']),
    ("c.jsonl", '{"id": "a", "title": "A", "images": ["a.png"], "lang": "english!", '
                '"selling_points": ["ok", ""], "attributes": {"k": [1], "b": true}, '
                '"brand": {"name": 3, "logos": "l.png"}}\n',
     ['c.jsonl:1: product "a": field "lang" must be a language tag',
      'c.jsonl:1: product "a": field "selling_points[1]" must be a non-empty string',
      'c.jsonl:1: product "a": field "attributes.k" must be a string or a number',
      'c.jsonl:1: product "a": field "attributes.b" must be a string or a number, got the '
      'boolean true',
      'c.jsonl:1: product "a": field "brand.name" must be a string, got the number 3',
      'c.jsonl:1: product "a": field "brand.logos" must be a list of paths, got the string']),
    ("c.jsonl", '{"id": "a", "title": "A", "images": ["a.png"]}\n{"id": "b",\n[1]\n',
     ["c.jsonl:2:12: invalid JSON: Expecting property name",
      "c.jsonl:3: a product must be an object, got a list of 1"]),
    ("c.json", '[\n  {"id": "a", "title": "A", "images": ["a.png"]},\n'
               '  {"id": "b", "title": "B",\n   "images": "b.png"}\n]\n',
     ['c.json:3: products[1]: product "b": field "images" must be a non-empty list of paths, '
      'got the string "b.png"']),
    ("c.json", '{"products": [{"id": "a", "title": "A", "images": ["a.png"]},\n'
               '{"id": "a", "title": "A", "images": ["a.png"]}]}',
     ['c.json:2: products[1]: product "a": field "id" duplicates the product at products[0] '
      '(line 1)']),
    ("c.json", '[{"id": "a",\n  "title": }]', ["c.json:2:12: invalid JSON: Expecting value"]),
    ("c.json", '{"items": []}', ['c.json: a catalogue is a list of products or '
                                 '{"products": [...]}; found an object with no "products" key']),
    ("c.json", '{"products": [], "name": "x"}', ["found an object with unknown top-level keys "
                                                 "'name'"]),
    ("c.json", '"hello"', ["c.json: a catalogue is a list of products or"]),
    ("c.json", "[]", ["c.json: the catalogue has no products"]),
    ("c.csv", "id,title,images,colour\n", ['c.csv:1: unknown column "colour"']),
    ("c.csv", "id,images,id\n", ['c.csv:1: column "id" appears twice',
                                 'c.csv:1: required column "title" is missing']),
    ("c.csv", "", ["c.csv: empty CSV"]),
    ("c.csv", 'id,title,images,price,currency,discount\nx,X,a.png,12.5,USD,\n'
              'y,,a.png,abc,,\n"z","Z\nmultiline",,,EUR,\nw,W,a.png,1,,,extra\n',
     ['c.csv:3: product "y": field "price" must be a number, got "abc"',
      'c.csv:3: product "y": field "title" is required',
      'c.csv:4: product "z": field "currency" is given but "price" is empty',
      'c.csv:4: product "z": field "images" must be a non-empty list of paths',
      "c.csv:6: row has 7 cells but the header names 6 columns"]),
    ("c.xml", "<products/>", ["c.xml: not a catalogue: use .json, .jsonl, .csv, a folder of images, or a product feed (gmc-rss"]),
]


@pytest.mark.parametrize(("name", "text", "expected"), ERRORS)
def test_errors_name_file_line_product_and_field(tmp_path: Path, name: str, text: str,
                                                 expected: list[str]) -> None:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    found = problems(path)
    assert all(p.startswith(str(tmp_path)) for p in found), found
    for want in expected:
        assert any(want in p for p in found), (want, found)
    assert len(found) == len(expected), found


def test_unreadable_files(tmp_path: Path) -> None:
    assert problems(tmp_path / "missing.json") == (f"{tmp_path / 'missing.json'}: "
                                                   "catalogue not found",)
    bad = tmp_path / "c.jsonl"
    bad.write_bytes(b'{"id": "a"}\n{"title": "caf\xe9"}\n')
    assert problems(bad) == (f"{bad}:2:15: not UTF-8 text (byte 0xe9); save the file as UTF-8",)


def test_all_problems_are_collected_and_the_message_is_capped(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"id": f"p{i}", "title": "T", "images": []}) + "\n"
                            for i in range(80)), "utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    err = info.value
    assert len(err.problems) == 80
    assert err.problems[79].startswith(f'{path}:80: product "p79": field "images"')
    message = str(err).splitlines()
    assert message[0] == f"{path}: 80 problems:"
    assert len(message) == 1 + MAX_SHOWN + 1 and message[-1] == "  ... and 30 more"


# ---- property: JSON, JSONL and CSV agree -------------------------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                min_size=1, max_size=12).filter(lambda s: s.strip() == s and "|" not in s)
_segment = st.text("abcXYZ019-_ é", min_size=1, max_size=6).filter(
    lambda s: s.strip() == s and s not in (".", ".."))
_path = st.lists(_segment, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + ".png")
_number = st.one_of(st.integers(0, 10**6),
                    st.floats(0, 1e6, allow_nan=False, allow_infinity=False))


@st.composite
def _product(draw: st.DrawFn, pid: str) -> dict[str, Any]:
    product: dict[str, Any] = {"id": pid, "title": draw(_text),
                               "images": draw(st.lists(_path, min_size=1, max_size=3))}
    for name in ("category", "description"):
        if draw(st.booleans()):
            product[name] = draw(_text)
    if draw(st.booleans()):
        product["lang"] = draw(st.sampled_from(["en", "zh-Hans", "sv", "pt-BR"]))
    if draw(st.booleans()):
        price: dict[str, Any] = {"amount": draw(_number)}
        if draw(st.booleans()):
            price["currency"] = draw(st.sampled_from(["USD", "EUR", "CNY"]))
        if draw(st.booleans()):
            price["discount"] = draw(st.integers(0, 100))
        product["price"] = price
    if draw(st.booleans()):
        product["brand"] = {"name": draw(_text), "logos": draw(st.lists(_path, max_size=2))}
    product["selling_points"] = draw(st.lists(_text, max_size=3))
    product["attributes"] = draw(st.dictionaries(
        st.text("abcdefgh_", min_size=1, max_size=6), _text, max_size=3))
    return product


@st.composite
def _catalogue(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = draw(st.lists(st.text("abcdef0123-/", min_size=1, max_size=8).filter(
        lambda s: not s.startswith("/") and "//" not in s and not s.endswith("/")),
        min_size=1, max_size=4, unique=True))
    return [draw(_product(pid)) for pid in ids]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_catalogue())
def test_json_jsonl_and_csv_serialisations_load_to_equal_products(
        products: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = write_all(Path(tmp), products)
        loaded = {kind: load_catalogue(path).products for kind, path in files.items()}
    first = loaded["json"]
    assert all(isinstance(p, Product) for p in first)
    assert [p.as_dict() for p in first] == [_expected(p) for p in products]
    for kind, got in loaded.items():
        assert got == first, kind
        assert json.dumps([p.as_dict() for p in got], sort_keys=True) == json.dumps(
            [p.as_dict() for p in first], sort_keys=True), kind


def _expected(product: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(product))
    out["images"] = [_norm(p) for p in out["images"]]
    if "brand" in out:
        out["brand"]["logos"] = [_norm(p) for p in out["brand"]["logos"]]
    return out


def _norm(path: str) -> str:
    import posixpath
    return posixpath.normpath(path)


def test_jsonl_lines_split_on_newline_only(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "x\u2028y\x85z", "images": ["a.png"]},
                               ensure_ascii=False) + "\r\n", "utf-8")
    assert load_catalogue(path).products[0].title == "x\u2028y\x85z"


def test_docs_examples_load(tmp_path: Path) -> None:
    """Every JSON, JSONL and CSV example in docs/materials.md is a valid catalogue."""
    import re

    doc = (Path(__file__).parents[1] / "docs" / "materials.md").read_text("utf-8")
    blocks = re.findall(r"```(json|text)\n(.*?)```", doc, re.S)
    loaded = 0
    for lang, body in blocks:
        if lang == "json":
            name = "c.json"
        elif body.startswith("id,"):
            name = "c.csv"
        elif body.startswith('{"id"'):
            name = "c.jsonl"
        else:
            continue
        (tmp_path / name).write_text(body, "utf-8")
        assert len(load_catalogue(tmp_path / name)) >= 1
        loaded += 1
    assert loaded == 4
