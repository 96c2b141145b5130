"""Product records for `ddm compile` and catalogues for `ddm check --product`: hostile
values, numbers, types, depths, paths and images."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .assets import SECRET_DIR, copy_asset
from .model import BOUNDED, OK, REFUSED, Builder, Family

SHOP = """template shop "A product card"
formats square 200x200

rect bg { box: 0 0 100% 100%; fill: #ffffff }
image photo = product.images[0] { box: 10% 10% 80% 50%; fit: contain }
text title = product.title { box: 5% 62% 90% 18%; size: fit(4, 24); fill: #222222 }
text cost = price(product.price.amount, product.price.currency) when product.price.amount > 0 {
  box: 5% 82% 60% 14%; size: fit(4, 20); fill: #222222 }
text off = "-{product.price.discount}%" when product.price.discount > 0 {
  box: 70% 82% 25% 14%; size: fit(4, 20); fill: #c02020 }
"""

GOOD: dict[str, Any] = {"id": "hostile-1", "title": "Evergreen Olive Oil",
                        "images": ["photo.png"],
                        "price": {"amount": 12.9, "currency": "USD", "discount": 20}}

SCRIPTS = {
    "latin": "Evergreen olive oil, cold pressed ",
    "cjk": "特级初榨橄榄油冷榨单一庄园",
    "rtl": "زيت زيتون بكر ممتاز عصرة على البارد ",
    "combining": "e\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030a",
    "emoji-zwj": "👩\u200d👩\u200d👧\u200d👦🏳️\u200d🌈",
    "control": "Olive\x00\x01\x07\x1b[31m\x7f oil ",
}


def product_file(record: Any, *, raw: bytes | None = None, name: str = "product.json",
                 extra: dict[str, bytes] | None = None) -> Builder:
    """A builder writing the shop template, a product file and the photo; compiles."""
    def build(case: Path, assets: Path) -> list[str]:
        (case / "shop.ddm").write_text(SHOP, "utf-8")
        data = raw if raw is not None else json.dumps(record, ensure_ascii=False).encode("utf-8")
        (case / name).write_bytes(data)
        copy_asset(assets, "photo.png", case)
        for other, content in (extra or {}).items():
            (case / other).write_bytes(content)
        return ["compile", "shop.ddm", "--product", name, "--format", "square", "-o", "out.png"]
    return build


def with_(**changes: Any) -> dict[str, Any]:
    record = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        if key.startswith("price_"):
            record["price"][key[len("price_"):]] = value
        else:
            record[key] = value
    return record


def families() -> list[Family]:
    return [_titles(), _numbers(), _fields(), _json(), _images(), _catalogues()]


def _titles() -> Family:
    f = Family("product-titles")
    for length, label in ((1000, "1k"), (10_000, "10k"), (100_000, "100k"),
                          (1_000_000, "1m")):
        for script, text in SCRIPTS.items():
            title = (text * (length // len(text) + 1))[:length]
            expect = REFUSED if script == "control" else OK if length <= 1000 else BOUNDED
            f.add(f"title-{label}-{script}", expect, product_file(with_(title=title)),
                  finding="product-control-chars" if script == "control"
                  else "product-long-titles" if length > 1000 else "text-layout-speed",
                  says=("title",) if expect == REFUSED else ())
    for name, title in (("empty", ""), ("spaces", " " * 50), ("newlines", "a\nb\nc"),
                        ("bidi-override", "\u202eevil\u202c"), ("zero-width", "\u200b" * 500),
                        ("lone-surrogate-escape", None)):
        if title is None:
            raw = json.dumps(with_(title="X")).replace('"X"', '"\\ud800"').encode()
            f.add(f"title-{name}", BOUNDED, product_file(None, raw=raw))
        else:
            f.add(f"title-{name}", BOUNDED, product_file(with_(title=title)))
    return f


NUMBERS: dict[str, tuple[str, str]] = {
    # name: (JSON text of the value, expectation)
    "nan": ("NaN", REFUSED), "infinity": ("Infinity", REFUSED),
    "minus-infinity": ("-Infinity", REFUSED), "1e308": ("1e308", BOUNDED),
    "1e309": ("1e309", REFUSED), "minus-zero": ("-0", OK), "zero": ("0", OK),
    "negative": ("-12.5", REFUSED), "tiny": ("5e-324", BOUNDED),
    "huge-int": ("1" + "0" * 400, REFUSED), "int-5000-digits": ("9" * 5000, REFUSED),
    "string": ('"12.90"', BOUNDED), "bool": ("true", REFUSED), "null": ("null", BOUNDED),
    "list": ("[1, 2]", REFUSED), "object": ('{"v": 1}', REFUSED),
}


def _numbers() -> Family:
    f = Family("product-numbers")
    for field in ("amount", "discount"):
        for name, (text, expect) in NUMBERS.items():
            if field == "discount" and name in ("1e308", "tiny"):
                expect = REFUSED if name == "1e308" else BOUNDED
            raw = json.dumps(with_(**{f"price_{field}": "@V@"})).replace('"@V@"', text)
            f.add(f"{field}-{name}", expect, product_file(None, raw=raw.encode()),
                  finding="product-nonfinite-price" if name in ("nan", "infinity") else
                  "product-huge-ints" if "int" in name else None,
                  says=(field,) if expect == REFUSED else ())
    for value, expect in ((50, OK), (100, BOUNDED), (101, REFUSED), (1000, REFUSED),
                          (-5, REFUSED)):
        f.add(f"discount-{value}-percent", expect, product_file(with_(price_discount=value)),
              finding="product-discount-range" if value == 1000 else None,
              says=("discount",) if expect == REFUSED else ())
    for cur, expect in (("XXX", BOUNDED), ("", BOUNDED), ("U" * 100_000, REFUSED),
                        ("<script>", BOUNDED), ("€", BOUNDED)):
        f.add(f"currency-{cur[:8] or 'empty'}", expect, product_file(with_(price_currency=cur)),
              says=("currency",) if expect == REFUSED else ())
    return f


def _fields() -> Family:
    f = Family("product-fields")
    for typo in ("imgaes", "titel", "prise", "Images"):
        record = with_()
        record[typo] = record.pop({"imgaes": "images", "titel": "title", "prise": "price",
                                   "Images": "images"}[typo])
        f.add(f"unknown-{typo}", REFUSED, product_file(record),
              finding="product-unknown-field" if typo == "imgaes" else None, says=(typo,))
    wrong = {"title-number": ("title", 42), "title-list": ("title", ["a", "b"]),
             "title-object": ("title", {"en": "x"}), "title-null": ("title", None),
             "images-string": ("images", "photo.png"), "images-number": ("images", 7),
             "images-empty": ("images", []), "images-numbers": ("images", [1, 2]),
             "images-nested": ("images", [["photo.png"]]), "id-list": ("id", ["a"]),
             "id-object": ("id", {"a": 1}), "price-string": ("price", "12.90"),
             "price-list": ("price", [12.9]), "selling-points-string": ("selling_points", "x"),
             "selling-points-10k": ("selling_points", ["point"] * 10_000),
             "attributes-list": ("attributes", [1]), "brand-number": ("brand", 5)}
    for name, (field, value) in wrong.items():
        expect = BOUNDED if name in ("selling-points-10k", "title-null") else REFUSED
        f.add(f"type-{name}", expect, product_file(with_(**{field: value})),
              says=(field,) if expect == REFUSED else ())
    for name in ("id", "title", "images"):
        record = with_()
        del record[name]
        f.add(f"missing-{name}", BOUNDED if name == "id" else REFUSED, product_file(record),
              says=() if name == "id" else (name,))
    f.add("fields-10k-unknown", REFUSED, product_file(with_(**{f"x{i}": i for i in range(10_000)})),
          says=("x0",))
    f.add("proto-keys", BOUNDED, product_file(with_(__proto__={"a": 1}, __class__="x")))
    f.add("duplicate-keys", BOUNDED, product_file(None, raw=json.dumps(GOOD)[:-1].encode()
                                                  + b', "title": "Second"}'))
    return f


def _json() -> Family:
    f = Family("product-json")
    for depth in (100, 1000, 10_000, 100_000):
        expect = BOUNDED if depth <= 1000 else REFUSED
        raw = json.dumps(with_(attributes="@V@")).replace('"@V@"', "[" * depth + "]" * depth)
        f.add(f"nested-arrays-{depth}", expect, product_file(None, raw=raw.encode()),
              finding="product-json-depth" if depth == 100_000 else None,
              says=("product.json",) if expect == REFUSED else ())
        raw = json.dumps(with_(attributes="@V@")).replace(
            '"@V@"', '{"a":' * depth + "1" + "}" * depth)
        f.add(f"nested-objects-{depth}", expect, product_file(None, raw=raw.encode()),
              finding="product-json-depth" if depth == 100_000 else None,
              says=("product.json",) if expect == REFUSED else ())
    good = json.dumps(GOOD).encode()
    texts: dict[str, tuple[str, bytes]] = {
        "empty": (REFUSED, b""), "truncated": (REFUSED, good[: len(good) // 2]),
        "top-list": (REFUSED, b"[]"), "top-string": (REFUSED, b'"x"'),
        "top-null": (REFUSED, b"null"), "top-number": (REFUSED, b"1"),
        "invalid-utf8": (REFUSED, good.replace(b"Olive", b"Ol\xffve")),
        "utf8-bom": (BOUNDED, b"\xef\xbb\xbf" + good), "utf16": (BOUNDED, good.decode().encode("utf-16")),
        "nul-bytes": (REFUSED, good.replace(b"Olive", b"Ol\x00ve")),
        "trailing-garbage": (REFUSED, good + b" garbage"),
        "comments": (REFUSED, b"// comment\n" + good),
        "whitespace-10mb": (BOUNDED, b" " * 10_000_000 + good),
        "string-10mb": (REFUSED, json.dumps(with_(description="d" * 10_000_000)).encode()),
        "binary": (REFUSED, bytes(range(256)) * 64),
    }
    for name, (expect, raw) in texts.items():
        f.add(name, expect, product_file(None, raw=raw),
              says=("product.json",) if expect == REFUSED else ())

    def missing(case: Path, assets: Path) -> list[str]:
        argv = product_file(GOOD)(case, assets)
        (case / "product.json").unlink()
        return argv

    def folder(case: Path, assets: Path) -> list[str]:
        argv = product_file(GOOD)(case, assets)
        (case / "product.json").unlink()
        (case / "product.json").mkdir()
        return argv
    f.add("missing-file", REFUSED, missing, says=("product.json",))
    f.add("directory-as-product", REFUSED, folder, says=("product.json",))
    return f


def _images() -> Family:
    f = Family("product-images")

    def image(kind: str) -> Builder:
        def build(case: Path, assets: Path) -> list[str]:
            target = (assets / SECRET_DIR / "red.png").resolve()
            if kind == "symlink":
                (case / "link.png").symlink_to(target)
            if kind == "symlink-dir":
                (case / "sub").symlink_to(target.parent, target_is_directory=True)
            if kind == "directory":
                (case / "folder.png").mkdir()
            path = {"abs": str(target), "traversal": os.path.relpath(target, case),
                    "file-url": target.as_uri(), "http": "http://10.255.255.1/a.png",
                    "symlink": "link.png", "symlink-dir": "sub/red.png",
                    "directory": "folder.png", "missing": "nowhere.png", "dev-zero": "/dev/zero",
                    "etc-passwd": "../../../../../../../etc/passwd", "empty-name": "",
                    "nul-in-name": "photo\x00.png", "long-name": "x" * 5000 + ".png",
                    "data-uri": "data:image/png;base64,AAAA"}[kind]
            return product_file(with_(images=[path]))(case, assets)
        return build
    for kind in ("abs", "traversal", "file-url", "http", "symlink", "symlink-dir", "directory",
                 "missing", "dev-zero", "etc-passwd", "empty-name", "nul-in-name", "long-name",
                 "data-uri"):
        says = ("folder.png",) if kind == "directory" else ("nowhere.png",) \
            if kind == "missing" else ()
        f.add(f"path-{kind}", REFUSED if kind in ("directory", "missing") else BOUNDED,
              image(kind), secret_red=True, says=says,
              finding="product-image-directory" if kind == "directory" else
              "product-message-paths" if kind in ("abs", "traversal", "symlink") else None)

    def asset(name: str) -> Builder:
        def build(case: Path, assets: Path) -> list[str]:
            copy_asset(assets, name, case)
            return product_file(with_(images=[name]))(case, assets)
        return build
    for name in ("bomb_claim.png", "bomb_wide.png", "bomb_zero.png", "bomb_mid.png",
                 "truncated.png", "header_only.png", "garbage.png", "empty.png",
                 "truncated.jpg", "text.png", "svg_as.png"):
        expect = BOUNDED if name in ("bomb_mid.png", "truncated.png", "truncated.jpg") \
            else REFUSED
        f.add(f"image-{name.replace('.', '-').replace('_', '-')}", expect, asset(name),
              says=(name,) if expect == REFUSED else (),
              finding="product-message-reprs" if expect == REFUSED else None)
    f.add("images-10k-entries", BOUNDED, product_file(with_(images=["photo.png"] * 10_000)))
    return f


def catalogue_file(text: str | bytes, suffix: str = ".json") -> Builder:
    """A builder writing a catalogue; `ddm check shop.ddm --product catalogue.*`."""
    def build(case: Path, assets: Path) -> list[str]:
        product_file(GOOD)(case, assets)
        name = f"catalogue{suffix}"
        (case / name).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return ["check", "shop.ddm", "--product", name, "--checks", "overflow"]
    return build


def _catalogues() -> Family:
    f = Family("catalogues")
    good = dict(GOOD, id="c1")
    f.add("json-good", OK, catalogue_file(json.dumps([good])))
    f.add("jsonl-good", OK, catalogue_file(json.dumps(good) + "\n", ".jsonl"))
    f.add("csv-good", OK, catalogue_file("id,title,images,price,currency\nc1,Oil,photo.png,12.9,USD\n",
                                          ".csv"))
    bad = {
        "infinity-price": ('{"amount": Infinity, "currency": "USD"}', ("price",)),
        "nan-price": ('{"amount": NaN, "currency": "USD"}', ("price",)),
        "discount-1000": ('{"amount": 1, "currency": "USD", "discount": 1000}', ("discount",)),
    }
    for name, (price, says) in bad.items():
        text = json.dumps([dict(good, price="@P@")]).replace('"@P@"', price)
        f.add(f"json-{name}", REFUSED, catalogue_file(text), says=("c1", *says),
              finding="product-nonfinite-price")
        f.add(f"jsonl-{name}", REFUSED, catalogue_file(text[1:-1] + "\n", ".jsonl"),
              says=("c1", *says), finding="product-nonfinite-price")
    f.add("json-unknown-imgaes", REFUSED, catalogue_file(json.dumps(
        [{"id": "c1", "title": "x", "imgaes": ["photo.png"]}])), says=("imgaes",),
        finding="product-unknown-field")
    f.add("json-depth-100k", REFUSED, catalogue_file(
        '[{"id": "c1", "title": "x", "images": ["photo.png"], "attributes": '
        + "[" * 100_000 + "]" * 100_000 + "}]"), says=("catalogue.json",),
        finding="product-json-depth")
    f.add("json-control-title", REFUSED, catalogue_file(json.dumps(
        [dict(good, title="a\x07b")])), says=("title",), finding="product-control-chars")
    f.add("json-traversal", REFUSED, catalogue_file(json.dumps(
        [dict(good, images=["../../../../etc/passwd"])])), says=("c1",))
    f.add("json-absolute", REFUSED, catalogue_file(json.dumps(
        [dict(good, images=["/etc/passwd"])])), says=("c1",))
    # `check --product` compiles the template for every product: work in proportion to
    # the catalogue, not an amplification, so the bounded case is a hundred products
    f.add("json-100-products", BOUNDED, catalogue_file(json.dumps(
        [dict(good, id=f"p{i}") for i in range(100)])))
    f.add("json-duplicate-ids", REFUSED, catalogue_file(json.dumps([good, good])), says=("c1",))
    f.add("json-not-list", REFUSED, catalogue_file('{"products": 5}'), says=("catalogue.json",))
    f.add("json-truncated", REFUSED, catalogue_file(json.dumps([good])[:30]),
          says=("catalogue.json",))
    f.add("csv-binary", REFUSED, catalogue_file(bytes(range(256)) * 8, ".csv"),
          says=("catalogue.csv",))
    f.add("csv-huge-cell", BOUNDED, catalogue_file(
        "id,title,images\nc1," + "t" * 2_000_000 + ",photo.png\n", ".csv"))
    f.add("csv-formula", BOUNDED, catalogue_file(
        'id,title,images\nc1,"=HYPERLINK(""http://x"")",photo.png\n', ".csv"))
    f.add("csv-nan-price", REFUSED, catalogue_file(
        "id,title,images,price,currency\nc1,Oil,photo.png,nan,USD\n", ".csv"), says=("price",),
        finding="product-nonfinite-price")
    f.add("csv-inf-price", REFUSED, catalogue_file(
        "id,title,images,price,currency\nc1,Oil,photo.png,inf,USD\n", ".csv"), says=("price",),
        finding="product-nonfinite-price")
    f.add("csv-traversal", REFUSED, catalogue_file(
        "id,title,images\nc1,Oil,../../../etc/passwd\n", ".csv"), says=("c1",))
    f.add("jsonl-garbage-line", REFUSED, catalogue_file(
        json.dumps(good) + "\n{not json\n", ".jsonl"), says=("catalogue.jsonl",))
    f.add("unknown-suffix", REFUSED, catalogue_file("x", ".xml"), says=("catalogue.xml",))
    return f
