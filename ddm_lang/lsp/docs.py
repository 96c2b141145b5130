"""The language reference (`docs/language.md`) as hover text.

The reference is the normative description of every function, operation, property,
keyword and element kind, and `tests/test_docs_examples.py` keeps it true to the code, so
hovers quote it rather than a second copy of the same sentences. It is read once and
indexed by the names it documents, found the way a reader finds them:

- a table row documents the names in the code spans of its first cell (`tint(color,
  amount)` documents `tint`; "elements, `for`, `when`, `raw`" documents all three), and
  the table's first header says what kind of name it is (function, operation, DDM
  property, attribute, kinds, statement...); in the table of expression forms, the words
  of its examples (`and`, `x in list`, `a if CONDITION else b`) are the keywords;
- a paragraph or list item that opens with a code span documents the name that span starts
  with ("- `place` crops, scales ..." documents `place`);
- a section documents the keywords its construct is written with (`where` and `prefer`
  under "Abstract objects"): a short table below names the section for each, and the
  section's syntax block (its first plain code fence) is shown with it.

Where the file is not there (an installed wheel carries no docs), the hovers fall back to
the signature tables' own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_FENCE = re.compile(r"(`{3,})([^`]*)\Z")  # an info string never holds a backtick
_CODE = re.compile(r"`([^`]+)`")
_LEADING_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_WORD = re.compile(r"(?<![\w.-])[a-z]+(?![\w(-])")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_ITEM = re.compile(r"(?:[-*]|\d+\.)\s+")

# The first header of a table → the kind of name its rows document.
_TABLE_KINDS = {"statement": "keyword", "function": "function", "operation": "operation",
                "ddm property": "property", "attribute": "attribute", "kinds": "element",
                "name": "name", "unit": "unit", "form": "form"}

# Kinds of name whose section opens with the syntax they are written in.
_KIND_SECTIONS = {"element": "Elements", "operation": "Operations"}

# Keywords documented by a section rather than a row of their own: keyword → (a word of the
# section's title, a phrase of the paragraph to quote or None for the section's first).
KEYWORD_SECTIONS: dict[str, tuple[str, str | None]] = {
    "template": ("Files", None),
    "formats": ("Formats", None),
    "import": ("Imports", None),
    "from": ("Imports", None),
    "object": ("Abstract objects", None),
    "where": ("Abstract objects", None),
    "prefer": ("Abstract objects", "ranked by the `prefer` keys"),
    "asc": ("Abstract objects", "ranked by the `prefer` keys"),
    "desc": ("Abstract objects", "ranked by the `prefer` keys"),
    "let": ("Names in scope", None),
    "component": ("Components", None),
    "for": ("Control", None),
    "when": ("Control", None),
    "else": ("Control", None),
    "raw": ("Raw SVG", None),
    "in": ("Control", None),
    "if": ("Expressions", "if CONDITION else"),
    **{kw: ("Operations", "Clause keywords")
       for kw in ("to", "fit", "avoid", "anchor", "with", "at", "by", "side")},
}


def default_path() -> Path:
    """`docs/language.md` beside the package in a source checkout."""
    return Path(__file__).resolve().parents[2] / "docs" / "language.md"


@dataclass
class Paragraph:
    """A paragraph or list item as one line of markdown; a paragraph that introduces a
    list (ends in ':') holds the list's items too, one per line."""

    text: str


@dataclass
class Section:
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    syntax: str | None = None


@dataclass(frozen=True)
class Row:
    headers: tuple[str, ...]
    cells: tuple[str, ...]
    section: str

    def markdown(self) -> str:
        lines = [self.cells[0]]
        for header, cell in zip(self.headers[1:], self.cells[1:], strict=False):
            if cell and cell != "—":
                lines.append(f"- *{header}*: {cell}")
        return "\n".join(lines)


