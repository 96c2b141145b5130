"""Parser: each construct reads to the expected tree; each syntax error points at its text.

Spans are left out of AST equality, so the tree tests compare against nodes built without
spans; the span tests check line, column and offsets explicitly, because every later
diagnostic (checker, binder, operations) inherits its position from them.
"""

from __future__ import annotations

import pytest

from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import DiagnosticError
from ddm_lang.syntax.parser import parse, parse_expression

N = ast.Name
Num = ast.Number
S = ast.String
B = ast.Binary
U = ast.Unary
EMPTY = ast.Block(())


def one(source: str) -> ast.TopLevel:
    """The single top-level statement of `source`."""
    (item,) = parse(source).items
    return item


def prop(source: str) -> ast.Expr:
    """The value of the only property of `rect { ... }`."""
    element = one(f"rect {{ x: {source} }}")
    assert isinstance(element, ast.Element)
    (p,) = element.body.items
    assert isinstance(p, ast.Property)
    return p.value


def elem(kind: str, name: str | None = None, *, optional: bool = False,
         value: ast.Expr | None = None, when: ast.Expr | None = None,
         pipeline: tuple[ast.Operation, ...] = (), body: tuple = ()) -> ast.Element:
    return ast.Element(kind, name, optional, value, when, pipeline, ast.Block(body))


# ---- declarations -----------------------------------------------------------------

def test_template_and_formats() -> None:
    module = parse('template hero_left "Product, left"\nformats feed 1080x1080, banner 1200x628')
    assert module.items == (
        ast.TemplateDecl("hero_left", "Product, left"),
        ast.FormatsDecl((ast.FormatSpec("feed", 1080, 1080), ast.FormatSpec("banner", 1200, 628))),
    )
    assert one("template t") == ast.TemplateDecl("t", None)


def test_imports() -> None:
    assert one('import "lib/chips.ddm"') == ast.Import("lib/chips.ddm", None)
    assert one("import chip, price-tag from 'lib.ddm'") == ast.Import("lib.ddm", ("chip", "price-tag"))


def test_object_declaration_with_every_part() -> None:
    source = ("object logo?[2] = image from brand.logos where has_alpha and width >= 100\n"
              "  prefer quality desc, age asc, size")
    assert one(source) == ast.ObjectDecl(
        "logo", True, 2, "image", ast.Member(N("brand"), "logos"),
        B("and", N("has_alpha"), B(">=", N("width"), Num(100.0))),
        (ast.PreferKey(N("quality"), True), ast.PreferKey(N("age"), False),
         ast.PreferKey(N("size"), None)))
    assert one("object hero = image from product.images") == ast.ObjectDecl(
        "hero", False, None, "image", ast.Member(N("product"), "images"), None, ())


def test_let_and_component() -> None:
    assert one("let ink = #1D2B24") == ast.LetDecl("ink", ast.Color("#1d2b24"))
    source = "component chip(label: string, tone = #222, size: length = 12px) { text t = label }"
    assert one(source) == ast.ComponentDecl(
        "chip",
        (ast.Param("label", "string", None), ast.Param("tone", None, ast.Color("#222")),
         ast.Param("size", "length", Num(12.0, "px"))),
        ast.Block((elem("text", "t", value=N("label")),)))
    assert one("component empty() {}") == ast.ComponentDecl("empty", (), EMPTY)


# ---- elements ---------------------------------------------------------------------

def test_element_with_every_part() -> None:
    source = ("image hero? = product.images[0] when wide | cutout "
              "| place(margin: 4%) in slot(right 55%) fit contain avoid a, b when c "
              "{ opacity: 0.5; rect {} }")
    slot = ast.Call("slot", (ast.Arg(None, ast.ValueList((N("right"), Num(55.0, "%")))),))
    assert one(source) == elem(
        "image", "hero", optional=True, value=ast.Index(ast.Member(N("product"), "images"),
                                                        Num(0.0)),
        when=N("wide"),
        pipeline=(ast.Operation("cutout", (), (), None),
                  ast.Operation("place", (ast.Arg("margin", Num(4.0, "%")),),
                                (ast.Clause("in", (slot,)), ast.Clause("fit", (N("contain"),)),
                                 ast.Clause("avoid", (N("a"), N("b")))),
                                N("c"))),
        body=(ast.Property("opacity", Num(0.5)), elem("rect")))


