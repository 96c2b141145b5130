"""Property tests for the parser and formatter over generated syntax trees.

The strategies build every statement and expression kind the grammar can express. Spans
are excluded from AST equality, so `parse(format(tree)) == tree` checks both that the
formatter prints exactly the tree and that the parser reads exactly what is printed; the
other properties check idempotence, that damaged text only ever gives diagnostics, that
spans point at the text they came from, and that comments survive formatting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import DiagnosticError
from ddm_lang.syntax.formatter import format_module, format_source
from ddm_lang.syntax.node import Node, node_fields
from ddm_lang.syntax.parser import parse

pytestmark = pytest.mark.slow  # hundreds of generated templates per property


def _grammar_keywords() -> frozenset[str]:
    """Every word the grammar spells as a literal: such words cannot be names."""
    grammar = resources.files("ddm_lang.grammar").joinpath("ddm.lark").read_text("utf-8")
    code = "\n".join(line.split("//")[0] for line in grammar.splitlines())
    return frozenset(re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)"', code))


KEYWORDS = _grammar_keywords()
CLAUSE_KEYWORDS = ["to", "in", "fit", "avoid", "anchor", "with", "at", "by", "side"]
UNITS = ["", "px", "%", "vw", "vh", "vmin", "vmax", "deg"]
BINARY_OPS = ["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "in", "and", "or"]
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---- expressions ------------------------------------------------------------------

_HEAD = "abcdefghijklmnopqrstuvwxyzAZ_"
_TAIL = _HEAD + "0123456789"


def _word(max_size: int) -> st.SearchStrategy[str]:
    return st.builds(str.__add__, st.sampled_from(_HEAD), st.text(_TAIL, max_size=max_size))


# Identifiers with inner hyphens (`top-left`); a keyword gets a `_` so it is a name again
# (mapping is much cheaper than filtering for hypothesis).
names = st.builds(lambda first, rest: "-".join([first, *rest]), _word(5),
                  st.lists(_word(3), max_size=2)).map(
    lambda n: n + "_" if n in KEYWORDS else n)
numbers = st.builds(
    ast.Number,
    st.one_of(st.integers(0, 100_000).map(float), st.decimals(0, 1000, places=3).map(float),
              st.floats(0, 1e6, allow_nan=False, allow_infinity=False)),
    st.sampled_from(UNITS))
colors = st.sampled_from([3, 4, 6, 8]).flatmap(
    lambda n: st.text("0123456789abcdef", min_size=n, max_size=n)).map(lambda h: ast.Color("#" + h))
# Text that needs every escape, both quotes, and characters beyond ASCII.
text_chars = st.text(st.sampled_from(list("ab Z{}\"'\\\n\t-%/*#é轻")), min_size=1, max_size=8)


def _merge(parts: list) -> tuple:
    """String parts as the parser builds them: no empty text, adjacent text joined."""
    out: list = []
    for p in parts:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        else:
            out.append(p)
    return tuple(out)


def _strings(interpolated: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(st.one_of(text_chars, interpolated), max_size=3).map(
        lambda ps: ast.String(_merge(ps)))


def _leaves(strings: st.SearchStrategy | None) -> st.SearchStrategy:
    leaves = [numbers, colors, st.builds(ast.Bool, st.booleans()), st.just(ast.NoneLit()),
              st.builds(ast.Name, names)]
    return st.one_of(*leaves, *([strings] if strings is not None else []))


def _values(exprs: st.SearchStrategy) -> st.SearchStrategy:
    """What a property or call argument holds: an expression or a space-separated list."""
    return st.one_of(exprs, st.lists(exprs, min_size=2, max_size=3).map(
        lambda xs: ast.ValueList(tuple(xs))))


def _args(exprs: st.SearchStrategy, max_size: int = 3) -> st.SearchStrategy:
    return st.lists(st.builds(ast.Arg, st.one_of(st.none(), names), _values(exprs)),
                    max_size=max_size).map(tuple)


def _compound(children: st.SearchStrategy) -> st.SearchStrategy:
    optional = st.one_of(st.none(), children)
    return st.one_of(
        st.builds(ast.Member, children, names),
        st.builds(ast.Index, children, children),
        st.builds(ast.Slice, children, optional, optional),
        st.builds(ast.Call, names, _args(children)),
        st.lists(children, max_size=3).map(lambda xs: ast.ListLit(tuple(xs))),
        st.builds(ast.Unary, st.sampled_from(["-", "not"]), children),
        st.builds(ast.Binary, st.sampled_from(BINARY_OPS), children, children),
        st.builds(ast.Conditional, children, children, children),
    )


# A string inside an interpolation may interpolate again, but only expressions without
# strings: a third level of quoting has no quote character left (see the formatter).
bare_exprs = st.recursive(_leaves(None), _compound, max_leaves=3)
inner_exprs = st.recursive(_leaves(_strings(bare_exprs)), _compound, max_leaves=4)
strings = _strings(inner_exprs)
exprs = st.recursive(_leaves(strings), _compound, max_leaves=6)
values = _values(exprs)

# ---- statements -------------------------------------------------------------------


def _blocks(stmts: st.SearchStrategy) -> st.SearchStrategy:
    item = st.one_of(st.builds(ast.Property, names, values), stmts)
    return st.lists(item, max_size=4).map(lambda xs: ast.Block(tuple(xs)))


operations = st.builds(
    ast.Operation, names, _args(exprs, max_size=2),
    st.lists(st.builds(ast.Clause, st.sampled_from(CLAUSE_KEYWORDS),
                       st.lists(exprs, min_size=1, max_size=2).map(tuple)),
             max_size=2).map(tuple),
    st.one_of(st.none(), exprs))


@st.composite
def elements(draw: st.DrawFn, stmts: st.SearchStrategy) -> ast.Element:
    name = draw(st.one_of(st.none(), names))
    return ast.Element(draw(names), name, name is not None and draw(st.booleans()),
                       draw(st.one_of(st.none(), exprs)), draw(st.one_of(st.none(), exprs)),
                       tuple(draw(st.lists(operations, max_size=3))), draw(_blocks(stmts)))


def _statements(children: st.SearchStrategy) -> st.SearchStrategy:
    block = _blocks(children)
    whens = st.deferred(lambda: st.builds(
        ast.WhenStmt, exprs, block, st.one_of(st.none(), block, whens)))
    return st.one_of(
        elements(children),
        st.builds(ast.ForStmt, names, st.one_of(st.none(), names), exprs, block),
        whens,
    )


raw_markup = st.text(st.sampled_from(list('<g/> "x=1\n\'{}\\')), max_size=20)
simple_statements = st.one_of(
    st.builds(ast.LetDecl, names, exprs),
    st.builds(ast.RawSvg, raw_markup),
    # A bare element, the case the formatter must close with `{}`.
    st.builds(ast.Element, names, st.none(), st.just(False), st.none(), st.none(), st.just(()),
              st.just(ast.Block(()))),
)
statements = st.recursive(simple_statements, _statements, max_leaves=6)

plain_text = st.text(st.sampled_from(list("ab {}\"'\\\n/.")), max_size=8)
top_level = st.one_of(
    st.builds(ast.TemplateDecl, names, st.one_of(st.none(), plain_text)),
    st.builds(ast.FormatsDecl, st.lists(st.builds(ast.FormatSpec, names, st.integers(1, 16384),
                                                  st.integers(1, 16384)),
                                        min_size=1, max_size=3).map(tuple)),
    st.builds(ast.Import, plain_text,
              st.one_of(st.none(), st.lists(names, min_size=1, max_size=3).map(tuple))),
    st.builds(ast.ObjectDecl, names, st.booleans(), st.one_of(st.none(), st.integers(1, 64)),
              names, exprs, st.one_of(st.none(), exprs),
              st.lists(st.builds(ast.PreferKey, exprs, st.one_of(st.none(), st.booleans())),
                       max_size=3).map(tuple)),
    st.builds(ast.ComponentDecl, names,
              st.lists(st.builds(ast.Param, names, st.one_of(st.none(), names),
                                 st.one_of(st.none(), exprs)), max_size=3).map(tuple),
              _blocks(statements)),
    statements,
)
modules = st.lists(top_level, max_size=5).map(lambda xs: ast.Module(tuple(xs)))


def _walk(node: object) -> Iterator[object]:
    """Every AST node under `node` (tuples and string parts included)."""
    yield node
    if isinstance(node, tuple):
        for x in node:
            yield from _walk(x)
    elif isinstance(node, Node) and not isinstance(node, ast.Span):
        for name, value in node_fields(node):
            if name != "span":
                yield from _walk(value)


# ---- properties -------------------------------------------------------------------

@SETTINGS
@given(modules)
def test_parse_of_format_is_the_same_tree(module: ast.Module) -> None:
    text = format_module(module)
    assert parse(text) == module, text


@SETTINGS
@given(modules)
def test_format_is_idempotent(module: ast.Module) -> None:
    once = format_module(module)
    assert format_source(once) == once


JUNK = ["{", "}", ";", '"', "'", "|", "=", "(", ")", "[", "]", ",", ":", "?", "@", "#zz", "\\",
        "{x", "}\n", "/*", "//", '"""', "-", ".", "0x", "99999x1", "\n", "when ", "é", "\x00"]


