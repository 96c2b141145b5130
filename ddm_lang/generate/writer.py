"""The writer: a `Design` as DDM source a designer can read and edit.

The template is written the way the bundled templates are: named `let`s for every colour
(expressions over the product's own palette, so it restyles for other products), the
type faces chosen by the product's language, one arrangement per slot shape under
`when strip { … } else when wide { … } else when column { … } else when tall { … } else
{ … }` (the shapes it serves), named elements with a comment saying what each is, copy
that flows in reading order (`flow: below headline`) so that a longer title pushes the
price down instead of into it, every element that needs product data guarded by it
(`when has-price`), and the product placed with `avoid` so the binder's solver keeps it
clear of the copy. The text goes through `format_source`, so what is
written is exactly what `ddm fmt` would write.

A layout's boxes are read by geometry, not by how they were proposed, so layouts from
the trained model are written the same way: a thin box is a rule, a band across the
bottom under the product a floor, a box from edge to edge beside it a panel, a square
box round the product a disc; copy stacked in a column flows, copy elsewhere keeps its box.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ddm_lang.syntax import ast
from ddm_lang.syntax.formatter import format_module, format_source
from ddm_lang.syntax.parser import parse

from .design import COLUMN, SHAPES, STRIP, TALL, WIDE, Arrangement, Design, Slot
from .layout import Layout, RoleBox
from .search import OVERLAY_ROOM as ROOM_SHARE
from .search import covers_canvas
from .style import CJK_LANGS, Style

_EPS = 1e-6

HERO_OBJECT = {
    True: ("// The product: a photo in which a subject was found (it is cut out); among several,\n"
           "// a clean pack shot first.\n"
           "object hero = image from product.images\n"
           "  where subject.found\n"
           "  prefer suitability.collage asc, index asc, text.area asc, quality desc, "
           "megapixels desc"),
    False: ("// The product photo: a scene where the product has one, else its best photo.\n"
            "object hero = image from product.images\n"
            "  prefer background.kind == \"scene\" desc, suitability.collage asc, index asc, "
            "text.area asc, quality desc, megapixels desc"),
}


def pct(value: float) -> str:
    """A share as a `%` length, to two decimals."""
    return f"{round(value * 100, 2):g}%"


def vmin(px: float, slot: Slot) -> str:
    return f"{round(px / min(slot.width, slot.height) * 100, 2):g}vmin"


def diag(px: float, slot: Slot) -> str:
    """A font size as `%` of the slot's normalised diagonal (how DDM sizes text)."""
    d = math.sqrt((slot.width ** 2 + slot.height ** 2) / 2)
    return f"{round(px / d * 100, 2):g}%"


def _px(value: float) -> str:
    return f"{max(1, round(value))}"


def _box(b: RoleBox, *, flowing: bool = False) -> str:
    return f"{pct(b.x)} {0 if flowing else pct(b.y)} {pct(b.w)} {pct(b.h)}"


def _fit(low: float, high: float, slot: Slot) -> str:
    return f"fit({_px(min(low, high))}, {diag(high, slot)})"


# ---- reading the layout -----------------------------------------------------------------

def describe(layout: Layout, shape: str = "square", photo: bool = False) -> str:
    """The arrangement in words, for the template's comments (a strip's copy is a row,
    not a column, so it is told apart by the slot's `shape`; a `photo` filling the slot
    carries its copy on a scrim)."""
    boxes = {b.role: b for b in layout}
    hero, head = boxes["hero"], boxes.get("headline")
    deco = boxes.get("decoration")
    if head is None:
        return "the product alone"
    if shape == "strip":
        return _describe_strip(boxes, hero, head)
    if deco is not None and _decoration_kind(deco, hero, layout, photo) == "scrim":
        side = _scrim_side(deco)
        return f"the photo filling the slot, the copy on it at the {side}, on a scrim " \
            "fading into the photo"
    right = [r for r in ("price", "button") if r in boxes and boxes[r].x >= hero.right - _EPS]
    if head.right <= hero.x + _EPS and right:
        where = "the headline on the left, the product in the middle, the price on the right"
    elif head.right <= hero.x + _EPS:
        where = "the product on the right, the copy in a column on its left"
    elif head.x >= hero.right - _EPS:
        where = "the product on the left, the copy in a column on its right"
    elif head.bottom <= hero.y + _EPS:
        lower = [r for r in ("price", "button") if r in boxes and boxes[r].y >= hero.bottom]
        where = ("the headline above the product, the price and button below it" if lower
                 else "the copy above the product")
    else:
        where = "the product above the copy"
    if hero.x <= _EPS or hero.right >= 1 - _EPS:
        where += ", the photo bleeding off the edge"
    if deco is not None:
        kind = _decoration_kind(deco, hero, layout)
        where += {"floor": ", standing on a floor", "disc": ", on a disc",
                  "panel": ", on a panel", "rule": ", a rule under the headline",
                  "card": ", on a card"}[kind]
    return where


