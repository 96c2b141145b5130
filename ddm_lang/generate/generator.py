"""Generation: perceive a product, propose layouts, write them, compile, measure, select.

For each slot asked for, the proposer's layouts are paired with the style variants the
product's photo suits and written as templates; each candidate is compiled for the
product and slot, measured (`quality.layout_metrics.measure`, on the scene: no pixels)
and run through every creative check (`quality.run_checks`). Only candidates with no
finding are kept; they are ranked by a score from their metrics and chosen greedily so
that each new design is both good and unlike those already chosen (layout distance and
style). A chosen design then gets an arrangement for every other slot shape asked for,
taken from the candidates that passed in that shape — with its own style where one did,
else rewritten in its style and compiled to verify it — so its template serves every
slot. Only the designs kept are rendered to pixels.

The proposer is any `layout.Proposer`: by default half the trained layout model's
layouts (repaired) and half the archetype search's (`proposers`).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ddm_lang.api import Creative, Template
from ddm_lang.errors import UserError
from ddm_lang.perception.catalogue import Product
from ddm_lang.perception.materials import MaterialError, load_material
from ddm_lang.quality import Finding, run_checks
from ddm_lang.quality.layout_metrics import LayoutMetrics, measure
from ddm_lang.semantics.checker import check
from ddm_lang.syntax.diagnostics import DiagnosticError

from .design import (
    Arrangement,
    Design,
    Slot,
    design_distance,
    operations_for,
    signature_distance,
)
from .layout import ROLES, Layout, LayoutCondition, Proposer
from .proposers import DEFAULT, make
from .style import Style, estimate_styles
from .writer import Drafts, template_name

if TYPE_CHECKING:
    from ddm_lang.environment import Environment

CANDIDATES_PER_DESIGN = 2     # candidates compiled per design asked for, per slot
MAX_SUBJECT_CUT = 0.12        # a product cut by its crop more than this is not kept
DIVERSITY = 1.0               # weight of the distance to the chosen designs in selection
COMPANION_TRIES = 3           # restyled arrangements compiled before giving a shape up
EXTRA_ROUNDS = 2              # further rounds of candidates for a slot where too few passed


# ---- perception -------------------------------------------------------------------------

@dataclass(frozen=True)
class Photo:
    """One product photo and its perception record."""

    path: str
    index: int
    record: dict[str, Any]

    @property
    def aspect(self) -> float:
        return float(self.record["width"]) / float(self.record["height"])

    @property
    def subject_aspect(self) -> float:
        """The subject's width / height in pixels (the photo's, without a subject)."""
        box = self.record.get("subject.box") if self.record.get("subject.found") else None
        width, height = float(self.record["width"]), float(self.record["height"])
        if not box or box[3] <= 0:
            return width / height
        return box[2] * width / (box[3] * height)


@dataclass(frozen=True)
class Perceived:
    """What generation knows about a product's photos: the hero each way of showing it
    picks, chosen as the written template's `object hero` picks it."""

    cutout: Photo | None      # a photo with a found subject, to cut out
    photo: Photo | None       # a scene photo, to show as a photo

    @property
    def main(self) -> Photo:
        hero = self.cutout or self.photo
        assert hero is not None
        return hero


def perceive(product: Product, env: Environment) -> Perceived:
    """The perception records of a product's photos from the environment's material
    library (computed and stored there on first use), and its two heroes: the cut-out
    one as `where subject.found prefer suitability.collage asc, index asc, text.area asc,
    quality desc, megapixels desc` picks it, and a scene photo when there is one."""
    photos: list[Photo] = []
    for index, (name, path) in enumerate(zip(product.images, product.image_paths(),
                                             strict=True)):
        try:
            material = load_material(path, (product.base_dir,), shown=name)
        except MaterialError:
            continue    # the template's own selection reports unusable images
        photos.append(Photo(name, index, env.library.perceive(material).record))
    if not photos:
        raise GenerateError(f'product "{product.id}": none of its images can be read')

    def rank(p: Photo) -> tuple[Any, ...]:
        r = p.record
        return (bool(r.get("suitability.collage")), p.index, r.get("text.area", 0.0),
                -r.get("quality", 0.0), -r.get("megapixels", 0.0))

    found = sorted((p for p in photos if p.record.get("subject.found")), key=rank)
    scenes = sorted((p for p in photos if p.record.get("background.kind") == "scene"),
                    key=rank)
    photo = scenes[0] if scenes else None if found else sorted(photos, key=rank)[0]
    return Perceived(found[0] if found else None, photo)


class GenerateError(UserError):
    """A product generation cannot design for; the message names it."""


# ---- conditions -------------------------------------------------------------------------