@SETTINGS
@given(modules, st.data())
def test_damaged_source_gives_diagnostics_never_exceptions(module: ast.Module,
                                                           data: st.DataObject) -> None:
    text = format_module(module)
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()) and text:
            text = text[:i] + text[i + 1:]  # delete one character
        else:
            junk = data.draw(st.one_of(st.sampled_from(JUNK), st.text(min_size=1, max_size=2)))
            text = text[:i] + junk + text[i:]
    try:
        parse(text)
    except DiagnosticError as err:
        assert err.diagnostics
        for d in err.diagnostics:
            assert 1 <= d.span.line <= text.count("\n") + 1
            assert d.span.column >= 1
            assert 0 <= d.span.start <= d.span.end <= len(text) + 1
            assert d.render(text)


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@SETTINGS
@given(modules)
def test_spans_lie_within_the_source_and_names_match_their_text(module: ast.Module) -> None:
    text = format_module(module)
    parsed = parse(text, "gen.ddm")
    for node in _walk(parsed.items):
        span = getattr(node, "span", None)
        if not isinstance(span, ast.Span):
            continue
        assert span.file == "gen.ddm"
        assert 0 <= span.start <= span.end <= len(text), node
        assert span.line >= 1 and span.column >= 1
        assert (span.line, span.column) == _position(text, span.start), node
        assert (span.end_line, span.end_column) == _position(text, span.end), node
        if isinstance(node, ast.Name):
            assert text[span.start:span.end] == node.id


