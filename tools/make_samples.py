"""Draw the extra product pictures and brand logos of the bundled sample catalogue.

Why: `ddm demo`, the docs and the tests need product photos that the project may ship and
redistribute under its own licence, so every picture is drawn here, from code, instead of
being downloaded or copied from a data set. Each picture is written as SVG (flat vector
style: soft gradient backdrop, simple shapes, subtle highlights and a soft contact shadow)
and rasterised with the project's own renderer, so the script also exercises gradients,
clip paths, transforms and blur filters of `ddm_lang.renderer`.

How: from the repository root run

    .venv/bin/python tools/make_samples.py            # (re)write every picture
    .venv/bin/python tools/make_samples.py --only lamp --out /tmp/preview

The output is deterministic (the same bytes on every run), so re-running it leaves the
committed files unchanged. Product photos are JPEG (quality 88), logos PNG with alpha. The
first three sample products (bottle.jpg, mug.jpg, sneaker.jpg and logo.png) predate this
script (tools/make_sample_images.py) and are never touched here. The catalogue entries
that use these pictures live in ddm_lang/stdlib_templates/samples/catalogue.json.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ddm_lang.files import write_atomic  # noqa: E402
from ddm_lang.renderer import render  # noqa: E402
from ddm_lang.renderer.encode import encode  # noqa: E402

OUT = ROOT / "ddm_lang" / "stdlib_templates" / "samples" / "images"
JPEG_QUALITY = 88
PROTECTED = frozenset({"bottle.jpg", "mug.jpg", "sneaker.jpg", "logo.png"})

Stop = tuple[float, str] | tuple[float, str, float]


# --------------------------------------------------------------------------- SVG helpers


def num(value: float) -> str:
    """A short, stable decimal for SVG attributes."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attrs(**values: object) -> str:
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = num(value) if isinstance(value, float) else str(value)
        parts.append(f'{name}="{text}"')
    return " ".join(parts)


def el(tag: str, **values: object) -> str:
    return f"<{tag} {attrs(**values)}/>"


def g(*children: str, **values: object) -> str:
    head = attrs(**values)
    return f"<g{' ' + head if head else ''}>{''.join(children)}</g>"


def rect(x: float, y: float, w: float, h: float, fill: str, rx: float = 0, **kw: object) -> str:
    return el("rect", x=float(x), y=float(y), width=float(w), height=float(h),
              rx=float(rx) if rx else None, fill=fill, **kw)


def ellipse(cx: float, cy: float, rx: float, ry: float, fill: str, **kw: object) -> str:
    return el("ellipse", cx=float(cx), cy=float(cy), rx=float(rx), ry=float(ry), fill=fill, **kw)


def circle(cx: float, cy: float, r: float, fill: str, **kw: object) -> str:
    return el("circle", cx=float(cx), cy=float(cy), r=float(r), fill=fill, **kw)


def path(d: str, fill: str = "none", **kw: object) -> str:
    return el("path", d=d, fill=fill, **kw)


def place(markup: str, x: float, y: float, scale: float = 1.0, rotate: float = 0.0) -> str:
    """Put a drawing made around its own origin (bottom centre) at (x, y)."""
    parts = [f"translate({num(x)} {num(y)})"]
    if rotate:
        parts.append(f"rotate({num(rotate)})")
    if scale != 1.0:
        parts.append(f"scale({num(scale)})")
    return g(markup, transform=" ".join(parts))


def mirror(markup: str) -> str:
    return g(markup, transform="scale(-1 1)")


class Svg:
    """One picture: a defs section that helpers register gradients and filters into."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.defs: list[str] = []
        self.body: list[str] = []
        self._count = 0
        self._blurs: dict[str, str] = {}

    def _id(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    @staticmethod
    def _stops(stops: Sequence[Stop]) -> str:
        out = []
        for stop in stops:
            opacity = stop[2] if len(stop) == 3 else None  # type: ignore[misc]
            out.append(el("stop", offset=float(stop[0]), stop_color=stop[1],
                          stop_opacity=None if opacity is None else float(opacity)))
        return "".join(out)

    def linear(self, stops: Sequence[Stop], x1: float = 0, y1: float = 0, x2: float = 0,
               y2: float = 1) -> str:
        """A gradient over the shape's box; top to bottom unless told otherwise."""
        ident = self._id("lg")
        self.defs.append(f'<linearGradient id="{ident}" '
                         f'{attrs(x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2))}>'
                         f"{self._stops(stops)}</linearGradient>")
        return f"url(#{ident})"

    def across(self, stops: Sequence[Stop]) -> str:
        """A left-to-right gradient (cylinders, glass)."""
        return self.linear(stops, 0, 0, 1, 0)

    def radial(self, stops: Sequence[Stop], cx: float = 0.5, cy: float = 0.5,
               r: float = 0.5) -> str:
        ident = self._id("rg")
        self.defs.append(f'<radialGradient id="{ident}" '
                         f'{attrs(cx=float(cx), cy=float(cy), r=float(r))}>'
                         f"{self._stops(stops)}</radialGradient>")
        return f"url(#{ident})"

    def blur(self, deviation: float) -> str:
        key = num(deviation)
        if key not in self._blurs:
            ident = self._id("blur")
            self.defs.append(f'<filter id="{ident}" x="-100%" y="-400%" width="300%" '
                             f'height="900%"><feGaussianBlur stdDeviation="{key}"/></filter>')
            self._blurs[key] = f"url(#{ident})"
        return self._blurs[key]

    def clip(self, *shapes: str) -> str:
        ident = self._id("clip")
        self.defs.append(f'<clipPath id="{ident}">{"".join(shapes)}</clipPath>')
        return f"url(#{ident})"

    def add(self, *markup: str) -> None:
        self.body.extend(markup)

    def markup(self) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" '
                f'height="{self.height}" viewBox="0 0 {self.width} {self.height}">'
                f"<defs>{''.join(self.defs)}</defs>{''.join(self.body)}</svg>")


# ------------------------------------------------------------------ shared scenery pieces


def studio(s: Svg, top: str, bottom: str, glow_y: float = 0.4) -> None:
    """The soft studio backdrop of every front shot: a vertical gradient and a faint glow."""
    s.add(rect(0, 0, s.width, s.height, s.linear([(0, top), (1, bottom)])),
          rect(0, 0, s.width, s.height,
               s.radial([(0, "#ffffff", 0.45), (1, "#ffffff", 0)], cy=glow_y, r=0.6)))


