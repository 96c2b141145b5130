"""Headlines from product titles: the title cleaned, then shortened to a box by dropping
whole words, never the product's head noun."""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import phrases
from .segment import cjk_words, is_cjk
from .text import normalise

# Words, with a decimal number ("0,5%", "1.5l") kept whole rather than cut at its mark.
_TOKEN = re.compile(r"\d+[.,]\d+\S*|[^\s\u3000，。、；：！？,;:!?|/]+")


def clean_title(title: str, lang: str) -> str:
    """The title without bracketed asides and marketing filler (never empty: the title
    itself when cleaning would leave nothing)."""
    text = phrases.BRACKETS.sub(" ", title)
    text = phrases.FILLER_ZH.sub(" ", text) if lang == "zh" else text
    text = phrases.FILLER_EN.sub(" ", text)
    text = re.sub(r"\s+([,.;:!?，。])", r"\1", " ".join(text.split())).strip(" ,;:-–—|/")
    return text or " ".join(title.split())


def title_words(title: str) -> list[tuple[str, bool]]:
    """The title as (word, is_cjk) in order: Latin words (with hyphens, digits) whole,
    CJK runs split into words (`segment.cjk_words`)."""
    words: list[tuple[str, bool]] = []
    for m in _TOKEN.finditer(title):
        token = m.group()
        i = 0
        while i < len(token):
            j = i
            cjk = is_cjk(token[i])
            while j < len(token) and is_cjk(token[j]) == cjk:
                j += 1
            run = token[i:j]
            if cjk:
                words += [(w, True) for w in cjk_words(run)]
            else:
                words.append((run, False))
            i = j
    return words


def join_words(words: list[tuple[str, bool]]) -> str:
    out = ""
    for k, (w, cjk) in enumerate(words):
        if k and not (cjk and words[k - 1][1]):
            out += " "
        out += w
    return out


def title_candidates(title: str, lang: str, brand: str | None = None) -> Iterator[str]:
    """The cleaned title, then shorter versions made by dropping whole words: first the
    words after the product noun (sizes, model names), then those before it, farthest
    first; brand words go last, the noun never. The noun is the last word in the
    title's language (English and Chinese put the head noun last) that is not a number,
    before any function word ("with", "med", "de") that starts a modifying phrase."""
    cleaned = clean_title(title, lang)
    yield cleaned
    words = title_words(cleaned)
    if not words:
        return
    want_cjk = lang in ("zh", "ja", "ko")
    # The head noun ends the first phrase: "Juice" in "Apelsin Juice med Fruktkött", where
    # what follows a function word only modifies it.
    limit = next((i for i in range(1, len(words))
                  if words[i][0].casefold() in phrases.FUNCTION_WORDS), len(words))
    noun = next((i for i in range(limit - 1, -1, -1)
                 if words[i][1] == want_cjk and not any(c.isdigit() for c in words[i][0])),
                limit - 1)
    brand_words = {normalise(w) for w in (brand or "").split()} | (
        {normalise(brand)} if brand else set())
    brand_words.discard("")

    def is_brand(i: int) -> bool:
        return normalise(words[i][0]) in brand_words

    after = [i for i in range(len(words) - 1, noun, -1) if not is_brand(i)]
    before = [i for i in range(noun) if not is_brand(i)]
    brands = sorted((i for i in range(len(words)) if is_brand(i) and i != noun),
                    key=lambda i: -abs(i - noun))
    keep = set(range(len(words)))
    for i in (*after, *before, *brands):
        keep.discard(i)
        kept = [words[j] for j in sorted(keep)]
        if kept[0][0].casefold() in phrases.FUNCTION_WORDS or \
                kept[-1][0].casefold() in phrases.FUNCTION_WORDS:
            continue  # "med Fruktkött", "Olive Oil with": a dangling function word
        yield join_words(kept)