@st.composite
def commented_sources(draw: st.DrawFn) -> tuple[ast.Module, str, list[str]]:
    """A formatted module with comments put between tokens and at the ends of lines."""
    module = ast.Module(tuple(draw(st.lists(top_level, min_size=1, max_size=3))))
    text = format_module(module)
    parsed = parse(text)
    # Not inside string literals (a comment there would be text) nor interpolations.
    literal = [n.span for n in _walk(parsed.items)
               if isinstance(n, ast.String | ast.RawSvg | ast.Import | ast.TemplateDecl)]

    def free(i: int) -> bool:
        return not any(s.start <= i < s.end for s in literal)

    spots = [i for i, ch in enumerate(text) if ch in " \n" and free(i)]
    assume(spots)
    chosen = sorted(set(draw(st.lists(st.sampled_from(spots), min_size=1, max_size=4))),
                    reverse=True)
    comments = []
    for n, i in enumerate(chosen):
        comment = f"// c{n}" if text[i] == "\n" else f"/* c{n} */"
        text = text[:i] + " " + comment + text[i:]
        comments.append(comment)
    return module, text, comments


@SETTINGS
@given(commented_sources())
def test_formatting_keeps_every_comment(case: tuple[ast.Module, str, list[str]]) -> None:
    module, text, comments = case
    out = format_source(text)
    for comment in comments:
        assert out.count(comment) == 1, (text, out)
    assert parse(out) == module, out
    assert format_source(out) == out, (text, out)
