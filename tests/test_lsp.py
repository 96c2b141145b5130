"""The language server (`ddm lsp`), driven over its protocol as an editor drives it.

One server process serves the whole module (`python -m ddm_lang.lsp`, stdio, JSON-RPC with
the LSP's Content-Length framing); each test opens its own document in it. The pure parts
(what the cursor's context is, the reference's index, the TextMate grammar) are tested
directly.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from ddm_lang.lsp import context as ctx
from ddm_lang.lsp.docs import KEYWORD_SECTIONS, load
from ddm_lang.lsp.positions import LineIndex, Position
from ddm_lang.semantics import operations
from ddm_lang.semantics.functions import FUNCTIONS
from ddm_lang.semantics.svg_vocab import DDM_PROPERTIES, ELEMENT_TAGS
from ddm_lang.stdlib_templates import stdlib_dir
from ddm_lang.syntax.ast import Span
from ddm_lang.syntax.formatter import format_source

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 20.0

LIB = """\
// A shared kit.
let brand_ink = #1d2b24
component rule(tone = #2e6e54) {
  rect { box: 0 0 100% 100%; fill: tone }
}
"""

MAIN = """\
template sample "A sample"
formats feed 1080x1080, banner 1200x628

import rule, brand_ink from "lib.ddm"

object hero = image from product.images prefer megapixels desc

let paper = #f4f1ea

component chip(label: string, tone: color = #e11d48) {
  rect bg { box: 0 0 100% 100%; rx: 12; fill: tone }
  text t = label { box: 10% 15% 80% 70%; size: fit(8, 200) }
}

rect background { box: 0 0 100% 100%; fill: paper }
image hero | place in slot(right 50%) fit contain
text headline = product.title { box: 6% 16% 40% 36%; size: fit(14, 64); fill: tint(paper, 0.2) }
chip sale { label: "Sale"; box: top-right margin 4% size 18% 9% }
rule { box: 8% 30% 84% 1%; tone: brand_ink }
for point, i in product.selling_points[:2] {
  text = point { box: 6% (60% + i * 10%) 40% 8%; size: fit(10, 30) }
}
"""


# ---- a minimal LSP client over the server's stdio ----------------------------------

class Client:
    """JSON-RPC with Content-Length framing: requests wait for their response;
    `publishDiagnostics` notifications are kept per document; requests from the server
    are answered with null."""

    def __init__(self, command: list[str], cwd: Path):
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd)
        self._next = 0
        self._responses: dict[int, queue.Queue[dict]] = {}
        self._diagnostics: dict[str, queue.Queue[dict]] = {}
        self._lock = threading.Lock()
        self.stderr: list[bytes] = []  # drained, so a chatty server never blocks on it
        for target in (self._read, self._drain):
            threading.Thread(target=target, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def _write(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(stream.read(length))
            if "id" in message and "method" in message:  # a request from the server
                self._write({"id": message["id"], "result": None})
            elif "id" in message:
                self._queue(self._responses, message["id"]).put(message)
            elif message.get("method") == "textDocument/publishDiagnostics":
                self._queue(self._diagnostics, message["params"]["uri"]).put(message["params"])

    def _queue(self, table: dict, key: Any) -> queue.Queue:
        with self._lock:
            return table.setdefault(key, queue.Queue())

    def request(self, method: str, params: Any) -> Any:
        self._next += 1
        ident = self._next
        waiting = self._queue(self._responses, ident)
        self._write({"id": ident, "method": method, "params": params})
        try:
            message = waiting.get(timeout=TIMEOUT)
        except queue.Empty:
            said = b"".join(self.stderr)[-2000:]
            raise AssertionError(f"no answer to {method}; the server said {said!r}") from None
        assert "error" not in message, message["error"]
        return message["result"]

    def notify(self, method: str, params: Any) -> None:
        self._write({"method": method, "params": params})

    def diagnostics(self, uri: str, version: int) -> list[dict]:
        """The diagnostics the server published for this version of a document."""
        waiting = self._queue(self._diagnostics, uri)
        while True:
            params = waiting.get(timeout=TIMEOUT)
            if params.get("version") == version:
                return params["diagnostics"]

    def close(self) -> int:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            return self.proc.wait(timeout=TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp")
    (root / "lib.ddm").write_text(LIB, "utf-8")
    (root / "main.ddm").write_text(MAIN, "utf-8")
    return root


@pytest.fixture(scope="module")
def client(folder: Path) -> Iterator[Client]:
    c = Client([sys.executable, "-m", "ddm_lang.lsp"], cwd=REPO)
    result = c.request("initialize", {
        "processId": None, "rootUri": folder.as_uri(),
        "capabilities": {"textDocument": {"completion": {
            "completionItem": {"snippetSupport": True}}}}})
    assert result["serverInfo"]["name"] == "ddm"
    caps = result["capabilities"]
    assert caps["textDocumentSync"]["change"] == 1  # full
    for feature in ("completionProvider", "hoverProvider", "definitionProvider",
                    "documentFormattingProvider", "documentSymbolProvider"):
        assert caps.get(feature), feature
    c.notify("initialized", {})
    yield c
    assert c.close() == 0


class Doc:
    """One open document of the module's server."""

    count = 0

    def __init__(self, client: Client, folder: Path, text: str, name: str | None = None):
        Doc.count += 1
        self.client = client
        self.path = folder / (name or f"doc{Doc.count}.ddm")
        self.path.write_text(text, "utf-8")
        self.uri = self.path.as_uri()
        self.text = text
        self.version = 1
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.uri, "languageId": "ddm", "version": 1, "text": text}})

    def diagnostics(self) -> list[dict]:
        return self.client.diagnostics(self.uri, self.version)

    def change(self, text: str) -> list[dict]:
        self.version += 1
        self.text = text
        self.client.notify("textDocument/didChange", {
            "textDocument": {"uri": self.uri, "version": self.version},
            "contentChanges": [{"text": text}]})
        return self.diagnostics()

    def at(self, needle: str, delta: int = 0, nth: int = 0) -> dict:
        """The LSP position of the `nth` occurrence of `needle`, moved by `delta`."""
        offset = -1
        for _ in range(nth + 1):
            offset = self.text.index(needle, offset + 1)
        p = LineIndex(self.text).position(offset + delta)
        return {"line": p.line, "character": p.character}

    def request(self, method: str, position: dict | None = None, **more: Any) -> Any:
        params: dict[str, Any] = {"textDocument": {"uri": self.uri}, **more}
        if position is not None:
            params["position"] = position
        return self.client.request(method, params)

    def labels(self, position: dict) -> list[str]:
        result = self.request("textDocument/completion", position)
        items = result["items"] if isinstance(result, dict) else result
        return [i["label"] for i in items]


