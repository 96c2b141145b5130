"""`ddm fmt`: canonical output for each construct, comments kept, idempotent, AST unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddm_lang.syntax.formatter import format_source
from ddm_lang.syntax.parser import parse

STDLIB = sorted((Path(__file__).parents[1] / "ddm_lang" / "stdlib_templates").glob("*.ddm"))

CANONICAL = [
    ("template   t   'My title'\nformats feed 1080x1080,banner 1200x628",
     'template t "My title"\nformats feed 1080x1080, banner 1200x628\n'),
    ("object hero?[2]=image from product.images where width>100 prefer width desc,height",
     "object hero?[2] = image from product.images where width > 100 prefer width desc, height\n"),
    ("let x=(1+2)*3-(4-5)", "let x = (1 + 2) * 3 - (4 - 5)\n"),
    ("let x=not(a==b)and c or d", "let x = not a == b and c or d\n"),
    ("let x=(not a)==b", "let x = (not a) == b\n"),
    ("let x=-(a.b)[0][1:]", "let x = -a.b[0][1:]\n"),
    ("let x=(-a).b", "let x = (-a).b\n"),
    ("let s='it\\'s {upper(\"x\")}!'", "let s = \"it's {upper('x')}!\"\n"),
    ("let s=\"a\\{b\\}\\n\"", 'let s = "a\\{b\\}\\n"\n'),
    ("let n=12.50", "let n = 12.5\n"),
    ("rect{box:0 (-10px) 50% ([1,2])}", "rect { box: 0 (-10px) 50% ([1, 2]) }\n"),
    ("rect{box:6% (56%+i*9%) 40% 8%}", "rect { box: 6% (56% + i * 9%) 40% 8% }\n"),
    ("rect", "rect {}\n"),
    ("image hero|place in slot(right 55%) fit cover avoid a,b|mirror when x==right",
     "image hero | place in slot(right 55%) fit cover avoid a, b | mirror when x == right\n"),
    ("image h|shadow(blur:4px)", "image h | shadow(blur: 4px)\n"),
    ("image h {}\nwhen c {rect{}}", "image h {}\nwhen c {\n  rect {}\n}\n"),
    ("group g when c{rect{fill:red}circle{r:2}}",
     "group g when c {\n  rect { fill: red }\n  circle { r: 2 }\n}\n"),
    ("when a{rect{}}else when b{circle{}}else{line{}}",
     "when a {\n  rect {}\n} else when b {\n  circle {}\n} else {\n  line {}\n}\n"),
    ("for p,i in xs[0:3]{text=p{y:i*10}}", "for p, i in xs[0:3] {\n  text = p { y: i * 10 }\n}\n"),
    ("component chip(label:string,tone=#222){text t=label}",
     "component chip(label: string, tone = #222) {\n  text t = label\n}\n"),
    ('import a,b from "lib.ddm"\nimport "x.ddm"', 'import a, b from "lib.ddm"\nimport "x.ddm"\n'),
    ('raw """<circle r="2"/>"""', 'raw """<circle r="2"/>"""\n'),
    ("text t = 'x' {fill: red; stroke: blue; opacity: 0.5; font-size: 12}",
     "text t = \"x\" {\n  fill: red;\n  stroke: blue;\n  opacity: 0.5;\n  font-size: 12;\n}\n"),
]


@pytest.mark.parametrize(("source", "expected"), CANONICAL)
def test_canonical_form(source: str, expected: str) -> None:
    assert format_source(source) == expected
    assert parse(expected) == parse(source)


def test_comments_are_kept_where_they_were() -> None:
    source = ("// header comment\ntemplate t \"T\" // trailing on header\nformats feed 100x100\n"
              "/* block\n   comment */\nlet a = 1   // why a is 1\n"
              "rect r {\n  // about fill\n  fill: red; // trailing on fill\n  stroke: blue\n"
              "  // at end of block\n}\n// at end of file\n")
    expected = ("// header comment\ntemplate t \"T\" // trailing on header\nformats feed 100x100\n\n"
                "/* block\n   comment */\nlet a = 1 // why a is 1\n\n"
                "rect r {\n  // about fill\n  fill: red; // trailing on fill\n  stroke: blue;\n"
                "  // at end of block\n}\n\n// at end of file\n")
    assert format_source(source) == expected
    assert format_source(expected) == expected


@pytest.mark.parametrize("path", STDLIB, ids=[p.stem for p in STDLIB])
def test_stdlib_templates_are_formatted_idempotently_without_changing_meaning(path: Path) -> None:
    source = path.read_text("utf-8")
    once = format_source(source)
    assert format_source(once) == once
    assert parse(once) == parse(source)
    assert once.count("//") == source.count("//")
