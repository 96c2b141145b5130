"""`ddm fmt`: print a module in canonical form.

There is one way to write each construct, so that diffs between templates show changes in
meaning rather than in taste:

- two-space indentation, one statement per line, a blank line between top-level groups
  (header and formats; imports; objects; lets; each component; the drawing statements);
- a block holding only properties stays on one line (`{ x: 0; y: 0 }`) when that line fits
  in 100 columns and no comment sits inside it; any other non-empty block has one property
  (ending in `;`) or statement per line; an element's empty block is left out, except
  where the next statement would then be read as part of the element (`rect {}` alone,
  or any element followed by a `when` statement);
- single spaces around binary operators; parentheses only where the tree needs them, plus
  around an operator inside a value-list item (`box: 6% (56% + i * 9%) 40% 8%`), so that
  the items read apart;
- strings in double quotes unless their text holds a `"` and no `'`; strings inside an
  `{interpolation}` take the other quote;
- numbers in their shortest exact decimal form (`0.5`, `12`, `100%`);
- an object's `where`/`prefer` and an element's `| operations` move to indented
  continuation lines when the one-line form would pass 100 columns.

The output re-parses to the same tree (spans aside) and formatting is idempotent. Every
comment is kept: a comment on its own line stays before the statement or property that
follows it, a trailing comment stays at the end of its line, a comment at the end of a
block or file stays there, and a comment written inside a statement's head (between the
parts of a multi-line `object` or pipeline) moves to just above that statement.
"""

from __future__ import annotations

import math
from decimal import Decimal

from . import ast
from .parser import parse

INDENT = "  "
WIDTH = 100

# Binding strength, mirroring the grammar's expression rules: higher binds tighter; the
# conditional `a if c else b` is loosest (0) and a value list looser still.
_PREC = {"or": 1, "and": 2, "not": 3, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
         "in": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}
_CONDITIONAL = 0
_OR = 1
_COMPARISON = 4
_SUM = 5
_POSTFIX = 8
_ATOM = 9

# What may stand between a line's end of code and a comment that trails it.
_BETWEEN = frozenset(" \t\r;")


def number_text(value: float) -> str:
    """The shortest positional decimal that reads back as exactly this float.

    The grammar has no exponent notation, so `1e-07` must print as `0.0000001`. The parser
    reads a literal too large for a float as infinity; the smallest such literal prints
    it, so that the tree still round-trips.
    """
    if math.isinf(value) and value > 0:
        return "1" + "0" * 309
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _prec(node: ast.Expr) -> int:
    if isinstance(node, ast.Binary):
        return _PREC[node.op]
    if isinstance(node, ast.Unary):
        return _PREC["not"] if node.op == "not" else _PREC["neg"]
    if isinstance(node, ast.Member | ast.Index | ast.Slice):
        return _POSTFIX
    if isinstance(node, ast.Conditional):
        return _CONDITIONAL
    if isinstance(node, ast.ValueList):
        return _CONDITIONAL - 1
    return _ATOM


def expr(node: ast.Expr, quote: str | None = None, active: frozenset[str] = frozenset()) -> str:
    """An expression in canonical form.

    `quote` is the quote strings take at this depth (None: choose by each string's text);
    `active` holds the quotes of the enclosing strings when printing inside an
    interpolation: those must be escaped in nested string text, or they would end the
    enclosing string token.
    """
    q, a = quote, active
    if isinstance(node, ast.Number):
        return number_text(node.value) + node.unit
    if isinstance(node, ast.Color):
        return node.value
    if isinstance(node, ast.String):
        return string(node, q, a)
    if isinstance(node, ast.Bool):
        return "true" if node.value else "false"
    if isinstance(node, ast.NoneLit):
        return "none"
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Member):
        return f"{_wrap(node.obj, _POSTFIX, q, a)}.{node.attr}"
    if isinstance(node, ast.Index):
        return f"{_wrap(node.obj, _POSTFIX, q, a)}[{expr(node.index, q, a)}]"
    if isinstance(node, ast.Slice):
        start = expr(node.start, q, a) if node.start is not None else ""
        stop = expr(node.stop, q, a) if node.stop is not None else ""
        return f"{_wrap(node.obj, _POSTFIX, q, a)}[{start}:{stop}]"
    if isinstance(node, ast.Call):
        return f"{node.func}({', '.join(arg(x, q, a) for x in node.args)})"
    if isinstance(node, ast.ListLit):
        return "[" + ", ".join(expr(i, q, a) for i in node.items) + "]"
    if isinstance(node, ast.Unary):
        if node.op == "not":
            return "not " + _wrap(node.operand, _PREC["not"], q, a)
        return "-" + _wrap(node.operand, _PREC["neg"], q, a)
    if isinstance(node, ast.Binary):
        p = _PREC[node.op]
        # Left-associative: the left side may be as loose as the operator itself, the right
        # side must bind tighter; comparisons do not chain, so both sides bind tighter.
        left = _wrap(node.left, p + 1 if p == _COMPARISON else p, q, a)
        right = _wrap(node.right, p + 1, q, a)
        return f"{left} {node.op} {right}"
    if isinstance(node, ast.Conditional):
        # Right-associative: the chosen side and the condition bind tighter, the `else`
        # side may be another conditional (`a if p else b if q else c`).
        then = _wrap(node.then, _OR, q, a)
        cond = _wrap(node.cond, _OR, q, a)
        return f"{then} if {cond} else {_wrap(node.orelse, _CONDITIONAL, q, a)}"
    if isinstance(node, ast.ValueList):
        return value_list(node, q, a)
    raise TypeError(f"cannot format {type(node).__name__}")


