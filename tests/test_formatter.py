"""`ddm fmt`: canonical output for each construct, comments kept, idempotent, AST unchanged.

The canonical examples pin the style down exactly (two-space indentation, one-line blocks
for short property lists, minimal parentheses, quote choice, continuation lines), so a
change to the printer that changes what users see has to change a test as well.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import DiagnosticError
from ddm_lang.syntax.formatter import format_module, format_source, number_text
from ddm_lang.syntax.parser import parse

ROOT = Path(__file__).parents[1]
STDLIB = sorted((ROOT / "ddm_lang" / "stdlib_templates").glob("*.ddm"))

# (source, canonical form)
HEADER = [
    ("template   t   'My title'\nformats feed 1080x1080,banner 1200x628",
     'template t "My title"\nformats feed 1080x1080, banner 1200x628\n'),
    ("template t", "template t\n"),
    ('template t "say \\"hi\\""', "template t 'say \"hi\"'\n"),
    ('import a,b from "lib.ddm"\nimport "x.ddm"', 'import a, b from "lib.ddm"\nimport "x.ddm"\n'),
]
OBJECTS = [
    ("object hero?[2]=image from product.images where width>100 prefer width desc,height asc",
     "object hero?[2] = image from product.images where width > 100 prefer width desc, height asc\n"),
    ("object o = image from p prefer a, b", "object o = image from p prefer a, b\n"),
    ("object hero = image from product.images where subject.found and text.area < 0.02 and "
     "subject.area >= 0.1 prefer quality desc",
     "object hero = image from product.images\n"
     "  where subject.found and text.area < 0.02 and subject.area >= 0.1\n"
     "  prefer quality desc\n"),
]
EXPRESSIONS = [
    ("let x=(1+2)*3-(4-5)", "let x = (1 + 2) * 3 - (4 - 5)\n"),
    ("let x=a-b - c", "let x = a-b - c\n"),
    ("let x=a/(b*c)", "let x = a / (b * c)\n"),
    ("let x=(a==b)==c", "let x = (a == b) == c\n"),
    ("let x=a<(b in c)", "let x = a < (b in c)\n"),
    ("let x=a in b+c", "let x = a in b + c\n"),
    ("let x=not(a==b)and c or d", "let x = not a == b and c or d\n"),
    ("let x=not (a and b)", "let x = not (a and b)\n"),
    ("let x=(not a)==b", "let x = (not a) == b\n"),
    ("let x=(a or b) and c", "let x = (a or b) and c\n"),
    ("let x=-(a.b)[0][1:]", "let x = -a.b[0][1:]\n"),
    ("let x=(-a).b", "let x = (-a).b\n"),
    ("let x=-(-a)", "let x = --a\n"),
    ("let x=(1-2)*-3", "let x = (1 - 2) * -3\n"),
    ("let x=(a+b).c[:2][:]", "let x = (a + b).c[:2][:]\n"),
    ("let x=[1,2,[]]", "let x = [1, 2, []]\n"),
    ("let x=f( )", "let x = f()\n"),
    ("let x=f(a b,k:c d)", "let x = f(a b, k: c d)\n"),
    ("let x=true or false or none", "let x = true or false or none\n"),
    ("let c=#ABCDEF", "let c = #abcdef\n"),
    ("let n=.5+007+12.0+0.0000001+100%+2.50vmin", "let n = 0.5 + 7 + 12 + 0.0000001 + 100% + 2.5vmin\n"),
]
STRINGS = [
    ("let s='plain'", 'let s = "plain"\n'),
    ("let s='say \"hi\"'", "let s = 'say \"hi\"'\n"),
    ("let s='it\\'s \"x\"'", 'let s = "it\'s \\"x\\""\n'),
    ('let s="tab\\there\\\\\\n"', 'let s = "tab\\there\\\\\\n"\n'),
    ('let s="a\\{b\\}"', 'let s = "a\\{b\\}"\n'),
    ("let s='{a}{\"b\"}'", "let s = \"{a}{'b'}\"\n"),
    ("let s='it\\'s {upper(\"x\")}!'", "let s = \"it's {upper('x')}!\"\n"),
    ("let s='\"{f(\"y\")}'", "let s = '\"{f(\"y\")}'\n"),
    ("let s=\"{f('x\\\"y\\'')}\"", "let s = \"{f('x\\\"y\\'')}\"\n"),
    ("let s=\"{f('{g(1)}')}\"", "let s = \"{f('{g(1)}')}\"\n"),
]
VALUE_LISTS = [
    ("rect{box:0 (-10px) 50% ([1,2])}", "rect { box: 0 (-10px) 50% ([1, 2]) }\n"),
    ("rect{box:6% 56%+i*9% 40% 8%}", "rect { box: 6% (56% + i * 9%) 40% 8% }\n"),
    ("rect{x:not a b}", "rect { x: (not a) b }\n"),
    ("rect{x: -a b}", "rect { x: -a b }\n"),
    ("rect{x: a -b}", "rect { x: a - b }\n"),
    ("rect{x: f(a (-1))}", "rect { x: f(a (-1)) }\n"),
]
ELEMENTS = [
    ("rect", "rect {}\n"),
    ("rect { }", "rect {}\n"),
    ("rect\ncircle", "rect circle\n"),  # the second word is the first element's name
    ("rect{}circle{}", "rect {}\ncircle {}\n"),
    ("rect r", "rect r\n"),
    ("rect r{}", "rect r\n"),
    ("image logo?{box:top-left margin 4% size 12%}",
     "image logo? { box: top-left margin 4% size 12% }\n"),
    ("text t='x'when a>1", 'text t = "x" when a > 1\n'),
    ("image hero|place in slot(right 55%) fit cover avoid a,b|mirror when x==right",
     "image hero | place in slot(right 55%) fit cover avoid a, b | mirror when x == right\n"),
    ("image h|shadow(blur:4px)|op()", "image h | shadow(blur: 4px) | op\n"),
    ("image h|op to a-b in(c==d)", "image h | op to a-b in (c == d)\n"),
    ("image h|op to a - b, -c", "image h | op to a - b, -c\n"),
    ("image hero | cutout | extend to slot(right 55%) | place in slot(right 55%) fit contain "
     "avoid headline | mirror when hero.subject.facing == right | shadow { opacity: 0.9 }",
     "image hero\n  | cutout\n  | extend to slot(right 55%)\n"
     "  | place in slot(right 55%) fit contain avoid headline\n"
     "  | mirror when hero.subject.facing == right\n  | shadow { opacity: 0.9 }\n"),
    ("text t = 'x' {fill: red; stroke: blue; opacity: 0.5; font-size: 12}",
     'text t = "x" { fill: red; stroke: blue; opacity: 0.5; font-size: 12 }\n'),
    ("text headline = product.title {box: 6% 16% 40% 36%; font: 'Inter' 800; "
     "size: fit(14, 6.5%); max-lines: 3; fill: ink}",
     'text headline = product.title {\n  box: 6% 16% 40% 36%;\n  font: "Inter" 800;\n'
     "  size: fit(14, 6.5%);\n  max-lines: 3;\n  fill: ink;\n}\n"),
    ("group g when c{rect{fill:red}circle{r:2}}",
     "group g when c {\n  rect { fill: red }\n  circle { r: 2 }\n}\n"),
    ("group g{fill:red;rect}", "group g {\n  fill: red;\n  rect {}\n}\n"),
    ("defs{filter f{x:0;feBlend}}", "defs {\n  filter f {\n    x: 0;\n    feBlend {}\n  }\n}\n"),
]
# The shift ambiguities: without `{}` the next statement would join this one.
AMBIGUOUS = [
    ("image h {}\nwhen c {rect{}}", "image h {}\nwhen c {\n  rect {}\n}\n"),
    ("image h | op {}\nwhen c {}", "image h | op {}\nwhen c {}\n"),
    ("text = a {}\nwhen c {}", "text = a {}\nwhen c {}\n"),
    ("rect when a {}\nwhen b {}", "rect when a {}\nwhen b {}\n"),
    ("group {rect {} x: 1}", "group {\n  rect {}\n  x: 1;\n}\n"),
    ("group {rect r x: 1}", "group {\n  rect r\n  x: 1;\n}\n"),
]
CONTROL = [
    ("when a{rect{}}else when b{circle{}}else{line{}}",
     "when a {\n  rect {}\n} else when b {\n  circle {}\n} else {\n  line {}\n}\n"),
    ("when a {} else {}", "when a {} else {}\n"),
    ("when a {x: 1} else when b {rect} else {}",
     "when a { x: 1 } else when b {\n  rect {}\n} else {}\n"),
    ("for p,i in xs[0:3]{text=p{y:i*10}}", "for p, i in xs[0:3] {\n  text = p { y: i * 10 }\n}\n"),
    ("for p in xs {}", "for p in xs {}\n"),
    ("component chip(label:string,tone=#222){text t=label}",
     "component chip(label: string, tone = #222) {\n  text t = label\n}\n"),
    ("component c(){}", "component c() {}\n"),
    ('raw """<circle r="2"/>"""', 'raw """<circle r="2"/>"""\n'),
    ('raw """<g>\n  <a/>\n</g>"""', 'raw """<g>\n  <a/>\n</g>"""\n'),
    ('raw "x"', 'raw """x"""\n'),
    ('raw "<a t=\\"1\\""', "raw '<a t=\"1\"'\n"),
    ('raw \'<a t="""">\'', 'raw \'<a t="""">\'\n'),
]
GROUPS = [
    ("template t\nformats f 1x1\nimport 'a.ddm'\nobject o = image from p\nobject q = image from p\n"
     "let a = 1\nlet b = 2\ncomponent c(){}\ncomponent d(){}\nrect{}\nwhen a {}\ncircle",
     'template t\nformats f 1x1\n\nimport "a.ddm"\n\nobject o = image from p\nobject q = image from p\n\n'
     "let a = 1\nlet b = 2\n\ncomponent c() {}\n\ncomponent d() {}\n\nrect {}\nwhen a {}\ncircle {}\n"),
    ("", ""),
]
CANONICAL = (HEADER + OBJECTS + EXPRESSIONS + STRINGS + VALUE_LISTS + ELEMENTS + AMBIGUOUS
             + CONTROL + GROUPS)


@pytest.mark.parametrize(("source", "expected"), CANONICAL)
def test_canonical_form(source: str, expected: str) -> None:
    assert format_source(source) == expected
    assert parse(expected) == parse(source)
    assert format_source(expected) == expected


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"), (12.0, "12"), (0.5, "0.5"), (1e-7, "0.0000001"), (1e20, "100000000000000000000"),
    (0.1 + 0.2, "0.30000000000000004"), (1234.5678, "1234.5678"),
    (float("inf"), "1" + "0" * 309),  # the parser reads an overlong literal as infinity
])
def test_numbers_print_in_their_shortest_exact_decimal_form(value: float, text: str) -> None:
    assert number_text(value) == text
    assert float(text) == value


def test_format_module_prints_a_tree_built_without_source() -> None:
    """Trees built by code (no source, no spans) print too; comments need the source."""
    tree = ast.Module((
        ast.LetDecl("a", ast.Binary("-", ast.Name("x"), ast.Binary("-", ast.Name("y"),
                                                                    ast.Number(1.0, "px")))),
        ast.Element("rect", None, False, None, None, (), ast.Block(())),
        ast.WhenStmt(ast.Unary("not", ast.Name("b")), ast.Block(()), None),
    ))
    assert format_module(tree) == "let a = x - (y - 1px)\n\nrect {}\nwhen not b {}\n"


def test_bad_source_raises_the_parser_diagnostic() -> None:
    with pytest.raises(DiagnosticError):
        format_source("rect { fill: }")


# ---- comments ----------------------------------------------------------------------

COMMENTS = [
    # own-line comments stay before what follows them; trailing ones stay trailing
    ('// header comment\ntemplate t "T" // trailing on header\nformats feed 100x100\n'
     "/* block\n   comment */\nlet a = 1   // why a is 1\n"
     "rect r {\n  // about fill\n  fill: red; // trailing on fill\n  stroke: blue\n"
     "  // at end of block\n}\n// at end of file\n",
     '// header comment\ntemplate t "T" // trailing on header\nformats feed 100x100\n\n'
     "/* block\n   comment */\nlet a = 1 // why a is 1\n\n"
     "rect r {\n  // about fill\n  fill: red; // trailing on fill\n  stroke: blue;\n"
     "  // at end of block\n}\n\n// at end of file\n"),
    ("// only a comment", "// only a comment\n"),
    # a comment inside a block keeps the block open, even an empty one
    ("rect r { /* c */ }", "rect r {\n  /* c */\n}\n"),
    ("rect r { x: 1 // c\n }", "rect r {\n  x: 1; // c\n}\n"),
    # a comment inside a statement's head moves above the statement
    ("rect r // c\n { fill: red }", "// c\nrect r { fill: red }\n"),
    ("let x = 1 + // c\n 2 // d\n", "// c\nlet x = 1 + 2 // d\n"),
    ("image h\n  | a // why a\n  | b", "// why a\nimage h | a | b\n"),
    # trailing comments follow the statement that ends on their line, after `;` or `}`
    ("rect a {} rect b {} // c", "rect a\nrect b // c\n"),
    ("rect a {\n fill: red\n} // c\nrect b", "rect a { fill: red } // c\nrect b\n"),
    ("rect { x: 1 /* c */; y: 2 }", "rect {\n  x: 1; /* c */\n  y: 2;\n}\n"),
    ("let a = 1 /* x */ // y", "let a = 1 /* x */ // y\n"),
    # between the branches of a `when`, a comment ends the branch before it
    ("when a {} // c\nelse when b /* d */ {} // e\nrect",
     "when a {\n  // c\n  /* d */\n} else when b {} // e\nrect {}\n"),
    ("when a {\n  rect\n  // last\n} else {\n  // first\n  circle\n}",
     "when a {\n  rect {}\n  // last\n} else {\n  // first\n  circle {}\n}\n"),
]


@pytest.mark.parametrize(("source", "expected"), COMMENTS)
def test_comments_are_kept_where_they_were(source: str, expected: str) -> None:
    assert format_source(source) == expected
    assert format_source(expected) == expected
    assert parse(expected) == parse(source)
    assert [c.text for c in parse(expected).comments] == [c.text for c in parse(source).comments]


# ---- realistic templates -----------------------------------------------------------

# The sketch from DESIGN.md (its `circle {...}` given real properties).
SKETCH = """\
template hero_left "Product right, headline left"
formats feed 1080x1080, banner 1200x628, story 1080x1920