# ---- diagnostics --------------------------------------------------------------------

def test_a_valid_template_has_no_diagnostics_and_a_broken_edit_has_the_checkers(
        client: Client, folder: Path) -> None:
    doc = Doc(client, folder, MAIN)
    assert doc.diagnostics() == []
    broken = MAIN.replace("fill: paper }", "fill: papr }")
    found = doc.change(broken)
    assert [d["code"] for d in found] == ["check.unknown-name"]
    d = found[0]
    line = broken.splitlines().index("rect background { box: 0 0 100% 100%; fill: papr }")
    column = broken.splitlines()[line].index("papr")
    assert d["range"] == {"start": {"line": line, "character": column},
                          "end": {"line": line, "character": column + 4}}
    assert d["source"] == "ddm" and d["severity"] == 1
    assert "unknown name `papr`" in d["message"] and "did you mean `paper`?" in d["message"]
    assert doc.change(MAIN) == []  # fixed again: the squiggle goes


def test_a_syntax_error_and_columns_after_astral_characters(client: Client, folder: Path) -> None:
    doc = Doc(client, folder, 'template t "T"\nformats feed 10x10\nrect r { fill: #fff\n')
    [d] = doc.diagnostics()
    assert d["code"].startswith("syntax.") and d["range"]["start"]["line"] == 3
    # an emoji counts two UTF-16 units: the squiggle still sits under `papr`
    text = 'template t "T"\nformats feed 10x10\nlet paper = #fff\ntext t = "😀" { fill: papr }\n'
    [d] = doc.change(text)
    assert d["code"] == "check.unknown-name"
    assert d["range"]["start"] == {"line": 3, "character": len('text t = "😀" { fill: ') + 1}


