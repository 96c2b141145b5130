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

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .layout import COLUMN_ASPECT, ROLES, STRIP_ASPECT, Layout, LayoutCondition, RoleBox

GRID = 0.02            # every edge lies on a 2 % step of the canvas (a 50 × 50 grid)
MARGIN = 0.06          # outer margin, a share of the shorter side
SAFE = 0.03            # the safe margin the creative checks hold copy to (shorter side)
SAFE_PX = 8.0          # ... and never under 8 px
GUTTER = 0.05          # between the product and the copy, a share of the shorter side
SUBJECT_MARGIN = 1.16  # `place … fit subject` keeps 8 % of the subject's size round it
TEXT_ROLES = frozenset({"headline", "subline", "points", "price", "button", "brand", "badge"})
DISTINCT = 0.08        # layouts closer than this (layout_distance) count as one
BADGE_LEAST = 44.0     # px: a discount badge's least diameter, for its "−30%" to fit
BADGE_MIN_SIDE = 200   # px: a canvas's shorter side below this has no room for a badge

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
    """A round discount badge (as wide as it is high, and at least `BADGE_LEAST` across)
    on the top corner of the product's box, else beside or above it, else in a free
    corner of the canvas: the first place that stays inside the safe margin, off the
    product itself and off the copy."""
    d = max(j(0.14, 0.18), BADGE_LEAST / f.u)
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
        box = snapped("badge", (x, y, w, h))
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


def _backdrop(f: _Frame, j: _Jitter, hero: Box, decoration: str) -> Box | None:
    """A floor under the product's box (from its bottom edge down, edge to edge) or a disc
    behind it, as `decoration` asks; None for anything else."""
    if decoration == "floor":
        line = hero[1] + hero[3]
        return (0.0, line, 1.0, 1 - line)
    return _disc(f, j, hero) if decoration == "disc" else None


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


OVERLAY_ROOM = 0.36     # the least share of the canvas beside (or above, below) the product


def _overlay(f: _Frame, j: _Jitter, cond: LayoutCondition, roles: set[str]
             ) -> dict[str, Box] | None:
    """A photo filling the canvas, the copy on it on the side farthest from the product,
    over a scrim: a band of the field's colour fading into the photo towards the product
    (the writer draws it over the photo), so the copy reads whatever the photo holds."""
    whole = (0.0, 0.0, 1.0, 1.0)
    if cond.cutout or not photo_cover_keeps(cond, whole):
        return None
    s = photo_subject_box(RoleBox("hero", *whole), cond)
    px, py, pw, ph = cond.photo_subject or (0.0, 0.0, 1.0, 1.0)
    # room on the canvas, and in the photo: what the template tests for another product
    rooms = {"left": min(s.x, px), "right": min(1 - s.right, 1 - px - pw),
             "top": min(s.y, py), "bottom": min(1 - s.bottom, 1 - py - ph)}
    if cond.aspect > 1.3:
        rooms.pop("top"), rooms.pop("bottom")
    elif cond.aspect < 0.8:
        rooms.pop("left"), rooms.pop("right")
    sides = sorted((room, side) for side, room in rooms.items() if room >= OVERLAY_ROOM)
    if not sides:
        return None
    side = sides[-1][1] if len(sides) == 1 or j.chance(0.7) else sides[-2][1]
    gx, gy = f.fx(2 * GUTTER), f.fy(2 * GUTTER)    # the scrim fades out in the gutter
    if side in ("left", "right"):
        x = f.mx if side == "left" else s.right + gx
        w = (s.x - gx - f.mx) if side == "left" else (1 - f.mx - x)
        top, bottom, centred = f.my, 1 - f.my, False
        anchor = j.pick(["middle", "bottom", "bottom"])
        scrim = (0.0, 0.0, s.x, 1.0) if side == "left" else (s.right, 0.0, 1 - s.right, 1.0)
    else:
        x, w, centred = f.mx, 1 - 2 * f.mx, True
        top = f.my if side == "top" else s.bottom + gy
        bottom = s.y - gy if side == "top" else 1 - f.my
        anchor = "top" if side == "top" else "bottom"
        scrim = (0.0, 0.0, 1.0, s.y) if side == "top" else (0.0, s.bottom, 1.0, 1 - s.bottom)
    if w < f.fx(0.3):
        return None
    brand = _brand(f, j, roles, x, w, top, centred) if side != "bottom" else None
    if brand:
        top = brand[1] + brand[3] + f.fy(0.03)
    stack = _stack(f, j, roles, x, w, top, bottom, anchor, centred)
    if stack is None:
        return None
    boxes: dict[str, Box] = {"hero": whole, "decoration": scrim, **stack}
    if brand:
        boxes["brand"] = brand
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
    backdrop = _backdrop(f, j, hero, decoration)
    if backdrop is not None:
        boxes["decoration"] = backdrop
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


