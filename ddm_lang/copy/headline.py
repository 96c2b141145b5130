"""Headlines from product titles: the title cleaned, then shortened to a box by dropping
whole words and whole modifiers, never the product's head noun.

A feed title is a noun phrase dressed with what the feed needs and a headline does not:
"Brand Mug Set, 2 x 11 oz", "Men's Classic Crew Neck T-Shirt - Navy", "Apple Golden
Delicious Class 1", "丝绒哑光口红 #520 正红色". `parse_title` reads it as

- **segments** split at separators (", ", " - ", " | ", and spaces in Chinese titles);
  the *main* segment is the first one that names a thing; later ones are variants,
  sizes and specifications;
- **groups** that are dropped whole or not at all: a measure ("2 x 11 oz", "120 Pages",
  "1 kg Bag", "Pack of 6", "100克"), a letter or number that belongs to the word before
  it ("Vitamin C", "Bluetooth 5.3", "iPhone 15"), a two-word modifier ("Crew Neck"), a
  phrase opened by a function word ("with Basil", "med Fruktkött"), the brand;
- the **head**: the product noun of the main segment (`nouns.py`: the last product noun
  that is not a colour — which also finds "Apple" in the shelf-label order "Apple Golden
  Delicious" — else the last word that is no modifier), with the noun before it when
  the two make one compound ("Mug Set", "Water Bottle", "Olive Oil"; in Chinese when the
  head is a grouping word, 马克杯套装).

Shorter candidates drop the later segments first (farthest first), then the main
segment's words after the head, then those before it (farthest first), then the brand.
The head is never dropped, so no candidate loses what the product is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from . import nouns, phrases
from .segment import UNITS, cjk_tagged, is_cjk
from .text import normalise


def clean_title(title: str, lang: str) -> str:
    """The title without bracketed asides and marketing filler (never empty: the title
    itself when cleaning would leave nothing)."""
    text = phrases.BRACKETS.sub(" ", title)
    text = phrases.FILLER_ZH.sub(" ", text) if lang == "zh" else text
    text = phrases.FILLER_EN.sub(" ", text)
    text = re.sub(r"\s+([,.;:!?，。])", r"\1", " ".join(text.split())).strip(" ,;:-–—|/")
    return text or " ".join(title.split())




# ---- parsing ------------------------------------------------------------------------------
# Separators between a title's segments; a comma between digits is a decimal mark.
_SEPARATOR = re.compile(r"\s+[-–—|/·•+]\s+|\s*(?:(?<!\d),|,(?!\d)|[;，；、|｜])\s*|:\s+")
_NUMBER = re.compile(r"^[#№]?\d")
_SPACES = re.compile(r"[^\S\u00a0]+")
_CODE = re.compile(r"^(?:[A-Z]|\d{1,3}(?:\.\d)?)$")   # "C" in Vitamin C, "5.3", "15"
CJK_LANGS = ("zh", "ja", "ko")


@dataclass(frozen=True)
class Word:
    text: str
    cjk: bool
    tag: str = ""            # jieba's part of speech, for Chinese words
    segment: int = 0         # which separator-delimited part of the title
    space: bool = False      # a space before it in the title


@dataclass(frozen=True)
class TitleParse:
    """A cleaned title's words, its head phrase and the order words may be dropped in."""

    words: tuple[Word, ...]
    separators: tuple[str, ...]            # separators[k - 1] opens segment k
    head: tuple[int, ...]                  # the head phrase: never dropped
    noun: tuple[int, ...]                  # the head noun itself (part of `head`)
    drops: tuple[tuple[int, ...], ...]     # groups of words, in the order they go
    bare: tuple[int, ...] = ()             # the head noun without its partner, when it
                                           # names the product alone ("Snapback Cap")

    def join(self, keep: Iterable[int]) -> str:
        """The kept words as text, with the title's own spacing and separators."""
        out = ""
        prev = None
        for i in sorted(keep):
            w = self.words[i]
            if prev is not None:
                p = self.words[prev]
                if w.segment != p.segment:
                    out += self.separators[w.segment - 1]
                elif i == prev + 1:
                    out += " " if w.space else ""
                else:
                    out += "" if (w.cjk and p.cjk) else " "
            out += w.text.replace("\u00a0", " ")   # fixed phrases may break between lines
            prev = i
        return out

    @property
    def head_text(self) -> str:
        return self.join(self.head)


