"""Property tests for the parser and formatter over generated syntax trees.

The strategies build every statement and expression kind the grammar can express;
spans are excluded from AST equality, so `parse(format(tree)) == tree` checks that the
formatter prints exactly the tree and that the parser reads exactly what is printed.
"""

from __future__ import annotations

import re
from importlib import resources

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import DiagnosticError
from ddm_lang.syntax.formatter import format_module
from ddm_lang.syntax.parser import parse

GRAMMAR = resources.files("ddm_lang.grammar").joinpath("ddm.lark").read_text("utf-8")
KEYWORDS = frozenset(re.findall(r'"([a-z]+)"', GRAMMAR))
UNITS = ["", "px", "%", "vw", "vh", "vmin", "vmax", "deg"]
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

names = st.from_regex(r"[a-z][a-z0-9_]{0,5}(-[a-z][a-z0-9]{0,3})?", fullmatch=True).filter(
    lambda n: n not in KEYWORDS)
numbers = st.builds(ast.Number,
                    st.one_of(st.integers(0, 5000).map(float),
                              st.decimals(0, 1000, places=3).map(float)),
                    st.sampled_from(UNITS))
colors = st.sampled_from([3, 4, 6, 8]).flatmap(
    lambda n: st.text("0123456789abcdef", min_size=n, max_size=n)).map(lambda h: ast.Color("#" + h))
text_chars = st.text(st.sampled_from(list("ab z{}\"'\\\n\t-%轻é")), min_size=1, max_size=8)


def _merge(parts: list) -> tuple:
    out: list = []
    for p in parts:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        else:
            out.append(p)
    return tuple(out)


plain_strings = st.lists(text_chars, max_size=3).map(lambda ps: ast.String(_merge(ps)))