# ---- strips and columns -----------------------------------------------------------------

# A strip (leaderboard, mobile banner, billboard) is too low for a column of copy: the
# product is a thumbnail at one end and the copy runs beside it in a row. Its sizes are
# worked out in pixels of the strip's height, and copy boxes are kept to the grid lines
# inside their room (`_inward`), since a grid step is a large share of a strip's margin.
ROW_STRIP = 5.0          # a strip this much wider than high sets its copy in one row
_ROW_LINE = 0.36         # a strip's one-line headline is at least this share of its height
PRICE_LEAST = 120.0      # px: the narrowest price box that holds a long sale price and
                         # its list price ("1,043 kr 1,490 kr") at the writer's least sizes


def _up(value: float) -> float:
    """The first grid line at or after `value`."""
    return round(math.ceil(value / GRID - 1e-6) * GRID, 4)


def _down(value: float) -> float:
    """The last grid line at or before `value`."""
    return round(math.floor(value / GRID + 1e-6) * GRID, 4)


def _inward(box: Box) -> Box:
    """A copy box shrunk to the grid lines inside it, so that snapping never moves it
    across the safe margin or onto its neighbour."""
    x, y, w, h = box
    left, top, right, bottom = _up(x), _up(y), _down(x + w), _down(y + h)
    return (left, top, right - left, bottom - top)


def _on_lines(box: Box) -> Box:
    """A product box snapped to the grid as the layout will be: a strip's grid step is a
    large share of its height, so the discount badge, which is placed before snapping,
    is kept off the product where it will be drawn."""
    on_grid = snapped("hero", box)
    return box if on_grid is None else (on_grid.x, on_grid.y, on_grid.w, on_grid.h)


@dataclass(frozen=True)
class _Room:
    """A rectangle of the canvas where copy may go, as canvas shares on grid lines."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left


def _safe_room(cond: LayoutCondition) -> _Room:
    """The canvas inside the checks' safe margin, to the grid lines within it."""
    sx, sy = safe_share(cond)
    return _Room(_up(sx), _up(sy), _down(1 - sx), _down(1 - sy))


def _thumbnail(f: _Frame, j: _Jitter, cond: LayoutCondition, side: str, room: _Room
               ) -> tuple[Box, bool]:
    """The product at the `side` end of a strip, and whether it bleeds: a cut-out product
    (or a photo) the strip's full height less a small margin, its box brought towards the
    product's shape and set at the end's copy margin; a photo of about the end's shape
    may fill the end instead, bleeding off three edges."""
    height = f.height
    photo_w = height * min(max(cond.subject_aspect, 0.8), 1.6) * j(0.95, 1.1) / f.width
    end = (0.0, 0.0, photo_w, 1.0) if side == "left" else (1 - photo_w, 0.0, photo_w, 1.0)
    if _bleeds(f, cond, j, end):
        return _on_lines(end), True
    pad = max(2.0, j(0.05, 0.1) * height) / height
    h = 1 - 2 * pad
    w = h * height * j(1.0, 1.4) / f.width
    x = room.left if side == "left" else room.right - w
    return _on_lines(_hug(f, cond, (x, pad, w, h), side)), False


def _gutter(j: _Jitter) -> float:
    """The gap between a strip's thumbnail, headline and price, a share of its width."""
    return j(0.018, 0.03)


