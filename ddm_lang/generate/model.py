"""The trained layout model: proposes layouts by sampling boxes token by token.

A small autoregressive transformer (`training/layout_model/`) learned the layouts of the
stdlib templates' creatives: a layout is a sequence of tokens, a fixed prefix stating the
condition (format aspect, subject aspect, cut out or not, which roles to place) and then,
hero first and the rest in reading order, each element as five tokens: its role and its
box's x, y, width and height on a grid of `bins` steps per side. This module is its run
time: it loads the ONNX export once per file (onnxruntime and numpy only, no torch) and
samples `n` layouts with the caller's random generator.

Decoding is constrained, so every layout is usable as it comes: the first element is the
hero when the condition asks for one, each role asked for appears exactly once and no
other, and a box's width and height are at least one step and never reach past the
canvas's right or bottom edge. By default (`keep_apart`) it also keeps copy apart as the
templates do: no copy box (headline, subline, points, price, button, brand) or badge on
another one, and no copy on a cut-out product, the subject fitted in the hero's box as
`place … fit subject` draws it (a photo hero may carry copy: overlay designs do). The
rule is exact on the grid: x is drawn among the columns with a free cell, y among that
column's free cells, the width and height up to the first occupied cell, so it never
has to reject a layout. `LayoutModel.unconstrained()` samples without it, which is what
the benchmark uses to measure what the network itself learned.

The vocabulary (`Vocabulary`) is part of the model's contract (`layout_model.json`
beside the weights) and is the one training encodes its data with, so the model never
sees tokens built differently from those it was trained on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ddm_lang.errors import UserError
from ddm_lang.generate.layout import ROLES, Layout, LayoutCondition, RoleBox

WEIGHTS = Path(__file__).with_name("weights") / "layout_model.onnx"
INPUT_NAME = "tokens"
OUTPUT_NAME = "logits"
SLOTS = 5  # tokens per element: role, x, y, w, h
COPY_ROLES = frozenset({"headline", "subline", "points", "price", "button", "brand"})
APART = COPY_ROLES | {"badge"}   # roles kept off one another (and, copy, off the product)
SUBJECT_MARGIN = 1.16  # `place … fit subject` keeps 8 % of the subject's size round it


class LayoutModelError(UserError):
    """The layout model's files are missing or do not match their contract."""


