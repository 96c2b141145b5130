"""Diagnostics: what a template author sees when something is wrong.

Every problem in a template, from a stray character to a misspelt perception attribute,
becomes a `Diagnostic` with a span, printed as `file:line:col`, the source line and a
caret under the offending text, plus a hint where one helps. No stage lets a Python
traceback reach a user for a template mistake: they raise `DiagnosticError` instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

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
        if source is not None:
            text_lines = source.splitlines()
            if 1 <= s.line <= len(text_lines):
                line = text_lines[s.line - 1].expandtabs(1)
                width = 1
                if s.end_line == s.line and s.end_column > s.column:
                    width = s.end_column - s.column
                width = max(1, min(width, len(line) - s.column + 2))
                gutter = f"{s.line:>4} | "
                lines.append(gutter + line)
                lines.append(" " * (len(gutter) + s.column - 1) + "^" * width)
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class DiagnosticError(Exception):
    """Raised by any stage with every diagnostic it found, and the source to show them in."""

    def __init__(self, diagnostics: Iterable[Diagnostic], source: str | None = None,
                 sources: dict[str, str] | None = None):
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