def _describe_strip(boxes: dict[str, RoleBox], hero: RoleBox, head: RoleBox) -> str:
    """A strip in words: which end the product is at, where the price and button are."""
    ends = " and ".join(r for r in ("price", "button") if r in boxes)
    if hero.right <= head.x + _EPS:
        where = "the product at the left end, the headline beside it" + \
            (f", the {ends} at the right end" if ends else "")
    else:
        where = "the headline on the left" + (f", the {ends} after it" if ends else "") + \
            ", the product at the right end"
    deco = boxes.get("decoration")
    if deco is not None:
        kind = _decoration_kind(deco, hero, tuple(boxes.values()))
        on_price = _price_end(deco, hero, boxes.get("price"))
        where += {"floor": ", standing on a floor", "disc": ", on a disc",
                  "panel": ", the price on a panel" if on_price else ", on a panel",
                  "rule": "", "card": ", on a card"}[kind]
    if hero.x <= _EPS or hero.right >= 1 - _EPS:
        where += ", the photo bleeding off the end"
    return where


def _price_end(panel: RoleBox, hero: RoleBox, price: RoleBox | None) -> bool:
    """Whether a strip's panel is its price end: the price on it, the product clear of it."""
    return (price is not None and (panel.x >= hero.right - _EPS or panel.right <= hero.x + _EPS)
            and panel.x <= price.x + _EPS and price.right <= panel.right + _EPS)


def _decoration_kind(deco: RoleBox, hero: RoleBox, layout: Layout, photo: bool = False
                     ) -> str:
    if photo and covers_canvas(hero):
        return "scrim"
    if deco.h <= 0.021 or deco.w <= 0.021:
        return "rule"
    edge_to_edge = deco.x <= _EPS and deco.right >= 1 - _EPS
    if edge_to_edge and deco.bottom >= 1 - _EPS and abs(deco.y - hero.bottom) < 0.05:
        return "floor"
    if (deco.y <= _EPS and deco.bottom >= 1 - _EPS) or edge_to_edge:
        return "panel"
    cx, cy = deco.x + deco.w / 2, deco.y + deco.h / 2
    if hero.x <= cx <= hero.right and hero.y <= cy <= hero.bottom:
        return "disc"
    return "card"


def _scrim_side(deco: RoleBox) -> str:
    """The canvas edge a scrim starts from (where it is most opaque)."""
    if deco.y <= _EPS and deco.bottom >= 1 - _EPS:
        return "left" if deco.x <= _EPS else "right"
    return "top" if deco.y <= _EPS else "bottom"


_SCRIM_AXES = {"left": (0, 0, 1, 0), "right": (1, 0, 0, 0), "top": (0, 0, 0, 1),
               "bottom": (0, 1, 0, 0)}


def _scrim(b: _Branch, deco: RoleBox) -> None:
    """The scrim over a photo under its copy: the field's colour, nearly opaque from the
    canvas edge to the copy's inner edge, then fading out over the gutter before the
    product."""
    side = _scrim_side(deco)
    boxes = {r.role: r for r in b.arrangement.layout}
    copy = [r for r in boxes.values() if r.role in ("headline", "subline", "points", "price",
                                                     "button", "brand")]
    if side in ("left", "right"):
        reach = max(c.right for c in copy) if side == "left" else 1 - min(c.x for c in copy)
        extent = deco.w
    else:
        reach = max(c.bottom for c in copy) if side == "top" else 1 - min(c.y for c in copy)
        extent = deco.h
    held = min(0.9, max(0.3, reach / extent if extent > 0 else 0.9))
    x1, y1, x2, y2 = _SCRIM_AXES[side]
    b.add("The scrim: the field's colour over the photo, fading out towards the product.",
          "defs {\n"
          "  linearGradient scrim-fade {\n"
          f"    x1: {x1}; y1: {y1}; x2: {x2}; y2: {y2};\n"
          "    stop { offset: 0; stop-color: paper; stop-opacity: 0.94 }\n"
          f"    stop {{ offset: {held:.2f}; stop-color: paper; stop-opacity: 0.86 }}\n"
          "    stop { offset: 1; stop-color: paper; stop-opacity: 0 }\n"
          "  }\n"
          "}")
    b.lines.append(_inline("rect scrim", [("box", _box(deco)), ("fill", '"url(#scrim-fade)"')]))


def _same_column(upper: RoleBox, lower: RoleBox) -> bool:
    """`lower` reads after `upper` in one column: overlapping it across, starting lower."""
    across = min(upper.right, lower.right) - max(upper.x, lower.x)
    return lower.y > upper.y and across > 0.5 * min(upper.w, lower.w)


def centred(layout: Layout) -> bool:
    """Whether the copy is a centred column: the headline's box centred on the canvas, and
    every narrower piece of copy (the price, the button, the brand) centred under it."""
    boxes = {b.role: b for b in layout}
    head = boxes.get("headline")
    if head is None or head.w <= 0.5 or abs(head.x + head.w / 2 - 0.5) >= 0.03:
        return False
    centre = head.x + head.w / 2
    narrower = [b for r, b in boxes.items()
                if r in ("price", "button", "brand") and b.w < head.w - 0.02]
    return all(abs(b.x + b.w / 2 - centre) < 0.02 for b in narrower)


# ---- writing an arrangement -------------------------------------------------------------

Props = list[tuple[str, str]]
MAX_FLOW_GAP = 0.1   # copy further below the copy above it keeps its own place
CHIP_RIM = 0.28      # the logo chip's rim, a share of the chip


