"""Canvas edits as source edits: what a drag, a resize, an inspector field or the palette
does to the template text.

The source stays the single truth: every edit is a replacement of one stretch of the text,
computed from the parsed template, so the page applies it to its text area as one typed
change (one step on the browser's undo stack, shared with keyboard edits). Lengths are
written back in the units they were written in: a `%` box stays `%`, relative to the frame
of the format being edited. A template that `ddm fmt` accepts is formatted again after the
edit, so a round trip of canvas edits leaves a template `ddm fmt --check` accepts.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ddm_lang.bind.placements import is_length_quad, literal_length
from ddm_lang.lru import ByteLRU
from ddm_lang.semantics.overrides import is_override, override_blocks
from ddm_lang.semantics.svg_vocab import axis_of
from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import DiagnosticError
from ddm_lang.syntax.formatter import format_source, number_text
from ddm_lang.syntax.parser import parse

from .editor_templates import EditorError

AXES = "whwh"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_FORMAT_COND = re.compile(r'^format\.name == "([^"\\]*)"$')


class EditRefused(EditorError):
    """An edit that cannot be written back (said to the author as it is)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 422)


@dataclass(frozen=True)
class TextEdit:
    """Replace `source[start:end]` (code points) with `text`."""

    start: int
    end: int
    text: str

    def apply(self, source: str) -> str:
        return source[:self.start] + self.text + source[self.end:]

    def as_json(self, source: str) -> dict[str, Any]:
        """With offsets in UTF-16 code units too: what a browser's text area counts."""
        return {"start": self.start, "end": self.end, "text": self.text,
                "start16": utf16_offset(source, self.start),
                "end16": utf16_offset(source, self.end)}


def utf16_offset(text: str, offset: int) -> int:
    head = text[:offset]
    return len(head) + sum(1 for c in head if ord(c) > 0xFFFF)


@dataclass(frozen=True)
class Frame:
    """The box a creative's lengths resolve in, canvas px (the canvas or an instance)."""

    x: float
    y: float
    width: float
    height: float

    def reference(self, axis: str) -> float:
        """What 100 % is along `axis`: w, h, d (the normalised diagonal, SVG's for radii)
        or min."""
        return {"w": self.width, "h": self.height,
                "d": math.sqrt((self.width ** 2 + self.height ** 2) / 2),
                "min": min(self.width, self.height)}[axis]


# ---- reading the source --------------------------------------------------------------------

def parsed(source: str) -> ast.Module:
    try:
        return parse(source, "<template>")
    except DiagnosticError as err:
        raise EditRefused(f"the template does not parse ({err.diagnostics[0].message}): fix "
                          "the text first") from None


def _elements(items: Any) -> Iterator[ast.Element]:
    for item in items:
        if isinstance(item, ast.Element):
            yield item
            yield from _elements(item.body.items)
        elif isinstance(item, ast.WhenStmt):
            for block, _ in override_blocks(item):
                yield from _elements(block.items)
        elif isinstance(item, ast.ForStmt | ast.ComponentDecl):
            yield from _elements(item.body.items)


def element_at(module: ast.Module, start: int) -> ast.Element:
    """The element whose source starts at `start` (a placement's span)."""
    for element in _elements(module.items):
        if element.span.start == start and element.span.file == "<template>":
            return element
    raise EditRefused("that element is no longer where it was in the text: the template "
                      "changed since the preview was drawn")


def _value_at(element: ast.Element, start: int) -> ast.Expr:
    """The position value starting at `start` in `element`: a `box` of its own or of one of
    its overrides, or the region of a `place … in slot(…)`."""
    props = list(element.body.properties)
    for item in element.body.items:
        if is_override(item):
            for block, _ in override_blocks(item):
                props += block.properties
    for prop in props:
        if prop.name == "box" and prop.value.span.start == start:
            return prop.value
    for op in element.pipeline:
        for clause in op.clauses:
            for value in clause.values:
                if isinstance(value, ast.Call) and value.func == "slot" and value.args \
                        and value.args[0].value.span.start == start:
                    return value.args[0].value
    raise EditRefused("the box that placed this element is no longer in the text")