@dataclass(frozen=True)
class Vocabulary:
    """The token layout shared by training and sampling.

    Tokens, in order: PAD, BOS, EOS; one per format-aspect bucket (the nearest, in log
    space, of `format_aspects`); one per subject-aspect bucket (split at `subject_edges`);
    cut out no / yes; for each role of `roles` "absent" then "present" (the prefix states
    every role, so it has a fixed length); one per role (an element's first token); and
    `bins` coordinate steps (x and y are `i / bins`, a width or height `(j + 1) / bins`).
    """

    roles: tuple[str, ...]
    bins: int
    format_aspects: tuple[float, ...]
    subject_edges: tuple[float, ...]

    PAD = 0
    BOS = 1
    EOS = 2

    @property
    def format_base(self) -> int:
        return 3

    @property
    def subject_base(self) -> int:
        return self.format_base + len(self.format_aspects)

    @property
    def cutout_base(self) -> int:
        return self.subject_base + len(self.subject_edges) + 1

    @property
    def roleset_base(self) -> int:
        return self.cutout_base + 2

    @property
    def role_base(self) -> int:
        return self.roleset_base + 2 * len(self.roles)

    @property
    def coord_base(self) -> int:
        return self.role_base + len(self.roles)

    @property
    def size(self) -> int:
        return self.coord_base + self.bins

    @property
    def prefix_length(self) -> int:
        return 4 + len(self.roles)

    @property
    def max_length(self) -> int:
        return self.prefix_length + SLOTS * len(self.roles) + 1

    def format_bucket(self, aspect: float) -> int:
        logs = [abs(math.log(aspect / a)) for a in self.format_aspects]
        return int(np.argmin(logs))

    def subject_bucket(self, aspect: float) -> int:
        return int(np.searchsorted(np.asarray(self.subject_edges), aspect, side="right"))

    def prefix(self, condition: LayoutCondition) -> list[int]:
        """The condition's tokens: BOS, format bucket, subject bucket, cut-out flag, and
        each role's absent / present token."""
        wanted = set(condition.roles)
        unknown = wanted - set(self.roles)
        if unknown:
            raise ValueError(f"unknown layout roles: {', '.join(sorted(unknown))}; "
                             f"roles: {', '.join(self.roles)}")
        return [self.BOS,
                self.format_base + self.format_bucket(condition.aspect),
                self.subject_base + self.subject_bucket(max(condition.subject_aspect, 1e-6)),
                self.cutout_base + int(condition.cutout),
                *(self.roleset_base + 2 * i + int(r in wanted)
                  for i, r in enumerate(self.roles))]

    def quantise(self, box: RoleBox) -> tuple[int, int, int, int]:
        """Grid steps (x, y, w, h) of a box: its edges rounded to the grid, so boxes whose
        edges line up still line up; at least one step wide and high, inside the canvas."""
        b = self.bins

        def span(lo: float, extent: float) -> tuple[int, int]:
            start = min(max(round(lo * b), 0), b - 1)
            end = min(max(round((lo + extent) * b), start + 1), b)
            return start, end - start - 1

        x, w = span(box.x, box.w)
        y, h = span(box.y, box.h)
        return x, y, w, h

    def box(self, role: str, x: int, y: int, w: int, h: int) -> RoleBox:
        b = self.bins
        return RoleBox(role, x / b, y / b, (w + 1) / b, (h + 1) / b)

    def order(self, layout: Layout) -> list[RoleBox]:
        """The order elements are written in: the hero first, the rest in reading order
        (top to bottom, then left to right, on the grid)."""
        def key(item: RoleBox) -> tuple[int, int, int, int]:
            x, y, _, _ = self.quantise(item)
            return (0 if item.role == "hero" else 1, y, x, self.roles.index(item.role))
        return sorted(layout, key=key)

    def encode(self, condition: LayoutCondition, layout: Layout) -> list[int]:
        """A whole training sequence: prefix, elements, EOS."""
        out = self.prefix(condition)
        for item in self.order(layout):
            x, y, w, h = self.quantise(item)
            out += [self.role_base + self.roles.index(item.role),
                    *(self.coord_base + v for v in (x, y, w, h))]
        return [*out, self.EOS]

    def decode(self, tokens: Sequence[int]) -> Layout:
        """The elements of a sequence (prefix and EOS skipped)."""
        body = list(tokens[self.prefix_length:])
        out: list[RoleBox] = []
        for i in range(0, len(body) - SLOTS + 1, SLOTS):
            role, *coords = body[i:i + SLOTS]
            if not self.role_base <= role < self.coord_base:
                break
            x, y, w, h = (c - self.coord_base for c in coords)
            out.append(self.box(self.roles[role - self.role_base], x, y, w, h))
        return tuple(out)

    def as_dict(self) -> dict[str, Any]:
        return {"roles": list(self.roles), "bins": self.bins,
                "format_aspects": list(self.format_aspects),
                "subject_edges": list(self.subject_edges), "size": self.size,
                "prefix_length": self.prefix_length, "max_length": self.max_length}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Vocabulary:
        vocab = cls(tuple(data["roles"]), int(data["bins"]),
                    tuple(float(a) for a in data["format_aspects"]),
                    tuple(float(e) for e in data["subject_edges"]))
        if "size" in data and int(data["size"]) != vocab.size:
            raise LayoutModelError(f"layout model vocabulary: {data['size']} tokens stated, "
                                   f"{vocab.size} derived")
        return vocab


def subject_box(hero: RoleBox, condition: LayoutCondition) -> RoleBox:
    """Where a cut-out product shows in the hero's box: the subject, of the condition's
    aspect, scaled to fit the box with `place … fit subject`'s 8 % margin, centred. A
    photo hero fills its box."""
    if not condition.cutout:
        return hero
    aspect = max(condition.subject_aspect, 1e-6) * condition.height / condition.width
    w, h = (hero.w, hero.w / aspect) if hero.w / hero.h < aspect else (hero.h * aspect, hero.h)
    sw, sh = w / SUBJECT_MARGIN, h / SUBJECT_MARGIN
    return RoleBox(hero.role, hero.x + (hero.w - sw) / 2, hero.y + (hero.h - sh) / 2, sw, sh)


