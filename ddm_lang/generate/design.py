"""The `Design` value: what one generated template is made of, before it is written.

A design is a style, the way the product photo is shown (cut out on a field, or as a
photo) and one arrangement per slot shape the template serves — strip, wide, square, tall
or column — each a proposed layout with the operations its hero gets. Keeping these as
plain values lets the generator compare, rank and recombine designs (an arrangement
checked for the banner joins a feed design that shares its style) before any DDM text
exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .layout import COLUMN_ASPECT, STRIP_ASPECT, Layout, LayoutCondition, RoleBox
from .search import layout_distance, stands_on_floor
from .style import Style

WIDE = 1.3     # format.aspect above this is a wide slot (banners, landscape)
TALL = 0.8     # below this a tall one (stories, pins)
STRIP = STRIP_ASPECT     # at or above this a strip (leaderboard, mobile banner, billboard)
COLUMN = COLUMN_ASPECT   # at or below this a column (skyscraper)
# The order a template tests the shapes in: a strip is also wide and a column also tall,
# so each is tested before the shape that would otherwise take it; square is the rest.
SHAPES = ("strip", "wide", "column", "tall", "square")


@dataclass(frozen=True)
class Slot:
    """An ad format: its name and pixel size."""

    name: str
    width: int
    height: int

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @property
    def shape(self) -> str:
        """strip, wide, column, tall or square: the shapes a template has an arrangement
        for (a strip's copy runs in a row beside a thumbnail, a column's in a narrow
        stack: neither reads as a stretched banner or story)."""
        aspect = self.aspect
        if aspect >= STRIP:
            return "strip"
        if aspect <= COLUMN:
            return "column"
        return "wide" if aspect > WIDE else "tall" if aspect < TALL else "square"

    def __str__(self) -> str:
        return f"{self.name} {self.width}x{self.height}"


# The common ad slots (the README's list), by the names templates give them.
SLOTS: dict[str, Slot] = {s.name: s for s in (
    Slot("feed", 1080, 1080), Slot("portrait", 1080, 1350), Slot("story", 1080, 1920),
    Slot("banner", 1200, 628), Slot("landscape", 1920, 1080), Slot("pin", 1000, 1500),
    Slot("rectangle", 300, 250), Slot("billboard", 970, 250), Slot("leaderboard", 728, 90),
    Slot("skyscraper", 160, 600), Slot("mobile", 320, 50))}
MIN_ASPECT, MAX_ASPECT, MIN_SIDE = 0.5, 2.0, 200
# Strips and columns have their own limits: their copy is set in a row or a narrow stack,
# so a shorter side of 50 px (a mobile banner) still holds a line of copy and a button,
# and up to 9:1 (a leaderboard is 8.1:1) a thumbnail still shows the product.
BAND_MIN_ASPECT, BAND_MAX_ASPECT, BAND_MIN_SIDE = 1 / 4.5, 9.0, 50
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class SlotError(ValueError):
    """A format generation cannot design for; the message says why and what it can."""


def designable(slot: Slot) -> bool:
    """Whether generation designs for a slot: between 1:2 and 2:1 with sides of 200 px or
    more, or a strip or a column (`Slot.shape`) between 1:4.5 and 9:1 with sides of 50 px
    or more. Slots between the two (2:1 to 3:1, 1:2 to 1:2.5) have no arrangement that
    suits them: a banner's column of copy gets too low, a strip's row too short."""
    side = min(slot.width, slot.height)
    if slot.shape in ("strip", "column"):
        return BAND_MIN_ASPECT <= slot.aspect <= BAND_MAX_ASPECT and side >= BAND_MIN_SIDE
    return MIN_ASPECT <= slot.aspect <= MAX_ASPECT and side >= MIN_SIDE


LIMITS = ("slots between 1:2 and 2:1 with sides of at least 200 px, strips from 3:1 to 9:1 "
          "and columns from 1:2.5 to 1:4.5 with sides of at least 50 px")


def parse_slots(text: str) -> tuple[Slot, ...]:
    """Slots from `feed,story,banner` (names from `SLOTS`) or `name=WIDTHxHEIGHT` items.

    Generation designs the slots `designable` accepts (`LIMITS`): the common shapes, and
    strips (leaderboards, mobile banners, billboards) and columns (skyscrapers), which
    have arrangements of their own."""
    out: list[Slot] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, _, size = item.partition("=")
        if size:
            w, _, h = size.lower().partition("x")
            if not (w.isdigit() and h.isdigit()):
                raise SlotError(f"`{item}`: a custom format is NAME=WIDTHxHEIGHT, as "
                                "`square=1200x1200`")
            slot = Slot(name, int(w), int(h))
            if not _NAME.match(name):
                raise SlotError(f"`{name}`: a format's name is letters, digits and `_`")
        elif name in SLOTS:
            slot = SLOTS[name]
        else:
            raise SlotError(f"unknown format `{name}`: the formats are "
                            f"{', '.join(s.name for s in SLOTS.values() if designable(s))}, "
                            "or NAME=WIDTHxHEIGHT")
        if not designable(slot):
            raise SlotError(f"format `{slot}`: generation designs {LIMITS}")
        if any(o.name == slot.name for o in out):
            raise SlotError(f"format `{slot.name}` is named twice")
        out.append(slot)
    if not out:
        raise SlotError("no format given")
    return tuple(out)


@dataclass(frozen=True)
class Operations:
    """What the hero's pipeline does: `cutout` and `shadow` for a product on a field,
    `extend` for a photo grown to its slot, `mirror` to face the copy, `reflect` and
    `anchor bottom` for a product standing on a floor."""

    cutout: bool
    extend: bool
    mirror: bool
    reflect: bool
    anchor_bottom: bool
    shadow: str | None          # contact | drop | None


@dataclass(frozen=True)
class Arrangement:
    """One slot shape's layout: the format it was proposed and checked for, the boxes and
    the hero's operations."""

    slot: Slot
    layout: Layout
    operations: Operations

    @property
    def shape(self) -> str:
        return self.slot.shape

    def box(self, role: str) -> RoleBox | None:
        return next((b for b in self.layout if b.role == role), None)


