"""The search-only proposer: layouts sampled from the arrangements ad designers reuse.

Good product ads come in a handful of arrangements — the product beside the copy, above
it, below it, between the headline and the price, standing on a floor, or a photo bleeding
off the frame with the copy on the field beside it. Without a trained model, sampling
those archetypes with jittered proportions and keeping the samples that obey the rules
(inside the canvas and its safe margin, copy never on the product, no two texts on one
another, everything on the grid) gives varied, valid layouts in a millisecond or two; the
generator's compile-and-measure step then ranks them. The proposer is pure: the same
condition and random generator give the same layouts.

Lengths are worked out in shares of the canvas's shorter side (`u`), so a margin or a
button is the same physical size in every aspect ratio, then turned into shares of the
width or height and snapped to `GRID`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .layout import ROLES, Layout, LayoutCondition, RoleBox

GRID = 0.02            # every edge lies on a 2 % step of the canvas (a 50 × 50 grid)
MARGIN = 0.06          # outer margin, a share of the shorter side
SAFE = 0.03            # the safe margin the creative checks hold copy to (shorter side)
SAFE_PX = 8.0          # ... and never under 8 px
GUTTER = 0.05          # between the product and the copy, a share of the shorter side
SUBJECT_MARGIN = 1.16  # `place … fit subject` keeps 8 % of the subject's size round it
TEXT_ROLES = frozenset({"headline", "subline", "points", "price", "button", "brand", "badge"})
DISTINCT = 0.08        # layouts closer than this (layout_distance) count as one

Box = tuple[float, float, float, float]   # x, y, w, h as canvas shares


@dataclass(frozen=True)
class _Frame:
    """The canvas of one condition: converts shorter-side shares to width/height shares."""

    width: int
    height: int

    @property
    def u(self) -> float:
        return float(min(self.width, self.height))

    def fx(self, share: float) -> float:
        """A length of `share` × the shorter side, as a share of the width."""
        return share * self.u / self.width

    def fy(self, share: float) -> float:
        return share * self.u / self.height

    @property
    def tallness(self) -> float:
        """How much more room a tall slot gives copy (1 for square and wide ones)."""
        return max(1.0, min(1.45, (self.height / self.width) ** 0.5))

    @property
    def mx(self) -> float:
        return self.fx(MARGIN)

    @property
    def my(self) -> float:
        return self.fy(MARGIN)


class _Jitter:
    """Uniform draws around a centre, their spread scaled by the temperature."""

    def __init__(self, rng: np.random.Generator, temperature: float) -> None:
        self.rng = rng
        self.t = max(0.0, min(2.0, temperature))

    def __call__(self, low: float, high: float) -> float:
        mid, half = (low + high) / 2, (high - low) / 2 * self.t
        return float(self.rng.uniform(mid - half, mid + half)) if half > 0 else mid

    def pick(self, options: list[str]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)


# ---- the copy stack ---------------------------------------------------------------------

# Heights of the copy under the headline and the gaps between, as shares of the shorter
# side (the headline takes what is left, within its own bounds).
_HEIGHTS = {"subline": 0.048, "points": 0.17, "price": 0.072, "button": 0.088}
_HEADLINE_MIN = 0.11
_HEADLINE_MAX = 0.32
_BRAND_H = 0.06


def _stack(f: _Frame, j: _Jitter, roles: set[str], x: float, w: float, top: float,
           bottom: float, anchor: str, centred: bool, rule: bool = False
           ) -> dict[str, Box] | None:
    """The copy column from the headline down to the button, in reading order, within
    [top, bottom] of a column (x, w); `anchor` top, middle or bottom says where the stack
    sits when it is shorter than the room; `rule` puts a short rule (the decoration)
    under the headline. Copy is larger in tall slots. Optional copy is dropped (points
    first, then the subline) before the headline gets too small; None when even that
    does not fit."""
    wanted = [r for r in ("subline", "points", "price", "button") if r in roles]
    if "subline" in wanted and "points" in wanted:   # one or the other, not both
        wanted.remove("subline" if j.chance(0.4) else "points")
    t = f.tallness
    heights = {r: h * t for r, h in _HEIGHTS.items()}
    gap_head, gap, gap_button = j(0.026, 0.04) * t, j(0.016, 0.026) * t, j(0.03, 0.05) * t
    rule_gap = j(0.026, 0.034) * t
    rule_h = GRID * f.height / f.u
    if rule:
        gap_head = 2 * rule_gap + rule_h
    head_cap = j(0.22, _HEADLINE_MAX) * t
    while True:
        fixed = sum(heights[r] + (gap_button if r == "button" else gap) for r in wanted)
        if wanted:
            fixed += gap_head - gap
        head = min(head_cap, (bottom - top) * f.height / f.u - fixed)
        if head >= _HEADLINE_MIN * t:
            break
        for drop in ("points", "subline"):
            if drop in wanted:
                wanted.remove(drop)
                break
        else:
            return None
    total = f.fy(head + fixed)
    start = {"top": top, "bottom": bottom - total,
             "middle": top + (bottom - top - total) / 2}[anchor]
    boxes: dict[str, Box] = {"headline": (x, start, w, f.fy(head))}
    y = start + f.fy(head)
    if rule:
        rw = f.fx(0.1)
        boxes["decoration"] = (x + (w - rw) / 2 if centred else x, y + f.fy(rule_gap), rw,
                               f.fy(rule_h))
    for i, role in enumerate(wanted):
        y += f.fy(gap_head if i == 0 else gap_button if role == "button" else gap)
        h = f.fy(heights[role])
        bw = w
        if role == "button":
            bw = min(w, f.fx(j(0.3, 0.4) * t))
        elif role == "price":
            bw = min(w, max(w * 0.6, f.fx(0.4)))
        bx = x + (w - bw) / 2 if centred else x
        boxes[role] = (bx, y, bw, h)
        y += h
    return boxes


def _brand(f: _Frame, j: _Jitter, roles: set[str], x: float, w: float, y: float,
           centred: bool) -> Box | None:
    """A brand line (or logo) of the copy column's width, at most a third of the canvas."""
    if "brand" not in roles or not j.chance(0.8):
        return None
    bw = min(w, f.fx(j(0.34, 0.44)))
    return (x + (w - bw) / 2 if centred else x, y, bw, f.fy(_BRAND_H * f.tallness))