def occupied(role: str, placed: Sequence[RoleBox], condition: LayoutCondition,
             bins: int) -> np.ndarray:
    """Grid cells [row, column] a box of `role` must leave free: the copy and badges
    already placed, and for copy the cut-out product. Nothing for the hero and
    decorations."""
    grid = np.zeros((bins, bins), bool)
    if role not in APART:
        return grid
    eps = 1e-9
    for box in placed:
        if box.role == "hero":
            if role not in COPY_ROLES or not condition.cutout:
                continue
            box = subject_box(box, condition)
        elif box.role not in APART:
            continue
        x0, x1 = math.floor(box.x * bins + eps), math.ceil(box.right * bins - eps)
        y0, y1 = math.floor(box.y * bins + eps), math.ceil(box.bottom * bins - eps)
        grid[max(y0, 0):min(y1, bins), max(x0, 0):min(x1, bins)] = True
    return grid


def _run(blocked: np.ndarray) -> int:
    """How many leading entries are free (False)."""
    hits = np.flatnonzero(blocked)
    return int(hits[0]) if hits.size else len(blocked)


class LayoutModel:
    """A `Proposer` backed by the trained layout model (`load()` gives the shared one)."""

    def __init__(self, session: Any, vocabulary: Vocabulary, contract: Mapping[str, Any],
                 keep_apart: bool = True):
        self.session = session
        self.vocabulary = vocabulary
        self.contract = contract
        self.keep_apart = keep_apart

    def unconstrained(self) -> LayoutModel:
        """The same model sampling without the keep-apart rule (roles, order and the
        canvas still hold)."""
        return LayoutModel(self.session, self.vocabulary, self.contract, keep_apart=False)

    def logits(self, tokens: np.ndarray) -> np.ndarray:
        """Next-token logits float32 [N, T, V] for int64 tokens [N, T] (causal: position t
        sees tokens 0..t only, so sequences may be padded at the end)."""
        out = self.session.run([OUTPUT_NAME], {INPUT_NAME: np.asarray(tokens, np.int64)})
        return np.asarray(out[0])

    def propose(self, condition: LayoutCondition, n: int, rng: np.random.Generator,
                temperature: float = 1.0) -> list[Layout]:
        """`n` layouts for `condition`, sampled with `rng` at `temperature` (≤ 0: the most
        likely token at every step, the same layout n times)."""
        vocab = self.vocabulary
        roles = list(dict.fromkeys(condition.roles))
        prefix = vocab.prefix(condition)
        if n <= 0:
            return []
        if not roles:
            return [() for _ in range(n)]
        tokens = np.tile(np.asarray(prefix, np.int64), (n, 1))
        left = [set(roles) for _ in range(n)]
        placed: list[list[RoleBox]] = [[] for _ in range(n)]
        grids = [np.zeros((vocab.bins, vocab.bins), bool) for _ in range(n)]
        for step in range(len(roles)):
            first_hero = step == 0 and "hero" in roles
            for slot in range(SLOTS):
                allowed = np.zeros((n, vocab.size), bool)
                for row in range(n):
                    allowed[row] = self._allowed(slot, tokens[row], grids[row],
                                                 ["hero"] if first_hero else sorted(left[row]))
                logits = self.logits(tokens)[:, -1, :].astype(np.float64)
                chosen = _sample(logits, allowed, rng, temperature)
                tokens = np.concatenate([tokens, chosen[:, None]], axis=1)
                for row in range(n):
                    if slot == 0:
                        role = vocab.roles[int(chosen[row]) - vocab.role_base]
                        left[row].discard(role)
                        if self.keep_apart:
                            grids[row] = occupied(role, placed[row], condition, vocab.bins)
                    elif slot == SLOTS - 1:
                        placed[row].append(vocab.decode(
                            [*prefix, *tokens[row, -SLOTS:].tolist()])[0])
        return [vocab.decode(row.tolist()) for row in tokens]

    def _allowed(self, slot: int, row: np.ndarray, grid: np.ndarray,
                 roles: Sequence[str]) -> np.ndarray:
        """The tokens the next one may be: a role still to place; a column with a free
        cell; a free cell of that column; a width, then a height, reaching no occupied
        cell (which also keeps the box on the canvas)."""
        vocab = self.vocabulary
        mask = np.zeros(vocab.size, bool)
        base = vocab.coord_base
        if slot == 0:
            mask[[vocab.role_base + vocab.roles.index(r) for r in roles]] = True
            return mask
        if slot == 1:
            free = np.asarray(~grid.all(axis=0), bool)
            if not free.any():   # nothing left free: place it anywhere
                free[:] = True
            mask[base:base + vocab.bins] = free
            return mask
        start = len(row) - slot   # the element's role token
        x = int(row[start + 1]) - base
        column_full = grid[:, x].all()
        if slot == 2:
            free = ~grid[:, x] if not column_full else np.ones(vocab.bins, bool)
            mask[base:base + vocab.bins] = free
            return mask
        y = int(row[start + 2]) - base
        if slot == 3:
            run = vocab.bins - x if column_full or grid[y, x] else _run(grid[y, x:])
            mask[base:base + run] = True
            return mask
        w = int(row[start + 3]) - base
        blocked = np.asarray(grid[y:, x:x + w + 1].any(axis=1), bool)
        run = vocab.bins - y if column_full or blocked[0] else _run(blocked)
        mask[base:base + run] = True
        return mask