def roles(product: Product) -> tuple[str, ...]:
    """The roles a product has material for, in `ROLES` order."""
    price = product.price
    priced = price is not None and (price.amount or 0) > 0
    out = ["hero", "headline"]
    if product.selling_points or product.attributes:
        out.append("subline")
    if len(product.selling_points) >= 2:
        out.append("points")
    if priced:
        out.append("price")
    out.append("button")
    if product.brand is not None and (product.brand.name or product.brand.logos):
        out.append("brand")
    if priced and price is not None and (price.discount or 0) > 0:
        out.append("badge")
    out.append("decoration")
    return tuple(out)


def conditions(perceived: Perceived, product: Product, slot: Slot) -> list[LayoutCondition]:
    """One condition per way the product can be shown: cut out (when a subject was found)
    and as a photo (when it has a scene photo, or nothing could be cut out). A photo is
    shown whole, so its subject, for the proposer, is the photo: its aspect is the
    photo's, and where the product is in it (`photo_subject`) says where copy may go on
    it."""
    out = []
    if perceived.cutout is not None:
        out.append(LayoutCondition(slot.width, slot.height, perceived.cutout.subject_aspect,
                                   True, roles(product)))
    if perceived.photo is not None:
        record = perceived.photo.record
        found = record.get("subject.box") if record.get("subject.found") else None
        where = (float(found[0]), float(found[1]), float(found[2]), float(found[3])) \
            if found else None
        out.append(LayoutCondition(slot.width, slot.height, perceived.photo.aspect, False,
                                   roles(product), where))
    return out


# ---- candidates -------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """A design written, compiled for its slot and measured."""

    design: Design
    creative: Creative | None
    metrics: LayoutMetrics | None
    findings: tuple[Finding, ...]
    error: str | None
    score: float
    seconds: float

    @property
    def passed(self) -> bool:
        """No finding, no error, and the product not visibly cut by its crop (the checks
        leave a cut subject to the template; a generated design is held to it)."""
        return (self.creative is not None and not self.findings and self.error is None
                and self.metrics is not None and self.metrics.subject_cut <= MAX_SUBJECT_CUT)


def score(metrics: LayoutMetrics, layout: Layout, style_rank: int, styles: int,
          repairs: int = 0) -> float:
    """Higher is better: a large product, a balanced composition, clean metrics, a style
    the photo suits, and few `repairs` (texts the contrast guarantee recoloured or plated,
    fields the separation guarantee moved: the design as written did not hold). The
    checks have already passed; this orders what is left."""
    hero = next(b for b in layout if b.role == "hero")
    hero_term = min(hero.w * hero.h, 0.4) / 0.4
    weight = sum(b.w * b.h for b in layout if b.role != "decoration") or 1.0
    cx = sum((b.x + b.w / 2) * b.w * b.h for b in layout if b.role != "decoration") / weight
    cy = sum((b.y + b.h / 2) * b.w * b.h for b in layout if b.role != "decoration") / weight
    balance = 1 - min(1.0, 2 * ((cx - 0.5) ** 2 + (cy - 0.5) ** 2) ** 0.5)
    penalty = min(1.0, 4 * metrics.overlap + 20 * metrics.alignment
                  + 2 * (metrics.unreadability or 0) + 3 * metrics.occlusion)
    fit = 1 - style_rank / max(1, styles)
    return round(0.35 * hero_term + 0.15 * balance + 0.4 * (1 - penalty) + 0.1 * fit
                 - 0.08 * min(repairs, 5), 4)


@dataclass
class _Context:
    """What every candidate of one product shares."""

    product: Product
    data: dict[str, Any]
    slots: tuple[Slot, ...]
    styles: list[Style]
    env: Environment | None
    drafts: Drafts
    photo_aspect: float | None    # the photo shown uncut, for `extend`
    # the texts `head-noun` judges: every generated template names its headline so
    # (`quality.headline_names` finds it in any template; this saves walking each one)
    headlines: frozenset[str] = frozenset({"headline"})


def evaluate(design: Design, ctx: _Context, slot: Slot | None = None) -> Candidate:
    """Compile a design for `slot` (its own by default) and measure it: the template's
    header, prelude and the design's arrangement for the slot's shape."""
    slot = slot or design.slot
    start = time.perf_counter()
    if slot.shape != design.slot.shape:
        arrangement = next(a for a in design.arrangements if a.shape == slot.shape)
        design = Design(design.product_id, design.style, design.cutout, (arrangement,))
    try:
        module = ctx.drafts.module(design)
        template = Template(check(module), ctx.env)
        creative = template.compile(ctx.data, slot.name, base_dir=ctx.product.base_dir)
        metrics = measure(creative, render=False)
        findings = run_checks(creative, product=ctx.data, headlines=ctx.headlines,
                              metrics=metrics)
    except DiagnosticError as err:
        return Candidate(design, None, None, (), err.render(), 0.0,
                         time.perf_counter() - start)
    rank = next((i for i, s in enumerate(ctx.styles) if s.name == design.style.name), 0)
    arrangement = next((a for a in design.arrangements if a.shape == slot.shape),
                       design.primary)
    repairs = sum(n.startswith(("contrast:", "separation:")) for n in creative.scene.notes)
    value = score(metrics, arrangement.layout, rank, len(ctx.styles), repairs)
    return Candidate(design, creative, metrics, tuple(findings), None, value,
                     time.perf_counter() - start)


