"""The named creative checks: what a viewer sees wrong, each with a threshold.

Each check looks at one compiled creative — its bound `Scene` flattened into laid-out
elements with roles (`ddm_lang.layout.elements.flatten`: background, underlay, content) —
and returns a `Finding` per offending element. A creative fails when any enabled check
has a finding; `ddm check --product` prints one line per check (its count and threshold)
and each failing creative's findings. `docs/quality.md` says what to do about each.

- `overflow`, `off-canvas`, `occlusion`: the hard layout failures `measure` has always
  reported (a text that did not fit at its minimum size; a text or subject across a
  canvas edge its `bleed` does not declare; copy over the product), carried over unchanged.
- `safe-margin`: a text, or the button it sits on, closer to the canvas edge than the
  safe margin, max(8 px, 3 % of the shorter side). Platforms crop and round the corners
  of a slot and put their own UI over its edges; copy in that band is cut or unreadable.
  A shape that reaches the edge (a band, a bleed) is a design device and exempt; the
  text on it is checked instead. Edges an element declares with `bleed` are not measured.
- `orphan-decoration`: decoration left without its content — a plate, card, bullet or
  badge shape with no text or image on it or, for small marks, next to it (a bullet dot
  whose selling point was left out, a button plate whose caption came back empty).
  Panels (over 15 % of the canvas), rules, shapes off the edge (bleeds) and rows of marks
  most of which carry nothing (ornament dots) are not decoration of content.
- `separation`: a product that does not stand out from what is right around it (the
  figure of `ddm_lang.layout.separation`, its threshold; an uncut photo measured against
  its own backdrop does not count).
- `head-noun`: a headline written by `caption(kind: headline)` that no longer names
  what the product is (judged by `ddm_lang.copy.headline.keeps_head_noun`).
- `orphan-line`, `hyphen-break`, `dash-start`, `word-split`: typographic defects of a
  text's drawn lines (a last line of one short word, a line ending in a broken
  hyphenated word, a line starting with a dash, a word split across lines), judged by
  `ddm_lang.layout.text.line_defects`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ddm_lang.copy.headline import keeps_head_noun
from ddm_lang.errors import SettingError
from ddm_lang.layout import elements as le
from ddm_lang.layout.separation import SEPARATION_THRESHOLD, measure_separation
from ddm_lang.layout.text import line_defects
from ddm_lang.quality import layout_metrics as lm
from ddm_lang.scene import Box, TextNode

if TYPE_CHECKING:
    from ddm_lang.api import Creative

SAFE_MARGIN_PX = 8.0          # the smallest safe margin, px (tiny slots: 320×50, 728×90)
SAFE_MARGIN_SHARE = 0.03      # the safe margin as a share of the canvas's shorter side
DECORATION_MAX_SHARE = 0.15   # a shape larger than this share of the canvas is a panel
MARK_MAX_SHARE = 0.005        # a shape at most this share of the canvas is a mark (bullet)
MARK_REACH = 1.0              # a mark's content may be this many mark sizes away
RULE_TAGS = frozenset({"line", "polyline"})   # rules and strokes: no content of their own


@dataclass(frozen=True)
class Check:
    """A named check: what it catches, and its threshold as a number and in words (the
    number is what a finding's value is compared with; the words are for the report)."""

    name: str
    description: str
    threshold: float
    threshold_text: str


@dataclass(frozen=True)
class Finding:
    """One defect in one creative: which check, which element, the measured value and the
    threshold it was held to, and a sentence for a person."""

    check: str
    element: str
    value: float
    threshold: float
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "element": self.element, "value": round(self.value, 4),
                "threshold": round(self.threshold, 4), "message": self.message}


