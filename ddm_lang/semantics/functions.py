"""Builtin functions of the expression language: signatures for the checker, code for bind.

Every function is pure and bounded (no loops over unbounded input), so templates stay
deterministic and cannot hang a batch.
"""

from __future__ import annotations

import colorsys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .values import BLACK, WHITE, Color, FitSize, Length, Region

MAX_RANGE = 1000


class EvalError(Exception):
    """A value a function cannot work with; the binder turns it into a diagnostic."""


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: str               # number | length | color | string | bool | list | any | value
    required: bool = True


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    params: tuple[ParamSpec, ...]
    returns: str
    impl: Callable[..., Any]
    doc: str
    variadic: bool = False  # extra positional arguments of the last parameter's type


FUNCTIONS: dict[str, FunctionSpec] = {}


def _register(name: str, params: str, returns: str, doc: str, variadic: bool = False):
    """`params` is "name:type, name:type?" (`?` = optional)."""
    specs = []
    for part in filter(None, (p.strip() for p in params.split(","))):
        pname, ptype = part.split(":")
        specs.append(ParamSpec(pname, ptype.rstrip("?"), not ptype.endswith("?")))

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        FUNCTIONS[name] = FunctionSpec(name, tuple(specs), returns, fn, doc, variadic)
        return fn
    return deco


def _num(v: Any, what: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float | Length):
        raise EvalError(f"{what} must be a number, got {describe(v)}")
    return v.value if isinstance(v, Length) else float(v)


def _color(v: Any, what: str) -> Color:
    if isinstance(v, Color):
        return v
    if isinstance(v, str) and v.startswith("#"):
        try:
            return Color.parse(v)
        except ValueError:
            pass
    raise EvalError(f"{what} must be a colour, got {describe(v)}")


def describe(v: Any) -> str:
    """A short human description of a runtime value for error messages."""
    if v is None:
        return "nothing (none)"
    if isinstance(v, bool):
        return f"a boolean ({str(v).lower()})"
    if isinstance(v, int | float):
        return f"a number ({v:g})"
    if isinstance(v, Length):
        return f"a length ({v})"
    if isinstance(v, Color):
        return f"a colour ({v})"
    if isinstance(v, str):
        short = v if len(v) <= 30 else v[:27] + "..."
        return f"a string ({short!r})"
    if isinstance(v, list | tuple):
        return f"a list of {len(v)}"
    if isinstance(v, dict):
        return "a record"
    return type(v).__name__


# ---- colour -------------------------------------------------------------------------

@_register("tint", "color:color, amount:number", "color", "mix towards white by `amount` (0..1)")
def tint(color: Any, amount: Any) -> Color:
    return _color(color, "tint's colour").mix(WHITE, _num(amount, "tint's amount"))


@_register("shade", "color:color, amount:number", "color", "mix towards black by `amount` (0..1)")
def shade(color: Any, amount: Any) -> Color:
    return _color(color, "shade's colour").mix(BLACK, _num(amount, "shade's amount"))


@_register("mix", "a:color, b:color, t:number?", "color", "linear mix, t=0 gives a, t=1 gives b")
def mix(a: Any, b: Any, t: Any = 0.5) -> Color:
    return _color(a, "mix's first colour").mix(_color(b, "mix's second colour"), _num(t, "t"))


@_register("complement", "color:color", "color", "the opposite hue, same lightness")
def complement(color: Any) -> Color:
    return _color(color, "complement's colour").complement()


@_register("contrast", "background:color, a:color, b:color", "color",
           "whichever of a and b contrasts more with the background (WCAG ratio)")
def contrast(background: Any, a: Any, b: Any) -> Color:
    bg = _color(background, "contrast's background")
    ca, cb = _color(a, "contrast's first choice"), _color(b, "contrast's second choice")
    return ca if bg.contrast(ca) >= bg.contrast(cb) else cb


@_register("alpha", "color:color, alpha:number", "color", "the colour with this opacity (0..1)")
def alpha(color: Any, value: Any) -> Color:
    c = _color(color, "alpha's colour")
    return Color(c.r, c.g, c.b, max(0.0, min(1.0, _num(value, "alpha"))))


@_register("rgb", "r:number, g:number, b:number", "color", "a colour from 0..255 channels")
def rgb(r: Any, g: Any, b: Any) -> Color:
    return Color(*(max(0.0, min(255.0, _num(v, "a channel"))) / 255.0 for v in (r, g, b)))


@_register("hsl", "h:number, s:number, l:number", "color", "hue in degrees, saturation and lightness 0..1")
def hsl(h: Any, s: Any, lightness: Any) -> Color:
    r, g, b = colorsys.hls_to_rgb((_num(h, "hue") % 360) / 360.0,
                                  max(0.0, min(1.0, _num(lightness, "lightness"))),
                                  max(0.0, min(1.0, _num(s, "saturation"))))
    return Color(r, g, b)


@_register("contrast_ratio", "a:color, b:color", "number", "WCAG contrast ratio of two colours")
def contrast_ratio(a: Any, b: Any) -> float:
    return _color(a, "first colour").contrast(_color(b, "second colour"))


# ---- text ---------------------------------------------------------------------------

