"""Messages for mistakes template authors make, each saying what happened and how to write
it instead: a negative item read as a subtraction, SVG attribute text left unquoted, and a
name used where it is not visible (a top-level `let` inside a component, a block's `let`
after the block, a loop variable after the loop)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddm_lang import DiagnosticError, load_template, template_from_string
from ddm_lang.syntax.diagnostics import Diagnostic

HEAD = 'template t "T"\nformats feed 1080x1080\n'  # the body starts on line 3


def problems(source: str) -> list[Diagnostic]:
    with pytest.raises(DiagnosticError) as info:
        template_from_string(HEAD + source)
    return info.value.diagnostics


def only(source: str) -> Diagnostic:
    (d,) = problems(source)
    return d


def where(d: Diagnostic) -> tuple[str, int, int, int]:
    return d.code, d.span.line, d.span.column, d.span.end_column


# ---- a negative item read as a subtraction --------------------------------------------

def test_a_negative_box_item_read_as_a_subtraction_is_named() -> None:
    d = only("rect r { box: 0 -10px 50% 50%; fill: #fff }\n")
    assert where(d) == ("check.box", 3, 15, 22)
    assert d.message == ("`box` takes four lengths (x y width height), got 3: "
                         "`0 -10px` was read as the subtraction `0 - 10px`")
    assert d.hint == "for a negative length write `0 (-10px)`; to subtract, write `0 - 10px`"
    # the way the hint says to write it
    template_from_string(HEAD + "rect r { box: 0 (-10px) 50% 50%; fill: #fff }\n")


def test_a_subtraction_written_with_spaces_gets_the_plain_count_message() -> None:
    d = only("rect r { box: 0 - 10px 50% 50%; fill: #fff }\n")
    assert d.message == "`box` takes four lengths (x y width height), got 3"
    assert d.hint == "or an anchored box: `box: top-left margin 4% size 12%`"


def test_a_negative_slot_item_read_as_a_subtraction_is_named() -> None:
    d = only("object hero = image from product.images\n"
             "image hero | place in slot(0 -10% 50% 50%)\n")
    assert where(d) == ("check.slot", 4, 28, 34)
    assert d.message == ("`slot` takes `side size` or four lengths (x y width height), got 3: "
                         "`0 -10%` was read as the subtraction `0 - 10%`")
    assert d.hint == "for a negative length write `0 (-10%)`; to subtract, write `0 - 10%`"


def test_a_negative_flow_gap_read_as_a_subtraction_is_named() -> None:
    d = only("text a = 'x' { box: 0 0 50% 10% }\n"
             "text b = 'y' { box: 0 0 50% 10%; flow: below a gap -2% }\n")
    assert where(d) == ("check.flow", 4, 48, 55)
    assert d.message.endswith(": `gap -2%` was read as the subtraction `gap - 2%`")
    assert d.hint == "for a negative length write `gap (-2%)`; to subtract, write `gap - 2%`"


# ---- SVG attribute text left unquoted ---------------------------------------------------

def test_unquoted_transform_text_says_to_quote_it() -> None:
    d = only("rect s { transform: scale(1, -1); fill: #fff }\n")
    assert where(d) == ("check.svg-text", 3, 21, 33)
    assert d.message == ("`scale(1, -1)` is SVG attribute text, which is written in quotes: "
                         "unquoted, it reads as a call to a function `scale` that DDM does not have")
    assert d.hint == 'write `transform: "scale(1, -1)"`'
    template_from_string(HEAD + 'rect s { transform: "scale(1, -1)"; fill: #fff }\n')


def test_unquoted_transform_lists_are_quoted_whole() -> None:
    d = only("rect s { transform: translate(10 20) rotate(45); fill: #fff }\n")
    assert d.code == "check.svg-text"
    assert d.hint == 'write `transform: "translate(10 20) rotate(45)"`'


def test_unquoted_url_reference_says_to_quote_it() -> None:
    d = only("defs { mask m { rect { box: 0 0 100% 100%; fill: #fff } } }\n"
             "rect r { mask: url(#m); fill: #fff }\n")
    assert where(d) == ("check.svg-text", 4, 16, 23)
    assert d.message == ("`url(#m)` is SVG attribute text, which is written in quotes: "
                         "unquoted, it reads as a call to a function `url` that DDM does not "
                         "have, and `#m` as a colour")
    assert d.hint == 'write `mask: "url(#m)"`'
    # a reference that happens to be hex digits, and one with a hyphen, are the same mistake
    assert only("rect r { fill: url(#fade) }\n").hint == 'write `fill: "url(#fade)"`'
    assert only("rect r { clip-path: url(#round-1) }\n").hint == (
        'write `clip-path: "url(#round-1)"`')


def test_a_misspelt_ddm_function_in_an_attribute_is_still_a_misspelling() -> None:
    d = only("let ink = #123456\nrect r { fill: shde(ink, 0.2) }\n")
    assert (d.code, d.message, d.hint) == ("check.unknown-function", "unknown function `shde`",
                                           "did you mean `shade`?")


def test_svg_text_outside_an_attribute_gets_the_quoting_hint() -> None:
    d = only("let t = rotate(45)\n")
    assert (d.code, d.message) == ("check.unknown-function", "unknown function `rotate`")
    assert d.hint == 'SVG attribute text is written in quotes: `"rotate(45)"`'


def test_a_colour_that_is_not_hex_outside_url_is_still_a_syntax_error() -> None:
    d = only("rect r { fill: #zz }\n")
    assert d.code == "syntax.color"


# ---- names that are not visible where they are used -------------------------------------

def test_a_component_using_a_top_level_let_is_told_to_take_a_parameter() -> None:
    d = only("let tone = #ff0000\n"
             "component chip(label: string) {\n"
             "  rect bg { box: 0 0 100% 100%; fill: tone }\n"
             "}\n"
             "chip { label: 'x'; box: 0 0 10% 10% }\n")
    assert where(d) == ("check.unknown-name", 5, 39, 43)
    assert d.message == ("unknown name `tone`: component `chip` does not see the top-level "
                         "`let tone` (line 3)")
    assert d.hint == ("pass it in as a parameter: `component chip(label: string, tone)`, "
                      "and `tone: tone;` where `chip` is used")


def test_a_component_declared_before_the_let_gets_the_same_message() -> None:
    d = only("component chip() { rect { fill: tone } }\nlet tone = #ff0000\nchip { }\n")
    assert d.message == ("unknown name `tone`: component `chip` does not see the top-level "
                         "`let tone` (line 4)")
    assert d.hint == ("pass it in as a parameter: `component chip(tone)`, "
                      "and `tone: tone;` where `chip` is used")


def test_a_parameter_default_does_not_see_top_level_lets() -> None:
    d = only("let tone = #ff0000\ncomponent chip(fill = tone) { rect { fill: fill } }\n")
    assert where(d) == ("check.unknown-name", 4, 23, 27)
    assert d.message == ("unknown name `tone`: component `chip` does not see the top-level "
                         "`let tone` (line 3)")


def test_a_component_does_not_see_imported_lets_either(tmp_path: Path) -> None:
    (tmp_path / "kit.ddm").write_text("let brand_ink = #1d2b24\n")
    main = tmp_path / "main.ddm"
    main.write_text(HEAD + 'import "kit.ddm"\n'
                    "component rule() { rect { box: 0 0 100% 100%; fill: brand_ink } }\n"
                    "rule { box: 0 0 100% 1% }\nrect { fill: brand_ink }\n")
    with pytest.raises(DiagnosticError) as info:
        load_template(main)
    (d,) = info.value.diagnostics
    assert where(d) == ("check.unknown-name", 4, 53, 62)
    assert d.message == ("unknown name `brand_ink`: component `rule` does not see the "
                         "top-level `let brand_ink` (imported from kit.ddm)")


def test_a_block_let_used_after_its_block_is_named() -> None:
    d = only("when format.aspect > 1 {\n  let tone = #ff0000\n}\nrect { fill: tone }\n")
    assert where(d) == ("check.unknown-name", 6, 14, 18)
    assert d.message == ("unknown name `tone`: the `let tone` at line 4 is only visible in "
                         "its own block")
    assert d.hint == "define it where both can see it, e.g. at the top level"


def test_a_loop_variable_used_after_its_loop_is_named() -> None:
    d = only("for point in product.selling_points { }\nrect { fill: point }\n")
    assert d.message == ("unknown name `point`: the loop variable `point` of the `for` at "
                         "line 3 is only visible inside that loop")


def test_a_parameter_used_outside_its_component_is_named() -> None:
    d = only("component chip(tone) { rect { fill: tone } }\nrect { fill: tone }\n")
    assert where(d) == ("check.unknown-name", 4, 14, 18)
    assert d.message == ("unknown name `tone`: it is a parameter of component `chip` (line 3), "
                         "visible only in its body")


def test_an_object_condition_does_not_see_lets() -> None:
    d = only("let least = 400\nobject hero = image from product.images where width > least\n"
             "image hero\n")
    assert where(d) == ("check.unknown-name", 4, 55, 60)
    assert d.message == ("unknown name `least`: objects are chosen before any `let` is "
                         "evaluated, so an object's `from`, `where` and `prefer` do not see "
                         "`let least` (line 3)")
    assert d.hint == "write the value itself"


def test_a_block_let_used_before_it_is_defined_in_its_block() -> None:
    d = only("group g {\n  rect { fill: tone }\n  let tone = #fff\n}\n")
    assert where(d) == ("check.unknown-name", 4, 16, 20)
    assert d.message == "`tone` is used before it is defined"
    assert d.hint == "`tone` is defined later, at line 5"


def test_an_element_property_does_not_see_a_let_inside_the_element() -> None:
    d = only("group g {\n  let tone = #fff\n  fill: tone;\n  rect { fill: tone }\n}\n")
    assert where(d) == ("check.unknown-name", 5, 9, 13)
    assert d.message == ("unknown name `tone`: an element's properties do not see the `let`s "
                         "inside it (`let tone` at line 4)")
    assert d.hint == "define it before the element"


def test_bare_words_that_name_nothing_stay_keyword_values() -> None:
    template_from_string(HEAD + "rect { fill: tone; stroke-linejoin: round; text-anchor: middle }\n"
                         "let other = 1\n")
    template_from_string(HEAD + "component chip(tone) { rect { fill: tone } }\n"
                         "chip { tone: #fff }\nrect { stroke-linecap: round }\n")


# ---- a `when` statement read as a guard -------------------------------------------------

GUARDED = ("object hero = image from product.images\nlet wide = format.aspect > 1.3\n"
           "image hero\n  | cutout\n  | shadow(kind: contact){END}\n"
           "when wide {\n  rect a { box: 0 0 10% 10% }\n}\n")


def test_a_when_statement_after_an_element_without_a_block_is_named() -> None:
    d = only(GUARDED.replace("{END}", ""))
    assert where(d)[:2] == ("check.when-guard", 8)
    assert d.message == ("the `when` on line 8 was read as the guard of `shadow` before it, "
                         "and its block as that `image`'s")
    # with `else` the parse fails at the `else`, and says why
    d = only(GUARDED.replace("{END}", "") + "else {\n  rect b { box: 0 0 10% 10% }\n}\n")
    assert where(d)[:2] == ("syntax.when-guard", 11)
    assert "the `when` on line 8 was read as a guard of the element before it" in d.message
    # the hint's way: a block ends the element
    for tail in ("", "else {\n  rect b { box: 0 0 10% 10% }\n}\n"):
        template_from_string(HEAD + GUARDED.replace("{END}", " { }") + tail)


def test_a_guard_written_on_the_operation_line_is_not_a_mistake() -> None:
    template_from_string(HEAD + "object hero = image from product.images\n"
                         "let wide = format.aspect > 1.3\n"
                         "image hero | cutout | shadow(kind: contact) when wide\n"
                         "when wide {\n  rect a { box: 0 0 10% 10% }\n} else {\n"
                         "  rect b { box: 0 0 10% 10% }\n}\n")


def test_a_vertical_mirror_points_to_reflect() -> None:
    d = only("object hero = image from product.images\n"
             "image hero | cutout | mirror(toward: down)\n")
    assert d.code == "check.operation-arg"
    assert d.hint is not None and "`| reflect`" in d.hint