@dataclass
class CheckContext:
    """What the checks of one creative share: its elements in paint order with roles, the
    product it was compiled for, which texts are headlines, and memoised measurements
    (the layout metrics, each text's line defects)."""

    creative: Creative
    elements: list[le.Element]
    product: Mapping[str, Any] | None = None
    headlines: frozenset[str] = frozenset()
    metrics: lm.LayoutMetrics | None = None
    occlusion_limit: float = lm.OCCLUSION_LIMIT
    subjects: le.SubjectLookup | None = None
    _lines: dict[int, list[str]] = field(default_factory=dict, repr=False)

    @property
    def width(self) -> int:
        return self.creative.scene.width

    @property
    def height(self) -> int:
        return self.creative.scene.height

    def layout_metrics(self) -> lm.LayoutMetrics:
        """The geometric metrics (no pixels: the checks need none), measured once."""
        if self.metrics is None:
            self.metrics = lm.measure(self.creative, render=False, subjects=self.subjects,
                                      occlusion_limit=self.occlusion_limit)
        return self.metrics

    def line_defects(self, element: le.Element) -> list[str]:
        """The defects of a text's drawn lines, judged once for all four line checks."""
        key = element.order
        if key not in self._lines:
            node = element.item
            lines = [ln.text for ln in node.lines] if isinstance(node, TextNode) else []
            text = node.content if isinstance(node, TextNode) else None
            self._lines[key] = line_defects(lines, text) if lines else []
        return self._lines[key]


Runner = Callable[[CheckContext, Check], list[Finding]]
CHECKS: dict[str, Check] = {}
_RUNNERS: dict[str, Runner] = {}


def _register(check: Check) -> Callable[[Runner], Runner]:
    def wrap(runner: Runner) -> Runner:
        CHECKS[check.name] = check
        _RUNNERS[check.name] = runner
        return runner
    return wrap


def check_names() -> list[str]:
    """Every check's name, in report order."""
    return list(CHECKS)


def safe_margin(width: float, height: float) -> float:
    """The safe margin of a canvas, px: max(8 px, 3 % of the shorter side)."""
    return max(SAFE_MARGIN_PX, SAFE_MARGIN_SHARE * min(width, height))


# ---- the layout failures `measure` reports --------------------------------------------------

# How `measure`'s problem sentences name their failure: "<element> <phrase>...".
_PROBLEMS = {"overflow": "does not fit its box", "off-canvas": "crosses the canvas edge",
             "occlusion": "covers the product"}
_SHARE = re.compile(r"\((\d+)% of its box")


def _layout_failures(ctx: CheckContext, check: Check) -> list[Finding]:
    phrase = _PROBLEMS[check.name]
    threshold = ctx.occlusion_limit if check.name == "occlusion" else check.threshold
    out = []
    for problem in ctx.layout_metrics().problems:
        if phrase not in problem:
            continue
        element = problem.split(phrase, 1)[0].strip()
        share = _SHARE.search(problem)
        value = int(share.group(1)) / 100 if share else 1.0
        out.append(Finding(check.name, element, value, threshold, problem))
    return out


_register(Check("overflow", "a text does not fit its box at its minimum size", 0,
                "no text truncated or outside its box"))(_layout_failures)
_register(Check("off-canvas", "a text or a product crosses the canvas edge", le.EDGE_TOLERANCE,
                f"{le.EDGE_TOLERANCE:g} px"))(_layout_failures)
_register(Check("occlusion", "copy covers the product", lm.OCCLUSION_LIMIT,
                f"{lm.OCCLUSION_LIMIT:.0%} of a text's box over the subject "
                "(--max-occlusion)"))(_layout_failures)


# ---- safe margin -----------------------------------------------------------------------------

def _plate(text: le.Element, elements: Sequence[le.Element]) -> le.Element | None:
    """The underlay a text sits on (painted before it, under ≥ 90 % of it), if any."""
    for e in reversed([e for e in elements if e.order < text.order]):
        if e.role == "underlay" and le.area(text.box) > 0 and \
                le.area(le.intersection(e.box, text.box)) >= le.PLATE_SHARE * le.area(text.box):
            return e
    return None


