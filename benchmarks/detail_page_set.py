"""A labelled set of long product detail pages, laid out from real product texts.

Why this exists: no labelled set of "detail page" images (the tall stacked panels a shop
puts under a listing) ships with the data, and the copy extractor
(`ddm_lang.copy.detail`) must find a page's blocks, read them in order, tell claims from
specs and shop notices, and rank the claims. Laying real product texts out as detail pages
gives the truth of every block (box, class, reading-order index, text) exactly. Everything
follows from the split and the seed, so the set is the same on every machine and is never
stored; `--out DIR` writes it for a person to look at (PNGs plus labels.json).

Texts:

- **English** pages come from the grocery set (`products-grocery`): the product title is
  the page heading, each sentence of the description a selling-point block, the
  Information file's fields (origin, weight or volume, maker, ingredients, nutrition per
  100 g) the specification table and paragraphs, and the product photo an image panel.
- **Chinese** pages come from AdvertiseGen (`copy-advertisegen`): the sentences of the ad
  copy (`summary`) are the selling points, the `key#value` pairs of `content` the spec
  table, and a heading is made of the style, material and garment values.
- Both get section headings, shop notices (shipping, returns, after-sales, colour
  disclaimers, copyright, calls to buy), stray decoration (a kicker above the title) and,
  in Chinese, English subtitles under headings.

The notices, headings and spec-key wordings below are this benchmark's own: a separate
list in other words than the extractor's classifier lexicons
(`ddm_lang/copy/detail/classify.py`, written before these lists), so the class figures
measure how the classifier's rules generalise instead of reading its own phrases back.
Each list is split in two: the `tune` split draws its wordings from one half (and its
products from one half of the grocery set and from AdvertiseGen's train file), the `test`
split from the other half (the other products, AdvertiseGen's dev file). The lexicons
were extended only after failures on the `tune` split, so no wording or product of the
recorded `test` figures was seen while tuning. (Both lists are by the project's authors;
the split, not the authorship, is what keeps them apart.)

Designs (page width 750 px, as shops set them): `centred` (one centred column),
`panels` (left-aligned, photo or colour panels between blocks), `table` (a bordered
two-column spec table with zebra rows, bulleted claims), `banner` (headings on full-width
colour bars), `cards` (claims in a two-column grid of cards, read row by row). Fonts are
the project's bundled faces (Inter, Noto Sans, Noto Sans CJK SC) at random weights and
sizes. Each page is JPEG-compressed once, as a shop's upload is.

Labelling rules (the extractor follows the same ones; see `ddm_lang.copy.detail.blocks`):
a heading is its own block, apart from the text under it; a spec table is one block whose
text is its rows as `key: value` lines; section headings of claims and specs are `other`,
a shop-notice section's heading is `boilerplate`, and an English subtitle under a Chinese
heading ("产品参数 / PRODUCT INFO") is a block of its own, of its heading's class. Photo
panels are "don't care" regions: package print inside them is not labelled, and a
predicted block lying in one is neither right nor wrong.

    .venv/bin/python benchmarks/detail_page_set.py --out /tmp/detail --limit 10
    .venv/bin/python benchmarks/detail_page_set.py --out /tmp/detail --split tune --seed 0
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
GROCERY = DATA / "products-grocery" / "iconic-images-and-descriptions"
ADVERTISEGEN = DATA / "copy-advertisegen"
WIDTH = 750
DESIGNS = ("centred", "panels", "table", "banner", "cards")
SPLITS = ("tune", "test")
PAGES_PER_LANG = 40        # per split: 8 per design and language
COVERAGE = 32              # glyph coverage (0..255) that counts as ink for a label box
MAX_HEIGHT = 12_000

# ---- this benchmark's own wordings (never copied from the classifier) ---------------------

EN_NOTICES = (
    "Orders placed before 3 pm are packed and sent the same working day.",
    "Not happy with it? Send it back within 30 days and get your money refunded.",
    "Standard delivery is free on baskets over $35.",
    "Questions about an order? Our support team answers within 24 hours.",
    "Shades on your screen can look a little different from the real thing.",
    "Every parcel is tracked from our warehouse to your door.",
    "Swaps are free of charge for 14 days after it arrives.",
    "Prices include VAT. Delivery can take longer during public holidays.",
    "Damaged on arrival? Keep the box and message us with a photo.",
    "Pictures are for presentation purposes; packaging may change.",
    "We ship to all mainland addresses; islands may take two extra days.",
    "Returned goods must be unopened and in their original packaging.",
    "Our helpdesk is open Monday to Friday, 9:00 to 17:00.",
    "Cold items travel in insulated boxes with ice packs.",
    "Collect your order for free at any of our partner shops.",
    "Vouchers cannot be exchanged for cash.",
)
EN_FOOTERS = (
    "© 2024 Northfield Market. All rights reserved.",
    "Tap \"Add to basket\" to get yours today.",
    "Copyright Greenway Foods Ltd. Reproduction prohibited.",
    "Follow our store for weekly deals.",
    "Press the buy button below to order.",
    "All images © Harbour Grocers 2023.",
)
EN_NOTICE_HEADINGS = ("Delivery & Returns", "Shopping notes", "Customer care", "Before you buy",
                      "Shipping information", "Our promise to you")
EN_POINT_HEADINGS = ("Why you'll love it", "Highlights", "The good stuff", "About this product",
                     "What makes it special", "In a nutshell")
EN_SPEC_HEADINGS = ("Product information", "At a glance", "Specifications", "The details",
                    "Product facts", "Key facts")
EN_NUTRITION_HEADINGS = ("Nutrition per 100 g", "Nutritional values", "Per 100 gram",
                         "Nutrition facts")
EN_KICKERS = ("FRESH PICK", "NEW IN", "STORE FAVOURITE", "THIS WEEK", "SEASONAL", "BESTSELLER")
EN_KEYS = {
    "product": ("Product", "Item", "Product name", "Name"),
    "origin": ("Country of origin", "Origin", "Grown in", "Produce of"),
    "amount": ("Net weight", "Pack size", "Weight", "Quantity"),
    "maker": ("Brand", "Producer", "Made by", "Maker"),
    "made_in": ("Made in", "Country of manufacture", "Produced in", "Manufactured in"),
    "ingredients": ("Ingredients", "What's inside", "Made with", "Contents"),
}
ZH_NOTICES = (
    "下单后48小时内安排出库，偏远地区顺延两天。",
    "收件时请先验看外包装，有破损可直接拒签。",
    "支持7天无理由退换，寄回时请保持吊牌完整。",
    "因拍摄光线不同，图片与实物颜色可能略有差异。",
    "本店图片均为原创实拍，未经许可禁止转载。",
    "有任何疑问请联系在线客服，我们会尽快回复。",
    "满199元免运费，港澳台及海外地区除外。",
    "收到商品后如果满意，欢迎给我们五星评价。",
    "平铺手工测量，存在1-3cm误差属正常现象。",
    "节假日期间物流可能延迟，敬请耐心等待。",
    "退回商品需不影响二次销售，否则不予受理。",
    "请在签收后15天内确认收货。",
    "本店不接受任何形式的议价，请谅解。",
    "质量问题来回运费由我们承担。",
)
ZH_FOOTERS = (
    "© 2024 衣见倾心旗舰店 版权所有",
    "喜欢就点击下方按钮立即下单吧",
    "收藏店铺 上新第一时间通知您",
    "加入购物车 好物不等人",
    "图片版权归本店所有 盗用必究",
    "关注我们 每周都有新款",
)
ZH_NOTICE_HEADINGS = ("购物须知", "售后保障", "物流说明", "温馨提示", "退换说明", "买家必读")
ZH_POINT_HEADINGS = ("设计亮点", "产品亮点", "细节解析", "穿搭推荐", "款式介绍", "卖点解读")
ZH_SPEC_HEADINGS = ("产品参数", "商品信息", "基本参数", "宝贝详情", "规格参数", "商品档案")
ZH_SUBTITLES = {"points": ("HIGHLIGHTS", "DESIGN DETAILS", "FEATURES", "WHY CHOOSE"),
                "specs": ("PRODUCT INFO", "SPECIFICATION", "PARAMETERS", "INFORMATION"),
                "notices": ("NOTICE", "AFTER SERVICE", "SHOPPING GUIDE", "DELIVERY")}
ZH_KICKERS = ("NEW ARRIVAL", "2024 NEW", "HOT SALE", "SPRING & SUMMER", "BEST CHOICE",
              "LIMITED")
# AdvertiseGen keys whose values name the garment, most specific first (for the heading).
ZH_NOUN_KEYS = ("裙型", "裤型", "衣样式", "鞋款式", "类型")

PAPERS = ((255, 255, 255), (250, 248, 244), (246, 246, 246), (255, 251, 242),
          (244, 248, 245), (248, 246, 252))
INKS = ((30, 30, 30), (51, 51, 51), (68, 58, 50), (28, 42, 66), (60, 60, 60))
ACCENTS = ((178, 34, 52), (0, 92, 120), (46, 110, 60), (200, 110, 20), (96, 60, 140),
           (30, 30, 30), (150, 100, 60), (20, 70, 140))
SOFT = ((232, 240, 236), (245, 236, 226), (232, 236, 246), (248, 240, 240), (238, 238, 230))
LATIN_FAMILIES = ("inter", "noto sans")
CJK_FAMILY = "noto sans cjk sc"


# ---- the product texts ------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """One product's texts, as a page lays them out."""

    lang: str
    name: str
    title: str
    points: tuple[str, ...]
    specs: tuple[tuple[str, str], ...]
    ingredients: str | None = None
    nutrition: tuple[tuple[str, str], ...] = ()
    photo: Path | None = None
    attributes: tuple[str, ...] = ()


