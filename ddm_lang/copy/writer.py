"""The copy writer: one caption for one box, from one product's facts.

`write(kind, facts, chars_per_line=..., max_lines=...)` returns a `Caption` whose text
fits the box (`text.fits`), states only facts of the product (`factuality.violations` is
empty) and, for selling points, says nothing the creative's other boxes already said
(`used`: the fact ids their captions report). It is deterministic: the same facts, box
and `variant` give the same caption.

Per kind (docs/copy.md has the details):

- headline: the product title compressed to the box (filler and brackets dropped, then
  whole words dropped away from the product noun, never a word cut); for data without
  a title (AdvertiseGen), the most salient attribute values before the garment noun.
- selling_point: the merchant's selling points in their order, then phrases made from the
  attributes by salience (`salience.rank`), phrased as human copy phrases them
  (`patterns.py`) with a shared head word said once per line, then short sentences of the
  description.
- cta: a phrase from the language's table for the product's category group.
- price: the amount formatted for the language and currency; with a discount, the price
  the buyer pays (the amount less the discount) followed by "−N%".
- brand: the brand name, whole or not at all.

When nothing fits, the caption's text is empty: the binder decides what an empty box
means; the writer never overflows a box or cuts a word to fill it.

A generation backend (`backends.py`) may propose headline and selling-point text; its
candidates pass the same checks, and the offline writer answers when none does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from . import patterns, phrases
from .facts import Facts, attr_id, primary_lang
from .factuality import violations
from .headline import title_candidates
from .patterns import Phrase, group_of, head_of, merge, patterns_for
from .prices import format_price, number_text
from .text import fits, normalise

KINDS = ("headline", "selling_point", "cta", "price", "brand")
BACKEND_KINDS = ("headline", "selling_point")
MAX_PHRASES = 3   # attribute phrases in one selling point: one box, one idea or three


@dataclass(frozen=True)
class Caption:
    """One box's copy. `facts` are the ids of the facts it states (pass them, unioned over
    the creative's other captions, as `used`); `rejected` says why backend candidates
    were not taken."""

    text: str
    kind: str
    source: str                    # "template", or the backend's name ("onnx", "http")
    facts: frozenset[str]
    lang: str
    rejected: tuple[str, ...] = ()


@dataclass(frozen=True)
class Request:
    """What a generation backend is asked for."""

    kind: str
    facts: Facts
    chars_per_line: float
    max_lines: int
    lang: str
    avoid: tuple[str, ...]         # texts of facts the creative already states


class Backend(Protocol):
    name: str

    def generate(self, request: Request) -> list[str]:
        """Candidate texts, best first; raise `BackendError` on failure."""
        ...


class BackendError(Exception):
    """A backend could not answer (unreachable, timed out, malformed reply)."""


def write(kind: str, facts: Facts, *, chars_per_line: float, max_lines: int,
          lang: str | None = None, used: Iterable[str] = frozenset(),
          backend: Backend | None = None, variant: int = 0) -> Caption:
    """Copy of `kind` for a box of `max_lines` lines of `chars_per_line` full-width
    characters (see `text.py` for the width model)."""
    if kind not in KINDS:
        raise ValueError(f"unknown caption kind {kind!r}; kinds: {', '.join(KINDS)}")
    if max_lines < 1 or not math.isfinite(chars_per_line) or chars_per_line <= 0:
        return Caption("", kind, "template", frozenset(), primary_lang(lang or facts.lang))
    lang = primary_lang(lang or facts.lang)
    used = frozenset(used)

    def ok(text: str) -> bool:
        return bool(text) and fits(text, chars_per_line, max_lines)

    rejected: list[str] = []
    if backend is not None and kind in BACKEND_KINDS:
        request = Request(kind, facts, chars_per_line, max_lines, lang,
                          tuple(_fact_texts(facts, used)))
        try:
            proposals = backend.generate(request)
        except BackendError as err:
            proposals = []
            rejected.append(f"{backend.name}: {err}")
        for raw in proposals:
            text = clean_candidate(raw)
            why = _why_not(text, facts, ok, used if kind == "selling_point" else frozenset())
            if why is None:
                return Caption(text, kind, backend.name, mentioned(text, facts), lang)
            rejected.append(f"{backend.name}: {text!r}: {why}")

    for text, ids in _candidates(kind, facts, lang, used, variant):
        if ok(text) and not violations(text, facts, allowed=_connectives(lang)):
            return Caption(text, kind, "template", frozenset(ids) | mentioned(text, facts),
                           lang, tuple(rejected))
    return Caption("", kind, "template", frozenset(), lang, tuple(rejected))


def _why_not(text: str, facts: Facts, ok: Callable[[str], bool],
             used: frozenset[str]) -> str | None:
    if not text:
        return "empty"
    if not ok(text):
        return "does not fit the box"
    problems = violations(text, facts)
    if problems:
        return "; ".join(problems)
    if mentioned(text, facts) & used:
        return "repeats a fact another box states"
    return None


def clean_candidate(raw: str) -> str:
    """A backend's text as one paragraph: whitespace collapsed, wrapping quotes gone."""
    text = " ".join(raw.split())
    for a, b in (('"', '"'), ("'", "'"), ("“", "”"), ("「", "」"), ("《", "》")):
        if len(text) >= 2 and text.startswith(a) and text.endswith(b):
            text = text[1:-1].strip()
    return text