# ---- lengths ---------------------------------------------------------------------------------

def _unit_px(unit: str, axis: str, frame: Frame) -> float:
    """Pixels in one `unit` along `axis` of `frame`."""
    if unit in ("", "px"):
        return 1.0
    if unit == "%":
        return frame.reference(axis) / 100
    size = {"vw": frame.width, "vh": frame.height, "vmin": min(frame.width, frame.height),
            "vmax": max(frame.width, frame.height)}.get(unit)
    if size is None:
        raise EditRefused(f"a length in `{unit}` cannot be set from the canvas")
    return size / 100


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


# ---- edits -----------------------------------------------------------------------------------

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
        edits.append(_remove_property(source, props["flow"]))
    current = _value_at(element, value_start) if value_start is not None else None
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
        edits.append(_set_in_override(source, element, only_format, "box", text))
    elif current is not None:
        edits.append(TextEdit(current.span.start, current.span.end, text))
    elif lengths is not None:
        edits += _set_lengths(source, element, lengths)
    elif element.kind == "text" and ("x" in props or "y" in props):
        raise EditRefused("a text placed at a point (`x`, `y`) is moved by its point: give it "
                          "a `box` to size it")
    else:
        edits.append(_set_property(source, element, "box", text))
    return _formatted(source, _apply(source, edits))


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
    edits = [TextEdit(start, clause.span.end, ""), _set_property(source, element, "box", written)]
    detached = _apply(source, edits)
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
        if is_override(item) and _format_of(item) == fmt:
            return any(p.value is value for p in item.body.properties)
    return False


def _format_of(when: ast.WhenStmt) -> str | None:
    """`F` for an override written `when format.name == "F" { … }` (and no else)."""
    cond = when.cond
    if when.orelse is None and isinstance(cond, ast.Binary) and cond.op == "==" \
            and isinstance(cond.left, ast.Member) and isinstance(cond.left.obj, ast.Name) \
            and cond.left.obj.id == "format" and cond.left.attr == "name" \
            and isinstance(cond.right, ast.String) and len(cond.right.parts) == 1 \
            and isinstance(cond.right.parts[0], str):
        return cond.right.parts[0]
    return None


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


def delete(source: str, element_start: int) -> str:
    """The source without the element at `element_start` (its lines, when it has them to
    itself)."""
    element = element_at(parsed(source), element_start)
    return _formatted(source, _remove_statement(source, element).apply(source))


def set_property(source: str, element_start: int, name: str, value: str, *,
                 only_format: str | None = None) -> str:
    """The source with property `name` of the element set to `value` (source text),
    in an override for one format when `only_format` is given; an empty value removes
    the property."""
    if not _NAME.match(name):
        raise EditRefused(f"`{name}` is not a property name")
    module = parsed(source)
    element = element_at(module, element_start)
    if value.strip():
        _check_value(name, value)
    if only_format and not value.strip():
        edit = _clear_in_override(source, element, only_format, name)
    elif only_format:
        edit = _set_in_override(source, element, only_format, name, value.strip())
    else:
        prop = next((p for p in element.body.properties if p.name == name), None)
        if not value.strip():
            if prop is None:
                return source
            edit = _remove_property(source, prop)
        elif prop is not None:
            edit = TextEdit(prop.value.span.start, prop.value.span.end, value.strip())
        else:
            edit = _set_property(source, element, name, value.strip())
    return _formatted(source, edit.apply(source))


def _check_value(name: str, value: str) -> None:
    """Refuse text that is not exactly one property value (it could close the block)."""
    probe = f'template probe "probe"\nformats f 10x10\nrect {{ {name}: {value} }}\n'
    try:
        module = parse(probe, "<value>")
    except DiagnosticError as err:
        raise EditRefused(f"`{value}` is not a value for `{name}`: "
                          f"{err.diagnostics[0].message}") from None
    element = module.items[-1]
    if len(module.items) != 3 or not isinstance(element, ast.Element) \
            or len(element.body.items) != 1:
        raise EditRefused(f"`{value}` is not one value for `{name}`")