@dataclass
class _Branch:
    """The statements of one arrangement, and the names the hero keeps clear of."""

    arrangement: Arrangement
    style: Style
    lines: list[str]
    avoid: list[str]
    # copy written so far, what later copy flows below: name, box, and whether it is
    # anchored where the layout put it and may be left out (nothing can flow below it)
    chain: list[tuple[str, RoleBox, bool]]
    body_cap: float = 1e9   # the largest size support copy may take: under the headline's

    @property
    def slot(self) -> Slot:
        return self.arrangement.slot

    def add(self, comment: str | None, statement: str) -> None:
        if comment:
            self.lines.append(f"// {comment}")
        self.lines.append(statement)

    def place(self, name: str, box: RoleBox, props: Props, optional: bool = False) -> Props:
        """`box` flowing below the last copy of its column when it follows it closely (a
        longer headline then pushes it down rather than into it), else where the layout
        put it. Copy that may be left out (`optional`) and is not flowing anchors nothing:
        copy after it keeps its own place rather than flowing after whatever came first."""
        least = 0.012 * min(self.slot.width, self.slot.height) / self.slot.height
        for above_name, above, anchored in reversed(self.chain):
            if _same_column(above, box):
                gap = box.y - above.bottom
                if anchored or gap > MAX_FLOW_GAP:
                    break
                self.chain.append((name, box, False))
                return [("box", _box(box, flowing=True)),
                        ("flow", f"below {above_name} gap {pct(max(least, gap))}"), *props]
        self.chain.append((name, box, optional))
        return [("box", _box(box)), *props]


def _text(name: str, value: str, props: Props, guard: str = "") -> str:
    body = "\n".join(f"  {k}: {v};" for k, v in props)
    return f"text {name} = {value}{f' when {guard}' if guard else ''} {{\n{body}\n}}"


def _inline(head: str, props: Props) -> str:
    return f"{head} {{ {'; '.join(f'{k}: {v}' for k, v in props)} }}"


def _brand(b: _Branch, brand: RoleBox, middle: bool) -> None:
    """The brand: ranged left, its logo with its name after it; centred, the logo alone,
    or the name where there is no logo. The logo sits on a round chip in whichever of
    white and black its own colour stands out from, so it reads on any field."""
    slot, style = b.slot, b.style
    unit = min(slot.width, slot.height)
    bh = brand.h * slot.height
    side = min(bh, brand.w * slot.width) / slot.width
    x = brand.x + brand.w / 2 - side / 2 if middle else brand.x
    chip = RoleBox("brand", x, brand.y, side, brand.h)
    # the chip's rim is wide enough to be all the logo's separation band sees round it
    pad_x, pad_y = side * CHIP_RIM, brand.h * CHIP_RIM
    logo = RoleBox("brand", x + pad_x, brand.y + pad_y, side - 2 * pad_x, brand.h - 2 * pad_y)
    b.add("The brand's logo where it has one, on its chip" +
          (", else its name." if middle else ", and its name after it."),
          _inline("rect logo-chip when logo", [
              ("box", _box(chip)), ("rx", "999"),
              ("fill", "contrast(logo.palette.dominant, #ffffff, #111111)")]))
    b.lines.append(_inline("image logo?", [("box", _box(logo)), ("fit", "contain")]))
    gap = 0.015 * unit
    flow: Props = [] if middle else [
        ("flow", f"after logo-chip gap {vmin(gap, slot)} align center")]
    # ranged left, the name keeps to what the chip leaves of the brand's box
    line = brand if middle else replace(brand, w=max(brand.w - side - gap / slot.width,
                                                     0.5 * brand.w))
    props: Props = [("box", _box(line)), *flow, ("font", f"body {style.body_weight + 100}"),
                    ("size", _fit(10, min(bh * 0.5, b.body_cap * 0.8), slot)),
                    ("max-lines", "1"),
                    *([("align", "center")] if middle else []), ("valign", "middle"),
                    ("fill", "soft")]
    if style.kicker_spacing:
        props.append(("letter-spacing", vmin(style.kicker_spacing / 100 * unit, slot)))
    b.lines.append(_text("brand-line", "caption(kind: brand)", props,
                         "logo == none" if middle else ""))
    b.avoid += ["logo-chip", "brand-line"]


def _headline(b: _Branch, head: RoleBox, hero: RoleBox, middle: bool) -> None:
    """The headline: as many lines as its box's shape allows, as large as its height
    allows, hugging the product (set from the top when it is under the product); in a
    strip it is centred on the row it shares with the product and the price."""
    slot, style = b.slot, b.style
    lines, size = headline_size(slot, head)
    valign = ("middle" if b.arrangement.shape == "strip" else
              "top" if head.y >= hero.bottom - _EPS else "bottom")
    props: Props = [("box", _box(head)), ("font", f"display {style.display_weight}"),
                    ("size", _fit(max(11, 0.6 * size), size, slot)),
                    ("max-lines", str(lines)), ("line-height", "lead"),
                    *([("align", "center")] if middle else []),
                    ("valign", valign), ("fill", style.headline_fill)]
    b.add("The headline, written from the product's title to fit its box.",
          _text("headline", "caption(kind: headline)", props))
    b.avoid.append("headline")
    b.chain.append(("headline", head, False))


def headline_size(slot: Slot, head: RoleBox) -> tuple[int, float]:
    """The headline's most lines and largest size (px) for its box: three lines in a box
    of a column's shape, two in a wider one, one in a strip; as large as the height
    allows, within 8.5 % of the slot's diagonal. Its smallest size is 0.6 of that: a
    longer title is shortened (`caption`) rather than set small."""
    hw, hh = head.w * slot.width, head.h * slot.height
    ratio = hw / hh
    lines = 1 if ratio > 7 else 2 if ratio > 2.6 else 3
    return lines, min(hh / (lines * 1.25), 0.085 * _diagonal(slot), hw / 5.5)