def _place_badge(f: _Frame, j: _Jitter, boxes: dict[str, Box], condition: LayoutCondition
                 ) -> Box | None:
    """A round discount badge (as wide as it is high) on the top corner of the product's
    box, else beside or above it, else in a free corner of the canvas: the first place
    that stays inside the safe margin, off the product itself and off the copy."""
    d = j(0.14, 0.18)
    bw, bh = f.fx(d), f.fy(d)
    hx, hy, hw, _ = boxes["hero"]
    gx, gy = f.fx(0.02), f.fy(0.02)
    corner = [(hx + hw - 0.75 * bw, hy - 0.25 * bh, bw, bh), (hx - 0.25 * bw, hy - 0.25 * bh, bw, bh)]
    beside = [(hx + hw + gx, hy, bw, bh), (hx - gx - bw, hy, bw, bh)]
    above = [(hx + hw - bw, hy - gy - bh, bw, bh), (hx, hy - gy - bh, bw, bh)]
    corners = [(1 - f.mx - bw, f.my, bw, bh), (f.mx, f.my, bw, bh),
               (1 - f.mx - bw, 1 - f.my - bh, bw, bh), (f.mx, 1 - f.my - bh, bw, bh)]
    if j.chance(0.5):
        corner.reverse()
        beside.reverse()
        above.reverse()
    hero = RoleBox("hero", *boxes["hero"])
    deco = RoleBox("decoration", *boxes["decoration"]) if "decoration" in boxes else None
    taken = [RoleBox(r, *b) for r, b in boxes.items() if r in TEXT_ROLES]
    taken.append(subject_box(hero, condition, stands_on_floor(hero, deco)))
    sx, sy = safe_share(condition)
    for x, y, w, h in corner + beside + above + corners:
        box = _snapped("badge", (x, y, w, h))
        if box is None or box.x < sx or box.y < sy or box.right > 1 - sx or box.bottom > 1 - sy:
            continue
        if all(overlap(box, other) <= 1e-6 for other in taken):
            return (x, y, w, h)
    return None


