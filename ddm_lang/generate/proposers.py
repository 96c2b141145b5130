"""The proposers `ddm generate --proposer` chooses among, by name.

`search` samples the archetypes ad designers reuse (`search.SearchProposer`): reliable,
but it only knows the arrangements written into it. `model` samples the trained layout
model (`model.LayoutModel`), its layouts repaired to the rules (`repair.Repaired`): it
proposes arrangements learned from the templates, some of which no archetype draws.
`both` asks each for half and interleaves them, so that a design's candidates have the
model's variety and the search's reliability, and selection chooses among both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:    # the CLI reads the names when it builds its parser: nothing heavy here
    import numpy as np

    from .layout import Layout, LayoutCondition, Proposer

NAMES = ("search", "model", "both")
DEFAULT = "both"


class Blend:
    """A `Proposer` that takes a share of `n` from each of several and interleaves them,
    the first proposer's first; a layout like one already taken (`search.DISTINCT`) is
    dropped. A proposer with a `serves(condition)` method that says no to a slot gets no
    share of it (the repaired model leaves strips and columns to the search)."""

    def __init__(self, proposers: Sequence[Proposer]) -> None:
        self.proposers = tuple(proposers)

    def propose(self, condition: LayoutCondition, n: int, rng: np.random.Generator,
                temperature: float = 1.0) -> list[Layout]:
        from .search import DISTINCT, layout_distance
        active = [p for p in self.proposers if _serves(p, condition)] or list(self.proposers)
        k = len(active)
        shares = [n // k + (i < n % k) for i in range(k)]
        queues = [p.propose(condition, share, rng, temperature)
                  for p, share in zip(active, shares, strict=True)]
        out: list[Layout] = []
        while any(queues):
            for queue in queues:
                if queue:
                    layout = queue.pop(0)
                    if all(layout_distance(layout, o) >= DISTINCT for o in out):
                        out.append(layout)
        return out


def _serves(proposer: Proposer, condition: LayoutCondition) -> bool:
    """Whether a proposer takes a share of a slot: unless it says otherwise, it does."""
    serves = getattr(proposer, "serves", None)
    return True if serves is None else bool(serves(condition))


def make(name: str) -> Proposer:
    """The proposer called `name` (one of `NAMES`); the model's weights are loaded once
    per process (`model.load`)."""
    if name not in NAMES:
        raise ValueError(f"unknown proposer {name!r}; one of {', '.join(NAMES)}")
    from .search import SearchProposer
    if name == "search":
        return SearchProposer()
    from .model import load
    from .repair import Repaired
    learned = Repaired(load())
    return learned if name == "model" else Blend([learned, SearchProposer()])
