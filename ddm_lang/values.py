"""Runtime values that expressions evaluate to, shared by the checker, binder and operations.

Lengths keep their unit until a format is known: `40%` means 40 % of the slot's width or
height depending on the property it lands in, which is how one template serves every
aspect ratio.
"""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

LENGTH_UNITS = ("px", "%", "vw", "vh", "vmin", "vmax")
ANGLE_UNITS = ("deg",)
UNITS = ("", *LENGTH_UNITS, *ANGLE_UNITS)


@dataclass(frozen=True)
class Length:
    """A number with a unit; `%` is resolved against the axis of the property using it."""

    value: float
    unit: str = "px"

    def resolve(self, axis_px: float, slot_w: float, slot_h: float) -> float:
        """Pixels, given the reference length for `%` and the slot size."""
        v, u = self.value, self.unit
        if u in ("px", ""):
            return v
        if u == "%":
            return v * axis_px / 100.0
        if u == "vw":
            return v * slot_w / 100.0
        if u == "vh":
            return v * slot_h / 100.0
        if u == "vmin":
            return v * min(slot_w, slot_h) / 100.0
        if u == "vmax":
            return v * max(slot_w, slot_h) / 100.0
        if u == "deg":
            return v
        raise ValueError(f"unknown unit {u!r}")

    def __str__(self) -> str:
        return f"{format_number(self.value)}{self.unit}"


@dataclass(frozen=True)
class LengthSum:
    """Lengths in different units added together (`50% + 10px`), resolved once the axis is known."""

    terms: tuple[Length, ...]

    def resolve(self, axis_px: float, slot_w: float, slot_h: float) -> float:
        return sum(t.resolve(axis_px, slot_w, slot_h) for t in self.terms)

    def scaled(self, k: float) -> LengthSum:
        return LengthSum(tuple(Length(t.value * k, t.unit) for t in self.terms))


@dataclass(frozen=True)
class Color:
    """sRGB colour with alpha, components 0..1."""

    r: float
    g: float
    b: float
    a: float = 1.0

    @classmethod
    def parse(cls, text: str) -> Color:
        h = text.lstrip("#")
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        if len(h) not in (6, 8) or any(c not in "0123456789abcdefABCDEF" for c in h):
            raise ValueError(f"not a hex colour: {text!r}")
        vals = [int(h[i:i + 2], 16) / 255.0 for i in range(0, len(h), 2)]
        return cls(*vals) if len(vals) == 4 else cls(vals[0], vals[1], vals[2])

    def hex(self) -> str:
        """#rrggbb, or #rrggbbaa when not opaque: the form emitted into SVG."""
        parts = [self.r, self.g, self.b] + ([self.a] if self.a < 1.0 else [])
        return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in parts)

    def mix(self, other: Color, t: float) -> Color:
        t = max(0.0, min(1.0, t))
        return Color(*(a + (b - a) * t for a, b in zip(self.rgba(), other.rgba(), strict=True)))

    def rgba(self) -> tuple[float, float, float, float]:
        return (self.r, self.g, self.b, self.a)

    def luminance(self) -> float:
        """WCAG relative luminance."""
        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(self.r) + 0.7152 * channel(self.g) + 0.0722 * channel(self.b)

    def contrast(self, other: Color) -> float:
        """WCAG contrast ratio, 1..21."""
        hi, lo = sorted((self.luminance(), other.luminance()), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    def complement(self) -> Color:
        h, lightness, s = colorsys.rgb_to_hls(self.r, self.g, self.b)
        r, g, b = colorsys.hls_to_rgb((h + 0.5) % 1.0, lightness, s)
        return Color(r, g, b, self.a)

    def __str__(self) -> str:
        return self.hex()


WHITE = Color(1.0, 1.0, 1.0)
BLACK = Color(0.0, 0.0, 0.0)


@dataclass(frozen=True)
class FitSize:
    """`fit(min, max)`: the text engine picks the largest size in range that fits the box."""

    min: Length
    max: Length


@dataclass(frozen=True)
class Region:
    """A rectangle of the slot, still in template units; `slot(right 55%)` makes one."""

    x: Length | LengthSum
    y: Length | LengthSum
    width: Length | LengthSum
    height: Length | LengthSum


def format_number(v: float) -> str:
    """Shortest decimal form: 12 not 12.0, 0.5 not .5, at most 4 decimals (deterministic)."""
    if math.isnan(v) or math.isinf(v):
        raise ValueError("not a finite number")
    r = round(v, 4)
    if r == int(r):
        return str(int(r))
    return f"{r:.4f}".rstrip("0").rstrip(".")


def sale_amount(amount: float, discount: float | None) -> float:
    """The list `amount` less `discount` percent, rounded half up to the cent; the amount
    itself without a discount. A discount is stated with the price the buyer pays, never a
    bare "−20%" beside the list price, so this number counts as product data: it is
    computed the same way for the copy writer, the `sale_price` function, the factuality
    check and the feed readers (which derive a discount from a feed's sale price)."""
    if discount is None or discount <= 0:
        return amount
    exact = Decimal(str(amount)) * (100 - Decimal(str(min(discount, 100.0)))) / 100
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
