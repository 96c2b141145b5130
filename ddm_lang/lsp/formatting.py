"""Formatting: the document as `ddm fmt` prints it, as one edit of the whole text.

`ddm fmt` and the editor must agree to the byte, or saving a formatted file would make a
diff in review: both call `format_source`. A document that does not parse is left alone
(its diagnostics say why), and one already in canonical form gets no edit at all.
"""

from __future__ import annotations

from lsprotocol import types

from ddm_lang.syntax.diagnostics import DiagnosticError
from ddm_lang.syntax.formatter import format_source

from .documents import Document


def format_document(doc: Document) -> list[types.TextEdit]:
    try:
        formatted = format_source(doc.source, doc.shown)
    except DiagnosticError:
        return []
    if formatted == doc.source:
        return []
    end = doc.index.end()
    whole = types.Range(start=types.Position(line=0, character=0),
                        end=types.Position(line=end.line, character=end.character))
    return [types.TextEdit(range=whole, new_text=formatted)]