def finish_scene(s: Svg, vignette: float = 0.45, grain: float = 0.1) -> None:
    """What makes a lifestyle scene read as a photographed room rather than a studio
    backdrop (to people and to the suitability model alike): a lens vignette and a fine,
    fixed-seed film grain (feTurbulence, so the bytes stay the same on every run)."""
    s.add(rect(0, 0, s.width, s.height,
               s.radial([(0, "#000000", 0), (0.6, "#000000", 0), (1, "#000000", vignette)],
                        r=0.75)))
    s.defs.append('<filter id="grain" x="0" y="0" width="100%" height="100%">'
                  '<feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="2" '
                  'seed="3"/><feColorMatrix type="saturate" values="0"/></filter>')
    s.add(rect(0, 0, s.width, s.height, "#000000", filter="url(#grain)", opacity=grain))


def contact_shadow(s: Svg, cx: float, cy: float, rx: float, strength: float = 1.0,
                   color: str = "#2a211b") -> str:
    """A soft floor shadow: a wide faint ellipse and a tight darker one."""
    return (ellipse(cx, cy, rx * 1.08, rx * 0.11, color, opacity=0.18 * strength,
                    filter=s.blur(rx * 0.08))
            + ellipse(cx, cy, rx * 0.86, rx * 0.045, color, opacity=0.32 * strength,
                      filter=s.blur(rx * 0.03)))


def soft(s: Svg, cx: float, cy: float, rx: float, ry: float, opacity: float,
         color: str = "#1d1712") -> str:
    """A blurred ellipse: the shadow an object casts on a table in a scene."""
    return ellipse(cx, cy, rx, ry, color, opacity=opacity, filter=s.blur(max(ry * 0.6, 3.0)))


def highlight(x: float, y: float, w: float, h: float, opacity: float = 0.22) -> str:
    return rect(x, y, w, h, "#ffffff", rx=w / 2, opacity=opacity)


def plant(s: Svg, pot: str, pot_dark: str, leaf: str, leaf_dark: str) -> str:
    """A small potted plant, bottom centre at the origin (about 300 units tall)."""
    leaves = []
    for angle, length in ((-52, 150), (-28, 190), (-8, 215), (14, 200), (36, 170), (58, 140)):
        shade = leaf if angle % 2 == 0 else leaf_dark
        leaves.append(g(path(f"M0,0 Q{length * 0.32},{-length * 0.5} 0,{-length} "
                             f"Q{-length * 0.32},{-length * 0.5} 0,0 Z", shade),
                        path(f"M0,-6 L0,{-length + 14}", stroke="#ffffff", stroke_width=3,
                             opacity=0.25),
                        transform=f"translate(0 -110) rotate({angle})"))
    body = path("M-70,-120 L70,-120 L55,-8 Q53,0 44,0 L-44,0 Q-53,0 -55,-8 Z",
                s.across([(0, pot_dark), (0.4, pot), (1, pot_dark)]))
    rim = rect(-78, -132, 156, 24, pot, rx=6)
    return g(*leaves, body, rim, rect(-78, -112, 156, 6, pot_dark, opacity=0.6))


# --------------------------------------------------------------------------- the products


KRAFT = [(0, "#93633b"), (0.18, "#be8e5c"), (0.5, "#c99a68"), (0.84, "#b4835a"),
         (1, "#8b5c35")]


def coffee_bag(s: Svg) -> str:
    """A stand-up kraft pouch with a crimped top, a valve and an orange-banded label."""
    body = path("M-250,-800 L250,-800 L282,-42 Q284,0 240,0 L-240,0 Q-284,0 -282,-42 Z",
                s.across(KRAFT))
    gussets = (path("M-282,-42 L-250,-800 L-226,-800 L-252,-42 Z", "#000000", opacity=0.09)
               + path("M282,-42 L250,-800 L226,-800 L252,-42 Z", "#000000", opacity=0.12))
    teeth = " ".join(f"L{-250 + i * 12.5},{-842 if i % 2 else -834}" for i in range(41))
    seal = path(f"M-250,-790 L-250,-834 {teeth} L250,-790 Z",
                s.across([(0, "#8e5f38"), (0.5, "#b98a5a"), (1, "#87592f")]))
    crimps = "".join(rect(-250, y, 500, 3, "#000000", opacity=0.10) for y in (-822, -812, -802))
    fold = rect(-252, -768, 504, 4, "#ffffff", opacity=0.16)
    valve = circle(0, -712, 19, "#7b5233") + circle(0, -712, 8, "#5c3b22")
    label = g(rect(-190, -600, 380, 430, "#f7f0e3", rx=16),
              rect(-190, -566, 380, 86, "#d9622b"),
              rect(-120, -540, 240, 20, "#f7f0e3", rx=10, opacity=0.95),
              rect(-70, -510, 140, 10, "#f7f0e3", rx=5, opacity=0.75),
              g(ellipse(0, 0, 50, 72, "#4a2c1a"),
                path("M0,-62 C-26,-28 26,28 0,62", stroke="#f7f0e3", stroke_width=9,
                     stroke_linecap="round"),
                transform="translate(0 -350) rotate(-28)"),
              rect(-120, -250, 240, 14, "#b8a185", rx=7),
              rect(-80, -224, 160, 11, "#d3c1a8", rx=5))
    shine = highlight(-214, -772, 24, 720, 0.18) + highlight(-176, -772, 8, 720, 0.12)
    return g(body, gussets, seal, crimps, fold, valve, label, shine)


def bean(x: float, y: float, angle: float, scale: float = 1.0) -> str:
    return g(ellipse(0, 0, 21, 14, "#4a2c1a"), ellipse(-4, -4, 12, 6, "#ffffff", opacity=0.12),
             path("M-17,0 C-6,-7 6,7 17,0", stroke="#2c170c", stroke_width=3.5,
                  stroke_linecap="round"),
             transform=f"translate({num(x)} {num(y)}) rotate({num(angle)}) scale({num(scale)})")


def coffee_front() -> Svg:
    s = Svg(1000, 1250)
    studio(s, "#f6eee4", "#e5d3bf")
    s.add(contact_shadow(s, 500, 1062, 300))
    s.add(place(coffee_bag(s), 500, 1062))
    for x, y, a in ((318, 1098, -20), (366, 1116, 35), (690, 1104, 12), (642, 1126, -40)):
        s.add(ellipse(x, y + 10, 20, 5, "#2a211b", opacity=0.25, filter=s.blur(3)), bean(x, y, a))
    return s


def cup_and_saucer(s: Svg, drink: str, crema: str) -> str:
    saucer = (ellipse(0, -6, 160, 42, "#d8d1c6") + ellipse(0, -14, 160, 40, "#f6f2ec")
              + ellipse(0, -16, 92, 22, "#e2dbd0"))
    handle = path("M88,-140 C160,-150 160,-60 78,-66", stroke="#e8e2d9", stroke_width=20,
                  stroke_linecap="round")
    body = path("M-96,-156 L96,-156 Q92,-40 62,-22 L-62,-22 Q-92,-40 -96,-156 Z",
                s.across([(0, "#d9d2c7"), (0.35, "#fbf9f5"), (0.7, "#ece6dd"), (1, "#cfc7bb")]))
    rim = ellipse(0, -156, 96, 24, "#f8f5f0")
    coffee = ellipse(0, -153, 84, 18, crema) + ellipse(0, -152, 68, 13, drink)
    steam = "".join(path(f"M{x},-200 C{x - 18},-240 {x + 18},-270 {x},-310", stroke="#ffffff",
                         stroke_width=7, stroke_linecap="round", opacity=0.35)
                    for x in (-24, 22))
    return g(saucer, handle, body, rim, coffee, steam)