def _wrap(node: ast.Expr, min_prec: int, quote: str | None = None,
          active: frozenset[str] = frozenset()) -> str:
    text = expr(node, quote, active)
    return f"({text})" if _prec(node) < min_prec else text


def value_list(node: ast.ValueList, quote: str | None = None,
               active: frozenset[str] = frozenset()) -> str:
    """Space-separated items.

    After the first item, one that starts with `-` would read as subtraction from the item
    before, and one that starts with `[` as indexing into it: both need parentheses. An
    operator or a conditional inside any item is parenthesised too; the grammar would not
    need it, but `6% (56% + i * 9%) 40%` shows where the items are.
    """
    parts = []
    for i, item in enumerate(node.items):
        text = expr(item, quote, active)
        grouped = isinstance(item, ast.Binary | ast.Conditional) or (
            isinstance(item, ast.Unary) and item.op == "not")
        parts.append(f"({text})" if grouped or (i > 0 and text.startswith(("-", "["))) else text)
    return " ".join(parts)


def arg(node: ast.Arg, quote: str | None = None, active: frozenset[str] = frozenset()) -> str:
    value = expr(node.value, quote, active)
    return f"{node.name}: {value}" if node.name else value


def _text_of(node: ast.String) -> str:
    return "".join(p for p in node.parts if isinstance(p, str))


def string(node: ast.String, quote: str | None = None,
           active: frozenset[str] = frozenset()) -> str:
    """A string literal; `{expr}` parts print inside braces with the other quote for strings.

    A string inside an interpolation cannot hold another string that interpolates a string:
    the lexer would need a third quote. Such trees are not expressible in DDM source.
    """
    if quote is None:
        text = _text_of(node)
        quote = "'" if '"' in text and "'" not in text else '"'
    inner_quote = "'" if quote == '"' else '"'
    escaped = active | {quote}
    out = [quote]
    for part in node.parts:
        if isinstance(part, str):
            out.append(_escape(part, escaped))
        else:
            out.append("{" + expr(part, inner_quote, escaped) + "}")
    out.append(quote)
    return "".join(out)


def _plain(text: str) -> str:
    """A string with no interpolation (titles, import paths, raw markup)."""
    return string(ast.String((text,) if text else ()))


def _escape(text: str, quotes: frozenset[str]) -> str:
    text = (text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("{", "\\{").replace("}", "\\}"))
    for q in sorted(quotes):
        text = text.replace(q, "\\" + q)
    return text


def _param(p: ast.Param) -> str:
    text = p.name
    if p.type is not None:
        text += f": {p.type}"
    if p.default is not None:
        text += f" = {expr(p.default)}"
    return text


def _operation(op: ast.Operation) -> str:
    text = op.name
    if op.args:
        text += "(" + ", ".join(arg(a) for a in op.args) + ")"
    for clause in op.clauses:
        # Clause values stop below comparisons (`place fit contain in slot(...)`).
        values = ", ".join(_wrap(v, _SUM) for v in clause.values)
        text += f" {clause.keyword} {values}"
    if op.when is not None:
        text += f" when {expr(op.when)}"
    return text


def _property(p: ast.Property) -> str:
    return f"{p.name}: {expr(p.value)}"


def _group(item: object) -> str:
    if isinstance(item, ast.TemplateDecl | ast.FormatsDecl):
        return "header"
    if isinstance(item, ast.Import):
        return "import"
    if isinstance(item, ast.ObjectDecl):
        return "object"
    if isinstance(item, ast.LetDecl):
        return "let"
    if isinstance(item, ast.ComponentDecl):
        return "component"
    return "body"