# ---- archetypes -------------------------------------------------------------------------

def _disc(f: _Frame, j: _Jitter, hero: Box) -> Box:
    """A disc behind the product, nearly as large as its box's shorter side."""
    hx, hy, hw, hh = hero
    d = min(hw * f.width, hh * f.height) * j(0.86, 0.98) / f.u
    return (hx + hw / 2 - f.fx(d) / 2, hy + hh / 2 - f.fy(d) / 2, f.fx(d), f.fy(d))


def _hug(f: _Frame, cond: LayoutCondition, box: Box, across: str = "center",
         down: str = "center") -> Box:
    """The product's box brought halfway (geometrically) to its own shape (a cut-out
    product's, or a photo's, which fills its box), on the side `across` (left, center,
    right) and `down` (top, center, bottom) says: less empty box round a product, less
    of a photo cropped, yet room for another shape when the template is reused."""
    x, y, w, h = box
    have = w * f.width / (h * f.height)
    want = (have * cond.subject_aspect) ** 0.5
    if want < have:
        nw = h * f.height * want / f.width
        return (x + {"left": 0.0, "center": (w - nw) / 2, "right": w - nw}[across], y, nw, h)
    nh = w * f.width / want / f.height
    return (x, y + {"top": 0.0, "center": (h - nh) / 2, "bottom": h - nh}[down], w, nh)


def _bottom(boxes: dict[str, Box]) -> float:
    return max(b[1] + b[3] for b in boxes.values())


def _bleeds(f: _Frame, cond: LayoutCondition, j: _Jitter, panel: Box) -> bool:
    """Whether a photo (not cut out) fills a panel bleeding off the canvas edges: only
    when the panel has about the photo's own shape (`subject_aspect`, for a photo the
    photo's), so that little of it is cropped or made up, and then more often than not."""
    if cond.cutout:
        return False
    have = panel[2] * f.width / (panel[3] * f.height)
    return max(have / cond.subject_aspect, cond.subject_aspect / have) < 1.8 and j.chance(0.6)


def _split(f: _Frame, j: _Jitter, cond: LayoutCondition, roles: set[str]
           ) -> dict[str, Box] | None:
    """The product on one side, the copy in a column on the other; a photo may bleed off
    the three edges of its side."""
    side = j.pick(["left", "right"])
    share = j(0.44, 0.56)
    gutter = f.fx(GUTTER)
    copy_w = 1 - share - f.mx - gutter / 2
    copy_x = share + gutter / 2 if side == "left" else f.mx
    boxes: dict[str, Box] = {}
    panel = (0.0, 0.0, share, 1.0) if side == "left" else (1 - share, 0.0, share, 1.0)
    if _bleeds(f, cond, j, panel):
        boxes["hero"] = panel
        decoration = "none"
    else:
        hero_w = share - f.mx - gutter / 2
        hero_x = f.mx if side == "left" else 1 - share + gutter / 2
        top = f.my + f.fy(j(0.02, 0.1))
        boxes["hero"] = _hug(f, cond, (hero_x, top, hero_w, 1 - f.my - top - f.fy(j(0.02, 0.1))),
                             "right" if side == "left" else "left")
        decoration = j.pick(["none", "panel", "disc", "rule"])
    brand = _brand(f, j, roles, copy_x, copy_w, f.my, False)
    top = f.my + (brand[3] + f.fy(0.04) if brand else f.fy(0.02))
    stack = _stack(f, j, roles, copy_x, copy_w, top, 1 - f.my - f.fy(0.02),
                   j.pick(["middle", "middle", "bottom"]), False, decoration == "rule")
    if stack is None:
        return None
    boxes.update(stack)
    if brand:
        boxes["brand"] = brand
    if decoration == "panel":
        boxes["decoration"] = panel
    elif decoration == "disc":
        boxes["decoration"] = _disc(f, j, boxes["hero"])
    return boxes