def coffee_scene() -> Svg:
    s = Svg(1400, 1000)
    s.add(rect(0, 0, 1400, 640, s.linear([(0, "#84a297"), (1, "#6a887d")])),
          path("M860,0 L1130,0 L930,640 L650,640 Z", "#ffffff", opacity=0.09),
          path("M1180,0 L1260,0 L1060,640 L980,640 Z", "#ffffff", opacity=0.06),
          rect(0, 620, 1400, 380, s.linear([(0, "#c28d5d"), (1, "#93633d")])))
    grain = "".join(path(f"M0,{y} C400,{y - 8} 900,{y + 10} 1400,{y - 4}", stroke="#5e3b20",
                         stroke_width=2.5, opacity=0.12)
                    for y in (668, 712, 770, 835, 905, 970))
    s.add(grain, rect(0, 618, 1400, 5, "#e0b07f", opacity=0.7))
    s.add(soft(s, 250, 880, 120, 18, 0.30), place(plant(s, "#d9dcd4", "#aeb3a8", "#4f8a62",
                                                       "#3c7050"), 220, 880, 1.05))
    s.add(soft(s, 500, 905, 250, 26, 0.34), place(coffee_bag(s), 520, 905, 0.6))
    s.add(soft(s, 960, 925, 190, 30, 0.28), place(cup_and_saucer(s, "#4a2c1a", "#a8693b"),
                                                 980, 925, 1.05))
    for x, y, a, k in ((720, 930, 20, 1.1), (760, 952, -35, 1.1), (1210, 960, 60, 1.2),
                       (1170, 985, -10, 1.2), (395, 975, 15, 1.25)):
        s.add(ellipse(x - 4, y + 10, 20 * k, 5 * k, "#2a1a10", opacity=0.3, filter=s.blur(3)),
              bean(x, y, a, k))
    finish_scene(s)
    return s


def text_column(x: float, y: float, lengths: Sequence[float], color: str) -> str:
    """A vertical column of text as rounded bars (shapes, not glyphs): a vertical label."""
    out, top = [], y
    for length in lengths:
        out.append(rect(x - 6, top, 12, length, color, rx=6))
        top += length + 14
    return "".join(out)


GOLD = [(0, "#8a6424"), (0.28, "#d5b061"), (0.48, "#f2d994"), (0.72, "#c29744"),
        (1, "#7a571c")]


def tea_tin(s: Svg) -> str:
    """A round tea caddy: deep jade body, gold lid and bands, a cream landscape label."""
    body = path("M-170,-470 L-170,0 A170,34 0 0 0 170,0 L170,-470 Z",
                s.across([(0, "#0f4240"), (0.24, "#1f6f6b"), (0.45, "#2f8c85"),
                          (0.7, "#1d6764"), (1, "#0d3d3b")]))
    band = path("M-170,-44 A170,34 0 0 0 170,-44 L170,-24 A170,34 0 0 1 -170,-24 Z",
                s.across(GOLD))
    lid_shadow = path("M-170,-470 A170,34 0 0 0 170,-470 L170,-452 A170,34 0 0 1 -170,-452 Z",
                      "#000000", opacity=0.22)
    lid = path("M-176,-580 L-176,-470 A176,36 0 0 0 176,-470 L176,-580 Z", s.across(GOLD))
    lid_top = ellipse(0, -580, 176, 36, s.linear([(0, "#f3dc9a"), (1, "#c9a04c")]))
    lid_ring = ellipse(0, -580, 150, 28, "none", stroke="#a07a30", stroke_width=3, opacity=0.6)
    label = g(rect(-112, -410, 224, 330, "#f4ecd8", rx=10),
              path("M-112,-150 Q-62,-232 -12,-172 Q40,-262 112,-166 L112,-90 Q112,-80 102,-80 "
                   "L-102,-80 Q-112,-80 -112,-90 Z", "#8cbca3"),
              path("M-112,-118 Q-40,-176 20,-128 Q70,-168 112,-132 L112,-90 Q112,-80 102,-80 "
                   "L-102,-80 Q-112,-80 -112,-90 Z", "#4e9479"),
              circle(58, -250, 26, "#e9b949", opacity=0.85),
              text_column(-64, -384, (104, 22), "#1f4d46"),
              text_column(-34, -370, (70, 40), "#1f4d46"),
              rect(42, -384, 44, 44, "#b8322a", rx=5),
              rect(52, -374, 24, 4, "#f4ecd8"), rect(62, -374, 4, 24, "#f4ecd8"),
              rect(52, -356, 24, 4, "#f4ecd8"))
    shine = highlight(-152, -452, 18, 400, 0.16) + highlight(-158, -566, 14, 86, 0.3)
    return g(body, band, lid_shadow, label, lid, lid_top, lid_ring, shine)


def tea_cup(s: Svg, tea: str) -> str:
    bowl = path("M-92,-112 Q-90,-18 -34,-8 L34,-8 Q90,-18 92,-112 Z",
                s.across([(0, "#d6d4cc"), (0.35, "#fbfaf6"), (1, "#cfccc2")]))
    foot = rect(-34, -12, 68, 12, "#dcd9d0", rx=3)
    rim = ellipse(0, -112, 92, 18, "#f7f5ef")
    drink = ellipse(0, -109, 80, 13, tea) + ellipse(-20, -112, 30, 4, "#ffffff", opacity=0.3)
    return g(foot, bowl, rim, drink, path("M-60,-70 Q0,-58 60,-70", stroke="#6f9a86",
                                          stroke_width=4, opacity=0.5))


def tea_leaf(x: float, y: float, angle: float, color: str = "#56702f") -> str:
    return g(path("M-24,0 Q0,-11 24,0 Q0,11 -24,0 Z", color),
             path("M-18,0 L18,0", stroke="#ffffff", stroke_width=1.5, opacity=0.25),
             transform=f"translate({num(x)} {num(y)}) rotate({num(angle)})")


def tea_front() -> Svg:
    s = Svg(1100, 1100)
    studio(s, "#f7f2e6", "#e5dbc3")
    s.add(contact_shadow(s, 470, 935, 200), contact_shadow(s, 800, 945, 100))
    s.add(place(tea_tin(s), 470, 935), place(tea_cup(s, "#b9c46c"), 800, 945))
    for x, y, a in ((640, 990, 20), (700, 1004, -30), (612, 1012, 70), (910, 1000, 10)):
        s.add(tea_leaf(x, y, a))
    return s


