"""The document outline: the template, its formats, imports, objects, components, `let`s
and the drawing, nested as the file nests them.

Built from the parse of the document (the latest one that parsed while the text is
broken), so the outline never shows what the file does not say. Properties are left out:
they are an element's details, not its parts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lsprotocol import types

from ddm_lang.semantics.svg_vocab import CONTAINERS
from ddm_lang.syntax import ast

from .positions import LineIndex

S = types.SymbolKind
_TEXT_CHARS = 60


def outline(module: ast.Module, index: LineIndex,
            components: Iterable[str] = ()) -> list[types.DocumentSymbol]:
    """The document symbols of a module whose source `index` covers."""
    known = set(components) | {i.name for i in module.items if isinstance(i, ast.ComponentDecl)}
    return _Outline(module, index, known).items(module.items)


class _Outline:
    def __init__(self, module: ast.Module, index: LineIndex, components: set[str]):
        self.module = module
        self.source = module.source
        self.index = index
        self.components = components

    def items(self, nodes: Iterable[object]) -> list[types.DocumentSymbol]:
        out: list[types.DocumentSymbol] = []
        for node in nodes:
            out.extend(self.symbol(node))
        return out

    def symbol(self, node: object) -> list[types.DocumentSymbol]:
        if isinstance(node, ast.TemplateDecl):
            return [self.make(node.name, S.Module, node.span, self.name_of(node.span, node.name),
                              detail=node.title)]
        if isinstance(node, ast.FormatsDecl):
            children = [self.make(f.name, S.EnumMember, f.span,
                                  self.name_of(f.span, f.name), detail=f"{f.width}x{f.height}")
                        for f in node.formats]
            return [self.make("formats", S.Enum, node.span, detail=f"{len(children)} slots",
                              children=children)]
        if isinstance(node, ast.Import):
            what = ", ".join(node.names) if node.names else "everything"
            return [self.make(node.path, S.Package, node.span, detail=what)]
        if isinstance(node, ast.ObjectDecl):
            label = node.name + ("?" if node.optional else "") + (
                f"[{node.count}]" if node.count else "")
            return [self.make(label, S.Object, node.span, self.name_of(node.span, node.name),
                              detail=f"{node.kind} from {self.text(node.source.span)}")]
        if isinstance(node, ast.ComponentDecl):
            params = ", ".join(p.name for p in node.params)
            return [self.make(node.name, S.Class, node.span, self.name_of(node.span, node.name),
                              detail=f"({params})", children=self.items(node.body.children))]
        if isinstance(node, ast.LetDecl):
            return [self.make(node.name, S.Variable, node.span,
                              self.name_of(node.span, node.name),
                              detail=self.text(_expr_span(node.value)))]
        if isinstance(node, ast.Element):
            return [self.element(node)]
        if isinstance(node, ast.ForStmt):
            names = node.var + (f", {node.index_var}" if node.index_var else "")
            label = f"for {names} in {self.text(_expr_span(node.iterable))}"
            return [self.make(label, S.Array, node.span, children=self.items(node.body.children))]
        if isinstance(node, ast.WhenStmt):
            return self.when(node, "when")
        if isinstance(node, ast.RawSvg):
            return [self.make("raw", S.String, node.span, detail="SVG markup")]
        return []

    def element(self, node: ast.Element) -> types.DocumentSymbol:
        label = f"{node.kind} {node.name}" if node.name else node.kind
        if node.optional:
            label += "?"
        details = []
        if node.value is not None:
            details.append(f"= {self.text(_expr_span(node.value))}")
        if node.pipeline:
            details.append(" ".join(f"| {op.name}" for op in node.pipeline))
        if node.when is not None:
            details.append(f"when {self.text(_expr_span(node.when))}")
        if node.kind in self.components:
            kind = S.Class
        elif node.kind in CONTAINERS and node.kind != "text":
            kind = S.Struct
        else:
            kind = {"text": S.String, "image": S.File}.get(node.kind, S.Field)
        selection = self.name_of(node.span, node.name, after=node.kind) if node.name else None
        return self.make(label, kind, node.span, selection, detail=" ".join(details) or None,
                         children=self.items(node.body.children))

    def when(self, node: ast.WhenStmt, word: str) -> list[types.DocumentSymbol]:
        label = f"{word} {self.text(_expr_span(node.cond))}"
        end = node.body.span if node.body.span.end > node.span.start else node.span
        span = ast.Span(node.span.file, node.span.line, node.span.column, end.end_line,
                        end.end_column, node.span.start, end.end)
        out = [self.make(label, S.Namespace, span, children=self.items(node.body.children))]
        if isinstance(node.orelse, ast.WhenStmt):
            out += self.when(node.orelse, "else when")
        elif isinstance(node.orelse, ast.Block):
            out.append(self.make("else", S.Namespace, node.orelse.span,
                                 children=self.items(node.orelse.children)))
        return out

    # -- helpers -------------------------------------------------------------------
    def make(self, name: str, kind: types.SymbolKind, span: ast.Span,
             selection: tuple[int, int] | None = None, *, detail: str | None = None,
             children: list[types.DocumentSymbol] | None = None) -> types.DocumentSymbol:
        full = self.range(span.start, max(span.end, span.start + 1))
        sel = self.range(*selection) if selection else self.range(
            span.start, min(span.end, span.start + 1) if span.end > span.start else span.start)
        return types.DocumentSymbol(name=name or "?", kind=kind, range=full,
                                    selection_range=sel, detail=detail,
                                    children=children or None)

    def range(self, start: int, end: int) -> types.Range:
        a, b = self.index.position(start), self.index.position(end)
        return types.Range(start=types.Position(line=a.line, character=a.character),
                           end=types.Position(line=b.line, character=b.character))

    def name_of(self, span: ast.Span, name: str | None, after: str = "") -> tuple[int, int] | None:
        """The offsets of `name` in the text of `span` (after the word `after`)."""
        if not name:
            return None
        text = self.source[span.start:span.end]
        skip = len(after) if after and text.startswith(after) else 0
        found = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text[skip:])
        if found is None:
            return None
        start = span.start + skip + found.start()
        return start, start + len(name)

    def text(self, span: ast.Span) -> str:
        text = " ".join(self.source[span.start:span.end].split())
        return text if len(text) <= _TEXT_CHARS else text[:_TEXT_CHARS - 1] + "…"


def _expr_span(node: ast.Expr) -> ast.Span:
    return node.span