def _rule(b: _Branch, rule: RoleBox, head: RoleBox) -> None:
    slot = b.slot
    thick = max(2.0, min(rule.h * slot.height, 0.006 * min(slot.width, slot.height)))
    gap = max(0.012 * min(slot.width, slot.height) / slot.height, rule.y - head.bottom)
    b.add("A short rule under the headline.",
          _inline("rect rule", [("box", f"{pct(rule.x)} 0 {pct(rule.w)} {_px(thick)}"),
                                ("flow", f"below headline gap {pct(gap)}"), ("fill", "pop")]))
    b.chain.append(("rule", RoleBox("rule", head.x, head.bottom + gap, head.w,
                                    thick / slot.height), False))


def _subline(b: _Branch, sub: RoleBox, middle: bool) -> None:
    size = min(sub.h * b.slot.height * 0.72, b.body_cap)
    props: Props = [("font", f"body {b.style.body_weight}"),
                    ("size", _fit(max(10, 0.58 * size), size, b.slot)), ("max-lines", "1"),
                    *([("align", "center")] if middle else []), ("fill", "soft")]
    b.add("One selling point, from the product's data.",
          _text("point", "caption(kind: selling_point)",
                b.place("point", sub, props, optional=True)))
    b.avoid.append("point")


def _points(b: _Branch, points: RoleBox) -> None:
    """Up to three selling points, each with a bullet flowing before it (a point with
    nothing to say takes its bullet with it)."""
    slot, style = b.slot, b.style
    unit = min(slot.width, slot.height)
    line_h = points.h / 3
    dot = 0.3 * line_h * slot.height
    indent = (dot + 0.02 * unit) / slot.width
    size = min(line_h * slot.height * 0.6, 0.03 * _diagonal(slot), b.body_cap)
    for i in range(3):
        name = f"p{i + 1}"
        box = RoleBox("points", points.x + indent, points.y + i * line_h, points.w - indent,
                      line_h * 0.86)
        props: Props = [("font", f"body {style.body_weight}"),
                        ("size", _fit(max(10, 0.6 * size), size, slot)), ("max-lines", "1"),
                        ("valign", "middle"), ("fill", "soft")]
        b.add("Selling points from the product's data, each with its bullet." if i == 0
              else None, _text(name, "caption(kind: selling_point)",
                               b.place(name, box, props, optional=True)))
        b.lines.append(_inline(f"circle b{i + 1}", [
            ("box", f"0 0 {vmin(dot, slot)} {vmin(dot, slot)}"),
            ("flow", f"before {name} gap {vmin(0.018 * unit, slot)} align center"),
            ("fill", "pop")]))
        b.avoid.append(name)


STACKED_PRICE = 0.62   # in a column, the price's share of its box's height (see `_price`)


def _price(b: _Branch, price: RoleBox, middle: bool) -> None:
    """The price the buyer pays, and the list price struck through after it on a sale:
    the price takes 62 % of the price's box (a long price is set smaller), so the list
    price after it stays in the column however long the price is. In a strip the price
    may be as large as 40 % of the strip's height: its diagonal is mostly width, and 6 %
    of it would set a mobile banner's price smaller than its headline. A column is too
    narrow for the list price after a centred price: there the price takes the box's
    width and `STACKED_PRICE` of its height, and the list price goes under it."""
    slot, style = b.slot, b.style
    stacked = b.arrangement.shape == "column"
    cap = 0.06 * _diagonal(slot)
    if b.arrangement.shape == "strip":
        cap = max(cap, 0.4 * slot.height)
    line_h = price.h * STACKED_PRICE if stacked else price.h
    size = min(line_h * slot.height * 0.82, cap)
    line = RoleBox("price", price.x, price.y, price.w, line_h) if stacked else \
        RoleBox("price", price.x + (price.w * 0.19 if middle else 0.0), price.y,
                price.w * 0.62, price.h)
    paid = ("sale_price(product.price.amount, default(product.price.discount, 0), "
            "product.price.currency, default(product.lang, \"en\"))")
    props: Props = [("font", f"display {style.price_weight}"),
                    ("size", _fit(max(11, 0.5 * size), size, slot)), ("max-lines", "1"),
                    *([("align", "center")] if middle else []), ("valign", "bottom"),
                    ("fill", "pop")]
    b.add(f"The price the buyer pays; on a sale, the list price struck through "
          f"{'under' if stacked else 'after'} it.",
          _text("price-line", paid, b.place("price-line", line, props, optional=True),
                "has-price"))
    was_size = size * 0.48
    face: Props = [("font", f"body {style.body_weight}"),
                   ("size", _fit(max(9, 0.6 * was_size), was_size, slot)), ("max-lines", "1")]
    strike: Props = [("fill", "soft"), ("text-decoration", "line-through")]
    if stacked:
        under = RoleBox("price", price.x, line.bottom, price.w, price.h - line_h)
        was = b.place("price-was", under, [
            *face, *([("align", "center")] if middle else []), ("valign", "top"), *strike],
            optional=True)
    else:
        was = [("box", f"0 0 {pct(price.w * 0.34)} {pct(price.h * 0.64)}"),
               ("flow", f"after price-line gap {vmin(0.02 * min(slot.width, slot.height), slot)}"
                        " align end"), *face, ("valign", "bottom"), *strike]
    b.lines.append(_text("price-was", "price(product.price.amount, product.price.currency, "
                         "default(product.lang, \"en\"))", was, "on-sale"))
    b.avoid += ["price-line", "price-was"]


