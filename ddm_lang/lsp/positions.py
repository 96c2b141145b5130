"""Offsets in a source text ↔ LSP positions.

The compiler counts columns in characters (code points) and lines at `\\n` only; an LSP
client counts columns in UTF-16 code units unless it negotiated another encoding. Every
range the server sends or reads goes through `LineIndex`, so a template with emoji or CJK
text before a diagnostic still gets its squiggle under the right characters.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from ddm_lang.syntax.ast import Span

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def _units(text: str, encoding: str) -> int:
    """How many code units of `encoding` the text takes."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


@dataclass(frozen=True)
class Position:
    """A zero-based line and a column in the client's code units."""

    line: int
    character: int


@dataclass(frozen=True)
class Range:
    start: Position
    end: Position


class LineIndex:
    """Where each line of one text starts, to convert offsets and positions both ways."""

    def __init__(self, text: str, encoding: str = UTF16):
        self.text = text
        self.encoding = encoding
        self.starts = [0]
        start = text.find("\n")
        while start >= 0:
            self.starts.append(start + 1)
            start = text.find("\n", start + 1)

    def line_text(self, line: int) -> str:
        """Line `line` (zero-based) without its line break; '' past the end."""
        if not 0 <= line < len(self.starts):
            return ""
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[line]:end]

    def position(self, offset: int) -> Position:
        """The position of a character offset (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        column = offset - self.starts[line]
        return Position(line, _units(self.text[self.starts[line]:offset], self.encoding)
                        if column else 0)

    def offset(self, position: Position) -> int:
        """The character offset of a position (clamped to its line and the text)."""
        if position.line < 0:
            return 0
        if position.line >= len(self.starts):
            return len(self.text)
        line = self.line_text(position.line)
        units = 0
        for i, char in enumerate(line):
            if units >= position.character:
                return self.starts[position.line] + i
            units += _units(char, self.encoding)
        return self.starts[position.line] + len(line)

    def span_range(self, span: Span) -> Range:
        """The range of a compiler span (1-based lines and character columns), at least one
        character wide where there is a character to mark (the end of the text has none:
        an editor draws an empty range there)."""
        start = self._line_column(span.line, span.column)
        end = self._line_column(span.end_line, span.end_column)
        if (end.line, end.character) <= (start.line, start.character):
            end = self.position(self.offset(start) + 1)
        return Range(start, end)

    def offsets_range(self, start: int, end: int) -> Range:
        return Range(self.position(start), self.position(end))

    def _line_column(self, line: int, column: int) -> Position:
        line0 = max(0, line - 1)
        if line0 >= len(self.starts):
            return self.position(len(self.text))
        text = self.line_text(line0)
        chars = max(0, min(column - 1, len(text)))
        return Position(line0, _units(text[:chars], self.encoding))

    def end(self) -> Position:
        return self.position(len(self.text))
