"""Diagnostics: what a template author sees when something is wrong.

Every problem in a template, from a stray character to a misspelt perception attribute,
becomes a `Diagnostic` with a span, printed as `file:line:col`, the source line and a
caret under the offending text, plus a hint where one helps. No stage lets a Python
traceback reach a user for a template mistake: they raise `DiagnosticError` instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only named in annotations: `ddm` starts without building the AST's classes
    from .ast import Span


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    hint: str | None = None
    severity: str = "error"

    def render(self, source: str | None = None) -> str:
        """`file:line:col: error[code]: message`, then the line with a caret, then the hint."""
        s = self.span
        head = f"{s.file}:{s.line}:{s.column}: {self.severity}[{self.code}]: {self.message}"
        lines = [head]
        text = _source_line(source, s.line) if source is not None else None
        if text is not None:
            width = 1
            if s.end_line == s.line and s.end_column > s.column:
                width = s.end_column - s.column
            shown, column, width = _clip(text.expandtabs(1), s.column, width)
            gutter = f"{s.line:>4} | "
            lines.append(gutter + shown)
            lines.append(" " * (len(gutter) + column - 1) + "^" * width)
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


SHOWN_LINE_CHARS = 120  # of a source line under a diagnostic; a line may be a megabyte
_BEFORE_CARET = 40      # of those, shown before the caret when the line is cut


def _source_line(source: str, number: int) -> str | None:
    """Line `number` (1-based) as spans count lines (at `\n` only), or None past the end."""
    if number < 1:
        return None
    start = 0
    for _ in range(number - 1):
        start = source.find("\n", start) + 1
        if start == 0:
            return None
    if start == len(source) and number > 1:
        return None  # past the newline that ends the last line
    end = source.find("\n", start)
    return source[start:end if end >= 0 else len(source)].rstrip("\r")


def _clip(line: str, column: int, width: int) -> tuple[str, int, int]:
    """The part of `line` to show around `column`, cut to `SHOWN_LINE_CHARS` with `…` on
    each cut side, with the caret's column in it and its width: a whole megabyte line
    under one error would bury the message."""
    start = 0
    if len(line) > SHOWN_LINE_CHARS:
        start = max(0, min(column - 1 - _BEFORE_CARET, len(line) - SHOWN_LINE_CHARS))
    end = min(len(line), start + SHOWN_LINE_CHARS)
    shown = ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")
    width = max(1, min(width, end - column + 2))
    return shown, column - start + (1 if start else 0), width


class DiagnosticError(Exception):
    """Raised by any stage with every diagnostic it found, and the source to show them in."""

    def __init__(self, diagnostics: Iterable[Diagnostic], source: str | None = None,
                 sources: Mapping[str, str] | None = None):
        self.diagnostics = tuple(diagnostics)
        self.sources = dict(sources or {})
        if source is not None and self.diagnostics:
            self.sources.setdefault(self.diagnostics[0].span.file, source)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n\n".join(d.render(self.sources.get(d.span.file)) for d in self.diagnostics)


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """A hint naming the closest candidate, or None when nothing is close."""
    best = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=cutoff)
    return f"did you mean `{best[0]}`?" if best else None