def test_elements_without_blocks_have_empty_ones() -> None:
    assert parse("rect r\ncircle {}").items == (elem("rect", "r"), elem("circle"))
    assert one("rect {}") == one("rect") == elem("rect")


def test_the_word_after_a_bare_kind_is_its_name() -> None:
    assert one("rect\ncircle") == elem("rect", "circle")


def test_a_when_after_a_blockless_element_is_its_guard() -> None:
    assert one("rect r\nwhen c {}") == elem("rect", "r", when=N("c"))
    assert parse("rect r {}\nwhen c {}").items == (elem("rect", "r"),
                                                  ast.WhenStmt(N("c"), EMPTY, None))


def test_clause_values_stop_below_comparisons() -> None:
    (op,) = one("image h | place fit contain in slot(x)").pipeline
    assert op.clauses == (ast.Clause("fit", (N("contain"),)),
                          ast.Clause("in", (ast.Call("slot", (ast.Arg(None, N("x")),)),)))


def test_block_mixes_properties_and_statements_and_the_last_semicolon_is_optional() -> None:
    element = one("group g { fill: red; rect {} stroke: blue; let a = 1 when a {} stroke-width: 2 }")
    assert element.body.items == (
        ast.Property("fill", N("red")), elem("rect"), ast.Property("stroke", N("blue")),
        ast.LetDecl("a", Num(1.0)), ast.WhenStmt(N("a"), EMPTY, None),
        ast.Property("stroke-width", Num(2.0)))
    assert element.body.properties == (element.body.items[0], element.body.items[2],
                                       element.body.items[5])
    assert element.body.children == element.body.items[1:2] + element.body.items[3:5]


# ---- control ----------------------------------------------------------------------

def test_for_with_and_without_index() -> None:
    assert one("for p, i in xs[0:3] { text = p }") == ast.ForStmt(
        "p", "i", ast.Slice(N("xs"), Num(0.0), Num(3.0)),
        ast.Block((elem("text", value=N("p")),)))
    assert one("for p in xs {}") == ast.ForStmt("p", None, N("xs"), EMPTY)


def test_when_else_chains() -> None:
    source = "when a { rect {} } else when b { circle {} } else { line {} }"
    assert one(source) == ast.WhenStmt(
        N("a"), ast.Block((elem("rect"),)),
        ast.WhenStmt(N("b"), ast.Block((elem("circle"),)), ast.Block((elem("line"),))))


def test_raw_markup() -> None:
    assert one('raw """<g>\n  <a href="x"/>\n</g>"""') == ast.RawSvg('<g>\n  <a href="x"/>\n</g>')
    assert one('raw "<a t=\\"1\\"/>\\n"') == ast.RawSvg('<a t="1"/>\n')


# ---- expressions ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "tree"), [
    ("1 + 2 * 3", B("+", Num(1.0), B("*", Num(2.0), Num(3.0)))),
    ("a - b - c", B("-", B("-", N("a"), N("b")), N("c"))),
    ("a / b * c", B("*", B("/", N("a"), N("b")), N("c"))),
    ("a or b and not c == d", B("or", N("a"), B("and", N("b"), U("not", B("==", N("c"), N("d")))))),
    ("not not a", U("not", U("not", N("a")))),
    ("not(a)", U("not", N("a"))),
    ("a in b + c", B("in", N("a"), B("+", N("b"), N("c")))),
    ("-a.b[0]", U("-", ast.Index(ast.Member(N("a"), "b"), Num(0.0)))),
    ("-2 * -x", B("*", U("-", Num(2.0)), U("-", N("x")))),
    ("xs[:2][1:][:]", ast.Slice(ast.Slice(ast.Slice(N("xs"), None, Num(2.0)), Num(1.0), None),
                                None, None)),
    ("top-left", N("top-left")),
    ("a-b - c", B("-", N("a-b"), N("c"))),
    ("fit(28, max: 96)", ast.Call("fit", (ast.Arg(None, Num(28.0)), ast.Arg("max", Num(96.0))))),
    ("f()", ast.Call("f", ())),
    ("[1, 'a', [], none, true, false]",
     ast.ListLit((Num(1.0), S(("a",)), ast.ListLit(()), ast.NoneLit(), ast.Bool(True),
                  ast.Bool(False)))),
    ("0.5 + .25 + 12.0px + 100% + 3vmin + 90deg",
     B("+", B("+", B("+", B("+", B("+", Num(0.5), Num(0.25)), Num(12.0, "px")),
                          Num(100.0, "%")), Num(3.0, "vmin")), Num(90.0, "deg"))),
    ("#ABC", ast.Color("#abc")),
    ("(a + b).c", ast.Member(B("+", N("a"), N("b")), "c")),
])
def test_expressions(text: str, tree: ast.Expr) -> None:
    assert parse_expression(text) == tree