def _words(cleaned: str, lang: str) -> tuple[list[Word], list[str]]:
    """Words of a cleaned title and the separators between its segments."""
    pieces = _SEPARATOR.split(cleaned)
    seps = [m.group() for m in _SEPARATOR.finditer(cleaned)]
    if lang in CJK_LANGS:   # Chinese titles separate their parts with spaces
        parts: list[str] = []
        psep: list[str] = []
        for k, piece in enumerate(pieces):
            sub: list[str] = []
            for token in _split_words(piece):   # Latin words in a row are one name
                latin = not any(is_cjk(c) for c in token)
                if latin and sub and not any(is_cjk(c) for c in sub[-1]):
                    sub[-1] += " " + token
                else:
                    sub.append(token)
            if k and parts:
                psep.append(seps[k - 1])
            for n, p in enumerate(sub):
                if n:
                    psep.append(" ")
                parts.append(p)
        pieces, seps = parts, psep
    separators = [_tidy_separator(s) for s in seps]
    words: list[Word] = []
    for seg, piece in enumerate(pieces):
        for t, token in enumerate(_split_words(piece)):
            if any(is_cjk(c) for c in token):
                # jieba reads Latin letters and digits inside CJK text itself (T恤, 100克)
                for n, (w, tag) in enumerate(cjk_tagged(token)):
                    words.append(Word(w, any(is_cjk(c) for c in w), tag, seg, t > 0 and n == 0))
            else:
                words.append(Word(token, False, "", seg, t > 0))
    # segments left empty (a separator at an end) are merged away
    used = sorted({w.segment for w in words})
    remap = {s: k for k, s in enumerate(used)}
    words = [Word(w.text, w.cjk, w.tag, remap[w.segment], w.space) for w in words]
    separators = [separators[s - 1] if 0 < s <= len(separators) else " " for s in used[1:]]
    return words, separators


def _split_words(text: str) -> list[str]:
    """Words at spaces, except no-break spaces (which join "Eau de Parfum")."""
    return [w for w in _SPACES.split(text) if w]


def _tidy_separator(sep: str) -> str:
    core = sep.strip()
    if not core:
        return " "
    if core in "，；、":
        return core
    if core in ",;":
        return core + " "
    return f" {core} "


def _fold(word: Word) -> str:
    return word.text.casefold()


def _is_number(word: Word) -> bool:
    return not word.cjk and bool(_NUMBER.match(word.text))


def _is_unit(word: Word) -> bool:
    return not word.cjk and _fold(word).rstrip(".") in UNITS


def _is_count_noun(word: Word) -> bool:
    """A plural that counts what a number before it measures ("24 Colours", "2 Panels",
    "120 Softgels"), unless it names the product itself ("2 Mugs")."""
    text = word.text
    if not word.cjk and nouns.singular(text.casefold()) in nouns.COUNTED:
        return True
    return (not word.cjk and text.isalpha() and len(text) > 3 and text.endswith("s")
            and not nouns.is_product_noun(text))


def _measure_end(words: list[Word], i: int) -> int:
    """The end (exclusive) of the measure starting at number `i`: "2 x 11 oz",
    "1 kg Bag", "120 Pages", "100克", "90%白鸭绒"."""
    j = i + 1
    seg = words[i].segment
    while j < len(words) and words[j].segment == seg:
        w = words[j]
        if w.cjk:
            if not w.space and (w.text[0] in nouns.ZH_UNITS or not words[j - 1].cjk):
                j += 1   # 100克, 2件装, 90%白鸭绒: the number's own word
            break
        if (_is_number(w) and _fold(words[j - 1]) in ("x", "×", "of", "-", "/")) or \
                _is_unit(w) or _fold(w) in nouns.CONTAINERS or \
                (j == i + 1 and _is_count_noun(w)):
            j += 1
        else:
            break
    return j