def _text(v: Any, what: str) -> str:
    if isinstance(v, str):
        return v
    raise EvalError(f"{what} must be a string, got {describe(v)}")


@_register("upper", "text:string", "string", "upper case")
def upper(text: Any) -> str:
    return _text(text, "upper's argument").upper()


@_register("lower", "text:string", "string", "lower case")
def lower(text: Any) -> str:
    return _text(text, "lower's argument").lower()


@_register("title", "text:string", "string", "title case")
def title(text: Any) -> str:
    return _text(text, "title's argument").title()


@_register("join", "items:list, separator:string?", "string", "join items with a separator")
def join(items: Any, separator: Any = ", ") -> str:
    if not isinstance(items, list | tuple):
        raise EvalError(f"join needs a list, got {describe(items)}")
    return _text(separator, "join's separator").join(to_text(i) for i in items)


@_register("price", "amount:number, currency:string?", "string",
           "a price with two decimals and a currency symbol or code")
def price(amount: Any, currency: Any = "") -> str:
    value = _num(amount, "price's amount")
    cur = _text(currency, "price's currency")
    symbols = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "JPY": "¥", "SEK": "kr "}
    sym = symbols.get(cur.upper(), cur)
    digits = 0 if cur.upper() == "JPY" else 2
    text = f"{value:,.{digits}f}"
    return f"{sym}{text}" if sym and not sym.endswith(" ") else f"{sym}{text}".strip()


# ---- numbers and lists --------------------------------------------------------------

@_register("len", "items:any", "number", "number of items in a list or characters in a string")
def length(items: Any) -> int:
    if isinstance(items, list | tuple | str | dict):
        return len(items)
    raise EvalError(f"len needs a list or a string, got {describe(items)}")


@_register("min", "a:number, b:number", "number", "the smaller value", variadic=True)
def minimum(*values: Any) -> Any:
    return min(values, key=lambda v: _num(v, "min's argument"))


@_register("max", "a:number, b:number", "number", "the larger value", variadic=True)
def maximum(*values: Any) -> Any:
    return max(values, key=lambda v: _num(v, "max's argument"))


@_register("round", "value:number, digits:number?", "number", "round to `digits` decimals")
def round_(value: Any, digits: Any = 0) -> float:
    return round(_num(value, "round's value"), int(_num(digits, "digits")))


@_register("clamp", "value:number, low:number, high:number", "number", "limit to [low, high]")
def clamp(value: Any, low: Any, high: Any) -> float:
    return max(_num(low, "low"), min(_num(high, "high"), _num(value, "value")))


@_register("range", "count:number", "list", f"0, 1, ... count-1 (at most {MAX_RANGE})")
def range_(count: Any) -> list[int]:
    n = int(_num(count, "range's count"))
    if not 0 <= n <= MAX_RANGE:
        raise EvalError(f"range({n}) is outside 0..{MAX_RANGE}")
    return list(range(n))


@_register("default", "value:any, fallback:any", "any", "`value`, or `fallback` when value is none")
def default(value: Any, fallback: Any) -> Any:
    return fallback if value is None or value == "" else value


# ---- layout values --------------------------------------------------------------------

@_register("fit", "min:length, max:length", "fit", "font size: largest in range that fits the box")
def fit(lo: Any, hi: Any) -> FitSize:
    a, b = as_length(lo, "fit's minimum"), as_length(hi, "fit's maximum")
    if a.unit == b.unit and a.value > b.value:
        raise EvalError(f"fit's minimum {a} is larger than its maximum {b}")
    return FitSize(a, b)


SIDES = ("left", "right", "top", "bottom", "center")


@_register("slot", "area:value", "region",
           "a part of the slot: `slot(right 55%)`, `slot(top 30%)`, `slot(x y w h)`")
def slot(area: Any) -> Region:
    items = list(area) if isinstance(area, list | tuple) else [area]
    full = Length(100, "%")
    zero = Length(0, "%")
    if len(items) == 4:
        x, y, w, h = (as_length(v, "slot's box") for v in items)
        return Region(x, y, w, h)
    if len(items) == 2 and items[0] in SIDES:
        size = as_length(items[1], "slot's size")
        if size.unit != "%":
            raise EvalError("slot(side size) takes a size in % of the slot")
        rest = Length(100 - size.value, "%")
        side = items[0]
        if side == "left":
            return Region(zero, zero, size, full)
        if side == "right":
            return Region(rest, zero, size, full)
        if side == "top":
            return Region(zero, zero, full, size)
        if side == "bottom":
            return Region(zero, rest, full, size)
        half = Length((100 - size.value) / 2, "%")
        return Region(half, half, size, size)
    raise EvalError("slot takes `side size` (left|right|top|bottom|center and a %) "
                    f"or four lengths `x y w h`, got {describe(area)}")


def as_length(v: Any, what: str) -> Length:
    if isinstance(v, Length):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        return Length(float(v), "px")
    raise EvalError(f"{what} must be a length, got {describe(v)}")


def to_text(v: Any) -> str:
    """How a value reads inside a string interpolation."""
    from .values import format_number
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return format_number(float(v))
    if isinstance(v, list | tuple):
        return ", ".join(to_text(i) for i in v)
    return str(v)
