"""SVG path data (`d`) → skia.Path; skia-python exposes no SVG path parser of its own.

Arcs become cubic Béziers split the way resvg (kurbo) splits them, rather than skia's conics:
markers are placed at every segment end, so the segment count is visible in the output.
"""

from __future__ import annotations

import math
import re

import skia

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SKIP = re.compile(r"[\s,]*")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}
_COMMANDS = frozenset("MmZzLlHhVvCcSsQqTtAa")
#: Arc flattening tolerance, as in resvg (kurbo `to_cubic_beziers(0.1)`).
_ARC_TOLERANCE = 0.1


def _skip(d: str, pos: int) -> int:
    """The position after the whitespace and commas at `pos`."""
    m = _SKIP.match(d, pos)
    assert m is not None  # `[\s,]*` matches everywhere, if only the empty string
    return m.end()


def _arguments(d: str, pos: int, count: int, arc: bool) -> tuple[list[float] | None, int]:
    """`count` numbers from `pos` (arc flags are single `0`/`1` characters that may touch
    the next number), or None when the data is malformed there."""
    values: list[float] = []
    for index in range(count):
        pos = _skip(d, pos)
        if arc and index in (3, 4):
            if pos < len(d) and d[pos] in "01":
                values.append(float(d[pos]))
                pos += 1
                continue
            return None, pos
        m = _NUMBER.match(d, pos)
        if not m:
            return None, pos
        values.append(float(m.group()))
        pos = m.end()
    return values, pos


def parse_path(d: str) -> skia.Path:
    """Parse path data; on malformed input, keep what parsed so far (as browsers do)."""
    path = skia.Path()
    pos = _skip(d, 0)
    x = y = sx = sy = 0.0
    last_ctrl: tuple[float, float] | None = None
    last_cmd = ""
    command = ""
    while pos < len(d):
        ch = d[pos]
        if ch in _COMMANDS:
            command = ch
            pos += 1
        elif not command or command in "Zz":
            break  # numbers without a command, or after Z
        if not path.countVerbs() and command not in "Mm":
            break  # path data must start with a moveto
        up = command.upper()
        if up == "Z":
            path.close()
            x, y = sx, sy
            last_cmd, last_ctrl = "Z", None
            pos = _skip(d, pos)
            continue
        v, pos = _arguments(d, pos, _ARITY[up], up == "A")
        if v is None:
            break
        pos = _skip(d, pos)
        rel = command.islower()
        ox, oy = (x, y) if rel else (0.0, 0.0)
        ctrl: tuple[float, float] | None = None
        if up == "M":
            x, y = v[0] + ox, v[1] + oy
            path.moveTo(x, y)
            sx, sy = x, y
            command = "l" if rel else "L"
        elif up in "LHV":
            if up != "V":
                x = v[0] + ox
            if up != "H":
                y = v[-1] + oy
            path.lineTo(x, y)
        elif up in "CS":
            if up == "C":
                x1, y1 = v[0] + ox, v[1] + oy
                v = v[2:]
            elif last_ctrl and last_cmd in "CS":
                x1, y1 = 2 * x - last_ctrl[0], 2 * y - last_ctrl[1]
            else:
                x1, y1 = x, y
            ctrl = (v[0] + ox, v[1] + oy)
            x, y = v[2] + ox, v[3] + oy
            path.cubicTo(x1, y1, ctrl[0], ctrl[1], x, y)
        elif up in "QT":
            if up == "Q":
                ctrl = (v[0] + ox, v[1] + oy)
                v = v[2:]
            elif last_ctrl and last_cmd in "QT":
                ctrl = (2 * x - last_ctrl[0], 2 * y - last_ctrl[1])
            else:
                ctrl = (x, y)
            x, y = v[0] + ox, v[1] + oy
            path.quadTo(ctrl[0], ctrl[1], x, y)
        else:
            ex, ey = v[5] + ox, v[6] + oy
            arc_to(path, (x, y), v[0], v[1], v[2], bool(v[3]), bool(v[4]), (ex, ey))
            x, y = ex, ey
        last_ctrl = ctrl
        last_cmd = up
    return path


def arc_to(path: skia.Path, start: tuple[float, float], rx: float, ry: float, rotation: float,
           large: bool, sweep: bool, end: tuple[float, float]) -> None:
    """Append an SVG elliptical arc as cubics (the endpoint-to-centre conversion of SVG's
    implementation notes F.6.5, radii scaled up when too small); a degenerate arc is a line."""
    rx, ry = abs(rx), abs(ry)
    if rx <= 1e-5 or ry <= 1e-5 or start == end:
        path.lineTo(*end)
        return
    phi = math.radians(rotation)
    sin_phi, cos_phi = math.sin(phi), math.cos(phi)
    hd_x, hd_y = (start[0] - end[0]) / 2, (start[1] - end[1]) / 2
    px = cos_phi * hd_x + sin_phi * hd_y
    py = -sin_phi * hd_x + cos_phi * hd_y
    scale = px * px / (rx * rx) + py * py / (ry * ry)
    if scale > 1.0:
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    rxpy, rypx = rx * py, ry * px
    sum_sq = rxpy * rxpy + rypx * rypx
    if sum_sq == 0:
        path.lineTo(*end)
        return
    coe = (-1.0 if large == sweep else 1.0) * math.sqrt(abs(((rx * ry) ** 2 - sum_sq) / sum_sq))
    tcx, tcy = coe * rxpy / ry, -coe * rypx / rx
    cx = cos_phi * tcx - sin_phi * tcy + (start[0] + end[0]) / 2
    cy = sin_phi * tcx + cos_phi * tcy + (start[1] + end[1]) / 2
    start_angle = math.atan2((py - tcy) / ry, (px - tcx) / rx)
    sweep_angle = math.fmod(math.atan2((-py - tcy) / ry, (-px - tcx) / rx) - start_angle,
                            2 * math.pi)
    if sweep and sweep_angle < 0:
        sweep_angle += 2 * math.pi
    elif not sweep and sweep_angle > 0:
        sweep_angle -= 2 * math.pi
    # kurbo's subdivision: enough cubics per full turn for the tolerance, at least 4.
    per_turn = max((1.1163 * max(rx, ry) / _ARC_TOLERANCE) ** (1 / 6), 3.999999)
    n = max(1, min(1024, math.ceil(per_turn * abs(sweep_angle) / (2 * math.pi))))
    step = sweep_angle / n
    arm = 4 / 3 * abs(math.tan(step / 4)) * (1.0 if step >= 0 else -1.0)

    def sample(angle: float) -> tuple[float, float]:
        u, w = rx * math.cos(angle), ry * math.sin(angle)
        return u * cos_phi - w * sin_phi, u * sin_phi + w * cos_phi

    angle = start_angle
    p0 = sample(angle)
    for _ in range(n):
        angle1 = angle + step
        t0 = sample(angle + math.pi / 2)
        p3 = sample(angle1)
        t1 = sample(angle1 + math.pi / 2)
        path.cubicTo(cx + p0[0] + arm * t0[0], cy + p0[1] + arm * t0[1],
                     cx + p3[0] - arm * t1[0], cy + p3[1] - arm * t1[1],
                     cx + p3[0], cy + p3[1])
        angle, p0 = angle1, p3