def _groups(words: list[Word], brand_words: set[str]) -> tuple[list[tuple[int, ...]], set[int]]:
    """Units that are dropped whole (single words are units of one) and the words that
    can never be the head (measures, function phrases, two-word modifiers, the brand)."""
    units: list[tuple[int, ...]] = []
    blocked: set[int] = set()
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        seg = w.segment
        folded = _fold(w)
        if normalise(w.text) in brand_words:
            j = i + 1
            while j < n and words[j].segment == seg and normalise(words[j].text) in brand_words:
                j += 1
            units.append(tuple(range(i, j)))
            blocked.update(range(i, j))
            i = j
            continue
        # "Honey & Almond", "Salmon and Sweet Potato": a coordinated pair qualifies
        if (not w.cjk and i + 2 < n and _fold(words[i + 1]) in ("&", "and", "+")
                and words[i + 2].segment == seg and not words[i + 2].cjk):
            units.append((i, i + 1, i + 2))
            blocked.update((i, i + 1, i + 2))
            i += 3
            continue
        # "Size 10", "Size M/L": a size is a measure
        if folded == "size" and i + 1 < n and words[i + 1].segment == seg:
            units.append((i, i + 1))
            blocked.update((i, i + 1))
            i += 2
            continue
        # "Pack of 6", "Set of 2"
        if (folded in nouns.COUNT_HEADS and i + 2 < n and _fold(words[i + 1]) == "of"
                and _is_number(words[i + 2]) and words[i + 2].segment == seg):
            j = _measure_end(words, i + 2)
            units.append(tuple(range(i, j)))
            blocked.update(range(i, j))
            i = j
            continue
        if _is_number(w):
            j = _measure_end(words, i)
            units.append(tuple(range(i, j)))
            blocked.update(range(i, j))
            i = j
            continue
        if not w.cjk and i > 0 and folded in phrases.FUNCTION_WORDS:
            # The phrase it opens: after the product noun, the rest of the segment
            # ("Toothbrush with 2 Brush Heads"); elsewhere, up to its own noun
            # ("Smooth Style Utan Fruktkött Färskpressad Juice").
            j = i + 1
            to_end = nouns.is_product_noun(words[i - 1].text)
            while j < n and words[j].segment == seg and not words[j].cjk:
                j += 1
                if not to_end and not _is_number(words[j - 1]) and \
                        not nouns.is_adjective(words[j - 1].text) and \
                        _fold(words[j - 1]) not in phrases.FUNCTION_WORDS:
                    break
            units.append(tuple(range(i, j)))
            blocked.update(range(i, j))
            i = j
            continue
        two = (folded.replace("-", " "), _fold(words[i + 1]) if i + 1 < n else "")
        if i + 1 < n and words[i + 1].segment == seg and \
                tuple(" ".join(two).split()) in nouns.MULTIWORD_MODIFIERS:
            units.append((i, i + 1))
            blocked.update((i, i + 1))
            i += 2
            continue
        # a letter or short number that belongs to the word before: "Vitamin C"
        if (not w.cjk and w.text.isalpha() and i + 1 < n and words[i + 1].segment == seg
                and _CODE.match(words[i + 1].text)
                and not (i + 2 < n and words[i + 2].segment == seg
                         and (_is_unit(words[i + 2]) or _is_count_noun(words[i + 2])))):
            start = i
            # inside a phrase, a word with a number is a model's name, with the
            # capitalised word before it: "Trail Runner 2", "Air Max 90"
            if (i + 2 < n and words[i + 2].segment == seg and words[i + 1].text[0].isdigit()
                    and units and units[-1] == (i - 1,) and i - 1 not in blocked
                    and words[i - 1].segment == seg and words[i - 1].text[:1].isupper()
                    and not nouns.is_adjective(words[i - 1].text)
                    and not nouns.is_product_noun(words[i - 1].text)):
                units.pop()
                start -= 1
            units.append((*range(start, i), i, i + 1))
            if start < i:
                blocked.update(range(start, i + 2))
            i += 2
            continue
        if w.cjk and w.text in nouns.ZH_PEOPLE:   # 男女同款, 男/女士: one unit
            j = i + 1
            while j < n and words[j].segment == seg and words[j].text in nouns.ZH_PEOPLE:
                j += 1
            units.append(tuple(range(i, j)))
            i = j
            continue
        units.append((i,))
        i += 1
    return units, blocked


