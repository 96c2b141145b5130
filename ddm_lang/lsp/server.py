"""The language server: pygls speaks the protocol, the modules beside this one answer.

Each LSP feature is a thin handler here that finds the document, converts positions and
calls the module that knows the answer (`analysis`, `completion`, `hover`, `definition`,
`symbols`, `formatting`), so the language logic is testable without a client and the
protocol plumbing stays in one place. Documents are synchronised in full: templates are
small, and a full text cannot drift from the editor's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ddm_lang.version import __version__

from . import docs as docs_module
from .catalogue import ProductFields, load_fields
from .completion import Sources, complete
from .definition import definition
from .documents import Document, Documents
from .formatting import format_document
from .hover import hover
from .positions import LineIndex, Position
from .symbols import outline

NAME = "ddm"
TRIGGERS = ["|", ".", "(", ":", '"']  # the rest come as the author types a word


class DdmLanguageServer(LanguageServer):
    """A pygls server holding the open documents and what completion draws on."""

    def __init__(self, catalogue: Path | None = None, docs_path: Path | None = None):
        super().__init__(NAME, __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.documents = Documents()
        self.catalogue = catalogue
        self.docs = docs_module.load(str(docs_path) if docs_path else None)
        self._fields: ProductFields | None = None

    @property
    def fields(self) -> ProductFields:
        """The product fields of the catalogue, read on first use."""
        if self._fields is None:
            self._fields = load_fields(self.catalogue)
            if self._fields.problem:
                self.window_log_message(types.LogMessageParams(
                    type=types.MessageType.Warning,
                    message=f"ddm lsp: no product fields to complete: {self._fields.problem}"))
        return self._fields

    @property
    def encoding(self) -> str:
        """The position encoding agreed with the client: "utf-16" unless it offered another."""
        kind = getattr(self.workspace, "position_encoding", None)
        return str(getattr(kind, "value", kind) or "utf-16")

    def snippets(self) -> bool:
        """Whether the client takes snippets in completion items."""
        document = self.client_capabilities.text_document
        completion = document.completion if document else None
        item = completion.completion_item if completion else None
        return bool(item and item.snippet_support)

    def sync(self, uri: str, text: str, version: int | None) -> Document:
        """Analyse a document's text and publish its diagnostics."""
        doc = self.documents.update(uri, text, version, self.encoding)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=version, diagnostics=doc.analysis.diagnostics))
        return doc

    def offset(self, doc: Document, position: types.Position) -> int:
        return doc.index.offset(Position(position.line, position.character))


def build_server(catalogue: Path | None = None, docs_path: Path | None = None
                 ) -> DdmLanguageServer:
    """A server with every feature registered; `start_io()` runs it on stdin/stdout."""
    server = DdmLanguageServer(catalogue, docs_path)

    @server.feature(types.INITIALIZE)
    def initialize(ls: DdmLanguageServer, params: types.InitializeParams) -> None:
        options: Any = params.initialization_options
        if isinstance(options, dict) and options.get("catalogue"):
            ls.catalogue = Path(str(options["catalogue"])).expanduser()
            ls._fields = None

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DdmLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        ls.sync(item.uri, item.text, item.version)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: DdmLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        text = ls.workspace.get_text_document(params.text_document.uri).source
        ls.sync(params.text_document.uri, text, params.text_document.version)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DdmLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        # a saved library changes what the templates importing it report: check them again
        for doc in ls.documents.all():
            ls.sync(doc.uri, doc.source, doc.version)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DdmLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.documents.close(params.text_document.uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=TRIGGERS))
    def completion(ls: DdmLanguageServer, params: types.CompletionParams
                   ) -> types.CompletionList | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        sources = Sources(ls.fields, ls.docs, ls.snippets())
        items = complete(doc, ls.offset(doc, params.position), sources)
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: DdmLanguageServer, params: types.HoverParams) -> types.Hover | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        found = hover(doc, ls.offset(doc, params.position), ls.docs, ls.fields)
        if found is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=found.markdown),
            range=_range(doc.index, found.start, found.end))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: DdmLanguageServer, params: types.DefinitionParams
                      ) -> types.Location | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        target = definition(doc, ls.offset(doc, params.position))
        if target is None:
            return None
        if target.local:
            return types.Location(uri=doc.uri, range=_range(doc.index, target.start, target.end))
        path = Path(target.file)
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        return types.Location(uri=path.resolve().as_uri(),
                              range=_range(LineIndex(text, ls.encoding), target.start, target.end))

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def on_formatting(ls: DdmLanguageServer, params: types.DocumentFormattingParams
                      ) -> list[types.TextEdit]:
        doc = ls.documents.get(params.text_document.uri)
        return format_document(doc) if doc is not None else []

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_symbols(ls: DdmLanguageServer, params: types.DocumentSymbolParams
                   ) -> list[types.DocumentSymbol]:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None or doc.good is None:
            return []
        module = doc.good
        index = doc.index if module.source == doc.source else LineIndex(module.source, ls.encoding)
        components = [b.name for b in doc.names.components()] if doc.names else []
        return outline(module, index, components)

    return server


def _range(index: LineIndex, start: int, end: int) -> types.Range:
    a, b = index.position(start), index.position(end)
    return types.Range(start=types.Position(line=a.line, character=a.character),
                       end=types.Position(line=b.line, character=b.character))