def test_problems_in_an_imported_file_show_on_the_import(client: Client, folder: Path) -> None:
    (folder / "bad_lib.ddm").write_text("let ink = #1d2b24\nlet other = tnit(ink, 0.2)\n",
                                        "utf-8")
    doc = Doc(client, folder, 'template t "T"\nformats feed 10x10\n\nimport "bad_lib.ddm"\n'
                              "rect { fill: ink }\n")
    [d] = doc.diagnostics()
    assert d["code"] == "check.unknown-function"
    assert d["range"]["start"]["line"] == 3  # the import line
    assert "bad_lib.ddm:2:" in d["message"]
    [related] = d["relatedInformation"]
    assert related["location"]["uri"].endswith("bad_lib.ddm")
    assert related["location"]["range"]["start"] == {"line": 1, "character": 12}
    # through a library that imports it: on the import that leads there
    (folder / "mid_lib.ddm").write_text('import "bad_lib.ddm"\nlet mid = 1\n', "utf-8")
    [d] = doc.change('template t "T"\nformats feed 10x10\nimport "lib.ddm"\n'
                     'import "mid_lib.ddm"\nrect { fill: ink }\n')
    assert d["code"] == "check.unknown-function" and d["range"]["start"]["line"] == 3


# ---- completion ---------------------------------------------------------------------

def test_completion_after_a_bar_offers_the_operations(client: Client, folder: Path) -> None:
    text = MAIN.replace("image hero | place", "image hero | pl")
    doc = Doc(client, folder, text)
    labels = doc.labels(doc.at("| pl", 4))
    assert set(operations.OPERATIONS) <= set(labels)
    assert "rect" not in labels and "tint" not in labels  # only operations fit after `|`
    result = doc.request("textDocument/completion", doc.at("| pl", 4))
    place = next(i for i in result["items"] if i["label"] == "place")
    # the edit replaces the part already typed
    assert place["textEdit"]["range"]["start"] == doc.at("| pl", 2)


def test_completion_of_an_operations_arguments_and_clauses(client: Client, folder: Path) -> None:
    text = MAIN.replace("fit contain\n", "fit contain | shadow(kind: drop, o) | place \n")
    doc = Doc(client, folder, text)
    assert {"kind", "blur", "opacity"} <= set(doc.labels(doc.at("drop, o", 6)))
    assert {"drop", "contact"} <= set(doc.labels(doc.at("kind: ", 6)))
    clauses = doc.labels(doc.at("| place \n", 8))
    assert {"in", "fit", "anchor", "avoid", "when"} <= set(clauses)
    assert "to" not in clauses  # `to` is extend's clause, not place's
    assert {"contain", "cover", "subject"} <= set(doc.labels(doc.at("fit contain |", 4)))


def test_completion_of_members(client: Client, folder: Path) -> None:
    text = MAIN.replace("fill: tint(paper, 0.2) }",
                        "fill: tint(paper, 0.2); content: product.price. }"
                        ).replace("prefer megapixels desc",
                                  "where subject. prefer megapixels desc\nlet c = hero.palette.")
    doc = Doc(client, folder, MAIN)
    doc.diagnostics()
    doc.change(text)  # broken while typing: the names come from the version that parsed
    assert {"amount", "currency", "discount"} <= set(doc.labels(doc.at("product.price.", 14)))
    assert {"found", "area", "box", "facing"} <= set(doc.labels(doc.at("subject.", 8)))
    assert {"dominant", "accent"} <= set(doc.labels(doc.at("hero.palette.", 13)))
    fields = set(doc.labels(doc.at("product.price.", 8)))
    assert {"title", "images", "price", "brand", "selling_points"} <= fields  # sample catalogue


def test_completion_at_a_statement_and_in_a_block(client: Client, folder: Path) -> None:
    doc = Doc(client, folder, MAIN + "\n\ntext note { fo }\n")
    start = set(doc.labels(doc.at("\n\ntext note", 2)))
    assert {"rect", "text", "image", "group", "chip", "rule", "let", "object", "for"} <= start
    assert "fill" not in start and "place" not in start
    props = set(doc.labels(doc.at("{ fo }", 4)))
    assert {"font", "fill", "box", "size", "max-lines", "flow"} <= props
    assert "fit" not in props  # an image's property, not a text's
    instance = set(doc.labels(doc.at("chip sale { ", 12)))
    assert {"label", "tone", "box"} <= instance  # a component's parameters are its properties


def test_completion_of_names_in_scope(client: Client, folder: Path) -> None:
    doc = Doc(client, folder, MAIN.replace("fill: paper }", "fill: pa }"))
    labels = set(doc.labels(doc.at("fill: pa }", 8)))
    assert {"paper", "hero", "product", "tint", "contrast"} <= labels
    assert "label" not in labels  # a component's parameter is not in scope outside it


# ---- hover, definition, formatting, outline -----------------------------------------

