"""The open documents as the server knows them: text, parse, diagnostics and names.

While an author types, the text is mostly broken; the names it defines are taken from
the latest version that parsed, so completion and go to definition keep working between
two valid states of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ddm_lang.syntax import ast

from .analysis import Analysis, analyse, shown_path, uri_path
from .bindings import Names, collect
from .positions import LineIndex


@dataclass
class Document:
    uri: str
    source: str
    version: int | None
    path: Path | None
    encoding: str
    analysis: Analysis
    good: ast.Module | None = None   # the latest parse that succeeded
    names: Names | None = None       # the bindings of `good`
    index: LineIndex = field(init=False)

    def __post_init__(self) -> None:
        self.index = LineIndex(self.source, self.encoding)

    @property
    def shown(self) -> str:
        return shown_path(self.path)

    @property
    def folder(self) -> Path | None:
        return self.path.parent if self.path is not None else None


class Documents:
    """Every open document by URI."""

    def __init__(self) -> None:
        self._docs: dict[str, Document] = {}

    def update(self, uri: str, source: str, version: int | None, encoding: str) -> Document:
        """Analyse a new text of a document and keep it."""
        path = uri_path(uri)
        analysis = analyse(source, path, encoding)
        previous = self._docs.get(uri)
        good = analysis.module or (previous.good if previous else None)
        names = (collect(good) if analysis.module is not None or previous is None
                 else previous.names) if good is not None else None
        doc = Document(uri, source, version, path, encoding, analysis, good, names)
        self._docs[uri] = doc
        return doc

    def get(self, uri: str) -> Document | None:
        return self._docs.get(uri)

    def close(self, uri: str) -> None:
        self._docs.pop(uri, None)

    def all(self) -> list[Document]:
        return list(self._docs.values())