@dataclass
class DocIndex:
    """Every documented name → the rows and paragraphs that document it."""

    path: str = ""
    rows: dict[tuple[str, str], list[Row]] = field(default_factory=dict)
    paragraphs: dict[str, list[tuple[str, Paragraph]]] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)

    def section(self, word: str) -> Section | None:
        """The first section whose title contains `word`."""
        for section in self.sections:
            if word.lower() in section.title.lower():
                return section
        return None

    def lookup(self, kind: str, name: str, *, paragraphs: int = 2) -> str | None:
        """Markdown documenting `name` as a `kind` (function, operation, property,
        attribute, element, keyword, name, unit), or None when the reference is silent."""
        parts: list[str] = []
        where: list[str] = []
        for row in self.rows.get((kind, name), [])[:2]:
            parts.append(row.markdown())
            where.append(row.section)
        if kind in _KIND_SECTIONS and parts:
            section = self.section(_KIND_SECTIONS[kind])
            if section is not None and section.syntax:
                parts.append(f"```\n{section.syntax}\n```")
        if kind == "keyword" and name in KEYWORD_SECTIONS:
            title, phrase = KEYWORD_SECTIONS[name]
            section = self.section(title)
            if section is not None:
                if section.syntax:
                    parts.append(f"```\n{section.syntax}\n```")
                chosen = [p.text for p in section.paragraphs
                          if phrase is None or phrase in p.text]
                if chosen:
                    parts.append(chosen[0])
                where.append(section.title)
        for section_title, paragraph in self.paragraphs.get(name, [])[:paragraphs]:
            if paragraph.text not in parts:
                parts.append(paragraph.text)
                where.append(section_title)
        if not parts:
            return None
        shown = list(dict.fromkeys(where))
        parts.append(f"*docs/language.md § {' · '.join(shown)}*")
        return "\n\n".join(parts)

    def names(self, kind: str) -> set[str]:
        return {name for (k, name) in self.rows if k == kind}


@cache
def load(path: str | None = None) -> DocIndex:
    """The index of the reference at `path` (default: the checkout's); empty when the
    file cannot be read."""
    p = Path(path) if path else default_path()
    try:
        text = p.read_text("utf-8")
    except OSError:
        return DocIndex(str(p))
    return parse_markdown(text, str(p))


def parse_markdown(text: str, path: str = "") -> DocIndex:
    index = DocIndex(path)
    section = Section("")
    index.sections.append(section)
    lines = text.splitlines()
    i = 0
    block: list[str] = []
    lead: Paragraph | None = None  # a paragraph ending in ':' takes the list after it

    def flush() -> None:
        nonlocal lead
        if not block:
            return
        text = " ".join(s.strip() for s in block)
        block.clear()
        item = _ITEM.match(text) is not None
        if item and lead is not None:
            lead.text += "\n" + text
            return
        paragraph = Paragraph(text)
        section.paragraphs.append(paragraph)
        _index_paragraph(index, section, paragraph)
        lead = paragraph if text.endswith(":") and not item else None

    def close() -> None:
        nonlocal lead
        flush()
        lead = None

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if fence := _FENCE.match(stripped):
            close()
            info, ticks = fence.group(2).strip(), fence.group(1)
            body: list[str] = []
            i += 1
            while i < len(lines) and lines[i].strip() != ticks:
                body.append(lines[i])
                i += 1
            if not info and section.syntax is None:
                section.syntax = "\n".join(body).strip()
        elif match := _HEADING.match(line):
            close()
            section = Section(match.group(2).strip())
            index.sections.append(section)
        elif stripped.startswith("|"):
            close()
            table: list[str] = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                table.append(lines[i].strip())
                i += 1
            _table(index, section, table)
            continue
        elif not stripped:
            flush()
        elif _ITEM.match(stripped) and not line.startswith(" "):
            flush()
            block.append(stripped)
        else:
            block.append(stripped)
        i += 1
    close()
    return index


def _cells(line: str) -> tuple[str, ...]:
    parts = _CELL_SPLIT.split(line.strip().strip("|"))
    return tuple(p.strip().replace("\\|", "|") for p in parts)


def _table(index: DocIndex, section: Section, lines: list[str]) -> None:
    if len(lines) < 3:
        return
    headers = _cells(lines[0])
    kind = _TABLE_KINDS.get(headers[0].lower())
    if kind is None:
        return
    for line in lines[2:]:
        cells = _cells(line)
        row = Row(headers, cells, section.title)
        if kind == "form":  # expressions: the keywords are words in the examples
            names = {word for cell in cells[1:] for code in _CODE.findall(cell)
                     for word in _WORD.findall(code)}
            kind_of = "keyword"
        else:
            names = set()
            for code in _CODE.findall(cells[0]):
                lead = _DOTTED.match(code) if kind == "attribute" else _LEADING_NAME.match(code)
                if lead:
                    names.add(lead.group(0))
            kind_of = kind
        for name in sorted(names):
            index.rows.setdefault((kind_of, name), []).append(row)


def _index_paragraph(index: DocIndex, section: Section, paragraph: Paragraph) -> None:
    text = paragraph.text
    body = _ITEM.sub("", text, count=1) if _ITEM.match(text) else text
    if body.startswith("`"):
        code = _CODE.match(body)
        lead = _LEADING_NAME.match(code.group(1)) if code else None
        if lead:
            index.paragraphs.setdefault(lead.group(0), []).append((section.title, paragraph))