def _sample(logits: np.ndarray, allowed: np.ndarray, rng: np.random.Generator,
            temperature: float) -> np.ndarray:
    """One token per row among the allowed ones: softmax(logits / temperature) sampled by
    inverse CDF with one uniform draw per row, or the arg max at temperature ≤ 0."""
    masked = np.where(allowed, logits, -np.inf)
    if temperature <= 0:
        return masked.argmax(axis=1).astype(np.int64)
    scaled = masked / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    p = np.where(allowed, np.exp(scaled), 0.0)
    cdf = np.cumsum(p, axis=1)
    draws = rng.random(len(p)) * cdf[:, -1]
    picked = (cdf <= draws[:, None]).sum(axis=1)
    # never land on a disallowed token through rounding at the top of the CDF
    last = allowed.shape[1] - 1 - np.argmax(allowed[:, ::-1], axis=1)
    return np.minimum(picked, last).astype(np.int64)


_LOADED: dict[tuple[str, int, int], LayoutModel] = {}


def load(path: str | Path | None = None) -> LayoutModel:
    """The layout model at `path` (the bundled weights by default) with its contract, the
    `.json` beside it; loaded once per file and process."""
    onnx_path = Path(path) if path is not None else WEIGHTS
    contract_path = onnx_path.with_suffix(".json")
    try:
        st = onnx_path.stat()
    except OSError:
        raise LayoutModelError(f"{onnx_path}: layout model not found; train it with "
                               "training/layout_model/train.py") from None
    key = (str(onnx_path.resolve()), st.st_mtime_ns, st.st_size)
    model = _LOADED.get(key)
    if model is None:
        model = _load(onnx_path, contract_path)
        _LOADED[key] = model
    return model


def _load(onnx_path: Path, contract_path: Path) -> LayoutModel:
    try:
        contract = json.loads(contract_path.read_text("utf-8"))
        vocabulary = Vocabulary.from_dict(contract["vocabulary"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise LayoutModelError(f"{contract_path}: not a layout model contract ({err})") from None
    if tuple(vocabulary.roles) != ROLES:
        raise LayoutModelError(f"{contract_path}: trained for roles "
                               f"{', '.join(vocabulary.roles)}, not {', '.join(ROLES)}")
    try:
        import onnxruntime as ort
    except ImportError:
        raise LayoutModelError("onnxruntime is not installed; install ddm_lang[cpu] or "
                               "ddm_lang[gpu]") from None
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 2  # a batch of layouts per step: two threads halve it, more add little
    try:
        session = ort.InferenceSession(str(onnx_path), options,
                                       providers=["CPUExecutionProvider"])
    except Exception as err:  # onnxruntime raises its own exception types
        raise LayoutModelError(f"{onnx_path}: not a loadable ONNX model ({err})") from None
    inputs = [i.name for i in session.get_inputs()]
    outputs = [o.name for o in session.get_outputs()]
    if inputs != [INPUT_NAME] or outputs[:1] != [OUTPUT_NAME]:
        raise LayoutModelError(f"{onnx_path}: expected input `{INPUT_NAME}` and output "
                               f"`{OUTPUT_NAME}`, found {inputs} and {outputs}")
    return LayoutModel(session, vocabulary, contract)
