"""Canvas geometry written back into the template: a dragged or resized element's box, slot,
x/y/width/height or centre and radii, each length in the unit it was written in (a `%`
box stays `%`, relative to the frame of the format being edited; px stays px), to the
precision that keeps it within half a pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

from ddm_lang.bind.placements import is_length_quad, literal_length
from ddm_lang.layout.boxes import Frame as LayoutFrame
from ddm_lang.semantics.overrides import is_override, override_blocks
from ddm_lang.semantics.svg_vocab import axis_of
from ddm_lang.syntax import ast
from ddm_lang.syntax.formatter import number_text
from ddm_lang.values import LENGTH_UNITS, Length

from .editor_edits import (
    EditRefused,
    TextEdit,
    apply_edits,
    element_at,
    format_of,
    formatted,
    parsed,
    remove_property,
    set_in_override,
    set_property,
    set_property_line,
    value_at,
)

AXES = "whwh"


@dataclass(frozen=True)
class Frame:
    """The box a creative's lengths resolve in, canvas px (the canvas or an instance)."""

    x: float
    y: float
    width: float
    height: float

    def reference(self, axis: str) -> float:
        """What 100 % is along `axis` (w, h, d or min), as binding resolves it."""
        return LayoutFrame(self.width, self.height).reference(axis)


# ---- lengths ---------------------------------------------------------------------------------

def _unit_px(unit: str, axis: str, frame: Frame) -> float:
    """Pixels in one `unit` along `axis` of `frame` (as binding resolves lengths)."""
    if unit and unit not in LENGTH_UNITS:
        raise EditRefused(f"a length in `{unit}` cannot be set from the canvas")
    return Length(1.0, unit).resolve(frame.reference(axis), frame.width, frame.height)


def length_text(px: float, unit: str, axis: str, frame: Frame) -> str:
    """`px` written in `unit`, to the precision that keeps it within half a pixel."""
    per = _unit_px(unit, axis, frame)
    value = px / per
    for digits in range(0, 4):
        rounded = round(value, digits)
        if abs(rounded * per - px) <= 0.5:
            break
    text = number_text(rounded + 0.0) + unit
    # a minus inside a list of lengths would subtract: `10% (-4%)` keeps four lengths
    return f"({text})" if rounded < 0 else text


def _local(box: list[float], frame: Frame) -> list[float]:
    x, y, w, h = box
    return [x - frame.x, y - frame.y, max(1.0, w), max(1.0, h)]


def quad_text(box: list[float], frame: Frame, units: list[str]) -> str:
    local = _local(box, frame)
    return " ".join(length_text(v, u, a, frame) for v, u, a in zip(local, units, AXES, strict=True))


def _units(value: ast.Expr) -> list[str] | None:
    if not is_length_quad(value):
        return None
    assert isinstance(value, ast.ValueList)
    numbers = [n for n in map(literal_length, value.items) if n is not None]
    # a bare 0 among lengths of one unit is written without one: it moves in that unit
    written = {v.unit for v in numbers if v.unit}
    shared = written.pop() if len(written) == 1 else ""
    return [v.unit or (shared if v.value == 0 else "") for v in numbers]


# ---- edits ------------------------------------------------------------------------------------

def set_box(source: str, element_start: int, box: list[float], frame: Frame, *,
            value_start: int | None = None, only_format: str | None = None,
            detach: bool = False) -> str:
    """The source with the element's box (or slot) at `box` (canvas px).

    `value_start` names the value that placed it (a placement's `value`); `only_format`
    writes the box in an override for that format; `detach` replaces a box that is not
    four plain lengths (anchored, computed), removes a `flow`, and turns a slot into the
    image's own box."""
    module = parsed(source)
    element = element_at(module, element_start)
    props = {p.name: p for p in element.body.properties}
    edits: list[TextEdit] = []
    if detach and "flow" in props:
        edits.append(remove_property(source, props["flow"]))
    current = value_at(element, value_start) if value_start is not None else None
    slot = current is not None and "box" not in props and not any(
        p.name == "box" and p.value is current for p in _override_props(element))
    if current is not None and slot and detach:
        return _detached_slot(source, element, current, box, frame, only_format)
    if current is not None and slot and only_format:
        raise EditRefused("a slot is part of the image's pipeline, which is the same in every "
                          "format: detach it into a box of its own to place it per format")
    units = _units(current) if current is not None else None
    if units is None and current is not None and not detach:
        raise EditRefused("this box is not four lengths (it is anchored or computed): detach "
                          "it to place it by hand")
    text = quad_text(box, frame, units or ["%"] * 4)
    lengths = None  # x/y/width/height or a centre and radii, each in its own unit
    if current is None and "width" in props and "height" in props:
        lengths = _xywh(element, box, frame)
    elif current is None and element.kind in ("circle", "ellipse") and "cx" in props \
            and "cy" in props:
        lengths = _center(element, box, frame)
    if lengths is not None and only_format:
        for name, length in lengths.items():  # the same properties, for one format
            source = set_property(source, element_start, name, length, only_format=only_format)
        return source
    if only_format and not _in_override_for(element, current, only_format):
        edits.append(set_in_override(source, element, only_format, "box", text))
    elif current is not None:
        edits.append(TextEdit(current.span.start, current.span.end, text))
    elif lengths is not None:
        edits += _set_lengths(source, element, lengths)
    elif element.kind == "text" and ("x" in props or "y" in props):
        raise EditRefused("a text placed at a point (`x`, `y`) is moved by its point: give it "
                          "a `box` to size it")
    else:
        edits.append(set_property_line(source, element, "box", text))
    return formatted(source, apply_edits(source, edits))


