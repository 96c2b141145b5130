"""Where copy may be cut and where its lines may break.

Two questions every caption asks, answered in one place so that the writer (which
shortens titles), the width model (`text.py`) and the fitter (`layout/text.py`) agree:

- **Words** of text written without spaces: Chinese by jieba's dictionary and HMM (MIT),
  Japanese (any kana in the run) by BudouX's phrase model (Apache-2.0), Korean and other
  scripts by their spaces. A caption is only ever shortened between these words, so
  哑光 or 保温 is never cut in half.
- **Line-break opportunities**: the Unicode line-breaking algorithm (UAX #14, from
  `uniseg`) with its kinsoku rules (no closing punctuation or small kana at a line start,
  no opening punctuation at a line end), tailored the way copy is set:
  - no break inside a CJK word (UAX #14 allows one between any two ideographs);
  - no break after a hyphen inside a word ("T-Shirt", "Anti-Age"): UAX #14 allows it,
    display copy does not;
  - no line starts with a dash ("Cap - Black" keeps " -" on the first line, "olive—"
    keeps its dash);
  - no break between a number and its unit or currency ("11 oz", "120 Pages", "12,90 kr",
    "100克", "1리터").

Both are pure functions of the text; the segmenters load once per process (jieba takes
about half a second to build its prefix dictionary).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache, lru_cache

DOMAIN_FREQ = 5000    # jieba frequency of the writer's own words
DASHES = frozenset("-‐‑‒–—―−")
# Units of measure and count that follow a number: "11 oz", "2 x 500 ml", "120 Pages".
UNITS = frozenset("""
mg g gr gram grams kg kilo kilos lb lbs oz fl ml cl dl l ltr litre litres liter liters gal
mm cm m km in inch inches ft " ' w kw v mah gb tb mb mp hz khz ghz °c °f % cal kcal pc pcs
piece pieces pk pack packs count ct ea pair pairs set sets sheet sheets page pages capsule
capsules caps tablet tablets tabs sachet sachets bag bags can cans bottle bottles roll rolls
serving servings x ×
""".split())  # noqa: SIM905
_NUMBER = re.compile(r"^[#№]?\d+(?:[.,]\d+)*[x×]?$")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def is_cjk(ch: str) -> bool:
    """An ideograph, kana or hangul: scripts written without spaces between words."""
    return unicodedata.east_asian_width(ch) in ("W", "F") and unicodedata.category(ch) == "Lo"


@cache
def _jieba():
    """A private jieba tokenizer (the module-level one is shared process state), with the
    attribute vocabulary the writer knows added so that its values stay whole."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    from .factuality import vocabulary
    from .nouns import ZH_NOUNS
    from .phrases import ZH_LEXICON
    for word in sorted(ZH_LEXICON | ZH_NOUNS | vocabulary()):
        if len(word) > 1 and all(is_cjk(c) for c in word):
            # domain words win over the general dictionary's splits (知性|格子, not
            # 知|性格|子)
            tokenizer.add_word(word, max(tokenizer.FREQ.get(word) or 0, DOMAIN_FREQ))
    return tokenizer


@cache
def _budoux():
    import budoux

    return budoux.load_default_japanese_parser()


@cache
def _tagger():
    from jieba.posseg import POSTokenizer

    return POSTokenizer(_jieba())


@lru_cache(maxsize=8192)
def cjk_tagged(run: str) -> tuple[tuple[str, str], ...]:
    """The words of a run of CJK text with their part of speech (jieba's tags: "n" noun,
    "nz" other proper noun, "a" adjective, "m" numeral...; "" for Japanese phrases).

    Japanese (the run holds kana) is cut into BudouX's phrases, the unit Japanese line
    breaking and shortening respect; anything else into jieba's words."""
    if not run:
        return ()
    if _HANGUL.search(run):
        return ((run, ""),)  # Korean puts spaces between its words: a run is one word
    if _KANA.search(run):
        return tuple((p, "") for p in _budoux().parse(run))
    return tuple((w.word, w.flag) for w in _tagger().cut(run, HMM=True))


