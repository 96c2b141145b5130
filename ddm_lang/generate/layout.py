"""What a layout proposer works with: the roles of a design's elements, their boxes, and
the condition a layout is proposed for.

Boxes are fractions of the canvas (0..1), so one layout vocabulary serves the layout
model (trained on the stdlib templates' compiled creatives, `training/layout_model/`) and
the search-only proposer alike, and a design written as a template stays in `%`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

ROLES: tuple[str, ...] = ("hero", "headline", "subline", "points", "price", "button",
                          "brand", "badge", "decoration")
"""Element roles, in the order a design lists them (the hero first: the rest avoid it)."""

STRIP_ASPECT = 3.0    # a canvas this much wider than high is a strip (leaderboard, billboard)
COLUMN_ASPECT = 0.4   # one this narrow a column (skyscraper): both need arrangements of their own


@dataclass(frozen=True)
class RoleBox:
    """One element of a layout: its role and box (x, y, width, height as canvas shares)."""

    role: str
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class LayoutCondition:
    """What a layout is proposed for: the canvas, the hero's subject and the roles to place.

    `subject_aspect` is the perceived subject's width / height in its photo; `cutout` says
    whether the hero is cut out (a product on a field) or shown as a photo; `roles` lists
    the roles the product has material for (no `price` without a price), hero first.
    For a photo, `photo_subject` is where perception found the product in it (x, y,
    width, height as shares of the photo), so copy can be set on the photo away from it.
    """

    width: int
    height: int
    subject_aspect: float
    cutout: bool
    roles: tuple[str, ...]
    photo_subject: tuple[float, float, float, float] | None = None

    @property
    def aspect(self) -> float:
        return self.width / self.height


Layout = tuple[RoleBox, ...]


class Proposer(Protocol):
    """Proposes `n` layouts for a condition; `temperature` trades likelihood for variety."""

    def propose(self, condition: LayoutCondition, n: int, rng: np.random.Generator,
                temperature: float = 1.0) -> list[Layout]: ...
