"""How human copy phrases an attribute, mined from AdvertiseGen, for selling points.

A fixed template per key (条纹图案, 宽松版型) reads like a spec sheet, and a line of three
such phrases repeats its head word (撞色图案，印花图案，卡通图案). Copywriters say 条纹元素,
经典的条纹, 宽松的版型, 泡泡袖设计, and write a shared head once: 撞色印花图案.
`training/mine_phrase_patterns.py` counts those contexts in train.jsonl and writes
`weights/phrase_patterns.json`, loaded here once per process:

- a `Pattern` is `prefix + value + suffix` (`经典的` + 条纹, 宽松 + `的版型`), with how often
  copy used it; patterns are kept per key group (the key's last two characters: 衣袖型
  and 裙袖型 are 袖型) and per (group, value) where the value is frequent enough;
- `patterns_for(key, value)` gives the applicable ones, the value's own first, then the
  group's, most frequent first;
- `merge` writes several values that share a head once, joined the way copy joins them
  (mined: run together, 撞色印花图案, far more often than with 和 or 、), and `Phrase`
  carries the parts the writer needs to do so.

Patterns state nothing but the value they are filled with: their words contain no
attribute value of the domain vocabulary, no number, and no garment, body, colour,
season or gender character (`FACT_CHARS`) that the key's own name does not imply.
`word_ok` is that rule; the miner applies it, and loading applies it again against the
current vocabulary, so a filled pattern passes `factuality.violations` whenever the value
itself does.

`disabled()` switches patterns and merging off within a block (the writer then phrases
attributes through `phrases.ZH_KEY_TEMPLATES` alone, as it did before), so that the
benchmark can score the old phrasing in the same run.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .segment import is_cjk

FORMAT_VERSION = 1
PATTERNS = Path(__file__).with_name("weights") / "phrase_patterns.json"

# Characters that would state a fact the attribute does not: garments and their parts,
# body parts, colours, materials, motifs, seasons, gender and age, numerals. The key
# group's own name vouches for its characters: a 下摆 value may be said 花边下摆, a 领型
# value with 领口, but a 图案 value never with 裙摆.
FACT_CHARS = frozenset(
    "裙裤衣衫袖领摆腰肩胸背腿颈臂脖膝踝臀骨袋扣链帽鞋靴包襟袜口身脸肤人边褶长短"
    "色白黑红蓝绿黄紫粉灰金银棉麻丝绒毛皮纱革牛织花纹格珠钻"
    "春夏秋冬季女男童孩妈宝婴"
    "一二三四五六七八九两半〇零几")
# words that claim a physical property the data do not give (warmth, weight, stretch …)
FACT_WORDS = frozenset(str.split("""
透气 柔软 轻薄 厚实 保暖 亲肤 弹力 弹性 吸汗 防水 轻盈 挺括 蓬松 显高 遮肉 藏肉 修身
速干 防晒 加厚 加绒 舒爽 凉爽 清凉 贴身 耐磨 抗皱 镂空 直筒 调节 立体 前短后长
"""))
_enabled: ContextVar[bool] = ContextVar("ddm_copy_patterns", default=True)


def group_of(key: str) -> str:
    """The key group patterns are kept under: the last two characters (衣袖型 → 袖型),
    since the prefix names the garment (衣, 裙, 裤) and copy phrases the rest alike."""
    return key[-2:]


def word_ok(word: str, group: str, values: Collection[str], vocab: Collection[str]) -> bool:
    """Whether a pattern may say `word` beside a value of `group`: Chinese only, no
    attribute value (`values`: every value seen; `vocab`: the factuality vocabulary), no
    fact characters other than the group's own, no property claim."""
    if not word or not all(is_cjk(c) for c in word) or word in FACT_WORDS:
        return False
    if any(c in FACT_CHARS and c not in group for c in word):
        return False
    return not any(v in word for v in values) and not any(t in word for t in vocab)


@dataclass(frozen=True)
class Pattern:
    prefix: str      # "经典的", or ""
    suffix: str      # "图案", "的版型", or ""
    count: int       # how often copy used it (for the value, or for the group)

    @property
    def head(self) -> str:
        """The word after the value (设计 of 的设计): phrases with the same head merge."""
        return self.suffix.removeprefix("的")

    def words(self) -> frozenset[str]:
        """The pattern's own words, which a line should not say twice."""
        return frozenset(w for w in (self.prefix.removesuffix("的"), self.head) if w)

    def applies(self, value: str) -> bool:
        """Not when the value already says the head (大裙摆 + 裙摆, 泡泡袖 + 袖口) or ends
        where the prefix begins."""
        v = value.casefold()
        head = self.head
        if head and (v.endswith(head) or head[0] == v[-1:] or head in v):
            return False
        mod = self.prefix.removesuffix("的")
        return not (mod and (mod in v or v in mod))

    def fill(self, value: str) -> str:
        return f"{self.prefix}{value}{self.suffix}"