def test_value_lists_and_calls() -> None:
    assert prop("6% 18% 40% 30%") == ast.ValueList(tuple(Num(v, "%") for v in (6.0, 18.0, 40.0, 30.0)))
    # a space before `(` starts a new item; without one it is a call
    assert prop("top-left (4%)") == ast.ValueList((N("top-left"), Num(4.0, "%")))
    assert prop("top-left(4%)") == ast.Call("top-left", (ast.Arg(None, Num(4.0, "%")),))
    # `0 -10px` is a subtraction; the item needs parentheses
    assert prop("0 -10px") == B("-", Num(0.0), Num(10.0, "px"))
    assert prop("0 (-10px)") == ast.ValueList((Num(0.0), U("-", Num(10.0, "px"))))
    assert prop("a b + c") == ast.ValueList((N("a"), B("+", N("b"), N("c"))))
    assert prop("f(a b, k: c d)") == ast.Call("f", (
        ast.Arg(None, ast.ValueList((N("a"), N("b")))), ast.Arg("k", ast.ValueList((N("c"), N("d"))))))


def test_strings_escapes_and_interpolation() -> None:
    assert parse_expression(r'"a\n\t\\\"\{\}" ') == S(("a\n\t\\\"{}",))
    assert parse_expression(r"'it\'s'") == S(("it's",))
    assert parse_expression('""') == S(())
    assert parse_expression('"-{price.discount}% off {n}"') == S(
        ("-", ast.Member(N("price"), "discount"), "% off ", N("n")))
    # strings inside an interpolation use the other quote
    assert parse_expression("\"{upper('x')}!\"") == S(
        (ast.Call("upper", (ast.Arg(None, S(("x",))),)), "!"))


def test_interpolation_spans_point_into_the_file() -> None:
    source = 'let a = 1\n  let s = "ab {name} {x.y + z}"'
    module = parse(source, "t.ddm")
    string = module.items[1].value
    name, member = string.parts[1], string.parts[3].left
    assert (name.span.file, name.span.line, name.span.column) == ("t.ddm", 2, 16)
    assert (name.span.end_line, name.span.end_column) == (2, 20)
    assert source[name.span.start:name.span.end] == "name"
    assert (member.span.line, member.span.column) == (2, 23)
    assert source[member.span.start:member.span.end] == "x.y"
    z = string.parts[3].right
    assert source[z.span.start:z.span.end] == "z" and z.span.column == 29


def test_node_spans() -> None:
    source = "rect r {\n  fill: red;\n  box: 0 0 50% 50%\n}\nlet a = b"
    module = parse(source)
    rect, let = module.items
    assert (rect.span.line, rect.span.column, rect.span.end_line, rect.span.end_column) == (1, 1, 4, 2)
    fill, box = rect.body.items
    assert source[fill.span.start:fill.span.end] == "fill: red"
    assert source[box.value.span.start:box.value.span.end] == "0 0 50% 50%"
    assert (let.value.span.line, let.value.span.column) == (5, 9)


