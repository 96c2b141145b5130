"""Repair: what a designer does to a sketch before it is drawn properly.

The layout model places boxes on its own grid (32 steps a side) and knows the rules only
as well as its training data showed them, so many of its layouts are right in kind and
wrong in detail: a headline a step past the safe margin, a price box too short for its
text, a card that carries nothing. Compiling such a layout fails a check (safe margin,
overflow, orphan decoration) and loses the arrangement with it. Repair keeps the
arrangement and fixes the detail, in the order a designer would:

1. every edge onto the generation grid (`search.GRID`), and the copy of the column
   (headline down to button) set again in reading order in the room the layout gave it
   (`search.restack`): a sketch's copy is right in where it goes, rarely in the detail;
2. copy moved inside the safe margin, shrunk only where moving is not enough; a brand no
   taller than a logo chip should be (`TALLEST`);
3. each text box grown to the smallest size its role can be set in (`MINIMUM`), into free
   room below or right of it first, then above or left of it; optional copy (`OPTIONAL`:
   the subline, points, brand, badge) that has no room is left out, as a designer cuts
   copy before shrinking the headline;
4. a decoration dropped when nothing sits on it (a card with no copy inside it);

and then the layout must obey every rule the search's own layouts do (`search.valid`),
or it is dropped. Repair is pure and never invents an arrangement: it only moves edges
by what the rules need.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ddm_lang.layout.elements import UNDERLAY_SHARE

from .layout import COLUMN_ASPECT, STRIP_ASPECT, Layout, LayoutCondition, Proposer, RoleBox
from .search import (
    DISTINCT,
    GRID,
    TEXT_ROLES,
    layout_distance,
    overlap,
    restack,
    safe_share,
    snap,
    snapped,
    stands_on_floor,
    subject_box,
    valid,
)

OPTIONAL = frozenset({"subline", "points", "brand", "badge"})
"""Copy a design may go without: a box of these too small for its text is dropped."""

# The smallest box each text role is set in, as shares of the canvas's shorter side
# (width, height): below these its text overflows its fitted range or reads as a footnote.
MINIMUM: dict[str, tuple[float, float]] = {
    "headline": (0.34, 0.10),
    "subline": (0.26, 0.045),
    "points": (0.3, 0.13),
    "price": (0.28, 0.066),      # the sale price and, beside it, the list price
    "button": (0.24, 0.08),
    "brand": (0.24, 0.05),       # its logo on a chip and its name after it
    "badge": (0.14, 0.14),
}

# The tallest a box of these roles is drawn, as a share of the shorter side: a brand box
# sets its logo chip as tall as the box, and a chip taller than this crowds the copy.
TALLEST: dict[str, float] = {"brand": 0.1}


def repair(layout: Layout, condition: LayoutCondition, rng: np.random.Generator
           ) -> Layout | None:
    """The layout with its details fixed (see the module's docstring), or None when it
    cannot be made to obey the rules without changing its arrangement."""
    if not layout or layout[0].role != "hero":
        return None
    boxes = [snapped(b.role, (b.x, b.y, b.w, b.h)) for b in layout]
    if boxes[0] is None:
        return None
    stacked = restack(tuple(b for b in boxes if b is not None), condition, rng)
    if stacked is None:
        return None
    boxes = list(stacked)
    if boxes[0] is None:
        return None
    fixed: list[RoleBox] = [b for b in boxes if b is not None]
    sx, sy = safe_share(condition)
    for i, box in enumerate(fixed):
        if box.role in TEXT_ROLES:
            others = [b for b in fixed[:i] + fixed[i + 1:] if b.role != "gone"]
            grown = _grown(_inside(_capped(box, condition), sx, sy), others, condition,
                           sx, sy)
            if grown is None and box.role not in OPTIONAL:
                return None
            fixed[i] = grown or replace(box, role="gone")
    fixed = [b for b in fixed if b.role != "gone"]
    subject = subject_box(fixed[0], condition, stands_on_floor(
        fixed[0], next((b for b in fixed if b.role == "decoration"), None)))
    fixed = [b for b in fixed if b.role != "decoration" or _carries(b, fixed, subject)]
    out = tuple(fixed)
    return out if valid(out, condition) else None


class Repaired:
    """A `Proposer` whose layouts are repaired, dropped when they cannot be, and kept
    only when unlike those already kept (`search.DISTINCT`); it asks the proposer it
    wraps for a few more than `n` to make up for the layouts lost."""

    def __init__(self, proposer: Proposer, oversample: float = 1.5) -> None:
        self.proposer = proposer
        self.oversample = oversample

    @staticmethod
    def serves(condition: LayoutCondition) -> bool:
        """Whether repair suits the slot: not a strip or a column, whose shorter side is
        so short that copy restacked and grown in its shares (`restack`, `MINIMUM`)
        comes out too small to read; a blend leaves those to the search (`Blend`)."""
        return COLUMN_ASPECT < condition.aspect < STRIP_ASPECT

    def propose(self, condition: LayoutCondition, n: int, rng: np.random.Generator,
                temperature: float = 1.0) -> list[Layout]:
        asked = max(n, int(np.ceil(n * self.oversample)))
        out: list[Layout] = []
        for layout in self.proposer.propose(condition, asked, rng, temperature):
            fixed = repair(layout, condition, rng)
            if fixed is not None and all(layout_distance(fixed, o) >= DISTINCT for o in out):
                out.append(fixed)
            if len(out) >= n:
                break
        return out


def _capped(box: RoleBox, condition: LayoutCondition) -> RoleBox:
    """A box no taller than its role's `TALLEST`, kept on its vertical centre."""
    if box.role not in TALLEST:
        return box
    most = snap(TALLEST[box.role] * min(condition.width, condition.height) / condition.height)
    if box.h <= most:
        return box
    top = snap(box.y + (box.h - most) / 2)
    return _box(box.role, box.x, top, box.right, top + most)


def _box(role: str, left: float, top: float, right: float, bottom: float) -> RoleBox:
    return RoleBox(role, round(left, 4), round(top, 4), round(right - left, 4),
                   round(bottom - top, 4))


def _inside(box: RoleBox, sx: float, sy: float) -> RoleBox:
    """A copy box moved into the safe area, then cut to it where it is larger."""
    left, top, right, bottom = (round(float(v), 4) for v in _safe_bounds(sx, sy))
    w, h = min(box.w, right - left), min(box.h, bottom - top)
    x = min(max(box.x, left), right - w)
    y = min(max(box.y, top), bottom - h)
    return _box(box.role, x, y, x + w, y + h)


def _safe_bounds(sx: float, sy: float) -> tuple[float, float, float, float]:
    step = GRID
    return (float(np.ceil(sx / step - 1e-9) * step), float(np.ceil(sy / step - 1e-9) * step),
            float(np.floor((1 - sx) / step + 1e-9) * step),
            float(np.floor((1 - sy) / step + 1e-9) * step))


def _grown(box: RoleBox, others: list[RoleBox], condition: LayoutCondition, sx: float,
           sy: float) -> RoleBox | None:
    """A text box grown to its role's `MINIMUM` where there is room: its far edge first
    (down, right), then its near edge (up, left), then both, never onto other copy, the
    product or past the safe area; None when there is no room."""
    low_w, low_h = MINIMUM.get(box.role, (0.0, 0.0))
    u = min(condition.width, condition.height)
    need_w = snap(low_w * u / condition.width + GRID / 2)
    need_h = snap(low_h * u / condition.height + GRID / 2)
    left, top, right, bottom = _safe_bounds(sx, sy)
    blockers = _blockers(box, others, condition)
    grown = box
    for axis, need in (("y", need_h), ("x", need_w)):
        lack = round(need - (grown.h if axis == "y" else grown.w), 4)
        if lack <= 1e-9:
            continue
        for far, near in ((lack, 0.0), (0.0, lack), (lack / 2, lack / 2)):
            far, near = snap(far), snap(near)
            if far + near < lack - 1e-9:
                far = snap(lack - near)
            trial = (_box(box.role, grown.x, grown.y - near, grown.right, grown.bottom + far)
                     if axis == "y" else
                     _box(box.role, grown.x - near, grown.y, grown.right + far, grown.bottom))
            if (trial.x >= left - 1e-9 and trial.y >= top - 1e-9 and trial.right <= right + 1e-9
                    and trial.bottom <= bottom + 1e-9
                    and not any(overlap(trial, b) > 1e-9 for b in blockers)):
                grown = trial
                break
        else:
            return None
    return grown


def _blockers(box: RoleBox, others: list[RoleBox], condition: LayoutCondition
              ) -> list[RoleBox]:
    """What a text box may not grow onto: other copy, the product (the hero's whole box,
    but for the badge, which may sit on its corner off the product itself)."""
    hero = others[0] if others and others[0].role == "hero" else None
    out = [b for b in others if b.role in TEXT_ROLES]
    if hero is not None:
        deco = next((b for b in others if b.role == "decoration"), None)
        out.append(subject_box(hero, condition, stands_on_floor(hero, deco)))
        if box.role != "badge":
            out.append(hero)
    return out


def _carries(deco: RoleBox, layout: list[RoleBox], subject: RoleBox) -> bool:
    """Whether a decoration has something on it, as the `orphan-decoration` check reads
    it: the product or a piece of copy whose overlap with it is at least half the smaller
    of the two; a rule always (the writer draws it under the headline)."""
    if deco.w <= 0.021 or deco.h <= 0.021:
        return True
    content = [subject, *(b for b in layout if b.role in TEXT_ROLES)]
    return any(overlap(deco, b) >= UNDERLAY_SHARE * min(deco.w * deco.h, b.w * b.h)
               > 0 for b in content)