def _written_body(node: object) -> ast.Block | None:
    """The block a statement wrote in the source (an element's implicit block is not)."""
    body = getattr(node, "body", None)
    if not isinstance(body, ast.Block):
        return None
    if isinstance(node, ast.Element) and body.span == node.span:
        return None
    return body


# ---- comments ----------------------------------------------------------------------

class _Comments:
    """Comments in source order, handed out as the printer passes their positions."""

    def __init__(self, module: ast.Module):
        self.items = list(module.comments) if module.source else []
        self.source = module.source

    def before(self, offset: int) -> list[ast.Comment]:
        """Every comment not yet printed that starts before `offset`."""
        out = []
        while self.items and self.items[0].span.start < offset:
            out.append(self.items.pop(0))
        return out

    def trailing(self, end: int) -> list[ast.Comment]:
        """The comments after `end` on its line, with nothing but blanks or `;` between."""
        out: list[ast.Comment] = []
        while self.items:
            c = self.items[0]
            if c.span.start < end or not set(self.source[end:c.span.start]) <= _BETWEEN:
                break
            out.append(self.items.pop(0))
            end = c.span.end
        return out

    def inside(self, start: int, end: int) -> bool:
        return any(start <= c.span.start < end for c in self.items)


# ---- statements --------------------------------------------------------------------

