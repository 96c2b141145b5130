"""DDM source text → AST (`Module`), or every syntax error as diagnostics.

The Lark LALR parser is built once per process. Strings with `{interpolation}` are split
here and their expressions parsed with the same grammar, with spans mapped back into the
file, so errors inside an interpolation point at the right column.
"""

from __future__ import annotations

import hashlib
import re
import threading
from functools import cache
from importlib import resources
from typing import Any, cast

from lark import Lark, Token, Transformer_NonRecursive, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from ddm_lang.files import cache_dir
from ddm_lang.lru import ByteLRU

from . import ast
from .bounds import (
    MAX_NESTING,
    long_string,
    position,
    source_too_large,
    string_too_long,
    too_deep,
    too_many_tokens,
)
from .diagnostics import Diagnostic, DiagnosticError

_NUMBER = re.compile(r"(\d+(?:\.\d+)?|\.\d+)([A-Za-z]+|%)?\Z")
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})\Z")
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "{": "{", "}": "}"}

_WORD_BEFORE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)\s*\Z")
# `url(#m)` left unquoted: `#m` is not refused as a colour here, the checker says to quote
# the SVG text (an unquoted `url(...)` is a call to a function DDM does not have).
_IN_URL = re.compile(r"(?<![A-Za-z0-9_-])url\(\s*\Z")

_local = threading.local()


def _collect_comment(token: Token) -> Token:
    sink = getattr(_local, "comments", None)
    if sink is not None:
        sink.append(token)
    return token


@cache
def _lark() -> Lark:
    grammar = resources.files("ddm_lang.grammar").joinpath("ddm.lark").read_text("utf-8")
    callbacks = {"LINE_COMMENT": _collect_comment, "BLOCK_COMMENT": _collect_comment}
    return Lark(grammar, parser="lalr", start=["start", "expr"], propagate_positions=True,
                maybe_placeholders=True, lexer_callbacks=callbacks, cache=_tables_cache())


def _tables_cache() -> str | bool:
    """Where Lark keeps the grammar's LALR tables between runs (building them is 0.12 s of
    every `ddm fmt`; loading them 0.01 s). Lark checks the grammar's hash on load and
    rebuilds on any mismatch or unreadable file. The file is a pickle, so it lives in the
    user's own cache, never a shared temporary folder; False (no cache) where that folder
    cannot be made."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return str(folder / "grammar-tables.lark")


# Human names for terminals in "expected ..." messages.
_TERMINAL_NAMES = {
    "NAME": "a name", "FUNC": "a function call", "NUMBER": "a number", "SIZE": "a size like 1080x1080",
    "COLOR": "a colour", "STRING": "a string", "LONG_STRING": 'a """string"""',
    "LBRACE": "`{`", "RBRACE": "`}`", "LPAR": "`(`", "RPAR": "`)`", "LSQB": "`[`", "RSQB": "`]`",
    "SEMICOLON": "`;`", "COLON": "`:`", "COMMA": "`,`", "EQUAL": "`=`", "VBAR": "`|`", "DOT": "`.`",
    "OPTIONAL": "`?`", "COMP_OP": "a comparison", "PLUS": "`+`", "MINUS": "`-`", "STAR": "`*`",
    "SLASH": "`/`", "$END": "end of file",
}


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    for term in _lark().terminals:
        if term.name == name and term.pattern.type == "str":
            return f"`{term.pattern.value}`"
    return name.lower()


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "end of file"
    return f"`{token.value}`"


def _span_of(file: str, line: int, column: int, end_line: int, end_column: int,
             start: int, end: int) -> ast.Span:
    return ast.Span(file, line, column, end_line, end_column, start, end)


class _Offset:
    """Where an interpolated expression's text starts inside the file."""

    def __init__(self, line: int = 0, column: int = 0, pos: int = 0):
        self.line, self.column, self.pos = line, column, pos