def _hover(doc: Doc, needle: str, delta: int = 1, nth: int = 0) -> str:
    result = doc.request("textDocument/hover", doc.at(needle, delta, nth))
    assert result is not None, needle
    return result["contents"]["value"]


def test_hover_quotes_the_reference(client: Client, folder: Path) -> None:
    doc = Doc(client, folder, MAIN)
    assert "mix towards white" in _hover(doc, "tint(")
    assert "crops, scales and positions" in _hover(doc, "place in")
    assert "position and size" in _hover(doc, "box: 6% 16%")
    assert "`subject.area`" not in _hover(doc, "megapixels")  # an attribute, not another one
    assert "width × height / 1e6" in _hover(doc, "megapixels")
    assert "#f4f1ea" in _hover(doc, "paper }")  # a let: its declaration
    assert "<title>" in _hover(doc, "template")


def test_go_to_definition(client: Client, folder: Path) -> None:
    doc = Doc(client, folder, MAIN)

    def target(needle: str, delta: int = 1, nth: int = 0) -> dict:
        result = doc.request("textDocument/definition", doc.at(needle, delta, nth))
        assert result is not None, needle
        return result[0] if isinstance(result, list) else result

    let = target("paper }")
    assert let["uri"] == doc.uri and let["range"]["start"] == doc.at("paper = #f4")
    component = target("chip sale")
    assert component["range"]["start"] == doc.at("chip(label")
    param = target("label: \"Sale\"")  # an instance's property is the component's parameter
    assert param["range"]["start"] == doc.at("label: string")
    loop = target("point {")
    assert loop["range"]["start"] == doc.at("point, i")
    obj = target("hero |")
    assert obj["range"]["start"] == doc.at("hero = image")
    kit_param = target("tone: brand_ink")  # a parameter of a component from another file
    assert kit_param["uri"] == (folder / "lib.ddm").as_uri()
    assert kit_param["range"]["start"] == {"line": 2, "character": 15}
    imported = target("rule {")
    assert imported["uri"] == (folder / "lib.ddm").as_uri()
    assert imported["range"]["start"] == {"line": 2, "character": 10}
    path = target('"lib.ddm"', 2)
    assert path["uri"] == (folder / "lib.ddm").as_uri()


def test_formatting_is_ddm_fmt(client: Client, folder: Path) -> None:
    messy = ('template   t "T"\nformats feed 10x10\nrect r {fill:#ffffff;box:0 0 10% 10%}\n'
             "let  x=1+2 // the sum\n")
    doc = Doc(client, folder, messy)
    [edit] = doc.request("textDocument/formatting",
                         options={"tabSize": 2, "insertSpaces": True})
    assert edit["newText"] == format_source(messy, str(doc.path))
    assert edit["range"]["start"] == {"line": 0, "character": 0}
    assert edit["range"]["end"] == {"line": 4, "character": 0}
    doc.change(format_source(messy))
    assert doc.request("textDocument/formatting", options={"tabSize": 2,
                                                           "insertSpaces": True}) == []
    doc.change(messy + "rect {")  # does not parse: no edit
    assert doc.request("textDocument/formatting", options={"tabSize": 2,
                                                           "insertSpaces": True}) == []


def test_the_outline(client: Client, folder: Path) -> None:
    doc = Doc(client, folder, MAIN)
    symbols = doc.request("textDocument/documentSymbol")
    names = [s["name"] for s in symbols]
    assert names[:6] == ["sample", "formats", "lib.ddm", "hero", "paper", "chip"]
    assert "rect background" in names and "image hero" in names and "chip sale" in names
    formats = symbols[1]
    assert [c["name"] for c in formats["children"]] == ["feed", "banner"]
    chip = symbols[5]
    assert [c["name"] for c in chip["children"]] == ["rect bg", "text t"]
    loop = next(s for s in symbols if s["name"].startswith("for point"))
    assert [c["name"] for c in loop["children"]] == ["text"]
    paper = symbols[4]
    assert paper["selectionRange"]["start"] == doc.at("paper = #f4")


