"""What each element of a compiled creative is, in the layout model's roles.

The layout model learns from the stdlib templates' compiled creatives, so it must read a
bound scene the way a designer reads the template: the product photo is the hero, the
caption written as a headline is the headline, the plate under the call to action is part
of the button. This module turns `ddm_lang.layout.elements.flatten`'s elements into one
box per role of `ddm_lang.generate.layout.ROLES` (canvas px), with these rules:

- **text**: by its caption kind in the template (`headline` → headline, `selling_point` →
  points, `cta` → button, `price` → price, `brand` → brand), else by its name
  (`NAME_ROLES`: `price-was`, `paid` → price; `off` → badge; `kicker` → brand; …), else by
  the group it is drawn in (`badge`, `ribbon`, `sale-badge` → badge), else it is a
  secondary line: subline. Selling points are a list: two or more make `points` (the box
  around all of them); a lone one under the headline reads as the `subline`.
- **image**: `logo` is the brand; every other image shows the product, and the largest of
  them (by visible box: the subject once cut out) is the hero. Further product images
  (collages, grids, a second view) are left out: the vocabulary has one hero. The
  caller gives the hero's box (`role_boxes(hero_box=…)`): the extractor takes the box
  the image is drawn in, the slot `place` fitted the product to.
- **shape**: a shape lying under a later text or image (an *underlay*, in `elements`'
  sense) joins that element's role when the element is a button or a badge (the plate *is*
  the button); under any other text it is that text's plate, which styling adds, and is
  left out; under an image (a halo, a stage, a card) it is a decoration, as is every other
  shape. Bullets (`b1`, `b2`, …) join the points. Of the decorations, the largest one
  covering at least 0.1 % of the canvas is kept; the background is never one.

Several elements with one role (a price and its struck-through original, the button's
plate and label) give the box around all of them, clipped to the canvas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ddm_lang.generate.layout import ROLES
from ddm_lang.layout.elements import MIN_AREA, UNDERLAY_SHARE, Element, area, intersection
from ddm_lang.scene import Box, ImageNode, Node, Scene, SceneItem
from ddm_lang.syntax import ast

CAPTION_ROLES: Mapping[str, str] = {
    "headline": "headline", "selling_point": "points", "cta": "button", "price": "price",
    "brand": "brand",
}
"""Caption kind (`caption(kind: …)`) → role."""

CALL_ROLES: Mapping[str, str] = {"price": "price", "sale_price": "price"}
"""Text written by a function (`text paid = sale_price(…)`) → role."""

NAME_ROLES: Mapping[str, str] = {
    "headline": "headline", "lead-title": "headline", "title-only": "headline",
    "title": "headline", "cta": "button", "button": "button",
    "price-line": "price", "price-was": "price", "was": "price", "paid": "price",
    "price": "price", "point": "points", "off": "badge", "off-label": "badge",
    "badge": "badge", "logo": "brand", "brand-line": "brand", "kicker": "brand",
    "lead": "brand", "brand": "brand", "subline": "subline", "tagline": "subline",
}
"""Element name → role, for elements whose template gives no caption kind."""

BADGE_GROUPS = frozenset({"badge", "ribbon", "sale-badge"})
"""Groups (or component instances) whose every element is part of a badge."""

PLATED_ROLES = frozenset({"button", "badge"})
"""Roles whose underlay is part of the element itself, not a readability plate."""

_POINT_NAME = re.compile(r"^(point|p)(-?[a-z0-9]+)?$")
_BULLET_NAME = re.compile(r"^b\d*$")


@dataclass(frozen=True)
class RolePiece:
    """One element read as part of a role (`product` for a product image not yet ranked,
    `decoration` and `plate` for shapes)."""

    role: str
    element: Element


def caption_kinds(body: Iterable[ast.Stmt | ast.Property],
                  components: Mapping[str, ast.Block] | None = None) -> dict[str, str]:
    """Element name → what writes its text: a caption kind or a function name, gathered
    from a template's statements and its components' bodies (names are the template's)."""
    out: dict[str, str] = {}

    def walk(items: Iterable[ast.Stmt | ast.Property]) -> None:
        for item in items:
            if isinstance(item, ast.Element):
                value = item.value
                if item.name and isinstance(value, ast.Call):
                    if value.func == "caption":
                        kind = next((a.value for a in value.args if a.name == "kind"), None)
                        if isinstance(kind, ast.Name):
                            out[item.name] = kind.id
                        elif isinstance(kind, ast.String) and all(
                                isinstance(p, str) for p in kind.parts):
                            out[item.name] = "".join(str(p) for p in kind.parts)
                    else:
                        out[item.name] = value.func
                walk(item.body.items)
            elif isinstance(item, ast.ForStmt | ast.Block):
                walk(item.body.items if isinstance(item, ast.ForStmt) else item.items)
            elif isinstance(item, ast.WhenStmt):
                walk(item.body.items)
                if item.orelse is not None:
                    walk([item.orelse] if isinstance(item.orelse, ast.WhenStmt)
                         else item.orelse.items)

    walk(body)
    for block in (components or {}).values():
        walk(block.items)
    return out


def ancestors(scene: Scene) -> dict[int, tuple[str, ...]]:
    """id(scene item) → the names of the groups it is drawn in, outermost first."""
    out: dict[int, tuple[str, ...]] = {}

    def walk(items: Iterable[SceneItem], names: tuple[str, ...]) -> None:
        for item in items:
            out[id(item)] = names
            if isinstance(item, Node) and item.children:
                walk(item.children, names + ((item.name,) if item.name else ()))

    walk(scene.children, ())
    return out


def text_role(name: str | None, kinds: Mapping[str, str], groups: Sequence[str]) -> str:
    """A text's role: caption kind, function, name, group, else subline."""
    kind = kinds.get(name or "")
    if kind in CAPTION_ROLES:
        return CAPTION_ROLES[kind]
    if kind in CALL_ROLES:
        return CALL_ROLES[kind]
    if name in NAME_ROLES:
        return NAME_ROLES[name]
    if name and _POINT_NAME.match(name):
        return "points"
    if any(g in BADGE_GROUPS for g in groups):
        return "badge"
    return "subline"


def _underlies(shape: Element, later: Element) -> bool:
    smaller = min(area(shape.box), area(later.box))
    return smaller > 0 and area(intersection(shape.box, later.box)) >= UNDERLAY_SHARE * smaller


def pieces(elements: Sequence[Element], kinds: Mapping[str, str],
           groups: Mapping[int, tuple[str, ...]]) -> list[RolePiece]:
    """Each element's first reading (see the module docstring); background shapes and
    empty boxes are left out."""
    first: list[RolePiece | None] = []
    for e in elements:
        anc = groups.get(id(e.item), ())
        if area(e.box) <= 0 or (e.kind == "shape" and e.role == "background"):
            first.append(None)
        elif e.kind == "text":
            first.append(RolePiece(text_role(e.name, kinds, anc), e))
        elif e.kind == "image":
            brand = e.name == "logo" or kinds.get(e.name or "") == "brand"
            first.append(RolePiece("brand" if brand else "product", e))
        elif any(g in BADGE_GROUPS for g in anc):
            first.append(RolePiece("badge", e))
        elif e.name and _BULLET_NAME.match(e.name):
            first.append(RolePiece("points", e))
        else:
            first.append(RolePiece("shape", e))
    out: list[RolePiece] = []
    for i, piece in enumerate(first):
        if piece is None:
            continue
        if piece.role != "shape":
            out.append(piece)
            continue
        e = piece.element
        over = next((p for p in first[i + 1:] if p is not None and p.role != "shape"
                     and p.element.kind != "shape" and _underlies(e, p.element)), None) \
            if e.role == "underlay" else None
        if over is None or over.element.kind == "image":
            out.append(RolePiece("decoration", e))
        elif over.role in PLATED_ROLES:
            out.append(RolePiece(over.role, e))
        else:
            out.append(RolePiece("plate", e))
    return out


def _union(boxes: Iterable[Box]) -> Box | None:
    return Box.around(boxes)


def _clip(box: Box, width: float, height: float) -> Box:
    return intersection(box, Box(0, 0, width, height))


def role_boxes(found: Sequence[RolePiece], width: float, height: float,
               hero_box: Box | None = None) -> dict[str, Box]:
    """One box per role (canvas px, clipped to the canvas), in `ROLES` order.

    `hero_box` replaces the hero's element box when the caller knows better what shows
    (a transparent photo's subject)."""
    by_role: dict[str, list[Element]] = {}
    for p in found:
        by_role.setdefault(p.role, []).append(p.element)
    products = by_role.pop("product", [])
    by_role.pop("plate", None)
    if products:
        hero = max(products, key=lambda e: area(_clip(e.box, width, height)))
        by_role["hero"] = [hero]
    points = by_role.pop("points", [])
    texts = [e for e in points if e.kind == "text"]
    if len(texts) >= 2:
        by_role["points"] = points
    elif texts:
        by_role.setdefault("subline", []).extend(points)
    decorations = [e for e in by_role.pop("decoration", [])
                   if area(_clip(e.box, width, height)) >= MIN_AREA * width * height]
    if decorations:
        by_role["decoration"] = [max(decorations,
                                     key=lambda e: area(_clip(e.box, width, height)))]
    out: dict[str, Box] = {}
    for role in ROLES:
        members = by_role.get(role)
        if not members:
            continue
        box = hero_box if role == "hero" and hero_box is not None else \
            _union(e.box for e in members)
        if box is None:
            continue
        box = _clip(box, width, height)
        if box.width > 0 and box.height > 0:
            out[role] = box
    return out


def hero_element(found: Sequence[RolePiece], width: float, height: float) -> Element | None:
    """The product image `role_boxes` takes as the hero (the largest on the canvas)."""
    products = [p.element for p in found if p.role == "product"]
    if not products:
        return None
    return max(products, key=lambda e: area(_clip(e.box, width, height)))


def is_cutout(node: ImageNode) -> bool:
    """The hero shows only its subject: cut out by the template, or a transparent file."""
    return node.matte is not None or node.material.has_alpha