def bamboo(s: Svg, x: float, top: float, bottom: float, width: float) -> str:
    stalk = rect(x - width / 2, top, width, bottom - top, "#6f9a5c")
    joints = "".join(rect(x - width / 2 - 2, y, width + 4, 5, "#4f7a43")
                     for y in range(int(top) + 60, int(bottom), 90))
    leaves = "".join(g(path("M0,0 Q40,-12 90,0 Q40,10 0,0 Z", "#5e8c4c"),
                       transform=f"translate({num(x)} {num(y)}) rotate({num(a)})")
                     for y, a in ((top + 120, -30), (top + 210, 200), (top + 300, -20),
                                  (top + 390, 190)))
    return g(stalk, joints, leaves)


def teapot(s: Svg) -> str:
    body = ellipse(0, -96, 128, 96, s.radial([(0, "#c9e0d2"), (1, "#86ad98")], cx=0.4,
                                             cy=0.35, r=0.7))
    spout = path("M110,-110 Q170,-120 196,-178 L212,-170 Q190,-100 118,-66 Z", "#94b9a5")
    handle = path("M-112,-160 C-200,-170 -200,-40 -116,-60", stroke="#8db3a0", stroke_width=20,
                  stroke_linecap="round")
    lid = ellipse(0, -184, 70, 16, "#a9c8b6") + circle(0, -204, 16, "#94b9a5")
    return g(handle, spout, body, lid, ellipse(-40, -140, 36, 16, "#ffffff", opacity=0.25),
             rect(-60, -8, 120, 10, "#7fa38f", rx=4))


def tea_scene() -> Svg:
    s = Svg(1400, 1050)
    s.add(rect(0, 0, 1400, 780, s.linear([(0, "#dcb9a0"), (1, "#cca283")])))
    window = s.clip(circle(1260, 300, 330, "#000"))
    s.add(g(rect(900, 0, 500, 640, s.linear([(0, "#e8f2ea"), (1, "#c0dac9")])),
            bamboo(s, 1050, -20, 640, 26), bamboo(s, 1180, 40, 640, 22),
            bamboo(s, 1320, -40, 640, 30), clip_path=window),
          circle(1260, 300, 342, "none", stroke="#6b4631", stroke_width=26))
    s.add(rect(0, 760, 1400, 290, s.linear([(0, "#76503a"), (1, "#553626")])),
          rect(0, 758, 1400, 5, "#a37757", opacity=0.8))
    mat = rect(130, 830, 1000, 170, "#d2b47c", rx=6)
    slats = "".join(rect(x, 830, 3, 170, "#a88a54", opacity=0.55) for x in range(150, 1130, 22))
    s.add(mat, slats)
    s.add(soft(s, 420, 915, 150, 22, 0.35), place(tea_tin(s), 430, 915, 0.75))
    s.add(soft(s, 760, 925, 150, 20, 0.3), place(teapot(s), 760, 925, 0.95))
    s.add(soft(s, 1000, 950, 80, 12, 0.3), place(tea_cup(s, "#b9c46c"), 1000, 950, 0.75))
    for x, y, a in ((600, 975, 25), (640, 985, -20), (1080, 985, 40)):
        s.add(tea_leaf(x, y, a))
    finish_scene(s)
    return s


ROSE_GOLD = [(0, "#9b6248"), (0.35, "#e0ab8c"), (0.55, "#f4d2bc"), (1, "#86513a")]


def serum_bottle(s: Svg) -> str:
    """An amber glass dropper bottle with a rose-gold collar and a cream bulb."""
    body = path("M-130,-330 Q-130,-402 -60,-410 L60,-410 Q130,-402 130,-330 L130,-30 "
                "Q130,0 100,0 L-100,0 Q-130,0 -130,-30 Z",
                s.across([(0, "#6e3410"), (0.2, "#b5622a"), (0.45, "#dc9352"), (0.62, "#c3722f"),
                          (1, "#653010")]))
    neck = rect(-50, -452, 100, 48, "#7e4016")
    collar = g(rect(-62, -532, 124, 88, s.across(ROSE_GOLD), rx=8),
               *(rect(-62, y, 124, 3, "#7a4632", opacity=0.35) for y in (-516, -500, -484)))
    bulb = path("M-50,-530 L-50,-600 Q-50,-692 0,-692 Q50,-692 50,-600 L50,-530 Z",
                s.across([(0, "#d3ccc4"), (0.4, "#fbf8f4"), (1, "#c9c1b8")]))
    ridges = "".join(rect(-50, y, 100, 3, "#b5aca2", opacity=0.6) for y in (-560, -548, -536))
    label = g(rect(-130, -282, 260, 176, "#f7eee8"),
              circle(0, -238, 18, "none", stroke="#b5776a", stroke_width=4),
              rect(-80, -200, 160, 16, "#5d3a2c", rx=8), rect(-55, -172, 110, 10, "#b99a8a", rx=5),
              rect(-40, -150, 80, 8, "#d2bcb0", rx=4))
    shine = (highlight(-104, -392, 18, 372, 0.3) + highlight(-78, -392, 6, 372, 0.18)
             + highlight(-36, -676, 12, 120, 0.5))
    return g(neck, body, label, collar, bulb, ridges, shine)


def droplet(x: float, y: float, size: float, color: str) -> str:
    d = (f"M0,{-size} Q{size * 0.75},{-size * 0.1} {size * 0.55},{size * 0.35} "
         f"A{size * 0.58},{size * 0.58} 0 0 1 {-size * 0.55},{size * 0.35} "
         f"Q{-size * 0.75},{-size * 0.1} 0,{-size} Z")
    return g(path(d, color, opacity=0.9),
             ellipse(-size * 0.18, size * 0.05, size * 0.12, size * 0.2, "#ffffff", opacity=0.5),
             transform=f"translate({num(x)} {num(y)})")


def podium(s: Svg, rx: float, height: float, top: str, side: str, side_dark: str) -> str:
    ry = rx * 0.19
    return g(path(f"M{-rx},{-height} L{-rx},0 A{rx},{ry} 0 0 0 {rx},0 L{rx},{-height} Z",
                  s.across([(0, side_dark), (0.4, side), (1, side_dark)])),
             ellipse(0, -height, rx, ry, top))


def serum_front() -> Svg:
    s = Svg(900, 1200)
    studio(s, "#f9ebe7", "#ebcac3")
    s.add(contact_shadow(s, 450, 1090, 270, 0.8))
    s.add(place(podium(s, 260, 150, "#f6ddd6", "#e8c1b8", "#d2a297"), 450, 1090))
    s.add(ellipse(450, 942, 150, 16, "#5b3128", opacity=0.25, filter=s.blur(8)),
          place(serum_bottle(s), 450, 940))
    s.add(droplet(640, 918, 30, "#d08a45"), droplet(282, 936, 22, "#c97d3c"))
    return s