def _row_ends(f: _Frame, j: _Jitter, roles: set[str], room: _Room, both: float, one: float
              ) -> tuple[dict[str, Box], float] | None:
    """The price and the button at the right of `room` in a one-row strip, side by side,
    and where they begin: both where that leaves `both` of the width before them, else
    one (a mobile banner has room for one) where that leaves `one`; else None."""
    band = (room.bottom - room.top) * f.height
    ph = min(band, j(0.44, 0.54) * f.height + 6)
    bh = min(band, j(0.44, 0.52) * f.height + 8)
    most = room.width * f.width
    sizes = {"price": (max(PRICE_LEAST, min(most, ph * j(3.4, 4.0))), ph),
             "button": (min(most, bh * j(2.6, 3.1)), bh)}
    ends: list[str] = [r for r in ("price", "button") if r in roles]
    if len(ends) == 2 and j.chance(0.4):
        ends.remove(j.pick(ends))
    gap = j(0.02, 0.03)
    while True:
        boxes = _from_right(f, ends, sizes, room, gap)
        start = min((b[0] for b in boxes.values()), default=room.right)
        if start - room.left >= both or len(ends) < 2:
            break
        ends.remove("button")
    if start - room.left < one - 1e-9:
        return None
    return boxes, start


def _from_right(f: _Frame, ends: list[str], sizes: dict[str, tuple[float, float]],
                room: _Room, gap: float) -> dict[str, Box]:
    """`ends` in a row ending at the room's right edge, centred on its height, each at
    least its size (px) wide with its edges on grid lines, in reading order."""
    out: dict[str, Box] = {}
    right = room.right
    middle = (room.top + room.bottom) / 2
    for role in reversed(ends):
        w, h = sizes[role]
        left = _down(right - w / f.width)
        _, top, _, height = _inward((0.0, middle - h / f.height / 2, 1.0, h / f.height))
        out[role] = (left, top, round(right - left, 4), height)
        right = _down(left - gap)
    return {r: out[r] for r in ends}


def _centred_in(boxes: dict[str, Box], room: _Room) -> dict[str, Box]:
    """Boxes moved across, together and by whole grid steps, to the middle of `room`."""
    if not boxes:
        return boxes
    left = min(b[0] for b in boxes.values())
    right = max(b[0] + b[2] for b in boxes.values())
    shift = round((room.left + room.right - left - right) / 2 / GRID) * GRID
    shift = max(room.left - left, min(room.right - right, shift))
    return {r: (round(b[0] + shift, 4), b[1], b[2], b[3]) for r, b in boxes.items()}


def _column_ends(f: _Frame, j: _Jitter, roles: set[str], room: _Room
                 ) -> tuple[dict[str, Box], float]:
    """The price above the button, centred on each other and on the strip's height, at
    the right end of a strip deep enough for two rows (a billboard), and where they
    begin."""
    height = f.height
    ends: list[str] = [r for r in ("price", "button") if r in roles]
    if len(ends) == 2 and j.chance(0.25):
        ends.remove(j.pick(ends))
    ph, bh = j(0.2, 0.24) * height, j(0.18, 0.22) * height
    most = room.width * f.width
    sizes = {"price": (min(most, ph * j(3.4, 4.0)), ph),
             "button": (min(most, bh * j(2.8, 3.2)), bh)}
    gap = j(0.05, 0.08) * height
    width = max((sizes[r][0] for r in ends), default=0.0) / f.width
    total = sum(sizes[r][1] for r in ends) + gap * max(0, len(ends) - 1)
    y = (room.top + room.bottom) / 2 - total / height / 2
    start = room.right - width
    boxes: dict[str, Box] = {}
    for role in ends:
        w, h = sizes[role][0] / f.width, sizes[role][1] / height
        boxes[role] = _inward((start + (width - w) / 2, y, w, h))
        y += h + gap / height
    return boxes, start


def _row_copy(f: _Frame, j: _Jitter, room: _Room) -> dict[str, Box] | None:
    """A one-row strip's headline, centred on its height: one line as large as the strip
    allows (a box more than seven times wider than high, which the writer sets on one
    line); where the room is too short across for one line of at least `_ROW_LINE` of
    the strip's height (a mobile banner with its price), two lines in the strip's whole
    safe height instead."""
    x, _, w, _ = _inward((room.left, 0.0, room.width, 1.0))
    band = (room.bottom - room.top) * f.height
    wide = w * f.width
    h = min(band, j(0.4, 0.5) * f.height + 4, wide / 7.4)
    if h < _ROW_LINE * f.height:     # two lines, a little inside the safe height
        h = min(0.9 * band, wide / 2.8)
    middle = (room.top + room.bottom) / 2
    head = _inward((x, middle - h / f.height / 2, w, h / f.height))
    return {"headline": head} if head[2] > 0 and head[3] > 0 else None