def _fields(text: str) -> dict[str, str]:
    """`Key: value` lines of a grocery Information file (indented lines continue)."""
    out: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        m = re.match(r"([A-Z][A-Za-z0-9 ]+):\s*(.*)$", line)
        if m and not line[:1].isspace():
            key = m.group(1).strip()
            out[key] = m.group(2).strip()
        elif key and line.strip():
            out[key] = (out[key] + "\n" + line.strip()).strip()
    return out


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if len(s.strip()) > 3]


def grocery_sources(split: str) -> list[Source]:
    """The grocery products of a split (alternate products, in path order)."""
    files = sorted(GROCERY.rglob("*_Information.txt"))
    if not files:
        raise FileNotFoundError(f"no *_Information.txt under {GROCERY}")
    half = SPLITS.index(split)
    rng = random.Random(f"grocery-keys:{split}")
    out = []
    for info in files[half::2]:
        stem = info.name.removesuffix("_Information.txt")
        f = _fields(info.read_text(encoding="utf-8"))
        desc_file = info.with_name(f"{stem}_Description.txt")
        desc = desc_file.read_text(encoding="utf-8") if desc_file.exists() else ""
        title = f.get("Title") or stem.replace("-", " ")
        specs: list[tuple[str, str]] = [(_key(rng, "product", half), title)]
        if "Country and volume" in f:
            country, _, amount = f["Country and volume"].partition(",")
            specs.append((_key(rng, "origin", half), country.strip()))
            if amount.strip():
                specs.append((_key(rng, "amount", half), amount.strip()))
        if "Country" in f:
            specs.append((_key(rng, "origin", half), f["Country"]))
        if "Manufacturer and volume" in f:
            maker, _, amount = f["Manufacturer and volume"].partition(",")
            specs.append((_key(rng, "maker", half), maker.strip()))
            if amount.strip():
                specs.append((_key(rng, "amount", half), amount.strip()))
        if "Manufacturing country" in f:
            specs.append((_key(rng, "made_in", half), f["Manufacturing country"]))
        ingredients = None
        if f.get("Ingredients"):
            body = re.sub(r"^\s*INGREDIENSER:\s*", "", f["Ingredients"])
            ingredients = f"{_key(rng, 'ingredients', half)}: {body}"
        nutrition: list[tuple[str, str]] = []
        for line in f.get("Nutrition values per 100 gram", "").splitlines():
            m = re.match(r"(.+?)\s+(ca .+)$", line.strip())
            if m and all(k != m.group(1) for k, _ in nutrition):
                nutrition.append((m.group(1), m.group(2)))
        photo = next(iter(sorted(info.parent.glob("*_Iconic.jpg"))), None)
        points = tuple(_sentences(desc or f.get("Description", "")))[:6]
        if not points:
            continue
        out.append(Source("en", stem, title, points, tuple(specs), ingredients,
                          tuple(nutrition[:6]), photo,
                          tuple(v for _, v in specs[1:])))
    return out


