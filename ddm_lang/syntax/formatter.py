"""`ddm fmt`: print a module in canonical form.

One way to write each construct: two-space indentation, one statement per line, one
property per line ending in `;`, single spaces around binary operators, parentheses only
where the tree needs them, double-quoted strings. The output re-parses to the same tree
(spans aside), formatting is idempotent, and every comment is kept: a comment on its own
line stays before the statement or property that follows it, a trailing comment stays at
the end of its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import ast
from .parser import parse

INDENT = "  "
WIDTH = 100

# Binding strength: higher binds tighter.
_PREC = {"or": 1, "and": 2, "not": 3, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
         "in": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}
_POSTFIX = 8
_ATOM = 9


def number_text(value: float) -> str:
    """The shortest positional decimal that reads back as exactly this float."""
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
    if isinstance(node, ast.ValueList):
        return 0
    return _ATOM


def expr(node: ast.Expr, quote: str = '"', active: frozenset[str] = frozenset()) -> str:
    """An expression in canonical form.

    `quote` is the quote for strings at this depth; `active` holds the quotes of enclosing
    strings (inside an interpolation), which must be escaped in nested string text.
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
        comparison = p == _PREC["=="]
        # Left-associative: the left side may be as loose as the operator itself, the right
        # side must bind tighter; comparisons do not chain, so both sides bind tighter.
        left = _wrap(node.left, p + 1 if comparison else p, q, a)
        right = _wrap(node.right, p + 1, q, a)
        return f"{left} {node.op} {right}"
    if isinstance(node, ast.ValueList):
        return value_list(node, q, a)
    raise TypeError(f"cannot format {type(node).__name__}")


def _wrap(node: ast.Expr, min_prec: int, quote: str = '"',
          active: frozenset[str] = frozenset()) -> str:
    text = expr(node, quote, active)
    return f"({text})" if _prec(node) < min_prec else text


def value_list(node: ast.ValueList, quote: str = '"', active: frozenset[str] = frozenset()) -> str:
    parts = []
    for i, item in enumerate(node.items):
        text = expr(item, quote, active)
        # Operators inside a list item are parenthesised so the items read apart; after the
        # first item, a leading minus would also read as subtraction and a leading bracket
        # as indexing into the item before.
        grouped = isinstance(item, ast.Binary) or (isinstance(item, ast.Unary) and item.op == "not")
        parts.append(f"({text})" if grouped or (i > 0 and text.startswith(("-", "["))) else text)
    return " ".join(parts)


def arg(node: ast.Arg, quote: str = '"', active: frozenset[str] = frozenset()) -> str:
    value = expr(node.value, quote, active)
    return f"{node.name}: {value}" if node.name else value


def string(node: ast.String, quote: str = '"', active: frozenset[str] = frozenset()) -> str:
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


def _escape(text: str, quotes: frozenset[str]) -> str:
    text = (text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("{", "\\{").replace("}", "\\}"))
    for q in sorted(quotes):
        text = text.replace(q, "\\" + q)
    return text


# ---- statements ------------------------------------------------------------------

@dataclass
class _Comments:
    """Comments in source order, handed out as the printer passes their positions."""

    items: list[ast.Comment]
    source: str

    def before(self, offset: int) -> list[ast.Comment]:
        out = []
        while self.items and self.items[0].span.start < offset:
            out.append(self.items.pop(0))
        return out

    def trailing(self, end: int) -> ast.Comment | None:
        """A comment starting on the same line after `end`."""
        if not self.items:
            return None
        c = self.items[0]
        if c.span.start >= end and "\n" not in self.source[end:c.span.start]:
            return self.items.pop(0)
        return None


