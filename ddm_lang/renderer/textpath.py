"""Geometry of text on a path, measured exactly as usvg measures a textPath.

usvg turns every segment into a cubic Bézier (lines with control points at 0.33 and 0.66,
quadratics raised) and uses kurbo's adaptive Gauss-Legendre arclength and ITP-solved inverse
arclength at a coarse accuracy (0.5 px). Glyph positions along a path depend on those
approximations by a fraction of a pixel, which decides whether text on a path matches, so
they are reproduced here rather than using skia's PathMeasure.
"""

from __future__ import annotations

import math

import skia

MAX_SEGMENTS = 100_000  # segments measured for one textPath (input is untrusted)
ACCURACY = 0.5  # usvg's arclength accuracy
Cubic = tuple[float, float, float, float, float, float, float, float]

GL8 = ((0.3626837833783620, -0.1834346424956498), (0.3626837833783620, 0.1834346424956498),
       (0.3137066458778873, -0.5255324099163290), (0.3137066458778873, 0.5255324099163290),
       (0.2223810344533745, -0.7966664774136267), (0.2223810344533745, 0.7966664774136267),
       (0.1012285362903763, -0.9602898564975363), (0.1012285362903763, 0.9602898564975363))
GL8_HALF = ((0.3626837833783620, 0.1834346424956498), (0.3137066458778873, 0.5255324099163290),
            (0.2223810344533745, 0.7966664774136267), (0.1012285362903763, 0.9602898564975363))
GL16_HALF = ((0.1894506104550685, 0.0950125098376374), (0.1826034150449236, 0.2816035507792589),
             (0.1691565193950025, 0.4580167776572274), (0.1495959888165767, 0.6178762444026438),
             (0.1246289712555339, 0.7554044083550030), (0.0951585116824928, 0.8656312023878318),
             (0.0622535239386479, 0.9445750230732326), (0.0271524594117541, 0.9894009349916499))
GL24_HALF = ((0.1279381953467522, 0.0640568928626056), (0.1258374563468283, 0.1911188674736163),
             (0.1216704729278034, 0.3150426796961634), (0.1155056680537256, 0.4337935076260451),
             (0.1074442701159656, 0.5454214713888396), (0.0976186521041139, 0.6480936519369755),
             (0.0861901615319533, 0.7401241915785544), (0.0733464814110803, 0.8200019859739029),
             (0.0592985849154368, 0.8864155270044011), (0.0442774388174198, 0.9382745520027328),
             (0.0285313886289337, 0.9747285559713095), (0.0123412297999872, 0.9951872199970213))


def _line(x0: float, y0: float, x1: float, y1: float) -> Cubic:
    return (x0, y0, x0 + (x1 - x0) * 0.33, y0 + (y1 - y0) * 0.33,
            x0 + (x1 - x0) * 0.66, y0 + (y1 - y0) * 0.66, x1, y1)


def _raise(x0: float, y0: float, x1: float, y1: float, x2: float, y2: float) -> Cubic:
    return (x0, y0, x0 + 2 / 3 * (x1 - x0), y0 + 2 / 3 * (y1 - y0),
            x2 + 2 / 3 * (x1 - x2), y2 + 2 / 3 * (y1 - y2), x2, y2)


def segments(path: skia.Path) -> list[Cubic]:
    """The path as cubics in order (moves start a new subpath and add no length; a close
    adds the line back to the subpath's start), as usvg walks it."""
    out: list[Cubic] = []
    it = skia.Path.RawIter(path)
    mx = my = px = py = 0.0
    verb = skia.Path.Verb
    while len(out) < MAX_SEGMENTS:
        kind, pts = it.next()
        if kind == verb.kDone_Verb:
            break
        if kind == verb.kMove_Verb:
            mx, my = px, py = pts[0].x(), pts[0].y()
            continue
        if kind == verb.kLine_Verb:
            out.append(_line(px, py, pts[1].x(), pts[1].y()))
        elif kind == verb.kQuad_Verb:
            out.append(_raise(px, py, pts[1].x(), pts[1].y(), pts[2].x(), pts[2].y()))
        elif kind == verb.kConic_Verb:
            quads = skia.Path.ConvertConicToQuads(pts[0], pts[1], pts[2], it.conicWeight(), 2)
            for k in range(0, len(quads) - 2, 2):
                out.append(_raise(quads[k].x(), quads[k].y(), quads[k + 1].x(),
                                  quads[k + 1].y(), quads[k + 2].x(), quads[k + 2].y()))
        elif kind == verb.kCubic_Verb:
            out.append((px, py, pts[1].x(), pts[1].y(), pts[2].x(), pts[2].y(), pts[3].x(),
                        pts[3].y()))
        elif kind == verb.kClose_Verb:
            out.append(_line(px, py, mx, my))
        px, py = out[-1][6], out[-1][7]
    return out


