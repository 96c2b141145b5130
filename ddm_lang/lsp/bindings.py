"""The names a template defines, where, and where each can be seen.

Go to definition, completion of names in scope and hovers on a name all need the same
answer the checker gives when it resolves a name: which `let`, object, loop variable,
component parameter, component or element a word refers to. The rules are the
language's (docs/language.md, "Names in scope"): objects and components everywhere; a
top-level `let` after its definition but not inside component bodies; a block's `let` in
the rest of that block; loop variables in the loop body; parameters in the component body.
Imported files are parsed (not checked) for their top-level `let`s and components.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import DiagnosticError
from ddm_lang.syntax.node import Node, node_fields
from ddm_lang.syntax.parser import parse

LET, OBJECT, LOOP, PARAM, COMPONENT, ELEMENT = (
    "let", "object", "loop", "param", "component", "element")
VALUE_KINDS = frozenset({LET, OBJECT, LOOP, PARAM})
_NAME = r"([A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*)"


@dataclass(frozen=True)
class Binding:
    """One defined name: what it is, where it is written and where it can be used."""

    name: str
    kind: str
    node: object             # the declaration (LetDecl, ObjectDecl, Param, ...)
    file: str                # the module's path
    name_start: int          # offsets of the name itself in that file
    name_end: int
    scope_start: int         # the part of the file that sees it
    scope_end: int
    top_level: bool = False  # a top-level `let` (components do not see those)
    component: str | None = None  # for a parameter: its component
    detail: str = ""         # the declaration, on one line


@dataclass
class Names:
    """Every binding of a module and of the files it imports."""

    module: ast.Module
    local: list[Binding]
    imported: list[Binding]

    def visible(self, offset: int) -> list[Binding]:
        """The value names (lets, objects, loop variables, parameters) in scope at
        `offset`, innermost first, one per name."""
        inside = self.component_at(offset)
        found: dict[str, Binding] = {}
        candidates = [b for b in self.local if b.kind in VALUE_KINDS
                      and b.scope_start <= offset <= b.scope_end
                      and not (inside is not None and b.top_level)]
        for b in sorted(candidates, key=lambda b: -b.scope_start):
            found.setdefault(b.name, b)
        if inside is None:
            for b in self.imported:
                if b.kind == LET:
                    found.setdefault(b.name, b)
        return list(found.values())

    def resolve(self, name: str, offset: int) -> Binding | None:
        """What `name` written at `offset` refers to: the innermost binding in scope, else
        any binding of that name (a use before its definition still finds it)."""
        for b in self.visible(offset):
            if b.name == name:
                return b
        for b in [*self.local, *self.imported]:
            if b.name == name and b.kind in VALUE_KINDS:
                return b
        return None

    def component(self, name: str) -> Binding | None:
        for b in [*self.local, *self.imported]:
            if b.kind == COMPONENT and b.name == name:
                return b
        return None

    def element(self, name: str) -> Binding | None:
        for b in self.local:
            if b.kind == ELEMENT and b.name == name:
                return b
        return None

    def objects(self) -> list[Binding]:
        return [b for b in self.local if b.kind == OBJECT]

    def elements(self) -> list[Binding]:
        return [b for b in self.local if b.kind == ELEMENT]

    def components(self) -> list[Binding]:
        return [b for b in [*self.local, *self.imported] if b.kind == COMPONENT]

    def params(self, component: str) -> list[Binding]:
        return [b for b in [*self.local, *self.imported]
                if b.kind == PARAM and b.component == component]

    def component_at(self, offset: int) -> str | None:
        """The component whose body holds `offset`, if any."""
        for item in self.module.items:
            if isinstance(item, ast.ComponentDecl) and \
                    item.body.span.start <= offset <= item.body.span.end:
                return item.name
        return None


def collect(module: ast.Module) -> Names:
    """The bindings of a parsed module and of every file it imports."""
    local = list(_module_bindings(module))
    imported: list[Binding] = []
    for item in module.items:
        if isinstance(item, ast.Import):
            target = import_target(module.path, item.path)
            if target is None:
                continue
            other = parsed_file(target)
            if other is None:
                continue
            for b in _module_bindings(other):
                if b.kind in (LET, COMPONENT, PARAM) and (b.top_level or b.kind != LET) and (
                        item.names is None or b.name in item.names
                        or (b.kind == PARAM and b.component in item.names)):
                    imported.append(b)
    return Names(module, local, imported)


def import_target(module_path: str, path: str) -> Path | None:
    """The file an `import` of `path` in the module at `module_path` reads, as the
    checker resolves it (relative to the importing file)."""
    if module_path.startswith("<"):
        return None
    target = (Path(module_path).parent / path).resolve()
    return target if target.is_file() else None


_cache: dict[str, tuple[float, ast.Module | None]] = {}


def parsed_file(path: Path) -> ast.Module | None:
    """An imported file's module, parsed again only when the file changed."""
    key = str(path)
    try:
        stamp = os.stat(path).st_mtime
    except OSError:
        return None
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        module: ast.Module | None = parse(path.read_text("utf-8"), key)
    except (DiagnosticError, OSError, UnicodeDecodeError):
        module = None
    _cache[key] = (stamp, module)
    return module


