"""The layout model's data: extracted layouts → token sequences, deduplicated and split.

Many creatives of one template share a layout (a fixed design does not move for every
product), so sequences are deduplicated on their tokens: identical condition and
identical quantised boxes count once. The split is **by template**: the validation
templates (`VALIDATION_TEMPLATES`, drawn by a salted hash of the names, not by hand) never
contribute a training sequence, so validation figures say how the model does on designs it
has not seen, not on other products of designs it has.

The vocabulary's buckets: format aspects are the stdlib slots' (skyscraper 0.27, story
0.56, pin 0.67, portrait 0.8, feed 1, rectangle 1.2, banner and landscape 1.85,
billboard 3.9, mobile 6.4, leaderboard 8.1), the nearest in log space; subject aspects
split at 0.45, 0.7, 0.9, 1.1, 1.45 and 2.2 (tall bottles … wide packs). Boxes are
quantised to 32 steps per side (3.1 % of the canvas).
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ddm_lang.generate.layout import ROLES, Layout, LayoutCondition, RoleBox  # noqa: E402
from ddm_lang.generate.model import Vocabulary  # noqa: E402

BINS = 32
FORMAT_ASPECTS = (0.267, 0.5625, 0.667, 0.8, 1.0, 1.2, 1.85, 3.88, 6.4, 8.09)
SUBJECT_EDGES = (0.45, 0.7, 0.9, 1.1, 1.45, 2.2)
VOCAB = Vocabulary(ROLES, BINS, FORMAT_ASPECTS, SUBJECT_EDGES)

SPLIT_SALT = "layout-model-1:"
VALIDATION_COUNT = 4


def validation_templates(names: Iterable[str]) -> frozenset[str]:
    """The held-out templates: the first `VALIDATION_COUNT` by a salted hash of the name."""
    ranked = sorted(set(names), key=lambda n: hashlib.sha256((SPLIT_SALT + n).encode())
                    .hexdigest())
    return frozenset(ranked[:VALIDATION_COUNT])


@dataclass(frozen=True)
class Example:
    """One deduplicated layout: where it came from (the first creative that gave it), how
    many creatives gave it, its condition, boxes and tokens."""

    template: str
    format: str
    catalogue: str
    product: str
    count: int
    condition: LayoutCondition
    layout: Layout
    tokens: tuple[int, ...]


def condition_of(row: dict[str, Any]) -> LayoutCondition:
    roles = tuple(r for r in ROLES if r in row["boxes"])
    return LayoutCondition(int(row["width"]), int(row["height"]),
                           float(row["subject_aspect"]), bool(row["cutout"]), roles)


def layout_of(row: dict[str, Any]) -> Layout:
    return tuple(RoleBox(role, *row["boxes"][role]) for role in ROLES if role in row["boxes"])


def examples(rows: Iterable[dict[str, Any]]) -> list[Example]:
    """Rows of `extract.py` as deduplicated examples, in first-seen order."""
    first: dict[tuple[int, ...], dict[str, Any]] = {}
    counts: Counter[tuple[int, ...]] = Counter()
    for row in rows:
        tokens = tuple(VOCAB.encode(condition_of(row), layout_of(row)))
        counts[tokens] += 1
        first.setdefault(tokens, row)
    out = []
    for tokens, row in first.items():
        out.append(Example(row["template"], row["format"], row["catalogue"], row["product"],
                           counts[tokens], condition_of(row),
                           VOCAB.decode(tokens), tokens))
    return out


def mirrored(example: Example) -> tuple[int, ...]:
    """The tokens of the example's layout flipped left to right (a training-time
    augmentation: a design read from the other side; the prefix is unchanged)."""
    flipped = tuple(RoleBox(r.role, 1.0 - r.right, r.y, r.w, r.h) for r in example.layout)
    return tuple(VOCAB.encode(example.condition, flipped))


def split(items: list[Example]) -> tuple[list[Example], list[Example]]:
    """(training, validation) by template."""
    held = validation_templates(e.template for e in items)
    return ([e for e in items if e.template not in held],
            [e for e in items if e.template in held])
