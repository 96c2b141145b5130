"""Boxes: template lengths and `box:` values resolved to pixels within the current frame.

A frame is the slot (or a component instance's box). `%` refers to the frame's width for
horizontal values, its height for vertical ones and its normalised diagonal otherwise; in
an anchored box (`box: top-right margin 4% size 16%`) `%` refers to the frame's shorter
side, so a badge stays square in every aspect ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ddm_lang.scene import Box
from ddm_lang.semantics.svg_vocab import ANCHORS
from ddm_lang.values import Length, LengthSum


class LayoutError(Exception):
    """A value that cannot be a length or a box here; the binder adds the source position."""


@dataclass(frozen=True)
class Frame:
    width: float
    height: float

    @property
    def diagonal(self) -> float:
        return math.sqrt((self.width ** 2 + self.height ** 2) / 2)

    def reference(self, axis: str) -> float:
        return {"w": self.width, "h": self.height, "d": self.diagonal,
                "min": min(self.width, self.height)}[axis]


def to_px(value: Any, axis: str, frame: Frame) -> float:
    """A length (or plain number = px) in pixels along `axis` (w, h, d or min)."""
    if isinstance(value, Length | LengthSum):
        return value.resolve(frame.reference(axis), frame.width, frame.height)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise LayoutError(f"expected a length, got {value!r}")


def resolve_box(value: Any, frame: Frame) -> Box:
    """`x y w h`, or `ANCHOR [margin L] size W [H]`, in pixels."""
    items = list(value) if isinstance(value, tuple | list) else [value]
    if items and isinstance(items[0], str) and items[0] in ANCHORS:
        return _anchored(items, frame)
    if len(items) != 4:
        raise LayoutError(f"`box` takes four lengths (x y width height), got {len(items)}")
    x, y, w, h = (to_px(v, a, frame) for v, a in zip(items, "whwh", strict=True))
    return Box(x, y, max(0.0, w), max(0.0, h))


def _anchored(items: list[Any], frame: Frame) -> Box:
    anchor, rest = items[0], items[1:]
    margin, size = 0.0, None
    i = 0
    while i < len(rest):
        word = rest[i]
        if word == "margin" and i + 1 < len(rest):
            margin = to_px(rest[i + 1], "min", frame)
            i += 2
        elif word == "size" and i + 1 < len(rest):
            w = to_px(rest[i + 1], "min", frame)
            h = w
            if i + 2 < len(rest) and not isinstance(rest[i + 2], str):
                h = to_px(rest[i + 2], "min", frame)
                i += 1
            size = (w, h)
            i += 2
        else:
            raise LayoutError(f"unexpected `{word}` in an anchored box")
    if size is None:
        raise LayoutError("an anchored box needs `size W [H]`")
    w, h = size
    fx = 0.0 if "left" in anchor else 1.0 if "right" in anchor else 0.5
    fy = 0.0 if "top" in anchor else 1.0 if "bottom" in anchor else 0.5
    x = margin + (frame.width - w - 2 * margin) * fx
    y = margin + (frame.height - h - 2 * margin) * fy
    return Box(x, y, w, h)