def _button(b: _Branch, button: RoleBox) -> None:
    """The call to action on its button: the plate and its label share a box and a flow."""
    slot, style = b.slot, b.style
    unit = min(slot.width, slot.height)
    radius = {"pill": "999", "rounded": vmin(0.014 * unit, slot)}
    shape: Props = [("rx", radius[style.button])] if style.button in radius else []
    paint: Props = ([("fill", "none"), ("stroke", "plate"),
                     ("stroke-width", vmin(0.004 * unit, slot))]
                    if style.button == "outline" else [("fill", "plate")])
    where = b.place("cta-plate", button, [])
    b.add("The call to action on its button.", _inline("rect cta-plate", [*where, *shape, *paint]))
    size = button.h * slot.height * 0.4
    props: Props = [("font", f"body {max(600, style.body_weight + 200)}"),
                    ("size", _fit(max(10, 0.55 * size), size, slot)), ("max-lines", "1"),
                    ("align", "center"), ("valign", "middle"), ("fill", "plate-ink")]
    b.lines.append(_text("cta", "caption(kind: cta)", [*where, *props]))
    b.avoid.append("cta-plate")


def _badge(b: _Branch, box: RoleBox) -> None:
    slot = b.slot
    size = vmin(min(box.w * slot.width, box.h * slot.height), slot)
    b.add("The discount badge, only on a sale.",
          _inline("badge sale when on-sale", [
              ("tone", "badge-tone"), ("ink", "badge-ink"), ("off", "product.price.discount"),
              ("face", "display"), ("box", f"{pct(box.x)} {pct(box.y)} {size} {size}")]))
    b.avoid.append("sale")


def _decoration(b: _Branch, deco: RoleBox, hero: RoleBox) -> None:
    """Floor, panel, disc or card behind the product (a rule is drawn with the copy)."""
    slot = b.slot
    kind = _decoration_kind(deco, hero, b.arrangement.layout,
                            not b.arrangement.operations.cutout)
    if kind == "scrim":
        _scrim(b, deco)
    elif kind == "floor":
        b.add("The floor the product stands on.", _inline("rect floor", [
            ("box", _box(deco)), ("fill", "deco")]))
    elif kind == "panel":
        price_end = b.arrangement.shape == "strip" and \
            _price_end(deco, hero, b.arrangement.box("price"))
        behind = "the price" if price_end else "the product"
        b.add(f"A panel of colour behind {behind}.", _inline("rect panel", [
            ("box", _box(deco)), ("fill", "deco")]))
    elif kind == "disc":
        r = min(deco.w * slot.width, deco.h * slot.height) / 2
        b.add("A disc behind the product.", _inline("circle halo", [
            ("cx", pct(deco.x + deco.w / 2)), ("cy", pct(deco.y + deco.h / 2)),
            ("r", vmin(r, slot)), ("fill", "deco")]))
    elif kind == "card":
        b.add("A card under the copy.", _inline("rect card", [
            ("box", _box(deco)), ("rx", vmin(0.02 * min(slot.width, slot.height), slot)),
            ("fill", "paper")]))


def _hero(b: _Branch, hero: RoleBox) -> None:
    ops = b.arrangement.operations
    region = f"slot({_box(hero)})"
    overlay = not ops.cutout and covers_canvas(hero) and b.arrangement.box("decoration")
    avoid = f" avoid {', '.join(b.avoid)}" if b.avoid and not overlay else ""
    if ops.cutout:
        anchor = " anchor bottom" if ops.anchor_bottom else ""
        steps = ["cutout", f"place in {region} fit subject{anchor}{avoid}"]
        what = "The product, cut out, in its slot and clear of the copy"
    elif ops.extend:
        steps = [f"extend to {region}", f"place in {region} fit cover{avoid}"]
        what = "The photo, grown to its slot's shape and filling it, clear of the copy"
    elif overlay:
        steps = [f"place in {region} fit cover"]
        what = "The photo filling the slot, the product kept whole, away from the copy"
    else:
        steps = [f"place in {region} fit cover{avoid}"]
        what = "The photo filling its slot, the product kept whole, clear of the copy"
    if ops.mirror:
        steps.append("mirror")
        what += "; turned to face the copy"
    if ops.reflect:
        steps.append("reflect(opacity: 0.3, fade: 0.35)")
        what += "; reflected in the floor"
    if ops.shadow:
        steps.append(f"shadow(kind: {ops.shadow}{', opacity: 0.3' if ops.shadow == 'drop' else ''})")
    b.add(f"{what}.", "image hero\n  | " + "\n  | ".join(steps))