def _is_zh_modifier(w: Word) -> bool:
    return (w.text.endswith(nouns.ZH_COLOUR_SUFFIX) or w.text in nouns.ZH_PEOPLE
            or w.tag in ("a", "ad", "b", "d", "m", "q", "v", "vn"))


def _pick_head(words: list[Word], units: list[tuple[int, ...]], blocked: set[int],
               want_cjk: bool) -> tuple[int, ...] | None:
    """The head unit: in the first segment that has a candidate, the last product noun
    (colours last), else the last word that is no modifier, else the last word."""
    candidates = [u for u in units if not any(i in blocked for i in u)
                  and any(words[i].cjk == want_cjk or (want_cjk and nouns.is_product_noun(
                      words[i].text)) for i in u)]
    if not candidates:
        candidates = [u for u in units if not any(i in blocked for i in u)]
    if not candidates:
        return None
    main = words[candidates[0][0]].segment
    in_main = [u for u in candidates if words[u[0]].segment == main]

    def last(pred) -> tuple[int, ...] | None:
        return next((u for u in reversed(in_main) if pred(u)), None)

    if want_cjk:
        return (last(lambda u: words[u[-1]].text in nouns.ZH_NOUNS
                     or (len(words[u[-1]].text) > 1
                         and words[u[-1]].text[-1] in nouns.ZH_HEAD_CHARS)
                     or (not words[u[-1]].cjk and nouns.is_product_noun(words[u[-1]].text)))
                or last(lambda u: words[u[-1]].tag.startswith("n")
                        and not _is_zh_modifier(words[u[-1]]))
                or last(lambda u: not _is_zh_modifier(words[u[-1]]))
                or in_main[-1])
    # The head is a product noun of the title's first phrase (what precedes its first
    # measure or function phrase: specifications follow it), the last one, since English
    # puts the head last and shelf labels put varieties after it ("Apple Granny Smith");
    # else of its main segment; else the phrase's last word that is no modifier.
    first = in_main[0][0]
    stop = next((i for i in sorted(blocked) if i > first and words[i].segment == main),
                len(words))
    phrase = [u for u in in_main if u[0] < stop] or in_main

    def is_noun(u: tuple[int, ...]) -> bool:
        # a colour word is a noun after a classifier ("Night Light")
        return nouns.is_product_noun(words[u[0]].text) and (
            _fold(words[u[0]]) not in nouns.COLOURS
            or (u[0] > 0 and _fold(words[u[0] - 1]) in nouns.CLASSIFIERS))

    def described(u: tuple[int, ...]) -> bool:
        text = words[u[0]].text
        return not nouns.is_adjective(text) and text.replace("'", "").replace("-", "").isalpha()

    return (next((u for u in reversed(phrase) if is_noun(u)), None) or last(is_noun)
            or next((u for u in reversed(phrase) if described(u)), None) or in_main[-1])


def _partner(words: list[Word], units: list[tuple[int, ...]], blocked: set[int],
             head: tuple[int, ...], grouped: bool = False) -> tuple[int, ...]:
    """The word that makes one compound with the head ("Mug Set", "Olive Oil",
    马克杯套装), when there is one."""
    k = units.index(head)
    if k == 0:
        return ()
    prev = units[k - 1]
    if len(prev) != 1 or prev[0] in blocked or words[prev[0]].segment != words[head[0]].segment:
        return ()
    p, h = words[prev[0]], words[head[0]]
    if h.cjk:
        generic = h.text in nouns.ZH_GENERIC_HEADS or len(h.text) == 1
        ok = p.cjk and generic and not _is_zh_modifier(p) and h.text not in nouns.ZH_PEOPLE
        return prev if ok else ()
    if p.cjk or not p.text[:1].isalpha() or any(c.isdigit() for c in p.text) or (
            nouns.is_adjective(p.text) and _fold(p) not in nouns.PURPOSE_GERUNDS
            and not nouns.is_product_noun(p.text)):
        return ()   # a gerund of purpose makes a compound ("Running Shoes", "Frying Pan")
    if h.text[:1].isupper() and not p.text[:1].isupper():
        return ()
    if _fold(h) in nouns.GENERIC_HEADS or _is_form(p):
        # "Cutting Board Set", "Argan Oil Shampoo": the grouped or named thing whole
        return _partner(words, units, blocked, prev, grouped=True) + prev
    if grouped and _fold(p) in nouns.CLASSIFIERS:
        # in a group's name, a classifier named by a noun of its own goes with it
        # ("Herb Garden Starter Kit")
        before = _partner(words, units, blocked, prev)
        if len(before) == 1 and nouns.is_product_noun(words[before[0]].text):
            return before + prev
    return prev