def _connectives(lang: str) -> frozenset[str]:
    return phrases.ZH_CONNECTIVES if lang == "zh" else phrases.EN_CONNECTIVES


def mentioned(text: str, facts: Facts) -> frozenset[str]:
    """Ids of the facts whose text appears in `text` (compared without case, spaces and
    punctuation)."""
    t = normalise(text)
    ids: set[str] = set()
    for k, v in facts.attributes:
        nv = normalise(v)
        if nv and nv in t:
            ids.add(attr_id(k, v))
    for i, sp in enumerate(facts.selling_points):
        if normalise(sp) and normalise(sp) in t:
            ids.add(f"selling_point:{i}")
    if facts.brand and normalise(facts.brand) and normalise(facts.brand) in t:
        ids.add("brand")
    return frozenset(ids)


def _fact_texts(facts: Facts, used: frozenset[str]) -> Iterator[str]:
    for k, v in facts.attributes:
        if attr_id(k, v) in used:
            yield v
    for i, sp in enumerate(facts.selling_points):
        if f"selling_point:{i}" in used:
            yield sp


# ---- candidates per kind ------------------------------------------------------------------
Candidate = tuple[str, frozenset[str]]


def _candidates(kind: str, facts: Facts, lang: str, used: frozenset[str],
                variant: int) -> Iterator[Candidate]:
    if kind == "headline":
        yield from _headline(facts, lang, used)
    elif kind == "selling_point":
        yield from _selling_points(facts, lang, used, variant)
    elif kind == "cta":
        table = phrases.CTA.get(lang, phrases.CTA["en"])
        options = table.get(phrases.category_group(facts.category, facts.attributes),
                            table["default"])
        start = variant % len(options)
        for text in (*options[start:], *options[:start]):
            yield text, frozenset({"cta"})
    elif kind == "price":
        # With a discount the caption states the price the buyer pays (list amount less the
        # discount, to the cent), never the list price beside a bare "−20%", which reads
        # either way; templates strike the list price through in a text of their own.
        if facts.price is not None:
            main = format_price(facts.price.sale, facts.price.currency, lang)
            d = facts.price.discount
            if d is not None and d > 0:
                yield f"{main} {phrases.MINUS}{number_text(d, lang)}%", frozenset({"price"})
            yield main, frozenset({"price"})
    elif kind == "brand" and facts.brand:
        yield facts.brand.strip(), frozenset({"brand"})


def _headline(facts: Facts, lang: str, used: frozenset[str]) -> Iterator[Candidate]:
    if facts.title.strip():
        for text in title_candidates(facts.title, lang, facts.brand):
            yield text, frozenset({"title"})
        return
    pairs = _ranked(facts)
    nouns = [(k, v) for key in phrases.ZH_NOUN_KEYS for k, v in facts.attributes if k == key]
    if not nouns:
        if facts.brand:
            yield facts.brand, frozenset({"brand"})
        return
    nk, noun = nouns[0]
    mods: list[str] = []
    for k, v in pairs:
        if k in phrases.ZH_NOUN_KEYS or v in noun or any(v in m or m in v for m in mods):
            continue
        mods.append(v)
    fresh = [m for m in mods if not any(attr_id(k, m) in used for k, _ in facts.attributes)]
    mods = (fresh + [m for m in mods if m not in fresh])[:2]
    sep = "" if lang == "zh" else " "
    for n in range(len(mods), -1, -1):
        text = sep.join([*mods[:n], noun])
        yield text, frozenset({attr_id(nk, noun)})


def _ranked(facts: Facts) -> list[tuple[str, str]]:
    """Statable attributes by salience; data order when the model cannot be loaded."""
    from .salience import SalienceError, rank
    try:
        return [(k, v) for k, v, _ in rank(facts)]
    except SalienceError:
        return list(facts.copy_attributes())