class _Builder(Transformer_NonRecursive):
    """Lark tree → AST nodes, collecting diagnostics instead of stopping at the first.
    Non-recursive, so a tree's depth is bounded by `bounds.MAX_NESTING`, not the stack."""

    def __init__(self, file: str, source: str, offset: _Offset | None = None):
        super().__init__(visit_tokens=False)
        self.file = file
        self.source = source
        self.offset = offset or _Offset()
        self.diagnostics: list[Diagnostic] = []

    # -- spans ---------------------------------------------------------------------
    def _meta_span(self, meta: Any) -> ast.Span:
        if getattr(meta, "empty", True):
            return ast.Span(self.file)
        return self._shift(meta.line, meta.column, meta.end_line, meta.end_column,
                           meta.start_pos, meta.end_pos)

    def _tok_span(self, tok: Token) -> ast.Span:
        # the lexer places every token it makes (Token's fields are Optional for hand-made ones)
        assert tok.line is not None and tok.column is not None and tok.end_line is not None \
            and tok.end_column is not None and tok.start_pos is not None and tok.end_pos is not None
        return self._shift(tok.line, tok.column, tok.end_line, tok.end_column,
                           tok.start_pos, tok.end_pos)

    def _shift(self, line: int, col: int, end_line: int, end_col: int, start: int,
               end: int) -> ast.Span:
        o = self.offset
        c = col + (o.column if line == 1 else 0)
        ec = end_col + (o.column if end_line == 1 else 0)
        return _span_of(self.file, line + o.line, c, end_line + o.line, ec, start + o.pos,
                        end + o.pos)

    def _error(self, code: str, message: str, span: ast.Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, hint))

    # -- top level -----------------------------------------------------------------
    @v_args(meta=True)
    def start(self, meta: Any, items: list) -> tuple:
        return tuple(items)

    @v_args(meta=True, inline=True)
    def template_decl(self, meta, name, title):
        title_text = None
        if title is not None:
            node = self._string(title)
            title_text = "".join(p for p in node.parts if isinstance(p, str))
            if any(not isinstance(p, str) for p in node.parts):
                self._error("syntax.title", "a template title cannot interpolate values",
                            self._tok_span(title))
        return ast.TemplateDecl(str(name), title_text, self._meta_span(meta))

    @v_args(meta=True)
    def formats_decl(self, meta, specs):
        return ast.FormatsDecl(tuple(specs), self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def format_spec(self, meta, name, size):
        w, h = (int(v) for v in str(size).split("x"))
        if w <= 0 or h <= 0 or w > 16384 or h > 16384:
            self._error("syntax.format-size", f"format size {size} is outside 1..16384 px",
                        self._tok_span(size))
        return ast.FormatSpec(str(name), w, h, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def import_all(self, meta, path):
        return ast.Import(self._plain_string(path), None, self._meta_span(meta))

    @v_args(meta=True)
    def import_names(self, meta, items):
        *names, path = items
        return ast.Import(self._plain_string(path), tuple(str(n) for n in names),
                          self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def object_decl(self, meta, name, optional, count, kind, source, where, prefer):
        return ast.ObjectDecl(str(name), optional is not None, count, str(kind), source, where,
                              tuple(prefer or ()), self._meta_span(meta))

    @v_args(inline=True)
    def object_count(self, tok):
        num = self._number_token(tok)
        if num.unit or num.value != int(num.value) or not 1 <= num.value <= 64:
            self._error("syntax.count", "an object count is a whole number from 1 to 64",
                        self._tok_span(tok))
            return 1
        return int(num.value)

    @v_args(inline=True)
    def where_clause(self, expr):
        return expr

    def prefer_clause(self, keys):
        return tuple(keys)

    @v_args(meta=True, inline=True)
    def prefer_key(self, meta, expr, order):
        desc = None if order is None else str(order) == "desc"
        return ast.PreferKey(expr, desc, self._meta_span(meta))

    @v_args(meta=True)
    def component_decl(self, meta, items):
        func, *params, body = items
        params = [p for p in params if p is not None]
        return ast.ComponentDecl(str(func)[:-1], tuple(params), body, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def param(self, meta, name, type_, default):
        return ast.Param(str(name), None if type_ is None else str(type_), default,
                         self._meta_span(meta))

    # -- statements ----------------------------------------------------------------
    @v_args(meta=True, inline=True)
    def let_decl(self, meta, name, value):
        return ast.LetDecl(str(name), value, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def for_stmt(self, meta, var, index_var, iterable, body):
        return ast.ForStmt(str(var), None if index_var is None else str(index_var), iterable,
                           body, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def when_stmt(self, meta, cond, body, orelse):
        return ast.WhenStmt(cond, body, orelse, self._meta_span(meta))

    @v_args(inline=True)
    def else_clause(self, branch):
        return branch

    @v_args(meta=True, inline=True)
    def raw_stmt(self, meta, tok):
        text = str(tok)
        markup = text[3:-3] if text.startswith('"""') else self._unescape(text[1:-1], tok)
        return ast.RawSvg(markup, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def element(self, meta, kind, name, value, when, pipeline, body):
        elem_name, optional = name if name is not None else (None, False)
        span = self._meta_span(meta)
        return ast.Element(str(kind), elem_name, optional, value, when, pipeline,
                           body if body is not None else ast.Block((), span), span)

    @v_args(inline=True)
    def elem_name(self, name, optional):
        return str(name), optional is not None

    @v_args(inline=True)
    def elem_value(self, expr):
        return expr

    @v_args(inline=True)
    def elem_when(self, expr):
        return expr

    def pipeline(self, ops):
        return tuple(ops)

    @v_args(meta=True)
    def operation(self, meta: Any, items: list) -> ast.Operation:
        head, *rest = items
        name = str(head)
        args: tuple = ()
        if head.type == "FUNC":
            name = name[:-1]
            first = rest.pop(0) if rest else None
            args = first if isinstance(first, tuple) else ()
        when = rest.pop() if rest and not isinstance(rest[-1], ast.Clause) else None
        clauses = tuple(c for c in rest if isinstance(c, ast.Clause))
        return ast.Operation(name, args, clauses, when, self._meta_span(meta))

    @v_args(meta=True)
    def clause(self, meta, items):
        kw, *values = items
        return ast.Clause(kw, tuple(values), self._meta_span(meta))

    def clause_kw(self, items):
        return str(items[0])

    @v_args(inline=True)
    def op_when(self, expr):
        return expr

    @v_args(meta=True)
    def block(self, meta, items):
        return ast.Block(tuple(i for i in items if i is not None), self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def property(self, meta, name, value):
        return ast.Property(str(name), value, self._meta_span(meta))

    @v_args(meta=True)
    def value_list(self, meta, items):
        return ast.ValueList(tuple(items), self._meta_span(meta))

    # -- expressions ---------------------------------------------------------------
    @v_args(meta=True, inline=True)
    def conditional(self, meta, then, cond, orelse):
        return ast.Conditional(cond, then, orelse, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def or_op(self, meta, left, right):
        return ast.Binary("or", left, right, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def and_op(self, meta, left, right):
        return ast.Binary("and", left, right, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def not_op(self, meta, operand):
        return ast.Unary("not", operand, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def compare(self, meta, left, op, right):
        return ast.Binary(str(op), left, right, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def contains(self, meta, left, right):
        return ast.Binary("in", left, right, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def binary(self, meta, left, op, right):
        return ast.Binary(str(op), left, right, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def neg(self, meta, _minus, operand):
        return ast.Unary("-", operand, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def member(self, meta, obj, attr):
        return ast.Member(obj, str(attr), self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def index(self, meta, obj, idx):
        return ast.Index(obj, idx, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def slice(self, meta, obj, start, stop):
        return ast.Slice(obj, start, stop, self._meta_span(meta))

    @v_args(inline=True)
    def number(self, tok):
        return self._number_token(tok)

    @v_args(inline=True)
    def color(self, tok):
        text = str(tok)
        at = tok.start_pos + self.offset.pos  # in the file, also inside an interpolation
        if not _HEX.match(text) and not _IN_URL.search(self.source, max(0, at - 64), at):
            self._error("syntax.color", f"`{text}` is not a colour",
                        self._tok_span(tok), "write #rgb, #rgba, #rrggbb or #rrggbbaa in hex digits")
        return ast.Color(text.lower(), self._tok_span(tok))

    @v_args(inline=True)
    def string(self, tok):
        return self._string(tok)

    @v_args(inline=True)
    def name(self, tok):
        return ast.Name(str(tok), self._tok_span(tok))

    @v_args(meta=True)
    def true(self, meta, _):
        return ast.Bool(True, self._meta_span(meta))

    @v_args(meta=True)
    def false(self, meta, _):
        return ast.Bool(False, self._meta_span(meta))

    @v_args(meta=True)
    def none(self, meta, _):
        return ast.NoneLit(self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def call(self, meta, func, args):
        return ast.Call(str(func)[:-1], args or (), self._meta_span(meta))

    @v_args(meta=True)
    def list(self, meta, items):
        return ast.ListLit(tuple(i for i in items if i is not None), self._meta_span(meta))

    def args(self, items):
        return tuple(items)

    @v_args(meta=True, inline=True)
    def named_arg(self, meta, name, value):
        return ast.Arg(str(name), value, self._meta_span(meta))

    @v_args(meta=True, inline=True)
    def positional_arg(self, meta, value):
        return ast.Arg(None, value, self._meta_span(meta))

    # -- literals ------------------------------------------------------------------
    def _number_token(self, tok: Token) -> ast.Number:
        m = _NUMBER.match(str(tok))
        assert m is not None  # the grammar's NUMBER terminal guarantees the shape
        return ast.Number(float(m.group(1)), m.group(2) or "", self._tok_span(tok))

    def _plain_string(self, tok: Token) -> str:
        node = self._string(tok)
        if any(not isinstance(p, str) for p in node.parts):
            self._error("syntax.import", "an import path cannot interpolate values",
                        self._tok_span(tok))
        return "".join(p for p in node.parts if isinstance(p, str))

    def _unescape(self, body: str, tok: Token) -> str:
        out, i = [], 0
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                if nxt not in _ESCAPES:
                    self._error("syntax.escape", f"unknown escape `\\{nxt}`",
                                self._inner_span(tok, i + 1, 2), r"known escapes: \n \t \\ \" \' \{ \}")
                out.append(_ESCAPES.get(nxt, nxt))
                i += 2
            else:
                out.append(ch)
                i += 1
        return "".join(out)

    def _inner_span(self, tok: Token, offset: int, length: int) -> ast.Span:
        base = self._tok_span(tok)
        return ast.Span(self.file, base.line, base.column + offset, base.line,
                        base.column + offset + length, base.start + offset,
                        base.start + offset + length)

    def _string(self, tok: Token) -> ast.String:
        """Split a string token into text and `{expr}` parts."""
        raw = str(tok)
        too_long = string_too_long(len(raw) - 2, self._tok_span(tok))
        if too_long is not None:  # refused before its escapes and interpolations are read
            self.diagnostics.append(too_long)
            return ast.String(("",), self._tok_span(tok))
        quote, body = raw[0], raw[1:-1]
        parts: list[str | ast.Expr] = []
        text: list[str] = []
        i = 0
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                if nxt not in _ESCAPES:
                    self._error("syntax.escape", f"unknown escape `\\{nxt}`",
                                self._inner_span(tok, i + 1, 2),
                                r"known escapes: \n \t \\ \" \' \{ \}")
                text.append(_ESCAPES.get(nxt, nxt))
                i += 2
                continue
            if ch == "}":
                self._error("syntax.interpolation", "`}` without an opening `{` in a string",
                            self._inner_span(tok, i + 1, 1), r"write `\}` for a literal brace")
                i += 1
                continue
            if ch != "{":
                text.append(ch)
                i += 1
                continue
            end = _interpolation_end(body, i + 1, quote)
            if end is None:
                self._error("syntax.interpolation", "`{` in a string is never closed",
                            self._inner_span(tok, i + 1, 1), r"write `\{` for a literal brace")
                text.append(body[i:])
                break
            inner = body[i + 1:end]
            if text:
                parts.append("".join(text))
                text = []
            parts.append(self._interpolation(inner, tok, i + 2))
            i = end + 1
        if text:
            parts.append("".join(text))
        return ast.String(tuple(parts), self._tok_span(tok))

    def _interpolation(self, inner: str, tok: Token, offset: int) -> ast.Expr:
        base = self._tok_span(tok)
        if not inner.strip():
            self._error("syntax.interpolation", "empty `{}` in a string",
                        self._inner_span(tok, offset - 1, 2), r"write `\{\}` for literal braces")
            return ast.String(("",), base)
        sub_offset = _Offset(base.line - 1, base.column - 1 + offset, base.start + offset)
        expr, diags = _parse_expr(inner, self.file, self.source, sub_offset)
        self.diagnostics.extend(diags)
        return expr if expr is not None else ast.String(("",), base)


def _interpolation_end(body: str, i: int, outer_quote: str) -> int | None:
    """Index of the `}` closing an interpolation that starts at `i`, skipping inner strings."""
    quote = None
    while i < len(body):
        ch = body[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'" and ch != outer_quote:
            quote = ch
        elif ch == "}":
            return i
        elif ch == "{":
            return None
        i += 1
    return None


_LINE_START_WHEN = re.compile(r"^[ \t]*when\b", re.M)
_LINE_COMMENT = re.compile(r"//[^\n]*")


def when_read_as_guard(source: str, before: int) -> int | None:
    """The line of a `when` written on a line of its own, as a statement, that the parser
    read as the guard of the element or operation before it (a line break ends nothing in
    DDM), the last such `when` before offset `before` with nothing but its condition
    between; None when there is none. `image hero | shadow` then `when wide { ... }` on
    the next line is one element whose last operation is guarded, and the block its own."""
    found = None
    for m in _LINE_START_WHEN.finditer(source, 0, before):
        found = m
    if found is None or any(c in source[found.end():before] for c in "{};"):
        return None
    head = _LINE_COMMENT.sub("", source[:found.start()]).rstrip()
    if not head or head[-1] in "{};":
        return None  # the `when` starts a statement, as written
    return source.count("\n", 0, found.start()) + 1


def _guard_before_block(source: str, at: int) -> int | None:
    """`when_read_as_guard` for the block that closes just before offset `at`."""
    close = len(source[:at].rstrip()) - 1
    if close < 0 or source[close] != "}":
        return None
    depth = 0
    for i in range(close, -1, -1):
        depth += {"}": 1, "{": -1}.get(source[i], 0)
        if depth == 0:
            return when_read_as_guard(source, i)
    return None


def _syntax_diagnostic(err: UnexpectedInput, file: str, source: str,
                       offset: _Offset | None = None) -> Diagnostic:
    """Translate a Lark error into the project's diagnostic form, with a useful hint."""

    def span_at(line: int, col: int, pos: int, length: int) -> ast.Span:
        return _span_at(file, offset, line, col, pos, length)

    if isinstance(err, UnexpectedCharacters):
        at = cast(int, err.pos_in_stream)  # lark declares it None; this error sets the lexer's
        ch = source[at] if at < len(source) else ""
        span = span_at(err.line, err.column, at, 1)
        if ch in "\"'":
            return Diagnostic("syntax.string", "unterminated string", span,
                              "close the string on the same line; use \\n for a line break")
        if ch == "#":
            return Diagnostic("syntax.character", "unexpected `#`", span,
                              "colours are #rgb or #rrggbb; comments start with //")
        return Diagnostic("syntax.character", f"unexpected character `{ch}`", span, None)
    assert isinstance(err, UnexpectedToken)
    tok = err.token
    expected = sorted(err.expected)
    if "ELSE" in expected and "NAME" not in expected:
        # after `a if CONDITION` only `else` (or more of the condition) can follow
        at = len(source) if tok.type == "$END" else tok.start_pos
        line, col = position(source, at)
        return Diagnostic("syntax.conditional",
                          f"`if` without `else`: unexpected {_describe_token(tok)}",
                          span_at(line, col, at, len(str(tok.value)) if tok.type != "$END" else 1),
                          "a conditional chooses between two values: write `A if CONDITION else B`")
    if tok.type == "$END":
        end_line = source.count("\n") + 1
        end_col = len(source) - (source.rfind("\n") + 1) + 1
        span = span_at(end_line, end_col, len(source), 1)
        if "RBRACE" in expected:
            return Diagnostic("syntax.eof", "unexpected end of file: a `{` block is not closed",
                              span, "add the missing `}`")
        return Diagnostic("syntax.eof", "unexpected end of file", span,
                          "expected " + _expected_list(expected))
    span = span_at(tok.line, tok.column, tok.start_pos, len(str(tok.value)))
    message = f"unexpected {_describe_token(tok)}"
    hint = "expected " + _expected_list(expected)
    previous = _WORD_BEFORE.search(source, 0, tok.start_pos)
    if tok.type == "COLON" and "SEMICOLON" in expected and previous is not None:
        # `fill: red stroke: blue`: the value list swallowed the next property's name.
        pos = previous.start(1)
        span = span_at(*position(source, pos), pos, len(previous.group(1)))
        return Diagnostic("syntax.missing-semicolon",
                          f"missing `;` before `{previous.group(1)}`", span,
                          "separate properties with `;`")
    if tok.type == "EQUAL" and "COLON" in expected:
        return Diagnostic("syntax.property", "properties are written `name: value`, not `name = value`",
                          span, "replace `=` with `:`")
    if tok.type == "ELSE" and (guard := _guard_before_block(source, tok.start_pos)):
        return Diagnostic("syntax.when-guard", f"`else` without a `when` statement: the `when` "
                          f"on line {guard} was read as a guard of the element before it", span,
                          "a line break does not end an element: give it a block, `{ }`, "
                          "before the `when`, or write the `when` statement first")
    if tok.type == "RBRACE":
        return Diagnostic("syntax.brace", "unexpected `}`", span,
                          "no block is open here, or a value is missing before it")
    if tok.type == "COLON" and "RBRACE" not in expected:
        return Diagnostic("syntax.property", "a property (`name: value`) is only allowed inside `{ }`",
                          span, None)
    return Diagnostic("syntax.unexpected", message, span, hint)


def _span_at(file: str, offset: _Offset | None, line: int, col: int, pos: int,
             length: int) -> ast.Span:
    """The span of `length` (at least 1) characters at `line`, `col` and `pos` of a parsed
    text, shifted by `offset` when the text is an interpolation inside the file."""
    o = offset or _Offset()
    c = col + (o.column if line == 1 else 0)
    return ast.Span(file, line + o.line, c, line + o.line, c + max(1, length), pos + o.pos,
                    pos + o.pos + max(1, length))


def _expected_list(names: list[str]) -> str:
    words = sorted({_describe_terminal(n) for n in names})
    if len(words) > 8:
        words = [*words[:8], "…"]
    return ", ".join(words)


def _parse_tree(text: str, start: str, file: str,
                offset: _Offset | None) -> tuple[Any, list[Diagnostic]]:
    try:
        tree = _lark().parse(text, start=start)
    except UnexpectedInput as err:
        return None, [_syntax_diagnostic(err, file, text, offset)]
    deep = too_deep(tree)
    if deep is not None:
        return None, [_nesting_diagnostic(deep, file, offset)]
    return tree, []


def _nesting_diagnostic(meta: Any, file: str, offset: _Offset | None) -> Diagnostic:
    """Where a template nests deeper than every later stage is sure to walk."""
    span = _span_at(file, offset, meta.line, meta.column, meta.start_pos, 1)
    return Diagnostic("syntax.too-deep", f"blocks and expressions nest more than {MAX_NESTING} "
                      "levels deep here", span,
                      "name inner parts with `let` or a component, or split a long chain")


def _parse_expr(text: str, file: str, source: str,
                offset: _Offset) -> tuple[ast.Expr | None, list[Diagnostic]]:
    tree, diags = _parse_tree(text, "expr", file, offset)
    if tree is None:
        return None, diags
    builder = _Builder(file, source, offset)
    expr = _transform(builder, tree)
    return expr, builder.diagnostics


def _transform(builder: _Builder, tree: Any) -> Any:
    try:
        return builder.transform(tree)
    except VisitError as err:  # a bug in the builder, not in the template
        raise err.orig_exc from None


PARSED_BYTES = 16 * 1024 * 1024
"""Parsed modules kept (by an estimate of their size). An editor parses the same text
several times in a row (check it, format it, edit it, inspect it): a parse is tens of
milliseconds of a template's editing latency, a lookup microseconds."""
_parsed: ByteLRU[tuple[str, str], ast.Module] = ByteLRU(PARSED_BYTES)


def parse(source: str, path: str = "<template>") -> ast.Module:
    """Parse DDM source into a `Module`; raise `DiagnosticError` listing every syntax error.
    The module of a text parsed lately is reused (modules are immutable)."""
    key = (path, hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest())
    module = _parsed.get(key)
    if module is None:
        module = _parse(source, path)
        _parsed.put(key, module, 48 * len(source))
    return module


def _parse(source: str, path: str) -> ast.Module:
    too_large = (source_too_large(source, path) or long_string(source, path)
                 or too_many_tokens(source, path))
    if too_large is not None:
        raise DiagnosticError([too_large], source)
    saved = getattr(_local, "comments", None)
    _local.comments = []
    try:
        tree, diags = _parse_tree(source, "start", path, None)
        comments = tuple(
            ast.Comment(str(t), _span_of(path, t.line, t.column, t.end_line, t.end_column,
                                         t.start_pos, t.end_pos))
            for t in _local.comments)
    finally:
        _local.comments = saved
    if tree is None:
        raise DiagnosticError(diags, source)
    builder = _Builder(path, source)
    items = _transform(builder, tree)
    if builder.diagnostics:
        raise DiagnosticError(builder.diagnostics, source)
    return ast.Module(items, path, source, comments)


def parse_expression(text: str, path: str = "<expr>") -> ast.Expr:
    """Parse one expression (used for interpolations, the REPL and tests)."""
    expr, diags = _parse_expr(text, path, text, _Offset())
    if diags or expr is None:
        raise DiagnosticError(diags, text)
    return expr