def _listed(word: Word, table: frozenset[str]) -> bool:
    """Whether the word, or its singular, is in one of nouns' tables."""
    folded = _fold(word)
    return folded in table or nouns.singular(folded) in table


def _is_form(word: Word) -> bool:
    return _listed(word, nouns.FORM_HEADS)


def _shorter_head(words: list[Word], noun: tuple[int, ...],
                  partner: tuple[int, ...]) -> tuple[int, ...]:
    """The head phrase without the partner words that the product can do without: the
    noun alone where it names the product ("Snapback Cap" → "Cap", "Argan Oil Shampoo"
    → "Shampoo"); a grouping word with only the thing it groups ("Watercolour Paint Set"
    → "Paint Set"); nothing where the whole phrase is needed."""
    if not partner:
        return ()
    if len(partner) == 1 and _stands_alone(words, noun, partner):
        return noun
    head = words[noun[0]]
    if (len(partner) == 1 and len(noun) == 1 and not head.cjk
            and _fold(head) in nouns.PREPARATION_FORMS
            and _fold(words[partner[0]]) in nouns.PREPARATIONS):
        return partner   # the preparation before the word for its form ("Sunscreen Lotion")
    if (len(noun) == 1 and not head.cjk and _fold(head) in nouns.PREPARATIONS
            and _is_form(words[partner[-1]])):
        return noun   # an ingredient compound before a preparation ("Argan Oil Shampoo")
    if (len(partner) == 2 and len(noun) == 1 and _fold(head) in nouns.GENERIC_HEADS
            and _stands_alone(words, partner[1:], partner[:1])):
        return partner[1:] + noun
    return ()


def _stands_alone(words: list[Word], noun: tuple[int, ...], partner: tuple[int, ...]) -> bool:
    """Whether the head noun names the product without its partner: a specific product
    noun ("Cap", "Hoodie", "Serum") after a word that says which style or use of it
    ("Snapback", "Pullover", "Glow"); not a grouping, container or form word ("Mug Set",
    "Water Bottle", "Olive Oil") nor a noun that only the compound makes a product
    ("Power Bank", "Teddy Bear"), nor after a product noun of its own ("Tomato Ketchup")."""
    if len(noun) != 1 or len(partner) != 1:
        return False
    head, mod = words[noun[0]], words[partner[0]]
    if head.cjk or mod.cjk or not nouns.is_product_noun(head.text):
        return False
    folded = _fold(head)
    if _listed(head, nouns.GENERIC_HEADS | nouns.CONTAINERS | nouns.FORM_HEADS):
        return False
    modifier = _fold(mod).replace("’", "'")
    if modifier in nouns.CLASSIFIERS:
        return False
    if modifier in nouns.PURPOSE_GERUNDS:
        return nouns.singular(folded) not in nouns.FAMILY_HEADS
    # a preparation keeps its ingredient's word optional ("Tea Tree Soap"), produce its
    # variety's ("Beef Tomato", "Cherry Tomato")
    return (folded in nouns.PREPARATIONS or nouns.singular(folded) in nouns.EN_PRODUCE
            or not nouns.is_product_noun(mod.text))


