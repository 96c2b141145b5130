"""Literal operation arguments and clause values are checked by `ddm check`, against what
the signature table (semantics/operations.py) declares each one accepts; computed ones are
checked when bound.

The walk over the whole table is the guard against the two drifting apart: for every
operation, argument and clause, each literal the checker lets through is handed to the
operation's resolver exactly as the binder hands it (the binder's own `operation` and
`caption` steps, with a perception record instead of the material library), and the
resolver must accept it. So a literal the resolver rejects is a `ddm check` error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ddm_lang import DiagnosticError, template_from_string
from ddm_lang.bind.binder import _Binder
from ddm_lang.bind.evaluate import Scope
from ddm_lang.environment import default_environment
from ddm_lang.ops import recolor, shadow
from ddm_lang.ops.context import OpContext
from ddm_lang.scene import Box, ImageNode, Material
from ddm_lang.semantics import operations
from ddm_lang.semantics.operations import OPERATIONS
from ddm_lang.syntax import ast
from ddm_lang.syntax.diagnostics import Diagnostic

HEAD = ('template t "T"\nformats feed 1000x1000\n'
        "object hero = image from product.images\n"
        "text headline = 'x' { box: 0 60% 50% 10% }\n")  # the statement under test: line 5
LINE = 5
PRODUCT = {"id": "sku-1", "title": "Evergreen Olive Oil", "images": ["big.jpg"],
           "brand": {"name": "Grove"}, "price": {"amount": 12.9, "currency": "USD"},
           "selling_points": ["Cold pressed", "Single estate"]}
RECORD = {"subject.found": True, "subject.facing": "right", "text.found": False,
          "subject.box": [0.25, 0.25, 0.5, 0.5], "subject.source": "model",
          "light.direction": 0.0, "light.strength": 0.0, "palette.dominant": "#336699",
          "palette.accent": "#d64545", "background.color": "#f4f1ea"}
NUMBERS = ["-1", "0", "0.25", "1", "1.5", "3", "10px", "-10px", "0px", "50%", "2vmin", "90deg"]
OTHERS = ["#1f3b73", '"zh"', '"#d64545"', '"bogus"', "true", "none", "down", "bogus", "text",
          "headline"]


def candidates(spec: operations.OpArgSpec | operations.ClauseSpec) -> list[str]:
    """Literals of every kind: the declared words, near misses, numbers with and without
    units, colours, strings, booleans, none."""
    words = {*spec.choices, *(c[:-1] for c in spec.choices if len(c) > 3)}
    return [*sorted(words), *(f'"{c}"' for c in spec.choices), *NUMBERS, *OTHERS]


def statement(op: str, value: str, *, arg: str | None = None, clause: str | None = None) -> str:
    if "text" in OPERATIONS[op].applies_to:
        return f"text t = {op}({arg}: {value}) {{ box: 0 0 50% 10%; size: fit(10, 40) }}\n"
    return f"image hero | {op}({arg}: {value})\n" if arg else f"image hero | {op} {clause} {value}\n"


def checked(source: str) -> tuple[object | None, list[Diagnostic]]:
    try:
        return template_from_string(source), []
    except DiagnosticError as err:
        return None, err.diagnostics


def resolve(template: object, tmp_path: Path) -> None:
    """Bind the statement under test's operation as the binder does; raises when the
    resolver (or the binder's conversion of the value) rejects it."""
    ir = template.ir  # type: ignore[attr-defined]
    element = ir.body[-1]
    assert isinstance(element, ast.Element)
    binder = _Binder(ir, PRODUCT, "feed", tmp_path, 0, default_environment())
    context = OpContext(RECORD, b"matte", Box(0, 0, 1000, 1000), tmp_path / "generated")
    binder.op_context = lambda material, op: context  # type: ignore[method-assign]
    box = Box(600, 100, 400, 400)
    if element.kind == "text":
        assert isinstance(element.value, ast.Call)
        binder.caption(element, element.value, Scope(), Box(0, 0, 500, 100), (10.0, 40.0), 1.2,
                       None)
        return
    material = Material(str(tmp_path / "big.jpg"), "0" * 64, 800, 600, "jpeg")
    image = ImageNode(material, box, Box(0, 0, 800, 600), False)
    for op in element.pipeline:
        image = binder.operation(op, image, Scope(), box)


def _cases() -> list[tuple[str, str | None, str | None]]:
    out: list[tuple[str, str | None, str | None]] = []
    for name, spec in sorted(OPERATIONS.items()):
        out += [(name, arg, None) for arg in spec.args]
        out += [(name, None, clause) for clause in spec.clauses]
    return out


@pytest.mark.parametrize(("op", "arg", "clause"), _cases())
def test_every_literal_the_checker_accepts_the_resolver_accepts(
        op: str, arg: str | None, clause: str | None, tmp_path: Path) -> None:
    spec = OPERATIONS[op].args[arg] if arg else OPERATIONS[op].clauses[clause or ""]
    accepted, rejected = [], []
    for value in candidates(spec):
        template, problems = checked(HEAD + statement(op, value, arg=arg, clause=clause))
        if template is None:
            # refused for this value, at the statement under test
            assert problems and all(d.span.line == LINE for d in problems), (value, problems)
            rejected.append(value)
            continue
        try:
            resolve(template, tmp_path)
        except Exception as err:  # any refusal counts
            pytest.fail(f"`{statement(op, value, arg=arg, clause=clause).strip()}` passes "
                        f"ddm check but its resolver rejects it: {err}")
        accepted.append(value)
    assert accepted or spec.type in ("region", "names"), "no literal passes: is the test right?"
    assert rejected, "every literal passes: nothing is checked"


def first(source: str) -> Diagnostic:
    template, problems = checked(HEAD + source)
    assert template is None
    return problems[0]


def test_a_word_argument_outside_its_choices_is_a_check_error() -> None:
    d = first("image hero | mirror(toward: down)\n")
    assert (d.code, d.span.line, d.span.column) == ("check.operation-arg", 5, 21)
    assert d.message == "`mirror`'s `toward` is one of left, right, not `down`"
    d = first("image hero | mirror(toward: lef)\n")
    assert d.hint == "did you mean `left`?"
    d = first("image hero | shadow(kind: dropp)\n")
    assert d.message == "`shadow`'s `kind` is one of drop, contact, not `dropp`"
    assert d.hint == "did you mean `drop`?"


def test_numbers_are_checked_against_their_declared_range_and_unit() -> None:
    d = first("image hero | recolor(amount: 1.5)\n")
    assert d.message == "`recolor`'s `amount` is a number from 0 to 1, not `1.5`"
    d = first("image hero | recolor(amount: 50%)\n")
    assert d.message == "`recolor`'s `amount` is a number from 0 to 1, not `50%`"
    assert d.hint == "write it without a unit: `0.5`"
    d = first("image hero | shadow(opacity: -0.5)\n")
    assert d.message == "`shadow`'s `opacity` is a number from 0 to 1, not `-0.5`"
    d = first("image hero | shadow(blur: 4deg)\n")
    assert d.message == "`shadow`'s `blur` is a length, not `4deg`"
    d = first("image hero | shadow(opacity: \"0.3\")\n")
    assert d.message == "`shadow`'s `opacity` is a number from 0 to 1, not `\"0.3\"`"


def test_clause_colours_and_words_are_checked() -> None:
    d = first("image hero | recolor with dominnt\n")
    assert (d.code, d.span.column) == ("check.word", 27)
    assert d.message == ("`with` takes a colour or one of dominant, accent, complement, "
                         "background, not `dominnt`")
    assert d.hint == "did you mean `dominant`?"
    d = first("image hero | recolor with 3\n")
    assert (d.code, d.message) == ("check.type", "`with` takes a colour or one of dominant, "
                                   "accent, complement, background, not `3`")


def test_computed_arguments_are_left_to_the_binder() -> None:
    template_from_string(HEAD + "image hero | mirror(toward: 'left' if format.aspect > 1 "
                         "else 'right') | recolor(amount: seed / 10) with hero.palette.accent\n")
    template_from_string(HEAD + "let tone = #1f3b73\nimage hero | recolor with tone\n")


def test_the_resolvers_use_the_tables_accepted_sets() -> None:
    """One definition of each accepted set, at the layer both the checker and the
    resolvers may import (semantics; ops imports it, never the other way round)."""
    assert recolor.SCHEMES is operations.RECOLOR_SCHEMES
    assert OPERATIONS["recolor"].clauses["with"].choices is operations.RECOLOR_SCHEMES
    assert shadow.SHADOW_KINDS is OPERATIONS["shadow"].args["kind"].choices
    assert OPERATIONS["recolor"].args["amount"].bounds is operations.UNIT_INTERVAL
    assert 1 in operations.UNIT_INTERVAL and 1.01 not in operations.UNIT_INTERVAL