@dataclass(frozen=True)
class Design:
    """A complete design: its style, whether the product is cut out, and an arrangement
    per slot shape, the one it was generated for first."""

    product_id: str
    style: Style
    cutout: bool
    arrangements: tuple[Arrangement, ...]

    @property
    def primary(self) -> Arrangement:
        return self.arrangements[0]

    @property
    def slot(self) -> Slot:
        return self.primary.slot

    def with_arrangements(self, extra: tuple[Arrangement, ...]) -> Design:
        """The same design serving more slot shapes."""
        return Design(self.product_id, self.style, self.cutout, self.arrangements + extra)


def beside(layout: Layout) -> bool:
    """Whether the copy sits beside the product (left or right of it) rather than above
    or below: then the product is mirrored to face it."""
    hero = next(b for b in layout if b.role == "hero")
    head = next((b for b in layout if b.role == "headline"), None)
    if head is None:
        return False
    return head.right <= hero.x + 1e-6 or head.x >= hero.right - 1e-6


def on_floor(layout: Layout) -> bool:
    """Whether the product stands on a floor (`search.stands_on_floor`)."""
    hero = next(b for b in layout if b.role == "hero")
    return stands_on_floor(hero, next((b for b in layout if b.role == "decoration"), None))


EXTEND_RATIO = 1.6   # a photo this much wider or narrower than its slot is grown, not cropped


def operations_for(layout: Layout, condition: LayoutCondition, style: Style,
                   photo_aspect: float | None = None) -> Operations:
    """The hero's operations for a layout: a cut-out product gets its shadow (a contact
    shadow when it stands on a floor, else the style's), a mirror when the copy is beside
    it and a reflection on a floor when the style has one. A photo fills its slot,
    cropped; one whose shape (`photo_aspect`) is far from its slot's is first grown to
    it (`extend`), which makes a new image that is perceived again: worth it only where
    cropping would cut away most of the photo."""
    floor = on_floor(layout)
    if not condition.cutout:
        hero = next(b for b in layout if b.role == "hero")
        box_aspect = hero.w * condition.width / (hero.h * condition.height)
        far = photo_aspect is not None and max(box_aspect / photo_aspect,
                                               photo_aspect / box_aspect) > EXTEND_RATIO
        return Operations(False, far, False, False, False, None)
    return Operations(True, False, beside(layout), floor and style.reflect, floor,
                      "contact" if floor else style.shadow)


def signature(layout: Layout) -> tuple[float, float, float, float]:
    """Where the product and the headline sit (their centres): what makes two layouts
    for different slot shapes read as one design."""
    hero = next(b for b in layout if b.role == "hero")
    head = next((b for b in layout if b.role == "headline"), hero)
    return (hero.x + hero.w / 2, hero.y + hero.h / 2, head.x + head.w / 2, head.y + head.h / 2)


def signature_distance(a: Layout, b: Layout) -> float:
    """How far apart two layouts' arrangements are, whatever their slot shapes: the
    distance between their product and headline centres, plus one for each role only one
    of them has (a design with a price should keep it in every slot)."""
    sa, sb = signature(a), signature(b)
    roles_a, roles_b = {r.role for r in a}, {r.role for r in b}
    return sum((x - y) ** 2 for x, y in zip(sa, sb, strict=True)) ** 0.5 + \
        0.25 * len(roles_a ^ roles_b)


def design_distance(a: Design, b: Design) -> float:
    """How different two designs of one slot look: their layouts' distance, plus a
    quarter for a different style and a quarter for showing the product differently (cut
    out or as a photo)."""
    return layout_distance(a.primary.layout, b.primary.layout) + \
        0.25 * (a.style.name != b.style.name) + 0.25 * (a.cutout != b.cutout)