object hero  = image from product.images
               where subject.found and text.area < 0.02 and subject.area >= 0.1
               prefer quality desc
object logo? = image from brand.logos where background.transparent

let paper = tint(hero.palette.dominant, 0.85)
let ink   = contrast(paper, #111111, #ffffff)

rect background { x: 0; y: 0; width: 100%; height: 100%; fill: paper }

image hero | cutout | extend to slot(right 55%) | place in slot(right 55%) fit contain avoid headline
           | mirror when hero.subject.facing == right | shadow

text headline = caption(kind: headline, max_lines: 2)
     { box: 6% 18% 40% 30%; font: "Inter" 700; size: fit(28, 96); fill: ink }

for point in product.selling_points[0:3] {
  text { content: point; flow: below headline gap 2%; size: fit(18, 36); fill: ink }
}
image logo? { box: top-left margin 4% size 12% }
group badge when product.price.discount > 0 { circle { r: 8% } text { content: "-{product.price.discount}%" } }
"""

SKETCH_FORMATTED = """\
template hero_left "Product right, headline left"
formats feed 1080x1080, banner 1200x628, story 1080x1920

object hero = image from product.images
  where subject.found and text.area < 0.02 and subject.area >= 0.1
  prefer quality desc
object logo? = image from brand.logos where background.transparent

let paper = tint(hero.palette.dominant, 0.85)
let ink = contrast(paper, #111111, #ffffff)

rect background { x: 0; y: 0; width: 100%; height: 100%; fill: paper }
image hero
  | cutout
  | extend to slot(right 55%)
  | place in slot(right 55%) fit contain avoid headline
  | mirror when hero.subject.facing == right
  | shadow
text headline = caption(kind: headline, max_lines: 2) {
  box: 6% 18% 40% 30%;
  font: "Inter" 700;
  size: fit(28, 96);
  fill: ink;
}
for point in product.selling_points[0:3] {
  text { content: point; flow: below headline gap 2%; size: fit(18, 36); fill: ink }
}
image logo? { box: top-left margin 4% size 12% }
group badge when product.price.discount > 0 {
  circle { r: 8% }
  text { content: "-{product.price.discount}%" }
}
"""

LIBRARY = """\
// A small component library, written untidily on purpose.
let   gap=2%   // between rows
let shadow-color = mix( #000 , paper , 0.3 )

component chip( label : string , tone = #1f3b73 , size:length=fit(10,24) ) {
  group { rect { box: 0 0 100% 100% ; fill: tone ; rx: 12 }
          text { content: "{upper(label)}"; size: size; fill: contrast(tone, #fff, #111) } }
}

component price(amount, currency = "USD") {
  when amount > 100 { text { content: "{currency} {round(amount)}" } }
  else when amount > 0 { text { content: '{currency} {amount}'; fill: #d64545 } }
  else { raw \"\"\"<g class="free"/>\"\"\" }
}
"""


def _corpus() -> list[tuple[str, str]]:
    sources = [("sketch", SKETCH), ("library", LIBRARY)]
    sources += [(p.stem, p.read_text("utf-8")) for p in STDLIB]
    docs = ROOT / "docs" / "language.md"
    if docs.exists():
        blocks = re.findall(r"```ddm\n(.*?)```", docs.read_text("utf-8"), re.S)
        sources += [(f"docs-{i}", b) for i, b in enumerate(blocks)]
    return sources


CORPUS = _corpus()


def test_the_design_sketch_formats_to_its_canonical_form() -> None:
    assert format_source(SKETCH) == SKETCH_FORMATTED


@pytest.mark.parametrize(("name", "source"), CORPUS, ids=[n for n, _ in CORPUS])
def test_realistic_templates_format_idempotently_without_changing_meaning(name: str,
                                                                          source: str) -> None:
    try:
        before = parse(source)
    except DiagnosticError:
        pytest.skip("not a parseable example")
    once = format_source(source)
    assert format_source(once) == once
    after = parse(once)
    assert after == before
    assert [c.text for c in after.comments] == [c.text for c in before.comments]
