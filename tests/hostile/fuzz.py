"""Grammar-based fuzzing of the parser, the checker, the catalogue loader and the renderer.

The property is the same for each: any input ends in a result or in the component's own
documented error type (DiagnosticError, CatalogueError, RenderError), never another
exception, and within a bounded time. CI runs a few examples of each (tests/
test_hostile_fuzz.py); `benchmarks/hostile.py --fuzz-minutes N` runs them for longer.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddm_lang.perception.catalogue import CatalogueError, load_catalogue
from ddm_lang.renderer import RenderError, render
from ddm_lang.semantics.checker import check
from ddm_lang.syntax.diagnostics import DiagnosticError
from ddm_lang.syntax.parser import parse

# ---- templates -------------------------------------------------------------------------

NUMBERS = st.sampled_from(["0", "1", "-1", "0.5", ".5", "1e308", "1e-308", "99999999999",
                           "10%", "100%", "-10%", "3vmin", "90deg", "12px", "(0 - 5)"])
STRINGS = st.text(st.characters(codec="utf-8", exclude_characters='"\\{}'),
                  max_size=30).map(lambda s: f'"{s}"')
COLOURS = st.sampled_from(["#fff", "#000000", "#12345678", "#ggg", "#1"])
NAMES = st.sampled_from(["product.title", "product.price.amount", "product.images",
                         "format.width", "format.aspect", "seed", "missing", "a", "b-c"])
ATOMS = st.one_of(NUMBERS, STRINGS, COLOURS, NAMES, st.sampled_from(["true", "false", "none"]))


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    ops = st.sampled_from(["+", "-", "*", "/", "and", "or", "==", "<", "in"])
    return st.one_of(
        st.tuples(inner, ops, inner).map(" ".join),
        inner.map(lambda e: f"({e})"), inner.map(lambda e: f"not {e}"),
        st.lists(inner, max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
        st.tuples(st.sampled_from(["len", "upper", "fit", "price", "tint", "join", "range"]),
                  st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        inner.map(lambda e: f"{e}[0]"))


EXPRS = st.recursive(ATOMS, _combine, max_leaves=12)
KINDS = st.sampled_from(["rect", "circle", "text", "image", "g", "path", "line", "use",
                         "filter", "feGaussianBlur", "defs", "tspan", "mask", "nosuch"])
PROPS = st.sampled_from(["box", "fill", "stroke", "size", "font", "opacity", "rx", "href",
                         "content", "max-lines", "align", "fit", "d", "stdDeviation", "onload"])


def _statement(children: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
    prop = st.tuples(PROPS, EXPRS).map(lambda p: f"{p[0]}: {p[1]}")
    element = st.tuples(KINDS, st.lists(prop, max_size=4), children).map(
        lambda t: f"{t[0]} {{ {'; '.join(t[1])}; {' '.join(t[2])} }}")
    return st.one_of(
        element,
        st.tuples(EXPRS, children).map(lambda t: f"when {t[0]} {{ {' '.join(t[1])} }}"),
        st.tuples(EXPRS, children).map(lambda t: f"for x, i in {t[0]} {{ {' '.join(t[1])} }}"),
        EXPRS.map(lambda e: f"let v = {e}"),
        st.sampled_from(['raw """<g><rect width="5" height="5"/></g>"""',
                         'raw """<script>x</script>"""', 'import "nowhere.ddm"',
                         "object hero = image from product.images"]))


STATEMENTS = st.recursive(st.just([]), lambda inner: st.lists(_statement(inner), max_size=3),
                          max_leaves=10)
TEMPLATES = st.tuples(st.sampled_from(["200x200", "1x1", "0x0", "100000x100000", "64x32"]),
                      STATEMENTS).map(
    lambda t: f'template fuzz "Fuzz"\nformats a {t[0]}\n' + "\n".join(t[1]) + "\n")


def _mutate(data: st.DataObject, text: str) -> str:
    """A template with a few characters deleted, duplicated or replaced."""
    for _ in range(data.draw(st.integers(0, 4))):
        if not text:
            break
        i = data.draw(st.integers(0, len(text) - 1))
        what = data.draw(st.sampled_from(["del", "dup", "put"]))
        if what == "del":
            text = text[:i] + text[i + 1:]
        elif what == "dup":
            text = text[:i] + text[i:i + 8] + text[i:]
        else:
            text = text[:i] + data.draw(st.sampled_from(list('{}()[]";/\\*"\n\x00é'))) + text[i:]
    return text


# ---- SVG -------------------------------------------------------------------------------

SVG_NUMBERS = st.sampled_from(["0", "1", "-1", "5", "50%", "1e308", "-1e308", "NaN", "inf",
                               "1e-300", "", "abc", "10px", "3em", "100000"])
SVG_ATTRS: dict[str, st.SearchStrategy[str]] = {
    "x": SVG_NUMBERS, "y": SVG_NUMBERS, "width": SVG_NUMBERS, "height": SVG_NUMBERS,
    "r": SVG_NUMBERS, "rx": SVG_NUMBERS, "stroke-width": SVG_NUMBERS,
    "stdDeviation": SVG_NUMBERS, "opacity": SVG_NUMBERS, "font-size": SVG_NUMBERS,
    "fill": st.sampled_from(["red", "#abc", "none", "url(#a)", "url(#b)", "currentColor", "x"]),
    "stroke": st.sampled_from(["blue", "url(#a)", "none"]),
    "filter": st.sampled_from(["url(#a)", "url(#b)", "blur(5px)", "url(http://x/)"]),
    "clip-path": st.sampled_from(["url(#a)", "url(#b)", "circle(5px)"]),
    "mask": st.sampled_from(["url(#a)", "url(#b)"]),
    "href": st.sampled_from(["#a", "#b", "#c", "data:image/png;base64,AAAA", "x.png",
                             "/etc/passwd", "http://10.255.255.1/x"]),
    "transform": st.sampled_from(["scale(0)", "scale(1e308)", "rotate(45)", "matrix(0 0 0 0 0 0)",
                                  "translate(NaN)", "skewX(90)", "scale(-1 1)"]),
    "d": st.sampled_from(["M0 0 L10 10", "M0 0 A1e308 1 0 1 1 5 5", "M", "L5 5 Z", "M0 0 c"]),
    "points": st.sampled_from(["0,0 10,10 20,0", "", "1", "0 0 1e308 1e308"]),
    "viewBox": st.sampled_from(["0 0 10 10", "0 0 0 0", "nan", "0 0 -1 5"]),
    "style": st.sampled_from(["fill:red", "display:none", "stroke-dasharray:0.001",
                              "font-size:1e9px"]),
    "id": st.sampled_from(["a", "b", "c"]),
    "in": st.sampled_from(["SourceGraphic", "SourceAlpha", "nope", "r"]),
    "result": st.just("r"),
    "offset": SVG_NUMBERS, "dx": SVG_NUMBERS, "dy": SVG_NUMBERS,
}
SVG_TAGS = st.sampled_from(["g", "rect", "circle", "ellipse", "path", "polygon", "polyline",
                            "line", "text", "tspan", "use", "image", "svg", "symbol", "defs",
                            "clipPath", "mask", "pattern", "linearGradient", "radialGradient",
                            "stop", "filter", "feGaussianBlur", "feOffset", "feFlood",
                            "feMorphology", "feTurbulence", "feImage", "feMerge", "feMergeNode",
                            "feComposite", "feColorMatrix", "feDropShadow", "switch", "a",
                            "marker", "textPath", "style", "unknown"])


def _element(children: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
    attrs = st.dictionaries(st.sampled_from(sorted(SVG_ATTRS)), st.just(""), max_size=5).flatmap(
        lambda keys: st.fixed_dictionaries({k: SVG_ATTRS[k] for k in keys}))
    return st.tuples(SVG_TAGS, attrs, children).map(
        lambda t: "<{0} {1}>{2}</{0}>".format(
            t[0], " ".join(f'{k}="{v}"' for k, v in t[1].items()), "".join(t[2]) or "ab"))


SVG_BODIES = st.recursive(st.just([]), lambda inner: st.lists(_element(inner), max_size=4),
                          max_leaves=16)
SVGS = SVG_BODIES.map(lambda body: '<svg xmlns="http://www.w3.org/2000/svg" '
                      'xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">'
                      + "".join(body) + "</svg>")

# ---- catalogues ------------------------------------------------------------------------

JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
                        st.floats(allow_nan=True, allow_infinity=True))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=10)
FIELDS = st.sampled_from(["id", "title", "images", "price", "brand", "category", "lang",
                          "description", "selling_points", "attributes", "imgaes", "x"])
PRODUCTS = st.dictionaries(FIELDS, st.one_of(JSON_VALUES, st.sampled_from(
    ["p1", "photo.png", "../../etc/passwd", "/etc/passwd", ["photo.png"],
     {"amount": 1.5, "currency": "USD", "discount": 10}])), max_size=7)


def _catalogue_text(kind: str, products: list[dict[str, Any]]) -> str:
    if kind == "json":
        return json.dumps(products)
    if kind == "jsonl":
        return "".join(json.dumps(p) + "\n" for p in products)
    cols = sorted({k for p in products for k in p})
    rows = [",".join(cols)] + [",".join(str(p.get(c, "")).replace(",", ";") for c in cols)
                               for p in products]
    return "\n".join(rows) + "\n"


# ---- the properties ----------------------------------------------------------------------

def _parse(text: str) -> None:
    with contextlib.suppress(DiagnosticError):
        parse(text, "fuzz.ddm")


def _check(text: str) -> None:
    with contextlib.suppress(DiagnosticError):
        check(parse(text, "fuzz.ddm"), root=None)


def check_parser(data: st.DataObject) -> None:
    """The parser, on grammar templates mutated and on raw token soup."""
    if data.draw(st.booleans()):
        _parse(_mutate(data, data.draw(TEMPLATES)))
    else:
        _parse(data.draw(st.text(st.sampled_from(list('abz019 {}()[]";:,.+-*/%#|<>=\n\\\'"')),
                                 max_size=200)))


def check_checker(data: st.DataObject) -> None:
    _check(data.draw(TEMPLATES))


def check_renderer(data: st.DataObject) -> None:
    svg = data.draw(SVGS)
    with contextlib.suppress(RenderError):
        render(svg, 64, 64)


def check_catalogue(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["json", "jsonl", "csv"]))
    products = data.draw(st.lists(PRODUCTS, max_size=4))
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        path = Path(tmp) / f"catalogue.{kind}"
        path.write_text(_catalogue_text(kind, products), "utf-8")
        (Path(tmp) / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        with contextlib.suppress(CatalogueError):
            load_catalogue(path)


TARGETS: dict[str, Callable[[st.DataObject], None]] = {
    "parser": check_parser, "checker": check_checker, "catalogue": check_catalogue,
    "renderer": check_renderer}
"""Fuzz target name → property (raises on a finding)."""


def fuzz_test(name: str, examples: int, deadline_ms: int) -> Callable[[], None]:
    """The target as a hypothesis test: `examples` inputs, each within `deadline_ms`."""
    @settings(max_examples=examples, deadline=deadline_ms, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def test(data: st.DataObject) -> None:
        TARGETS[name](data)
    return test


def run_target(name: str, seconds: float, deadline_ms: int = 5000) -> str:
    """Fuzz one target for about `seconds`; a line saying how many inputs and what failed."""
    end = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < end:
        try:
            fuzz_test(name, 100, deadline_ms)()
        except Exception as exc:
            return f"FAILED after {rounds * 100} inputs: {type(exc).__name__}: {str(exc)[:400]}"
        rounds += 1
    return f"{rounds * 100} inputs, no failure"