def _key(rng: random.Random, kind: str, half: int) -> str:
    return rng.choice(EN_KEYS[kind][half::2])


def advertisegen_sources(split: str, count: int, seed: int) -> list[Source]:
    """`count` AdvertiseGen products of a split (tune: train.jsonl, test: dev.jsonl)
    with four or more attributes and copy long enough for three claims."""
    path = ADVERTISEGEN / ("train.jsonl" if split == "tune" else "dev.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    fit = [r for r in rows if len(r["summary"]) >= 70 and r["content"].count("#") >= 4]
    rng = random.Random(f"advertisegen:{split}:{seed}")
    out = []
    for i, row in enumerate(rng.sample(fit, count)):
        pairs: dict[str, list[str]] = {}
        for part in row["content"].split("*"):
            key, _, value = part.partition("#")
            if value and value not in pairs.setdefault(key, []):
                pairs[key].append(value)
        specs = tuple((k, "、".join(v)) for k, v in pairs.items())
        noun = next((pairs[k][0] for k in ZH_NOUN_KEYS if k in pairs), "单品")
        title = "".join([*(pairs.get("风格", [])[:1]), *(pairs.get("材质", [])[:1]), noun])
        out.append(Source("zh", f"advertisegen-{split}-{i:03d}", title,
                          tuple(_zh_points(row["summary"])), specs,
                          attributes=tuple(v for vs in pairs.values() for v in vs)))
    return out


def _zh_points(summary: str) -> list[str]:
    """Ad copy as claims: its sentences, the longest split at a comma near its middle
    until there are three (a detail page sets one idea per block)."""
    parts = [p for p in re.findall(r"[^。！？；]+[。！？；]?", summary.replace("BRAND", "本品").replace("<UNK>", ""))
             if len(p.strip()) > 3]
    while len(parts) < 3:
        longest = max(range(len(parts)), key=lambda i: len(parts[i]))
        p = parts[longest]
        commas = [m.end() for m in re.finditer("，", p) if 8 <= m.end() <= len(p) - 8]
        if not commas:
            break
        cut = min(commas, key=lambda c: abs(c - len(p) / 2))
        parts[longest:longest + 1] = [p[:cut - 1] + "。", p[cut:]]
    return [p.strip() for p in parts][:6]


# ---- fonts and drawing --------------------------------------------------------------------

@cache
def font(family: str, size: int, weight: int) -> ImageFont.FreeTypeFont:
    """A FreeType face of the project's font registry (`renderer.fonts.pil_font`)."""
    from ddm_lang.renderer.fonts import pil_font
    return pil_font(family, size, weight)


Box = tuple[int, int, int, int]
_NO_LINE_START = set("，。、；：！？）」』”’,.;:!?)")


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """`text` broken into lines no wider than `width`: at spaces for Latin text, between
    any two characters for CJK text (never before closing punctuation)."""
    cjk = any("\u4e00" <= c <= "\u9fff" for c in text)
    units = list(text) if cjk else text.split()
    lines: list[str] = []
    current = ""
    for unit in units:
        trial = current + unit if cjk or not current else f"{current} {unit}"
        if not current or face.getlength(trial) <= width or (cjk and unit in _NO_LINE_START):
            current = trial
        else:
            lines.append(current)
            current = unit
    if current:
        lines.append(current)
    return lines


@dataclass
class TrueBlock:
    """One block's truth: box (x0, y0, x1, y1) in page pixels, class, text."""

    box: Box
    cls: str
    text: str
    order: int = -1


@dataclass
class Canvas:
    """A page being drawn top to bottom: `y` is the next free row."""

    rng: random.Random
    lang: str
    paper: tuple[int, int, int]
    image: Image.Image = field(init=False)
    y: int = 0
    blocks: list[TrueBlock] = field(default_factory=list)
    ignore: list[Box] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.image = Image.new("RGB", (WIDTH, MAX_HEIGHT), self.paper)

    def ink(self, x: float, y: float, text: str, face: ImageFont.FreeTypeFont,
            colour: tuple[int, int, int]) -> Box | None:
        """Draw one line with its layout box's top-left at (x, y); its tight ink box."""
        x0, _, x1, _ = (int(v) for v in face.getbbox(text))
        ascent, descent = face.getmetrics()
        w, h = int(x1 - min(x0, 0)) + 8, ascent + descent + 8
        layer = Image.new("L", (w, h), 0)
        ImageDraw.Draw(layer).text((4 - min(x0, 0), 4), text, font=face, fill=255)
        ys, xs = np.nonzero(np.asarray(layer) >= COVERAGE)
        if xs.size == 0:
            return None
        ox, oy = round(x) - 4 + min(x0, 0), round(y) - 4
        self.image.paste(Image.new("RGB", (w, h), colour), (ox, oy), layer)
        return (ox + int(xs.min()), oy + int(ys.min()), ox + int(xs.max()) + 1,
                oy + int(ys.max()) + 1)

    def text(self, text: str, face: ImageFont.FreeTypeFont, colour: tuple[int, int, int], *,
             left: float, width: float, align: str = "left", pitch: float = 1.45,
             dry: bool = False) -> tuple[list[Box], int]:
        """A paragraph wrapped to `width` from `left`, starting at `self.y`: the ink boxes
        of its lines and its height. `dry` measures without drawing."""
        lines = wrap(text, face, width)
        size = int(face.size)
        step = round(size * pitch)
        boxes = []
        for i, line in enumerate(lines):
            w = face.getlength(line)
            x = left if align == "left" else left + (width - w) / 2 if align == "centre" \
                else left + width - w
            if not dry:
                box = self.ink(x, self.y + i * step, line, face, colour)
                if box:
                    boxes.append(box)
        return boxes, step * (len(lines) - 1) + size + round(size * 0.3)

    def block(self, cls: str, text: str, boxes: list[Box]) -> None:
        if boxes:
            self.blocks.append(TrueBlock(_union(boxes), cls, text))

    def rect(self, box: tuple[float, float, float, float], fill: tuple[int, int, int],
             radius: int = 0, outline: tuple[int, int, int] | None = None) -> None:
        ImageDraw.Draw(self.image).rounded_rectangle(
            [round(v) for v in box], radius=radius, fill=fill, outline=outline)


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))