def label(element: le.Element) -> str:
    """How a finding names an element: a shape by its SVG tag (`circle `dot``), which says
    more to a template author than "shape"."""
    tag = getattr(element.item, "tag", None) if element.kind == "shape" else None
    if tag is None:
        return element.label
    return f"{tag} `{element.name}`" if element.name else f"an unnamed {tag}"


def _edge_distance(box: Box, width: float, height: float,
                   bleed: frozenset[str] = frozenset()) -> float:
    """The distance to the nearest canvas edge, leaving out the edges declared in `bleed`."""
    edges = {"left": box.x, "top": box.y, "right": width - box.right,
             "bottom": height - box.bottom}
    return min((d for edge, d in edges.items() if edge not in bleed), default=float("inf"))


@_register(Check("safe-margin", "a text or a button too close to the canvas edge",
                 SAFE_MARGIN_SHARE, "max(8 px, 3% of the shorter side)"))
def _safe_margin(ctx: CheckContext, check: Check) -> list[Finding]:
    margin = safe_margin(ctx.width, ctx.height)
    by_order = sorted(ctx.elements, key=lambda e: e.order)
    out: list[Finding] = []
    seen: set[int] = set()
    for text in by_order:
        if text.kind != "text":
            continue
        plate = _plate(text, by_order)
        target, name = text, label(text)
        if plate is not None and _edge_distance(plate.box, ctx.width, ctx.height) > \
                le.EDGE_TOLERANCE:
            target, name = plate, f"{label(text)} on {label(plate)}"  # the button is the unit
        if target.order in seen:
            continue
        seen.add(target.order)
        # Edges the text (or its plate) declares a bleed across are not measured.
        distance = _edge_distance(target.box, ctx.width, ctx.height, text.bleed | target.bleed)
        if distance < margin - le.EDGE_TOLERANCE:
            digits = 0 if round(distance) != round(margin) else 1  # never "32 px; 32 px"
            out.append(Finding(check.name, name, distance, margin,
                               f"{name} is {distance:.{digits}f} px from the canvas edge; the "
                               f"safe margin is {margin:.{digits}f} px"))
    return out


# ---- orphan decoration -----------------------------------------------------------------------

def _gap(a0: float, a1: float, b0: float, b1: float) -> float:
    """Distance between two intervals (negative: their overlap)."""
    return max(a0, b0) - min(a1, b1)


def _accompanies(content: Box, shape: Box, mark: bool) -> bool:
    """Content is on the shape (their intersection is at least half the smaller), or, for
    a mark, beside it: level with the mark's centre on one axis (a bullet beside the
    first line of its point) and within `MARK_REACH` mark sizes on the other."""
    inter = le.area(le.intersection(content, shape))
    if inter > 0 and inter >= le.UNDERLAY_SHARE * min(le.area(content), le.area(shape)):
        return True
    if not mark:
        return False
    reach = MARK_REACH * max(shape.width, shape.height)
    cx, cy = shape.x + shape.width / 2, shape.y + shape.height / 2
    beside = content.y <= cy <= content.bottom and \
        _gap(content.x, content.right, shape.x, shape.right) <= reach
    above_below = content.x <= cx <= content.right and \
        _gap(content.y, content.bottom, shape.y, shape.bottom) <= reach
    return beside or above_below


def _aligned_twins(e: le.Element, others: Sequence[le.Element]) -> list[le.Element]:
    """The other marks of the same tag and size on one row or column with `e` (a list's
    bullets, an ornament's dots)."""
    size = max(e.box.width, e.box.height)
    tol = 0.1 * size
    out = []
    for o in others:
        if o.order == e.order or getattr(o.item, "tag", None) != getattr(e.item, "tag", None):
            continue
        if abs(o.box.width - e.box.width) > tol or abs(o.box.height - e.box.height) > tol:
            continue
        if abs(o.box.x - e.box.x) <= tol or abs(o.box.y - e.box.y) <= tol:
            out.append(o)
    return out