def _detached_slot(source: str, element: ast.Element, region: ast.Expr, box: list[float],
                   frame: Frame, only_format: str | None) -> str:
    """The slot of `place … in slot(…)` made the image's own `box` (which `place` fills
    when no slot is named, so the image is placed as before), then set to `box`: for every
    format, or in an override for `only_format`."""
    clause = next(c for op in element.pipeline for c in op.clauses
                  if c.keyword == "in" and c.values and region.span.start >= c.span.start
                  and region.span.end <= c.span.end)
    start = clause.span.start
    while start > 0 and source[start - 1] in " \t":
        start -= 1
    written = source[region.span.start:region.span.end]
    edits = [TextEdit(start, clause.span.end, ""), set_property_line(source, element, "box", written)]
    detached = apply_edits(source, edits)
    own = element_at(parsed(detached), element.span.start)
    value = next(p.value for p in own.body.properties if p.name == "box")
    return set_box(detached, element.span.start, box, frame, value_start=value.span.start,
                   only_format=only_format)


def _override_props(element: ast.Element) -> list[ast.Property]:
    return [p for item in element.body.items if is_override(item)
            for block, _ in override_blocks(item) for p in block.properties]


def _in_override_for(element: ast.Element, value: ast.Expr | None, fmt: str) -> bool:
    """Whether `value` is set in the element's override for format `fmt`."""
    if value is None:
        return False
    for item in element.body.items:
        if is_override(item) and format_of(item) == fmt:
            return any(p.value is value for p in item.body.properties)
    return False


def _xywh(element: ast.Element, box: list[float], frame: Frame) -> dict[str, str]:
    """x, y, width and height for `box`, each in the unit it is written in (x and y, which
    default to 0, in px when not written: a moved element needs them)."""
    props = {p.name: p for p in element.body.properties}
    out = {}
    for name, px, axis in zip(("x", "y", "width", "height"), _local(box, frame), AXES,
                              strict=True):
        prop = props.get(name)
        out[name] = length_text(px, _written_unit(prop), axis, frame)
    return out


def _center(element: ast.Element, box: list[float], frame: Frame) -> dict[str, str]:
    """A circle's cx, cy and r (the largest that fits the box), or an ellipse's cx, cy, rx
    and ry, each in the unit it is written in."""
    x, y, w, h = _local(box, frame)
    wanted = {"cx": (x + w / 2, "w"), "cy": (y + h / 2, "h")}
    if element.kind == "circle":
        wanted["r"] = (min(w, h) / 2, axis_of("r"))
    else:
        wanted.update(rx=(w / 2, "w"), ry=(h / 2, "h"))
    props = {p.name: p for p in element.body.properties}
    return {name: length_text(px, _written_unit(props.get(name)), axis, frame)
            for name, (px, axis) in wanted.items() if name in props}


def _written_unit(prop: ast.Property | None) -> str:
    """The unit a length property is written in ("" when it is not written)."""
    if prop is None:
        return ""
    if not isinstance(prop.value, ast.Number):
        raise EditRefused(f"`{prop.name}` is computed: edit it in the text")
    return prop.value.unit


def _set_lengths(source: str, element: ast.Element, lengths: dict[str, str]) -> list[TextEdit]:
    """Rewrite the element's own length properties; those it does not write go first."""
    props = {p.name: p for p in element.body.properties}
    edits = [TextEdit(props[n].value.span.start, props[n].value.span.end, text)
             for n, text in lengths.items() if n in props]
    missing = [f"{n}: {text}" for n, text in lengths.items() if n not in props]
    if missing:
        first = element.body.properties[0]
        edits.append(TextEdit(first.span.start, first.span.start, "; ".join(missing) + "; "))
    return edits


