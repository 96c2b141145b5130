"""SVG path data (`d`) → skia.Path; skia-python exposes no SVG path parser of its own."""

from __future__ import annotations

import re

import skia

_TOKEN = re.compile(r"[MmZzLlHhVvCcSsQqTtAa]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}




def parse_path(d: str) -> skia.Path:
    """Parse path data; on malformed input, keep what parsed so far (as browsers do)."""
    path = skia.Path()
    raw = _TOKEN.findall(d)
    tokens: list[str] = []
    # Expand compact arc flags: after 3 arc numbers, a token like "01" may hold two flags.
    cmd = ""
    count = 0
    for tok in raw:
        if tok.isalpha():
            cmd, count = tok.upper(), 0
            tokens.append(tok)
            continue
        if cmd == "A" and count % 7 in (3, 4) and len(tok) > 1 and tok[0] in "01" and \
                tok.replace(".", "").isdigit() and "." not in tok[:2]:
            tokens.append(tok[0])
            count += 1
            tok = tok[1:]
            if count % 7 == 4 and len(tok) > 1 and tok[0] in "01":
                tokens.append(tok[0])
                count += 1
                tok = tok[1:]
        tokens.append(tok)
        count += 1
    i, x, y = 0, 0.0, 0.0
    sx, sy = 0.0, 0.0
    last_ctrl: tuple[float, float] | None = None
    last_cmd = ""
    command = ""
    while i < len(tokens):
        tok = tokens[i]
        if tok.isalpha():
            command = tok
            i += 1
            if command in "Zz":
                path.close()
                x, y = sx, sy
                last_cmd, last_ctrl = "Z", None
                continue
        elif not command:
            break
        up = command.upper()
        n = _ARITY[up]
        if i + n > len(tokens) or any(t.isalpha() for t in tokens[i:i + n]):
            break
        v = [float(t) for t in tokens[i:i + n]]
        i += n
        rel = command.islower()
        ox, oy = (x, y) if rel else (0.0, 0.0)
        if up == "M":
            x, y = v[0] + ox, v[1] + oy
            path.moveTo(x, y)
            sx, sy = x, y
            command = "l" if rel else "L"
            last_ctrl = None
        elif up == "L":
            x, y = v[0] + ox, v[1] + oy
            path.lineTo(x, y)
            last_ctrl = None
        elif up == "H":
            x = v[0] + (x if rel else 0.0)
            path.lineTo(x, y)
            last_ctrl = None
        elif up == "V":
            y = v[0] + (y if rel else 0.0)
            path.lineTo(x, y)
            last_ctrl = None
        elif up == "C":
            x1, y1, x2, y2 = v[0] + ox, v[1] + oy, v[2] + ox, v[3] + oy
            x, y = v[4] + ox, v[5] + oy
            path.cubicTo(x1, y1, x2, y2, x, y)
            last_ctrl = (x2, y2)
        elif up == "S":
            x1, y1 = (2 * x - last_ctrl[0], 2 * y - last_ctrl[1]) if last_ctrl and last_cmd in "CS" else (x, y)
            x2, y2 = v[0] + ox, v[1] + oy
            x, y = v[2] + ox, v[3] + oy
            path.cubicTo(x1, y1, x2, y2, x, y)
            last_ctrl = (x2, y2)
        elif up == "Q":
            x1, y1 = v[0] + ox, v[1] + oy
            x, y = v[2] + ox, v[3] + oy
            path.quadTo(x1, y1, x, y)
            last_ctrl = (x1, y1)
        elif up == "T":
            x1, y1 = (2 * x - last_ctrl[0], 2 * y - last_ctrl[1]) if last_ctrl and last_cmd in "QT" else (x, y)
            x, y = v[0] + ox, v[1] + oy
            path.quadTo(x1, y1, x, y)
            last_ctrl = (x1, y1)
        elif up == "A":
            rx, ry, rot, large, sweep = abs(v[0]), abs(v[1]), v[2], v[3], v[4]
            ex, ey = v[5] + ox, v[6] + oy
            if rx == 0 or ry == 0:
                path.lineTo(ex, ey)
            else:
                path.arcTo(rx, ry, rot,
                           skia.Path.ArcSize.kLarge_ArcSize if large else skia.Path.ArcSize.kSmall_ArcSize,
                           skia.PathDirection.kCW if sweep else skia.PathDirection.kCCW, ex, ey)
            x, y = ex, ey
            last_ctrl = None
        last_cmd = up
    return path