class _Printer:
    def __init__(self, module: ast.Module):
        self.out: list[str] = []
        self.comments = _Comments(module)

    # -- lines ---------------------------------------------------------------------
    def line(self, depth: int, text: str, end: int | None = None) -> None:
        """One output line; `end` is the source offset whose same-line comments trail it."""
        self.out.append(INDENT * depth + text)
        if end is not None:
            self.trail(end)

    def leading(self, depth: int, offset: int) -> None:
        for c in self.comments.before(offset):
            self.out.append(INDENT * depth + c.text)

    # -- module --------------------------------------------------------------------
    def module(self, module: ast.Module) -> str:
        previous: str | None = None
        items = module.items
        for i, item in enumerate(items):
            group = _group(item)
            if previous is not None and (group != previous or group == "component"):
                self.out.append("")
            self.statement(item, 0, items[i + 1] if i + 1 < len(items) else None)
            previous = group
        rest = self.comments.before(len(module.source) + 1)
        if rest and self.out:
            self.out.append("")
        self.out.extend(c.text for c in rest)
        return "\n".join(self.out) + "\n" if self.out else ""

    def statement(self, node: ast.TopLevel, depth: int, following: object | None) -> None:
        self.leading(depth, node.span.start)
        # Comments inside the statement's head (before its block) go just above it: the
        # head is printed on lines of the formatter's choosing.
        body = _written_body(node)
        self.leading(depth, body.span.start if body is not None else node.span.end)
        end = node.span.end
        if isinstance(node, ast.TemplateDecl):
            title = f" {_plain(node.title)}" if node.title is not None else ""
            self.line(depth, f"template {node.name}{title}", end)
        elif isinstance(node, ast.FormatsDecl):
            specs = ", ".join(f"{f.name} {f.width}x{f.height}" for f in node.formats)
            self.line(depth, f"formats {specs}", end)
        elif isinstance(node, ast.Import):
            path = _plain(node.path)
            if node.names is None:
                self.line(depth, f"import {path}", end)
            else:
                self.line(depth, f"import {', '.join(node.names)} from {path}", end)
        elif isinstance(node, ast.ObjectDecl):
            self.object_decl(node, depth)
        elif isinstance(node, ast.LetDecl):
            self.line(depth, f"let {node.name} = {expr(node.value)}", end)
        elif isinstance(node, ast.ComponentDecl):
            params = ", ".join(_param(p) for p in node.params)
            self.block_stmt(depth, [f"component {node.name}({params})"], node.body, end)
        elif isinstance(node, ast.Element):
            self.element(node, depth, following)
        elif isinstance(node, ast.ForStmt):
            names = node.var + (f", {node.index_var}" if node.index_var else "")
            self.block_stmt(depth, [f"for {names} in {expr(node.iterable)}"], node.body, end)
        elif isinstance(node, ast.WhenStmt):
            self.when(node, depth)
        elif isinstance(node, ast.RawSvg):
            # A long string keeps the markup readable; it has no escapes, so markup that
            # holds `"""` or ends in `"` (which would close it early) takes a plain string.
            if '"""' in node.markup or node.markup.endswith('"'):
                self.line(depth, f"raw {_plain(node.markup)}", end)
            else:
                self.line(depth, f'raw """{node.markup}"""', end)
        else:
            raise TypeError(f"cannot format {type(node).__name__}")

    def object_decl(self, node: ast.ObjectDecl, depth: int) -> None:
        head = f"object {node.name}{'?' if node.optional else ''}"
        head += f"[{node.count}]" if node.count is not None else ""
        head += f" = {node.kind} from {expr(node.source)}"
        clauses = []
        if node.where is not None:
            clauses.append(f"where {expr(node.where)}")
        if node.prefer:
            keys = ", ".join(expr(k.expr) + ("" if k.descending is None else
                                             " desc" if k.descending else " asc")
                             for k in node.prefer)
            clauses.append(f"prefer {keys}")
        one_line = " ".join([head, *clauses])
        if len(INDENT * depth + one_line) <= WIDTH:
            self.line(depth, one_line, node.span.end)
            return
        self.line(depth, head)
        for i, clause in enumerate(clauses):
            self.line(depth + 1, clause, node.span.end if i == len(clauses) - 1 else None)

    def element(self, node: ast.Element, depth: int, following: object | None) -> None:
        head = node.kind
        if node.name is not None:
            head += f" {node.name}{'?' if node.optional else ''}"
        if node.value is not None:
            head += f" = {expr(node.value)}"
        if node.when is not None:
            head += f" when {expr(node.when)}"
        ops = [_operation(op) for op in node.pipeline]
        one_line = head + "".join(f" | {op}" for op in ops)
        lines = [one_line]
        if ops and len(INDENT * depth + one_line) + len(" {") > WIDTH:
            lines = [head, *(f"{INDENT}| {op}" for op in ops)]
        # Without a block, the next statement could be read as part of this one: a bare
        # kind would take the next statement's first word as its name (or fail on a
        # following property), and anything else would take a following `when`
        # statement as its own guard or as its last operation's.
        bare = node.name is None and node.value is None and node.when is None and not ops
        must_brace = bare or isinstance(following, ast.WhenStmt)
        self.block_stmt(depth, lines, node.body, node.span.end, optional=not must_brace)

    def when(self, node: ast.WhenStmt, depth: int) -> None:
        self.line(depth, f"when {expr(node.cond)}")
        branch: ast.Block | ast.WhenStmt | None = node
        while branch is not None:
            block = branch.body if isinstance(branch, ast.WhenStmt) else branch
            after = branch.orelse if isinstance(branch, ast.WhenStmt) else None
            after_block = after.body if isinstance(after, ast.WhenStmt) else after
            # Comments between this branch's `}` and the next branch's `{` end this branch.
            region_end = after_block.span.start if after_block is not None else block.span.end
            self.block(depth, block, region_end)
            if isinstance(after, ast.WhenStmt):
                self.out[-1] += f" else when {expr(after.cond)}"
            elif after is not None:
                self.out[-1] += " else"
            branch = after
        self.trail(node.span.end)

    # -- blocks --------------------------------------------------------------------
    def block_stmt(self, depth: int, head: list[str], block: ast.Block, end: int,
                   optional: bool = False) -> None:
        """A statement whose head (one or more lines) is followed by a block.

        `optional`: an empty block may be left out (elements only).
        """
        for text in head:
            self.line(depth, text)
        self.block(depth, block, block.span.end, optional)
        self.trail(end)

    def block(self, depth: int, block: ast.Block, region_end: int,
              optional: bool = False) -> None:
        """Append `block` to the last line, which holds its statement's head.

        `region_end`: where the comments that belong at the end of this block stop.
        """
        commented = self.comments.inside(block.span.start, region_end)
        if not block.items and not commented:
            if not optional:
                self.out[-1] += " {}"
            return
        if not block.children and not commented:
            inline = f" {{ {'; '.join(_property(p) for p in block.properties)} }}"
            if len(self.out[-1] + inline) <= WIDTH:
                self.out[-1] += inline
                return
        self.out[-1] += " {"
        items = block.items
        for i, item in enumerate(items):
            if isinstance(item, ast.Property):
                self.leading(depth + 1, item.span.end)
                self.line(depth + 1, _property(item) + ";", item.span.end)
            else:
                self.statement(item, depth + 1, items[i + 1] if i + 1 < len(items) else None)
        self.leading(depth + 1, region_end)
        self.out.append(INDENT * depth + "}")

    def trail(self, end: int) -> None:
        """Put the comments that trailed the source's `end` at the end of the last line."""
        self.out[-1] = " ".join([self.out[-1], *(c.text for c in self.comments.trailing(end))])


def format_module(module: ast.Module) -> str:
    """The module in canonical form (comments kept when the module carries its source)."""
    return _Printer(module).module(module)


def format_source(source: str, path: str = "<template>") -> str:
    """Parse and format; raises DiagnosticError on a syntax error."""
    return format_module(parse(source, path))
