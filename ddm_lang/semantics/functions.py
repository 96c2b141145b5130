"""Builtin functions of the expression language: signatures for the checker, code for bind.

Every function is pure and bounded (no loops over unbounded input), so templates stay
deterministic and cannot hang a batch.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ddm_lang.syntax.bounds import MAX_NESTING, MAX_VALUE_CHARS
from ddm_lang.values import BLACK, WHITE, Color, FitSize, Length, LengthSum, Region

MAX_RANGE = 1000


class EvalError(Exception):
    """A value a function cannot work with; the binder turns it into a diagnostic."""


class ValueTooLarge(EvalError):
    """A string or list past `MAX_VALUE_CHARS`: refused as `bind.too-large`, not built."""


def too_long(length: int) -> str | None:
    """Why a text of `length` characters may not be built, or None."""
    if length <= MAX_VALUE_CHARS:
        return None
    return (f"this text would be {length:,} characters or more; a value built while binding "
            f"holds at most {MAX_VALUE_CHARS:,}")


_END = object()


def oversized(value: Any) -> str | None:
    """Why a list may not be built, or None. Its items and the characters of its strings,
    counted through nested lists, must stay within `MAX_VALUE_CHARS` and its nesting
    within `MAX_NESTING`: a list holding another list twice costs nothing to build but
    doubles what `to_text`, `join` and `==` walk, so the count follows shared lists each
    time they occur and stops at the limit."""
    size, stack = 0, [iter((value,))]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
            continue
        size += len(item) if isinstance(item, str) else 1
        if size > MAX_VALUE_CHARS:
            return (f"this list would hold more than {MAX_VALUE_CHARS:,} items and characters "
                    "(nested lists counted through); that is the limit for a value built "
                    "while binding")
        if isinstance(item, list | tuple):
            if len(stack) > MAX_NESTING:
                return f"lists nest more than {MAX_NESTING} levels deep"
            stack.append(iter(item))
    return None


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


# ---- colour harmony and readability (OKLCH) -------------------------------------------
# Hue rotations and lightness changes are done in OKLCH, where equal steps look equal and
# a colour's perceived lightness survives a hue change (HSL's does not: a yellow and a
# blue of the same HSL lightness are far apart to the eye). A result outside sRGB keeps
# its lightness and hue and gives up chroma until it fits, so harmonies stay recognisable.

SCHEMES = ("complementary", "analogous", "triadic", "split", "square", "monochrome")
_SCHEME_TURNS = {"complementary": (180.0,), "analogous": (-30.0, 30.0),
                 "triadic": (120.0, 240.0), "split": (150.0, 210.0),
                 "square": (90.0, 180.0, 270.0)}
WCAG_LEVELS = {"aa": 4.5, "aaa": 7.0, "large": 3.0, "aa-large": 3.0, "aaa-large": 4.5}


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = max(0.0, min(1.0, c))
    return c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def to_oklch(color: Color) -> tuple[float, float, float]:
    """(lightness 0..1, chroma, hue in degrees) of an sRGB colour (Ottosson's OKLab)."""
    r, g, b = _linear(color.r), _linear(color.g), _linear(color.b)
    lms = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
           0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
           0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)
    l_, m_, s_ = (math.copysign(abs(v) ** (1 / 3), v) for v in lms)
    lightness = 0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_
    a = 1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_
    bb = 0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_
    chroma = math.hypot(a, bb)
    if chroma < 1e-3:   # a grey: rounding noise must not invent a hue
        return lightness, 0.0, 0.0
    return lightness, chroma, math.degrees(math.atan2(bb, a)) % 360.0


def _oklch_linear(lightness: float, chroma: float, hue: float) -> tuple[float, float, float]:
    a, b = chroma * math.cos(math.radians(hue)), chroma * math.sin(math.radians(hue))
    l_ = lightness + 0.3963377774 * a + 0.2158037573 * b
    m_ = lightness - 0.1055613458 * a - 0.0638541728 * b
    s_ = lightness - 0.0894841775 * a - 1.2914855480 * b
    lc, mc, sc = l_ ** 3, m_ ** 3, s_ ** 3
    return (4.0767416621 * lc - 3.3077115913 * mc + 0.2309699292 * sc,
            -1.2684380046 * lc + 2.6097574011 * mc - 0.3413193965 * sc,
            -0.0041960863 * lc - 0.7034186147 * mc + 1.7076147010 * sc)


def from_oklch(lightness: float, chroma: float, hue: float, alpha: float = 1.0) -> Color:
    """The sRGB colour of an OKLCH triple; out of gamut, chroma is reduced (bisection, so
    deterministic) until it fits, keeping lightness and hue."""
    lightness = max(0.0, min(1.0, lightness))

    def fits(c: float) -> bool:
        return all(-1e-6 <= v <= 1 + 1e-6 for v in _oklch_linear(lightness, c, hue))

    if not fits(chroma):
        lo, hi = 0.0, chroma
        for _ in range(24):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if fits(mid) else (lo, mid)
        chroma = lo
    r, g, b = (_gamma(v) for v in _oklch_linear(lightness, chroma, hue))
    return Color(r, g, b, alpha)


def _quantised(color: Color) -> Color:
    """The colour as it will be written (#rrggbb), so a ratio checked here holds in the SVG."""
    r, g, b = (round(max(0.0, min(1.0, c)) * 255) / 255 for c in (color.r, color.g, color.b))
    return Color(r, g, b, color.a)