def _eval(c: Cubic, t: float) -> tuple[float, float]:
    mt = 1 - t
    a, b, d, e = mt * mt * mt, 3 * mt * mt * t, 3 * mt * t * t, t * t * t
    return (a * c[0] + b * c[2] + d * c[4] + e * c[6], a * c[1] + b * c[3] + d * c[5] + e * c[7])


def _deriv(c: Cubic, t: float) -> tuple[float, float]:
    mt = 1 - t
    a, b, d = 3 * mt * mt, 6 * mt * t, 3 * t * t
    return (a * (c[2] - c[0]) + b * (c[4] - c[2]) + d * (c[6] - c[4]),
            a * (c[3] - c[1]) + b * (c[5] - c[3]) + d * (c[7] - c[5]))


def _subsegment(c: Cubic, t0: float, t1: float) -> Cubic:
    p0, p3 = _eval(c, t0), _eval(c, t1)
    d0, d1 = _deriv(c, t0), _deriv(c, t1)
    s = (t1 - t0) * (1.0 / 3.0)
    return (p0[0], p0[1], p0[0] + s * d0[0], p0[1] + s * d0[1], p3[0] - s * d1[0],
            p3[1] - s * d1[1], p3[0], p3[1])


def _subdivide(c: Cubic) -> tuple[Cubic, Cubic]:
    pm = _eval(c, 0.5)
    left = (c[0], c[1], (c[0] + c[2]) / 2, (c[1] + c[3]) / 2,
            (c[0] + c[2] * 2 + c[4]) * 0.25, (c[1] + c[3] * 2 + c[5]) * 0.25, pm[0], pm[1])
    right = (pm[0], pm[1], (c[2] + c[4] * 2 + c[6]) * 0.25, (c[3] + c[5] * 2 + c[7]) * 0.25,
             (c[4] + c[6]) / 2, (c[5] + c[7]) / 2, c[6], c[7])
    return left, right


def _quadrature(coeffs, dm, dm1, dm2) -> float:
    total = 0.0
    for wi, xi in coeffs:
        dx, dy = dm[0] + dm2[0] * xi * xi, dm[1] + dm2[1] * xi * xi
        total += 1.5 * wi * (math.hypot(dx + dm1[0] * xi, dy + dm1[1] * xi) +
                             math.hypot(dx - dm1[0] * xi, dy - dm1[1] * xi))
    return total


