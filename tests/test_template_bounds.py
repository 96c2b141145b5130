"""Bounds on what a template or a product can ask of the compiler: nesting, file and string
size, raw `<use>` expansion and title length each end in a positioned diagnostic or a cut,
never in a `RecursionError`, a `MemoryError` or minutes of work."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from ddm_lang import DiagnosticError, template_from_string
from ddm_lang.copy.facts import Facts
from ddm_lang.copy.text import MAX_TEXT_CHARS, bounded, fits
from ddm_lang.semantics.raw_svg import MAX_RAW_DRAWN, check_raw_svg
from ddm_lang.syntax.ast import Span
from ddm_lang.syntax.bounds import (
    MAX_COMPONENT_DEPTH,
    MAX_NESTING,
    MAX_SOURCE_CHARS,
    MAX_STRING_CHARS,
    MAX_VALUE_CHARS,
)
from ddm_lang.syntax.diagnostics import SHOWN_LINE_CHARS, Diagnostic

HEAD = 'template t "T"\nformats feed 1080x1080\n'
RECT = "rect { width: 10; height: 10; fill: #000 }"


def _first(source: str) -> tuple[str, int, int]:
    with pytest.raises(DiagnosticError) as info:
        template_from_string(source)
    d = info.value.diagnostics[0]
    return d.code, d.span.line, d.span.column


@pytest.mark.parametrize(("source", "where"), [
    (HEAD + "g { " * 250 + RECT + " }" * 250, (3, 4 * MAX_NESTING + 3)),
    (HEAD + "when true { " * 2000 + RECT + " }" * 2000, (3, 12 * MAX_NESTING + 11)),
    (HEAD + "let x = " + " + ".join(["1"] * 500) + "\n", (3, 9)),
])
def test_deep_nesting_is_a_positioned_error(source: str, where: tuple[int, int]) -> None:
    assert _first(source) == ("syntax.too-deep", *where)


def test_deep_interpolation_is_a_positioned_error() -> None:
    source = HEAD + 'text t = "ok {' + " + ".join(["'a'"] * 300) + '}" { x: 1; y: 1 }\n'
    assert _first(source)[:2] == ("syntax.too-deep", 3)


@pytest.mark.parametrize("source", [
    HEAD + "g { " * (MAX_NESTING - 1) + RECT + " }" * (MAX_NESTING - 1),
    HEAD + "when true { " * (MAX_NESTING - 1) + RECT + " }" * (MAX_NESTING - 1),
    HEAD + "rect { width: " + " + ".join(["1"] * MAX_NESTING) + "; height: 10 }",
    HEAD + "rect r when " + "not " * (MAX_NESTING - 1) + "false { width: 1; height: 1 }",
    HEAD + "when false { rect { } }" + " else when false { rect { } }" * (MAX_NESTING - 2),
])
def test_nesting_up_to_the_limit_compiles(source: str, studio: Path, product: dict) -> None:
    creative = template_from_string(source).compile(product, "feed", base_dir=studio)
    assert creative.svg.startswith("<svg")


def test_file_size_is_capped_where_it_is_crossed() -> None:
    source = HEAD + "// " + "x" * MAX_SOURCE_CHARS + "\n"
    assert _first(source) == ("syntax.too-large", 3, MAX_SOURCE_CHARS - len(HEAD) + 1)


def test_string_literal_length_is_capped() -> None:
    source = HEAD + 'let s = "' + "a" * (MAX_STRING_CHARS + 1) + '"\n'
    assert _first(source) == ("syntax.string-length", 3, 9)
    template_from_string(HEAD + 'let s = "' + "a" * MAX_STRING_CHARS + '"\n')


def _use_bomb(levels: int) -> str:
    defs = ['<rect id="l0" width="1080" height="1080"/>']
    defs += [f'<g id="l{i}"><use href="#l{i - 1}"/><use href="#l{i - 1}"/></g>'
             for i in range(1, levels + 1)]
    return f'<defs>{"".join(defs)}</defs>\n<use href="#l{levels}"/>'


def test_raw_use_bomb_is_refused_at_check() -> None:
    source = HEAD + 'raw """' + _use_bomb(40) + '"""\n'
    started = time.perf_counter()
    assert _first(source) == ("check.raw-svg", 3, 1)  # the first `<use>` drawing too many
    assert time.perf_counter() - started < 5


def test_raw_expansion_counts_shared_and_cyclic_references() -> None:
    assert check_raw_svg(_use_bomb(8)) is None  # 2^8 rects: drawn, not refused
    cycle = '<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>'
    assert check_raw_svg(cycle) is None
    wide = "".join('<rect width="1" height="1"/>' for _ in range(MAX_RAW_DRAWN + 1))
    assert check_raw_svg(wide) is not None


def test_raw_markup_repeated_by_loops_counts_towards_the_element_limit(
        studio: Path, product: dict) -> None:
    source = HEAD + 'for a in range(1000) { for b in range(1000) { raw "<rect/>" } }\n'
    with pytest.raises(DiagnosticError) as info:
        template_from_string(source).compile(product, "feed", base_dir=studio)
    assert info.value.diagnostics[0].code == "bind.size"


def test_long_text_is_cut_between_words() -> None:
    words = "Lightweight running shoe " * 400
    cut = bounded(words, 100)
    assert len(cut) <= 100 and words.startswith(cut) and cut.endswith("shoe")
    cjk = "轻盈跑步鞋透气网面缓震中底" * 400
    cut = bounded(cjk, 100, "…")
    assert len(cut) <= 101 and cut.endswith("…") and cjk.startswith(cut[:-1])
    assert bounded("short", 100, "…") == "short"
    assert len(Facts.from_product({"title": words}).title) <= MAX_TEXT_CHARS


def test_fits_refuses_what_is_wider_than_the_box_without_segmenting() -> None:
    started = time.perf_counter()
    assert not fits("轻盈跑步鞋透气网面" * 50_000, 20, 2)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("title", ["轻盈跑步鞋透气网面缓震中底" * 800,
                                   "Lightweight running shoe breathable mesh " * 2500])
def test_a_very_long_title_compiles_quickly(title: str, studio: Path, product: dict) -> None:
    template = template_from_string(HEAD + "text h = caption(kind: headline) "
                             "{ box: 8% 66% 84% 14%; size: fit(24, 6.4%); max-lines: 2 }\n"
                             "text p = product.title { box: 8% 10% 84% 40%; size: fit(12, 64) }\n")
    started = time.perf_counter()
    creative = template.compile({**product, "title": title}, "feed", base_dir=studio)
    assert time.perf_counter() - started < 30  # minutes before the bounds
    assert "…" in creative.svg


def _chain(count: int) -> str:
    """`c0` uses `c1` ... uses `c{count}`, which draws a rect; the body uses `c0`."""
    return (HEAD + "".join(f"component c{i}() {{ c{i + 1} {{ }} }}\n" for i in range(count))
            + f"component c{count}() {{ {RECT} }}\nc0 {{ }}\n")


def test_a_long_component_chain_is_refused_where_it_passes_the_limit() -> None:
    user = 1000 - MAX_COMPONENT_DEPTH  # its `c{user + 1}` starts a chain at the limit
    where = (3 + user, len(f"component c{user}() {{ ") + 1)
    assert _first(_chain(1000)) == ("check.component-depth", *where)
    template_from_string(_chain(MAX_COMPONENT_DEPTH - 1))  # c0 ... c31: at the limit


@pytest.mark.parametrize(("count", "refused"), [(MAX_COMPONENT_DEPTH - 2, False), (60, True)])
def test_components_using_several_others_are_checked_in_linear_time(
        count: int, refused: bool) -> None:
    """Each component uses the next three: every path visited would be 10^8 of them."""
    source = HEAD + "".join(f"component c{i}() {{ c{i + 1} {{ }} c{i + 2} {{ }} "
                            f"c{i + 3} {{ }} }}\n" for i in range(count))
    source += "".join(f"component c{i}() {{ {RECT} }}\n" for i in range(count, count + 3))
    started = time.perf_counter()
    if refused:
        assert _first(source)[0] == "check.component-depth"
    else:
        template_from_string(source)
    assert time.perf_counter() - started < 5


def _nested_components(count: int, depth: int) -> str:
    """`count` components, each `depth` groups deep around the next one."""
    def component(i: int, inner: str) -> str:
        return f"component c{i}() {{ " + "g { " * depth + inner + " }" * depth + " }\n"
    return (HEAD + "".join(component(i, f"c{i + 1} {{ }}") for i in range(count))
            + component(count, RECT) + "c0 { }\n")


def test_components_that_nest_past_the_block_limit_together_are_refused() -> None:
    depth = MAX_NESTING - 2  # each file nests within the syntax limit
    user = 15  # the last one's use is the first to nest past the limit
    where = (3 + user, len(f"component c{user}() {{ " + "g { " * depth) + 1)
    assert _first(_nested_components(16, depth)) == ("check.component-depth", *where)


def test_components_nested_up_to_the_limit_compile(studio: Path, product: dict) -> None:
    """Wrappers 29 components deep, 99 levels of groups in all, and at the bottom an
    expression as deep as its file allows: the binder and the writer handle all of it."""
    count, groups = MAX_COMPONENT_DEPTH - 3, MAX_NESTING - MAX_COMPONENT_DEPTH - 1
    source = (HEAD + "".join(f"component w{i}() {{ w{i + 1} {{ }} }}\n" for i in range(count))
              + f"component w{count}() {{ c0 {{ }} }}\n"
              + "component c0() { " + "g { " * groups + "c1 { }" + " }" * groups + " }\n"
              + "component c1() { rect { width: " + " + ".join(["1"] * (MAX_NESTING - 3))
              + "; height: 10 } }\nw0 { }\n")
    creative = template_from_string(source).compile(product, "feed", base_dir=studio)
    assert creative.svg.count("<g") >= MAX_NESTING - 2


@pytest.mark.parametrize("double", ["a{i} + a{i}", '"{{a{i}}}{{a{i}}}"', 'join([a{i}, a{i}], "")',
                                    "[a{i}, a{i}]"])
def test_values_doubled_by_let_are_refused_at_the_limit(
        double: str, studio: Path, product: dict) -> None:
    """Forty doublings of a two-character text would be four terabytes."""
    lets = "".join(f"let a{i + 1} = {double.format(i=i)}\n" for i in range(40))
    source = HEAD + 'let a0 = "ab"\n' + lets + 'text t = "{a40}" { x: 1; y: 1 }\n'
    started = time.perf_counter()
    with pytest.raises(DiagnosticError) as info:
        template_from_string(source).compile(product, "feed", base_dir=studio)
    d = info.value.diagnostics[0]
    assert d.code == "bind.too-large" and f"{MAX_VALUE_CHARS:,}" in d.message
    assert d.span.line == 3 + MAX_VALUE_CHARS.bit_length() - 1  # the doubling past it
    assert time.perf_counter() - started < 5


def test_values_up_to_the_limit_are_built(studio: Path, product: dict) -> None:
    source = (HEAD + 'let a = "' + "a" * (MAX_VALUE_CHARS // 20) + '"\n'
              + "let b = a + a + a + a + a + a + a + a + a + a\n"
              + "text t = \"{len(b + b)} {len(join([b, a, a], ''))}\" { x: 1; y: 1 }\n")
    creative = template_from_string(source).compile(product, "feed", base_dir=studio)
    assert f"{MAX_VALUE_CHARS} {MAX_VALUE_CHARS * 6 // 10}" in creative.svg


def test_a_diagnostic_on_a_long_line_shows_a_window_around_the_caret() -> None:
    line = "a" * 500_000 + "BAD" + "b" * 500_000
    shown = Diagnostic("x.y", "bad", Span("f", 2, 500_001, 2, 500_004)).render("x\n" + line)
    text, caret = shown.splitlines()[1:3]
    assert len(text) < SHOWN_LINE_CHARS + 10 and text.count("…") == 2
    assert text[caret.index("^"):caret.index("^") + 3] == "BAD" and caret.count("^") == 3
    text, caret = Diagnostic("x.y", "bad", Span("f", 2, 1, 2, 2)).render("x\n" + line).splitlines()[1:3]
    assert text.endswith("a…") and not text.startswith("…") and caret.endswith(" ^")
    assert text[caret.index("^")] == "a" and text[caret.index("^") - 2:caret.index("^")] == "| "


def test_a_near_limit_string_literal_is_refused_before_it_costs_memory() -> None:
    source = HEAD + "// it's \"quoted\" here\nlet s = \"" + "a" * 900_000 + "\"\n"
    tracemalloc.start()
    try:
        where = _first(source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert where == ("syntax.string-length", 4, 9)
    assert peak < 200 * 2**20  # 445 MB before


@pytest.mark.parametrize("source", [
    HEAD + 'raw """<desc>' + "x" * (MAX_STRING_CHARS + 10) + '</desc>"""\n',  # markup
    HEAD + "// " + '"' + "x" * (MAX_STRING_CHARS + 10) + '"\n',  # a comment
    HEAD + 'let s = "' + "\\\"" * (MAX_STRING_CHARS // 2) + '"\n',  # escaped quotes
])
def test_long_lines_that_hold_no_long_string_are_not_refused(source: str) -> None:
    template_from_string(source)



def test_loops_inside_loops_are_bounded_in_all(studio: Path, product: dict) -> None:
    """Each loop is under its own limit, but three nested loops of 1,000 would run a
    billion bodies: the binder counts them all and stops with a positioned error."""
    source = HEAD + ("for a in range(1000) { for b in range(1000) { for c in range(1000) {"
                     " let x = a + b + c } } }\n")
    start = time.perf_counter()
    with pytest.raises(DiagnosticError) as info:
        template_from_string(source).compile(product, "feed", base_dir=studio)
    assert time.perf_counter() - start < 5
    assert info.value.diagnostics[0].code == "bind.loop"


@pytest.mark.parametrize("body", [
    "let x = [" + ", ".join("1" for _ in range(100_000)) + "]\n",
    "let x = 1" + " + 1" * 100_000 + "\n",
])
def test_a_template_of_too_many_tokens_is_refused_before_parsing(body: str) -> None:
    """Parsing costs time per token: 100,000 list items held a worker past 5 s."""
    start = time.perf_counter()
    with pytest.raises(DiagnosticError) as info:
        template_from_string(HEAD + body)
    assert time.perf_counter() - start < 2
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.code == "syntax.too-large" and diagnostic.span.line == 3


def test_an_empty_line_comment_does_not_hide_a_long_string() -> None:
    """`//` alone on a line once read as a block comment left open, which ends the scan:
    the long string after it went to Lark and took minutes."""
    start = time.perf_counter()
    with pytest.raises(DiagnosticError) as info:
        template_from_string(HEAD + '//\nlet y = "' + "a" * 500_000 + '"\n')
    assert time.perf_counter() - start < 5
    assert info.value.diagnostics[0].code == "syntax.string-length"


def test_block_comments_left_open_are_counted_in_linear_time() -> None:
    """After a `/*` no `*/` closes, each later `/*` once searched to the end of the file:
    300,000 of them took minutes before Lark ran."""
    start = time.perf_counter()
    with pytest.raises(DiagnosticError):
        template_from_string(HEAD + "/*a" * 300_000)
    assert time.perf_counter() - start < 5
