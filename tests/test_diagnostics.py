"""Deliberately broken templates: each gives exactly one precise diagnostic.

Every case names the mistake, the template, and where the caret must point, so a
regression in position or wording is caught, not just "some error happened".
"""

from __future__ import annotations

import pytest

from ddm_lang import DiagnosticError, template_from_string

HEAD = 'template t "T"\nformats feed 1080x1080\n'
OBJ = "object hero = image from product.images where subject.area > 0.1\n"

# (id, source, expected code, line, column, text expected in the message or hint)
CASES = [
    ("missing-semicolon", HEAD + "rect {\n  fill: red\n  stroke: blue\n}\n",
     "syntax.missing-semicolon", 5, 3, "stroke"),
    ("unterminated-string", HEAD + 'text t = "hello\n', "syntax.string", 3, 10, "unterminated"),
    ("bad-colour", HEAD + "rect { fill: #12345 }\n", "syntax.color", 3, 14, "#12345"),
    ("unclosed-block", HEAD + "group g {\n  rect { fill: red }\n", "syntax.eof", 5, 1, "not closed"),
    ("stray-brace", HEAD + "rect { fill: red } }\n", "syntax.brace", 3, 20, "}"),
    ("unexpected-character", HEAD + "let x = 3 @ 4\n", "syntax.character", 3, 11, "@"),
    ("property-outside-block", HEAD + "fill: red\n", "syntax.property", 3, 5, "inside"),
    ("bad-format-size", 'template t "T"\nformats feed 1080\n', "syntax.unexpected", 2, 14,
     "1080x1080"),
    ("unknown-escape", HEAD + 'text t = "a\\qb"\n', "syntax.escape", 3, 12, "\\q"),
    ("unclosed-interpolation", HEAD + 'text t = "a {product.title"\n', "syntax.interpolation",
     3, 13, "never closed"),
    ("unknown-element", HEAD + "rectangle { fill: red }\n", "check.unknown-element", 3, 1,
     "`rect`"),
    ("equals-instead-of-colon", HEAD + "rect {\n  fill = red\n}\n", "check.unknown-element", 4, 3,
     "colon"),
    ("unknown-function", HEAD + "let c = tnt(#fff, 0.5)\n", "check.unknown-function", 3, 9,
     "`tint`"),
    ("function-arity", HEAD + "let c = tint(#fff)\n", "check.arity", 3, 9, "amount"),
    ("function-named-arg", HEAD + "let c = mix(#fff, #000, amount: 0.2)\n", "check.argument",
     3, 25, "parameters"),
    ("function-arg-type", HEAD + 'let c = tint("red", 0.5)\n', "check.type", 3, 14, "colour"),
    ("unknown-unit", HEAD + "rect { width: 10pz }\n", "check.unit", 3, 15, "pz"),
    ("misspelt-attribute", HEAD + "object hero = image from product.images where subject.aera > 0.1\n",
     "check.unknown-attribute", 3, 47, "`subject.area`"),
    ("unknown-object-attribute", HEAD + OBJ + "let c = hero.palette.dominnt\n",
     "check.unknown-attribute", 4, 9, "palette.dominant"),
    ("misspelt-name", HEAD + "let paper = #fff\nrect { fill: papr }\n", "check.unknown-name",
     4, 14, "`paper`"),
    ("used-before-defined", HEAD + "rect { fill: ink }\nlet ink = #000\n", "check.unknown-name",
     3, 14, "line 4"),
    ("unknown-operation", HEAD + OBJ + "image hero | plase fit cover\n",
     "check.unknown-operation", 4, 14, "`place`"),
    ("caption-place", HEAD + OBJ + "let t = caption(kind: headline)\n",
     "check.caption-place", 4, 9, "text's value"),
    ("caption-kind", HEAD + OBJ + "text t = caption(kind: tagline) { box: 0 0 50% 10% }\n",
     "check.operation-arg", 4, 18, "headline"),
    ("operation-wrong-kind", HEAD + "rect r | place fit cover\n", "check.operation-kind", 3, 10,
     "image"),
    ("operation-bad-clause", HEAD + OBJ + "image hero | place to slot(left 50%)\n",
     "check.clause", 4, 20, "`in`"),
    ("operation-bad-word", HEAD + OBJ + "image hero | place fit contian\n", "check.word", 4, 24,
     "`contain`"),
    ("avoid-unknown-element", HEAD + OBJ + "image hero | place avoid headlne\ntext headline = 'x'\n",
     "check.unknown-element-name", 4, 26, "`headline`"),
    ("unknown-object", HEAD + OBJ + "image heor { box: 0 0 50% 50% }\n", "check.unknown-object",
     4, 1, "`hero`"),
    ("optional-object-without-mark", HEAD + "object logo? = image from brand.logos\nimage logo\n",
     "check.optional", 4, 1, "logo?"),
    ("unknown-object-kind", HEAD + "object clip = video from product.videos\n",
     "check.object-kind", 3, 1, "image"),
    ("duplicate-object", HEAD + OBJ + OBJ, "check.duplicate-object", 4, 1, "already"),
    ("duplicate-property", HEAD + "rect {\n  fill: red;\n  fill: blue\n}\n",
     "check.duplicate-property", 5, 3, "line 4"),
    ("duplicate-element-name", HEAD + "rect a { fill: red }\nrect a { fill: blue }\n",
     "check.duplicate-name", 4, 1, "line 3"),
    ("event-handler", HEAD + "rect { onclick: 'steal()' }\n", "check.attribute", 3, 8,
     "event handler"),
    ("external-href", HEAD + "use { href: 'http://evil.example/x.svg#a' }\n",
     "check.external-ref", 3, 7, "outside"),
    ("raw-script", HEAD + 'raw """<script>alert(1)</script>"""\n', "check.raw-svg", 3, 1,
     "script"),
    ("raw-entity", HEAD + 'raw """<text>&xxe;</text>"""\n', "check.raw-svg", 3, 1, "entity"),
    ("component-recursion", HEAD + "component a(x) {\n  a { x: 1 }\n}\n",
     "check.component-recursion", 3, 1, "recurse"),
    ("component-missing-param", HEAD + "component badge(label) {\n  text t = label\n}\nbadge { }\n",
     "check.missing-param", 6, 1, "label"),
    ("loop-over-number", HEAD + "for i in 3 {\n  rect { }\n}\n", "check.not-iterable", 3, 10,
     "range"),
    ("box-arity", HEAD + "rect { box: 0 0 10% }\n", "check.box", 3, 8, "four"),
    ("text-property-on-rect", HEAD + "rect { font: 'Inter' 700 }\n", "check.property-kind", 3, 8,
     "text"),
    ("not-a-container", HEAD + "rect {\n  circle { r: 3 }\n}\n", "check.not-container", 4, 3,
     "group"),
    ("order-colours", HEAD + "let x = #fff < #000\n", "check.type", 3, 9, "colour"),
    ("format-field", HEAD + "let w = format.widht\n", "check.unknown-field", 3, 9, "`width`"),
    ("missing-header", "formats feed 100x100\nrect { }\n", "check.no-template", 1, 1, "template"),
    ("missing-formats", 'template t "T"\nrect { }\n', "check.no-formats", 1, 1, "formats"),
    ("duplicate-format", 'template t "T"\nformats feed 10x10, feed 20x20\n',
     "check.duplicate-format", 2, 21, "twice"),
    ("flow-incomplete", HEAD + "text t = 'x' { flow: below; box: 0 0 1 1 }\n",
     "check.flow", 3, 22, "flow: below NAME"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_broken_template_gives_one_precise_diagnostic(case: tuple) -> None:
    _name, source, code, line, column, text = case
    with pytest.raises(DiagnosticError) as info:
        template_from_string(source)
    diags = info.value.diagnostics
    assert len(diags) == 1, info.value.render()
    d = diags[0]
    assert d.code == code, info.value.render()
    assert (d.span.line, d.span.column) == (line, column), info.value.render()
    assert text in d.message + " " + (d.hint or ""), info.value.render()


def test_enough_kinds_of_mistake_are_covered() -> None:
    assert len({c[2] for c in CASES}) >= 25
    assert len(CASES) >= 40


def test_rendered_diagnostic_has_location_source_line_and_caret() -> None:
    source = HEAD + "let paper = #fff\nrect { fill: papr }\n"
    with pytest.raises(DiagnosticError) as info:
        template_from_string(source)
    text = info.value.render()
    lines = text.splitlines()
    assert lines[0] == "<template>:4:14: error[check.unknown-name]: unknown name `papr`"
    assert lines[1] == "   4 | rect { fill: papr }"
    assert lines[2].index("^") == lines[1].index("papr")
    assert lines[2].count("^") == 4
    assert lines[3] == "  hint: did you mean `paper`?"


def test_every_error_is_reported_not_just_the_first() -> None:
    source = (HEAD + "let paper = #fff\nrect { fill: papr }\nlet c = tnt(#fff, 0.1)\n"
              "rect { width: 3qq }\n")
    with pytest.raises(DiagnosticError) as info:
        template_from_string(source)
    assert [d.span.line for d in info.value.diagnostics] == [4, 5, 6]


def test_bare_words_are_keyword_values() -> None:
    template = template_from_string(HEAD + "rect { stroke-linecap: round; text-anchor: middle }\n")
    assert template.name == "t"