def _deep_copy(f: _Frame, j: _Jitter, roles: set[str], room: _Room) -> dict[str, Box] | None:
    """A deep strip's copy beside the product: the brand, a headline of up to two lines
    and a selling point, as one block centred on the strip's height; the selling point
    and then the brand are left out where they do not fit."""
    height = f.height
    wanted = [r for r in ("brand", "subline") if r in roles and j.chance(0.6)]
    sizes = {"brand": j(0.09, 0.11), "headline": j(0.36, 0.46), "subline": j(0.1, 0.12)}
    gaps = {"brand": j(0.04, 0.06), "subline": j(0.03, 0.05)}
    band = room.bottom - room.top
    while True:
        order = [r for r in ("brand", "headline", "subline") if r == "headline" or r in wanted]
        total = sum(sizes[r] * height for r in order) + sum(gaps[r] * height for r in wanted)
        if total / height <= band or not wanted:
            break
        wanted.pop()
    if total / height > band:
        return None
    boxes: dict[str, Box] = {}
    y = (room.top + room.bottom) / 2 - total / height / 2
    for role in order:
        if role == "subline":
            y += gaps["subline"]
        h = sizes[role]
        w = room.width if role != "brand" else min(room.width, h * height * 7 / f.width)
        boxes[role] = _inward((room.left, y, w, h))
        y += h + (gaps["brand"] if role == "brand" else 0.0)
    return boxes


def _strip_copy(f: _Frame, j: _Jitter, roles: set[str], room: _Room, gutter: float,
                panel: _Room | None = None) -> dict[str, Box] | None:
    """A strip's copy in `room`: the price and the button at its right end (centred in
    `panel` where they have a place of their own), the headline (and in a deep strip the
    brand and a selling point) in what is left."""
    row = f.width >= ROW_STRIP * f.height
    if row:
        line = max(0.3, 7.4 * _ROW_LINE * f.height / f.width)   # a one-line headline's room
        placed = _row_ends(f, j, roles, panel or room, *((0.0, 0.0) if panel else
                                                          (line + gutter, 0.2 + gutter)))
        if placed is None:
            return None
        ends, start = placed
    else:
        ends, start = _column_ends(f, j, roles, panel or room)
    if panel is not None:
        ends = _centred_in(ends, panel)
        if any(b[0] < panel.left - 1e-9 for b in ends.values()):
            return None
    right = room.right if panel is not None or not ends else _down(start - gutter)
    head_room = _Room(room.left, room.top, right, room.bottom)
    if head_room.width < 0.16:
        return None
    copy = _row_copy(f, j, head_room) if row else _deep_copy(f, j, roles, head_room)
    return None if copy is None else {**copy, **ends}


def _ribbon(f: _Frame, j: _Jitter, cond: LayoutCondition, roles: set[str]
            ) -> dict[str, Box] | None:
    """A strip: the product as a thumbnail at one end, the headline beside it, the price
    and the button after it; on a panel or a disc, or a photo bleeding off its end."""
    side = j.pick(["left", "right"])
    room = _safe_room(cond)
    hero, bleed = _thumbnail(f, j, cond, side, room)
    gutter = _gutter(j)
    if side == "left":
        room = _Room(_up(hero[0] + hero[2] + gutter), room.top, room.right, room.bottom)
    else:
        room = _Room(room.left, room.top, _down(hero[0] - gutter), room.bottom)
    copy = _strip_copy(f, j, roles, room, gutter)
    if copy is None:
        return None
    boxes: dict[str, Box] = {"hero": hero, **copy}
    decoration = "none" if bleed else j.pick(["none", "panel", "disc"] if cond.cutout
                                              else ["none", "panel"])
    if decoration == "panel":
        edge = hero[0] + hero[2] + gutter / 2 if side == "left" else hero[0] - gutter / 2
        boxes["decoration"] = (0.0, 0.0, edge, 1.0) if side == "left" else \
            (edge, 0.0, 1 - edge, 1.0)
    elif decoration == "disc":
        boxes["decoration"] = _disc(f, j, hero)
    return boxes