def cream_jar(s: Svg) -> str:
    return g(rect(-80, -92, 160, 92, s.across([(0, "#e6ddd6"), (0.4, "#fdfaf7"),
                                                (1, "#d9cfc7")]), rx=14),
             rect(-86, -140, 172, 52, s.across(ROSE_GOLD), rx=10),
             rect(-50, -64, 100, 10, "#b99a8a", rx=5))


def towels(s: Svg) -> str:
    return g(rect(-130, -70, 260, 70, s.linear([(0, "#f4cdb8"), (1, "#e2ad93")]), rx=30),
             rect(-120, -132, 240, 66, s.linear([(0, "#fbeee4"), (1, "#e8d3c3")]), rx=30),
             rect(-120, -40, 240, 5, "#ffffff", opacity=0.35),
             rect(-110, -100, 220, 5, "#ffffff", opacity=0.5))


def serum_scene() -> Svg:
    s = Svg(1400, 1000)
    s.add(rect(0, 0, 1400, 1000, s.linear([(0, "#d3e8e1"), (1, "#b7d3ca")])))
    s.add(*(rect(x, 0, 3, 790, "#ffffff", opacity=0.55) for x in range(60, 1400, 150)),
          *(rect(0, y, 1400, 3, "#ffffff", opacity=0.55) for y in range(40, 790, 150)))
    s.add(circle(1250, 170, 260, s.radial([(0, "#eef6f4"), (1, "#c9ddd8")], cx=0.35, cy=0.35)),
          circle(1250, 170, 260, "none", stroke="#c9a06e", stroke_width=14))
    s.add(rect(0, 790, 1400, 210, s.linear([(0, "#9cbfb4"), (1, "#86aa9f")])),
          soft(s, 700, 832, 720, 18, 0.35),
          rect(0, 762, 1400, 30, "#f3f1ec"), rect(0, 790, 1400, 26, "#dedad2"),
          rect(0, 762, 1400, 3, "#ffffff"))
    s.add(soft(s, 250, 780, 110, 12, 0.35),
          place(plant(s, "#f7f5f0", "#d6d1c8", "#7ea58c", "#5f8b70"), 250, 778, 1.45))
    s.add(soft(s, 590, 780, 130, 12, 0.4), place(serum_bottle(s), 585, 778, 0.86))
    s.add(soft(s, 830, 780, 110, 10, 0.35), place(cream_jar(s), 830, 778, 1.2))
    s.add(soft(s, 1110, 780, 170, 12, 0.3), place(towels(s), 1110, 778, 1.3))
    finish_scene(s)
    return s


def lipstick(s: Svg) -> str:
    """An uncapped lipstick: black lacquer case, gold sleeve, red slanted bullet."""
    case = rect(-70, -232, 140, 232, s.across([(0, "#0c0c0e"), (0.32, "#38383e"),
                                               (0.48, "#5a5a62"), (1, "#09090a")]), rx=10)
    ring = rect(-72, -246, 144, 16, s.across(GOLD), rx=3)
    sleeve = rect(-54, -372, 108, 128, s.across(GOLD))
    bullet = path("M-44,-370 L-44,-452 Q-44,-470 -29,-479 L28,-516 Q44,-527 44,-505 L44,-370 Z",
                  s.across([(0, "#8a0e1f"), (0.32, "#d12a3c"), (0.52, "#ea4a5c"),
                            (1, "#760b19")]))
    shine = (path("M-32,-466 L22,-502", stroke="#ffffff", stroke_width=5, stroke_linecap="round",
                  opacity=0.35)
             + highlight(-30, -450, 8, 70, 0.3) + highlight(-48, -220, 10, 200, 0.18)
             + highlight(-40, -366, 8, 116, 0.4))
    return g(case, sleeve, bullet, ring, shine)


def lipstick_cap(s: Svg) -> str:
    """The cap lying on its side, open end to the left; bottom centre at the origin."""
    return g(rect(-150, -142, 300, 142, s.linear([(0, "#3c3c42"), (0.3, "#60606a"),
                                                  (0.55, "#1d1d21"), (1, "#08080a")]), rx=12),
             rect(-150, -142, 22, 142, s.linear(GOLD), rx=4),
             rect(-120, -120, 250, 8, "#ffffff", opacity=0.18, rx=4))


def swatch(x: float, y: float, length: float, width: float, angle: float, color: str) -> str:
    """A lipstick swatch: a thick round-capped brush stroke with a soft sheen."""
    d = f"M0,0 C{num(length * 0.3)},{num(-width * 0.45)} {num(length * 0.65)},{num(width * 0.4)} {num(length)},0"
    return g(path(d, stroke=color, stroke_width=width, stroke_linecap="round"),
             path(d, stroke="#ffffff", stroke_width=width * 0.12, stroke_linecap="round",
                  opacity=0.22, transform=f"translate(0 {num(-width * 0.18)})"),
             transform=f"translate({num(x)} {num(y)}) rotate({num(angle)})")


def lipstick_front() -> Svg:
    s = Svg(1000, 1000)
    studio(s, "#f5e9df", "#e6cfbf")
    s.add(swatch(150, 930, 280, 40, -5, "#c21a31"))
    s.add(contact_shadow(s, 400, 870, 110), contact_shadow(s, 700, 870, 190, 0.9))
    s.add(place(lipstick(s), 400, 870, 1.08), place(lipstick_cap(s), 700, 870))
    return s


def lipstick_detail() -> Svg:
    s = Svg(1200, 900)
    s.add(rect(0, 0, 1200, 900, s.linear([(0, "#8a2434"), (1, "#5a1320")])),
          rect(0, 0, 1200, 900, s.radial([(0, "#ffffff", 0.18), (1, "#ffffff", 0)], cx=0.55,
                                         cy=0.45, r=0.55)))
    s.add(swatch(160, 660, 460, 70, -14, "#d32b40"), swatch(700, 720, 330, 52, -8, "#e04a5a"))
    s.add(ellipse(560, 620, 330, 40, "#1a0508", opacity=0.45, filter=s.blur(22)))
    s.add(place(lipstick(s), 440, 700, 1.35, rotate=52))
    return s


MIDNIGHT = [(0, "#121a2e"), (0.38, "#2d3d64"), (0.6, "#233258"), (1, "#0e1526")]