def parse_title(title: str, lang: str, brand: str | None = None) -> TitleParse:
    """The cleaned title's words, head phrase and drop order (see the module docstring)."""
    cleaned = nouns.FIXED_PHRASES.sub(lambda m: m.group().replace(" ", "\u00a0"),
                                      clean_title(title, lang))
    words, separators = _words(cleaned, lang)
    if not words:
        return TitleParse((), (), (), (), ())
    brand_words = {normalise(w) for w in (brand or "").split()} | (
        {normalise(brand)} if brand else set())
    brand_words.discard("")
    units, blocked = _groups(words, brand_words)
    want_cjk = lang in CJK_LANGS and any(w.cjk for w in words)
    head_unit = _pick_head(words, units, blocked, want_cjk) or units[-1]
    partner = _partner(words, units, blocked, head_unit)
    head = tuple(sorted((*partner, *head_unit)))
    if not want_cjk and not any(nouns.is_product_noun(w.text) for w in words):
        # No word names a kind of product: the title is a name ("Truly Open Commerce"),
        # whose words before the head are kept with it.
        seg = words[head_unit[0]].segment
        start = head_unit[0]
        while start > 0 and words[start - 1].segment == seg and start - 1 not in blocked:
            start -= 1
        head = tuple(range(start, head_unit[-1] + 1))
    main = words[head[0]].segment
    k = units.index(head_unit) - (1 if partner else 0)
    brand_units = [u for u in units if all(normalise(words[i].text) in brand_words for i in u)]
    # a later segment that names a line of the brand ("Aero Runner") goes whole
    line_segments = {words[u[0]].segment for u in units if words[u[0]].segment > main
                     and u not in brand_units and not set(u) & set(head)}
    brand_units = [u for u in brand_units if words[u[0]].segment not in line_segments]
    others = [u for u in units if u not in brand_units and not set(u) & set(head)]
    later = [u for u in others if words[u[0]].segment > main]
    earlier = [u for u in others if words[u[0]].segment < main]
    after = [u for u in others if words[u[0]].segment == main and units.index(u) > k]
    before = [u for u in others if words[u[0]].segment == main and units.index(u) < k]
    # later segments go whole, farthest first; then the head's own segment from its ends
    by_segment: dict[int, list[int]] = {}
    for u in later:
        by_segment.setdefault(words[u[0]].segment, []).extend(u)
    drops = [tuple(by_segment[s]) for s in sorted(by_segment, reverse=True)]
    # what follows the head in its segment qualifies it as a whole ("Golden Delicious")
    if after:
        drops.append(tuple(i for u in after for i in u))
    drops += earlier + before
    brand_all = tuple(i for u in brand_units for i in u)
    if brand_all:
        drops.append(brand_all)
    bare = _shorter_head(words, head_unit, partner)
    # where the shorter head is the word before the noun ("Sunscreen Lotion"), that word
    # is what names the product
    noun = bare if bare and not set(head_unit) <= set(bare) else head_unit
    return TitleParse(tuple(words), tuple(separators), head, noun, tuple(drops), bare)


def title_candidates(title: str, lang: str, brand: str | None = None) -> Iterator[str]:
    """The cleaned title, then shorter versions made by dropping whole groups in the
    parse's order (later segments, words after the head, words before it farthest
    first, the brand); the head phrase is never dropped, and is shortened last to its
    noun only where that noun names the product alone."""
    cleaned = clean_title(title, lang)
    yield cleaned
    parse = parse_title(title, lang, brand)
    keep = set(range(len(parse.words)))
    seen = {cleaned}
    for group in parse.drops:
        keep -= set(group)
        if not keep:
            break
        text = parse.join(keep)
        if text not in seen:
            seen.add(text)
            yield text
    if parse.bare:
        yield parse.join(parse.bare)


def head_noun(title: str, lang: str, brand: str | None = None) -> str:
    """The product noun of a title ("Set" of "Brand Mug Set, 2 x 11 oz")."""
    parse = parse_title(title, lang, brand)
    return parse.join(parse.noun)


def keeps_head_noun(title: str, text: str, lang: str, brand: str | None = None) -> bool:
    """Whether a headline made from `title` still names the product: it contains the
    title's head noun (compared without case, spaces and punctuation)."""
    noun = normalise(head_noun(title, lang, brand))
    return not noun or noun in normalise(text)
