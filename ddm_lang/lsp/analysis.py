"""Check a document as `ddm check` does and turn every problem into an LSP diagnostic.

The document is parsed under its own file path, so the checker resolves its imports
against the folder it is in (the template root, as for `ddm check FILE`) and reports
problems inside an imported file under that file's path. Those belong to another file:
they are shown on the `import` that brought them in, naming where they are, with a
related location that opens the other file at the problem.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types

from ddm_lang.semantics.checker import MAX_IMPORT_DEPTH, check
from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import Diagnostic, DiagnosticError
from ddm_lang.syntax.parser import parse

from .bindings import parsed_file
from .positions import LineIndex, Range

SOURCE = "ddm"
_SEVERITY = {"error": types.DiagnosticSeverity.Error,
             "warning": types.DiagnosticSeverity.Warning,
             "note": types.DiagnosticSeverity.Information,
             "info": types.DiagnosticSeverity.Information,
             "hint": types.DiagnosticSeverity.Hint}


@dataclass
class Analysis:
    """A document's parse (None when it does not parse) and its diagnostics."""

    module: ast.Module | None
    diagnostics: list[types.Diagnostic]


def uri_path(uri: str) -> Path | None:
    """The file a `file:` URI names, or None for any other document (an unsaved buffer)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if os.name == "nt" and path.startswith("/") and len(path) > 2 and path[2] == ":":
        path = path[1:]
    return Path(path)


def shown_path(path: Path | None) -> str:
    """The path the compiler is given for a document: its file, or `<template>`."""
    return str(path) if path is not None else "<template>"


def analyse(source: str, path: Path | None, encoding: str) -> Analysis:
    """Parse and check `source` (the document at `path`)."""
    shown = shown_path(path)
    index = LineIndex(source, encoding)
    try:
        module = parse(source, shown)
    except DiagnosticError as err:
        return Analysis(None, convert(err.diagnostics, shown, index, None))
    root = path.parent if path is not None else None
    try:
        check(module, root=root)
    except DiagnosticError as err:
        return Analysis(module, convert(err.diagnostics, shown, index, module))
    return Analysis(module, [])


def convert(diagnostics: tuple[Diagnostic, ...], shown: str, index: LineIndex,
            module: ast.Module | None) -> list[types.Diagnostic]:
    """The document's own diagnostics at their ranges; an imported file's on the import
    that brought it in."""
    out: list[types.Diagnostic] = []
    for d in diagnostics:
        if d.span.file == shown:
            out.append(_diagnostic(d, index.span_range(d.span)))
            continue
        imported = _import_of(module, d.span.file) if module is not None else None
        if imported is None:
            continue
        where = index.span_range(imported.span)
        related = _related(d, index.encoding)
        place = f"{d.span.file}:{d.span.line}:{d.span.column}"
        out.append(_diagnostic(d, where, prefix=f"in {place}: ",
                               related=[related] if related else None))
    return out


def lsp_range(r: Range) -> types.Range:
    return types.Range(start=types.Position(line=r.start.line, character=r.start.character),
                       end=types.Position(line=r.end.line, character=r.end.character))


def _diagnostic(d: Diagnostic, where: Range, prefix: str = "",
                related: list[types.DiagnosticRelatedInformation] | None = None
                ) -> types.Diagnostic:
    message = prefix + d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return types.Diagnostic(range=lsp_range(where), message=message, code=d.code,
                            source=SOURCE,
                            severity=_SEVERITY.get(d.severity, types.DiagnosticSeverity.Error),
                            related_information=related)


def _import_of(module: ast.Module, file: str) -> ast.Import | None:
    """The import of `module` that reads `file`, directly or through the files it imports."""
    wanted = os.path.normpath(file)
    imports = [i for i in module.items if isinstance(i, ast.Import)]
    base = os.path.dirname(module.path)
    for item in imports:
        if os.path.normpath(os.path.join(base, item.path)) == wanted:
            return item
    for item in imports:
        if _reaches(os.path.normpath(os.path.join(base, item.path)), wanted, set()):
            return item
    return None


def _reaches(path: str, wanted: str, seen: set[str]) -> bool:
    """Whether the file at `path` imports `wanted`, at any depth (cycles are cut)."""
    if path in seen or len(seen) > MAX_IMPORT_DEPTH:
        return False
    seen.add(path)
    module = parsed_file(Path(path))
    if module is None:
        return False
    base = os.path.dirname(path)
    for item in module.items:
        if isinstance(item, ast.Import):
            target = os.path.normpath(os.path.join(base, item.path))
            if target == wanted or _reaches(target, wanted, seen):
                return True
    return False


def _related(d: Diagnostic, encoding: str) -> types.DiagnosticRelatedInformation | None:
    path = Path(d.span.file)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    where = LineIndex(text, encoding).span_range(d.span)
    return types.DiagnosticRelatedInformation(
        location=types.Location(uri=path.resolve().as_uri(), range=lsp_range(where)),
        message=d.message)
