"""Immutable AST for DDM source.

Every node carries a `span` so that any later stage (checker, binder, operations) can point
a diagnostic at the exact source text. Spans are excluded from equality: two trees are
equal when they say the same thing, which is what the formatter round-trip relies on.
"""

from __future__ import annotations

from dataclasses import field

from .node import Node, node


@node
class Span(Node):
    """A region of one source file; lines and columns are 1-based, offsets 0-based."""

    file: str = "<template>"
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1
    start: int = 0
    end: int = 0

    def cover(self, other: Span) -> Span:
        """The smallest span that contains both spans (same file assumed)."""
        first, last = (self, other) if self.start <= other.start else (other, self)
        end = last if last.end >= first.end else first
        return Span(self.file, first.line, first.column, end.end_line, end.end_column,
                    first.start, end.end)


NO_SPAN = Span()


# ---- expressions ------------------------------------------------------------------

@node
class Number(Node):
    """A number with an optional unit ('' for none): px, %, vw, vh, vmin, vmax, deg..."""

    value: float
    unit: str = ""
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Color(Node):
    """A hex colour as written, lower-cased (#rgb, #rgba, #rrggbb, #rrggbbaa)."""

    value: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class String(Node):
    """A string literal; `parts` alternate literal text and interpolated expressions."""

    parts: tuple[str | Expr, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Bool(Node):
    value: bool
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class NoneLit(Node):
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Name(Node):
    id: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Member(Node):
    obj: Expr
    attr: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Index(Node):
    obj: Expr
    index: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Slice(Node):
    obj: Expr
    start: Expr | None
    stop: Expr | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Arg(Node):
    """A call argument: positional when `name` is None."""

    name: str | None
    value: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Call(Node):
    func: str
    args: tuple[Arg, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class ListLit(Node):
    items: tuple[Expr, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Unary(Node):
    """`-x` or `not x`."""

    op: str
    operand: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Binary(Node):
    """Arithmetic, comparison, membership (`in`) and boolean (`and`, `or`) operators."""

    op: str
    left: Expr
    right: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class ValueList(Node):
    """Space-separated values, as in CSS: `box: 6% 18% 40% 30%`; only in properties and args."""

    items: tuple[Expr, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Conditional(Node):
    """`then if cond else orelse`: only the side `cond` chooses is evaluated."""

    cond: Expr
    then: Expr
    orelse: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


Expr = (Number | Color | String | Bool | NoneLit | Name | Member | Index | Slice | Call | ListLit
        | Unary | Binary | Conditional | ValueList)


def dotted_name(node: Expr) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None when the chain holds anything but names."""
    if isinstance(node, Name):
        return [node.id]
    if isinstance(node, Member):
        base = dotted_name(node.obj)
        return None if base is None else [*base, node.attr]
    return None


# ---- statements -------------------------------------------------------------------

@node
class TemplateDecl(Node):
    name: str
    title: str | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class FormatSpec(Node):
    name: str
    width: int
    height: int
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class FormatsDecl(Node):
    formats: tuple[FormatSpec, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Import(Node):
    """`import "file.ddm"` (names is None: everything) or `import a, b from "file.ddm"`."""

    path: str
    names: tuple[str, ...] | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class PreferKey(Node):
    expr: Expr
    descending: bool | None  # None: not written (ascending)
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class ObjectDecl(Node):
    """An abstract object: material chosen per product by perceived attributes."""

    name: str
    optional: bool
    count: int | None
    kind: str
    source: Expr
    where: Expr | None
    prefer: tuple[PreferKey, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class LetDecl(Node):
    name: str
    value: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Param(Node):
    name: str
    type: str | None
    default: Expr | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Property(Node):
    name: str
    value: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Block(Node):
    """Properties and child statements, in source order."""

    items: tuple[Property | Stmt, ...] = ()
    span: Span = field(default=NO_SPAN, compare=False, repr=False)

    @property
    def properties(self) -> tuple[Property, ...]:
        return tuple(i for i in self.items if isinstance(i, Property))

    @property
    def children(self) -> tuple[Stmt, ...]:
        return tuple(i for i in self.items if not isinstance(i, Property))


@node
class ComponentDecl(Node):
    name: str
    params: tuple[Param, ...]
    body: Block
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Clause(Node):
    """An operation clause: `to slot(right 55%)`, `fit contain`, `avoid a, b`."""

    keyword: str
    values: tuple[Expr, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Operation(Node):
    """One stage of an element's pipeline of abstract operations."""

    name: str
    args: tuple[Arg, ...]
    clauses: tuple[Clause, ...]
    when: Expr | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Element(Node):
    """A concrete SVG element or a component instance.

    For `image`, `name` also names the abstract object it shows unless `value` gives one.
    An element written without a block has an empty one: the two mean the same.
    """

    kind: str
    name: str | None
    optional: bool
    value: Expr | None
    when: Expr | None
    pipeline: tuple[Operation, ...]
    body: Block
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class ForStmt(Node):
    var: str
    index_var: str | None
    iterable: Expr
    body: Block
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class WhenStmt(Node):
    cond: Expr
    body: Block
    orelse: Block | WhenStmt | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class RawSvg(Node):
    """Literal SVG markup, sanitised by the checker before it reaches any output."""

    markup: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


Stmt = Element | LetDecl | ForStmt | WhenStmt | RawSvg
TopLevel = TemplateDecl | FormatsDecl | Import | ObjectDecl | ComponentDecl | Stmt


@node
class Comment(Node):
    """A source comment, kept aside from the tree so the formatter can put it back."""

    text: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@node
class Module(Node):
    """One parsed .ddm file."""

    items: tuple[TopLevel, ...]
    path: str = field(default="<template>", compare=False)
    source: str = field(default="", compare=False, repr=False)
    comments: tuple[Comment, ...] = field(default=(), compare=False, repr=False)
