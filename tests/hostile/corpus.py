"""The whole corpus: every family of every input kind, in a stable order."""

from __future__ import annotations

import re

from . import corpus_batch, corpus_http, corpus_product, corpus_svg, corpus_template
from .model import Case, Family

MODULES = (corpus_svg, corpus_template, corpus_product, corpus_batch, corpus_http)


def all_families() -> list[Family]:
    return [family for module in MODULES for family in module.families()]


def all_cases(*, http: bool = True) -> list[Case]:
    """Every case (without the HTTP ones when `http` is false); names are unique."""
    cases = [c for f in all_families() for c in f.cases if http or c.kind != "http"]
    names = [c.name for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"duplicate hostile case names: {sorted(duplicates)}")
    return cases


BENCHMARK_ONLY = re.compile("|".join((
    r"-4k$", r"\.size-4000x4000$", r"\.filter-heavy-rects-1000$", r"\.text-100k-chars$", r"\.text-10k-tspans$",
    r"\.path-commands-100000$", r"\.gradient-stops-100000$", r"\.css-100k-rules$",
    r"\.attributes-100k$", r"\.elements-300k$", r"\.long-attribute-10mb$", r"\.long-name-1mb$",
    r"\.use-chain-10000$", r"\.(group|when|else-when|paren|unary|list)-depth-10000$",
    r"\.else-when-10000$", r"\.(minus|and|member)-chain-100000$", r"\.text-literal-(1m|10m)$",
    r"\.comment-10m$", r"\.(lets|list-items|interpolations)-100000$", r"\.elements-100k$",
    r"\.properties-10k$", r"\.formats-10k$", r"\.nested-1000x1000$", r"\.text-loop-20000$",
    r"\.title-(100k|1m)-(cjk|rtl|combining|emoji-zwj)$", r"\.(whitespace|string)-10mb$",
    r"\.nested-(arrays|objects)-10000$", r"\.csv-huge-cell$",
    r"\.images-10k-entries$", r"\.selling-points-10k$")))
"""Cases too slow for the CI test on 2 cores (their smaller siblings stay in it); the
benchmark runs them all."""


def ci_cases() -> list[Case]:
    """The cases `tests/test_hostile.py` runs: all but the benchmark-only ones."""
    return [c for c in all_cases() if not BENCHMARK_ONLY.search(c.name)]