@dataclass(frozen=True)
class Table:
    groups: dict[str, tuple[Pattern, ...]]
    values: dict[str, tuple[Pattern, ...]]
    joiner: str


@cache
def load(path: Path = PATTERNS) -> Table:
    """The mined patterns, read once; an unreadable file gives an empty table (the writer
    then uses its fixed templates). Patterns whose words fail `word_ok` against the
    current vocabulary are dropped."""
    from .factuality import vocabulary

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Table({}, {}, "、")
    if data.get("format") != FORMAT_VERSION:
        return Table({}, {}, "、")
    vocab = frozenset(t for t in vocabulary() if not t.isascii())

    def kept(group: str, rows: Sequence[Sequence]) -> tuple[Pattern, ...]:
        out = []
        for row in rows:
            p = Pattern(str(row[0]), str(row[1]), int(row[2]))
            if all(word_ok(w, group, (), vocab) for w in p.words()):
                out.append(p)
        return tuple(out)

    groups = {g: kept(g, rows) for g, rows in data.get("groups", {}).items()}
    values = {gv: kept(gv.split("|", 1)[0], rows)
              for gv, rows in data.get("values", {}).items()}
    return Table(groups, values, str(data.get("merge", {}).get("joiner", "、")))


def enabled() -> bool:
    return _enabled.get()


@contextmanager
def disabled() -> Iterator[None]:
    """Within the block the writer phrases attributes as it did before patterns (fixed
    templates, no merging): the benchmark's baseline."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


def patterns_for(key: str, value: str) -> tuple[Pattern, ...]:
    """Applicable patterns for one attribute: the value's own (most frequent first), then
    its key group's; empty when disabled or unknown."""
    if not enabled() or not value:
        return ()
    table = load()
    group = group_of(key)
    out: list[Pattern] = []
    seen: set[tuple[str, str]] = set()
    for p in (*table.values.get(f"{group}|{value.casefold()}", ()),
              *table.groups.get(group, ())):
        if (p.prefix, p.suffix) not in seen and p.applies(value):
            seen.add((p.prefix, p.suffix))
            out.append(p)
    return tuple(out)


@dataclass(frozen=True)
class Phrase:
    """One attribute said as copy: `prefix + value + suffix`. English heads are prefixes
    (From, Made in), Chinese ones suffixes (图案, 的设计)."""

    prefix: str
    value: str
    suffix: str

    @property
    def text(self) -> str:
        return f"{self.prefix}{self.value}{self.suffix}"

    @property
    def head(self) -> str:
        if self.suffix:
            return self.suffix.strip().removeprefix("的")
        return self.prefix.strip() if self.prefix.strip().isascii() else ""

    def words(self) -> frozenset[str]:
        return Pattern(self.prefix, self.suffix, 0).words() | ({self.head} - {""})


def merge(phrases: Sequence[Phrase], lang: str) -> str:
    """Phrases sharing a head said once: 撞色、印花图案 (the mined joiner), "From Crete and
    Greece"; the first phrase's prefix and suffix frame all the values."""
    first = phrases[0]
    values = [p.value for p in phrases]
    if lang == "zh":
        return f"{first.prefix}{load().joiner.join(values)}{first.suffix}"
    body = values[0] if len(values) == 1 else f"{', '.join(values[:-1])} and {values[-1]}"
    return f"{first.prefix}{body}{first.suffix}"


@cache
def heads() -> frozenset[str]:
    """Every head word a selling-point phrase may end with (mined suffixes and the fixed
    templates'), and the English template prefixes: what `head_of` looks for."""
    from .phrases import EN_KEY_TEMPLATES, ZH_KEY_TEMPLATES

    table = load()
    found = {p.head for ps in (*table.groups.values(), *table.values.values()) for p in ps}
    found |= {t.replace("{v}", "") for _, t in ZH_KEY_TEMPLATES}
    found |= {t.replace("{v}", "").strip() for _, t in EN_KEY_TEMPLATES}
    return frozenset(h for h in found if h)


@cache
def _by_length() -> tuple[str, ...]:
    return tuple(sorted(heads(), key=lambda h: (-len(h), h)))


def head_of(phrase: str, lang: str) -> str:
    """The head word a phrase ends with (Chinese: 印花图案 → 图案, 学院风 → 风) or starts
    with (English: "Made in Sweden" → "Made in"); "" when none."""
    phrase = phrase.strip()
    for h in _by_length():
        if phrase != h and (phrase.endswith(h) if lang == "zh" else phrase.startswith(h + " ")):
            return h
    return ""


def repeated_heads(text: str, lang: str) -> list[str]:
    """Head words that more than one phrase of a selling point ends (or, in English,
    starts) with: 撞色图案，印花图案 → ["图案"]. Phrases are split at "，" and ", "."""
    parts = text.replace("，", "\n").replace(", ", "\n").split("\n")
    found = [h for h in (head_of(p, lang) for p in parts) if h]
    return sorted({h for h in found if found.count(h) > 1})