def headphones(s: Svg) -> str:
    """Over-ear headphones seen from the front, standing on their cups."""
    band = (path("M-232,-332 C-232,-658 232,-658 232,-332", stroke="#1b2540", stroke_width=46,
                 stroke_linecap="round")
            + path("M-206,-350 C-206,-620 206,-620 206,-350", stroke="#2e3c60", stroke_width=22,
                   stroke_linecap="round")
            + path("M-220,-420 C-200,-640 200,-640 220,-420", stroke="#ffffff", stroke_width=5,
                   opacity=0.16, stroke_linecap="round"))
    metal = s.across([(0, "#8a93a3"), (0.5, "#eef1f5"), (1, "#7d8696")])

    def side() -> str:
        slider = rect(-246, -372, 20, 110, metal, rx=6)
        yoke = path("M-296,-246 Q-236,-306 -176,-246", stroke="#c67c4e", stroke_width=14,
                    stroke_linecap="round")
        cushion = rect(-186, -262, 42, 250, "#0b1020", rx=20)
        cup = rect(-326, -286, 160, 286, s.across(MIDNIGHT), rx=72)
        accent = rect(-326, -150, 160, 8, "#c67c4e", opacity=0.9)
        return g(slider, cushion, cup, accent, yoke, highlight(-304, -250, 14, 210, 0.16))

    return g(band, side(), mirror(side()))


def headphones_front() -> Svg:
    s = Svg(1200, 1200)
    studio(s, "#f4f0e7", "#ded5c2")
    s.add(contact_shadow(s, 600 - 330, 985, 170), contact_shadow(s, 600 + 330, 985, 170))
    s.add(place(headphones(s), 600, 985, 1.36))
    return s


def headphones_angle(s: Svg) -> str:
    """Three-quarter view: the near cup large, the far cup behind, the band arching over."""
    far = g(ellipse(236, -312, 112, 172, s.across(MIDNIGHT)),
            rect(226, -560, 18, 110, "#8a93a3", rx=6))
    band = (path("M-78,-476 C-78,-860 236,-870 236,-520", stroke="#1b2540", stroke_width=44,
                 stroke_linecap="round")
            + path("M-60,-520 C-40,-820 210,-830 222,-560", stroke="#ffffff", stroke_width=5,
                   opacity=0.15, stroke_linecap="round"))
    slider = rect(-90, -520, 22, 120, s.across([(0, "#8a93a3"), (0.5, "#eef1f5"),
                                                 (1, "#7d8696")]), rx=7)
    cushion = ellipse(-30, -262, 168, 212, "#0b1020")
    plate = ellipse(-86, -264, 168, 214, s.radial(MIDNIGHT[::-1], cx=0.4, cy=0.35, r=0.75))
    ring = ellipse(-86, -264, 130, 168, "none", stroke="#c67c4e", stroke_width=10)
    mark = "".join(rect(-118 + i * 18, -264 - h / 2, 10, h, "#c67c4e", rx=5)
                   for i, h in enumerate((28, 56, 80, 56, 28)))
    return g(far, band, slider, cushion, plate, ring, mark,
             ellipse(-140, -360, 40, 70, "#ffffff", opacity=0.1))


def headphones_side() -> Svg:
    s = Svg(1000, 1000)
    studio(s, "#eef0f1", "#d3d8dc")
    s.add(contact_shadow(s, 470, 884, 240))
    s.add(place(headphones_angle(s), 500, 934, 1.0))
    return s


def laptop(s: Svg) -> str:
    return g(rect(-250, -26, 500, 26, s.linear([(0, "#d9dde2"), (1, "#a7adb5")]), rx=6),
             rect(-250, -28, 500, 5, "#f3f5f7", rx=2), rect(-40, -10, 80, 4, "#8d939b", rx=2))


def book_stack() -> str:
    return g(rect(-120, -46, 240, 46, "#3f6f7a", rx=4), rect(-110, -40, 220, 4, "#e9e2d0"),
             rect(-104, -92, 214, 46, "#e8dcc2", rx=4), rect(-96, -86, 200, 4, "#ffffff"),
             rect(-116, -132, 200, 40, "#c8553f", rx=4), rect(-106, -126, 186, 4, "#f2d7c8"))


def headphones_scene() -> Svg:
    s = Svg(1400, 933)
    s.add(rect(0, 0, 1400, 620, s.linear([(0, "#e9bb98"), (1, "#d9a37f")])),
          path("M160,480 L160,250 A140,140 0 0 1 440,250 L440,480 Z", "#2f5e6e",
               stroke="#b9825f", stroke_width=10),
          circle(300, 250, 62, "#e7b85a"),
          path("M165,475 L260,350 L330,410 L435,310 L435,475 Z", "#1f4350"),
          path("M980,0 L1400,0 L1400,620 L1180,620 Z", "#ffffff", opacity=0.12),
          path("M0,0 L120,0 L40,620 L0,620 Z", "#5a2f1c", opacity=0.1),
          rect(1010, 150, 390, 20, "#8a5a3c"), rect(1010, 170, 390, 8, "#5e3a25", opacity=0.6),
          place(book_stack(), 1290, 150, 0.9), place(g(rect(-28, -120, 56, 120, "#e7e0d2", rx=6),
                                                       rect(-28, -80, 56, 30, "#3f6f7a")),
                                                     1100, 150),
          rect(0, 620, 1400, 313, s.linear([(0, "#dcbf92"), (1, "#c29f6e")])),
          rect(0, 618, 1400, 5, "#f1dcb6"),
          path("M0,700 C400,690 900,712 1400,696", stroke="#8a6a40", stroke_width=2.5,
               opacity=0.2),
          path("M0,830 C500,820 900,842 1400,826", stroke="#8a6a40", stroke_width=2.5,
               opacity=0.2))
    s.add(soft(s, 260, 780, 140, 12, 0.35), place(book_stack(), 260, 780))
    s.add(soft(s, 760, 800, 270, 12, 0.35), place(laptop(s), 760, 800))
    s.add(soft(s, 760, 774, 330, 14, 0.35), place(headphones(s), 760, 774, 0.9))
    s.add(soft(s, 1200, 790, 90, 12, 0.35),
          place(plant(s, "#3d4f63", "#27384a", "#5b9a6c", "#447f55"), 1200, 790, 1.2))
    finish_scene(s)
    return s


MUSTARD = [(0, "#b67d0f"), (0.4, "#f0b73a"), (1, "#a26e0c")]
BRASS = [(0, "#8e6a2e"), (0.5, "#ecd08a"), (1, "#94702f")]