class _Printer:
    def __init__(self, module: ast.Module):
        self.out: list[str] = []
        self.comments = _Comments(list(module.comments), module.source)
        self.has_source = bool(module.source)

    def line(self, depth: int, text: str, node_end: int | None = None) -> None:
        trailing = self.comments.trailing(node_end) if node_end is not None and self.has_source else None
        self.out.append(INDENT * depth + text + (f" {trailing.text}" if trailing else ""))

    def leading(self, depth: int, start: int) -> None:
        if not self.has_source:
            return
        for c in self.comments.before(start):
            self.out.append(INDENT * depth + c.text)

    def module(self, module: ast.Module) -> str:
        previous: str | None = None
        items = module.items
        for i, item in enumerate(items):
            group = _group(item)
            if previous is not None and (group != previous or group in ("component", "block")):
                self.out.append("")
            self.statement(item, 0, items[i + 1] if i + 1 < len(items) else None)
            previous = group
        if self.has_source:
            rest = self.comments.before(len(module.source) + 1)
            if rest and self.out:
                self.out.append("")
            self.out.extend(c.text for c in rest)
        return "\n".join(self.out).rstrip("\n") + "\n" if self.out else ""

    def statement(self, node: object, depth: int, following: object | None) -> None:
        self.leading(depth, node.span.start)
        end = node.span.end
        if isinstance(node, ast.TemplateDecl):
            title = f" {string(ast.String((node.title,)))}" if node.title is not None else ""
            self.line(depth, f"template {node.name}{title}", end)
        elif isinstance(node, ast.FormatsDecl):
            specs = ", ".join(f"{f.name} {f.width}x{f.height}" for f in node.formats)
            self.line(depth, f"formats {specs}", end)
        elif isinstance(node, ast.Import):
            path = string(ast.String((node.path,)))
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
            self.block_stmt(depth, f"component {node.name}({params})", node.body, end)
        elif isinstance(node, ast.Element):
            self.element(node, depth, following)
        elif isinstance(node, ast.ForStmt):
            names = node.var + (f", {node.index_var}" if node.index_var else "")
            self.block_stmt(depth, f"for {names} in {expr(node.iterable)}", node.body, end)
        elif isinstance(node, ast.WhenStmt):
            self.when(node, depth, "when")
        elif isinstance(node, ast.RawSvg):
            if '"""' in node.markup or node.markup.endswith('"'):
                self.line(depth, f"raw {string(ast.String((node.markup,)))}", end)
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
        empty = not node.body.items
        # Without a block, the next statement could be read as part of this one: a bare
        # kind would take the next kind as its name, a trailing guard or pipeline would
        # take a following `when` statement as its own guard.
        needs_block = empty and (
            (node.name is None and node.value is None and node.when is None and not ops)
            or (isinstance(following, ast.WhenStmt) and (ops or node.when is not None
                                                         or node.value is not None
                                                         or node.name is not None)))
        pipeline = "".join(f" | {op}" for op in ops)
        if empty and not needs_block:
            if len(INDENT * depth + head + pipeline) <= WIDTH or not ops:
                self.line(depth, head + pipeline, node.span.end)
            else:
                self.line(depth, head)
                for i, op in enumerate(ops):
                    self.line(depth + 1, f"| {op}", node.span.end if i == len(ops) - 1 else None)
            return
        self.block_stmt(depth, head + pipeline, node.body, node.span.end)

    def when(self, node: ast.WhenStmt, depth: int, keyword: str) -> None:
        self.block_open(depth, f"{keyword} {expr(node.cond)}", node.body)
        if node.orelse is None:
            return
        if isinstance(node.orelse, ast.WhenStmt):
            self.out[-1] += " else " + f"when {expr(node.orelse.cond)} {{"
            self._else_chain(node.orelse, depth)
        else:
            self.out[-1] += " else {"
            self.block_body(node.orelse, depth + 1)
            self.out.append(INDENT * depth + "}")

    def _else_chain(self, node: ast.WhenStmt, depth: int) -> None:
        self.block_body(node.body, depth + 1)
        self.out.append(INDENT * depth + "}")
        if isinstance(node.orelse, ast.WhenStmt):
            self.out[-1] += f" else when {expr(node.orelse.cond)} {{"
            self._else_chain(node.orelse, depth)
        elif node.orelse is not None:
            self.out[-1] += " else {"
            self.block_body(node.orelse, depth + 1)
            self.out.append(INDENT * depth + "}")

    def block_stmt(self, depth: int, head: str, block: ast.Block, end: int) -> None:
        if not block.items:
            self.line(depth, head + " {}", end)
            return
        if self._fits_inline(depth, head, block):
            props = "; ".join(f"{p.name}: {expr(p.value)}" for p in block.properties)
            self.line(depth, f"{head} {{ {props} }}", end)
            return
        self.block_open(depth, head, block)

    def _fits_inline(self, depth: int, head: str, block: ast.Block) -> bool:
        if block.children or len(block.properties) > 3:
            return False
        if self.has_source and any(self.comments.items) and any(
                block.span.start <= c.span.start < block.span.end for c in self.comments.items):
            return False
        props = "; ".join(f"{p.name}: {expr(p.value)}" for p in block.properties)
        return len(INDENT * depth + f"{head} {{ {props} }}") <= WIDTH

    def block_open(self, depth: int, head: str, block: ast.Block) -> None:
        self.out.append(INDENT * depth + head + " {")
        self.block_body(block, depth + 1)
        self.leading(depth + 1, block.span.end)
        self.out.append(INDENT * depth + "}")

    def block_body(self, block: ast.Block, depth: int) -> None:
        items = block.items
        for i, item in enumerate(items):
            if isinstance(item, ast.Property):
                self.leading(depth, item.span.start)
                self.line(depth, f"{item.name}: {expr(item.value)};", item.span.end)
            else:
                self.statement(item, depth, items[i + 1] if i + 1 < len(items) else None)
        if self.has_source:
            self.leading(depth, block.span.end - 1)


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
        text += "(" + ", ".join(arg(a, '"') for a in op.args) + ")"
    for clause in op.clauses:
        values = ", ".join(_wrap(v, _PREC["+"], '"') for v in clause.values)
        text += f" {clause.keyword} {values}"
    if op.when is not None:
        text += f" when {expr(op.when)}"
    return text


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


def format_module(module: ast.Module) -> str:
    """The module in canonical form (comments kept when the module carries its source)."""
    return _Printer(module).module(module)


def format_source(source: str, path: str = "<template>") -> str:
    """Parse and format; raises DiagnosticError on a syntax error."""
    return format_module(parse(source, path))