# ---- walking a module -------------------------------------------------------------

def _module_bindings(module: ast.Module) -> Iterator[Binding]:
    end = len(module.source)
    for item in module.items:
        if isinstance(item, ast.ObjectDecl):
            yield _binding(module, item.name, OBJECT, item, rf"object\s+{_NAME}", 0, end)
        elif isinstance(item, ast.LetDecl):
            yield _binding(module, item.name, LET, item, rf"let\s+{_NAME}", item.span.end, end,
                           top_level=True)
        elif isinstance(item, ast.ComponentDecl):
            yield _binding(module, item.name, COMPONENT, item, rf"component\s+{_NAME}\(", 0, end)
            for param in item.params:
                yield _binding(module, param.name, PARAM, param, _NAME, param.span.end,
                               item.span.end, component=item.name)
            yield from _block(module, item.body)
        elif isinstance(item, ast.Element | ast.ForStmt | ast.WhenStmt):
            yield from _statement(module, item, None)


def _block(module: ast.Module, block: ast.Block) -> Iterator[Binding]:
    for item in block.items:
        if isinstance(item, ast.LetDecl):
            yield _binding(module, item.name, LET, item, rf"let\s+{_NAME}", item.span.end,
                           block.span.end)
        elif isinstance(item, ast.Element | ast.ForStmt | ast.WhenStmt):
            yield from _statement(module, item, block)


def _statement(module: ast.Module, node: ast.Element | ast.ForStmt | ast.WhenStmt,
               block: ast.Block | None) -> Iterator[Binding]:
    end = len(module.source)
    if isinstance(node, ast.Element):
        if node.name is not None:
            yield _binding(module, node.name, ELEMENT, node,
                           rf"{re.escape(node.kind)}\s+{_NAME}", 0, end)
        yield from _block(module, node.body)
    elif isinstance(node, ast.ForStmt):
        body = node.body.span
        yield _binding(module, node.var, LOOP, node, rf"for\s+{_NAME}", body.start, body.end)
        if node.index_var is not None:
            yield _binding(module, node.index_var, LOOP, node,
                           rf"for\s+[A-Za-z_][\w-]*\s*,\s*{_NAME}", body.start, body.end)
        yield from _block(module, node.body)
    else:
        yield from _block(module, node.body)
        orelse = node.orelse
        if isinstance(orelse, ast.WhenStmt):
            yield from _statement(module, orelse, block)
        elif isinstance(orelse, ast.Block):
            yield from _block(module, orelse)


def _binding(module: ast.Module, name: str, kind: str, node: object, pattern: str,
             scope_start: int, scope_end: int, *, top_level: bool = False,
             component: str | None = None) -> Binding:
    span: ast.Span = getattr(node, "span", ast.NO_SPAN)
    text = module.source[span.start:span.end]
    match = re.match(pattern, text)
    if match and match.group(1) == name:
        start = span.start + match.start(1)
    else:  # a comment between the keyword and the name: look for the name itself
        found = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)
        start = span.start + (found.start() if found else 0)
    detail = " ".join(text.split("{")[0].split()) if kind != PARAM else " ".join(text.split())
    if len(detail) > 160:
        detail = detail[:159] + "…"
    return Binding(name, kind, node, module.path, start, start + len(name), scope_start,
                   scope_end, top_level, component, detail)


def nodes_at(module: ast.Module, offset: int) -> list[object]:
    """The AST nodes whose span holds `offset`, outermost first."""
    chain: list[object] = []
    items: list[object] = list(module.items)
    while items:
        inner, touching = None, None
        for node in items:
            span = getattr(node, "span", None)
            if not isinstance(span, ast.Span) or span.file != module.path:
                continue
            if span.start <= offset < span.end:
                inner = inner or node
            elif offset == span.end > span.start:
                touching = node  # the cursor just after a name still means that name
        inner = inner or touching
        if inner is None:
            break
        chain.append(inner)
        items = list(_children(inner))
    return chain


def _children(node: object) -> Iterator[object]:
    if not isinstance(node, Node):
        return
    for name, value in node_fields(node):
        if name == "span":
            continue
        if isinstance(value, tuple):
            yield from (v for v in value if isinstance(v, Node))
        elif isinstance(value, Node):
            yield value
