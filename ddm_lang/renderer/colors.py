"""CSS colour syntax for SVG paint: hex, rgb()/rgba(), hsl(), and the CSS named colours."""

from __future__ import annotations

import colorsys
import re
from functools import lru_cache

from PIL import ImageColor

_FUNC = re.compile(r"(rgba?|hsla?)\(\s*([^)]*)\)\Z", re.I)


def _channel(text: str, scale: float) -> float:
    text = text.strip()
    if text.endswith("%"):
        return float(text[:-1]) / 100.0
    return float(text) / scale


@lru_cache(maxsize=4096)
def parse_color(text: str | None) -> tuple[float, float, float, float] | None:
    """(r, g, b, a) in 0..1, or None for `none`, `transparent`-less garbage or unknown names."""
    if text is None:
        return None
    t = text.strip().lower()
    if t in ("", "none"):
        return None
    if t == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    if t == "currentcolor":
        return (0.0, 0.0, 0.0, 1.0)
    if t.startswith("#"):
        h = t[1:]
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        if len(h) in (6, 8) and all(c in "0123456789abcdef" for c in h):
            v = [int(h[i:i + 2], 16) / 255 for i in range(0, len(h), 2)]
            return (v[0], v[1], v[2], v[3] if len(v) == 4 else 1.0)
        return None
    m = _FUNC.match(t)
    if m:
        parts = [p for p in re.split(r"[\s,/]+", m.group(2)) if p]
        try:
            if m.group(1).startswith("rgb") and len(parts) >= 3:
                if len({p.endswith("%") for p in parts[:3]}) > 1:
                    return None  # numbers and percentages cannot be mixed (as in resvg)
                r, g, b = (max(0.0, min(1.0, _channel(p, 255))) for p in parts[:3])
                a = _channel(parts[3], 1) if len(parts) > 3 else 1.0
                return (r, g, b, max(0.0, min(1.0, a)))
            if m.group(1).startswith("hsl") and len(parts) >= 3:
                hue = float(parts[0].rstrip("deg")) / 360 % 1
                s, lum = (max(0.0, min(1.0, _channel(p, 100))) for p in parts[1:3])
                r, g, b = colorsys.hls_to_rgb(hue, lum, s)
                a = _channel(parts[3], 1) if len(parts) > 3 else 1.0
                return (r, g, b, max(0.0, min(1.0, a)))
        except ValueError:
            return None
        return None
    named = ImageColor.colormap.get(t)
    if isinstance(named, str):
        return parse_color(named)
    if isinstance(named, tuple):
        return (named[0] / 255, named[1] / 255, named[2] / 255, 1.0)
    return None