@_register(Check("orphan-decoration", "a plate, bullet or badge with no content on or beside it",
                 0, "every plate, bullet and badge carries a text or an image"))
def _orphan_decoration(ctx: CheckContext, check: Check) -> list[Finding]:
    canvas = Box(0, 0, ctx.width, ctx.height)
    full = le.area(canvas)
    content = [e.box for e in ctx.elements
               if e.kind in ("text", "image") and e.role != "background" and le.area(e.box) > 0]
    # Candidates: shapes smaller than a panel, inside the canvas (a shape off a corner is
    # a deliberate bleed, an ornament), not rules.
    shapes = [e for e in ctx.elements
              if e.kind == "shape" and e.role != "background" and e.item is not None
              and getattr(e.item, "tag", "") not in RULE_TAGS
              and 0 < le.area(e.box) <= DECORATION_MAX_SHARE * full
              and _edge_distance(e.box, ctx.width, ctx.height) > le.EDGE_TOLERANCE]
    marks = {e.order for e in shapes if le.area(e.box) <= MARK_MAX_SHARE * full}
    carried = {e.order for e in shapes
               if any(_accompanies(c, e.box, e.order in marks) for c in content)}
    # A detail drawn on a decoration that carries content (the hole of a price tag, a
    # sticker on a card) is part of it; a shape drawn before it is only underneath.
    changed = True
    while changed:
        changed = False
        for e in shapes:
            if e.order in carried:
                continue
            if any(o.order in carried and o.order < e.order and
                   le.area(le.intersection(e.box, o.box)) >= le.UNDERLAY_SHARE * le.area(e.box)
                   for o in shapes):
                carried.add(e.order)
                changed = True
    out = []
    for e in shapes:
        if e.order in carried:
            continue
        if e.order in marks:
            twins = _aligned_twins(e, [s for s in shapes if s.order in marks])
            if twins and 2 * sum(t.order in carried for t in twins) < len(twins) + 1:
                continue  # most of its row carry nothing: an ornament, not a list's bullets
        out.append(Finding(check.name, label(e), 0, check.threshold,
                           f"{label(e)} carries no text or image: its content was left out"))
    return out


# ---- separation ------------------------------------------------------------------------------

@_register(Check("separation", "a product that does not stand out from its field",
                 SEPARATION_THRESHOLD,
                 f"CIEDE2000 ΔE ≥ {SEPARATION_THRESHOLD:g} across the product's outline"))
def _separation(ctx: CheckContext, check: Check) -> list[Finding]:
    if ctx.subjects is None:
        return []
    # A photo measured against its own backdrop is how it was shot, not a defect of the
    # template: only results that apply are findings.
    return [Finding(check.name, r.element, r.value, r.threshold, r.describe())
            for r in measure_separation(ctx.creative, subjects=ctx.subjects)
            if r.applies and not r.passed]


# ---- head noun -------------------------------------------------------------------------------

def headline_names(template: Any) -> frozenset[str]:
    """The names of a template's texts written by `caption(kind: headline)` (the kind's
    default), found anywhere in its body and components. The scene does not record how a
    text was written; the template does, and every caption there is named."""
    ir = getattr(template, "ir", template)
    from ddm_lang.syntax import ast
    from ddm_lang.syntax.node import Node, node_fields
    names: set[str] = set()

    def walk(value: Any) -> Iterator[Any]:
        if isinstance(value, ast.Element):
            yield value
        if isinstance(value, Node):
            for name, item in node_fields(value):
                if name != "span":
                    yield from walk(item)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                if f.name != "span":
                    yield from walk(getattr(value, f.name))
        elif isinstance(value, tuple | list):
            for item in value:
                yield from walk(item)
        elif isinstance(value, Mapping):
            for item in value.values():
                yield from walk(item)

    roots: Iterable[Any] = (getattr(ir, "body", ()), getattr(ir, "components", {}))
    for element in walk(tuple(roots)):
        call = element.value
        if element.kind != "text" or not element.name or not isinstance(call, ast.Call) \
                or call.func != "caption":
            continue
        kind = next((a.value.id for a in call.args
                     if a.name == "kind" and isinstance(a.value, ast.Name)), "headline")
        if kind == "headline":
            names.add(element.name)
    return frozenset(names)