def _price_end(f: _Frame, j: _Jitter, cond: LayoutCondition, roles: set[str]
               ) -> dict[str, Box] | None:
    """A strip led by its price: the product at the left end, the headline beside it,
    the price on a panel of colour across the right end (with the button under it where
    the strip is deep enough)."""
    if "price" not in roles:
        return None
    safe = _safe_room(cond)
    hero, _ = _thumbnail(f, j, cond, "left", safe)
    gutter = _gutter(j)
    row = f.width >= ROW_STRIP * f.height
    pad = max(safe.left, j(0.02, 0.03))
    edge = _down(1 - max(j(0.24, 0.3), PRICE_LEAST / f.width + 2 * pad + 2 * GRID))
    panel = _Room(_up(edge + pad), safe.top, _down(min(safe.right, 1 - pad)), safe.bottom)
    room = _Room(_up(hero[0] + hero[2] + gutter), safe.top, _down(edge - gutter), safe.bottom)
    wanted = roles - {"button"} if row or not j.chance(0.6) else roles
    copy = _strip_copy(f, j, wanted, room, gutter, panel)
    if copy is None or "price" not in copy:
        return None
    return {"hero": hero, **copy, "decoration": (edge, 0.0, 1 - edge, 1.0)}


# A column's copy, top to bottom: its height and the gap above it, as shares of the
# column's width (its shorter side); the price's box holds the list price under it. They
# are set on whole grid steps (`_on_grid`): a skyscraper's grid step is 12 px, too coarse
# to snap a stack of copy box by box.
_COLUMN_COPY = {"headline": ((0.6, 0.72), (0.0, 0.0)), "subline": ((0.15, 0.17), (0.06, 0.08)),
                "price": ((0.34, 0.38), (0.08, 0.1)), "button": ((0.26, 0.3), (0.08, 0.12))}


def _on_grid(f: _Frame, share: float, least: int) -> float:
    """A height (a share of the width) as a whole number of grid steps of the height, at
    least `least` of them."""
    steps = max(least, round(f.fy(share) / GRID))
    return round(steps * GRID, 4)


def _centred_across(width: float) -> tuple[float, float]:
    """The left edge and width of a box centred on the canvas, both edges on grid lines
    (the writer sets copy centred only when its boxes are centred)."""
    half = _down(width / 2)
    return round(0.5 - half, 4), round(2 * half, 4)


def _column_stack(f: _Frame, j: _Jitter, roles: set[str], w: float, unit: float,
                  top: float, bottom: float, anchor: str) -> dict[str, Box] | None:
    """A column's copy centred on it, `w` wide: the headline (three lines), a selling point,
    the price and the button, `unit` times `_COLUMN_COPY`'s sizes, from `top` down or up
    from `bottom` (`anchor`), each on grid lines; the selling point is left out where it
    does not fit, and None when the rest does not fit either."""
    wanted = [r for r in ("headline", "subline", "price", "button")
              if r == "headline" or (r in roles and (r != "subline" or j.chance(0.5)))]
    sizes = {r: (_on_grid(f, unit * j(*_COLUMN_COPY[r][0]), 1),
                 _on_grid(f, unit * j(*_COLUMN_COPY[r][1]), 1 if i else 0))
             for i, r in enumerate(wanted)}
    total = sum(h + gap for h, gap in sizes.values())
    if total > bottom - top + 1e-9 and "subline" in wanted:
        wanted.remove("subline")
        total -= sum(sizes.pop("subline"))
    if total > bottom - top + 1e-9:
        return None
    y = top if anchor == "top" else round(bottom - total, 4)
    widths = {"headline": w, "subline": w, "price": w, "button": w * j(0.72, 0.9)}
    boxes: dict[str, Box] = {}
    for role in wanted:
        h, gap = sizes[role]
        y += gap
        left, bw = _centred_across(widths[role])
        boxes[role] = (left, y, bw, h)
        y = round(y + h, 4)
    return boxes


