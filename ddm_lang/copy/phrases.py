"""The writer's fixed wording: call-to-action phrases, currency symbols, number formats,
the connective words that turn an attribute into a phrase, and title filler.

Nothing here states a fact about a product: phrases are generic, and every number or
attribute value in a caption comes from the product's data. Tables are per primary
language (`zh-CN` → `zh`); an unknown language uses English.
"""

from __future__ import annotations

import re

# ---- call to action: language → category group → phrases, longest first ------------------
CTA: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "default": ("Shop now", "Buy now", "Shop"),
        "food": ("Order today", "Order now", "Order"),
        "apparel": ("Shop the look", "Shop now", "Shop"),
        "home": ("Shop now", "Buy now", "Shop"),
        "beauty": ("Discover now", "Shop now", "Shop"),
    },
    "zh": {
        "default": ("立即购买", "购买"),
        "food": ("立即下单", "下单"),
        "apparel": ("立即选购", "选购"),
        "home": ("立即购买", "购买"),
        "beauty": ("立即体验", "体验"),
    },
    "de": {"default": ("Jetzt kaufen", "Kaufen"), "food": ("Jetzt bestellen", "Bestellen")},
    "fr": {"default": ("Acheter", "Achat"), "food": ("Commander", "Commander")},
    "sv": {"default": ("Köp nu", "Köp"), "food": ("Beställ idag", "Beställ")},
}

# category words (case-folded, substring match) → CTA group
CATEGORY_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("food", ("grocery", "food", "fruit", "vegetable", "drink", "beverage", "juice", "milk",
              "dairy", "snack", "bakery", "食品", "生鲜", "饮料", "零食", "水果")),
    ("apparel", ("apparel", "fashion", "clothing", "shoe", "dress", "shirt", "上衣", "裙",
                 "裤", "服装", "鞋", "衣")),
    ("home", ("home", "kitchen", "furniture", "decor", "家居", "厨房")),
    ("beauty", ("beauty", "cosmetic", "skincare", "美妆", "护肤")),
)


FOOD_KEYS = ("ingredients", "nutrition", "allergens", "best_before")


def category_group(category: str | None,
                   attributes: tuple[tuple[str, str], ...] = ()) -> str:
    """The CTA group of a category; a product without one that lists ingredients or
    nutrition values is food."""
    c = (category or "").casefold()
    for group, words in CATEGORY_GROUPS:
        if any(w in c for w in words):
            return group
    if not c and any(k.casefold().startswith(FOOD_KEYS) for k, _ in attributes):
        return "food"
    return "default"


# ---- prices -------------------------------------------------------------------------------
CURRENCY_SYMBOLS: dict[str, str] = {
    "USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "RMB": "¥", "JPY": "¥", "KRW": "₩",
    "INR": "₹", "RUB": "₽", "TRY": "₺", "BRL": "R$", "AUD": "A$", "CAD": "C$", "HKD": "HK$",
    "TWD": "NT$", "SGD": "S$", "CHF": "CHF", "SEK": "kr", "NOK": "kr", "DKK": "kr",
    "PLN": "zł",
}
# language → (decimal separator, symbol after the amount?)
NUMBER_STYLE: dict[str, tuple[str, bool]] = {
    "en": (".", False), "zh": (".", False), "ja": (".", False), "ko": (".", False),
    "de": (",", True), "fr": (",", True), "es": (",", True), "it": (",", True),
    "sv": (",", True), "nl": (",", False), "pt": (",", False),
}
MINUS = "\u2212"   # typographic minus for "−20%"

# ---- Chinese attribute phrases: key suffix → template, checked in order --------------------
ZH_KEY_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("版型", "{v}版型"),
    ("风格", "{v}风格"),
    ("材质", "{v}面料"),
    ("图案", "{v}图案"),
    ("颜色", "{v}"),
    ("款式", "{v}设计"),
    ("领型", "{v}设计"),
    ("袖型", "{v}设计"),
    ("下摆", "{v}下摆"),
    ("腰型", "{v}设计"),
    ("门襟", "{v}设计"),
    ("裤口", "{v}裤口"),
    ("类型", "{v}"),
)
ZH_CONNECTIVES = frozenset({"版型", "风格", "面料", "图案", "设计", "下摆", "裤口", "，"})

# keys whose value names the garment itself (the head noun of a Chinese headline)
ZH_NOUN_KEYS = ("衣样式", "裙型", "裤型", "裤长", "裙长", "类型")

# ---- English attribute phrases ------------------------------------------------------------
EN_KEY_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("manufacturing_country", "Made in {v}"),
    ("country_of_origin", "From {v}"),
    ("origin", "From {v}"),
    ("country", "From {v}"),
)
EN_CONNECTIVES = frozenset({"Made in", "From"})

# ---- title filler dropped from headlines -------------------------------------------------
BRACKETS = re.compile(r"\s*(\([^()]*\)|（[^（）]*）|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕)\s*")
FILLER_EN = re.compile(   # whole words only: not the "Hot" of "Hot-Swappable"
    r"(?<![\w-])(new|hot|sale|best ?seller|best|premium|official|limited edition|limited|"
    r"free shipping|class \d+|grade [a-z0-9]+)(?![\w-])", re.IGNORECASE)
FILLER_ZH = re.compile(r"(新款|新品|热卖|爆款|包邮|正品|官方|旗舰店|特价|限时|秒杀|促销|"
                       r"20\d\d年?(春|夏|秋|冬|春夏|秋冬)?款?)")

# CJK words kept whole when a title is shortened (besides the attribute vocabulary)
ZH_LEXICON = frozenset(str.split("""
跑步鞋 运动鞋 休闲鞋 板鞋 帆布鞋 高跟鞋 凉鞋 靴子 拖鞋 连衣裙 半身裙 衬衫 卫衣 外套 夹克 毛衣
针织衫 牛仔裤 阔腿裤 休闲裤 短裤 背包 双肩包 手提包 钱包 手表 耳机 手机 水杯 马克杯 保温杯
橄榄油 咖啡 茶叶 牛奶 酸奶 果汁 面膜 口红 香水 洗发水 沐浴露 轻盈 透气 缓震 舒适 经典 时尚
"""))

# words a shortened title must not start or end with
FUNCTION_WORDS = frozenset(str.split("""
a an the and or of with for in on from to by med och av till für mit und de du des et avec
without utan ohne sans sin senza plus
"""))