def _set_in_override(source: str, element: ast.Element, fmt: str, name: str,
                     value: str) -> TextEdit:
    """Set `name` in the element's `when format.name == "fmt"` override, made if need be."""
    for item in element.body.items:
        if is_override(item) and _format_of(item) == fmt:
            prop = next((p for p in item.body.properties if p.name == name), None)
            if prop is not None:
                return TextEdit(prop.value.span.start, prop.value.span.end, value)
            last = item.body.properties[-1]
            return TextEdit(last.span.end, last.span.end, f"; {name}: {value}")
    quoted = fmt.replace("\\", "\\\\").replace('"', '\\"')
    return _insert_in_block(source, element,
                            f'when format.name == "{quoted}" {{ {name}: {value} }}')


def _clear_in_override(source: str, element: ast.Element, fmt: str, name: str) -> TextEdit:
    """Remove `name` from the element's override for `fmt` (the override too when it held
    nothing else), so the element's own value applies again."""
    for item in element.body.items:
        if is_override(item) and _format_of(item) == fmt:
            props = item.body.properties
            prop = next((p for p in props if p.name == name), None)
            if prop is None:
                break
            if len(props) == 1:
                return _remove_statement(source, item)
            return _remove_property(source, prop)
    return TextEdit(0, 0, "")


def _remove_statement(source: str, stmt: ast.Stmt) -> TextEdit:
    """Remove a statement, and its line when it stands alone on it."""
    start, end = stmt.span.start, stmt.span.end
    line_start = source.rfind("\n", 0, start) + 1
    line_end = source.find("\n", end)
    if not source[line_start:start].strip() and (line_end == -1 or not source[end:line_end].strip()):
        return TextEdit(line_start, line_end + 1 if line_end != -1 else len(source), "")
    return TextEdit(start, end, "")


def _set_property(source: str, element: ast.Element, name: str, value: str) -> TextEdit:
    """Add `name: value` after the element's last property."""
    props = element.body.properties
    if props:
        end, closed = _after(source, props[-1])
        line = f"{_indent(source, props[-1].span)}{name}: {value}"
        return TextEdit(end, end, f"\n{line};" if closed else f";\n{line}")
    return _insert_in_block(source, element, f"{name}: {value}", first=True)


def _after(source: str, item: ast.Property | ast.Stmt) -> tuple[int, bool]:
    """Where an item of a block ends, its `;` included, and whether it has one."""
    end = item.span.end
    rest = source[end:]
    stripped = rest.lstrip(" \t")
    if stripped.startswith(";"):
        return end + len(rest) - len(stripped) + 1, True
    return end, False


def _insert_in_block(source: str, element: ast.Element, line: str,
                     first: bool = False) -> TextEdit:
    """A line inside the element's block: first in it, or last; a block is opened for an
    element written without one."""
    indent = _indent(source, element.span)
    block = element.body.span
    if not source[block.start:block.end].startswith("{"):  # written without a block
        return TextEdit(element.span.end, element.span.end,
                        f" {{\n{indent}  {line}\n{indent}}}")
    if element.body.items:
        anchor = element.body.items[0] if first else element.body.items[-1]
        inner = _indent(source, anchor.span)
        if first:
            return TextEdit(anchor.span.start, anchor.span.start, f"{line};\n{inner}")
        end, closed = _after(source, anchor)
        separator = ";" if isinstance(anchor, ast.Property) and not closed else ""
        return TextEdit(end, end, f"{separator}\n{inner}{line}")
    return TextEdit(block.start, block.end, f"{{\n{indent}  {line}\n{indent}}}")  # `{ }`


def _remove_property(source: str, prop: ast.Property) -> TextEdit:
    """Remove a property with its `;` and, when it stands alone, its line."""
    start, (end, _) = prop.span.start, _after(source, prop)
    line_start = source.rfind("\n", 0, start) + 1
    line_end = source.find("\n", end)
    if not source[line_start:start].strip() and (line_end == -1 or not source[end:line_end].strip()):
        return TextEdit(line_start, line_end + 1 if line_end != -1 else len(source), "")
    return TextEdit(start, end, "")