def arclen(c: Cubic, accuracy: float = ACCURACY, depth: int = 0) -> float:
    """kurbo's CubicBez::arclen: Gauss-Legendre quadrature of an order its error estimate
    asks for, subdividing when even 24 points are not enough."""
    d01 = (c[2] - c[0], c[3] - c[1])
    d12 = (c[4] - c[2], c[5] - c[3])
    d23 = (c[6] - c[4], c[7] - c[5])
    lp_lc = math.hypot(*d01) + math.hypot(*d12) + math.hypot(*d23) - \
        math.hypot(c[6] - c[0], c[7] - c[1])
    dd1 = (d12[0] - d01[0], d12[1] - d01[1])
    dd2 = (d23[0] - d12[0], d23[1] - d12[1])
    dm = (0.25 * (d01[0] + d23[0]) + 0.5 * d12[0], 0.25 * (d01[1] + d23[1]) + 0.5 * d12[1])
    dm1 = (0.5 * (dd2[0] + dd1[0]), 0.5 * (dd2[1] + dd1[1]))
    dm2 = (0.25 * (dd2[0] - dd1[0]), 0.25 * (dd2[1] - dd1[1]))
    est = 0.0
    for wi, xi in GL8:
        dx = dm[0] + dm1[0] * xi + dm2[0] * xi * xi
        dy = dm[1] + dm1[1] * xi + dm2[1] * xi * xi
        ddx, ddy = dm1[0] + dm2[0] * 2 * xi, dm1[1] + dm2[1] * 2 * xi
        norm = dx * dx + dy * dy
        est += wi * ((ddx * ddx + ddy * ddy) / norm if norm else math.inf)
    if min(est ** 3 * 2.5e-6, 3e-2) * lp_lc < accuracy:
        return _quadrature(GL8_HALF, dm, dm1, dm2)
    if min(est ** 6 * 1.5e-11, 9e-3) * lp_lc < accuracy:
        return _quadrature(GL16_HALF, dm, dm1, dm2)
    if min(est ** 9 * 3.5e-16, 3.5e-3) * lp_lc < accuracy or depth >= 20:
        return _quadrature(GL24_HALF, dm, dm1, dm2)
    left, right = _subdivide(c)
    return arclen(left, accuracy * 0.5, depth + 1) + arclen(right, accuracy * 0.5, depth + 1)


def inv_arclen(c: Cubic, target: float, accuracy: float = ACCURACY) -> float:
    """kurbo's ParamCurveArclen::inv_arclen: the parameter at an arclength, solved with
    the ITP method to the accuracy given (coarse, as usvg asks)."""
    if target <= 0:
        return 0.0
    total = arclen(c, accuracy)
    if target >= total:
        return 1.0
    epsilon = accuracy / total
    n = 1.0 - min(0.0, math.ceil(math.log2(epsilon)))
    inner = accuracy / n
    state = [0.0, 0.0]  # t_last, arclen_last

    def f(t: float) -> float:
        if t > state[0]:
            arc = arclen(_subsegment(c, state[0], t), inner)
        else:
            arc = -arclen(_subsegment(c, t, state[0]), inner)
        state[1] += arc
        state[0] = t
        return state[1] - target

    a, b, ya, yb = 0.0, 1.0, -target, total - target
    n_half = max(0, int(math.ceil(math.log2((b - a) / epsilon)) - 1))
    scaled = epsilon * float(1 << min(n_half + 1, 62))
    for _ in range(200):
        if b - a <= 2 * epsilon:
            break
        mid = 0.5 * (a + b)
        r = scaled - 0.5 * (b - a)
        xf = (yb * a - ya * b) / (yb - ya)
        sigma = mid - xf
        delta = 0.2 * (b - a) ** 2
        xt = xf + math.copysign(delta, sigma) if delta <= abs(mid - xf) else mid
        x = xt if abs(xt - mid) <= r else mid - math.copysign(r, sigma)
        y = f(x)
        if y > 0:
            b, yb = x, y
        elif y < 0:
            a, ya = x, y
        else:
            return x
        scaled *= 0.5
    return 0.5 * (a + b)


def path_length(path: skia.Path) -> float:
    """The length of every subpath together (usvg's path_length)."""
    return sum(arclen(c) for c in segments(path))


def path_normals(path: skia.Path, offsets: list[float], accuracy: float = ACCURACY,
                 ) -> list[tuple[float, float, float] | None]:
    """(x, y, tangent angle in degrees) at each distance along the path (distances in
    ascending order); None before the start or past the end (usvg's collect_normals)."""
    out: list[tuple[float, float, float] | None] = [None] * len(offsets)
    k = 0
    while k < len(offsets) and offsets[k] < 0:
        k += 1
    length = 0.0
    for c in segments(path):
        if k >= len(offsets):
            break
        seg = arclen(c, accuracy)
        while k < len(offsets) and length <= offsets[k] <= length + seg:
            t = max(0.0, min(1.0, inv_arclen(c, offsets[k] - length, accuracy)))
            x, y = _eval(c, t)
            dx, dy = _deriv(c, t)
            out[k] = (x, y, math.degrees(math.atan2(dx, -dy)) - 90.0)
            k += 1
        length += seg
    return out