def writable(layout: Layout) -> bool:
    """Whether the writer can write a layout: the hero first, a headline, each role at
    most once (a proposer that breaks this loses the layout, not the run)."""
    roles_seen = [b.role for b in layout]
    return (bool(layout) and layout[0].role == "hero" and "headline" in roles_seen
            and len(set(roles_seen)) == len(roles_seen) and all(r in ROLES for r in roles_seen))


def _propose(proposer: Proposer, ctx: _Context, perceived: Perceived, slot: Slot, count: int,
             rng: np.random.Generator) -> list[Design]:
    """`count` designs for a slot: layouts from the proposer (a third shown as a photo
    when the product has a scene photo), each paired with the next style variant."""
    designs: list[Design] = []
    conds = conditions(perceived, ctx.product, slot)
    shares = [count] if len(conds) == 1 else [count - count // 3, count // 3]
    queues = [[(cond, layout) for layout in proposer.propose(cond, share, rng)
               if writable(layout)]
              for cond, share in zip(conds, shares, strict=True)]
    # interleaved, so that both ways of showing the product come early
    layouts: list[tuple[LayoutCondition, Layout]] = []
    while any(queues):
        for queue in queues:
            if queue:
                layouts.append(queue.pop(0))
    for i, (cond, layout) in enumerate(layouts):
        style = ctx.styles[i % len(ctx.styles)]
        arrangement = Arrangement(slot, layout,
                                  operations_for(layout, cond, style, ctx.photo_aspect))
        designs.append(Design(ctx.product.id, style, cond.cutout, (arrangement,)))
    return designs


def select(candidates: Sequence[Candidate], n: int) -> list[Candidate]:
    """`n` passing candidates, chosen greedily: the best first, then each time the one
    whose score plus `DIVERSITY` × its distance to the nearest chosen design is highest;
    candidates identical to a chosen one (distance 0) are never taken."""
    pool = sorted((c for c in candidates if c.passed), key=lambda c: -c.score)
    chosen: list[Candidate] = []
    while pool and len(chosen) < n:
        def gain(c: Candidate) -> float:
            if not chosen:
                return c.score
            near = min(design_distance(c.design, o.design) for o in chosen)
            return -1.0 if near <= 1e-9 else c.score + DIVERSITY * min(near, 1.0)
        best = max(pool, key=gain)
        if gain(best) < 0:
            break
        chosen.append(best)
        pool.remove(best)
    return chosen


# ---- completing a design for every slot -------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """How a design's template does in one slot: `checked` (compiled for this product
    and passing every check), or `failed` with the reason."""

    slot: str
    status: str
    detail: str = ""


def _complete(chosen: Candidate, pools: dict[str, list[Candidate]], ctx: _Context
              ) -> tuple[Design, list[Coverage]]:
    """The chosen design with an arrangement for every other slot shape asked for, and
    how it does in every slot."""
    design = chosen.design
    coverage = [Coverage(design.slot.name, "checked")]
    covered = {design.slot.shape}
    for slot in ctx.slots:
        if slot == design.slot:
            continue
        if slot.shape in covered:     # a second slot of a shape already arranged
            result = evaluate(design, ctx, slot)
            coverage.append(_coverage(slot, result))
            continue
        arrangement, status = _companion(design, pools.get(slot.name, []), slot, ctx)
        if arrangement is not None:
            design = design.with_arrangements((arrangement,))
            covered.add(slot.shape)
        coverage.append(status)
    return design, coverage


def _coverage(slot: Slot, result: Candidate) -> Coverage:
    if result.passed:
        return Coverage(slot.name, "checked")
    why = result.error.splitlines()[0] if result.error else \
        "; ".join(f"{f.check}: {f.message}" for f in result.findings[:2])
    return Coverage(slot.name, "failed", why)


def _companion(design: Design, pool: list[Candidate], slot: Slot, ctx: _Context
               ) -> tuple[Arrangement | None, Coverage]:
    """The arrangement a design takes in another slot: the passing candidate there with
    the same way of showing the product, its style first, then the nearest in layout; in
    another style it is rewritten in this one and compiled to verify it."""
    layout = design.primary.layout
    options = sorted((c for c in pool if c.passed and c.design.cutout == design.cutout),
                     key=lambda c: (c.design.style.name != design.style.name,
                                    signature_distance(layout, c.design.primary.layout),
                                    -c.score))
    last: Coverage = Coverage(slot.name, "failed", "no layout of this shape passed")
    restyled = [o for o in options if o.design.style.name != design.style.name]
    same = [o for o in options if o.design.style.name == design.style.name]
    if same:
        return same[0].design.primary, Coverage(slot.name, "checked")
    for option in restyled[:COMPANION_TRIES]:
        theirs = option.design.primary
        cond = LayoutCondition(slot.width, slot.height, 1.0, design.cutout, ())
        arrangement = replace(theirs, operations=operations_for(
            theirs.layout, cond, design.style, ctx.photo_aspect))
        trial = Design(design.product_id, design.style, design.cutout, (arrangement,))
        result = evaluate(trial, ctx)
        if result.passed:
            return arrangement, Coverage(slot.name, "checked")
        last = _coverage(slot, result)
    return None, last


# ---- one product ------------------------------------------------------------------------

@dataclass(frozen=True)
class Generated:
    """One design kept: its template, creative and how it did."""

    design: Design
    index: int
    name: str
    text: str
    creative: Creative
    metrics: LayoutMetrics
    score: float
    coverage: tuple[Coverage, ...]

    @property
    def stem(self) -> str:
        return f"{self.design.slot.name}-{self.index}"


@dataclass
class ProductResult:
    """Everything generated for one product."""

    product: Product
    designs: list[Generated] = field(default_factory=list)
    candidates: int = 0
    passed: int = 0
    seconds: float = 0.0
    shortfall: dict[str, int] = field(default_factory=dict)   # slot → designs missing


def product_seed(product_id: str, seed: int) -> np.random.Generator:
    """A random generator per product: the same product and seed give the same designs."""
    return np.random.default_rng([seed, zlib.crc32(product_id.encode("utf-8"))])


def generate(product: Product, slots: Sequence[Slot], n: int, *,
             proposer: Proposer | None = None, env: Environment | None = None,
             seed: int = 0, per_design: int = CANDIDATES_PER_DESIGN,
             budget: float | None = None) -> ProductResult:
    """`n` distinct designs of `product` for each slot, every one passing every check.

    `per_design` candidates are proposed per design asked for; they are compiled in the
    proposer's order until all are done or, with a `budget` of seconds, the slot's share
    of it is spent (the designs then depend on the machine's speed), but never
    before `n` have passed when there are candidates left."""
    from ddm_lang.environment import default_environment
    start = time.perf_counter()
    env = env or default_environment()
    proposer = proposer or make(DEFAULT)
    perceived = perceive(product, env)
    ctx = _Context(product, product.as_dict(), tuple(slots),
                   estimate_styles(perceived.main.record, product.category), env,
                   Drafts(slots), perceived.photo.aspect if perceived.photo else None)
    rng = product_seed(product.id, seed)
    count = max(n, per_design * n)
    allowance = budget if budget is not None else float("inf")
    result = ProductResult(product)
    pools: dict[str, list[Candidate]] = {}
    for slot in slots:
        deadline = time.perf_counter() + allowance / len(slots)
        pool: list[Candidate] = []
        for _ in range(1 + EXTRA_ROUNDS):   # more rounds only while too few have passed
            for design in _propose(proposer, ctx, perceived, slot, count, rng):
                if time.perf_counter() > deadline and sum(c.passed for c in pool) >= n:
                    break
                if any(design.primary.layout == c.design.primary.layout for c in pool):
                    continue
                pool.append(evaluate(design, ctx))
            if sum(c.passed for c in pool) >= n:
                break
        pools[slot.name] = pool
        result.candidates += len(pool)
        result.passed += sum(c.passed for c in pool)
    for slot in slots:
        chosen = select(pools[slot.name], n)
        if len(chosen) < n:
            result.shortfall[slot.name] = n - len(chosen)
        for k, candidate in enumerate(chosen, start=1):
            assert candidate.creative is not None and candidate.metrics is not None
            design, coverage = _complete(candidate, pools, ctx)
            name = template_name(product.id, slot, k)
            text = ctx.drafts.text(design, name)
            metrics = measure(candidate.creative)   # now with the pixels: unreadability
            result.designs.append(Generated(design, k, name, text, candidate.creative,
                                            metrics, candidate.score, tuple(coverage)))
    result.seconds = time.perf_counter() - start
    return result