def lamp(s: Svg, lit: bool = False) -> str:
    """An arc table lamp: mustard base and dome, brass stem; bottom centre at the origin."""
    base = g(path("M-130,-40 L-130,-14 A130,26 0 0 0 130,-14 L130,-40 Z", s.across(MUSTARD)),
             ellipse(0, -40, 130, 26, s.linear([(0, "#f6ca5c"), (1, "#dca32c")])),
             ellipse(0, -42, 26, 7, "#8e6a2e"))
    stem = (path("M0,-42 L0,-420 Q0,-560 150,-604", stroke="#b58d3f", stroke_width=18,
                 stroke_linecap="round")
            + path("M-4,-60 L-4,-420 Q-4,-548 140,-596", stroke="#f2dc9c", stroke_width=5,
                   stroke_linecap="round", opacity=0.7)
            + circle(0, -300, 14, s.across(BRASS)))
    glow = ""
    if lit:
        glow = ellipse(0, 60, 240, 220, s.radial([(0, "#fff3c4", 0.75), (1, "#fff3c4", 0)]))
    shade = g(glow,
              path("M-160,0 Q-158,-176 0,-182 Q158,-176 160,0 Z",
                   s.across([(0, "#a46f0b"), (0.35, "#f2bb3e"), (0.6, "#e7a92d"),
                             (1, "#93620a")])),
              ellipse(0, 0, 160, 24, "#6f4b0a"),
              ellipse(0, 6, 56, 13, "#fff7dc" if lit else "#f3e5bb"),
              path("M-120,-60 Q-116,-140 -40,-160", stroke="#ffffff", stroke_width=9,
                   stroke_linecap="round", opacity=0.25),
              circle(0, -186, 12, s.across(BRASS)),
              transform="translate(190 -604) rotate(14)")
    return g(stem, base, shade)


def lamp_front() -> Svg:
    s = Svg(960, 1280)
    studio(s, "#efedf6", "#d5d1e6")
    s.add(contact_shadow(s, 400, 1090, 190, color="#2b2540"))
    s.add(place(lamp(s), 400, 1090, 1.1))
    return s


def lamp_scene() -> Svg:
    s = Svg(1400, 1050)
    s.add(rect(0, 0, 1400, 1050, s.linear([(0, "#2b3d50"), (1, "#1f2d3c")])),
          ellipse(760, 420, 560, 480, s.radial([(0, "#ffd98a", 0.45), (1, "#ffd98a", 0)])))
    s.add(rect(140, 170, 250, 320, "#c9a15a"), rect(158, 188, 214, 284, "#e8dfcf"),
          path("M158,472 L230,360 L290,420 L372,320 L372,472 Z", "#8eaab0"),
          circle(300, 260, 30, "#e6a15a"))
    s.add(rect(1060, 560, 340, 490, "#e8e3da"), rect(1100, 500, 300, 120, "#f4f1eb", rx=40),
          rect(1060, 700, 340, 18, "#d6cfc3"))
    s.add(path("M622,352 L800,392 L1000,712 L500,712 Z", "#ffe3a3", opacity=0.1))
    s.add(rect(380, 728, 640, 322, s.linear([(0, "#8f5e3f"), (1, "#6f4630")])),
          rect(360, 712, 680, 32, "#a5704c", rx=6), rect(360, 712, 680, 5, "#d09a6e", rx=2),
          rect(410, 790, 580, 6, "#5c3824"), circle(700, 840, 10, "#d6b06a"))
    s.add(soft(s, 580, 742, 120, 10, 0.45), place(lamp(s, lit=True), 590, 740, 0.62))
    s.add(soft(s, 900, 742, 110, 8, 0.45), place(book_stack(), 890, 740, 0.8))
    finish_scene(s)
    return s


PERSIMMON = [(0, "#c94a1b"), (0.45, "#f88a52"), (0.62, "#ef7640"), (1, "#c2461a")]


def jacket(s: Svg) -> str:
    """A quilted down jacket, ghost-mannequin front view; hem centre at the origin."""
    body_d = ("M-95,-742 L-236,-692 Q-252,-680 -246,-640 L-226,-40 Q-226,0 -190,0 L190,0 "
              "Q226,0 226,-40 L246,-640 Q252,-680 236,-692 L95,-742 Z")
    sleeve_d = "M-236,-692 Q-302,-664 -322,-560 L-352,-118 L-258,-108 L-242,-520 Z"
    puff = s.linear(PERSIMMON)

    def quilted(outline: str, top: int, step: int) -> str:
        clip = s.clip(path(outline, "#000"))
        bands = "".join(rect(-380, y, 760, step, puff) for y in range(top, 20, step))
        seams = "".join(rect(-380, y - 2, 760, 4, "#9e3510", opacity=0.45)
                        for y in range(top + step, 0, step))
        return g(path(outline, "#e86c35"), g(bands, seams, clip_path=clip))

    def sleeve() -> str:
        cuff = path("M-352,-118 L-258,-108 L-256,-76 L-354,-88 Z", "#3a3636")
        return g(quilted(sleeve_d, -720, 78), cuff)

    inner_collar = path("M-88,-808 Q0,-772 88,-808 L95,-742 Q0,-724 -95,-742 Z", "#a53d14")
    collar = path("M-95,-742 L-92,-812 Q0,-830 92,-812 L95,-742 Q0,-764 -95,-742 Z",
                  s.linear([(0, "#f58a55"), (1, "#d5561f")]))
    zipper = (rect(-3, -816, 6, 816, "#2f2b2b") + rect(-7, -800, 14, 34, "#cfd3d6", rx=3))
    pockets = (path("M-176,-318 L-128,-176", stroke="#2f2b2b", stroke_width=5)
               + path("M176,-318 L128,-176", stroke="#2f2b2b", stroke_width=5))
    hem = rect(-226, -22, 452, 22, "#b8431a", rx=8)
    patch = rect(-150, -620, 44, 18, "#fbeee4", rx=3)
    return g(sleeve(), mirror(sleeve()), quilted(body_d, -742, 84), inner_collar, collar, hem,
             zipper, pockets, patch)


def jacket_front() -> Svg:
    s = Svg(1000, 1250)
    studio(s, "#eaf0f5", "#cdd8e2")
    s.add(contact_shadow(s, 500, 1110, 250, 0.6, color="#1e2a36"))
    s.add(place(jacket(s), 500, 1080, 1.06))
    return s


def pine(x: float, base: float, height: float, color: str) -> str:
    tiers = []
    for i in range(3):
        top = base - height + i * height * 0.26
        width = height * (0.26 + i * 0.1)
        bottom = top + height * 0.46
        tiers.append(path(f"M{num(x)},{num(top)} L{num(x + width)},{num(bottom)} "
                          f"L{num(x - width)},{num(bottom)} Z", color))
    return g(rect(x - height * 0.03, base - height * 0.16, height * 0.06, height * 0.16,
                  "#5a4536"), *tiers)


def walker(s: Svg) -> str:
    """A figure wearing the jacket: feet at the origin."""
    legs = (path("M-70,-330 L-64,-30 L-18,-30 L-8,-330 Z", "#2c3442")
            + path("M70,-330 L64,-30 L18,-30 L8,-330 Z", "#26303d"))
    boots = (rect(-76, -40, 66, 40, "#6a4a34", rx=12) + rect(10, -40, 66, 40, "#6a4a34", rx=12))
    hands = circle(-174, -352, 18, "#e9bf9b") + circle(174, -352, 18, "#e9bf9b")
    head = g(rect(-22, -852, 44, 40, "#dcae88"),
             ellipse(0, -900, 52, 60, "#efc8a4"),
             path("M-56,-906 Q-56,-984 0,-986 Q56,-984 56,-906 Z", "#2d5d63"),
             rect(-58, -922, 116, 24, "#e9e2d3", rx=10), circle(0, -994, 18, "#e9e2d3"))
    return g(legs, boots, hands, head, place(jacket(s), 0, -300, 0.64))