def test_comments_are_kept_aside_with_spans() -> None:
    source = "// one\nlet a = 1 /* two\n three */\nrect // four"
    module = parse(source)
    assert [c.text for c in module.comments] == ["// one", "/* two\n three */", "// four"]
    spans = [(c.span.line, c.span.column, c.span.end_line) for c in module.comments]
    assert spans == [(1, 1, 1), (2, 11, 3), (4, 6, 4)]
    assert all(source[c.span.start:c.span.end] == c.text for c in module.comments)
    assert module.items == (ast.LetDecl("a", Num(1.0)), elem("rect"))


# ---- syntax errors ----------------------------------------------------------------

@pytest.mark.parametrize(("source", "code", "line", "column", "text"), [
    # missing `;`: the value list swallowed the next property's name
    ("rect r {\n  fill: red\n  stroke: blue\n}", "syntax.missing-semicolon", 3, 3, "stroke"),
    ('let a = 1\nlet s = "abc\nlet b = 2', "syntax.string", 2, 9, '"'),
    ("let a = 1\nlet c = #12345", "syntax.color", 2, 9, "#12345"),
    ("let c = #ggg", "syntax.color", 1, 9, "#ggg"),
    ("rect r {\n  fill: red;\n", "syntax.eof", 3, 1, ""),
    ("group {\n  rect {\n}", "syntax.eof", 3, 2, ""),
    ("rect r {}\n}\n", "syntax.brace", 2, 1, "}"),
    ("let a = 1 @ 2", "syntax.character", 1, 11, "@"),
    ("let a = 1\nlet b = $", "syntax.character", 2, 9, "$"),
    ("let a = 1\nfill: red", "syntax.property", 2, 5, ":"),
    ("template t\nformats feed 0x100", "syntax.format-size", 2, 14, "0x100"),
    ("formats feed 100x100, big 20000x10", "syntax.format-size", 1, 27, "20000x10"),
    ('let s = "a\\qb"', "syntax.escape", 1, 11, "\\q"),
    ("let s = 'ok'\nlet t = 'x\\z'", "syntax.escape", 2, 11, "\\z"),
    ('let s = "price {amount"', "syntax.interpolation", 1, 16, "{"),
    ('let s = "a } b"', "syntax.interpolation", 1, 12, "}"),
    ('let s = "a {} b"', "syntax.interpolation", 1, 12, "{}"),
    ('let a = 1\n  let s = "x {a b c} y"', "syntax.unexpected", 2, 17, "b"),
    ("object o[0] = image from p", "syntax.count", 1, 10, "0"),
    ('template t "a{b}"', "syntax.title", 1, 12, '"a{b}"'),
    ('import "a{b}"', "syntax.import", 1, 8, '"a{b}"'),
    ("let = 3", "syntax.unexpected", 1, 5, "="),
    ("let a =", "syntax.eof", 1, 8, ""),
])
def test_syntax_errors_point_at_the_offending_text(source: str, code: str, line: int,
                                                   column: int, text: str) -> None:
    with pytest.raises(DiagnosticError) as info:
        parse(source, "t.ddm")
    d = info.value.diagnostics[0]
    assert (d.code, d.span.file, d.span.line, d.span.column) == (code, "t.ddm", line, column)
    assert source[d.span.start:d.span.end] == text
    rendered = info.value.render()
    assert rendered.startswith(f"t.ddm:{line}:{column}: error[{code}]")


def test_every_error_in_the_file_is_reported() -> None:
    with pytest.raises(DiagnosticError) as info:
        parse("let a = #12\nlet b = '\\q'\nformats f 0x0")
    assert [(d.code, d.span.line) for d in info.value.diagnostics] == [
        ("syntax.color", 1), ("syntax.escape", 2), ("syntax.format-size", 3)]


def test_interpolation_errors_point_inside_the_string() -> None:
    with pytest.raises(DiagnosticError) as info:
        parse('let s = "x {a +} y"')
    d = info.value.diagnostics[0]
    assert (d.span.line, d.span.column) == (1, 16)  # the `}` where the expression stops


def test_parse_expression_raises_diagnostics() -> None:
    with pytest.raises(DiagnosticError):
        parse_expression("a +")
    with pytest.raises(DiagnosticError):
        parse_expression("#xyz")