def _leaf(strings: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(numbers, colors, strings, st.builds(ast.Bool, st.booleans()),
                     st.just(ast.NoneLit()), st.builds(ast.Name, names))


def _compound(children: st.SearchStrategy) -> st.SearchStrategy:
    value = st.one_of(children, st.lists(children, min_size=2, max_size=3).map(
        lambda xs: ast.ValueList(tuple(xs))))
    args = st.lists(st.builds(ast.Arg, st.one_of(st.none(), names), value), max_size=3)
    return st.one_of(
        st.builds(ast.Member, children, names),
        st.builds(ast.Index, children, children),
        st.builds(ast.Slice, children, st.one_of(st.none(), children),
                  st.one_of(st.none(), children)),
        st.builds(ast.Call, names, args.map(tuple)),
        st.lists(children, max_size=3).map(lambda xs: ast.ListLit(tuple(xs))),
        st.builds(ast.Unary, st.sampled_from(["-", "not"]), children),
        st.builds(ast.Binary, st.sampled_from(["+", "-", "*", "/", "==", "!=", "<", "<=", ">",
                                               ">=", "in", "and", "or"]), children, children),
    )


# Expressions inside an interpolation may hold plain strings but not further interpolation.
inner_exprs = st.recursive(_leaf(plain_strings), _compound, max_leaves=4)
strings = st.lists(st.one_of(text_chars, inner_exprs), max_size=3).map(
    lambda ps: ast.String(_merge(ps)))
exprs = st.recursive(_leaf(strings), _compound, max_leaves=8)
values = st.one_of(exprs, st.lists(exprs, min_size=2, max_size=4).map(
    lambda xs: ast.ValueList(tuple(xs))))


def _blocks(stmts: st.SearchStrategy) -> st.SearchStrategy:
    item = st.one_of(st.builds(ast.Property, names, values), stmts)
    return st.lists(item, max_size=4).map(lambda xs: ast.Block(tuple(xs)))


CLAUSES = ["to", "in", "fit", "avoid", "anchor", "with", "at", "by", "side"]
operations = st.builds(
    ast.Operation, names,
    st.lists(st.builds(ast.Arg, st.one_of(st.none(), names), values), max_size=2).map(tuple),
    st.lists(st.builds(ast.Clause, st.sampled_from(CLAUSES),
                       st.lists(exprs, min_size=1, max_size=2).map(tuple)), max_size=2).map(tuple),
    st.one_of(st.none(), exprs))


@st.composite
def elements(draw: st.DrawFn, stmts: st.SearchStrategy) -> ast.Element:
    name = draw(st.one_of(st.none(), names))
    return ast.Element(draw(names), name, name is not None and draw(st.booleans()),
                       draw(st.one_of(st.none(), exprs)), draw(st.one_of(st.none(), exprs)),
                       tuple(draw(st.lists(operations, max_size=2))), draw(_blocks(stmts)))


def _statements(children: st.SearchStrategy) -> st.SearchStrategy:
    block = _blocks(children)
    whens = st.deferred(lambda: st.builds(
        ast.WhenStmt, exprs, block, st.one_of(st.none(), block, whens)))
    return st.one_of(
        elements(children),
        st.builds(ast.ForStmt, names, st.one_of(st.none(), names), exprs, block),
        whens,
    )


simple_statements = st.one_of(
    st.builds(ast.LetDecl, names, exprs),
    st.builds(ast.RawSvg, st.text(st.sampled_from(list('<g/> "x=1\n')), max_size=20)),
    st.builds(ast.Element, names, st.none(), st.just(False), st.none(), st.none(), st.just(()),
              st.just(ast.Block(()))),
)
statements = st.recursive(simple_statements, _statements, max_leaves=6)

top_level = st.one_of(
    st.builds(ast.TemplateDecl, names, st.one_of(st.none(), text_chars)),
    st.builds(ast.FormatsDecl, st.lists(st.builds(ast.FormatSpec, names, st.integers(1, 4000),
                                                  st.integers(1, 4000)),
                                        min_size=1, max_size=3).map(tuple)),
    st.builds(ast.Import, text_chars, st.one_of(st.none(), st.lists(names, min_size=1,
                                                                    max_size=3).map(tuple))),
    st.builds(ast.ObjectDecl, names, st.booleans(), st.one_of(st.none(), st.integers(1, 64)),
              names, exprs, st.one_of(st.none(), exprs),
              st.lists(st.builds(ast.PreferKey, exprs, st.one_of(st.none(), st.booleans())),
                       max_size=2).map(tuple)),
    st.builds(ast.ComponentDecl, names,
              st.lists(st.builds(ast.Param, names, st.one_of(st.none(), names),
                                 st.one_of(st.none(), exprs)), max_size=3).map(tuple),
              _blocks(statements)),
    statements,
)
modules = st.lists(top_level, max_size=6).map(lambda xs: ast.Module(tuple(xs)))


@SETTINGS
@given(modules)
def test_parse_of_format_is_the_same_tree(module: ast.Module) -> None:
    text = format_module(module)
    assert parse(text) == module, text


@SETTINGS
@given(modules)
def test_format_is_idempotent(module: ast.Module) -> None:
    once = format_module(module)
    assert format_module(parse(once)) == once


@SETTINGS
@given(modules, st.data())
def test_damaged_source_gives_diagnostics_never_exceptions(module: ast.Module,
                                                           data: st.DataObject) -> None:
    text = format_module(module)
    for _ in range(3):
        if not text:
            break
        i = data.draw(st.integers(0, len(text) - 1))
        junk = data.draw(st.sampled_from(["", "{", "}", ";", '"', "|", "=", "(", "@", "#zz", ":"]))
        text = text[:i] + junk + text[i + 1:]
    try:
        parse(text)
    except DiagnosticError as err:
        for d in err.diagnostics:
            assert 1 <= d.span.line <= text.count("\n") + 2
            assert d.span.column >= 1
            assert d.render(text)


def _walk(node: object):
    yield node
    if isinstance(node, tuple):
        for x in node:
            yield from _walk(x)
    elif hasattr(node, "__dataclass_fields__"):
        for f in node.__dataclass_fields__:
            if f not in ("span", "source", "comments", "path"):
                yield from _walk(getattr(node, f))


@SETTINGS
@given(modules)
def test_spans_lie_within_the_source_and_names_match_their_text(module: ast.Module) -> None:
    text = format_module(module)
    parsed = parse(text, "gen.ddm")
    for node in _walk(parsed.items):
        span = getattr(node, "span", None)
        if span is None or not hasattr(node, "__dataclass_fields__"):
            continue
        assert 0 <= span.start <= span.end <= len(text)
        assert span.line >= 1 and span.column >= 1
        if isinstance(node, ast.Name):
            assert text[span.start:span.end] == node.id