def _column(f: _Frame, j: _Jitter, cond: LayoutCondition, roles: set[str], hero_on: str
            ) -> dict[str, Box] | None:
    """A column (a skyscraper): the product above the copy (`hero_on` top) or below it,
    the brand at the top, the headline, price and button centred and sized by the
    column's width (by 0.3 of its height where that is less: a wide column would spend
    its height on copy), the product in the rest of the height."""
    unit = min(1.0, 0.3 * f.height / f.width)
    room = _safe_room(cond)
    x = max(room.left, _up(f.fx(j(0.07, 0.1))))
    w = 1 - 2 * x
    top = max(room.top, _up(f.fy(j(0.1, 0.16))))
    bottom = min(room.bottom, _down(1 - f.fy(j(0.1, 0.16))))
    brand: Box | None = None
    if "brand" in roles and j.chance(0.6):
        left, bw = _centred_across(min(w, f.fx(j(0.6, 0.8))))
        brand = (left, top, bw, _on_grid(f, unit * j(0.15, 0.18), 1))
        top = _up(top + brand[3] + f.fy(j(0.06, 0.1)))
    gutter = _on_grid(f, unit * j(0.1, 0.16), 1)
    least = f.fy(0.9 * unit)               # the product's part is at least this high
    if hero_on == "top":
        stack = _column_stack(f, j, roles, w, unit, top + least + gutter, bottom, "bottom")
        if stack is None:
            return None
        hero_top, hero_bottom = top, min(b[1] for b in stack.values()) - gutter
    else:
        stack = _column_stack(f, j, roles, w, unit, top, bottom - least - gutter, "top")
        if stack is None:
            return None
        hero_top, hero_bottom = _bottom(stack) + gutter, bottom
    boxes: dict[str, Box] = dict(stack)
    boxes.update(_column_hero(f, j, cond, hero_on, hero_top, hero_bottom))
    if brand is not None and brand[1] >= boxes["hero"][1] + boxes["hero"][3]:
        boxes["brand"] = brand         # not on a photo bleeding off the top
    return boxes


def _column_hero(f: _Frame, j: _Jitter, cond: LayoutCondition, hero_on: str, y: float,
                 bottom: float) -> dict[str, Box]:
    """The product in its part of a column (from `y` to `bottom`), with its decoration: a
    band of colour behind it across the column, a disc, or (below the copy) a floor it
    stands on; a photo of about the part's shape may bleed off the column's edges
    instead. A column is narrow, so the product's box takes nearly its whole width (the
    product keeps its own margin in it) and no more height than the product needs: the
    part's spare height goes round it, not into an empty box."""
    h = bottom - y
    panel = (0.0, 0.0, 1.0, bottom) if hero_on == "top" else (0.0, y, 1.0, 1 - y)
    if _bleeds(f, cond, j, panel):
        return {"hero": _on_lines(panel)}
    options = ["none", "panel", "disc"] + (["floor"] if hero_on == "bottom" else [])
    decoration = j.pick(options if cond.cutout else ["none", "panel"])
    x = f.fx(j(0.02, 0.06))
    need = f.fy((1 - 2 * x) * f.width / f.u / max(cond.subject_aspect, 0.2) * j(1.1, 1.3))
    bh = min(h, need)
    by = y + h - bh if decoration == "floor" else y + (h - bh) / 2
    hero = _on_lines(_hug(f, cond, (x, by, 1 - 2 * x, bh),
                          down="bottom" if decoration == "floor" else "center"))
    out: dict[str, Box] = {"hero": hero}
    if decoration == "panel":
        gap = min(f.fy(0.08), hero[1] - y + f.fy(0.04))
        top, end = hero[1] - gap, hero[1] + hero[3] + gap
        top = 0.0 if top < 0.06 else top          # no sliver of field past the band
        end = 1.0 if end > 0.94 else end
        out["decoration"] = (0.0, top, 1.0, end - top)
    else:
        backdrop = _backdrop(f, j, hero, decoration)
        if backdrop is not None:
            out["decoration"] = backdrop
    return out


def _tower(f: _Frame, j: _Jitter, c: LayoutCondition, r: set[str]) -> dict[str, Box] | None:
    return _column(f, j, c, r, "top")


def _plinth(f: _Frame, j: _Jitter, c: LayoutCondition, r: set[str]) -> dict[str, Box] | None:
    return _column(f, j, c, r, "bottom")


Archetype = Callable[[_Frame, _Jitter, LayoutCondition, set[str]], "dict[str, Box] | None"]


def _hero_top(f: _Frame, j: _Jitter, c: LayoutCondition, r: set[str]) -> dict[str, Box] | None:
    return _stacked(f, j, c, r, "top")


def _hero_bottom(f: _Frame, j: _Jitter, c: LayoutCondition, r: set[str]
                 ) -> dict[str, Box] | None:
    return _stacked(f, j, c, r, "bottom")


def _archetypes(cond: LayoutCondition) -> list[tuple[str, Archetype]]:
    """The archetypes that suit the slot's shape: nothing stacks in a wide banner, nothing
    sits side by side in a tall story; a strip and a column have only their own."""
    if cond.aspect >= STRIP_ASPECT:
        return [("ribbon", _ribbon), ("price-end", _price_end)]
    if cond.aspect <= COLUMN_ASPECT:
        return [("tower", _tower), ("plinth", _plinth)]
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
    elif cond.photo_subject is not None:
        out.append(("overlay", _overlay))
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