def _join(lines: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(lines)


# ---- the page designs ---------------------------------------------------------------------

@dataclass
class Style:
    """One page's typography and colours, drawn from its random stream."""

    family: str
    body: int
    heading: int
    small: int
    pitch: float
    gap: int
    section: int
    margin: int
    ink: tuple[int, int, int]
    muted: tuple[int, int, int]
    accent: tuple[int, int, int]
    soft: tuple[int, int, int]
    heading_weight: int
    body_weight: int

    def face(self, size: int, weight: int | None = None) -> ImageFont.FreeTypeFont:
        return font(self.family, size, weight or self.body_weight)


def _style(rng: random.Random, lang: str) -> Style:
    body = rng.randint(22, 28)
    return Style(
        family=CJK_FAMILY if lang == "zh" else rng.choice(LATIN_FAMILIES),
        body=body, heading=rng.randint(34, 50), small=rng.randint(17, 21),
        pitch=rng.uniform(1.4, 1.65), gap=round(body * rng.uniform(1.2, 1.9)),
        section=rng.randint(70, 130), margin=rng.randint(40, 70),
        ink=rng.choice(INKS), muted=(rng.randint(110, 140),) * 3,
        accent=rng.choice(ACCENTS), soft=rng.choice(SOFT),
        heading_weight=rng.choice((600, 700, 800)), body_weight=rng.choice((400, 400, 500)))


def _pick(rng: random.Random, pool: tuple[str, ...], half: int) -> str:
    return rng.choice(pool[half::2])


def render(source: Source, design: str, split: str, seed: int, index: int) -> DetailPage:
    """One labelled page; its random stream is seeded by (split, seed, product, design),
    so a page does not depend on which other pages were made."""
    rng = random.Random(f"{split}:{seed}:{source.name}:{design}:{index}")
    half = SPLITS.index(split)
    st = _style(rng, source.lang)
    c = Canvas(rng, source.lang, rng.choice(PAPERS))
    zh = source.lang == "zh"
    left, width = st.margin, WIDTH - 2 * st.margin
    centred = design in ("centred", "banner", "cards")
    align = "centre" if design == "centred" else "left"

    # hero: kicker, title, panel
    c.y = rng.randint(50, 90)
    if rng.random() < 0.5:
        kicker = _pick(rng, ZH_KICKERS if zh else EN_KICKERS, half)
        boxes, h = c.text(kicker, st.face(st.small, 600), st.accent, left=left, width=width,
                          align="centre" if centred else "left")
        c.block("other", kicker, boxes)
        c.y += h + round(st.small * 0.9)
    face = st.face(st.heading + 8, st.heading_weight)
    boxes, h = c.text(source.title, face, st.ink, left=left, width=width,
                      align="centre" if centred else "left", pitch=1.25)
    c.block("other", _join(wrap(source.title, face, width), source.lang), boxes)
    c.y += h + st.section // 2
    if design in ("panels", "banner") or rng.random() < 0.4:
        _panel(c, source, st, rng)

    sections = ["points", "specs", "notices"]
    if rng.random() < 0.25:    # some shops lead with the facts
        sections = ["specs", "points", "notices"]
    for section in sections:
        if section == "points":
            _points(c, source, st, design, half, align)
        elif section == "specs":
            _specs(c, source, st, design, half, align)
        else:
            _notices(c, source, st, design, half, align)
        c.y += st.section
    c.y += 20

    image = c.image.crop((0, 0, WIDTH, c.y))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=rng.randint(80, 92))
    page = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    for i, b in enumerate(c.blocks):
        b.order = i
    name = f"{split}-{seed}-{source.lang}-{index:02d}-{design}"
    return DetailPage(name, source.lang, design, split, seed, source, page, c.blocks, c.ignore)