def _trio(f: _Frame, j: _Jitter, cond: LayoutCondition, roles: set[str]
          ) -> dict[str, Box] | None:
    """A wide slot in three columns: the headline, the product in the middle, the price
    and the button."""
    if not {"price", "button"} & roles:
        return None
    left_w, hero_w = j(0.3, 0.36), j(0.3, 0.36)
    gutter = f.fx(GUTTER)
    x0 = f.mx
    hero_x = x0 + left_w + gutter
    right_x = hero_x + hero_w + gutter
    right_w = 1 - f.mx - right_x
    if right_w < f.fx(0.3):
        return None
    brand = _brand(f, j, roles, x0, left_w, f.my, False)
    top = f.my + (brand[3] + f.fy(0.04) if brand else f.fy(0.02))
    left = _stack(f, j, roles & {"headline", "subline"}, x0, left_w, top,
                  1 - f.my - f.fy(0.02), "middle", False)
    if left is None:
        return None
    boxes: dict[str, Box] = dict(left)
    lower = [r for r in ("price", "button") if r in roles]
    heights = [f.fy(_HEIGHTS[r]) for r in lower]
    gap = f.fy(j(0.03, 0.05))
    y = (1 - sum(heights) - gap * (len(lower) - 1)) / 2
    for role, h in zip(lower, heights, strict=True):
        bw = min(right_w, f.fx(j(0.3, 0.4))) if role == "button" else right_w
        boxes[role] = (right_x, y, bw, h)
        y += h + gap
    boxes["hero"] = _hug(f, cond, (hero_x, f.my + f.fy(0.02), hero_w, 1 - 2 * f.my - f.fy(0.04)))
    if brand:
        boxes["brand"] = brand
    if j.chance(0.5):
        boxes["decoration"] = _disc(f, j, boxes["hero"])
    return boxes


def _stacked(f: _Frame, j: _Jitter, cond: LayoutCondition, roles: set[str], hero_on: str
             ) -> dict[str, Box] | None:
    """The product above the copy (`hero_on` top) or below it (bottom), in a centred
    column or a left-aligned one; a photo may bleed off its three edges."""
    centred = j.chance(0.7)
    share = j(0.46, 0.58) if f.height >= f.width * 1.2 else j(0.42, 0.5)
    x, w = f.mx, 1 - 2 * f.mx
    panel = (0.0, 0.0, 1.0, share + f.my) if hero_on == "top" else \
        (0.0, 1 - share - f.my, 1.0, share + f.my)
    bleed = _bleeds(f, cond, j, panel)
    inset = f.fx(j(0.04, 0.14)) if centred else 0.0
    brand = _brand(f, j, roles, x, w, f.my, centred) if not (bleed and hero_on == "top") \
        else None
    head_top = f.my + (brand[3] + f.fy(0.03) if brand else 0)
    decoration = "none" if bleed else j.pick(["none", "floor", "disc", "rule"])
    rule = decoration == "rule"
    if hero_on == "top":
        hero = panel if bleed else \
            _hug(f, cond, (x + inset, head_top, w - 2 * inset, share - (head_top - f.my)),
                 down="bottom")
        stack = _stack(f, j, roles, x, w, hero[1] + hero[3] + f.fy(GUTTER), 1 - f.my, "top",
                       centred, rule)
        if stack is None:
            return None
    else:
        stack = _stack(f, j, roles, x, w, head_top, 1 - share - f.fy(GUTTER), "top", centred,
                       rule)
        if stack is None:
            return None
        top = _bottom(stack) + f.fy(GUTTER)
        hero = (0.0, top, 1.0, 1 - top) if bleed else \
            _hug(f, cond, (x + inset, top, w - 2 * inset, 1 - f.my - top - f.fy(0.02)),
                 down="bottom" if decoration == "floor" else "top")
    boxes: dict[str, Box] = {"hero": hero, **stack}
    if brand:
        boxes["brand"] = brand
    if decoration == "floor":
        line = hero[1] + hero[3]
        boxes["decoration"] = (0.0, line, 1.0, 1 - line)
    elif decoration == "disc":
        boxes["decoration"] = _disc(f, j, hero)
    return boxes