def snapped(role: str, box: Box) -> RoleBox | None:
    """A box (x, y, w, h) with every edge on the grid, kept on the canvas; None when
    less than a grid step is left of it."""
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
    standing on the box's bottom edge on a floor (`anchor bottom`); in a photo, which fills
    its box, it is where perception found it (`photo_subject_box`)."""
    if not condition.cutout:
        return photo_subject_box(hero, condition)
    aspect = condition.subject_aspect * condition.height / condition.width  # in shares
    w, h = (hero.w, hero.w / aspect) if hero.w / hero.h < aspect else (hero.h * aspect, hero.h)
    sw, sh = w / SUBJECT_MARGIN, h / SUBJECT_MARGIN
    x = hero.x + (hero.w - sw) / 2
    y = hero.bottom - sh - (h - sh) / 2 if on_floor else hero.y + (hero.h - sh) / 2
    return RoleBox("subject", x, y, sw, sh)


def photo_subject_box(hero: RoleBox, condition: LayoutCondition) -> RoleBox:
    """Where a photo's product lands when the photo fills `hero` (`place … fit cover`):
    the photo is cropped to the box's shape round its centre, the crop slid just enough
    to keep the product whole where it fits (as `place` does), and the product's box
    (`photo_subject`) mapped through it. The whole box when perception found no product."""
    if condition.photo_subject is None or hero.w <= 0 or hero.h <= 0:
        return RoleBox("subject", hero.x, hero.y, hero.w, hero.h)
    px, py, pw, ph = condition.photo_subject
    photo = condition.subject_aspect                       # a photo's subject: the photo
    box = hero.w * condition.width / (hero.h * condition.height)
    if photo > box:     # the photo is wider than its box: its sides are cropped
        seen = box / photo
        start = _window(px, pw, seen)
        x, w, y, h = (px - start) / seen, pw / seen, py, ph
    else:
        seen = photo / box
        start = _window(py, ph, seen)
        x, w, y, h = px, pw, (py - start) / seen, ph / seen
    left, top = max(0.0, x), max(0.0, y)
    right, bottom = min(1.0, x + w), min(1.0, y + h)
    return RoleBox("subject", hero.x + left * hero.w, hero.y + top * hero.h,
                   max(0.0, right - left) * hero.w, max(0.0, bottom - top) * hero.h)


def _window(start: float, extent: float, seen: float) -> float:
    """Where a crop `seen` long starts along a photo's axis: centred, slid to keep
    [start, start + extent] inside it when that fits."""
    centred = (1 - seen) / 2
    if extent > seen:
        return centred
    return min(max(centred, start + extent - seen), start)


def photo_cover_keeps(condition: LayoutCondition, hero: Box) -> bool:
    """Whether a photo filling `hero` keeps its whole product (it fits the crop)."""
    if condition.photo_subject is None:
        return False
    _, _, pw, ph = condition.photo_subject
    box = hero[2] * condition.width / (hero[3] * condition.height)
    photo = condition.subject_aspect
    return pw <= box / photo + 1e-9 if photo > box else ph <= photo / box + 1e-9


def scrim_under(copy: RoleBox, layout: Layout) -> bool:
    """Whether a piece of copy lies on an overlay's scrim: the layout's hero fills the
    canvas and its decoration, drawn over the photo, holds the copy."""
    hero = layout[0]
    deco = next((b for b in layout if b.role == "decoration"), None)
    return (deco is not None and covers_canvas(hero) and deco.x <= copy.x + 1e-6
            and deco.y <= copy.y + 1e-6 and copy.right <= deco.right + 1e-6
            and copy.bottom <= deco.bottom + 1e-6)


def covers_canvas(box: RoleBox) -> bool:
    return box.x <= 1e-6 and box.y <= 1e-6 and box.right >= 1 - 1e-6 and box.bottom >= 1 - 1e-6


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
    (the discount badge may sit on its corner, off the product itself; on a photo that
    fills the canvas, copy may lie on the scrim drawn over it, off the product)."""
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
        on_photo = b.role != "badge" and overlap(b, hero) > eps
        if overlap(b, subject) > eps or (on_photo and not (
                not condition.cutout and scrim_under(b, layout))):
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
            box = snapped(role, boxes[role])
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
            if "badge" in roles and frame.u >= BADGE_MIN_SIDE:
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
