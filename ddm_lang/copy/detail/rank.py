"""Selling-point blocks ranked into the few points an ad can carry.

A shop puts its strongest claims first and sets them largest; a good ad point is
specific (a number, a word of the product's own title or attributes) and of a length a
text box can hold. Each selling-point block gets

    score = W_POSITION · position + W_EMPHASIS · emphasis + W_SPECIFIC · specificity
          + W_LENGTH · length fit + W_CONFIDENCE · OCR confidence          (each 0..1)

- position: 1 for the page's first block, falling linearly to 0 at its last (over the
  product's pages in their order);
- emphasis: the block's type size over the page's body text size, 1× → 0, 1.5× → 1;
- specificity: half for a number, half for the share (up to 3) of the product's title
  and attribute words it repeats;
- length fit: 1 inside the language's comfortable range (`GOOD_LENGTH`), falling off
  outside it.

Points that repeat the product title are dropped (the headline already says it), near
duplicates keep their best-scored copy, and each point is trimmed to MAX_CHARS at a
sentence or clause end where one is near (`trim`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ddm_lang.copy.segment import is_cjk
from ddm_lang.copy.text import bounded, normalise
from ddm_lang.perception import records

from .classify import repeats, similar
from .model import Block

W_POSITION, W_EMPHASIS, W_SPECIFIC, W_LENGTH, W_CONFIDENCE = 0.35, 0.2, 0.2, 0.15, 0.1
GOOD_LENGTH = {"en": (25, 110), "zh": (8, 45)}   # characters of a comfortable point
MAX_CHARS = {"en": 120, "zh": 48}                # a point is trimmed to this
DUPLICATE = 0.75                                 # similarity of two points saying one thing
TOP = 5
_LEAD = re.compile(r"^\s*(?:(?:[•·●○■□◆◇▪▶►★☆✓✔*]+|[-–—](?=\s)|\d{1,2}、|\(?\d{1,2}[.)](?=\s)|"
                   r"0\d(?=\s))\s*)+")
_SENTENCE = re.compile(r"(?:[^.!?。！？；;]|\.(?=\d))+[.!?。！？；;]?")  # 5.5 mm is not two
_CLAUSE = re.compile(r"[,，、:：]")
_WORD = re.compile(r"[a-z]{3,}|\d+(?:[.,]\d+)?|[\u4e00-\u9fff]{2,}")


@dataclass(frozen=True)
class Candidate:
    """A selling-point block of one page of the product, with what ranking needs."""

    block: Block
    page: int              # the page's place among the product's detail images
    position: float        # 0..1 over all the product's blocks, 0 first
    body_height: float     # the page's body text height


def rank(candidates: Sequence[Candidate], *, title: str = "",
         attributes: Iterable[str] = (), top: int = TOP) -> list[tuple[Candidate, str, float]]:
    """The best `top` (candidate, trimmed text, score), best first, without points that
    repeat the title or one another."""
    vocab = terms([title, *attributes])
    scored: list[tuple[float, Candidate, str]] = []
    for c in candidates:
        text = clean(c.block.text)
        if not text or (title and repeats(text, title)):
            continue
        scored.append((score(c, text, vocab), c, text))
    scored.sort(key=lambda s: (-s[0], s[1].page, s[1].block.index))
    kept: list[tuple[Candidate, str, float]] = []
    for value, c, text in scored:
        if any(_same_point(text, other) for _, other, _ in kept):
            continue
        kept.append((c, trim(text), round(value, 4)))
        if len(kept) >= top:
            break
    return kept


def score(c: Candidate, text: str, vocab: frozenset[str]) -> float:
    position = 1.0 - c.position
    emphasis = min(max((c.block.size / max(c.body_height, 1.0) - 1.0) / 0.5, 0.0), 1.0)
    shared = len(found_terms(text, vocab))
    specific = 0.5 * bool(re.search(r"\d", text)) + 0.5 * min(shared, 3) / 3
    return (W_POSITION * position + W_EMPHASIS * emphasis + W_SPECIFIC * specific
            + W_LENGTH * length_fit(text) + W_CONFIDENCE * c.block.score)


def length_fit(text: str) -> float:
    lo, hi = GOOD_LENGTH[lang_of(text)]
    n = len(text)
    if n < lo:
        return n / lo
    if n > hi:
        return max(0.0, 1.0 - (n - hi) / hi)
    return 1.0


def lang_of(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    cjk = sum(is_cjk(c) for c in letters)
    return "zh" if letters and cjk * 3 >= len(letters) else "en"


def clean(text: str) -> str:
    """A block's text as a point: one line, no list bullet or item number in front."""
    return _LEAD.sub("", " ".join(text.split())).strip()


def trim(text: str) -> str:
    """`text` cut to its language's MAX_CHARS (never more than the catalogue's
    MAX_TEXT): whole sentences when they fill at least a third of it (a whole sentence
    reads better than more words that stop mid-sentence), else whole clauses when they
    fill half, else between two words."""
    limit = min(MAX_CHARS[lang_of(text)], records.MAX_TEXT)
    if len(text) <= limit:
        return text
    for pattern, share in ((_SENTENCE, 3), (_CLAUSE, 2)):
        cut = _last_end(text, pattern, limit)
        if cut >= limit // share:
            return text[:cut].rstrip(" ,，、:：;；")
    return bounded(text, limit)


def _last_end(text: str, pattern: re.Pattern[str], limit: int) -> int:
    if pattern is _SENTENCE:
        ends = [m.end() for m in pattern.finditer(text) if m.end() <= limit]
    else:
        ends = [m.start() for m in pattern.finditer(text) if m.start() <= limit]
    return max(ends, default=0)


def terms(texts: Iterable[str]) -> frozenset[str]:
    """The product's own words, in `normalise`d form: Latin words of three letters or
    more and numbers; CJK runs of two to eight characters (attribute values such as 针织,
    the title's space-separated pieces)."""
    out: set[str] = set()
    for text in texts:
        for piece in text.split():
            for word in _WORD.findall(normalise(piece)):
                if not is_cjk(word[0]) or len(word) <= 8:
                    out.add(word)
    return frozenset(out)


def found_terms(text: str, vocab: frozenset[str]) -> set[str]:
    """The terms of `vocab` that `text` says: Latin ones as whole words, CJK ones
    anywhere."""
    folded = normalise(text)
    words = {w for piece in text.split() for w in _WORD.findall(normalise(piece))}
    return {t for t in vocab if (t in folded if is_cjk(t[0]) else t in words)}


def _same_point(a: str, b: str) -> bool:
    na, nb = normalise(a), normalise(b)
    if min(len(na), len(nb)) >= 4 and (na in nb or nb in na):
        return True
    return similar(a, b) >= DUPLICATE