def _sandwich(f: _Frame, j: _Jitter, cond: LayoutCondition, roles: set[str]
              ) -> dict[str, Box] | None:
    """The headline above the product, the price and the button below it: one centred
    column read top to bottom."""
    x, w = f.mx, 1 - 2 * f.mx
    brand = _brand(f, j, roles, x, w, f.my, True)
    top = f.my + (brand[3] + f.fy(0.02) if brand else 0)
    upper = _stack(f, j, roles & {"headline", "subline"}, x, w, top,
                   top + f.fy(j(0.2, 0.3) * f.tallness), "top", True)
    if upper is None:
        return None
    boxes: dict[str, Box] = dict(upper)
    y = 1 - f.my
    for role in ("button", "price"):   # from the bottom up
        if role in roles:
            h = f.fy(_HEIGHTS[role])
            bw = f.fx(j(0.3, 0.4)) if role == "button" else min(w, f.fx(0.5))
            boxes[role] = (x + (w - bw) / 2, y - h, bw, h)
            y -= h + f.fy(j(0.02, 0.03))
    hero_top = _bottom(upper) + f.fy(GUTTER)
    hero_bottom = y - f.fy(GUTTER) + f.fy(0.02)
    if hero_bottom - hero_top < f.fy(0.3):
        return None
    inset = f.fx(j(0.06, 0.16))
    boxes["hero"] = _hug(f, cond, (x + inset, hero_top, w - 2 * inset, hero_bottom - hero_top))
    if brand:
        boxes["brand"] = brand
    if cond.cutout and j.chance(0.5):
        boxes["decoration"] = _disc(f, j, boxes["hero"])
    return boxes


def _stage(f: _Frame, j: _Jitter, cond: LayoutCondition, roles: set[str]
           ) -> dict[str, Box] | None:
    """The product standing on a floor (its base on the floor line), the copy above it in
    tall and square slots, beside it in wide ones."""
    if not cond.cutout:
        return None
    wide = f.width > f.height * 1.3
    line = j(0.72, 0.8) if wide else j(0.64, 0.74)
    boxes: dict[str, Box] = {"decoration": (0.0, line, 1.0, 1 - line)}
    if wide:
        side = j.pick(["left", "right"])
        share = j(0.44, 0.52)
        gutter = f.fx(GUTTER)
        hero_x = f.mx if side == "left" else 1 - share + gutter / 2
        top = f.my + f.fy(0.04)
        boxes["hero"] = _hug(f, cond, (hero_x, top, share - f.mx - gutter / 2, line - top),
                             "right" if side == "left" else "left", "bottom")
        copy_x = share + gutter / 2 if side == "left" else f.mx
        copy_w = 1 - share - f.mx - gutter / 2
        brand = _brand(f, j, roles, copy_x, copy_w, f.my, False)
        top = f.my + (brand[3] + f.fy(0.03) if brand else 0)
        stack = _stack(f, j, roles, copy_x, copy_w, top, 1 - f.my, "middle", False)
    else:
        x, w = f.mx, 1 - 2 * f.mx
        brand = _brand(f, j, roles, x, w, f.my, True)
        top = f.my + (brand[3] + f.fy(0.02) if brand else 0)
        stack = _stack(f, j, roles - {"points"}, x, w, top, top + f.fy(0.44), "top", True)
        if stack is None:
            return None
        hero_top = _bottom(stack) + f.fy(GUTTER)
        if line - hero_top < f.fy(0.22):
            return None
        inset = f.fx(j(0.1, 0.2))
        boxes["hero"] = _hug(f, cond, (x + inset, hero_top, w - 2 * inset, line - hero_top),
                             down="bottom")
    if stack is None:
        return None
    boxes.update(stack)
    if brand:
        boxes["brand"] = brand
    return boxes