def _drawn_text(node: TextNode) -> str:
    """A text's lines joined as one string: with a space between Latin lines, none
    between lines that meet in CJK characters (written without spaces)."""
    from ddm_lang.copy.segment import is_cjk
    out = ""
    for line in (ln.text.strip() for ln in node.lines):
        if not line:
            continue
        if out and not (is_cjk(out[-1]) and is_cjk(line[0])):
            out += " "
        out += line
    return out


@_register(Check("head-noun", "a headline that lost the product's head noun", 0,
                 "the title's head noun kept"))
def _head_noun(ctx: CheckContext, check: Check) -> list[Finding]:
    if not ctx.headlines or not ctx.product:
        return []
    from ddm_lang.copy import Facts
    facts = Facts.from_product(dict(ctx.product))
    if not facts.title:
        return []
    out = []
    for e in ctx.elements:
        if e.kind != "text" or e.name not in ctx.headlines or not isinstance(e.item, TextNode):
            continue
        text = _drawn_text(e.item)
        if text and not keeps_head_noun(facts.title, text, facts.lang, facts.brand):
            out.append(Finding(check.name, e.label, 0, 1,
                               f"{e.label} “{text}” lost the head noun of “{facts.title}”"))
    return out


# ---- line defects ----------------------------------------------------------------------------

_LINE_CHECKS = {
    "orphan-line": ("orphan", "a last line of one short word"),
    "hyphen-break": ("hyphen-break", "a line ends inside a hyphenated word"),
    "dash-start": ("dash-start", "a line starts with a dash"),
    "word-split": ("word-split", "a word split across two lines"),
}


def _line_check(ctx: CheckContext, check: Check) -> list[Finding]:
    defect, what = _LINE_CHECKS[check.name]
    out = []
    for e in ctx.elements:
        if e.kind == "text" and defect in ctx.line_defects(e):
            lines = " / ".join(ln.text for ln in e.item.lines)  # type: ignore[union-attr]
            out.append(Finding(check.name, e.label, 1, 0, f"{e.label}: {what} ({lines})"))
    return out


for _name, (_defect, _what) in _LINE_CHECKS.items():
    _register(Check(_name, _what, 0, "none"))(_line_check)


# ---- running them ----------------------------------------------------------------------------

def run_checks(creative: Creative, *, product: Mapping[str, Any] | None = None,
               template: Any = None, headlines: frozenset[str] | None = None,
               checks: Iterable[str] | None = None, metrics: lm.LayoutMetrics | None = None,
               occlusion_limit: float = lm.OCCLUSION_LIMIT,
               subjects: le.SubjectLookup | None = le.library_subjects) -> list[Finding]:
    """Every finding of the named checks (all by default) on one compiled creative.

    `product` (the data it was compiled for) and `template` (or `headlines`, the names of
    its headline captions) let `head-noun` judge the headlines; `metrics`, when the caller
    has measured the creative already, saves measuring it again; `subjects` says where
    the product is in each image (the material library by default, None for nowhere:
    then separation measures nothing)."""
    names = list(checks) if checks is not None else check_names()
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise SettingError(f"unknown check {', '.join(unknown)}: the checks are "
                         f"{', '.join(CHECKS)}")
    if headlines is None:
        headlines = headline_names(template) if template is not None else frozenset()
    ctx = CheckContext(creative, le.flatten(creative.scene), product, headlines, metrics,
                       occlusion_limit, subjects)
    out: list[Finding] = []
    for name in names:
        out += _RUNNERS[name](ctx, CHECKS[name])
    return out
