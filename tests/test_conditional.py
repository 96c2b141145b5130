"""The conditional expression `a if cond else b`: parsing, formatting, checking, binding.

It binds loosest of all expressions (as in Python), its `else` side may hold another
conditional, and only the chosen side is evaluated when a template is bound, so the other
side may read product data that is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _ir_helper import build, texts

from ddm_lang import DiagnosticError, template_from_string
from ddm_lang.bind import bind
from ddm_lang.syntax import ast
from ddm_lang.syntax.bounds import MAX_NESTING
from ddm_lang.syntax.formatter import expr as format_expr
from ddm_lang.syntax.formatter import format_source
from ddm_lang.syntax.node import Node as SyntaxNode
from ddm_lang.syntax.node import node_fields
from ddm_lang.syntax.parser import parse, parse_expression

N = ast.Name
Num = ast.Number
B = ast.Binary
C = ast.Conditional
HEAD = 'template t "T"\nformats feed 1000x1000, banner 1200x600\n'  # body starts on line 3


# ---- parsing -------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "tree"), [
    ("a if c else b", C(N("c"), N("a"), N("b"))),
    # loosest: the parts hold `or`, `and`, `not`, comparisons and arithmetic whole
    ("x or y if p and q else z + 1",
     C(B("and", N("p"), N("q")), B("or", N("x"), N("y")), B("+", N("z"), Num(1.0)))),
    ("1 + 2 if not c else 3",
     C(ast.Unary("not", N("c")), B("+", Num(1.0), Num(2.0)), Num(3.0))),
    ("a if x > 1 else b", C(B(">", N("x"), Num(1.0)), N("a"), N("b"))),
    # the `else` side nests to the right, as `elif` would
    ("a if p else b if q else c", C(N("p"), N("a"), C(N("q"), N("b"), N("c")))),
    ("(a if p else b) if q else c", C(N("q"), C(N("p"), N("a"), N("b")), N("c"))),
    ("f(a if p else b, x: 1 if q else 2)",
     ast.Call("f", (ast.Arg(None, C(N("p"), N("a"), N("b"))),
                    ast.Arg("x", C(N("q"), Num(1.0), Num(2.0)))))),
    ("[a if p else b]", ast.ListLit((C(N("p"), N("a"), N("b")),))),
    ("xs[i if p else 0]", ast.Index(N("xs"), C(N("p"), N("i"), Num(0.0)))),
    ("-(a if p else b)", ast.Unary("-", C(N("p"), N("a"), N("b")))),
])
def test_conditional_parses_loosest_and_nests_to_the_right(source: str, tree: ast.Expr) -> None:
    assert parse_expression(source) == tree


def test_conditional_in_strings_values_guards_and_when_statements() -> None:
    module = parse(
        HEAD
        + 'text t = "{a if p else b}!" when ok { box: 0 (w if p else 10%) 50% 50%; fill: x }\n'
        + "when a if p else b { rect { } } else when q { rect { } } else { rect { } }\n"
        + "let z = 1 if p else 2\n")
    text, when, let = module.items[2:]
    assert isinstance(text, ast.Element) and isinstance(text.value, ast.String)
    assert text.value.parts == (C(N("p"), N("a"), N("b")), "!")
    assert text.when == N("ok")
    box = text.body.properties[0].value
    assert isinstance(box, ast.ValueList)
    assert box.items[1] == C(N("p"), N("w"), Num(10.0, "%"))
    assert isinstance(when, ast.WhenStmt) and when.cond == C(N("p"), N("a"), N("b"))
    assert isinstance(when.orelse, ast.WhenStmt) and when.orelse.orelse is not None
    assert let == ast.LetDecl("z", C(N("p"), Num(1.0), Num(2.0)))
    # an element's `when` guard after a conditional value is the guard, not part of it
    (guarded,) = parse("text t = a if p else b when ok | op when q\n").items
    assert isinstance(guarded, ast.Element)
    assert (guarded.value, guarded.when) == (C(N("p"), N("a"), N("b")), N("ok"))
    assert guarded.pipeline[0].when == N("q")


def test_conditional_without_else_is_a_syntax_error() -> None:
    with pytest.raises(DiagnosticError) as info:
        parse(HEAD + "rect { fill: a if p }\n")
    (d,) = info.value.diagnostics
    assert d.code == "syntax.conditional" and (d.span.line, d.span.column) == (3, 21)
    assert d.message == "`if` without `else`: unexpected `}`"
    assert d.hint == "a conditional chooses between two values: write `A if CONDITION else B`"
    with pytest.raises(DiagnosticError) as info:
        parse(HEAD + 'text t = "{a if p}"\n')
    (d,) = info.value.diagnostics
    assert d.code == "syntax.conditional" and (d.span.line, d.span.column) == (3, 18)


def _nodes(value: object) -> list[object]:
    out: list[object] = [value]
    if isinstance(value, tuple):
        for item in value:
            out += _nodes(item)
    elif isinstance(value, SyntaxNode) and not isinstance(value, ast.Span):
        for name, item in node_fields(value):
            if name != "span":
                out += _nodes(item)
    return out


def test_the_stdlib_templates_read_as_before() -> None:
    """The only new rule is the conditional: a template without one has no `Conditional`
    node, so each stdlib template parses to the tree it did (tools/svg_digests.py confirms
    it on their output)."""
    root = Path(__file__).parents[1] / "ddm_lang" / "stdlib_templates"
    for path in sorted(root.glob("*.ddm")):
        module = parse(path.read_text("utf-8"), str(path))
        assert not any(isinstance(n, ast.Conditional) for n in _nodes(module.items)), path


def test_if_is_a_keyword_only_where_a_conditional_can_go_on() -> None:
    """As with `in` and `else`, the lexer reads `if` as a keyword only after a value."""
    assert parse("rect { fill: if }").items[0] == ast.Element(
        "rect", None, False, None, None, (), ast.Block((ast.Property("fill", N("if")),)))
    assert parse("let if = 1").items[0] == ast.LetDecl("if", Num(1.0))
    with pytest.raises(DiagnosticError):
        parse("rect { box: 0 if 1 2 }")


def test_conditional_counts_one_level_of_nesting() -> None:
    deep = "a" + " if p else a" * (MAX_NESTING + 1)
    parse_expression("a" + " if p else a" * MAX_NESTING)
    with pytest.raises(DiagnosticError) as info:
        parse_expression(deep)
    assert info.value.diagnostics[0].code == "syntax.too-deep"


# ---- formatting ----------------------------------------------------------------------

@pytest.mark.parametrize(("source", "canonical"), [
    ("a  if  c  else  b", "a if c else b"),
    ("a if p else (b if q else c)", "a if p else b if q else c"),
    ("(a if p else b) if q else c", "(a if p else b) if q else c"),
    ("a if (p if q else r) else c", "a if (p if q else r) else c"),
    ("(a if p else b) + 1", "(a if p else b) + 1"),
    ("(a if p else b).x", "(a if p else b).x"),
    ("not (a if p else b)", "not (a if p else b)"),
    ("x or y if p or q else z or w", "x or y if p or q else z or w"),
    ("f(a if p else b)", "f(a if p else b)"),
    ('"{(a if p else b)}"', '"{a if p else b}"'),
])
def test_conditional_formats_with_parentheses_only_where_needed(source: str,
                                                               canonical: str) -> None:
    tree = parse_expression(source)
    assert format_expr(tree) == canonical
    assert parse_expression(canonical) == tree


def test_conditional_in_value_lists_and_clauses_is_parenthesised() -> None:
    source = (HEAD + "object hero = image from product.images\n"
              "rect { box: 0 (a if p else 10%) 50% 50% }\n"
              "image hero | place in (slot(left 50%) if p else slot(right 50%)) fit cover\n")
    out = format_source(source)
    assert "box: 0 (a if p else 10%) 50% 50%" in out
    assert "place in (slot(left 50%) if p else slot(right 50%)) fit cover" in out
    assert parse(out) == parse(source)


# ---- checking ------------------------------------------------------------------------

def _problems(source: str) -> list[tuple[str, int, int]]:
    with pytest.raises(DiagnosticError) as info:
        template_from_string(source)
    return [(d.code, d.span.line, d.span.column) for d in info.value.diagnostics]


def test_every_part_is_checked() -> None:
    assert _problems(HEAD + "let paper = #fff\n"
                     "rect { fill: papr.x if prodct.y else pape.z }\n") == [
        ("check.unknown-name", 4, 14), ("check.unknown-name", 4, 24),
        ("check.unknown-name", 4, 38)]
    assert _problems(HEAD + 'let a = 1 if format.nme == "feed" else 2\n') == [
        ("check.unknown-field", 3, 14)]


def test_conditional_has_the_type_its_two_sides_share() -> None:
    template_from_string(HEAD + "let w = 10% if format.aspect > 1 else 20px\nlet v = w * 2\n"
                         "text t = 'x' { box: 0 0 50% 50%; size: fit(10, 40) if w else 12px }\n")
    assert _problems(HEAD + "let c = #fff if format.aspect > 1 else #000\nlet n = c * 2\n") == [
        ("check.type", 4, 9)]
    # sides of different types: not known until bound
    template_from_string(HEAD + "let c = #fff if format.aspect > 1 else 2\nlet n = c * 2\n")


# ---- binding -------------------------------------------------------------------------

def _texts(body: str, product: dict, base: Path) -> list[str]:
    return texts(bind(build(HEAD + body), product, "feed", base_dir=base))


def test_only_the_chosen_side_is_evaluated(tmp_path: Path) -> None:
    sparse = {"id": "sku-7", "title": "Plain Linen Shirt"}
    full = {"id": "sku-1", "title": "Oil", "subtitle": "Cold pressed",
            "price": {"amount": 12.5, "currency": "USD"}}
    body = ('text a = product.subtitle if product.subtitle else product.title { x: 0; y: 10 }\n'
            'text b = "{product.price.amount if product.price else \'ask\'}" { x: 0; y: 40 }\n'
            'text c = "{\'wide\' if format.aspect > 1 else \'square\'}" { x: 0; y: 70 }\n')
    assert _texts(body, sparse, tmp_path) == ["Plain Linen Shirt", "ask", "square"]
    assert _texts(body, full, tmp_path) == ["Cold pressed", "12.5", "square"]


def test_the_chosen_side_that_is_missing_is_still_an_error(tmp_path: Path) -> None:
    sparse = {"id": "sku-7", "title": "Plain Linen Shirt"}
    with pytest.raises(DiagnosticError) as info:
        _texts("text a = product.subtitle if true else 'x' { x: 0; y: 10 }\n", sparse, tmp_path)
    (d,) = info.value.diagnostics
    assert d.code == "bind.missing-field" and "product.subtitle" in d.message


def test_a_checked_template_compiles_with_a_conditional(tmp_path: Path) -> None:
    template = template_from_string(
        HEAD + "let wide = format.aspect > 1.1\n"
        "rect panel { box: 0 0 (50% if wide else 100%) 100%; fill: #1f3b73 if wide else #d64545 }\n")
    product = {"id": "p", "title": "x"}
    feed = template.compile(product, "feed", base_dir=tmp_path).svg
    banner = template.compile(product, "banner", base_dir=tmp_path).svg
    assert 'width="1000"' in feed and "#d64545" in feed
    assert 'width="600"' in banner and "#1f3b73" in banner