def jacket_scene() -> Svg:
    s = Svg(1300, 1000)
    s.add(rect(0, 0, 1300, 1000, s.linear([(0, "#a9cbe5"), (0.7, "#e6f0f7")])),
          path("M0,560 L220,300 L380,440 L560,230 L760,470 L960,280 L1300,540 L1300,700 "
               "L0,700 Z", "#9db3c8"),
          path("M560,230 L615,296 L585,290 L560,318 L530,292 L505,296 Z", "#f7fbfd"),
          path("M960,280 L1024,334 L992,330 L966,352 L940,330 L908,336 Z", "#f7fbfd"),
          path("M0,640 L300,470 L520,600 L760,500 L1040,620 L1300,560 L1300,760 L0,760 Z",
               "#7f98b2"),
          rect(0, 700, 1300, 300, s.linear([(0, "#f3f7fa"), (1, "#dde7ef")])))
    for x, base, h, c in ((120, 760, 300, "#2f5d4f"), (230, 740, 220, "#3b6c5c"),
                          (1080, 770, 320, "#2f5d4f"), (1190, 750, 240, "#3b6c5c"),
                          (980, 735, 180, "#4a7a69")):
        s.add(ellipse(x, base, h * 0.32, h * 0.05, "#9fb3c4", opacity=0.6), pine(x, base, h, c))
    s.add(soft(s, 650, 915, 170, 16, 0.3, color="#43566a"),
          place(walker(s), 650, 912, 0.78))
    for x, y in ((520, 940), (560, 975), (760, 950), (800, 985)):
        s.add(ellipse(x, y, 16, 6, "#c5d3df"))
    finish_scene(s)
    return s


# ------------------------------------------------------------------------------- the logos


def logo_ridgeline() -> Svg:
    s = Svg(400, 400)
    s.add(circle(200, 200, 186, "#5a3621"),
          circle(200, 200, 160, "none", stroke="#f4e6cf", stroke_width=6),
          circle(244, 150, 30, "#e07a3a"),
          path("M150,262 L246,152 L330,262 Z", "#d8bf98"),
          path("M70,262 L162,142 L256,262 Z", "#f4e6cf"),
          rect(110, 282, 180, 10, "#f4e6cf", rx=5))
    return s


def logo_qingshan() -> Svg:
    s = Svg(400, 400)
    s.add(rect(24, 24, 352, 352, "#b8322a", rx=36),
          rect(48, 48, 304, 304, "none", rx=22, stroke="#f6ead8", stroke_width=8),
          path("M86,272 Q140,150 200,232 Q260,120 316,272", stroke="#f6ead8", stroke_width=18,
               stroke_linecap="round", stroke_linejoin="round"),
          path("M200,120 Q250,150 212,204 Q168,160 200,120 Z", "#f6ead8"),
          rect(96, 300, 208, 14, "#f6ead8", rx=7))
    return s


def logo_lumen() -> Svg:
    s = Svg(400, 400)
    s.add(circle(200, 200, 170, "none", stroke="#9c5a4e", stroke_width=14),
          path("M236,96 A112,112 0 1 0 236,304 A88,88 0 1 1 236,96 Z", "#9c5a4e"),
          path("M268,170 L278,198 L306,208 L278,218 L268,246 L258,218 L230,208 L258,198 Z",
               "#d9a08f"))
    return s


def logo_pulse() -> Svg:
    s = Svg(640, 240)
    s.add(rect(10, 20, 620, 200, "#1f2a48", rx=100))
    heights = (40, 80, 130, 170, 110, 60, 140, 90, 50)
    for i, h in enumerate(heights):
        s.add(rect(140 + i * 42, 120 - h / 2, 24, h, "#eef1f5" if i != 3 else "#e08a52", rx=12))
    return s


def logo_beijing() -> Svg:
    s = Svg(400, 400)
    s.add(path("M200,30 L370,350 L30,350 Z", "#26485a", stroke="#26485a", stroke_width=30,
               stroke_linejoin="round"),
          path("M200,30 L262,148 L230,136 L200,162 L170,136 L138,148 Z", "#eef4f7",
               stroke="#eef4f7", stroke_width=8, stroke_linejoin="round"))
    arms = "".join(g(rect(-5, -62, 10, 124, "#eef4f7", rx=5),
                     transform=f"translate(200 270) rotate({a})") for a in (0, 60, 120))
    s.add(arms, circle(200, 270, 16, "#26485a"))
    return s


PICTURES: dict[str, Callable[[], Svg]] = {
    "coffee.jpg": coffee_front,
    "coffee-scene.jpg": coffee_scene,
    "tea.jpg": tea_front,
    "tea-scene.jpg": tea_scene,
    "serum.jpg": serum_front,
    "serum-scene.jpg": serum_scene,
    "lipstick.jpg": lipstick_front,
    "lipstick-detail.jpg": lipstick_detail,
    "headphones.jpg": headphones_front,
    "headphones-side.jpg": headphones_side,
    "headphones-scene.jpg": headphones_scene,
    "lamp.jpg": lamp_front,
    "lamp-scene.jpg": lamp_scene,
    "jacket.jpg": jacket_front,
    "jacket-scene.jpg": jacket_scene,
    "logo-ridgeline.png": logo_ridgeline,
    "logo-qingshan.png": logo_qingshan,
    "logo-lumen.png": logo_lumen,
    "logo-pulse.png": logo_pulse,
    "logo-beijing.png": logo_beijing,
}


def draw(name: str) -> bytes:
    """Rasterise one picture and encode it by its file suffix."""
    pixels = render(PICTURES[name]().markup())
    if name.endswith(".png"):
        return encode(pixels, "png")
    return encode(pixels, "jpg", JPEG_QUALITY)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: %(default)s)")
    parser.add_argument("--only", action="append", default=[],
                        help="draw only pictures whose file name contains this (repeatable)")
    args = parser.parse_args(argv)
    names = [n for n in PICTURES if not args.only or any(part in n for part in args.only)]
    if not names:
        parser.error(f"no picture matches {args.only}; known: {', '.join(PICTURES)}")
    total = 0
    for name in names:
        assert name not in PROTECTED, name  # the original three samples are not ours to redraw
        data = draw(name)
        write_atomic(args.out / name, data)
        (args.out / name).chmod(0o644)  # package data: a temporary file's 0600 is too tight
        total += len(data)
        print(f"{name:24} {len(data):>8,} bytes")
    print(f"{len(names)} pictures, {total:,} bytes → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