Archetype = Callable[[_Frame, _Jitter, LayoutCondition, set[str]], "dict[str, Box] | None"]


def _hero_top(f: _Frame, j: _Jitter, c: LayoutCondition, r: set[str]) -> dict[str, Box] | None:
    return _stacked(f, j, c, r, "top")


def _hero_bottom(f: _Frame, j: _Jitter, c: LayoutCondition, r: set[str]
                 ) -> dict[str, Box] | None:
    return _stacked(f, j, c, r, "bottom")


def _archetypes(cond: LayoutCondition) -> list[tuple[str, Archetype]]:
    """The archetypes that suit the slot's shape: nothing stacks in a wide banner, nothing
    sits side by side in a tall story."""
    wide, tall = cond.aspect > 1.3, cond.aspect < 0.8
    out: list[tuple[str, Archetype]] = []
    if not tall:
        out.append(("split", _split))
    if wide:
        if cond.cutout:
            out.append(("trio", _trio))
    else:
        out += [("hero-top", _hero_top), ("hero-bottom", _hero_bottom),
                ("sandwich", _sandwich)]
    if cond.cutout:
        out.append(("stage", _stage))
    return out


# ---- restacking another proposer's copy --------------------------------------------------

COLUMN_ROLES = ("headline", "subline", "points", "price", "button")


def restack(layout: Layout, condition: LayoutCondition, rng: np.random.Generator
            ) -> Layout | None:
    """A layout's copy set again as one column in the room the layout gave it.

    A learned layout places the product, the copy's room, the brand, the badge and the
    decoration well, and the pieces of copy less so (a price right of the button, a
    subline under the price). This keeps everything but the column's copy and stacks
    that in reading order (`_stack`) within the rectangle round it, pulled off the
    product's box on the side where most of the room is, centred when the room is
    centred on the canvas and anchored towards the product; a room too low for the
    stack but wide takes it as two columns (`_band`). None when no headline fits.
    """
    boxes = {b.role: b for b in layout}
    column = [boxes[r] for r in COLUMN_ROLES if r in boxes]
    if "headline" not in boxes or not layout or layout[0].role != "hero":
        return None
    f = _Frame(condition.width, condition.height)
    hero = boxes["hero"]
    sx, sy = safe_share(condition)
    left, top = max(min(b.x for b in column), sx), max(min(b.y for b in column), sy)
    right = min(max(b.right for b in column), 1 - sx)
    bottom = min(max(b.bottom for b in column), 1 - sy)
    room = _off((left, top, right - left, bottom - top), hero, f)
    if room is None:
        return None
    x, y, w, h = room
    centred = abs(x + w / 2 - 0.5) < 0.05 and w < 0.9
    anchor = ("top" if y >= hero.bottom - 1e-6 else "bottom" if y + h <= hero.y + 1e-6
              else "middle")
    j, wanted = _Jitter(rng, 0.0), {b.role for b in column}
    stacked = _stack(f, j, wanted, x, w, y, y + h, anchor, centred)
    if stacked is None and w > 0.5:
        stacked = _band(f, j, wanted, x, w, y, h, anchor)
    if stacked is None:
        return None
    kept = {b.role: (b.x, b.y, b.w, b.h) for b in layout if b.role not in COLUMN_ROLES}
    return _layout({**kept, **stacked}, condition)


