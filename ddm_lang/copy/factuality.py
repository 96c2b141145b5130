"""The factuality rule: a caption states only facts present in the product data.

A candidate (from the offline writer, an ONNX model or an HTTP endpoint) is rejected when

1. it writes a number that no fact of the product writes (title, attributes, selling
   points, description, brand, price amount or discount); numbers compare by value, so
   `12.90` matches a price of 12.9 and `−20%` a discount of 20; or
2. it names an attribute value of the domain vocabulary that this product's data do not
   name (a dress said to be 蕾丝 when its data never mention lace). The vocabulary is
   every attribute value of the training data (`weights/vocab.json`, values of two or
   more characters) plus `EXTRA_TERMS` (colours, materials and claims in English).
   Stretches of the candidate that quote the data are not searched (连衣裙 quoted covers
   the 衣裙 inside it); terms are found longest first, so 高领 inside 半高领 is 半高领;
   English terms match whole words only ("Orange" the fruit, named in the title, is
   present; "black" is not, unless the data say it).

The rule is deliberately narrow: it cannot tell whether a sentence is true, only that it
does not bring in numbers or attribute values from outside the data. Words that are not
in the vocabulary (舒适, "fresh") pass; a backend's output is therefore also limited to
the box's budget and one paragraph.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from .facts import Facts, numbers_in

VOCAB = Path(__file__).with_name("weights") / "vocab.json"

# English attribute words (colours, materials, claims) that copy must not invent.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EXTRA_TERMS = _words("""
black white red green blue yellow orange purple pink brown grey gray beige navy gold silver
cotton linen wool silk leather suede denim cashmere polyester nylon bamboo stoneware ceramic
porcelain glass steel aluminium aluminum wood wooden oak walnut marble plastic
organic vegan gluten-free sugar-free lactose-free waterproof handmade hand-made recycled
""")

_WORD = re.compile(r"[a-z][a-z-]*")
_NUM_TOKEN = re.compile(r"\d+(?:[.,]\d+)*")


@cache
def vocabulary() -> frozenset[str]:
    """Domain attribute values a candidate may only name when the product has them."""
    try:
        values = json.loads(VOCAB.read_text(encoding="utf-8"))["values"]
    except (OSError, ValueError, KeyError):
        values = {}
    return frozenset(v.casefold() for v in values) | EXTRA_TERMS


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _terms_in(text: str, vocab: frozenset[str]) -> set[str]:
    """Vocabulary terms `text` names, longest first: a term inside a longer one found
    first (高领 inside 半高领) is not counted. English terms count as whole words only."""
    found: set[str] = set()
    words = set(_WORD.findall(text))
    for term in _longest_first(vocab):
        if term not in text:
            continue
        if term.isascii():
            if term in words:
                found.add(term)
            continue
        found.add(term)
        text = text.replace(term, "\0" * len(term))
    return found


@lru_cache(maxsize=8)
def _longest_first(vocab: frozenset[str]) -> tuple[str, ...]:
    """The vocabulary in search order, sorted once rather than for every candidate."""
    return tuple(sorted(vocab, key=lambda t: (-len(t), t)))


@lru_cache(maxsize=1024)
def _vouched(facts: Facts, allowed: frozenset[str]) -> tuple[str, ...]:
    """The folded stretches the data (or the caller) vouch for, longest first: the same
    for every candidate written for one product."""
    return tuple(sorted({_fold(t) for t in facts.texts()} | {_fold(a) for a in allowed},
                        key=len, reverse=True))


@lru_cache(maxsize=1024)
def _data_terms(facts: Facts) -> frozenset[str]:
    vocab = vocabulary()
    found: set[str] = set()
    for t in facts.texts():
        found |= _terms_in(_fold(t), vocab)
    return frozenset(found)


def violations(candidate: str, facts: Facts, *,
               allowed: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Why `candidate` is not factual for `facts` (empty when it is). `allowed` names
    extra phrases the caller vouches for (the writer's own connective words)."""
    problems: list[str] = []
    text = _fold(candidate)
    for m in _NUM_TOKEN.finditer(text):
        if not numbers_in(m.group()) & facts.numbers:
            problems.append(f"number {m.group()} is not in the product data")
    # blank out every stretch the data (or the caller) vouch for, longest first
    for t in _vouched(facts, frozenset(allowed)):
        if t:
            text = text.replace(t, "\0" * len(t))
    present = _data_terms(facts)
    for term in sorted(_terms_in(text, vocabulary()) - present):
        problems.append(f"attribute value {term!r} is not in the product data")
    return problems


def is_factual(candidate: str, facts: Facts, *,
               allowed: frozenset[str] | set[str] = frozenset()) -> bool:
    return not violations(candidate, facts, allowed=allowed)