def nearest_lightness(color: Color, lighter_ok: Callable[[Color], bool],
                      darker_ok: Callable[[Color], bool]) -> Color | None:
    """The colour of `color`'s hue and chroma, at the lightness nearest to its own, that
    one of the predicates accepts, or None. `lighter_ok` must only grow more true as the
    colour gets lighter (and `darker_ok` as it gets darker), which holds for a contrast
    threshold against a darker (lighter) backdrop; that is what makes bisection exact.
    Candidates are quantised to 8-bit channels before they are judged."""
    lightness, chroma, hue = to_oklch(color)
    best: tuple[float, Color] | None = None
    for ok, end in ((darker_ok, 0.0), (lighter_ok, 1.0)):
        def at(x: float) -> Color:
            return _quantised(from_oklch(x, chroma, hue, color.a))
        if ok(_quantised(color)):
            return _quantised(color)
        if not ok(at(end)):
            continue
        lo, hi = lightness, end           # ok(lo) is false, ok(hi) is true
        for _ in range(30):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if ok(at(mid)) else (mid, hi)
        candidate = (abs(hi - lightness), at(hi))
        if best is None or candidate[0] < best[0]:
            best = candidate
    return best[1] if best else None


def _ratio(level: Any) -> float:
    if isinstance(level, str):
        key = level.strip().lower()
        if key not in WCAG_LEVELS:
            raise EvalError(f"readable's level must be a ratio or one of "
                            f"{', '.join(WCAG_LEVELS)}, got {describe(level)}")
        return WCAG_LEVELS[key]
    ratio = _num(level, "readable's level")
    if not 1.0 <= ratio <= 21.0:
        raise EvalError(f"a contrast ratio is between 1 and 21, got {ratio:g}")
    return ratio


@_register("scheme", "color:color, kind:string", "list",
           "a colour harmony in OKLCH, the colour first: complementary, analogous, triadic, "
           "split, square or monochrome")
def scheme(color: Any, kind: Any) -> list[Color]:
    base = _color(color, "scheme's colour")
    name = _text(kind, "scheme's kind")
    if name not in SCHEMES:
        raise EvalError(f"scheme kind must be one of {', '.join(SCHEMES)}, got {name!r}")
    lightness, chroma, hue = to_oklch(base)
    if name == "monochrome":
        # the same hue far lighter or darker (whichever is farther), and one in between
        far = 0.95 if lightness < 0.6 else 0.3
        return [base, from_oklch(far, chroma, hue, base.a),
                from_oklch((lightness + far) / 2, chroma, hue, base.a)]
    return [base, *(from_oklch(lightness, chroma, (hue + turn) % 360.0, base.a)
                    for turn in _SCHEME_TURNS[name])]


@_register("readable", "color:color, background:color, level:any?", "color",
           "the colour of the same hue nearest in lightness that meets the contrast level "
           "against the background")
def readable(color: Any, background: Any, level: Any = 4.5) -> Color:
    c = _color(color, "readable's colour")
    bg = _color(background, "readable's background")
    target = _ratio(level)
    if c.contrast(bg) >= target:
        return c
    ybg = bg.luminance()
    found = nearest_lightness(
        c, lambda x: (x.luminance() + 0.05) / (ybg + 0.05) >= target,
        lambda x: (ybg + 0.05) / (x.luminance() + 0.05) >= target)
    if found is not None:
        return found
    best = WHITE if bg.contrast(WHITE) >= bg.contrast(BLACK) else BLACK
    return Color(best.r, best.g, best.b, c.a)


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
    sep = _text(separator, "join's separator")
    texts = [to_text(i) for i in items]
    problem = too_long(sum(map(len, texts)) + len(sep) * max(0, len(texts) - 1))
    if problem is not None:  # a long separator between many items multiplies
        raise ValueTooLarge(problem)
    return sep.join(texts)


@_register("price", "amount:number, currency:string?, lang:string?", "string",
           "a price in the language's style: currency symbol, decimal mark, decimals")
def price(amount: Any, currency: Any = "", lang: Any = "en") -> str:
    from ddm_lang.copy.prices import format_price  # one price formatter, captions too
    return format_price(_num(amount, "price's amount"), _text(currency, "price's currency"),
                        _text(lang, "price's language") or "en")


@_register("sale_price", "amount:number, discount:number, currency:string?, lang:string?",
           "string", "the price the buyer pays: amount less discount percent, to the cent")
def sale_price(amount: Any, discount: Any, currency: Any = "", lang: Any = "en") -> str:
    """`price` of the list amount less `discount` percent. Feeds give the list price and the
    discount; an ad must show what the buyer pays (with the list price struck through
    beside it), and the copy writer computes the same number the same way."""
    from ddm_lang.copy.prices import format_price
    from ddm_lang.values import sale_amount  # one sale price, captions too
    paid = sale_amount(_num(amount, "sale_price's amount"),
                       _num(discount, "sale_price's discount"))
    return format_price(paid, _text(currency, "sale_price's currency"),
                        _text(lang, "sale_price's language") or "en")


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


@_register("floor", "value:number", "number", "the whole number at or below `value`")
def floor_(value: Any) -> int:
    """Why a template wants it: a feed's discount is exact (55 for 65 is 15.38 %), and a
    sticker saying −15 % never claims more off than the shop gives."""
    return math.floor(_num(value, "floor's value"))


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
        x, y, w, h = (as_extent(v, "slot's box") for v in items)
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


def as_extent(v: Any, what: str) -> Length | LengthSum:
    """A length that may mix units (`70% - 34vh`), resolved when the frame is known."""
    return v if isinstance(v, LengthSum) else as_length(v, what)


def to_text(v: Any) -> str:
    """How a value reads inside a string interpolation."""
    from ddm_lang.values import format_number
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return format_number(float(v))
    if isinstance(v, list | tuple):
        return ", ".join(to_text(i) for i in v)
    return str(v)