def cjk_words(run: str) -> tuple[str, ...]:
    """The words of a run of CJK text, in order; joined they give `run` back."""
    return tuple(w for w, _ in cjk_tagged(run))


def word_boundaries(text: str) -> frozenset[int]:
    """Offsets inside CJK runs of `text` where a word ends (a cut there keeps every
    word whole). Offsets outside CJK runs are not listed: spaces separate those words."""
    bounds: set[int] = set()
    i = 0
    while i < len(text):
        if not is_cjk(text[i]):
            i += 1
            continue
        j = i
        while j < len(text) and (is_cjk(text[j]) or _joins_cjk(text, j)):
            j += 1
        pos = i
        for word in cjk_words(text[i:j]):
            pos += len(word)
            bounds.add(pos)
        i = j
    return frozenset(bounds)


def cjk_at(text: str, i: int) -> bool:
    """Whether `text[i]` is of a run of CJK text: a CJK character or a mark that joins
    one (ー, 々)."""
    return is_cjk(text[i]) or _joins_cjk(text, i)


def _joins_cjk(text: str, j: int) -> bool:
    """The prolonged-sound mark and iteration marks belong to the CJK run they follow."""
    return text[j] in "ーゝゞヽヾ々〻"


@lru_cache(maxsize=8192)
def line_units(text: str) -> tuple[str, ...]:
    """`text` cut at every place a line may break; each unit keeps its trailing spaces,
    so joining the units gives `text` back. See the module docstring for the rules."""
    if not text:
        return ()
    from uniseg.linebreak import line_break_units

    raw = list(line_break_units(text))
    inside = _inner_cjk_offsets(text)
    units: list[str] = []
    pos = 0
    for piece in raw:
        if units and _glue(units[-1], piece, pos, inside):
            units[-1] += piece
        else:
            units.append(piece)
        pos += len(piece)
    return tuple(units)


def _inner_cjk_offsets(text: str) -> frozenset[int]:
    """Offsets between two CJK characters of one word: no line breaks there."""
    bounds = word_boundaries(text)
    return frozenset(i for i in range(1, len(text))
                     if cjk_at(text, i - 1) and cjk_at(text, i) and i not in bounds)


def _currency(word: str) -> bool:
    """A currency written after an amount: a symbol ("€"), a code ("CHF", "USD") or a
    name the writer uses ("kr", "zł")."""
    from .phrases import CURRENCY_SYMBOLS

    return bool(word) and (word in CURRENCY_SYMBOLS.values()
                           or all(unicodedata.category(c) == "Sc" for c in word)
                           or (len(word) == 3 and word.isascii() and word.isupper()
                               and word.isalpha()))


def _glue(prev: str, piece: str, offset: int, inside: frozenset[int]) -> bool:
    """Whether the UAX #14 opportunity between `prev` and `piece` (at `offset`) is one
    display copy does not take."""
    if offset in inside:
        return True
    # "T-" + "Shirt": a hyphen between letters joins one word
    if prev[-1] in DASHES and prev[:-1] and prev[-2].isalnum() and piece[:1].isalnum():
        return True
    # "100" + "克", "1" + "리터": a number and the CJK word written onto it
    if prev[-1:].isdigit() and is_cjk(piece[0]):
        return True
    # "11 " + "oz", "12,90 " + "kr": a number and its unit or currency stay on one line
    if _NUMBER.match(prev.strip()) and (piece.strip().casefold().rstrip(",.;:") in UNITS
                                        or _currency(piece.strip().rstrip(",.;:"))):
        return True
    # "- " / "— " alone, or "—" straight after a word ("olive— "): a dash never starts a line
    return piece.strip() != "" and piece.strip()[0] in DASHES
