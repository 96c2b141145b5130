"""Detail-page copy extraction (`ddm_lang.copy.detail`): real OCR on pages drawn here.

Two small detail pages, one English and one Chinese, each with a title, a section heading,
three claims, a two-column spec table and a shipping notice, are rendered with the
project's fonts and read by the real OCR models (no mocks). The stages without models
(table rows, reading order, classes, trimming) are also checked on hand-made lines.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ddm_lang.copy.detail import classify, order, rank, table
from ddm_lang.copy.detail.enrich import enrich, is_detail, with_points
from ddm_lang.copy.detail.model import Block, Line, Point
from ddm_lang.copy.detail.pipeline import rank_points, read_image
from ddm_lang.copy.facts import Facts
from ddm_lang.copy.factuality import is_factual
from ddm_lang.perception import catalogue

WIDTH = 750

EN: dict[str, Any] = {
    "title": "Organic Apricots",
    "section": "Highlights",
    "claims": ["Each pack holds 12 ripe apricots picked by hand.",
               "Sun-dried slowly for a rich, honey-like sweetness.",
               "No added sugar or sulphites, just fruit."],
    "spec_heading": "Product information",
    "table": [("Origin", "Turkey"), ("Net weight", "250 g"), ("Storage", "Cool and dry")],
    "notice_heading": "Delivery",
    "notice": "Free shipping on orders over $30. Returns accepted within 14 days.",
}
ZH: dict[str, Any] = {
    "title": "复古针织连衣裙",
    "section": "设计亮点",
    "claims": ["采用100%新疆长绒棉，柔软亲肤不起球。",
               "半高领设计修饰颈部线条，尽显优雅气质。",
               "经典格纹图案，复古又时髦。"],
    "spec_heading": "产品参数",
    "table": [("材质", "棉"), ("颜色", "灰色"), ("尺码", "S M L")],
    "notice_heading": "购物须知",
    "notice": "全国包邮，48小时内发货，支持七天无理由退换。",
}


def _font(family: str, size: int, weight: int) -> ImageFont.FreeTypeFont:
    from ddm_lang.renderer.fonts import pil_font
    return pil_font(family, size, weight)


def render_page(texts: dict[str, Any], family: str) -> Image.Image:
    """A detail page as a shop sets one: centred title, left-aligned sections."""
    page = Image.new("RGB", (WIDTH, 1500), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    big, head = _font(family, 46, 700), _font(family, 36, 700)
    body, small = _font(family, 24, 400), _font(family, 19, 400)
    ink, grey = (34, 34, 34), (120, 120, 120)
    y = 60
    draw.text(((WIDTH - big.getlength(texts["title"])) / 2, y), texts["title"], font=big, fill=ink)
    y += 130
    draw.text((60, y), texts["section"], font=head, fill=(170, 40, 50))
    y += 80
    for claim in texts["claims"]:
        draw.text((60, y), claim, font=body, fill=ink)
        y += 70
    y += 60
    draw.text((60, y), texts["spec_heading"], font=head, fill=(170, 40, 50))
    y += 80
    for key, value in texts["table"]:
        draw.rectangle((60, y - 12, WIDTH - 60, y + 38), outline=(210, 210, 210))
        draw.text((80, y), key, font=body, fill=grey)
        draw.text((300, y), value, font=body, fill=ink)
        y += 50
    y += 90
    draw.text((60, y), texts["notice_heading"], font=head, fill=ink)
    y += 70
    draw.text((60, y), texts["notice"], font=small, fill=grey)
    return page.crop((0, 0, WIDTH, y + 80))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("shop")
    (folder / "images").mkdir()
    out: dict[str, Any] = {"folder": folder}
    for lang, texts, family in (("en", EN, "inter"), ("zh", ZH, "noto sans cjk sc")):
        path = folder / "images" / f"detail-{lang}.jpg"
        render_page(texts, family).save(path, quality=90)
        out[lang] = read_image(path, name=f"images/detail-{lang}.jpg", title=texts["title"])
        out[f"{lang}_path"] = path
    Image.new("RGB", (400, 400), (230, 180, 120)).save(folder / "images" / "photo.jpg")
    return out


def _compact(text: str) -> str:
    return "".join(text.split()).casefold()


def _find(page: Any, text: str) -> Block:
    want = _compact(text)
    for block in page.blocks:
        if want in _compact(block.text):
            return block
    raise AssertionError(f"no block reads {text!r}: {[b.text for b in page.blocks]}")


# ---- real OCR ----------------------------------------------------------------------------

@pytest.mark.model
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_blocks_found_in_order_with_classes(pages: dict[str, Any], lang: str) -> None:
    texts = EN if lang == "en" else ZH
    page = pages[lang]
    expected = [(texts["title"], "other"), (texts["section"], "other"),
                *((c, "selling_point") for c in texts["claims"]),
                (texts["spec_heading"], "other"),
                (texts["table"][0][0], "specification"),
                (texts["notice_heading"], "boilerplate"), (texts["notice"][:12], "boilerplate")]
    found = [_find(page, text) for text, _ in expected]
    assert [b.index for b in found] == sorted(b.index for b in found)
    assert [b.cls for b in found] == [cls for _, cls in expected]
    # the claims are three blocks, not one
    assert len({b.index for b in found[2:5]}) == 3


@pytest.mark.model
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_spec_table_reads_key_value(pages: dict[str, Any], lang: str) -> None:
    texts = EN if lang == "en" else ZH
    spec = _find(pages[lang], texts["table"][0][0])
    rows = [_compact(r) for r in spec.text.split("\n")]
    assert rows == [_compact(f"{k}: {v}") for k, v in texts["table"]]
    assert spec.is_table


@pytest.mark.model
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_top_points_are_the_claims_with_their_source(pages: dict[str, Any], lang: str) -> None:
    texts = EN if lang == "en" else ZH
    page = pages[lang]
    points = rank_points([page], title=texts["title"], top=5)
    claims = {_compact(c) for c in texts["claims"]}
    assert len(points) == 3
    assert {_compact(p.text) for p in points} == claims
    for p in points:
        block = _find(page, p.text)
        y0, y1 = round(block.box[1]), round(block.box[3])
        assert p.source == (f"images/detail-{lang}.jpg, block {block.index + 1} "
                            f"(y {y0}–{y1}), OCR {block.score:.2f}")
    # boilerplate, specs and headings are never ranked
    assert not any(_compact(texts["notice"][:10]) in _compact(p.text) for p in points)


RECORD: dict[str, Any] = {
    "id": "apricots", "title": EN["title"], "images": ["images/photo.jpg"],
    "selling_points": [EN["claims"][1]], "sources": {"selling_point:0": "merchant feed"}}


@pytest.fixture(scope="module")
def enriched(pages: dict[str, Any]) -> dict[str, Any]:
    return enrich(RECORD, [pages["en_path"]], base=pages["folder"])


@pytest.mark.model
def test_enrich_appends_without_duplicates(pages: dict[str, Any],
                                           enriched: dict[str, Any]) -> None:
    folder, record, out = pages["folder"], RECORD, enriched
    assert out["selling_points"][0] == EN["claims"][1]
    assert len(out["selling_points"]) == 3          # the repeated claim is not added again
    assert {_compact(p) for p in out["selling_points"]} == {_compact(c) for c in EN["claims"]}
    assert out["sources"]["selling_point:0"] == "merchant feed"
    for i in (1, 2):
        assert out["sources"][f"selling_point:{i}"].startswith("images/detail-en.jpg, block ")
    assert record["selling_points"] == [EN["claims"][1]]   # the input is not changed
    product = catalogue.validate_product(out, source="test", base=folder)
    assert dict(product.sources) == out["sources"]


@pytest.mark.model
def test_detail_points_count_as_facts(enriched: dict[str, Any]) -> None:
    out = enriched
    facts = Facts.from_product(out)
    index = next(i for i, p in enumerate(facts.selling_points) if "12" in p)
    assert facts.source(f"selling_point:{index}") == out["sources"][f"selling_point:{index}"]
    assert is_factual("12 ripe apricots in every pack", facts)
    assert not is_factual("15 ripe apricots in every pack", facts)
    plain = {k: v for k, v in RECORD.items() if k != "selling_points"}
    assert not is_factual("12 ripe apricots", Facts.from_product(plain))


@pytest.mark.model
def test_extract_command_writes_an_enriched_catalogue(pages: dict[str, Any],
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    folder = pages["folder"]
    source = folder / "catalogue.json"
    source.write_text(json.dumps({"products": [
        {"id": "dress", "title": ZH["title"], "lang": "zh",
         "images": ["images/photo.jpg", "images/detail-zh.jpg"]},
    ]}, ensure_ascii=False), encoding="utf-8")
    assert not is_detail(folder / "images" / "photo.jpg")
    out = folder / "enriched.json"
    from ddm_lang.cli import main
    assert main(["materials", "extract-copy", str(source), "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    product = data["products"][0]
    assert product["images"] == ["images/photo.jpg", "images/detail-zh.jpg"]
    assert {_compact(p) for p in product["selling_points"]} == {_compact(c) for c in ZH["claims"]}
    assert set(product["sources"]) == {"selling_point:0", "selling_point:1", "selling_point:2"}
    assert "1 detail image(s), 3 point(s) added" in capsys.readouterr().out
    loaded = catalogue.load_catalogue(out).products[0]
    assert loaded.selling_points == tuple(product["selling_points"])
    assert loaded.sources["selling_point:0"].startswith("images/detail-zh.jpg, block ")


# ---- the stages without models -----------------------------------------------------------

def _line(x0: float, y0: float, x1: float, y1: float, text: str) -> Line:
    return Line((x0, y0, x1, y1), text, 0.99)


def test_table_rows_join_key_and_value() -> None:
    lines = [_line(60, 100, 130, 124, "Origin"), _line(300, 100, 380, 124, "Peru"),
             _line(60, 150, 190, 174, "Net weight"), _line(300, 150, 360, 174, "250g")]
    joined = table.join_rows(lines)
    assert [ln.text for ln in joined] == ["Origin: Peru", "Net weight: 250g"]
    assert [ln.key for ln in joined] == ["Origin", "Net weight"]


def test_two_columns_of_prose_stay_apart() -> None:
    lines = [_line(60, 100, 330, 124, "Anjou pear is a classic"),
             _line(410, 100, 680, 124, "The pulp is juicy and"),
             _line(60, 140, 320, 164, "pear with a thin shell"),
             _line(410, 140, 660, 164, "has a sweet taste")]
    assert table.join_rows(lines) == sorted(lines, key=lambda ln: (ln.cy, ln.x0))


def test_reading_order_rows_then_columns() -> None:
    def block(x0: float, y0: float, x1: float, y1: float, text: str) -> Block:
        return Block((_line(x0, y0, x1, y1, text),))

    blocks = [block(400, 300, 700, 330, "right 1"), block(60, 300, 350, 330, "left 1"),
              block(60, 100, 700, 140, "title"), block(60, 360, 350, 420, "left 2"),
              block(400, 360, 700, 390, "right 2")]
    ordered = order.reading_order(blocks)
    assert [b.text for b in ordered] == ["title", "left 1", "right 1", "left 2", "right 2"]
    assert [b.index for b in ordered] == list(range(5))


@pytest.mark.parametrize(("text", "cls"), [
    ("Free delivery on orders over $30, returns within 14 days.", "boilerplate"),
    ("全国包邮，七天无理由退换。", "boilerplate"),
    ("© 2024 Harbour Grocers. All rights reserved.", "boilerplate"),
    ("Ingredients: water, oats, rapeseed oil, salt.", "specification"),
    ("Rich in vitamin C and picked at peak ripeness.", "selling_point"),
    ("Product details", "other"),
])
def test_classes_of_single_blocks(text: str, cls: str) -> None:
    block = Block((_line(60, 100, 700, 124, text),))
    assert classify.classify(block, classify.Context(body_height=24)) == cls


def test_points_trimmed_at_sentence_or_clause() -> None:
    long = ("Classic sour milk made from Swedish milk from local farms. The flavour is "
            "slightly acidic with a light creaminess, and the texture is a bit thicker.")
    assert rank.trim(long) == "Classic sour milk made from Swedish milk from local farms."
    assert len(rank.trim("这款连衣裙" * 20)) <= rank.MAX_CHARS["zh"]
    assert rank.clean("• 01 Soft cotton") == "Soft cotton"
    assert rank.clean("1.5 litres of juice") == "1.5 litres of juice"
    assert rank.clean("2、采用优质棉") == "采用优质棉"


def test_with_points_respects_the_catalogue_limit() -> None:
    record = {"id": "p", "title": "T", "images": ["a.jpg"],
              "selling_points": [f"point {i}" for i in range(50)]}
    out = with_points(record, [Point("a new claim", 0.9, "images/d.jpg, block 1")])
    assert len(out["selling_points"]) == 50
    assert "sources" not in out


def test_facts_keep_sources() -> None:
    facts = Facts.from_product({"title": "T", "selling_points": ["Made of 100% cotton"],
                                "sources": {"selling_point:0": "images/d.jpg, block 2"}})
    assert facts.source("selling_point:0") == "images/d.jpg, block 2"
    assert facts.source("selling_point:1") is None
    assert facts == Facts.from_product({"title": "T", "selling_points": ["Made of 100% cotton"]})
    assert np.isclose(sorted(facts.numbers)[0], 100.0)


def test_a_text_area_the_library_recorded_is_not_read_again(tmp_path, monkeypatch) -> None:
    """`ddm materials add` perceived the image: its text area comes from the library (by
    content hash); an image the library lacks is read with OCR."""
    import hashlib
    import time

    from ddm_lang.perception import ocr
    from ddm_lang.perception import record as records
    from ddm_lang.perception.library import MaterialLibrary
    card, photo = tmp_path / "card.png", tmp_path / "photo.png"
    Image.new("RGB", (400, 300), (240, 240, 240)).save(card)
    Image.new("RGB", (400, 300), (20, 120, 60)).save(photo)
    library = MaterialLibrary(tmp_path / "materials.sqlite")
    with library._write() as db:  # a record as `perceive` stores one
        db.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)",
                   (hashlib.sha256(card.read_bytes()).hexdigest(),
                    records.versions_key(library.versions), json.dumps({"text.area": 0.4}),
                    b"", 0.1, time.time()))
    read: list[tuple[int, ...]] = []

    def perceive_text(rgb: np.ndarray) -> dict[str, Any]:
        read.append(rgb.shape)
        return {"text.area": 0.01}

    monkeypatch.setattr(ocr, "perceive_text", perceive_text)
    assert is_detail(card, library=library)       # 0.4 of it is text, as recorded
    assert read == []
    assert not is_detail(photo, library=library)  # not in the library: read
    assert len(read) == 1
    assert not is_detail(card)                    # without the library: read as well
    assert len(read) == 2