def _indent(source: str, span: ast.Span) -> str:
    line_start = source.rfind("\n", 0, span.start) + 1
    line = source[line_start:span.start]
    return line[:len(line) - len(line.lstrip(" "))]


def _apply(source: str, edits: list[TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        source = edit.apply(source)
    return source


_FORMATTED: ByteLRU[str, bool] = ByteLRU(64)
"""Whether a text is formatted, by its digest: consecutive edits start from the text the
previous one formatted, so the check of `before` is usually known."""


def _formatted(before: str, after: str) -> str:
    """`after` formatted when `before` was (an author who formats keeps a formatted file;
    one who does not keeps their layout), else as it is."""
    key = hashlib.sha256(before.encode("utf-8")).hexdigest()
    try:
        was = _FORMATTED.get(key)
        if was is None:
            was = format_source(before) == before
            _FORMATTED.put(key, was, 1)
        if not was:
            return after
        result = format_source(after)
    except DiagnosticError:
        return after
    _FORMATTED.put(hashlib.sha256(result.encode("utf-8")).hexdigest(), True, 1)
    return result


def one_edit(before: str, after: str) -> TextEdit:
    """The single replacement that turns `before` into `after` (what differs between their
    common head and tail)."""
    head = 0
    limit = min(len(before), len(after))
    while head < limit and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < limit - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    return TextEdit(head, len(before) - tail, after[head:len(after) - tail])


# ---- the palette -----------------------------------------------------------------------------

PALETTE = {
    "caption": 'text {name} = caption(kind: headline) {{\n  box: 8% 8% 84% 18%;\n'
               '  font: "Inter" 800;\n  size: fit(14, 7%);\n  max-lines: 2;\n'
               '  fill: #111111;\n}}',
    "text": 'text {name} = product.title {{\n  box: 8% 80% 84% 10%;\n  font: "Inter" 600;\n'
            '  size: fit(12, 5%);\n  max-lines: 1;\n  fill: #111111;\n}}',
    "image": 'image {name} | place in slot(25% 25% 50% 50%) fit subject',
    "rect": 'rect {name} {{ box: 8% 8% 30% 12%; rx: 12; fill: #e4572e }}',
    "circle": 'circle {name} {{ box: top-right margin 4% size 16%; fill: #e4572e }}',
}
OBJECT = "object {name} = image from product.images\n  where {where}\n  prefer {prefer}"
DEFAULT_WHERE = "subject.found"
DEFAULT_PREFER = "quality desc, megapixels desc"


def insert(source: str, kind: str, *, where: str = DEFAULT_WHERE,
           prefer: str = DEFAULT_PREFER) -> tuple[str, str]:
    """The source with a new element of the palette's `kind` drawn last (an image with
    the object it shows, selected by `where` and `prefer`), and the element's name."""
    module = parsed(source)
    taken = {e.name for e in _elements(module.items) if e.name} | {
        i.name for i in module.items if isinstance(i, ast.ObjectDecl | ast.LetDecl)}
    components = {i.name: i for i in module.items if isinstance(i, ast.ComponentDecl)}
    base = {"caption": "headline", "image": "photo"}.get(kind, kind)
    name = next(f"{base}{n}" for n in range(2, 1000) if f"{base}{n}" not in taken)
    if base not in taken:
        name = base
    if kind in PALETTE:
        element = PALETTE[kind].format(name=name)
    elif kind in components:
        element = _instance(components[kind], name)
    else:
        raise EditRefused(f"nothing called `{kind}` to insert")
    text = source.rstrip("\n") + "\n\n" + element + "\n"
    if kind == "image":
        _check_value("where", where)
        decl = OBJECT.format(name=name, where=where, prefer=prefer)
        objects = [i for i in module.items if isinstance(i, ast.ObjectDecl | ast.FormatsDecl
                                                         | ast.TemplateDecl | ast.Import)]
        at = objects[-1].span.end if objects else 0
        text = text[:at] + "\n\n" + decl + text[at:]
    return _formatted(source, text), name


def _instance(component: ast.ComponentDecl, name: str) -> str:
    lines = [f"{component.name} {name} {{", "  box: 10% 10% 40% 40%;"]
    placeholder = {"color": "#111111", "number": "1", "length": "10%", "bool": "true"}
    for param in component.params:
        if param.default is None:
            value = placeholder.get(param.type or "", '"Text"')
            lines.append(f"  {param.name}: {value};")
    return "\n".join(lines).rstrip(";") + "\n}"


# ---- the inspector -----------------------------------------------------------------------------

COLOR_PROPERTIES = frozenset({"fill", "stroke", "stop-color", "flood-color", "color"})


def property_kind(name: str) -> str:
    """What form field edits a property."""
    if name in COLOR_PROPERTIES:
        return "color"
    return {"font": "font", "size": "size", "box": "box", "flow": "flow"}.get(name, "text")


def inspect(source: str, element_start: int) -> dict[str, Any]:
    """The element at `element_start` as the inspector shows it: its properties, its
    overrides, its pipeline of operations and the conditions it is drawn under."""
    module = parsed(source)
    element = element_at(module, element_start)

    def text(node: Any) -> str:
        return source[node.span.start:node.span.end]

    def props(block: ast.Block) -> list[dict[str, Any]]:
        return [{"name": p.name, "value": text(p.value), "kind": property_kind(p.name),
                 "line": p.span.line} for p in block.properties]

    overrides = []
    for item in element.body.items:
        if is_override(item):
            earlier: list[str] = []  # conditions of the branches before: none of them held
            for block, when in override_blocks(item):
                own = when.body is block
                condition = " and ".join([*(f"not ({c})" for c in earlier),
                                          *([text(when.cond)] if own else [])])
                if own:
                    earlier.append(text(when.cond))
                overrides.append({"format": _format_of(when) if own else None,
                                  "condition": condition, "line": block.span.line,
                                  "properties": props(block)})
    pipeline = [{"name": op.name, "text": text(op), "line": op.span.line,
                 "args": [{"name": a.name, "value": text(a.value)} for a in op.args if a.name]}
                for op in element.pipeline]
    return {"kind": element.kind, "name": element.name, "line": element.span.line,
            "value": text(element.value) if element.value is not None else None,
            "properties": props(element.body), "overrides": overrides, "pipeline": pipeline,
            "conditions": _conditions(module.items, element, source) or []}


def _conditions(items: Any, target: ast.Element, source: str,
                outer: tuple[str, ...] = ()) -> list[str] | None:
    """The `when` conditions around `target`, outermost first (`not (…)` for an `else`)."""
    for item in items:
        if item is target:
            return list(outer)
        if isinstance(item, ast.Element):
            found = _conditions(item.body.items, target, source, outer)
        elif isinstance(item, ast.WhenStmt):
            found, negated = None, outer
            node: Any = item
            while isinstance(node, ast.WhenStmt) and found is None:
                cond = source[node.cond.span.start:node.cond.span.end]
                found = _conditions(node.body.items, target, source, (*negated, cond))
                negated = (*negated, f"not ({cond})")
                node = node.orelse
            if found is None and isinstance(node, ast.Block):
                found = _conditions(node.items, target, source, negated)
        elif isinstance(item, ast.ForStmt | ast.ComponentDecl):
            found = _conditions(item.body.items, target, source, outer)
        else:
            continue
        if found is not None:
            return found
    return None


def set_argument(source: str, element_start: int, op_index: int, name: str,
                 value: str) -> str:
    """The source with argument `name` of the element's `op_index`-th operation set."""
    module = parsed(source)
    element = element_at(module, element_start)
    if not 0 <= op_index < len(element.pipeline):
        raise EditRefused("that operation is no longer in the element's pipeline")
    op = element.pipeline[op_index]
    arg = next((a for a in op.args if a.name == name), None)
    if arg is None:
        raise EditRefused(f"`{op.name}` has no argument `{name}` written")
    _check_value(name, value)
    edit = TextEdit(arg.value.span.start, arg.value.span.end, value.strip())
    return _formatted(source, edit.apply(source))