# ---- the pure parts -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "extra"), [
    ("image hero | ", ctx.OPERATION, {"element": "image"}),
    ("image hero | place fit ", ctx.CLAUSE_VALUE, {"operation": "place", "clause": "fit"}),
    ("image hero | place in slot(right 50%) ", ctx.CLAUSE, {"operation": "place"}),
    ("image hero | shadow(kind: drop, ", ctx.ARGUMENTS, {"operation": "shadow",
                                                         "argument": None}),
    ("text t = caption(kind: ", ctx.ARGUMENTS, {"function": "caption", "argument": "kind"}),
    ("let c = scheme(tone, ", ctx.ARGUMENTS, {"function": "scheme", "position": 1}),
    ("rect r {\n  fill: red;\n  st", ctx.BLOCK, {"element": "rect", "prefix": "st"}),
    ("text t = \"a\" { size: fit(1, 2); fill: ", ctx.VALUE, {"element": "text",
                                                             "property": "fill"}),
    ("group { rect {} ", ctx.BLOCK, {"element": "group"}),
    ("when wide {\n  ", ctx.STATEMENT, {}),
    # an override: a `when` inside an element's block holds that element's properties
    ('rect a {\n  box: 0 0 1 1;\n  when format.name == "feed" { fi', ctx.BLOCK,
     {"element": "rect", "prefix": "fi"}),
    ('text t = "x" { when wide { box: 1 2 3 4; fill: ', ctx.VALUE,
     {"element": "text", "property": "fill"}),
    ("group g { when wide { ", ctx.BLOCK, {"element": "group"}),
    ("object hero = image from product.images\n  where ", ctx.EXPRESSION, {"perception": True}),
    ("object hero = image from product.images where subject.", ctx.MEMBER,
     {"path": ("subject",), "perception": True}),
    ("let y = shots[0].", ctx.MEMBER, {"path": ("shots", "[]")}),
    ('text t = "Hello {product.', ctx.MEMBER, {"path": ("product",)}),
    ('text t = "Hello {up', ctx.EXPRESSION, {"prefix": "up"}),
    ('text t = "Hello', ctx.NONE, {}),
    ("// a comment ", ctx.NONE, {}),
    ("rect r { x: 10", ctx.NONE, {}),
    ('import a from "li', ctx.IMPORT_PATH, {"prefix": "li"}),
    ("image ", ctx.ELEMENT_NAME, {"element": "image"}),
    ("component c(tone: ", ctx.PARAM_TYPE, {}),
    ("let x = 1\nre", ctx.STATEMENT, {"prefix": "re"}),
    # a mistake in an earlier statement does not blind the rest of the file
    ("rect a { fill: = }\nimage hero | place ", ctx.CLAUSE, {"operation": "place"}),
])
def test_the_context_at_the_cursor(text: str, kind: str, extra: dict) -> None:
    found = ctx.classify(text, len(text))
    assert found.kind == kind
    for name, value in extra.items():
        assert getattr(found, name) == value, name


def test_keywords_come_from_the_grammar_where_they_fit() -> None:
    after_op = ctx.classify("image hero | place ", 19)
    assert {"in", "fit", "anchor", "avoid", "when", "let", "object"} <= after_op.keywords
    assert "where" not in after_op.keywords
    in_object = ctx.classify("object hero = image from product.images ", 40)
    assert {"where", "prefer"} <= in_object.keywords


def test_line_index_counts_utf16_units_and_compiler_spans() -> None:
    text = "a😀b\nxyz\n"
    index = LineIndex(text)
    assert index.position(2) == Position(0, 3)  # after the emoji: 1 + 2 units
    assert index.offset(Position(0, 3)) == 2
    assert index.offset(Position(1, 2)) == 6
    span = Span("f", 1, 3, 1, 4, 2, 3)  # the `b`
    r = index.span_range(span)
    assert (r.start, r.end) == (Position(0, 3), Position(0, 4))
    assert LineIndex(text, "utf-32").position(2) == Position(0, 2)
    assert LineIndex(text, "utf-8").position(2) == Position(0, 5)  # the emoji is 4 bytes
    assert LineIndex(text, "utf-8").offset(Position(0, 5)) == 2


def test_the_reference_index_finds_what_language_md_documents() -> None:
    """Every name the reference writes as code is found by the index that hovers quote,
    whichever way the reference documents it (a table row, a paragraph, a section)."""
    docs = load()
    text = (REPO / "docs" / "language.md").read_text("utf-8")
    names = [("function", n) for n in FUNCTIONS] + [
        ("operation", n) for n in operations.OPERATIONS] + [
        ("property", n) for n in DDM_PROPERTIES] + [
        ("element", n) for n in ELEMENT_TAGS] + [
        ("keyword", k) for k in KEYWORD_SECTIONS] + [
        ("keyword", k) for k in ("and", "or", "not", "true", "false", "none")]
    missing = [f"{kind} {name}" for kind, name in names
               if f"`{name}" in text and not docs.lookup(kind, name)]
    assert not missing, missing
    core = [("function", "tint"), ("function", "slot"), ("operation", "place"),
            ("operation", "caption"), ("property", "box"), ("property", "flow"),
            ("element", "rect"), ("element", "image"), ("keyword", "where"),
            ("keyword", "component"), ("keyword", "fit"), ("attribute", "subject.area")]
    assert all(docs.lookup(kind, name) for kind, name in core)
    assert "crops, scales" in (docs.lookup("operation", "place") or "")
    assert "subject mask area" in (docs.lookup("attribute", "subject.area") or "")
    assert "ranked by the `prefer` keys" in (docs.lookup("keyword", "desc") or "")