def _band(f: _Frame, j: _Jitter, roles: set[str], x: float, w: float, y: float, h: float,
          anchor: str) -> dict[str, Box] | None:
    """Copy in a wide, low room as two columns: the headline (and subline) on the left,
    the price above the button ranged right on the right, their tops level."""
    right = [r for r in ("price", "button") if r in roles]
    rw = max(f.fx(0.3), 0.34 * w)
    lw = w - rw - f.fx(GUTTER)
    left = _stack(f, j, roles - {"points", "price", "button"}, x, lw, y, y + h, anchor, False)
    if left is None or lw < f.fx(_HEADLINE_MIN * 2):
        return None
    top = left["headline"][1]
    t = f.tallness
    for i, role in enumerate(right):
        rh = f.fy(_HEIGHTS[role] * t)
        if top + rh > y + h + 1e-9:
            return None
        bw = rw if role == "price" else min(rw, f.fx(0.34 * t))
        left[role] = (x + w - bw, top, bw, rh)
        top += rh + (f.fy(0.03 * t) if i == 0 else 0.0)
    return left


def _off(room: Box, hero: RoleBox, f: _Frame) -> Box | None:
    """The room cut off the product's box, a gutter apart, on the side that leaves the
    most of it; the room itself when it is clear of the box."""
    x, y, w, h = room
    if w <= 0 or h <= 0:
        return None
    if overlap(RoleBox("room", x, y, w, h), hero) <= 1e-9:
        return room
    gx, gy = f.fx(GUTTER), f.fy(GUTTER)
    options = [(hero.right + gx, y, x + w - hero.right - gx, h),   # right of the product
               (x, y, hero.x - gx - x, h),                          # left of it
               (x, hero.bottom + gy, w, y + h - hero.bottom - gy),  # below it
               (x, y, w, hero.y - gy - y)]                          # above it
    usable = [b for b in options if b[2] > 0 and b[3] > 0]
    return max(usable, key=lambda b: b[2] * b[3]) if usable else None


# ---- validity ---------------------------------------------------------------------------

def snap(value: float) -> float:
    """The nearest grid line."""
    return round(round(value / GRID) * GRID, 4)


def _snapped(role: str, box: Box) -> RoleBox | None:
    x, y, w, h = box
    left, top, right, bottom = snap(x), snap(y), snap(x + w), snap(y + h)
    left, top = max(0.0, left), max(0.0, top)
    right, bottom = min(1.0, right), min(1.0, bottom)
    if right - left < GRID or bottom - top < GRID:
        return None
    return RoleBox(role, left, top, round(right - left, 4), round(bottom - top, 4))


def subject_box(hero: RoleBox, condition: LayoutCondition, on_floor: bool = False) -> RoleBox:
    """Where the product is drawn in its box. `place … fit subject` scales the cut-out
    subject, with the 8 % margin the operation keeps round it, to fit the box, centred, or
    standing on the box's bottom edge on a floor (`anchor bottom`); a photo fills its box."""
    if not condition.cutout:
        return RoleBox("subject", hero.x, hero.y, hero.w, hero.h)
    aspect = condition.subject_aspect * condition.height / condition.width  # in shares
    w, h = (hero.w, hero.w / aspect) if hero.w / hero.h < aspect else (hero.h * aspect, hero.h)
    sw, sh = w / SUBJECT_MARGIN, h / SUBJECT_MARGIN
    x = hero.x + (hero.w - sw) / 2
    y = hero.bottom - sh - (h - sh) / 2 if on_floor else hero.y + (hero.h - sh) / 2
    return RoleBox("subject", x, y, sw, sh)


def stands_on_floor(hero: RoleBox, decoration: RoleBox | None) -> bool:
    """Whether the product stands on a floor: a band from edge to edge across the canvas,
    down to its bottom, whose top is the product box's bottom."""
    return (decoration is not None and decoration.x <= 1e-6 and decoration.right >= 1 - 1e-6
            and decoration.bottom >= 1 - 1e-6 and abs(decoration.y - hero.bottom) < 0.021)


def overlap(a: RoleBox, b: RoleBox) -> float:
    w = min(a.right, b.right) - max(a.x, b.x)
    h = min(a.bottom, b.bottom) - max(a.y, b.y)
    return max(0.0, w) * max(0.0, h)


def safe_share(condition: LayoutCondition) -> tuple[float, float]:
    """The checks' safe margin as shares of the width and the height."""
    px = max(SAFE_PX, SAFE * min(condition.width, condition.height))
    return px / condition.width, px / condition.height