def _heading(c: Canvas, st: Style, text: str, cls: str, design: str, half: int,
             subtitle: str | None) -> None:
    """A section heading: on a colour bar in the banner design; a Chinese heading may
    carry a small English subtitle under it (its own block, of the heading's class)."""
    zh = c.lang == "zh"
    face = st.face(st.heading, st.heading_weight)
    centred = design in ("centred", "banner", "cards")
    left, width = st.margin, WIDTH - 2 * st.margin
    if design == "banner":
        _, h = c.text(text, face, st.ink, left=left, width=width, align="centre", dry=True)
        pad = round(st.heading * 0.6)
        extra = round(st.small * 1.6) if subtitle and zh else 0
        sub = _pick(c.rng, ZH_SUBTITLES[subtitle], half) if extra and subtitle else ""
        c.rect((0, c.y, WIDTH, c.y + h + 2 * pad + extra), st.accent)
        c.y += pad
        boxes, h = c.text(text, face, (255, 255, 255), left=left, width=width, align="centre")
        c.block(cls, text, boxes)
        c.y += h
        if extra:
            boxes, _ = c.text(sub, st.face(st.small - 2, 500), (235, 235, 235), left=left,
                              width=width, align="centre")
            c.block(cls, sub, boxes)
            c.y += extra
        c.y += pad + st.gap
        return
    boxes, h = c.text(text, face, st.accent if c.rng.random() < 0.5 else st.ink, left=left,
                      width=width, align="centre" if centred else "left")
    c.block(cls, text, boxes)
    c.y += h
    if subtitle and zh:
        c.y += round(st.small * 0.4)
        sub = _pick(c.rng, ZH_SUBTITLES[subtitle], half)
        boxes, h = c.text(sub, st.face(st.small - 2, 500), st.muted, left=left, width=width,
                          align="centre" if centred else "left")
        c.block(cls, sub, boxes)
        c.y += h
    c.y += st.gap


