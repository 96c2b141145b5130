"""Template edits as source edits: what an inspector field, the palette or a canvas
drag does to the template text, and the reading of that text they share.

The source stays the single truth: every edit is a replacement of one stretch of the text,
computed from the parsed template, so the page applies it to its text area as one typed
change (one step on the browser's undo stack, shared with keyboard edits). A template that
`ddm fmt` accepts is formatted again after the edit, so a round trip of edits leaves a
template `ddm fmt --check` accepts. Geometry (boxes written back in their units) is
`editor_geometry`; the palette `editor_palette`; the inspector `editor_inspect`.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ddm_lang.lru import ByteLRU
from ddm_lang.semantics.overrides import is_override, override_blocks
from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import DiagnosticError
from ddm_lang.syntax.formatter import format_source
from ddm_lang.syntax.parser import parse

from .editor_templates import EditorError

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


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
        units = utf16_offsets(source)
        return {"start": self.start, "end": self.end, "text": self.text,
                "start16": units(self.start), "end16": units(self.end)}


def utf16_offset(text: str, offset: int) -> int:
    """`offset` (code points) in UTF-16 code units: what a browser's text area counts."""
    return utf16_offsets(text)(offset)


def utf16_offsets(text: str) -> Callable[[int], int]:
    """Code-point offsets of `text` → UTF-16 ones, its characters above U+FFFF found once
    (they count two units each)."""
    astral = [m.start() for m in _ASTRAL.finditer(text)]
    return lambda offset: offset + bisect.bisect_left(astral, offset)


# ---- reading the source --------------------------------------------------------------------

def parsed(source: str) -> ast.Module:
    try:
        return parse(source, "<template>")
    except DiagnosticError as err:
        raise EditRefused(f"the template does not parse ({err.diagnostics[0].message}): fix "
                          "the text first") from None


def elements(items: Any) -> Iterator[ast.Element]:
    for item in items:
        if isinstance(item, ast.Element):
            yield item
            yield from elements(item.body.items)
        elif isinstance(item, ast.WhenStmt):
            for block, _ in override_blocks(item):
                yield from elements(block.items)
        elif isinstance(item, ast.ForStmt | ast.ComponentDecl):
            yield from elements(item.body.items)


def element_at(module: ast.Module, start: int) -> ast.Element:
    """The element whose source starts at `start` (a placement's span)."""
    for element in elements(module.items):
        if element.span.start == start and element.span.file == "<template>":
            return element
    raise EditRefused("that element is no longer where it was in the text: the template "
                      "changed since the preview was drawn")


def value_at(element: ast.Element, start: int) -> ast.Expr:
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


# ---- edits ------------------------------------------------------------------------------------

def format_of(when: ast.WhenStmt) -> str | None:
    """`F` for an override written `when format.name == "F" { … }` (and no else)."""
    cond = when.cond
    if when.orelse is None and isinstance(cond, ast.Binary) and cond.op == "==" \
            and isinstance(cond.left, ast.Member) and isinstance(cond.left.obj, ast.Name) \
            and cond.left.obj.id == "format" and cond.left.attr == "name" \
            and isinstance(cond.right, ast.String) and len(cond.right.parts) == 1 \
            and isinstance(cond.right.parts[0], str):
        return cond.right.parts[0]
    return None


def delete(source: str, element_start: int) -> str:
    """The source without the element at `element_start` (its lines, when it has them to
    itself)."""
    element = element_at(parsed(source), element_start)
    return formatted(source, remove_statement(source, element).apply(source))


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
        check_value(name, value)
    if only_format and not value.strip():
        edit = _clear_in_override(source, element, only_format, name)
    elif only_format:
        edit = set_in_override(source, element, only_format, name, value.strip())
    else:
        prop = next((p for p in element.body.properties if p.name == name), None)
        if not value.strip():
            if prop is None:
                return source
            edit = remove_property(source, prop)
        elif prop is not None:
            edit = TextEdit(prop.value.span.start, prop.value.span.end, value.strip())
        else:
            edit = set_property_line(source, element, name, value.strip())
    return formatted(source, edit.apply(source))


def check_value(name: str, value: str) -> None:
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


def set_in_override(source: str, element: ast.Element, fmt: str, name: str,
                     value: str) -> TextEdit:
    """Set `name` in the element's `when format.name == "fmt"` override, made if need be."""
    for item in element.body.items:
        if is_override(item) and format_of(item) == fmt:
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
        if is_override(item) and format_of(item) == fmt:
            props = item.body.properties
            prop = next((p for p in props if p.name == name), None)
            if prop is None:
                break
            if len(props) == 1:
                return remove_statement(source, item)
            return remove_property(source, prop)
    return TextEdit(0, 0, "")


def remove_statement(source: str, stmt: ast.Stmt) -> TextEdit:
    """Remove a statement, and its line when it stands alone on it."""
    return _removal(source, stmt.span.start, stmt.span.end)


def _removal(source: str, start: int, end: int) -> TextEdit:
    """Remove `source[start:end]`, and the whole line when nothing else stands on it."""
    line_start = source.rfind("\n", 0, start) + 1
    line_end = source.find("\n", end)
    if not source[line_start:start].strip() and (line_end == -1 or not source[end:line_end].strip()):
        return TextEdit(line_start, line_end + 1 if line_end != -1 else len(source), "")
    return TextEdit(start, end, "")


def set_property_line(source: str, element: ast.Element, name: str, value: str) -> TextEdit:
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


def remove_property(source: str, prop: ast.Property) -> TextEdit:
    """Remove a property with its `;` and, when it stands alone, its line."""
    return _removal(source, prop.span.start, _after(source, prop)[0])


def _indent(source: str, span: ast.Span) -> str:
    line_start = source.rfind("\n", 0, span.start) + 1
    line = source[line_start:span.start]
    return line[:len(line) - len(line.lstrip(" "))]


def apply_edits(source: str, edits: list[TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        source = edit.apply(source)
    return source


_FORMATTED: ByteLRU[str, bool] = ByteLRU(64)
"""Whether a text is formatted, by its digest: consecutive edits start from the text the
previous one formatted, so the check of `before` is usually known."""


def formatted(before: str, after: str) -> str:
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
    check_value(name, value)
    edit = TextEdit(arg.value.span.start, arg.value.span.end, value.strip())
    return formatted(source, edit.apply(source))