def valid(layout: Layout, condition: LayoutCondition) -> bool:
    """Whether a layout obeys the rules every proposal keeps: the hero first, every box on
    the canvas, copy inside the safe margin and off other copy, off the product's box
    (the discount badge may sit on its corner, off the product itself)."""
    if not layout or layout[0].role != "hero":
        return False
    sx, sy = safe_share(condition)
    hero = layout[0]
    deco = next((b for b in layout if b.role == "decoration"), None)
    subject = subject_box(hero, condition, stands_on_floor(hero, deco))
    texts = [b for b in layout if b.role in TEXT_ROLES]
    eps = 1e-6
    for b in layout:
        if b.x < -eps or b.y < -eps or b.right > 1 + eps or b.bottom > 1 + eps:
            return False
    for b in texts:
        if b.x < sx - eps or b.y < sy - eps or b.right > 1 - sx + eps or b.bottom > 1 - sy + eps:
            return False
        if overlap(b, subject) > eps or (b.role != "badge" and overlap(b, hero) > eps):
            return False
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if overlap(a, b) > eps:
                return False
    return True


def _layout(boxes: dict[str, Box], condition: LayoutCondition) -> Layout | None:
    out: list[RoleBox] = []
    for role in ROLES:
        if role in boxes and (role in condition.roles or role == "decoration"):
            box = _snapped(role, boxes[role])
            if box is None:
                if role in ("hero", "headline"):
                    return None
                continue
            out.append(box)
    return tuple(out)


# ---- distance ---------------------------------------------------------------------------

def iou(a: RoleBox, b: RoleBox) -> float:
    inter = overlap(a, b)
    union = a.w * a.h + b.w * b.h - inter
    return inter / union if union > 0 else 0.0


def layout_distance(a: Layout, b: Layout) -> float:
    """Mean over the roles of either layout of 1 − IoU of the two boxes of that role (1
    where only one layout has it): 0 for the same layout, 1 for nothing in common."""
    boxes_a, boxes_b = {r.role: r for r in a}, {r.role: r for r in b}
    roles = set(boxes_a) | set(boxes_b)
    if not roles:
        return 0.0
    total = sum(1 - iou(boxes_a[r], boxes_b[r]) if r in boxes_a and r in boxes_b else 1.0
                for r in roles)
    return total / len(roles)


# ---- the proposer -----------------------------------------------------------------------

class SearchProposer:
    """Samples archetypes with jittered proportions and keeps valid, distinct layouts."""

    def __init__(self, attempts: int = 40) -> None:
        self.attempts = attempts     # tries per layout asked for before giving up

    def propose(self, condition: LayoutCondition, n: int, rng: np.random.Generator,
                temperature: float = 1.0) -> list[Layout]:
        """Up to `n` valid layouts, pairwise at least `DISTINCT` apart, cycling through
        the archetypes that suit the slot so that the first few already differ in kind."""
        frame = _Frame(condition.width, condition.height)
        jitter = _Jitter(rng, temperature)
        kinds = _archetypes(condition)
        roles = set(condition.roles)
        out: list[Layout] = []
        order = list(rng.permutation(len(kinds)))
        for attempt in range(max(1, n) * self.attempts):
            if len(out) >= n:
                break
            _, archetype = kinds[order[attempt % len(order)]]
            boxes = archetype(frame, jitter, condition, roles)
            if boxes is None:
                continue
            if "badge" in roles:
                badge = _place_badge(frame, jitter, boxes, condition)
                if badge is not None:
                    boxes["badge"] = badge
            layout = _layout(boxes, condition)
            if layout is None or not valid(layout, condition):
                continue
            if all(layout_distance(layout, other) >= DISTINCT for other in out):
                out.append(layout)
        return out


def archetype_names(condition: LayoutCondition) -> list[str]:
    """The archetypes the proposer samples for a condition (for reports and docs)."""
    return [name for name, _ in _archetypes(condition)]