def _panel(c: Canvas, source: Source, st: Style, rng: random.Random) -> None:
    """An image panel: the product photo (a don't-care region: its package print is not
    labelled) or a colour panel with a soft shape."""
    if source.photo is not None and rng.random() < 0.8:
        side = rng.randint(420, 650)
        with Image.open(source.photo) as img:
            photo = img.convert("RGB")
        scale = side / max(photo.size)
        photo = photo.resize((round(photo.width * scale), round(photo.height * scale)),
                             Image.Resampling.LANCZOS)
        x = (WIDTH - photo.width) // 2 if rng.random() < 0.6 else st.margin
        c.image.paste(photo, (x, c.y))
        c.ignore.append((x, c.y, x + photo.width, c.y + photo.height))
        c.y += photo.height + st.section // 2
        return
    h = rng.randint(220, 420)
    c.rect((0, c.y, WIDTH, c.y + h), st.soft)
    r = rng.randint(60, h // 2 - 10)
    cx, cy = rng.randint(r, WIDTH - r), c.y + h // 2
    ImageDraw.Draw(c.image).ellipse((cx - r, cy - r, cx + r, cy + r),
                                    fill=tuple(max(v - 18, 0) for v in st.soft))
    c.y += h + st.section // 2


def _points(c: Canvas, source: Source, st: Style, design: str, half: int, align: str) -> None:
    zh = c.lang == "zh"
    heading = _pick(c.rng, ZH_POINT_HEADINGS if zh else EN_POINT_HEADINGS, half)
    _heading(c, st, heading, "other", design, half, subtitle="points" if c.rng.random() < 0.7 else None)
    face = st.face(st.body + (2 if c.rng.random() < 0.5 else 0))
    left, width = st.margin, WIDTH - 2 * st.margin
    if design == "cards":
        _cards(c, source, st, face)
        return
    for i, point in enumerate(source.points):
        x, w = float(left), float(width)
        if design == "table":      # a bullet square beside each claim
            size = max(int(face.size) // 3, 6)
            c.rect((left, c.y + face.size * 0.45, left + size, c.y + face.size * 0.45 + size),
                   st.accent)
            x, w = left + size + 14, width - size - 14
        boxes, h = c.text(point, face, st.ink, left=x, width=w, align=align, pitch=st.pitch)
        c.block("selling_point", _join(wrap(point, face, w), c.lang), boxes)
        c.y += h + st.gap
        if design == "panels" and i % 2 == 1 and i < len(source.points) - 1:
            _panel(c, source, st, c.rng)


def _cards(c: Canvas, source: Source, st: Style, face: ImageFont.FreeTypeFont) -> None:
    """Claims in a two-column grid of cards; cards of one row share its height."""
    gutter, pad = 24, 20
    cw = (WIDTH - 2 * st.margin - gutter) // 2
    points = list(source.points)
    for r in range(0, len(points), 2):
        row = points[r:r + 2]
        heights = [c.text(p, face, st.ink, left=0, width=cw - 2 * pad, pitch=st.pitch,
                          dry=True)[1] for p in row]
        h = max(heights) + 2 * pad
        top = c.y
        for j, p in enumerate(row):
            x = st.margin + j * (cw + gutter)
            c.rect((x, top, x + cw, top + h), st.soft, radius=14)
            c.y = top + pad
            boxes, _ = c.text(p, face, st.ink, left=x + pad, width=cw - 2 * pad, pitch=st.pitch)
            c.block("selling_point", _join(wrap(p, face, cw - 2 * pad), c.lang), boxes)
        c.y = top + h + gutter


def _specs(c: Canvas, source: Source, st: Style, design: str, half: int, align: str) -> None:
    zh = c.lang == "zh"
    heading = _pick(c.rng, ZH_SPEC_HEADINGS if zh else EN_SPEC_HEADINGS, half)
    _heading(c, st, heading, "other", design, half,
             subtitle="specs" if c.rng.random() < 0.7 else None)
    style = {"centred": "split", "panels": "inline", "table": "grid"}.get(
        design, c.rng.choice(("split", "grid", "columns", "inline")))
    _table(c, source.specs, st, style)
    if source.ingredients:
        c.y += st.gap
        face = st.face(max(st.body - 3, 18))
        left, width = st.margin, WIDTH - 2 * st.margin
        boxes, h = c.text(source.ingredients, face, st.ink, left=left, width=width,
                          align=align, pitch=st.pitch)
        c.block("specification", _join(wrap(source.ingredients, face, width), "en"), boxes)
        c.y += h
    if source.nutrition:
        c.y += st.section // 2
        heading = _pick(c.rng, EN_NUTRITION_HEADINGS, half)
        _heading(c, st, heading, "other", "panels" if design == "banner" else design, half,
                 subtitle=None)
        _table(c, source.nutrition, st, "grid" if style == "grid" else "columns")


def _table(c: Canvas, rows: tuple[tuple[str, str], ...], st: Style, style: str) -> None:
    """A spec table, one block whose text is its `key: value` rows. Styles: `split`
    (keys right-aligned left of the page's centre, values left-aligned right of it),
    `grid` (bordered cells, shaded key column), `columns` (key and value columns, no
    rules), `inline` (one `Key: value` line per row)."""
    face = st.face(max(st.body - 2, 19))
    key_face = st.face(max(st.body - 2, 19), 600) if c.rng.random() < 0.5 else face
    left, width = st.margin, WIDTH - 2 * st.margin
    step = round(face.size * c.rng.uniform(1.9, 2.4))
    boxes: list[Box] = []
    texts = []
    key_w = max(key_face.getlength(k) for k, _ in rows)
    if style == "grid":
        col = round(min(key_w + 40, width * 0.42))
        c.rect((left, c.y, left + width, c.y + step * len(rows)), (255, 255, 255),
               outline=(200, 200, 200))
    for k, v in rows:
        top = c.y + (step - face.size) // 2 - round(face.size * 0.1)
        if style == "inline":
            text = f"{k}: {v}"
            bxs, h = c.text(text, face, st.ink, left=left, width=width, pitch=1.3)
            boxes += bxs
            texts.append(_join(wrap(text, face, width), "zh" if c.lang == "zh" else "en"))
            c.y += h + round(face.size * 0.5)
            continue
        if style == "split":
            kx = WIDTH / 2 - 18 - key_face.getlength(k)
            vx, vw = WIDTH / 2 + 18, WIDTH / 2 - 18 - st.margin
        elif style == "grid":
            kx, vx, vw = left + 20, left + col + 20, width - col - 40
            c.rect((left, c.y, left + col, c.y + step), st.soft, outline=(200, 200, 200))
            c.rect((left + col, c.y, left + width, c.y + step), (255, 255, 255),
                   outline=(200, 200, 200))
        else:
            kx, vx = left, left + round(key_w) + c.rng.randint(40, 90)
            vw = left + width - vx
        value = v if face.getlength(v) <= vw else wrap(v, face, vw)[0]
        kb = c.ink(kx, top, k, key_face, st.muted if style == "columns" else st.ink)
        vb = c.ink(vx, top, value, face, st.ink)
        boxes += [b for b in (kb, vb) if b]
        texts.append(f"{k}: {value}")
        c.y += step
    c.block("specification", "\n".join(texts), boxes)


def _notices(c: Canvas, source: Source, st: Style, design: str, half: int, align: str) -> None:
    """The shop's notices: a heading, two to four notices and a footer line (copyright or
    a call to buy), in smaller grey type, sometimes on a light box."""
    zh = c.lang == "zh"
    rng = c.rng
    heading = _pick(rng, ZH_NOTICE_HEADINGS if zh else EN_NOTICE_HEADINGS, half)
    _heading(c, st, heading, "boilerplate", design, half,
             subtitle="notices" if rng.random() < 0.5 else None)
    boxed = design != "banner" and rng.random() < 0.5
    face = st.face(st.small)
    left, width = st.margin + (24 if boxed else 0), WIDTH - 2 * st.margin - (48 if boxed else 0)
    notes = rng.sample((ZH_NOTICES if zh else EN_NOTICES)[half::2], rng.randint(2, 4))
    notes.append(rng.choice((ZH_FOOTERS if zh else EN_FOOTERS)[half::2]))
    spacing = [round(st.small * rng.uniform(1.0, 1.6)) for _ in notes]
    if boxed:
        total = sum(c.text(n, face, st.muted, left=left, width=width, pitch=st.pitch,
                           dry=True)[1] + s for n, s in zip(notes, spacing, strict=True))
        c.rect((st.margin, c.y - 16, WIDTH - st.margin, c.y + total + st.gap), st.soft,
               radius=12)
    for i, (note, space) in enumerate(zip(notes, spacing, strict=True)):
        if i == len(notes) - 1:
            c.y += st.gap
        boxes, h = c.text(note, face, st.muted, left=left, width=width, align=align,
                          pitch=st.pitch)
        c.block("boilerplate", _join(wrap(note, face, width), c.lang), boxes)
        c.y += h + space


# ---- the set ---------------------------------------------------------------------------

@dataclass
class DetailPage:
    name: str
    lang: str
    design: str
    split: str
    seed: int
    source: Source
    image: np.ndarray
    blocks: list[TrueBlock]
    ignore: list[Box]

    def label(self) -> dict:
        h, w = self.image.shape[:2]
        return {"name": self.name, "lang": self.lang, "design": self.design,
                "split": self.split, "seed": self.seed, "product": self.source.name,
                "title": self.source.title, "width": w, "height": h,
                "ignore": [list(b) for b in self.ignore],
                "blocks": [{"order": b.order, "class": b.cls, "box": list(b.box),
                            "text": b.text} for b in self.blocks]}


def sources(split: str, seed: int) -> list[Source]:
    """PAGES_PER_LANG products per language, English and Chinese alternating."""
    en = grocery_sources(split)
    random.Random(f"grocery:{split}:{seed}").shuffle(en)
    zh = advertisegen_sources(split, PAGES_PER_LANG, seed)
    out = []
    for i in range(PAGES_PER_LANG):
        out += [en[i % len(en)], zh[i]]
    return out


def iter_pages(split: str = "test", seed: int = 1, limit: int | None = None
               ) -> Iterator[DetailPage]:
    """The split's pages, each language cycling through the designs."""
    count = {"en": 0, "zh": 0}
    for i, source in enumerate(sources(split, seed)[:limit]):
        design = DESIGNS[count[source.lang] % len(DESIGNS)]
        count[source.lang] += 1
        yield render(source, design, split, seed, i)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="folder for the PNGs and labels.json")
    ap.add_argument("--split", choices=SPLITS, default="test")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, help="only the first N pages")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    labels = []
    for page in iter_pages(args.split, args.seed, args.limit):
        Image.fromarray(page.image).save(args.out / f"{page.name}.png")
        labels.append(page.label())
    (args.out / "labels.json").write_text(json.dumps(
        {"split": args.split, "seed": args.seed, "pages": labels}, indent=1,
        ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(labels)} pages and labels.json to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
