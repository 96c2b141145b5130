"""Constraint layout: the boxes a template declares, repaired per format where they break.

A template states a layout once (boxes in %, `flow: below headline gap 2%`), and most
formats take it as declared. Where one does not (a flowed call to action pushed off a
short banner, a long title's block running into the price) the binder hands the laid-out
copy to this solver, which moves and scales it as little as it can until the layout is
valid again. As in Penrose (Ye et al., SIGGRAPH 2020) the problem is split in two:

- **hard constraints**, which a valid layout must meet: copy inside the canvas and its
  safe margin (the template's own: the least room it leaves between copy and an edge
  where it leaves any, at most `MAX_MARGIN` of the shorter side), no two
  pieces of copy overlapping (except ones the template stacks on purpose: a label on its
  plate), every `flow` relation kept (the flowed box sits `gap` from its reference, lined
  up as `align` says), no box scaled below `MIN_SCALE`;
- **soft preferences**, which rank valid layouts: stay where the designer put each box,
  keep its size, keep the edges that were aligned aligned.

Each piece of copy is a *group* (a text and the shapes declared with the same box, such as
its plate) with three variables: position x, y and a scale s of its declared size. The
energy is the preferences plus the constraint violations squared times a weight that
grows stage by stage (an exterior penalty method, Penrose's scheme); every term is a
squared residual, so each stage is a Levenberg–Marquardt least-squares solve. A layout stays as declared when it already meets every hard constraint.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from ddm_lang.scene import Box

MIN_SCALE = 0.6  # the smallest a group may be scaled to (its text then refits)
SIZE_WEIGHT = 4.0  # shrinking by a tenth costs as much as moving 20 % of the diagonal
ALIGN_WEIGHT = 10.0  # edges declared aligned stay aligned
PENALTY_STAGES = (1e2, 1e3, 1e4, 1e5, 1e6)
MAX_STEPS = 60  # Levenberg–Marquardt iterations per stage
TOLERANCE = 0.5  # px: a constraint violated by less is met
MAX_MARGIN = 0.1  # of the canvas's shorter side


@dataclass(frozen=True)
class Flow:
    """`flow: DIRECTION REF [gap G] [align A]` as the solver sees it."""

    direction: str  # below | above | after | before
    ref: str
    gap: float
    align: str | None


@dataclass(frozen=True)
class Item:
    """One laid-out element: its box as bound, and the part of it that is content (a
    text's lines; a shape's whole box), both in canvas px."""

    name: str
    kind: str  # "text" or a shape tag
    box: Box
    content: Box
    flow: Flow | None = None


@dataclass
class _Group:
    names: list[str]
    box: Box  # the shared declared box
    content: Box  # union of the members' content
    flows: list[Flow] = field(default_factory=list)


@dataclass(frozen=True)
class Solution:
    """Boxes to bind again with (by element name), and what the solver did, for notes."""

    boxes: dict[str, Box]
    moved: tuple[str, ...]
    violations_before: int
    violations_after: int


def _same(a: Box, b: Box) -> bool:
    return max(abs(a.x - b.x), abs(a.y - b.y), abs(a.width - b.width),
               abs(a.height - b.height)) < 0.5


def _groups(items: list[Item]) -> list[_Group]:
    """Texts with the shapes declared in the same box (plates, chips); shapes that frame
    no text are decoration and stay out of the layout."""
    groups: list[_Group] = []
    for item in sorted(items, key=lambda i: i.kind != "text"):
        home = next((g for g in groups if _same(g.box, item.box)), None)
        if home is None:
            if item.kind != "text":
                continue
            home = _Group([], item.box, item.content)
            groups.append(home)
        home.names.append(item.name)
        home.content = home.content.union(item.content)
        if item.flow is not None:
            home.flows.append(item.flow)
    return groups


class _Problem:
    """The energy over all groups' (x, y, s), vectorised over a batch of candidates."""

    def __init__(self, groups: list[_Group], width: float, height: float):
        self.groups = groups
        self.width, self.height = width, height
        self.scale = math.hypot(width, height)
        n = len(groups)
        self.x0 = np.array([g.box.x for g in groups])
        self.y0 = np.array([g.box.y for g in groups])
        self.w = np.array([g.box.width for g in groups])
        self.h = np.array([g.box.height for g in groups])
        # Content offsets and size relative to the box, scaled with it.
        self.cx = np.array([g.content.x - g.box.x for g in groups])
        self.cy = np.array([g.content.y - g.box.y for g in groups])
        self.cw = np.array([g.content.width for g in groups])
        self.ch = np.array([g.content.height for g in groups])
        index = {name: i for i, g in enumerate(groups) for name in g.names}
        self.flows = [(i, index[f.ref], f) for i, g in enumerate(groups) for f in g.flows
                      if f.ref in index and index[f.ref] != i]
        flowed = {i for i, _, _ in self.flows}
        self.pairs = [(i, j) for i, j in itertools.combinations(range(n), 2)
                      if not self._stacked(i, j, flowed)]
        self.aligned = self._aligned_edges()
        self.margin = self._margin()

    def _stacked(self, i: int, j: int, flowed: set[int]) -> bool:
        """Declared one on the other on purpose: neither flows, and one holds the other's
        centre (a badge on a card)."""
        if i in flowed or j in flowed:
            return False
        a, b = self.groups[i].content, self.groups[j].content

        def holds(outer: Box, inner: Box) -> bool:
            cx, cy = inner.x + inner.width / 2, inner.y + inner.height / 2
            return outer.x <= cx <= outer.right and outer.y <= cy <= outer.bottom

        return holds(a, b) or holds(b, a)

    def _margin(self) -> float:
        """The template's safe margin: the smallest distance from copy to an edge it does
        not cross, so a repaired layout keeps the room the design keeps elsewhere."""
        gaps = [d for g in self.groups for d in (g.content.x, g.content.y,
                                                 self.width - g.content.right,
                                                 self.height - g.content.bottom) if d >= 0]
        return min(min(gaps, default=0.0), MAX_MARGIN * min(self.width, self.height))

    def _aligned_edges(self) -> list[tuple[int, int, str]]:
        out = []
        for i, j in itertools.combinations(range(len(self.groups)), 2):
            a, b = self.groups[i].box, self.groups[j].box
            for edge, (p, q) in (("left", (a.x, b.x)), ("right", (a.right, b.right)),
                                 ("center", (a.x + a.width / 2, b.x + b.width / 2))):
                if abs(p - q) < 0.5:
                    out.append((i, j, edge))
        return out

    def start(self) -> np.ndarray:
        n = len(self.groups)
        return np.concatenate([self.x0, self.y0, np.ones(n)]) / np.concatenate(
            [np.full(2 * n, self.scale), np.ones(n)])

    def unpack(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(self.groups)
        return v[..., :n] * self.scale, v[..., n:2 * n] * self.scale, v[..., 2 * n:]

    def content(self, v: np.ndarray) -> tuple[np.ndarray, ...]:
        x, y, s = self.unpack(v)
        left, top = x + s * self.cx, y + s * self.cy
        return left, top, left + s * self.cw, top + s * self.ch

    def violations(self, v: np.ndarray) -> np.ndarray:
        """Every hard constraint's violation in px (0 when met), for a batch (K, n·3)."""
        x, y, s = self.unpack(v)
        left, top, right, bottom = self.content(v)
        m = self.margin
        parts = [np.maximum(m - left, 0), np.maximum(m - top, 0),
                 np.maximum(right - (self.width - m), 0), np.maximum(bottom - (self.height - m), 0),
                 np.maximum(MIN_SCALE - s, 0) * self.scale, np.maximum(s - 1.0, 0) * self.scale]
        for i, j in self.pairs:
            # Penetration depth: the shortest push, in any of the four directions, that
            # clears the two (it has a slope wherever they overlap, even when one box lies
            # within the other's span on an axis, where the overlap's width would not).
            depth = np.minimum.reduce([right[..., i] - left[..., j], right[..., j] - left[..., i],
                                       bottom[..., i] - top[..., j], bottom[..., j] - top[..., i]])
            parts.append(np.maximum(depth, 0)[..., None])
        for i, r, f in self.flows:
            parts.append(np.abs(self._flow_gap(i, r, f, x, y, s, left, top, right, bottom))[..., None])
        return np.concatenate(parts, axis=-1)

    def _flow_gap(self, i: int, r: int, f: Flow, x: np.ndarray, y: np.ndarray, s: np.ndarray,
                  left: np.ndarray, top: np.ndarray, right: np.ndarray,
                  bottom: np.ndarray) -> np.ndarray:
        """How far group i's box is from where the flow puts it (signed, px)."""
        h, w = s[..., i] * self.h[i], s[..., i] * self.w[i]
        if f.direction == "below":
            miss = y[..., i] - (bottom[..., r] + f.gap)
        elif f.direction == "above":
            miss = (y[..., i] + h) - (top[..., r] - f.gap)
        elif f.direction == "after":
            miss = x[..., i] - (right[..., r] + f.gap)
        else:
            miss = (x[..., i] + w) - (left[..., r] - f.gap)
        if f.align is not None:
            frac = {"start": 0.0, "center": 0.5, "end": 1.0}[f.align]
            if f.direction in ("below", "above"):
                want = left[..., r] + (right[..., r] - left[..., r] - w) * frac
                miss = np.hypot(miss, x[..., i] - want)
            else:
                want = top[..., r] + (bottom[..., r] - top[..., r] - h) * frac
                miss = np.hypot(miss, y[..., i] - want)
        return miss

    def preference(self, v: np.ndarray) -> np.ndarray:
        """The soft preferences as residuals (their squares summed are the energy)."""
        x, y, s = self.unpack(v)
        d = self.scale
        parts = [(x - self.x0) / d, (y - self.y0) / d, math.sqrt(SIZE_WEIGHT) * (1.0 - s)]
        for i, j, edge in self.aligned:
            frac = {"left": 0.0, "center": 0.5, "right": 1.0}[edge]
            pi = x[..., i] + frac * s[..., i] * self.w[i]
            pj = x[..., j] + frac * s[..., j] * self.w[j]
            parts.append((math.sqrt(ALIGN_WEIGHT) * (pi - pj) / d)[..., None])
        return np.concatenate(parts, axis=-1)

    def residuals(self, v: np.ndarray, weight: float) -> np.ndarray:
        return np.concatenate([self.preference(v),
                               math.sqrt(weight) * self.violations(v) / self.scale], axis=-1)


def _least_squares(problem: _Problem, v: np.ndarray, weight: float,
                   step: float = 1e-7) -> np.ndarray:
    """Levenberg–Marquardt on one penalty stage: every term of the energy is a residual
    squared, so a damped Gauss–Newton step converges in a few dozen iterations where
    plain gradient descent needs hundreds. The Jacobian is central differences, all
    evaluated as one batch."""
    n = v.size
    r = problem.residuals(v[None], weight)[0]
    e = float(r @ r)
    damping = 1e-3
    eye = np.eye(n) * step
    for _ in range(MAX_STEPS):
        batch = problem.residuals(np.concatenate([v + eye, v - eye]), weight)
        jac = ((batch[:n] - batch[n:]) / (2 * step)).T  # (residuals, variables)
        grad, hess = jac.T @ r, jac.T @ jac
        while damping < 1e12:
            try:
                delta = np.linalg.solve(hess + damping * (np.diag(np.diag(hess)) + 1e-9 * np.eye(n)),
                                        -grad)
            except np.linalg.LinAlgError:
                damping *= 4.0
                continue
            trial = v + delta
            rt = problem.residuals(trial[None], weight)[0]
            et = float(rt @ rt)
            if et < e:
                break
            damping *= 4.0
        else:
            return v
        improved = e - et
        v, r, e = trial, rt, et
        damping = max(damping / 3.0, 1e-9)
        if improved < 1e-12 * max(e, 1e-12):
            break
    return v


def _staged(problem: _Problem, v: np.ndarray) -> tuple[np.ndarray, int]:
    """The penalty stages from `v`: the result (scales clipped to their exact bounds)
    and how many hard constraints it still breaks."""
    for weight in PENALTY_STAGES:
        v = _least_squares(problem, v, weight)
        if problem.violations(v[None])[0].max() < TOLERANCE / 2:
            break  # valid: later stages would only trade preference for nothing
    n = len(problem.groups)
    v = v.copy()
    v[2 * n:] = np.clip(v[2 * n:], MIN_SCALE, 1.0)  # the bound is exact, not just penalised
    return v, int((problem.violations(v[None])[0] > TOLERANCE).sum())


def _cost(problem: _Problem, v: np.ndarray) -> float:
    r = problem.preference(v[None])[0]
    return float(r @ r)


def _clearing_starts(problem: _Problem, v: np.ndarray) -> list[np.ndarray]:
    """Starting points with one overlapping group set beside the other (below, above,
    after, before), kept inside the canvas's margin."""
    n = len(problem.groups)
    left, top, right, bottom = (a[0] for a in problem.content(v[None]))
    x, y, s = (a.copy() for a in problem.unpack(v))
    m, starts = problem.margin, []
    for i, j in problem.pairs:
        if min(right[i] - left[j], right[j] - left[i], bottom[i] - top[j],
               bottom[j] - top[i]) <= TOLERANCE:
            continue
        for mover, still in ((j, i), (i, j)):
            cw, ch = s[mover] * problem.cw[mover], s[mover] * problem.ch[mover]
            ox, oy = s[mover] * problem.cx[mover], s[mover] * problem.cy[mover]
            for nx, ny in ((left[mover], bottom[still]), (left[mover], top[still] - ch),
                           (right[still], top[mover]), (left[still] - cw, top[mover])):
                nx = min(max(nx, m), problem.width - m - cw)
                ny = min(max(ny, m), problem.height - m - ch)
                xs, ys = x.copy(), y.copy()
                xs[mover], ys[mover] = nx - ox, ny - oy
                starts.append(np.concatenate([xs / problem.scale, ys / problem.scale, s]))
    return starts[:4 * n * 2]


def solve(items: list[Item], width: float, height: float) -> Solution | None:
    """Boxes that meet the hard constraints with the least change, or None when the
    declared layout meets them already (or nothing is laid out)."""
    groups = _groups(items)
    if not groups:
        return None
    problem = _Problem(groups, width, height)
    v = problem.start()
    before = int((problem.violations(v[None])[0] > TOLERANCE).sum())
    if before == 0:
        return None
    v, after = _staged(problem, v)
    if after:
        # A descent can stall where two constraints pull against each other (copy pushed
        # in from off the canvas onto other copy). Restart from each way of setting the
        # offending copy clear of what it overlaps, and keep the best result.
        for start in _clearing_starts(problem, v):
            trial, count = _staged(problem, start)
            if (count, _cost(problem, trial)) < (after, _cost(problem, v)):
                v, after = trial, count
            if after == 0:
                break
    x, y, s = problem.unpack(v)
    boxes: dict[str, Box] = {}
    moved: list[str] = []
    by_name = {item.name: item for item in items}
    for gi, group in enumerate(groups):
        dx, dy, k = float(x[gi] - group.box.x), float(y[gi] - group.box.y), float(s[gi])
        if max(abs(dx), abs(dy), abs(1 - k) * max(group.box.width, group.box.height)) < 0.01:
            continue  # not moved
        moved.extend(group.names)
        for name in group.names:
            b = by_name[name].box
            boxes[name] = Box(float(x[gi]) + (b.x - group.box.x) * k,
                              float(y[gi]) + (b.y - group.box.y) * k, b.width * k, b.height * k)
    return Solution(boxes, tuple(moved), before, after)