def arrangement_lines(arrangement: Arrangement, style: Style) -> list[str]:
    """The statements drawing one arrangement, back to front: decoration, product, copy
    in reading order, badge. The product is written before the copy it avoids (names laid
    out later are resolved in the binder's second pass) so it is painted beneath it.

    An overlay's copy sits on the side of the photo away from its product, and another
    product's photo may have its product on that side, or across the middle: its template
    tests where the product is (`hero.subject.box`) and sets the copy on the other side
    (`_turned`) or beside the photo (`_beside`) when it must."""
    deco = arrangement.box("decoration")
    hero = arrangement.box("hero")
    if deco is None or hero is None or arrangement.operations.cutout or \
            _decoration_kind(deco, hero, arrangement.layout, True) != "scrim":
        return _drawn(arrangement, style)
    side = _scrim_side(deco)
    axis = 0 if side in ("left", "right") else 1
    near, far = f"default(hero.subject.box[{axis}], 0)", \
        f"default(hero.subject.box[{axis}], 1) + default(hero.subject.box[{axis + 2}], 0)"
    room = f"{ROOM_SHARE:g}"
    calm = {"left": f"{near} >= {room}", "top": f"{near} >= {room}",
            "right": f"{far} <= {1 - ROOM_SHARE:g}", "bottom": f"{far} <= {1 - ROOM_SHARE:g}"}
    other = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}[side]
    turned = replace(arrangement, layout=_turned(arrangement.layout, axis))
    beside = replace(arrangement, layout=_beside(arrangement.layout, deco))
    return [f"// The copy on the photo's {side}, away from the product; on its {other} where "
            f"the product stands on the {side}; beside the photo where it fills the middle.",
            f"when {calm[side]} {{", *("  " + line for line in _drawn(arrangement, style)),
            f"}} else when {calm[other]} {{",
            *("  " + line for line in _drawn(turned, style)),
            "} else {", *("  " + line for line in _drawn(beside, style)), "}"]


def _beside(layout: Layout, scrim: RoleBox) -> Layout:
    """An overlay as a photo beside its copy: the photo in the part of the canvas the
    scrim leaves, no scrim."""
    if scrim.y <= _EPS and scrim.bottom >= 1 - _EPS:      # a scrim down one side
        photo = (0.0, scrim.x) if scrim.x > _EPS else (scrim.right, 1.0)
        hero = RoleBox("hero", photo[0], 0.0, round(photo[1] - photo[0], 4), 1.0)
    else:
        span = (0.0, scrim.y) if scrim.y > _EPS else (scrim.bottom, 1.0)
        hero = RoleBox("hero", 0.0, span[0], 1.0, round(span[1] - span[0], 4))
    return tuple(hero if b.role == "hero" else b for b in layout if b.role != "decoration")


def _turned(layout: Layout, axis: int) -> Layout:
    """An overlay with its copy on the other side: across (`axis` 0) every box but the
    photo mirrored; down (1) the scrim and badge mirrored and the copy moved as one block
    to the other side, its reading order kept."""
    copy = [b for b in layout if b.role in ("headline", "subline", "points", "price",
                                             "button", "brand")]
    if axis == 1:
        top, bottom = min(b.y for b in copy), max(b.bottom for b in copy)
        shift = (1 - bottom) - top
    out = []
    for b in layout:
        if b.role == "hero":
            out.append(b)
        elif axis == 0:
            out.append(replace(b, x=round(1 - b.right, 4)))
        elif b in copy:
            out.append(replace(b, y=round(b.y + shift, 4)))
        else:
            out.append(replace(b, y=round(1 - b.bottom, 4)))
    return tuple(out)


def _drawn(arrangement: Arrangement, style: Style) -> list[str]:
    """The statements of one arrangement as laid out (see `arrangement_lines`)."""
    boxes = {b.role: b for b in arrangement.layout}
    hero, head = boxes["hero"], boxes["headline"]
    middle = centred(arrangement.layout)
    copy = _Branch(arrangement, style, [], [], [])
    copy.body_cap = 0.8 * max(11.0, 0.6 * headline_size(arrangement.slot, head)[1])
    if "brand" in boxes:
        _brand(copy, boxes["brand"], middle)
    _headline(copy, head, hero, middle)
    deco = boxes.get("decoration")
    if deco is not None and _decoration_kind(deco, hero, arrangement.layout) == "rule":
        _rule(copy, deco, head)
    if "subline" in boxes:
        _subline(copy, boxes["subline"], middle)
    if "points" in boxes:
        _points(copy, boxes["points"])
    if "price" in boxes:
        _price(copy, boxes["price"], middle)
    if "button" in boxes:
        _button(copy, boxes["button"])
    if "badge" in boxes:
        _badge(copy, boxes["badge"])
    back = _Branch(arrangement, style, [], copy.avoid, [])
    photo = not arrangement.operations.cutout
    over = deco is not None and _decoration_kind(deco, hero, arrangement.layout, photo) == "scrim"
    if deco is not None and not over:
        _decoration(back, deco, hero)
    _hero(back, hero)
    if deco is not None and over:     # the scrim goes over the photo, under the copy
        _decoration(back, deco, hero)
    return back.lines + copy.lines


def _diagonal(slot: Slot) -> float:
    return math.sqrt((slot.width ** 2 + slot.height ** 2) / 2)


# ---- the template -----------------------------------------------------------------------

_SHAPE_WORDS = {"strip": "Strips", "wide": "Wide slots", "column": "Columns",
                "tall": "Tall slots", "square": "Square slots"}


