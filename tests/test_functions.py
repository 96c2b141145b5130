"""Builtin functions and values: colour maths, WCAG contrast, slots, formatting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddm_lang.semantics.functions import FUNCTIONS, EvalError
from ddm_lang.values import Color, Length, Region, format_number

F = {name: spec.impl for name, spec in FUNCTIONS.items()}


def test_tint_shade_mix() -> None:
    red = Color.parse("#ff0000")
    assert F["tint"](red, 0.5).hex() == "#ff8080"
    assert F["shade"](red, 0.5).hex() == "#800000"
    assert F["mix"](Color.parse("#000"), Color.parse("#fff")).hex() == "#808080"


def test_contrast_picks_the_more_readable_colour() -> None:
    dark, light = Color.parse("#111111"), Color.parse("#ffffff")
    assert F["contrast"](Color.parse("#f4f1ea"), dark, light) == dark
    assert F["contrast"](Color.parse("#1f3b73"), dark, light) == light
    assert Color.parse("#000").contrast(Color.parse("#fff")) == pytest.approx(21.0)


def test_complement_rotates_hue() -> None:
    assert F["complement"](Color.parse("#ff0000")).hex() == "#00ffff"


def test_slot_regions() -> None:
    assert F["slot"]((("right"), Length(55, "%"))) == Region(
        Length(45, "%"), Length(0, "%"), Length(55, "%"), Length(100, "%"))
    assert F["slot"](("top", Length(30, "%"))).height == Length(30, "%")
    with pytest.raises(EvalError):
        F["slot"](("right", Length(30, "px")))


def test_price_formatting() -> None:
    assert F["price"](12.9, "USD") == "$12.90"
    assert F["price"](1499, "JPY") == "¥1,499"
    assert F["price"](5, "") == "5"  # whole amounts without decimals
    assert F["price"](12.9, "SEK", "sv") == "12,90 kr"
    assert F["price"](1.99, "EUR", "de") == "1,99 €"
    assert F["price"](199, "CNY", "zh") == "¥199"


def test_range_is_bounded() -> None:
    assert F["range"](3) == [0, 1, 2]
    with pytest.raises(EvalError):
        F["range"](10_000)


def test_type_errors_are_eval_errors_not_python_errors() -> None:
    with pytest.raises(EvalError, match="colour"):
        F["tint"]("red", 0.5)
    with pytest.raises(EvalError, match="number"):
        F["tint"](Color.parse("#fff"), "lots")


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_format_number_round_trips_to_four_decimals(v: float) -> None:
    text = format_number(v)
    assert float(text) == pytest.approx(round(v, 4), abs=1e-9)
    assert not text.endswith(".") and (text == "0" or not text.endswith(".0"))


@settings(max_examples=200, deadline=None)
@given(st.tuples(*[st.integers(0, 255)] * 3))
def test_hex_round_trip(rgb: tuple[int, int, int]) -> None:
    text = "#" + "".join(f"{c:02x}" for c in rgb)
    assert Color.parse(text).hex() == text


def test_floor_never_claims_more_discount_than_given() -> None:
    floor = FUNCTIONS["floor"].impl
    assert floor(15.3846) == 15 and floor(20) == 20 and floor(-0.5) == -1
    assert format_number(floor(99.99)) == "99"
    with pytest.raises(EvalError):
        floor("a")
