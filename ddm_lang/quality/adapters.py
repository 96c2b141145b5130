"""Thin adapters to the measurements other modules own.

Three checks judge things this package does not know how to measure and should not
re-implement: product/field separation (`ddm_lang.layout.separation`), whether a
shortened headline kept the product's head noun (`ddm_lang.copy.headline`) and the
typographic defects of a text's drawn lines (`ddm_lang.layout.text`). Each adapter
imports its function on first use and returns None when that function is not there (an
older tree, a partial install), so the check is reported as skipped with the reason
instead of failing the whole `ddm check`.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ddm_lang.api import Creative

SEPARATION = ("ddm_lang.layout.separation", "measure_separation")
HEAD_NOUN = ("ddm_lang.copy.headline", "keeps_head_noun")
LINE_DEFECTS = ("ddm_lang.layout.text", "line_defects")


@dataclass(frozen=True)
class Separation:
    """One separation measurement as the check reports it: which element, the figure and
    its threshold, and the module's own sentence for it. `applies` is False where the
    module says the figure measures a photo against its own backdrop (the photo's
    composition, which no template field can change): such a result is not a finding."""

    label: str
    value: float
    threshold: float
    passed: bool
    message: str
    applies: bool = True


@cache
def _function(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None
    return found if callable(found) else None


def missing(target: tuple[str, str]) -> str | None:
    """Why an adapter cannot run (None when it can)."""
    module, name = target
    if _function(module, name) is None:
        return f"`{module}.{name}` is not available"
    return None


def separation(creative: Creative, subjects: Any = None) -> list[Separation] | None:
    """`measure_separation(creative, subjects=...)`'s results (`subjects` as the layout
    metrics take it: None measures nothing); None when the module is not there."""
    measure = _function(*SEPARATION)
    if measure is None:
        return None
    out = []
    for r in measure(creative, subjects=subjects):
        label = str(getattr(r, "label", None) or getattr(r, "element", "an image"))
        describe = getattr(r, "describe", None)
        message = describe() if callable(describe) else (
            f"{label}: separation {r.value:.3g} against a threshold of {r.threshold:.3g}")
        out.append(Separation(label, float(r.value), float(r.threshold), bool(r.passed),
                              message, bool(getattr(r, "applies", True))))
    return out


def separation_threshold() -> float | None:
    """The module's `SEPARATION_THRESHOLD`, for the report line; None when absent."""
    try:
        module = importlib.import_module(SEPARATION[0])
    except ImportError:
        return None
    value = getattr(module, "SEPARATION_THRESHOLD", None)
    return float(value) if isinstance(value, int | float) else None


@cache
def _takes_brand(judge: Callable[..., Any]) -> bool:
    try:
        return "brand" in inspect.signature(judge).parameters
    except (TypeError, ValueError):
        return False


def keeps_head_noun(title: str, text: str, lang: str, brand: str | None = None) -> bool | None:
    """Whether `text` (a headline written from `title`) kept the title's head noun (the
    brand, when the judge takes it, is never the noun); None when the copy module does
    not provide the judgement."""
    judge = _function(*HEAD_NOUN)
    if judge is None:
        return None
    if brand and _takes_brand(judge):
        return bool(judge(title, text, lang, brand=brand))
    return bool(judge(title, text, lang))


def line_defects(lines: Sequence[str], text: str | None = None) -> list[str] | None:
    """The defect names ("orphan", "hyphen-break", "dash-start", "word-split") of a
    text's drawn lines; None when the layout module does not provide them."""
    judge = _function(*LINE_DEFECTS)
    return None if judge is None else [str(d) for d in judge(list(lines), text)]