def _field(style: Style) -> tuple[list[str], str]:
    """The defs a field needs and the background's fill."""
    if style.field == "linear":
        return (["// The wash: a diagonal gradient between two neighbours of the accent.",
                 "defs {",
                 "  linearGradient wash {",
                 "    x1: 0; y1: 0; x2: 1; y2: 1;",
                 "    stop { offset: 0; stop-color: wash-start }",
                 "    stop { offset: 1; stop-color: wash-end }",
                 "  }",
                 "}"], '"url(#wash)"')
    if style.field == "radial":
        return (["// A glow of the accent behind the middle of the slot.",
                 "defs {",
                 "  radialGradient glow-field {",
                 "    cx: 0.5; cy: 0.45; r: 0.75;",
                 "    stop { offset: 0; stop-color: glow }",
                 "    stop { offset: 1; stop-color: paper }",
                 "  }",
                 "}"], '"url(#glow-field)"')
    return [], "paper"


def template_name(product_id: str, slot: Slot, index: int) -> str:
    """A template name from the product id, the slot and the design's number."""
    stem = "".join(c if c.isalnum() and c.isascii() else "_" for c in product_id.lower())
    stem = "_".join(part for part in stem.split("_") if part) or "product"
    if stem[0].isdigit():
        stem = "p_" + stem
    return f"{stem}_{slot.name}_{index}"


def shapes_of(slots: Sequence[Slot]) -> list[str]:
    """The slot shapes among `slots`, in the order the template tests them: strip, wide,
    column, tall, then square (the last is the `else` that takes every other shape)."""
    return [s for s in SHAPES if any(slot.shape == s for slot in slots)]


def header(design: Design, slots: Sequence[Slot], name: str) -> list[str]:
    """The comments, `template` and `formats` lines: already in `ddm fmt`'s form."""
    style = design.style
    primary = design.primary
    title = f"{describe(primary.layout, primary.shape, not design.cutout)} ({style.name})"
    title = "".join(c for c in title if c not in '"\\{}')
    title = title[0].upper() + title[1:]
    return [
        f"// Generated by `ddm generate` for product {design.product_id}, designed for the "
        f"{design.primary.slot.name} slot.",
        f"// Style `{style.name}`: {style.description}.",
        "// The colours are the lets below, drawn from the product photo's own accent; each",
        "// slot shape has its own arrangement, and every element says what it is.",
        f"template {name} \"{title}\"",
        "formats " + ", ".join(f"{s.name} {s.width}x{s.height}" for s in slots),
    ]


def prelude(style: Style, cutout: bool, slots: Sequence[Slot]) -> list[str]:
    """Everything between the header and the arrangements: the objects, the colours and
    type, what the product's data holds, the slot shapes, the badge component and the
    field. It depends on the style and the way the product is shown, not on the layout."""
    out = [HERO_OBJECT[cutout],
           "// The brand's logo, when it has one on a transparent background.",
           "object logo? = image from brand.logos where has_alpha",
           "",
            "// Colours: the product photo's accent, and what is drawn from it.",
            "let tone = hero.palette.accent"]
    out += [f"let {c.name} = {c.expression}  // {c.role}" for c in style.colours]
    cjk_face = ('"Noto Sans CJK JP" if product.lang == "ja" else "Noto Sans CJK KR" '
                'if product.lang == "ko" else "Noto Sans CJK SC"')
    out += [
        f"// Type: {style.display_face} over {style.body_face}; Chinese, Japanese and "
        "Korean in Noto Sans CJK.",
        f"let cjk = product.lang in [{', '.join(f'{chr(34)}{c}{chr(34)}' for c in CJK_LANGS)}]",
        f"let cjk-face = {cjk_face}",
        f"let display = cjk-face if cjk else \"{style.display_face}\"",
        f"let body = cjk-face if cjk else \"{style.body_face}\"",
        "let lead = 1.25 if cjk else 1.06  // the headline's line height",
        "// What the product's data holds.",
        "let has-price = product.price.amount > 0",
        "let on-sale = has-price and default(product.price.discount, 0) > 0",
    ]
    out += _shape_lets(shapes_of(slots))
    out += [
        "",
        "// The discount badge: the percentage, as the data states it, on a disc.",
        "component badge(tone: color, ink: color, off: number, face: string) {",
        "  circle disc { box: 0 0 100% 100%; fill: tone }",
        "  text off-label = \"−{off}%\" {",
        "    box: 14% 28% 72% 44%;",
        "    font: face 900;",
        "    size: fit(9, 40%);",
        "    max-lines: 1;",
        "    align: center;",
        "    valign: middle;",
        "    fill: ink;",
        "  }",
        "}",
        "",
    ]
    defs, fill = _field(style)
    out += defs
    out += ["// The field behind everything.",
            f"rect background {{ box: 0 0 100% 100%; fill: {fill} }}"]
    return out


def _shape_lets(shapes: Sequence[str]) -> list[str]:
    """The lets naming the slot shapes the arrangements are chosen by: none for one shape;
    `wide` and `tall` where a common shape is among them; `strip` and `column` where a
    `when` tests them (each is tested before `wide` or `tall`, which would take it)."""
    if len(shapes) < 2:
        return []
    tested = shapes[:-1]
    out = ["// The slot's shape: each has its own arrangement below."]
    if "strip" in tested:
        out.append(f"let strip = format.aspect >= {STRIP:g}")
    if any(s in shapes for s in ("wide", "tall", "square")):
        out += [f"let wide = format.aspect > {WIDE:g}", f"let tall = format.aspect < {TALL:g}"]
    if "column" in tested:
        out.append(f"let column = format.aspect <= {COLUMN:g}")
    return out