def test_the_font_words_are_the_binders() -> None:
    from ddm_lang.bind.binder import WEIGHT_WORDS
    from ddm_lang.lsp.vocabulary import FONT_WORDS
    assert set(FONT_WORDS) - {"italic"} == set(WEIGHT_WORDS)


def test_the_server_loads_neither_pygls_for_other_commands_nor_the_imaging_stack() -> None:
    probe = ("import sys\nimport ddm_lang.lsp.command\n"
             "assert 'pygls' not in sys.modules\n"
             "import ddm_lang.lsp.server\nfrom ddm_lang.lsp.catalogue import load_fields\n"
             "assert load_fields().root.children\n"
             "print(','.join(m for m in ('skia', 'cv2', 'numpy', 'PIL', 'onnxruntime') "
             "if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""


# ---- the TextMate grammar -------------------------------------------------------------

GRAMMAR = REPO / "editors" / "vscode" / "syntaxes" / "ddm.tmLanguage.json"


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key in ("match", "begin", "end", "while"):
            if isinstance(node.get(key), str):
                yield node[key]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_the_textmate_grammar_is_valid_and_knows_the_language() -> None:
    grammar = json.loads(GRAMMAR.read_text("utf-8"))
    assert grammar["scopeName"] == "source.ddm" and "ddm" in grammar["fileTypes"]
    compiled = [re.compile(p) for p in _patterns(grammar)]  # Oniguruma's subset Python reads
    assert len(compiled) > 15
    rules = grammar["repository"]
    keyword = re.compile(rules["keywords"]["match"])
    from ddm_lang.lsp.vocabulary import CLAUSE_KEYWORDS, keywords
    words = (keywords() - set(CLAUSE_KEYWORDS)) | {"in"}  # every keyword of the grammar
    assert {"template", "formats", "object", "where", "prefer", "when", "else", "for"} <= words
    for word in words:
        assert keyword.fullmatch(word), word
    for name in ("templates", "top-left", "in-stock", "format.none"):
        assert not keyword.fullmatch(name) and not keyword.search(name), name
    clause = re.compile(rules["clause-keywords"]["match"])
    for word in ("to", "fit", "avoid", "anchor", "with", "at", "by", "side"):
        assert clause.match(f"{word} x"), word
    assert not clause.match("fit: cover") and not clause.match("fit(10, 20)")
    # every statement keyword and element kind the standard templates use is coloured
    used: set[str] = set()
    for path in stdlib_dir().glob("*.ddm"):
        used |= set(re.findall(r"^\s*(template|formats|import|object|component|let|for|when|"
                               r"else|raw)\b", path.read_text("utf-8"), re.M))
    assert {"template", "formats", "object", "let", "when"} <= used
    assert all(keyword.fullmatch(w) for w in used)
    kinds = re.compile(rules["element-kind"]["match"])
    for kind in ELEMENT_TAGS:
        assert kinds.match(f"  {kind} name {{").group(1) == kind, kind
    assert not kinds.match("  filter: none")  # a property, not an element
    builtins = re.compile(rules["function-call"]["patterns"][0]["match"])
    for name in FUNCTIONS:
        assert builtins.match(f"{name}(").group(1) == name, name
    operation_calls = re.compile(rules["function-call"]["patterns"][1]["match"])
    for name in operations.OPERATIONS:  # `| shadow(kind: drop)`, `caption(kind: cta)`
        assert operation_calls.match(f"{name}(").group(1) == name, name
    operation = re.compile(rules["operation"]["match"])
    assert operation.search("image hero | place in").group(2) == "place"
    prop = re.compile(rules["property"]["match"])
    assert prop.search("{ stroke-width: 2 }").group(1) == "stroke-width"
    number = re.compile(rules["number"]["match"])
    assert number.search("size 40%").groups() == ("40", "%")
    assert number.search("#fff") is None
