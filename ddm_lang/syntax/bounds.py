"""How large and how deep a template may be, checked before any stage walks it.

Every later stage (the AST builder, the checker, the binder, the formatter, the SVG
writer) walks blocks and expressions recursively, and the parser holds the whole file and
each string in memory several times over. A template is untrusted input, so its size is
bounded before Lark runs and its nesting right after, with a positioned diagnostic, and
never by a `RecursionError` or a `MemoryError` in a stage further on. The limits are far
above what a creative needs and are documented in docs/language.md (section 1).
"""

from __future__ import annotations

import re
from typing import Any

from lark import Tree

from .ast import Span
from .diagnostics import Diagnostic

MAX_SOURCE_CHARS = 1_000_000   # a template file, in characters
MAX_STRING_CHARS = 10_000      # one quoted string literal (raw """ blocks: MAX_MARKUP)
MAX_NESTING = 100              # levels of blocks, `else`, operators and brackets together
MAX_COMPONENT_DEPTH = 32       # components using components using components ...
MAX_VALUE_CHARS = 100_000      # a string or list built while binding (see `functions.too_long`)
MAX_TOKENS = 40_000            # words, numbers and signs (Lark takes ~50 µs each)

# Lark rules that each add one level: blocks and `else`, then every operator (the
# conditional `a if c else b` too), access, call and list of an expression (`a + b + c`
# is two levels, `f(g(x))` two).
NESTING_RULES = frozenset({
    "block", "else_clause", "conditional", "or_op", "and_op", "not_op", "compare", "contains",
    "binary", "neg", "member", "index", "slice", "call", "list",
})


def position(source: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset` in `source`."""
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1


def _point(source: str, file: str, offset: int) -> Span:
    """The one-character span at `offset` in `source`."""
    line, col = position(source, offset)
    return Span(file, line, col, line, col + 1, offset, offset + 1)


def source_too_large(source: str, file: str) -> Diagnostic | None:
    """A diagnostic at the first character past the limit, or None for a file in bounds."""
    if len(source) <= MAX_SOURCE_CHARS:
        return None
    return Diagnostic("syntax.too-large",
                      f"template is {len(source):,} characters; the limit is "
                      f"{MAX_SOURCE_CHARS:,}", _point(source, file, MAX_SOURCE_CHARS),
                      "split it into files joined with `import`, or move markup out of `raw`")


# What the lexer skips over whole (comments, `raw """` blocks), a comment left open, a
# quoted string without escapes, or the quote that opens one with escapes. Only single characters repeat in it:
# Lark's `"(\\.|[^"\\\n])*"` keeps state for every character it matches, about 400
# bytes each, so a string of a megabyte costs hundreds of megabytes before the builder
# gets to refuse it.
_TOKEN = re.compile(r'//[^\n]*|/\*[\s\S]*?\*/|/\*|"""[\s\S]*?"""|"[^"\\\n]*"|\'[^\'\\\n]*\'|["\']')


def long_string(source: str, file: str) -> Diagnostic | None:
    """The first quoted string over `MAX_STRING_CHARS`, found before Lark runs; None when
    there is none (always so when no line is long enough to hold one)."""
    if not re.search(f"[^\n]{{{MAX_STRING_CHARS + 3}}}", source):
        return None
    pos = 0
    while (match := _TOKEN.search(source, pos)) is not None:
        start, end = match.span()
        pos = end
        if match.group() == "/*":
            return None  # a comment left open: Lark stops there, and every later one is open
        if source[start] not in "\"\'" or source.startswith('"""', start):
            continue  # a comment or a raw block
        if end - start == 1:  # an opening quote: the string has escapes
            closing = _string_end(source, start)
            if closing is None:
                continue  # unterminated: Lark reports it
            end = closing
            pos = end
        if end - start - 2 > MAX_STRING_CHARS:
            return string_too_long(end - start - 2, _point(source, file, start))
    return None


# A token as the counter sees it: strings, raw blocks and comments are one each (their
# length is bounded by the string and file limits), then words, numbers and signs.
# Past a block comment left open no later one can close, so the rest is counted without
# trying to: each try would read to the end of the file (quadratic in `/*` repeated).
_AFTER_OPEN_COMMENT = re.compile(r'//[^\n]*|"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"'
                                 r"|'(?:\\.|[^'\\\n])*'|[A-Za-z_][\w-]*|\d[\w.%]*|\S")
_COUNTED = re.compile(r"/\*[\s\S]*?\*/|" + _AFTER_OPEN_COMMENT.pattern)


def too_many_tokens(source: str, file: str) -> Diagnostic | None:
    """A diagnostic at the first token past `MAX_TOKENS`, found before Lark runs: parsing
    costs time per token, so a list of 100,000 items or an `else when` chain of 10,000
    would hold a worker for many seconds before any later bound could refuse it."""
    if len(source) <= MAX_TOKENS:
        return None   # every token is at least a character
    pattern, pos, count = _COUNTED, 0, 0
    while (match := pattern.search(source, pos)) is not None:
        count += 1
        if count > MAX_TOKENS:
            return Diagnostic("syntax.too-large",
                              f"template has more than {MAX_TOKENS:,} words, numbers and "
                              "signs", _point(source, file, match.start()),
                              "split it into files joined with `import`; build long "
                              "lists from the product's data")
        pos = match.end()
        if match.group() == "/" and source.startswith("*", pos):
            pattern = _AFTER_OPEN_COMMENT  # `/*` that no `*/` closes
    return None


def _string_end(source: str, start: int) -> int | None:
    """The offset just past the quote that closes the string opened at `start` (the next
    quote after an even run of backslashes, on the same line), or None."""
    quote, at = source[start], start + 1
    while (close := source.find(quote, at)) >= 0 and source.find("\n", at, close) < 0:
        run = close
        while run > at and source[run - 1] == "\\":
            run -= 1
        if (close - run) % 2 == 0:
            return close + 1
        at = close + 1
    return None


def string_too_long(length: int, span: Span) -> Diagnostic | None:
    """A diagnostic for a string literal of `length` characters over the limit."""
    if length <= MAX_STRING_CHARS:
        return None
    return Diagnostic("syntax.string-length",
                      f"string is {length:,} characters; the limit is {MAX_STRING_CHARS:,}",
                      Span(span.file, span.line, span.column, span.line, span.column + 1,
                           span.start, span.start + 1),
                      "a creative shows at most a few hundred characters of any text")


def too_deep(tree: Tree) -> Any | None:
    """The `meta` of the first node nested deeper than `MAX_NESTING` levels (see
    `NESTING_RULES`), or None. Walked with an explicit stack: the
    tree it guards can be deeper than Python's recursion limit."""
    stack: list[tuple[Any, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Tree):
            continue
        if node.data in NESTING_RULES:
            depth += 1
            if depth > MAX_NESTING:
                return node.meta
        stack.extend((child, depth) for child in reversed(node.children))
    return None