def arrangement_block(arrangement: Arrangement, style: Style) -> list[str]:
    """An arrangement's statements under the comment naming its slot shape."""
    return [f"// {_SHAPE_WORDS[arrangement.shape]} ({arrangement.slot}): "
            f"{describe(arrangement.layout, arrangement.shape, not arrangement.operations.cutout)}.",
            *arrangement_lines(arrangement, style)]


def arrangements_for(design: Design, slots: Sequence[Slot]) -> list[Arrangement]:
    """The arrangement each slot shape among `slots` gets, in `shapes_of` order: the
    design's own for that shape, else its primary one (boxes are shares of the slot)."""
    by_shape = {a.shape: a for a in reversed(design.arrangements)}
    return [by_shape.get(shape, design.primary) for shape in shapes_of(slots)]


def when_line(index: int, count: int, shape: str) -> str:
    """The line opening the `index`-th of `count` shape branches."""
    if index == 0:
        return f"when {shape} {{"
    return "} else {" if index == count - 1 else f"}} else when {shape} {{"


def write(design: Design, slots: Sequence[Slot], *, name: str, formatted: bool = True) -> str:
    """The design as DDM source serving every slot in `slots`, formatted as `ddm fmt`
    formats it (`formatted=False` leaves that out, for text that is only compiled).

    Each slot shape among `slots` gets the design's arrangement for that shape; a shape
    the design has none for reuses the primary one."""
    out = [*header(design, slots, name), "", *prelude(design.style, design.cutout, slots)]
    arrangements = arrangements_for(design, slots)
    shapes = shapes_of(slots)
    if len(arrangements) == 1:
        out += arrangement_block(arrangements[0], design.style)
    else:
        for i, (shape, arrangement) in enumerate(zip(shapes, arrangements, strict=True)):
            out.append(when_line(i, len(shapes), shape))
            out += ["  " + line for line in arrangement_block(arrangement, design.style)]
        out.append("}")
    text = "\n".join(out) + "\n"
    return format_source(text, f"<{name}>") if formatted else text


# ---- drafts: the same text from parsed pieces -------------------------------------------

@dataclass(frozen=True)
class _Piece:
    """Source parsed once: its module and its formatted lines."""

    module: ast.Module
    lines: tuple[str, ...]


class Drafts:
    """One product's designs written from pieces parsed once each.

    A generator writes dozens of candidates that share their objects, colours and type
    (the prelude, one per style and way of showing the product) and reuses each
    arrangement in several templates. Parsing is most of what writing costs, so each
    piece is parsed and formatted once: `module` joins the parsed pieces of a design for
    the checker, `text` joins their formatted lines into exactly what `write` returns
    (and `ddm fmt` would print), without parsing the whole template again."""

    def __init__(self, slots: Sequence[Slot]) -> None:
        self.slots = tuple(slots)
        self.shapes = shapes_of(slots)
        self._preludes: dict[tuple[str, bool], _Piece] = {}
        self._arrangements: dict[tuple[Arrangement, str], tuple[_Piece, tuple[str, ...]]] = {}

    def _prelude(self, style: Style, cutout: bool) -> _Piece:
        key = (style.name, cutout)
        if key not in self._preludes:
            text = "\n".join(prelude(style, cutout, self.slots)) + "\n"
            module = parse(text, f"<prelude {style.name}>")
            self._preludes[key] = _Piece(module, tuple(format_module(module).splitlines()))
        return self._preludes[key]

    def _arrangement(self, arrangement: Arrangement, style: Style
                     ) -> tuple[_Piece, tuple[str, ...]]:
        """The arrangement parsed inside a `when` block (so that it formats as it does in
        a template of several shapes), with its lines formatted at the top level too."""
        key = (arrangement, style.name)
        if key not in self._arrangements:
            block = arrangement_block(arrangement, style)
            text = "when true {\n" + "\n".join("  " + line for line in block) + "\n}\n"
            module = parse(text, f"<{arrangement.slot.name} arrangement>")
            nested = tuple(format_module(module).splitlines()[1:-1])
            when = module.items[0]
            assert isinstance(when, ast.WhenStmt)
            top = ast.Module(when.body.children, module.path, module.source, module.comments)
            self._arrangements[key] = (_Piece(module, nested),
                                       tuple(format_module(top).splitlines()))
        return self._arrangements[key]

    def module(self, design: Design, name: str = "candidate") -> ast.Module:
        """The design's header, prelude and primary arrangement as one module to check
        and compile for the primary slot (the arrangement under `when true`)."""
        head = parse("\n".join(header(design, self.slots, name)) + "\n", f"<{name}>")
        piece, _ = self._arrangement(design.primary, design.style)
        items = (*head.items, *self._prelude(design.style, design.cutout).module.items,
                 *piece.module.items)
        return ast.Module(items, head.path, head.source)

    def text(self, design: Design, name: str) -> str:
        """The formatted template: what `write(design, slots, name=name)` returns."""
        out = [*header(design, self.slots, name), "",
               *self._prelude(design.style, design.cutout).lines]
        arrangements = arrangements_for(design, self.slots)
        if len(arrangements) == 1:
            out += self._arrangement(arrangements[0], design.style)[1]
        else:
            for i, (shape, arrangement) in enumerate(zip(self.shapes, arrangements,
                                                         strict=True)):
                out.append(when_line(i, len(arrangements), shape))
                out += self._arrangement(arrangement, design.style)[0].lines
            out.append("}")
        return "\n".join(out) + "\n"