def attribute_phrase(key: str, value: str, lang: str, variant: int = 0) -> str:
    """One attribute as copy, the way copywriters say it: 条纹 → 条纹元素, 宽松 → 宽松的版型,
    origin Crete → From Crete. `variant` takes the next phrasing (rotating)."""
    options = phrase_options(key, value, lang)
    return options[variant % len(options)].text


def phrase_options(key: str, value: str, lang: str) -> list[Phrase]:
    """Ways to say one attribute, best first: the mined patterns of `patterns.py` (the
    value's own, then its key group's, most frequent first), then the fixed template of
    `phrases.py`, then the bare value. With patterns disabled, only the fixed template
    (the writer's phrasing before patterns)."""
    fixed = _template_phrase(key, value, lang)
    if lang != "zh" or not patterns.enabled():
        return [fixed]
    out = [Phrase(p.prefix, value, p.suffix) for p in patterns_for(key, value)]
    for extra in (fixed, Phrase("", value, "")):
        if extra not in out:
            out.append(extra)
    return out


def _template_phrase(key: str, value: str, lang: str) -> Phrase:
    """The fixed template per key (条纹 → 条纹图案, From Crete): the fallback when no
    mined pattern applies, and the whole phrasing when patterns are disabled."""
    if lang == "zh":
        for suffix, template in phrases.ZH_KEY_TEMPLATES:
            if key.endswith(suffix):
                head = template.removeprefix("{v}")
                if not head or value.endswith(head):
                    return Phrase("", value, "")
                return Phrase("", value, head)
        return Phrase("", value, "")
    value = re.sub(r"\s+([,;])", r"\1", value)   # "GOD MORGON , 1l" → "GOD MORGON, 1l"
    folded = key.casefold()
    for name, template in phrases.EN_KEY_TEMPLATES:
        if folded == name:
            return Phrase(template.removesuffix("{v}"), value, "")
    return Phrase("", value[:1].upper() + value[1:], "")


def _line(part: list[tuple[str, str]], lang: str, variant: int) -> str:
    """One selling point from several attributes. Phrases of one key group sharing a head
    word are written once, the way copy merges them (撞色 + 印花 + 卡通, all …图案 →
    撞色印花卡通图案; "From Crete and Greece"); values of different groups are not run
    together (荷叶边 + 一字领 + 设计 would put the ruffle on the collar), so a phrase whose
    head or words the line already says (经典的 twice, 设计 of another group, or the head a
    bare value ends with: 学院风 beside 复古风) gives way to the attribute's next phrasing.
    With patterns disabled: the fixed phrases joined, as before."""
    sep = "，" if lang == "zh" else ", "
    if not patterns.enabled():
        return sep.join(attribute_phrase(k, v, lang) for k, v in part)
    groups: list[tuple[str, list[Phrase]]] = []
    said: set[str] = set()
    for key, value in part:
        group = group_of(key) if lang == "zh" else ""
        options = phrase_options(key, value, lang)
        start = variant % len(options)
        for option in (*options[start:], *options[:start]):
            head = option.head
            same = next((ps for g, ps in groups if head and g == group and ps[0].head == head),
                        None)
            if same is not None:
                same.append(option)
                break
            words = option.words() | {head_of(option.text, lang)} - {""}
            if not words & said:
                groups.append((group, [option]))
                said |= words
                break
        else:
            groups.append((group, [Phrase("", value, "")]))
    return sep.join(merge(ps, lang) for _, ps in groups)


def _selling_points(facts: Facts, lang: str, used: frozenset[str],
                    variant: int = 0) -> Iterator[Candidate]:
    for i, sp in enumerate(facts.selling_points):
        ids = frozenset({f"selling_point:{i}"}) | mentioned(sp, facts)
        if not ids & used:
            yield sp.strip(), ids
    items: list[tuple[str, str, str]] = []
    values: set[str] = set()
    for k, v in _ranked(facts):
        if k in phrases.ZH_NOUN_KEYS or attr_id(k, v) in used or normalise(v) in values:
            continue
        values.add(normalise(v))   # 纯色 as 颜色 and as 图案 is said once
        items.append((attr_id(k, v), k, v))
    # the most salient phrases first; as many as fit (up to MAX_PHRASES), then fewer
    for n in range(min(MAX_PHRASES, len(items)), 0, -1):
        for start in range(0, len(items) - n + 1):
            part = items[start:start + n]
            yield (_line([(k, v) for _, k, v in part], lang, variant),
                   frozenset(i for i, _, _ in part))
    for i, sentence in enumerate(facts.description_sentences()):
        ids = frozenset({f"description:{i}"}) | mentioned(sentence, facts)
        if not ids & used:
            yield sentence, ids
