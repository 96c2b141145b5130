"""Where each element of a template was drawn in one creative, and how the template says
where it goes: the map a visual editor needs to go from a click on a preview to the
source text, and from a drag back to the text that positions the element.

The map is a side output of binding, never part of the scene: the SVG and every batch
output are the same with or without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ddm_lang.scene import Box
from ddm_lang.semantics.svg_vocab import ANCHORS
from ddm_lang.syntax import ast

FORMS = ("box", "anchored", "xywh", "center", "point", "slot", "computed", "canvas", "drawn")
"""How an element's position is written: `box: x y w h` of literal lengths; an anchored
box (`top-right margin 4% size 14%`); x/y/width/height properties; a circle's or an
ellipse's `cx`, `cy` and radii; a text at `x`, `y`;
an image placed in `slot(x y w h)`; a position some expression computes; an image with
no box (the whole frame); an element whose geometry is its own SVG attributes."""


@dataclass(frozen=True)
class Placement:
    """One element as drawn in one creative.

    `box` and `frame` are canvas pixels: `frame` is the box the element's lengths were
    resolved in (the canvas, or a component instance's box). `value` is the source of what
    positions the element (the `box` value, the slot region, the `x` value) when it can be
    written back; `override` the `when` block inside the element it came from; `flow` the
    flow that moved it ("below headline"); `solved` says the layout solver moved it from
    where it is written; `inside` names the component instance it is part of. `slot` is the
    slot region of an image `place`d in one; `material` the file an image shows."""

    span: ast.Span
    kind: str
    name: str | None
    box: Box
    frame: Box
    form: str
    value: ast.Span | None = None
    override: ast.Span | None = None
    flow: str | None = None
    solved: bool = False
    inside: str | None = None
    slot: Box | None = None
    material: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain data for the editor (spans as offsets, lines and columns)."""
        return {
            "kind": self.kind, "name": self.name, "form": self.form,
            "span": span_json(self.span), "value": span_json(self.value),
            "override": span_json(self.override),
            "box": _box(self.box), "frame": _box(self.frame),
            "slot": _box(self.slot) if self.slot is not None else None,
            "flow": self.flow, "solved": self.solved, "inside": self.inside,
            "material": self.material,
        }


def span_json(span: ast.Span | None) -> dict[str, Any] | None:
    if span is None:
        return None
    return {"file": span.file, "line": span.line, "col": span.column,
            "end_line": span.end_line, "end_col": span.end_column,
            "start": span.start, "end": span.end}


def _box(box: Box) -> list[float]:
    return [round(box.x, 2), round(box.y, 2), round(box.width, 2), round(box.height, 2)]


def position_form(node: ast.Element) -> tuple[str, ast.Span | None]:
    """How `node` (its overrides applied) writes its position, and the source to rewrite."""
    props = {p.name: p for p in node.body.properties}
    if "box" in props:
        value = props["box"].value
        if is_length_quad(value):
            return "box", value.span
        if isinstance(value, ast.ValueList) and isinstance(value.items[0], ast.Name) \
                and value.items[0].id in ANCHORS:
            return "anchored", value.span
        return "computed", value.span
    if "width" in props and "height" in props:
        return "xywh", None
    if node.kind in ("circle", "ellipse") and "cx" in props and "cy" in props:
        return "center", None
    if node.kind == "text" and ("x" in props or "y" in props):
        return "point", None
    if node.kind == "image":
        return "canvas", None
    return "drawn", None


def is_length_quad(value: ast.Expr) -> bool:
    """Four literal lengths (`7% 14% 44% 44%`, a negative one in parentheses): what a
    drag can rewrite in place."""
    return isinstance(value, ast.ValueList) and len(value.items) == 4 and all(
        literal_length(v) is not None for v in value.items)


def literal_length(value: ast.Expr) -> ast.Number | None:
    """A literal length: `4%`, or `(-4%)` (as a number node of the negative value)."""
    if isinstance(value, ast.Number):
        return value
    if isinstance(value, ast.Unary) and value.op == "-" and isinstance(value.operand, ast.Number):
        return ast.Number(-value.operand.value, value.operand.unit, value.span)
    return None


def slot_value(op: ast.Operation) -> ast.Expr | None:
    """The `slot(...)` argument of a `place ... in slot(...)` operation, if it has one."""
    for clause in op.clauses:
        if clause.keyword == "in" and clause.values:
            call = clause.values[0]
            if isinstance(call, ast.Call) and call.func == "slot" and len(call.args) == 1:
                return call.args[0].value
    return None


@dataclass(frozen=True)
class Candidate:
    """One image an object could show: `rejected` says which `where` condition left it
    out ("" when it qualified); `keys` are its `prefer` values, as text."""

    path: str
    rejected: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Selection:
    """What an abstract object chose for one product, among which candidates, and why."""

    object: str
    where: str
    prefer: tuple[str, ...]
    chosen: tuple[str, ...]
    candidates: tuple[Candidate, ...]

    def as_json(self) -> dict[str, Any]:
        return {"object": self.object, "where": self.where, "prefer": list(self.prefer),
                "chosen": list(self.chosen),
                "candidates": [{"path": c.path, "rejected": c.rejected, "keys": list(c.keys)}
                               for c in self.candidates]}


@dataclass(frozen=True)
class SourceMap:
    """One creative's elements mapped to the template text, and its objects' choices."""

    placements: tuple[Placement, ...] = ()
    selections: tuple[Selection, ...] = ()
